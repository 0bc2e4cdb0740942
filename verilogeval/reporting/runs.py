"""Read a run folder into typed, pandas form, without touching it.

A folder written by `verilogeval run` holds run.json, prompts.jsonl, generations.jsonl and
results.jsonl; one written by `verilogeval evaluate` has no generations (its model is
"unknown"), and a folder may even lack run.json (then its n is the highest sample graded).
Every file is read through verilogeval.runfolder as typed records. The reader never
repairs a file (a run may still be writing it): a last line without its newline is simply
not read yet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from verilogeval.checks.registry import POST_CHECKS, check_settings_types, verdict_schemas
from verilogeval.dataset.errata import Benchmark
from verilogeval.errors import UserError
from verilogeval.grading.v1.simulator import simulator_label
from verilogeval.records import Category, Prompt
from verilogeval.reporting.metrics import OUTCOME_COLUMNS, PASSED_SUFFIX, STATUS_SUFFIX
from verilogeval.reporting.summary import MISSING
from verilogeval.runfolder.files import RunFolder
from verilogeval.runfolder.lines import (
    GenerationLine,
    ResultLine,
    latest,
    read_generations,
    read_prompts,
    read_results,
)
from verilogeval.runfolder.manifest import Manifest, read_manifest
from verilogeval.runfolder.rounds import with_every_round_spent
from verilogeval.runfolder.settings import PromptSettings, RequestSettings, SamplingSettings
from verilogeval.verdicts import CheckVerdict

UNKNOWN = "unknown"


@dataclass(frozen=True, eq=False)
class Run:
    """One run folder: its manifest and the outcome of every sample it asked for."""

    folder: str  # as the user gave it
    path: Path
    manifest: Manifest | None  # run.json; None when the folder has none
    problems: tuple[str, ...]  # every problem asked for, in order
    n: int  # samples per problem
    grid: pd.DataFrame  # metrics.OUTCOME_COLUMNS, one row per (problem, sample) asked for
    results: Mapping[tuple[str, int], ResultLine]
    generation_lines: tuple[GenerationLine, ...] | None  # None without generations.jsonl
    generations: pd.DataFrame | None  # the same, one row per (problem, sample)
    prompts: Mapping[str, Prompt] = field(default_factory=dict)  # problem -> its messages

    @property
    def model(self) -> str:
        return (self.manifest.model if self.manifest else None) or UNKNOWN

    @property
    def task(self) -> str:
        return self.manifest.task if self.manifest else UNKNOWN

    @property
    def benchmark(self) -> str | None:
        return self.manifest.benchmark if self.manifest else None

    @property
    def simulator(self) -> str | None:
        """The first line of `iverilog -V` the run graded under (None: not recorded)."""
        facts = self.manifest.simulator if self.manifest else None
        return facts.version if facts else None

    @property
    def task_label(self) -> str:
        """The task, and the benchmark when it is not the default v2.0: runs of different
        benchmarks are never compared without saying so. A v1 run names its simulator too:
        v1's numbers depend on it."""
        if self.benchmark in (None, str(Benchmark.V2_0)):
            return self.task
        if self.benchmark in {str(b) for b in Benchmark if b.is_v1}:
            return f"{self.task} ({self.benchmark}; {simulator_label(self.simulator)})"
        return f"{self.task} ({self.benchmark})"

    @property
    def prompt_settings(self) -> PromptSettings:
        """run.json's prompt settings; all None when it records none."""
        return (self.manifest.prompt if self.manifest else None) or PromptSettings()

    @property
    def sampling(self) -> SamplingSettings:
        """run.json's sampling settings; all None when it records none."""
        return (self.manifest.sampling if self.manifest else None) or SamplingSettings()

    @property
    def request(self) -> RequestSettings | None:
        """What the model was asked and really got; None when run.json does not say."""
        return self.manifest.request if self.manifest else None


def load_run(folder: str) -> Run:
    """Read `folder`; UserError naming it when it is not a run folder or a file is damaged."""
    path = Path(folder)
    if not path.is_dir():
        raise UserError(f"{folder}: no such run folder")
    files = RunFolder(path)
    manifest = read_manifest(files, check_settings_types())
    if not files.results.is_file():
        raise UserError(f"{folder}: {_why_no_results(manifest, folder)}")
    results = latest(read_results(files.results, verdict_schemas()))
    problems = tuple(
        dict.fromkeys(
            [*(manifest.problems if manifest else ()), *sorted({problem for problem, _ in results})]
        )
    )
    if not problems:
        # evaluate's run.json lists the problems it graded: none yet, an empty list.
        listing = "its run.json lists none" if manifest else "no run.json listing its problems"
        raise UserError(f"{folder}: no results yet, and {listing}")
    n = _samples_per_problem(manifest, results, files.manifest)
    generations = None
    if files.generations.is_file():
        repair = manifest is not None and manifest.repair is not None
        # a repair run's sample costs every round of its conversation
        read = with_every_round_spent if repair else read_generations
        generations = read(files.generations)
    prompts = read_prompts(files.prompts)
    return Run(
        folder=folder,
        path=path,
        manifest=manifest,
        problems=problems,
        n=n,
        grid=_outcome_grid(problems, n, results),
        results=results,
        generation_lines=None if generations is None else tuple(generations),
        generations=None if generations is None else _generations_frame(generations),
        prompts=prompts,
    )


def _why_no_results(manifest: Manifest | None, folder: str) -> str:
    """Why a folder without results.jsonl is no run to report, and what to do about it."""
    if manifest is None:
        return "not a run folder (no results.jsonl, no run.json)"
    if manifest.command == "generate":
        return (
            "holds answers from `generate`, not graded yet: grade them with "
            f"`verilogeval evaluate --samples {folder} --out NEW_FOLDER`"
        )
    return f"no results.jsonl yet (its run.json: {manifest.command} started {manifest.started_at})"


def _samples_per_problem(
    manifest: Manifest | None, results: Mapping[tuple[str, int], Any], where: Path
) -> int:
    """sampling.n of the manifest; without one, the highest sample number graded."""
    highest = max((sample for _, sample in results), default=1)
    n = None if manifest is None or manifest.sampling is None else manifest.sampling.n
    if n is None:
        return highest
    if n < 1:
        raise UserError(f"{where}: field 'sampling.n' must be a positive integer, not {n!r}")
    return max(n, highest)


def _outcome_grid(
    problems: tuple[str, ...], n: int, results: Mapping[tuple[str, int], ResultLine]
) -> pd.DataFrame:
    """metrics.OUTCOME_COLUMNS, then `<name>_passed` and `<name>_status` of every check
    the results hold, in the registry's order."""
    held = {name for line in results.values() for name in line.checks}
    names = [name for name in POST_CHECKS if name in held]
    passed_columns = list(
        dict.fromkeys([*OUTCOME_COLUMNS[5:], *(name + PASSED_SUFFIX for name in names)])
    )
    rows: list[list[Any]] = []
    for problem in problems:
        for sample in range(1, n + 1):
            line = results.get((problem, sample))
            if line is None:
                rows.append([problem, sample, MISSING, False, None])
            else:
                rows.append(
                    [
                        problem,
                        sample,
                        str(line.category),
                        line.category is Category.PASS,
                        line.mismatches,
                    ]
                )
            verdicts = {} if line is None else line.checks
            rows[-1] += [
                _passed(verdicts.get(column.removesuffix(PASSED_SUFFIX)))
                for column in passed_columns
            ]
            rows[-1] += [
                None if name not in verdicts else str(verdicts[name].status) for name in names
            ]
    columns = [*OUTCOME_COLUMNS[:5], *passed_columns, *(name + STATUS_SUFFIX for name in names)]
    grid = pd.DataFrame(rows, columns=columns)
    grid["mismatches"] = grid["mismatches"].astype("Int64")
    for column in passed_columns:
        grid[column] = grid[column].astype("boolean")
    for name in names:
        grid[name + STATUS_SUFFIX] = grid[name + STATUS_SUFFIX].astype("string")
    return grid


def _passed(verdict: CheckVerdict[Any] | None) -> bool | None:
    return None if verdict is None else verdict.passed


def _generations_frame(lines: list[GenerationLine]) -> pd.DataFrame:
    rows = [
        {
            "problem": line.problem,
            "sample": line.sample,
            "response": line.response,
            "error": line.error,
            "prompt_tokens": line.usage.prompt_tokens,
            "completion_tokens": line.usage.completion_tokens,
            "cost": line.cost,
            "latency_s": line.latency_s,
            "finish_reason": line.finish_reason,
            "cached": line.cached,
            "reasoning": line.reasoning,
            "reasoning_tokens": line.reasoning_tokens,
        }
        for line in lines
    ]
    frame = pd.DataFrame(rows, columns=_GENERATION_COLUMNS)
    for column in ("prompt_tokens", "completion_tokens", "reasoning_tokens"):
        frame[column] = frame[column].astype("Int64")
    frame["cost"] = frame["cost"].astype("Float64")
    return frame


_GENERATION_COLUMNS = [
    "problem",
    "sample",
    "response",
    "error",
    "prompt_tokens",
    "completion_tokens",
    "cost",
    "latency_s",
    "finish_reason",
    "cached",
    "reasoning",
    "reasoning_tokens",
]


def run_labels(runs: Sequence[Run]) -> list[str]:
    """A short name per run for charts and tables: its folder's name, and for runs whose
    names collide as many parent folders as it takes to tell them apart (`a/run`, `b/run`)."""
    paths = [Path(run.folder).resolve() for run in runs]
    depths = [1] * len(paths)

    def label(index: int) -> str:
        return str(Path(*paths[index].parts[-depths[index] :]))

    while True:
        labels = [label(index) for index in range(len(paths))]
        colliding = [
            index
            for index, text in enumerate(labels)
            if labels.count(text) > 1 and depths[index] < len(paths[index].parts)
        ]
        if not colliding:
            return labels
        for index in colliding:
            depths[index] += 1
