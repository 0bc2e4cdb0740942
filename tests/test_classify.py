"""The classifier: sv-iv-analyze's codes and precedence, on logs and on the golden samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from verilogeval.dataset.loader import load_dataset
from verilogeval.execution.pools import LocalPool
from verilogeval.grading.classify import classify
from verilogeval.grading.grader import GradeConfig, Grader, default_jobs
from verilogeval.records import Category, ExecResult, OutputMismatch, Sample, SimResult, Task

PASS_LOG = "Hint: Output 'q' has no mismatches.\nMismatches: 0 in 20 samples\n"
FAIL_LOG = (
    "Hint: Output 'q' has 3 mismatches. First mismatch occurred at time 40.\n"
    "Hint: Output 'r' has no mismatches.\n"
    "Hint: Total mismatched samples is 3 out of 20 samples\n\n"
    "Simulation finished at 200 ps\n"
    "Mismatches: 3 in 20 samples\n"
)


def sim_result(
    compile_output: str = "",
    run_output: str | None = "",
    *,
    code: str = "module TopModule; endmodule\n",
    timed_out: bool = False,
) -> SimResult:
    compiled = ExecResult(argv=("iverilog",), returncode=0, output=compile_output, duration_s=0.1)
    ran = None
    if run_output is not None:
        ran = ExecResult(
            argv=("vvp",),
            returncode=None if timed_out else 0,
            output=run_output,
            duration_s=0.1,
            timed_out=timed_out,
        )
    return SimResult(
        problem="Prob001_x",
        sample=1,
        compile=compiled,
        run=ran,
        simulator="Icarus Verilog version 11.0 (stable)",
        timeout_s=30.0,
        code=code,
    )


def test_pass_needs_a_zero_mismatch_line():
    verdict = classify(sim_result(run_output=PASS_LOG))
    assert verdict.category is Category.PASS
    assert (verdict.mismatches, verdict.total, verdict.first_error) == (0, 20, None)
    assert classify(sim_result(run_output="Simulation finished\n")).category is Category.RUNTIME


def test_runtime_failure_keeps_counts_and_per_output_details():
    verdict = classify(sim_result(run_output=FAIL_LOG))
    assert verdict.category is Category.RUNTIME
    assert (verdict.mismatches, verdict.total) == (3, 20)
    assert verdict.outputs == (OutputMismatch("q", 3, 40),)


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("sample.sv:3: syntax error", "S"),
        ("sample.sv:9: error: This assignment requires an explicit cast.", "e"),
        ("sample.sv:9: error: Sized numeric constant must have a size greater than zero.", "0"),
        ("sample.sv:9: warning: always_comb process has no sensitivities.", "n"),
        ("sample.sv:9: warning: @* found no sensitivities so it will never trigger.", "n"),
        ("sample.sv:4:      : out is declared here as wire.", "w"),
        ("sample.sv:9: error: Unknown module type: foo", "m"),
        ("sample.sv:9: error: Unable to bind wire/reg/memory `clk' in `tb.top'", "c"),
        ("sample.sv:9: error: Unable to bind wire/reg/memory `x' in `tb.top'", "p"),
        ("sample.sv:9: error: Unknown function zz", "C"),
    ],
)
def test_each_compile_code(line, code):
    verdict = classify(sim_result(compile_output=f"{line}\n1 error(s)\n", run_output=None))
    assert verdict.category == code
    assert verdict.first_error == line


def test_first_decisive_line_wins_not_the_strongest_code():
    # sv-iv-analyze stops at the first line with a decisive pattern: an early
    # no-sensitivity warning beats a later syntax error.
    log = "a.sv:1: warning: always_comb process has no sensitivities.\na.sv:2: syntax error\n"
    assert classify(sim_result(compile_output=log, run_output=None)).category == "n"
    log = "a.sv:2: syntax error\na.sv:1: warning: always_comb process has no sensitivities.\n"
    assert classify(sim_result(compile_output=log, run_output=None)).category == "S"


def test_error_words_outrank_a_zero_mismatch_line_and_bind_outranks_other_errors():
    assert classify(sim_result("x.sv: error: oops\n", PASS_LOG)).category is Category.COMPILE_OTHER
    log = "x.sv:1: error: other\nx.sv:2: error: Unable to bind wire/reg/memory `y'\n"
    verdict = classify(sim_result(log, None))
    assert verdict.category is Category.UNABLE_TO_BIND
    assert verdict.first_error == "x.sv:2: error: Unable to bind wire/reg/memory `y'"


def test_timeout_from_testbench_or_wall_clock():
    testbench = classify(sim_result(run_output="TIMEOUT\n" + FAIL_LOG))
    assert testbench.category is Category.TIMEOUT
    assert (testbench.mismatches, testbench.total) == (3, 20)
    # vvp runs the final blocks on SIGTERM, so a killed run prints "Mismatches: 0 in 0":
    # the official Makefile's appended TIMEOUT line must still win.
    killed = "Mismatches: 0 in 0 samples\n"
    assert classify(sim_result(run_output=killed, timed_out=True)).category is Category.TIMEOUT
    assert classify(sim_result(run_output=killed)).category is Category.PASS


def test_async_reset_is_read_from_the_sample_code():
    code = "always @(posedge clk, posedge reset)\n"
    assert classify(sim_result(run_output=FAIL_LOG, code=code)).category is Category.ASYNC_RESET
    code = "always @(posedge clk or posedge r)\n"
    assert classify(sim_result(run_output=FAIL_LOG, code=code)).category is Category.ASYNC_RESET
    # only a failing sample is looked at
    assert classify(sim_result(run_output=PASS_LOG, code=code)).category is Category.PASS


def test_lines_end_at_cr_as_in_python_text_mode():
    assert classify(sim_result(run_output="noise\rMismatches: 0 in 5 samples\r\n")).passed
    assert classify(sim_result(run_output="x Mismatches: 0 in 5 samples\n")).category == "R"


HUGE = "9" * 5000  # over Python's 4300-digit int() limit


@pytest.mark.parametrize(
    ("run_output", "category", "counts"),
    [
        (f"Mismatches: 0 in 1{HUGE} samples\n", Category.PASS, (None, None)),
        (f"Mismatches: {HUGE} in 20 samples\n", Category.RUNTIME, (None, None)),
        (f"Mismatches: {'0' * 5000} in 20 samples\n", Category.PASS, (None, None)),
        (
            f"Mismatches: 3 in 20 samples\nMismatches: 0 in {HUGE} samples\n",
            Category.PASS,
            (None, None),
        ),
        (
            f"Hint: Output 'q' has {HUGE} mismatches. First mismatch occurred at time {HUGE}.\n"
            + FAIL_LOG,
            Category.RUNTIME,
            (3, 20),
        ),
        ("Mismatches: \u0660 in 20 samples\n", Category.PASS, (0, 20)),  # int("\u0660") == 0
    ],
    ids=["huge-total", "huge-count", "long-zero", "last-line-huge", "huge-hint", "unicode-zero"],
)
def test_a_hostile_count_never_raises_and_passes_as_sv_iv_analyze_does(
    run_output, category, counts
):
    """The log is the sample's: a count too long for int() decides as the official digits
    test does, and is no count (the official script would itself raise on some)."""
    verdict = classify(sim_result(run_output=run_output))
    assert verdict.category is category
    assert (verdict.mismatches, verdict.total) == counts


@pytest.mark.icarus
@pytest.mark.slow
def test_every_golden_classification_row_agrees(
    golden_classification, official_root: Path, tmp_path: Path
):
    """All 3,326 golden samples, simulated here, get the official code and counts.

    The golden file is the one recorded under the installed Icarus major version. The
    other T rows come from the testbench's own TIMEOUT (simulated time), so their verdict
    does not depend on the wall-clock limit: it is set far above what any of them needs,
    so that a loaded machine cannot turn a slow pass into a timeout. The two `hang` rows
    loop forever at time 0: their verdict (T, 0 mismatches in 0) is the same under any
    limit, so they run last with a short one. One grader at a time, so the two never
    compete for the cores. The two tasks share a result cache, so a sample whose
    testbench and reference are the same in both tasks is simulated once.
    """
    rows = golden_classification
    assert len(rows) == 3326
    verdicts = {}
    for task in Task:
        problems = {p.name: p for p in load_dataset(official_root, task).problems}
        for hang, limit_s in ((False, 600.0), (True, 3.0)):
            config = GradeConfig(jobs=default_jobs(), timeout_s=limit_s, cache_dir=tmp_path)
            with (
                LocalPool(config.jobs, config.place) as pool,
                Grader(problems, config, lambda graded: None, pool) as grader,
            ):
                futures = {
                    index: grader.submit(
                        Sample(problem=row["problem"], sample=index + 1, code=row["code"])
                    )
                    for index, row in enumerate(rows)
                    if row["task"] == task and (row["sample"] == "hang") == hang
                }
                assert grader.wait() == []
            verdicts.update({index: future.result().verdict for index, future in futures.items()})
    disagreements = [
        (row["task"], row["problem"], row["sample"], row["official"], verdicts[i].category.value)
        for i, row in enumerate(rows)
        if (verdicts[i].category, verdicts[i].mismatches, verdicts[i].total)
        != (row["official"], row["mismatches"], row["total"])
    ]
    assert disagreements == []
    assert {verdict.category for verdict in verdicts.values()} == set(Category)
