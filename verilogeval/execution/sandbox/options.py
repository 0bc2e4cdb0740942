"""The `--no-sandbox` option, parsed once: sandboxed unless the user explicitly says not."""

from __future__ import annotations

import argparse
import sys

from verilogeval.execution.sandbox.host import NO_SANDBOX_WARNING


def add_sandbox_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run compiles and simulations without the bubblewrap sandbox (trusted code "
        "only; recorded in run.json)",
    )


def sandbox_from_args(args: argparse.Namespace) -> bool:
    """True (sandboxed) unless --no-sandbox, which prints a warning."""
    if args.no_sandbox:
        print(f"verilogeval: {NO_SANDBOX_WARNING}", file=sys.stderr)
    return not args.no_sandbox
