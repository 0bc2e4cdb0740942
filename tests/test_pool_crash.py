"""A job that kills its grading process costs its own record and nobody else's.

The crash is real: the job calls os._exit or SIGKILLs its own worker, as a native crash
in pyslang, the OOM killer or a segfault would end it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import types
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cluster_jobs
import pytest
from processes import marked_processes, wait_until

from verilogeval.checks.registry import JobCheck, PostCheck, flag_only
from verilogeval.checks.strict.result import StrictResult
from verilogeval.dataset.loader import load_dataset
from verilogeval.execution.pools import LocalPool, Place, WorkerCrashed, run_all
from verilogeval.grading.grader import GradeConfig
from verilogeval.grading.simulate import MEMORY_LIMIT_BYTES
from verilogeval.grading.time_limits import reference_sample
from verilogeval.orchestration.progress import QuietProgress
from verilogeval.orchestration.session import GradingSession
from verilogeval.records import Problem, Sample, Task
from verilogeval.runfolder.files import RunFolder
from verilogeval.runfolder.lines import read_results
from verilogeval.verdicts import NotChecked, VerdictSchema, not_checked

pytestmark = pytest.mark.icarus

PROBLEM = Problem("Prob000_none", 0, Task.SPEC_TO_RTL, Path("."), "", Path("ref.sv"), None)


def submit_all(pool: LocalPool, job: Any, count: int, payload: Any) -> list[Future[Any]]:
    return [
        pool.submit(job, PROBLEM, Sample(PROBLEM.name, n, ""), payload) for n in range(1, count + 1)
    ]


def test_a_crashing_job_fails_alone_and_every_other_job_has_its_record(tmp_path):
    crashing = {3: "exit", 7: "kill", 9: "leave"}
    with LocalPool(2, Place(workdir=tmp_path, cache_dir=None, sandboxed=False)) as pool:
        futures = submit_all(pool, cluster_jobs.crash_job, 12, crashing)
        for number, future in enumerate(futures, start=1):
            if number in crashing:
                with pytest.raises(WorkerCrashed, match="died each of the 2 times"):
                    future.result()
            else:
                assert future.result()[0] == number
        # the pool goes on after its crashes
        again = pool.submit(cluster_jobs.crash_job, PROBLEM, Sample(PROBLEM.name, 20, ""), {})
        assert again.result()[0] == 20


def test_a_job_that_crashed_once_gets_its_record_from_a_fresh_process(tmp_path):
    with LocalPool(2, Place(workdir=None, cache_dir=None, sandboxed=False)) as pool:
        futures = submit_all(pool, cluster_jobs.crash_once_job, 4, str(tmp_path))
        assert [future.result() for future in futures] == [1, 2, 3, 4]
    assert len(list(tmp_path.glob("crashed-*"))) == 4  # each did crash once


def test_the_parent_removes_the_scratch_of_workers_that_died(tmp_path):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    with LocalPool(2, Place(workdir=scratch, cache_dir=None, sandboxed=False)) as pool:
        futures = submit_all(pool, cluster_jobs.crash_job, 4, {1: "leave", 2: "leave"})
        for future in futures:
            future.exception()
    assert list(scratch.iterdir()) == []


@pytest.mark.shared
def test_a_worker_killed_in_its_sandbox_leaves_no_process_and_no_file(official_root, tmp_path):
    """The sandboxed official simulation, then the worker dies: no bwrap, agent or file stays."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    problem = load_dataset(official_root, Task.SPEC_TO_RTL).problems[0]
    samples = [Sample(problem.name, n, reference_sample(problem).code) for n in range(1, 5)]
    with LocalPool(2, Place(workdir=scratch, cache_dir=None, sandboxed=True)) as pool:
        futures = [pool.submit(cluster_jobs.simulate_then_crash, problem, s, {2}) for s in samples]
        assert isinstance(futures[1].exception(), WorkerCrashed)
        for future in (futures[0], *futures[2:]):
            assert "Mismatches: 0 in " in future.result()
    assert list(scratch.iterdir()) == []
    assert wait_until(lambda: not marked_processes(str(scratch))), marked_processes(str(scratch))


@dataclass(frozen=True)
class CrashingCheck:
    """A post-verdict check whose job kills its worker on the samples it names."""

    crashing: dict[int, str]


def _crashing_check() -> PostCheck:
    return PostCheck(
        open=lambda settings, place: JobCheck(
            place.pool, cluster_jobs.crash_job, settings.crashing
        ),
        applies=lambda verdict: True,
        verdict=lambda record, records: not_checked("crashing", None, ""),
        error_record=lambda sample, error: None,
        schema=_CRASHING_SCHEMA,
        options=flag_only("crashing", "a check that crashes"),
    )


def _no_details(problem: str, sample: int, data: dict) -> StrictResult:
    raise ValueError("the crashing check keeps no details")


_CRASHING_SCHEMA = VerdictSchema(status=NotChecked, details=_no_details)


@pytest.mark.shared
def test_a_session_keeps_every_verdict_and_names_the_one_sample_it_could_not_check(
    official_root, tmp_path
):
    problems = load_dataset(official_root, Task.SPEC_TO_RTL).problems[:4]
    folder = RunFolder(tmp_path / "run")
    folder.root.mkdir()
    folder.results.touch()
    grading = GradeConfig(jobs=2, workdir=tmp_path)
    checks = {"crashing": CrashingCheck({2: "kill"})}
    registry = {"crashing": _crashing_check()}
    by_name = {problem.name: problem for problem in problems}
    with GradingSession(folder, by_name, grading, checks, QuietProgress(), registry) as session:
        for number, problem in enumerate(problems, start=1):
            session.submit(Sample(problem.name, number, reference_sample(problem).code))
        failures = session.wait()
    assert len(failures) == 1 and "crashing check" in failures[0], failures
    assert f"{problems[1].name} sample 2" in failures[0] and "WorkerCrashed" in failures[0]
    lines = read_results(folder.results, {"crashing": _CRASHING_SCHEMA})
    assert sorted(line.sample for line in lines) == [1, 2, 3, 4]
    assert all(line.passed for line in lines)
    assert [path.name for path in tmp_path.iterdir()] == ["run"]  # the scratch is gone


@pytest.mark.slow
def test_on_a_dask_cluster_a_crashing_job_fails_alone():
    """Its batch takes workers down and fails (KilledWorker): each of its jobs runs alone."""
    distributed = pytest.importorskip("distributed")
    import cloudpickle
    import dask

    from verilogeval.execution.cluster import DaskPool

    problem = load_dataset(None, Task.SPEC_TO_RTL).problems[0]
    cloudpickle.register_pickle_by_value(cluster_jobs)
    try:
        with (
            dask.config.set({"distributed.scheduler.allowed-failures": 0}),  # fewest restarts
            distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
        ):
            pool = DaskPool(cluster.scheduler_address, sandbox=False)
            try:
                futures = [
                    pool.submit(
                        cluster_jobs.crash_job, problem, Sample(problem.name, n, ""), {3: "exit"}
                    )
                    for n in range(1, 9)
                ]
                assert futures[2].exception() is not None
                others = [future.result()[0] for n, future in enumerate(futures, 1) if n != 3]
                assert others == [1, 2, 4, 5, 6, 7, 8]
            finally:
                pool.shutdown()
    finally:
        cloudpickle.unregister_pickle_by_value(cluster_jobs)


def _first_line(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    return process.stdout.readline().strip()


def test_a_root_whose_owner_was_killed_is_removed_by_the_next_run(tmp_path):
    """SIGKILL leaves the parent no time to clean: its lock dies with it, and the next pool
    in the same folder removes the root; a root whose owner lives is left alone."""
    own_root = "from verilogeval.execution.scratch import ScratchRoot; import sys, time; "
    own_root += f"print(ScratchRoot({str(tmp_path)!r}).path, flush=True); time.sleep(600)"
    owners = [
        subprocess.Popen([sys.executable, "-c", own_root], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    try:
        killed, living = (Path(_first_line(owner)) for owner in owners)
        (killed / "left").write_text("x")
        owners[0].kill()
        owners[0].wait()
        for root in (killed, living):
            os.utime(root, (0, 0))  # as old as can be: only the lock decides
        with LocalPool(1, Place(workdir=tmp_path, cache_dir=None, sandboxed=False)):
            assert not killed.exists()
            assert living.is_dir()
    finally:
        for owner in owners:
            owner.kill()
            owner.wait()


def test_a_job_that_wants_more_memory_than_a_sample_may_have_gets_memory_error():
    """As a parse of hostile code that blows up would: the job's error, not the machine's
    memory (the old pool handed out 8 GiB here)."""
    with LocalPool(1, Place(workdir=None, cache_dir=None, sandboxed=False)) as pool:
        sample = Sample(PROBLEM.name, 1, "")
        too_much = pool.submit(cluster_jobs.allocate_job, PROBLEM, sample, 2 * MEMORY_LIMIT_BYTES)
        assert isinstance(too_much.exception(), MemoryError)
        assert pool.submit(cluster_jobs.allocate_job, PROBLEM, sample, 1 << 20).result() == 1 << 20


def test_a_job_its_worker_cannot_load_is_its_error_not_a_crash():
    """A job function the worker cannot import fails that job; the worker goes on."""
    ghost = types.ModuleType("verilogeval_test_ghost")
    exec("def job(problem, sample, payload, place):\n    return 1\n", ghost.__dict__)
    sys.modules[ghost.__name__] = ghost  # importable here only
    try:
        with LocalPool(1, Place(workdir=None, cache_dir=None, sandboxed=False)) as pool:
            sample = Sample(PROBLEM.name, 1, "")
            lost = pool.submit(ghost.job, PROBLEM, sample, None)
            assert isinstance(lost.exception(), ModuleNotFoundError)
            assert pool.submit(cluster_jobs.crash_job, PROBLEM, sample, {}).result()[0] == 1
    finally:
        del sys.modules[ghost.__name__]


def test_run_all_gives_a_crashing_job_its_error_record_and_the_others_theirs():
    """As `strict` and `check --strict/--formal` use it: no traceback for the whole batch."""
    pairs = [(PROBLEM, Sample(PROBLEM.name, n, "")) for n in range(1, 6)]
    with LocalPool(2, Place(workdir=None, cache_dir=None, sandboxed=False)) as pool:
        records = run_all(
            pool,
            cluster_jobs.crash_job,
            pairs,
            {2: "kill"},
            lambda sample, error: (sample.sample, type(error).__name__),
        )
    assert [record[0] for record in records] == [1, 2, 3, 4, 5]
    assert records[1] == (2, "WorkerCrashed")
    assert all(isinstance(record[1], int) for n, record in enumerate(records) if n != 1)


@pytest.mark.slow
def test_a_dask_cluster_left_without_workers_stops_the_run_instead_of_hanging(monkeypatch):
    distributed = pytest.importorskip("distributed")
    from verilogeval.execution import cluster as dask_pool

    monkeypatch.setattr(dask_pool, "NO_WORKERS_S", 1.0)
    problem = load_dataset(None, Task.SPEC_TO_RTL).problems[0]
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster.scheduler_address) as observer,
    ):
        pool = dask_pool.DaskPool(cluster.scheduler_address, sandbox=False)
        try:
            cluster.scale(0)  # every worker goes, as when they all crashed for good
            assert wait_until(lambda: not observer.scheduler_info()["workers"])
            waiting = pool.submit(cluster_jobs.echo_job, problem, Sample(problem.name, 1, ""), 0)
            stopped = waiting.exception(timeout=120)  # the old pool waited forever
            assert isinstance(stopped, dask_pool.ClusterLost)
            assert "no Dask worker left" in str(stopped)
        finally:
            pool.shutdown()
