"""The one interface every model adapter implements, and the records it speaks in.

An adapter turns one `Request` (a problem's prompt, the sampling settings and the sample
index) into one `Completion`, or raises `TransientError` (worth retrying: 429, 5xx,
timeouts, dropped connections, garbled answers) or `PermanentError` (retrying cannot help).
Retries, concurrency, rate limits and caching belong to the engine, not to adapters.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import StrEnum

from verilogeval.generation.models.pricing import Prices
from verilogeval.records import Problem, Prompt, Usage
from verilogeval.runfolder.settings import RequestSettings


class Preset(StrEnum):
    """The two settings of the paper *Revisiting VerilogEval*."""

    GREEDY = "greedy"
    SAMPLING = "sampling"


class ReasoningEffort(StrEnum):
    """How hard a reasoning model thinks, in OpenAI's words (litellm maps it per provider)."""

    MINIMAL = "minimal"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True)
class SamplingConfig:
    """The sampling values a run asks for (they go into run.json and the run's identity).

    What is actually sent can differ: a model that refuses a parameter does not get it
    (see models/params.py), and run.json records both.
    """

    n: int  # samples per problem
    temperature: float
    top_p: float
    max_tokens: int  # output budget, thinking included
    seed: int | None
    preset: Preset | None  # the preset the values started from; flags may override some
    reasoning_effort: ReasoningEffort | None = None  # None: the provider's default
    thinking_budget: int | None = None  # tokens of thinking (Anthropic, Gemini, ...)


# The official repository's sv-generate defaults to T=0.8 in its argument parser but says 0.85
# in its help text; the paper's sampling setting is T=0.8, top_p=0.95, n=20.
PRESETS: dict[Preset, SamplingConfig] = {
    Preset.GREEDY: SamplingConfig(
        n=1, temperature=0.0, top_p=0.01, max_tokens=1024, seed=None, preset=Preset.GREEDY
    ),
    Preset.SAMPLING: SamplingConfig(
        n=20, temperature=0.8, top_p=0.95, max_tokens=1024, seed=None, preset=Preset.SAMPLING
    ),
}


# OpenAI's own API: where an OpenAI model's requests go when no other base URL is given.
OPENAI_API_BASE = "https://api.openai.com/v1"


@dataclass(frozen=True)
class AdapterSettings:
    """What an adapter needs from the command line besides the model name."""

    # The server's base URL (vLLM, llama.cpp, NIM, ...): --api-base, else OPENAI_BASE_URL
    # for a model that talks to OpenAI (read once, by the CLI); None: the provider's own API.
    # Part of the run's identity and of the answer cache key.
    api_base: str | None = None
    timeout_s: float = 120.0  # per request; the engine enforces it too
    prices: Prices | None = None  # --prices; None: the map's, for the provider's own API only


@dataclass(frozen=True)
class Request:
    """One sample to generate: everything an adapter (or the oracle) may look at."""

    problem: Problem
    prompt: Prompt
    sample: int  # from 1
    sampling: SamplingConfig
    # A repair round's messages after the prompt's: the model's answers and the feedback
    # on them, alternating (verilogeval.orchestration.repair); empty for a first answer.
    conversation: tuple[tuple[str, str], ...] = ()  # (role, content)
    # The repair round it asks for (0: a first answer). Two rounds can send the very same
    # messages (`--history last`, a model that repeats itself): each is a sample of its own.
    round: int = 0

    def messages(self) -> list[dict[str, str]]:
        """The chat messages sent: the prompt's, then the conversation's."""
        return self.prompt.messages() + [
            {"role": role, "content": content} for role, content in self.conversation
        ]


@dataclass(frozen=True)
class Completion:
    """One successful answer of a model."""

    text: str
    usage: Usage
    finish_reason: str | None
    model: str  # the model that answered, as the server named it
    cost: float | None  # USD; None when the price is unknown
    reasoning: str | None = None  # the provider's separate thinking field, if it has one


class TransientError(Exception):
    """A failure a later attempt may not meet; `retry_after` is the server's wish, if any."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(Exception):
    """A failure every attempt would meet (bad request, bad key, no replayed response)."""


class ModelAdapter(ABC):
    """Answers requests for one model.

    Construct through `verilogeval.generation.models.get_adapter`.
    """

    identity: str  # "adapter:model", part of the cache key
    api_base: str | None = None  # the server's base URL, part of the cache key; None: the default
    cacheable: bool = True  # offline adapters answer instantly and are never cached

    @abstractmethod
    async def complete(self, request: Request) -> Completion:
        """One answer, or TransientError / PermanentError."""

    def request_record(self, sampling: SamplingConfig) -> RequestSettings | None:
        """What run.json records of the request parameters: asked for, sent, and why they
        differ (see models/params.py); None for adapters that send no request."""
        return None

    def resume_request(self, record: RequestSettings | None) -> None:  # noqa: B027
        """Take back what an earlier session of the run learned (its request_record), so a
        resumed run does not meet the same refusals again; nothing to do for offline ones."""

    async def aclose(self) -> None:  # noqa: B027 - adapters without connections need nothing
        """Release connections; called once when the engine is done."""
