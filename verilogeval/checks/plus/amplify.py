"""The official testbench, rerun with its random streams shifted: more stimulus, same judge.

In Icarus, `$random` and `$urandom` without a seed argument each draw from one global seed.
A harness-owned extra root module, elaborated before `tb`, reads a plusarg and draws N
values of each at time zero; every draw the testbench makes afterwards comes N places
later in the stream. So its whole stimulus changes while its domain and its comparator
(X rules included) stay exactly the official ones. The sample compiles once and runs
once per seed, stopping at the first seed it fails. The shifts are drawn at random for
each run (verilogeval.checks.plus.harness.secret_shifts), so no sample can know its stimulus.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from verilogeval.checks.plus.harness import (
    HARNESS_TOP,
    HarnessReport,
    drawn_streams,
    harness_plusargs,
    harness_report,
    harness_source,
    new_secret,
    testbench_counters,
)
from verilogeval.checks.tamper.origins import design_origin_issues
from verilogeval.execution.sandbox.host import Command, runner
from verilogeval.grading.classify import classify
from verilogeval.grading.simulate import (
    COMPILE_FLAGS,
    Simulation,
    official_log,
    simulate_files,
)
from verilogeval.records import Category, Problem, Sample, SimResult

_SAMPLE, _TEST, _REF, _HARNESS, _BINARY = "sample.sv", "test.sv", "ref.sv", "harness.sv", "sim"


class ForeignDesign(Exception):
    """The compiled simulation is not the testbench, reference and sample it should be."""

    def __init__(self, reasons: tuple[str, ...]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


ORIGINS = {"tb": _TEST, "RefModule": _REF, "TopModule": _SAMPLE, HARNESS_TOP: _HARNESS}


def shifts_stimulus(testbench_source: str) -> bool:
    """Whether shifting the global streams changes this testbench's stimulus at all."""
    return bool(drawn_streams(testbench_source))


def amplified_compile_argv() -> tuple[str, ...]:
    """The official compile command with the harness as the first root, the sample last
    (see verilogeval.checks.plus.harness: nothing it leaves open can swallow another file)."""
    flags = list(COMPILE_FLAGS)
    top = flags.index("-s")
    flags[top:top] = ["-s", HARNESS_TOP]
    return ("iverilog", *flags, "-o", _BINARY, _TEST, _REF, _HARNESS, _SAMPLE)


@dataclass(frozen=True)
class SeedRun:
    """The official testbench's verdict under one shifted seed, and the harness's."""

    seed: int  # 1..K; 0: the unshifted stimulus
    draws: int  # values of each stream drawn before the testbench starts
    category: Category
    mismatch_line: str | None  # `Mismatches: N in M samples`, or the deciding line
    log: str  # the run's output, for the tamper check of its verdict lines
    harness: HarnessReport  # the trusted counters, from the line only the harness can print

    @property
    def passed(self) -> bool:
        """Passed by the log and by the harness's own count (its total is judged later)."""
        return self.category is Category.PASS and self.harness.errors == 0


def run_seeds(
    problem: Problem,
    sample: Sample,
    shifts: Sequence[int],
    *,
    timeout_s: float,
    workdir: Path | None,
    sandboxed: bool,
) -> tuple[SeedRun, ...]:
    """One run per shift in order (seed k draws `shifts[k-1]` values first; a shift of 0
    is seed 0, the official stimulus), up to and including the first that fails.

    Each run gets its own secret, which only the harness reads (see plus.harness).
    ForeignDesign when the compiled design's `tb`, RefModule or TopModule does not come
    from its own file (read before the sample's code ever runs).
    """
    if problem.test_path is None:
        raise ValueError(f"{problem.name}: no Verilog testbench (_test.sv) to amplify")
    testbench = problem.test_path.read_text(encoding="utf-8")
    reference = problem.ref_path.read_text(encoding="utf-8")
    counters = testbench_counters(testbench)
    harness = harness_source(counters, drawn_streams(testbench), testbench, reference)
    sources = {
        _SAMPLE: sample.code.encode("utf-8"),
        _TEST: testbench.encode("utf-8"),
        _REF: reference.encode("utf-8"),
        _HARNESS: harness.encode("utf-8"),
    }
    draws_and_secrets = [(draws, new_secret()) for draws in shifts]
    simulation = Simulation(
        build=Command(amplified_compile_argv(), sources, (_BINARY,), timeout_s),
        runs=tuple(
            ("vvp", _BINARY, "-none", *harness_plusargs(draws, secret))
            for draws, secret in draws_and_secrets
        ),
    )

    def same_origins(built: Mapping[str, bytes]) -> None:
        """Checked before the sample's code ever runs."""
        text = built[_BINARY].decode("latin-1")
        issues = design_origin_issues(text, ORIGINS, roots=("tb", HARNESS_TOP))
        if issues:
            raise ForeignDesign(issues)

    runs: list[SeedRun] = []
    simulated = simulate_files(runner(workdir, sandboxed), sample, simulation, inspect=same_origins)
    # each seed runs the same bytes, read-only, in a fresh workspace; one result without a
    # run when nothing was built, and it fails
    for index, ((draws, secret), seed_run) in enumerate(
        zip(draws_and_secrets, simulated, strict=False), start=1
    ):
        runs.append(_seed_run(index if draws else 0, draws, seed_run.result, secret))
        if not runs[-1].passed:
            break
    return tuple(runs)


def _seed_run(seed: int, draws: int, result: SimResult, secret: str) -> SeedRun:
    verdict = classify(result)
    if verdict.mismatches is not None:
        line = f"Mismatches: {verdict.mismatches} in {verdict.total} samples"
        failing = [o.output for o in verdict.outputs]
        if failing:
            line += f" (outputs {', '.join(failing)})"
    else:
        line = verdict.first_error or str(verdict.category)
    return SeedRun(
        seed=seed,
        draws=draws,
        category=verdict.category,
        mismatch_line=None if verdict.passed else line,
        log=official_log(result) if result.run is None else result.run.output,
        harness=harness_report("" if result.run is None else result.run.output, secret),
    )
