"""Command-line options of `--plus`, parsed once into a PlusConfig."""

from __future__ import annotations

import argparse

from verilogeval.checks.plus.check import DEFAULT_SEEDS, PlusConfig
from verilogeval.checks.plus.harness import SHIFT_LIMIT, secret_shifts
from verilogeval.errors import UserError


def add_plus_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("trusted verdict (--plus)")
    group.add_argument(
        "--plus",
        action="store_true",
        help="also give each officially passing sample the trusted verdict: no tampering "
        "with the harness, and the official testbench passing under secret shifted random "
        "seeds, counted by the harness itself (results.jsonl gets plus_passed and plus)",
    )
    group.add_argument(
        "--plus-seeds",
        type=_seeds,
        default=DEFAULT_SEEDS,
        metavar="K|S1,S2,...",
        help="K: that many shifted seeds, drawn at random for this run and kept in run.json "
        "(default: %(default)s); S1,S2,...: these shifts (run.json's plus.shifts joined by "
        "commas; one shift as 'S,'), to reproduce a run. Each stops at the first failure",
    )


def _seeds(text: str) -> int | tuple[int, ...]:
    """'4' -> 4 seeds to draw; '812,4055' (or '812,') -> those shifts."""
    try:
        if "," not in text:
            return int(text)
        shifts = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number of seeds or shifts like '812,4055', got {text!r}"
        ) from None
    if not shifts or not all(0 < shift < SHIFT_LIMIT for shift in shifts):
        raise argparse.ArgumentTypeError(
            f"shifts must be between 1 and {SHIFT_LIMIT - 1}, got {text!r}"
        )
    return shifts


def plus_config_from_args(args: argparse.Namespace, timeout_s: float) -> PlusConfig | None:
    """The plus settings with --plus, else None; runs use the grading time limit."""
    if not args.plus:
        return None
    if isinstance(args.plus_seeds, tuple):
        return PlusConfig(shifts=args.plus_seeds, timeout_s=timeout_s, drawn=False)
    if args.plus_seeds < 0:
        raise UserError(f"--plus-seeds must be 0 or more, not {args.plus_seeds}")
    return PlusConfig(shifts=secret_shifts(args.plus_seeds), timeout_s=timeout_s)
