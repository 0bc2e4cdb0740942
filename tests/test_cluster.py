"""Grading on a real Dask cluster gives the local verdicts, survives lost workers, says why not.

The clusters are real: `distributed.LocalCluster` with process workers, and `dask scheduler`
and `dask worker` commands on 127.0.0.1. Every wait is for an event (a file, a count of
result lines, a process exit), bounded only by generous limits.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from verilogeval.dataset.loader import load_dataset
from verilogeval.records import Sample, Task

pytestmark = [pytest.mark.icarus, pytest.mark.shared, pytest.mark.slow]

distributed = pytest.importorskip("distributed")

TASK = "spec-to-rtl"
SAMPLES = 300
BIN = Path(sys.executable).parent
STARTUP_LIMIT_S = 300.0  # a scheduler or worker starting on a loaded machine


def verdicts(out: Path) -> dict[tuple[str, int], tuple]:
    """What must not depend on where a sample was graded, by (problem, sample)."""
    lines = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    keys = Counter((line["problem"], line["sample"]) for line in lines)
    assert max(keys.values()) == 1, "a sample was written twice"
    return {
        (line["problem"], line["sample"]): (
            line["category"],
            line["mismatches"],
            line["total"],
            json.dumps(line["outputs"]),
            line["first_error"],
        )
        for line in lines
    }


def result_count(out: Path) -> int:
    journal = out / "results.jsonl"
    return len(journal.read_bytes().splitlines()) if journal.exists() else 0


@pytest.fixture(scope="module")
def samples(golden, tmp_path_factory) -> Path:
    """SAMPLES official answers from the golden vectors, spread over problems and codes.

    Samples that hang in real time and Prob144 (an 8 s reference) are left out: they
    test the time limit, not where grading runs.
    """
    rows = [
        row
        for row in golden("classification")
        if row["task"] == TASK and row["sample"] != "hang" and "conwaylife" not in row["problem"]
    ]
    step = max(1, len(rows) // SAMPLES)
    chosen = rows[::step][:SAMPLES]
    path = tmp_path_factory.mktemp("cluster") / "samples.jsonl"
    path.write_text(
        "".join(
            json.dumps({"problem": row["problem"], "sample": index, "code": row["code"]}) + "\n"
            for index, row in enumerate(chosen, start=1)
        )
    )
    assert len({row["official"] for row in chosen}) >= 4  # passes and several failures
    return path


def evaluate_argv(official_root: Path, samples: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "verilogeval",
        "evaluate",
        "--dataset",
        str(official_root),
        "--task",
        TASK,
        "--samples",
        str(samples),
        "--out",
        str(out),
        "--no-cache",
        "--timeout",
        "120",
        *extra,
    ]


@pytest.fixture(scope="module")
def local_verdicts(official_root, samples, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("local") / "run"
    done = subprocess.run(evaluate_argv(official_root, samples, out), capture_output=True)
    assert done.returncode == 0, done.stderr
    found = verdicts(out)
    assert len(found) == SAMPLES
    return found


def wait_for(condition, what: str, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT_S
    while not condition():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"{what}: the process exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {STARTUP_LIMIT_S:g} s")
        time.sleep(0.05)


def grading_started(argv: list[str], results: int) -> subprocess.Popen:
    """`evaluate` running in the background, once it has written `results` result lines."""
    out = Path(argv[argv.index("--out") + 1])
    run = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(lambda: result_count(out) >= results, "first results", run)
    return run


class Commands:
    """`dask scheduler` and `dask worker` processes on loopback, all killed at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.processes: list[subprocess.Popen] = []

    def start(self, *argv: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        log = open(self.folder / f"process-{len(self.processes)}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            [str(BIN / "dask"), *argv], stdout=log, stderr=log, env=env, start_new_session=True
        )
        self.processes.append(process)
        return process

    def scheduler(self) -> tuple[subprocess.Popen, str]:
        file = self.folder / f"scheduler-{len(self.processes)}.json"
        process = self.start(
            "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
            "--scheduler-file", str(file),
        )  # fmt: skip
        wait_for(lambda: file.exists() and file.stat().st_size > 0, "scheduler file", process)
        return process, json.loads(file.read_text())["address"]

    def worker(self, address: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        return self.start(
            "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
            "--host", "127.0.0.1", env=env,
        )  # fmt: skip

    def kill_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def commands(tmp_path) -> Iterator[Commands]:
    started = Commands(tmp_path)
    try:
        yield started
    finally:
        started.kill_all()


def wait_for_workers(address: str, count: int) -> None:
    with distributed.Client(address, timeout=STARTUP_LIMIT_S) as client:
        client.wait_for_workers(count, timeout=STARTUP_LIMIT_S)


@pytest.mark.parametrize(
    ("workers", "threads"), [(2, 1), (1, 2)], ids=["2 workers", "1 worker, 2 threads"]
)
def test_a_local_cluster_grades_as_the_local_pool(
    official_root, samples, local_verdicts, tmp_path, workers, threads
):
    """Also with threads sharing a worker process, as `dask worker --nthreads N` runs."""
    with distributed.LocalCluster(
        n_workers=workers, threads_per_worker=threads, processes=True, dashboard_address=None
    ) as cluster:
        out = tmp_path / "run"
        argv = evaluate_argv(official_root, samples, out, "--scheduler", cluster.scheduler_address)
        done = subprocess.run(argv, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert verdicts(out) == local_verdicts
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["simulator"]["scheduler"] == cluster.scheduler_address


def test_the_scheduler_comes_from_the_environment_too(official_root, samples, tmp_path):
    """VERILOGEVAL_SCHEDULER names the cluster; an unreachable one is a clear error."""
    env = os.environ | {"VERILOGEVAL_SCHEDULER": "tcp://127.0.0.1:9"}  # discard port: refused
    out = tmp_path / "run"
    done = subprocess.run(
        evaluate_argv(official_root, samples, out), capture_output=True, text=True, env=env
    )
    assert done.returncode == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in done.stderr
    assert "Traceback" not in done.stderr


def test_commands_cluster_survives_a_killed_worker(
    official_root, samples, local_verdicts, commands, tmp_path
):
    """SIGKILL one of two `dask worker`s mid-run: each sample graded once, verdicts unchanged."""
    _, address = commands.scheduler()
    victim = commands.worker(address)
    commands.worker(address)
    wait_for_workers(address, 2)
    out = tmp_path / "run"
    run = grading_started(evaluate_argv(official_root, samples, out, "--scheduler", address), 10)
    os.killpg(victim.pid, signal.SIGKILL)
    graded_before_the_kill = result_count(out)
    _, stderr = run.communicate()
    assert graded_before_the_kill < SAMPLES, "the run ended before the worker was killed"
    assert run.returncode == 0, stderr
    assert verdicts(out) == local_verdicts


def test_a_worker_without_icarus_stops_the_run_and_grades_nothing(
    official_root, samples, commands, tmp_path
):
    _, address = commands.scheduler()
    commands.worker(address, env=os.environ | {"PATH": str(BIN)})  # python, dask; no iverilog
    wait_for_workers(address, 1)
    out = tmp_path / "run"
    done = subprocess.run(
        evaluate_argv(official_root, samples, out, "--scheduler", address),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "Dask worker tcp://127.0.0.1:" in done.stderr
    assert "has no iverilog on its PATH" in done.stderr
    assert "Traceback" not in done.stderr
    assert result_count(out) == 0


def test_a_lost_scheduler_stops_the_run_and_the_same_command_resumes(
    official_root, samples, local_verdicts, commands, tmp_path
):
    scheduler, address = commands.scheduler()
    commands.worker(address)
    wait_for_workers(address, 1)
    out = tmp_path / "run"
    run = grading_started(evaluate_argv(official_root, samples, out, "--scheduler", address), 5)
    os.killpg(scheduler.pid, signal.SIGKILL)
    _, stderr = run.communicate()
    assert run.returncode == 2, stderr
    assert f"lost the Dask scheduler at {address}" in stderr
    assert "Traceback" not in stderr
    kept = result_count(out)
    assert 5 <= kept < SAMPLES

    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        argv = evaluate_argv(official_root, samples, out, "--scheduler", cluster.scheduler_address)
        resumed = subprocess.run(argv, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert f"({kept} already graded)" in resumed.stdout
    assert verdicts(out) == local_verdicts


def test_run_and_sweep_grade_on_the_cluster_including_python_testbenches(cli, tmp_path):
    """The oracle on our own dataset, whose Prob020-022 have only a cocotb `_test.py`."""
    config = tmp_path / "sweep.toml"
    config.write_text(
        f'out = "{tmp_path / "runs"}"\nmodels = ["oracle"]\n'
        '[run]\nproblems = "1,20-22"\nno_cache = true\nquiet = true\n'
    )
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        done = cli("sweep", config, "--scheduler", cluster.scheduler_address)
    assert done.returncode == 0, done.stderr
    (folder,) = (tmp_path / "runs").iterdir()
    manifest = json.loads((folder / "run.json").read_text())
    assert manifest["simulator"]["scheduler"] == cluster.scheduler_address
    results = [json.loads(line) for line in (folder / "results.jsonl").open()]
    assert sorted(r["problem"][:7] for r in results) == ["Prob001", "Prob020", "Prob021", "Prob022"]
    assert all(r["passed"] for r in results)


def test_ctrl_c_cancels_the_cluster_jobs(official_root, samples, tmp_path):
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster.scheduler_address) as observer,
    ):
        out = tmp_path / "run"
        argv = evaluate_argv(official_root, samples, out, "--scheduler", cluster.scheduler_address)
        run = grading_started(argv, 5)
        run.send_signal(signal.SIGINT)
        _, stderr = run.communicate()
        assert run.returncode == 130, stderr
        assert result_count(out) < SAMPLES
        wait_for(
            lambda: (
                observer.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)) == 0
            ),
            "the scheduler to drop the run's jobs",
        )


CHECKED_PROBLEMS = ("Prob001", "Prob004", "Prob012", "Prob053", "Prob095", "Prob109", "Prob120")


@pytest.fixture(scope="module")
def checked_samples(golden, tmp_path_factory) -> Path:
    """A few samples per problem, passing and failing, with two officially passing samples
    that formal disproves (Prob053 logic_flip2, Prob095 async_reset): every check has work."""
    rows = [
        row
        for row in golden("classification")
        if row["task"] == TASK and row["problem"].startswith(CHECKED_PROBLEMS)
    ]
    chosen = [row for row in rows if row["sample"] in ("logic_flip2", "async_reset")]
    for prefix in CHECKED_PROBLEMS:
        chosen += [row for row in rows if row["problem"].startswith(prefix)][:3]
    path = tmp_path_factory.mktemp("checked") / "samples.jsonl"
    path.write_text(
        "".join(
            json.dumps({"problem": row["problem"], "sample": index, "code": row["code"]}) + "\n"
            for index, row in enumerate(chosen, start=1)
        )
    )
    return path


def check_fields(out: Path) -> dict[tuple[str, int], tuple]:
    """Each line's post-verdict checks, without what depends on time (durations, depth)."""
    found = {}
    for line in map(json.loads, (out / "results.jsonl").read_text().splitlines()):
        strict = line["strict"] and {
            k: v for k, v in line["strict"].items() if k not in ("duration_s", "message")
        }
        plus = line["plus"] and {k: v for k, v in line["plus"].items() if k != "duration_s"}
        formal = line["formal"] and {
            k: line["formal"][k] for k in ("status", "counterexample", "vcd")
        }
        found[(line["problem"], line["sample"])] = (
            line["category"],
            line["strict_passed"],
            line["plus_passed"],
            json.dumps([strict, plus, formal], sort_keys=True),
        )
    return found


def test_every_check_runs_on_the_cluster_and_gives_the_local_fields(
    official_root, checked_samples, tmp_path
):
    """--strict --plus --formal on workers: the fields equal a local run's, the client
    keeps the counterexample waveforms, and the client itself needs no simulator at all
    (its PATH has Python and dask only: every job ran on the cluster). Both runs take the
    same plus shifts (`--plus-seeds S1,S2,...`, as a reproduced run does)."""
    checks = ("--strict", "--plus", "--plus-seeds", "812,4055,7,4000", "--formal")
    local = tmp_path / "local"
    done = subprocess.run(
        evaluate_argv(official_root, checked_samples, local, *checks),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        remote = tmp_path / "cluster"
        on_cluster = (*checks, "--scheduler", cluster.scheduler_address)
        argv = evaluate_argv(official_root, checked_samples, remote, *on_cluster)
        done = subprocess.run(
            argv, capture_output=True, text=True, env=os.environ | {"PATH": str(BIN)}
        )
    assert done.returncode == 0, done.stderr
    expected = check_fields(local)
    assert check_fields(remote) == expected
    disproved = [key for key, fields in expected.items() if '"status": "disproved"' in fields[3]]
    assert len(disproved) >= 2
    vcds = sorted(path.relative_to(remote) for path in remote.rglob("*-formal.vcd"))
    assert vcds == sorted(path.relative_to(local) for path in local.rglob("*-formal.vcd"))
    assert len(vcds) >= 2 and all((remote / vcd).read_bytes().startswith(b"$") for vcd in vcds)


def test_a_worker_without_yosys_stops_a_formal_run_and_grades_nothing(
    official_root, checked_samples, commands, tmp_path
):
    tools = tmp_path / "tools"  # Icarus and bubblewrap, not Yosys
    tools.mkdir()
    for tool in ("iverilog", "vvp", "bwrap"):
        (tools / tool).symlink_to(shutil.which(tool))
    _, address = commands.scheduler()
    commands.worker(address, env=os.environ | {"PATH": f"{BIN}:{tools}"})
    wait_for_workers(address, 1)
    out = tmp_path / "run"
    done = subprocess.run(
        evaluate_argv(official_root, checked_samples, out, "--formal", "--scheduler", address),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2, done.stderr
    assert "Dask worker tcp://127.0.0.1:" in done.stderr
    assert "has no yosys on its PATH" in done.stderr
    assert "Traceback" not in done.stderr
    assert result_count(out) == 0


def test_check_grades_its_references_and_their_checks_on_the_cluster(cli):
    """`check --strict --formal` on our own dataset: the cluster's report is the local one."""
    argv = ("check", "--no-cache", "--strict", "--formal", "--problems", "1-6,20")
    local = cli(*argv)
    assert local.returncode == 0, local.stderr
    assert "formal: 7 of 7 references proven or bounded" in local.stdout
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        remote = cli(*argv, "--scheduler", cluster.scheduler_address)
    assert remote.returncode == 0, remote.stderr
    assert remote.stdout == local.stdout


def test_a_result_the_client_cannot_read_fails_its_job_not_the_run(caplog):
    """Resent a few times, then that job fails by name; the pool goes on, and no traceback
    from distributed's own logging reaches the user."""
    import cloudpickle
    import cluster_jobs

    from verilogeval.execution.cluster import MAX_RERUNS, DaskPool

    problem = load_dataset(None, Task.SPEC_TO_RTL).problems[0]
    cloudpickle.register_pickle_by_value(cluster_jobs)
    try:
        with distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster:
            pool = DaskPool(cluster.scheduler_address, sandbox=False)
            try:
                unreadable = Sample(problem.name, 1, "")
                lost = pool.submit(cluster_jobs.unreadable_job, problem, unreadable, None)
                with pytest.raises(RuntimeError) as raised:
                    lost.result()
                assert f"ran this job {MAX_RERUNS + 1} times" in str(raised.value)
                after = pool.submit(cluster_jobs.echo_job, problem, Sample(problem.name, 2, ""), 7)
                assert after.result() == (2, 7)
            finally:
                pool.shutdown()
    finally:
        cloudpickle.unregister_pickle_by_value(cluster_jobs)
    errors = [r for r in caplog.records if r.name.startswith("distributed") and r.levelno >= 40]
    assert [r.getMessage() for r in errors] == []  # ERROR and CRITICAL, none


def test_a_bug_in_the_pool_fails_its_jobs_as_itself_not_as_a_lost_scheduler(monkeypatch):
    """Old code: any exception in the pool's thread, a bug included, became "lost the Dask
    scheduler ... run the same command again", which would never help. Now only what means
    an unreachable scheduler (OSError, a closed client) does; a bug fails the jobs with the
    bug itself."""
    import cluster_jobs

    from verilogeval.execution.cluster import ClusterLost, DaskPool

    problem = load_dataset(None, Task.SPEC_TO_RTL).problems[0]

    def broken_count(self: DaskPool) -> int:
        raise ZeroDivisionError("a bug in the pool")

    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        pool = DaskPool(cluster.scheduler_address, sandbox=False)
        try:
            monkeypatch.setattr(DaskPool, "_thread_count", broken_count)
            job = pool.submit(cluster_jobs.echo_job, problem, Sample(problem.name, 1, ""), 7)
            with pytest.raises(ZeroDivisionError, match="a bug in the pool"):
                job.result(timeout=STARTUP_LIMIT_S)
            later = pool.submit(cluster_jobs.echo_job, problem, Sample(problem.name, 2, ""), 7)
            with pytest.raises(ZeroDivisionError):
                later.result(timeout=STARTUP_LIMIT_S)
            assert not isinstance(later.exception(), ClusterLost)
        finally:
            pool.shutdown()
