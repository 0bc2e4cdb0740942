"""Each check's outcome shares over the official passes, per run: leaderboard and report."""

from __future__ import annotations

import json

from run_folders import write_run

from verilogeval.checks.formal.result import FormalResult, FormalStatus


def _with_formal(run, statuses: list[FormalStatus | None]) -> None:
    """Give the run's result lines (in sample order) a `formal` field, as older runs wrote it."""
    results = run / "results.jsonl"
    lines = sorted(
        (json.loads(text) for text in results.read_text().splitlines()),
        key=lambda line: line["sample"],
    )
    for line, status in zip(lines, statuses, strict=True):
        formal = None if status is None else FormalResult(line["problem"], line["sample"], status)
        line["formal"] = None if formal is None else formal.to_json()
    results.write_text("".join(json.dumps(line) + "\n" for line in lines))


def test_formal_shares_of_the_official_passes_per_run(cli, tmp_path):
    run = write_run(tmp_path / "run", {"Prob001_zero": "....R"})
    proven, bounded, disproved = FormalStatus.PROVEN, FormalStatus.BOUNDED, FormalStatus.DISPROVED
    _with_formal(run, [proven, proven, bounded, disproved, disproved])
    done = cli("leaderboard", run, "--format", "json", "-k", "1")
    assert done.returncode == 0, done.stderr
    (row,) = json.loads(done.stdout)
    assert row["check_shares"] == {"formal": {"proven": 0.5, "bounded": 0.25, "disproved": 0.25}}
    assert row["proven"] == 0.4  # of every sample, as before
    table = cli("leaderboard", run, "-k", "1").stdout
    assert "formal of official passes %" in table
    assert "proven 50.0, bounded 25.0, disproved 25.0" in table
    report = cli("report", run, "-k", "1").stdout
    assert "  formal           proven 50.0, bounded 25.0, disproved 25.0" in report.splitlines()
