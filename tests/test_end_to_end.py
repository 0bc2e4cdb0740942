"""The whole pipeline as users chain it: run (oracle, replay) -> leaderboard, report, html."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.icarus


def test_oracle_and_replay_runs_on_the_leaderboard(cli, tmp_path):
    oracle = tmp_path / "oracle"
    common = ["--problems", "1-4", "--no-cache", "--quiet"]
    assert cli("run", "--model", "oracle", "--out", oracle, *common).returncode == 0

    # Replay the oracle's answers with one of them broken.
    answers = [json.loads(line) for line in (oracle / "generations.jsonl").open()]
    broken = answers[1]["problem"]
    answers[1]["response"] = "module TopModule(); endmodule"
    responses = tmp_path / "responses.jsonl"
    responses.write_text("".join(json.dumps(a) + "\n" for a in answers))
    replay = tmp_path / "replay"
    result = cli("run", "--model", f"replay:{responses}", "--out", replay, *common)
    assert result.returncode == 0, result.stderr
    verdicts = {r["problem"]: r for r in map(json.loads, (replay / "results.jsonl").open())}
    assert not verdicts[broken]["passed"]
    assert sum(r["passed"] for r in verdicts.values()) == 3

    board = cli("leaderboard", replay, oracle, "--format", "json", "-k", "1")
    assert board.returncode == 0, board.stderr
    rows = json.loads(board.stdout)
    assert [row["run"] for row in rows] == [str(oracle), str(replay)]  # sorted by pass@1
    assert [row["model"] for row in rows] == ["oracle", f"replay:{responses}"]
    assert [row["pass@1"] for row in rows] == [1.0, 0.75]
    assert [row["official_pass_rate"] for row in rows] == [100.0, 75.0]
    assert all(row["task"] == "spec-to-rtl" and row["n"] == 1 for row in rows)

    report = cli("report", replay, "--html", tmp_path / "replay.html")
    assert report.returncode == 0, report.stderr
    assert broken in report.stdout
    assert broken in (tmp_path / "replay.html").read_text()
