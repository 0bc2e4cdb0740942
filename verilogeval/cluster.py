"""Grading on a Dask cluster: the local pool's jobs, run by `dask worker`s anywhere.

A job carries content, not paths: each job holds its problem's testbench and reference
(and Python test), a few kilobytes, and a worker writes them once into a folder of its
own, so workers need no dataset clone and no shared file system. Carried in the job
rather than scattered once: scattered data lives on one worker, and a job whose worker
died with it could not be rerun elsewhere. The job itself is
the local pool's (`grade.simulate_and_classify`), so a verdict cannot depend on where it
was computed. Only the client reads the cache and writes the run folder.

Dask does the scheduling: a worker that dies mid-job has its jobs rerun elsewhere by
the scheduler. A worker that cannot grade (no Icarus, another Icarus version) fails its
job with a message that names it, and the whole run stops: it never grades wrong.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import shutil
import tempfile
import threading
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from verilogeval import grade, simulate
from verilogeval.errors import UserError
from verilogeval.grade import GradeConfig, GradingStopped
from verilogeval.records import Problem, Sample, SimResult, Verdict
from verilogeval.sandbox import ensure_available
from verilogeval.time_limits import TimeLimitPolicy

# Waiting for a scheduler that does not answer: long enough for a busy one, short enough
# that a wrong address is reported while the user still watches.
CONNECT_TIMEOUT_S = 30.0
_TOOLS = ("iverilog", "vvp")


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


def grade_on_worker(
    files: ProblemFiles,
    sample: Sample,
    timeout_s: float,
    time_limit: TimeLimitPolicy | None,
    simulator: str,
    sandbox: bool,
) -> tuple[SimResult, Verdict]:
    """The cluster's job: check the worker can grade as the client expects, then grade."""
    from distributed import get_worker

    worker = get_worker()
    problem_text = _setup_problem(sandbox)
    if problem_text is not None:
        raise WorkerSetupError(f"Dask worker {worker.address}: {problem_text}")
    version = simulate.simulator_version()
    if version != simulator:
        raise WorkerSetupError(
            f"Dask worker {worker.address} runs {version}, the run grades with {simulator}: "
            "give every worker the same Icarus Verilog"
        )
    scratch = grade.default_scratch_dir()
    root = Path(scratch or tempfile.gettempdir()) / f"verilogeval-problems-{worker.id}"
    root.mkdir(parents=True, exist_ok=True)
    problem = files.materialize(root)
    config = GradeConfig(
        jobs=1, timeout_s=timeout_s, time_limit=time_limit, workdir=scratch, sandbox=sandbox
    )
    return grade.simulate_and_classify(problem, sample, config, None)


@functools.lru_cache(maxsize=2)
def _setup_problem(sandbox: bool) -> str | None:
    """Why this machine cannot grade (a missing tool, no sandbox), or None; checked once."""
    for tool in _TOOLS:
        if shutil.which(tool) is None:
            return f"has no {tool} on its PATH: install Icarus Verilog on every worker"
    if sandbox:
        try:
            ensure_available()
        except UserError as error:
            return str(error)
    return None


class DaskPool:
    """The grading pool on a Dask scheduler; same `submit`/`shutdown` as the local pool.

    The simulator version comes from the workers, not from the client (which may have
    no Icarus at all): it is what the verdicts and the cache key depend on.
    """

    def __init__(self, address: str, sandbox: bool) -> None:
        from distributed import Client

        # distributed logs its connection troubles with tracebacks; the user gets one
        # message from us instead (a lost scheduler, an unreachable address).
        for name in [*logging.root.manager.loggerDict, "distributed"]:
            if name.split(".")[0] == "distributed":
                logging.getLogger(name).setLevel(logging.CRITICAL)
        try:
            self._client = Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as error:
            raise UserError(f"cannot reach the Dask scheduler at {address}: {error}") from None
        self.address = address
        self._lock = threading.Lock()
        self._files: dict[str, ProblemFiles] = {}
        self._pending: set[Any] = set()
        self._setup_error: WorkerSetupError | None = None
        self._lost: ClusterLost | None = None
        self._closing = False
        self._sandbox = sandbox
        self.simulator = self._worker_simulator()

    def _worker_simulator(self) -> str:
        """The one Icarus version every connected worker runs; UserError otherwise."""
        self._client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S * 4)
        setups = self._client.run(_worker_setup, self._sandbox)
        for worker, (_, problem_text) in sorted(setups.items()):
            if problem_text is not None:
                self.shutdown()
                raise UserError(f"Dask worker {worker}: {problem_text}")
        found = {version for version, _ in setups.values()}
        if len(found) > 1:
            self.shutdown()
            raise UserError(f"the Dask workers run different simulators: {sorted(found)}")
        return found.pop()

    def submit(
        self, problem: Problem, sample: Sample, config: GradeConfig, waves: Path | None
    ) -> Future[tuple[SimResult, Verdict]]:
        """A concurrent Future of the job's (SimResult, Verdict); `waves` is never set here."""
        outcome: Future[tuple[SimResult, Verdict]] = Future()
        with self._lock:
            stopped = self._setup_error or self._lost
            if stopped is not None:
                outcome.set_exception(stopped)
                return outcome
            files = self._files.get(problem.name)
            if files is None:
                files = self._files[problem.name] = ProblemFiles.of(problem)
        job_args = (files, sample, config.timeout_s, config.time_limit, self.simulator)
        self._launch(job_args, outcome)
        return outcome

    def _launch(self, job_args: tuple[Any, ...], outcome: Future[Any]) -> None:
        """Submit one grading job whose outcome goes to `outcome`."""
        with self._lock:
            try:
                job = self._client.submit(grade_on_worker, *job_args, self._sandbox, pure=False)
            except Exception:  # the scheduler is unreachable: it is gone
                self._lost = ClusterLost(self._lost_message())
                outcome.set_exception(self._lost)
                return
            self._pending.add(job)
        job.add_done_callback(lambda done: self._settle(done, outcome, job_args))

    def _settle(self, job: Any, outcome: Future[Any], job_args: tuple[Any, ...]) -> None:
        """Copy the cluster's outcome; runs on a Dask callback thread, so it never raises.

        Fetching a result is itself a call to the cluster, which fails once the
        scheduler is gone: that, like a job the scheduler dropped, is a lost cluster.
        A finished job whose result was lost with its worker (distributed then hands
        back None) is graded again.
        """
        with self._lock:
            self._pending.discard(job)
        try:
            if job.status == "finished":
                result = job.result()
                if result is not None:
                    outcome.set_result(result)
                elif self._closing:
                    outcome.cancel()
                else:
                    self._launch(job_args, outcome)
                return
            if job.status != "cancelled":
                error = job.exception()
                if isinstance(error, WorkerSetupError):
                    with self._lock:
                        self._setup_error = self._setup_error or error
                    self._cancel_pending()
                outcome.set_exception(error)
                return
        except Exception:
            pass  # the cluster answered nothing usable: it is lost, or we are closing
        if self._closing or self._setup_error is not None:
            outcome.cancel()  # we cancelled it: the run is stopping
        else:
            outcome.set_exception(ClusterLost(self._lost_message()))

    def _lost_message(self) -> str:
        return (
            f"lost the Dask scheduler at {self.address}; what was graded is kept: "
            "run the same command again (against a running scheduler) to resume"
        )

    def _cancel_pending(self) -> None:
        with self._lock:
            pending = list(self._pending)
        if pending:
            self._client.cancel(pending)

    def setup_error(self) -> WorkerSetupError | None:
        """The first worker that could not grade, if any (the run stopped there)."""
        return self._setup_error

    def shutdown(self) -> None:
        """Cancel what the cluster still holds for us, then disconnect."""
        self._closing = True
        self._cancel_pending()
        self._client.close(timeout=CONNECT_TIMEOUT_S)


def _worker_setup(sandbox: bool) -> tuple[str | None, str | None]:
    """(simulator version, why the worker cannot grade): run on every worker at the start."""
    problem_text = _setup_problem(sandbox)
    return (None, problem_text) if problem_text else (simulate.simulator_version(), None)
