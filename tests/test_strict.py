"""Differential testing with cocotb, Python testbenches, and the `strict` command."""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from verilogeval.checks.strict.check import StrictConfig, diff_test
from verilogeval.checks.strict.result import StrictStatus
from verilogeval.dataset.loader import load_dataset
from verilogeval.execution.interface import read_interfaces
from verilogeval.grading.ports.pairing import PortRole, diff_ports, interface_issues, port_role
from verilogeval.grading.ports.wrapper import diff_wrapper
from verilogeval.grading.testbench.python_tb import simulate_python_testbench
from verilogeval.grading.time_limits import reference_sample
from verilogeval.records import Problem, Sample, Task
from verilogeval.resources import resource_dir


def _load_sims_test():
    """sims/diff_test.py, loaded by path: sims/ is not a package."""
    path = resource_dir("sims") / "diff_test.py"
    spec = importlib.util.spec_from_file_location("verilogeval_sims_diff_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


SIMS = _load_sims_test()

FAST = StrictConfig(cycles=60)
_MISMATCHES = re.compile(r"^Mismatches: (\d+) in (\d+) samples$", re.MULTILINE)

COUNTER_REF = """
module RefModule (input clk, input reset, input en, output reg [3:0] q);
  always @(posedge clk) if (reset) q <= 4'd0; else if (en) q <= q + 4'd1;
endmodule
"""
DONT_CARE_REF = """
module RefModule (input [1:0] a, output y);
  assign y = a[1] ? a[0] : 1'bx;
endmodule
"""


def _problem(folder: Path, name: str, ref: str) -> Problem:
    folder.mkdir(parents=True, exist_ok=True)
    ref_path = folder / f"{name}_ref.sv"
    ref_path.write_text(ref)
    return Problem(name, 1, Task.SPEC_TO_RTL, folder, "prompt", ref_path, None)


def _interface(source: str, name: str = "TopModule"):
    return read_interfaces(source)[name]


# --- pairing, wrapper pieces, comparison rule ------------------------------------------


def test_interface_issues_name_every_difference():
    ref = _interface(COUNTER_REF, "RefModule")
    assert interface_issues(ref, _interface(COUNTER_REF.replace("RefModule", "TopModule"))) == ()
    dut = _interface(
        "module TopModule (input clk, output reset, input [1:0] en, output [3:0] q,"
        " output extra); endmodule"
    )
    assert interface_issues(ref, dut) == (
        "'reset' is output, expected input",
        "'en' is 2 bits wide, expected 1",
        "extra output 'extra'",
    )
    missing = _interface("module TopModule (input clk, output [3:0] q); endmodule")
    assert interface_issues(ref, missing) == ("missing input 'reset'", "missing input 'en'")
    assert interface_issues(ref, None) == ("TopModule not found in the sample",)


def test_roles_by_name_resets_only_when_clocked():
    assert port_role("clk", "input", sequential=True) is PortRole.CLOCK
    assert port_role("areset", "input", sequential=True) is PortRole.RESET
    assert port_role("resetn", "input", sequential=True) is PortRole.RESET_N
    assert port_role("r", "input", sequential=True) is PortRole.RESET
    assert port_role("r", "input", sequential=False) is PortRole.DATA  # an SR latch input
    assert port_role("q", "output", sequential=True) is PortRole.OUTPUT
    roles = [p.role for p in diff_ports(_interface(COUNTER_REF, "RefModule"))]
    assert roles == [PortRole.CLOCK, PortRole.RESET, PortRole.DATA, PortRole.OUTPUT]


def test_reference_x_matches_anything_unless_x_strict():
    assert SIMS.bits_match("1X0", "110", x_strict=False)
    assert SIMS.bits_match("1Z0", "100", x_strict=False)
    assert not SIMS.bits_match("1X0", "111", x_strict=False)  # a known bit still differs
    assert not SIMS.bits_match("100", "1X0", x_strict=False)  # X from the design is wrong
    assert not SIMS.bits_match("1X0", "110", x_strict=True)
    assert SIMS.bits_match("1X0", "1X0", x_strict=True)


def test_corner_values_fit_the_width():
    assert SIMS.corner_values(1) == [0, 1]
    values = SIMS.corner_values(8)
    assert {0, 0xFF, 1, 0x80, 0x7F, 0x55, 0xAA} == set(values)


# --- the differential test itself ------------------------------------------------------


@pytest.mark.icarus
@pytest.mark.cocotb
def test_reference_passes_and_a_wrong_counter_fails_at_a_named_cycle(tmp_path):
    problem = _problem(tmp_path, "Prob001_counter", COUNTER_REF)
    own = diff_test(problem, reference_sample(problem), FAST)
    assert own.status is StrictStatus.PASS, own.describe()
    assert own.kind == "sequential" and own.compares == 2 * FAST.cycles + 1
    assert own.x_compares == 0  # the reset defines the state before the first compare

    # Ignores `en` when q is 5: found only by a stimulus that reaches 5 with en low.
    wrong = COUNTER_REF.replace("RefModule", "TopModule").replace(
        "else if (en)", "else if (en || q == 4'd5)"
    )
    result = diff_test(problem, Sample(problem.name, 1, wrong), FAST)
    assert result.status is StrictStatus.MISMATCH
    first = result.first_mismatch
    assert first is not None and first.signal == "q" and first.cycle >= 0
    assert first.ref != first.dut and set(first.inputs) == {"clk", "reset", "en"}
    assert "q ref=" in result.describe()

    again = diff_test(problem, Sample(problem.name, 1, wrong), FAST)
    assert again.first_mismatch == first  # seeded: the same stimulus every time
    assert again.mismatch_compares == result.mismatch_compares


@pytest.mark.icarus
@pytest.mark.cocotb
def test_dont_care_x_is_counted_and_x_strict_rejects_it(tmp_path):
    problem = _problem(tmp_path, "Prob002_dc", DONT_CARE_REF)
    constant = Sample(
        problem.name,
        1,
        "module TopModule (input [1:0] a, output y);\n  assign y = a[1] & a[0];\nendmodule\n",
    )
    lenient = diff_test(problem, constant, FAST)
    assert lenient.status is StrictStatus.PASS
    assert lenient.kind == "combinational" and lenient.compares == 4  # every input vector
    assert lenient.x_compares == 2 and lenient.x_bits == 2
    strict = diff_test(problem, constant, replace(FAST, x_strict=True))
    assert strict.status is StrictStatus.MISMATCH and strict.first_mismatch is not None
    assert strict.first_mismatch.ref == "X"
    own = diff_test(problem, reference_sample(problem), replace(FAST, x_strict=True))
    assert own.passed  # X === X


@pytest.mark.icarus
@pytest.mark.cocotb
def test_interface_compile_and_timeout_verdicts(tmp_path):
    problem = _problem(tmp_path, "Prob003_dc", DONT_CARE_REF)
    missing = diff_test(
        problem, Sample(problem.name, 1, "module TopModule(output y); endmodule"), FAST
    )
    assert missing.status is StrictStatus.INTERFACE
    assert missing.interface_issues == ("missing input 'a'",) and missing.compares == 0

    broken = "module TopModule (input [1:0] a, output y);\n  assign y = a[0] +;\nendmodule\n"
    compiled = diff_test(problem, Sample(problem.name, 2, broken), FAST)
    assert compiled.status is StrictStatus.COMPILE and "syntax error" in (compiled.message or "")

    looping = (
        "module TopModule (input [1:0] a, output y);\n  assign y = 1'b0;\n"
        "  initial while (1'b1) begin end\nendmodule\n"
    )
    hung = diff_test(problem, Sample(problem.name, 3, looping), replace(FAST, timeout_s=4))
    assert hung.status is StrictStatus.TIMEOUT


@pytest.mark.icarus
@pytest.mark.cocotb
def test_golden_subset_official_passes_the_differential_test_rejects(official_root, golden):
    """Prob053: the reference's X acts as a wildcard, so officially anything passes."""
    rows = [
        row
        for row in golden("classification")
        if row["task"] == "spec-to-rtl"
        and row["problem"] in ("Prob053_m2014_q4d", "Prob016_m2014_q4j")
        and row["official"] == "."
    ]
    dataset = load_dataset(official_root, Task.SPEC_TO_RTL)
    verdicts = {}
    for row in rows:
        problem = dataset.problem(row["problem"])
        result = diff_test(problem, Sample(problem.name, 1, row["code"]), FAST)
        verdicts[(row["problem"], row["sample"])] = result
    assert verdicts[("Prob053_m2014_q4d", "ref")].passed
    assert verdicts[("Prob016_m2014_q4j", "ref")].passed
    flipped = verdicts[("Prob053_m2014_q4d", "logic_flip2")]
    assert flipped.status is StrictStatus.MISMATCH and flipped.first_mismatch is not None
    assert flipped.first_mismatch.signal == "out"


@pytest.mark.icarus
@pytest.mark.cocotb
def test_no_compare_before_the_official_testbench_compares(official_root):
    """Prob145_circuit8: q taken from the latch p on the falling clock is correct from the first
    real clock edge on; a falling edge at time zero (X to 0), which the official testbench
    never gives, made it differ before anything was compared officially."""
    problem = load_dataset(official_root, Task.SPEC_TO_RTL).problem("Prob145_circuit8")
    code = (
        "module TopModule (input clock, input a, output reg p, output reg q);\n"
        "  always @(negedge clock) q <= p;\n  always @(*) if (clock) p = a;\nendmodule\n"
    )
    assert diff_test(problem, Sample(problem.name, 1, code), FAST).passed
    broken = code.replace("q <= p", "q <= ~p")
    assert diff_test(problem, Sample(problem.name, 1, broken), FAST).status is StrictStatus.MISMATCH


# --- a problem's own cocotb testbench ---------------------------------------------------


@pytest.mark.icarus
@pytest.mark.cocotb
@pytest.mark.parametrize("task", list(Task))
def test_python_testbench_grades_like_an_official_one(task, tmp_path):
    problem = load_dataset(None, task).problem("Prob021_gray_counter4")
    assert problem.test_path is None and problem.test_py_path is not None
    reference = reference_sample(problem)
    passed = simulate_python_testbench(problem, reference, workdir=tmp_path)
    assert passed.compile.returncode == 0 and passed.code == reference.code
    assert passed.run is not None
    found = _MISMATCHES.search(passed.run.output)
    assert found and found.group(1) == "0" and int(found.group(2)) > 0
    assert "error" not in passed.compile.output + passed.run.output  # the classifier's 'C'

    binary = reference.code.replace("count ^ {1'b0, count[3:1]}", "count")
    failed = simulate_python_testbench(problem, Sample(problem.name, 1, binary))
    assert failed.run is not None
    found = _MISMATCHES.search(failed.run.output)
    assert found and int(found.group(1)) > 0
    assert "Hint: Output 'gray' has" in failed.run.output

    unknown = simulate_python_testbench(problem, Sample(problem.name, 2, "module X; endmodule"))
    assert unknown.run is None and "Unknown module type" in unknown.compile.output


@pytest.mark.icarus
@pytest.mark.cocotb
@pytest.mark.slow
def test_own_python_testbench_problems_pass_their_reference_and_differential_test():
    problems = [
        problem
        for task in Task
        for problem in load_dataset(None, task).problems
        if problem.test_py_path is not None
    ]
    assert len({p.name for p in problems}) >= 3
    for problem in problems:
        sim = simulate_python_testbench(problem, reference_sample(problem))
        assert sim.run is not None
        assert "Mismatches: 0 in" in sim.run.output, (problem.task, problem.name)
        assert diff_test(problem, reference_sample(problem), FAST).passed, problem.name


# --- the `strict` command ----------------------------------------------------------------


@pytest.mark.icarus
@pytest.mark.cocotb
def test_strict_command_lists_rejections(cli, tmp_path):
    folder = tmp_path / "dataset"
    _problem(folder, "Prob001_dc", DONT_CARE_REF)
    (folder / "Prob001_dc_prompt.txt").write_text("Do it.\n")
    (folder / "Prob001_dc_test.sv").write_text("module tb; endmodule\n")
    good = "module TopModule (input [1:0] a, output y); assign y = a[1] & a[0]; endmodule"
    bad = "module TopModule (input [1:0] a, output y); assign y = a[1]; endmodule"
    rows = [
        {"problem": "Prob001_dc", "sample": "good", "code": good, "official": "."},
        {"problem": "Prob001_dc", "sample": "bad", "code": bad, "official": "."},
        {"problem": "Prob001_dc", "sample": "skipped", "code": "", "official": "S"},
    ]
    samples = tmp_path / "samples.jsonl.gz"
    with gzip.open(samples, "wt") as f:
        f.writelines(json.dumps(row) + "\n" for row in rows)
    out = tmp_path / "strict.jsonl"
    result = cli(
        "strict",
        "--samples",
        samples,
        "--dataset",
        folder,
        "--passing-only",
        "--strict-cycles",
        "20",
        "--jobs",
        "2",
        "--json",
        out,
        "--no-cache",
    )
    assert result.returncode == 0, result.stderr
    assert "REJECTED spec-to-rtl Prob001_dc bad: mismatch:" in result.stdout
    assert "good" not in result.stdout.replace("# ", "")
    assert "2 samples: 1 rejected" in result.stdout
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(line["sample"], line["strict_passed"]) for line in lines] == [
        ("good", True),
        ("bad", False),
    ]
    assert lines[1]["strict"]["first_mismatch"]["signal"] == "y"


def test_strict_command_bad_rows_name_file_and_line(cli, tmp_path):
    samples = tmp_path / "samples.jsonl"
    samples.write_text('{"problem": "Prob001_zero", "code": "x"}\n{"problem": 3}\n')
    result = cli("strict", "--samples", samples)
    assert result.returncode == 2
    assert f"{samples}:2: missing text field 'problem'" in result.stderr
    samples.write_text('{"problem": "Prob999_nothing", "code": "x"}\n')
    result = cli("strict", "--samples", samples)
    assert (
        result.returncode == 2 and "samples.jsonl:1: no problem 'Prob999_nothing'" in result.stderr
    )
    packed = tmp_path / "samples.jsonl.gz"
    packed.write_bytes(gzip.compress(b'{"problem": "Prob001_zero", "code": "x"}\n{"problem"\n'))
    result = cli("strict", "--samples", packed)
    assert result.returncode == 2 and f"{packed}:2: not a JSON line" in result.stderr


# --- `check --strict` and Python testbenches in the official grading ---------------------


@pytest.mark.icarus
@pytest.mark.cocotb
@pytest.mark.slow
def test_check_grades_python_testbenches_and_runs_references_against_themselves(cli):
    result = cli("check", "--problems", "20-22", "--strict", "--no-cache", "--strict-cycles", "50")
    assert result.returncode == 0, result.stderr
    assert "0 of 3 references cannot pass" in result.stdout
    assert "0 of 3 references fail their own differential test; 0 drive X" in result.stdout


@pytest.mark.icarus
@pytest.mark.cocotb
def test_check_strict_reports_how_often_a_reference_drives_x(cli, official_root):
    result = cli("check", "--dataset", official_root, "--problems", "28", "--strict", "--no-cache")
    assert result.returncode == 0, result.stderr
    assert "Prob028_m2014_q4a: strict: reference drives X at 2 of 4 compare points" in result.stdout


@pytest.mark.icarus
@pytest.mark.cocotb
@pytest.mark.slow
def test_evaluate_strict_adds_the_differential_verdict(cli, official_root, golden, tmp_path):
    rows = {
        row["sample"]: row["code"]
        for row in golden("classification")
        if row["task"] == "spec-to-rtl" and row["problem"] == "Prob053_m2014_q4d"
    }
    codes = [rows["ref"], rows["logic_flip2"], rows["syntax_missing_semicolon"]]
    samples = tmp_path / "samples.jsonl"
    samples.write_text(
        "".join(
            json.dumps({"problem": "Prob053_m2014_q4d", "sample": number, "code": code}) + "\n"
            for number, code in enumerate(codes, start=1)
        )
    )
    out = tmp_path / "run"
    common = ("--dataset", official_root, "--samples", samples, "--out", out, "--no-cache")
    done = cli("evaluate", *common, "--strict", "--strict-cycles", "40")
    assert done.returncode == 0, done.stderr
    assert "2/3 pass (1 strictly)" in done.stdout
    lines = {line["sample"]: line for line in map(json.loads, (out / "results.jsonl").open())}
    assert [lines[n]["passed"] for n in (1, 2, 3)] == [True, True, False]
    assert [lines[n]["strict_passed"] for n in (1, 2, 3)] == [True, False, False]
    assert lines[2]["strict"]["status"] == "mismatch"
    assert lines[2]["strict"]["first_mismatch"]["signal"] == "out"
    assert lines[3]["strict"] is None  # failed officially: not tested further
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["strict"] == {"seed": 1, "cycles": 40, "x_strict": False, "timeout_s": 60.0}

    again = cli("evaluate", *common)  # the same folder without --strict: refused
    assert again.returncode == 2 and "--strict" in again.stderr


def test_domain_conditions_read_the_shared_inputs():
    ports = diff_ports(read_interfaces(ONE_HOT_REF, "ref.sv")["RefModule"])
    wrapper = diff_wrapper(ports, ["state != 0 && (state & (state - 4'd1)) == 0"])
    assert (
        "wire verilogeval_in_domain = (in_state != 0 && (in_state & (in_state - 4'd1)) == 0);"
        in wrapper
    )
    assert "wire verilogeval_in_domain = 1'b1;" in diff_wrapper(ports)


ONE_HOT_REF = """module RefModule(input in, input [3:0] state, output [3:0] next_state, output out);
  assign next_state = state;
  assign out = in;
endmodule
"""


@pytest.mark.icarus
@pytest.mark.cocotb
def test_inputs_outside_the_problems_domain_are_not_compared(official_root):
    """Prob079_fsm3onehot promises a one-hot `state` (domains.toml). A rewrite equal on
    one-hot states passes; without the domain, the same sample differs on two-hot states."""
    dataset = load_dataset(official_root, Task.SPEC_TO_RTL)
    problem = next(p for p in dataset.problems if p.name == "Prob079_fsm3onehot")
    source = reference_sample(problem).code
    old = "(state[A] | state[C]) & ~in"
    assert old in source
    rewrite = Sample(problem.name, 1, source.replace(old, "(state[A] ^ state[C]) & ~in"))
    in_domain = diff_test(problem, rewrite, StrictConfig())
    assert in_domain.status is StrictStatus.PASS, in_domain.describe()
    assert in_domain.out_of_domain > 0 and in_domain.compares > 0
    unconstrained = diff_test(replace(problem, name="Prob079_no_domain"), rewrite, StrictConfig())
    assert unconstrained.status is StrictStatus.MISMATCH, unconstrained.describe()
    assert unconstrained.out_of_domain == 0


def test_a_mismatch_right_after_reset_is_not_called_cycle_minus_one():
    from verilogeval.checks.strict.result import FirstMismatch

    first = FirstMismatch(-1, "after input change", 5.0, "q", "0", "1", {})
    assert first.describe() == "right after reset (after input change, 5 ns): q ref=0 dut=1"
    assert replace(first, cycle=3).describe().startswith("cycle 3 (")


@pytest.mark.icarus
@pytest.mark.cocotb
def test_a_long_compile_failure_names_files_without_temporary_paths(cli, tmp_path):
    # 80 errors: more output than the message keeps. The old code cut the tail mid-path
    # ("al-strict-Prob001_zero-9y2_r4qx/sample.sv:76: ...") and lost the first error.
    lines = "".join(f"  assign z{i} = undefined_{i};\n" for i in range(80))
    code = f"module TopModule(input [4:0] v, output maj);\n{lines}endmodule\n"
    samples = tmp_path / "s.jsonl"
    samples.write_text(json.dumps({"problem": "Prob001_majority5", "code": code}) + "\n")
    out = tmp_path / "strict.jsonl"
    result = cli("strict", "--samples", samples, "--json", out, "--no-cache")
    assert result.returncode == 0, result.stderr
    assert "compile error: sample.sv:2: error: Unable to bind" in result.stdout
    message = json.loads(out.read_text())["strict"]["message"]
    assert message.startswith("sample.sv:2: error: Unable to bind wire/reg/memory `undefined_0'")
    assert "verilogeval-strict" not in message
    assert message.splitlines()[1] == "..."
    assert all(line.startswith("sample.sv:") for line in message.splitlines()[2:-2])


@pytest.mark.icarus
@pytest.mark.cocotb
def test_strict_command_keeps_verdicts_in_the_result_cache(cli, tmp_path):
    right = (
        "module TopModule (input [4:0] v, output maj);\n  assign maj = v[0]&v[1]&v[2];\nendmodule"
    )
    reference = load_dataset(None, Task.SPEC_TO_RTL).problem("Prob001_majority5").ref_path
    rows = [
        {
            "problem": "Prob001_majority5",
            "code": reference.read_text().replace("RefModule", "TopModule"),
        },
        {"problem": "Prob001_majority5", "code": right},
    ]
    samples = tmp_path / "s.jsonl"
    samples.write_text("".join(json.dumps(row) + "\n" for row in rows))
    cache, first, second = tmp_path / "cache", tmp_path / "1.jsonl", tmp_path / "2.jsonl"
    done = cli("strict", "--samples", samples, "--cache-dir", cache, "--json", first, "--quiet")
    assert done.returncode == 0, done.stderr
    assert (
        done.stdout.strip()
        == "# 2 samples: 1 rejected by the differential test (mismatch 1, pass 1)"
    )
    again = cli("strict", "--samples", samples, "--cache-dir", cache, "--json", second, "--quiet")
    assert "# 2 samples (2 from the cache): 1 rejected" in again.stdout
    assert first.read_text() == second.read_text()  # durations included: nothing ran again
    fresh = cli("strict", "--samples", samples, "--cache-dir", cache, "--no-cache", "--quiet")
    assert "from the cache" not in fresh.stdout
