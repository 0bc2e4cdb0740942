"""Compile and run one sample exactly as the official flow does, inside limits.

The official Makefile runs `iverilog -Wall -Winfloop -Wno-timescale -g2012 -s tb -o X
sample test ref`, then `timeout 30 ./X`, appending both outputs to one log and a line
`TIMEOUT` when the time limit hit. We run the same commands with three differences that
cannot change a grade: the compile and the run each get a fresh workspace of their own
(the official flow lets every sample share one folder and one `wave.vcd`), the run sees
the compiled binary read-only, vvp runs with `-none` so the testbench's `$dumpfile`
writes nothing unless a waveform is asked for, and the children run under memory,
file-size, CPU and output limits, inside a bubblewrap sandbox (verilogeval.execution.sandbox.host)
unless asked not to, where a timeout kills everything they started.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

# Re-exported: the simulator and the limits every command runs under, in cache keys.
from verilogeval.execution.icarus import simulator_major as simulator_major
from verilogeval.execution.icarus import simulator_version as simulator_version
from verilogeval.execution.sandbox.host import Command, Runner, runner
from verilogeval.execution.sandbox.isolation import FILE_LIMIT_BYTES as FILE_LIMIT_BYTES
from verilogeval.execution.sandbox.isolation import KILL_GRACE_S as KILL_GRACE_S
from verilogeval.execution.sandbox.isolation import MEMORY_LIMIT_BYTES as MEMORY_LIMIT_BYTES
from verilogeval.execution.sandbox.isolation import OUTPUT_CAP_BYTES as OUTPUT_CAP_BYTES
from verilogeval.records import ExecResult, Problem, Sample, SimResult

COMPILE_FLAGS = ("-Wall", "-Winfloop", "-Wno-timescale", "-g2012", "-s", "tb")
DEFAULT_TIMEOUT_S = 30.0
PAPER_MAJOR_VERSION = 12  # the Icarus release "Revisiting VerilogEval" graded with

TIMEOUT_LINE = "TIMEOUT\n"  # what the official Makefile appends when `timeout` fires

# Fixed names inside the sample's folder: logs never depend on where the dataset lives.
_SAMPLE, _TEST, _REF, _BINARY, _WAVE = "sample.sv", "test.sv", "ref.sv", "sim", "wave.vcd"


def simulate(
    problem: Problem,
    sample: Sample,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    workdir: Path | None = None,
    wave_path: Path | None = None,
    sandboxed: bool = True,
) -> SimResult:
    """Grade-ready compile and run of `sample`; top level so a process pool can call it.

    `workdir` holds the per-command temporary folders without the sandbox (default: the
    system's temporary folder). With `wave_path`, the testbench's wave.vcd is kept there.
    """
    if problem.test_path is None:
        raise ValueError(f"{problem.name}: no Verilog testbench (_test.sv) to simulate with")
    sources = {
        _SAMPLE: sample.code.encode("utf-8"),
        _TEST: problem.test_path.read_bytes(),
        _REF: problem.ref_path.read_bytes(),
    }
    compile_argv = ("iverilog", *COMPILE_FLAGS, "-o", _BINARY, _SAMPLE, _TEST, _REF)
    dump = () if wave_path else ("-none",)
    simulation = Simulation(
        build=Command(compile_argv, sources, (_BINARY,), timeout_s),
        runs=(("vvp", _BINARY, *dump),),
        run_outputs=(_WAVE,) if wave_path else (),
    )
    (simulated,) = simulate_files(runner(workdir, sandboxed), sample, simulation)
    if wave_path is not None and _WAVE in simulated.files:
        wave_path.parent.mkdir(parents=True, exist_ok=True)
        wave_path.write_bytes(simulated.files[_WAVE])
    return simulated.result


@dataclass(frozen=True)
class Simulation:
    """One sample's simulation as commands: a build, then runs of what it built.

    The official grade, plus's shifted seeds, a cocotb testbench and formal's replay
    differ only in these commands; `simulate_files` runs any of them the same way.
    """

    build: Command  # its `outputs` are what the runs need: all of them, or nothing runs
    runs: tuple[tuple[str, ...], ...]  # each run's argv, in order, under the build's limit
    run_inputs: Mapping[str, bytes] = field(default_factory=dict)  # beside the built files
    run_outputs: tuple[str, ...] = ()  # files each run gives back (a waveform, say)
    build_must_succeed: bool = False  # a build that exited non-zero runs nothing (cocotb's
    # build step may leave its files behind when it fails; iverilog's never does, and the
    # official flow runs whatever binary it left)


@dataclass(frozen=True)
class Simulated:
    """One run of a Simulation: its SimResult and the `run_outputs` that came back."""

    result: SimResult
    files: Mapping[str, bytes]


def simulate_files(
    commands: Runner,
    sample: Sample,
    simulation: Simulation,
    *,
    inspect: Callable[[Mapping[str, bytes]], None] | None = None,
) -> Iterator[Simulated]:
    """Build, then each run in order: one Simulated per run, or a single one without a
    run when nothing was built (a compile error, a time-out).

    Each run sees only the built files and `run_inputs`, read-only, in a workspace of
    its own: nothing it does reaches the sources or the build, and nothing of the build
    is left for it. Lazy: a caller that has seen enough (plus: the first failing seed)
    stops iterating, and the later runs never start. `inspect` reads the built files
    before anything of the sample runs, and raises to refuse them.
    """
    build = simulation.build
    compiled = commands.execute(build)

    def result(ran: ExecResult | None) -> SimResult:
        return SimResult(
            problem=sample.problem,
            sample=sample.sample,
            compile=compiled.result,
            run=ran,
            simulator=simulator_version(),
            timeout_s=build.timeout_s,
            code=sample.code,
        )

    built = {name: compiled.files[name] for name in build.outputs if name in compiled.files}
    failed = simulation.build_must_succeed and compiled.result.returncode != 0
    if compiled.result.timed_out or failed or len(built) < len(build.outputs):
        yield Simulated(result(None), {})
        return
    if inspect is not None:
        inspect(built)
    inputs = {**simulation.run_inputs, **built}
    for argv in simulation.runs:
        ran = commands.execute(Command(argv, inputs, simulation.run_outputs, build.timeout_s))
        yield Simulated(result(ran.result), ran.files)


def official_log(result: SimResult) -> str:
    """The sample's `-sv-iv-test.log` as the official Makefile writes it (a v1 result, its
    stderr kept apart, reads as stderr then stdout)."""
    parts = [result.compile.stderr or "", result.compile.output]
    if result.compile.timed_out:
        parts.append(TIMEOUT_LINE)
    if result.run is not None:
        parts.append(result.run.output)
        if result.run.timed_out:
            parts.append(TIMEOUT_LINE)
    return "".join(parts)


def version_warning(version: str) -> str | None:
    """A warning when results may differ from the paper's Icarus, else None."""
    if simulator_major(version) == PAPER_MAJOR_VERSION:
        return None
    return (
        f"warning: grading with {version}; the VerilogEval paper used Icarus Verilog "
        f"{PAPER_MAJOR_VERSION}, so some verdicts may differ "
        "(Icarus 13 is known not to compile the official testbenches)"
    )
