"""What the model map knows of a model: does it reason, what does it accept.

The map is litellm's, shipped inside verilogeval as model_map.json (models/model_map.py):
read in milliseconds, pinned until refreshed, and no litellm import on the `openai:`
path. A name it does not know gets no up-front rule: its server's first refusal teaches
the run instead (models/params.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from verilogeval.generation.models.base import SamplingConfig
from verilogeval.generation.models.model_map import model_map
from verilogeval.generation.models.params import Action, Adjustment, ParameterPolicy, asked_params
from verilogeval.runfolder.settings import RequestSettings

# Output budget of a reasoning model whose own maximum the map does not know: thinking
# takes thousands of tokens before the first line of the answer, so 1024 would truncate.
REASONING_MAX_TOKENS = 32768


@dataclass(frozen=True)
class ModelFacts:
    """One model, as the model map describes it."""

    model: str  # the litellm string looked up, e.g. "openai/o3"
    provider: str | None  # litellm's provider name; None when the map cannot tell
    known: bool  # the map has the model
    reasoning: bool
    max_output_tokens: int | None
    supported: frozenset[str]  # of the parameters a run asks for, those litellm passes on

    def output_budget(self) -> int:
        """max_tokens by default for a reasoning model: its own maximum, or a large one."""
        return self.max_output_tokens or REASONING_MAX_TOKENS


def model_facts(model: str) -> ModelFacts:
    """What the map knows of `model` (a litellm string); an unknown model gets known=False."""
    known_models = model_map()
    provider = known_models.provider(model)
    entry = known_models.entry(model)
    if entry is None:
        return ModelFacts(model, provider, False, False, None, frozenset())
    return ModelFacts(
        model=model,
        provider=provider,
        known=True,
        reasoning=entry.reasoning,
        max_output_tokens=entry.max_output_tokens,
        supported=entry.params,
    )


def initial_adjustments(facts: ModelFacts, asked: dict[str, Any]) -> list[Adjustment]:
    """The changes a known model needs before its first request; none for an unknown one."""
    if not facts.known:
        return []
    adjustments: list[Adjustment] = []
    if facts.provider == "openai" and facts.reasoning:
        fixed = f"{facts.model} is an OpenAI reasoning model: fixed temperature (model map)"
        adjustments += [
            Adjustment("temperature", Action.DROP, fixed),
            Adjustment("top_p", Action.DROP, fixed),
            Adjustment(
                "max_tokens",
                Action.RENAME,
                f"{facts.model} is an OpenAI reasoning model: it takes max_completion_tokens",
                renamed_to="max_completion_tokens",
            ),
        ]
    elif facts.provider == "anthropic" and ("thinking" in asked or "reasoning_effort" in asked):
        thinking = "Anthropic's extended thinking takes no temperature or top_p"
        adjustments += [
            Adjustment("temperature", Action.DROP, thinking),
            Adjustment("top_p", Action.DROP, thinking),
        ]
    handled = {adjustment.parameter for adjustment in adjustments}
    adjustments += [
        Adjustment(name, Action.DROP, f"litellm does not pass {name} to {facts.model}")
        for name in asked
        if name not in handled and name not in facts.supported
    ]
    return adjustments


class ModelParameters:
    """One model's parameter policy for one run, started from what the map knows of it.

    The policy is made at the first request, from the parameters the run asks for (every
    request of a run asks for the same ones); from then on it only learns.
    """

    def __init__(self, facts: ModelFacts) -> None:
        self.facts = facts
        self._policy: ParameterPolicy | None = None
        self._learned_before: list[Adjustment] = []

    def resume(self, record: RequestSettings | None) -> None:
        """Start from the adjustments an earlier session learned (run.json's `request`);
        a record that does not read back is ignored: the server teaches the run again."""
        try:
            self._learned_before = [
                Adjustment(
                    parameter=str(item["parameter"]),
                    action=Action(item["action"]),
                    reason=str(item["reason"]),
                    renamed_to=item.get("renamed_to"),
                    learned=True,
                )
                for item in (() if record is None else record.adjustments)
                if item.get("learned")
            ]
        except (AttributeError, KeyError, TypeError, ValueError):
            self._learned_before = []

    def policy(self, asked: dict[str, Any]) -> ParameterPolicy:
        if self._policy is None:
            initial = initial_adjustments(self.facts, asked)
            self._policy = ParameterPolicy(initial + self._learned_before)
        return self._policy

    def record(self, sampling: SamplingConfig) -> RequestSettings:
        asked = asked_params(sampling)
        return replace(self.policy(asked).record(asked), model_map=self.facts.known)
