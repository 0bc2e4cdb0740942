"""Post-verdict checks: stricter verdicts that run after the official one, from one registry.

A check is asked for by name (`--strict` asks for "strict") with its settings. Each one
`open`s a runner on the run's pool (the same pool, local or a cluster, that grades the
official verdicts) that `start`s it on a graded sample (a Future of its record), says
which official verdicts it applies to (`applies`: strict and plus check the samples that
passed, formal every sample that compiled), and turns its record into the results.jsonl
fields it owns (`fields`; the record is None for a sample it did not check). A check that
raises becomes an error record (`error_record`), never a missing line. `tools` names the
programs its jobs need beyond Icarus, checked on every cluster worker before grading.

`fields` also sees the records of every check asked for, by name, once all are done:
plus_passed needs the strict verdict (with --strict) and the formal one (with --formal:
proven or bounded; a formal check that cannot decide leaves plus_passed null).

To add a check: give ResultLine its fields, write its job, and add one entry to
POST_CHECKS. The grading session, run.json and the resume identity pick it up by name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from verilogeval.checks.formal.batch import (
    COMPILED,
    formal_error,
    formal_fields,
    formal_job,
    keep_vcd,
)
from verilogeval.checks.formal.check import FormalConfig
from verilogeval.checks.plus.batch import PlusChecks, plus_error, plus_fields
from verilogeval.checks.plus.check import PlusConfig, PlusResult, plus_settings, resumed_plus
from verilogeval.checks.strict.batch import strict_error, strict_fields, strict_job
from verilogeval.checks.strict.check import StrictConfig
from verilogeval.execution.pools import Job, Pool, then
from verilogeval.grading.grader import Graded
from verilogeval.grading.simulate import official_log
from verilogeval.records import Problem, Sample, Verdict


class CheckRunner(Protocol):
    """A check at work in one grading session."""

    def start(self, problem: Problem, graded: Graded) -> Future[Any]: ...

    def close(self) -> None: ...


Records = Mapping[str, Any]  # check name -> its record (None: not checked), every check asked


@dataclass(frozen=True)
class CheckPlace:
    """What a check's runner works with."""

    pool: Pool  # the run's pool: its jobs run where the official grading runs
    run_dir: Path  # where a check keeps what it leaves beside the sample (formal's VCD)
    sandboxed: bool  # in the bubblewrap sandbox (False only on --no-sandbox)
    cache_dir: Path | None  # the client's result cache, for checks that cache (plus)


@dataclass(frozen=True)
class PostCheck:
    """How the grading session runs one kind of check."""

    open: Callable[[Any, CheckPlace], CheckRunner]  # (settings, place) -> its runner
    applies: Callable[[Verdict], bool]  # which official verdicts it checks further
    fields: Callable[[Any, Records], dict[str, Any]]  # (record, all records) -> line fields
    error_record: Callable[[Sample, BaseException], Any]  # its record when the check raised
    settings_json: Callable[[Any], dict[str, Any]]  # for run.json and the resume identity
    tools: tuple[str, ...] = ()  # programs its jobs need beyond Icarus
    # (settings, what run.json recorded) -> the settings a resumed run keeps (plus: its
    # secret shifts, drawn anew by every invocation)
    resumed: Callable[[Any, dict[str, Any] | None], Any] = lambda settings, _: settings


@dataclass(frozen=True)
class JobCheck:
    """A check whose record is one pool job's, then `keep` on the client (for files)."""

    pool: Pool
    job: Job[Any]
    settings: Any
    keep: Callable[[Any], Any] = lambda record: record

    def start(self, problem: Problem, graded: Graded) -> Future[Any]:
        return then(self.pool.submit(self.job, problem, graded.sample, self.settings), self.keep)

    def close(self) -> None:
        """Nothing of its own: the pool is the session's."""


def _passed(verdict: Verdict) -> bool:
    return verdict.passed


def _compiled(verdict: Verdict) -> bool:
    return verdict.category in COMPILED


def _open_strict(settings: StrictConfig, place: CheckPlace) -> JobCheck:
    return JobCheck(place.pool, strict_job, settings)


def _open_formal(settings: FormalConfig, place: CheckPlace) -> JobCheck:
    return JobCheck(place.pool, formal_job, settings, partial(keep_vcd, place.run_dir))


@dataclass(frozen=True)
class _PlusRunner:
    checks: PlusChecks

    def start(self, problem: Problem, graded: Graded) -> Future[PlusResult]:
        return self.checks.submit(problem, graded.sample, official_log(graded.result))

    def close(self) -> None:
        self.checks.close()


def _open_plus(settings: PlusConfig, place: CheckPlace) -> _PlusRunner:
    checks = PlusChecks(settings, place.pool, sandboxed=place.sandboxed, cache_dir=place.cache_dir)
    return _PlusRunner(checks)


def _plus_fields(plus: PlusResult | None, records: Records) -> dict[str, Any]:
    return plus_fields(
        plus,
        strict=records.get("strict"),
        strict_required="strict" in records,
        formal=records.get("formal"),
        formal_required="formal" in records,
    )


# name -> check, in the order they run and appear; the name is also run.json's key.
POST_CHECKS: dict[str, PostCheck] = {
    "strict": PostCheck(
        open=_open_strict,
        applies=_passed,
        fields=lambda record, _: strict_fields(record),
        error_record=strict_error,
        settings_json=asdict,
    ),
    "formal": PostCheck(
        open=_open_formal,
        applies=_compiled,
        fields=lambda record, _: formal_fields(record),
        error_record=formal_error,
        settings_json=asdict,
        tools=("yosys",),
    ),
    "plus": PostCheck(
        open=_open_plus,
        applies=_passed,
        fields=_plus_fields,
        error_record=plus_error,
        settings_json=plus_settings,
        resumed=resumed_plus,
    ),
}


def post_check(name: str) -> PostCheck:
    return POST_CHECKS[name]
