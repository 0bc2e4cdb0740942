"""A local OpenAI-compatible chat server for tests and benchmarks: real HTTP, scripted faults.

It answers `POST /v1/chat/completions` (and `/chat/completions`) after a configurable
latency. A fault plan makes the next requests fail in chosen ways (429 with Retry-After,
500/503, a hung connection, malformed JSON, an empty `choices`); once the plan is used up,
requests succeed. Every request body is kept, so tests can count requests and check the
parameters a client really sent; `GET /v1/stats` reports the counts over HTTP (for a
server run as its own process: `python tests/fake_openai_server.py --latency 0.2`).

    with FakeOpenAIServer(latency_s=0.2) as server:
        client = AsyncOpenAI(base_url=server.base_url, api_key="x")
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


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


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the default 5 drops bursts of connects (1 s SYN retries)


class FakeOpenAIServer:
    """A threaded HTTP server on 127.0.0.1 and an ephemeral port; use as a context manager."""

    def __init__(
        self,
        *,
        latency_s: float = 0.0,
        faults: Iterable[Fault] = (),
        reply: Callable[[dict[str, Any]], str] = default_reply,
        hang_s: float = 30.0,
    ) -> None:
        self.latency_s = latency_s
        self.reply = reply
        self.hang_s = hang_s
        self.requests: list[dict[str, Any]] = []  # every request body received, in order
        self.paths: list[str] = []
        self.max_in_flight = 0  # most requests ever being answered at once (hangs excepted)
        self._in_flight = 0
        self._faults: list[Fault] = list(faults)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = _Server(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL, ending in /v1."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

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
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases hung handlers
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _next(self, path: str, body: dict[str, Any]) -> Fault | None:
        with self._lock:
            self.requests.append(body)
            self.paths.append(path)
            fault = self._faults.pop(0) if self._faults else None
            if fault is None or fault.kind is not FaultKind.HANG:
                self._in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self._in_flight)
            return fault

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real servers do

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                if self.path != "/v1/stats":
                    self._send(404, {"error": {"message": f"no route {self.path}"}})
                    return
                stats = {"requests": server.request_count, "max_in_flight": server.max_in_flight}
                self._send(200, stats)

            def do_POST(self) -> None:
                if self.path not in ("/v1/chat/completions", "/chat/completions"):
                    self._send(404, {"error": {"message": f"no route {self.path}"}})
                    return
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                if not isinstance(body.get("messages"), list):
                    self._send(400, {"error": {"message": "no messages"}})
                    return
                fault = server._next(self.path, body)
                try:
                    self._answer(body, fault)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up first; that is its right
                finally:
                    if fault is None or fault.kind is not FaultKind.HANG:
                        with server._lock:
                            server._in_flight -= 1

            def _answer(self, body: dict[str, Any], fault: Fault | None) -> None:
                if server.latency_s:
                    server._stopping.wait(server.latency_s)
                if fault is None:
                    self._send(200, _completion(body, server.reply(body)))
                elif fault.kind is FaultKind.HANG:
                    server._stopping.wait(server.hang_s)
                    self.close_connection = True
                elif fault.kind is FaultKind.RATE_LIMIT:
                    headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                    error = {"message": "rate limited", "type": "rate_limit_error"}
                    self._send(429, {"error": error}, headers)
                elif fault.kind in (FaultKind.SERVER_ERROR, FaultKind.UNAVAILABLE):
                    self._send(int(fault.kind), {"error": {"message": "server trouble"}})
                elif fault.kind is FaultKind.BAD_REQUEST:
                    self._send(400, {"error": {"message": "bad request", "type": "invalid"}})
                elif fault.kind is FaultKind.MALFORMED:
                    self._send_raw(200, b'{"id": "x", "choices": [{"mess')
                else:
                    self._send(200, {**_completion(body, ""), "choices": []})

            def _send(
                self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
            ) -> None:
                self._send_raw(status, json.dumps(payload).encode(), headers)

            def _send_raw(
                self, status: int, data: bytes, headers: dict[str, str] | None = None
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        return Handler


def _completion(body: dict[str, Any], text: str) -> dict[str, Any]:
    prompt_tokens = sum(len(m["content"].split()) for m in body.get("messages", []))
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
            "completion_tokens": len(text.split()),
            "total_tokens": prompt_tokens + len(text.split()),
        },
    }


def main() -> None:
    """Serve from a process of its own (benchmarks: the client keeps its CPU to itself)."""
    import argparse

    parser = argparse.ArgumentParser(description="local OpenAI-compatible chat server")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per answer")
    args = parser.parse_args()
    with FakeOpenAIServer(latency_s=args.latency) as server:
        print(server.base_url, flush=True)
        server._thread.join()


if __name__ == "__main__":
    main()
