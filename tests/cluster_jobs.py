"""Pool jobs for tests/test_cluster.py, sent to the workers by value (cloudpickle)."""

from __future__ import annotations

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
