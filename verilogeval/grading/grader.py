"""Grade samples in parallel: a process pool, one simulation per distinct sample, a cache.

Samples can be fed one at a time while others are still grading (`Grader.submit`), so a
run can grade while it generates. Two samples with the same code for the same testbench
and reference are simulated once; with a cache folder, a sample graded before under the
same simulator, flags and limits costs a file read.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import queue
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, InvalidStateError
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Protocol

from verilogeval.execution.pools import GradingStopped, Place, Pool
from verilogeval.grading import simulate as sim
from verilogeval.grading.cache_key import CacheKeys
from verilogeval.grading.classify import classify
from verilogeval.grading.time_limits import TimeLimitPolicy, extended_limit_s, timed_out
from verilogeval.grading.v1.harness import judge_v1, simulate_v1
from verilogeval.records import ExecResult, Harness, Problem, Sample, SimResult, Verdict
from verilogeval.runfolder.official_layout import wave_path
from verilogeval.store import Store


def default_jobs() -> int:
    return len(os.sched_getaffinity(0))


def default_cache_dir() -> Path:
    return Path.home() / ".cache" / "verilogeval" / "grade"


@dataclass(frozen=True)
class GradeConfig:
    jobs: int
    timeout_s: float = sim.DEFAULT_TIMEOUT_S  # the fixed limit, or the floor of time_limit
    time_limit: TimeLimitPolicy | None = None  # None: timeout_s for every problem
    cache_dir: Path | None = None  # None: no result cache
    workdir: Path | None = None  # parent of the per-sample temporary folders
    wave_dir: Path | None = None  # keep each sample's wave.vcd there (simulates every sample)
    scheduler: str | None = None  # a Dask scheduler's address: grade on its cluster
    sandbox: bool = True  # False only on the user's explicit --no-sandbox

    @property
    def place(self) -> Place:
        """Where this machine's jobs keep their files."""
        return Place(workdir=self.workdir, cache_dir=self.cache_dir, sandboxed=self.sandbox)


@dataclass(frozen=True)
class Simulation:
    """The official grading job's settings (its payload in the pool)."""

    timeout_s: float  # the fixed limit, or the floor of time_limit
    time_limit: TimeLimitPolicy | None  # None: timeout_s for every problem
    waves: Path | None = None  # keep the sample's wave.vcd here (a local pool only)


@dataclass(frozen=True)
class Graded:
    sample: Sample
    result: SimResult
    verdict: Verdict
    simulated: bool  # False when the cache or an identical sample supplied the result


OnGraded = Callable[[Graded], None]


@dataclass(frozen=True)
class _Delivery:
    graded: Future[Graded]
    sample: Sample
    known: tuple[SimResult, Verdict]
    simulated: bool


class GradingFailed(Exception):
    """A sample that could not be simulated (not a failing sample: the machinery failed)."""

    def __init__(self, sample: Sample, cause: BaseException) -> None:
        super().__init__(f"{sample.problem} sample {sample.sample}: {cause!r}")
        self.sample = sample
        self.cause = cause


def code_sha256(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8", errors="surrogatepass")).hexdigest()


class Grader:
    """Official grading on `pool`. `on_graded` is called once per sample, one call at a time.

    All calls come from the grader's own delivery thread, in the order results arrive,
    so a slow callback (writing files) never holds up the pool feeding its workers; use
    the returned futures to await single samples. The pool is the caller's: the
    post-verdict checks of a run share it.
    """

    def __init__(
        self,
        problems: Mapping[str, Problem],
        config: GradeConfig,
        on_graded: OnGraded,
        pool: Pool,
    ) -> None:
        self._problems = problems
        self._config = config
        self._on_graded = on_graded
        self._pool = pool
        self._simulator = self._pool.simulator
        self._keys = CacheKeys(self._simulator)
        self._simulation = Simulation(config.timeout_s, config.time_limit)
        self._limits_json = json.dumps([config.timeout_s, config.time_limit], default=asdict)
        self._cache = None if config.cache_dir is None else result_store(config.cache_dir)
        self._lock = threading.Lock()
        self._running: dict[str, Future[tuple[SimResult, Verdict]]] = {}
        self._known: dict[str, tuple[SimResult, Verdict]] = {}
        self._futures: list[Future[Graded]] = []
        self._deliveries: queue.SimpleQueue[_Delivery | None] = queue.SimpleQueue()
        self._delivery_thread = threading.Thread(target=self._deliver_all, daemon=True)
        self._delivery_thread.start()

    @property
    def simulator(self) -> str:
        return self._simulator

    def submit(self, sample: Sample) -> Future[Graded]:
        """Start grading `sample`; KeyError when its problem is not one of `problems`."""
        problem = self._problems[sample.problem]
        graded: Future[Graded] = Future()
        self._futures.append(graded)
        config = self._config
        if config.wave_dir is not None:
            waves = wave_path(config.wave_dir, sample.problem, sample.sample)
            settings = replace(self._simulation, waves=waves)
            job = self._pool.submit(simulate_and_classify, problem, sample, settings)
            job.add_done_callback(lambda done: self._finish(graded, sample, done, True))
            return graded
        key = self._keys.key(problem, sample.code, self._limits_json, config.sandbox)
        with self._lock:
            known = self._known.get(key) or self._read_cache(key, problem, sample)
            if known is not None:
                self._known[key] = known
                self._deliveries.put(_Delivery(graded, sample, known, simulated=False))
                return graded
            running = self._running.get(key)
            first = running is None
            if running is None:
                running = self._pool.submit(
                    simulate_and_classify, problem, sample, self._simulation
                )
                self._running[key] = running
        running.add_done_callback(lambda done: self._settle(key, graded, sample, done, first))
        return graded

    def wait(self) -> list[BaseException]:
        """Block until every submitted sample is graded; the errors of those that could not.

        GradingStopped when the machinery failed rather than a sample.
        """
        errors = [error for future in list(self._futures) if (error := future.exception())]
        for error in errors:
            if isinstance(error, GradingFailed) and isinstance(error.cause, GradingStopped):
                raise error.cause
        return errors

    def close(self) -> None:
        """Stop delivering; a sample not yet delivered is cancelled, so nothing waits on it.

        The pool's unfinished jobs are for its owner to cancel.
        """
        self._deliveries.put(None)
        self._delivery_thread.join()
        for graded in list(self._futures):
            graded.cancel()
        if self._cache is not None:
            self._cache.close()

    def __enter__(self) -> Grader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _settle(
        self,
        key: str,
        graded: Future[Graded],
        sample: Sample,
        done: Future[tuple[SimResult, Verdict]],
        first: bool,
    ) -> None:
        with self._lock:
            self._running.pop(key, None)
            if first and not done.cancelled() and done.exception() is None:
                self._known[key] = done.result()
                self._write_cache(key, done.result()[0])
        self._finish(graded, sample, done, first)

    def _finish(
        self,
        graded: Future[Graded],
        sample: Sample,
        done: Future[tuple[SimResult, Verdict]],
        simulated: bool,
    ) -> None:
        if done.cancelled():  # the grader is closing early
            graded.cancel()
            return
        error = done.exception()
        if error is not None:
            with contextlib.suppress(InvalidStateError):  # cancelled by close()
                graded.set_exception(GradingFailed(sample, error))
            return
        self._deliveries.put(_Delivery(graded, sample, done.result(), simulated))

    def _deliver_all(self) -> None:
        while (delivery := self._deliveries.get()) is not None:
            self._deliver(delivery)

    def _deliver(self, delivery: _Delivery) -> None:
        graded, sample, simulated = delivery.graded, delivery.sample, delivery.simulated
        result, verdict = delivery.known
        if (result.sample, result.problem) != (sample.sample, sample.problem):
            result = replace(result, problem=sample.problem, sample=sample.sample)
            verdict = replace(verdict, problem=sample.problem, sample=sample.sample)
        outcome = Graded(sample=sample, result=result, verdict=verdict, simulated=simulated)
        try:
            self._on_graded(outcome)
        except BaseException as error:
            graded.set_exception(error)
            return
        graded.set_result(outcome)

    def _read_cache(
        self, key: str, problem: Problem, sample: Sample
    ) -> tuple[SimResult, Verdict] | None:
        if self._cache is None:
            return None
        data = self._cache.get(key)
        if data is None:
            return None
        try:
            result = _result_from_json(data, sample)
        except (ValueError, KeyError, TypeError):
            return None  # an entry from an older format: simulate again
        return result, judge_v1(result) if problem.harness is Harness.V1 else classify(result)

    def _write_cache(self, key: str, result: SimResult) -> None:
        if self._cache is not None:
            self._cache.put(key, _result_to_json(result))


def result_store(folder: Path) -> Store:
    """The result cache in `folder`: simulation results by cache key."""
    return Store(folder / "results.sqlite", table="result", column="data")


def grade(
    problems_by_name: Mapping[str, Problem],
    samples: Iterable[Sample],
    config: GradeConfig,
    on_graded: OnGraded,
    pool: Pool,
) -> list[BaseException]:
    """Grade `samples` on `pool`; the errors of samples that could not be graded."""
    with Grader(problems_by_name, config, on_graded, pool) as grader:
        for sample in samples:
            grader.submit(sample)
        return grader.wait()


class _Harness(Protocol):
    def __call__(
        self,
        problem: Problem,
        sample: Sample,
        *,
        timeout_s: float,
        workdir: Path | None,
        sandboxed: bool,
    ) -> SimResult: ...


def _other_harness(problem: Problem) -> tuple[_Harness, Callable[[SimResult], Verdict]]:
    """(how to simulate, how to judge) a problem graded without an official testbench: the
    v1 harness, or a cocotb `_test.py`."""
    if problem.harness is Harness.V1:
        return simulate_v1, judge_v1
    from verilogeval.grading.testbench.python_tb import (
        simulate_python_testbench,  # cocotb: heavy
    )

    return simulate_python_testbench, classify


def simulate_and_classify(
    problem: Problem, sample: Sample, settings: Simulation, place: Place
) -> tuple[SimResult, Verdict]:
    """The official grading job: simulate and classify in the worker, so the parent stays light.

    A problem with only a cocotb `_test.py` is graded by it; its log reads like an official
    one, so the same classifier applies. A v1 problem is graded by the v1 harness.
    """
    if problem.harness is Harness.V1 or problem.test_path is None:
        run, judge = _other_harness(problem)
        result = run(
            problem,
            sample,
            timeout_s=settings.timeout_s,
            workdir=place.workdir,
            sandboxed=place.sandboxed,
        )
        return result, judge(result)

    def simulate(timeout_s: float) -> SimResult:
        return sim.simulate(
            problem,
            sample,
            timeout_s=timeout_s,
            workdir=place.workdir,
            wave_path=settings.waves,
            sandboxed=place.sandboxed,
        )

    result = simulate(settings.timeout_s)
    if settings.time_limit is not None and timed_out(result):
        # Only now does the limit matter: the problem's own, from its reference's time.
        limit = extended_limit_s(
            problem, settings.time_limit, place.workdir, place.cache_dir, place.sandboxed
        )
        if limit > result.timeout_s:
            result = simulate(limit)
    return result, classify(result)


def _result_to_json(result: SimResult) -> dict:
    """A SimResult without what the key already fixes (problem, sample, code)."""
    data = asdict(result)
    for name in ("problem", "sample", "code"):
        del data[name]
    return data


def _result_from_json(data: dict, sample: Sample) -> SimResult:
    def exec_result(fields: dict | None) -> ExecResult | None:
        if fields is None:
            return None
        return ExecResult(**(fields | {"argv": tuple(fields["argv"])}))

    compiled = exec_result(data["compile"])
    if compiled is None:
        raise ValueError("cache entry without compile result")
    return SimResult(
        problem=sample.problem,
        sample=sample.sample,
        compile=compiled,
        run=exec_result(data["run"]),
        simulator=data["simulator"],
        timeout_s=data["timeout_s"],
        code=sample.code,
    )
