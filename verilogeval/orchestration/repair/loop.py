"""A repair run's generation and grading: one conversation per sample, all at once.

Each unfinished sample is a task of its own: answer, grade, and while the trusted verdict
fails and rounds remain, feedback and a new answer. First answers are asked in one batch
(the engine's fail-fast gate decides on them as in a single-shot run); later rounds are
asked one by one as their feedback is ready, under the same concurrency and rate limits,
so one sample's rounds never wait for another's. Every answer is journaled in
generations.jsonl as it arrives (with its `round`), every graded round in rounds.jsonl,
and the final answer's line in results.jsonl with `rounds` and `passed_at_round`.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import replace

from verilogeval.feedback.protocol import RepairConfig
from verilogeval.generation.engine import Pacing, generate_async
from verilogeval.generation.models.base import ModelAdapter, Request
from verilogeval.generation.responses import ResponseIssue, response_issue
from verilogeval.grading.extract import extract
from verilogeval.grading.grader import Graded
from verilogeval.grading.v1.simulator import simulator_warning
from verilogeval.orchestration.plans import RunPlan
from verilogeval.orchestration.progress import Progress
from verilogeval.orchestration.repair.conversation import Turn, conversation
from verilogeval.orchestration.repair.feedback_step import feedback_text, scan
from verilogeval.orchestration.repair.resume import Standing
from verilogeval.orchestration.repair.verdict import trusted_pass
from verilogeval.orchestration.session import AnswerIssue, GradingSession
from verilogeval.records import Generation, Prompt, Sample
from verilogeval.runfolder.journal import Journal
from verilogeval.runfolder.lines import GenerationLine, ResultLine
from verilogeval.runfolder.official_layout import write_generate_log
from verilogeval.runfolder.rounds import RoundRecord

_Outcome = tuple[Graded, ResultLine]


class RepairRun:
    """One invocation of a repair run; `pipeline` runs every unfinished conversation."""

    def __init__(
        self,
        plan: RunPlan,
        repair: RepairConfig,
        adapter: ModelAdapter,
        progress: Progress,
        prompts: Mapping[str, Prompt],
    ) -> None:
        self.plan = plan
        self.repair = repair
        self.adapter = adapter
        self.progress = progress
        self.prompts = prompts
        self.problems = {problem.name: problem for problem in plan.generate.problems}
        self.simulator: str | None = None
        self.answered: list[GenerationLine] = []
        self.warnings: list[str] = []
        self.failures: list[str] = []
        self.graded = 0
        self._waiting: dict[tuple[str, int], asyncio.Future[_Outcome]] = {}
        self._lock = threading.Lock()

    async def pipeline(self, standings: list[Standing]) -> None:
        plan, folder = self.plan, self.plan.folder
        self._loop = asyncio.get_running_loop()
        self._pacing = Pacing(plan.generate.engine)
        with (
            Journal(folder.generations) as self._generations,
            Journal(folder.rounds) as self._rounds,
            Journal(folder.results) as self._results,
            GradingSession(
                folder,
                self.problems,
                plan.grade.grading,
                plan.grade.checks,
                self.progress,
                on_line=self._on_line,
            ) as session,
        ):
            self._session = session
            self.simulator = session.simulator
            warning = simulator_warning(plan.generate.dataset.benchmark, session.simulator)
            if warning:
                self.warnings.append(warning)
            first = [s for s in standings if s.round == 0 and s.answer is None]
            starts = {(s.problem, s.sample): self._loop.create_future() for s in first}

            def on_generation(generation: Generation) -> None:
                line = self._journal_answer(GenerationLine.from_generation(generation))
                starts[line.key].set_result(line)

            try:
                async with asyncio.TaskGroup() as group:
                    group.create_task(
                        generate_async(
                            self.adapter,
                            [self._request(s.problem, s.sample, (), 0) for s in first],
                            plan.generate.engine,
                            cache=plan.generate.generation_cache,
                            on_generation=on_generation,
                            pacing=self._pacing,
                        )
                    )
                    for standing in standings:
                        key = (standing.problem, standing.sample)
                        group.create_task(self._converse(standing, starts.get(key)))
            except BaseExceptionGroup as failed:  # the first cause, as a plain exception
                raise failed.exceptions[0] from None
            finally:
                await self.adapter.aclose()
            self.failures += await self._loop.run_in_executor(None, session.wait)

    async def _converse(
        self, standing: Standing, first: asyncio.Future[GenerationLine] | None
    ) -> None:
        """One sample's rounds, from where the folder left it to its final answer."""
        problem = self.problems[standing.problem]
        turns = list(standing.turns)
        answer = standing.answer
        while True:
            number = len(turns)
            request = self._request(
                problem.name, standing.sample, conversation(turns, self.repair.history), number
            )
            if answer is None:
                if first is not None and number == 0:
                    answer = await first
                else:
                    answer = await self._ask(request, number)
            if answer.error is not None:
                return  # a failed request: the next invocation asks again
            code = extract(answer.response or "", problem, self.plan.extract_mode)
            issue = response_issue(answer.to_generation(), code, problem.ifc)
            try:
                graded, line = await self._grade(Sample(problem.name, standing.sample, code), issue)
            except Exception:  # the machinery failed, not the sample: the session says so
                return
            findings = await asyncio.to_thread(scan, problem, graded, self.plan.grade.grading)
            passed = trusted_pass(line, self.plan.grade.checks, findings)
            final = passed or number == self.repair.rounds
            feedback = None
            if not final:
                feedback = await asyncio.to_thread(
                    feedback_text,
                    self.repair.feedback,
                    problem,
                    graded,
                    line,
                    findings,
                    self.plan.grade.checks,
                    self.plan.grade.grading,
                    explain=self.plan.generate.prompt.explain,
                )
            record = RoundRecord(
                problem=problem.name,
                sample=standing.sample,
                round=number,
                messages=tuple(request.messages()),
                answer=answer,
                code=code,
                category=line.category,
                passed=line.passed,
                trusted_passed=passed,
                findings=findings,
                feedback=feedback,
            )
            self._rounds.append(record.to_json())
            if feedback is None:
                first_pass = number if passed else None
                nulls = line.nulls | ({"passed_at_round"} if first_pass is None else set())
                final_line = replace(
                    line, rounds=number + 1, passed_at_round=first_pass, nulls=frozenset(nulls)
                )
                self._results.append(final_line.to_json())
                return
            turns.append(Turn(answer=answer.response or "", feedback=feedback))
            answer = None

    def _request(
        self, problem: str, sample: int, messages: tuple[tuple[str, str], ...], number: int
    ) -> Request:
        return Request(
            problem=self.problems[problem],
            prompt=self.prompts[problem],
            sample=sample,
            sampling=self.plan.generate.sampling,
            conversation=messages,
            round=number,
        )

    async def _ask(self, request: Request, number: int) -> GenerationLine:
        """A later round's answer: asked alone, under the run's shared limits."""
        [generation] = await generate_async(
            self.adapter,
            [request],
            self.plan.generate.engine,
            cache=self.plan.generate.generation_cache,
            pacing=self._pacing,
            fail_fast=False,
        )
        line = replace(GenerationLine.from_generation(generation), round=number)
        return self._journal_answer(line)

    def _journal_answer(self, line: GenerationLine) -> GenerationLine:
        self._generations.append(line.to_json())
        self.answered.append(line)
        write_generate_log(self.plan.folder.root, line.problem, line.sample, line.usage, line.cost)
        self.progress.generated(line.error is not None)
        return line

    async def _grade(self, sample: Sample, issue: ResponseIssue | None) -> _Outcome:
        """Grade one round's answer; its results.jsonl line is this run's to write."""
        key = (sample.problem, sample.sample)
        outcome: asyncio.Future[_Outcome] = self._loop.create_future()
        self._waiting[key] = outcome
        graded = self._session.submit(sample, answer=AnswerIssue(issue=issue and str(issue)))
        graded.add_done_callback(lambda done: self._grading_failed(key, done))
        self.graded += 1
        return await outcome

    def _on_line(self, graded: Graded, line: ResultLine) -> None:
        """The session's hand-over (its own thread): the conversation decides what to write."""
        key = (graded.sample.problem, graded.sample.sample)
        with self._lock:
            outcome = self._waiting.pop(key)
        self._loop.call_soon_threadsafe(_settle, outcome, (graded, line), None)

    def _grading_failed(self, key: tuple[str, int], done: Future[Graded]) -> None:
        error = None if done.cancelled() else done.exception()
        if error is None and not done.cancelled():
            return
        with self._lock:
            outcome = self._waiting.pop(key, None)
        if outcome is not None:
            cause = error or asyncio.CancelledError()
            self._loop.call_soon_threadsafe(_settle, outcome, None, cause)


def _settle(
    outcome: asyncio.Future[_Outcome], value: _Outcome | None, error: BaseException | None
) -> None:
    if outcome.done():
        return
    if error is not None:
        outcome.set_exception(error)
    else:
        assert value is not None
        outcome.set_result(value)
