"""What an answer cost: known price -> USD, unknown price -> None (never 0).

Prices come from the model map (model_map.json, from litellm's map) for a provider's own
API. A server at another base URL (`--api-base`, or OPENAI_BASE_URL) serves whatever it
likes under a public model name, so its price is unknown unless the user gives one
(`--prices`): a local model is never billed at the public model's price.
"""

from __future__ import annotations

from dataclasses import dataclass

from verilogeval.generation.models.model_map import model_map
from verilogeval.records import Usage


@dataclass(frozen=True)
class Prices:
    """USD per token, prompt and completion (reasoning tokens are completion tokens)."""

    prompt: float
    completion: float

    def cost(self, usage: Usage) -> float | None:
        if usage.prompt_tokens is None or usage.completion_tokens is None:
            return None
        return usage.prompt_tokens * self.prompt + usage.completion_tokens * self.completion


def map_prices(model: str) -> Prices | None:
    """The map's prices of `model` (a litellm model string), None when it has none."""
    entry = model_map().entry(model)
    if entry is None or entry.input_cost_per_token is None:
        return None
    if entry.output_cost_per_token is None:
        return None
    return Prices(entry.input_cost_per_token, entry.output_cost_per_token)


def run_prices(model: str, api_base: str | None, given: Prices | None) -> Prices | None:
    """The prices a run bills at: the user's, else the map's for the provider's own API,
    else none (any other server's price is unknown)."""
    if given is not None:
        return given
    return map_prices(model) if api_base is None else None
