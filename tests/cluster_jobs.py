"""Pool jobs for the tests of the pools (local and Dask; sent to Dask workers by value)."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any


def _refuse() -> None:
    raise ValueError("this record cannot be read here")


class Unreadable:
    """A record a worker sends without trouble and the client cannot unpickle."""

    def __reduce__(self) -> tuple[Any, tuple[()]]:
        return (_refuse, ())


def unreadable_job(problem: Any, sample: Any, payload: Any, place: Any) -> Unreadable:
    return Unreadable()


def echo_job(problem: Any, sample: Any, payload: Any, place: Any) -> tuple[int, Any]:
    return (sample.sample, payload)


def crash_job(problem: Any, sample: Any, payload: Any, place: Any) -> tuple[int, int]:
    """Dies for the samples `payload` names ({sample: "exit", "kill", or "leave": a file in
    its scratch folder, then exit}); else (sample, the worker's pid)."""
    how = payload.get(sample.sample)
    if how == "leave":
        (Path(place.workdir) / f"left-by-{sample.sample}-{os.getpid()}").write_text("x")
    if how == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if how is not None:
        os._exit(3)
    return sample.sample, os.getpid()


def crash_once_job(problem: Any, sample: Any, payload: Any, place: Any) -> int:
    """Dies the first time it runs (a marker file in the folder `payload`), then answers."""
    marker = Path(payload) / f"crashed-{sample.sample}"
    if not marker.exists():
        marker.write_text("x")
        os._exit(3)
    return sample.sample


def simulate_then_crash(problem: Any, sample: Any, payload: Any, place: Any) -> str:
    """The official simulation in the sandbox, then death for the samples `payload` names."""
    from verilogeval.grading.simulate import official_log, simulate

    log = official_log(simulate(problem, sample, workdir=place.workdir, sandboxed=place.sandboxed))
    if sample.sample in payload:
        os.kill(os.getpid(), signal.SIGKILL)
    return log


def allocate_job(problem: Any, sample: Any, payload: Any, place: Any) -> int:
    """Asks for `payload` bytes (zeros: the kernel gives them lazily, if at all)."""
    return len(bytearray(payload))
