"""Where grading jobs run: processes of this machine, or a Dask cluster (verilogeval.cluster).

Every job of a run, the official simulation and each post-verdict check, is a top-level
function `job(problem, sample, payload, place) -> record`: `payload` is the job's frozen
settings, `place` says where the machine that runs it keeps scratch files. One pool takes
them all, so `--jobs` bounds every simulation of a run, and a cluster takes every job
without a second code path: the same function runs wherever the pool sends it.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from verilogeval import simulate as sim
from verilogeval.records import Problem, Sample
from verilogeval.sandbox import ensure_available

if TYPE_CHECKING:
    from verilogeval.cluster import DaskPool

R = TypeVar("R")


@dataclass(frozen=True)
class Place:
    """Where a job keeps files on the machine that runs it, and whether it is sandboxed.

    The client's scratch and cache folders mean nothing on a cluster worker, so a job is
    never given them in its payload: its pool supplies the place of its own machine.
    """

    workdir: Path | None  # parent of per-sample temporary folders (None: the system's)
    cache_dir: Path | None  # a cache the job may keep (the reference's time); None: none
    sandboxed: bool  # every compile and simulation in bubblewrap (False: --no-sandbox)


Job = Callable[[Problem, Sample, Any, Place], R]


class Pool(Protocol):
    """What the grader and the post-verdict checks submit their jobs to."""

    simulator: str  # the simulator version of the machines that run the jobs

    def submit(self, job: Job[R], problem: Problem, sample: Sample, payload: Any) -> Future[R]:
        """A concurrent Future of the job's record (or of the exception it raised)."""
        ...

    def shutdown(self) -> None: ...


class LocalPool:
    """`jobs` processes of this machine: the default pool.

    Processes, not threads: a job classifies a log and parses code in Python, and a
    process per job keeps the parent, which writes the run folder, responsive.
    """

    def __init__(self, jobs: int, place: Place) -> None:
        if place.sandboxed:
            ensure_available()
        self.simulator = sim.simulator_version()
        self._place = place
        self._executor = ProcessPoolExecutor(
            max_workers=jobs, mp_context=multiprocessing.get_context("forkserver")
        )

    def submit(self, job: Job[R], problem: Problem, sample: Sample, payload: Any) -> Future[R]:
        return self._executor.submit(job, problem, sample, payload, self._place)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> LocalPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()


def open_pool(
    jobs: int, place: Place, scheduler: str | None, *, tools: tuple[str, ...] = ()
) -> LocalPool | DaskPool:
    """The cluster at `scheduler` (its workers checked for `tools` too), else local processes.

    `tools`: programs the run needs beyond Icarus (yosys for --formal); the local machine
    is checked by the jobs themselves, which say which program is missing.
    """
    if scheduler is None:
        return LocalPool(jobs, place)
    from verilogeval.cluster import DaskPool  # distributed: imported only when used

    return DaskPool(scheduler, place.sandboxed, tools=tools)


def run_all(
    pool: Pool, job: Job[R], pairs: Iterable[tuple[Problem, Sample]], payload: Any
) -> list[R]:
    """`job` on every (problem, sample) pair, records in the order of `pairs`."""
    futures = [pool.submit(job, problem, sample, payload) for problem, sample in pairs]
    return [future.result() for future in futures]


def then(future: Future[Any], step: Callable[[Any], R]) -> Future[R]:
    """A Future of `step(record)` once `future` has its record; its error passes through."""
    chained: Future[R] = Future()

    def done(finished: Future[Any]) -> None:
        if finished.cancelled():
            chained.cancel()
            return
        error = finished.exception()
        if error is not None:
            chained.set_exception(error)
            return
        try:
            chained.set_result(step(finished.result()))
        except Exception as failure:
            chained.set_exception(failure)

    future.add_done_callback(done)
    return chained
