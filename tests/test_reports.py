"""Run folders -> leaderboard, report and failures, as a user runs the commands."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from run_folders import write_run

# An oracle run (n=1): the reference passes except where the testbench itself times out.
ORACLE = {"Prob001_zero": ".", "Prob002_m2014_q4i": ".", "Prob003_step_one": ".",
          "Prob082_lfsr32": "T"}  # fmt: skip
# A replayed run (n=20): all, one, no passing sample, and a problem never graded.
REPLAY = {
    "Prob001_zero": "." * 20,
    "Prob002_m2014_q4i": "S" * 9 + "." + "R" * 10,
    "Prob003_step_one": "R" * 20,
    "Prob082_lfsr32": "?" * 20,
}


@pytest.fixture
def two_runs(tmp_path):
    oracle = write_run(tmp_path / "oracle", ORACLE, model="oracle", cost=None)
    replay = write_run(
        tmp_path / "replay", REPLAY, model="replay:gpt4.jsonl", temperature=0.85, seed=7,
        shots=1, rules=True, cost=0.002,
    )  # fmt: skip
    return oracle, replay


def test_leaderboard_json_of_two_runs_cell_by_cell(cli, two_runs):
    oracle, replay = two_runs
    done = cli("leaderboard", replay, oracle, "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert [row["run"] for row in rows] == [str(oracle), str(replay)]  # best pass@1 first
    first, second = rows
    expected_oracle = {
        "model": "oracle", "task": "spec-to-rtl", "benchmark": "v2.0", "group": 1,
        "style": "official-v2",
        "shots": 0, "rules": False, "explain": False, "n": 1, "temperature": 0.0,
        "top_p": 0.95, "seed": 0, "pass@1": 0.75, "pass@5": None, "pass@5_ci": None,
        "pass@10": None, "pass@10_ci": None, "official_pass_rate": 75.0, "problems": 4,
        "missing_problems": [], "prompt_tokens": 101 + 102 + 103 + 104,
        "completion_tokens": 4 * 40, "cost": None, "unpriced": 4,
    }  # fmt: skip
    expected_replay = {
        "model": "replay:gpt4.jsonl", "task": "spec-to-rtl", "benchmark": "v2.0",
        "group": 2, "style": "official-v2",
        "shots": 1, "rules": True, "explain": False, "n": 20, "temperature": 0.85,
        "top_p": 0.95, "seed": 7,
        "pass@1": (1 + 0.05 + 0 + 0) / 4, "pass@5": (1 + 0.25) / 4, "pass@10": (1 + 0.5) / 4,
        "official_pass_rate": (100 + 5 + 0 + 0) / 4, "problems": 4,
        "missing_problems": ["Prob082_lfsr32"],
        "prompt_tokens": 20 * (101 + 102 + 103), "completion_tokens": 60 * 40,
        "cost": pytest.approx(60 * 0.002), "unpriced": 0,
        # Prob002: 9 S, 1 pass, 10 R with 5 mismatches: 1 - (.45² + .05² + .5²) = 0.545
        "gini_simpson": pytest.approx(0.545 / 4, abs=1e-4),
    }  # fmt: skip
    assert {key: first[key] for key in expected_oracle} == expected_oracle
    assert {key: second[key] for key in expected_replay} == expected_replay
    for row in rows:
        assert "strict_pass@1" not in row
        low, high = row["pass@1_ci"]
        assert 0.0 <= low <= row["pass@1"] <= high <= 1.0
    assert second["pass@10_ci"][0] < second["pass@10_ci"][1]


def test_leaderboard_k_option_and_csv_agree_with_json(cli, two_runs):
    oracle, replay = two_runs
    as_json = json.loads(cli("leaderboard", oracle, replay, "--format", "json", "-k", "1,5").stdout)
    assert {key for key in as_json[1] if key.startswith("pass@")} == {
        "pass@1", "pass@1_ci", "pass@5", "pass@5_ci"
    }  # fmt: skip
    done = cli("leaderboard", oracle, replay, "--format", "csv", "-k", "1,5")
    table = pd.read_csv(io.StringIO(done.stdout))
    assert list(table["run"]) == [row["run"] for row in as_json]
    assert list(table["pass@1"]) == pytest.approx([row["pass@1"] for row in as_json])
    assert table["pass@5_low"].isna().tolist() == [True, False]
    assert list(table["official_pass_rate"]) == [75.0, 26.25]


def test_leaderboard_table_and_markdown(cli, two_runs):
    oracle, replay = two_runs
    table = cli("leaderboard", oracle, replay).stdout.splitlines()
    assert table[0].split()[:4] == ["#", "group", "run", "model"]
    assert "75.0 [" in table[1] and "75.00" in table[1]
    assert "26.2 [" in table[2] and "26.25" in table[2] and "4 (1 without result)" in table[2]
    markdown = cli("leaderboard", oracle, replay, "--format", "md").stdout.splitlines()
    assert markdown[1].startswith("| --- | --- |")
    assert all(line.startswith("| ") and line.endswith(" |") for line in markdown)


def test_runs_differing_only_in_seed_are_grouped(cli, tmp_path):
    problems = ["Prob001_zero", "Prob002_m2014_q4i"]
    best = write_run(tmp_path / "s1", dict.fromkeys(problems, "...."), model="m", seed=1)
    worst = write_run(tmp_path / "s2", dict.fromkeys(problems, "RRRR"), model="m", seed=2)
    other = write_run(tmp_path / "o", dict.fromkeys(problems, "..RR"), model="other", seed=1)
    rows = json.loads(cli("leaderboard", worst, other, best, "--format", "json").stdout)
    assert [(row["run"], row["group"]) for row in rows] == [
        (str(best), 1), (str(worst), 1), (str(other), 2)
    ]  # fmt: skip


def test_strict_pass_at_k_beside_the_official(cli, tmp_path):
    run = write_run(
        tmp_path / "strict", {"Prob001_zero": "..", "Prob002_m2014_q4i": ".R"},
        strict={"Prob001_zero": "yn", "Prob002_m2014_q4i": "nn"},
    )  # fmt: skip
    (row,) = json.loads(cli("leaderboard", run, "--format", "json", "-k", "1,2").stdout)
    assert (row["pass@1"], row["pass@2"]) == (0.75, 1.0)
    assert (row["strict_pass@1"], row["strict_pass@2"]) == (0.25, 0.5)


def test_evaluate_only_folder_has_unknown_model(cli, tmp_path):
    run = write_run(
        tmp_path / "eval", {"Prob001_zero": "..", "Prob002_m2014_q4i": "S"},
        manifest=False, generations=False,
    )  # fmt: skip
    (row,) = json.loads(cli("leaderboard", run, "--format", "json").stdout)
    assert (row["model"], row["task"], row["n"]) == ("unknown", "unknown", 2)
    assert row["pass@1"] == 0.5  # the second sample of Prob002 has no result: a failure
    assert row["prompt_tokens"] is None and row["cost"] is None


def test_leaderboard_skips_folders_that_hold_no_run(cli, tmp_path, two_runs):
    """Old code: one empty folder made `leaderboard runs/*` fail as a whole (exit 2)."""
    empty = tmp_path / "empty"
    empty.mkdir()
    generated = tmp_path / "generated"
    generated.mkdir()
    manifest = json.loads((two_runs[0] / "run.json").read_text()) | {"command": "generate"}
    (generated / "run.json").write_text(json.dumps(manifest))
    done = cli("leaderboard", two_runs[0], empty, generated, "--format", "json")
    assert done.returncode == 0, done.stderr
    assert [row["run"] for row in json.loads(done.stdout)] == [str(two_runs[0])]
    assert f"skipped {empty}: not a run folder (no results.jsonl, no run.json)" in done.stderr
    assert f"skipped {generated}: holds answers from `generate`, not graded yet" in done.stderr
    assert f"verilogeval evaluate --samples {generated}" in done.stderr
    assert "Traceback" not in done.stderr
    nothing = cli("leaderboard", empty)
    assert nothing.returncode == 2
    assert "none of the 1 folders holds a run to show" in nothing.stderr


def test_folder_with_nothing_to_report_is_a_clear_error(cli, tmp_path):
    folder = tmp_path / "fresh"
    folder.mkdir()
    (folder / "results.jsonl").write_text("")
    done = cli("report", folder)
    assert done.returncode == 2
    assert f"{folder}: no results yet, and no run.json listing its problems" in done.stderr


@pytest.mark.icarus
def test_report_never_says_no_run_json_where_there_is_one(cli, tmp_path):
    """Old code: an evaluate folder with nothing graded yet lists no problems in its
    run.json, and `report` said there was no run.json."""
    source = tmp_path / "bad.jsonl"
    source.write_text(json.dumps({"problem": "Prob999_none", "sample": 1, "code": ""}) + "\n")
    folder = tmp_path / "evaluated"
    cli("evaluate", "--samples", source, "--out", folder, "--quiet")
    assert (folder / "run.json").is_file()
    done = cli("report", folder)
    assert done.returncode == 2
    assert f"{folder}: no results yet, and its run.json lists none" in done.stderr
    assert "no run.json" not in done.stderr


def test_damaged_results_line_names_file_and_line(cli, two_runs):
    results = two_runs[1] / "results.jsonl"
    lines = results.read_text().splitlines()
    lines[2] = lines[2][:30]
    results.write_text("\n".join(lines) + "\n")
    done = cli("report", two_runs[1])
    assert done.returncode == 2
    assert f"{results}:3: not a JSON line" in done.stderr


def test_unknown_category_is_named(cli, two_runs):
    results = two_runs[0] / "results.jsonl"
    results.write_text(results.read_text().replace('"category": "T"', '"category": "X"'))
    done = cli("report", two_runs[0])
    assert done.returncode == 2
    assert "Prob082_lfsr32 sample 1: unknown category 'X'" in done.stderr


def test_a_line_still_being_written_is_ignored_and_left_alone(cli, two_runs):
    results = two_runs[0] / "results.jsonl"
    torn = results.read_text() + '{"problem": "Prob099_x", "sam'
    results.write_text(torn)
    (row,) = json.loads(cli("leaderboard", two_runs[0], "--format", "json").stdout)
    assert row["problems"] == 4
    assert results.read_text() == torn


def test_report_shows_the_official_summary_view(cli, two_runs):
    done = cli("report", two_runs[1])
    assert done.returncode == 0, done.stderr
    lines = [line.rstrip() for line in done.stdout.splitlines()]  # rows are padded as official
    assert "Prob002_m2014_q4i [01/20](  5%)  2.84 SSSSS SSSS. RRRRR RRRRR" in lines
    assert "Prob082_lfsr32    [00/20](  0%)  0.00 ????? ????? ????? ?????" in lines
    assert "pass_rate             =      26.25" in done.stdout
    assert "avg_gini_simpson_idx  =       0.14" in done.stdout  # (0 + 0.545 + 0 + 0) / 4
    assert "total_cost            =       0.12" in done.stdout
    assert "  pass@10          = 37.5 [" in done.stdout
    assert "  ?  no result" in done.stdout
    assert "counted as failed (1):\n  Prob082_lfsr32" in done.stdout


def test_failures_counts_and_charts(cli, two_runs, tmp_path):
    oracle, replay = two_runs
    done = cli("failures", oracle, replay, "--plot", tmp_path / "charts" / "fail.png")
    assert done.returncode == 0, done.stderr
    rows = {line.split()[0]: line.split()[-2:] for line in done.stdout.splitlines()[1:6]}
    assert rows == {
        ".": ["3", "21"], "S": ["0", "9"], "T": ["1", "0"], "R": ["0", "30"], "?": ["0", "20"]
    }  # fmt: skip
    assert "total" in done.stdout.splitlines()[6]
    for name in ("fail.png", "fail-heatmap.png"):
        assert (tmp_path / "charts" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for name in ("fail.svg", "fail-heatmap.svg"):
        assert "<svg" in (tmp_path / "charts" / name).read_text()[:2000]


@pytest.mark.icarus
def test_reports_read_a_folder_graded_by_evaluate(cli, tmp_path):
    """Each reference as sample 1 and a syntax error as sample 2, graded for real."""
    task_folder = Path(__file__).resolve().parent.parent / "dataset" / "dataset_spec-to-rtl"
    problems = sorted(path.name.removesuffix("_ref.sv") for path in task_folder.glob("*_ref.sv"))
    lines = []
    for problem in problems[:3]:
        code = (task_folder / f"{problem}_ref.sv").read_text().replace("RefModule", "TopModule")
        lines.append({"problem": problem, "sample": 1, "code": code})
        lines.append({"problem": problem, "sample": 2, "code": code + "\nendmodule\n"})
    samples = tmp_path / "samples.jsonl"
    samples.write_text("".join(json.dumps(line) + "\n" for line in lines))
    run = tmp_path / "run"
    graded = cli("evaluate", "--samples", samples, "--out", run, "--cache-dir", tmp_path / "c")
    assert graded.returncode == 0, graded.stderr
    (row,) = json.loads(cli("leaderboard", run, "--format", "json", "-k", "1,2").stdout)
    assert (row["model"], row["task"], row["n"]) == ("unknown", "spec-to-rtl", 2)
    assert row["problems"] == 3
    assert (row["pass@1"], row["pass@2"], row["official_pass_rate"]) == (0.5, 1.0, 50.0)
    report = cli("report", run)
    assert report.returncode == 0, report.stderr
    for line in (run / "summary.txt").read_text().splitlines():  # the official view
        assert line in report.stdout.splitlines()
    assert "  S  syntax error                        3" in report.stdout


def test_report_labels_the_token_column_and_never_prices_the_unknown_at_zero(cli, tmp_path):
    unpriced = write_run(tmp_path / "unpriced", {"Prob001_zero": "..S"}, model="m", cost=None)
    done = cli("report", unpriced)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    header = lines.index("problem      passed (%)     ktok outcomes")
    assert lines[header + 1].startswith("Prob001_zero [02/03]( 66%)  0.42 ..S")
    assert "total_cost            =    unknown" in lines
    assert "total_cost            =       0.00" not in lines
    assert "cost unknown for 3 generations (not counted as free)" in lines
    priced = write_run(tmp_path / "priced", {"Prob001_zero": "..S"}, model="m", cost=0.25)
    assert "total_cost            =       0.75" in cli("report", priced).stdout.splitlines()


@pytest.mark.parametrize("field", ["sampling", "prompt", "request"])
def test_a_run_json_setting_that_is_not_an_object_is_named(cli, two_runs, field):
    """Old code: `report` on a run.json whose `sampling` is a list died with an
    AttributeError traceback ('list' object has no attribute 'get')."""
    manifest_path = two_runs[0] / "run.json"
    manifest = json.loads(manifest_path.read_text()) | {field: [1, 2]}
    manifest_path.write_text(json.dumps(manifest))
    done = cli("report", two_runs[0])
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"verilogeval report: error: {manifest_path}: field {field!r} must be an object, not [1, 2]"
    ]
