"""Official grading on the local pool against a 2-worker Dask cluster on the same cores.

The samples are bench_grade's (golden rows of one task, 10 per problem). The cluster is a
`distributed.LocalCluster` with two single-threaded process workers, started before the
timing as a user's running cluster would be; both runs are `verilogeval evaluate` with no
result cache, so every sample is simulated. Rounds alternate local and cluster.

    .venv/bin/python bench/bench_cluster.py [--limit 300] [--rounds 3] [--check plus ...]

With --check, both runs also run that post-verdict check (strict, plus, formal): its jobs
go to the same pool, so the cluster takes them too.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_grade import SHARED, sample_set, timed
from distributed import LocalCluster

from verilogeval.grading.grader import default_cache_dir
from verilogeval.records import Task

WORKERS = 2
# Dask's statistical profiler samples every worker thread's stack every 10 ms: measured, it
# made a 20 ms grading job take 30 ms. The README tells users to switch it off; so does this.
PROFILER_OFF = {"DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--task", type=Task, default=Task.SPEC_TO_RTL)
    parser.add_argument("--limit", type=int, default=None, help="the first N samples")
    parser.add_argument("--rounds", type=int, default=3, help="repeat and report medians")
    parser.add_argument(
        "--check",
        action="append",
        default=[],
        choices=["strict", "plus", "formal"],
        help="also run this post-verdict check (repeatable)",
    )
    args = parser.parse_args()
    os.environ.update(PROFILER_OFF)  # read by the LocalCluster's worker processes

    samples = sample_set(args.shared / "golden" / "classification.jsonl.gz", args.task)
    samples = samples[: args.limit] if args.limit else samples
    root = default_cache_dir().parent
    root.mkdir(parents=True, exist_ok=True)
    timings: dict[str, list[float]] = {"local": [], "cluster": []}
    with (
        tempfile.TemporaryDirectory(prefix="bench-cluster-", dir=root) as folder,
        LocalCluster(
            n_workers=WORKERS, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
    ):
        samples_path = Path(folder) / "samples.jsonl"
        samples_path.write_text("".join(json.dumps(s) + "\n" for s in samples))
        command = [
            sys.executable, "-m", "verilogeval", "evaluate",
            "--dataset", str(args.shared / "verilog-eval-v2"), "--task", str(args.task),
            "--samples", str(samples_path), "--no-cache",
            *(f"--{check}" for check in args.check),
        ]  # fmt: skip
        where = {
            "local": ["--jobs", str(WORKERS)],
            "cluster": ["--scheduler", cluster.scheduler_address],
        }
        checks = " ".join(f"--{check}" for check in args.check) or "official grading only"
        print(
            f"{len(samples)} samples ({checks}); "
            f"local pool of {WORKERS} against {WORKERS} Dask workers"
        )
        for round_number in range(args.rounds):
            for name, extra in where.items():
                argv = [*command, *extra, "--out", f"{folder}/{name}{round_number}"]
                timings[name].append(
                    timed(functools.partial(subprocess.run, argv, check=True, capture_output=True))
                )
    local_s = statistics.median(timings["local"])
    cluster_s = statistics.median(timings["cluster"])
    for name in ("local", "cluster"):
        seconds = statistics.median(timings[name])
        rounds = ", ".join(f"{t:.2f}" for t in timings[name])
        print(f"{name:<8} {seconds:8.2f} s {seconds / local_s:5.2f}x   ({rounds})")
    overhead_ms = (cluster_s - local_s) / len(samples) * 1000 * WORKERS
    print(f"cluster overhead per sample: {overhead_ms:.1f} ms of worker time")
    print("target: the cluster costs no more than 1.10x the local pool")


if __name__ == "__main__":
    main()
