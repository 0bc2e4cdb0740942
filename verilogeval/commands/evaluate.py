"""`verilogeval evaluate`: grade existing samples into a run folder, resumably.

Input is a JSONL file of {"problem", "sample", "code"} or a folder in the official build
layout. A bad sample is reported and skipped, never fatal: the others are still graded.
Running again on the same --out grades only the samples results.jsonl lacks.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from verilogeval.commands.options import (
    RESULT_CACHE_HELP,
    add_cache_options,
    add_check_options,
    add_dataset_options,
    add_grade_options,
    checks_from_args,
    grade_config_from_args,
)
from verilogeval.dataset import Dataset, load_dataset
from verilogeval.errors import UserError, outcome_code
from verilogeval.formal.batch import formal_tally
from verilogeval.grade import code_sha256
from verilogeval.journal import create_journals
from verilogeval.jsonl import BadLine, json_objects
from verilogeval.layout import MAX_CODE_BYTES, Unreadable, read_samples_folder, sample_path
from verilogeval.plans import EvaluatePlan, resumed_checks
from verilogeval.plus.report import plus_undecided
from verilogeval.progress import BarProgress, QuietProgress
from verilogeval.records import Sample
from verilogeval.runfolder.files import RESULTS
from verilogeval.runfolder.lines import ResultLine, latest, read_results
from verilogeval.runfolder.manifest import Manifest, check_resumable, now_iso, write_manifest
from verilogeval.session import GradingSession
from verilogeval.simulate import version_warning
from verilogeval.summary import write_summaries


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
    add_cache_options(parser, default=RESULT_CACHE_HELP)
    add_check_options(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress display")


def plan_from_args(args: argparse.Namespace) -> EvaluatePlan:
    grading = grade_config_from_args(args, wave_dir=args.out if args.waves else None)
    return EvaluatePlan(
        out=args.out,
        samples=args.samples,
        dataset=load_dataset(args.dataset, args.task),
        grading=grading,
        checks=checks_from_args(args, grading),
    )


@dataclass(frozen=True)
class Rejected:
    """An input sample that cannot be graded: where it is and why."""

    where: str
    reason: str


def run(args: argparse.Namespace) -> int:
    plan = plan_from_args(args)
    folder = plan.folder
    inputs = _read_inputs(plan.samples)
    create_journals(folder.root, RESULTS)
    plan = replace(plan, checks=resumed_checks(folder, plan.checks))
    base = plan.manifest()
    previous = check_resumable(folder, base)
    done = latest(read_results(folder.results, repair=True))
    todo, rejected = _select(inputs, plan.dataset, done)
    for item in rejected:
        print(f"verilogeval evaluate: {item.where}: skipped: {item.reason}", file=sys.stderr)

    problems = {problem.name: problem for problem in plan.dataset.problems}
    progress = QuietProgress() if args.quiet else BarProgress()
    with GradingSession(folder, problems, plan.grading, plan.checks, progress) as session:
        warning = version_warning(session.simulator)
        if warning:
            print(f"verilogeval evaluate: {warning}", file=sys.stderr)
        write_manifest(folder, _manifest(base, list(done.values()), session.simulator, previous))
        progress.start(0, len(todo))
        try:
            for sample in todo:
                session.submit(sample)
            failures = session.wait()
        finally:
            progress.stop()
    for failure in failures:
        print(f"verilogeval evaluate: error: {failure}", file=sys.stderr)

    results = read_results(folder.results)
    write_summaries(folder, results)
    write_manifest(
        folder,
        replace(_manifest(base, results, session.simulator, previous), finished_at=now_iso()),
    )
    passed = sum(line.passed for line in results)
    strictly = f" ({sum(bool(line.strict_passed) for line in results)} strictly)"
    undecided = len(plus_undecided(results))
    plussed = f" ({sum(bool(line.plus_passed) for line in results)} plus"
    plussed += f", {undecided} plus undecided)" if undecided else ")"
    print(
        f"graded {len(todo) - len(failures)} samples ({len(done)} already graded); "
        f"{passed}/{len(results)} pass{strictly if 'strict' in plan.checks else ''}"
        f"{plussed if 'plus' in plan.checks else ''}; results in {folder.results}"
    )
    if "formal" in plan.checks:
        print(f"formal: {formal_tally(results)}")
    return outcome_code(len(rejected) + len(failures))


def _manifest(
    base: Manifest, results: list[ResultLine], simulator: str, previous: Manifest | None
) -> Manifest:
    """run.json of what the folder holds; what evaluate cannot know (model, prompt) is null."""
    assert base.simulator is not None and base.sampling is not None
    return replace(
        base.resumed_from(previous),
        problems=tuple(sorted({line.problem for line in results})),
        sampling=base.sampling | {"n": max((line.sample for line in results), default=1)},
        simulator=replace(base.simulator, version=simulator),
    )


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
    return [
        (f"{path}:{number}", _sample_of(line, f"{path}:{number}"))
        for number, line in json_objects(data)
    ]


def _sample_of(line: dict[str, Any] | BadLine, where: str) -> Sample | Rejected:
    if isinstance(line, BadLine):
        return Rejected(where, line.reason)
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
    done: dict[tuple[str, int], ResultLine],
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
            if done[key].code_sha256 != code_sha256(item.code):
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
