"""The generation engine through real HTTP: faults recovered or recorded, limits, cache."""

from __future__ import annotations

import time

import pytest
from fake_openai_server import FakeOpenAIServer, Fault, FaultKind

from verilogeval.dataset import load_dataset
from verilogeval.generate import (
    EngineConfig,
    GenerationCache,
    RetryPolicy,
    generate,
    generation_from_record,
    generation_record,
    latest_generations,
)
from verilogeval.models.base import PRESETS, AdapterSettings, Preset, Request
from verilogeval.models.registry import get_adapter
from verilogeval.records import Generation, Prompt, Task, Usage

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:pydantic")

FAST_RETRY = RetryPolicy(attempts=4, base_delay_s=0.005, max_delay_s=0.05)


@pytest.fixture(scope="module")
def server():
    with FakeOpenAIServer(hang_s=10) as server:
        yield server


@pytest.fixture
def fresh(server):
    server.reset()
    server.latency_s = 0.0
    return server


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
    config = EngineConfig(concurrency=3, timeout_s=0.5, retry=FAST_RETRY)
    generations = generate(
        adapter_for(spec, fresh, 0.5), requests_, config, on_generation=seen.append
    )
    assert [(g.problem, g.sample) for g in generations] == [
        (r.problem.name, r.sample) for r in requests_
    ]
    assert all(g.error is None and g.response.startswith("[BEGIN]") for g in generations)
    assert fresh.request_count == len(requests_) + len(faults)
    assert sorted(seen, key=id) == sorted(generations, key=id)  # each handed out once
    first = generations[0]
    assert first.usage.completion_tokens == 7 and first.finish_reason == "stop"
    assert first.latency_s is not None and first.latency_s < 0.5
    assert first.cost is None  # "fake" has no price
    assert first.cached is False


@pytest.mark.parametrize("spec", HTTP_SPECS)
def test_a_final_failure_is_recorded_not_raised(spec, fresh, requests_):
    fresh.add_faults([Fault(FaultKind.SERVER_ERROR)] * FAST_RETRY.attempts)
    fresh.add_faults([Fault(FaultKind.BAD_REQUEST)])
    config = EngineConfig(concurrency=1, timeout_s=2, retry=FAST_RETRY)
    generations = generate(adapter_for(spec, fresh), requests_[:3], config)
    failed, bad, good = generations
    assert failed.response is None
    assert "HTTP 500" in failed.error and "gave up after 4 attempts" in failed.error
    assert bad.response is None and "HTTP 400" in bad.error  # not retried
    assert good.error is None
    assert fresh.request_count == FAST_RETRY.attempts + 1 + 1


def test_retry_after_is_honoured(fresh, requests_):
    fresh.add_faults([Fault(FaultKind.RATE_LIMIT, retry_after="0.4")])
    retry = RetryPolicy(attempts=2, base_delay_s=0.001, max_delay_s=1.0)
    config = EngineConfig(concurrency=1, timeout_s=2, retry=retry)
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
    config = EngineConfig(concurrency=2, timeout_s=2, retry=FAST_RETRY)
    generate(adapter_for("openai:fake", fresh), requests_, config)
    assert fresh.max_in_flight == 2


def test_requests_per_minute_limit_spaces_requests(fresh, requests_):
    config = EngineConfig(concurrency=10, rpm=600, timeout_s=2, retry=FAST_RETRY)  # 0.1 s apart
    started = time.monotonic()
    generate(adapter_for("openai:fake", fresh), requests_[:4], config)
    assert time.monotonic() - started >= 0.3
    assert fresh.request_count == 4


@pytest.mark.parametrize("spec", HTTP_SPECS)
def test_cache_makes_a_rerun_free_and_never_keeps_errors(spec, fresh, requests_, tmp_path):
    cache = GenerationCache(tmp_path / "cache")
    config = EngineConfig(concurrency=4, timeout_s=2, retry=FAST_RETRY)
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
    from dataclasses import replace

    cache = GenerationCache(tmp_path / "cache")
    config = EngineConfig(concurrency=4, timeout_s=2, retry=FAST_RETRY)
    generate(adapter_for("openai:fake", fresh), requests_[:1], config, cache=cache)
    hotter = replace(requests_[0], sampling=replace(requests_[0].sampling, temperature=0.3))
    variants = [
        (adapter_for("openai:other", fresh), requests_[0]),
        (adapter_for("openai:fake", fresh), hotter),
        (adapter_for("openai:fake", fresh), replace(requests_[0], sample=9)),
    ]
    for adapter, request in variants:
        fresh.reset()
        generate(adapter, [request], config, cache=cache)
        assert fresh.request_count == 1


def test_corrupt_cache_entry_is_a_miss(fresh, requests_, tmp_path):
    cache = GenerationCache(tmp_path / "cache")
    config = EngineConfig(concurrency=1, timeout_s=2, retry=FAST_RETRY)
    adapter = adapter_for("openai:fake", fresh)
    key = GenerationCache.key(adapter, requests_[0])
    path = tmp_path / "cache" / key[:2] / f"{key}.json"
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    [generation] = generate(adapter, requests_[:1], config, cache=cache)
    assert generation.error is None and not generation.cached
    assert fresh.request_count == 1


def test_generation_record_round_trip():
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
    )
    record = generation_record(generation)
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
    ]
    assert record["usage"] == {"prompt_tokens": 10, "completion_tokens": 5}
    assert generation_from_record(record) == generation
    failed = {**record, "response": None, "error": "HTTP 500"}
    assert latest_generations([failed, record])[("Prob001_zero", 3)] == generation
