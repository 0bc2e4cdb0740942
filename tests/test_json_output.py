"""`--json` on run, evaluate, report, check and problems: one JSON object on stdout.

Old code: none of these commands took --json (argparse refused it, exit 2).
"""

from __future__ import annotations

import json

import pytest

from verilogeval.dataset.loader import load_dataset
from verilogeval.records import Task

RIGHT = """module TopModule (input [4:0] v, output maj);
  assign maj = (v[0] + v[1] + v[2] + v[3] + v[4]) >= 3;
endmodule
"""


def one_object(stdout: str) -> dict:
    """stdout holds exactly one JSON object and nothing else."""
    summary = json.loads(stdout)
    assert isinstance(summary, dict)
    assert stdout.strip().count("\n") == 0
    return summary


@pytest.mark.icarus
def test_run_evaluate_and_report_print_one_summary(cli, tmp_path):
    run = tmp_path / "run"
    done = cli("run", "--model", "oracle", "--problems", "1-2", "--out", run, "--json")
    assert done.returncode == 0, done.stderr
    summary = one_object(done.stdout)
    assert summary["command"] == "run" and summary["exit_status"] == 0
    assert summary["run_folder"] == str(run)
    assert (summary["samples"], summary["passed"], summary["pass_rate"]) == (2, 2, 1.0)
    assert summary["pass@1"] == 1.0 and summary["pass@5"] is None  # n=1 < 5: undefined
    assert summary["categories"] == {".": 2}
    assert summary["model"] == "oracle" and summary["references_cannot_pass"] == []
    assert "pass rate" in done.stderr  # the closing table, for a person, on stderr

    samples = tmp_path / "samples.jsonl"
    samples.write_text(
        json.dumps({"problem": "Prob001_majority5", "sample": 1, "code": RIGHT}) + "\n"
        + json.dumps({"problem": "Prob001_majority5", "sample": 2, "code": "module x"}) + "\n"
        + "not json\n"
    )  # fmt: skip
    out = tmp_path / "evaluated"
    done = cli("evaluate", "--samples", samples, "--out", out, "--json", "--quiet")
    assert done.returncode == 1  # the bad line
    summary = one_object(done.stdout)
    assert (summary["command"], summary["exit_status"]) == ("evaluate", 1)
    assert (summary["samples"], summary["passed"]) == (2, 1)
    assert summary["categories"] == {".": 1, "S": 1}
    assert "graded 2 samples" in done.stderr

    report = cli("report", out, "--json")
    assert report.returncode == 0, report.stderr
    reported = one_object(report.stdout)
    assert reported | {"command": "evaluate", "exit_status": 1} == summary


def test_problems_json(cli):
    done = cli("problems", "--task", "code-complete-iccad2023", "--problems", "1-3", "--json")
    assert done.returncode == 0, done.stderr
    summary = one_object(done.stdout)
    names = [p.name for p in load_dataset(None, Task.CODE_COMPLETE).problems[:3]]
    assert [row["name"] for row in summary["problems"]] == names
    assert summary["task"] == "code-complete-iccad2023" and summary["count"] == 3
    assert {row["kind"] for row in summary["problems"]} <= {"sequential", "combinational"}


def test_an_error_is_one_json_object_too(cli, tmp_path):
    done = cli("report", tmp_path / "nothing", "--json")
    assert done.returncode == 2
    summary = one_object(done.stdout)
    assert summary == {
        "command": "report",
        "exit_status": 2,
        "error": f"{tmp_path / 'nothing'}: no such run folder",
    }
