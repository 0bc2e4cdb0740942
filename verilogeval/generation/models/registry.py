"""The explicit registry of adapters and model aliases, and the one lookup function.

A model spec on the command line is one of:
  ALIAS                 a model of the paper or a current one, e.g. gpt-4o, o3 (see ALIASES)
  oracle                the reference solutions, shaped as answers
  replay:PATH           responses from a JSONL file or an official hand-off folder
  openai:NAME           the openai SDK (with --api-base for any OpenAI-compatible server)
  litellm:PROVIDER/NAME litellm; the prefix may be left out: openai/gpt-4o, ollama/llama3
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from verilogeval.errors import UserError
from verilogeval.generation.models.base import (
    OPENAI_API_BASE,
    AdapterSettings,
    ModelAdapter,
    ReasoningEffort,
    SamplingConfig,
)


def _oracle(argument: str, settings: AdapterSettings) -> ModelAdapter:
    from verilogeval.generation.models.oracle import OracleAdapter

    return OracleAdapter()


def _replay(argument: str, settings: AdapterSettings) -> ModelAdapter:
    from verilogeval.generation.models.replay import ReplayAdapter

    return ReplayAdapter(Path(argument))


def _openai(argument: str, settings: AdapterSettings) -> ModelAdapter:
    from verilogeval.generation.models.openai_adapter import OpenAIAdapter

    return OpenAIAdapter(argument, settings)


def _litellm(argument: str, settings: AdapterSettings) -> ModelAdapter:
    from verilogeval.generation.models.litellm_adapter import LiteLLMAdapter

    return LiteLLMAdapter(argument, settings)


@dataclass(frozen=True)
class AdapterEntry:
    factory: Callable[[str, AdapterSettings], ModelAdapter]
    argument: str | None  # what follows "name:" (None: the adapter takes nothing)
    help: str


ADAPTERS: dict[str, AdapterEntry] = {
    "litellm": AdapterEntry(
        _litellm, "PROVIDER/MODEL", "any provider litellm knows; keys from its usual env vars"
    ),
    "openai": AdapterEntry(
        _openai, "MODEL", "openai SDK; OPENAI_API_KEY, or --api-base for a compatible server"
    ),
    "oracle": AdapterEntry(_oracle, None, "answers with the reference solution (sanity check)"),
    "replay": AdapterEntry(
        _replay, "PATH", "responses from JSONL {problem,sample,response} or *_response.txt"
    ),
}


@dataclass(frozen=True)
class Alias:
    """A short name for a model, with the settings it needs by default."""

    target: str  # a litellm string
    note: str = ""
    reasoning: bool = False  # thinks before answering, even where litellm's map does not know it
    reasoning_effort: ReasoningEffort | None = None  # default for --reasoning-effort
    thinking_budget: int | None = None  # default for --thinking-budget


# The models evaluated in "Revisiting VerilogEval" (Pinckney et al., 2024), as litellm
# strings. Llama, Mistral and CodeGemma were served by NVIDIA NIM, as in the official
# sv-generate; the DeepSeek Coder and RTL-Coder models run on a server of your own.
_PAPER = "Revisiting VerilogEval"
_OWN_SERVER = "your server (--api-base), e.g. vLLM with its reasoning parser"
ALIASES: dict[str, Alias] = {
    "gpt-4o": Alias("openai/gpt-4o-2024-05-13", _PAPER),
    "gpt-4-turbo": Alias("openai/gpt-4-turbo-2024-04-09", _PAPER),
    "gpt-4": Alias("openai/gpt-4-0613", _PAPER),
    "gpt-3.5-turbo": Alias("openai/gpt-3.5-turbo-0125", _PAPER),
    "claude-3.5-sonnet": Alias("anthropic/claude-3-5-sonnet-20240620", _PAPER),
    "llama3.1-405b": Alias("nvidia_nim/meta/llama-3.1-405b-instruct", _PAPER),
    "llama3.1-70b": Alias("nvidia_nim/meta/llama-3.1-70b-instruct", _PAPER),
    "llama3.1-8b": Alias("nvidia_nim/meta/llama-3.1-8b-instruct", _PAPER),
    "llama3-70b": Alias("nvidia_nim/meta/llama3-70b-instruct", _PAPER),
    "mistral-large": Alias("nvidia_nim/mistralai/mistral-large", _PAPER),
    "codegemma-7b": Alias("nvidia_nim/google/codegemma-7b", _PAPER),
    "deepseek-coder-33b": Alias("hosted_vllm/deepseek-ai/deepseek-coder-33b-instruct", _PAPER),
    "deepseek-coder-6.7b": Alias("hosted_vllm/deepseek-ai/deepseek-coder-6.7b-instruct", _PAPER),
    "rtl-coder": Alias("hosted_vllm/ishorn5/RTLCoder-Deepseek-v1.1", _PAPER),
    # Reasoning models. OpenAI's take no temperature or top_p (fixed by the provider) and
    # think at the provider's default effort unless --reasoning-effort says otherwise.
    "o3": Alias("openai/o3", "OpenAI reasoning"),
    "o4-mini": Alias("openai/o4-mini", "OpenAI reasoning"),
    "gpt-5": Alias("openai/gpt-5", "OpenAI reasoning"),
    "gpt-5-mini": Alias("openai/gpt-5-mini", "OpenAI reasoning"),
    "claude-sonnet-4": Alias("anthropic/claude-sonnet-4-20250514", "no extended thinking"),
    "claude-sonnet-4-thinking": Alias(
        "anthropic/claude-sonnet-4-20250514", "extended thinking", thinking_budget=16000
    ),
    "claude-opus-4.1-thinking": Alias(
        "anthropic/claude-opus-4-1-20250805", "extended thinking", thinking_budget=16000
    ),
    "deepseek-r1": Alias("deepseek/deepseek-reasoner", "DeepSeek's API", reasoning=True),
    "deepseek-r1-distill-qwen-32b": Alias(
        "hosted_vllm/deepseek-ai/DeepSeek-R1-Distill-Qwen-32B", _OWN_SERVER, reasoning=True
    ),
    "qwen3-32b": Alias("hosted_vllm/Qwen/Qwen3-32B", _OWN_SERVER, reasoning=True),
    "gpt-oss-120b": Alias("hosted_vllm/openai/gpt-oss-120b", _OWN_SERVER, reasoning=True),
    "gpt-oss-20b": Alias("hosted_vllm/openai/gpt-oss-20b", _OWN_SERVER, reasoning=True),
    "glm-4.5": Alias("hosted_vllm/zai-org/GLM-4.5", _OWN_SERVER, reasoning=True),
}


def resolve(spec: str) -> tuple[str, str]:
    """(adapter name, its argument) for a model spec; UserError when it names nothing."""
    if spec in ALIASES:
        spec = ALIASES[spec].target
    name, colon, argument = spec.partition(":")
    if name in ADAPTERS:
        entry = ADAPTERS[name]
        if entry.argument is None:
            if colon:
                raise UserError(f"model {spec!r}: {name} takes no argument")
            return name, ""
        if not argument:
            raise UserError(f"model {spec!r}: write it as {name}:{entry.argument}")
        return name, argument
    if "/" in spec:  # provider/model, possibly with a tag (ollama/llama3:8b)
        return "litellm", spec
    raise UserError(
        f"unknown model {spec!r}: use an alias, oracle, replay:PATH, openai:NAME or a "
        "litellm provider/model string (see 'verilogeval models')"
    )


def api_base_for(spec: str, given: str | None, openai_base_url: str | None) -> str | None:
    """The base URL a model's requests go to: `given` (--api-base), else, for a model that
    talks to OpenAI (`openai:NAME`, litellm's `openai/...`), `openai_base_url` (the
    OPENAI_BASE_URL the client libraries would read on their own). None: the provider's
    own API. One spelling per server (no trailing slash), since it keys the answer cache.
    """
    name, argument = resolve(spec)
    source = "--api-base"
    if given is None and _talks_to_openai(name, argument):
        given, source = openai_base_url or None, "OPENAI_BASE_URL"
    if given is None:
        return None
    url = given.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise UserError(f"{source} {given!r}: not an http:// or https:// URL")
    return None if url == OPENAI_API_BASE else url


def _talks_to_openai(adapter: str, argument: str) -> bool:
    from verilogeval.generation.models.model_map import model_map

    return adapter == "openai" or (
        adapter == "litellm" and model_map().provider(argument) == "openai"
    )


def get_adapter(spec: str, settings: AdapterSettings) -> ModelAdapter:
    """The adapter a model spec names, ready to use (keys and model checked)."""
    name, argument = resolve(spec)
    return ADAPTERS[name].factory(argument, settings)


def with_model_defaults(
    sampling: SamplingConfig, spec: str, *, max_tokens_given: bool
) -> SamplingConfig:
    """`sampling` completed with what the model needs: its alias's reasoning settings where
    the flags set none, and an output budget with room to think for a reasoning model
    (its own maximum from litellm's map, else REASONING_MAX_TOKENS) unless --max-tokens
    was given. UserError for a thinking budget the model cannot take."""
    from verilogeval.generation.models.capabilities import model_facts

    alias = ALIASES.get(spec, Alias(spec))
    name, argument = resolve(spec)
    sampling = replace(
        sampling,
        reasoning_effort=sampling.reasoning_effort or alias.reasoning_effort,
        thinking_budget=sampling.thinking_budget or alias.thinking_budget,
    )
    if name not in ("litellm", "openai"):  # oracle and replay send nothing
        return sampling
    facts = model_facts(argument if name == "litellm" else f"openai/{argument}")
    reasoning = alias.reasoning or facts.reasoning
    asked_to_think = sampling.reasoning_effort is not None or sampling.thinking_budget is not None
    if not max_tokens_given and (reasoning or asked_to_think):
        # A reasoning model thinks first: 1024 tokens would end it before the answer.
        sampling = replace(sampling, max_tokens=facts.output_budget())
    budget = sampling.thinking_budget
    if budget is not None and not 0 < budget < sampling.max_tokens:
        raise UserError(
            f"--thinking-budget must be positive and below --max-tokens ({sampling.max_tokens}), "
            f"which holds the thinking and the answer (got {budget})"
        )
    if budget is not None and facts.known and "thinking" not in facts.supported:
        raise UserError(
            f"model {spec} takes no thinking budget (litellm's model map); use --reasoning-effort"
        )
    return sampling
