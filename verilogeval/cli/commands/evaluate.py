"""`verilogeval evaluate`: grade existing samples into a run folder, resumably.

Input (orchestration.sample_inputs): a JSONL file (or .jsonl.gz) of {"problem", "sample",
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
import sys
from pathlib import Path

from verilogeval.checks.registry import post_check
from verilogeval.cli.commands.options import (
    RESULT_CACHE_HELP,
    add_cache_options,
    add_check_options,
    add_dataset_options,
    add_extract_mode_option,
    add_grade_options,
    benchmark_from_args,
    checks_for,
    checks_from_args,
    grade_config_from_args,
    grading_for,
)
from verilogeval.cli.json_output import add_json_option, print_json, run_summary, stdout_for
from verilogeval.dataset.errata import Benchmark
from verilogeval.dataset.loader import Dataset, load_dataset, select_problems
from verilogeval.errors import ExitCode, UserError, outcome_code
from verilogeval.grading.extract import default_mode
from verilogeval.orchestration.evaluation import EvaluateWork
from verilogeval.orchestration.executor import execute
from verilogeval.orchestration.plans import EvaluatePlan, GradePlan
from verilogeval.orchestration.progress import BarProgress, QuietProgress
from verilogeval.orchestration.sample_inputs import generation_manifest, read_inputs
from verilogeval.records import Task
from verilogeval.runfolder.manifest import Manifest
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
    dataset = _dataset(args, source)
    grading = grading_for(
        dataset, grade_config_from_args(args, wave_dir=args.out if args.waves else None)
    )
    if source is None and args.extract_mode is not None:
        raise UserError("--extract-mode goes with a generate folder as --samples")
    mode = args.extract_mode
    if source is not None and mode is None:
        try:
            prompt = source.prompt
            mode = default_mode(str(None if prompt is None else prompt.style))
        except ValueError as error:
            raise UserError(f"{args.samples}: {error}; pass --extract-mode") from None
    if source is not None and Path(args.out).resolve() == Path(args.samples).resolve():
        raise UserError(f"{args.out}: grade a generate folder into another --out folder")
    return EvaluatePlan(
        out=args.out,
        samples=args.samples,
        dataset=dataset,
        grade=GradePlan(grading, checks_for(dataset, checks_from_args(args, grading))),
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
    problems = {problem.name: problem for problem in plan.dataset.problems}
    inputs = read_inputs(plan.samples, problems, plan.extract_mode)
    chosen = {problem.name for problem in select_problems(plan.dataset.problems, args.problems)}
    progress = QuietProgress() if args.quiet else BarProgress()
    work = EvaluateWork(
        plan,
        inputs,
        chosen,
        progress,
        lambda line: print(f"verilogeval evaluate: {line}", file=sys.stderr),
        embedded=args.dataset is None and plan.answers_from is None,
    )
    try:
        outcome = execute(plan.folder, work)
    except KeyboardInterrupt:
        print(
            f"\ninterrupted: every sample graded so far is saved in {plan.folder.results}\n"
            f"resume with: {shlex.join(args.command_line)}",
            file=sys.stderr,
        )
        return ExitCode.INTERRUPTED
    failures, results, checks = outcome.failures, outcome.results, work.plan.grade.checks
    for failure in failures:
        print(f"verilogeval evaluate: error: {failure}", file=sys.stderr)
    passed = sum(line.passed for line in results)
    notes = "".join(post_check(name).report.graded_note(name, results) for name in checks)
    not_graded = f", {len(failures)} could not be (exit 1)" if failures else ""
    no_result = outcome.no_result
    failed = f" ({len(no_result)} without a result: failed)" if no_result else ""
    print(
        f"graded {plural(outcome.graded - len(failures), 'sample')} "
        f"({outcome.already} already graded){not_graded}; "
        f"{passed}/{outcome.samples} pass{failed}{notes}; results in {plan.folder.results}"
    )
    for name in checks:
        note = post_check(name).report.closing_note(results)
        if note is not None:
            print(note)
    return outcome_code(len(outcome.rejected) + len(failures))
