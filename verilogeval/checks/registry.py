"""Post-verdict checks: stricter verdicts that run after the official one, from one registry.

A check is asked for by name (`--strict` asks for "strict") with its settings. Each one
`open`s a runner on the run's pool (the same pool, local or a cluster, that grades the
official verdicts) that `start`s it on a graded sample (a Future of its record), says
which official verdicts it applies to (`applies`: strict and plus check the samples that
passed, formal every sample that compiled), and turns its record into its verdict
(`verdict`, a verilogeval.verdicts.CheckVerdict; the record is None for a sample it did
not check). A check that raises becomes an error record (`error_record`), never a missing
line. `tools` names the programs its jobs need beyond Icarus, checked on every cluster
worker before grading.

`verdict` also sees the records of every check asked for, by name, once all are done:
the plus verdict needs the strict one (with --strict) and the formal one (with --formal:
proven or bounded; a formal check that cannot decide leaves the plus verdict undecided).

To add a check: write its module (its job, its record, its verdict) and add one entry to
POST_CHECKS. Its command-line options (`options`), its run.json settings and resume
identity, its `checks.<name>` record in results.jsonl (read back by `schema`), its
columns in the outcome grid, metrics, reports and leaderboard, and its rows in the
closing table all come from that entry.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from verilogeval.checks.formal.batch import (
    COMPILED,
    formal_error,
    formal_job,
    formal_tally,
    keep_vcd,
)
from verilogeval.checks.formal.check import FormalConfig
from verilogeval.checks.formal.options import add_formal_options, formal_config_from_args
from verilogeval.checks.formal.verdict import SCHEMA as FORMAL_SCHEMA
from verilogeval.checks.formal.verdict import formal_verdict
from verilogeval.checks.plus.batch import PlusChecks, plus_error
from verilogeval.checks.plus.check import (
    PlusConfig,
    PlusResult,
    PlusSettings,
    plus_record,
    resumed_plus,
)
from verilogeval.checks.plus.options import add_plus_options, plus_config_from_args
from verilogeval.checks.plus.report import plus_closing_rows, plus_graded_note, plus_rejection_lines
from verilogeval.checks.plus.verdict import SCHEMA as PLUS_SCHEMA
from verilogeval.checks.plus.verdict import plus_verdict
from verilogeval.checks.strict.batch import strict_error, strict_job
from verilogeval.checks.strict.check import StrictConfig, refused_by_log
from verilogeval.checks.strict.options import add_strict_options, strict_config_from_args
from verilogeval.checks.strict.result import StrictResult
from verilogeval.checks.strict.verdict import SCHEMA as STRICT_SCHEMA
from verilogeval.checks.strict.verdict import strict_verdict
from verilogeval.execution.pools import Job, Pool, then
from verilogeval.grading.grader import GradeConfig, Graded
from verilogeval.grading.simulate import official_log
from verilogeval.records import Problem, Sample, Verdict
from verilogeval.runfolder.lines import ResultLine
from verilogeval.runfolder.settings import CheckSettings
from verilogeval.verdicts import CheckVerdict, VerdictSchema


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
class CheckOptions:
    """A check's command-line options for `run` and `evaluate`, parsed once in the CLI."""

    add: Callable[[argparse.ArgumentParser], None]  # its flag and its settings' options
    # (parsed arguments, the grading settings) -> its settings when asked for, else None
    settings: Callable[[argparse.Namespace, GradeConfig], Any]


@dataclass(frozen=True)
class NoSettings:
    """The settings of a check that has none: run.json records `{}` for it."""


def asked_by_flag(
    name: str,
    help_text: str,
    add_settings: Callable[[argparse.ArgumentParser], None],
    from_args: Callable[[argparse.Namespace], Any],
) -> CheckOptions:
    """Options of a check that `--NAME` asks for, its settings read from its own options."""

    def add(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(f"--{name}", action="store_true", help=help_text)
        add_settings(parser)

    def settings(args: argparse.Namespace, grading: GradeConfig) -> Any:
        return from_args(args) if getattr(args, name.replace("-", "_")) else None

    return CheckOptions(add, settings)


def flag_only(name: str, help_text: str) -> CheckOptions:
    """Options of a check without settings: `--NAME` asks for it."""
    return asked_by_flag(name, help_text, lambda parser: None, lambda args: NoSettings())


def _pass_rate_rows(name: str, results: Sequence[ResultLine]) -> list[tuple[str, str]]:
    passed = sum(line.check_passed(name) is True for line in results)
    return [(f"{name} pass rate", f"{passed}/{len(results)}")]


def _pass_tally(name: str, results: Sequence[ResultLine]) -> dict[str, int] | None:
    """`--json`'s `checks.<name>`: samples the check passed and rejected (an official
    failure is rejected by a check that only looks at passes)."""
    verdicts = [line.check_passed(name) for line in results]
    if all(verdict is None for verdict in verdicts):
        return None
    return {
        "passed": sum(verdict is True for verdict in verdicts),
        "rejected": sum(verdict is False for verdict in verdicts),
    }


def _status_tally(name: str, results: Sequence[ResultLine]) -> dict[str, int] | None:
    """`--json`'s `checks.<name>`: samples per status, of those the check looked at."""
    counts = Counter(
        str(line.checks[name].status)
        for line in results
        if name in line.checks and line.checks[name].checked
    )
    return dict(counts) or None


def _passed_note(name: str, results: Sequence[ResultLine]) -> str:
    return f" ({sum(line.check_passed(name) is True for line in results)} {name} passed)"


@dataclass(frozen=True)
class CheckReport:
    """What the command line and the reports say of a check."""

    # pass@k of the samples that pass officially and by the check, as reports name it:
    # "{name} pass@{k}" (JSON key: spaces as underscores); None: no pass@k of its own
    pass_name: str | None = "{name} pass@{k}"
    # rows of `run`'s closing table: (name, results) -> (label, value) lines
    closing_rows: Callable[[str, Sequence[ResultLine]], list[tuple[str, str]]] = _pass_rate_rows
    # a line printed after `run`'s table and `evaluate`'s summary (formal's tally); None: none
    closing_note: Callable[[Sequence[ResultLine]], str | None] = lambda results: None
    # `evaluate`'s summary: what follows "N/M pass", e.g. " (12 strictly)"
    graded_note: Callable[[str, Sequence[ResultLine]], str] = _passed_note
    # the text report's lines after its pass@k (plus: the samples it rejected, and why)
    report_lines: Callable[[Iterable[ResultLine]], list[str]] = lambda results: []
    # where its pass@k columns sit in the leaderboard, lowest first (then the registry's
    # order): pass@k+ right after pass@k, as HumanEval+ puts it and as the columns were
    leaderboard_rank: int = 100
    # `--json`'s `checks.<name>` of a run folder's summary; None: left out
    json_tally: Callable[[str, Sequence[ResultLine]], dict[str, int] | None] = _pass_tally


@dataclass(frozen=True)
class PostCheck:
    """How the grading session runs one kind of check, and how its verdict is read back."""

    open: Callable[[Any, CheckPlace], CheckRunner]  # (settings, place) -> its runner
    applies: Callable[[Verdict], bool]  # which official verdicts it checks further
    # (record, all records) -> its verdict; the record is None where it did not apply
    verdict: Callable[[Any, Records], CheckVerdict[Any]]
    error_record: Callable[[Sample, BaseException], Any]  # its record when the check raised
    schema: VerdictSchema  # how its `checks.<name>` record reads back
    options: CheckOptions
    # its settings as run.json and the resume identity record them: a settings_record
    # (the settings themselves where they are one)
    settings_recorded: Callable[[Any], CheckSettings] = lambda settings: settings
    report: CheckReport = CheckReport()
    tools: tuple[str, ...] = ()  # programs its jobs need beyond Icarus
    # the frozen dataclass its `checks.<name>` settings read back into from run.json
    settings_record: type[CheckSettings] = NoSettings
    # (settings, the settings_record run.json holds) -> the settings a resumed run keeps
    # (plus: its secret shifts, drawn anew by every invocation)
    resumed: Callable[[Any, Any], Any] = lambda settings, _: settings


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


@dataclass(frozen=True)
class _StrictRunner:
    """The differential test in a pool job; its pass then answers for the official log."""

    pool: Pool
    settings: StrictConfig

    def start(self, problem: Problem, graded: Graded) -> Future[StrictResult]:
        job = self.pool.submit(strict_job, problem, graded.sample, self.settings)
        return then(job, partial(refused_by_log, official_log=official_log(graded.result)))

    def close(self) -> None:
        """Nothing of its own: the pool is the session's."""


def _open_strict(settings: StrictConfig, place: CheckPlace) -> _StrictRunner:
    return _StrictRunner(place.pool, settings)


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


def _plus_verdict(plus: PlusResult | None, records: Records) -> CheckVerdict[Any]:
    return plus_verdict(
        plus,
        strict=records.get("strict"),
        strict_required="strict" in records,
        formal=records.get("formal"),
        formal_required="formal" in records,
    )


def _strictly_note(name: str, results: Sequence[ResultLine]) -> str:
    return f" ({sum(line.check_passed(name) is True for line in results)} strictly)"


# name -> check, in the order they appear; the name is also its key in run.json and
# results.jsonl. They run side by side; plus reads the others' records once all are done.
POST_CHECKS: dict[str, PostCheck] = {
    "strict": PostCheck(
        open=_open_strict,
        applies=_passed,
        verdict=lambda record, _: strict_verdict(record),
        error_record=strict_error,
        settings_record=StrictConfig,
        schema=STRICT_SCHEMA,
        options=asked_by_flag(
            "strict",
            "also run the differential test (cocotb) on officially passing samples: "
            "results.jsonl gets strict_passed and its detail",
            add_strict_options,
            strict_config_from_args,
        ),
        report=CheckReport(graded_note=_strictly_note),
    ),
    "plus": PostCheck(
        open=_open_plus,
        applies=_passed,
        verdict=_plus_verdict,
        error_record=plus_error,
        settings_recorded=plus_record,
        settings_record=PlusSettings,
        schema=PLUS_SCHEMA,
        options=CheckOptions(
            add_plus_options,
            lambda args, grading: plus_config_from_args(args, grading.timeout_s),
        ),
        report=CheckReport(
            pass_name="pass@{k}+",
            closing_rows=plus_closing_rows,
            graded_note=plus_graded_note,
            leaderboard_rank=0,
            report_lines=plus_rejection_lines,
        ),
        resumed=resumed_plus,
    ),
    "formal": PostCheck(
        open=_open_formal,
        applies=_compiled,
        verdict=lambda record, _: formal_verdict(record),
        error_record=formal_error,
        settings_record=FormalConfig,
        schema=FORMAL_SCHEMA,
        options=asked_by_flag(
            "formal",
            "also check every sample that compiles for formal equivalence with its "
            "reference (Yosys): results.jsonl gets `formal`",
            add_formal_options,
            formal_config_from_args,
        ),
        report=CheckReport(
            pass_name=None,  # its own: proven pass@1 (verilogeval.checks.formal.summary)
            closing_rows=lambda name, results: [],
            closing_note=lambda results: f"formal: {formal_tally(results)}",
            graded_note=lambda name, results: "",
            json_tally=_status_tally,
        ),
        tools=("yosys",),
    ),
}


def post_check(name: str) -> PostCheck:
    return POST_CHECKS[name]


def verdict_schemas() -> dict[str, VerdictSchema]:
    """Check name -> how its `checks.<name>` record reads back, for the run folder's reader."""
    return {name: check.schema for name, check in POST_CHECKS.items()}


def check_settings_types() -> dict[str, type[CheckSettings]]:
    """Check name -> the record its run.json settings read back into, for the run folder's
    reader (verilogeval.runfolder.manifest.read_manifest)."""
    return {name: check.settings_record for name, check in POST_CHECKS.items()}


def recorded_checks(checks: Mapping[str, Any]) -> dict[str, CheckSettings]:
    """Check name -> its settings as run.json records them, each check asked for."""
    return {
        name: POST_CHECKS[name].settings_recorded(settings) for name, settings in checks.items()
    }
