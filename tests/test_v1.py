"""VerilogEval v1 (`--benchmark v1-human|v1-machine`): its problems, prompt and harness."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import pytest
from conftest import icarus_major

from verilogeval.dataset.errata import Benchmark
from verilogeval.dataset.loader import load_dataset
from verilogeval.dataset.reference_failures import known_failing_references
from verilogeval.errors import UserError
from verilogeval.grading.extract import ExtractMode, extract
from verilogeval.grading.v1.completion import completion_of, v1_sample_code
from verilogeval.grading.v1.harness import HarnessError, streams_result, v1_result
from verilogeval.grading.v1.simulator import is_pinned, simulator_label, v1_warning
from verilogeval.prompting.builder import PromptConfig, PromptStyle, build_prompt
from verilogeval.records import ExecResult, Harness, Task

QUESTION = (
    "Implement the Verilog module based on the following description. Assume that signals "
    "are positive clock/clk edge triggered unless otherwise stated."
)
SYSTEM = (
    "You only complete chats with syntax correct Verilog code. End the Verilog module code "
    "completion with 'endmodule'. Do not include module, input and output definitions."
)


@pytest.fixture(scope="session")
def v1_root(shared_dir: Path) -> Path:
    return shared_dir / "verilog-eval-v1"


@pytest.fixture(scope="session")
def example(v1_root: Path) -> Path:
    return v1_root / "data" / "example"


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _ran(stdout: str = "", stderr: str = "", **fields) -> ExecResult:
    return ExecResult(("sh",), 0, stdout, 0.1, stderr=stderr, **fields)


# -- the verdict rules, in v1's order ------------------------------------------------------


def test_v1_result_rules_in_their_order():
    mismatch = "Hint: ...\nMismatches: 3 in 20 samples\n"
    assert v1_result(_ran(mismatch, "x.sv:3: syntax error\n", timed_out=True)) == "timed out"
    assert v1_result(_ran(mismatch, "x.sv:3: syntax error\n")) == "failed: syntax error."
    assert v1_result(_ran(mismatch, "x.sv:3: warning: implicit\n")) == "failed: compile error."
    assert v1_result(_ran("Mismatches: 0 in 20 samples\n", "\n")) == "failed: compile error."
    assert v1_result(_ran(mismatch)) == "failed: 3 out of 20 samples."
    assert v1_result(_ran("Mismatches: 0 in 20 samples\n")) == "passed"
    assert v1_result(_ran("no verdict line\n")) == "failed: info string not matched."
    # v1 takes the first line of stdout (re.search); int() of its digits, any length
    first = "Mismatches: 007 in 020 samples\nMismatches: 0 in 20 samples\n"
    assert v1_result(_ran(first)) == "failed: 7 out of 20 samples."
    assert v1_result(_ran("Mismatches: 000 in 9 samples")) == "passed"
    assert v1_result(_ran("Mismatches:  in 9 samples")) == (
        "failed: invalid literal for int() with base 10: ''"
    )
    assert v1_result(_ran(mismatch, utf8_error="'utf-8' codec can't decode")) == (
        "failed: 'utf-8' codec can't decode"
    )


def _answer(stdout: bytes, stderr: bytes = b"") -> ExecResult:
    """What the streams child prints, as the sandbox hands it over."""
    line: dict[str, object] = {"returncode": 0}
    for name, data in (("stdout", stdout), ("stderr", stderr)):
        line |= {name: base64.b64encode(data).decode(), f"{name}_truncated": False}
    return ExecResult(("python",), 0, json.dumps(line) + "\n", 0.1)


def test_the_streams_answer_is_read_strictly():
    read = streams_result(_answer(b"Mismatches: 0 in 5 samples\n", b"x.sv:1: warning\n"), ("sh",))
    assert (read.output, read.stderr, read.argv) == (
        "Mismatches: 0 in 5 samples\n",
        "x.sv:1: warning\n",
        ("sh",),
    )
    assert v1_result(read) == "failed: compile error."
    undecodable = streams_result(_answer(b"\xffMismatches: 0 in 5 samples\n"), ("sh",))
    assert v1_result(undecodable) == (
        "failed: 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"
    )
    stopped = ExecResult(("python",), None, "partial", 30.0, timed_out=True)
    assert v1_result(streams_result(stopped, ("sh",))) == "timed out"
    with pytest.raises(HarnessError, match="v1 streams child answered"):
        streams_result(ExecResult(("python",), 1, "Traceback ...", 0.1), ("sh",))


def test_completion_of_a_chat_answer():
    body = "\n\tassign zero = 1'b0;\nendmodule\n"
    assert completion_of(body) == body
    header = "module top_module (\n\toutput zero\n);"
    assert completion_of(f"Here:\n```verilog\n{header}{body}```\nDone.") == body
    assert completion_of(f"<think>module top_module</think>{header}{body}") == body
    assert completion_of("module top_module (output x") == "module top_module (output x"


@pytest.mark.shared
def test_official_extraction_takes_a_v1_answer_as_its_completion(v1_root):
    problem = load_dataset(v1_root, None, Benchmark.V1_HUMAN).problems[0]
    answer = "```\n\tassign x = 1;\nendmodule\n```"
    assert extract(answer, problem, ExtractMode.OFFICIAL) == f"{problem.ifc}{answer}"
    robust = extract(answer, problem, ExtractMode.ROBUST)
    assert robust == v1_sample_code(answer, problem, as_is=False)
    assert robust == f"{problem.ifc}\tassign x = 1;\nendmodule\n"


def test_pinned_simulator_is_told_apart():
    assert is_pinned("Icarus Verilog version 13.0 (devel) (s20221226-238-g01441687)")
    assert is_pinned("Icarus Verilog version 13.0 (devel)")
    assert not is_pinned("Icarus Verilog version 13.0 (devel) (s20250103-12-g2aa9e3d45)")
    assert not is_pinned("Icarus Verilog version 11.0 (stable)")
    warning = v1_warning("Icarus Verilog version 11.0 (stable)")
    assert warning is not None and "will not match" in warning and "0144168" in warning
    assert v1_warning("Icarus Verilog version 13.0 (devel)") is None
    assert simulator_label("Icarus Verilog version 11.0 (stable)") == (
        "Icarus 11.0 (stable), not v1's simulator"
    )


# -- problems and prompts --------------------------------------------------------------------


@pytest.mark.shared
def test_both_sets_load_as_completion_problems(v1_root):
    human = load_dataset(v1_root, None, Benchmark.V1_HUMAN)
    machine = load_dataset(v1_root, None, Benchmark.V1_MACHINE)
    assert (len(human.problems), len(machine.problems)) == (156, 143)
    assert human.task is Task.CODE_COMPLETE and human.benchmark is Benchmark.V1_HUMAN
    assert human.content_hash() != machine.content_hash()
    assert human.content_hash() == load_dataset(v1_root, None, Benchmark.V1_HUMAN).content_hash()
    official = _rows(v1_root / "data" / "VerilogEval_Human.jsonl")
    for problem, row in zip(human.problems, official, strict=True):
        assert problem.name == row["task_id"] and problem.harness is Harness.V1
        assert problem.ifc == row["prompt"] + "\n"  # v1's test + "\n" + prompt + "\n" + ...
        assert problem.test_path is not None
        assert problem.test_path.read_text() == row["test"] + "\n"
        assert problem.ref_path.read_text() == row["prompt"] + "\n" + row["canonical_solution"]
    assert [p.number for p in human.problems[:3]] == [1, 2, 3]


@pytest.mark.shared
def test_v1_prompt_is_the_description_and_header(v1_root):
    dataset = load_dataset(v1_root, None, Benchmark.V1_MACHINE)
    problem = dataset.problems[0]
    row = _rows(v1_root / "data" / "VerilogEval_Machine.jsonl")[0]
    texts = _rows(v1_root / "descriptions" / "VerilogDescription_Machine.jsonl")
    (text,) = [text for text in texts if text["task_id"] == row["task_id"]]  # not in file order
    prompt = build_prompt(dataset, problem, PromptConfig(PromptStyle.OFFICIAL_V1))
    assert prompt.system == SYSTEM
    assert prompt.user == "\n\n".join([QUESTION, text["detail_description"], row["prompt"]])


@pytest.mark.parametrize(
    ("lines", "error"),
    [
        (['{"task_id": "a", "prompt": "", "test": ""}'], r":1: missing field 'canonical_solution'"),
        (["{not json"], r":1: not a JSON line"),
        (['{"task_id": "../a", "prompt": "", "canonical_solution": "", "test": ""}'], "plain"),
        (['{"task_id": "a", "prompt": "", "canonical_solution": "", "test": ""}'] * 2, ":2: dup"),
    ],
)
def test_a_bad_problem_file_is_a_one_line_error(cli, tmp_path, lines, error):
    path = tmp_path / "problems.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(UserError, match=error):
        load_dataset(path, None, Benchmark.V1_HUMAN)
    done = cli("problems", "--benchmark", "v1-human", "--dataset", path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"verilogeval problems: error: {path}:")


@pytest.mark.shared
def test_v1_needs_a_v1_clone_and_refuses_what_does_not_apply(cli, v1_root, official_root):
    refused = cli("problems", "--benchmark", "v1-human", "--dataset", official_root)
    assert refused.returncode == 2 and "not a VerilogEval v1 clone" in refused.stderr
    base = ("run", "--model", "oracle", "--benchmark", "v1-human", "--dataset", v1_root)
    for extra, said in (
        (("--plus",), "--plus: not on --benchmark v1-human (a v1 testbench holds its own"),
        (("--strict",), "--strict: not on --benchmark v1-human"),
        (("--formal",), "--formal: not on --benchmark v1-human"),
        (("--shots", "1"), "VerilogEval v1's prompt has no --shots"),
        (("--prompt-style", "official-v2"), "--prompt-style official-v2 does not go with"),
        (("--task", "spec-to-rtl"), "a completion benchmark, not --task spec-to-rtl"),
    ):
        done = cli(*base, *extra)
        assert done.returncode == 2, (extra, done.stderr)
        assert said in done.stderr and "Traceback" not in done.stderr, (extra, done.stderr)
    strict = cli("strict", "--samples", "rows.jsonl", "--benchmark", "v1-machine")
    assert strict.returncode == 2 and "strict: not on --benchmark v1-machine" in strict.stderr
    v2 = cli("run", "--model", "oracle", "--prompt-style", "official-v1")
    assert v2.returncode == 2 and "official-v1 is VerilogEval v1's prompt" in v2.stderr


# -- the harness on real Icarus ----------------------------------------------------------------


def _results(folder: Path) -> list[dict]:
    return _rows(folder / "results.jsonl")


@pytest.mark.icarus
@pytest.mark.shared
def test_official_example_gives_the_official_results_line_for_line(cli, example, tmp_path):
    out = tmp_path / "example"
    done = cli(
        "evaluate", "--benchmark", "v1-human", "--dataset", example / "ExampleEval.jsonl",
        "--samples", example / "ExampleSolution.jsonl", "--out", out, "--no-cache", "--quiet",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    official = _rows(example / "ExampleSolution.jsonl_reference.jsonl")
    graded = {(r["problem"], r["sample"]): r for r in _results(out)}  # in grading order
    keys = [(task, sample) for task in ("gatesv", "vector4", "zero") for sample in (1, 2)]
    results = [graded[key] for key in keys]  # samples numbered per task, in file order
    assert len(graded) == 6 and [(r["problem"], r["result"], r["passed"]) for r in results] == [
        (row["task_id"], row["result"], row["passed"]) for row in official
    ]
    assert [r["category"] for r in results] == [".", "R", ".", "S", ".", "R"]
    board = json.loads(cli("leaderboard", out, "--format", "json").stdout)
    assert board[0]["pass@1"] == 0.5 and board[0]["benchmark"] == "v1-human"  # v1's README
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["benchmark"] == "v1-human" and manifest["simulator"]["time_limit"] is None
    simulator = manifest["simulator"]["version"]
    assert simulator.startswith("Icarus Verilog version") and board[0]["simulator"] == simulator
    warned = "published v1 results were graded with Icarus Verilog 13.0 (devel)" in done.stderr
    assert warned is not is_pinned(simulator)


@pytest.mark.slow
@pytest.mark.icarus
@pytest.mark.shared
def test_the_harness_reads_stderr_apart_and_the_first_verdict_line(cli, example, tmp_path):
    """What only v1's rules decide: stderr fails a correct design, v1 trusts the first
    `Mismatches` line of stdout, and a design that never ends times out."""
    samples = tmp_path / "samples.jsonl"
    correct = "\tassign zero = 1'b0;\n"
    completions = [
        correct + '\tinitial $fdisplay(32\'h8000_0002, "a note");\nendmodule\n',
        correct + '\tinitial $display("Mismatches: 5 in 9 samples");\nendmodule\n',
        correct + "\treg spin = 0;\n\tinitial forever spin = ~spin;\nendmodule\n",
    ]
    samples.write_text(
        "".join(json.dumps({"task_id": "zero", "completion": c}) + "\n" for c in completions)
    )
    out = tmp_path / "graded"
    done = cli(
        "evaluate", "--benchmark", "v1-human", "--dataset", example / "ExampleEval.jsonl",
        "--samples", samples, "--out", out, "--no-cache", "--quiet", "--timeout", "10",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    results = sorted(_results(out), key=lambda r: r["sample"])
    assert [(r["result"], r["category"]) for r in results] == [
        ("failed: compile error.", "C"),
        ("failed: 5 out of 9 samples.", "R"),
        ("timed out", "T"),
    ]
    log = (out / "zero" / "zero_sample01-sv-iv-test.log").read_text()
    assert "a note" in log  # the layout's log holds stderr, then stdout
    shown = cli("show", out, "zero", "1")
    assert shown.returncode == 0 and "v1 result: failed: compile error." in shown.stdout


@pytest.mark.slow
@pytest.mark.icarus
@pytest.mark.shared
def test_oracle_and_replay_runs_end_to_end_through_report_and_leaderboard(cli, v1_root, tmp_path):
    common = ("--benchmark", "v1-machine", "--dataset", v1_root, "--no-cache", "--quiet")
    oracle = tmp_path / "oracle"
    done = cli("run", "--model", "oracle", "--problems", "1-3", "--out", oracle, *common)
    assert done.returncode == 0, done.stderr
    assert [r["result"] for r in _results(oracle)] == ["passed"] * 3
    manifest = json.loads((oracle / "run.json").read_text())
    dataset = load_dataset(v1_root, None, Benchmark.V1_MACHINE)
    assert manifest["benchmark"] == "v1-machine"
    assert manifest["dataset"]["hash"] == dataset.content_hash()
    assert manifest["prompt"]["style"] == "official-v1"
    assert manifest["extract_mode"] == "robust"  # v1 has no extraction: chat answers need ours

    header_again, broken = dataset.problems[0].ref_path.read_text(), "\tassign out = ;\n"
    answers = tmp_path / "answers.jsonl"
    answers.write_text(
        json.dumps({"problem": "mux2to1v", "sample": 1, "response": f"```\n{header_again}```"})
        + "\n"
        + json.dumps({"problem": "m2014_q6b", "sample": 1, "response": broken})
        + "\n"
    )
    replay = tmp_path / "replay"
    done = cli("run", "--model", f"replay:{answers}", "--out", replay, *common)
    assert done.returncode == 0, done.stderr
    assert sorted((r["problem"], r["result"]) for r in _results(replay)) == [
        ("m2014_q6b", "failed: syntax error."),
        ("mux2to1v", "passed"),
    ]
    report = cli("report", replay)
    assert report.returncode == 0, report.stderr
    assert "task code-complete-iccad2023 (v1-machine; Icarus" in report.stdout
    assert cli("report", replay, "--benchmark", "v1-machine").returncode == 0
    other = cli("report", replay, "--benchmark", "v2.0")
    assert other.returncode == 2 and "graded v1-machine, not --benchmark v2.0" in other.stderr
    kept = cli("leaderboard", oracle, replay, "--benchmark", "v1-machine", "--format", "json")
    assert len(json.loads(kept.stdout)) == 2
    none = cli("leaderboard", oracle, replay, "--benchmark", "v1-human")
    assert none.returncode == 2 and "holds a run of --benchmark v1-human" in none.stderr
    board = cli("leaderboard", oracle, replay)
    assert board.returncode == 0, board.stderr
    assert board.stdout.count("(v1-machine; Icarus") == 2
    rows = json.loads(cli("leaderboard", oracle, replay, "--format", "json").stdout)
    assert [(row["model"], row["pass@1"]) for row in rows] == [
        ("oracle", 1.0),
        (f"replay:{answers}", 0.5),
    ]

    resumed = cli(
        "run",
        "--model",
        "oracle",
        "--problems",
        "1-3",
        "--out",
        oracle,
        "--benchmark",
        "v1-human",
        "--dataset",
        v1_root,
        "--no-cache",
        "--quiet",
    )
    assert (
        resumed.returncode == 2
        and "benchmark (--benchmark): 'v1-machine' -> 'v1-human'" in resumed.stderr
    )


@pytest.mark.icarus
@pytest.mark.shared
def test_check_grades_each_reference_with_the_v1_harness(cli, v1_root):
    done = cli(
        "check", "--benchmark", "v1-human", "--dataset", v1_root, "--no-cache",
        "--problems", "gatesv,review2015_fsm",
    )  # fmt: skip
    human = load_dataset(v1_root, None, Benchmark.V1_HUMAN)
    named = known_failing_references(human, human.problems)
    if icarus_major() == 11:  # its casts compile from Icarus 12 on
        assert named == ("review2015_fancytimer", "review2015_fsm")  # run's closing table
        assert done.returncode == 1, done.stderr
        assert "review2015_fsm: failed: compile error.: C (other compile error)" in done.stdout
        assert "1 of 2 references cannot pass" in done.stdout
    else:
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
@pytest.mark.icarus
@pytest.mark.shared
def test_golden_v1_classification_row_for_row(cli, golden, v1_root, tmp_path):
    """Every reference and mutant of both sets gets the official v1 script's result string
    (recorded under Icarus 11: the result strings are the simulator's)."""
    if icarus_major() != 11:
        pytest.skip("the golden v1 verdicts were recorded under Icarus 11")
    rows = golden("v1-classification")
    started = time.monotonic()
    for benchmark, name in ((Benchmark.V1_HUMAN, "human"), (Benchmark.V1_MACHINE, "machine")):
        chosen = [row for row in rows if row["set"] == name]
        samples = tmp_path / f"{name}.jsonl"
        samples.write_text(
            "".join(
                json.dumps({"task_id": r["task_id"], "completion": r["completion"]}) + "\n"
                for r in chosen
            )
        )
        out = tmp_path / name
        done = cli(
            "evaluate", "--benchmark", benchmark, "--dataset", v1_root, "--samples", samples,
            "--out", out, "--no-cache", "--quiet", "--jobs", "2", timeout=3600,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        graded = {(r["problem"], r["sample"]): r for r in _results(out)}
        assert len(graded) == len(chosen)
        for row in chosen:
            result = graded[(row["task_id"], row["sample"])]
            assert (result["result"], result["passed"]) == (row["result"], row["passed"]), row
    print(f"{len(rows)} golden v1 rows in {time.monotonic() - started:.0f} s")


@pytest.mark.icarus
@pytest.mark.shared
def test_a_cached_v1_result_keeps_its_result_string(cli, example, tmp_path):
    runs = []
    for name in ("first", "again"):
        out = tmp_path / name
        done = cli(
            "evaluate", "--benchmark", "v1-human", "--dataset", example / "ExampleEval.jsonl",
            "--samples", example / "ExampleSolution.jsonl", "--out", out, "--quiet",
            "--cache-dir", tmp_path / "cache",
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        runs.append({(r["problem"], r["sample"]): r for r in _results(out)})
    first, again = runs
    assert not any(r["simulated"] for r in again.values())
    drop = {"simulated"}
    assert {k: {f: v for f, v in r.items() if f not in drop} for k, r in again.items()} == {
        k: {f: v for f, v in r.items() if f not in drop} for k, r in first.items()
    }


@pytest.mark.icarus
@pytest.mark.shared
def test_v1_samples_run_in_the_sandbox(cli, example, tmp_path):
    """A v1 sample opens a file of the host: in the sandbox it is not there (v1 takes the
    first verdict line, so the line the sample prints says what it saw)."""
    secret = tmp_path / "secret.txt"
    secret.write_text("host\n")
    probe = (
        "\tassign zero = 1'b0;\n\tinteger fd;\n\tinitial begin\n"
        f'\t\tfd = $fopen("{secret}", "r");\n'
        '\t\tif (fd) $display("Mismatches: 1 in 1 samples");\n'
        '\t\telse $display("Mismatches: 2 in 2 samples");\n\tend\nendmodule\n'
    )
    samples = tmp_path / "probe.jsonl"
    samples.write_text(json.dumps({"task_id": "zero", "completion": probe}) + "\n")
    seen = {}
    for flags in ((), ("--no-sandbox",)):
        out = tmp_path / ("unsandboxed" if flags else "sandboxed")
        done = cli(
            "evaluate", "--benchmark", "v1-human", "--dataset", example / "ExampleEval.jsonl",
            "--samples", samples, "--out", out, "--no-cache", "--quiet", *flags,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        (result,) = _results(out)
        seen[bool(flags)] = result["result"]
    assert seen == {False: "failed: 2 out of 2 samples.", True: "failed: 1 out of 1 samples."}


@pytest.mark.icarus
@pytest.mark.shared
def test_a_v1_run_has_a_default_folder_of_its_own(cli, v1_root, tmp_path):
    done = cli(
        "run", "--model", "oracle", "--benchmark", "v1-human", "--dataset", v1_root,
        "--problems", "1", "--no-cache", "--quiet", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "runs" / "oracle_code-complete-iccad2023_v1-human_official-v1_0shot_n1_t0"
    assert json.loads((folder / "run.json").read_text())["benchmark"] == "v1-human"
