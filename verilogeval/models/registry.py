"""The explicit registry of adapters and model aliases, and the one lookup function.

A model spec on the command line is one of:
  ALIAS                 a model of the paper, e.g. gpt-4o (see ALIASES)
  oracle                the reference solutions, shaped as answers
  replay:PATH           responses from a JSONL file or an official hand-off folder
  openai:NAME           the openai SDK (with --api-base for any OpenAI-compatible server)
  litellm:PROVIDER/NAME litellm; the prefix may be left out: openai/gpt-4o, ollama/llama3
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from verilogeval.errors import UserError
from verilogeval.models.base import AdapterSettings, ModelAdapter


def _oracle(argument: str, settings: AdapterSettings) -> ModelAdapter:
    from verilogeval.models.oracle import OracleAdapter

    return OracleAdapter()


def _replay(argument: str, settings: AdapterSettings) -> ModelAdapter:
    from verilogeval.models.replay import ReplayAdapter

    return ReplayAdapter(Path(argument))


def _openai(argument: str, settings: AdapterSettings) -> ModelAdapter:
    from verilogeval.models.openai_adapter import OpenAIAdapter

    return OpenAIAdapter(argument, settings)


def _litellm(argument: str, settings: AdapterSettings) -> ModelAdapter:
    from verilogeval.models.litellm_adapter import LiteLLMAdapter

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

# The models evaluated in "Revisiting VerilogEval" (Pinckney et al., 2024), as litellm
# strings. Llama, Mistral and CodeGemma were served by NVIDIA NIM, as in the official
# sv-generate; the DeepSeek Coder and RTL-Coder models run on a server of your own.
ALIASES: dict[str, str] = {
    "gpt-4o": "openai/gpt-4o-2024-05-13",
    "gpt-4-turbo": "openai/gpt-4-turbo-2024-04-09",
    "gpt-4": "openai/gpt-4-0613",
    "gpt-3.5-turbo": "openai/gpt-3.5-turbo-0125",
    "claude-3.5-sonnet": "anthropic/claude-3-5-sonnet-20240620",
    "llama3.1-405b": "nvidia_nim/meta/llama-3.1-405b-instruct",
    "llama3.1-70b": "nvidia_nim/meta/llama-3.1-70b-instruct",
    "llama3.1-8b": "nvidia_nim/meta/llama-3.1-8b-instruct",
    "llama3-70b": "nvidia_nim/meta/llama3-70b-instruct",
    "mistral-large": "nvidia_nim/mistralai/mistral-large",
    "codegemma-7b": "nvidia_nim/google/codegemma-7b",
    "deepseek-coder-33b": "hosted_vllm/deepseek-ai/deepseek-coder-33b-instruct",
    "deepseek-coder-6.7b": "hosted_vllm/deepseek-ai/deepseek-coder-6.7b-instruct",
    "rtl-coder": "hosted_vllm/ishorn5/RTLCoder-Deepseek-v1.1",
}


def resolve(spec: str) -> tuple[str, str]:
    """(adapter name, its argument) for a model spec; UserError when it names nothing."""
    spec = ALIASES.get(spec, spec)
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


def get_adapter(spec: str, settings: AdapterSettings) -> ModelAdapter:
    """The adapter a model spec names, ready to use (keys and model checked)."""
    name, argument = resolve(spec)
    return ADAPTERS[name].factory(argument, settings)
