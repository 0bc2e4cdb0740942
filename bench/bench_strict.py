"""Cost of the strict (differential, cocotb) check relative to the official one.

Grades the same samples (each problem's reference as TopModule) twice, one at a time so
the two flows see the same machine: the official Icarus flow (`simulate`) and the
differential test (`diff_test`), then prints both wall times and their ratio, overall and
for sequential and combinational problems apart.

    .venv/bin/python bench/bench_strict.py [--dataset ../shared/verilog-eval-v2]
        [--problems 1-156] [--limit 20] [--cycles 500]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from verilogeval.dataset import load_dataset, select_problems
from verilogeval.interface import read_interfaces
from verilogeval.records import Task
from verilogeval.simulate import simulate
from verilogeval.strict.check import StrictConfig, diff_test
from verilogeval.time_limits import reference_sample

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
    problems = [p for p in select_problems(dataset.problems, args.problems) if p.test_path]
    step = max(1, len(problems) // args.limit)
    problems = problems[::step][: args.limit]
    config = StrictConfig(cycles=args.cycles)

    times: dict[str, dict[str, float]] = {"sequential": {}, "combinational": {}}
    official_total = strict_total = 0.0
    print(f"{'problem':<36} {'kind':<13} {'official s':>10} {'strict s':>9} {'ratio':>6}")
    for problem in problems:
        sample = reference_sample(problem)
        ref = read_interfaces(problem.ref_path.read_text(), str(problem.ref_path))["RefModule"]
        kind = "sequential" if ref.sequential else "combinational"
        started = time.perf_counter()
        simulate(problem, sample)
        official = time.perf_counter() - started
        started = time.perf_counter()
        result = diff_test(problem, sample, config)
        strict = time.perf_counter() - started
        official_total += official
        strict_total += strict
        bucket = times[kind]
        bucket["official"] = bucket.get("official", 0.0) + official
        bucket["strict"] = bucket.get("strict", 0.0) + strict
        print(
            f"{problem.name:<36} {kind:<13} {official:>10.2f} {strict:>9.2f} "
            f"{strict / official:>6.1f}  {result.status}"
        )
    print()
    for kind, bucket in times.items():
        if bucket:
            ratio = bucket["strict"] / bucket["official"]
            print(
                f"{kind:<13} official {bucket['official']:7.2f} s  strict "
                f"{bucket['strict']:7.2f} s  ratio {ratio:5.1f}x"
            )
    print(
        f"{'all':<13} official {official_total:7.2f} s  strict {strict_total:7.2f} s  "
        f"ratio {strict_total / official_total:5.1f}x  ({len(problems)} problems, "
        f"{config.cycles} cycles)"
    )


if __name__ == "__main__":
    main()
