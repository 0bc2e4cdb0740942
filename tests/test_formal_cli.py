"""`--formal` through the command line: evaluate's result lines and VCDs, check --formal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from run_folders import write_run

from verilogeval.runfolder.journal import read_journal

RIGHT = """module TopModule (input [4:0] v, output maj);
  assign maj = (v[0] + v[1] + v[2] + v[3] + v[4]) >= 3;
endmodule
"""
WRONG = """module TopModule (input [4:0] v, output maj);
  assign maj = v[0];
endmodule
"""
SYNTAX = "module TopModule (input [4:0] v, output maj);\n  assign maj = ;\nendmodule\n"
COUNTER_WRONG = """module TopModule (input clk, input reset, input en, input up,
                  output reg [5:0] count);
  always @(posedge clk)
    if (reset) count <= 0;
    else if (en) count <= up ? count + 6'd1 : count - 6'd2;
endmodule
"""


@pytest.mark.icarus
@pytest.mark.yosys
def test_evaluate_formal_adds_the_field_and_the_vcd(cli, tmp_path: Path) -> None:
    rows = [
        ("Prob001_majority5", 1, RIGHT),
        ("Prob001_majority5", 2, WRONG),
        ("Prob001_majority5", 3, SYNTAX),
        ("Prob003_counter_updown6", 1, COUNTER_WRONG),
    ]
    samples = tmp_path / "samples.jsonl"
    samples.write_text(
        "".join(json.dumps({"problem": p, "sample": s, "code": c}) + "\n" for p, s, c in rows)
    )
    out = tmp_path / "run"
    args = ("evaluate", "--samples", samples, "--out", out, "--formal", "--formal-depth", "8")
    done = cli(*args)
    assert done.returncode == 0, done.stderr
    assert "formal: 1 proven, 2 disproved; 0 officially passing disproved" in done.stdout
    lines = {
        (line["problem"], line["sample"]): line for line in read_journal(out / "results.jsonl")
    }
    right = lines[("Prob001_majority5", 1)]["formal"]
    assert right["status"] == "proven" and right["counterexample"] is None
    assert lines[("Prob001_majority5", 3)]["formal"] is None  # did not compile
    for key in (("Prob001_majority5", 2), ("Prob003_counter_updown6", 1)):
        formal = lines[key]["formal"]
        assert formal["status"] == "disproved", formal
        assert formal["counterexample"]["steps"] and formal["vcd"]
        assert (out / formal["vcd"]).is_file()
        assert Path(formal["vcd"]).parent.name == key[0]  # beside the sample
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["formal"] == {"depth": 8, "timeout_s": 60.0, "yosys": "yosys"}
    again = cli(*args[:-1], "9")
    assert again.returncode != 0 and "--formal" in again.stderr


@pytest.mark.yosys
def test_check_formal_lists_what_it_cannot_prove(cli) -> None:
    done = cli("check", "--formal", "--problems", "1-3", "--formal-depth", "4")
    assert done.returncode == 0, done.stderr
    assert "formal: 3 of 3 references proven or bounded against themselves" in done.stdout


def _with_formal(run: Path, statuses: dict[tuple[str, int], dict]) -> None:
    """Add `formal` objects to a built run folder's result lines."""
    path = run / "results.jsonl"
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    for line in lines:
        line["formal"] = statuses.get((line["problem"], line["sample"]))
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))


def test_reports_show_proven_share_and_disproved_passing_samples(cli, tmp_path: Path) -> None:
    run = write_run(tmp_path / "run", {"Prob001_a": "..", "Prob002_b": ".R"})
    example = {"steps": [{"in": "1"}], "cycle": 1, "signal": "out", "ref": "0", "dut": "1"}
    base = {"depth": 1, "seconds": 0.5, "reason": None, "counterexample": None, "vcd": None}
    _with_formal(
        run,
        {
            ("Prob001_a", 1): base | {"status": "proven"},
            ("Prob001_a", 2): base | {"status": "disproved", "counterexample": example},
            ("Prob002_b", 1): base | {"status": "bounded", "depth": 20},
            ("Prob002_b", 2): base | {"status": "disproved", "counterexample": example},
        },
    )
    board = cli("leaderboard", run, "--format", "json")
    assert board.returncode == 0, board.stderr
    row = json.loads(board.stdout)[0]
    assert row["proven"] == 0.25 and row["proven_pass@1"] == 0.25  # (1/2 + 0/2) / 2
    text = cli("leaderboard", run).stdout
    assert "proven %" in text and "25.0" in text
    report = cli("report", run, "--html", tmp_path / "r.html")
    assert report.returncode == 0, report.stderr
    assert "officially passing samples disproved (1):" in report.stdout
    assert "Prob001_a sample 2: cycle 1: out ref=0 dut=1 (inputs per cycle: in=1)" in report.stdout
    page = (tmp_path / "r.html").read_text()
    assert "disproved by the formal check (1)" in page and "Prob001_a sample 2" in page


@pytest.mark.icarus
@pytest.mark.yosys
def test_run_formal_proves_the_oracle_and_is_part_of_the_identity(cli, tmp_path: Path) -> None:
    out = tmp_path / "run"
    args = ("run", "--model", "oracle", "--out", out, "--no-cache", "--quiet", "--problems", "1,3")
    done = cli(*args, "--formal", "--formal-depth", "6")
    assert done.returncode == 0, done.stderr
    lines = read_journal(out / "results.jsonl")
    assert [line["formal"]["status"] for line in lines] == ["proven", "proven"]
    assert "2 proven; 0 officially passing disproved" in done.stdout
    refused = cli(*args, "--formal", "--formal-depth", "7")
    assert refused.returncode == 2 and "formal.depth" in refused.stderr
