"""A new check is one module and one registration: nothing else in verilogeval changes.

tests/lint_check.py is such a module; the test registers it for its own length only
(pytest's monkeypatch undoes the entry) and runs `evaluate`, `report` and `leaderboard`
in this process, where the registration is seen.
"""

from __future__ import annotations

import json

import pytest
from lint_check import LINT, NAME

from verilogeval.checks.registry import POST_CHECKS
from verilogeval.cli.entry import main
from verilogeval.dataset.loader import load_dataset
from verilogeval.grading.time_limits import reference_sample
from verilogeval.records import Task
from verilogeval.reporting.metrics import run_metrics
from verilogeval.reporting.runs import load_run


@pytest.mark.icarus
def test_a_check_registered_once_shows_in_every_record_and_report(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(POST_CHECKS, NAME, LINT)
    problem = load_dataset(None, Task.SPEC_TO_RTL).problems[0]
    clean = reference_sample(problem).code
    head, _, tail = clean.rpartition("endmodule")
    noisy = f"{head}  assign lint_extra = 1'b1;\nendmodule{tail}"  # an implicit wire: a warning
    samples = tmp_path / "samples.jsonl"
    codes = [clean, noisy, "module TopModule(\n"]
    samples.write_text(
        "".join(
            json.dumps({"problem": problem.name, "sample": number, "code": code}) + "\n"
            for number, code in enumerate(codes, start=1)
        )
    )
    out = tmp_path / "run"
    evaluate = ["evaluate", "--samples", str(samples), "--out", str(out), "--no-cache", "--quiet"]
    assert main([*evaluate, f"--{NAME}"]) == 0
    assert "(1 lint passed)" in capsys.readouterr().out  # evaluate's closing line

    written = (out / "results.jsonl").read_text().splitlines()
    lines = sorted((json.loads(text) for text in written), key=lambda line: line["sample"])
    verdicts = {line["sample"]: line["checks"][NAME] for line in lines}
    assert [line["passed"] for line in lines] == [True, True, False]
    assert verdicts[1] == {
        "status": "clean",
        "passed": True,
        "reason": "",
        "details": {"returncode": 0, "output": ""},
    }
    assert verdicts[2]["status"] == "warnings" and verdicts[2]["passed"] is False
    assert "implicit definition of wire 'lint_extra'" in verdicts[2]["details"]["output"]
    assert verdicts[3]["status"] == "error" and verdicts[3]["passed"] is False
    assert not any(f"{NAME}_passed" in line or "strict" in line for line in lines)  # no compat

    manifest = json.loads((out / "run.json").read_text())
    assert manifest["checks"] == {NAME: {}}
    assert (manifest["strict"], manifest["plus"], manifest["formal"]) == (None, None, None)
    assert main(evaluate) == 2  # its resume identity: asked without --lint, refused by name
    assert f"{NAME} (--{NAME}): {{}} -> None" in capsys.readouterr().err

    metrics = run_metrics(load_run(str(out)).grid, None, [1])
    assert metrics.checks[NAME].statuses == {"clean": 1, "warnings": 1}  # of official passes
    estimate = metrics.checks[NAME].pass_at[1]
    assert estimate is not None and estimate.value == pytest.approx(1 / 3)

    html = tmp_path / "report.html"
    assert main(["report", str(out), "-k", "1", "--html", str(html)]) == 0
    report = capsys.readouterr().out
    assert "lint pass@1" in report and "clean 50.0, warnings 50.0" in report
    page = html.read_text()
    assert "lint of official passes %" in page and "lint check" in page

    assert main(["leaderboard", str(out), "--format", "json", "-k", "1"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["lint_pass@1"] == pytest.approx(1 / 3)
    assert row["check_shares"] == {NAME: {"clean": 0.5, "warnings": 0.5}}

    assert main(["report", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["checks"] == {NAME: {"passed": 1, "rejected": 2}}


def test_without_its_registration_the_record_is_a_named_error(tmp_path, cli):
    from run_folders import write_run

    run = write_run(tmp_path / "run", {"Prob001_zero": "."})
    results = run / "results.jsonl"
    line = json.loads(results.read_text())
    record = {"status": "clean", "passed": True, "reason": "", "details": {}}
    results.write_text(json.dumps(line | {"checks": {NAME: record}}) + "\n")
    done = cli("report", run)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"{results}:1: field 'checks.{NAME}' names no registered check" in done.stderr


@pytest.mark.icarus
def test_a_registered_check_has_its_row_in_the_closing_table_of_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(POST_CHECKS, NAME, LINT)
    out = tmp_path / "run"
    command = ["run", "--model", "oracle", "--problems", "1-2", "--out", str(out), "--no-cache"]
    assert main([*command, f"--{NAME}"]) == 0
    assert "lint pass rate" in capsys.readouterr().out
    lines = [json.loads(text) for text in (out / "results.jsonl").read_text().splitlines()]
    assert len(lines) == 2 and all(line["checks"][NAME]["status"] for line in lines)
    assert json.loads((out / "run.json").read_text())["checks"] == {NAME: {}}


def test_a_registered_check_reads_its_damaged_record_as_a_named_error(
    tmp_path, monkeypatch, capsys
):
    from run_folders import write_run

    monkeypatch.setitem(POST_CHECKS, NAME, LINT)
    run = write_run(tmp_path / "run", {"Prob001_zero": "."})
    results = run / "results.jsonl"
    record = {"status": "clean", "passed": True, "reason": "", "details": {"output": ""}}
    results.write_text(
        json.dumps(json.loads(results.read_text()) | {"checks": {NAME: record}}) + "\n"
    )
    assert main(["report", str(run)]) == 2
    error = capsys.readouterr().err
    assert f"{results}:1: field 'checks.{NAME}.details' lacks 'returncode'" in error
