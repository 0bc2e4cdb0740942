"""The plus check of one officially passing sample: tamper scan, then the shifted seeds.

`plus_check` is a plain function so a pool can run it; the compile and the runs go
through the sandbox like the official ones.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verilogeval.plus.amplify import SHIFT_STEP, ForeignDesign, run_seeds, shifts_stimulus
from verilogeval.plus.tamper import scan_log, scan_sample
from verilogeval.records import Problem, Sample

DEFAULT_SEEDS = 4  # measured trade-off, see README ("--plus")


@dataclass(frozen=True)
class PlusConfig:
    seeds: int = DEFAULT_SEEDS  # shifted reruns of the official testbench (0: tamper only)
    timeout_s: float = 30.0  # per compile and per run, as the official grade


@dataclass(frozen=True)
class PlusResult:
    """What the plus check found for one sample; `passed` ignores strict and formal."""

    tamper: tuple[str, ...]  # reasons to distrust the official verdict
    seeds_run: int  # shifted seeds simulated (stops at the first failure)
    seeds_skipped: bool  # the testbench draws no unseeded random values: seeds change nothing
    failing_seed: int | None = None
    failing_draws: int | None = None
    mismatch_line: str | None = None  # of the failing seed
    error: str | None = None  # the check itself could not run: no trusted verdict
    duration_s: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.tamper and self.failing_seed is None and self.error is None

    def reason(self) -> str | None:
        """One line for reports: why plus rejected the sample, or None."""
        if self.tamper:
            return "tamper: " + "; ".join(self.tamper)
        if self.failing_seed is not None:
            return f"seed {self.failing_seed}: {self.mismatch_line}"
        if self.error is not None:
            return f"error: {self.error}"
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "tamper": list(self.tamper),
            "seeds_run": self.seeds_run,
            "seeds_skipped": self.seeds_skipped,
            "failing_seed": self.failing_seed,
            "failing_draws": self.failing_draws,
            "mismatch_line": self.mismatch_line,
            "error": self.error,
            "duration_s": self.duration_s,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PlusResult:
        return cls(**(data | {"tamper": tuple(data["tamper"])}))


def plus_check(
    problem: Problem,
    sample: Sample,
    official_log: str,
    config: PlusConfig,
    *,
    workdir: Path | None,
    sandboxed: bool,
) -> PlusResult:
    """Scan `sample` and its official log, then rerun the testbench under shifted seeds.

    A tampering sample is not simulated again: it is rejected already. Any other is
    compiled with the testbench, whose compiled design must be the graded one, even when
    no seed is run.
    """
    started = time.monotonic()
    scanned = scan_sample(
        sample.code, problem, workdir=workdir, sandboxed=sandboxed, timeout_s=config.timeout_s
    )
    tamper = scanned + scan_log(official_log)
    testbench = problem.test_path.read_text(encoding="utf-8") if problem.test_path else ""
    skipped = not shifts_stimulus(testbench)
    if tamper:
        return PlusResult(tamper, 0, skipped, duration_s=round(time.monotonic() - started, 3))
    try:
        runs = run_seeds(
            problem,
            sample,
            0 if skipped else config.seeds,
            timeout_s=config.timeout_s,
            workdir=workdir,
            sandboxed=sandboxed,
        )
    except ForeignDesign as foreign:
        seconds = round(time.monotonic() - started, 3)
        return PlusResult(tamper + foreign.reasons, 0, skipped, duration_s=seconds)
    tamper += tuple(reason for run in runs for reason in scan_log(run.log))
    failing = next((run for run in runs if not run.passed), None)
    return PlusResult(
        tamper=tuple(dict.fromkeys(tamper)),
        seeds_run=len(runs),
        seeds_skipped=skipped,
        failing_seed=failing.seed if failing else None,
        failing_draws=failing.draws if failing else None,
        mismatch_line=failing.mismatch_line if failing else None,
        duration_s=round(time.monotonic() - started, 3),
    )


def plus_settings(config: PlusConfig) -> dict[str, Any]:
    """What decides a plus verdict besides the sample and the problem: run.json, cache key."""
    return {"seeds": config.seeds, "shift_step": SHIFT_STEP, "timeout_s": config.timeout_s}
