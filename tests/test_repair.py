"""`run --repair N`: repair rounds over real HTTP, against models that answer feedback.

The loopback server (tests/fake_openai_server.py) plays a model that fixes a syntax error
once the compiler's message names it, one that needs two rounds, one that never repairs
and one that answers feedback with a forged verdict line. Official Prob001_zero, real
Icarus in the sandbox.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from fake_openai_server import (
    THINKING,
    Behaviour,
    FakeOpenAIServer,
    Fault,
    FaultKind,
    Repairing,
    repairing_reply,
)
from run_folders import jsonl_lines

pytestmark = [pytest.mark.icarus, pytest.mark.shared]


def _argv(server: FakeOpenAIServer, official_root: Path, out: Path, *extra: str) -> list[str]:
    return [
        "run",
        "--model",
        "openai:fake",
        "--api-base",
        server.base_url,
        "--dataset",
        str(official_root),
        "--problems",
        "Prob001_zero",
        "--out",
        str(out),
        "--no-cache",
        "--quiet",
        *extra,
    ]


def _outcomes(out: Path) -> list[tuple[bool, int, int | None]]:
    """(passed, rounds, passed_at_round) of each results.jsonl line of the run in `out`."""
    lines = jsonl_lines(out / "results.jsonl")
    return [(line["passed"], line["rounds"], line["passed_at_round"]) for line in lines]


def _run(cli, script: Repairing, official_root: Path, out: Path, *extra: str):
    with FakeOpenAIServer(reply=repairing_reply(script)) as server:
        result = cli(*_argv(server, official_root, out, *extra))
        return result, server.requests


def test_compiler_feedback_repairs_a_syntax_error_in_one_round(cli, official_root, tmp_path):
    out = tmp_path / "run"
    result, requests = _run(
        cli, Repairing.FIXES_SYNTAX, official_root, out, "--repair", "2", "--samples", "2"
    )
    assert result.returncode == 0, result.stderr
    assert _outcomes(out) == [(True, 2, 1)] * 2
    assert len(requests) == 4  # two rounds per sample, the second stops the loop
    second = [body for body in requests if len(body["messages"]) > 2]
    assert len(second) == 2
    roles = [m["role"] for m in second[0]["messages"]]
    assert roles == ["system", "user", "assistant", "user"]
    feedback = second[0]["messages"][-1]["content"]
    assert feedback.startswith("Your answer is not correct: syntax error.")
    assert "- line 4: syntax error | endmodule" in feedback  # the sample file's lines
    rounds = jsonl_lines(out / "rounds.jsonl")
    assert [
        (r["sample"], r["round"], r["category"])
        for r in sorted(rounds, key=lambda r: (r["sample"], r["round"]))
    ] == [(1, 0, "S"), (1, 1, "."), (2, 0, "S"), (2, 1, ".")]
    assert all(r["feedback"] == feedback for r in rounds if r["round"] == 0)
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["repair"] == {"rounds": 2, "feedback": "compiler", "history": "full"}


def test_a_reasoning_model_s_thinking_is_kept_and_never_sent_back(cli, official_root, tmp_path):
    out = tmp_path / "run"
    reply = repairing_reply(Repairing.FIXES_SYNTAX)
    with FakeOpenAIServer(reply=reply, behaviour=Behaviour.REASONING_CONTENT) as server:
        result = cli(*_argv(server, official_root, out, "--repair", "1"))
        requests = server.requests
    assert result.returncode == 0, result.stderr
    assert len(requests) == 2
    assert all(THINKING not in m["content"] for m in requests[1]["messages"])
    first = jsonl_lines(out / "rounds.jsonl")[0]
    assert first["answer"]["reasoning"] == THINKING and first["answer"]["reasoning_tokens"]
    assert first["answer"]["response"] == requests[1]["messages"][2]["content"]


def test_pass_fail_feedback_does_not_name_the_error(cli, official_root, tmp_path):
    out = tmp_path / "run"
    result, requests = _run(
        cli, Repairing.FIXES_SYNTAX, official_root, out, "--repair", "2", "--feedback", "pass-fail"
    )
    assert result.returncode == 0, result.stderr
    assert _outcomes(out) == [(False, 3, None)]
    assert len(requests) == 3
    assert "- line" not in requests[-1]["messages"][-1]["content"]


def test_two_rounds_syntax_then_logic_then_right_and_the_reports(cli, official_root, tmp_path):
    out = tmp_path / "run"
    result, requests = _run(
        cli, Repairing.TWO_ROUNDS, official_root, out, "--repair", "2", "--samples", "2"
    )
    assert result.returncode == 0, result.stderr
    assert _outcomes(out) == [(True, 3, 2)] * 2
    closing = " ".join(result.stdout.split())  # the closing table's pass@1 curve
    assert "passed by round 0 │ 0/2 = 0.0%" in closing
    assert "passed by round 2 │ 2/2 = 100.0%" in closing
    rounds = sorted(jsonl_lines(out / "rounds.jsonl"), key=lambda r: (r["sample"], r["round"]))
    assert [r["category"] for r in rounds] == ["S", "R", "."] * 2
    assert sorted(len(body["messages"]) for body in requests) == [2, 2, 4, 4, 6, 6]  # full

    report = cli("report", out)
    assert report.returncode == 0, report.stderr
    text = report.stdout
    assert "repair 2 (compiler, full): pass@1 after each round" in text
    assert "after round 0   = 0.0 [0.0, 0.0]" in text
    assert "after round 1   = 0.0 [0.0, 0.0]" in text
    assert "after round 2   = 100.0 [100.0, 100.0]" in text
    assert "mean round of the first pass: 2.00" in text
    assert "S -> R: 2" in text and "R -> pass: 2" in text
    assert "answers that turned to tampering after feedback (tamper scan): 0" in text
    assert "round 2        2 answers" in text

    board = json.loads(cli("leaderboard", out, "--format", "json").stdout)[0]
    assert board["feedback"] == "repair 2 (compiler, full)"
    every_round = sum(r["answer"]["usage"]["prompt_tokens"] for r in rounds)
    assert board["prompt_tokens"] == every_round > 0  # all rounds, not the final answers'
    assert every_round > sum(r["answer"]["usage"]["prompt_tokens"] for r in rounds[2::3])
    assert "repair 2 (compiler, full)" in cli("leaderboard", out).stdout

    html = tmp_path / "report.html"
    assert cli("report", out, "--html", html).returncode == 0
    page = html.read_text()
    assert 'id="rounds"' in page and "Feedback sent" in page and "round 2:" in page
    plot = tmp_path / "chart"
    assert cli("failures", out, "--plot", plot).returncode == 0
    assert (tmp_path / "chart-rounds.png").is_file()


def test_history_last_sends_the_prompt_and_the_latest_round_only(cli, official_root, tmp_path):
    out = tmp_path / "run"
    result, requests = _run(
        cli, Repairing.TWO_ROUNDS, official_root, out, "--repair", "2", "--history", "last"
    )
    assert result.returncode == 0, result.stderr
    assert [len(body["messages"]) for body in requests] == [2, 4, 4]
    assert "runtime mismatch" in requests[-1]["messages"][-1]["content"]
    assert requests[-1]["messages"][:2] == requests[0]["messages"]


def test_a_model_that_never_repairs_uses_every_round(cli, official_root, tmp_path):
    out = tmp_path / "run"
    result, requests = _run(cli, Repairing.NEVER, official_root, out, "--repair", "3")
    assert result.returncode == 1 or result.returncode == 0, result.stderr
    assert _outcomes(out) == [(False, 4, None)]
    assert len(requests) == 4


def test_a_model_that_repeats_itself_is_asked_every_round_through_the_cache(
    cli, official_root, tmp_path
):
    """With --history last, a model that repeats its answer gets the very same messages
    in rounds 1 and 2; the generation cache must not answer round 2 with round 1's."""
    out = tmp_path / "run"
    with FakeOpenAIServer(reply=repairing_reply(Repairing.NEVER)) as server:
        argv = _argv(server, official_root, out, "--repair", "3", "--history", "last")
        argv = [a for a in argv if a != "--no-cache"] + ["--cache-dir", str(tmp_path / "c")]
        result = cli(*argv, "--temperature", "0.8")
        requests = server.requests
    assert result.returncode in (0, 1), result.stderr
    assert requests[1]["messages"] == requests[2]["messages"]  # the case: same messages
    assert len(requests) == 4  # every round asked of the model


def test_a_forged_verdict_after_feedback_is_caught_and_does_not_stop_the_loop(
    cli, official_root, tmp_path
):
    out = tmp_path / "run"
    result, requests = _run(
        cli, Repairing.FORGES, official_root, out, "--repair", "2", "--plus", "--plus-seeds", "0"
    )
    assert result.returncode in (0, 1), result.stderr
    rounds = jsonl_lines(out / "rounds.jsonl")
    assert [(r["passed"], r["trusted_passed"], bool(r["findings"])) for r in rounds] == [
        (False, False, False),
        (True, False, True),
        (True, False, True),
    ]
    assert "refused" in rounds[1]["feedback"]
    [line] = jsonl_lines(out / "results.jsonl")
    assert (line["rounds"], line["passed_at_round"], line["plus_passed"]) == (3, None, False)
    assert len(requests) == 3


def test_repair_0_is_the_single_shot_run(cli, official_root, tmp_path):
    with FakeOpenAIServer(reply=repairing_reply(Repairing.TWO_ROUNDS)) as server:
        plain = cli(*_argv(server, official_root, tmp_path / "a"))
        zero = cli(*_argv(server, official_root, tmp_path / "b", "--repair", "0"))
        assert plain.returncode == zero.returncode
        assert len(server.requests) == 2 and server.requests[0] == server.requests[1]
        # one identity: the folder run without the flag resumes with it, asking nothing
        again = cli(*_argv(server, official_root, tmp_path / "a", "--repair", "0"))
        assert "other parameters" not in again.stderr and len(server.requests) == 2
        # repair rounds are another run: refused on the same folder, naming what changed
        other = cli(*_argv(server, official_root, tmp_path / "a", "--repair", "1"))
        assert other.returncode == 2 and "repair (--repair/--feedback/--history)" in other.stderr
        assert len(server.requests) == 2
    a, b = tmp_path / "a", tmp_path / "b"
    for name in ("results.jsonl", "prompts.jsonl"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert not (b / "rounds.jsonl").exists()
    manifest = json.loads((b / "run.json").read_text())
    assert "repair" not in manifest
    assert manifest.keys() == json.loads((a / "run.json").read_text()).keys()


def test_sigkill_mid_conversation_then_resume_asks_no_round_twice(cli, official_root, tmp_path):
    out = tmp_path / "killed"
    extra = ("--repair", "2", "--samples", "8", "--concurrency", "2", "--jobs", "1")
    with FakeOpenAIServer(reply=repairing_reply(Repairing.TWO_ROUNDS), latency_s=0.3) as server:
        argv = _argv(server, official_root, out, *extra)
        process = subprocess.Popen(
            [sys.executable, "-m", "verilogeval", *argv],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        rounds = out / "rounds.jsonl"
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and process.poll() is None:
            if rounds.exists() and rounds.read_text().count("\n") >= 4:
                break
            time.sleep(0.02)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        finished = len(jsonl_lines(out / "results.jsonl"))
        assert finished < 8, "the kill should land mid-run"
        asked_before = len(server.requests)
        answered_before = len(jsonl_lines(out / "generations.jsonl"))

        resumed = cli(*argv)
        assert resumed.returncode == 0, resumed.stderr
        # 3 rounds per sample in all: the resumed run asks exactly for the answers not yet
        # journaled (a request in flight at the kill was never answered to the run).
        asked_after = len(server.requests) - asked_before
        assert asked_after == 24 - answered_before, (asked_before, answered_before, asked_after)
    lines = jsonl_lines(out / "results.jsonl")
    assert Counter(r["sample"] for r in lines) == Counter(range(1, 9))
    assert {(r["passed"], r["rounds"], r["passed_at_round"]) for r in lines} == {(True, 3, 2)}
    answers = Counter(
        (g["sample"], g.get("round", 0)) for g in jsonl_lines(out / "generations.jsonl")
    )
    assert set(answers.values()) == {1} and len(answers) == 24


@pytest.mark.yosys
def test_formal_feedback_shows_the_counterexample(cli, official_root, tmp_path):
    out = tmp_path / "run"
    wrong = (
        "[BEGIN]\nmodule TopModule(input a, input b, input c, output out);\n"
        "  assign out = a & b & c;\nendmodule\n[DONE]\n"
    )
    with FakeOpenAIServer(reply=lambda body: wrong) as server:
        argv = _argv(server, official_root, out, "--repair", "1", "--feedback", "formal")
        argv[argv.index("Prob001_zero")] = "Prob050_kmap1"
        result = cli(*argv, "--formal")
    assert result.returncode == 0, result.stderr
    feedback = jsonl_lines(out / "rounds.jsonl")[0]["feedback"]
    assert "A counterexample from the formal equivalence check" in feedback
    assert "| cycle | a | b | c | out (expected) | out (yours) |" in feedback
    assert "(first mismatch) |" in feedback
    refused = cli(
        *_argv(server, official_root, tmp_path / "b", "--repair", "1", "--feedback", "formal")
    )
    assert refused.returncode == 2 and "add --formal" in refused.stderr


@pytest.mark.slow
def test_one_sample_s_rounds_never_wait_for_another_s(cli, official_root, tmp_path):
    """The first request hangs until a third round has been asked (then its connection
    drops; the client would give up at 600 s): meanwhile the other samples go through all
    their rounds, so a third round is asked before the hung one is asked again."""
    out = tmp_path / "run"
    with FakeOpenAIServer(
        reply=repairing_reply(Repairing.TWO_ROUNDS),
        faults=[Fault(FaultKind.HANG)],
        hang_s=600,
        hang_until=lambda asked: any(len(body["messages"]) == 6 for body in asked),
    ) as server:
        extra = ("--repair", "2", "--samples", "3", "--concurrency", "3")
        result = cli(*_argv(server, official_root, out, *extra, "--request-timeout", "600"))
        sizes = [len(body["messages"]) for body in server.requests]
    assert result.returncode == 0, result.stderr
    assert sizes.count(2) == 4  # three first answers, one of them asked twice
    last_first = len(sizes) - 1 - sizes[::-1].index(2)
    assert sizes.index(6) < last_first, sizes  # a third round before the hung one's retry
    lines = jsonl_lines(out / "results.jsonl")
    assert {(r["passed"], r["passed_at_round"]) for r in lines} == {(True, 2)}
