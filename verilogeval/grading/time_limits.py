"""Per-problem time limits from the reference's own run time, as EvalPlus sets them.

A fixed wall-clock limit is unfair to a problem whose reference is itself slow: on a
loaded machine its correct samples time out. The limit of a problem is therefore
max(floor, factor x the reference's run time). The floor is the official 30 s, so no
problem gets less time than the official flow gives it, and a sample that finishes
within the floor gets the same verdict under any larger limit. The reference is timed
only when a sample reaches the floor, once per worker process and problem, and the
time is kept in the result cache so that later runs need not measure it again.

`--timeout S` stays an explicit override: one fixed limit for every problem.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from verilogeval.grading import simulate as sim
from verilogeval.records import Problem, Sample, SimResult
from verilogeval.store import Store

_REF_MODULE = re.compile(r"\bRefModule\b")
_MEASURE_CAP_S = 600.0  # a reference slower than this is broken, not slow


@dataclass(frozen=True)
class TimeLimitPolicy:
    floor_s: float = sim.DEFAULT_TIMEOUT_S
    factor: float = 4.0

    def limit_s(self, reference_s: float) -> float:
        return max(self.floor_s, self.factor * reference_s)


def reference_sample(problem: Problem) -> Sample:
    """The problem's reference renamed to the module the testbench expects of a sample."""
    code = problem.ref_path.read_text(encoding="utf-8")
    return Sample(problem=problem.name, sample=1, code=_REF_MODULE.sub("TopModule", code))


def timed_out(result: SimResult) -> bool:
    return result.compile.timed_out or (result.run is not None and result.run.timed_out)


def extended_limit_s(
    problem: Problem,
    policy: TimeLimitPolicy,
    workdir: Path | None,
    cache_dir: Path | None,
    sandboxed: bool,
) -> float:
    """The problem's limit under `policy`: times its reference (or reads the cached time),
    in the sandbox unless --no-sandbox, as the samples run."""
    return policy.limit_s(reference_seconds(problem, workdir, cache_dir, sandboxed))


@cache
def reference_seconds(
    problem: Problem, workdir: Path | None, cache_dir: Path | None, sandboxed: bool
) -> float:
    """How long the reference takes for its compile or its run, whichever is longer."""
    key = reference_key(problem)
    store = None if cache_dir is None else Store(cache_dir / "results.sqlite", "result", "data")
    try:
        known = store.get(key) if store is not None else None
        if isinstance(known, int | float):
            return float(known)
        result = sim.simulate(
            problem,
            reference_sample(problem),
            timeout_s=_MEASURE_CAP_S,
            workdir=workdir,
            sandboxed=sandboxed,
        )
        seconds = max(result.compile.duration_s, result.run.duration_s if result.run else 0.0)
        if store is not None:
            store.put(key, seconds)
        return seconds
    finally:
        if store is not None:
            store.close()


def reference_key(problem: Problem) -> str:
    """Where the reference's time is cached: the simulator and the problem's own files."""
    digest = hashlib.sha256(b"reference time\0" + sim.simulator_version().encode())
    for path in (problem.test_path, problem.ref_path):
        if path is not None:
            digest.update(b"\0" + path.read_bytes())
    return digest.hexdigest()
