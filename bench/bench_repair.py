"""What a repair round costs to grade and keep, against the single-shot run of the same samples.

A loopback model (tests/fake_openai_server.py, no latency) answers with the problem's
failing golden samples (real wrong answers: syntax errors, wrong logic, timeouts), each
made distinct by a comment naming the answer, so every answer is simulated and none
passes. Both runs are `verilogeval run` with no caches and grade the same R+1 answers per
problem: the single shot as `--samples R+1` (answer k to the k-th request of a prompt),
the repair run as `--repair R` (answer k in round k), which also runs the tamper scan,
builds the feedback and journals each round, and cannot ask round k+1 of a sample before
round k is graded. The ratio printed is the repair run's wall time over the single shot's.

    .venv/bin/python bench/bench_repair.py [--problems 20] [--repairs 2] [--feedback compiler]
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from verilogeval.dataset import load_dataset
from verilogeval.prompt import PromptConfig, build_prompt, default_style
from verilogeval.records import Task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from fake_openai_server import FakeOpenAIServer

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--problems", type=int, default=20, help="the first N problems")
    parser.add_argument("--repairs", type=int, default=2, help="R of --repair R")
    parser.add_argument("--feedback", default="compiler")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()

    root = args.shared / "verilog-eval-v2"
    dataset = load_dataset(root, Task.SPEC_TO_RTL)
    problems = dataset.problems[: args.problems]
    failing = _failing_samples(args.shared / "golden" / "classification.jsonl.gz")
    problems = tuple(p for p in problems if failing.get(p.name))
    config = PromptConfig(style=default_style(dataset))
    by_prompt = {build_prompt(dataset, p, config).user: failing[p.name] for p in problems}
    first_asked: Counter[str] = Counter()  # first answers asked per prompt

    def reply(body: dict) -> str:
        messages = body["messages"]
        prompt = messages[1]["content"]
        codes = by_prompt[prompt]
        number = sum(message["role"] == "assistant" for message in messages)
        if number == 0:  # a single shot's k-th sample, or a repair run's first round
            number = first_asked[prompt] % (args.repairs + 1)
            first_asked[prompt] += 1
        return f"[BEGIN]\n{codes[number % len(codes)]}// answer {number}\n[DONE]\n"

    names = ",".join(p.name for p in problems)
    with FakeOpenAIServer(reply=reply) as server, tempfile.TemporaryDirectory() as folder:

        def run(out: str, *extra: str) -> float:
            argv = [sys.executable, "-m", "verilogeval", "run", "--model", "openai:bench"]
            argv += ["--api-base", server.base_url, "--dataset", str(root), "--problems", names]
            argv += ["--out", str(Path(folder) / out), "--no-cache", "--quiet"]
            argv += ["--jobs", str(args.jobs), *extra]
            started = time.perf_counter()
            done = subprocess.run(argv, capture_output=True, text=True, check=False)
            elapsed = time.perf_counter() - started
            if done.returncode not in (0, 1):
                raise SystemExit(f"run failed ({done.returncode}): {done.stderr}")
            return elapsed

        rounds = args.repairs + 1
        single = run("single", "--samples", str(rounds))
        asked_single = server.request_count
        first_asked.clear()
        repair = run("repair", "--repair", str(args.repairs), "--feedback", args.feedback)
        asked_repair = server.request_count - asked_single

    print(f"{len(problems)} problems, every answer failing; feedback {args.feedback}")
    print(f"single shot, {rounds} samples : {single:7.2f} s  ({asked_single} answers graded)")
    print(
        f"repair {args.repairs} ({rounds} rounds)     : {repair:7.2f} s  ({asked_repair} answers)"
    )
    print(f"per round of the repair run : {repair / rounds:7.2f} s")
    print(f"ratio (repair / single shot, same answers): {repair / single:.2f}x")


def _failing_samples(golden: Path) -> dict[str, list[str]]:
    """Each spec-to-rtl problem's golden samples that fail officially, in file order."""
    failing: dict[str, list[str]] = {}
    with gzip.open(golden, "rt", encoding="utf-8") as rows:
        for row in map(json.loads, rows):
            wrong = row["official"] not in (".", None) and row["sample"] != "hang"
            if row["task"] == Task.SPEC_TO_RTL and wrong:
                failing.setdefault(row["problem"], []).append(row["code"])
    return failing


if __name__ == "__main__":
    main()
