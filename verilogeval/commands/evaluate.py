"""`verilogeval evaluate`: grade existing samples into a run folder, resumably.

Input is a JSONL file of {"problem", "sample", "code"} or a folder in the official build
layout. A bad sample is reported and skipped, never fatal: the others are still graded.
Running again on the same --out grades only the samples results.jsonl lacks.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from concurrent.futures import Future
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from verilogeval import __version__
from verilogeval.commands.options import add_dataset_options, add_scheduler_option
from verilogeval.dataset import Dataset, load_dataset
from verilogeval.errors import UserError
from verilogeval.formal.batch import formal_settings, formal_tally, with_formal
from verilogeval.formal.check import FormalConfig
from verilogeval.formal.options import add_formal_flag, formal_config_from_args, formal_pool
from verilogeval.formal.result import disproved
from verilogeval.grade import (
    GradeConfig,
    Graded,
    Grader,
    code_sha256,
    default_cache_dir,
    default_jobs,
    default_scratch_dir,
    result_line,
)
from verilogeval.journal import Journal, create_journals, read_journal
from verilogeval.layout import (
    MAX_CODE_BYTES,
    Unreadable,
    read_samples_folder,
    sample_path,
    write_graded,
)
from verilogeval.manifest import (
    SCHEMA_VERSION,
    git_revision,
    now_iso,
    package_versions,
    read_manifest,
    write_manifest,
)
from verilogeval.plus.batch import PlusPool, plus_fields, when_all
from verilogeval.plus.check import PlusConfig, plus_settings
from verilogeval.plus.options import add_plus_options, plus_config_from_args
from verilogeval.records import Sample
from verilogeval.sandbox_options import add_sandbox_option, sandbox_from_args
from verilogeval.simulate import DEFAULT_TIMEOUT_S, official_log, version_warning
from verilogeval.strict.batch import StrictPool, strict_fields
from verilogeval.strict.check import StrictConfig
from verilogeval.strict.options import add_strict_options, strict_config_from_args
from verilogeval.summary import outcome_table, write_summaries

RESULTS_NAME = "results.jsonl"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_dataset_options(parser, problems=False)
    parser.add_argument(
        "--samples",
        type=Path,
        required=True,
        help='JSONL of {"problem", "sample", "code"}, or a folder in the official layout',
    )
    parser.add_argument("--out", type=Path, required=True, help="run folder to write (resumable)")
    parser.add_argument(
        "--waves",
        action="store_true",
        help="keep each sample's wave.vcd next to it (simulates every sample, no cache)",
    )
    add_grade_options(parser)
    parser.add_argument(
        "--strict",
        action="store_true",
        help="also run the differential test (cocotb) on officially passing samples: "
        "results.jsonl gets strict_passed and its detail",
    )
    add_strict_options(parser)
    add_formal_flag(parser)
    add_plus_options(parser)


def add_grade_options(parser: argparse.ArgumentParser) -> None:
    """Options of the grading pool, shared with `check` and `run`."""
    parser.add_argument(
        "--jobs", type=int, default=None, help="parallel simulations (default: all cores)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_S,
        help=f"wall-clock limit per compile and per run, seconds (default {DEFAULT_TIMEOUT_S:g})",
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help=f"result cache (default: {default_cache_dir()})",
    )
    parser.add_argument("--no-cache", action="store_true", help="simulate every sample again")
    add_scheduler_option(parser)
    parser.add_argument(
        "--scratch-dir",
        type=Path,
        default=None,
        help="where per-sample temporary folders go (default: /dev/shm, else the temp folder)",
    )
    add_sandbox_option(parser)


def grade_config_from_args(args: argparse.Namespace, wave_dir: Path | None = None) -> GradeConfig:
    jobs = default_jobs() if args.jobs is None else args.jobs
    if jobs < 1:
        raise UserError(f"--jobs must be at least 1, not {jobs}")
    if not args.timeout > 0:
        raise UserError(f"--timeout must be positive, not {args.timeout}")
    if args.scratch_dir is not None and not args.scratch_dir.is_dir():
        raise UserError(f"{args.scratch_dir}: --scratch-dir is not a folder")
    return GradeConfig(
        jobs=jobs,
        timeout_s=args.timeout,
        cache_dir=None if args.no_cache or wave_dir else (args.cache_dir or default_cache_dir()),
        workdir=args.scratch_dir or default_scratch_dir(),
        wave_dir=wave_dir,
        scheduler=args.scheduler,
        sandbox=sandbox_from_args(args),
    )


@dataclass(frozen=True)
class Rejected:
    """An input sample that cannot be graded: where it is and why."""

    where: str
    reason: str


def run(args: argparse.Namespace) -> int:
    dataset = load_dataset(args.dataset, args.task)
    out: Path = args.out
    config = grade_config_from_args(args, wave_dir=out if args.waves else None)
    strict = strict_config_from_args(args) if args.strict else None
    formal = formal_config_from_args(args) if args.formal else None
    plus = plus_config_from_args(args, config.timeout_s)
    inputs = _read_inputs(args.samples)
    create_journals(out, RESULTS_NAME)
    dataset_hash = dataset.content_hash()
    previous = _check_resumable(out, dataset, dataset_hash, config, strict, formal, plus)
    done = {(line["problem"], line["sample"]): line for line in read_journal(out / RESULTS_NAME)}
    todo, rejected = _select(inputs, dataset, done)
    for item in rejected:
        print(f"verilogeval evaluate: {item.where}: skipped: {item.reason}", file=sys.stderr)

    started_at = previous["started_at"] if previous else now_iso()
    write_failures: list[str] = []
    problems = {problem.name: problem for problem in dataset.problems}
    # Lines come from the grader's thread and, with --strict, from the strict pool's.
    journal_lock = threading.Lock()
    with (
        Journal(out / RESULTS_NAME) as journal,
        _strict_pool(strict, config) as pool,
        formal_pool(formal, jobs=config.jobs, workdir=config.workdir, run_dir=out) as formally,
        _plus_pool(plus, config) as plus_pool,
    ):

        def write(graded: Graded, line: dict[str, Any]) -> None:
            with journal_lock:
                journal.append(line)
                try:
                    write_graded(out, graded.sample, official_log(graded.result))
                except OSError as error:
                    write_failures.append(
                        f"{graded.sample.problem} sample {graded.sample.sample}: {error}"
                    )

        def record(graded: Graded) -> None:
            problem, line = problems[graded.sample.problem], result_line(graded)
            then = partial(check_passing, graded)
            with_formal(formally, problem, graded.sample, graded.verdict, line, then)

        def check_passing(graded: Graded, line: dict[str, Any]) -> None:
            """The checks of officially passing samples (strict, plus), then the line."""
            problem = problems[graded.sample.problem]
            checks: dict[str, Future[Any]] = {}
            if pool is not None and graded.verdict.passed:
                checks["strict"] = pool.submit(problem, graded.sample)
            if plus_pool is not None and graded.verdict.passed:
                log = official_log(graded.result)
                checks["plus"] = plus_pool.submit(problem, graded.sample, log)

            def finish(done: dict[str, Any]) -> None:
                fields = {} if pool is None else strict_fields(done.get("strict"))
                if plus_pool is not None:
                    fields |= plus_fields(
                        done.get("plus"),
                        strict=done.get("strict"),
                        strict_required=pool is not None,
                        formal_disproved=disproved(line.get("formal")),
                    )
                write(graded, line | fields)

            when_all(checks, finish)

        with Grader(problems, config, record) as grader:
            warning = version_warning(grader.simulator)
            if warning:
                print(f"verilogeval evaluate: {warning}", file=sys.stderr)
            facts = _RunFacts(
                dataset,
                dataset_hash,
                config.timeout_s,
                grader.simulator,
                started_at,
                strict,
                config.scheduler,
                formal,
                config.sandbox,
                plus,
            )
            _write_run_json(out, facts, finished_at=None)
            for sample in todo:
                grader.submit(sample)
            errors = grader.wait()
    for error in errors:
        print(f"verilogeval evaluate: error: could not grade a sample: {error}", file=sys.stderr)
    for failure in write_failures:
        print(f"verilogeval evaluate: error: layout not written for {failure}", file=sys.stderr)

    results = read_journal(out / RESULTS_NAME)
    if results:
        write_summaries(out, outcome_table(results))
    _write_run_json(out, facts, finished_at=now_iso())
    passed = sum(line["passed"] for line in results)
    strictly = f" ({sum(line.get('strict_passed', False) for line in results)} strictly)"
    plussed = f" ({sum(bool(line.get('plus_passed')) for line in results)} plus)"
    print(
        f"graded {len(todo) - len(errors)} samples ({len(done)} already graded); "
        f"{passed}/{len(results)} pass{strictly if strict else ''}{plussed if plus else ''}; "
        f"results in {out / RESULTS_NAME}"
    )
    if formal is not None:
        print(f"formal: {formal_tally(results)}")
    return 1 if rejected or errors or write_failures else 0


def _read_inputs(path: Path) -> list[tuple[str, Sample | Rejected]]:
    """(where, sample or why not) for every sample of a JSONL file or a layout folder."""
    if path.is_dir():
        return [
            (str(item.path), Rejected(str(item.path), item.reason))
            if isinstance(item, Unreadable)
            else (str(sample_path(path, item.problem, item.sample)), item)
            for item in read_samples_folder(path)
        ]
    if not path.is_file():
        raise UserError(f"{path}: no such samples file or folder")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UserError(f"{path}: cannot read ({error.strerror})") from None
    found: list[tuple[str, Sample | Rejected]] = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if raw.strip():
            where = f"{path}:{number}"
            found.append((where, _parse_line(raw, where)))
    return found


def _parse_line(raw: bytes, where: str) -> Sample | Rejected:
    try:
        line = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        return Rejected(where, f"not UTF-8 text ({error.reason} at byte {error.start})")
    except json.JSONDecodeError as error:
        return Rejected(where, f"not a JSON line ({error.msg})")
    if not isinstance(line, dict):
        return Rejected(where, "expected a JSON object")
    problem, sample, code = line.get("problem"), line.get("sample"), line.get("code")
    if not isinstance(problem, str):
        return Rejected(where, "missing field 'problem' (text)")
    if not isinstance(sample, int) or isinstance(sample, bool) or sample < 1:
        return Rejected(where, f"{problem}: field 'sample' must be an integer from 1")
    if not isinstance(code, str):
        return Rejected(where, f"{problem} sample {sample}: missing field 'code' (text)")
    try:
        size = len(code.encode("utf-8"))
    except UnicodeEncodeError as error:  # a lone surrogate escape such as "\ud800"
        return Rejected(where, f"{problem} sample {sample}: code is not text ({error.reason})")
    if size > MAX_CODE_BYTES:
        return Rejected(
            where,
            f"{problem} sample {sample}: code is {size} bytes, over the {MAX_CODE_BYTES} limit",
        )
    return Sample(problem=problem, sample=sample, code=code)


def _select(
    inputs: list[tuple[str, Sample | Rejected]],
    dataset: Dataset,
    done: dict[tuple[str, int], dict[str, Any]],
) -> tuple[list[Sample], list[Rejected]]:
    """Samples still to grade, and the inputs refused (unknown problem, duplicate, changed)."""
    names = {problem.name for problem in dataset.problems}
    todo: list[Sample] = []
    rejected: list[Rejected] = []
    seen: set[tuple[str, int]] = set()
    for where, item in inputs:
        if isinstance(item, Rejected):
            rejected.append(item)
            continue
        key = (item.problem, item.sample)
        if item.problem not in names:
            rejected.append(
                Rejected(where, f"unknown problem {item.problem!r} (not in {dataset.folder})")
            )
        elif key in seen:
            rejected.append(Rejected(where, f"{item.problem} sample {item.sample} appears twice"))
        elif key in done:
            if done[key].get("code_sha256") != code_sha256(item.code):
                rejected.append(
                    Rejected(
                        where,
                        f"{item.problem} sample {item.sample} was graded with other code; "
                        "use another --out",
                    )
                )
        else:
            todo.append(item)
        seen.add(key)
    return todo, rejected


def _check_resumable(
    out: Path,
    dataset: Dataset,
    dataset_hash: str,
    config: GradeConfig,
    strict: StrictConfig | None,
    formal: FormalConfig | None,
    plus: PlusConfig | None,
) -> dict[str, Any] | None:
    """The run.json of an earlier evaluate into `out`; refuse a folder graded otherwise."""
    previous = read_manifest(out)
    if previous is None:
        if (out / RESULTS_NAME).stat().st_size > 0:
            raise UserError(f"{out}: holds results but no run.json; use another --out")
        return None
    try:
        before = (
            previous["command"],
            previous["task"],
            previous["dataset"]["hash"],
            previous["simulator"]["timeout_s"],
            previous.get("strict"),
            previous.get("formal"),
            previous.get("plus"),
        )
    except (KeyError, TypeError) as error:
        raise UserError(f"{out / 'run.json'}: missing field {error}") from None
    now = (
        "evaluate",
        str(dataset.task),
        dataset_hash,
        config.timeout_s,
        _strict_json(strict),
        formal_settings(formal),
        plus and plus_settings(plus),
    )
    if before != now:
        raise UserError(
            f"{out} was graded otherwise (command, task, dataset, --timeout, --strict, "
            "--formal or --plus options differ); use another --out"
        )
    return previous


@dataclass(frozen=True)
class _RunFacts:
    """What run.json says of an evaluate run besides its results."""

    dataset: Dataset
    dataset_hash: str
    timeout_s: float
    simulator: str
    started_at: str
    strict: StrictConfig | None  # the differential test's settings with --strict
    scheduler: str | None  # the Dask scheduler that graded, or None: this machine
    formal: FormalConfig | None  # the formal check's settings with --formal
    sandbox: bool  # False on --no-sandbox
    plus: PlusConfig | None  # the plus check's settings with --plus


def _write_run_json(out: Path, facts: _RunFacts, *, finished_at: str | None) -> None:
    """run.json in the common schema; what evaluate cannot know (model, prompt) is null."""
    results = read_journal(out / RESULTS_NAME)
    write_manifest(
        out,
        {
            "schema_version": SCHEMA_VERSION,
            "verilogeval_version": __version__,
            "command": "evaluate",
            "model": None,
            "api_base": None,
            "task": str(facts.dataset.task),
            "dataset": {
                "path": str(facts.dataset.root),
                "hash": facts.dataset_hash,
                "official": facts.dataset.is_official,
            },
            "problems": sorted({line["problem"] for line in results}),
            "prompt": None,
            "sampling": {
                "n": max((line["sample"] for line in results), default=1),
                "temperature": None,
                "top_p": None,
                "max_tokens": None,
                "seed": None,
                "preset": None,
            },
            "extract_mode": None,
            "simulator": {
                "version": facts.simulator,
                "timeout_s": facts.timeout_s,
                "scheduler": facts.scheduler,
            },
            "strict": _strict_json(facts.strict),
            "formal": formal_settings(facts.formal),
            "sandbox": facts.sandbox,
            "plus": facts.plus and plus_settings(facts.plus),
            "packages": package_versions(),
            "git_revision": git_revision(),
            "started_at": facts.started_at,
            "finished_at": finished_at,
        },
    )


def _strict_json(strict: StrictConfig | None) -> dict[str, Any] | None:
    """run.json's `strict`: null without --strict, else the settings that change verdicts."""
    if strict is None:
        return None
    return {
        "seed": strict.seed,
        "cycles": strict.cycles,
        "x_strict": strict.x_strict,
        "timeout_s": strict.timeout_s,
    }


def _plus_pool(
    plus: PlusConfig | None, config: GradeConfig
) -> AbstractContextManager[PlusPool | None]:
    """The pool of plus checks with --plus; nothing without."""
    if plus is None:
        return nullcontext(None)
    return PlusPool(
        plus,
        jobs=config.jobs,
        workdir=config.workdir,
        sandboxed=config.sandbox,
        cache_dir=config.cache_dir,
    )


def _strict_pool(
    strict: StrictConfig | None, config: GradeConfig
) -> AbstractContextManager[StrictPool | None]:
    """The pool of differential tests with --strict; nothing without."""
    if strict is None:
        return nullcontext(None)
    return StrictPool(strict, jobs=config.jobs, workdir=config.workdir, sandboxed=config.sandbox)
