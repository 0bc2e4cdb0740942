"""Command-line options of the formal check, parsed once into a FormalConfig."""

from __future__ import annotations

import argparse

from verilogeval.checks.formal.check import FormalConfig
from verilogeval.errors import UserError


def add_formal_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("formal equivalence (Yosys)")
    defaults = FormalConfig()
    group.add_argument(
        "--formal-depth",
        type=int,
        default=defaults.depth,
        help="cycles after reset of the bounded check and the longest induction "
        "(default: %(default)s)",
    )
    group.add_argument(
        "--formal-timeout",
        type=float,
        default=defaults.timeout_s,
        help="seconds allowed per formal check (default: %(default)s)",
    )


def formal_config_from_args(args: argparse.Namespace) -> FormalConfig:
    if args.formal_depth < 1:
        raise UserError(f"--formal-depth must be at least 1, not {args.formal_depth}")
    if not args.formal_timeout > 0:
        raise UserError(f"--formal-timeout must be positive, not {args.formal_timeout}")
    return FormalConfig(depth=args.formal_depth, timeout_s=args.formal_timeout)
