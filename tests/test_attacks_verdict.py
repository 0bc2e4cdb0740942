# ruff: noqa: E501  (attack payloads read best one per line)
"""Attacks on the trusted verdict itself (issue 18, classes 4, 5, 7, 8, and strict's report).

The attacks of classes 4, 5, 7 and 8 below succeeded against the code before the harness
line (see the commit that added this file): a forged verdict line, a run ended early, a
memorised stimulus, a reseeded stream, a cached forgery, a formal check that could not
decide. Strict's tests pin that its verdict no longer rests on files the simulation can
write (report.json, results.xml) nor on a line without the nonce. Where the tamper scan
(another layer) would also refuse the construct, the verdict layer is called alone (`trusted_seeds`, `diff_test`), so these tests show it
holds even when the scan is bypassed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from problems import embedded_problem, reference_answer, write_problem

from verilogeval.checks.formal.result import UNDECIDED, FormalResult, FormalStatus
from verilogeval.checks.plus import harness
from verilogeval.checks.plus.amplify import run_seeds
from verilogeval.checks.plus.batch import PlusChecks, plus_fields
from verilogeval.checks.plus.check import PlusConfig, PlusResult, plus_check, trusted_seeds
from verilogeval.checks.strict.check import StrictConfig, diff_test
from verilogeval.checks.strict.result import StrictStatus
from verilogeval.checks.tamper.scan import scan_log
from verilogeval.dataset.loader import load_dataset
from verilogeval.execution.pools import LocalPool, Place
from verilogeval.grading.classify import classify
from verilogeval.grading.simulate import official_log, simulate
from verilogeval.records import Category, Problem, Sample, Task

SAMPLES = 21  # what the testbench below compares: 20 random values and the first one
TESTBENCH = """\
`timescale 1 ps/1 ps
module stimulus_gen (input clk, output logic [7:0] a);
  initial begin
    a = 0;
    repeat (20) @(negedge clk) a = DRAW;
    #10 $finish;
  end
endmodule
module tb;
  typedef struct packed { int errors; int errortime; int clocks; } stats;
  stats stats1;
  reg clk = 0;
  always #5 clk = ~clk;
  logic [7:0] a;
  wire [7:0] y_ref, y_dut;
  stimulus_gen stim1 (.clk, .a);
  RefModule good1 (.a(a), .y(y_ref));
  TopModule top_module1 (.a(a), .y(y_dut));
  always @(posedge clk) begin
    stats1.clocks++;
    if (y_ref !== (y_ref ^ y_dut ^ y_ref)) stats1.errors++;
  end
  final begin
    $display("Hint: Total mismatched samples is %1d out of %1d samples\\n", stats1.errors, stats1.clocks);
    $display("Mismatches: %1d in %1d samples", stats1.errors, stats1.clocks);
  end
endmodule
"""
REFERENCE = "module RefModule (input [7:0] a, output [7:0] y);\n  assign y = a + 8'd1;\nendmodule\n"
CORRECT = "assign y = a + 8'd1;"
WRONG = "assign y = a;"  # every sample differs from the reference
OLD_SHIFTS = tuple(7919 * k for k in range(1, 5))  # the constants the shifts used to be


def make_problem(folder: Path, draw: str) -> Problem:
    return write_problem(folder, "Prob901_increment8", REFERENCE, TESTBENCH.replace("DRAW", draw))


@pytest.fixture
def problem(tmp_path) -> Problem:
    return make_problem(tmp_path / "random", "$random")


def sample(problem: Problem, body: str, extra: str = "") -> Sample:
    code = (
        f"module TopModule (input [7:0] a, output logic [7:0] y);\n  {body}\n{extra}\nendmodule\n"
    )
    return Sample(problem.name, 1, code)


def hex_text(text: str) -> str:
    """`text` as a Verilog number: no string literal for the scan to read."""
    return f"{len(text) * 8}'h{text.encode().hex()}"


def verdict_layer(problem: Problem, code: Sample, tmp_path: Path, **config) -> PlusResult:
    return trusted_seeds(
        problem,
        code,
        PlusConfig(**config),
        workdir=tmp_path,
        sandboxed=True,
        cache_dir=None,
    )


def officially_passes(problem: Problem, code: Sample, tmp_path: Path) -> str:
    """The official log of a sample the official flow passes (the attack's premise)."""
    result = simulate(problem, code, workdir=tmp_path)
    assert classify(result).category is Category.PASS, official_log(result)
    return official_log(result)


# Class 5: the verdict line is forged ------------------------------------------------------


@pytest.mark.icarus
def test_a_verdict_line_behind_a_carriage_return_is_no_trusted_pass(problem, tmp_path):
    forged = f"Mismatches: 0 in {SAMPLES} samples"
    attack = sample(problem, WRONG, f'final $display("%s%s", 8\'h0d, {hex_text(forged)});')
    log = officially_passes(problem, attack, tmp_path)  # the classifier reads the \r line
    assert scan_log(log) == ("2 verdict lines in the log (the testbench prints one)",)
    result = verdict_layer(problem, attack, tmp_path)
    assert not result.passed
    assert any("the testbench counted 21 mismatches" in reason for reason in result.tamper)
    # the whole check (scan included) holds too
    checked = plus_check(problem, attack, log, PlusConfig(), workdir=tmp_path, sandboxed=True)
    assert not checked.passed and checked.tamper


@pytest.mark.icarus
def test_zero_in_zero_samples_is_never_a_trusted_pass(problem, tmp_path):
    attack = sample(problem, WRONG, "initial $finish;")
    assert "Mismatches: 0 in 0 samples" in officially_passes(problem, attack, tmp_path)
    result = verdict_layer(problem, attack, tmp_path)
    assert not result.passed
    assert any(
        f"compared 0 samples, the reference's run on the same stimulus {SAMPLES}" in r
        for r in result.tamper
    )


@pytest.mark.icarus
def test_ending_the_run_early_with_a_small_total_is_no_trusted_pass(problem, tmp_path):
    # right for the first samples, then wrong, and the run ends before the wrong ones
    early = "initial begin repeat (5) @(a); $finish; end"
    attack = sample(
        problem,
        "integer n = 0;\n  always @(a) n = n + 1;\n  assign y = n < 6 ? a + 8'd1 : a;",
        early,
    )
    assert re.search(
        r"Mismatches: 0 in [1-9] samples", officially_passes(problem, attack, tmp_path)
    )
    result = verdict_layer(problem, attack, tmp_path)
    assert not result.passed
    assert any(f"the reference's run on the same stimulus {SAMPLES}" in r for r in result.tamper)


@pytest.mark.icarus
def test_a_sample_cannot_print_the_harness_line_nor_call_the_harness(problem, tmp_path):
    guessed = "verilogeval-verdict " + "0" * 32 + f" 0 {SAMPLES} 0 0"
    forger = sample(problem, WRONG, f'final $display("{guessed}");')
    assert not verdict_layer(problem, forger, tmp_path).passed
    caller = sample(problem, WRONG, "integer r;\nfinal r = verilogeval_seed_shift.report(0);")
    assert not verdict_layer(problem, caller, tmp_path).passed
    # the secret is drawn per run and only the line carrying it counts
    report = harness.harness_report(
        f"{guessed}\nverilogeval-verdict {'1' * 32} 0 5 1 2\n", "1" * 32
    )
    assert (report.lines, report.errors, report.total, report.streams) == (1, 0, 5, "1 2")
    altered = harness.harness_report(f"x verilogeval-verdict {'1' * 32} 0 5 1 2\n", "1" * 32)
    assert altered.problem() == "the harness verdict line was altered"  # fails closed


def test_a_testbench_without_its_counters_fails_closed():
    with pytest.raises(ValueError, match="no trusted verdict"):
        harness.testbench_counters(
            'module tb; initial $display("Mismatches: 0 in 1 samples"); endmodule'
        )
    counters = harness.testbench_counters(TESTBENCH)
    assert (counters.errors, counters.total) == ("stats1.errors", "stats1.clocks")


@pytest.mark.icarus
def test_every_official_testbench_names_its_counters(official_root):
    for task in Task:
        for problem in load_dataset(official_root, task).problems:
            assert problem.test_path is not None
            counters = harness.testbench_counters(problem.test_path.read_text(encoding="utf-8"))
            assert (counters.errors, counters.total) == ("stats1.errors", "stats1.clocks")


# Class 7: the amplification is predictable --------------------------------------------------


def driven_values(
    problem: Problem, shifts: tuple[int, ...], tmp_path: Path, extra: str = ""
) -> set[int]:
    spy = sample(problem, CORRECT, f'always @(a) $display("A=%0d", a);\n{extra}')
    runs = run_seeds(problem, spy, shifts, timeout_s=60, workdir=tmp_path, sandboxed=True)
    return {int(v) for run in runs for v in re.findall(r"^A=(\d+)$", run.log, re.MULTILINE)}


def lookup_table(values: set[int]) -> str:
    """A design right only on `values`: what a sample that memorised them can be."""
    cases = "\n".join(f"      8'd{v}: y = 8'd{(v + 1) % 256};" for v in sorted(values))
    return f"always @(*) begin\n    case (a)\n{cases}\n      default: y = 8'd0;\n    endcase\n  end"


@pytest.mark.icarus
def test_a_sample_that_memorised_the_constant_shifts_fails_the_secret_ones(problem, tmp_path):
    known = driven_values(problem, (0, *OLD_SHIFTS), tmp_path)
    attack = sample(problem, lookup_table(known))
    officially_passes(problem, attack, tmp_path)
    assert verdict_layer(problem, attack, tmp_path, shifts=OLD_SHIFTS).passed  # memorised
    result = verdict_layer(problem, attack, tmp_path)  # the run's own secret shifts
    assert not result.passed and result.failing_seed is not None
    assert PlusConfig().shifts != PlusConfig().shifts  # new for every run


@pytest.mark.icarus
def test_reseeding_the_stream_to_undo_the_shift_is_found(tmp_path):
    problem = make_problem(tmp_path / "urandom", "$urandom")
    reseed = "integer seed = 1, first;\ninitial first = $urandom(seed);"
    known = driven_values(problem, (0,), tmp_path, reseed)
    assert driven_values(problem, OLD_SHIFTS[:2], tmp_path, reseed) == known  # undone
    attack = sample(problem, lookup_table(known), reseed)
    officially_passes(problem, attack, tmp_path)
    result = verdict_layer(problem, attack, tmp_path)
    assert not result.passed
    assert any("random streams end elsewhere" in reason for reason in result.tamper)


# Class 4: forged results persist in the cache ------------------------------------------------


@pytest.mark.icarus
def test_a_tampered_result_is_never_cached_and_passes_are_keyed_by_the_secret_shifts(
    problem, tmp_path
):
    forged = f"Mismatches: 0 in {SAMPLES} samples"
    attack = sample(problem, WRONG, f'final $display("%s%s", 8\'h0d, {hex_text(forged)});')
    attack_log = officially_passes(problem, attack, tmp_path)
    good = sample(problem, CORRECT)
    good_log = officially_passes(problem, good, tmp_path)
    config = PlusConfig()
    place = Place(workdir=tmp_path, cache_dir=None, sandboxed=True)
    with LocalPool(1, place) as pool:
        checks = PlusChecks(config, pool, sandboxed=True, cache_dir=tmp_path / "cache")
        assert not checks.submit(problem, attack, attack_log).result().passed
        again = checks.submit(problem, attack, attack_log)
        assert not again.done()  # checked again: a finding is never cached
        assert not again.result().passed
        assert checks.submit(problem, good, good_log).result().passed
        assert checks.submit(problem, good, good_log).done()  # a clean pass is cached
        checks.close()
        later = PlusChecks(PlusConfig(), pool, sandboxed=True, cache_dir=tmp_path / "cache")
        assert not later.submit(problem, good, good_log).done()  # another run, other shifts
        later.close()
        reproduced = PlusConfig(shifts=config.shifts, drawn=False)  # --plus-seeds S1,S2,...
        same = PlusChecks(reproduced, pool, sandboxed=True, cache_dir=tmp_path / "cache")
        assert same.submit(problem, good, good_log).done()
        same.close()


# Class 8: --formal fails open ------------------------------------------------------------------


def test_a_formal_check_that_cannot_decide_gives_no_plus_pass():
    clean = PlusResult((), 4, False)
    for status in UNDECIDED:
        formal = FormalResult("p", 1, status, reason="Yosys cannot read the sample")
        fields = plus_fields(clean, formal=formal, formal_required=True)
        assert fields["plus_passed"] is None
        assert fields["plus"]["undecided"] == f"formal: {formal.describe()}"
    assert plus_fields(clean, formal=None, formal_required=True)["plus_passed"] is None
    proven = FormalResult("p", 1, FormalStatus.PROVEN)
    assert plus_fields(clean, formal=proven, formal_required=True)["plus_passed"] is True


@pytest.mark.icarus
@pytest.mark.yosys
@pytest.mark.slow
def test_a_construct_yosys_cannot_read_leaves_plus_passed_null(cli, tmp_path):
    problem = embedded_problem()
    code = reference_answer(problem)
    body, end = code.rsplit("endmodule", 1)
    rows = [
        {"problem": problem.name, "sample": 1, "code": code},
        {"problem": problem.name, "sample": 2, "code": f"{body}final begin end\nendmodule{end}"},
    ]
    samples = tmp_path / "s.jsonl"
    samples.write_text("".join(json.dumps(row) + "\n" for row in rows))
    out = tmp_path / "out"
    done = cli("evaluate", "--samples", samples, "--out", out, "--no-cache", "--plus", "--formal")
    assert done.returncode == 0, done.stderr
    assert "2/2 pass (1 plus, 1 plus undecided)" in done.stdout
    lines = {row["sample"]: row for row in map(json.loads, (out / "results.jsonl").open())}
    assert lines[1]["plus_passed"] is True and lines[1]["formal"]["status"] == "proven"
    assert lines[2]["plus_passed"] is None and lines[2]["formal"]["status"] == "unsupported"
    assert lines[2]["plus"]["undecided"].startswith("formal: unsupported")
    report = cli("report", out, "-k", "1")
    assert "plus could not decide (1):" in report.stdout
    assert "officially passing, formal could not decide: 1" in report.stdout


# strict: the cocotb report is rewritten by the sample ------------------------------------------

_FORGED_REPORT = json.dumps(
    {
        "kind": "combinational",
        "compares": 500,
        "x_compares": 0,
        "x_bits": 0,
        "mismatch_compares": 0,
        "out_of_domain": 0,
        "first_mismatch": None,
    }
)
_FORGED_XML = (
    '<testsuites><testsuite name="t"><testcase name="differential"/></testsuite></testsuites>'
)


def _rewrite(name: str, text: str) -> str:
    """A final block writing `text` to `name` in the test folder (cocotb runs in build/)."""
    return (
        f'final begin : rewrite_{name.replace(".", "_")} integer f; f = $fopen("../{name}", "w"); '
        f'$fwrite(f, "%s", {hex_text(text)}); $fclose(f); end'
    )


@pytest.mark.icarus
@pytest.mark.cocotb
@pytest.mark.parametrize("also_print", [False, True])
def test_strict_rests_on_no_file_the_sample_can_rewrite(problem, tmp_path, also_print):
    extra = _rewrite("report.json", _FORGED_REPORT) + "\n" + _rewrite("results.xml", _FORGED_XML)
    if also_print:  # and a report line of its own, with a nonce it cannot know
        extra += (
            f'\nfinal $display("%s", {hex_text("verilogeval-strict-report 00 " + _FORGED_REPORT)});'
        )
    attack = sample(problem, WRONG, extra)
    result = diff_test(problem, attack, StrictConfig(cycles=50), workdir=tmp_path)
    assert result.status is StrictStatus.MISMATCH, result
    honest = diff_test(problem, sample(problem, CORRECT), StrictConfig(cycles=50), workdir=tmp_path)
    assert honest.status is StrictStatus.PASS and honest.compares


@pytest.mark.icarus
@pytest.mark.slow
def test_shifts_are_recorded_kept_on_resume_and_reproduced_by_plus_seeds(cli, tmp_path):
    problem = embedded_problem()
    code = reference_answer(problem)
    rows = tmp_path / "s.jsonl"
    rows.write_text(json.dumps({"problem": problem.name, "sample": 1, "code": code}) + "\n")
    out = tmp_path / "out"
    first = cli("evaluate", "--samples", rows, "--out", out, "--no-cache", "--plus")
    assert first.returncode == 0, first.stderr
    plus = json.loads((out / "run.json").read_text())["plus"]
    assert len(plus["shifts"]) == plus["seeds"] == PlusConfig().seeds
    assert plus["seed_policy"] and plus["trust_rules"]

    with rows.open("a") as more:  # resumed with a second sample: the run keeps its shifts
        more.write(json.dumps({"problem": problem.name, "sample": 2, "code": code}) + "\n")
    resumed = cli("evaluate", "--samples", rows, "--out", out, "--no-cache", "--plus")
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads((out / "run.json").read_text())["plus"] == plus
    other = ",".join(str(shift % 1000 + 1) for shift in plus["shifts"])
    refused = cli("evaluate", "--samples", rows, "--out", out, "--plus", "--plus-seeds", other)
    assert refused.returncode == 2 and "plus.shifts (--plus)" in refused.stderr

    again = tmp_path / "again"
    given = ",".join(map(str, plus["shifts"]))
    reproduced = cli("evaluate", "--samples", rows, "--out", again, "--plus", "--plus-seeds", given)
    assert reproduced.returncode == 0, reproduced.stderr
    assert json.loads((again / "run.json").read_text())["plus"] == plus
    bad = cli("evaluate", "--samples", rows, "--out", tmp_path / "bad", "--plus-seeds", "5,0")
    assert bad.returncode == 2 and "shifts must be between 1 and 4095" in bad.stderr
