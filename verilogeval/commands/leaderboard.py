"""`verilogeval leaderboard RUNDIR...`: compare runs, one row each, best pass@1 first."""

from __future__ import annotations

import argparse
from pathlib import Path

from verilogeval.commands.options import add_k_option, write_output

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
    parser.add_argument(
        "-o", "--output", type=Path, default=None, help="write to this file (default: stdout)"
    )


def run(args: argparse.Namespace) -> int:
    from verilogeval.reports.leaderboard import leaderboard, render
    from verilogeval.reports.runs import load_run

    runs = [load_run(folder) for folder in args.runs]
    entries = leaderboard(runs, args.k)
    if args.format == "html":
        from verilogeval.reports.html import render_html

        text = render_html(entries, args.k)
    else:
        text = render(entries, args.k, args.format)
    write_output(text, args.output)
    return 0
