"""The main job: generate -> extract -> grade -> check, pipelined and resumable.

Samples are graded while generation goes on: each answer is journaled, extracted and
handed to the grading session as soon as it arrives. Both journals (generations.jsonl,
results.jsonl) are append-only and flushed per record, so a run killed at any moment
resumes from what they hold: a sample with a result is final, a sample with an answer
but no result is graded again, any other sample is asked for. A failed request is
journaled but never graded: its sample has no answer yet, and the next invocation asks
for it again (so does a result line an older version graded from a failed request).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

from verilogeval.extract import extract
from verilogeval.generate import generate_async, run_coroutine
from verilogeval.journal import Journal, create_journals
from verilogeval.layout import write_generate_log
from verilogeval.models.base import ModelAdapter, Request
from verilogeval.models.params import learned_warnings
from verilogeval.plans import RunPlan, resumed_checks
from verilogeval.progress import Progress
from verilogeval.prompt import build_prompt
from verilogeval.records import Generation, Sample
from verilogeval.repair.loop import RepairRun
from verilogeval.repair.resume import standings
from verilogeval.responses import response_issue
from verilogeval.runfolder.files import GENERATIONS, RESULTS
from verilogeval.runfolder.lines import (
    GenerationLine,
    ResultLine,
    latest,
    read_generations,
    read_results,
    write_prompts,
)
from verilogeval.runfolder.manifest import check_resumable, now_iso, write_manifest
from verilogeval.runfolder.rounds import with_every_round_spent
from verilogeval.session import Answer, GradingSession
from verilogeval.simulate import version_warning
from verilogeval.summary import write_summaries


@dataclass(frozen=True)
class RunOutcome:
    """What one invocation did, for the closing summary."""

    requested: int  # samples asked of the model in this invocation
    graded: int  # samples graded in this invocation
    resumed: int  # samples already final before it
    unanswered: int  # samples still without an answer: the next invocation asks for them
    results: tuple[ResultLine, ...]  # every sample's result in the folder
    answered: tuple[GenerationLine, ...]  # the answers this invocation received
    warnings: tuple[str, ...]
    failures: tuple[str, ...]  # samples that could not be graded or journaled, and why


def execute(plan: RunPlan, adapter: ModelAdapter, progress: Progress) -> RunOutcome:
    """Run (or resume) the plan into plan.out; KeyboardInterrupt leaves it resumable."""
    folder = plan.folder
    create_journals(folder.root, GENERATIONS, RESULTS)
    plan = replace(plan, checks=resumed_checks(folder, plan.checks))
    manifest = plan.manifest()
    previous = check_resumable(folder, manifest)
    manifest = manifest.resumed_from(previous)
    prompts = {p.name: build_prompt(plan.dataset, p, plan.prompt) for p in plan.problems}
    write_prompts(folder.prompts, prompts)

    final = {line.key for line in read_results(folder.results, repair=True) if line.is_final}
    answered = {
        key: line
        for key, line in latest(read_generations(folder.generations, repair=True)).items()
        if line.error is None
    }
    wanted = [(p, s) for p in plan.problems for s in range(1, plan.sampling.n + 1)]
    to_grade = [answered[(p.name, s)] for p, s in wanted if (p.name, s) in answered]
    to_grade = [line for line in to_grade if line.key not in final]
    requests = [
        Request(problem=p, prompt=prompts[p.name], sample=s, sampling=plan.sampling)
        for p, s in wanted
        if (p.name, s) not in answered and (p.name, s) not in final
    ]

    adapter.resume_request(previous.request if previous else None)
    manifest = replace(manifest, request=adapter.request_record(plan.sampling))  # and learned
    write_manifest(folder, manifest)
    run: _Run | RepairRun
    if plan.repair is None:
        progress.start(len(requests), len(requests) + len(to_grade))
        run = _Run(plan, adapter, progress)
        work = run.pipeline(requests, to_grade)
    else:  # each sample's conversation resumes from its rounds (verilogeval.repair)
        unfinished = standings(folder, [(p.name, s) for p, s in wanted])
        progress.start(len(requests), len(unfinished))
        run = RepairRun(plan, plan.repair, adapter, progress, prompts)
        work = run.pipeline(unfinished)
    try:
        run_coroutine(work)
    finally:
        progress.stop()

    results = tuple(read_results(folder.results))
    asked = [(problem.name, sample) for problem, sample in wanted]
    generations = (
        read_generations(folder.generations)
        if plan.repair is None
        else with_every_round_spent(folder.generations)  # a conversation costs all its rounds
    )
    write_summaries(folder, results, generations, expected=asked)
    unanswered = set(asked) - {line.key for line in results if line.is_final}
    complete = not unanswered
    assert manifest.simulator is not None
    request = adapter.request_record(plan.sampling)
    write_manifest(
        folder,
        replace(
            manifest,
            simulator=replace(manifest.simulator, version=run.simulator),
            request=request,
            finished_at=now_iso() if complete else None,
        ),
    )
    single_shot = isinstance(run, _Run)  # a repair run counts every round it asked and graded
    return RunOutcome(
        requested=len(requests) if single_shot else len(run.answered),
        graded=len(requests) + len(to_grade) if isinstance(run, _Run) else run.graded,
        resumed=len(final),
        unanswered=len(unanswered),
        results=results,
        answered=tuple(run.answered),
        warnings=(*run.warnings, *learned_warnings(request)),
        failures=tuple(run.failures),
    )


class _Run:
    """One invocation's generation and grading, done at once."""

    def __init__(self, plan: RunPlan, adapter: ModelAdapter, progress: Progress) -> None:
        self.plan = plan
        self.adapter = adapter
        self.progress = progress
        self.problems = {problem.name: problem for problem in plan.problems}
        self.simulator: str | None = None
        self.answered: list[GenerationLine] = []
        self.warnings: list[str] = []
        self.failures: list[str] = []

    async def pipeline(self, requests: list[Request], to_grade: list[GenerationLine]) -> None:
        plan, folder = self.plan, self.plan.folder
        with (
            Journal(folder.generations) as generations,
            GradingSession(
                folder, self.problems, plan.grading, plan.checks, self.progress
            ) as session,
        ):
            self.simulator = session.simulator
            warning = version_warning(session.simulator)
            if warning:
                self.warnings.append(warning)

            def grade(line: GenerationLine) -> None:
                problem = self.problems[line.problem]
                code = extract(line.response or "", problem, plan.extract_mode)
                sample = Sample(problem=problem.name, sample=line.sample, code=code)
                issue = response_issue(line.to_generation(), code, problem.ifc)
                session.submit(sample, answer=Answer(issue=issue and str(issue)))

            def on_generation(generation: Generation) -> None:
                line = GenerationLine.from_generation(generation)
                generations.append(line.to_json())
                self.answered.append(line)
                write_generate_log(
                    folder.root, line.problem, line.sample, generation.usage, generation.cost
                )
                self.progress.generated(line.error is not None)
                if line.error is None:  # a failed request is asked again, never graded
                    grade(line)

            for line in to_grade:
                grade(line)
            try:
                await generate_async(
                    self.adapter,
                    requests,
                    plan.engine,
                    cache=plan.generation_cache,
                    on_generation=on_generation,
                )
            finally:
                await self.adapter.aclose()
            loop = asyncio.get_running_loop()
            self.failures = await loop.run_in_executor(None, session.wait)
