"""The generation engine: many requests at once, politely, surviving every server fault.

asyncio with a concurrency limit and an optional requests-per-minute limit; retries with
exponential backoff and jitter on transient failures, honouring Retry-After; a final
failure becomes a Generation with `error` set, never an exception. A disk cache keyed by
(adapter, api base, messages, sampling values, sample index) makes a rerun free. Each
Generation is handed to `on_generation` as soon as it exists, so a caller can journal it
and grade it while the rest are still being generated.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verilogeval.models.base import (
    Completion,
    ModelAdapter,
    PermanentError,
    Request,
    TransientError,
)
from verilogeval.records import Generation, Usage


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6  # tries in all, the first included
    base_delay_s: float = 1.0  # backoff before the 2nd try; doubles each time
    max_delay_s: float = 60.0

    def delay_s(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Wait after failed try number `attempt`: jittered exponential, >= Retry-After."""
        ceiling = min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1))
        backoff = ceiling / 2 + rng.uniform(0, ceiling / 2)
        if retry_after is None:
            return backoff
        return max(min(retry_after, self.max_delay_s), backoff)


@dataclass(frozen=True)
class EngineConfig:
    concurrency: int = 8
    rpm: float | None = None  # requests per minute, retries included; None: no limit
    timeout_s: float = 120.0  # per request
    retry: RetryPolicy = RetryPolicy()


class RateLimiter:
    """Spaces request starts at least 60/rpm seconds apart."""

    def __init__(self, rpm: float) -> None:
        self._interval_s = 60.0 / rpm
        self._next_start = 0.0

    async def wait(self) -> None:
        now = time.monotonic()
        start = max(now, self._next_start)
        self._next_start = start + self._interval_s
        await asyncio.sleep(start - now)


class GenerationCache:
    """Completions on disk, one JSON file per request key; errors are never stored."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @staticmethod
    def key(adapter: ModelAdapter, request: Request) -> str:
        sampling = request.sampling
        identity = {
            "adapter": adapter.identity,
            "api_base": adapter.api_base,
            "messages": request.prompt.messages(),
            "temperature": sampling.temperature,
            "top_p": sampling.top_p,
            "max_tokens": sampling.max_tokens,
            "seed": sampling.seed,
            "sample": request.sample,
        }
        return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> tuple[Completion, float] | None:
        """(completion, its original latency) or None; an unreadable entry is a miss."""
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            completion = Completion(
                text=data["text"],
                usage=Usage(**data["usage"]),
                finish_reason=data["finish_reason"],
                model=data["model"],
                cost=data["cost"],
            )
            return completion, data["latency_s"]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def get_many(self, keys: Sequence[str | None]) -> dict[str, tuple[Completion, float]]:
        """The hits among `keys`; one listing per shard instead of one failed open per miss."""
        listings: dict[str, set[str]] = {}
        hits = {}
        for key in keys:
            if key is None:
                continue
            shard = key[:2]
            if shard not in listings:
                try:
                    listings[shard] = set(os.listdir(self.root / shard))
                except OSError:
                    listings[shard] = set()
            if f"{key}.json" in listings[shard] and (hit := self.get(key)) is not None:
                hits[key] = hit
        return hits

    def put(self, key: str, completion: Completion, latency_s: float) -> None:
        """Store an answer; best effort: a failed write costs a later rerun a request."""
        path = self._path(key)
        data = {
            "text": completion.text,
            "usage": _usage_record(completion.usage),
            "finish_reason": completion.finish_reason,
            "model": completion.model,
            "cost": completion.cost,
            "latency_s": latency_s,
        }
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            os.replace(partial, path)  # readers see the whole entry or none
        except OSError:
            partial.unlink(missing_ok=True)


def generate(
    adapter: ModelAdapter,
    requests: Sequence[Request],
    config: EngineConfig,
    *,
    cache: GenerationCache | None = None,
    on_generation: Callable[[Generation], None] | None = None,
) -> list[Generation]:
    """One Generation per request, in request order; closes the adapter when done."""

    async def run() -> list[Generation]:
        try:
            return await generate_async(
                adapter, requests, config, cache=cache, on_generation=on_generation
            )
        finally:
            await adapter.aclose()

    return asyncio.run(run())


async def generate_async(
    adapter: ModelAdapter,
    requests: Sequence[Request],
    config: EngineConfig,
    *,
    cache: GenerationCache | None = None,
    on_generation: Callable[[Generation], None] | None = None,
) -> list[Generation]:
    """The engine inside a running event loop (for callers that have one)."""
    slots = asyncio.Semaphore(config.concurrency)
    limiter = RateLimiter(config.rpm) if config.rpm else None
    rng = random.Random()
    usable_cache = cache if adapter.cacheable else None
    keys = [GenerationCache.key(adapter, r) if usable_cache else None for r in requests]
    # The cache is read in one batch and written by one thread, off the event loop: disk
    # latency must not hold up the requests in flight.
    hits = await asyncio.to_thread(usable_cache.get_many, keys) if usable_cache else {}
    writer = ThreadPoolExecutor(max_workers=1) if usable_cache else None

    async def one(request: Request, key: str | None) -> Generation:
        hit = hits.get(key) if key else None
        if hit is not None:
            generation = _generation(request, *hit, cached=True)
        else:
            async with slots:
                outcome = await _attempt(adapter, request, config, limiter, rng)
            if isinstance(outcome, str):
                generation = Generation(
                    problem=request.problem.name,
                    sample=request.sample,
                    response=None,
                    error=outcome,
                    model=adapter.identity,
                )
            else:
                if writer and usable_cache and key:
                    writer.submit(usable_cache.put, key, *outcome)
                generation = _generation(request, *outcome, cached=False)
        if on_generation is not None:
            on_generation(generation)
        return generation

    try:
        return list(await asyncio.gather(*map(one, requests, keys)))
    finally:
        if writer is not None:
            await asyncio.to_thread(writer.shutdown)  # every answer is on disk before we return


async def _attempt(
    adapter: ModelAdapter,
    request: Request,
    config: EngineConfig,
    limiter: RateLimiter | None,
    rng: random.Random,
) -> tuple[Completion, float] | str:
    """(completion, latency) after as many tries as the policy allows, or the final error."""
    attempts = config.retry.attempts
    for attempt in range(1, attempts + 1):
        if limiter is not None:
            await limiter.wait()
        started = time.monotonic()
        try:
            async with asyncio.timeout(config.timeout_s):
                completion = await adapter.complete(request)
            return completion, round(time.monotonic() - started, 4)
        except TimeoutError:
            failure = TransientError(f"no answer within {config.timeout_s:g} s")
        except TransientError as error:
            failure = error
        except PermanentError as error:
            return str(error)
        except Exception as error:  # an adapter bug must not end the run: record it
            return f"{type(error).__name__}: {error}"
        if attempt == attempts:
            return f"{failure} (gave up after {attempts} attempts)"
        await asyncio.sleep(config.retry.delay_s(attempt, failure.retry_after, rng))
    raise AssertionError("unreachable: the loop returns on its last attempt")


def _generation(
    request: Request, completion: Completion, latency_s: float, *, cached: bool
) -> Generation:
    return Generation(
        problem=request.problem.name,
        sample=request.sample,
        response=completion.text,
        usage=completion.usage,
        cost=completion.cost,
        latency_s=latency_s,
        finish_reason=completion.finish_reason,
        model=completion.model,
        cached=cached,
    )


def _usage_record(usage: Usage) -> dict[str, int | None]:
    return {"prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens}


def generation_record(generation: Generation) -> dict[str, Any]:
    """The generations.jsonl line of a Generation."""
    return {
        "problem": generation.problem,
        "sample": generation.sample,
        "response": generation.response,
        "usage": _usage_record(generation.usage),
        "cost": generation.cost,
        "error": generation.error,
        "latency_s": generation.latency_s,
        "finish_reason": generation.finish_reason,
        "model": generation.model,
        "cached": generation.cached,
    }


def generation_from_record(record: dict[str, Any]) -> Generation:
    return Generation(
        problem=record["problem"],
        sample=record["sample"],
        response=record.get("response"),
        error=record.get("error"),
        usage=Usage(**(record.get("usage") or {})),
        cost=record.get("cost"),
        latency_s=record.get("latency_s"),
        finish_reason=record.get("finish_reason"),
        model=record.get("model"),
        cached=bool(record.get("cached", False)),
    )


def latest_generations(records: Sequence[dict[str, Any]]) -> dict[tuple[str, int], Generation]:
    """(problem, sample) -> its last journaled Generation (a retried sample is appended)."""
    return {
        (record["problem"], record["sample"]): generation_from_record(record) for record in records
    }
