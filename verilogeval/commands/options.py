"""Options shared by several commands, parsed once into typed values."""

from __future__ import annotations

import argparse
from pathlib import Path

from verilogeval.dataset import Dataset, load_dataset, select_problems
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
