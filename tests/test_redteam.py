"""Red-team attacks on the grader, written by reading this repository as an attacker would.

Each attack is graded through the CLI as a user runs it. An attack that succeeds today is
an xfail(strict=True) test asserting the safe behaviour, so it turns into a failure (an
XPASS) the day the hole is fixed and the marker must go. The plain tests are attacks the
defence holds against today.

Target: Prob030_popcount255 (the count of ones of a 255-bit vector), whose correct answer
is not trivial: none of the designs here computes it, so any pass is forged.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from processes import scan_growth_mb

from verilogeval.records import Task

pytestmark = [pytest.mark.icarus, pytest.mark.shared]

POPCOUNT = "Prob030_popcount255"
CORRECT = """\
module TopModule (input [254:0] in, output reg [7:0] out);
  always @* begin
    out = 0;
    for (int i = 0; i < 255; i++) out = out + in[i];
  end
endmodule
"""


def evaluate(
    tmp_path: Path, official_root: Path, codes: list[tuple[str, str]], *flags: str
) -> tuple[subprocess.CompletedProcess[str], dict[int, dict]]:
    """Grade (problem, code) pairs, numbered from 1, with `flags`; the CLI's result, records."""
    samples = tmp_path / "samples.jsonl"
    samples.write_text(
        "".join(
            json.dumps({"problem": problem, "sample": number, "code": code}) + "\n"
            for number, (problem, code) in enumerate(codes, start=1)
        )
    )
    out = tmp_path / "out"
    argv = [
        sys.executable, "-m", "verilogeval", "evaluate", "--samples", str(samples),
        "--out", str(out), "--dataset", str(official_root), "--task", Task.SPEC_TO_RTL,
        "--cache-dir", str(tmp_path / "cache"), "--jobs", "1", *flags,
    ]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, timeout=900, check=False)
    records: dict[int, dict] = {}
    results = out / "results.jsonl"
    if results.exists():
        for line in results.read_text().splitlines():
            record = json.loads(line)
            records[record["sample"]] = record
    return done, records


def test_the_correct_design_plus_passes(tmp_path, official_root):
    """The yardstick: the target problem's correct answer passes and plus-passes."""
    done, records = evaluate(tmp_path, official_root, [(POPCOUNT, CORRECT)], "--plus")
    assert done.returncode == 0, done.stderr
    assert records[1]["passed"] and records[1]["plus_passed"]


# The design copies the reference's output through an upward name; a generate condition
# that Icarus evaluates as true (unsized constants are lossless in Icarus: 1 << 40 is not
# 0) and slang as false (32-bit arithmetic: 1 << 40 is 0) hides the name from the scan.
COPY_REF_BEHIND_GENERATE = """\
module TopModule (input [254:0] in, output [7:0] out);
  localparam WIDE = 1 << 40;
  if (WIDE != 0) begin : g
    assign out = tb.out_ref;
  end else begin : h
    assign out = 8'd0;
  end
endmodule
"""

# The design copies the reference's output through `good1.out`: alone (where the scan
# elaborates it) `good1` is the sample's own uninstantiated module, a top of its own; in
# the compile (`-s tb`) it is not a root, and the name resolves upward to tb's instance
# `good1`, the reference.
COPY_REF_THROUGH_INSTANCE_NAME = """\
module TopModule (input [254:0] in, output [7:0] out);
  assign out = good1.out;
endmodule
module good1 (output [7:0] out);
  assign out = 8'd0;
endmodule
"""


def test_upward_reference_behind_a_generate_condition_icarus_reads_otherwise(
    tmp_path, official_root
):
    """Class: tamper-scan bypass by a pyslang-vs-Icarus elaboration differential.

    Root cause: verilogeval/checks/tamper/token_scan.py, scan_tokens: the only check that a name
    stays inside the design is slang's elaboration of the sample alone, which never looks
    into a generate branch it evaluates as false; Icarus evaluates constants differently
    (unsized arithmetic is lossless), elaborates that branch, and `tb.out_ref` (the
    reference's output) drives the design's output. Official pass, plus pass: forged.
    """
    done, records = evaluate(
        tmp_path, official_root, [(POPCOUNT, COPY_REF_BEHIND_GENERATE)], "--plus"
    )
    assert done.returncode == 0, done.stderr
    assert records[1]["plus_passed"] is not True, records[1]["plus"]


def test_upward_reference_to_the_reference_instance_by_its_name(tmp_path, official_root):
    """Class: tamper-scan bypass by a name that resolves in the scan and elsewhere in Icarus.

    Root cause: verilogeval/checks/tamper/token_scan.py, scan_tokens: the sample is elaborated
    alone, so every module it declares but does not instantiate is a top and `good1.out`
    resolves to the sample's own `good1`; the instance names of the testbench (`good1`,
    `top_module1`, `stim1`) are not reserved (scan.py reserves only declared module
    names). In the compile only `tb` is a root and `good1.out` is the reference's output.
    """
    done, records = evaluate(
        tmp_path, official_root, [(POPCOUNT, COPY_REF_THROUGH_INSTANCE_NAME)], "--plus"
    )
    assert done.returncode == 0, done.stderr
    assert records[1]["plus_passed"] is not True, records[1]["plus"]


@pytest.mark.slow
@pytest.mark.yosys
def test_formal_proven_printed_by_the_design_itself(tmp_path, official_root):
    """Class: forged trusted verdict (formal), the design writes the text the verdict is read from.

    Root cause: verilogeval/checks/formal/yosys.py, read_log: the verdict is a substring search
    over Yosys's whole log, and the log holds what the design prints while Yosys elaborates
    it (`read_verilog` runs `initial $display` at once; `$display` is on the tamper scan's
    allow-list). "Induction step proven: SUCCESS!" is tested before the real "FAIL!", so a
    design stuck at 0 is `proven`. Once --formal fails closed (proven/bounded required) this
    is a forged plus pass on its own; today it is a forged `formal: proven` in results.jsonl.
    """
    code = COPY_REF_THROUGH_INSTANCE_NAME.replace(
        "endmodule", '  initial $display("Induction step proven: SUCCESS!");\nendmodule', 1
    )
    done, records = evaluate(tmp_path, official_root, [(POPCOUNT, code)], "--plus", "--formal")
    assert done.returncode == 0, done.stderr
    assert records[1]["passed"]  # the official verdict, forged as above: formal must see through it
    assert records[1]["formal"]["status"] != "proven", records[1]["formal"]


# File writes, random draws and $finish, spelled as escaped identifiers (`\$fopen `), which
# Icarus reads as the system names, inside the generate branch only Icarus elaborates.
HIDDEN_SYSTEM_TASKS = """\
module TopModule (input [254:0] in, output [7:0] out);
  assign out = 8'd0;
  localparam WIDE = 1 << 40;
  if (WIDE != 0) begin : g
    initial begin : w
      integer f;
      f = \\$fopen ("verilogeval-redteam.txt", "w");
      \\$fdisplay (f, "%0d %0d", \\$urandom (), \\$random ());
      \\$fclose (f);
      #1 \\$finish ;
    end
  end
endmodule
"""


def _popcount(official_root: Path):
    from verilogeval.dataset.loader import load_dataset

    return load_dataset(official_root, Task.SPEC_TO_RTL).problem(POPCOUNT)


def test_escaped_system_names_in_a_generate_branch_only_icarus_elaborates(tmp_path, official_root):
    """Class: allow-list bypass: every refused system task ($fopen, $random, $finish...).

    Root cause: verilogeval/checks/tamper/token_scan.py, scan_tokens / system_name_reason: only
    SystemIdentifier tokens are checked against the allow-list, but Icarus's lexer turns
    an escaped identifier that starts with `$` into the system name. slang reads
    `\\$fopen ` as a plain name, which only elaboration would flag (undeclared), and a
    generate condition slang evaluates as false (see COPY_REF_BEHIND_GENERATE) keeps it
    from elaborating. The compile runs all of them: the file is written, $finish ends the
    run early.
    """
    from verilogeval.checks.tamper.scan import scan_sample

    problem = _popcount(official_root)
    assert scan_sample(HIDDEN_SYSTEM_TASKS, problem, workdir=tmp_path) != ()


LEAVE_FILES = """\
module TopModule (input [254:0] in, output [7:0] out);
  assign out = 8'd0;
  initial begin : w
    integer f;
    f = $fopen("/tmp/verilogeval-redteam-left", "w"); $fdisplay(f, "left"); $fclose(f);
    f = $fopen("/dev/shm/verilogeval-redteam-left", "w"); $fdisplay(f, "left"); $fclose(f);
    f = $fopen("/verilogeval-redteam-left", "w"); $fdisplay(f, "left"); $fclose(f);
  end
endmodule
"""
# Passes (a forged verdict, allowed officially) only when it finds what the first one left.
FIND_FILES = """\
module TopModule (input [254:0] in, output [7:0] out);
  assign out = 8'd1;
  initial begin : r
    integer a, b, c;
    a = $fopen("/tmp/verilogeval-redteam-left", "r");
    b = $fopen("/dev/shm/verilogeval-redteam-left", "r");
    c = $fopen("/verilogeval-redteam-left", "r");
    if (a != 0 || b != 0 || c != 0) begin
      $display("Mismatches: 0 in 215 samples");
      $finish;
    end
  end
endmodule
"""


def test_a_sample_finds_nothing_an_earlier_sample_left(tmp_path, official_root):
    """Defence holds: the same worker's sandbox gives each command a fresh /tmp and
    workspace and a read-only rest (verilogeval/execution/sandbox/isolation.py, Agent.run),
    and nothing reaches the host's /tmp or /dev/shm."""
    done, records = evaluate(
        tmp_path, official_root, [(POPCOUNT, LEAVE_FILES), (POPCOUNT, FIND_FILES)]
    )
    assert done.returncode == 0, done.stderr
    assert not records[2]["passed"]
    for folder in ("/tmp", "/dev/shm"):
        assert not (Path(folder) / "verilogeval-redteam-left").exists()


def test_a_count_too_long_for_int_is_graded_as_any_log(tmp_path, official_root):
    """Class: a log that crashes the host-side reader. A verdict line with a 5000-digit
    count made int() raise in verilogeval/grading/classify.py, _mismatch_counts: the sample could
    never be graded, on any resume. Now the classifier reads a count too long for a number
    as no count and decides the pass on the digits: the sample is graded (a failure)."""
    huge = "9" * 5000
    flood = (
        "module TopModule (input [254:0] in, output [7:0] out);\n  assign out = 8'd0;\n"
        f'  initial $display("Mismatches: %0s in 1 samples", "{huge}");\nendmodule\n'
    )
    done, records = evaluate(tmp_path, official_root, [(POPCOUNT, flood), (POPCOUNT, CORRECT)])
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert not records[1]["passed"] and records[2]["passed"]


# One text, four readings. The scan preprocesses the sample as the official compile does
# (ivlpp, `__ICARUS__`, file name sample.sv); Yosys defines `YOSYS`, and the cocotb
# compile names the file /verilogeval-work/sample.sv. Each reader gets its own design:
# Icarus officially copies the reference through tb's `good1`, the strict compile through
# its wrapper's `ref_module`, Yosys reads a constant 0 that prints formal's success line.
EVERY_VERDICT_FORGED = """\
module TopModule (input [254:0] in, output [7:0] out);
`ifdef YOSYS
  assign out = 8'd0;
  initial $display("Induction step proven: SUCCESS!");
`else
  if (`__FILE__ == "sample.sv") begin : official
    assign out = good1.out;
  end else begin : elsewhere
    assign out = ref_module.out;
  end
`endif
endmodule
module good1 (output [7:0] out);
  assign out = 8'd0;
endmodule
"""


@pytest.mark.slow
@pytest.mark.cocotb
@pytest.mark.yosys
def test_every_trusted_verdict_forged_by_compiler_specific_views(tmp_path, official_root):
    """Class: tamper-scan bypass by preprocessing differential, across the four compiles.

    Root cause: verilogeval/grading/preprocess.py, preprocess_sample and checks/tamper/scan.py,
    scan_sample scan the sample as the official compile preprocesses it, but the raw text
    goes to three other readers: strict's cocotb build (verilogeval/checks/strict/check.py; a
    different file name, so `__FILE__` differs, and a wrapper whose `ref_module` an
    upward name reaches), and Yosys (verilogeval/checks/formal/yosys.py; `YOSYS` defined, the
    log read for a success line the design prints). Nothing implements a popcount, yet
    --plus --strict --formal gives: official pass, plus pass, strict pass, formal proven.
    """
    done, records = evaluate(
        tmp_path,
        official_root,
        [(POPCOUNT, EVERY_VERDICT_FORGED)],
        "--plus",
        "--strict",
        "--formal",
    )
    assert done.returncode == 0, done.stderr
    record = records[1]
    assert record["strict"]["status"] != "pass", record["strict"]
    assert record["formal"]["status"] != "proven", record["formal"]
    assert record["plus_passed"] is not True, record["plus"]


def test_a_sample_that_is_skipped_still_counts_in_the_scores(tmp_path, official_root):
    """Class: score inflation by a sample that is never graded.

    Root cause: the JSONL reader (verilogeval/orchestration/sample_inputs.py, its Rejected
    lines) skips a line whose code holds a lone surrogate (`\\ud800`, valid JSON; or is over
    MAX_CODE_BYTES) with a warning; the run exits 1, but the run folder's summary.txt,
    `report` and the leaderboard compute their pass rate over the graded samples only: a
    model whose failing answers carry one such character scores 100%. The problem the
    skipped sample belongs to must still be scored (a failure, or named as not graded)
    wherever the pass rate is.
    """
    wrong = "module TopModule (output zero);\n  assign zero = 1'b1; // \ud800\nendmodule\n"
    done, records = evaluate(
        tmp_path, official_root, [(POPCOUNT, CORRECT), ("Prob001_zero", wrong)]
    )
    assert done.returncode == 1  # the run does say a line was skipped
    assert records[1]["passed"]
    summary = (tmp_path / "out" / "summary.txt").read_text()
    assert "Prob001_zero" in summary, summary


_HEAD = "module TopModule (input [254:0] in, output [7:0] out);\n  assign out = 8'd0;\n"
HELD_BY_THE_SCAN = {
    "upward name alone": _HEAD + "  wire [7:0] c = tb.out_ref;\nendmodule\n",
    "escaped $finish alone": _HEAD + "  initial #1 \\$finish ;\nendmodule\n",
    "escaped $root": _HEAD + "  wire [7:0] c = \\$root .tb.out_ref;\nendmodule\n",
    "ifdef __ICARUS__": _HEAD + "`ifdef __ICARUS__\n  initial #1 $finish;\n`endif\nendmodule\n",
    "unterminated comment": _HEAD + "endmodule\n/*",
    "reseeding $urandom": _HEAD
    + "  initial begin : s integer q; q = $urandom(7); end\n"
    + "endmodule\n",
    "unconnected_drive": "`unconnected_drive pull1\n" + _HEAD + "endmodule\n",
}


@pytest.mark.parametrize("name", sorted(HELD_BY_THE_SCAN))
def test_the_scan_finds_the_plain_forms(name, tmp_path, official_root):
    """Defence holds: the same tricks without a differential to hide behind are findings
    (verilogeval/checks/tamper/token_scan.py's allow-list and elaboration, preprocess.py's harness
    comparison)."""
    from verilogeval.checks.tamper.scan import scan_sample

    problem = _popcount(official_root)
    assert scan_sample(HELD_BY_THE_SCAN[name], problem, workdir=tmp_path) != ()


FILL_TMP_WITH_INODES = """\
module TopModule (input [254:0] in, output [7:0] out);
  assign out = 8'd0;
  initial begin : w
    integer i, f, made;
    reg [8*40-1:0] name;
    made = 0;
    for (i = 0; i < 20000; i = i + 1) begin
      $sformat(name, "/tmp/f%0d", i);
      f = $fopen(name, "w");
      if (f != 0) begin made = made + 1; $fclose(f); end
    end
    $display("created %0d files", made);
  end
endmodule
"""


def test_the_commands_tmp_bounds_its_files_as_the_workspace_does(official_root):
    """Class: resource exhaustion past the stated limits (kernel memory).

    Root cause: verilogeval/execution/sandbox/isolation.py, _isolate_mounts: the command's
    /tmp is a tmpfs with `size=TMP_LIMIT_BYTES` but no `nr_inodes` (the workspace has
    WORKSPACE_INODES).
    Empty files cost no `size` but an inode and a dentry each, kernel memory that
    RLIMIT_AS does not count either: a sample makes ~10^4 of them a second (this one
    20000 in about a second), hundreds of MB in its 30 s, per grading job. The official
    flow lets any sample use $fopen, so this needs no scan bypass.
    """
    from verilogeval.grading.simulate import simulate
    from verilogeval.records import Sample

    problem = _popcount(official_root)
    done = simulate(problem, Sample(POPCOUNT, 1, FILL_TMP_WITH_INODES), timeout_s=120)
    assert done.run is not None
    assert "created 20000 files" not in done.run.output


def test_the_parser_child_forgets_the_samples_it_scanned():
    """Class: one sample's cost carried into later samples (the parser child's memory).

    Root cause: verilogeval/checks/tamper/token_scan.py, scan_tokens (and interface.py's reader)
    use `SyntaxTree.fromText` without a SourceManager of their own, so pyslang's global
    default one keeps every scanned text for the life of the parser child
    (verilogeval/execution/untrusted_parse.py, _Parser), about 1 MB per large sample. Under the
    child's 2 GiB RLIMIT_AS, samples whose preprocessed text is near the 1 MB output cap
    fill it within ~2000 scans; the child then dies on whichever sample comes next, a
    correct one included, whose scan "could not finish": a tamper finding.
    """
    comments = "".join(f"  // {'x' * 100}\n" for _ in range(9000))  # about 1 MB
    source = f"module TopModule (output o);\n{comments}  assign o = 0;\nendmodule\n"
    assert scan_growth_mb(source) < 30


# ---- second pass (after the fixes above): what Yosys reads and Icarus simulates differ ----
MUX = "Prob017_mux2to1v"
_MUX_PORTS = "module TopModule (input [99:0] a, input [99:0] b, input sel, output reg [99:0] out);"
HIDDEN_FROM_YOSYS = f"""\
{_MUX_PORTS}
  always @(*) begin
    out = sel ? b : a;
    // synopsys translate_off
    if (a == 100'h1234_5678_9abc_def0_1234_5) out = 100'd0;
    // synopsys translate_on
  end
endmodule
"""
STALE_ON_B = f"""\
{_MUX_PORTS}
  always @(a or sel) out = sel ? b : a;
endmodule
"""
STALE_THROUGH_A_FUNCTION = f"""\
{_MUX_PORTS}
  function [99:0] pick(input s, input [99:0] x);
    pick = s ? b : x;
  endfunction
  always @* out = pick(sel, a);
endmodule
"""


@pytest.mark.yosys
@pytest.mark.slow
def test_code_only_icarus_runs_is_never_proven(tmp_path, official_root):
    """Class: formal proves another design than the one simulated (a synthesis pragma).

    Root cause: verilogeval/checks/formal/check.py handed Yosys the text Icarus compiles, comments
    included, and Yosys's reader obeys `// synopsys translate_off` (and full_case /
    parallel_case): the wrong branch Icarus runs was invisible to the proof, so a design
    that is wrong on one input got `formal: proven` and `plus_passed: true`.
    """
    done, records = evaluate(
        tmp_path, official_root, [(MUX, HIDDEN_FROM_YOSYS)], "--plus", "--formal"
    )
    assert done.returncode == 0, done.stderr
    assert records[1]["formal"]["status"] == "unsupported", records[1]["formal"]
    assert records[1]["plus_passed"] is None, records[1]["plus"]


@pytest.mark.yosys
@pytest.mark.slow
@pytest.mark.parametrize("code", [STALE_ON_B, STALE_THROUGH_A_FUNCTION], ids=["list", "function"])
def test_an_output_icarus_leaves_stale_is_never_proven(code, tmp_path, official_root):
    """Class: formal proves another design than the one simulated (sensitivity).

    Root cause: verilogeval/checks/formal/yosys.py's recipe reads the design as synthesis does (an
    event list is ignored), while Icarus re-evaluates the block only on the listed signals
    (`@(a or sel)`) or, under `@*`, not on a signal a called function reads directly: with
    `sel` high, a change of `b` alone leaves `out` stale. The plus stimulus changes every
    input each step, so it never shows; formal said proven. Now outside formal's subset
    (verilogeval/checks/formal/subset.py): unsupported, and plus cannot decide.
    """
    done, records = evaluate(tmp_path, official_root, [(MUX, code)], "--plus", "--formal")
    assert done.returncode == 0, done.stderr
    assert records[1]["formal"]["status"] == "unsupported", records[1]["formal"]
    assert "simulation and synthesis may differ" in records[1]["formal"]["reason"]
    assert records[1]["plus_passed"] is None, records[1]["plus"]
