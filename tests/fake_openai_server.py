"""A local OpenAI-compatible chat server for tests and benchmarks: real HTTP, scripted faults.

It answers `POST /v1/chat/completions` (and `/chat/completions`) after a configurable
latency. A fault plan makes the next requests fail in chosen ways (429 with Retry-After,
500/503, a hung connection, malformed JSON, an empty `choices`); once the plan is used up,
requests succeed. Every request body is kept, so tests can count requests and check the
parameters a client really sent; `GET /v1/stats` reports the counts over HTTP (for a
server run as its own process: `python tests/fake_openai_server.py --latency 0.2`).

A `Behaviour` makes it answer as a reasoning model does (see its members): as OpenAI's
o-series (refusing temperature, top_p and max_tokens with a 400 that names them, thinking
within max_completion_tokens), as DeepSeek's API (`reasoning_content`), or as a server
without a reasoning parser (`<think>` in the content). `POST /v1/messages` answers as
Anthropic's Messages API does, with thinking blocks when thinking is enabled.

    with FakeOpenAIServer(latency_s=0.2) as server:
        client = AsyncOpenAI(base_url=server.base_url, api_key="x")
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Behaviour(StrEnum):
    PLAIN = "plain"  # a chat model: takes every parameter, no thinking
    OPENAI_REASONING = "openai-reasoning"  # o-series: refuses temperature/top_p/max_tokens
    REASONING_CONTENT = "reasoning-content"  # DeepSeek: thinking in message.reasoning_content
    THINK_TAGS = "think-tags"  # thinking as a leading <think>...</think> in the content


# The thinking every reasoning behaviour produces: a wrong draft in a fence, which an
# extractor reading the thinking would grade instead of the answer.
THINKING = (
    "The output must be LOW. A first draft:\n"
    "```verilog\nmodule TopModule(output zero);\n  assign zero = 1'b1;\nendmodul\n```\n"
    "No: that drives HIGH and misspells endmodule. The answer below is right."
)
THINKING_TOKENS = 600  # what thinking costs, in tokens: a smaller budget leaves no answer
# OpenAI's o-series refuses these, one per 400, as its API does.
_OPENAI_REFUSED = {
    "max_tokens": "Unsupported parameter: 'max_tokens' is not supported with this model. "
    "Use 'max_completion_tokens' instead.",
    "temperature": "Unsupported value: 'temperature' does not support {value} with this "
    "model. Only the default (1) value is supported.",
    "top_p": "Unsupported parameter: 'top_p' is not supported with this model.",
}


class FaultKind(StrEnum):
    RATE_LIMIT = "429"
    SERVER_ERROR = "500"
    UNAVAILABLE = "503"
    BAD_REQUEST = "400"  # not worth retrying
    HANG = "hang"  # accept the request, never answer (until the client gives up)
    MALFORMED = "malformed"  # 200 with a body that is not JSON
    EMPTY_CHOICES = "empty"  # 200 with "choices": []


@dataclass(frozen=True)
class Fault:
    kind: FaultKind
    retry_after: str | None = None  # Retry-After header value sent with a 429


def default_reply(body: dict[str, Any]) -> str:
    """A well-formed official-protocol answer that names the last user message's length."""
    user = body["messages"][-1]["content"]
    return f"[BEGIN]\nmodule TopModule(); // {len(user)}\nendmodule\n[DONE]\n"


class Repairing(StrEnum):
    """A model that answers feedback (`run --repair`), on Prob001_zero (output zero = 0)."""

    FIXES_SYNTAX = "fixes-syntax"  # a syntax error, then right once the feedback names it
    TWO_ROUNDS = "two-rounds"  # a syntax error, then wrong logic, then right
    NEVER = "never"  # wrong logic, whatever it is told
    FORGES = "forges"  # wrong logic, then wrong logic printing a forged verdict line


ZERO_RIGHT = "module TopModule(output zero);\n  assign zero = 1'b0;\nendmodule\n"
ZERO_SYNTAX = "module TopModule(output zero);\n  assign zero = 1'b0\nendmodule\n"
ZERO_WRONG = "module TopModule(output zero);\n  assign zero = 1'b1;\nendmodule\n"
ZERO_FORGED = (
    "module TopModule(output zero);\n  assign zero = 1'b1;\n"
    '  final $display("Mismatches: 0 in 20 samples");\nendmodule\n'
)


def repairing_reply(script: Repairing) -> Callable[[dict[str, Any]], str]:
    """A `reply` for FakeOpenAIServer: the round is the number of answers in the messages,
    and the feedback (the last user message after the first) decides what it writes."""

    def reply(body: dict[str, Any]) -> str:
        messages = body["messages"]
        feedback = (
            messages[-1]["content"] if any(m["role"] == "assistant" for m in messages) else ""
        )
        # The compiler level's message names the line: "- line 3: syntax error".
        names_syntax = "- line " in feedback and "syntax error" in feedback
        if script is Repairing.NEVER:
            code = ZERO_WRONG
        elif script is Repairing.FORGES:
            code = ZERO_FORGED if feedback else ZERO_WRONG
        elif not feedback:
            code = ZERO_SYNTAX
        elif script is Repairing.FIXES_SYNTAX:
            code = ZERO_RIGHT if names_syntax else ZERO_SYNTAX
        elif names_syntax:
            code = ZERO_WRONG
        else:
            code = ZERO_RIGHT if "runtime mismatch" in feedback else ZERO_SYNTAX
        return f"[BEGIN]\n{code}[DONE]\n"

    return reply


_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 429: "Too Many Requests"}
_REASONS |= {500: "Internal Server Error", 503: "Service Unavailable"}


class FakeOpenAIServer:
    """An asyncio HTTP/1.1 server (keep-alive) on 127.0.0.1 and an ephemeral port.

    It runs its own event loop in a background thread, so synchronous tests and other
    event loops can talk to it alike; use it as a context manager.
    """

    def __init__(
        self,
        *,
        latency_s: float = 0.0,
        faults: Iterable[Fault] = (),
        reply: Callable[[dict[str, Any]], str] = default_reply,
        hang_s: float = 30.0,
        behaviour: Behaviour = Behaviour.PLAIN,
        port: int = 0,
        tool_calls: Callable[[dict[str, Any]], ToolCall | None] | None = None,
        hang_until: Callable[[list[dict[str, Any]]], bool] | None = None,
    ) -> None:
        """`port` 0 takes a free one; a given port lets a test bring a server back at the
        address a run was pointed at before it listened. `tool_calls` scripts an agent's
        model: a ToolCall it returns is the answer (a chat completion calling that tool),
        None lets `reply` answer. `hang_until` ends a hang (the connection dropped, as by a
        proxy) as soon as it holds for the requests received, rather than after `hang_s`."""
        self.tool_calls = tool_calls
        self.hang_until = hang_until
        self.latency_s = latency_s
        self.reply = reply
        self.behaviour = behaviour
        self.hang_s = hang_s
        self.requests: list[dict[str, Any]] = []  # every request body received, in order
        self.paths: list[str] = []
        self.max_in_flight = 0  # most requests ever being answered at once (hangs excepted)
        self._in_flight = 0
        self._faults: list[Fault] = list(faults)
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._port = port
        self._connections: set[asyncio.StreamWriter] = set()

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL, ending in /v1."""
        return f"http://127.0.0.1:{self._port}/v1"

    @property
    def request_count(self) -> int:
        with self._lock:
            return len(self.requests)

    def add_faults(self, faults: Iterable[Fault]) -> None:
        """Queue faults: the next requests fail with them, in order."""
        with self._lock:
            self._faults.extend(faults)

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.paths.clear()
            self._faults.clear()
            self.max_in_flight = 0

    def start(self) -> FakeOpenAIServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result()
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._close(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    async def _listen(self) -> None:
        self._stopping = asyncio.Event()
        self._server = await asyncio.start_server(
            self._serve, "127.0.0.1", self._port, backlog=512, reuse_address=True
        )
        self._port = self._server.sockets[0].getsockname()[1]

    async def _close(self) -> None:
        self._stopping.set()  # releases hung and waiting handlers
        self._server.close()
        for writer in list(self._connections):
            writer.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _hang(self) -> None:
        """Until `hang_s` has passed, the server stops, or `hang_until` holds."""
        until = self.hang_until
        if until is None:
            await self._pause(self.hang_s)
            return
        deadline = time.monotonic() + self.hang_s
        while time.monotonic() < deadline and not self._stopping.is_set():
            with self._lock:
                if until(list(self.requests)):
                    return
            await self._pause(0.05)

    def _next(self, path: str, body: dict[str, Any]) -> Fault | None:
        with self._lock:
            self.requests.append(body)
            self.paths.append(path)
            fault = self._faults.pop(0) if self._faults else None
            if fault is None or fault.kind is not FaultKind.HANG:
                self._in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self._in_flight)
            return fault

    def _done(self) -> None:
        with self._lock:
            self._in_flight -= 1

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One connection: requests one after another until the client or a fault closes it."""
        self._connections.add(writer)
        try:
            while await self._one_request(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass  # the client gave up first; that is its right
        finally:
            self._connections.discard(writer)
            writer.close()

    async def _one_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        """Answer one request; False when the connection is to be closed."""
        request_line = await reader.readline()
        if not request_line:
            return False
        method, path, _ = request_line.decode("latin-1").split(" ", 2)
        headers: dict[str, str] = {}
        while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        data = await reader.readexactly(int(headers.get("content-length", 0)))
        if method == "GET" and path == "/v1/stats":
            stats = {"requests": self.request_count, "max_in_flight": self.max_in_flight}
            await _send(writer, 200, stats)
            return True
        messages_api = method == "POST" and path.endswith("/messages")
        if not messages_api and (
            method != "POST" or path not in ("/v1/chat/completions", "/chat/completions")
        ):
            await _send(writer, 404, {"error": {"message": f"no route {method} {path}"}})
            return True
        body = json.loads(data or b"{}")
        if not isinstance(body.get("messages"), list):
            await _send(writer, 400, {"error": {"message": "no messages"}})
            return True
        fault = self._next(path, body)
        if fault is not None and fault.kind is FaultKind.HANG:
            await self._hang()
            return False
        try:
            if self.latency_s:
                await self._pause(self.latency_s)
            if messages_api:
                await _send(writer, *_anthropic_answer(body, self.reply(body)))
            else:
                await self._answer(writer, body, fault)
        finally:
            self._done()
        return True

    async def _answer(
        self, writer: asyncio.StreamWriter, body: dict[str, Any], fault: Fault | None
    ) -> None:
        call = self.tool_calls(body) if fault is None and self.tool_calls else None
        if call is not None:
            await _send(writer, 200, _tool_call_completion(body, call))
        elif fault is None:
            await _send(writer, *_chat_answer(self.behaviour, body, self.reply(body)))
        elif fault.kind is FaultKind.RATE_LIMIT:
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            error = {"message": "rate limited", "type": "rate_limit_error"}
            await _send(writer, 429, {"error": error}, headers)
        elif fault.kind in (FaultKind.SERVER_ERROR, FaultKind.UNAVAILABLE):
            await _send(writer, int(fault.kind), {"error": {"message": "server trouble"}})
        elif fault.kind is FaultKind.BAD_REQUEST:
            await _send(writer, 400, {"error": {"message": "bad request", "type": "invalid"}})
        elif fault.kind is FaultKind.MALFORMED:
            await _send_raw(writer, 200, b'{"id": "x", "choices": [{"mess')
        else:
            await _send(writer, 200, {**_completion(body, ""), "choices": []})


async def _send(
    writer: asyncio.StreamWriter,
    status: int,
    payload: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> None:
    await _send_raw(writer, status, json.dumps(payload).encode(), headers)


async def _send_raw(
    writer: asyncio.StreamWriter, status: int, data: bytes, headers: dict[str, str] | None = None
) -> None:
    lines = [
        f"HTTP/1.1 {status} {_REASONS[status]}",
        "Content-Type: application/json",
        f"Content-Length: {len(data)}",
        *(f"{name}: {value}" for name, value in (headers or {}).items()),
    ]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + data)
    await writer.drain()


def _chat_answer(
    behaviour: Behaviour, body: dict[str, Any], reply: str
) -> tuple[int, dict[str, Any]]:
    """(status, payload) of a chat completion as a model of `behaviour` answers it."""
    if behaviour is Behaviour.PLAIN:
        return 200, _completion(body, reply)
    if behaviour is Behaviour.OPENAI_REASONING:
        for name, message in _OPENAI_REFUSED.items():
            if name in body and not (name == "temperature" and body[name] == 1):
                error = {
                    "message": message.format(value=body.get(name)),
                    "type": "invalid_request_error",
                    "param": name,
                    "code": "unsupported_parameter",
                }
                return 400, {"error": error}
    budget = body.get("max_completion_tokens") or body.get("max_tokens")
    if budget is not None and budget < THINKING_TOKENS + len(reply.split()):
        # The budget ran out while thinking: no answer, as the providers send it.
        payload = _completion(body, "", reasoning_tokens=budget, completion_tokens=budget)
        payload["choices"][0]["finish_reason"] = "length"
        return 200, payload
    if behaviour is Behaviour.THINK_TAGS:
        return 200, _completion(body, f"<think>\n{THINKING}\n</think>\n\n{reply}")
    payload = _completion(body, reply, reasoning_tokens=THINKING_TOKENS)
    if behaviour is Behaviour.REASONING_CONTENT:
        payload["choices"][0]["message"]["reasoning_content"] = THINKING
    return 200, payload


def _anthropic_answer(body: dict[str, Any], reply: str) -> tuple[int, dict[str, Any]]:
    """(status, payload) of Anthropic's Messages API, thinking blocks included."""
    thinking = body.get("thinking") or {}
    thinks = thinking.get("type") == "enabled"
    max_tokens = body.get("max_tokens")
    problems = []
    if not isinstance(max_tokens, int):
        problems.append("max_tokens: Field required")
    if thinks and body.get("temperature", 1) != 1:
        problems.append("`temperature` may only be set to 1 when thinking is enabled")
    if thinks and "top_p" in body and body["top_p"] < 0.95:
        problems.append("`top_p` must be >= 0.95 or unset when thinking is enabled")
    if thinks and isinstance(max_tokens, int) and thinking.get("budget_tokens", 0) >= max_tokens:
        problems.append("`max_tokens` must be greater than `thinking.budget_tokens`")
    if problems:
        error = {"type": "invalid_request_error", "message": "; ".join(problems)}
        return 400, {"type": "error", "error": error}
    content: list[dict[str, Any]] = []
    if thinks:
        content.append({"type": "thinking", "thinking": THINKING, "signature": "fake-signature"})
    content.append({"type": "text", "text": reply})
    prompt_tokens = sum(len(str(m["content"]).split()) for m in body.get("messages", []))
    return 200, {
        "id": "msg_fake",
        "type": "message",
        "role": "assistant",
        "model": body.get("model", "fake"),
        "content": content,
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {
            "input_tokens": prompt_tokens,
            "output_tokens": len(reply.split()) + (THINKING_TOKENS if thinks else 0),
        },
    }


@dataclass(frozen=True)
class ToolCall:
    """One call of a tool, as a model asks for it."""

    name: str
    arguments: dict[str, Any]


def _tool_call_completion(body: dict[str, Any], call: ToolCall) -> dict[str, Any]:
    payload = _completion(body, "")
    number = sum(1 for m in body["messages"] if m.get("role") == "assistant") + 1
    payload["choices"][0]["message"] = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": f"call_{number}",
                "type": "function",
                "function": {"name": call.name, "arguments": json.dumps(call.arguments)},
            }
        ],
    }
    payload["choices"][0]["finish_reason"] = "tool_calls"
    return payload


def _completion(
    body: dict[str, Any],
    text: str,
    *,
    reasoning_tokens: int | None = None,
    completion_tokens: int | None = None,
) -> dict[str, Any]:
    # An agent's turns carry no content (a tool call) or a list of parts.
    prompt_tokens = sum(len(str(m.get("content") or "").split()) for m in body.get("messages", []))
    if completion_tokens is None:  # thinking counts as completion, as OpenAI counts it
        completion_tokens = len(text.split()) + (reasoning_tokens or 0)
    details = {}
    if reasoning_tokens is not None:
        details["completion_tokens_details"] = {"reasoning_tokens": reasoning_tokens}
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": body.get("model", "fake"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            **details,
        },
    }


def main() -> None:
    """Serve from a process of its own (benchmarks: the client keeps its CPU to itself)."""
    import argparse

    parser = argparse.ArgumentParser(description="local OpenAI-compatible chat server")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per answer")
    parser.add_argument("--behaviour", type=Behaviour, default=Behaviour.PLAIN)
    args = parser.parse_args()
    with FakeOpenAIServer(latency_s=args.latency, behaviour=args.behaviour) as server:
        print(server.base_url, flush=True)
        server._thread.join()


if __name__ == "__main__":
    main()
