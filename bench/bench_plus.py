"""What `--plus` costs against official grading of the same samples, and what each K catches.

The samples are the officially passing golden classification rows of one task (what
`--plus` works on: a failing sample costs it nothing). Each round grades them, on the same
cores, with `verilogeval evaluate` (official), then with `evaluate --plus --plus-seeds K`
for every K asked, all with an empty cache, and counts the samples plus rejects by a
failing seed (tamper aside). The ratio plus / official is the cost the README quotes;
the issue's target is at most 6x.

    .venv/bin/python bench/bench_plus.py [--seeds 1,2,4,8] [--rounds 1] [--jobs 2]
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from verilogeval.grading.grader import default_cache_dir, default_jobs
from verilogeval.records import Task

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--task", type=Task, default=Task.SPEC_TO_RTL)
    parser.add_argument("--seeds", default="1,2,4,8", help="values of K to compare")
    parser.add_argument("--jobs", type=int, default=default_jobs())
    parser.add_argument("--rounds", type=int, default=1, help="repeat and report medians")
    parser.add_argument("--root", type=Path, default=default_cache_dir().parent)
    args = parser.parse_args()
    seeds = [int(k) for k in args.seeds.split(",")]

    with gzip.open(args.shared / "golden" / "classification.jsonl.gz", "rt") as rows:
        passing = [
            row
            for row in map(json.loads, rows)
            if row["task"] == args.task and row["official"] == "." and row["sample"] != "hang"
        ]
    samples = [
        {"problem": row["problem"], "sample": number, "code": row["code"]}
        for number, row in enumerate(passing, start=1)
    ]
    print(f"{len(samples)} officially passing samples ({args.task}), jobs {args.jobs}")
    names = ["official", *(f"plus K={k}" for k in seeds)]
    timings: dict[str, list[float]] = {name: [] for name in names}
    caught: dict[str, int] = {}
    distrusted: dict[str, list[str]] = {}  # samples plus found tampering or could not check
    args.root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-plus-", dir=args.root) as folder:
        root = Path(folder)
        samples_path = root / "samples.jsonl"
        samples_path.write_text("".join(json.dumps(s) + "\n" for s in samples))
        for round_number in range(args.rounds):
            for name in names:
                out = root / f"{round_number}-{name.replace(' ', '_')}"
                argv = [
                    sys.executable, "-m", "verilogeval", "evaluate",
                    "--dataset", str(args.shared / "verilog-eval-v2"), "--task", str(args.task),
                    "--samples", str(samples_path), "--out", str(out), "--no-cache",
                    "--jobs", str(args.jobs),
                ]  # fmt: skip
                if name != "official":
                    argv += ["--plus", "--plus-seeds", name.split("=")[1]]
                started = time.perf_counter()
                subprocess.run(argv, check=True, capture_output=True)
                timings[name].append(time.perf_counter() - started)
                if name != "official":
                    lines = [json.loads(line) for line in (out / "results.jsonl").open()]
                    caught[name] = sum(
                        (line["plus"] or {}).get("failing_seed") is not None for line in lines
                    )
                    distrusted[name] = [
                        f"{line['problem']}: {line['plus'].get('tamper') or line['plus']['error']}"
                        for line in lines
                        if line["plus"] and (line["plus"]["tamper"] or line["plus"]["error"])
                    ]
    official = statistics.median(timings["official"])
    print(f"{'':<14} {'wall s':>8} {'ratio':>6} {'caught':>7} {'tamper':>7}   per round")
    for name in names:
        seconds = statistics.median(timings[name])
        rounds = ", ".join(f"{t:.2f}" for t in timings[name])
        found = str(caught.get(name, "-"))
        tamper = str(len(distrusted[name])) if name in distrusted else "-"
        ratio = seconds / official
        print(f"{name:<14} {seconds:8.2f} {ratio:5.2f}x {found:>7} {tamper:>7}   ({rounds})")
    print("ratio: evaluate --plus / evaluate of the same samples (target <= 6x)")
    for name, reasons in distrusted.items():
        for reason in reasons:  # golden samples: each is a false alarm or a check error
            print(f"  {name}: {reason}")


if __name__ == "__main__":
    main()
