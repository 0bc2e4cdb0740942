"""The request parameters of a run: what its settings ask for, and what the model gets.

A model that refuses a parameter does not get it. Two sources say what it refuses:
litellm's offline model map, for the names it knows (decided before the first request,
see models/capabilities.py), and, for a name nobody knows, the server itself: the first
400 that names a parameter (`Unsupported parameter: 'top_p'`) changes it for the rest of
the run. Either way the change holds for every request of the run and run.json records it
beside what was asked, so no request is ever quietly sent something else.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any, TypeVar

from verilogeval.generation.models.base import PermanentError, SamplingConfig
from verilogeval.generation.models.openai_errors import translate_error
from verilogeval.runfolder.settings import RequestSettings

T = TypeVar("T")


class Action(StrEnum):
    DROP = "drop"  # leave the parameter out: the provider's own default applies
    RENAME = "rename"  # send its value under another name (max_tokens -> max_completion_tokens)


@dataclass(frozen=True)
class Adjustment:
    """One change to every request of a run, and where it came from."""

    parameter: str
    action: Action
    reason: str  # the model map's rule, or the server's own words
    renamed_to: str | None = None
    learned: bool = False  # True: from a 400 during the run; False: from the model map


def asked_params(sampling: SamplingConfig) -> dict[str, Any]:
    """The request parameters a run's settings ask for, under OpenAI's names."""
    params: dict[str, Any] = {
        "temperature": sampling.temperature,
        "top_p": sampling.top_p,
        "max_tokens": sampling.max_tokens,
    }
    if sampling.seed is not None:
        params["seed"] = sampling.seed
    if sampling.reasoning_effort is not None:
        params["reasoning_effort"] = str(sampling.reasoning_effort)
    if sampling.thinking_budget is not None:
        # Anthropic's form, which litellm translates for the providers that think on a budget.
        params["thinking"] = {"type": "enabled", "budget_tokens": sampling.thinking_budget}
    return params


# How servers name a parameter they refuse (OpenAI's API and litellm's own check).
_REFUSALS = (
    re.compile(r"Unsupported parameter: '(?P<name>\w+)'(?:.*?Use '(?P<instead>\w+)' instead)?"),
    re.compile(r"Unsupported value: '(?P<name>\w+)'"),
)
_LITELLM_REFUSAL = re.compile(r"does not support parameters: \[(?P<names>[^\]]*)\]")


def refused_parameters(message: str) -> list[tuple[str, str | None]]:
    """(parameter, the name to use instead or None) for each parameter `message` refuses."""
    refused = [
        (match["name"], match["instead"] if "instead" in pattern.groupindex else None)
        for pattern in _REFUSALS
        for match in pattern.finditer(message)
    ]
    for match in _LITELLM_REFUSAL.finditer(message):
        refused += [(name, None) for name in re.findall(r"'(\w+)'", match["names"])]
    return refused


class ParameterPolicy:
    """The adjustments every request of one run gets; grows by what the server refuses.

    One policy per adapter, so per run. The engine runs requests as tasks of one event
    loop, so learning needs no lock: nothing awaits between reading and extending the list.
    """

    def __init__(self, adjustments: list[Adjustment]) -> None:
        self._adjustments = list(adjustments)

    @property
    def adjustments(self) -> tuple[Adjustment, ...]:
        return tuple(self._adjustments)

    def apply(self, asked: dict[str, Any]) -> dict[str, Any]:
        """The parameters to send for `asked`."""
        sent = dict(asked)
        for adjustment in self._adjustments:
            if adjustment.parameter not in sent:
                continue
            value = sent.pop(adjustment.parameter)
            if adjustment.action is Action.RENAME and adjustment.renamed_to is not None:
                sent[adjustment.renamed_to] = value
        return sent

    def learn(self, message: str, sent: dict[str, Any]) -> bool:
        """Take in a refusal of a parameter that was sent; True when a retry will differ.

        A request that sent a parameter another request has just learned about is told
        to retry too, with the policy as it is now.
        """
        retry = False
        for name, instead in refused_parameters(message):
            if name not in sent:
                continue
            retry = True
            if any(adjustment.parameter == name for adjustment in self._adjustments):
                continue
            self._adjustments.append(
                Adjustment(
                    parameter=name,
                    action=Action.RENAME if instead else Action.DROP,
                    renamed_to=instead,
                    reason=message[:300],
                    learned=True,
                )
            )
        return retry

    def record(self, asked: dict[str, Any]) -> RequestSettings:
        """run.json's `request`: what the settings asked, what was sent, and why they differ."""
        return RequestSettings(
            asked=asked,
            sent=self.apply(asked),
            adjustments=tuple(
                {key: str(value) if key == "action" else value for key, value in asdict(a).items()}
                for a in self._adjustments
            ),
        )


async def send_adjusting(
    policy: ParameterPolicy,
    asked: dict[str, Any],
    send: Callable[[dict[str, Any]], Awaitable[T]],
    server: str,
) -> T:
    """`send(parameters)` with the policy applied, learning from a refusal that names one.

    Any other error comes back translated (TransientError or PermanentError; `server`
    names where the requests go), as the engine expects. Each retry sends one parameter
    fewer, so this ends.
    """
    while True:
        sent = policy.apply(asked)
        try:
            return await send(sent)
        except Exception as error:
            translated = translate_error(error, server)
            if isinstance(translated, PermanentError) and policy.learn(str(error), sent):
                continue
            raise translated from error


def learned_warnings(request: RequestSettings | None) -> list[str]:
    """One line per parameter a server refused during the run (run.json's `request`)."""
    if request is None:
        return []
    return [
        f"the server refused {adjustment['parameter']!r} ({adjustment['reason'][:120]}): "
        + (
            f"sent as {adjustment['renamed_to']!r}"
            if adjustment["renamed_to"]
            else "left out of every request"
        )
        + " from then on"
        for adjustment in request.adjustments
        if adjustment["learned"]
    ]
