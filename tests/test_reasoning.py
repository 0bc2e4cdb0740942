"""Reasoning models: parameters each model accepts, thinking kept apart, response issues.

The HTTP tests talk to tests/fake_openai_server.py in its reasoning behaviours, through
both adapter paths (litellm and the openai SDK) and litellm's `anthropic/` provider.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from fake_openai_server import (
    THINKING,
    THINKING_TOKENS,
    Behaviour,
    FakeOpenAIServer,
    Fault,
    FaultKind,
)

from verilogeval.dataset.loader import load_dataset
from verilogeval.errors import UserError
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
    Preset,
    ReasoningEffort,
    Request,
)
from verilogeval.generation.models.capabilities import initial_adjustments, model_facts
from verilogeval.generation.models.params import (
    Action,
    ParameterPolicy,
    asked_params,
    refused_parameters,
)
from verilogeval.generation.models.registry import get_adapter, with_model_defaults
from verilogeval.generation.responses import ResponseIssue, response_issue, split_thinking
from verilogeval.grading.extract import ExtractMode, extract
from verilogeval.records import Generation, Prompt, Task
from verilogeval.runfolder.settings import RequestSettings

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:pydantic")

ANSWER = "[BEGIN]\nmodule TopModule(output zero);\n  assign zero = 1'b0;\nendmodule\n[DONE]\n"
SAMPLING = PRESETS[Preset.SAMPLING]
FAST = EngineConfig(concurrency=4, timeout_s=10, retry=RetryPolicy(attempts=2, base_delay_s=0.01))


# --- thinking and answers ------------------------------------------------------------------


def test_a_leading_think_block_is_thinking_not_answer():
    content = f"<think>\n{THINKING}\n</think>\n\n{ANSWER}"
    answer = split_thinking(content)
    assert answer.text == ANSWER and answer.reasoning == THINKING
    assert split_thinking(f"  \n{content}").text == ANSWER


def test_content_without_a_leading_think_block_is_kept_byte_for_byte():
    for content in (ANSWER, "\r\n" + ANSWER, f"{ANSWER}<think>late</think>", ""):
        assert split_thinking(content).text == content
        assert split_thinking(content).reasoning is None


def test_a_think_block_cut_off_by_the_budget_leaves_no_answer():
    answer = split_thinking("<think>\nstill thinking about the ```verilog draft")
    assert answer.text == "" and answer.reasoning is not None
    assert "still thinking" in answer.reasoning


@pytest.fixture(scope="module")
def official_zero(official_root):
    return load_dataset(official_root, Task.SPEC_TO_RTL).problem("Prob001_zero")


@pytest.mark.parametrize("mode", list(ExtractMode))
def test_extraction_reads_the_answer_not_the_draft_in_the_thinking(mode, official_zero):
    with_thinking = extract(f"<think>\n{THINKING}\n</think>\n{ANSWER}", official_zero, mode)
    assert with_thinking == extract(ANSWER, official_zero, mode)
    assert "1'b1" not in with_thinking and "1'b0" in with_thinking


def _generation(response, finish_reason="stop", error=None):
    return Generation(
        problem="Prob001_zero",
        sample=1,
        response=response,
        finish_reason=finish_reason,
        error=error,
    )


@pytest.mark.parametrize(
    ("generation", "code", "issue"),
    [
        (_generation(None, None, error="HTTP 401"), "", ResponseIssue.GENERATION_ERROR),
        (_generation("", "length"), "\n", ResponseIssue.TRUNCATED),  # truncation wins
        (_generation("module TopModule", "length"), "module TopModule", ResponseIssue.TRUNCATED),
        (_generation(" \n"), "\n", ResponseIssue.EMPTY),
        (_generation("I cannot help."), "\nI cannot help.\n", ResponseIssue.NO_CODE),
        (_generation("x"), "// VERILOG-EVAL: endmodule not found\n", ResponseIssue.NO_CODE),
        (_generation(ANSWER), "\nmodule TopModule(output zero);\nendmodule\n", None),
    ],
)
def test_response_issue(generation, code, issue):
    assert response_issue(generation, code) == issue


def test_code_completion_interface_alone_is_no_code():
    interface = "module TopModule (\n  output zero\n);\n"
    assert response_issue(_generation("Sure!"), interface + "Sure!\n", interface) == "no_code"
    body = interface + "assign zero = 0;\nendmodule\n"
    assert response_issue(_generation("assign zero = 0;"), body, interface) is None


# --- parameters: the model map and learning -----------------------------------------------


def test_refusals_are_read_from_openai_and_litellm_messages():
    assert refused_parameters(
        "Error code: 400 - Unsupported parameter: 'max_tokens' is not supported with this "
        "model. Use 'max_completion_tokens' instead."
    ) == [("max_tokens", "max_completion_tokens")]
    assert refused_parameters("Unsupported value: 'temperature' does not support 0") == [
        ("temperature", None)
    ]
    assert refused_parameters(
        "litellm.UnsupportedParamsError: openai does not support parameters: ['top_p', 'seed']"
    ) == [("top_p", None), ("seed", None)]
    assert refused_parameters("HTTP 400: bad request") == []


def test_a_policy_learns_each_refusal_once_and_records_it():
    asked = asked_params(replace(SAMPLING, seed=3))
    policy = ParameterPolicy([])
    sent = policy.apply(asked)
    assert sent == asked
    assert policy.learn("Unsupported parameter: 'top_p' is not supported", sent)
    assert policy.learn("Unsupported parameter: 'top_p' is not supported", sent)  # a twin
    assert not policy.learn("Unsupported parameter: 'top_p' is not supported", policy.apply(asked))
    assert not policy.learn("HTTP 400: bad request", policy.apply(asked))
    assert [a.parameter for a in policy.adjustments] == ["top_p"]
    policy.learn("Unsupported parameter: 'max_tokens'. Use 'max_completion_tokens' instead.", sent)
    record = policy.record(asked)
    assert record.asked == asked
    assert record.sent == {"temperature": 0.8, "seed": 3, "max_completion_tokens": 1024}
    assert [(a["parameter"], a["action"], a["learned"]) for a in record.adjustments] == [
        ("top_p", "drop", True),
        ("max_tokens", "rename", True),
    ]


def test_the_model_map_shapes_known_models_before_any_request():
    asked = asked_params(replace(SAMPLING, reasoning_effort=ReasoningEffort.HIGH))
    o3 = ParameterPolicy(initial_adjustments(model_facts("openai/o3"), asked)).apply(asked)
    assert o3 == {"max_completion_tokens": 1024, "reasoning_effort": "high"}
    gpt4o = model_facts("openai/gpt-4o")
    assert not gpt4o.reasoning and initial_adjustments(gpt4o, asked_params(SAMPLING)) == []
    unknown = model_facts("openai/my-reasoner")
    assert not unknown.known and initial_adjustments(unknown, asked) == []
    claude = model_facts("anthropic/claude-sonnet-4-20250514")
    thinking = asked_params(replace(SAMPLING, thinking_budget=2000))
    dropped = {a.parameter for a in initial_adjustments(claude, thinking)}
    assert dropped == {"temperature", "top_p"}
    assert all(a.action is Action.DROP for a in initial_adjustments(claude, thinking))


# --- both adapter paths against the reasoning server behaviours ---------------------------


@pytest.fixture(scope="module")
def servers():
    with (
        FakeOpenAIServer(behaviour=Behaviour.OPENAI_REASONING, reply=lambda b: ANSWER) as openai,
        FakeOpenAIServer(behaviour=Behaviour.REASONING_CONTENT, reply=lambda b: ANSWER) as deep,
        FakeOpenAIServer(behaviour=Behaviour.THINK_TAGS, reply=lambda b: ANSWER) as think,
        FakeOpenAIServer(reply=lambda b: ANSWER) as plain,
    ):
        yield {
            Behaviour.OPENAI_REASONING: openai,
            Behaviour.REASONING_CONTENT: deep,
            Behaviour.THINK_TAGS: think,
            Behaviour.PLAIN: plain,
        }


def _server(servers, behaviour):
    server = servers[behaviour]
    server.reset()
    return server


@pytest.fixture(scope="module")
def requests_():
    problem = load_dataset(None, Task.SPEC_TO_RTL).problems[0]
    prompt = Prompt(problem.name, problem.task, 0, False, False, "native", "sys", problem.prompt)
    return [Request(problem, prompt, sample, SAMPLING) for sample in (1, 2, 3)]


def _adapter(spec, server):
    return get_adapter(spec, AdapterSettings(api_base=server.base_url, timeout_s=10))


REFUSED = {"temperature", "top_p", "max_tokens"}


@pytest.mark.parametrize("spec", ["openai:o3", "openai/o3"])
def test_a_known_openai_reasoning_model_is_sent_only_what_it_accepts(spec, servers, requests_):
    server = _server(servers, Behaviour.OPENAI_REASONING)
    sampling = replace(SAMPLING, max_tokens=4000, reasoning_effort=ReasoningEffort.LOW)
    requests = [replace(r, sampling=sampling) for r in requests_]
    adapter = _adapter(spec, server)
    generations = generate(adapter, requests, FAST)
    assert server.request_count == 3  # no request was refused
    for body in server.requests:
        assert not REFUSED & set(body)
        assert body["max_completion_tokens"] == 4000 and body["reasoning_effort"] == "low"
    for generation in generations:
        assert generation.error is None and generation.response == ANSWER
        assert generation.usage.reasoning_tokens == THINKING_TOKENS
        assert generation.usage.completion_tokens == THINKING_TOKENS + len(ANSWER.split())
    record = adapter.request_record(sampling)
    assert record.model_map is True
    assert record.sent == {"max_completion_tokens": 4000, "reasoning_effort": "low"}
    assert not any(a["learned"] for a in record.adjustments)


@pytest.mark.parametrize("spec", ["openai:o3", "openai/o3"])
def test_a_budget_spent_thinking_is_a_truncated_empty_answer(spec, servers, requests_):
    server = _server(servers, Behaviour.OPENAI_REASONING)
    requests = [replace(r, sampling=replace(SAMPLING, max_tokens=500)) for r in requests_]
    for generation in generate(_adapter(spec, server), requests, FAST):
        assert generation.response == "" and generation.finish_reason == "length"
        assert response_issue(generation, "\n") is ResponseIssue.TRUNCATED


@pytest.mark.parametrize("spec", ["openai:my-reasoner", "openai/my-reasoner"])
def test_an_unknown_server_teaches_the_run_what_it_refuses(spec, servers, requests_):
    server = _server(servers, Behaviour.OPENAI_REASONING)
    adapter = _adapter(spec, server)
    config = replace(FAST, concurrency=1)
    generations = generate(adapter, requests_, config)
    assert all(g.error is None and g.response == ANSWER for g in generations)
    # The first request meets each refusal once; the others are sent right away.
    assert server.request_count == len(REFUSED) + 3
    assert all(not REFUSED & set(body) for body in server.requests[-3:])
    record = adapter.request_record(SAMPLING)
    assert record.model_map is False
    assert record.sent == {"max_completion_tokens": 1024}
    learned = {(a["parameter"], a["action"], a["renamed_to"]) for a in record.adjustments}
    assert learned == {
        ("max_tokens", "rename", "max_completion_tokens"),
        ("temperature", "drop", None),
        ("top_p", "drop", None),
    }
    assert all(a["learned"] and "Unsupported" in a["reason"] for a in record.adjustments)


@pytest.mark.parametrize("spec", ["openai:deepseek-r1", "openai/deepseek-r1"])
@pytest.mark.parametrize("behaviour", [Behaviour.REASONING_CONTENT, Behaviour.THINK_TAGS])
def test_thinking_is_kept_apart_from_the_answer(spec, behaviour, servers, requests_):
    server = _server(servers, behaviour)
    [generation] = generate(_adapter(spec, server), requests_[:1], FAST)
    assert generation.error is None
    assert generation.response == ANSWER and generation.reasoning == THINKING


def test_anthropic_thinking_blocks_through_litellm(servers, requests_, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    server = _server(servers, Behaviour.PLAIN)
    sampling = replace(SAMPLING, max_tokens=8000, thinking_budget=2000)
    requests = [replace(r, sampling=sampling) for r in requests_[:1]]
    adapter = get_adapter(
        "anthropic/claude-sonnet-4-20250514",
        AdapterSettings(api_base=server.base_url.removesuffix("/v1"), timeout_s=10),
    )
    [generation] = generate(adapter, requests, FAST)
    assert generation.error is None, generation.error
    assert server.paths == ["/v1/messages"]
    [body] = server.requests
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 2000}
    assert body["max_tokens"] == 8000 and "temperature" not in body and "top_p" not in body
    assert generation.response == ANSWER and generation.reasoning == THINKING
    assert generation.usage.completion_tokens == THINKING_TOKENS + len(ANSWER.split())


# --- the engine: fail fast, cache identity ------------------------------------------------


def test_the_same_permanent_error_on_the_first_requests_stops_the_run(servers, requests_):
    server = _server(servers, Behaviour.PLAIN)
    server.add_faults([Fault(FaultKind.BAD_REQUEST)] * 3)
    handed_on: list[Generation] = []
    with pytest.raises(GenerationAborted, match="first 3 requests all failed with: HTTP 400"):
        generate(_adapter("openai:fake", server), requests_, FAST, on_generation=handed_on.append)
    assert handed_on == []  # nothing journaled: a resumed run asks again


def test_a_lone_permanent_error_among_answers_is_recorded(servers, requests_):
    server = _server(servers, Behaviour.PLAIN)
    server.add_faults([Fault(FaultKind.BAD_REQUEST)])
    handed_on: list[Generation] = []
    config = replace(FAST, concurrency=1)
    generations = generate(
        _adapter("openai:fake", server), requests_, config, on_generation=handed_on.append
    )
    assert [g.error is not None for g in generations] == [True, False, False]
    assert [g.sample for g in handed_on] == [1, 2, 3]  # held back, then handed on in order


def test_reasoning_settings_are_part_of_the_cache_key(servers, requests_):
    adapter = _adapter("openai:fake", _server(servers, Behaviour.PLAIN))
    request = requests_[0]
    keys = {
        GenerationCache.key(adapter, replace(request, sampling=sampling))
        for sampling in (
            SAMPLING,
            replace(SAMPLING, reasoning_effort=ReasoningEffort.LOW),
            replace(SAMPLING, reasoning_effort=ReasoningEffort.HIGH),
            replace(SAMPLING, thinking_budget=2000),
        )
    }
    assert len(keys) == 4
    asyncio.run(adapter.aclose())


# --- defaults a model brings ----------------------------------------------------------------

GREEDY = PRESETS[Preset.GREEDY]


@pytest.mark.parametrize(
    ("spec", "sampling", "max_tokens", "effort", "budget"),
    [
        ("o3", GREEDY, 100000, None, None),  # its own maximum from the map
        ("openai:o3", GREEDY, 100000, None, None),
        ("claude-sonnet-4-thinking", GREEDY, 64000, None, 16000),  # the alias's budget
        ("qwen3-32b", GREEDY, 32768, None, None),  # a reasoning alias the map does not know
        ("openai:my-model", GREEDY, 1024, None, None),  # nothing known: the preset stands
        (
            "openai:my-model",
            replace(GREEDY, reasoning_effort=ReasoningEffort.HIGH),
            32768,
            "high",
            None,
        ),
        ("gpt-4o", GREEDY, 1024, None, None),
        ("oracle", replace(GREEDY, thinking_budget=500), 1024, None, 500),
    ],
)
def test_a_model_brings_its_reasoning_defaults(spec, sampling, max_tokens, effort, budget):
    completed = with_model_defaults(sampling, spec, max_tokens_given=False)
    assert completed.max_tokens == max_tokens
    assert completed.reasoning_effort == effort and completed.thinking_budget == budget


def test_explicit_flags_win_and_impossible_budgets_are_refused():
    budget = replace(GREEDY, thinking_budget=4000, max_tokens=2000)
    assert (
        with_model_defaults(replace(GREEDY, max_tokens=500), "o3", max_tokens_given=True).max_tokens
        == 500
    )
    with pytest.raises(UserError, match="below --max-tokens"):
        with_model_defaults(budget, "claude-sonnet-4-thinking", max_tokens_given=True)
    with pytest.raises(UserError, match="takes no thinking budget"):
        with_model_defaults(replace(GREEDY, thinking_budget=4000), "o3", max_tokens_given=False)


def test_generate_says_what_the_server_refused(cli, servers, tmp_path):
    server = _server(servers, Behaviour.OPENAI_REASONING)
    args = ["generate", "--model", "openai:my-reasoner", "--api-base", server.base_url]
    result = cli(*args, "--problems", "1", "--no-cache", "--quiet", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "the server refused 'top_p'" in result.stderr
    assert (
        "the server refused 'max_tokens'" in result.stderr
        and "max_completion_tokens" in result.stderr
    )


def test_a_resumed_run_starts_from_what_the_server_taught_before(servers, requests_):
    server = _server(servers, Behaviour.OPENAI_REASONING)
    first = _adapter("openai:my-reasoner", server)
    generate(first, requests_[:1], FAST)
    taught = server.request_count
    assert taught == len(REFUSED) + 1
    again = _adapter("openai:my-reasoner", server)
    again.resume_request(first.request_record(SAMPLING))
    [generation] = generate(again, requests_[1:2], FAST)
    assert generation.error is None and server.request_count == taught + 1
    assert again.request_record(SAMPLING).sent == {"max_completion_tokens": 1024}
    damaged = _adapter("openai:my-reasoner", server)
    damaged.resume_request(
        RequestSettings(adjustments=({"parameter": "top_p"},))
    )  # relearns instead
    assert damaged.request_record(SAMPLING).sent == asked_params(SAMPLING)
    asyncio.run(damaged.aclose())
