"""How often an officially passing sample is disproved, by problem; and the known-wrong
samples' formal verdicts (none may be `proven`).

Reads a samples file with the official verdict per row (default: the golden
classification vectors, `{"task", "problem", "sample", "code", "official"}`), checks every
passing row and every row failing at run time (`R`, `r`) with the formal check; prints:
per problem with a disproved passing sample, the counterexample; the share of officially
passing samples disproved; and the statuses of officially failing ones.

    .venv/bin/python bench/formal_false_passes.py
        [--golden ../shared/golden/classification.jsonl.gz]
        [--dataset ../shared/verilog-eval-v2] [--task spec-to-rtl] [--jobs 2] [--depth 20]
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from verilogeval.checks.formal.batch import formal_job, formal_job_error
from verilogeval.checks.formal.check import FormalConfig
from verilogeval.checks.formal.result import FormalResult, FormalStatus
from verilogeval.dataset.loader import load_dataset
from verilogeval.execution.pools import LocalPool, Place, run_all
from verilogeval.records import Sample, Task

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
# Checked: passing rows, and rows that fail at run time (known wrong: a mismatch, `R`, or a
# mismatch with an asynchronous reset, `r`). A simulation timeout (`T`) says nothing of
# correctness (two references time out under Icarus 11), so those rows are left out.
CHECKED = {".", "R", "r"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--golden", type=Path, default=SHARED / "golden/classification.jsonl.gz")
    parser.add_argument("--dataset", type=Path, default=SHARED / "verilog-eval-v2")
    parser.add_argument("--task", type=Task, default=Task.SPEC_TO_RTL)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--depth", type=int, default=FormalConfig().depth)
    args = parser.parse_args()

    problems = {p.name: p for p in load_dataset(args.dataset, args.task).problems}
    with gzip.open(args.golden, "rt", encoding="utf-8") as rows:
        chosen = [
            row
            for row in map(json.loads, rows)
            if row["task"] == args.task and row["official"] in CHECKED
        ]
    pairs = [
        (problems[row["problem"]], Sample(row["problem"], number, row["code"]))
        for number, row in enumerate(chosen, start=1)
    ]
    with LocalPool(args.jobs, Place(workdir=None, cache_dir=None, sandboxed=True)) as pool:
        checked = run_all(pool, formal_job, pairs, FormalConfig(depth=args.depth), formal_job_error)
    results = [done.result for done in checked]

    passing = [(row, r) for row, r in zip(chosen, results, strict=True) if row["official"] == "."]
    failing = [(row, r) for row, r in zip(chosen, results, strict=True) if row["official"] != "."]
    print(f"# {args.task}: {len(passing)} officially passing, {len(failing)} failing at run time")
    for row, result in passing:
        if result.status is FormalStatus.DISPROVED:
            print(f"DISPROVED {row['problem']} {row['sample']}: {result.describe()}")
    by_problem = Counter(row["problem"] for row, r in passing if r.status is FormalStatus.DISPROVED)
    share = 100 * sum(by_problem.values()) / len(passing) if passing else 0.0
    print(f"problems with a disproved passing sample: {len(by_problem)}")
    print(f"officially passing samples disproved: {sum(by_problem.values())} ({share:.1f}%)")
    print("officially passing, by formal status:", _tally(r for _, r in passing))
    print("officially failing (known wrong), by formal status:", _tally(r for _, r in failing))
    for row, result in failing:
        if result.status is FormalStatus.PROVEN:
            print(f"FALSE PROOF {row['problem']} {row['sample']} ({row['official']})")
    seconds = sorted(r.seconds for r in results)
    if seconds:
        print(f"seconds per sample: median {seconds[len(seconds) // 2]:.2f}, max {seconds[-1]:.1f}")


def _tally(results: Iterable[FormalResult]) -> str:
    counts = Counter(str(result.status) for result in results)
    return ", ".join(f"{count} {status}" for status, count in counts.most_common())


if __name__ == "__main__":
    main()
