"""`verilogeval generate`: ask a model for every sample of every selected problem.

Writes RUNDIR/prompts.jsonl (the exact messages) and appends to RUNDIR/generations.jsonl
as each answer arrives. Rerunning resumes: samples already answered without error are not
asked again, and the disk cache makes repeated configurations free.

Its run.json names the model, prompt and sampling: another model (or other settings)
into the same folder is refused, never appended to the same journal.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from verilogeval.cli.commands.options import (
    GENERATION_CACHE_HELP,
    adapter_settings_from_args,
    add_cache_options,
    add_dataset_options,
    add_model_options,
    add_prompt_options,
    add_sampling_options,
    dataset_from_args,
    engine_config_from_args,
    generation_cache_from_args,
    prompt_config_from_args,
    replay_narrowed,
    sampling_config_from_args,
)
from verilogeval.errors import outcome_code
from verilogeval.generation.models.params import learned_warnings
from verilogeval.generation.models.registry import get_adapter
from verilogeval.orchestration.asking import GenerateWork
from verilogeval.orchestration.executor import execute
from verilogeval.orchestration.plans import GeneratePlan
from verilogeval.orchestration.progress import BarProgress, QuietProgress
from verilogeval.reporting.summary import spending
from verilogeval.runfolder.files import GENERATIONS
from verilogeval.runfolder.lines import GenerationLine

EXAMPLES = """
verilogeval generate --model gpt-4o --dataset ../verilog-eval --out runs/gpt-4o-answers
verilogeval generate --model openai:my-model --api-base http://127.0.0.1:8000/v1 --out runs/mine
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_dataset_options(parser)
    add_prompt_options(parser)
    add_model_options(parser)
    add_sampling_options(parser)
    add_cache_options(parser, default=GENERATION_CACHE_HELP)
    parser.add_argument("--out", type=Path, required=True, help="run folder (RUNDIR)")
    parser.add_argument("--quiet", action="store_true", help="no progress display")


def plan_from_args(args: argparse.Namespace) -> GeneratePlan:
    dataset, problems = dataset_from_args(args)
    problems, sampling = replay_narrowed(args, problems, sampling_config_from_args(args))
    return GeneratePlan(
        out=args.out,
        model=args.model,
        adapter=adapter_settings_from_args(args),
        dataset=dataset,
        problems=problems,
        prompt=prompt_config_from_args(args, dataset),
        sampling=sampling,
        engine=engine_config_from_args(args),
        generation_cache=generation_cache_from_args(args),
    )


def run(args: argparse.Namespace) -> int:
    plan = plan_from_args(args)
    adapter = get_adapter(plan.model, plan.adapter)  # fails before any work
    progress = QuietProgress() if args.quiet else BarProgress()
    # Another model, prompt or sampling into the same folder is refused, field by field.
    generated = execute(plan.folder, GenerateWork(plan, adapter, progress))
    _print_summary(list(generated.answers), skipped=generated.skipped, out=plan.out)
    for warning in learned_warnings(generated.request):
        print(f"verilogeval generate: {warning}", file=sys.stderr)
    return outcome_code(len(generated.errors))


def _print_summary(answers: list[GenerationLine], *, skipped: int, out: Path) -> None:
    spent = spending(answers)
    print(
        f"{out / GENERATIONS}: {spent.answers - spent.errors} generated "
        f"({spent.cached} from cache), {spent.errors} errors, {skipped} already done; "
        f"cost {spent.describe()}"
    )
    errors = [answer for answer in answers if answer.error is not None]
    for answer in errors[:5]:
        print(f"  error {answer.problem} sample {answer.sample}: {answer.error}", file=sys.stderr)
    if len(errors) > 5:
        print(f"  ... and {len(errors) - 5} more errors", file=sys.stderr)
