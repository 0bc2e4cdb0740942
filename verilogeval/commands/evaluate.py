"""`verilogeval evaluate`: grade existing samples into a run folder, resumably.

Input (verilogeval.sample_inputs): a JSONL file (or .jsonl.gz) of {"problem", "sample",
"code"} (EvalPlus `solution`/`completion` too), a folder in the official build layout, or
a folder `generate` wrote, whose answers are extracted and graded, its model, prompt and
sampling carried into run.json. A bad sample is reported and skipped, never fatal: the
others are still graded; one that names a problem of the run and its sample number is
still one of the run's samples (in run.json's problems and sampling.n), a failure without
a result (`?`) in summary.txt and every report. Running again on the same --out grades
only the samples results.jsonl lacks.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import sys
from collections.abc import Collection
from dataclasses import replace
from pathlib import Path

from verilogeval.checks import post_check, verdict_schemas
from verilogeval.commands.options import (
    RESULT_CACHE_HELP,
    add_cache_options,
    add_check_options,
    add_dataset_options,
    add_extract_mode_option,
    add_grade_options,
    benchmark_from_args,
    checks_from_args,
    grade_config_from_args,
)
from verilogeval.dataset import Dataset, load_dataset, select_problems
from verilogeval.errata import Benchmark
from verilogeval.errors import ExitCode, UserError, outcome_code
from verilogeval.extract import default_mode
from verilogeval.grade import code_sha256
from verilogeval.journal import create_journals
from verilogeval.json_output import add_json_option, print_json, run_summary, stdout_for
from verilogeval.plans import EvaluatePlan, resumed_checks
from verilogeval.progress import BarProgress, QuietProgress
from verilogeval.records import Sample, Task
from verilogeval.runfolder.files import RESULTS, RunFolder
from verilogeval.runfolder.lines import ResultLine, latest, read_results
from verilogeval.runfolder.manifest import Manifest, check_resumable, now_iso, write_manifest
from verilogeval.runfolder.settings import run_settings
from verilogeval.sample_inputs import Input, Rejected, generation_manifest, read_inputs
from verilogeval.session import GradingSession
from verilogeval.simulate import version_warning
from verilogeval.summary import write_summaries
from verilogeval.wording import plural

EXAMPLES = """
verilogeval evaluate --dataset ../verilog-eval --samples samples.jsonl --out runs/mine
verilogeval evaluate --dataset ../verilog-eval --samples build/ --out runs/mine --problems 1-20
verilogeval evaluate --dataset ../verilog-eval --samples samples.jsonl --out runs/mine --plus
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_dataset_options(parser)
    parser.add_argument(
        "--samples",
        type=Path,
        required=True,
        help='JSONL or .jsonl.gz of {"problem", "sample", "code"} (or EvalPlus "solution", '
        '"completion"), a folder in the official layout, or a folder `generate` wrote',
    )
    parser.add_argument("--out", type=Path, required=True, help="run folder to write (resumable)")
    parser.add_argument(
        "--waves",
        action="store_true",
        help="keep each sample's wave.vcd next to it (simulates every sample, no cache)",
    )
    add_extract_mode_option(
        parser,
        "--extract-mode",
        "of a generate folder's answers: official or robust (default: as its prompt style implies)",
    )
    add_grade_options(parser)
    add_cache_options(parser, default=RESULT_CACHE_HELP)
    add_check_options(parser)
    add_json_option(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress display")


def plan_from_args(args: argparse.Namespace) -> EvaluatePlan:
    source = generation_manifest(args.samples)
    grading = grade_config_from_args(args, wave_dir=args.out if args.waves else None)
    dataset = _dataset(args, source)
    if source is None and args.extract_mode is not None:
        raise UserError("--extract-mode goes with a generate folder as --samples")
    mode = args.extract_mode
    if source is not None and mode is None:
        try:
            prompt = run_settings(source, RunFolder(args.samples).manifest).prompt
            mode = default_mode(str(None if prompt is None else prompt.style))
        except ValueError as error:
            raise UserError(f"{args.samples}: {error}; pass --extract-mode") from None
    if source is not None and Path(args.out).resolve() == Path(args.samples).resolve():
        raise UserError(f"{args.out}: grade a generate folder into another --out folder")
    return EvaluatePlan(
        out=args.out,
        samples=args.samples,
        dataset=dataset,
        grading=grading,
        checks=checks_from_args(args, grading),
        answers_from=source,
        extract_mode=mode,
    )


def _dataset(args: argparse.Namespace, source: Manifest | None) -> Dataset:
    """--dataset/--task/--benchmark; for a generate folder, by default the dataset, task and
    benchmark it asked."""
    if source is None:
        return load_dataset(args.dataset, args.task, benchmark_from_args(args))
    task = Task(source.task)
    if args.task is not None and args.task is not task:
        raise UserError(f"{args.samples} holds answers to {task}, not --task {args.task}")
    try:
        benchmark = args.benchmark or Benchmark(source.benchmark)
    except ValueError:
        raise UserError(f"{args.samples}: unknown benchmark {source.benchmark!r}") from None
    dataset = load_dataset(args.dataset or Path(source.dataset.path), task, benchmark)
    if dataset.content_hash() != source.dataset.hash:
        print(
            f"verilogeval evaluate: warning: {dataset.folder} differs from the dataset "
            f"{args.samples} was generated from ({source.dataset.path})",
            file=sys.stderr,
        )
    return dataset


def run(args: argparse.Namespace) -> int:
    plan = plan_from_args(args)
    with stdout_for(args):
        code = _evaluate(plan, args)
    if args.json:
        print_json(run_summary("evaluate", plan.out, code))
    return code


def _evaluate(plan: EvaluatePlan, args: argparse.Namespace) -> int:
    folder = plan.folder
    problems = {problem.name: problem for problem in plan.dataset.problems}
    inputs = read_inputs(plan.samples, problems, plan.extract_mode)
    create_journals(folder.root, RESULTS)
    plan = replace(plan, checks=resumed_checks(folder, plan.checks))
    base = plan.manifest()
    previous = check_resumable(folder, base)
    done = latest(read_results(folder.results, verdict_schemas(), repair=True))
    todo, rejected = _select(inputs, plan.dataset, done)
    chosen = {problem.name for problem in select_problems(plan.dataset.problems, args.problems)}
    left_out = sum(_problem(entry) not in chosen for entry in todo)
    todo = [entry for entry in todo if _problem(entry) in chosen]
    if left_out:
        print(
            f"verilogeval evaluate: {plural(left_out, 'sample')} of problems --problems "
            "leaves out not graded",
            file=sys.stderr,
        )
    for item in rejected:
        print(f"verilogeval evaluate: {item.where}: skipped: {item.reason}", file=sys.stderr)
    ungraded = {
        item.key
        for item in rejected
        if item.key is not None and item.key[0] in chosen and item.key not in done
    }
    embedded = args.dataset is None and plan.answers_from is None
    if embedded and any(item.reason.startswith("unknown problem") for item in rejected):
        print(
            f"verilogeval evaluate: hint: {plan.dataset.folder} is the embedded dataset; "
            "pass --dataset PATH (e.g. a clone of the official verilog-eval) for its problems",
            file=sys.stderr,
        )

    progress = QuietProgress() if args.quiet else BarProgress()
    try:
        with GradingSession(folder, problems, plan.grading, plan.checks, progress) as session:
            warning = version_warning(session.simulator)
            if warning:
                print(f"verilogeval evaluate: {warning}", file=sys.stderr)
            manifest = _manifest(base, done.keys() | ungraded, session.simulator, previous)
            write_manifest(folder, manifest)
            _copy_answers(plan)  # after run.json: a folder with answers but none is refused
            progress.start(0, len(todo))
            try:
                for entry in todo:
                    assert isinstance(entry.sample, Sample)
                    session.submit(entry.sample, answer=entry.answer)
                failures = session.wait()
            finally:
                progress.stop()
    except KeyboardInterrupt:
        print(
            f"\ninterrupted: every sample graded so far is saved in {folder.results}\n"
            f"resume with: {shlex.join(args.command_line)}",
            file=sys.stderr,
        )
        return ExitCode.INTERRUPTED
    for failure in failures:
        print(f"verilogeval evaluate: error: {failure}", file=sys.stderr)

    results = read_results(folder.results, verdict_schemas())
    graded = {line.key for line in results}
    # samples of the run without a result: refused ones that say which they are, and
    # those that could not be graded; each is a failure wherever a pass rate is computed
    no_result = (ungraded | {_key(entry) for entry in todo}) - graded
    keys = graded | no_result
    final = replace(_manifest(base, keys, session.simulator, previous), finished_at=now_iso())
    write_summaries(folder, results, expected=no_result)
    write_manifest(folder, final)
    passed = sum(line.passed for line in results)
    notes = "".join(post_check(name).report.graded_note(name, results) for name in plan.checks)
    not_graded = f", {len(failures)} could not be (exit 1)" if failures else ""
    failed = f" ({len(no_result)} without a result: failed)" if no_result else ""
    print(
        f"graded {plural(len(todo) - len(failures), 'sample')} ({len(done)} already graded)"
        f"{not_graded}; "
        f"{passed}/{len(keys)} pass{failed}{notes}; results in {folder.results}"
    )
    for name in plan.checks:
        note = post_check(name).report.closing_note(results)
        if note is not None:
            print(note)
    return outcome_code(len(rejected) + len(failures))


def _copy_answers(plan: EvaluatePlan) -> None:
    """A generate folder's prompts and answers go along, so reports show tokens and cost."""
    if plan.answers_from is None:
        return
    source, folder = RunFolder(plan.samples), plan.folder
    for name in ("prompts", "generations"):
        original: Path = getattr(source, name)
        if original.is_file():
            shutil.copyfile(original, getattr(folder, name))


def _manifest(
    base: Manifest, samples: Collection[tuple[str, int]], simulator: str, previous: Manifest | None
) -> Manifest:
    """run.json of what the folder holds; what evaluate cannot know (model, prompt) is null.

    `samples` are the run's (problem, sample) pairs: those graded and those refused that
    say which they are; their problems and highest number make the run's grid, in which
    a sample without a result is a failure. A generate folder's problems and n stay: a
    sample it could not answer is a failure.
    """
    assert base.simulator is not None and base.sampling is not None
    highest = max((sample for _, sample in samples), default=1)
    graded = sorted({problem for problem, _ in samples})
    return replace(
        base.resumed_from(previous),
        problems=tuple(dict.fromkeys([*base.problems, *graded])),
        sampling=base.sampling | {"n": max(highest, base.sampling.get("n") or 1)},
        simulator=replace(base.simulator, version=simulator),
    )


def _key(entry: Input) -> tuple[str, int]:
    """(problem, sample) of a sample still to grade."""
    assert isinstance(entry.sample, Sample)
    return entry.sample.problem, entry.sample.sample


def _problem(entry: Input) -> str:
    """The problem of a sample still to grade (`_select` keeps no Rejected in its list)."""
    assert not isinstance(entry.sample, Rejected)
    return entry.sample.problem


def _select(
    inputs: list[Input],
    dataset: Dataset,
    done: dict[tuple[str, int], ResultLine],
) -> tuple[list[Input], list[Rejected]]:
    """Samples still to grade, and the inputs refused (unknown problem, duplicate, changed)."""
    names = {problem.name for problem in dataset.problems}
    todo: list[Input] = []
    rejected: list[Rejected] = []
    seen: set[tuple[str, int]] = set()
    for entry in inputs:
        where, item = entry.where, entry.sample
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
            todo.append(entry)
        seen.add(key)
    return todo, rejected
