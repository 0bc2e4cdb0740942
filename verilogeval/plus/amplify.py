"""The official testbench, rerun with its random streams shifted: more stimulus, same judge.

In Icarus, `$random` and `$urandom` without a seed argument each draw from one global seed.
A harness-owned extra root module, elaborated before `tb`, reads a plusarg and draws N
values of each at time zero; every draw the testbench makes afterwards comes N places
later in the stream. So its whole stimulus changes while its domain and its comparator
(X rules included) stay exactly the official ones. The sample compiles once and runs
once per seed, stopping at the first seed it fails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from verilogeval.classify import classify
from verilogeval.plus.origins import design_origin_issues
from verilogeval.records import Category, Problem, Sample, SimResult
from verilogeval.sandbox import Command, runner
from verilogeval.simulate import COMPILE_FLAGS, official_log, simulator_version

SHIFT_TOP = "verilogeval_seed_shift"
SHIFT_PLUSARG = "verilogeval_shift"
# Seed k draws k * SHIFT_STEP values of each stream first: windows far apart, so the
# stimulus of two seeds does not overlap for any official testbench's length.
SHIFT_STEP = 7919
SHIFT_SOURCE = f"""\
module {SHIFT_TOP};
  integer verilogeval_draws, verilogeval_i, verilogeval_value;
  initial begin
    if (!$value$plusargs("{SHIFT_PLUSARG}=%d", verilogeval_draws)) verilogeval_draws = 0;
    for (verilogeval_i = 0; verilogeval_i < verilogeval_draws; verilogeval_i = verilogeval_i + 1)
    begin
      verilogeval_value = $random;
      verilogeval_value = $urandom;
    end
  end
endmodule
"""
# A call without a seed argument: `$random`, `$random()`, not `$random(seed)`.
_UNSEEDED_DRAW = re.compile(r"\$u?random\b(?!\s*\(\s*[^\s)])")
_SAMPLE, _TEST, _REF, _SHIFT, _BINARY = "sample.sv", "test.sv", "ref.sv", "shift.sv", "sim"


class ForeignDesign(Exception):
    """The compiled simulation is not the testbench, reference and sample it should be."""

    def __init__(self, reasons: tuple[str, ...]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


ORIGINS = {"tb": _TEST, "RefModule": _REF, "TopModule": _SAMPLE, SHIFT_TOP: _SHIFT}


def shifts_stimulus(testbench_source: str) -> bool:
    """Whether shifting the global streams changes this testbench's stimulus at all."""
    return _UNSEEDED_DRAW.search(testbench_source) is not None


def amplified_compile_argv() -> tuple[str, ...]:
    """The official compile command with the shift module as the first root."""
    flags = list(COMPILE_FLAGS)
    top = flags.index("-s")
    flags[top:top] = ["-s", SHIFT_TOP]
    return ("iverilog", *flags, "-o", _BINARY, _SAMPLE, _TEST, _REF, _SHIFT)


@dataclass(frozen=True)
class SeedRun:
    """The official testbench's verdict under one shifted seed."""

    seed: int
    draws: int  # values of each stream drawn before the testbench starts
    category: Category
    mismatch_line: str | None  # `Mismatches: N in M samples`, or the deciding line
    log: str  # the run's output, for the tamper check of its verdict lines

    @property
    def passed(self) -> bool:
        return self.category is Category.PASS


def run_seeds(
    problem: Problem,
    sample: Sample,
    seeds: int,
    *,
    timeout_s: float,
    workdir: Path | None,
    sandboxed: bool,
) -> tuple[SeedRun, ...]:
    """Seeds 1..`seeds` in order, up to and including the first that fails (0: compile only).

    ForeignDesign when the compiled design's `tb`, RefModule or TopModule does not come
    from its own file (read before the sample's code ever runs in this folder).
    """
    if problem.test_path is None:
        raise ValueError(f"{problem.name}: no Verilog testbench (_test.sv) to amplify")
    sources = {
        _SAMPLE: sample.code.encode("utf-8"),
        _TEST: problem.test_path.read_bytes(),
        _REF: problem.ref_path.read_bytes(),
        _SHIFT: SHIFT_SOURCE.encode("utf-8"),
    }
    commands = runner(workdir, sandboxed)
    compiled = commands.execute(Command(amplified_compile_argv(), sources, (_BINARY,), timeout_s))
    binary = None if compiled.result.timed_out else compiled.files.get(_BINARY)
    if binary is not None:  # checked before the sample's code ever runs
        issues = design_origin_issues(binary.decode("latin-1"), ORIGINS, roots=("tb", SHIFT_TOP))
        if issues:
            raise ForeignDesign(issues)
    elif seeds == 0:  # no seed run will say why: nothing compiled is nothing checked
        raise ForeignDesign(("the plus compile made no simulation to check",))
    runs: list[SeedRun] = []
    for seed in range(1, seeds + 1):
        draws = seed * SHIFT_STEP
        ran = None
        if binary is not None:  # each seed runs the same bytes, read-only, in a fresh workspace
            argv = ("vvp", _BINARY, "-none", f"+{SHIFT_PLUSARG}={draws}")
            ran = commands.execute(Command(argv, {_BINARY: binary}, timeout_s=timeout_s)).result
        result = SimResult(
            problem.name,
            sample.sample,
            compiled.result,
            ran,
            simulator_version(),
            timeout_s,
            sample.code,
        )
        runs.append(_seed_run(seed, draws, result))
        if not runs[-1].passed:
            break
    return tuple(runs)


def _seed_run(seed: int, draws: int, result: SimResult) -> SeedRun:
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
    )
