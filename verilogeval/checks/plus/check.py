"""The plus check of one officially passing sample: tamper scan, then the shifted seeds.

`plus_check` is a plain function so a pool can run it; the compile and the runs go
through the sandbox like the official ones. A seed passes when the log passes AND the
harness's own line (verilogeval.checks.plus.harness) counts no mismatch in exactly as many
samples as the reference's own run on the same stimulus: a sample that ends the run
early, or forges the log, is found by the count it cannot print.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from verilogeval.checks.plus.amplify import ForeignDesign, SeedRun, run_seeds, shifts_stimulus
from verilogeval.checks.plus.harness import SHIFT_LIMIT, TRUST_RULES, secret_shifts
from verilogeval.checks.tamper.scan import scan_log, scan_sample
from verilogeval.grading import simulate as sim
from verilogeval.grading.grader import result_store
from verilogeval.grading.time_limits import reference_sample
from verilogeval.records import Category, Problem, Sample
from verilogeval.typed_json import read_record

DEFAULT_SEEDS = 4  # measured trade-off, see README ("--plus")
# How shifts are chosen: in run.json, the resume identity and every cache key.
SEED_POLICY = f"secret random shifts below {SHIFT_LIMIT}, new per run"


@dataclass(frozen=True)
class PlusConfig:
    # Values of each random stream drawn before the testbench starts, one per shifted
    # seed: secret, new for each run. Empty: the unshifted stimulus only (seed 0).
    shifts: tuple[int, ...] = field(default_factory=lambda: secret_shifts(DEFAULT_SEEDS))
    timeout_s: float = 30.0  # per compile and per run, as the official grade
    drawn: bool = True  # drawn for this invocation, so a resumed run keeps its own instead

    @property
    def seeds(self) -> int:
        return len(self.shifts)


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
        """The result in a `plus` object (what the verdict adds beside it, such as
        `undecided`, is not the check's own); BadField (a ValueError) naming the field
        of another shape."""
        return read_record(cls, data, "")


def plus_check(
    problem: Problem,
    sample: Sample,
    official_log: str,
    config: PlusConfig,
    *,
    workdir: Path | None,
    sandboxed: bool,
    cache_dir: Path | None = None,
) -> PlusResult:
    """Scan `sample` and its official log, then rerun the testbench under shifted seeds.

    A tampering sample is not simulated again: it is rejected already. Any other is
    compiled with the testbench, whose compiled design must be the graded one.
    `cache_dir` keeps the reference's runs.
    """
    started = time.monotonic()
    scanned = scan_sample(
        sample.code, problem, workdir=workdir, sandboxed=sandboxed, timeout_s=config.timeout_s
    )
    tamper = scanned + scan_log(official_log)
    skipped = not shifts_stimulus(_testbench(problem))
    if tamper:
        return PlusResult(tamper, 0, skipped, duration_s=round(time.monotonic() - started, 3))
    try:
        checked = trusted_seeds(
            problem, sample, config, workdir=workdir, sandboxed=sandboxed, cache_dir=cache_dir
        )
    except ForeignDesign as foreign:
        seconds = round(time.monotonic() - started, 3)
        return PlusResult(foreign.reasons, 0, skipped, duration_s=seconds)
    return replace(checked, duration_s=round(time.monotonic() - started, 3))


def trusted_seeds(
    problem: Problem,
    sample: Sample,
    config: PlusConfig,
    *,
    workdir: Path | None,
    sandboxed: bool,
    cache_dir: Path | None,
) -> PlusResult:
    """The verdict layer alone (no scan of the code): each seed's run, judged by the
    harness's own line against the reference's run on the same stimulus.

    A testbench that draws nothing unseeded (or no shift asked for) runs once unshifted,
    as seed 0: the trusted count is needed all the same.
    """
    started = time.monotonic()
    skipped = not shifts_stimulus(_testbench(problem))
    shifts = (0,) if skipped or not config.shifts else config.shifts
    runs = run_seeds(
        problem, sample, shifts, timeout_s=config.timeout_s, workdir=workdir, sandboxed=sandboxed
    )
    found = [reason for run in runs for reason in scan_log(run.log)]
    failing = None
    for run in runs:
        if run.category is not Category.PASS:
            failing = run
            break
        references = reference_runs(
            problem, shifts, config.timeout_s, workdir, cache_dir, sandboxed
        )
        distrust = _distrust(run, references[run.draws])
        if distrust is not None:
            found.append(f"seed {run.seed}: {distrust}")
            break
    return PlusResult(
        tamper=tuple(dict.fromkeys(found)),
        seeds_run=len(runs),
        seeds_skipped=skipped,
        failing_seed=failing.seed if failing else None,
        failing_draws=failing.draws if failing else None,
        mismatch_line=failing.mismatch_line if failing else None,
        duration_s=round(time.monotonic() - started, 3),
    )


def _testbench(problem: Problem) -> str:
    return problem.test_path.read_text(encoding="utf-8") if problem.test_path else ""


def _distrust(run: SeedRun, reference: ReferenceRun) -> str | None:
    """Why a run whose log passes is not a trusted pass, or None when it is one."""
    report = run.harness
    problem = report.problem()
    if problem is not None:
        return problem
    if report.errors:
        return (
            f"the log passes, but the testbench counted {report.errors} mismatches "
            f"in {report.total} samples"
        )
    if report.total != reference.total:
        return (
            f"the testbench compared {report.total} samples, the reference's run on the same "
            f"stimulus {reference.total} (the simulation did not run as the testbench runs it)"
        )
    if report.streams != reference.streams:
        return (
            "the random streams end elsewhere than in the reference's run (the sample drew "
            "from or reseeded them, which can undo the shift)"
        )
    return None


@dataclass(frozen=True)
class ReferenceRun:
    """What the harness reported of the reference's own run under one shift."""

    total: int  # samples the testbench compared
    streams: str  # where the random streams ended


@cache
def reference_runs(
    problem: Problem,
    shifts: tuple[int, ...],
    timeout_s: float,
    workdir: Path | None,
    cache_dir: Path | None,
    sandboxed: bool,
) -> dict[int, ReferenceRun]:
    """What the harness reports when the reference is the sample, under each shift: one
    compile and a run per shift, once per worker process and problem, kept in the result
    cache. Asked for only once a sample's first seed passes. ValueError when the
    reference itself is no trusted pass under a shift (or compares nothing)."""
    key = _reference_key(problem, shifts, sandboxed)
    store = None if cache_dir is None else result_store(cache_dir)
    try:
        known = store.get(key) if store is not None else None
        if isinstance(known, list) and len(known) == len(shifts):
            return {draws: ReferenceRun(*run) for draws, run in zip(shifts, known, strict=True)}
        runs = run_seeds(
            problem,
            reference_sample(problem),
            shifts,
            timeout_s=timeout_s,
            workdir=workdir,
            sandboxed=sandboxed,
        )
        found = {}
        for run in runs:
            total, streams = run.harness.total, run.harness.streams
            if not run.passed or run.harness.problem() is not None or not total or not streams:
                why = run.mismatch_line or run.harness.problem() or f"{total} samples"
                raise ValueError(
                    f"{problem.name}: the reference itself is no trusted pass under shift "
                    f"{run.draws} ({why})"
                )
            found[run.draws] = ReferenceRun(total, streams)
        if store is not None:
            store.put(key, [[found[draws].total, found[draws].streams] for draws in shifts])
        return found
    finally:
        if store is not None:
            store.close()


def _reference_key(problem: Problem, shifts: tuple[int, ...], sandboxed: bool) -> str:
    digest = hashlib.sha256(b"plus reference runs\0")
    settings = [TRUST_RULES, sim.simulator_version(), sim.COMPILE_FLAGS, shifts, sandboxed]
    digest.update(repr(settings).encode())
    for path in (problem.test_path, problem.ref_path):
        if path is not None:
            digest.update(b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def plus_settings(config: PlusConfig) -> dict[str, Any]:
    """What decides a plus verdict besides the sample and the problem: run.json, cache key.

    The shifts are secret from the samples, not from the user: run.json keeps them so a
    resumed run keeps its own, and `--plus-seeds` can give them again to reproduce it.
    """
    return {
        "seeds": config.seeds,
        "shifts": list(config.shifts),
        "seed_policy": SEED_POLICY,
        "trust_rules": TRUST_RULES,
        "timeout_s": config.timeout_s,
    }


@dataclass(frozen=True)
class PlusSettings:
    """The plus settings as run.json records them (plus_settings), read back; a field an
    earlier version did not record is None."""

    seeds: int | None = None
    shifts: tuple[int, ...] = ()
    seed_policy: str | None = None
    trust_rules: int | None = None
    timeout_s: float | None = None


def plus_record(config: PlusConfig) -> PlusSettings:
    """`plus_settings` as its record: what run.json holds and a resume compares."""
    return PlusSettings(**plus_settings(config) | {"shifts": tuple(config.shifts)})


def resumed_plus(config: PlusConfig, recorded: PlusSettings | None) -> PlusConfig:
    """A resumed run keeps the shifts its run.json recorded, when this invocation drew its
    own (no shifts given) and asks for as many; otherwise the resume check names the
    difference."""
    if not config.drawn or recorded is None or recorded.seed_policy != SEED_POLICY:
        return config
    if len(recorded.shifts) != config.seeds:
        return config
    return replace(config, shifts=recorded.shifts, drawn=False)
