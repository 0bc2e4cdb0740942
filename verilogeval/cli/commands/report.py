"""`verilogeval report RUNDIR`: the official summary view of one run, categories and cost."""

from __future__ import annotations

import argparse
from pathlib import Path

from verilogeval.cli.commands.options import (
    add_benchmark_filter,
    add_k_option,
    benchmark_of,
    write_output,
)
from verilogeval.cli.json_output import add_json_option, print_json, run_summary, stdout_for
from verilogeval.errors import UserError

EXAMPLES = """
verilogeval report runs/gpt-4o_spec-to-rtl_0shot_greedy
verilogeval report runs/gpt-4o_spec-to-rtl_0shot_greedy --html report.html -k 1
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run", metavar="RUNDIR", help="a run folder")
    add_k_option(parser)
    parser.add_argument(
        "--html",
        type=Path,
        default=None,
        metavar="PATH",
        help="also write a self-contained HTML report with per-problem drill-down (default: none)",
    )
    add_benchmark_filter(
        parser, "the benchmark the run must have graded: another is refused (default: any)"
    )
    add_json_option(parser)


def run(args: argparse.Namespace) -> int:
    from verilogeval.reporting.leaderboard import leaderboard
    from verilogeval.reporting.run_report import render_run_report
    from verilogeval.reporting.runs import load_run

    loaded = load_run(args.run)
    if args.benchmark is not None and str(args.benchmark) != benchmark_of(loaded.benchmark):
        raise UserError(
            f"{args.run}: graded {benchmark_of(loaded.benchmark)}, not --benchmark {args.benchmark}"
        )
    entries = leaderboard([loaded], args.k)
    with stdout_for(args):
        if not args.json:
            print(render_run_report(loaded, entries[0].metrics, args.k))
        if args.html is not None:
            from verilogeval.reporting.html import render_html

            write_output(render_html(entries, args.k), args.html)
    if args.json:
        print_json(run_summary("report", Path(args.run), 0, args.k))
    return 0
