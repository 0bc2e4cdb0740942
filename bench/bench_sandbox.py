"""The sandbox's cost per sample: `simulate` sandboxed and with --no-sandbox, alternating.

bench_grade.py times whole `evaluate` runs one after the other; on a machine shared with
other work their load differs from run to run by more than the sandbox costs. Here one
process grades each sample twice in a row, sandboxed then not (the order flips every
sample), so both see the same load; the ratio of the summed times is the sandbox's cost.
The samples are the golden classification rows of one task, as in bench_grade.py.

    .venv/bin/python bench/bench_sandbox.py [--limit 300] [--rounds 2]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench_grade import SHARED, sample_set

from verilogeval.dataset.loader import load_dataset
from verilogeval.execution.sandbox.host import ensure_available
from verilogeval.execution.scratch import default_scratch_dir
from verilogeval.grading.simulate import simulate
from verilogeval.records import Sample, Task


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--task", type=Task, default=Task.SPEC_TO_RTL)
    parser.add_argument("--limit", type=int, default=300, help="about this many samples")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()

    dataset = load_dataset(args.shared / "verilog-eval-v2", args.task)
    problems = {problem.name: problem for problem in dataset.problems}
    rows = sample_set(args.shared / "golden" / "classification.jsonl.gz", args.task)
    rows = rows[:: max(1, len(rows) // args.limit)]
    ensure_available()
    scratch = default_scratch_dir()  # evaluate's: where --no-sandbox's folders go
    totals = {True: 0.0, False: 0.0}
    for _ in range(args.rounds):
        for index, row in enumerate(rows):
            problem = problems[row["problem"]]
            sample = Sample(row["problem"], row["sample"], row["code"])
            for sandboxed in (True, False) if index % 2 else (False, True):
                started = time.perf_counter()
                simulate(problem, sample, timeout_s=30, workdir=scratch, sandboxed=sandboxed)
                totals[sandboxed] += time.perf_counter() - started
    count = len(rows) * args.rounds
    print(f"{count} samples, {dataset.task}, sequential, sandboxed and not in turn")
    for sandboxed, label in ((False, "--no-sandbox"), (True, "sandboxed")):
        seconds = totals[sandboxed]
        print(f"{label:<14} {seconds:8.2f} s  {1000 * seconds / count:6.1f} ms/sample")
    print(f"sandboxed / --no-sandbox = {totals[True] / totals[False]:.3f}  (target <= 1.10)")


if __name__ == "__main__":
    main()
