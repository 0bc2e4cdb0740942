"""Grading on a Dask cluster: the local pool's jobs, run by `dask worker`s anywhere.

`open_pool` picks the pool of a command: this cluster when it names a scheduler, else the
local processes of verilogeval.execution.pools.

A job carries content, not paths: each job holds its problem's testbench and reference
(and Python test), a few kilobytes, and a worker writes them once into a folder of its
own, so workers need no dataset clone and no shared file system. Carried in the job
rather than scattered once: scattered data lives on one worker, and a job whose worker
died with it could not be rerun elsewhere. The jobs themselves are the local pool's
(official grading and every post-verdict check), so a verdict cannot depend on where it
was computed. Only the client reads the caches and writes the run folder.

Jobs travel in batches: a Dask task costs a few milliseconds of scheduling, as much as
a fifth of an official simulation (bench/bench_cluster.py), so a task carries up to
MAX_BATCH jobs. Batches shrink as the queue empties so that no worker finishes long
after the others.

Dask does the scheduling: a worker that dies mid-batch has its batch rerun elsewhere by
the scheduler. A batch that took down worker after worker (KilledWorker: a sample that
crashes its process, as a hostile one can) is split, and each of its jobs runs alone,
the only task of the run on the cluster, so only the one that crashes fails (WorkerCrashed)
and the others keep their records. A worker that cannot grade (no
Icarus, no Yosys for --formal, another Icarus version) fails its batch with a message that
names it, and the whole run stops: it never grades wrong.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import math
import multiprocessing.util
import shutil
import tempfile
import threading
import time
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from verilogeval.errors import UserError
from verilogeval.execution.icarus import simulator_version
from verilogeval.execution.pools import GradingStopped, Job, LocalPool, Place, WorkerCrashed
from verilogeval.execution.sandbox.host import ensure_available
from verilogeval.execution.scratch import ScratchRoot, default_scratch_dir
from verilogeval.records import Problem, Sample

# Waiting for a scheduler that does not answer: long enough for a busy one, short enough
# that a wrong address is reported while the user still watches.
CONNECT_TIMEOUT_S = 30.0
ICARUS = ("iverilog", "vvp")
# Jobs per Dask task at most: 16 official simulations amortise a task's scheduling cost
# to under 1% (bench/bench_cluster.py); more would only coarsen the progress bar.
MAX_BATCH = 16
# Batches in flight per worker thread: one running, one waiting on the worker, so a
# thread never idles while its next batch is being formed.
BATCHES_PER_THREAD = 2
# How often the pool's thread looks at the cluster when no future wakes it: only a
# safety net (a lost scheduler is normally reported by the futures themselves).
_POLL_S = 1.0
# A batch whose records were lost with their worker is rerun; this often at most, so a
# result the client can never read fails its jobs instead of looping.
MAX_RERUNS = 3
_THREADS_REFRESH_S = 2.0  # workers come and go: recount their threads this often
_log = logging.getLogger(__name__)
# A cluster with work of ours and no worker at all this long has lost its workers (all
# crashed, or their nannies gave up): the run stops instead of waiting forever. As long
# as the wait for the first worker: a worker being restarted is back well within it.
NO_WORKERS_S = CONNECT_TIMEOUT_S * 4


class WorkerSetupError(GradingStopped):
    """A worker that cannot grade at all (a missing tool, another simulator version)."""


class ClusterLost(GradingStopped):
    """The scheduler went away: what was graded is kept, the rest is graded on resume."""


@dataclass(frozen=True)
class ProblemFiles:
    """A problem as a worker needs it: its record and the bytes of the files it names."""

    problem: Problem
    ref: bytes
    test_sv: bytes | None
    test_py: bytes | None

    @classmethod
    def of(cls, problem: Problem) -> ProblemFiles:
        return cls(
            problem=problem,
            ref=problem.ref_path.read_bytes(),
            test_sv=None if problem.test_path is None else problem.test_path.read_bytes(),
            test_py=None if problem.test_py_path is None else problem.test_py_path.read_bytes(),
        )

    def digest(self) -> str:
        content = hashlib.sha256()
        for part in (self.problem.name.encode(), self.ref, self.test_sv, self.test_py):
            content.update(b"\0" if part is None else b"\1" + part)
        return content.hexdigest()[:24]

    def materialize(self, root: Path) -> Problem:
        """The problem with its files written under `root` (once per content)."""
        folder = root / self.digest()
        if not folder.is_dir():
            partial = Path(tempfile.mkdtemp(prefix=".partial-", dir=root))
            name = self.problem.name
            (partial / f"{name}_ref.sv").write_bytes(self.ref)
            if self.test_sv is not None:
                (partial / f"{name}_test.sv").write_bytes(self.test_sv)
            if self.test_py is not None:
                (partial / f"{name}_test.py").write_bytes(self.test_py)
            try:
                partial.rename(folder)
            except OSError:  # another job of this worker wrote it first
                shutil.rmtree(partial, ignore_errors=True)
        name = self.problem.name
        return replace(
            self.problem,
            folder=folder,
            ref_path=folder / f"{name}_ref.sv",
            test_path=None if self.test_sv is None else folder / f"{name}_test.sv",
            test_py_path=None if self.test_py is None else folder / f"{name}_test.py",
        )


@dataclass(frozen=True)
class _Queued:
    """A job waiting for a batch, and the Future its submitter holds."""

    job: Job[Any]
    files: ProblemFiles
    sample: Sample
    payload: Any
    outcome: Future[Any]


def run_batch(
    jobs: list[tuple[Job[Any], ProblemFiles, Sample, Any]],
    simulator: str,
    sandbox: bool,
    tools: tuple[str, ...],
) -> list[tuple[bool, Any]]:
    """The cluster's task: check the worker can grade as the client expects, then run
    each job; (True, record) or (False, the exception it raised), in order.

    A job's own failure stays that job's: its neighbours in the batch still run.
    """
    from distributed import get_worker

    worker = get_worker()
    problem_text = _setup_problem(sandbox, tools)
    if problem_text is not None:
        raise WorkerSetupError(f"Dask worker {worker.address}: {problem_text}")
    version = simulator_version()
    if version != simulator:
        raise WorkerSetupError(
            f"Dask worker {worker.address} runs {version}, the run grades with {simulator}: "
            "give every worker the same Icarus Verilog"
        )
    scratch = _worker_scratch().path
    root = scratch / "problems"
    root.mkdir(exist_ok=True)
    place = Place(workdir=scratch, cache_dir=None, sandboxed=sandbox)
    records: list[tuple[bool, Any]] = []
    for job, files, sample, payload in jobs:
        try:
            records.append((True, job(files.materialize(root), sample, payload, place)))
        except Exception as error:
            records.append((False, error))
    return records


@functools.lru_cache(maxsize=1)
def _worker_scratch() -> ScratchRoot:
    """This worker process's scratch root (problems and samples): removed when it exits,
    or, when it dies, by the next worker or run of this machine (verilogeval.execution.scratch)."""
    root = ScratchRoot(default_scratch_dir())
    # A Finalize, not atexit: it also runs in a worker a nanny started, which ends with os._exit.
    multiprocessing.util.Finalize(root, root.remove, exitpriority=0)
    return root  # kept alive by the cache: the Finalize would run when it is collected


@functools.lru_cache(maxsize=4)
def _setup_problem(sandbox: bool, tools: tuple[str, ...]) -> str | None:
    """Why this machine cannot grade (a missing tool, no sandbox), or None; checked once."""
    for tool in (*ICARUS, *tools):
        if shutil.which(tool) is None:
            package = "Icarus Verilog" if tool in ICARUS else tool
            return f"has no {tool} on its PATH: install {package} on every worker"
    if sandbox:
        try:
            ensure_available()
        except UserError as error:
            return str(error)
    return None


@dataclass(frozen=True)
class _Batch:
    """The jobs of one Dask task, and how often their records were lost and rerun."""

    jobs: list[_Queued]
    reruns: int = 0
    alone: bool = False  # a suspect, the only task of ours on the cluster


class DaskPool:
    """The grading pool on a Dask scheduler; the same `submit`/`shutdown` as the local pool.

    One thread of the pool talks to the cluster: it forms batches from the queue, keeps
    BATCHES_PER_THREAD batches per worker thread in flight, and hands each job's record
    to its Future. Dask's own callbacks only wake it, so a slow fetch never blocks them.

    The simulator version comes from the workers, not from the client (which may have
    no Icarus at all): it is what the verdicts and the cache key depend on.
    """

    def __init__(self, address: str, sandbox: bool, *, tools: tuple[str, ...] = ()) -> None:
        from distributed import Client
        from distributed.client import ClosedClientError

        # What the client raises when the scheduler cannot be reached: a closed connection
        # or a timeout (OSError, CommClosedError among them), a client that closed itself.
        # Anything else is a bug of this pool, never reported as a lost scheduler.
        self._unreachable: tuple[type[Exception], ...] = (OSError, ClosedClientError)

        # distributed logs its connection troubles with tracebacks; the user gets one
        # message from us instead (a lost scheduler, an unreachable address).
        for name in [*logging.root.manager.loggerDict, "distributed"]:
            if name.split(".")[0] == "distributed":
                logging.getLogger(name).setLevel(logging.CRITICAL + 1)
        try:
            self._client = Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as error:
            raise UserError(f"cannot reach the Dask scheduler at {address}: {error}") from None
        self.address = address
        self._sandbox = sandbox
        self._tools = tools
        self._lock = threading.Lock()
        self._files: dict[str, ProblemFiles] = {}
        self._queue: dict[str, deque[_Queued]] = {}  # problem -> its jobs not yet sent
        self._in_flight: dict[Any, _Batch] = {}  # Dask future -> its batch
        # Jobs of batches that took their workers down, to run alone one at a time: a
        # worker that dies fails every task it was given, so only alone is a crash its own.
        self._suspects: deque[_Queued] = deque()
        self._stopped: BaseException | None = None  # a GradingStopped, or this pool's bug
        self._closing = False
        self._wake = threading.Event()
        self._threads = (0, 0.0)  # (worker threads, when counted)
        self._no_workers_since: float | None = None  # with work waiting, since when
        try:
            self.simulator = self._worker_simulator()
        except BaseException:
            self._client.close(timeout=CONNECT_TIMEOUT_S)
            raise
        self._driver = threading.Thread(target=self._drive, name="dask-pool", daemon=True)
        self._driver.start()

    def _worker_simulator(self) -> str:
        """The one Icarus version every connected worker runs; UserError otherwise."""
        self._client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S * 4)
        setups = self._client.run(_worker_setup, self._sandbox, self._tools)
        for worker, (_, problem_text) in sorted(setups.items()):
            if problem_text is not None:
                raise UserError(f"Dask worker {worker}: {problem_text}")
        found = {version for version, _ in setups.values()}
        if len(found) > 1:
            raise UserError(f"the Dask workers run different simulators: {sorted(found)}")
        return str(found.pop())

    def submit(self, job: Job[Any], problem: Problem, sample: Sample, payload: Any) -> Future[Any]:
        """A concurrent Future of the job's record, once the cluster has run it."""
        outcome: Future[Any] = Future()
        with self._lock:
            if self._stopped is not None:
                outcome.set_exception(self._stopped)
                return outcome
            files = self._files.get(problem.name)
            if files is None:
                files = self._files[problem.name] = ProblemFiles.of(problem)
            self._queue.setdefault(problem.name, deque()).append(
                _Queued(job, files, sample, payload, outcome)
            )
        self._wake.set()
        return outcome

    def shutdown(self) -> None:
        """Cancel what the cluster still holds for us, then disconnect."""
        self._closing = True
        self._wake.set()
        self._driver.join()
        with self._lock:
            waiting = self._take_all()
        for queued in [*waiting, *self._cancel_in_flight()]:
            queued.outcome.cancel()
        self._client.close(timeout=CONNECT_TIMEOUT_S)

    # The pool's thread -------------------------------------------------------------

    def _drive(self) -> None:
        """Send batches and collect their records until the pool shuts down or stops."""
        try:
            while not self._closing:
                self._wake.wait(timeout=_POLL_S)
                self._wake.clear()
                if self._closing:
                    return
                if not self._collect() or not self._send():
                    return
                if self._workers_gone():
                    self._stop(self._lost(f"no Dask worker left for {NO_WORKERS_S:.0f} s"))
                    return
        except self._unreachable:  # the cluster cannot be reached: it is gone
            if not self._closing:
                self._stop(self._lost())
        except Exception as bug:  # every job fails with it, traceback and all: a bug shows
            _log.exception("the Dask pool's thread failed")
            self._stop(bug)

    def _send(self) -> bool:
        """Batches from the queue while there is room in flight; False once stopped.

        While there are suspects, nothing else: each runs once the cluster has nothing
        else of ours.
        """
        if self._suspects:
            if self._in_flight:
                return True
            return self._submit(_Batch([self._suspects.popleft()], alone=True))
        capacity = BATCHES_PER_THREAD * max(1, self._thread_count())
        while len(self._in_flight) < capacity:
            with self._lock:
                waiting = self._waiting()
                if not waiting:
                    return True
                batch = self._take(min(MAX_BATCH, math.ceil(waiting / capacity)))
            if not self._submit(_Batch(batch)):
                return False
        return True

    def _submit(self, batch: _Batch) -> bool:
        """Send one batch; False (the run stopped) when the scheduler cannot be reached."""
        wire = [(q.job, q.files, q.sample, q.payload) for q in batch.jobs]
        try:
            future = self._client.submit(
                run_batch, wire, self.simulator, self._sandbox, self._tools, pure=False
            )
        except self._unreachable:
            self._stop(self._lost(), batch.jobs)
            return False
        self._in_flight[future] = batch
        future.add_done_callback(lambda _: self._wake.set())
        return True

    def _collect(self) -> bool:
        """Hand every finished batch's records to their Futures; False once stopped."""
        if not self._in_flight and self._client.status in ("closing", "closed", "failed"):
            self._stop(self._lost())
            return False
        for future, in_flight in list(self._in_flight.items()):
            if not future.done():  # running, or lost with its worker and running again
                continue
            del self._in_flight[future]
            batch = in_flight.jobs
            if future.status == "finished":
                try:
                    records = self._fetch(future)
                except ClusterLost as gone:
                    self._stop(gone, batch)
                    return False
                if records is None and in_flight.reruns < MAX_RERUNS:
                    rerun = replace(in_flight, reruns=in_flight.reruns + 1)
                    if not self._submit(rerun):
                        return False
                    continue
                if records is None:
                    lost = RuntimeError(
                        f"the cluster ran this job {MAX_RERUNS + 1} times and its result "
                        "could not be fetched"
                    )
                    records = [(False, lost)] * len(batch)
                for queued, (ok, record) in zip(batch, records, strict=True):
                    if ok:
                        queued.outcome.set_result(record)
                    else:
                        queued.outcome.set_exception(record)
            elif future.status == "error":
                error = future.exception()
                if isinstance(error, WorkerSetupError):
                    self._stop(error, batch)
                    return False
                if not in_flight.alone:  # KilledWorker: which job took its workers down?
                    self._suspects.extend(batch)
                    continue
                crashed = WorkerCrashed(f"the Dask workers died running this sample alone: {error}")
                batch[0].outcome.set_exception(crashed)
            else:  # cancelled, though not by us: the scheduler dropped it
                self._stop(self._lost(), batch)
                return False
        return True

    def _fetch(self, future: Any) -> list[tuple[bool, Any]] | None:
        """A finished batch's records; None when they were lost with their worker."""
        try:
            records: list[tuple[bool, Any]] | None = future.result()
        except Exception as error:  # whatever a lost worker or an unreadable record raises
            if self._client.status != "running":
                raise self._lost() from error  # the scheduler is gone: the run stops
            return None
        return records

    def _stop(self, error: BaseException, batch: list[_Queued] | None = None) -> None:
        """Stop the run: every job not yet done fails with `error`, the cluster's are cancelled."""
        with self._lock:
            self._stopped = self._stopped or error
            waiting = [*(batch or []), *self._take_all()]
        for queued in [*waiting, *self._cancel_in_flight()]:
            if not queued.outcome.done():
                queued.outcome.set_exception(self._stopped)

    def _take(self, size: int) -> list[_Queued]:
        """Up to `size` queued jobs, one per problem in turn (called holding the lock).

        Samples of one problem cost alike, and a slow problem's samples queued behind each
        other in one batch would leave the other workers idle at the end; taken in turn,
        they spread over batches as they would over the local pool's processes.
        """
        batch: list[_Queued] = []
        while len(batch) < size and self._queue:
            for name in list(self._queue)[: size - len(batch)]:
                jobs = self._queue.pop(name)
                batch.append(jobs.popleft())
                if jobs:
                    self._queue[name] = jobs  # to the back of the turn
        return batch

    def _take_all(self) -> list[_Queued]:
        suspects, self._suspects = list(self._suspects), deque()
        return suspects + self._take(self._waiting())

    def _waiting(self) -> int:
        """How many jobs are queued, not yet sent (called holding the lock)."""
        return sum(len(jobs) for jobs in self._queue.values())

    def _cancel_in_flight(self) -> list[_Queued]:
        """Cancel the batches in flight; their jobs."""
        batches, self._in_flight = self._in_flight, {}
        with contextlib.suppress(Exception):  # a lost scheduler took them with it
            if batches:
                self._client.cancel(list(batches))
        return [queued for batch in batches.values() for queued in batch.jobs]

    def _thread_count(self) -> int:
        """The cluster's worker threads, recounted every _THREADS_REFRESH_S."""
        count, counted_at = self._threads
        now = time.monotonic()
        if now - counted_at > _THREADS_REFRESH_S:
            count = sum(self._client.nthreads().values())
            self._threads = (count, now)
        return count

    def _workers_gone(self) -> bool:
        """Whether the cluster has had no worker for NO_WORKERS_S while ours waits."""
        if self._thread_count() > 0 or not (self._in_flight or self._suspects):
            self._no_workers_since = None
            return False
        now = time.monotonic()
        if self._no_workers_since is None:
            self._no_workers_since = now
        return now - self._no_workers_since > NO_WORKERS_S

    def _lost(self, what: str = "lost the Dask scheduler") -> ClusterLost:
        return ClusterLost(
            f"{what} at {self.address}; what was graded is kept: run the same command "
            "again (against a running scheduler with workers) to resume"
        )


def _worker_setup(sandbox: bool, tools: tuple[str, ...]) -> tuple[str | None, str | None]:
    """(simulator version, why the worker cannot grade): run on every worker at the start."""
    problem_text = _setup_problem(sandbox, tools)
    return (None, problem_text) if problem_text else (simulator_version(), None)


def open_pool(
    jobs: int, place: Place, scheduler: str | None, *, tools: tuple[str, ...] = ()
) -> LocalPool | DaskPool:
    """The cluster at `scheduler` (its workers checked for `tools` too), else local processes.

    `tools`: programs the run needs beyond Icarus (yosys for --formal); the local machine
    is checked by the jobs themselves, which say which program is missing.
    """
    if scheduler is None:
        return LocalPool(jobs, place)
    return DaskPool(scheduler, place.sandboxed, tools=tools)
