"""The main job: generate -> extract -> simulate -> classify, pipelined and resumable.

Samples are graded while generation goes on: each answer is journaled, extracted and
handed to the grading pool as soon as it arrives. Both journals (generations.jsonl,
results.jsonl) are append-only and flushed per record, so a run killed at any moment
resumes from what they hold: a sample with a result is final, a sample with an answer
but no result is graded again, any other sample is asked for.
"""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import Future
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

from verilogeval import __version__
from verilogeval.dataset import Dataset
from verilogeval.errors import UserError
from verilogeval.extract import ExtractMode, extract
from verilogeval.formal.batch import formal_settings, with_formal
from verilogeval.formal.check import FormalConfig
from verilogeval.formal.options import formal_pool
from verilogeval.formal.result import disproved
from verilogeval.generate import (
    EngineConfig,
    GenerationCache,
    generate_async,
    generation_record,
    latest_generations,
    write_prompts,
)
from verilogeval.grade import GradeConfig, Graded, Grader, result_line
from verilogeval.journal import Journal, create_journals, read_journal
from verilogeval.layout import write_generate_log, write_graded
from verilogeval.manifest import (
    SCHEMA_VERSION,
    RunIdentity,
    check_resumable,
    git_revision,
    now_iso,
    package_versions,
    write_manifest,
)
from verilogeval.models.base import ModelAdapter, Request, SamplingConfig
from verilogeval.models.params import learned_warnings
from verilogeval.plus.batch import PlusPool, plus_fields, when_all
from verilogeval.plus.check import PlusConfig, plus_settings
from verilogeval.progress import Progress
from verilogeval.prompt import PromptConfig, build_prompt
from verilogeval.records import Generation, Problem, Sample
from verilogeval.responses import response_issue
from verilogeval.simulate import official_log, version_warning
from verilogeval.strict.batch import StrictPool, strict_fields
from verilogeval.strict.check import StrictConfig
from verilogeval.summary import outcome_table, write_summaries

GENERATIONS_NAME = "generations.jsonl"
RESULTS_NAME = "results.jsonl"
PROMPTS_NAME = "prompts.jsonl"


@dataclass(frozen=True)
class RunPlan:
    """Everything `run` was asked to do, parsed once by the CLI."""

    out: Path
    model: str
    api_base: str | None
    dataset: Dataset
    problems: tuple[Problem, ...]
    prompt: PromptConfig
    sampling: SamplingConfig
    extract_mode: ExtractMode
    engine: EngineConfig
    grading: GradeConfig
    generation_cache: GenerationCache | None
    strict: StrictConfig | None = None  # also run the differential test on passing samples
    formal: FormalConfig | None = None  # also check compiled samples for formal equivalence
    plus: PlusConfig | None = None  # also give passing samples the trusted verdict

    def identity(self) -> RunIdentity:
        return RunIdentity(
            model=self.model,
            task=str(self.dataset.task),
            dataset_hash=self.dataset.content_hash(),
            problems=tuple(problem.name for problem in self.problems),
            prompt=_plain(asdict(self.prompt)),
            sampling=_plain(asdict(self.sampling)),
            extract_mode=str(self.extract_mode),
            timeout_s=self.grading.timeout_s,
            strict=_plain(asdict(self.strict)) if self.strict else None,
            formal=formal_settings(self.formal),
            plus=plus_settings(self.plus) if self.plus else None,
        )


@dataclass(frozen=True)
class RunOutcome:
    """What one invocation did, for the closing summary."""

    requested: int  # samples asked of the model in this invocation
    graded: int  # samples graded in this invocation
    resumed: int  # samples already final before it
    results: tuple[dict[str, Any], ...]  # every results.jsonl line of the folder
    generations: tuple[dict[str, Any], ...]  # every generations.jsonl line of the folder
    wall_s: float
    warnings: tuple[str, ...]


def execute(plan: RunPlan, adapter: ModelAdapter, progress: Progress) -> RunOutcome:
    """Run (or resume) the plan into plan.out; KeyboardInterrupt leaves it resumable."""
    started = time.monotonic()
    identity = plan.identity()
    previous = check_resumable(plan.out, identity)
    create_journals(plan.out, GENERATIONS_NAME, RESULTS_NAME)
    prompts = {p.name: build_prompt(plan.dataset, p, plan.prompt) for p in plan.problems}
    write_prompts(plan.out / PROMPTS_NAME, prompts)

    final = {(r["problem"], r["sample"]) for r in _read(plan.out / RESULTS_NAME)}
    answered = latest_generations(_read(plan.out / GENERATIONS_NAME))
    wanted = [(p, s) for p in plan.problems for s in range(1, plan.sampling.n + 1)]
    to_grade = [answered[(p.name, s)] for p, s in wanted if (p.name, s) in answered]
    to_grade = [g for g in to_grade if (g.problem, g.sample) not in final]
    requests = [
        Request(problem=p, prompt=prompts[p.name], sample=s, sampling=plan.sampling)
        for p, s in wanted
        if (p.name, s) not in answered and (p.name, s) not in final
    ]

    adapter.resume_request(previous.get("request") if previous else None)
    manifest = _manifest(plan, identity, previous)
    manifest["request"] = adapter.request_record(plan.sampling)  # updated with what is learned
    write_manifest(plan.out, manifest)
    progress.start(len(requests), len(requests) + len(to_grade))
    warnings: list[str] = []
    try:
        simulator = asyncio.run(_pipeline(plan, adapter, progress, requests, to_grade, warnings))
    finally:
        progress.stop()

    results = tuple(_read(plan.out / RESULTS_NAME))
    generations = tuple(_read(plan.out / GENERATIONS_NAME))
    write_summaries(plan.out, outcome_table(results, generations))
    manifest["simulator"]["version"] = simulator
    manifest["request"] = adapter.request_record(plan.sampling)
    warnings += learned_warnings(manifest["request"])
    complete = {(r["problem"], r["sample"]) for r in results} >= {(p.name, s) for p, s in wanted}
    manifest["finished_at"] = now_iso() if complete else None
    write_manifest(plan.out, manifest)
    return RunOutcome(
        requested=len(requests),
        graded=len(requests) + len(to_grade),
        resumed=len(final),
        results=results,
        generations=generations,
        wall_s=time.monotonic() - started,
        warnings=tuple(warnings),
    )


async def _pipeline(
    plan: RunPlan,
    adapter: ModelAdapter,
    progress: Progress,
    requests: list[Request],
    to_grade: list[Generation],
    warnings: list[str],
) -> str:
    """Generate and grade at once; returns the simulator's version."""
    problems = {problem.name: problem for problem in plan.problems}
    generation_errors: dict[tuple[str, int], str] = {}
    issues: dict[tuple[str, int], str | None] = {}
    # Result lines come from the grader's thread and, with --strict, from the strict pool's.
    results_lock = threading.Lock()
    with (
        Journal(plan.out / GENERATIONS_NAME) as generations,
        Journal(plan.out / RESULTS_NAME) as results,
        _strict_pool(plan) as strict_pool,
        formal_pool(
            plan.formal, jobs=plan.grading.jobs, workdir=plan.grading.workdir, run_dir=plan.out
        ) as formally,
        _plus_pool(plan) as plus_pool,
    ):

        def write(graded: Graded, line: dict[str, Any]) -> None:
            with results_lock:
                results.append(line)
                write_graded(plan.out, graded.sample, official_log(graded.result))
                progress.graded(graded.verdict.passed)

        def on_graded(graded: Graded) -> None:
            line = result_line(graded)
            key = (graded.sample.problem, graded.sample.sample)
            if key in generation_errors:
                line["generation_error"] = generation_errors[key]
            line["response_issue"] = issues.get(key)
            problem, then = problems[graded.sample.problem], partial(check_passing, graded)
            with_formal(formally, problem, graded.sample, graded.verdict, line, then)

        def check_passing(graded: Graded, line: dict[str, Any]) -> None:
            """The checks of officially passing samples (strict, plus), then the line."""
            problem = problems[graded.sample.problem]
            checks: dict[str, Future[Any]] = {}
            if strict_pool is not None and graded.verdict.passed:
                checks["strict"] = strict_pool.submit(problem, graded.sample)
            if plus_pool is not None and graded.verdict.passed:
                log = official_log(graded.result)
                checks["plus"] = plus_pool.submit(problem, graded.sample, log)

            def finish(done: dict[str, Any]) -> None:
                fields = {} if strict_pool is None else strict_fields(done.get("strict"))
                if plus_pool is not None:
                    fields |= plus_fields(
                        done.get("plus"),
                        strict=done.get("strict"),
                        strict_required=strict_pool is not None,
                        formal_disproved=disproved(line.get("formal")),
                    )
                write(graded, line | fields)

            when_all(checks, finish)

        with Grader(problems, plan.grading, on_graded) as grader:
            warning = version_warning(grader.simulator)
            if warning:
                warnings.append(warning)

            def grade(generation: Generation) -> None:
                problem = problems[generation.problem]
                if generation.error is not None:
                    # No answer: grade the empty response, as the official flow would, and
                    # say why on the result line.
                    generation_errors[(generation.problem, generation.sample)] = generation.error
                code = extract(generation.response or "", problem, plan.extract_mode)
                issue = response_issue(generation, code, problem.ifc)
                issues[(generation.problem, generation.sample)] = issue and str(issue)
                grader.submit(Sample(problem=problem.name, sample=generation.sample, code=code))

            def on_generation(generation: Generation) -> None:
                generations.append(generation_record(generation))
                write_generate_log(
                    plan.out,
                    generation.problem,
                    generation.sample,
                    generation.usage,
                    generation.cost,
                )
                progress.generated(generation.error is not None)
                grade(generation)

            for generation in to_grade:
                grade(generation)
            try:
                await generate_async(
                    adapter,
                    requests,
                    plan.engine,
                    cache=plan.generation_cache,
                    on_generation=on_generation,
                )
            finally:
                await adapter.aclose()
            errors = await asyncio.get_running_loop().run_in_executor(None, grader.wait)
            if errors:
                raise RuntimeError(f"{len(errors)} samples could not be graded: {errors[0]}")
            return grader.simulator


def _strict_pool(plan: RunPlan) -> AbstractContextManager[StrictPool | None]:
    if plan.strict is None:
        return nullcontext()
    grading = plan.grading
    return StrictPool(
        plan.strict, jobs=grading.jobs, workdir=grading.workdir, sandboxed=grading.sandbox
    )


def _plus_pool(plan: RunPlan) -> AbstractContextManager[PlusPool | None]:
    if plan.plus is None:
        return nullcontext()
    grading = plan.grading
    return PlusPool(
        plan.plus,
        jobs=grading.jobs,
        workdir=grading.workdir,
        sandboxed=grading.sandbox,
        cache_dir=grading.cache_dir,
    )


def _read(path: Path) -> list[dict[str, Any]]:
    try:
        return read_journal(path)
    except ValueError as error:
        raise UserError(str(error)) from None


def _manifest(
    plan: RunPlan, identity: RunIdentity, previous: dict[str, Any] | None
) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "verilogeval_version": __version__,
        "command": "run",
        "model": plan.model,
        "api_base": plan.api_base,
        "task": identity.task,
        "dataset": {
            "path": str(plan.dataset.root),
            "hash": identity.dataset_hash,
            "official": plan.dataset.is_official,
        },
        "problems": list(identity.problems),
        "prompt": identity.prompt,
        "sampling": identity.sampling,
        "extract_mode": identity.extract_mode,
        "strict": identity.strict,
        "plus": identity.plus,
        "formal": identity.formal,
        "simulator": {
            "version": None,
            "timeout_s": plan.grading.timeout_s,
            "scheduler": plan.grading.scheduler,
        },
        "engine": {
            "concurrency": plan.engine.concurrency,
            "rpm": plan.engine.rpm,
            "request_timeout_s": plan.engine.timeout_s,
            "attempts": plan.engine.retry.attempts,
        },
        "jobs": plan.grading.jobs,
        "sandbox": plan.grading.sandbox,
        "packages": package_versions(),
        "git_revision": git_revision(),
        "started_at": previous["started_at"] if previous else now_iso(),
        "sessions": (previous.get("sessions", 1) + 1) if previous else 1,
        "finished_at": None,
    }


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    """StrEnum values as plain strings, so run.json compares equal after a round trip."""
    return {key: str(value) if hasattr(value, "value") else value for key, value in values.items()}
