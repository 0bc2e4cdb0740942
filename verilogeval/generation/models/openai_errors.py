"""Sort the errors of the openai SDK (and of litellm, whose errors subclass them).

Both HTTP adapters raise these; one translation keeps their retry behaviour identical.
"""

from __future__ import annotations

import email.utils
import json
import socket
import time
from typing import Any

from verilogeval.generation.models.base import Completion, PermanentError, TransientError
from verilogeval.generation.models.pricing import Prices
from verilogeval.records import Usage

# Statuses worth another attempt besides 5xx: request timeout, conflict, too early, rate limit.
_RETRY_STATUSES = {408, 409, 425, 429}


def translate_error(error: Exception, server: str) -> Exception:
    """The TransientError or PermanentError that `error` (from a client library) means.

    A server that cannot be reached at all (connection refused, a host name that does not
    resolve) is permanent, like a 401: retrying for minutes would only hide a wrong URL.
    The client libraries wrap both in a timeout or a 500 (with a URL of their own), so the
    cause is looked for in the chain, and `server` (where the requests go) is named.
    """
    import openai

    unreachable = _unreachable(error)
    if unreachable is not None:
        return PermanentError(f"cannot reach the server at {server}: {unreachable}")
    if isinstance(error, openai.APIConnectionError):  # includes timeouts
        return TransientError(f"{type(error).__name__}: {_first_line(error)}")
    if isinstance(error, openai.APIStatusError):
        status = error.status_code
        message = f"HTTP {status}: {_first_line(error)}"
        if status in _RETRY_STATUSES or status >= 500:
            return TransientError(message, retry_after=_retry_after(error))
        return PermanentError(message)
    if isinstance(error, json.JSONDecodeError):
        return TransientError(f"malformed JSON in the response: {error}")
    if isinstance(error, openai.APIError):  # a response the SDK could not understand
        return TransientError(f"{type(error).__name__}: {_first_line(error)}")
    return error


def _unreachable(error: BaseException) -> str | None:
    """Why no connection could be made, when that is what `error` comes from; else None."""
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, socket.gaierror):
            return f"host name not resolved ({cause.strerror or cause})"
        cause = cause.__cause__ or cause.__context__
    return None


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [""])[0][:300]


def _retry_after(error: Any) -> float | None:
    """Seconds the server asked us to wait (Retry-After: seconds or an HTTP date)."""
    for headers in (
        getattr(error, "litellm_response_headers", None),
        getattr(getattr(error, "response", None), "headers", None),
    ):
        if headers is not None and headers.get("retry-after"):
            return parse_retry_after(headers["retry-after"])
    return None


def parse_retry_after(value: str) -> float | None:
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def first_choice(response: Any, model: str, prices: Prices | None) -> Completion:
    """The Completion of an OpenAI-shaped response (both chat adapters get one); `model`
    names it when the server does not, and `prices` give its cost when known.

    No choice at all is a server glitch (transient); a choice without text is the model's
    answer (an empty one) and is kept with its finish reason. The reasoning is the
    provider's separate thinking field: `reasoning_content` (DeepSeek, and litellm for
    every provider, Anthropic's thinking blocks included) or `reasoning` (vLLM, OpenRouter).
    """
    if not response.choices:
        raise TransientError("the response has no choices")
    choice = response.choices[0]
    message = choice.message
    text = message.content or ""  # a model may answer nothing: a failed sample, kept
    reasoning = getattr(message, "reasoning_content", None) or getattr(message, "reasoning", None)
    usage = response.usage
    details = getattr(usage, "completion_tokens_details", None)
    counted = Usage(
        prompt_tokens=getattr(usage, "prompt_tokens", None),
        completion_tokens=getattr(usage, "completion_tokens", None),
        reasoning_tokens=_field(details, "reasoning_tokens"),
    )
    return Completion(
        text=text,
        usage=counted,
        finish_reason=choice.finish_reason,
        model=response.model or model,
        cost=None if prices is None else prices.cost(counted),
        reasoning=reasoning if isinstance(reasoning, str) and reasoning else None,
    )


def _field(record: Any, name: str) -> Any:
    """A field of a typed SDK object or of the plain dict a server's extra field becomes."""
    if isinstance(record, dict):
        return record.get(name)
    return getattr(record, name, None)
