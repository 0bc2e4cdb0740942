"""Cost of the strict (differential, cocotb) check relative to the official one.

Grades the same samples (each problem's reference as TopModule) with the official Icarus
flow and the differential test (`diff_test`), one after the other, and prints their times
and ratio, overall and for sequential and combinational problems apart (check_cost.py).

    .venv/bin/python bench/bench_strict.py [--dataset ../shared/verilog-eval-v2]
        [--problems 1-156] [--limit 20] [--cycles 500]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from check_cost import compare_with_official, spread

from verilogeval.checks.strict.check import StrictConfig, diff_test
from verilogeval.dataset.loader import load_dataset, select_problems
from verilogeval.records import Task

DEFAULT_DATASET = Path(__file__).resolve().parent.parent.parent / "shared" / "verilog-eval-v2"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--task", type=Task, default=Task.SPEC_TO_RTL)
    parser.add_argument("--problems", default=None)
    parser.add_argument("--limit", type=int, default=20, help="problems, spread over the set")
    parser.add_argument("--cycles", type=int, default=StrictConfig().cycles)
    args = parser.parse_args()

    dataset = load_dataset(args.dataset, args.task)
    selected = [p for p in select_problems(dataset.problems, args.problems) if p.test_path]
    problems = spread(selected, args.limit)
    config = StrictConfig(cycles=args.cycles)

    print(f"{len(problems)} problems, {config.cycles} cycles")
    compare_with_official(
        problems, "strict", lambda problem, sample: diff_test(problem, sample, config)
    )


if __name__ == "__main__":
    main()
