"""Regenerate model_map.json from the installed litellm's model map.

    python -m verilogeval.generation.models.refresh_model_map      # then commit model_map.json

litellm ships its map (model_prices_and_context_window.json, about 3.5 MB); this keeps
its chat models and the fields verilogeval reads (see model_map.py), and asks litellm
itself which of the parameters a run can send it passes on for each model. The targets
of verilogeval's aliases that litellm describes without a map entry (it knows Claude 4
from its name) are added as litellm describes them, without a price (litellm says 0).
Run it after upgrading litellm: prices and new models arrive that way, never at run time.
"""

from __future__ import annotations

import json
import os
import sys
from importlib import metadata
from typing import Any

from verilogeval.generation.models.model_map import ASKABLE_PARAMS, MAP_FILE
from verilogeval.generation.models.registry import ALIASES

_MODES = {"chat", "responses"}  # the entries a chat-completion client can use


def build() -> dict[str, Any]:
    os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"  # the installed map, no download
    import litellm

    param_sets: list[list[str]] = []
    models: dict[str, Any] = {}

    def add(name: str, provider: str, info: dict[str, Any], priced: bool) -> None:
        full = name if name.startswith(provider + "/") else f"{provider}/{name}"
        try:
            supported = litellm.get_supported_openai_params(
                model=full, custom_llm_provider=provider
            )
        except Exception:  # litellm raises several types for a provider it cannot configure
            supported = None
        params = sorted(set(supported or ()) & set(ASKABLE_PARAMS))
        if params not in param_sets:
            param_sets.append(params)
        fields = {
            "provider": provider,
            "reasoning": bool(info.get("supports_reasoning")) or None,
            "max_output_tokens": info.get("max_output_tokens"),
            "input_cost_per_token": info.get("input_cost_per_token") if priced else None,
            "output_cost_per_token": info.get("output_cost_per_token") if priced else None,
            "params": param_sets.index(params),
        }
        models[name] = {key: value for key, value in fields.items() if value is not None}

    for name, info in sorted(litellm.model_cost.items()):
        provider = info.get("litellm_provider")
        if info.get("mode") in _MODES and isinstance(provider, str):
            add(name, provider, info, priced=True)
    for alias in ALIASES.values():
        bare = alias.target.partition("/")[2]
        if alias.target in models or bare in models:
            continue
        try:
            info = dict(litellm.get_model_info(alias.target))
        except Exception:  # not known to litellm at all: stays unknown
            continue
        add(alias.target, str(info["litellm_provider"]), info, priced=False)
    return {
        "source": f"litellm {metadata.version('litellm')}",
        "providers": sorted(getattr(p, "value", p) for p in litellm.provider_list),
        "param_sets": param_sets,
        "models": models,
    }


def dump(data: dict[str, Any]) -> str:
    """One model per line, so a refresh reads as a diff of the models that changed."""
    head = {key: value for key, value in data.items() if key != "models"}
    lines = [json.dumps(head)[:-1] + ', "models": {']
    entries = [f"  {json.dumps(name)}: {json.dumps(f)}" for name, f in data["models"].items()]
    lines.append(",\n".join(entries))
    lines.append("}}")
    return "\n".join(lines) + "\n"


def main() -> int:
    data = build()
    MAP_FILE.write_text(dump(data), encoding="utf-8")
    print(f"{MAP_FILE}: {len(data['models'])} models from {data['source']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
