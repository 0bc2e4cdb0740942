"""`verilogeval evaluate`, the grading pool and the official summary files."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import icarus_major

from verilogeval.dataset.loader import load_dataset
from verilogeval.execution.pools import LocalPool
from verilogeval.grading.grader import GradeConfig, Graded, Grader
from verilogeval.records import Category, Sample, Task, Usage
from verilogeval.reporting.summary import (
    MISSING,
    SampleOutcome,
    official_pass_rate,
    outcome_table,
    summary_csv,
    summary_text,
)
from verilogeval.runfolder.journal import read_journal
from verilogeval.runfolder.lines import GenerationLine, ResultLine
from verilogeval.runfolder.official_layout import (
    generate_log_path,
    read_samples_folder,
    write_generate_log,
    write_graded,
)

MAJORITY = "Prob001_majority5"
GRAY = "Prob010_gray_to_binary8"
RIGHT = """module TopModule (input [4:0] v, output maj);
  assign maj = (v[0] + v[1] + v[2] + v[3] + v[4]) >= 3;
endmodule
"""
WRONG = """module TopModule (input [4:0] v, output maj);
  assign maj = v[0];
endmodule
"""
SYNTAX = "module TopModule (input [4:0] v, output maj);\n  assign maj = ;\nendmodule\n"


def gray_reference() -> str:
    dataset = load_dataset(None, Task.SPEC_TO_RTL)
    return dataset.problem(GRAY).ref_path.read_text().replace("RefModule", "TopModule")


def write_jsonl(path: Path, lines: Sequence[Mapping[str, object] | bytes]) -> Path:
    with path.open("wb") as f:
        for line in lines:
            f.write(line if isinstance(line, bytes) else json.dumps(line).encode())
            f.write(b"\n")
    return path


def results_of(out: Path) -> dict[tuple[str, int], dict]:
    return {(line["problem"], line["sample"]): line for line in read_journal(out / "results.jsonl")}


@pytest.mark.icarus
def test_evaluate_writes_results_summaries_layout_and_run_json(cli, tmp_path):
    samples = write_jsonl(
        tmp_path / "samples.jsonl",
        [
            {"problem": MAJORITY, "sample": 1, "code": RIGHT},
            {"problem": MAJORITY, "sample": 2, "code": WRONG},
            {"problem": MAJORITY, "sample": 3, "code": SYNTAX},
            {"problem": GRAY, "sample": 1, "code": gray_reference()},
        ],
    )
    out = tmp_path / "run"
    done = cli("evaluate", "--samples", samples, "--out", out, "--cache-dir", tmp_path / "c")
    assert done.returncode == 0, done.stderr
    # the version warning names the paper's Icarus, on any other major version
    assert ("Icarus Verilog 12" in done.stderr) == (icarus_major() != 12)
    results = results_of(out)
    assert {key: line["category"] for key, line in results.items()} == {
        (MAJORITY, 1): ".",
        (MAJORITY, 2): "R",
        (MAJORITY, 3): "S",
        (GRAY, 1): ".",
    }
    wrong = results[(MAJORITY, 2)]
    assert wrong["passed"] is False and 0 < wrong["mismatches"] <= wrong["total"]
    assert wrong["outputs"][0]["output"] == "maj" and wrong["outputs"][0]["mismatches"] > 0
    assert results[(MAJORITY, 3)]["mismatches"] is None
    assert "syntax error" in results[(MAJORITY, 3)]["first_error"]
    assert (out / MAJORITY / f"{MAJORITY}_sample02.sv").read_text() == WRONG
    log = (out / MAJORITY / f"{MAJORITY}_sample02-sv-iv-test.log").read_text()
    assert f"Mismatches: {wrong['mismatches']} in {wrong['total']} samples" in log
    assert (out / MAJORITY / f"{MAJORITY}_sample02-sv-generate.log").is_file()
    csv = (out / "summary.csv").read_text().splitlines()
    assert csv == [f"{MAJORITY},1,3,0.33,.,R,S", f"{GRAY},1,1,1.0,."]
    assert "pass_rate             =      66.50" in (out / "summary.txt").read_text()
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["command"] == "evaluate" and manifest["task"] == "spec-to-rtl"
    assert manifest["problems"] == [MAJORITY, GRAY]
    assert manifest["simulator"]["timeout_s"] == 30.0
    assert manifest["simulator"]["version"].startswith("Icarus Verilog")
    assert manifest["finished_at"] is not None


@pytest.mark.slow
@pytest.mark.icarus
def test_evaluate_resumes_and_the_cache_spares_simulation(cli, tmp_path):
    first = [{"problem": MAJORITY, "sample": 1, "code": RIGHT}]
    samples = write_jsonl(tmp_path / "a.jsonl", first)
    out, cache = tmp_path / "run", tmp_path / "cache"
    assert cli("evaluate", "--samples", samples, "--out", out, "--cache-dir", cache).returncode == 0
    more = [*first, {"problem": MAJORITY, "sample": 2, "code": WRONG}]
    samples = write_jsonl(tmp_path / "b.jsonl", more)
    again = cli("evaluate", "--samples", samples, "--out", out, "--cache-dir", cache)
    assert again.returncode == 0, again.stderr
    assert "graded 1 sample (1 already graded)" in again.stdout
    assert len(read_journal(out / "results.jsonl")) == 2
    # the same samples into a new folder: all from the cache, same verdicts
    other = tmp_path / "other"
    assert (
        cli("evaluate", "--samples", samples, "--out", other, "--cache-dir", cache).returncode == 0
    )
    cached = results_of(other)
    assert [line["simulated"] for line in cached.values()] == [False, False]
    assert {k: v["category"] for k, v in cached.items()} == {
        k: v["category"] for k, v in results_of(out).items()
    }
    # changed code for a graded sample, or another timeout, is refused on resume
    changed = write_jsonl(tmp_path / "c.jsonl", [{"problem": MAJORITY, "sample": 1, "code": WRONG}])
    refused = cli("evaluate", "--samples", changed, "--out", out, "--cache-dir", cache)
    assert refused.returncode == 1 and "graded with other code" in refused.stderr
    refused = cli("evaluate", "--samples", samples, "--out", out, "--timeout", "5")
    assert refused.returncode == 2 and "--timeout" in refused.stderr


@pytest.mark.icarus
def test_bad_input_is_reported_and_the_rest_graded(cli, tmp_path):
    samples = write_jsonl(
        tmp_path / "samples.jsonl",
        [
            {"problem": "Prob999_nope", "sample": 1, "code": RIGHT},
            {"problem": MAJORITY, "sample": 2},
            b'{"problem": "Prob001_majority5", "sample": 3, "code": "\xff\xfe"}',
            {"problem": MAJORITY, "sample": 4, "code": "//" + "x" * (3 << 20)},
            {"problem": MAJORITY, "sample": 5, "code": RIGHT},
            {"problem": MAJORITY, "sample": 5, "code": WRONG},
            b"not json",
            b'{"problem": "Prob001_majority5", "sample": 8, "code": "\\ud800"}',
        ],
    )
    out = tmp_path / "run"
    done = cli("evaluate", "--samples", samples, "--out", out, "--no-cache")
    assert done.returncode == 1
    errors = done.stderr
    assert f"{samples}:1: skipped: unknown problem 'Prob999_nope'" in errors
    assert f"{samples}:2: skipped: {MAJORITY} sample 2: missing field 'code'" in errors
    assert f"{samples}:3: skipped: not UTF-8" in errors
    assert f"{samples}:4: skipped: {MAJORITY} sample 4: code is" in errors
    assert f"{samples}:6: skipped: {MAJORITY} sample 5 appears twice" in errors
    assert f"{samples}:7: skipped: not a JSON line" in errors
    assert f"{samples}:8: skipped: {MAJORITY} sample 8: code is not text" in errors
    assert list(results_of(out)) == [(MAJORITY, 5)]
    # Samples 2, 4 and 8 name themselves: still samples of the run, failed without a
    # result, so skipping an answer never raises a score (the unknown problem is no sample).
    assert "1/4 pass (3 without a result: failed)" in done.stdout
    manifest = json.loads((out / "run.json").read_text())
    assert (manifest["problems"], manifest["sampling"]["n"]) == ([MAJORITY], 8)
    # sv-iv-analyze's view: every sample number up to the highest, `?` without a result
    assert (out / "summary.csv").read_text() == f"{MAJORITY},1,8,0.12,?,?,?,?,.,?,?,?\n"
    assert f"{MAJORITY} [01/08]( 12%)" in (out / "summary.txt").read_text()
    summary = json.loads(cli("report", out, "--json").stdout)
    assert (summary["samples"], summary["passed"], summary["pass_rate"]) == (1, 1, 1 / 8)
    assert summary["pass@1"] == 1 / 8 and summary["categories"] == {".": 1, "?": 7}


def test_unwritable_output_folder_is_a_clear_error(cli, tmp_path):
    samples = write_jsonl(tmp_path / "s.jsonl", [{"problem": MAJORITY, "sample": 1, "code": RIGHT}])
    blocker = tmp_path / "file"
    blocker.write_text("")
    done = cli("evaluate", "--samples", samples, "--out", blocker / "run")
    assert done.returncode == 2
    assert f"{blocker / 'run'}: cannot write the run folder" in done.stderr
    missing = cli("evaluate", "--samples", tmp_path / "nope.jsonl", "--out", tmp_path / "r")
    assert missing.returncode == 2 and "no such samples file or folder" in missing.stderr


@pytest.mark.icarus
def test_a_folder_in_the_official_layout_is_read_back(cli, tmp_path):
    samples = write_jsonl(
        tmp_path / "s.jsonl",
        [
            {"problem": MAJORITY, "sample": 1, "code": RIGHT},
            {"problem": MAJORITY, "sample": 2, "code": WRONG},
        ],
    )
    first = tmp_path / "first"
    assert cli("evaluate", "--samples", samples, "--out", first, "--no-cache").returncode == 0
    (first / MAJORITY / f"{MAJORITY}_sample03.sv").write_bytes(b"\xff")
    assert [type(s).__name__ for s in read_samples_folder(first)] == [
        "Sample",
        "Sample",
        "Unreadable",
    ]
    second = tmp_path / "second"
    done = cli("evaluate", "--samples", first, "--out", second, "--no-cache")
    assert done.returncode == 1 and "_sample03.sv: skipped: not UTF-8" in done.stderr
    assert {k: v["category"] for k, v in results_of(second).items()} == {
        (MAJORITY, 1): ".",
        (MAJORITY, 2): "R",
    }


@pytest.mark.icarus
def test_grader_takes_samples_while_grading_and_simulates_duplicates_once(tmp_path):
    problems = {p.name: p for p in load_dataset(None, Task.SPEC_TO_RTL).problems}
    seen: list[Graded] = []
    calls_at_once = []
    active = threading.Lock()

    def on_graded(graded: Graded) -> None:
        calls_at_once.append(active.acquire(blocking=False))
        seen.append(graded)
        active.release()

    config = GradeConfig(jobs=2, cache_dir=None, workdir=tmp_path)
    with (
        LocalPool(config.jobs, config.place) as pool,
        Grader(problems, config, on_graded, pool) as grader,
    ):
        first = grader.submit(Sample(MAJORITY, 1, RIGHT))
        assert first.result(timeout=60).verdict.passed  # graded before the next one is fed
        futures = [grader.submit(Sample(MAJORITY, n, WRONG)) for n in range(2, 6)]
        assert grader.wait() == []
        with pytest.raises(KeyError):
            Grader(problems, config, on_graded, pool).submit(Sample("Prob999_nope", 1, RIGHT))
    verdicts = [future.result().verdict for future in futures]
    assert [v.sample for v in verdicts] == [2, 3, 4, 5]
    assert {v.category.value for v in verdicts} == {"R"}
    assert sum(f.result().simulated for f in futures) == 1
    assert len(seen) == 5 and all(calls_at_once)


def test_official_pass_rate_truncates_per_problem_like_sv_iv_analyze():
    # 29 of 100: int(0.29 * 100) is 28 in floating point, as in sv-iv-analyze
    outcomes = {"a": "." * 29 + "R" * 71, "b": ".S", "c": "....."}
    assert official_pass_rate(outcomes) == pytest.approx((28 + 50 + 100) / 3)
    assert official_pass_rate({"a": "..S.R ....."}) == 80.0
    with pytest.raises(ValueError):
        official_pass_rate({})


def test_summary_files_in_the_official_format():
    def result(problem: str, sample: int, code: str, mismatches: int | None) -> ResultLine:
        return ResultLine(
            problem=problem,
            sample=sample,
            category=Category(code),
            passed=code == ".",
            mismatches=mismatches,
            total=None,
            first_error=None,
            outputs=(),
            code_sha256=None,
            simulated=True,
        )

    def generation(problem: str, usage: Usage, cost: float | None) -> GenerationLine:
        return GenerationLine(problem, 1, "", usage, cost, None, None, None, None, False)

    results = [
        result("Prob002_b", 1, ".", 0),
        result("Prob001_long_name", 1, "R", 4),
        result("Prob001_long_name", 3, "R", 4),
        result("Prob001_long_name", 2, ".", 0),
        result("Prob001_long_name", 6, "S", None),
    ]
    generations = [
        generation("Prob002_b", Usage(prompt_tokens=1500), 0.5),
        replace(generation("Prob001_long_name", Usage(completion_tokens=250), None), sample=2),
    ]
    table = outcome_table(results, generations)
    assert list(table) == ["Prob001_long_name", "Prob002_b"]
    assert [s.code for s in table["Prob001_long_name"]] == ["R", ".", "R", MISSING, MISSING, "S"]
    assert table["Prob002_b"] == [SampleOutcome(".", 0, 1500, 0, 0.5)]
    # diversity: long_name has R(4) x2, '.', '?' x2, 'S' -> 1 - (4+1+4+1)/36; b has 0
    expected = (
        "\n"
        "Prob001_long_name [01/06]( 16%)  0.25 R.R?? S" + " " * 17 + "\n"
        "Prob002_b         [01/01](100%)  1.50 ." + " " * 23 + "\n"
        "\n"
        "pass_rate             =      58.00\n"
        "avg_gini_simpson_idx  =       0.36\n"
        "total_prompt_tokens   =       1500\n"
        "total_resp_tokens     =        250\n"
        "total_tokens          =       1750\n"
        "avg_tokens_per_prompt =     214.29\n"
        "avg_tokens_per_resp   =      35.71\n"
        "avg_tokens_per_query  =     250.00\n"
        "total_cost            =       0.50\n"
        "\n"
    )
    assert summary_text(table) == expected
    assert summary_csv(table) == ("Prob001_long_name,1,6,0.16,R,.,R,?,?,S\nProb002_b,1,1,1.0,.\n")


@pytest.mark.icarus
def test_a_sample_the_machinery_cannot_grade_is_named(tmp_path):
    problems = {p.name: p for p in load_dataset(None, Task.SPEC_TO_RTL).problems}
    # without the sandbox, each command's folder goes in the pool's scratch root
    config = GradeConfig(jobs=1, workdir=tmp_path, sandbox=False)
    graded: list[Graded] = []
    with (
        LocalPool(config.jobs, config.place) as pool,
        Grader(problems, config, graded.append, pool) as grader,
    ):
        (scratch,) = tmp_path.iterdir()  # the pool's: gone, no sample can have a folder
        scratch.rmdir()
        grader.submit(Sample(MAJORITY, 7, RIGHT))
        errors = grader.wait()
    assert graded == []
    assert [type(e).__name__ for e in errors] == ["GradingFailed"]
    assert f"{MAJORITY} sample 7" in str(errors[0])


@pytest.mark.icarus
def test_waves_are_kept_on_request(cli, official_root, tmp_path):
    code = "module TopModule (output zero);\n  assign zero = 1'b0;\nendmodule\n"
    line = {"problem": "Prob001_zero", "sample": 1, "code": code}
    samples = write_jsonl(tmp_path / "s.jsonl", [line])
    out = tmp_path / "run"
    dataset = ("--dataset", official_root)
    done = cli("evaluate", *dataset, "--samples", samples, "--out", out, "--waves")
    assert done.returncode == 0, done.stderr
    assert (out / "Prob001_zero" / "Prob001_zero_sample01.vcd").read_text().startswith("$date")
    assert results_of(out)[("Prob001_zero", 1)]["category"] == "."


def test_generate_logs_share_a_placeholder_until_written(tmp_path):
    for number in (1, 2):
        write_graded(tmp_path, Sample(MAJORITY, number, RIGHT), "log\n")
    first, second = (generate_log_path(tmp_path, MAJORITY, n) for n in (1, 2))
    placeholder = first.read_text()
    assert "without a generation" in placeholder and second.read_text() == placeholder
    write_generate_log(tmp_path, MAJORITY, 1, Usage(prompt_tokens=12, completion_tokens=3), 0.25)
    assert first.read_text() == (
        "prompt_tokens = 12\nresp_tokens   = 3\ntotal_tokens  = 15\ncost          = 0.250000\n"
    )
    assert second.read_text() == placeholder
    # sv-iv-analyze reads only the Prob* folders: the shared placeholder stays outside
    assert [p.name for p in tmp_path.iterdir() if p.is_dir()] == [MAJORITY]


@pytest.mark.icarus
def test_evaluate_shows_its_grading_progress_unless_quiet(cli, tmp_path):
    samples = tmp_path / "samples.jsonl"
    samples.write_text(
        "".join(
            json.dumps({"problem": MAJORITY, "sample": n, "code": code}) + "\n"
            for n, code in ((1, RIGHT), (2, WRONG))
        )
    )
    shown = cli("evaluate", "--samples", samples, "--out", tmp_path / "shown", "--no-cache")
    assert shown.returncode == 0, shown.stderr
    bar = [line for line in shown.stderr.splitlines() if line.startswith("grade ")]
    assert len(bar) == 1 and "2/2" in bar[0] and "pass  50.0%" in bar[0]
    quiet = cli(
        "evaluate", "--samples", samples, "--out", tmp_path / "quiet", "--no-cache", "--quiet"
    )
    assert quiet.returncode == 0, quiet.stderr
    assert not [line for line in quiet.stderr.splitlines() if line.startswith("grade ")]


@pytest.mark.icarus
def test_evaluate_grades_only_the_problems_asked_for(cli, tmp_path):
    rows = [
        {"problem": MAJORITY, "sample": 1, "code": RIGHT},
        {"problem": GRAY, "sample": 1, "code": gray_reference()},
    ]
    samples = write_jsonl(tmp_path / "s.jsonl", rows)
    out = tmp_path / "run"
    result = cli("evaluate", "--samples", samples, "--out", out, "--problems", "10", "--no-cache")
    assert result.returncode == 0, result.stderr
    assert list(results_of(out)) == [(GRAY, 1)]
    assert "1 sample of problems --problems leaves out not graded" in result.stderr
