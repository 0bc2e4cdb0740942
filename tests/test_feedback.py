"""Feedback levels: each shows what its name says, and nothing of the testbench or reference.

The leak test compiles and runs hostile answers (real Icarus, in the sandbox) against real
problems and checks every level's message against the problem's testbench and reference
text: no line of theirs, and no name of theirs that neither the prompt nor the answer holds.
"""

from __future__ import annotations

import re

import pytest

from verilogeval.checks.tamper.scan import scan_log, scan_sample
from verilogeval.execution.interface import ModuleInterface, Port, read_interfaces
from verilogeval.feedback.compiler_messages import COMPILER_WORDS, compiler_evidence
from verilogeval.feedback.counterexample import counterexample_table
from verilogeval.feedback.evidence import build_evidence
from verilogeval.feedback.levels import FeedbackLevel
from verilogeval.feedback.render import render_feedback
from verilogeval.feedback.waveform import wave_table
from verilogeval.grading.classify import classify
from verilogeval.grading.grader import GradeConfig, Graded
from verilogeval.grading.simulate import official_log, simulate
from verilogeval.orchestration.repair.feedback_step import problem_interface, waveform
from verilogeval.records import CATEGORY_NAMES, Problem, Sample, Task
from verilogeval.resources import resource_dir

pytestmark = [pytest.mark.icarus, pytest.mark.shared]

LEAK_PROBLEMS = (
    "Prob001_zero",
    "Prob050_kmap1",
    "Prob093_ece241_2014_q3",
    "Prob120_fsm3s",
    "Prob144_conwaylife",
    "Prob155_lemmings4",
)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
# Icarus's own words (public: the filter's vocabulary) and the names of the harness.
# and the category names the verdict line shows.
_COMMON = (
    COMPILER_WORDS
    | {"TopModule", "top_module1", "tb"}
    | {word for name in CATEGORY_NAMES.values() for word in name.replace("/", " ").split()}
)


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text))


def _template_words() -> set[str]:
    folder = resource_dir("prompts")
    return set().union(*(_words(path.read_text()) for path in folder.rglob("*.j2")))


def _hostile_answers(problem: Problem) -> dict[str, str]:
    ref = problem.ref_path.read_text()
    header = ref[: ref.index(");") + 2].replace("RefModule", "TopModule")
    return {
        "syntax": header + "\n  assign q = \nendmodule\n",
        "include test": header + '\n`include "test.sv"\nendmodule\n',
        "include ref": '`include "ref.sv"\n' + header + "\nendmodule\n",
        "redeclare": header
        + "\nendmodule\nmodule stimulus_gen; endmodule\nmodule RefModule;\nendmodule\n",
        "shadow stimulus": header + "\nendmodule\nmodule stimulus_gen(input zz);\nendmodule\n",
        "reach into stimulus": header + "\n  stimulus_gen s();\n  wire w = q;\nendmodule\n",
        "instantiate ref badly": header + "\n  RefModule r(.nothing_here(1'b0));\nendmodule\n",
        "hierarchical": header + "\n  wire [31:0] w = tb.stats1 + tb.good1.zzz;\nendmodule\n",
        "forged hint": header
        + "\n  initial #1 $display(\"Hint: Output '%s' has %0d mismatches. First mismatch "
        'occurred at time %0d.", tb.stats1.clocks, tb.stats1.errors, 7);\nendmodule\n',
        "read testbench": header
        + '\n  reg [7:0] m [0:99];\n  initial begin $readmemh("test.sv", m); '
        '$display("%h", m[0]); end\nendmodule\n',
    }


@pytest.mark.parametrize(
    "name",
    [n if n == "Prob120_fsm3s" else pytest.param(n, marks=pytest.mark.slow) for n in LEAK_PROBLEMS],
)
def test_no_level_shows_the_testbench_or_reference(official_problems, name, tmp_path):
    problem = official_problems[Task.SPEC_TO_RTL][name]
    _check_no_leak(problem, _hostile_answers(problem), tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("task", list(Task))
def test_no_level_leaks_on_any_problem(official_problems, task, tmp_path):
    """Every problem of both tasks, with the answers that reach into the testbench."""
    kinds = ("include test", "reach into stimulus", "shadow stimulus", "hierarchical")
    for problem in official_problems[task].values():
        if problem.test_path is None:
            continue
        answers = _hostile_answers(problem)
        _check_no_leak(problem, {kind: answers[kind] for kind in kinds}, tmp_path)


def _check_no_leak(problem: Problem, answers: dict[str, str], tmp_path) -> None:
    assert problem.test_path is not None
    oracle = problem.test_path.read_text() + problem.ref_path.read_text()
    interface = read_interfaces(problem.ref_path.read_text())["RefModule"]
    public = _words(problem.prompt) | _template_words() | _COMMON
    secrets = _words(oracle) - public
    for kind, code in answers.items():
        result = simulate(problem, Sample(problem.name, 1, code), workdir=tmp_path)
        verdict = classify(result)
        assert not verdict.passed, kind
        findings = scan_sample(code, problem, workdir=tmp_path) + scan_log(official_log(result))
        own = _words(code)
        # whole lines (a short one, like `module stimulus_gen`, is words checked below)
        oracle_lines = {
            line.strip()
            for line in oracle.splitlines()
            if len(line.strip()) >= 24 and line.strip() not in code + problem.prompt
        }
        # With the scan's findings (as the repair loop builds it) and without them: the
        # compiler's filter alone, as if the scan had missed the answer.
        graded = Graded(Sample(problem.name, 1, code), result, verdict, True)
        table = waveform(problem, graded, GradeConfig(jobs=1, workdir=tmp_path), interface)
        for scanned in (findings, ()):
            for level in FeedbackLevel:
                evidence = build_evidence(
                    level,
                    problem.task,
                    verdict,
                    result,
                    interface=interface,
                    findings=scanned,
                    waveform=table,
                )
                text = render_feedback(evidence)
                leaked = (_words(text) & secrets) - own
                assert not leaked, (kind, level, leaked, text)
                assert not [line for line in oracle_lines if line in text], (kind, level, text)
        if kind != "syntax":
            assert findings, f"the tamper scan let {kind!r} through"


def _feedback(problem: Problem, code: str, level: FeedbackLevel, tmp_path) -> str:
    result = simulate(problem, Sample(problem.name, 1, code), workdir=tmp_path)
    findings = scan_sample(code, problem, workdir=tmp_path) + scan_log(official_log(result))
    interface = read_interfaces(problem.ref_path.read_text())["RefModule"]
    evidence = build_evidence(
        level, problem.task, classify(result), result, interface=interface, findings=findings
    )
    return render_feedback(evidence)


def test_each_level_adds_what_its_name_says(official_problems, tmp_path):
    problem = official_problems[Task.SPEC_TO_RTL]["Prob050_kmap1"]
    header = "module TopModule(input a, input b, input c, output out);\n"
    syntax = header + "  assign out = a | b\n  wire x;\nendmodule\n"
    wrong = header + "  assign out = a & b & c;\nendmodule\n"
    forged = (
        header + '  assign out = a;\n  initial $display("Mismatches: 0 in 1 samples");\nendmodule\n'
    )

    assert _feedback(problem, syntax, FeedbackLevel.PASS_FAIL, tmp_path).startswith(
        "Your answer is not correct: syntax error.\n\nWrite the whole corrected module TopModule."
    )
    compiler = _feedback(problem, syntax, FeedbackLevel.COMPILER, tmp_path)
    assert "- line 2: error: syntax error in continuous assignment | assign out = a | b" in compiler
    assert "Testbench results" not in _feedback(problem, wrong, FeedbackLevel.COMPILER, tmp_path)
    testbench = _feedback(problem, wrong, FeedbackLevel.TESTBENCH, tmp_path)
    assert "- output out: 171 mismatches, the first at time 20\n" in testbench
    assert "- 171 mismatched samples out of 219\n" in testbench
    refused = _feedback(problem, forged, FeedbackLevel.TESTBENCH, tmp_path)
    assert refused.startswith("Your answer was refused")
    assert "Testbench results" not in refused


def test_waveform_level_shows_the_signals_around_the_first_mismatch(official_problems, tmp_path):
    problem = official_problems[Task.SPEC_TO_RTL]["Prob120_fsm3s"]
    code = (
        "module TopModule(input clk, input in, input reset, output out);\n"
        "  reg [1:0] s;\n  always @(posedge clk) if (reset) s <= 0; else s <= s + in;\n"
        "  assign out = s[1];\nendmodule\n"
    )
    sample = Sample(problem.name, 1, code)
    result = simulate(problem, sample, workdir=tmp_path)
    verdict = classify(result)
    interface = problem_interface(problem)
    table = waveform(problem, Graded(sample, result, verdict, True), GradeConfig(jobs=1), interface)
    assert table is not None and table.first_mismatch_time == 50  # the testbench's own

    def shown(level: FeedbackLevel) -> str:
        evidence = build_evidence(
            level, problem.task, verdict, result, interface=interface, findings=(), waveform=table
        )
        return render_feedback(evidence)

    text = shown(FeedbackLevel.WAVEFORM)
    assert "| time | in | reset | out (expected) | out (yours) |\n" in text
    assert "| 50 (first mismatch) | 1 | 0 | 0 | 1 |\n" in text
    assert "(first mismatch)" not in shown(FeedbackLevel.TESTBENCH)


_INTERFACE = ModuleInterface(
    "RefModule", (Port("clk", "input", 1), Port("a", "input", 4), Port("y", "output", 1))
)
_VCD = (
    b'$scope module tb $end\n$var reg 1 ! clk $end\n$var wire 1 " tb_mismatch $end\n'
    b"$var wire 4 # a $end\n$var wire 1 $ y_ref $end\n$var wire 1 % y_dut $end\n"
    b"$var wire 8 & secret_internal $end\n$upscope $end\n$enddefinitions $end\n"
    b'#0\n$dumpvars\n0!\n0"\nb0 #\n0$\n0%\nb10101010 &\n$end\n'
    b'#5\n1!\nb101 #\n#10\n0!\n1%\n1"\n#15\n1!\n#20\n0!\n'
)


@pytest.mark.parametrize(
    "damage",
    [
        b"",  # as written: a table
        b"#25\nbogus line\n",  # a line that is no value change
        b"#25\n" + b"b" + b"1" * 5000 + b" #\n",  # a line over the cap
        b"#25\nb10q1 #\n",  # a value that is not bits
    ],
)
def test_a_wave_file_is_read_as_hostile_bytes(damage):
    table = wave_table(_VCD + damage, _INTERFACE)
    if damage:
        assert table is None
        return
    assert table is not None and table.first_mismatch_time == 15
    assert [column.name for column in table.columns] == ["a", "y", "y"]  # no other variable
    assert [(row.time, row.values) for row in table.rows] == [
        (5, ("0000", "0", "0")),
        (10, ("0101", "0", "0")),
        (15, ("0101", "0", "1")),
        (20, ("0101", "0", "1")),
    ]


def test_formal_counterexample_becomes_the_same_table():
    interface = ModuleInterface(
        "RefModule", (Port("clk", "input", 1), Port("a", "input", 2), Port("y", "output", 1))
    )
    steps = [{"clk": "0", "a": "01"}, {"clk": "0", "a": "10"}, {"clk": "0", "a": "1q"}]
    example = {"steps": steps, "cycle": 2, "signal": "y", "ref": "1", "dut": "0"}
    table = counterexample_table(example, interface)
    assert table is not None and table.first_mismatch_time == 2
    assert [row.values for row in table.rows] == [("0", "01", "", ""), ("0", "10", "1", "0")]
    assert counterexample_table(example | {"signal": "secret"}, interface) is None
    assert counterexample_table(example | {"cycle": 9}, interface) is None
    third = counterexample_table(example | {"cycle": 3}, interface)
    assert third is not None and third.rows[-1].values[1] == "?"


def test_compiler_messages_keep_only_the_answer_s_lines_and_known_words():
    code = (
        "module TopModule(input a, output y);\n  stimulus_gen s();\n"
        "  assign y = f(1'd0);\nendmodule\n"
    )
    log = (
        "sample.sv:2: warning: Instantiating module stimulus_gen with dangling input port 1 "
        "(tb_match) floating.\n"
        "sample.sv:3: error: No function named `f' found in this context (tb.top_module1).\n"
        "sample.sv:3: error: Unable to elaborate r-value: f(1'd0)\n"
        "test.sv:12: error: 'secret_task' has already been declared in this scope.\n"
        "test.sv:90: warning: Port 2 (y) of TopModule expects 2 bits, got 1.\n"
        "sample.sv:2: declared here: ./ref.sv:7\n"
        "2 error(s) during elaboration.\n"
    )
    evidence = compiler_evidence(log, code, frozenset({"a", "y"}))
    assert [(m.line, m.text) for m in evidence.messages] == [
        (
            2,
            "warning: Instantiating module stimulus_gen with dangling input port 1 "
            "(<hidden>) floating.",
        ),
        (3, "error: No function named `f' found in this context (tb.top_module1)."),
        (3, "error: Unable to elaborate r-value: f(1'd0)"),
        (None, "warning: port y of your module is 2 bits wide, the testbench connects 1 bits"),
    ]
    assert evidence.messages[0].source == "stimulus_gen s();"
    assert evidence.withheld == 2  # the testbench's line, and the line naming ref.sv
    with_include = compiler_evidence(log, '`include "test.sv"\n' + code, frozenset({"a", "y"}))
    assert with_include.messages == () and with_include.withheld == 6
