"""Model adapters: the registry, the HTTP adapters through a real local server, oracle, replay."""

from __future__ import annotations

import asyncio
import json
import subprocess

import pytest
from fake_openai_server import Fault, FaultKind

from verilogeval.dataset.loader import load_dataset
from verilogeval.errors import UserError
from verilogeval.generation.models.base import (
    PRESETS,
    AdapterSettings,
    PermanentError,
    Preset,
    Request,
    SamplingConfig,
    TransientError,
)
from verilogeval.generation.models.capabilities import model_facts
from verilogeval.generation.models.oracle import OracleAdapter, oracle_answer
from verilogeval.generation.models.pricing import Prices, map_prices, run_prices
from verilogeval.generation.models.registry import ALIASES, api_base_for, get_adapter, resolve
from verilogeval.generation.models.replay import ReplayAdapter
from verilogeval.grading.extract import ExtractMode, extract
from verilogeval.records import Prompt, Task, Usage

# litellm's own pydantic models warn at import; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:pydantic")


def prompt_for(problem, style="official-v2") -> Prompt:
    return Prompt(
        problem=problem.name,
        task=problem.task,
        shots=0,
        rules=False,
        explain=False,
        style=style,
        system="You write Verilog.",
        user=problem.prompt,
    )


def request_for(problem, sample=1, sampling: SamplingConfig = PRESETS[Preset.GREEDY], style=None):
    prompt = prompt_for(problem, style or "official-v2")
    return Request(problem=problem, prompt=prompt, sample=sample, sampling=sampling)


@pytest.fixture(scope="module")
def spec_problem():
    return load_dataset(None, Task.SPEC_TO_RTL).problems[0]


# --- registry -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("oracle", ("oracle", "")),
        ("replay:runs/a/generations.jsonl", ("replay", "runs/a/generations.jsonl")),
        ("openai:Qwen/Qwen2.5-Coder-7B", ("openai", "Qwen/Qwen2.5-Coder-7B")),
        ("openai/gpt-4o", ("litellm", "openai/gpt-4o")),
        ("litellm:openai/gpt-4o", ("litellm", "openai/gpt-4o")),
        ("ollama/llama3:8b", ("litellm", "ollama/llama3:8b")),
        ("gpt-4-turbo", ("litellm", "openai/gpt-4-turbo-2024-04-09")),
    ],
)
def test_resolve(spec, expected):
    assert resolve(spec) == expected


@pytest.mark.parametrize("spec", ["gpt-17", "openai", "replay:", "oracle:x", "nonsense:x"])
def test_resolve_rejects_what_names_nothing(spec):
    with pytest.raises(UserError, match="model"):
        resolve(spec)


def test_every_alias_names_a_litellm_model():
    for name, alias in ALIASES.items():
        assert resolve(name) == ("litellm", alias.target), name
        facts = model_facts(alias.target)
        assert facts.provider is not None, name
        # A reasoning alias either is in litellm's map as one or says so itself.
        if alias.thinking_budget or alias.reasoning_effort:
            assert facts.reasoning, name


LOCAL = "http://127.0.0.1:8000/v1"


@pytest.mark.parametrize(
    ("spec", "given", "environment", "expected"),
    [
        ("openai:gpt-4o", None, LOCAL, LOCAL),  # OPENAI_BASE_URL: what the SDK would obey
        ("openai/gpt-4o", None, LOCAL + "/", LOCAL),  # one spelling per server
        ("gpt-4o", None, LOCAL, LOCAL),  # an alias of an OpenAI model
        ("openai:gpt-4o", "http://gpu-box:9000/v1", LOCAL, "http://gpu-box:9000/v1"),
        ("anthropic/claude-sonnet-4-20250514", None, LOCAL, None),  # not an OpenAI model
        ("hosted_vllm/Qwen/Qwen3-32B", "http://gpu-box:9000/v1/", None, "http://gpu-box:9000/v1"),
        ("openai:gpt-4o", None, "https://api.openai.com/v1/", None),  # OpenAI's own API
        ("openai:gpt-4o", None, "", None),
        ("oracle", None, LOCAL, None),
    ],
)
def test_the_base_url_comes_from_the_flag_or_openai_base_url(spec, given, environment, expected):
    assert api_base_for(spec, given, environment) == expected


def test_a_base_url_that_is_no_url_is_one_clear_error():
    with pytest.raises(UserError, match="OPENAI_BASE_URL 'localhost:8000'"):
        api_base_for("openai:x", None, "localhost:8000")
    with pytest.raises(UserError, match="--api-base 'gpu-box'"):
        api_base_for("openai:x", "gpu-box", None)


def test_missing_api_key_is_one_clear_error(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(UserError, match="OPENAI_API_KEY"):
        get_adapter("openai:gpt-4o", AdapterSettings())
    with pytest.raises(UserError, match="OPENAI_API_KEY"):
        get_adapter("gpt-4o", AdapterSettings())


def test_unknown_provider_and_serverless_self_hosted_model_are_refused():
    with pytest.raises(UserError, match="unknown model 'bogus/model'"):
        get_adapter("bogus/model", AdapterSettings())
    with pytest.raises(UserError, match="--api-base"):
        get_adapter("rtl-coder", AdapterSettings())


def test_a_local_server_needs_no_key(monkeypatch, fresh, spec_problem):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    for spec in ("openai:local", "openai/local"):
        adapter = get_adapter(spec, AdapterSettings(api_base=fresh.base_url, timeout_s=5))
        completion = asyncio.run(_complete_and_close(adapter, request_for(spec_problem)))
        assert completion.text.startswith("[BEGIN]")


# --- HTTP adapters through real HTTP ------------------------------------------------------


async def _complete_and_close(adapter, request):
    try:
        return await adapter.complete(request)
    finally:
        await adapter.aclose()


HTTP_SPECS = ["openai:gpt-4o", "openai/gpt-4o"]


@pytest.mark.parametrize("spec", HTTP_SPECS)
def test_http_adapter_sends_the_sampling_values_and_reads_the_answer(spec, fresh, spec_problem):
    sampling = SamplingConfig(n=3, temperature=0.7, top_p=0.9, max_tokens=333, seed=11, preset=None)
    adapter = get_adapter(spec, AdapterSettings(api_base=fresh.base_url, timeout_s=5))
    request = request_for(spec_problem, sample=2, sampling=sampling)
    completion = asyncio.run(_complete_and_close(adapter, request))
    [body] = fresh.requests
    assert fresh.paths == ["/v1/chat/completions"]
    assert body["model"] == "gpt-4o"
    assert body["messages"] == request.prompt.messages()
    assert (body["temperature"], body["top_p"], body["max_tokens"], body["seed"]) == (
        0.7,
        0.9,
        333,
        11,
    )
    assert completion.text == f"[BEGIN]\nmodule TopModule(); // {len(spec_problem.prompt)}\n" + (
        "endmodule\n[DONE]\n"
    )
    assert completion.finish_reason == "stop"
    assert completion.usage.completion_tokens == 7
    assert completion.usage.prompt_tokens == len(
        ("You write Verilog. " + spec_problem.prompt).split()
    )
    # gpt-4o has a public price, but this server is not OpenAI's: its price is unknown.
    assert completion.cost is None


@pytest.mark.parametrize("spec", HTTP_SPECS)
def test_a_server_of_ones_own_bills_only_at_the_prices_given(spec, fresh, spec_problem):
    prices = Prices(prompt=1e-6, completion=2e-6)
    settings = AdapterSettings(api_base=fresh.base_url, timeout_s=5, prices=prices)
    adapter = get_adapter(spec, settings)
    completion = asyncio.run(_complete_and_close(adapter, request_for(spec_problem)))
    usage = completion.usage
    assert completion.cost == pytest.approx(
        usage.prompt_tokens * 1e-6 + usage.completion_tokens * 2e-6
    )


@pytest.mark.parametrize("spec", HTTP_SPECS)
@pytest.mark.parametrize(
    ("fault", "transient", "message"),
    [
        (Fault(FaultKind.RATE_LIMIT, retry_after="7"), True, "429"),
        (Fault(FaultKind.SERVER_ERROR), True, "500"),
        (Fault(FaultKind.UNAVAILABLE), True, "503"),
        (Fault(FaultKind.MALFORMED), True, "(?i)json|unterminated"),
        (Fault(FaultKind.EMPTY_CHOICES), True, "no choices"),
        (Fault(FaultKind.BAD_REQUEST), False, "400"),
    ],
)
def test_http_adapter_sorts_server_faults(spec, fault, transient, message, fresh, spec_problem):
    fresh.add_faults([fault])
    adapter = get_adapter(spec, AdapterSettings(api_base=fresh.base_url, timeout_s=5))
    expected = TransientError if transient else PermanentError
    with pytest.raises(expected, match=message) as caught:
        asyncio.run(_complete_and_close(adapter, request_for(spec_problem)))
    if fault.retry_after:
        assert isinstance(caught.value, TransientError) and caught.value.retry_after == 7.0


@pytest.mark.parametrize("spec", HTTP_SPECS)
def test_http_adapter_times_out_on_a_hung_connection(spec, fresh, spec_problem):
    fresh.add_faults([Fault(FaultKind.HANG)])
    adapter = get_adapter(spec, AdapterSettings(api_base=fresh.base_url, timeout_s=0.3))
    with pytest.raises(TransientError):
        asyncio.run(_complete_and_close(adapter, request_for(spec_problem)))


def test_unknown_price_is_none_never_zero():
    usage = Usage(prompt_tokens=1000, completion_tokens=1000)
    assert map_prices("openai/my-local-finetune") is None
    assert map_prices("hosted_vllm/deepseek-ai/deepseek-coder-33b-instruct") is None
    # litellm prices Claude 4 at 0 without a map entry: the shipped map says unknown.
    assert map_prices("anthropic/claude-sonnet-4-20250514") is None
    gpt4o = map_prices("openai/gpt-4o")
    assert gpt4o is not None and gpt4o.cost(Usage()) is None
    assert gpt4o.cost(usage) == pytest.approx(1000 * 2.5e-6 + 1000 * 1e-5)
    assert map_prices("gpt-4o") == gpt4o
    # Any server but the provider's own is unpriced unless the user gives prices.
    assert run_prices("openai/gpt-4o", None, None) == gpt4o
    assert run_prices("openai/gpt-4o", "http://127.0.0.1:8000/v1", None) is None
    given = Prices(1e-7, 2e-7)
    assert run_prices("openai/gpt-4o", "http://127.0.0.1:8000/v1", given) == given


# --- oracle -------------------------------------------------------------------------------


def test_oracle_shapes_follow_task_and_style():
    reference = "module RefModule (\n  input a,\n  output b\n);\n  assign b = a;\nendmodule\n"
    spec = oracle_answer(reference, Task.SPEC_TO_RTL, "official-v2")
    assert spec == (
        "[BEGIN]\nmodule TopModule (\n  input a,\n  output b\n);\n  assign b = a;\n"
        "endmodule\n[DONE]\n"
    )
    complete = oracle_answer(reference, Task.CODE_COMPLETE, "official-v2")
    assert complete == "\n  assign b = a;\nendmodule\n"
    native = oracle_answer(reference, Task.CODE_COMPLETE, "native")
    assert native.startswith("```verilog\nmodule TopModule (") and native.endswith("```\n")


def test_oracle_header_may_carry_parameters():
    reference = "module RefModule #(parameter W = 4) (input [W-1:0] a);\nendmodule\n"
    assert oracle_answer(reference, Task.CODE_COMPLETE, "official-v2") == "\nendmodule\n"


@pytest.mark.parametrize("task", list(Task))
def test_oracle_answers_extract_cleanly_for_every_official_problem(official_root, task):
    """The official extraction keeps the whole reference and adds no warning comment."""
    for problem in load_dataset(official_root, task).problems:
        completion = asyncio.run(OracleAdapter().complete(request_for(problem)))
        code = extract(completion.text, problem, ExtractMode.OFFICIAL)
        body = problem.ref_path.read_text().split(");", 1)[1].strip()
        assert "VERILOG-EVAL" not in code, problem.name
        assert "module TopModule" in code and body in code, problem.name
        assert completion.cost == 0.0


@pytest.mark.icarus
@pytest.mark.parametrize("task", list(Task))
@pytest.mark.parametrize("style", ["official-v2", "native"])
def test_oracle_samples_pass_the_testbench(tmp_path, task, style):
    """oracle -> extraction -> iverilog (the official command line) -> no mismatches."""
    from verilogeval.grading.extract import default_mode

    for problem in load_dataset(None, task).problems[:4]:
        completion = asyncio.run(OracleAdapter().complete(request_for(problem, style=style)))
        sample = tmp_path / f"{problem.name}_{task}_{style}.sv"
        sample.write_text(extract(completion.text, problem, default_mode(style)))
        binary = sample.with_suffix(".vvp")
        assert problem.test_path is not None
        compile_argv = ["iverilog", "-Wall", "-Winfloop", "-Wno-timescale", "-g2012", "-s", "tb"]
        subprocess.run(
            [*compile_argv, "-o", binary, sample, problem.test_path, problem.ref_path],
            check=True,
            capture_output=True,
        )
        log = subprocess.run(["vvp", binary], capture_output=True, text=True, timeout=60).stdout
        assert "Mismatches: 0 in " in log, (problem.name, log[-500:])


# --- replay -------------------------------------------------------------------------------


def test_replay_from_jsonl_last_line_wins(tmp_path, spec_problem):
    path = tmp_path / "g.jsonl"
    lines = [
        {"problem": spec_problem.name, "sample": 1, "response": None, "error": "HTTP 500"},
        {"problem": spec_problem.name, "sample": 1, "response": "second"},
        {"problem": spec_problem.name, "sample": 2, "response": None, "error": "HTTP 429"},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    adapter = ReplayAdapter(path)
    assert asyncio.run(adapter.complete(request_for(spec_problem, 1))).text == "second"
    with pytest.raises(PermanentError, match="HTTP 429"):
        asyncio.run(adapter.complete(request_for(spec_problem, 2)))
    with pytest.raises(PermanentError, match=r"no response for .* sample 3"):
        asyncio.run(adapter.complete(request_for(spec_problem, 3)))


def test_replay_from_official_handoff_folder(tmp_path, spec_problem):
    folder = tmp_path / spec_problem.name
    folder.mkdir()
    (folder / f"{spec_problem.name}_sample02_response.txt").write_text("from disk\n")
    (folder / f"{spec_problem.name}_sample02_prompt.txt").write_text("ignored")
    adapter = get_adapter(f"replay:{tmp_path}", AdapterSettings())
    completion = asyncio.run(adapter.complete(request_for(spec_problem, 2)))
    assert completion.text == "from disk\n"
    assert completion.cost is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"problem": "P", "sample": 1, "response": "x"}\nnot json\n', "line 2: not a JSON line"),
        ('{"problem": "P", "sample": 1, "response": "x"}\n[1]\n', "line 2: expected a JSON object"),
        ('{"problem": "P", "response": "x"}\n', "line 1: needs 'problem'"),
        ('{"problem": "P", "sample": 1}\n', "line 1: no 'response'"),
        ("\n", "holds no responses"),
    ],
)
def test_replay_rejects_bad_input_naming_file_and_line(tmp_path, content, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    with pytest.raises(UserError, match=message):
        ReplayAdapter(path)
    assert path.read_text() == content  # an input file is never modified


def test_replay_of_a_missing_path_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        get_adapter(f"replay:{tmp_path / 'nope.jsonl'}", AdapterSettings())
