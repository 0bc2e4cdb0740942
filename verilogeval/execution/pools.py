"""Where grading jobs run: processes of this machine, or a Dask cluster (execution.cluster).

Every job of a run, the official simulation and each post-verdict check, is a top-level
function `job(problem, sample, payload, place) -> record`: `payload` is the job's frozen
settings, `place` says where the machine that runs it keeps scratch files. One pool takes
them all, so `--jobs` bounds every simulation of a run, and a cluster takes every job
without a second code path: the same function runs wherever the pool sends it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import multiprocessing.context
import queue
import resource
import signal
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass, replace
from multiprocessing import forkserver
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from typing import Any, Protocol, TypeVar

from verilogeval.errors import UserError
from verilogeval.execution.icarus import simulator_version
from verilogeval.execution.sandbox.host import ensure_available
from verilogeval.execution.sandbox.isolation import MEMORY_LIMIT_BYTES
from verilogeval.execution.scratch import ScratchRoot
from verilogeval.records import Problem, Sample

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


class GradingStopped(UserError):
    """The grading machinery itself failed (a lost cluster, a worker that cannot grade).

    Not one sample's failure: the run stops with this message, keeping what it graded,
    and the same command resumes it.
    """


class WorkerCrashed(RuntimeError):
    """A job whose worker process died under it each time it ran (a crash, a kill, memory).

    That job's error alone: no other job shares a process with it.
    """


# A job that takes its worker down this often (the second time alone in a fresh process)
# is that sample's error: once could be bad luck, as the kernel's OOM killer picks a
# process, not the job that took the memory.
MAX_CRASHES = 2
_EXIT_GRACE_S = 30.0  # an idle worker told to stop exits at once; this bounds a stuck one


@dataclass
class _Task:
    job: Job[Any]
    args: tuple[Problem, Sample, Any]
    outcome: Future[Any]
    crashes: int = 0


class LocalPool:
    """`jobs` processes of this machine, one job at a time each: the default pool.

    Processes, not threads: a job classifies a log and parses code in Python, and a
    process per job keeps the parent, which writes the run folder, responsive.

    Not a ProcessPoolExecutor: when one of its processes dies (a native crash parsing a
    hostile sample, the OOM killer, a kill) it breaks, failing every job it holds, and
    which job killed it is unknown. Here a process holds one job, so a process that dies
    names its job: that job runs again in a fresh process, and fails alone (WorkerCrashed)
    when it crashes again. The pool owns the run's scratch folder (its jobs'
    `Place.workdir`) and removes it when it shuts down, whatever the workers left there
    or died doing. Workers ignore Ctrl-C: the parent stops them, at once.
    """

    def __init__(self, jobs: int, place: Place) -> None:
        if place.sandboxed:
            ensure_available()
        self.simulator = simulator_version()
        self._context = multiprocessing.get_context("forkserver")
        self._started = False  # the forkserver: on the first job (a cached run needs none)
        try:
            self._scratch = ScratchRoot(place.workdir)
        except OSError as error:
            raise UserError(
                f"{place.workdir}: cannot make the run's scratch folder there ({error.strerror})"
            ) from None
        try:  # a Ctrl-C before the caller holds the pool must not leave the scratch behind
            self._place = replace(place, workdir=self._scratch.path)
            self._tasks: queue.SimpleQueue[_Task | None] = queue.SimpleQueue()
            self._lock = threading.Lock()
            self._closing = False
            self._busy: dict[int, _Worker] = {}  # slot -> its worker while it runs a job
            self._slots = [
                threading.Thread(target=self._serve_slot, args=(slot,), daemon=True)
                for slot in range(jobs)
            ]
            for thread in self._slots:
                thread.start()
        except BaseException:
            self._scratch.remove()
            raise

    def submit(self, job: Job[R], problem: Problem, sample: Sample, payload: Any) -> Future[R]:
        outcome: Future[R] = Future()
        with self._lock:
            if self._closing:
                outcome.cancel()
                return outcome
            if not self._started:
                _start_forkserver_ignoring_ctrl_c()
                self._started = True
            self._tasks.put(_Task(job, (problem, sample, payload), outcome))
        return outcome

    def shutdown(self) -> None:
        """Cancel the jobs not done (killing the workers that run one), remove the scratch.

        Called once every wanted record is in, or to abandon the rest (Ctrl-C): either
        way no job is waited for.
        """
        with self._lock:
            if self._closing:
                return
            self._closing = True
            for worker in self._busy.values():
                worker.kill()
            for _ in self._slots:
                self._tasks.put(None)
        for thread in self._slots:
            thread.join()
        while not self._tasks.empty():
            task = self._tasks.get()
            if task is not None:
                task.outcome.cancel()
        self._scratch.remove()

    def __enter__(self) -> LocalPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()

    def _serve_slot(self, slot: int) -> None:
        """One slot's thread: a task at a time, each run to its end on the slot's worker."""
        worker: _Worker | None = None
        try:
            while (task := self._tasks.get()) is not None:
                worker = self._run(slot, task, worker)
        finally:
            if worker is not None:
                worker.stop()

    def _run(self, slot: int, task: _Task, worker: _Worker | None) -> _Worker | None:
        """Settle `task` on `worker` (a fresh one when None or dead); the live worker after."""
        while not task.outcome.done():
            with self._lock:
                if self._closing:
                    task.outcome.cancel()
                    break
                if worker is None:
                    worker = _Worker(self._context)
                self._busy[slot] = worker
            answer = worker.run(task.job, (*task.args, self._place))
            with self._lock:
                del self._busy[slot]
            if answer is not None:
                _settle(task.outcome, answer)
                break
            worker.stop()  # reap it
            death, worker = worker.death(), None
            task.crashes += 1
            if task.crashes >= MAX_CRASHES and not self._closing:
                crashed = WorkerCrashed(
                    f"the grading process died each of the {task.crashes} times it ran this "
                    f"sample (last: {death})"
                )
                _settle(task.outcome, (False, crashed))
        return worker


def _settle(outcome: Future[Any], answer: tuple[bool, Any]) -> None:
    """Give `outcome` the job's record or error, unless its owner cancelled it meanwhile."""
    ok, value = answer
    with contextlib.suppress(InvalidStateError):
        if ok:
            outcome.set_result(value)
        else:
            outcome.set_exception(value)


class _Worker:
    """One worker process of a LocalPool and the pipe to it."""

    def __init__(self, context: multiprocessing.context.ForkServerContext) -> None:
        self._connection, child = context.Pipe()
        self._process = context.Process(
            target=_work, args=(child,), name="verilogeval-worker", daemon=True
        )
        self._process.start()
        child.close()

    def run(self, job: Job[Any], args: tuple[Any, ...]) -> tuple[bool, Any] | None:
        """(True, record) or (False, what the job raised); None when the process died."""
        try:
            self._connection.send((job, args))
        except (OSError, EOFError):
            return None
        except Exception as error:  # the job or its arguments cannot be pickled
            return False, error
        ready = multiprocessing.connection.wait([self._connection, self._process.sentinel])
        if self._connection not in ready:
            return None
        try:
            answer: tuple[bool, Any] = self._connection.recv()
        except (OSError, EOFError):
            return None
        except Exception as error:  # e.g. an exception type that cannot be rebuilt here
            return False, RuntimeError(f"the job's answer cannot be read: {error!r}")
        return answer

    def kill(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._process.kill()

    def stop(self) -> None:
        """Let the worker end (its end of the pipe closes), killing it if it does not."""
        self._connection.close()
        self._process.join(_EXIT_GRACE_S)
        if self._process.exitcode is None:
            self.kill()
            self._process.join()

    def death(self) -> str:
        code = self._process.exitcode
        if code is not None and code < 0:
            return f"killed by {signal.Signals(-code).name}"
        return f"exit status {code}"


def _work(connection: multiprocessing.connection.Connection) -> None:
    """A worker process: run each job sent, answer with its record or its error, until EOF."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to act on
    # A job parses untrusted code here (pyslang): a blow-up (macros that double) is its
    # MemoryError, or its crash, under the limit of a sample's own processes, never the
    # machine's memory, which the OOM killer would take back from any process.
    memory = MEMORY_LIMIT_BYTES
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    while True:
        try:
            message = connection.recv_bytes()
        except (EOFError, OSError):  # the parent is done with us, or gone
            return
        try:
            job, args = ForkingPickler.loads(message)
            answer: tuple[bool, Any] = (True, job(*args))
        except BaseException as error:  # SystemExit too (cocotb): the job's own failure
            answer = (False, error)
        try:
            connection.send(answer)
        except (EOFError, OSError):
            return
        except Exception as error:  # a record or an error that cannot be pickled
            unsent = RuntimeError(f"the job's answer cannot be sent: {error!r}")
            with contextlib.suppress(EOFError, OSError):
                connection.send((False, unsent))


def _start_forkserver_ignoring_ctrl_c() -> None:
    """Start the process that forks the workers with Ctrl-C ignored, which they inherit.

    A terminal sends Ctrl-C to every process of its foreground group, workers included:
    one must neither die of it (a traceback on the screen, its job lost) nor handle it
    before `_work` ignores it. The parent acts on Ctrl-C and stops them.
    """
    if threading.current_thread() is not threading.main_thread():
        forkserver.ensure_running()
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)


def run_all(
    pool: Pool,
    job: Job[R],
    pairs: Iterable[tuple[Problem, Sample]],
    payload: Any,
    error_record: Callable[[Sample, BaseException], R],
) -> list[R]:
    """`job` on every (problem, sample) pair, records in the order of `pairs`.

    A job that raised (its process crashed on a hostile sample, say) gets
    `error_record(sample, error)`: one sample's failure never costs the others theirs.
    """
    started = [(sample, pool.submit(job, problem, sample, payload)) for problem, sample in pairs]
    return [_record_or_error(sample, future, error_record) for sample, future in started]


def _record_or_error(
    sample: Sample, future: Future[R], error_record: Callable[[Sample, BaseException], R]
) -> R:
    error = future.exception()
    return future.result() if error is None else error_record(sample, error)


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
