"""Command-line options of the differential test, parsed once into a StrictConfig.

They carry a `strict` prefix so they can sit beside a command's own --seed or --timeout.
"""

from __future__ import annotations

import argparse

from verilogeval.checks.strict.check import StrictConfig
from verilogeval.errors import UserError


def add_strict_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("differential test (cocotb)")
    defaults = StrictConfig()
    group.add_argument(
        "--strict-seed",
        type=int,
        default=defaults.seed,
        help="stimulus seed (default: %(default)s)",
    )
    group.add_argument(
        "--strict-cycles",
        type=int,
        default=defaults.cycles,
        help="clock cycles, or input vectors of a combinational design (default: %(default)s)",
    )
    group.add_argument(
        "--x-strict",
        action="store_true",
        help="an X or Z bit of the reference matches only the same X or Z, not anything",
    )
    group.add_argument(
        "--strict-timeout",
        type=float,
        default=defaults.timeout_s,
        help="seconds allowed for each step of a differential test, cocotb's build and its test "
        "(default: %(default)s)",
    )


def strict_config_from_args(args: argparse.Namespace) -> StrictConfig:
    if args.strict_cycles < 1:
        raise UserError(f"--strict-cycles must be at least 1, not {args.strict_cycles}")
    if not args.strict_timeout > 0:
        raise UserError(f"--strict-timeout must be positive, not {args.strict_timeout}")
    return StrictConfig(
        cycles=args.strict_cycles,
        seed=args.strict_seed,
        x_strict=args.x_strict,
        timeout_s=args.strict_timeout,
    )
