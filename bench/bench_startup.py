"""Start-up cost of `run` on one problem: oracle, replay, openai: and litellm, side by side.

Each command runs `verilogeval run` on one problem into a fresh folder (no cache), from
the shell's point of view: interpreter start, imports, one request against the local
fake server (tests/fake_openai_server.py, a process of its own), grading, summary. The
median of --rounds runs is printed with its ratio to the oracle's and the difference.
Target: oracle, replay and openai: within 1 s of the oracle (litellm pays its import).

    .venv/bin/python bench/bench_startup.py [--rounds 5] [--problem 1]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_generate import server_process

CLI = [sys.executable, "-m", "verilogeval"]


def timed_run(model: list[str], problem: str, out: Path) -> float:
    argv = [*CLI, "run", *model, "--problems", problem, "--quiet", "--no-cache"]
    started = time.perf_counter()
    result = subprocess.run([*argv, "--out", str(out)], capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({result.returncode}):\n{result.stderr}")
    return elapsed


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
        times: dict[str, list[float]] = {name: [] for name in commands}
        for round_ in range(args.rounds):
            for name, model in commands.items():  # interleaved: load changes alike for all
                times[name].append(timed_run(model, args.problem, root / f"{name}{round_}"))
    oracle = statistics.median(times["oracle"])
    print(f"median of {args.rounds} runs of `run` on one problem ({args.problem})")
    print(f"{'model':<8} {'wall s':>7} {'x oracle':>9} {'- oracle':>9}")
    for name, samples in times.items():
        median = statistics.median(samples)
        print(f"{name:<8} {median:7.2f} {median / oracle:8.2f}x {median - oracle:+8.2f}s")


if __name__ == "__main__":
    main()
