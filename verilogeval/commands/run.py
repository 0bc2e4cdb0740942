"""`verilogeval run`: one command from model to verdicts, resumable.

Parses every option once into a RunPlan and hands it to verilogeval.pipeline. Running
the same command again continues where it stopped; other parameters against the same
folder are refused.
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
from collections import Counter
from pathlib import Path

from verilogeval.commands.evaluate import add_grade_options, grade_config_from_args
from verilogeval.commands.generate import (
    adapter_settings_from_args,
    add_model_options,
    add_sampling_options,
    cache_from_args,
    engine_config_from_args,
    sampling_config_from_args,
)
from verilogeval.commands.options import (
    add_dataset_options,
    add_prompt_options,
    dataset_from_args,
    prompt_config_from_args,
)
from verilogeval.extract import ExtractMode, default_mode
from verilogeval.formal.batch import formal_tally
from verilogeval.formal.options import add_formal_flag, formal_config_from_args
from verilogeval.models.base import SamplingConfig
from verilogeval.models.registry import get_adapter
from verilogeval.pipeline import RunOutcome, RunPlan, execute
from verilogeval.plus.options import add_plus_options, plus_config_from_args
from verilogeval.progress import BarProgress, QuietProgress
from verilogeval.prompt import PromptConfig
from verilogeval.records import CATEGORY_NAMES, Category
from verilogeval.responses import ResponseIssue
from verilogeval.strict.options import add_strict_options, strict_config_from_args
from verilogeval.summary import official_pass_rate, outcome_table

DEFAULT_RUNS_DIR = Path("runs")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_dataset_options(parser)
    add_prompt_options(parser)
    add_model_options(parser)
    add_sampling_options(parser)
    add_grade_options(parser)
    parser.add_argument(
        "--extract-mode",
        type=ExtractMode,
        choices=list(ExtractMode),
        default=None,
        help="official (default with the official-v2 prompt style) or robust (default: native)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="run folder; the same command again resumes it (default: runs/<model>_<settings>)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="also run the differential test (cocotb) on officially passing samples",
    )
    add_strict_options(parser)
    add_formal_flag(parser)
    add_plus_options(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


def plan_from_args(args: argparse.Namespace) -> RunPlan:
    dataset, problems = dataset_from_args(args)
    prompt = prompt_config_from_args(args, dataset)
    sampling = sampling_config_from_args(args)
    extract_mode = args.extract_mode or default_mode(str(prompt.style))
    out = args.out or DEFAULT_RUNS_DIR / default_run_name(
        args.model, str(dataset.task), prompt, sampling
    )
    grading = grade_config_from_args(args)
    return RunPlan(
        out=out,
        model=args.model,
        api_base=args.api_base,
        dataset=dataset,
        problems=problems,
        prompt=prompt,
        sampling=sampling,
        extract_mode=extract_mode,
        engine=engine_config_from_args(args),
        grading=grading,
        generation_cache=cache_from_args(args),
        strict=strict_config_from_args(args) if args.strict else None,
        formal=formal_config_from_args(args) if args.formal else None,
        plus=plus_config_from_args(args, grading.timeout_s),
    )


def model_slug(model: str) -> str:
    """The model's name as one safe path component (`openai/gpt-4o` -> `openai-gpt-4o`)."""
    return re.sub(r"[^A-Za-z0-9.+-]+", "-", model).strip("-")


def default_run_name(model: str, task: str, prompt: PromptConfig, sampling: SamplingConfig) -> str:
    """A folder name that says what ran, so the same command finds its folder again."""
    parts = [
        model_slug(model),
        task,
        str(prompt.style),
        f"{prompt.shots}shot",
        *(["rules"] if prompt.rules else []),
        *(["explain"] if prompt.explain else []),
        f"n{sampling.n}",
        f"t{sampling.temperature:g}",
    ]
    return "_".join(parts)


def run(args: argparse.Namespace) -> int:
    plan = plan_from_args(args)
    adapter = get_adapter(plan.model, adapter_settings_from_args(args))  # fails before any work
    progress = QuietProgress() if args.quiet else BarProgress()
    try:
        outcome = execute(plan, adapter, progress)
    except KeyboardInterrupt:
        print(
            f"\ninterrupted: everything finished so far is saved in {plan.out}\n"
            f"resume with: {resume_command(plan.out)}",
            file=sys.stderr,
        )
        return 130
    for warning in outcome.warnings:
        print(f"verilogeval run: {warning}", file=sys.stderr)
    print_summary(plan, outcome)
    errors = sum(line.get("generation_error") is not None for line in outcome.results)
    if errors:
        print(f"verilogeval run: {errors} samples without an answer (exit 1)", file=sys.stderr)
    return 1 if errors else 0


def resume_command(out: Path) -> str:
    """The command line that was run, with --out made explicit."""
    argv = sys.argv[1:]
    if "--out" not in argv and not any(arg.startswith("--out=") for arg in argv):
        argv = [*argv, "--out", str(out)]
    return "verilogeval " + shlex.join(argv)


def print_summary(plan: RunPlan, outcome: RunOutcome) -> None:
    """The closing table: pass rate, failure categories, tokens, cost, wall time."""
    from rich.console import Console
    from rich.table import Table

    results = outcome.results
    passed = sum(line["passed"] for line in results)
    outcomes = {
        problem: "".join(sample.code for sample in samples)
        for problem, samples in outcome_table(results).items()
    }
    official = official_pass_rate(outcomes) if outcomes else 0.0
    generations = outcome.generations
    prompt_tokens = sum((g.get("usage") or {}).get("prompt_tokens") or 0 for g in generations)
    completion_tokens = sum(
        (g.get("usage") or {}).get("completion_tokens") or 0 for g in generations
    )
    costs = [g.get("cost") for g in generations if g.get("error") is None and not g.get("cached")]
    known = [c for c in costs if c is not None]
    cost = f"${sum(known):.4f}" if known else ("unknown" if costs else "$0")
    errors = sum(1 for g in generations if g.get("error") is not None)

    table = Table(title=f"{plan.model} on {plan.dataset.task} ({plan.out})", show_header=False)
    table.add_row("samples graded", f"{len(results)} ({outcome.resumed} from before)")
    rate = 100 * passed / len(results) if results else 0.0
    table.add_row("pass rate", f"{passed}/{len(results)} = {rate:.1f}%")
    table.add_row("official pass_rate", f"{official:.2f}")
    if plan.strict is not None:
        strictly = sum(bool(line.get("strict_passed")) for line in results)
        table.add_row("strict pass rate", f"{strictly}/{len(results)}")
    if plan.formal is not None:
        table.add_row("formal", formal_tally(results))
    if plan.plus is not None:
        plussed = sum(bool(line.get("plus_passed")) for line in results)
        table.add_row("plus pass rate", f"{plussed}/{len(results)}")
    for code, count in Counter(line["category"] for line in results).most_common():
        table.add_row(f"  {code} {CATEGORY_NAMES[Category(code)]}", str(count))
    table.add_row("generation errors", str(errors))
    issues = Counter(line.get("response_issue") for line in results)
    for issue in ResponseIssue:
        if issue is not ResponseIssue.GENERATION_ERROR and issues[issue]:
            table.add_row(f"  answers {issue}", str(issues[issue]))
    if issues[ResponseIssue.TRUNCATED]:
        table.add_row(
            "  to fix truncation",
            f"raise --max-tokens (now {plan.sampling.max_tokens}) or lower --thinking-budget / "
            "--reasoning-effort",
        )
    table.add_row("tokens (prompt + completion)", f"{prompt_tokens} + {completion_tokens}")
    reasoning_tokens = sum(g.get("reasoning_tokens") or 0 for g in generations)
    if reasoning_tokens:
        table.add_row("  completion spent reasoning", str(reasoning_tokens))
    table.add_row("cost", cost)
    table.add_row("wall time", f"{outcome.wall_s:.1f} s")
    Console().print(table)
