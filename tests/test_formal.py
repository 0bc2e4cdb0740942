"""Formal equivalence (Yosys): known-wrong mutants of references are never proven and are
disproved with a counterexample Icarus confirms; known-equivalent rewrites are proven."""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from verilogeval.checks.formal.check import FormalConfig, formal_check
from verilogeval.checks.formal.replay import replay_testbench
from verilogeval.checks.formal.result import FormalResult, FormalStatus, disproved
from verilogeval.checks.formal.selfcheck import check_references, reference_report
from verilogeval.checks.formal.yosys import Edge, Outcome, Phase, read_report, with_assumptions
from verilogeval.execution.interface import read_interfaces
from verilogeval.execution.pools import LocalPool, Place
from verilogeval.grading.classify import classify
from verilogeval.grading.ports.domains import load_domains, parse_domains
from verilogeval.grading.ports.pairing import diff_ports
from verilogeval.grading.simulate import simulate
from verilogeval.grading.time_limits import reference_sample
from verilogeval.records import Category, Problem, Sample, Task

CONFIG = FormalConfig(depth=12, timeout_s=120)

# (problem, text in the reference, its replacement): each fails the official testbench.
WRONG = [
    ("Prob020_mt2015_eq2", "A[1:0]==B[1:0]", "A[0]==B[0]"),  # the opt_clean false proof
    ("Prob034_dff8", "initial\n    q = 8'h0;", ""),  # lost `initial` value
    ("Prob071_always_casez", "pos = 3'h2;", "pos = 3'h3;"),
    ("Prob097_mux9to1v", "out = '1;", "out = '0;"),
    ("Prob115_shift18", "q <= {q[63], q[63:1]};", "q <= {1'b0, q[63:1]};"),
    ("Prob132_always_if2", "keep_driving = !gas_tank_empty;", "keep_driving = gas_tank_empty;"),
    ("Prob068_countbcd", "q[3:0] == 4'h9", "q[3:0] == 4'h8"),
    ("Prob095_review2015_fsmshift", "B3: next = Done;", "B3: next = B0;"),
    ("Prob079_fsm3onehot", "state[C] & in;", "state[B] & in;"),
]

# Wrong, but the first difference is ~1000 cycles deep: bounded, never proven.
DEEP = ("Prob037_review2015_count1k", "q == 999", "q == 998")

# (problem, text in the reference, its replacement): equivalent in the problem's domain.
EQUIVALENT = [
    ("Prob020_mt2015_eq2", "assign z = A[1:0]==B[1:0];", "assign z = ~|(A ^ B);"),
    ("Prob037_review2015_count1k", "q <= q+1;", "q <= q + 10'd1;"),
    ("Prob034_dff8", "initial\n    q = 8'h0;", "initial q = 0;"),
    # differs only on states with two bits set: outside the one-hot domain of domains.toml
    ("Prob079_fsm3onehot", "(state[A] | state[C]) & ~in", "(state[A] ^ state[C]) & ~in"),
]


def mutant(problem: Problem, old: str, new: str) -> Sample:
    source = reference_sample(problem).code
    assert old in source, f"{problem.name}: mutation target {old!r} not found"
    return Sample(problem.name, 1, source.replace(old, new, 1))


@pytest.fixture(scope="module")
def official(official_problems) -> dict[str, Problem]:
    return official_problems[Task.SPEC_TO_RTL]


@pytest.mark.icarus
@pytest.mark.yosys
@pytest.mark.parametrize(("name", "old", "new"), WRONG, ids=[w[0] for w in WRONG])
def test_wrong_mutants_are_disproved_and_icarus_confirms(
    official: dict[str, Problem], name: str, old: str, new: str, tmp_path: Path
) -> None:
    problem = official[name]
    sample = mutant(problem, old, new)
    verdict = classify(simulate(problem, sample))
    assert verdict.category is Category.RUNTIME, "the mutant must fail the official testbench"
    vcd = tmp_path / "cex.vcd"
    result = formal_check(problem, sample, CONFIG, vcd_path=vcd)
    assert result.status is FormalStatus.DISPROVED, result.describe()
    assert disproved(result) and disproved(result.to_json())
    example = result.counterexample
    assert example is not None and example.steps and example.ref != example.dut
    assert vcd.is_file() and "$var" in vcd.read_text() and result.vcd == "cex.vcd"


@pytest.mark.icarus
@pytest.mark.yosys
def test_a_difference_deeper_than_the_bound_is_bounded_not_proven(
    official: dict[str, Problem],
) -> None:
    name, old, new = DEEP
    problem = official[name]
    sample = mutant(problem, old, new)
    assert classify(simulate(problem, sample)).category is Category.RUNTIME
    result = formal_check(problem, sample, CONFIG)
    assert result.status is FormalStatus.BOUNDED, result.describe()
    assert result.depth == CONFIG.depth and "induction" in (result.reason or "")


@pytest.mark.icarus
@pytest.mark.yosys
@pytest.mark.parametrize(("name", "old", "new"), EQUIVALENT, ids=[e[0] for e in EQUIVALENT])
def test_equivalent_rewrites_are_proven(
    official: dict[str, Problem], name: str, old: str, new: str
) -> None:
    problem = official[name]
    result = formal_check(problem, mutant(problem, old, new), CONFIG)
    assert result.status is FormalStatus.PROVEN, result.describe()
    assert not disproved(result)


@pytest.mark.yosys
def test_a_difference_outside_the_domain_is_found_without_the_assumption(
    official: dict[str, Problem], tmp_path: Path
) -> None:
    """The one-hot rewrite above is proven only thanks to domains.toml: without it the
    difference is real (and Icarus shows it)."""
    problem = official["Prob079_fsm3onehot"]
    renamed = replace(problem, name="Prob079_no_domain")
    old, new = EQUIVALENT[-1][1:]
    result = formal_check(renamed, mutant(problem, old, new), CONFIG)
    assert result.status is FormalStatus.DISPROVED, result.describe()


@pytest.mark.yosys
def test_references_against_themselves(official: dict[str, Problem]) -> None:
    """A subset of `check --formal`: combinational, sequential with and without reset,
    latch-like FSM logic (a latch: outside the subset formal speaks for), falling edge, both
    edges, and a reference Yosys 0.23 cannot read."""
    names = [
        "Prob001_zero",
        "Prob046_dff8p",
        "Prob078_dualedge",
        "Prob095_review2015_fsmshift",
        "Prob109_fsm1",
        "Prob151_review2015_fsm",
    ]
    with LocalPool(2, Place(workdir=None, cache_dir=None, sandboxed=True)) as pool:
        checked = check_references([official[n] for n in names], CONFIG, pool)
    results = {r.problem: r for r in checked}
    statuses = {name: results[name].status for name in names}
    assert statuses == {
        "Prob001_zero": FormalStatus.PROVEN,
        "Prob046_dff8p": FormalStatus.PROVEN,
        "Prob078_dualedge": FormalStatus.UNSUPPORTED,
        "Prob095_review2015_fsmshift": FormalStatus.UNSUPPORTED,
        "Prob109_fsm1": FormalStatus.PROVEN,
        "Prob151_review2015_fsm": FormalStatus.UNSUPPORTED,
    }
    assert "a latch" in (results["Prob095_review2015_fsmshift"].reason or "")
    report = reference_report(list(results.values()))
    assert report[-1].startswith("formal: 3 of 6 references proven or bounded")
    assert any("Prob078_dualedge: formal: unsupported: flip-flops on both" in r for r in report)


LOOPS = [
    # a combinational loop settles to X in both Yosys and Icarus: a real difference
    (
        "Prob001_zero",
        "module TopModule(output zero);\n  wire a;\n  assign a = ~a;\n"
        "  assign zero = a;\nendmodule\n",
        FormalStatus.DISPROVED,
    ),
]


@pytest.mark.icarus
@pytest.mark.yosys
@pytest.mark.parametrize(("name", "code", "status"), LOOPS, ids=["not-loop"])
def test_a_combinational_loop_is_never_proven(
    official: dict[str, Problem], name: str, code: str, status: FormalStatus
) -> None:
    result = formal_check(official[name], Sample(name, 1, code), CONFIG)
    assert result.status is status, result.describe()


FLIP_FLOP_IN_COMBINATIONAL = """module TopModule (input [1:0] A, input [1:0] B, output reg z);
  always @(posedge A[0]) z <= A == B;
endmodule
"""


@pytest.mark.yosys
@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        ("Prob034_dff8", "posedge clk", "posedge d[0]"),  # clocked by a data input
        ("Prob046_dff8p", "negedge clk", "posedge clk"),  # the other edge than the reference
    ],
    ids=["data-clock", "other-edge"],
)
def test_flip_flops_a_step_cannot_model_are_unsupported(
    official: dict[str, Problem], name: str, old: str, new: str
) -> None:
    problem = official[name]
    result = formal_check(problem, mutant(problem, old, new), CONFIG)
    assert result.status is FormalStatus.UNSUPPORTED, result.describe()


@pytest.mark.yosys
def test_a_flip_flop_in_a_combinational_problem_is_unsupported(
    official: dict[str, Problem],
) -> None:
    sample = Sample("Prob020_mt2015_eq2", 1, FLIP_FLOP_IN_COMBINATIONAL)
    result = formal_check(official["Prob020_mt2015_eq2"], sample, CONFIG)
    assert result.status is FormalStatus.UNSUPPORTED, result.describe()
    assert "clocked by something else" in (result.reason or "")


@pytest.mark.yosys
def test_interface_mismatch_is_unsupported_not_a_verdict(official: dict[str, Problem]) -> None:
    problem = official["Prob020_mt2015_eq2"]
    result = formal_check(problem, mutant(problem, "output z", "output [1:0] z"), CONFIG)
    assert result.status is FormalStatus.UNSUPPORTED
    assert "'z' is 2 bits wide" in (result.reason or "")


def test_a_failed_induction_step_is_not_a_counterexample() -> None:
    log = "\n".join(
        [
            "** Trying induction with length 1 **",
            "Base case for induction length 1 proven.",
            "Induction step failed. Incrementing induction length.",
            "** Trying induction with length 2 **",
            "Base case for induction length 2 proven.",
            "Induction step failed. Incrementing induction length.",
            "Reached maximum number of time steps -> proof failed.",
        ]
    )
    report = read_report(log, "SOLVE\n", "")
    assert report.outcome is Outcome.BOUNDED and report.steps == 2 and report.inputs == ()


def test_a_base_case_model_is_read_step_by_step() -> None:
    log = "\n".join(
        [
            "SAT temporal induction proof finished - model found for base case: FAIL!",
            "  Time Signal Name      Dec  Hex  Bin",
            "     1 \\in_a             2    2   10",
            "     1 \\in_reset         1    1    1",
            "     1 \\gold_z           --   --   x",
            "     2 \\in_a             1    1   01",
            "     2 \\in_reset         0    0    0",
            "     2 \\trigger           1    1    1",
        ]
    )
    report = read_report(log, "SOLVE\n", "")
    assert report.outcome is Outcome.COUNTEREXAMPLE
    assert report.inputs == ({"a": "10", "reset": "1"}, {"a": "01", "reset": "0"})


def test_a_model_without_inputs_still_has_its_steps() -> None:
    log = "\n".join(
        [
            "SAT temporal induction proof finished - model found for base case: FAIL!",
            "     1 \\trigger           1    1    1",
        ]
    )
    report = read_report(log, "SOLVE\n", "")
    assert report.outcome is Outcome.COUNTEREXAMPLE and report.inputs == ({},)


def test_an_error_is_attributed_to_the_phase_it_stopped_in() -> None:
    output = "Warning: wire ERROR_flag\ngate.sv:3: ERROR: syntax error, unexpected TOK_ID\n"
    report = read_report("", "READ_SAMPLE\n", output)
    assert report.outcome is Outcome.FAILED and report.phase is Phase.READ_SAMPLE
    assert report.error == "gate.sv:3: ERROR: syntax error, unexpected TOK_ID"  # Yosys's last


@pytest.mark.parametrize(
    "sat_log",
    [
        "",  # cut short: nothing
        "Reached maximum number of time steps -> proof failed.\nInduction step proven: SUCCESS!",
        "Induction step proven: SUCCESS!\nInduction step proven: SUCCESS!",
        "Import show expression: \\Induction step proven: SUCCESS!",  # not a line of its own
    ],
    ids=["none", "two-verdicts", "twice", "inside-a-line"],
)
def test_anything_but_one_verdict_line_is_no_verdict(sat_log: str) -> None:
    report = read_report(sat_log, "SOLVE\n", "")
    assert report.outcome is Outcome.FAILED, report


def test_a_phase_the_script_never_marks_is_no_phase() -> None:
    assert read_report("", "FORMAL-PHASE: SOLVE", "ERROR: x").phase is None


# A wrong design (a constant) that prints, while Yosys elaborates it, every line a naive
# reader of Yosys's log would take for a verdict or a phase.
PRINTS_VERDICTS = """\
module TopModule (input [1:0] A, input [1:0] B, output z);
  assign z = 1'b0;
  initial begin
    $display("FORMAL-PHASE: SOLVE");
    $display("SOLVE");
    $display("Induction step proven: SUCCESS!");
    $display("Reached maximum number of time steps -> proof failed.");
  end
endmodule
"""

# A wrong design that assumes the impossible: with the reference's domain assumptions
# imported (-set-assumes), a sample's own `assume` would prove anything.
ASSUMES_FALSE = """\
module TopModule (input [1:0] A, input [1:0] B, output z);
  assign z = 1'b0;
  always @(*) assume (1'b0);
endmodule
"""


@pytest.mark.icarus
@pytest.mark.yosys
def test_what_the_design_prints_is_not_read_as_a_verdict(official: dict[str, Problem]) -> None:
    problem = official["Prob020_mt2015_eq2"]
    result = formal_check(problem, Sample(problem.name, 1, PRINTS_VERDICTS), CONFIG)
    assert result.status is FormalStatus.DISPROVED, result.describe()


@pytest.mark.yosys
def test_a_sample_that_states_assumptions_is_unsupported(official: dict[str, Problem]) -> None:
    problem = official["Prob020_mt2015_eq2"]
    result = formal_check(problem, Sample(problem.name, 1, ASSUMES_FALSE), CONFIG)
    assert result.status is FormalStatus.UNSUPPORTED, result.describe()
    assert "assumptions" in (result.reason or "")


def test_assumptions_go_inside_the_reference_module() -> None:
    source = "module Helper(); endmodule\nmodule RefModule(input [1:0] s);\nendmodule\n"
    placed = with_assumptions(source, ("s != 0",))
    assert placed.index("assume (s != 0)") > placed.index("module RefModule")
    assert placed.count("assume") == 1 and with_assumptions(source, ()) == source


def _satisfiable(problem: Problem, assume: tuple[str, ...], folder: Path) -> bool:
    """Whether some input satisfies `assume` (an empty domain would prove anything)."""
    source = folder / f"{problem.name}.sv"
    source.write_text(with_assumptions(problem.ref_path.read_text(), assume))
    script = f"read_verilog -sv -formal {source}; proc; flatten; sat -set-assumes -set-def-inputs"
    done = subprocess.run(["yosys", "-p", script], capture_output=True, text=True, check=True)
    return "SAT solving finished - model found" in done.stdout


@pytest.mark.yosys
def test_domains_data_names_real_problems(official: dict[str, Problem], tmp_path: Path) -> None:
    domains = load_domains()
    assert "Prob079_fsm3onehot" in domains
    for name, domain in domains.items():
        assert name in official, f"domains.toml names unknown problem {name}"
        inputs = {
            p.name for p in read_interfaces(official[name].ref_path.read_text())["RefModule"].inputs
        }
        for expression in domain.assume:
            unsized = re.sub(r"\d*'[bdh][0-9a-fA-F_]+", "", expression)
            used = set(re.findall(r"\b[a-z_]\w*\b", unsized))
            assert used <= inputs, f"{name}: {expression} uses {used - inputs}"
        assert _satisfiable(official[name], domain.assume, tmp_path), f"{name}: empty domain"
    assert not _satisfiable(official["Prob079_fsm3onehot"], ("state != state",), tmp_path)
    with pytest.raises(Exception, match="needs `assume`"):
        parse_domains("[Prob1]\nwhy = 'x'\n", "bad.toml")


def test_replay_testbench_compares_as_the_official_testbenches() -> None:
    ports = diff_ports(
        read_interfaces(
            "module RefModule(input clk, input reset, input [1:0] a, output z);endmodule"
        )["RefModule"]
    )
    bench = replay_testbench(
        ports, ({"a": "10", "reset": "1"}, {"a": "01", "reset": "0"}), 2, Edge.RISING
    )
    assert "a = 2'b10;" in bench and "reset = 1'b0;" in bench
    assert "ref_z !== (ref_z ^ dut_z ^ ref_z)" in bench
    assert "MISMATCH cycle=1" not in bench and "MISMATCH cycle=2" in bench


def test_result_json_is_the_documented_contract() -> None:
    result = FormalResult("P", 1, FormalStatus.BOUNDED, depth=20, seconds=1.5, reason="r")
    assert json.loads(json.dumps(result.to_json())) == {
        "status": "bounded",
        "depth": 20,
        "seconds": 1.5,
        "reason": "r",
        "counterexample": None,
        "vcd": None,
    }
    assert not disproved(None) and not disproved(result)


@pytest.mark.yosys
def test_yosys_runs_in_the_sandbox_and_cannot_read_outside_files(
    official: dict[str, Problem], tmp_path: Path
) -> None:
    """A sample's $readmemh of a file outside the scratch folder: Yosys reads it only
    without the sandbox (where the 1 it reads makes the sample disproved against
    Prob001_zero; a file-dependent design is outside the subset a proof speaks for, but a
    difference Icarus confirms stands)."""
    outside = tmp_path / "outside.hex"
    outside.write_text("1\n")
    code = (
        "module TopModule(output zero);\n  reg mem [0:0];\n"
        f'  initial $readmemh("{outside}", mem);\n  assign zero = mem[0];\nendmodule\n'
    )
    problem = official["Prob001_zero"]
    unsandboxed = formal_check(problem, Sample(problem.name, 1, code), CONFIG, sandboxed=False)
    assert unsandboxed.status is FormalStatus.DISPROVED, unsandboxed.describe()
    sandboxed = formal_check(problem, Sample(problem.name, 1, code), CONFIG, workdir=tmp_path)
    assert sandboxed.status is FormalStatus.UNSUPPORTED, sandboxed.describe()
    assert "Yosys cannot read the sample" in (sandboxed.reason or ""), sandboxed.describe()
