"""`verilogeval compare RUN_A RUN_B`: two runs problem by problem.

Lists the problems one run passes and the other fails (a problem passes when any of its
samples passes officially; with several samples the counts are shown), then the totals:
passed by both, by either alone, by neither, and each run's pass@1. Problems only one of
the runs asked for are counted apart, never as failures of the other.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from verilogeval.cli.json_output import add_json_option, print_json

if TYPE_CHECKING:  # reading a run imports pandas: only when the command runs
    from verilogeval.reporting.runs import Run


EXAMPLES = """
verilogeval compare runs/gpt-4o_spec-to-rtl_0shot_greedy runs/o3_spec-to-rtl_0shot_greedy
verilogeval compare runs/a runs/b --json > diff.json
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_a", metavar="RUN_A", help="a run folder")
    parser.add_argument("run_b", metavar="RUN_B", help="another run folder")
    add_json_option(parser)


def run(args: argparse.Namespace) -> int:
    from verilogeval.reporting.runs import load_run

    a, b = load_run(args.run_a), load_run(args.run_b)
    passes_a, passes_b = _passes(a), _passes(b)
    shared = [problem for problem in a.problems if problem in passes_b]
    only_a = [p for p in shared if passes_a[p] and not passes_b[p]]
    only_b = [p for p in shared if passes_b[p] and not passes_a[p]]
    summary: dict[str, Any] = {
        "command": "compare",
        "exit_status": 0,
        "run_a": args.run_a,
        "run_b": args.run_b,
        "problems": len(shared),
        "only_a_passes": only_a,
        "only_b_passes": only_b,
        "both_pass": sum(bool(passes_a[p] and passes_b[p]) for p in shared),
        "neither_passes": sum(not (passes_a[p] or passes_b[p]) for p in shared),
        "pass@1_a": _pass_at_1(passes_a, a.n, shared),
        "pass@1_b": _pass_at_1(passes_b, b.n, shared),
        "only_in_a": [p for p in a.problems if p not in passes_b],
        "only_in_b": [p for p in b.problems if p not in passes_a],
    }
    if args.json:
        print_json(summary)
        return 0
    _print(summary, passes_a, passes_b, (a.n, b.n))
    return 0


def _passes(run: Run) -> dict[str, int]:
    """problem -> how many of its samples pass officially."""
    counts = dict.fromkeys(run.problems, 0)
    for (problem, _), line in run.results.items():
        counts[problem] = counts.get(problem, 0) + line.passed
    return counts


def _pass_at_1(passes: dict[str, int], n: int, problems: list[str]) -> float | None:
    """Mean share of passing samples over the shared problems (pass@1 of that subset)."""
    if not problems:
        return None
    return sum(passes[p] / n for p in problems) / len(problems)


def _print(
    summary: dict[str, Any], a: dict[str, int], b: dict[str, int], ns: tuple[int, int]
) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    print(f"A: {summary['run_a']}\nB: {summary['run_b']}")
    for title, problems in (
        ("passed by A only", summary["only_a_passes"]),
        ("passed by B only", summary["only_b_passes"]),
    ):
        if not problems:
            console.print(f"{title}: none")
            continue
        table = Table(title=f"{title} ({len(problems)})", title_justify="left")
        table.add_column("problem")
        table.add_column("A", justify="right")
        table.add_column("B", justify="right")
        for problem in problems:
            table.add_row(problem, f"{a[problem]}/{ns[0]}", f"{b[problem]}/{ns[1]}")
        console.print(table)
    totals = Table(title=f"totals over the {summary['problems']} problems both ran")
    totals.add_column("")
    totals.add_column("problems", justify="right")
    totals.add_row("both pass", str(summary["both_pass"]))
    totals.add_row("A only", str(len(summary["only_a_passes"])))
    totals.add_row("B only", str(len(summary["only_b_passes"])))
    totals.add_row("neither", str(summary["neither_passes"]))
    for label, key in (("A", "pass@1_a"), ("B", "pass@1_b")):
        value = summary[key]
        totals.add_row(f"pass@1 {label}", "-" if value is None else f"{100 * value:.1f}%")
    console.print(totals)
    for label, key in (("A", "only_in_a"), ("B", "only_in_b")):
        if summary[key]:
            print(f"only in {label} ({len(summary[key])}): {', '.join(summary[key])}")
