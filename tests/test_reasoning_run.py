"""`verilogeval run` with reasoning models, end to end: the issue's "done when" list.

Official Prob001_zero, 3 samples, against the loopback server answering as OpenAI's
reasoning models do, through both adapter paths; truncation; <think> drafts; fail fast;
exit codes; a replay of empty answers.
"""

from __future__ import annotations

import json

import pytest
from fake_openai_server import THINKING, Behaviour, FakeOpenAIServer, Fault, FaultKind
from run_folders import jsonl_lines

pytestmark = [pytest.mark.icarus, pytest.mark.filterwarnings("ignore::UserWarning:pydantic")]

ANSWER = "[BEGIN]\nmodule TopModule(output zero);\n  assign zero = 1'b0;\nendmodule\n[DONE]\n"
REFUSED = {"temperature", "top_p", "max_tokens"}


@pytest.fixture(scope="module")
def reasoning_server():
    with FakeOpenAIServer(behaviour=Behaviour.OPENAI_REASONING, reply=lambda b: ANSWER) as server:
        yield server


def _run_zero(cli, official_root, server, out, model, *extra):
    return cli(
        "run",
        "--model",
        model,
        "--api-base",
        server.base_url,
        "--dataset",
        official_root,
        "--problems",
        "Prob001_zero",
        "--samples",
        "3",
        "--out",
        out,
        "--no-cache",
        *extra,
    )


@pytest.mark.parametrize("model", ["openai/o3", "openai:o3"])
def test_o3_passes_every_sample_sending_nothing_it_refuses(
    model, cli, official_root, reasoning_server, tmp_path
):
    reasoning_server.reset()
    result = _run_zero(cli, official_root, reasoning_server, tmp_path, model, "--quiet")
    assert result.returncode == 0, result.stderr
    results = jsonl_lines(tmp_path / "results.jsonl")
    assert [(r["category"], r["response_issue"]) for r in results] == [(".", None)] * 3
    assert reasoning_server.request_count == 3
    assert all(not REFUSED & set(body) for body in reasoning_server.requests)
    request = json.loads((tmp_path / "run.json").read_text())["request"]
    assert request["asked"]["temperature"] == 0.8 and request["asked"]["max_tokens"] == 100000
    assert request["sent"] == {"max_completion_tokens": 100000}  # o3's own maximum
    generations = jsonl_lines(tmp_path / "generations.jsonl")
    assert all(g["reasoning_tokens"] == 600 for g in generations)
    assert "completion spent reasoning" in result.stdout


def test_a_small_budget_makes_every_sample_truncated(
    cli, official_root, reasoning_server, tmp_path
):
    reasoning_server.reset()
    result = _run_zero(
        cli, official_root, reasoning_server, tmp_path, "openai:o3", "--max-tokens", "500"
    )
    assert result.returncode == 0, result.stderr
    results = jsonl_lines(tmp_path / "results.jsonl")
    assert [r["response_issue"] for r in results] == ["truncated"] * 3
    assert all(not r["passed"] for r in results)  # the official category stays as it is
    assert "answers truncated" in result.stdout and "raise --max-tokens" in result.stdout
    # Every report says so too; the leaderboard shows what was really sent.
    report = cli("report", tmp_path, "--html", tmp_path / "report.html")
    assert report.returncode == 0, report.stderr
    assert "response issues" in report.stdout and "truncated" in report.stdout
    html = (tmp_path / "report.html").read_text()
    assert "Response issues" in html and "output budget ran out" in html
    failures = cli("failures", tmp_path, "--plot", tmp_path / "charts" / "f")
    assert failures.returncode == 0, failures.stderr
    [issue_row] = [line for line in failures.stdout.splitlines() if line.startswith("truncated")]
    assert issue_row.split()[-1] == "3"
    assert (tmp_path / "charts" / "f-issues.png").stat().st_size > 0
    board = cli("leaderboard", tmp_path, "--format", "json")
    [row] = json.loads(board.stdout)
    assert row["sent"] == {"max_completion_tokens": 500} and row["temperature"] == 0.8
    assert "0.8->default" in cli("leaderboard", tmp_path).stdout


def test_a_think_draft_is_not_graded_and_is_kept(cli, official_root, tmp_path):
    with FakeOpenAIServer(behaviour=Behaviour.THINK_TAGS, reply=lambda b: ANSWER) as server:
        result = _run_zero(cli, official_root, server, tmp_path, "openai:my-r1", "--quiet")
    assert result.returncode == 0, result.stderr
    assert [r["category"] for r in jsonl_lines(tmp_path / "results.jsonl")] == ["."] * 3
    generations = jsonl_lines(tmp_path / "generations.jsonl")
    assert all(g["reasoning"] == THINKING and g["response"] == ANSWER for g in generations)


def test_the_same_bad_request_first_stops_the_run_with_exit_2(cli, tmp_path):
    with FakeOpenAIServer() as server:
        server.add_faults([Fault(FaultKind.BAD_REQUEST)] * 6)
        args = ["run", "--model", "openai:fake", "--api-base", server.base_url, "--no-cache"]
        args += ["--problems", "1-3", "--samples", "2", "--out", tmp_path, "--quiet"]
        stopped = cli(*args)
        assert stopped.returncode == 2, stopped.stderr
        assert "first 5 requests all failed with: HTTP 400" in stopped.stderr
        assert server.request_count <= 6  # not one per sample
        assert jsonl_lines(tmp_path / "generations.jsonl") == []
        assert jsonl_lines(tmp_path / "results.jsonl") == []
        resumed = cli(*args)  # the cause gone, the same command asks for everything
    assert resumed.returncode == 0, resumed.stderr
    assert len(jsonl_lines(tmp_path / "results.jsonl")) == 6


def test_a_replay_of_empty_answers_reports_empty(cli, tmp_path):
    replay = tmp_path / "answers.jsonl"
    lines = [
        {"problem": "Prob001_majority5", "sample": 1, "response": ""},
        # A run's own generations.jsonl replays with its finish reason and thinking.
        {
            "problem": "Prob002_priority_enc8",
            "sample": 1,
            "response": "",
            "finish_reason": "length",
        },
        {
            "problem": "Prob003_counter_updown6",
            "sample": 1,
            "response": "I cannot.",
            "reasoning": "hm",
        },
    ]
    replay.write_text("".join(json.dumps(line) + "\n" for line in lines))
    out = tmp_path / "run"
    result = cli("run", "--model", f"replay:{replay}", "--problems", "1-3", "--out", out, "--quiet")
    assert result.returncode == 0, result.stderr
    results = {line["problem"][:7]: line for line in jsonl_lines(out / "results.jsonl")}
    issues = {problem: line["response_issue"] for problem, line in results.items()}
    assert issues == {"Prob001": "empty", "Prob002": "truncated", "Prob003": "no_code"}
    assert not any(line["passed"] for line in results.values())
    assert "answers empty" in result.stdout
    reasoning = {g["problem"][:7]: g["reasoning"] for g in jsonl_lines(out / "generations.jsonl")}
    assert reasoning["Prob003"] == "hm"


def test_reasoning_settings_are_part_of_the_run_identity(cli, tmp_path):
    args = ["run", "--model", "oracle", "--problems", "1", "--out", tmp_path, "--quiet"]
    first = cli(*args, "--reasoning-effort", "low")
    assert first.returncode == 0, first.stderr
    assert json.loads((tmp_path / "run.json").read_text())["sampling"]["reasoning_effort"] == "low"
    changed = cli(*args, "--reasoning-effort", "high")
    assert changed.returncode == 2
    assert "sampling.reasoning_effort: 'low' -> 'high'" in changed.stderr
