"""Prices from litellm's model map: known price -> USD, unknown price -> None (never 0)."""

from __future__ import annotations

import os
from types import ModuleType

from verilogeval.records import Usage


def load_litellm() -> ModuleType:
    """litellm, quiet and with its bundled price map.

    Left alone, litellm downloads its price map at import time (seconds of stalling
    without network, and prices that change under a run); the bundled map is pinned by
    the installed version, which run.json records.
    """
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    litellm.suppress_debug_info = True
    return litellm


def cost_usd(model: str, usage: Usage) -> float | None:
    """Cost of one answer of `model` (a litellm model string), or None when not priced."""
    if usage.prompt_tokens is None or usage.completion_tokens is None:
        return None
    litellm = load_litellm()
    try:
        prompt_cost, completion_cost = litellm.cost_per_token(
            model=model,
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
        )
    except Exception:  # litellm raises several types for "not in the price map"
        return None
    return prompt_cost + completion_cost
