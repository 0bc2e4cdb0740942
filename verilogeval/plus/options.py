"""Command-line options of `--plus`, parsed once into a PlusConfig."""

from __future__ import annotations

import argparse

from verilogeval.errors import UserError
from verilogeval.plus.check import DEFAULT_SEEDS, PlusConfig


def add_plus_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("trusted verdict (--plus)")
    group.add_argument(
        "--plus",
        action="store_true",
        help="also give each officially passing sample the trusted verdict: no tampering "
        "with the harness, and the official testbench passing under shifted random seeds "
        "(results.jsonl gets plus_passed and plus)",
    )
    group.add_argument(
        "--plus-seeds",
        type=int,
        default=DEFAULT_SEEDS,
        help="shifted seeds per sample, stopping at the first failure (default: %(default)s)",
    )


def plus_config_from_args(args: argparse.Namespace, timeout_s: float) -> PlusConfig | None:
    """The plus settings with --plus, else None; runs use the grading time limit."""
    if not args.plus:
        return None
    if args.plus_seeds < 0:
        raise UserError(f"--plus-seeds must be 0 or more, not {args.plus_seeds}")
    return PlusConfig(seeds=args.plus_seeds, timeout_s=timeout_s)
