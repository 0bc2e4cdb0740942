"""`verilogeval failures RUNDIR...`: samples per failure category, runs side by side."""

from __future__ import annotations

import argparse
from pathlib import Path

EXAMPLES = """
verilogeval failures runs/*
verilogeval failures runs/* --plot charts/failures     # charts/failures.png, .svg, ...
"""


_PLOT_SUFFIXES = (".png", ".svg")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("runs", nargs="+", metavar="RUNDIR", help="run folders")
    parser.add_argument(
        "--plot",
        type=Path,
        default=None,
        metavar="PATH",
        help="write charts: PATH.png/.svg (categories per run, stacked), "
        "PATH-heatmap.png/.svg (pass rate per problem and run) and, when answers had "
        "issues, PATH-issues.png/.svg (response issues per run), and for repair runs "
        "PATH-rounds.png/.svg (pass rate after each round); default: no charts",
    )


def run(args: argparse.Namespace) -> int:
    from verilogeval.reporting.failures import category_table, issue_table, pass_rates, render_table
    from verilogeval.reporting.repair import repair_curves
    from verilogeval.reporting.runs import load_run

    runs = [load_run(folder) for folder in args.runs]
    table = category_table(runs)
    print(render_table(table))
    issues = issue_table(runs)
    if len(issues):
        print("\nresponse issues (samples that failed before a fair simulation):")
        print(render_table(issues, ("issue", "meaning")))
    if args.plot is not None:
        from verilogeval.reporting import plots

        stem = args.plot.with_suffix("") if args.plot.suffix in _PLOT_SUFFIXES else args.plot
        written = plots.save(plots.category_chart(table), stem)
        written += plots.save(
            plots.heatmap(pass_rates(runs)), stem.with_name(stem.name + "-heatmap")
        )
        if len(issues):
            written += plots.save(plots.issue_chart(issues), stem.with_name(stem.name + "-issues"))
        curves = repair_curves(runs)
        if curves:
            written += plots.save(
                plots.pass_by_round(curves), stem.with_name(stem.name + "-rounds")
            )
        for path in written:
            print(f"wrote {path}")
    return 0
