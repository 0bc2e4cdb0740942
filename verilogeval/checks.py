"""Post-verdict checks: stricter verdicts that run after the official one, from one registry.

A check is asked for by name (`--strict` asks for "strict") with its settings. Each one
has a pool that takes `submit(problem, sample) -> Future[record]`, and turns a record into
the results.jsonl fields it owns (`fields`). A sample the official grader failed is not
checked further: its fields come from `fields(None)`. A check that raises becomes an
error result through `error_fields`, never a missing line.

Each check says which official verdicts it applies to (`applies`): strict checks the
samples that passed, formal every sample that compiled.

To add a check: give ResultLine its fields, write its pool, and add one entry to
POST_CHECKS. The grading session, run.json and the resume identity pick it up by name.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from verilogeval.formal.batch import COMPILED, FormalPool, formal_fields
from verilogeval.formal.check import FormalConfig
from verilogeval.formal.result import FormalResult, FormalStatus
from verilogeval.records import Problem, Sample, Verdict
from verilogeval.strict.batch import StrictPool, strict_fields
from verilogeval.strict.check import StrictConfig
from verilogeval.strict.result import StrictResult, StrictStatus


class CheckPool(Protocol):
    def submit(self, problem: Problem, sample: Sample) -> Future[Any]: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class PostCheck:
    """How the grading session runs one kind of check."""

    open: Callable[[Any, CheckPlace], CheckPool]  # (settings, where and how wide it runs)
    applies: Callable[[Verdict], bool]  # which official verdicts it checks further
    fields: Callable[[Any], dict[str, Any]]  # record, or None when not checked -> line fields
    error_fields: Callable[[Sample, BaseException], dict[str, Any]]  # when the check raised
    settings_json: Callable[[Any], dict[str, Any]]  # for run.json and the resume identity


@dataclass(frozen=True)
class CheckPlace:
    """Where a check's pool runs: how many at once, its scratch dir, the run folder."""

    jobs: int
    workdir: Path | None
    run_dir: Path  # where a check keeps what it leaves beside the sample (formal's VCD)


def _open_strict(settings: StrictConfig, place: CheckPlace) -> CheckPool:
    return StrictPool(settings, jobs=place.jobs, workdir=place.workdir)


def _open_formal(settings: FormalConfig, place: CheckPlace) -> CheckPool:
    return FormalPool(settings, jobs=place.jobs, workdir=place.workdir, run_dir=place.run_dir)


def _passed(verdict: Verdict) -> bool:
    return verdict.passed


def _compiled(verdict: Verdict) -> bool:
    return verdict.category in COMPILED


def _strict_error(sample: Sample, error: BaseException) -> dict[str, Any]:
    message = f"{type(error).__name__}: {error}"
    return strict_fields(
        StrictResult(sample.problem, sample.sample, StrictStatus.ERROR, message=message)
    )


def _formal_error(sample: Sample, error: BaseException) -> dict[str, Any]:
    reason = f"{type(error).__name__}: {error}"
    return formal_fields(
        FormalResult(sample.problem, sample.sample, FormalStatus.ERROR, reason=reason)
    )


# name -> check, in the order they run and appear; the name is also run.json's key.
POST_CHECKS: dict[str, PostCheck] = {
    "strict": PostCheck(
        open=_open_strict,
        applies=_passed,
        fields=strict_fields,
        error_fields=_strict_error,
        settings_json=asdict,
    ),
    "formal": PostCheck(
        open=_open_formal,
        applies=_compiled,
        fields=formal_fields,
        error_fields=_formal_error,
        settings_json=asdict,
    ),
}


def post_check(name: str) -> PostCheck:
    return POST_CHECKS[name]
