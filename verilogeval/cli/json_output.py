"""`--json`: a command's machine-readable summary, and nothing else, on stdout.

With --json, everything a command would print for a person goes to stderr instead, and
stdout holds exactly one JSON object at the end (on an error too: see verilogeval.cli.entry).
The summary of a run folder (`run`, `evaluate`, `report`) is one function, so the three
agree field by field; the README lists the fields.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from verilogeval.errors import UserError
from verilogeval.runfolder.lines import ResultLine

DEFAULT_KS = (1, 5, 10)


def add_json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object (a summary, see README) on stdout; messages go to stderr",
    )


@contextlib.contextmanager
def stdout_for(args: argparse.Namespace) -> Iterator[None]:
    """With --json, what the command prints for a person goes to stderr."""
    if not args.json:
        yield
        return
    with contextlib.redirect_stdout(sys.stderr):
        yield


def print_json(summary: dict[str, Any]) -> None:
    print(json.dumps(summary, ensure_ascii=False, allow_nan=False))


def run_summary(
    command: str, folder: Path, exit_status: int, ks: Sequence[int] = DEFAULT_KS
) -> dict[str, Any]:
    """The summary of a run folder: counts, pass rate, pass@k, categories, checks."""
    from verilogeval.reporting.leaderboard import leaderboard, records
    from verilogeval.reporting.runs import load_run

    summary: dict[str, Any] = {
        "command": command,
        "run_folder": str(folder),
        "exit_status": int(exit_status),
    }
    try:
        run = load_run(str(folder))
    except UserError as error:  # nothing graded yet
        return summary | {"samples": 0, "passed": 0, "pass_rate": None, "note": str(error)}
    entry = leaderboard([run], ks)[0]
    results = list(run.results.values())
    passed = sum(line.passed for line in results)
    asked = sum(entry.metrics.categories.values())  # every sample of the run, `?` included
    summary |= {
        "samples": len(results),
        "passed": passed,
        "pass_rate": passed / asked if asked else None,
        "categories": {code: n for code, n in entry.metrics.categories.items() if n},
        "generation_errors": sum(line.generation_error is not None for line in results),
        "checks": _checks(results),
    }
    return summary | {key: value for key, value in records([entry], ks)[0].items() if key != "run"}


def _checks(results: Sequence[ResultLine]) -> dict[str, Any]:
    """Per post-verdict check that ran, what its registration tallies (strict and plus:
    samples passed and rejected; formal: samples per status)."""
    from verilogeval.checks.registry import POST_CHECKS

    checks: dict[str, Any] = {}
    for name, check in POST_CHECKS.items():
        tally = check.report.json_tally(name, results)
        if tally is not None:
            checks[name] = tally
    return checks
