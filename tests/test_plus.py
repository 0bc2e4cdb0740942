"""--plus: tamper scan, the amplified official testbench, and the trusted verdict's fields."""

from __future__ import annotations

import json
import re

import pytest
from problems import embedded_problem, reference_answer, write_problem

from verilogeval.checks.formal.result import FormalResult, FormalStatus
from verilogeval.checks.plus.amplify import amplified_compile_argv, run_seeds, shifts_stimulus
from verilogeval.checks.plus.batch import PlusChecks, PlusInput, plus_error, plus_fields, plus_job
from verilogeval.checks.plus.check import PlusConfig, PlusResult, plus_check
from verilogeval.checks.plus.harness import HARNESS_TOP, secret_shifts
from verilogeval.checks.strict.result import StrictResult, StrictStatus
from verilogeval.checks.tamper.scan import scan_log, scan_sample
from verilogeval.dataset.loader import load_dataset
from verilogeval.execution.pools import LocalPool, Place, run_all
from verilogeval.grading.classify import classify
from verilogeval.grading.simulate import official_log, simulate
from verilogeval.grading.time_limits import reference_sample
from verilogeval.records import Category, Problem, Sample, Task

# A testbench in the official style whose stimulus comes from the unseeded global stream.
TESTBENCH = """\
`timescale 1 ps/1 ps
module tb;
  reg clk = 0;
  always #5 clk = ~clk;
  logic [7:0] a;
  wire [7:0] y_ref, y_dut;
  RefModule good (.a(a), .y(y_ref));
  TopModule dut (.a(a), .y(y_dut));
  int samples = 0;
  int bad = 0;
  initial begin
    a = 0;
    repeat (20) @(negedge clk) a = $random;
    #10 $finish;
  end
  always @(posedge clk) begin
    samples++;
    if (y_ref !== y_dut) bad++;
  end
  final $display("Mismatches: %1d in %1d samples", bad, samples);
endmodule
"""
REFERENCE = "module RefModule (input [7:0] a, output [7:0] y);\n  assign y = a + 8'd1;\nendmodule\n"


@pytest.fixture
def shifted_problem(tmp_path) -> Problem:
    return write_problem(tmp_path, "Prob900_increment8", REFERENCE, TESTBENCH)


def sample(problem: Problem, body: str, extra: str = "") -> Sample:
    code = f"module TopModule (input [7:0] a, output [7:0] y);\n  {body}\n{extra}\nendmodule\n"
    return Sample(problem.name, 1, code)


def values_of_a(log: str) -> set[int]:
    return {int(value) for value in re.findall(r"^A=(\d+)$", log, re.MULTILINE)}


@pytest.mark.icarus
def test_a_bug_the_default_seed_misses_is_caught_by_a_shifted_seed(shifted_problem, tmp_path):
    spy = sample(shifted_problem, "assign y = a + 8'd1;", 'always @(a) $display("A=%0d", a);')
    simulated = simulate(shifted_problem, spy, workdir=tmp_path).run
    assert simulated is not None
    default = values_of_a(simulated.output)
    (first_shift,) = run_seeds(
        shifted_problem, spy, secret_shifts(1), timeout_s=30, workdir=tmp_path, sandboxed=True
    )
    shifted = values_of_a(first_shift.log)
    assert shifted and shifted != default  # the shift changed the testbench's stimulus
    unseen = min(shifted - default)  # a value only the shifted stimulus drives
    buggy = sample(shifted_problem, f"assign y = (a == 8'd{unseen}) ? 8'd0 : a + 8'd1;")

    official = classify(simulate(shifted_problem, buggy, workdir=tmp_path))
    assert official.category is Category.PASS  # the official run never drives `unseen`
    config = PlusConfig(shifts=(first_shift.draws, *secret_shifts(3)), timeout_s=30)
    result = plus_check(shifted_problem, buggy, "", config, workdir=tmp_path, sandboxed=True)
    assert not result.passed and result.tamper == ()
    assert result.failing_seed == 1 and result.seeds_run == 1  # stopped at the first failure
    assert re.match(r"Mismatches: [1-9]\d* in 21 samples", result.mismatch_line or "")

    correct = sample(shifted_problem, "assign y = a + 8'd1;")
    result = plus_check(shifted_problem, correct, "", config, workdir=tmp_path, sandboxed=True)
    assert result.passed and result.seeds_run == 4


def test_seeds_are_skipped_where_the_testbench_draws_nothing_unseeded():
    assert shifts_stimulus("a = $random;") and shifts_stimulus("x = $urandom % 4;")
    assert shifts_stimulus("a = $random();")
    assert not shifts_stimulus("a = $random(seed);") and not shifts_stimulus("a = 1;")


def test_the_harness_is_elaborated_before_the_testbench_and_the_sample_compiles_last():
    argv = amplified_compile_argv()
    assert argv.index(HARNESS_TOP) < argv.index("tb")
    assert argv[-1] == "sample.sv"  # nothing it leaves open swallows another file


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ('initial $display("Mismatches: 0 in 9 samples");', "verdict text"),
        ('initial $display("Mis", "matches: 0 in 9 samples");', "verdict text"),
        ("initial #5 $finish;", "$finish"),
        ("initial $fatal;", "$fatal"),
        ('initial begin : f integer h; h = $fopen("/x", "w"); end', "$fopen"),
        ('reg [7:0] m [0:1]; initial $readmemh("/etc/shadow", m);', "$readmemh"),
        ('initial begin $dumpfile("w.vcd"); $dumpvars; end', "$dumpfile"),
        ('`include "/etc/passwd"', "`include"),
        ('initial $system("rm -rf /");', "$system"),
        ("initial force tb.bad = 0;", "force"),
        ("always @(tb.bad) tb.bad = 0;", "'tb.bad'"),
        ("`define END $finish\ninitial `END;", "$finish"),
    ],
)
def test_the_scan_names_what_acts_on_the_harness(extra, reason):
    code = f"module TopModule (input a, output y);\n  assign y = a;\n{extra}\nendmodule\n"
    reasons = scan_sample(code)
    assert any(reason in found for found in reasons), reasons


def test_plain_designs_and_signals_named_like_the_harness_are_not_tamper():
    code = "module TopModule (input tb, output y);\n  wire stats1 = tb;\n  assign y = stats1;\n"
    code += "endmodule\n"
    assert scan_sample(code) == ()


def test_the_log_may_hold_only_one_verdict_line():
    assert scan_log("Hint: x\nMismatches: 0 in 5 samples\n") == ()
    (reason,) = scan_log("Mismatches: 0 in 1 samples\nMismatches: 3 in 5 samples\n")
    assert reason.startswith("2 verdict lines")


def test_plus_passed_needs_every_check():
    clean = PlusResult((), 4, False)
    assert plus_fields(None) == {"plus_passed": False, "plus": None}
    assert plus_fields(clean)["plus_passed"] is True
    formal = {status: FormalResult("p", 1, status, reason="r") for status in FormalStatus}
    for status in (FormalStatus.PROVEN, FormalStatus.BOUNDED):
        assert plus_fields(clean, formal=formal[status], formal_required=True)["plus_passed"]
    disproved = plus_fields(clean, formal=formal[FormalStatus.DISPROVED], formal_required=True)
    assert disproved["plus_passed"] is False
    undecided: tuple[FormalStatus | None, ...] = (
        FormalStatus.UNSUPPORTED, FormalStatus.TIMEOUT, FormalStatus.ERROR, None,
    )  # fmt: skip
    for maybe in undecided:
        fields = plus_fields(
            clean, formal=None if maybe is None else formal[maybe], formal_required=True
        )
        assert fields["plus_passed"] is None, maybe  # fails closed: no trust, with why
        assert fields["plus"]["undecided"].startswith("formal: "), fields
    assert plus_fields(PlusResult(("$finish",), 0, False))["plus_passed"] is False
    assert (
        plus_fields(PlusResult((), 2, False, failing_seed=2, mismatch_line="M"))["plus_passed"]
        is False
    )
    strict_pass = StrictResult("p", 1, StrictStatus.PASS)
    strict_fail = StrictResult("p", 1, StrictStatus.MISMATCH)
    assert plus_fields(clean, strict=strict_pass, strict_required=True)["plus_passed"] is True
    assert plus_fields(clean, strict=strict_fail, strict_required=True)["plus_passed"] is False
    assert plus_fields(clean, strict=strict_fail)["plus_passed"] is True  # no --strict asked
    assert PlusResult.from_json(plus_fields(clean)["plus"]) == clean


@pytest.mark.icarus
def test_plus_results_are_cached_by_what_decides_them(shifted_problem, tmp_path):
    good = sample(shifted_problem, "assign y = a + 8'd1;")
    log = official_log(simulate(shifted_problem, good, workdir=tmp_path))
    config = PlusConfig(shifts=secret_shifts(2), timeout_s=30)
    place = Place(workdir=tmp_path, cache_dir=None, sandboxed=True)
    with LocalPool(1, place) as pool:
        checks = PlusChecks(config, pool, sandboxed=True, cache_dir=tmp_path / "cache")
        first = checks.submit(shifted_problem, good, log)
        assert not first.done()  # sent to the pool: nothing cached yet
        assert first.result().passed
        again = checks.submit(shifted_problem, good, log)
        assert again.done()  # the second is the cached one, known at once
        assert again.result() == first.result()
        other = PlusConfig(shifts=secret_shifts(3), timeout_s=30)
        checks = PlusChecks(other, pool, sandboxed=True, cache_dir=tmp_path / "cache")
        assert checks.submit(shifted_problem, good, log).result().seeds_run == 3


@pytest.mark.icarus
def test_every_official_reference_plus_passes_but_those_check_lists(official_root, tmp_path):
    cannot_pass = {
        "Prob082_lfsr32",
        "Prob141_count_clock",
        "Prob151_review2015_fsm",
        "Prob156_review2015_fancytimer",
        "Prob099_m2014_q6c",
    }
    dataset = load_dataset(official_root, Task.SPEC_TO_RTL)
    problems = [p for p in dataset.problems if p.name not in cannot_pass]
    config = PlusConfig(timeout_s=120)  # the default seeds; a generous limit on a busy machine
    pairs = [(problem, reference_sample(problem)) for problem in problems]
    with LocalPool(2, Place(workdir=tmp_path, cache_dir=None, sandboxed=True)) as pool:
        results = run_all(pool, plus_job, pairs, PlusInput(config, ""), plus_error)
    rejected = {
        problem.name: result.reason()
        for (problem, _), result in zip(pairs, results, strict=True)
        if not result.passed
    }
    assert rejected == {}


@pytest.mark.icarus
def test_reports_show_pass_at_k_plus_and_what_plus_rejected(cli, tmp_path):
    problem = embedded_problem()
    code = reference_answer(problem)
    body, end = code.rsplit("endmodule", 1)
    forge = 'initial begin $display("Mismatches: 0 in 1 samples"); $finish; end'
    forged = f"{body}{forge}\nendmodule{end}"
    samples = tmp_path / "s.jsonl"
    samples.write_text(
        "".join(
            json.dumps({"problem": problem.name, "sample": n, "code": c}) + "\n"
            for n, c in ((1, code), (2, forged))
        )
    )
    out = tmp_path / "out"
    done = cli("evaluate", "--samples", samples, "--out", out, "--no-cache", "--plus")
    assert done.returncode == 0, done.stderr
    assert "2/2 pass (1 plus)" in done.stdout
    assert json.loads((out / "run.json").read_text())["plus"]["seeds"] == PlusConfig().seeds

    report = cli("report", out, "-k", "1", "--html", tmp_path / "r.html")
    assert report.returncode == 0, report.stderr
    assert re.search(r"pass@1\+\s+= 50\.0", report.stdout)
    assert f"{problem.name} sample 2: tamper: prints the testbench's verdict" in report.stdout
    assert "plus rejected (1)" in (tmp_path / "r.html").read_text()
    board = cli("leaderboard", out, "-k", "1", "--format", "json")
    (row,) = json.loads(board.stdout)
    assert row["pass@1"] == 1.0 and row["pass@1+"] == 0.5
