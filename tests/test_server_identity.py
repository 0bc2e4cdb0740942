"""Which server answered, and what happens when none does (issue 19, items 1, 2 and 16).

Every test runs the CLI as a user would, against real loopback servers
(tests/fake_openai_server.py): OPENAI_BASE_URL is recorded and keys the answer cache, an
unknown server is never billed at a public price, an unreachable server stops the run
naming its URL, a failed request is never graded and is asked again on resume, and the
`openai:`, oracle and replay paths never import litellm.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest
from fake_openai_server import FakeOpenAIServer, Fault, FaultKind
from run_folders import jsonl_lines

pytestmark = [pytest.mark.icarus, pytest.mark.filterwarnings("ignore::UserWarning:pydantic")]


def _answer(marker: str):
    """A server whose every answer carries `marker`: which server answered is visible."""
    return lambda body: f"[BEGIN]\nmodule TopModule(); // {marker}\nendmodule\n[DONE]\n"


def _free_port() -> int:
    """A loopback port nobody listens on (connections to it are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    "model", ["openai:gpt-4o", pytest.param("openai/gpt-4o", marks=pytest.mark.slow)]
)
def test_openai_base_url_is_recorded_and_keys_the_cache(cli, tmp_path, monkeypatch, model):
    """Before: run.json said api_base null, the second server got 0 requests (its answers
    came from the first server's cache), and the local model was billed as gpt-4o."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-unused")
    cache = tmp_path / "cache"
    with (
        FakeOpenAIServer(reply=_answer("server A")) as first,
        FakeOpenAIServer(reply=_answer("server B")) as second,
    ):

        def run(server: FakeOpenAIServer, out: str):
            monkeypatch.setenv("OPENAI_BASE_URL", server.base_url + "/")  # one spelling
            args = ["run", "--model", model, "--problems", "1", "--cache-dir", cache]
            return cli(*args, "--out", tmp_path / out, "--quiet")

        assert run(first, "a").returncode == 0
        result = run(second, "b")
        assert result.returncode == 0, result.stderr
        assert (first.request_count, second.request_count) == (1, 1)
        refused = run(second, "a")  # the first folder, resumed against another server
    for out, server, marker in (("a", first, "server A"), ("b", second, "server B")):
        manifest = json.loads((tmp_path / out / "run.json").read_text())
        assert manifest["api_base"] == server.base_url
        [line] = jsonl_lines(tmp_path / out / "generations.jsonl")
        assert marker in line["response"] and line["cached"] is False
        assert line["cost"] is None  # gpt-4o's public price is not this server's
    assert "unknown" in result.stdout
    assert refused.returncode == 2
    assert f"api_base (--api-base): {first.base_url!r} -> {second.base_url!r}" in refused.stderr


def test_an_unreachable_server_stops_the_run_naming_it_then_resumes(cli, tmp_path):
    """Before: 33 s of retrying "Request timed out", every sample graded as an empty
    answer, exit 1, and the same command after the fix resumed to "3 (3 from before)"."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}/v1"
    args = ["run", "--model", "openai:x", "--api-base", url, "--problems", "1-3"]
    args += ["--out", tmp_path / "run", "--no-cache", "--quiet"]
    stopped = cli(*args)
    assert stopped.returncode == 2, stopped.stderr
    assert f"cannot reach the server at {url}: connection refused" in stopped.stderr
    assert "Traceback" not in stopped.stderr
    assert jsonl_lines(tmp_path / "run" / "results.jsonl") == []
    assert jsonl_lines(tmp_path / "run" / "generations.jsonl") == []
    with FakeOpenAIServer(port=port) as server:  # the server fixed, at the same address
        resumed = cli(*args)
        assert server.request_count == 3
    assert resumed.returncode == 0, resumed.stderr
    assert "3 (0 from before)" in resumed.stdout
    assert len(jsonl_lines(tmp_path / "run" / "results.jsonl")) == 3


def test_a_host_that_does_not_resolve_stops_the_run(cli, tmp_path):
    url = "http://verilogeval-no-such-host.invalid/v1"
    args = ["run", "--model", "openai:x", "--api-base", url, "--problems", "1"]
    stopped = cli(*args, "--out", tmp_path / "run", "--no-cache", "--quiet")
    assert stopped.returncode == 2, stopped.stderr
    assert f"cannot reach the server at {url}: host name not resolved" in stopped.stderr


def test_a_failed_request_is_not_graded_and_is_asked_again(cli, tmp_path):
    """Before: the failed sample was graded as an empty answer, final, never asked again."""
    out = tmp_path / "run"
    with FakeOpenAIServer() as server:
        server.add_faults([Fault(FaultKind.BAD_REQUEST)])
        args = ["run", "--model", "openai:fake", "--api-base", server.base_url, "--no-cache"]
        args += ["--problems", "1-2", "--concurrency", "1", "--out", out, "--quiet"]
        failed = cli(*args)
        assert failed.returncode == 1, failed.stderr
        assert "first error" in failed.stdout and "HTTP 400" in failed.stdout
        assert "1 sample without an answer" in failed.stderr
        # The failed request is journaled, not graded: the next invocation asks for it again.
        [graded] = jsonl_lines(out / "results.jsonl")  # only the answered sample
        assert graded.get("generation_error") is None and graded["response_issue"] is None
        assert sum(g["error"] is not None for g in jsonl_lines(out / "generations.jsonl")) == 1
        assert json.loads((out / "run.json").read_text())["finished_at"] is None
        server.reset()
        resumed = cli(*args)
        assert server.request_count == 1  # only the sample that had failed
    assert resumed.returncode == 0, resumed.stderr
    assert "2 (1 from before)" in resumed.stdout
    results = jsonl_lines(out / "results.jsonl")
    assert len(results) == 2 and len({r["problem"] for r in results}) == 2
    assert json.loads((out / "run.json").read_text())["finished_at"]


def test_a_result_graded_from_a_failed_request_by_an_older_version_is_asked_again(cli, tmp_path):
    """A folder poisoned before this fix heals by running the same command again."""
    out = tmp_path / "run"
    with FakeOpenAIServer() as server:
        args = ["run", "--model", "openai:fake", "--api-base", server.base_url, "--no-cache"]
        args += ["--problems", "1", "--out", out, "--quiet"]
        assert cli(*args).returncode == 0
        [generation] = jsonl_lines(out / "generations.jsonl")
        [result] = jsonl_lines(out / "results.jsonl")
        poisoned = generation | {"response": None, "error": "Request timed out."}
        empty = result | {"category": "m", "passed": False, "generation_error": "timed out"}
        with (out / "generations.jsonl").open("a") as journal:
            journal.write(json.dumps(poisoned) + "\n")
        with (out / "results.jsonl").open("a") as journal:
            journal.write(json.dumps(empty) + "\n")
        server.reset()
        healed = cli(*args)
        assert server.request_count == 1
    assert healed.returncode == 0, healed.stderr
    assert jsonl_lines(out / "results.jsonl")[-1]["passed"] == result["passed"]
    assert "1 (0 from before)" in healed.stdout


def _imports_litellm(*run_args: str) -> bool:
    """Whether `verilogeval run ARGS` imports litellm (python -X importtime says so)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "verilogeval", "run", *run_args],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return any(line.rstrip().endswith("| litellm") for line in result.stderr.splitlines())


def test_openai_oracle_and_replay_runs_never_import_litellm(tmp_path):
    """Before: every `openai:` run imported litellm (5.5 s) for its model map and prices."""
    common = ["--problems", "1", "--no-cache", "--quiet"]
    assert not _imports_litellm("--model", "oracle", "--out", str(tmp_path / "o"), *common)
    replay = tmp_path / "o" / "generations.jsonl"
    out = str(tmp_path / "r")
    assert not _imports_litellm("--model", f"replay:{replay}", "--out", out, *common)
    with FakeOpenAIServer() as server:
        # o3: a model the map knows, so its facts and prices are read (from model_map.json)
        args = ["--model", "openai:o3", "--api-base", server.base_url, "--prices", "1,2"]
        assert not _imports_litellm(*args, "--out", str(tmp_path / "a"), *common)
        assert server.request_count == 1
    [line] = jsonl_lines(tmp_path / "a" / "generations.jsonl")
    assert line["cost"] > 0  # at the prices given
    manifest = json.loads((tmp_path / "a" / "run.json").read_text())
    assert manifest["prices"] == {"prompt": 1.0, "completion": 2.0}
    assert manifest["request"]["sent"].keys() == {"max_completion_tokens"}  # the map's rules
