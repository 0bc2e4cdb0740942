"""Post-verdict checks: stricter verdicts that run after the official one, from one registry.

A check is asked for by name (`--strict` asks for "strict") with its settings. Each one
has a pool that takes `submit(problem, sample) -> Future[record]`, and turns a record into
the results.jsonl fields it owns (`fields`). A sample the official grader failed is not
checked further: its fields come from `fields(None)`. A check that raises becomes an
error result through `error_fields`, never a missing line.

To add a check: give ResultLine its fields, write its pool, and add one entry to
POST_CHECKS. The grading session, run.json and the resume identity pick it up by name.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from verilogeval.records import Problem, Sample
from verilogeval.strict.batch import StrictPool, strict_fields
from verilogeval.strict.check import StrictConfig
from verilogeval.strict.result import StrictResult, StrictStatus


class CheckPool(Protocol):
    def submit(self, problem: Problem, sample: Sample) -> Future[Any]: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class PostCheck:
    """How the grading session runs one kind of check."""

    open: Callable[[Any, int, Path | None], CheckPool]  # (settings, jobs, scratch dir)
    fields: Callable[[Any], dict[str, Any]]  # record, or None when not checked -> line fields
    error_fields: Callable[[Sample, BaseException], dict[str, Any]]  # when the check raised
    settings_json: Callable[[Any], dict[str, Any]]  # for run.json and the resume identity


def _open_strict(settings: StrictConfig, jobs: int, workdir: Path | None) -> CheckPool:
    return StrictPool(settings, jobs=jobs, workdir=workdir)


def _strict_error(sample: Sample, error: BaseException) -> dict[str, Any]:
    message = f"{type(error).__name__}: {error}"
    return strict_fields(
        StrictResult(sample.problem, sample.sample, StrictStatus.ERROR, message=message)
    )


# name -> check, in the order they run and appear; the name is also run.json's key.
POST_CHECKS: dict[str, PostCheck] = {
    "strict": PostCheck(
        open=_open_strict,
        fields=strict_fields,
        error_fields=_strict_error,
        settings_json=asdict,
    ),
}


def post_check(name: str) -> PostCheck:
    return POST_CHECKS[name]
