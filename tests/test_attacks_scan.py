# ruff: noqa: E501  (the attack table reads best one attack per line)
"""The tamper scan against samples written to get past it (issue 18, classes 5, 6 and 9).

- class 5: system tasks missing from a deny-list, text behind `ifdef __ICARUS__`, upward
  references, reseeding the random streams;
- class 6: a sample that swallows the testbench and the reference and brings its own;
- class 9: pyslang blown up by a sample (deep expressions, macro doubling) in the grading
  process.
The end-to-end attacks are graded by `verilogeval evaluate --plus` as a user runs it, with
one worker, so a crash would take the other samples' verdicts with it.

Against the code before this scan (commit 8576f34): all six end-to-end attacks got
`plus_passed: true`; the old scan found nothing in 33 of the 41 scan-level cases; the
deep sum killed the scanning process (SIGSEGV) and the macro bomb exhausted its memory.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from problems import reference_answer
from processes import parser_rss_mb, scan_growth_mb

from verilogeval.dataset.loader import load_dataset
from verilogeval.records import Problem, Sample, Task

PROBLEM = "Prob001_majority5"
HEADER = "module TopModule (input [4:0] v, output maj);\n"
CORRECT = "assign maj = (v[0] + v[1] + v[2] + v[3] + v[4]) >= 3;\n"
WRONG = "assign maj = 1'b0;\n"
FORGED = "Mismatches: 0 in 1 samples"
FORGED_HEX = f"{len(FORGED) * 8}'h{FORGED.encode().hex()}"
# A sample that hides what follows it and brings its own testbench printing a forged verdict.
OWN_TB = f'module tb; initial $display("%s", {FORGED_HEX}); endmodule\n'


def design(body: str, extra: str = "", after: str = "") -> str:
    return f"{HEADER}{body}{extra}\nendmodule\n{after}"


END_TO_END = {
    # class 5: the deny-list and the scan's blind spots
    "finish_and_return": design(WRONG, "initial $finish_and_return(0);"),
    "icarus_ifdef_finish": design(WRONG, "`ifdef __ICARUS__\ninitial $finish;\n`endif"),
    "upward_reference": design("assign maj = good.maj;\n"),
    # class 6: swallow the testbench and the reference
    "swallow_comment": design(WRONG, after=OWN_TB + "/*\n"),
    "swallow_escaped_tb": design(
        WRONG, after=OWN_TB.replace("module tb;", "module \\tb ;") + "/*\n"
    ),
    "own_tb_behind_line": design(WRONG, after='`line 1 "test.sv" 0\n' + OWN_TB + "/*\n"),
    # issue 18 follow-up: escaped system names and names leaving the design, in a generate
    # branch Icarus takes (unsized 1 << 40 is not 0 to Icarus) and slang does not
    "escaped_finish_forged_verdict": design(
        WRONG,
        f"localparam WIDE = 1 << 40;\nif (WIDE != 0) begin : g\n"
        f'  initial begin \\$display ("%s", {FORGED_HEX}); \\$finish ; end\nend',
    ),
    "escaped_reference_instance": design(
        "localparam WIDE = 1 << 40;\nif (WIDE != 0) begin : g\n  assign maj = \\good .maj;\n"
        "end else begin : h\n  assign maj = 1'b0;\nend\n"
    ),
    # the control: a correct design graded after the others by the same worker
    "correct": design(CORRECT),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory, cli) -> dict[str, dict]:
    root = tmp_path_factory.mktemp("scan-attacks")
    names = list(END_TO_END)
    samples = root / "samples.jsonl"
    samples.write_text(
        "".join(
            json.dumps({"problem": PROBLEM, "sample": number, "code": END_TO_END[name]}) + "\n"
            for number, name in enumerate(names, start=1)
        )
    )
    out = root / "out"
    done = cli(
        "evaluate", "--task", Task.SPEC_TO_RTL, "--samples", samples, "--out", out,
        "--no-cache", "--jobs", 1, "--plus", timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    return {names[line["sample"] - 1]: line for line in lines}


@pytest.mark.icarus
@pytest.mark.parametrize("name", [name for name in END_TO_END if name != "correct"])
def test_no_attack_gets_a_trusted_pass(graded, name):
    line = graded[name]
    assert line["plus_passed"] is False, line["plus"]
    if line["passed"]:
        assert line["plus"]["tamper"], line["plus"]


@pytest.mark.icarus
def test_the_correct_design_graded_beside_them_keeps_its_trusted_pass(graded):
    assert graded["correct"]["plus_passed"] is True, graded["correct"]["plus"]
    assert graded["swallow_comment"]["passed"]  # the official flow is fooled: plus is not


# ---- the scan alone: what it finds in each attack (real ivlpp in the sandbox) ----
def harness_problem() -> Problem:
    return next(p for p in load_dataset(None, Task.SPEC_TO_RTL).problems if p.name == PROBLEM)


SCAN_ATTACKS = [
    # class 5: system tasks outside the allow-list, however they are written
    ("finish_and_return", design(WRONG, "initial $finish_and_return(0);"), "$finish_and_return"),
    ("fopenw", design(CORRECT, 'initial begin : f integer h; h = $fopenw("x"); end'), "$fopenw"),
    ("fputc", design(CORRECT, 'initial begin : f integer h; h = $fopen("x"); $fputc(65, h); end'), "$fopen"),
    ("ivlh_file", design(CORRECT, "initial $ivlh_file_open(h, \"x\", 1);"), "$ivlh_file_open"),
    ("dumpports", design(CORRECT, 'initial $dumpports(TopModule, "x.evcd");'), "$dumpports"),
    ("monitor", design(CORRECT, "initial $monitor(v);"), "$monitor"),
    ("write_glues_lines", design(WRONG, f'final $write("%s\\n", {FORGED_HEX});'), "$write"),
    ("icarus_only", design(WRONG, "`ifdef __ICARUS__\ninitial $finish;\n`endif"), "$finish"),
    ("ifndef_synthesis", design(WRONG, "`ifndef SYNTHESIS\ninitial $stop;\n`endif"), "$stop"),
    ("pasted_name", design(WRONG, "`define F(x) $fin``x\ninitial `F(ish);"), "$finish"),
    ("macro_in_ifdef", design(WRONG, "`ifdef __ICARUS__\n`define E $exit\n`endif\ninitial `E;"), "$exit"),
    ("plusargs_hidden", design(CORRECT, '`ifdef __ICARUS__\ninitial if ($test$plusargs("v")) ;\n`endif'), "$test$plusargs"),
    ("reseed_urandom", design(CORRECT, "initial begin : r integer x; x = $urandom(1); end"), "$urandom"),
    ("reseed_random", design(CORRECT, "integer seed = 7; initial begin : r integer x; x = $random(seed); end"), "$random"),
    ("urandom_range", design(CORRECT, "initial begin : r integer x; x = $urandom_range(3); end"), "$urandom_range"),
    ("upward_instance", design("assign maj = good.maj;\n"), "good.maj"),
    ("upward_via_own_module", "module good (output maj); assign maj = 1'b1; endmodule\n" + design("assign maj = good.maj;\n"), "good.maj"),
    ("upward_task", design(CORRECT, "initial stim.wavedrom_start();"), "stim.wavedrom_start"),
    ("root", design(CORRECT, "initial $root.tb.bad_samples = 0;"), "$root"),
    ("unit_scope", "function automatic int f; return 0; endfunction\n" + design(CORRECT), "outside a module"),
    ("dpi_import", design(CORRECT, 'import "DPI-C" function int system(input string s);'), "DPI"),
    ("bind", design(CORRECT) + "bind RefModule TopModule spy (.v(v), .maj());\n", "bind"),
    ("config", design(CORRECT) + "config cfg; design TopModule; endconfig\n", "outside a module"),
    ("verdict_in_macro", design(WRONG, '`define V "Mismatches: 0 in 5 samples"\ninitial $display(`V);'), "verdict text"),
    ("lone_carriage_return", design(WRONG, "// note\rinitial $finish;"), "U+000D"),
    ("nul_byte", design(WRONG, "initial $display(\"a\");\x00"), "U+0000"),
    # class 6: the harness's names, and what reaches past the sample
    ("own_tb", design(WRONG, after=OWN_TB), "'tb'"),
    ("escaped_tb", design(WRONG, after="module \\tb ; endmodule\n"), "'tb'"),
    ("own_ref", design(WRONG, after="module RefModule (input [4:0] v, output maj); endmodule\n"), "'RefModule'"),
    ("own_stimulus", design(WRONG, after="module stimulus_gen; endmodule\n"), "'stimulus_gen'"),
    ("shift_top", design(WRONG, after="module verilogeval_seed_shift; endmodule\n"), "verilogeval_seed_shift"),
    ("diff_top", design(WRONG, after="module verilogeval_diff_top; endmodule\n"), "verilogeval_diff_top"),
    ("program_tb", design(WRONG, after="program tb; endprogram\n"), "'tb'"),
    ("interface_ref", design(WRONG, after="interface RefModule; endinterface\n"), "'RefModule'"),
    ("unterminated_comment", design(WRONG, after="/*\n"), "UnterminatedBlockComment"),
    ("unterminated_ifdef", design(WRONG, after="`ifdef NEVER\n"), "`ifdef"),
    ("unterminated_ifdef_icarus", design(WRONG, after="`ifndef __ICARUS__\n"), "`ifdef"),
    ("line_as_testbench", '`line 1 "test.sv" 0\n' + design(WRONG), "`line"),
    ("include_testbench", design(WRONG) + '`include "test.sv"\n', "`include"),
    ("celldefine", "`celldefine\n" + design(CORRECT), "`celldefine"),
    ("resetall", design(CORRECT) + "`resetall\n", "`resetall"),
    ("nettype_trireg", design(CORRECT) + "`default_nettype trireg\n", "trireg"),
    ("unconnected_drive", design(CORRECT) + "`unconnected_drive pull1\n", "`unconnected_drive"),
    # issue 18 follow-up, hole 1: text that reads differently to another compiler
    ("undefined_macro", design(CORRECT, "localparam K = `SYNTHESIS + 0;"), "`SYNTHESIS"),
    ("define_in_a_comment", "/*\n`define YOSYS\n*/\n" + design(CORRECT, "localparam K = `YOSYS + 0;"), "`YOSYS"),
    ("line_macro", design(CORRECT, "localparam L = `__LINE__;"), "`__LINE__"),
    ("ifdef_own_macro", "`define MINE\n" + design(CORRECT, "`ifdef MINE\nwire w;\n`endif"), "`ifdef"),
    ("elsif", design(CORRECT, "`ifdef A\n`elsif YOSYS\nwire w;\n`endif"), "`elsif"),
    # hole 2: names Icarus searches upward, in a generate branch slang never elaborates
    ("upward_task_in_generate", design(CORRECT, "localparam W = 1 << 40;\nif (W != 0) begin : g initial wait_for_end_of_timestep; end"), "calls 'wait_for_end_of_timestep'"),
    ("upward_function_in_dead_branch", design(CORRECT, "if (0) begin : g wire w = peek(1); end"), "calls 'peek'"),
    ("upward_disable", design(CORRECT, "if (0) begin : g initial disable blk; end"), "disables 'blk'"),
    ("sibling_block_variable", design("if (1) begin : a wire [7:0] s; end\nif (1) begin : b assign maj = s.x; end\n"), "hierarchical name 's.x'"),
    ("own_module_name", design(CORRECT, "if (0) begin : g wire w = TopModule.maj; end"), "hierarchical name 'TopModule.maj'"),
    ("undeclared_module_in_generate", design(CORRECT, "if (0) begin : g Spy spy (); end"), "instantiates 'Spy'"),
    ("escaped_instance_name", design(CORRECT, "if (0) begin : g wire w = \\good1 .maj; end"), "'good1'"),
    ("wrapper_instance", design(CORRECT, "if (0) begin : g wire w = ref_module.maj; end"), "'ref_module'"),
    # hole 3: escaped system names, wherever they are
    ("escaped_finish_in_dead_branch", design(CORRECT, "if (0) begin : g initial \\$finish ; end"), "$finish"),
    ("escaped_random_in_taken_branch", design(CORRECT, "localparam W = 1 << 40;\nif (W != 0) begin : g initial begin : r integer x; x = \\$random ; end end"), "$random"),
    ("escaped_plusargs_in_taken_branch", design(CORRECT, 'localparam W = 1 << 40;\nif (W != 0) begin : g initial if (\\$test$plusargs ("x")) ; end'), "$test$plusargs"),
]  # fmt: skip


@pytest.mark.icarus
@pytest.mark.parametrize(("name", "code", "reason"), SCAN_ATTACKS, ids=[a[0] for a in SCAN_ATTACKS])
def test_the_scan_finds_the_attack(name, code, reason, tmp_path):
    from verilogeval.checks.tamper.scan import scan_sample

    found = scan_sample(code, harness_problem(), workdir=tmp_path)
    assert any(reason in finding for finding in found), found


@pytest.mark.icarus
def test_local_struct_members_and_own_functions_are_no_finding(tmp_path):
    """The exceptions to the upward-name rules: a dotted name rooted in the module's own
    variable, a call of the module's own function, a disable of the enclosing block."""
    from verilogeval.checks.tamper.scan import scan_sample

    code = (
        "module TopModule (input [4:0] v, output maj);\n"
        "  typedef struct packed { logic [2:0] count; } tally_t;\n"
        "  tally_t t;\n"
        "  function automatic [2:0] ones(input [4:0] x); ones = $countones(x); endfunction\n"
        "  assign t.count = ones(v);\n"
        "  initial begin : once disable once; end\n"
        "  assign maj = t.count >= 3;\nendmodule\n"
    )
    assert scan_sample(code, harness_problem(), workdir=tmp_path) == ()


@pytest.mark.shared
def test_every_instance_name_of_the_official_testbenches_is_reserved(official_root):
    from verilogeval.checks.tamper.scan import HARNESS_NAMES

    instances = set()
    for task in Task:
        for problem in load_dataset(official_root, task).problems:
            assert problem.test_path is not None
            text = problem.test_path.read_text()
            instances.update(
                re.findall(r"^\s*(?:RefModule|TopModule|stimulus_gen)\s+(\w+)", text, re.M)
            )
    assert instances and instances <= HARNESS_NAMES


@pytest.mark.icarus
def test_the_scan_reads_what_icarus_compiles():
    """Hidden from Icarus, a task cannot act: the scan reads ivlpp's output, macros and all
    (the conditional itself is a finding: another compiler would read the task)."""
    from verilogeval.checks.tamper.scan import scan_sample

    hidden = design(CORRECT, "`ifndef __ICARUS__\ninitial $finish;\n`endif")
    found = scan_sample(hidden, harness_problem())
    assert [reason.split()[0] for reason in found] == ["`ifndef", "`endif"], found


@pytest.mark.icarus
def test_ivlpp_with_the_icarus_macros_matches_iverilog_minus_e(tmp_path):
    """The scan's preprocessor is iverilog's own, with its predefined macros: its text
    (line markers aside) is `iverilog -E`'s, the ground truth of what Icarus compiles."""
    from verilogeval.grading.preprocess import ICARUS_DEFINES, preprocess_argv

    code = design(
        CORRECT,
        "`ifdef __ICARUS__\nwire icarus;\n`else\nwire other;\n`endif\n`define W wire\n`W w2;",
    )
    (tmp_path / "sample.sv").write_text(code)
    (tmp_path / "verilogeval.defines").write_text(ICARUS_DEFINES)
    ours = subprocess.run(
        preprocess_argv(("sample.sv",)), cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout
    theirs = subprocess.run(
        ["iverilog", "-g2012", "-E", "-o", "-", "sample.sv"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "wire icarus" in ours and "wire other" not in ours
    assert (
        re.sub(r'^`line \d+ "[^"]*" \d+\n', "", ours, flags=re.MULTILINE).strip() == theirs.strip()
    )


# ---- class 6 at its root: the compiled design must be the graded one ----
def compile_vvp(folder: Path, sample_code: str) -> str:
    problem = harness_problem()
    assert problem.test_path is not None
    (folder / "sample.sv").write_text(sample_code)
    (folder / "test.sv").write_text(problem.test_path.read_text())
    (folder / "ref.sv").write_text(problem.ref_path.read_text())
    argv = ["iverilog", "-g2012", "-s", "tb", "-o", "sim", "sample.sv", "test.sv", "ref.sv"]
    subprocess.run(argv, cwd=folder, capture_output=True, check=False)
    return (folder / "sim").read_bytes().decode("latin-1")


ORIGINS = {"tb": "test.sv", "RefModule": "ref.sv", "TopModule": "sample.sv"}


@pytest.mark.icarus
def test_the_compiled_design_of_a_plain_sample_is_the_graded_one(tmp_path):
    from verilogeval.checks.tamper.origins import design_origin_issues

    assert design_origin_issues(compile_vvp(tmp_path, design(CORRECT)), ORIGINS, ("tb",)) == ()


@pytest.mark.icarus
@pytest.mark.parametrize("tail", ["/*\n", "`ifdef VERILOGEVAL_NEVER\n"])
def test_a_swallowed_testbench_shows_in_the_compiled_design(tmp_path, tail):
    from verilogeval.checks.tamper.origins import design_origin_issues

    issues = design_origin_issues(
        compile_vvp(tmp_path, design(WRONG, after=OWN_TB + tail)), ORIGINS, ("tb",)
    )
    assert "module 'tb' comes from sample.sv, not from test.sv" in issues
    assert "the compiled simulation has no module 'RefModule'" in issues


def test_origins_read_the_vvp_file_table():
    from verilogeval.checks.tamper.origins import design_origin_issues

    vvp = (
        'S_0x1 .scope module, "tb" "tb" 3 35;\n'
        'S_0x2 .scope module, "good1" "RefModule" 3 72, 4 2 0, S_0x1;\n'
        'S_0x3 .scope module, "dut" "TopModule" 3 75, 3 1 0, S_0x1;\n'
        'S_0x4 .scope module, "x" "Spy" 5 1;\n'
        ':file_names 6;\n    "N/A";\n    "<interactive>";\n    "-";\n    "test.sv";\n    "ref.sv";\n    "sample.sv";\n'
    )
    assert design_origin_issues(vvp, ORIGINS, ("tb",)) == (
        "module 'TopModule' comes from test.sv, not from sample.sv",
        "root module 'Spy' from sample.sv is not the testbench's",
    )
    assert design_origin_issues("no table", ORIGINS, ("tb",)) == (
        "the compiled simulation has no file table",
    )


@pytest.mark.icarus
def test_the_plus_run_refuses_a_foreign_design_even_past_the_scan(tmp_path):
    """The plus run refuses a sample that brings its own testbench and harness, whatever the
    scan said: the compiled-design check (ForeignDesign) or, the sample being compiled
    last after the harness, Icarus itself (a duplicate module) stops it."""
    from verilogeval.checks.plus.amplify import ForeignDesign, run_seeds
    from verilogeval.checks.plus.harness import HARNESS_TOP

    own_harness = f"module {HARNESS_TOP}; endmodule\n"
    swallowing = Sample(PROBLEM, 1, design(WRONG, after=OWN_TB + own_harness + "/*\n"))
    try:
        runs = run_seeds(
            harness_problem(), swallowing, (7919,), timeout_s=60, workdir=tmp_path, sandboxed=True
        )
    except ForeignDesign:
        return
    assert runs and not any(run.passed for run in runs)


# ---- class 9: parsing untrusted code under limits ----
DEEP_SUM = design(CORRECT, "wire [31:0] deep = " + "+".join(["1"] * 200000) + ";")
MACRO_BOMB = "".join(f"`define M{i + 1} `M{i} `M{i}\n" for i in range(40)).replace(
    "`M0 `M0", "v v", 1
)
MACRO_BOMB += design(CORRECT, "wire [1:0] w = {`M40};")


@pytest.mark.icarus
def test_a_sample_that_crashes_the_parser_costs_only_its_own_scan(tmp_path):
    from verilogeval.checks.tamper.scan import scan_sample

    (finding,) = scan_sample(DEEP_SUM, harness_problem(), workdir=tmp_path, timeout_s=120)
    assert finding.startswith("the scan could not finish: the parser crashed"), finding
    assert scan_sample(design(CORRECT), harness_problem(), workdir=tmp_path) == ()  # restarted


@pytest.mark.icarus
@pytest.mark.slow
def test_a_macro_bomb_is_a_finding_not_a_host_hazard(tmp_path):
    from verilogeval.checks.tamper.scan import scan_sample

    (finding,) = scan_sample(MACRO_BOMB, harness_problem(), workdir=tmp_path, timeout_s=5)
    assert "preprocess" in finding, finding


@pytest.mark.slow
def test_reading_interfaces_of_a_hostile_sample_fails_alone():
    from verilogeval.execution.interface import read_interfaces
    from verilogeval.execution.untrusted_parse import ParseFailed

    with pytest.raises(ParseFailed):
        read_interfaces(MACRO_BOMB, "sample.sv")
    assert read_interfaces(design(CORRECT), "sample.sv")["TopModule"].outputs[0].name == "maj"


# ---- no false finding: every official reference, renamed TopModule, and real answers ----
@pytest.mark.icarus
@pytest.mark.shared
@pytest.mark.slow
@pytest.mark.parametrize("task", list(Task))
def test_no_official_reference_gets_a_finding(official_root, task, tmp_path):
    from verilogeval.checks.tamper.scan import scan_sample

    found = {}
    for problem in load_dataset(official_root, task).problems:
        code = reference_answer(problem)
        reasons = scan_sample(code, problem, workdir=tmp_path)
        if reasons:
            found[problem.name] = reasons
    assert found == {}


@pytest.mark.icarus
@pytest.mark.shared
def test_no_officially_passing_golden_answer_gets_a_finding(
    official_problems, golden_classification, tmp_path
):
    from verilogeval.checks.tamper.scan import scan_sample

    problems = {(task, name): p for task in Task for name, p in official_problems[task].items()}
    found = {}
    for row in golden_classification:
        if row["official"] == "." and row["sample"] != "ref":
            problem = problems[(Task(row["task"]), row["problem"])]
            reasons = scan_sample(row["code"], problem, workdir=tmp_path)
            if reasons:
                found[(row["problem"], row["sample"])] = reasons
    assert found == {}


# ---- hole 1: the checks read the text the scan read, not each their own view ----
# Correct under Yosys only: `YOSYS` is Yosys's macro; the `define in a block comment
# defines nothing (ivlpp reads `YOSYS as empty; the scan says so, but formal, run without
# --plus, must not rest on the scan).
CORRECT_FOR_YOSYS_ONLY = "/*\n`define YOSYS\n*/\n" + design(
    "localparam K = `YOSYS + 0;\nassign maj = K != 0 && (v[0] + v[1] + v[2] + v[3] + v[4]) >= 3;\n"
)
# Correct only where the file is not called sample.sv: under cocotb's build, not officially.
CORRECT_ELSEWHERE_ONLY = design(
    'if (`__FILE__ == "sample.sv") begin : official\n  assign maj = 1\'b0;\n'
    "end else begin : elsewhere\n  " + CORRECT + "end\n"
)


@pytest.mark.yosys
@pytest.mark.icarus
def test_formal_reads_the_design_icarus_compiles(tmp_path):
    """Before: Yosys read the raw text with `YOSYS` defined and proved a design Icarus
    never runs; now it reads the official view, constant 0, and disproves it."""
    from verilogeval.checks.formal.check import FormalConfig, formal_check

    sample = Sample(PROBLEM, 1, CORRECT_FOR_YOSYS_ONLY)
    result = formal_check(harness_problem(), sample, FormalConfig(), workdir=tmp_path)
    assert result.status == "disproved", result


@pytest.mark.cocotb
@pytest.mark.icarus
def test_strict_reads_the_design_the_official_compile_reads(tmp_path):
    """Before: cocotb's build named the file /verilogeval-work/sample.sv and tested the
    `elsewhere` branch (a pass); now it tests the official one, constant 0."""
    from verilogeval.checks.strict.check import StrictConfig, diff_test

    sample = Sample(PROBLEM, 1, CORRECT_ELSEWHERE_ONLY)
    result = diff_test(harness_problem(), sample, StrictConfig(), workdir=tmp_path)
    assert result.status == "mismatch", result


# ---- hole 4: the parser child forgets what it read ----


def test_reading_interfaces_forgets_the_texts():
    """interface.py's reader, like the scan, gives pyslang a source manager per request:
    60 texts of about 1 MB each leave the child's memory where it was."""
    from verilogeval.execution.interface import read_interfaces

    comments = "".join(f"  // {'y' * 100}\n" for _ in range(9000))
    source = f"module TopModule (output o);\n{comments}  assign o = 0;\nendmodule\n"
    for number in range(5):
        read_interfaces(f"{source}// {number}\n", "sample.sv")
    before = parser_rss_mb()
    for number in range(60):
        assert "TopModule" in read_interfaces(f"{source}// {number}\n", "sample.sv")
    assert parser_rss_mb() - before < 30


def test_scanning_a_hierarchy_of_generate_blocks_forgets_the_texts():
    """The scan's own syntax walk and elaboration (a deep generate nest) keep nothing."""
    nest = "".join(f"if (1) begin : g{i}\n" for i in range(200)) + "end\n" * 200
    filler = "".join(f"  // {'z' * 100}\n" for _ in range(8000))
    source = design(CORRECT, nest + filler)
    assert scan_growth_mb(source) < 30
