"""`verilogeval leaderboard RUNDIR...`: compare runs, one row each, best pass@1 first.

A folder that is no run yet (empty, unfinished, only generated) is skipped with a warning
on stderr, so `leaderboard runs/*` shows the others; exit 2 only when none is left.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from verilogeval.cli.commands.options import (
    add_benchmark_filter,
    add_k_option,
    benchmark_of,
    write_output,
)
from verilogeval.errors import UserError

EXAMPLES = """
verilogeval leaderboard runs/*
verilogeval leaderboard runs/* --format html -o leaderboard.html
verilogeval leaderboard runs/* --format csv -k 1,5 -o leaderboard.csv
"""


FORMATS = ("table", "md", "csv", "json", "html")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("runs", nargs="+", metavar="RUNDIR", help="run folders")
    parser.add_argument(
        "--format", choices=FORMATS, default="table", help="output format (default: table)"
    )
    add_k_option(parser)
    add_benchmark_filter(parser, "show only the runs of this benchmark (default: every run)")
    parser.add_argument(
        "-o", "--output", type=Path, default=None, help="write to this file (default: stdout)"
    )


def run(args: argparse.Namespace) -> int:
    from verilogeval.reporting.leaderboard import leaderboard, render
    from verilogeval.reporting.runs import load_run

    runs = []
    for folder in args.runs:
        try:
            runs.append(load_run(folder))
        except UserError as error:
            print(f"verilogeval leaderboard: skipped {error}", file=sys.stderr)
    if args.benchmark is not None:
        runs = [run for run in runs if benchmark_of(run.benchmark) == str(args.benchmark)]
    if not runs:
        of = "" if args.benchmark is None else f" of --benchmark {args.benchmark}"
        raise UserError(f"none of the {len(args.runs)} folders holds a run{of} to show")
    entries = leaderboard(runs, args.k)
    if args.format == "html":
        from verilogeval.reporting.html import render_html

        text = render_html(entries, args.k)
    else:
        text = render(entries, args.k, args.format)
    write_output(text, args.output)
    return 0
