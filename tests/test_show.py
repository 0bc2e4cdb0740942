"""`show RUN PROBLEM [SAMPLE]` and `compare RUN_A RUN_B` (new commands of issue 19)."""

from __future__ import annotations

import json

from run_folders import LOGS, RESPONSE, SAMPLE, write_run


def test_show_prints_prompt_answer_code_log_and_verdict(cli, tmp_path):
    run = write_run(tmp_path / "run", {"Prob001_zero": ".R", "Prob002_m2014_q4i": "S"})
    done = cli("show", run, "Prob001_zero", "2")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Prob001_zero sample 2 (model oracle)" in out
    assert "official: R (runtime mismatch), 5 mismatches in 20 samples" in out
    assert "output out: 5 mismatches, first at 40" in out
    assert "Implement Prob001_zero <with> & markup." in out  # the prompt, markup untouched
    assert RESPONSE.splitlines()[1] in out  # the answer
    assert SAMPLE.splitlines()[1] in out  # the code
    assert LOGS["R"].splitlines()[0][:40] in out  # the log
    by_number = cli("show", run, "2")  # the problem by its number, sample 1 by default
    assert by_number.returncode == 0, by_number.stderr
    assert "Prob002_m2014_q4i sample 1" in by_number.stdout
    assert "official: S (syntax error)" in by_number.stdout


def test_show_never_lets_a_sample_drive_the_terminal(cli, tmp_path):
    run = write_run(tmp_path / "run", {"Prob001_zero": "."})
    sample = run / "Prob001_zero" / "Prob001_zero_sample01.sv"
    sample.write_text("module TopModule; // \x1b]0;owned\x07 \x1b[2J [bold]x[/bold]\nendmodule\n")
    done = cli("show", run, "1")
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout
    assert "\\x1b]0;owned\\x07" in done.stdout and "[bold]x[/bold]" in done.stdout


def test_show_names_what_is_not_there(cli, tmp_path):
    run = write_run(tmp_path / "run", {"Prob001_zero": "."})
    missing = cli("show", run, "Prob099_none")
    assert missing.returncode == 2
    assert "no problem 'Prob099_none' in this run" in missing.stderr
    beyond = cli("show", run, "1", "3")
    assert beyond.returncode == 2 and "sample 3 out of 1-1" in beyond.stderr


def test_compare_lists_what_one_passes_and_the_other_fails(cli, tmp_path):
    a = write_run(
        tmp_path / "a",
        {"Prob001_zero": ".", "Prob002_m2014_q4i": ".", "Prob003_step_one": "R", "Prob004_x": "S"},
    )
    b = write_run(
        tmp_path / "b",
        {"Prob001_zero": ".", "Prob002_m2014_q4i": "R", "Prob003_step_one": ".", "Prob005_y": "."},
        model="other",
    )
    done = cli("compare", a, b, "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["only_a_passes"] == ["Prob002_m2014_q4i"]
    assert summary["only_b_passes"] == ["Prob003_step_one"]
    assert (summary["problems"], summary["both_pass"], summary["neither_passes"]) == (3, 1, 0)
    assert summary["pass@1_a"] == summary["pass@1_b"] == 2 / 3
    assert summary["only_in_a"] == ["Prob004_x"] and summary["only_in_b"] == ["Prob005_y"]
    text = cli("compare", a, b)
    assert text.returncode == 0, text.stderr
    assert f"A: {a}\nB: {b}" in text.stdout
    assert "passed by A only (1)" in text.stdout and "Prob002_m2014_q4i" in text.stdout
    assert "only in B (1): Prob005_y" in text.stdout
