"""Wall time of `verilogeval evaluate` against the simulator floor, and of a cached re-run.

The sample set is the golden classification rows of one task, the first 10 per problem
(1,560 for the whole official set; the `hang` rows, which only measure the time limit,
are left out), so it mixes passes, compile errors and runtime failures as a model does.
Each round runs, on the same cores with the same parallelism:

  floor      a bare loop that only runs iverilog and vvp for each sample (threads, no
             classification, no files kept), in the same scratch folder as evaluate
  evaluate   `verilogeval evaluate` as a user runs it, with an empty result cache
  cached     `verilogeval evaluate` of the same samples into a new folder, same cache
  unsandboxed `verilogeval evaluate --no-sandbox`, empty cache: the sandbox's cost
  plus       `verilogeval evaluate --plus`, empty cache: the trusted verdict's cost

    .venv/bin/python bench/bench_grade.py [--limit 200] [--jobs 2] [--rounds 1]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from verilogeval.dataset.loader import load_dataset
from verilogeval.execution.scratch import default_scratch_dir
from verilogeval.grading.grader import default_cache_dir, default_jobs
from verilogeval.grading.simulate import COMPILE_FLAGS, simulator_version
from verilogeval.records import Problem, Task

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
PER_PROBLEM = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--task", type=Task, default=Task.SPEC_TO_RTL)
    parser.add_argument(
        "--limit", type=int, default=None, help="about this many samples, problems spread evenly"
    )
    parser.add_argument("--jobs", type=int, default=default_jobs())
    parser.add_argument("--rounds", type=int, default=1, help="repeat and report medians")
    parser.add_argument(
        "--scratch-dir",
        type=Path,
        default=default_scratch_dir() or Path(tempfile.gettempdir()),
        help="per-sample folders of both flows (default: evaluate's default)",
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=default_cache_dir().parent,
        help="where the run folders and the cache go, as a user's would: not /tmp, where "
        "creating a file costs several times more on some machines (default: %(default)s)",
    )
    args = parser.parse_args()

    dataset = load_dataset(args.shared / "verilog-eval-v2", args.task)
    problems = {problem.name: problem for problem in dataset.problems}
    samples = sample_set(args.shared / "golden" / "classification.jsonl.gz", args.task)
    if args.limit:
        names = list(dict.fromkeys(sample["problem"] for sample in samples))
        step = max(1, round(len(names) * PER_PROBLEM / args.limit))
        kept = set(names[::step])
        samples = [sample for sample in samples if sample["problem"] in kept]
    print(
        f"{len(samples)} samples of {len({s['problem'] for s in samples})} problems, "
        f"jobs {args.jobs}, {simulator_version()}, scratch in {args.scratch_dir}"
    )
    timings: dict[str, list[float]] = {
        name: [] for name in ("floor", "evaluate", "cached", "unsandboxed", "plus")
    }
    args.root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-grade-", dir=args.root) as folder:
        root = Path(folder)
        samples_path = root / "samples.jsonl"
        samples_path.write_text("".join(json.dumps(s) + "\n" for s in samples))
        for round_number in range(args.rounds):
            here = root / f"round{round_number}"
            here.mkdir()
            with tempfile.TemporaryDirectory(prefix="floor-", dir=args.scratch_dir) as scratch:
                timings["floor"].append(
                    timed(lambda: floor(samples, problems, args.jobs, Path(scratch)))
                )
            command = [
                sys.executable,
                "-m",
                "verilogeval",
                "evaluate",
                "--dataset",
                str(dataset.root),
                "--task",
                str(args.task),
                "--samples",
                str(samples_path),
                "--jobs",
                str(args.jobs),
                "--cache-dir",
                str(here / "cache"),
                "--scratch-dir",
                str(args.scratch_dir),
            ]
            runs: tuple[tuple[str, str, list[str]], ...] = (
                ("unsandboxed", "bare", ["--no-sandbox", "--no-cache"]),
                ("evaluate", "cold", []),
                ("cached", "warm", []),
                ("plus", "plus", ["--plus", "--no-cache"]),
            )
            for name, out, extra in runs:
                argv = [*command, *extra, "--out", str(here / out)]
                timings[name].append(
                    timed(functools.partial(subprocess.run, argv, check=True, capture_output=True))
                )
            shutil.rmtree(here)
    floor_s = statistics.median(timings["floor"])
    print(f"{'':<26} {'wall s':>8} {'ratio':>6}   per round")
    for name, label in (
        ("floor", "floor (iverilog + vvp)"),
        ("evaluate", "evaluate, empty cache"),
        ("cached", "evaluate again, cached"),
        ("unsandboxed", "evaluate --no-sandbox"),
        ("plus", "evaluate --plus"),
    ):
        seconds = statistics.median(timings[name])
        rounds = ", ".join(f"{t:.2f}" for t in timings[name])
        print(f"{label:<26} {seconds:8.2f} {seconds / floor_s:5.2f}x   ({rounds})")
    print("target: evaluate <= 1.15x the floor (medians over rounds; floor and evaluate alternate)")
    sandboxed = statistics.median(timings["evaluate"])
    bare = statistics.median(timings["unsandboxed"])
    plus = statistics.median(timings["plus"])
    print(f"sandbox: evaluate / evaluate --no-sandbox = {sandboxed / bare:.3f}  (target <= 1.10)")
    print(f"plus: evaluate --plus / evaluate = {plus / sandboxed:.2f}  (target <= 6)")


def sample_set(golden: Path, task: Task) -> list[dict]:
    """PER_PROBLEM samples of each problem, numbered from 1: its first golden rows, and
    where it has fewer, copies of its reference row made distinct by a trailing comment."""
    by_problem: dict[str, list[str]] = {}
    references: dict[str, str] = {}
    with gzip.open(golden, "rt", encoding="utf-8") as rows:
        for row in map(json.loads, rows):
            if row["task"] != task or row["sample"] == "hang":
                continue
            by_problem.setdefault(row["problem"], []).append(row["code"])
            if row["sample"] == "ref":
                references[row["problem"]] = row["code"]
    chosen = []
    for problem, codes in by_problem.items():
        codes = codes[:PER_PROBLEM]
        codes += [f"{references[problem]}// copy {n}\n" for n in range(PER_PROBLEM - len(codes))]
        chosen += [{"problem": problem, "sample": n, "code": c} for n, c in enumerate(codes, 1)]
    return chosen


def floor(samples: list[dict], problems: dict[str, Problem], jobs: int, folder: Path) -> None:
    """Compile and run every sample with nothing else around it."""

    def one(index: int) -> None:
        sample = samples[index]
        problem = problems[sample["problem"]]
        here = folder / str(index)
        here.mkdir(parents=True)
        (here / "sample.sv").write_text(sample["code"])
        compile_argv = ["iverilog", *COMPILE_FLAGS, "-o", "sim", "sample.sv"]
        compile_argv += [str(problem.test_path), str(problem.ref_path)]
        subprocess.run(compile_argv, cwd=here, capture_output=True, check=False)
        if (here / "sim").is_file():
            # As evaluate does, a run that reaches the limit ends there (a loaded machine).
            with contextlib.suppress(subprocess.TimeoutExpired):
                subprocess.run(
                    ["vvp", "sim", "-none"], cwd=here, capture_output=True, timeout=30, check=False
                )

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(one, range(len(samples))))


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
