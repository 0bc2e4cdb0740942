"""The main job: generate -> extract -> grade -> check, pipelined and resumable.

Samples are graded while generation goes on: each answer is journaled, extracted and
handed to the grading session as soon as it arrives. Both journals (generations.jsonl,
results.jsonl) are append-only and flushed per record, so a run killed at any moment
resumes from what they hold: a sample with a result is final, a sample with an answer
but no result is graded again, any other sample is asked for. A failed request is
journaled but never graded: its sample has no answer yet, and the next invocation asks
for it again (so does a result line an older version graded from a failed request).

`RunWork` is this job as a Work of verilogeval.orchestration.executor, which checks the
resume and writes run.json as for `generate` and `evaluate`; it asks through the same
`Asking` as `generate`, and grades through the same GradingSession as `evaluate`.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, replace

from verilogeval.checks.registry import verdict_schemas
from verilogeval.generation.engine import generate_async, run_coroutine
from verilogeval.generation.models.base import ModelAdapter
from verilogeval.generation.models.params import learned_warnings
from verilogeval.generation.responses import response_issue
from verilogeval.grading.extract import extract
from verilogeval.orchestration.asking import Asking
from verilogeval.orchestration.executor import execute
from verilogeval.orchestration.grading import open_grading
from verilogeval.orchestration.plans import RunPlan
from verilogeval.orchestration.progress import Progress
from verilogeval.orchestration.repair.loop import RepairRun
from verilogeval.orchestration.repair.resume import Standing, standings
from verilogeval.orchestration.session import AnswerIssue, GradingSession
from verilogeval.records import Generation, Sample
from verilogeval.reporting.summary import write_summaries
from verilogeval.runfolder.files import GENERATIONS, RESULTS
from verilogeval.runfolder.journal import Journal
from verilogeval.runfolder.lines import (
    GenerationLine,
    ResultLine,
    latest,
    read_generations,
    read_results,
)
from verilogeval.runfolder.manifest import Manifest, now_iso
from verilogeval.runfolder.official_layout import write_generate_log
from verilogeval.runfolder.rounds import with_every_round_spent


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


def run_plan(plan: RunPlan, adapter: ModelAdapter, progress: Progress) -> RunOutcome:
    """Run (or resume) the plan into its folder; KeyboardInterrupt leaves it resumable."""
    return execute(plan.folder, RunWork(plan, adapter, progress))


class RunWork:
    """`run` as a Work of verilogeval.orchestration.executor: generation and grading, at once."""

    journals = (GENERATIONS, RESULTS)

    def __init__(self, plan: RunPlan, adapter: ModelAdapter, progress: Progress) -> None:
        self.plan = plan
        self.asking = Asking(plan.generate, adapter)
        self.progress = progress
        self.problems = {problem.name: problem for problem in plan.generate.problems}
        self.to_grade: list[GenerationLine] = []
        self.final = 0  # samples already final before this invocation
        self.warnings: list[str] = []
        self._manifest: Manifest | None = None
        self._session: GradingSession | None = None
        self._journal: Journal | None = None
        self._repair: RepairRun | None = None  # with --repair: the run's conversations
        self._standings: list[Standing] = []  # with --repair: the unfinished ones

    def manifest(self) -> Manifest:
        self.plan = self.plan.resumed()
        return self.plan.manifest()

    def start(
        self, manifest: Manifest, previous: Manifest | None, resources: ExitStack
    ) -> Manifest:
        """A sample with a result is final; one with an answer is graded; any other, asked."""
        folder = self.plan.folder
        lines = read_results(folder.results, verdict_schemas(), repair=True)
        final = {line.key for line in lines if line.is_final}
        answered = {
            key: line
            for key, line in latest(read_generations(folder.generations, repair=True)).items()
            if line.error is None
        }
        wanted = self.asking.wanted
        self.final = len(final)
        manifest = self.asking.start(manifest, previous, skip=answered.keys() | final)
        if self.plan.repair is not None:  # each conversation resumes from its rounds
            self._standings = standings(folder, wanted)
            self._repair = RepairRun(
                self.plan, self.plan.repair, self.asking.adapter, self.progress, self.asking.prompts
            )
            self._manifest = manifest
            return manifest
        self.to_grade = [answered[key] for key in wanted if key in answered and key not in final]
        grading = open_grading(
            folder,
            self.problems,
            self.plan.grade,
            self.progress,
            resources,
            self.plan.generate.dataset.benchmark,
        )
        self._session = grading.session
        self.warnings += [grading.warning] if grading.warning else []
        self._journal = resources.enter_context(Journal(folder.generations))
        self._manifest = grading.described(manifest)
        return self._manifest

    def run(self) -> RunOutcome:
        if self._repair is not None:
            return self._run_repair(self._repair)
        requests = self.asking.requests
        self.progress.start(len(requests), len(requests) + len(self.to_grade))
        answered: list[GenerationLine] = []
        assert self._session is not None
        try:
            run_coroutine(self._pipeline(answered))
            # in this thread: a Ctrl-C while it waits closes the session (the executor's
            # resources), which stops the grading at once
            failures = self._session.wait()
        finally:
            self.progress.stop()
        results = tuple(read_results(self.plan.folder.results, verdict_schemas()))
        unanswered = set(self.asking.wanted) - {line.key for line in results if line.is_final}
        return RunOutcome(
            requested=len(requests),
            graded=len(requests) + len(self.to_grade),
            resumed=self.final,
            unanswered=len(unanswered),
            results=results,
            answered=tuple(answered),
            warnings=(*self.warnings, *learned_warnings(self.asking.request_record())),
            failures=tuple(failures),
        )

    def _run_repair(self, repair: RepairRun) -> RunOutcome:
        """Every unfinished conversation at once; a repair run counts each round it asked
        and graded."""
        self.progress.start(len(self.asking.requests), len(self._standings))
        try:
            run_coroutine(repair.pipeline(self._standings))
        finally:
            self.progress.stop()
        results = tuple(read_results(self.plan.folder.results, verdict_schemas()))
        unanswered = set(self.asking.wanted) - {line.key for line in results if line.is_final}
        return RunOutcome(
            requested=len(repair.answered),
            graded=repair.graded,
            resumed=self.final,
            unanswered=len(unanswered),
            results=results,
            answered=tuple(repair.answered),
            warnings=(*repair.warnings, *learned_warnings(self.asking.request_record())),
            failures=tuple(repair.failures),
        )

    def finish(self, outcome: RunOutcome) -> Manifest:
        folder = self.plan.folder
        generations = (
            read_generations(folder.generations)
            if self.plan.repair is None
            else with_every_round_spent(folder.generations)  # a conversation costs all its rounds
        )
        write_summaries(folder, outcome.results, generations, expected=self.asking.wanted)
        manifest = self._manifest
        assert manifest is not None and manifest.simulator is not None
        if self._repair is not None and self._repair.simulator is not None:
            simulator = replace(manifest.simulator, version=self._repair.simulator)
            manifest = replace(manifest, simulator=simulator)
        return replace(
            manifest,
            request=self.asking.request_record(),
            finished_at=None if outcome.unanswered else now_iso(),
        )

    async def _pipeline(self, answered: list[GenerationLine]) -> None:
        """Submit the answers already journaled for grading, ask for the others and submit
        each as it arrives (into `answered`)."""
        plan, folder = self.plan, self.plan.folder
        session, generations = self._session, self._journal
        assert session is not None and generations is not None

        def grade(line: GenerationLine) -> None:
            problem = self.problems[line.problem]
            code = extract(line.response or "", problem, plan.extract_mode)
            sample = Sample(problem=problem.name, sample=line.sample, code=code)
            issue = response_issue(line.to_generation(), code, problem.ifc)
            session.submit(sample, answer=AnswerIssue(issue=issue and str(issue)))

        def on_generation(generation: Generation) -> None:
            line = GenerationLine.from_generation(generation)
            generations.append(line.to_json())
            answered.append(line)
            write_generate_log(
                folder.root, line.problem, line.sample, generation.usage, generation.cost
            )
            self.progress.generated(line.error is not None)
            if line.error is None:  # a failed request is asked again, never graded
                grade(line)

        for line in self.to_grade:
            grade(line)
        adapter = self.asking.adapter
        try:
            await generate_async(
                adapter,
                self.asking.requests,
                plan.generate.engine,
                cache=plan.generate.generation_cache,
                on_generation=on_generation,
            )
        finally:
            await adapter.aclose()
