"""Options shared by several commands, parsed once into typed values."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from verilogeval.dataset import Dataset, load_dataset, select_problems
from verilogeval.prompt import MAX_SHOTS, PromptConfig, PromptStyle, default_style
from verilogeval.records import Problem, Task


def add_dataset_options(parser: argparse.ArgumentParser, *, problems: bool = True) -> None:
    parser.add_argument(
        "--dataset",
        type=Path,
        default=None,
        help="official clone root, one task folder, or our own dataset (default: embedded)",
    )
    parser.add_argument(
        "--task",
        type=Task,
        choices=list(Task),
        default=Task.SPEC_TO_RTL,
        help="benchmark task (default: spec-to-rtl)",
    )
    if problems:
        parser.add_argument(
            "--problems",
            default=None,
            help="comma-separated names, globs and number ranges, e.g. 'Prob00*,30-35'",
        )


def dataset_from_args(args: argparse.Namespace) -> tuple[Dataset, tuple[Problem, ...]]:
    """The dataset named by --dataset/--task and the problems --problems selects."""
    dataset = load_dataset(args.dataset, args.task)
    return dataset, select_problems(dataset.problems, getattr(args, "problems", None))


def add_prompt_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("prompt")
    group.add_argument(
        "--shots",
        type=int,
        choices=range(MAX_SHOTS + 1),
        default=0,
        metavar="N",
        help=f"in-context examples before the question, 0-{MAX_SHOTS} (default: 0)",
    )
    group.add_argument(
        "--rules",
        action="store_true",
        help="append the official coding rules (spec-to-rtl only, as in the official harness)",
    )
    group.add_argument(
        "--explain",
        action="store_true",
        help="leave out the [BEGIN]/[DONE] instruction so the model may explain (spec-to-rtl only)",
    )
    group.add_argument(
        "--prompt-style",
        type=PromptStyle,
        choices=list(PromptStyle),
        default=None,
        help="official-v2 (the official harness, shots from the clone) or native (our shots); "
        "default: official-v2 for an official clone, else native",
    )


def prompt_config_from_args(args: argparse.Namespace, dataset: Dataset) -> PromptConfig:
    return PromptConfig(
        style=args.prompt_style or default_style(dataset),
        shots=args.shots,
        rules=args.rules,
        explain=args.explain,
    )


SCHEDULER_ENV = "VERILOGEVAL_SCHEDULER"


def add_scheduler_option(parser: argparse.ArgumentParser) -> None:
    """--scheduler: grade on a Dask cluster instead of this machine's cores."""
    parser.add_argument(
        "--scheduler",
        default=os.environ.get(SCHEDULER_ENV) or None,
        metavar="tcp://HOST:PORT",
        help=f"grade on the Dask cluster of this scheduler (default: ${SCHEDULER_ENV}, "
        "else this machine's cores)",
    )
