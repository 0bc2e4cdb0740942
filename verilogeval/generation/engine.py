"""The generation engine: many requests at once, politely, surviving every server fault.

asyncio with a concurrency limit and an optional requests-per-minute limit; retries with
exponential backoff and jitter on transient failures, honouring Retry-After; a final
failure becomes a Generation with `error` set, never an exception, except when the first
requests of a run all fail alike with an error no retry can fix (a bad key, an unknown
model, a server that refuses connections or whose name does not resolve): then the run
stops before spending more (GenerationAborted). A disk cache keyed
by (adapter, api base, messages, sampling and reasoning values, sample index) makes a
rerun free. Each Generation is handed to `on_generation` as soon as it exists, so a
caller can journal it and grade it while the rest are still being generated. Thinking
is kept apart from the answer here, once for every adapter (see responses.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import queue
import random
import threading
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from verilogeval.errors import UserError, error_reason
from verilogeval.generation.models.base import (
    Completion,
    ModelAdapter,
    PermanentError,
    Request,
    TransientError,
)
from verilogeval.generation.responses import join_reasoning, split_thinking, well_formed
from verilogeval.records import Generation, Usage
from verilogeval.store import Store

_log = logging.getLogger(__name__)

T = TypeVar("T")

# How many first outcomes decide that a run cannot work (all failed with one permanent error).
FAIL_FAST_REQUESTS = 5


class GenerationAborted(UserError):
    """The first requests of a run all failed with the same error that no retry can fix."""


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


class Pacing:
    """The concurrency and rate limits of an engine's requests, to share between calls."""

    def __init__(self, config: EngineConfig) -> None:
        self.slots = asyncio.Semaphore(config.concurrency)
        self.limiter = RateLimiter(config.rpm) if config.rpm else None


class GenerationCache:
    """Answers in one SQLite file under `root`; errors are never stored.

    SQLite makes the cache safe for several runs at once and cheap per entry (a batch of
    answers is one transaction, where a file per answer costs a few syscalls each).
    """

    FILE = "generations.sqlite"

    def __init__(self, root: Path) -> None:
        self.root = root
        self._store = Store(root / self.FILE, table="answers", column="answer")

    @staticmethod
    def key(adapter: ModelAdapter, request: Request) -> str:
        sampling = request.sampling
        identity = {
            "adapter": adapter.identity,
            "api_base": adapter.api_base,
            "messages": request.messages(),
            "temperature": sampling.temperature,
            "top_p": sampling.top_p,
            "max_tokens": sampling.max_tokens,
            "seed": sampling.seed,
            "sample": request.sample,
        }
        # Only when set, so the answers cached before reasoning settings existed stay valid.
        if sampling.reasoning_effort is not None:
            identity["reasoning_effort"] = str(sampling.reasoning_effort)
        if sampling.thinking_budget is not None:
            identity["thinking_budget"] = sampling.thinking_budget
        if request.round:  # a first answer's key stays as it was before repair rounds
            identity["round"] = request.round
        return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()

    def get_many(self, keys: Sequence[str | None]) -> dict[str, tuple[Completion, float]]:
        """(completion, its original latency) for the keys found; a damaged entry is a miss."""
        hits = {}
        for key, data in self._store.get_many([k for k in keys if k is not None]).items():
            try:
                completion = Completion(
                    text=data["text"],
                    usage=Usage(**data["usage"]),
                    finish_reason=data["finish_reason"],
                    model=data["model"],
                    cost=data["cost"],
                    reasoning=data.get("reasoning"),
                )
                hits[key] = (completion, data["latency_s"])
            except (KeyError, TypeError):
                continue
        return hits

    def put_many(self, entries: Sequence[tuple[str, Completion, float]]) -> None:
        """Store answers in one transaction; best effort, like every cache."""
        self._store.put_many(
            [
                (
                    key,
                    {
                        "text": completion.text,
                        "usage": asdict(completion.usage),
                        "finish_reason": completion.finish_reason,
                        "model": completion.model,
                        "cost": completion.cost,
                        "reasoning": completion.reasoning,
                        "latency_s": latency_s,
                    },
                )
                for key, completion, latency_s in entries
            ]
        )


class _CacheWriter:
    """A thread that stores answers in batches, so the event loop never touches the disk."""

    def __init__(self, cache: GenerationCache) -> None:
        self._cache = cache
        self._queue: queue.SimpleQueue[tuple[str, Completion, float] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def put(self, key: str, completion: Completion, latency_s: float) -> None:
        self._queue.put((key, completion, latency_s))

    def close(self) -> None:
        """Store what is queued, then stop."""
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        done = False
        while not done:
            batch = [self._queue.get()]
            while not self._queue.empty():
                batch.append(self._queue.get())
            done = batch[-1] is None
            entries = [entry for entry in batch if entry is not None]
            if entries:
                self._cache.put_many(entries)


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

    return run_coroutine(run())


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(coroutine)`, except that a Ctrl-C that lands inside one of the loop's
    tasks (aiohttp's request writer, say) is not logged a second time, with a traceback, as
    "Task exception was never retrieved": the KeyboardInterrupt already stops the command."""
    with asyncio.Runner() as runner:
        runner.get_loop().set_exception_handler(_quiet_about_interrupts)
        return runner.run(coroutine)


def _quiet_about_interrupts(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    if not isinstance(context.get("exception"), KeyboardInterrupt):
        loop.default_exception_handler(context)


async def generate_async(
    adapter: ModelAdapter,
    requests: Sequence[Request],
    config: EngineConfig,
    *,
    cache: GenerationCache | None = None,
    on_generation: Callable[[Generation], None] | None = None,
    pacing: Pacing | None = None,
    fail_fast: bool = True,
) -> list[Generation]:
    """The engine inside a running event loop (for callers that have one).

    Calls that share one `pacing` share its concurrency and rate limits (a repair run asks
    its later rounds one by one, beside the first batch). Without `fail_fast`, no outcome
    is held back to decide whether the server works: a later round's server already did.
    """
    pacing = pacing or Pacing(config)
    slots, limiter = pacing.slots, pacing.limiter
    rng = random.Random()
    usable_cache = cache if adapter.cacheable else None
    keys = [GenerationCache.key(adapter, r) if usable_cache else None for r in requests]
    # The cache is read in one batch and written by one thread, off the event loop: disk
    # latency must not hold up the requests in flight.
    hits = await asyncio.to_thread(usable_cache.get_many, keys) if usable_cache else {}
    writer = _CacheWriter(usable_cache) if usable_cache else None
    asked = sum(key is None or key not in hits for key in keys)
    gate = _FailFastGate(min(FAIL_FAST_REQUESTS, asked) if fail_fast else 0, on_generation)

    async def one(request: Request, key: str | None) -> Generation:
        hit = hits.get(key) if key else None
        if hit is not None:  # says nothing of whether the server works: past the gate
            generation = _generation(request, *hit, cached=True)
            gate.hand_on(generation)
            return generation
        async with slots:
            outcome = await _attempt(adapter, request, config, limiter, rng)
        if isinstance(outcome, _Failure):
            generation = Generation(
                problem=request.problem.name,
                sample=request.sample,
                response=None,
                error=outcome.message,
                model=adapter.identity,
            )
        else:
            if writer and key:
                writer.put(key, *outcome)
            generation = _generation(request, *outcome, cached=False)
        permanent = isinstance(outcome, _Failure) and outcome.permanent
        gate.deliver(generation, permanent_failure=permanent)
        return generation

    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(r, k)) for r, k in zip(requests, keys, strict=True)]
    except BaseExceptionGroup as failed:  # the first cause, as a plain exception
        raise failed.exceptions[0] from None
    finally:
        if writer is not None:
            await asyncio.to_thread(writer.close)  # every answer is on disk before we return
    return [task.result() for task in tasks]


class _FailFastGate:
    """Holds back the first outcomes until they show that the run can work at all.

    When the first `decisive` requests all end in the same permanent error (a bad key, an
    unknown model, a server that cannot be reached), the run stops
    (GenerationAborted, the other requests cancelled) and none of them is handed on: a
    resumed run asks for them again once the cause is fixed. Anything else opens the gate
    and hands the held outcomes on, in order.
    """

    def __init__(self, decisive: int, on_generation: Callable[[Generation], None] | None):
        self._decisive = decisive
        self._on_generation = on_generation
        self._held: list[Generation] | None = [] if decisive else None  # None: open

    def deliver(self, generation: Generation, *, permanent_failure: bool) -> None:
        if self._held is not None:
            held = self._held
            held.append(generation)
            alike = permanent_failure and generation.error == held[0].error
            if alike and len(held) < self._decisive:
                return
            if alike:
                first = f"the first {len(held)} requests all" if len(held) > 1 else "the request"
                raise GenerationAborted(
                    f"{first} failed with: {generation.error}\n"
                    "nothing more was asked; fix the cause and run the same command again"
                )
            self._held = None
            for earlier in held:
                self.hand_on(earlier)
            return
        self.hand_on(generation)

    def hand_on(self, generation: Generation) -> None:
        """Pass `generation` on at once (a cached answer: the gate decides on requests)."""
        if self._on_generation is not None:
            self._on_generation(generation)


@dataclass(frozen=True)
class _Failure:
    message: str
    permanent: bool  # retrying cannot help (as opposed to: the retries ran out)


async def _attempt(
    adapter: ModelAdapter,
    request: Request,
    config: EngineConfig,
    limiter: RateLimiter | None,
    rng: random.Random,
) -> tuple[Completion, float] | _Failure:
    """(completion, latency) after as many tries as the policy allows, or the final error."""
    attempts = config.retry.attempts
    for attempt in range(1, attempts + 1):
        if limiter is not None:
            await limiter.wait()
        started = time.monotonic()
        try:
            async with asyncio.timeout(config.timeout_s):
                completion = await adapter.complete(request)
            return _well_formed(completion), round(time.monotonic() - started, 4)
        except TimeoutError:
            failure = TransientError(f"no answer within {config.timeout_s:g} s")
        except TransientError as error:
            failure = error
        except PermanentError as error:
            return _Failure(str(error), permanent=True)
        except Exception as error:  # an adapter bug must not end the run: record it
            _log.exception("%s sample %d: the adapter failed", request.problem.name, request.sample)
            return _Failure(error_reason(error), permanent=True)
        if attempt == attempts:
            return _Failure(f"{failure} (gave up after {attempts} attempts)", permanent=False)
        await asyncio.sleep(config.retry.delay_s(attempt, failure.retry_after, rng))
    raise AssertionError("unreachable: the loop returns on its last attempt")


def _well_formed(completion: Completion) -> Completion:
    """`completion` with its server-written text as UTF-8 can hold it (`well_formed`): the
    journal's write of a lone surrogate raised, and the run died on every resume."""
    reasoning, finish = completion.reasoning, completion.finish_reason
    return replace(
        completion,
        text=well_formed(completion.text),
        reasoning=None if reasoning is None else well_formed(reasoning),
        finish_reason=None if finish is None else well_formed(finish),
        model=well_formed(completion.model),
    )


def _generation(
    request: Request, completion: Completion, latency_s: float, *, cached: bool
) -> Generation:
    answer = split_thinking(completion.text)
    reasoning = join_reasoning(completion.reasoning, answer.reasoning)
    # The blank lines after the thinking are no part of the answer (litellm, which takes
    # <think> out of some models' content itself, leaves them in front of it).
    return Generation(
        problem=request.problem.name,
        sample=request.sample,
        response=answer.text.lstrip("\n") if reasoning else answer.text,
        usage=completion.usage,
        cost=completion.cost,
        latency_s=latency_s,
        finish_reason=completion.finish_reason,
        model=completion.model,
        cached=cached,
        reasoning=reasoning,
    )
