"""Red team 2: the repair loop, its feedback levels, the agents' tools, the formal subset
and the v1 harness, attacked by an answer that reads this repository.

Each test shows one hole (it failed before its fix) or holds a surface that resisted.
"""

from __future__ import annotations

import json

import pytest
from fake_openai_server import FakeOpenAIServer
from run_folders import jsonl_lines

from verilogeval.checks.formal.check import FormalConfig, formal_check
from verilogeval.checks.formal.result import FormalStatus
from verilogeval.checks.formal.subset import divergences
from verilogeval.checks.tamper.scan import scan_log, scan_sample
from verilogeval.feedback.evidence import build_evidence
from verilogeval.feedback.levels import FeedbackLevel
from verilogeval.feedback.render import render_feedback
from verilogeval.grading.classify import classify
from verilogeval.grading.simulate import official_log, simulate
from verilogeval.orchestration.repair.feedback_step import problem_interface
from verilogeval.records import Problem, Sample, Task

MUX = "Prob017_mux2to1v"  # out = sel ? b : a, 100 bits
_MUX_PORTS = "module TopModule (input [99:0] a, input [99:0] b, input sel, output reg [99:0] out);"
# Reads `t` before writing it: Icarus does not wake the block on its own write of `t`, so
# `out` lags one input change behind (every sample mismatches); Yosys reads `t` as the value
# this run settles to, `sel ? b : a`, and proved it equivalent.
STALE_READ = (
    f"{_MUX_PORTS}\n  reg [99:0] t;\n  always @* begin out = t; t = sel ? b : a; end\nendmodule\n"
)


@pytest.fixture(scope="module")
def official(official_problems) -> dict[str, Problem]:
    return official_problems[Task.SPEC_TO_RTL]


@pytest.mark.icarus
@pytest.mark.yosys
@pytest.mark.shared
def test_a_combinational_block_reading_its_own_stale_value_is_never_proven(
    official: dict[str, Problem], tmp_path
) -> None:
    problem = official[MUX]
    sample = Sample(MUX, 1, STALE_READ)
    verdict = classify(simulate(problem, sample, workdir=tmp_path))
    assert not verdict.passed and verdict.mismatches == verdict.total  # Icarus: always stale
    result = formal_check(problem, sample, FormalConfig(depth=12, timeout_s=120))
    assert result.status is FormalStatus.UNSUPPORTED, result.describe()
    assert "before the block writes it" in (result.reason or ""), result.describe()


_PORTS = "module TopModule (input clk, input a, input b, output reg out);\n  reg t;\n"
STALE_FORMS = [
    "always @* begin out = t; t = a; end",
    "always_comb begin out = t; t = a ^ b; end",
    "always @(a or b) begin out = t; t = a; end",
    "always @* begin : n\n    reg u;\n    out = u;\n    u = a;\n  end",  # a static local
    "always @* begin if (b) begin t = a; out = 0; end else begin out = t; t = b; end end",
    "always @* begin t = t ^ a; out = t; end",
    "task set(input x, output y); y = x; endtask\n  always @* begin out = t; set(a, t); end",
    "integer i;\n  always @* begin out = 0;\n"
    "    for (i = 0; i < 2; i = i + 1) begin out = t; t = a; end\n  end",
]


@pytest.mark.parametrize("body", STALE_FORMS)
def test_each_stale_read_form_is_outside_the_subset(body: str) -> None:
    found = divergences(f"{_PORTS}  {body}\nendmodule\n", ("clk",), deadline_s=60)
    assert any("before the block writes it" in reason for reason in found), found


SETTLED_FORMS = [
    "always @* begin t = a; out = t; end",
    "always @* begin if (b) t = a; else t = 0; out = t; end",
    "always @* begin case (a) 1'b0: t = b; default: t = 1'b1; endcase out = t; end",
    "integer i;\n  always @* begin t = 0; for (i = 0; i < 2; i = i + 1) t = t ^ a; out = t; end",
    "always @(posedge clk) begin out <= t; t <= a; end",  # a register: both read it so
    "always @* begin out = a; if (b) out = ~out; end",
]


@pytest.mark.parametrize("body", SETTLED_FORMS)
def test_settled_combinational_forms_stay_inside_the_subset(body: str) -> None:
    assert divergences(f"{_PORTS}  {body}\nendmodule\n", ("clk",), deadline_s=60) == ()


# An answer that does not compile, the scan flagging its reach into the reference: Icarus
# evaluates the reference's parameter `D` (3) into a constant index and prints it on the
# answer's own line ("Constant bit select [3777] is after vector w[3:0]"), a value of the
# reference no level names (a localparam cannot hold a hierarchical name in Icarus 11).
_FSM_PORTS = "module TopModule(input clk, input in, input reset, output out);\n"
_UNBOUND = "  always @* nothing_declared = 1'b0;\nendmodule\n"
HARNESS_CONSTANTS = {
    "index": _FSM_PORTS
    + "  wire [3:0] w;\n  assign out = w[tb.good1.D * 1000 + 777];\n"
    + _UNBOUND,
    "part select": _FSM_PORTS
    + "  wire [3:0] w;\n  assign out = w[tb.good1.D * 1000 + 777 -: 1];\n"
    + _UNBOUND,
    # the elaboration quotes the string: the log holds "syntax error", its category too
    "syntax error quoted": _FSM_PORTS
    + "  wire [3:0] w;\n  assign out = w[tb.good1.D * 1000 + 777];\n"
    + '  wire [95:0] s = "syntax error" + nothing_declared;\nendmodule\n',
}
LEAKED = "3777"  # the reference's D = 3, evaluated


def _round_feedback(problem: Problem, code: str, level: FeedbackLevel, tmp_path) -> str:
    result = simulate(problem, Sample(problem.name, 1, code), workdir=tmp_path)
    assert LEAKED in result.compile.output  # the attack is real: Icarus printed it
    assert result.run is None
    findings = scan_sample(code, problem, workdir=tmp_path) + scan_log(official_log(result))
    assert findings
    evidence = build_evidence(
        level,
        problem.task,
        classify(result),
        result,
        interface=problem_interface(problem),
        findings=findings,
    )
    return render_feedback(evidence)


@pytest.mark.icarus
@pytest.mark.shared
@pytest.mark.parametrize("kind", list(HARNESS_CONSTANTS))
def test_no_level_shows_a_reference_constant_an_answer_evaluates(
    official: dict[str, Problem], kind: str, tmp_path
) -> None:
    problem = official["Prob120_fsm3s"]
    for level in FeedbackLevel:
        text = _round_feedback(problem, HARNESS_CONSTANTS[kind], level, tmp_path)
        assert LEAKED not in text, (level, text)


def _tool_contexts(official_root, problem_name: str):
    pytest.importorskip("inspect_ai")
    from verilogeval.inspect_tasks.tasks import task_setup
    from verilogeval.inspect_tasks.tools import ToolContext

    setup = task_setup(
        Task.SPEC_TO_RTL,
        dataset=str(official_root),
        problems=problem_name,
        shots=0,
        rules=False,
        prompt_style=None,
        extract="robust",
        benchmark="v2.0",
        preset="greedy",
        plus=False,
        formal=False,
    )
    (problem,) = setup.problems
    return [ToolContext(setup.grading, problem, level) for level in FeedbackLevel]


@pytest.mark.icarus
@pytest.mark.shared
def test_the_compile_tool_shows_no_reference_constant(official_root) -> None:
    from verilogeval.inspect_tasks.tools import compile_feedback, simulate_feedback

    for context in _tool_contexts(official_root, "Prob120_fsm3s"):
        for code in HARNESS_CONSTANTS.values():
            for tool in (compile_feedback, simulate_feedback):
                text = tool(context, code)
                assert LEAKED not in text, (context.level, tool.__name__, text)


# A model's answer holding a lone surrogate (valid JSON: "\ud800"), sent once per round.
SURROGATE_ANSWER = (
    "[BEGIN]\nmodule TopModule (output zero);\n  assign zero = 1'b1; // \ud800\nendmodule\n[DONE]"
)


@pytest.mark.icarus
@pytest.mark.shared
@pytest.mark.parametrize("repair", ["0", "1"])
def test_an_answer_with_a_lone_surrogate_is_journaled_and_graded(
    cli, official_root, tmp_path, repair: str
) -> None:
    out = tmp_path / "run"
    with FakeOpenAIServer(reply=lambda body: SURROGATE_ANSWER) as server:
        result = cli(
            "run", "--model", "openai:fake", "--api-base", server.base_url,
            "--dataset", official_root, "--problems", "Prob001_zero", "--out", out,
            "--no-cache", "--quiet", "--repair", repair,
        )  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr
    [line] = jsonl_lines(out / "results.jsonl")
    assert line["passed"] is False


@pytest.mark.icarus
@pytest.mark.shared
def test_a_tool_given_a_lone_surrogate_answers(official_root) -> None:
    """An agent's code with a lone surrogate failed the grading: the tool raised, and the
    sample errored instead of being scored."""
    from verilogeval.inspect_tasks.tools import compile_feedback, simulate_feedback

    code = "module TopModule (output zero);\n  assign zero = 1'b1; // \ud800\nendmodule\n"
    (context, *_) = _tool_contexts(official_root, "Prob001_zero")
    assert compile_feedback(context, code).startswith("The module compiles")
    assert simulate_feedback(context, code).startswith("Your answer is not correct")


# Tells the harnesses apart by its own instance path: right in the differential test's
# wrapper, wrong in the official testbench, where it prints the verdict line first.
HARNESS_AWARE = """module TopModule(output zero);
  reg r = 1'b1;
  string where;
  initial begin
    where = $sformatf("%m");
    if (where != "tb.top_module1") r = 1'b0;
    else $display("Mismatches: 0 in 20 samples");
  end
  assign zero = r;
endmodule
"""


def _run_harness_aware(cli, official_root, out, *extra: str):
    """`run` on Prob001_zero against a model that answers HARNESS_AWARE every time."""
    with FakeOpenAIServer(reply=lambda body: f"[BEGIN]\n{HARNESS_AWARE}[DONE]") as server:
        return cli(
            "run", "--model", "openai:fake", "--api-base", server.base_url,
            "--dataset", official_root, "--problems", "Prob001_zero", "--out", out,
            "--no-cache", "--quiet", *extra,
        )  # fmt: skip


@pytest.mark.icarus
@pytest.mark.shared
@pytest.mark.cocotb
def test_a_harness_aware_forger_does_not_stop_the_loop_with_strict(
    cli, official_root, tmp_path
) -> None:
    out = tmp_path / "run"
    result = _run_harness_aware(cli, official_root, out, "--repair", "1", "--strict")
    assert "Traceback" not in result.stderr, result.stderr
    rounds = jsonl_lines(out / "rounds.jsonl")
    # official: forged; strict: passed in its own harness; the scan: flagged
    assert [(r["passed"], bool(r["findings"])) for r in rounds] == [(True, True), (True, True)]
    assert [r["trusted_passed"] for r in rounds] == [False, False]
    assert rounds[0]["feedback"].startswith("Your answer was refused")
    [line] = jsonl_lines(out / "results.jsonl")
    assert (line["rounds"], line["passed_at_round"]) == (2, None)


@pytest.mark.icarus
@pytest.mark.shared
@pytest.mark.cocotb
def test_strict_alone_does_not_pass_a_harness_aware_answer(official, tmp_path) -> None:
    """The differential test read no tamper scan: an answer that tells its wrapper from the
    official testbench (%m) passed it, and strict_passed (and strict pass@k) counted it.
    Now strict refuses a pass the scan flags, as --plus does: no pass."""
    from verilogeval.checks.strict.batch import strict_fields
    from verilogeval.checks.strict.check import StrictConfig, diff_test
    from verilogeval.checks.strict.result import StrictStatus
    from verilogeval.checks.strict.verdict import strict_verdict

    result = diff_test(
        official["Prob001_zero"], Sample("Prob001_zero", 1, HARNESS_AWARE), StrictConfig(),
        workdir=tmp_path,
    )  # fmt: skip
    # right in the wrapper (the test found no difference), flagged by the scan
    assert (result.status, result.passed, result.mismatch_compares) == (
        StrictStatus.REFUSED, False, 0,
    )  # fmt: skip
    assert result.compares > 0
    assert result.tamper and any("$sformatf" in finding for finding in result.tamper)
    verdict = strict_verdict(result)
    assert (verdict.status, verdict.passed) == (StrictStatus.REFUSED, False)
    assert verdict.reason.startswith("refused: tamper scan: ")
    fields = strict_fields(result)
    assert fields["strict_passed"] is False and fields["strict"]["tamper"] == list(result.tamper)


@pytest.mark.icarus
@pytest.mark.shared
@pytest.mark.cocotb
def test_run_strict_alone_counts_no_strict_pass_of_a_harness_aware_answer(
    cli, official_root, tmp_path
) -> None:
    out = tmp_path / "run"
    result = _run_harness_aware(cli, official_root, out, "--strict")
    assert "Traceback" not in result.stderr, result.stderr
    [line] = jsonl_lines(out / "results.jsonl")
    assert (line["passed"], line["strict_passed"]) == (True, False)  # forged officially
    assert line["checks"]["strict"]["status"] == "refused"
    assert line["checks"]["strict"]["passed"] is False
    assert line["strict"]["status"] == "refused" and line["strict"]["tamper"]


TIME_GATED_FORGER = """`timescale 1ps/1ps
module TopModule (output reg zero);
  initial begin
    $display("Mismatches%c 0 in 1 samples", 58);
    zero = 1'b1;
    #1000 zero = 1'b0;
  end
endmodule
"""


@pytest.mark.icarus
@pytest.mark.shared
@pytest.mark.cocotb
def test_strict_does_not_pass_a_forged_official_verdict_of_a_time_gated_design(
    cli, official_root, tmp_path
) -> None:
    """Wrong until 1 ns, so wrong in all of the official testbench's compares, which end
    before the differential test's first; its own verdict line (the text built from
    %c, which the sample scan does not see) forges the official pass. The official log
    shows two verdict lines: strict refuses the pass it would rest on."""
    samples = tmp_path / "samples.jsonl"
    samples.write_text(
        json.dumps({"problem": "Prob001_zero", "sample": 1, "code": TIME_GATED_FORGER}) + "\n"
    )
    out = tmp_path / "out"
    result = cli(
        "evaluate", "--samples", samples, "--out", out, "--dataset", official_root,
        "--strict", "--no-cache", "--quiet",
    )  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr
    [line] = jsonl_lines(out / "results.jsonl")
    assert line["passed"] is True  # the official verdict, forged as the official flow allows
    assert line["strict_passed"] is False
    assert line["checks"]["strict"]["status"] == "refused"
    assert line["strict"]["tamper"], line["strict"]
