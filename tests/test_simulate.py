"""The simulation sandbox: official command line, own folder, limits, timeouts."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import pytest
from problems import embedded_problem, reference_sample

from verilogeval.execution.sandbox import isolation
from verilogeval.execution.sandbox.host import Command, Execution, Unsandboxed
from verilogeval.grading import simulate as sim
from verilogeval.grading.classify import classify
from verilogeval.grading.simulate import (
    Simulation,
    official_log,
    simulate,
    simulate_files,
    simulator_version,
    version_warning,
)
from verilogeval.records import Category, ExecResult, Problem, Sample, SimResult, Task


@pytest.fixture(scope="module")
def problem() -> Problem:
    """A small combinational problem of the embedded dataset."""
    return embedded_problem()


def leftovers(folder: Path) -> list[Path]:
    """Everything under `folder` (the sandbox keeps nothing there; --no-sandbox's folders
    are removed after each command)."""
    return list(folder.rglob("*"))


def test_version_warning_names_the_paper_version():
    assert version_warning("Icarus Verilog version 12.0 (stable)") is None
    warning = version_warning("Icarus Verilog version 11.0 (stable)")
    assert warning is not None and "12" in warning and "13" in warning


@pytest.mark.icarus
def test_simulator_version_is_parsed():
    assert simulator_version().startswith("Icarus Verilog version ")
    assert sim.simulator_major(simulator_version()) is not None


@pytest.mark.icarus
def test_reference_passes_with_the_official_command_and_leaves_nothing(problem, tmp_path):
    result = simulate(problem, reference_sample(problem), workdir=tmp_path)
    assert result.compile.argv[:7] == ("iverilog", *sim.COMPILE_FLAGS)
    assert result.compile.returncode == 0 and result.run is not None
    assert result.run.argv == ("vvp", "sim", "-none")  # no wave.vcd
    assert classify(result).category is Category.PASS
    assert result.code == reference_sample(problem).code
    assert leftovers(tmp_path) == []  # the sample's folder is gone


@pytest.mark.icarus
def test_wave_is_written_only_when_asked(problem, tmp_path):
    # the official testbenches call $dumpfile("wave.vcd"); the embedded ones do not
    dump = 'initial begin $dumpfile("wave.vcd"); $dumpvars; end'
    result = simulate(problem, reference_sample(problem, dump), workdir=tmp_path)
    assert result.run is not None and "dumping is suppressed" in result.run.output
    wave = tmp_path / "waves" / "s.vcd"
    result = simulate(problem, reference_sample(problem, dump), workdir=tmp_path, wave_path=wave)
    assert result.run is not None and result.run.argv == ("vvp", "sim")
    assert wave.read_text().startswith("$date")


@pytest.mark.icarus
def test_compile_failure_has_no_run(problem, tmp_path):
    result = simulate(problem, reference_sample(problem, "assign = ;"), workdir=tmp_path)
    assert result.run is None and result.compile.returncode != 0
    assert official_log(result) == result.compile.output
    assert "sample.sv:" in result.compile.output  # fixed names, wherever the dataset lives
    assert classify(result).category is Category.SYNTAX


@pytest.mark.icarus
def test_samples_never_see_each_others_files(problem, tmp_path):
    writer = 'initial begin : w integer f; f = $fopen("leak.txt", "w"); $fclose(f); end'
    reader = (
        'initial begin : r integer f; f = $fopen("leak.txt", "r");'
        ' if (f != 0) $display("LEAK SEEN"); end'
    )
    simulate(problem, reference_sample(problem, writer), workdir=tmp_path)
    result = simulate(problem, reference_sample(problem, reader), workdir=tmp_path)
    assert result.run is not None and "LEAK SEEN" not in result.run.output


@pytest.mark.icarus
def test_timeout_terminates_like_the_official_flow(problem, tmp_path):
    hang = "initial begin : hang forever begin end end"
    started = time.monotonic()
    # The limit also bounds the compile: it leaves room for a compile on a loaded machine.
    limit = 8.0
    result = simulate(problem, reference_sample(problem, hang), timeout_s=limit, workdir=tmp_path)
    assert time.monotonic() - started < 2 * limit + sim.KILL_GRACE_S + 60  # killed, not waited
    assert result.run is not None and result.run.timed_out and result.run.returncode is None
    assert official_log(result).endswith("TIMEOUT\n")
    assert classify(result).category is Category.TIMEOUT
    assert leftovers(tmp_path) == []


@pytest.mark.icarus
def test_output_is_capped_head_and_tail(problem, tmp_path):
    spam = 'initial begin : spam repeat (60000) $display("%0100d", 0); end'
    result = simulate(problem, reference_sample(problem, spam), workdir=tmp_path)
    assert result.run is not None and result.run.truncated
    assert len(result.run.output.encode()) < sim.OUTPUT_CAP_BYTES + 200
    assert "bytes of output cut" in result.run.output
    assert classify(result).category is Category.PASS  # the verdict lines are in the tail


@pytest.mark.icarus
def test_file_size_limit_stops_a_runaway_writer(problem, tmp_path, monkeypatch):
    # unsandboxed: the patched limit must apply in this process (the sandbox's agent is another)
    monkeypatch.setattr(isolation, "FILE_LIMIT_BYTES", 1 << 20)
    writer = (
        'initial begin : w integer f; f = $fopen("big.txt", "w");'
        ' repeat (100000) $fdisplay(f, "%0100d", 0); $display("WROTE ALL"); end'
    )
    result = simulate(problem, reference_sample(problem, writer), workdir=tmp_path, sandboxed=False)
    assert result.run is not None
    assert "WROTE ALL" not in result.run.output
    assert result.run.returncode != 0


@pytest.mark.icarus
def test_missing_testbench_is_refused(tmp_path):
    problem = Problem(
        name="Prob001_x",
        number=1,
        task=Task.SPEC_TO_RTL,
        folder=tmp_path,
        prompt="p",
        ref_path=tmp_path / "ref.sv",
        test_path=None,
    )
    with pytest.raises(ValueError, match="Prob001_x"):
        simulate(problem, Sample("Prob001_x", 1, "module TopModule; endmodule"))


def test_official_log_is_compile_then_run_then_timeout_mark():
    def result(run: ExecResult | None) -> SimResult:
        compiled = ExecResult(argv=("iverilog",), returncode=0, output="c\n", duration_s=0.1)
        return SimResult("Prob001_x", 1, compiled, run, "Icarus", 30.0)

    ran = ExecResult(argv=("vvp",), returncode=0, output="r\n", duration_s=0.1)
    killed = ExecResult(("vvp",), None, "r\n", 1.0, timed_out=True)
    assert official_log(result(ran)) == "c\nr\n"
    assert official_log(result(killed)) == "c\nr\nTIMEOUT\n"
    assert official_log(result(None)) == "c\n"


class _Counting:
    """A real runner that keeps the argv of every command it executed."""

    def __init__(self, workdir: Path) -> None:
        self.runner = Unsandboxed(workdir)
        self.argvs: list[tuple[str, ...]] = []

    def execute(self, command: Command) -> Execution:
        self.argvs.append(command.argv)
        return self.runner.execute(command)


def _two_runs(problem: Problem, sample: Sample) -> Simulation:
    assert problem.test_path is not None
    sources = {
        "sample.sv": sample.code.encode(),
        "test.sv": problem.test_path.read_bytes(),
        "ref.sv": problem.ref_path.read_bytes(),
    }
    argv = ("iverilog", *sim.COMPILE_FLAGS, "-o", "sim", "sample.sv", "test.sv", "ref.sv")
    return Simulation(
        build=Command(argv, sources, ("sim",), 60.0),
        runs=(("vvp", "sim", "-none"), ("vvp", "sim", "-none", "+second")),
    )


@pytest.mark.icarus
def test_simulate_files_builds_once_and_runs_only_what_the_caller_reads(problem, tmp_path):
    commands, sample = _Counting(tmp_path), reference_sample(problem)
    runs = simulate_files(commands, sample, _two_runs(problem, sample))
    first = next(runs)
    assert classify(first.result).category is Category.PASS
    assert first.result.code == sample.code
    assert [argv[0] for argv in commands.argvs] == ["iverilog", "vvp"]  # the second: not yet
    second = next(runs)
    assert second.result.run is not None and second.result.run.argv[-1] == "+second"
    assert [argv[0] for argv in commands.argvs] == ["iverilog", "vvp", "vvp"]


@pytest.mark.icarus
def test_simulate_files_runs_nothing_when_nothing_was_built_or_inspect_refuses(problem, tmp_path):
    commands = _Counting(tmp_path)
    broken = Sample(problem.name, 1, "module TopModule(; endmodule")
    (only,) = simulate_files(commands, broken, _two_runs(problem, broken))
    assert only.result.run is None and classify(only.result).category is Category.SYNTAX
    assert len(commands.argvs) == 1

    def refuse(built: Mapping[str, bytes]) -> None:
        assert set(built) == {"sim"}
        raise ValueError("not the design it should be")

    commands.argvs.clear()
    sample = reference_sample(problem)
    with pytest.raises(ValueError, match="not the design"):
        next(simulate_files(commands, sample, _two_runs(problem, sample), inspect=refuse))
    assert [argv[0] for argv in commands.argvs] == ["iverilog"]  # refused before any run


@pytest.mark.icarus
def test_simulate_files_with_build_must_succeed_runs_nothing_after_a_failed_build(
    problem, tmp_path
):
    """cocotb's build may leave its files behind and still fail: then nothing runs."""
    build = Command(("sh", "-c", "echo built > sim; exit 3"), {}, ("sim",), 60.0)
    simulation = Simulation(build=build, runs=(("cat", "sim"),), build_must_succeed=True)
    sample = reference_sample(problem)
    (only,) = simulate_files(_Counting(tmp_path), sample, simulation)
    assert only.result.run is None and only.result.compile.returncode == 3
    ran = simulate_files(_Counting(tmp_path), sample, replace(simulation, build_must_succeed=False))
    (after,) = ran
    assert after.result.run is not None and after.result.run.output == "built\n"
