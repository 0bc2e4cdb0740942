"""Start-up cost of `run` on one problem: oracle, replay, openai: and litellm, side by side.

Each command runs `verilogeval run` on one problem into a fresh folder (no cache), from
the shell's point of view: interpreter start, imports, one request against the local
fake server (tests/fake_openai_server.py, a process of its own), grading, summary. The
median of --rounds runs is printed with its ratio to the oracle's and the difference,
in wall time and in CPU time (user + system of the command and its children: on a
machine shared with other work, wall time grows with the load, CPU time much less).
Target: replay and openai: within 1 s of the oracle (litellm pays its import).

    .venv/bin/python bench/bench_startup.py [--rounds 5] [--problem 1]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_generate import server_process

CLI = [sys.executable, "-m", "verilogeval"]


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_run(model: list[str], problem: str, out: Path) -> tuple[float, float]:
    """(wall s, CPU s) of one `run`."""
    argv = [*CLI, "run", *model, "--problems", problem, "--quiet", "--no-cache"]
    cpu_before, started = _children_cpu_s(), time.perf_counter()
    result = subprocess.run([*argv, "--out", str(out)], capture_output=True, text=True)
    elapsed, cpu = time.perf_counter() - started, _children_cpu_s() - cpu_before
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({result.returncode}):\n{result.stderr}")
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--problem", default="1", help="--problems value (default: 1)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch, server_process(0.0) as url:
        root = Path(scratch)
        replay = root / "answers.jsonl"
        os.environ.setdefault("OPENAI_API_KEY", "unused")  # litellm's check wants one
        commands = {
            "oracle": ["--model", "oracle"],
            "replay": ["--model", f"replay:{replay}"],
            "openai:": ["--model", "openai:bench-model", "--api-base", url],
            "litellm": ["--model", "openai/bench-model", "--api-base", url],
        }
        timed_run(commands["oracle"], args.problem, root / "warm")  # page cache, .pyc
        answers = json.loads((root / "warm" / "generations.jsonl").read_text().splitlines()[0])
        replay.write_text(json.dumps(answers) + "\n")
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for round_ in range(args.rounds):
            for name, model in commands.items():  # interleaved: load changes alike for all
                times[name].append(timed_run(model, args.problem, root / f"{name}{round_}"))
    print(f"median of {args.rounds} runs of `run` on one problem ({args.problem})")
    print(
        f"{'model':<8} {'wall s':>7} {'x oracle':>9} {'- oracle':>9}   {'CPU s':>6} {'- oracle':>9}"
    )
    oracle_wall = statistics.median(wall for wall, _ in times["oracle"])
    oracle_cpu = statistics.median(cpu for _, cpu in times["oracle"])
    for name, samples in times.items():
        wall = statistics.median(w for w, _ in samples)
        cpu = statistics.median(c for _, c in samples)
        print(
            f"{name:<8} {wall:7.2f} {wall / oracle_wall:8.2f}x {wall - oracle_wall:+8.2f}s"
            f"   {cpu:6.2f} {cpu - oracle_cpu:+8.2f}s"
        )


if __name__ == "__main__":
    main()
