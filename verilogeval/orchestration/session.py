"""One grading session: the grader, the post-verdict checks, the journal, layout, progress.

`run` and `evaluate` both grade through it. Each submitted sample ends as exactly one
results.jsonl line: the official verdict, then the verdict of every post-verdict check
asked for (a check that raised gives an error result, not a missing line), appended
and flushed at once, with the sample and its log written in the official layout.
What could not be done is returned by `wait` as one message per sample.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from contextlib import ExitStack
from dataclasses import dataclass, replace
from typing import Any

from verilogeval.checks.registry import POST_CHECKS, CheckPlace, CheckRunner, PostCheck
from verilogeval.errors import error_reason
from verilogeval.execution.cluster import open_pool
from verilogeval.execution.pools import Pool
from verilogeval.grading.grader import GradeConfig, Graded, Grader, code_sha256
from verilogeval.grading.simulate import official_log
from verilogeval.orchestration.progress import Progress
from verilogeval.records import Problem, Sample
from verilogeval.runfolder.files import RunFolder
from verilogeval.runfolder.journal import Journal
from verilogeval.runfolder.lines import ResultLine
from verilogeval.runfolder.official_layout import write_graded

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnswerIssue:
    """What `run` knows of the model's answer a sample was extracted from (a failed
    request is never graded: it has no answer)."""

    issue: str | None  # its response issue (generation.responses), None when it had none


@dataclass(frozen=True)
class _Check:
    name: str
    kind: PostCheck
    runner: CheckRunner


class GradingSession:
    """Grade samples into `folder`; use as a context manager, then `wait`.

    With `on_line`, each result line is handed to it instead of results.jsonl: a repair
    run journals only a sample's final answer there (verilogeval.orchestration.repair).
    `checks` maps the name of each post-verdict check asked for (see verilogeval.checks.registry)
    to its settings; `registry` is where their names are looked up. One pool, on this
    machine or the cluster of `grading.scheduler`, runs the official grading and every
    check's jobs.
    """

    def __init__(
        self,
        folder: RunFolder,
        problems: Mapping[str, Problem],
        grading: GradeConfig,
        checks: Mapping[str, Any],
        progress: Progress,
        registry: Mapping[str, PostCheck] = POST_CHECKS,
        on_line: Callable[[Graded, ResultLine], None] | None = None,
    ) -> None:
        self._folder = folder
        self._on_line = on_line
        self._problems = problems
        self._progress = progress
        self._lock = threading.Lock()  # lines come from the grader's thread and the checks'
        self._written: list[Future[ResultLine]] = []
        self._failures: list[str] = []
        self._answers: dict[tuple[str, int], AnswerIssue] = {}
        self._stack = ExitStack()
        try:
            self._journal = self._stack.enter_context(Journal(folder.results))
            self._runners: list[CheckRunner] = []
            self._stack.callback(self._close_runners)  # once the pool has stopped
            tools = sorted({tool for name in checks for tool in registry[name].tools})
            pool = open_pool(grading.jobs, grading.place, grading.scheduler, tools=tuple(tools))
            self._stack.callback(pool.shutdown)
            self._checks = [
                _Check(name, registry[name], self._open(registry[name], settings, pool, grading))
                for name, settings in checks.items()
            ]
            grader = Grader(problems, grading, self._graded, pool)
            self._grader = self._stack.enter_context(grader)
        except BaseException:
            self._stack.close()
            raise

    def _open(
        self, check: PostCheck, settings: Any, pool: Pool, grading: GradeConfig
    ) -> CheckRunner:
        place = CheckPlace(
            pool=pool,
            run_dir=self._folder.root,
            sandboxed=grading.sandbox,
            cache_dir=grading.cache_dir,
        )
        runner = check.open(settings, place)
        self._runners.append(runner)
        return runner

    def _close_runners(self) -> None:
        for runner in self._runners:
            runner.close()

    @property
    def simulator(self) -> str:
        return self._grader.simulator

    def submit(self, sample: Sample, *, answer: AnswerIssue | None = None) -> Future[Graded]:
        """Grade `sample`; `answer` says what was wrong with the model's answer it came from
        (`run` knows, `evaluate` does not). The future fails when it cannot be graded."""
        if answer is not None:
            self._answers[(sample.problem, sample.sample)] = answer
        return self._grader.submit(sample)

    def wait(self) -> list[str]:
        """Block until every sample is journaled; one message per sample that could not be."""
        failures = [f"could not grade {error}" for error in self._grader.wait()]
        for written in list(self._written):
            error = written.exception()
            if error is not None:
                failures.append(f"could not journal a result: {error!r}")
        with self._lock:
            return failures + self._failures

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> GradingSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _graded(self, graded: Graded) -> None:
        """The grader's callback: the official line, then the checks, then the journal."""
        sample, verdict = graded.sample, graded.verdict
        answer = self._answers.pop((sample.problem, sample.sample), None)
        line = ResultLine(
            problem=verdict.problem,
            sample=verdict.sample,
            category=verdict.category,
            passed=verdict.passed,
            mismatches=verdict.mismatches,
            total=verdict.total,
            first_error=verdict.first_error,
            outputs=verdict.outputs,
            code_sha256=code_sha256(sample.code),
            simulated=graded.simulated,
            response_issue=None if answer is None else answer.issue,
            time_limit_s=graded.result.timeout_s,
            result=verdict.result,
            nulls=frozenset() if answer is None or answer.issue else frozenset({"response_issue"}),
        )
        written: Future[ResultLine] = Future()
        self._written.append(written)
        problem = self._problems[sample.problem]
        started = {
            check.name: check.runner.start(problem, graded)
            for check in self._checks
            if check.kind.applies(verdict)
        }
        remaining = [len(started)]

        def finish() -> None:
            """Every check's fields, once all are done; each may read the others' records."""
            try:
                records = {
                    check.name: self._record(check, sample, started.get(check.name))
                    for check in self._checks
                }
                verdicts = {
                    check.name: check.kind.verdict(records[check.name], records)
                    for check in self._checks
                }
            except Exception as error:  # a check's own bookkeeping failed: wait() says so
                _log.exception("%s sample %d: the checks' fields", sample.problem, sample.sample)
                written.set_exception(error)
                return
            self._write(graded, replace(line, checks=verdicts), written)

        def one_done(_: Future[Any]) -> None:
            with self._lock:
                remaining[0] -= 1
                if remaining[0]:
                    return
            finish()

        if not started:
            finish()
        for future in started.values():
            future.add_done_callback(one_done)

    def _record(self, check: _Check, sample: Sample, started: Future[Any] | None) -> Any:
        """The check's record: None when it did not apply, an error record when it raised.

        A check that raised (its process crashed, say) could not grade the sample: the
        error record goes in its line, and `wait` says so, so the command exits 1.
        """
        if started is None:
            return None
        error = started.exception()
        if error is None:
            return started.result()
        # its traceback for the debug log (verilogeval.debug_log): a crash or a bug
        where = f"{sample.problem} sample {sample.sample}"
        _log.warning("%s: the %s check raised", where, check.name, exc_info=error)
        with self._lock:
            self._failures.append(
                f"could not run the {check.name} check of {sample.problem} sample "
                f"{sample.sample}: {error_reason(error)}"
            )
        return check.kind.error_record(sample, error)

    def _write(self, graded: Graded, line: ResultLine, written: Future[ResultLine]) -> None:
        try:
            with self._lock:
                if self._on_line is None:
                    self._journal.append(line.to_json())
                else:
                    self._on_line(graded, line)
                try:
                    write_graded(self._folder.root, graded.sample, official_log(graded.result))
                except OSError as error:
                    self._failures.append(
                        f"layout not written for {line.problem} sample {line.sample}: {error}"
                    )
                self._progress.graded(line.passed)
        except Exception as error:  # the journal cannot be written: wait() says so
            _log.exception("%s sample %d: journaling its result", line.problem, line.sample)
            written.set_exception(error)
            return
        written.set_result(line)
