"""The model map: what each known model is (provider, reasoning, output budget, prices,
parameters), read from model_map.json beside this module, without importing litellm.

model_map.json is generated from litellm's model_prices_and_context_window.json by
`python -m verilogeval.generation.models.refresh_model_map` (it needs litellm, and records the
litellm version it came from). Only the chat models and the fields verilogeval reads are
kept; `params` is the subset of the parameters a run can ask for (models/params.py) that
litellm passes on for the model. Importing litellm takes seconds; reading this file takes
milliseconds, so the `openai:`, oracle and replay paths never import litellm.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

MAP_FILE = Path(__file__).with_name("model_map.json")
# The parameters a run can ask for (models/params.asked_params): the only ones the map keeps.
ASKABLE_PARAMS = ("max_tokens", "reasoning_effort", "seed", "temperature", "thinking", "top_p")


@dataclass(frozen=True)
class MapEntry:
    """One model of the map."""

    provider: str
    reasoning: bool
    max_output_tokens: int | None
    input_cost_per_token: float | None  # USD; None: no price known
    output_cost_per_token: float | None
    params: frozenset[str]  # of ASKABLE_PARAMS, those litellm passes on for this model


@dataclass(frozen=True)
class ModelMap:
    source: str  # where the map came from, e.g. "litellm 1.110.2"
    providers: frozenset[str]  # litellm's provider names (the prefixes of its model strings)
    models: dict[str, MapEntry]

    def provider(self, model: str) -> str | None:
        """The provider a litellm model string names: its prefix, or its entry's provider."""
        prefix, slash, _ = model.partition("/")
        if slash and prefix in self.providers:
            return prefix
        entry = self.models.get(model)
        return entry.provider if entry else None

    def entry(self, model: str) -> MapEntry | None:
        """The entry of a litellm model string (`openai/o3` is the map's `o3`), or None."""
        provider = self.provider(model)
        if provider is None:
            return None
        candidates = [model]
        if model.startswith(provider + "/"):
            candidates.append(model[len(provider) + 1 :])
        for candidate in candidates:
            entry = self.models.get(candidate)
            if entry is not None and entry.provider == provider:
                return entry
        return None


@cache
def model_map() -> ModelMap:
    """The shipped map, read once per process."""
    data = json.loads(MAP_FILE.read_text(encoding="utf-8"))
    param_sets = [frozenset(params) for params in data["param_sets"]]
    return ModelMap(
        source=data["source"],
        providers=frozenset(data["providers"]),
        models={name: _entry(fields, param_sets) for name, fields in data["models"].items()},
    )


def _entry(fields: dict[str, Any], param_sets: list[frozenset[str]]) -> MapEntry:
    return MapEntry(
        provider=fields["provider"],
        reasoning=bool(fields.get("reasoning")),
        max_output_tokens=fields.get("max_output_tokens"),
        input_cost_per_token=fields.get("input_cost_per_token"),
        output_cost_per_token=fields.get("output_cost_per_token"),
        params=param_sets[fields["params"]],
    )
