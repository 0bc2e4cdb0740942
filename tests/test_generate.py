"""The generation engine through real HTTP: faults recovered or recorded, limits, cache."""

from __future__ import annotations

import json
import socket
import time
from dataclasses import replace

import pytest
from fake_openai_server import FakeOpenAIServer, Fault, FaultKind
from run_folders import jsonl_lines

from verilogeval.dataset.loader import load_dataset
from verilogeval.debug_log import debug_logging
from verilogeval.generation.engine import (
    EngineConfig,
    GenerationAborted,
    GenerationCache,
    RetryPolicy,
    generate,
)
from verilogeval.generation.models.base import (
    PRESETS,
    AdapterSettings,
    Completion,
    ModelAdapter,
    Preset,
    Request,
)
from verilogeval.generation.models.registry import get_adapter
from verilogeval.records import Generation, Prompt, Task, Usage
from verilogeval.runfolder.lines import GenerationLine, read_generations

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:pydantic")

FAST_RETRY = RetryPolicy(attempts=4, base_delay_s=0.005, max_delay_s=0.05)


@pytest.fixture(scope="module")
def requests_():
    """3 problems x 2 samples of the embedded dataset."""
    requests = []
    for problem in load_dataset(None, Task.SPEC_TO_RTL).problems[:3]:
        prompt = Prompt(
            problem=problem.name,
            task=problem.task,
            shots=0,
            rules=False,
            explain=False,
            style="official-v2",
            system="You write Verilog.",
            user=problem.prompt,
        )
        for sample in (1, 2):
            sampling = PRESETS[Preset.SAMPLING]
            requests.append(
                Request(problem=problem, prompt=prompt, sample=sample, sampling=sampling)
            )
    return requests


def adapter_for(spec, server, timeout_s=5.0):
    return get_adapter(spec, AdapterSettings(api_base=server.base_url, timeout_s=timeout_s))


HTTP_SPECS = ["openai:fake", "openai/fake"]


@pytest.mark.slow
@pytest.mark.parametrize("spec", HTTP_SPECS)
def test_every_kind_of_fault_is_recovered(spec, fresh, requests_):
    faults = [
        Fault(FaultKind.RATE_LIMIT, retry_after="0"),
        Fault(FaultKind.SERVER_ERROR),
        Fault(FaultKind.UNAVAILABLE),
        Fault(FaultKind.HANG),
        Fault(FaultKind.MALFORMED),
        Fault(FaultKind.EMPTY_CHOICES),
    ]
    fresh.add_faults(faults)
    seen: list[Generation] = []
    # The HANG fault costs one request timeout; a loaded machine still answers well within it.
    config = EngineConfig(concurrency=3, timeout_s=5.0, retry=FAST_RETRY)
    generations = generate(
        adapter_for(spec, fresh, 5.0), requests_, config, on_generation=seen.append
    )
    assert [(g.problem, g.sample) for g in generations] == [
        (r.problem.name, r.sample) for r in requests_
    ]
    assert all(g.error is None and (g.response or "").startswith("[BEGIN]") for g in generations)
    assert fresh.request_count == len(requests_) + len(faults)
    assert sorted(seen, key=id) == sorted(generations, key=id)  # each handed out once
    first = generations[0]
    assert first.usage.completion_tokens == 7 and first.finish_reason == "stop"
    assert first.latency_s is not None and first.latency_s < 5.0
    assert first.cost is None  # "fake" has no price
    assert first.cached is False


@pytest.mark.parametrize("spec", HTTP_SPECS)
def test_a_final_failure_is_recorded_not_raised(spec, fresh, requests_):
    fresh.add_faults([Fault(FaultKind.SERVER_ERROR)] * FAST_RETRY.attempts)
    fresh.add_faults([Fault(FaultKind.BAD_REQUEST)])
    config = EngineConfig(concurrency=1, timeout_s=30, retry=FAST_RETRY)
    generations = generate(adapter_for(spec, fresh), requests_[:3], config)
    failed, bad, good = generations
    assert failed.response is None and failed.error is not None
    assert "HTTP 500" in failed.error and "gave up after 4 attempts" in failed.error
    assert bad.response is None and bad.error is not None
    assert "HTTP 400" in bad.error  # not retried
    assert good.error is None
    assert fresh.request_count == FAST_RETRY.attempts + 1 + 1


class _BuggyAdapter(ModelAdapter):
    """An adapter with a bug: its `complete` raises what no adapter should."""

    identity = "buggy:model"
    cacheable = False

    async def complete(self, request: Request) -> Completion:
        answers: dict[str, Completion] = {}
        return answers["a key no adapter has"]


def test_an_adapter_bug_is_the_samples_error_and_its_traceback_is_logged(
    requests_, tmp_path, capsys
):
    """The bug is each sample's error in one line (here every request's: the run stops,
    naming it); its traceback, which the old code dropped, goes to the debug log, not the
    screen."""
    log = tmp_path / "debug.log"
    config = EngineConfig(concurrency=1, timeout_s=30, retry=FAST_RETRY)
    with debug_logging(log), pytest.raises(GenerationAborted, match="KeyError: 'a key no"):
        generate(_BuggyAdapter(), requests_[:2], config)
    text = log.read_text()
    assert text.count("the adapter failed") == 2 and "Traceback" in text
    assert f"{requests_[0].problem.name} sample 1" in text
    assert "Traceback" not in capsys.readouterr().err


def test_retry_after_is_honoured(fresh, requests_):
    fresh.add_faults([Fault(FaultKind.RATE_LIMIT, retry_after="0.4")])
    retry = RetryPolicy(attempts=2, base_delay_s=0.001, max_delay_s=1.0)
    config = EngineConfig(concurrency=1, timeout_s=30, retry=retry)
    started = time.monotonic()
    [generation] = generate(adapter_for("openai:fake", fresh), requests_[:1], config)
    assert generation.error is None
    assert time.monotonic() - started >= 0.4
    assert fresh.request_count == 2


def test_backoff_grows_and_is_jittered():
    policy = RetryPolicy(base_delay_s=1.0, max_delay_s=5.0)
    import random

    rng = random.Random(7)
    delays = [policy.delay_s(attempt, None, rng) for attempt in (1, 2, 3, 4, 5)]
    for attempt, delay in enumerate(delays, start=1):
        ceiling = min(5.0, 2 ** (attempt - 1))
        assert ceiling / 2 <= delay <= ceiling
    assert len({round(d, 6) for d in delays}) == len(delays)
    assert policy.delay_s(1, 3.0, rng) >= 3.0  # the server's wish wins when longer
    assert policy.delay_s(1, 999.0, rng) == 5.0  # but never beyond the cap


def test_concurrency_limit_is_kept(fresh, requests_):
    fresh.latency_s = 0.1
    config = EngineConfig(concurrency=2, timeout_s=30, retry=FAST_RETRY)
    generate(adapter_for("openai:fake", fresh), requests_, config)
    assert fresh.max_in_flight == 2


def test_requests_per_minute_limit_spaces_requests(fresh, requests_):
    config = EngineConfig(concurrency=10, rpm=600, timeout_s=30, retry=FAST_RETRY)  # 0.1 s apart
    started = time.monotonic()
    generate(adapter_for("openai:fake", fresh), requests_[:4], config)
    assert time.monotonic() - started >= 0.3
    assert fresh.request_count == 4


@pytest.mark.parametrize("spec", HTTP_SPECS)
def test_cache_makes_a_rerun_free_and_never_keeps_errors(spec, fresh, requests_, tmp_path):
    cache = GenerationCache(tmp_path / "cache")
    config = EngineConfig(concurrency=4, timeout_s=30, retry=FAST_RETRY)
    fresh.add_faults([Fault(FaultKind.BAD_REQUEST)])
    first = generate(adapter_for(spec, fresh), requests_, config, cache=cache)
    assert sum(g.error is not None for g in first) == 1
    assert fresh.request_count == len(requests_)  # a 400 is not retried
    fresh.reset()
    second = generate(adapter_for(spec, fresh), requests_, config, cache=cache)
    assert fresh.request_count == 1  # only the sample that failed is asked again
    assert all(g.error is None for g in second)
    assert sum(g.cached for g in second) == len(requests_) - 1
    fresh.reset()
    third = generate(adapter_for(spec, fresh), requests_, config, cache=cache)
    assert fresh.request_count == 0
    assert [g.response for g in third] == [g.response for g in second]
    assert all(g.cached for g in third)
    assert [g.usage for g in third] == [g.usage for g in second]


def test_cache_key_covers_model_sampling_and_sample(fresh, requests_, tmp_path):

    cache = GenerationCache(tmp_path / "cache")
    config = EngineConfig(concurrency=4, timeout_s=30, retry=FAST_RETRY)
    generate(adapter_for("openai:fake", fresh), requests_[:1], config, cache=cache)
    hotter = replace(requests_[0], sampling=replace(requests_[0].sampling, temperature=0.3))
    with FakeOpenAIServer() as another:  # same model name, another server
        generate(adapter_for("openai:fake", another), requests_[:1], config, cache=cache)
        assert another.request_count == 1
    variants = [
        (adapter_for("openai:other", fresh), requests_[0]),
        (adapter_for("openai:fake", fresh), hotter),
        (adapter_for("openai:fake", fresh), replace(requests_[0], sample=9)),
    ]
    for adapter, request in variants:
        fresh.reset()
        generate(adapter, [request], config, cache=cache)
        assert fresh.request_count == 1


def _refusing_url() -> str:
    """The base URL of a loopback port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/v1"


@pytest.mark.parametrize("spec", HTTP_SPECS)
def test_a_refused_connection_stops_the_run_at_once_naming_the_server(spec, requests_):
    """Before: retried for half a minute as "Request timed out", then one error per sample."""
    url = _refusing_url()
    adapter = get_adapter(spec, AdapterSettings(api_base=url, timeout_s=5))
    slow_retry = EngineConfig(retry=RetryPolicy(attempts=6, base_delay_s=30))
    handed_on: list[Generation] = []
    with pytest.raises(GenerationAborted, match=f"cannot reach the server at {url}: connection"):
        generate(adapter, requests_, slow_retry, on_generation=handed_on.append)
    assert handed_on == []  # nothing journaled: the same command asks again


def test_a_cached_answer_does_not_open_the_gate(fresh, requests_, tmp_path):
    """Answers from the cache say nothing of the server: a dead one still stops the run."""
    cache = GenerationCache(tmp_path / "cache")
    config = EngineConfig(concurrency=2, timeout_s=30, retry=FAST_RETRY)
    generate(adapter_for("openai:fake", fresh), requests_[:2], config, cache=cache)
    dead = AdapterSettings(api_base=_refusing_url(), timeout_s=5)
    # The same cache entries under another server's URL would be misses: key them alike.
    adapter = get_adapter("openai:fake", dead)
    adapter.api_base = fresh.base_url
    handed_on: list[Generation] = []
    with pytest.raises(GenerationAborted):
        generate(adapter, requests_, config, cache=cache, on_generation=handed_on.append)
    assert [g.cached for g in handed_on] == [True, True]


def test_damaged_cache_costs_requests_not_the_run(fresh, requests_, tmp_path):
    import sqlite3

    config = EngineConfig(concurrency=1, timeout_s=30, retry=FAST_RETRY)
    adapter = adapter_for("openai:fake", fresh)
    cache = GenerationCache(tmp_path / "cache")
    generate(adapter, requests_[:2], config, cache=cache)
    with sqlite3.connect(tmp_path / "cache" / GenerationCache.FILE) as db:
        db.execute("UPDATE answers SET answer = '{not json' WHERE rowid = 1")
    fresh.reset()
    again = generate(adapter_for("openai:fake", fresh), requests_[:2], config, cache=cache)
    assert fresh.request_count == 1  # the damaged entry is a miss, the other a hit
    assert sorted(g.cached for g in again) == [False, True]

    not_a_database = tmp_path / "other"
    not_a_database.mkdir()
    (not_a_database / GenerationCache.FILE).write_text("not sqlite at all " * 100)
    fresh.reset()
    [generation] = generate(
        adapter_for("openai:fake", fresh),
        requests_[:1],
        config,
        cache=GenerationCache(not_a_database),
    )
    assert generation.error is None and not generation.cached
    assert fresh.request_count == 1


def test_generation_line_round_trip(tmp_path):
    generation = Generation(
        problem="Prob001_zero",
        sample=3,
        response="[BEGIN]...",
        usage=Usage(prompt_tokens=10, completion_tokens=5),
        cost=0.25,
        latency_s=1.5,
        finish_reason="length",
        model="gpt-4o",
        cached=True,
        reasoning="first think",
    )
    record = GenerationLine.from_generation(generation).to_json()
    assert list(record) == [
        "problem",
        "sample",
        "response",
        "usage",
        "cost",
        "error",
        "latency_s",
        "finish_reason",
        "model",
        "cached",
        "reasoning",
        "reasoning_tokens",
    ]
    assert record["usage"] == {"prompt_tokens": 10, "completion_tokens": 5}
    path = tmp_path / "generations.jsonl"
    thinking = replace(generation, usage=Usage(10, 5, reasoning_tokens=4))
    path.write_text(json.dumps(GenerationLine.from_generation(thinking).to_json()) + "\n")
    [thought] = read_generations(path)
    assert thought.to_generation() == thinking and thought.to_json()["reasoning_tokens"] == 4
    failed = {**record, "response": None, "error": "HTTP 500"}
    path.write_text(json.dumps(failed) + "\n" + json.dumps(record) + "\n")
    [line] = read_generations(path)  # the later line for a sample wins
    assert line.to_generation() == generation
    assert line.to_json() == record


# --- the generate command, as a user runs it ----------------------------------------------


@pytest.mark.slow
def test_cli_generate_against_a_server_resumes_and_caches(cli, fresh, tmp_path):
    base = ["generate", "--model", "openai:fake", "--api-base", fresh.base_url]
    common = ["--problems", "1-2", "--samples", "2", "--cache-dir", tmp_path / "cache", "--quiet"]
    run = cli(*base, *common, "--out", tmp_path / "run", "--seed", "5")
    assert run.returncode == 0, run.stderr
    assert "4 generated (0 from cache), 0 errors" in run.stdout
    lines = jsonl_lines(tmp_path / "run" / "generations.jsonl")
    assert sorted((line["problem"][:7], line["sample"]) for line in lines) == [
        ("Prob001", 1),
        ("Prob001", 2),
        ("Prob002", 1),
        ("Prob002", 2),
    ]
    assert set(lines[0]) == {
        "problem",
        "sample",
        "response",
        "usage",
        "cost",
        "error",
        "latency_s",
        "finish_reason",
        "model",
        "cached",
        "reasoning",
        "reasoning_tokens",
    }
    assert lines[0]["usage"]["completion_tokens"] == 7 and lines[0]["cost"] is None
    # --samples 2 without a preset means the sampling preset; explicit flags win.
    assert {(r["temperature"], r["top_p"], r["max_tokens"], r["seed"]) for r in fresh.requests} == {
        (0.8, 0.95, 1024, 5)
    }
    prompts = jsonl_lines(tmp_path / "run" / "prompts.jsonl")
    assert [p["problem"][:7] for p in prompts] == ["Prob001", "Prob002"]
    sent = {r["messages"][1]["content"] for r in fresh.requests}
    assert sent == {p["user"] for p in prompts}

    fresh.reset()
    again = cli(*base, *common, "--out", tmp_path / "run", "--seed", "5")
    assert "0 generated (0 from cache), 0 errors, 4 already done" in again.stdout
    elsewhere = cli(*base, *common, "--out", tmp_path / "run2", "--seed", "5")
    assert "4 generated (4 from cache)" in elsewhere.stdout
    assert fresh.request_count == 0
    assert all(line["cached"] for line in jsonl_lines(tmp_path / "run2" / "generations.jsonl"))


@pytest.mark.slow
def test_cli_generate_retries_only_failed_samples(cli, fresh, tmp_path):
    fresh.add_faults([Fault(FaultKind.BAD_REQUEST)])
    args = ["generate", "--model", "openai:fake", "--api-base", fresh.base_url, "--problems", "1"]
    args += ["--samples", "3", "--concurrency", "1", "--no-cache", "--out", tmp_path, "--quiet"]
    first = cli(*args)
    assert first.returncode == 1  # done, but a sample could not be answered
    assert "2 generated (0 from cache), 1 errors" in first.stdout
    assert "HTTP 400" in first.stderr
    fresh.reset()
    second = cli(*args)
    assert "1 generated (0 from cache), 0 errors, 2 already done" in second.stdout
    assert fresh.request_count == 1
    latest = read_generations(tmp_path / "generations.jsonl")
    assert len(latest) == 3 and all(line.error is None for line in latest)


def test_cli_generate_refuses_other_settings_in_the_same_folder(cli, tmp_path):
    args = ["generate", "--model", "oracle", "--problems", "1", "--out", tmp_path, "--quiet"]
    assert cli(*args).returncode == 0
    other = cli(*args, "--shots", "1")
    assert other.returncode == 2
    assert "prompt.shots: 0 -> 1" in other.stderr and "Traceback" not in other.stderr
    assert len(jsonl_lines(tmp_path / "generations.jsonl")) == 1  # nothing lost


def test_cli_generate_refuses_another_models_folder(cli, tmp_path):
    """A second model's answers never join the first one's journal."""
    out = tmp_path / "g"
    args = ["generate", "--problems", "1", "--out", out, "--quiet"]
    assert cli(*args, "--model", "oracle").returncode == 0
    replay = f"replay:{out / 'generations.jsonl'}"
    refused = cli(*args, "--model", replay)
    assert refused.returncode == 2, refused.stderr
    assert f"model (--model): 'oracle' -> '{replay}'" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert len(jsonl_lines(out / "generations.jsonl")) == 1


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "gpt-4o"], "needs OPENAI_API_KEY"),
        (["--model", "openai:gpt-4o"], "needs OPENAI_API_KEY"),
        (["--model", "bogus"], "unknown model 'bogus'"),
        (["--model", "oracle", "--top-p", "0"], "--top-p"),
        (["--model", "oracle", "--concurrency", "0"], "--concurrency"),
    ],
)
def test_cli_generate_bad_setup_is_one_line_before_any_work(cli, tmp_path, args, message):
    import os

    env_key = os.environ.pop("OPENAI_API_KEY", None)
    try:
        run = cli("generate", *args, "--out", tmp_path / "run")
    finally:
        if env_key is not None:
            os.environ["OPENAI_API_KEY"] = env_key
    assert run.returncode == 2
    assert message in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "run").exists()


def test_cli_replay_reproduces_a_run(cli, tmp_path):
    first = cli("generate", "--model", "oracle", "--problems", "1-3", "--out", tmp_path / "a")
    assert first.returncode == 0, first.stderr
    source = tmp_path / "a" / "generations.jsonl"
    replay = cli(
        "generate", "--model", f"replay:{source}", "--problems", "1-3", "--out", tmp_path / "b"
    )
    assert replay.returncode == 0, replay.stderr
    responses = [(r["problem"], r["response"]) for r in jsonl_lines(source)]
    replayed = [(r["problem"], r["response"]) for r in jsonl_lines(tmp_path / "b" / source.name)]
    assert sorted(replayed) == sorted(responses)


@pytest.mark.icarus
@pytest.mark.slow
@pytest.mark.parametrize("task", list(Task))
def test_cli_oracle_end_to_end_with_evaluate_passes(cli, tmp_path, task):
    """generate --model oracle -> extraction -> evaluate: every sample passes."""
    import json

    from verilogeval.grading.extract import ExtractMode, extract

    dataset = load_dataset(None, task)
    run = cli("generate", "--model", "oracle", "--task", task, "--samples", "2", "--out", tmp_path)
    assert run.returncode == 0, run.stderr
    samples = tmp_path / "samples.jsonl"
    with samples.open("w") as f:
        for line in jsonl_lines(tmp_path / "generations.jsonl"):
            code = extract(line["response"], dataset.problem(line["problem"]), ExtractMode.ROBUST)
            f.write(
                json.dumps({"problem": line["problem"], "sample": line["sample"], "code": code})
            )
            f.write("\n")
    graded = cli(
        "evaluate",
        "--task",
        task,
        "--samples",
        samples,
        "--out",
        tmp_path / "eval",
        "--cache-dir",
        tmp_path / "grade-cache",
    )
    assert graded.returncode == 0, graded.stderr
    results = jsonl_lines(tmp_path / "eval" / "results.jsonl")
    assert len(results) == 2 * len(dataset.problems)
    assert all(result["passed"] for result in results), [
        r["problem"] for r in results if not r["passed"]
    ]
