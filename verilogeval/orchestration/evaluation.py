"""`evaluate`'s work: grade existing samples into a run folder, as a Work of
verilogeval.orchestration.executor.

A sample already graded with the same code is final; one graded with other code, one
of an unknown problem and a duplicate are refused (`Rejected`), never fatal: the others
are still graded. The folder's run.json says what it holds: its problems and sampling.n
come from the samples graded and from those refused that say which sample they are, a
failure without a result wherever a pass rate is computed.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Collection, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path

from verilogeval.checks.registry import verdict_schemas
from verilogeval.dataset.loader import Dataset
from verilogeval.grading.grader import code_sha256
from verilogeval.orchestration.grading import Grading, open_grading
from verilogeval.orchestration.plans import EvaluatePlan
from verilogeval.orchestration.progress import Progress
from verilogeval.orchestration.sample_inputs import Input, Rejected
from verilogeval.records import Problem, Sample
from verilogeval.reporting.summary import write_summaries
from verilogeval.runfolder.files import RESULTS, RunFolder
from verilogeval.runfolder.lines import ResultLine, latest, read_results
from verilogeval.runfolder.manifest import Manifest, now_iso
from verilogeval.wording import plural


@dataclass(frozen=True)
class Evaluated:
    """What one `evaluate` invocation did."""

    graded: int  # samples submitted in this invocation
    already: int  # samples graded before it
    rejected: tuple[Rejected, ...]
    failures: tuple[str, ...]  # samples that could not be graded, and why
    results: tuple[ResultLine, ...]  # every result in the folder
    no_result: frozenset[tuple[str, int]]  # samples of the run without a result: failures

    @property
    def samples(self) -> int:
        """The samples of the run: those with a result and those without."""
        return len({line.key for line in self.results} | self.no_result)


class EvaluateWork:
    """Grade `inputs` (read by verilogeval.orchestration.sample_inputs) of the problems in `chosen`;
    `say` prints a line for the user (what is left out or refused, warnings)."""

    journals = (RESULTS,)

    def __init__(
        self,
        plan: EvaluatePlan,
        inputs: list[Input],
        chosen: Collection[str],
        progress: Progress,
        say: Callable[[str], None],
        *,
        embedded: bool,  # the dataset is the embedded one, chosen by default
    ) -> None:
        self.plan = plan
        self.inputs = inputs
        self.chosen = chosen
        self.progress = progress
        self.say = say
        self.embedded = embedded
        self.problems: Mapping[str, Problem] = {p.name: p for p in plan.dataset.problems}
        self.todo: list[Input] = []
        self.rejected: list[Rejected] = []
        self.done: dict[tuple[str, int], ResultLine] = {}
        self.ungraded: set[tuple[str, int]] = set()
        self._base: Manifest | None = None
        self._grading: Grading | None = None

    def manifest(self) -> Manifest:
        self.plan = self.plan.resumed()
        return self.plan.manifest()

    def start(
        self, manifest: Manifest, previous: Manifest | None, resources: ExitStack
    ) -> Manifest:
        plan, say = self.plan, self.say
        self.done = latest(read_results(plan.folder.results, verdict_schemas(), repair=True))
        todo, self.rejected = _select(self.inputs, plan.dataset, self.done)
        left_out = sum(_problem(entry) not in self.chosen for entry in todo)
        self.todo = [entry for entry in todo if _problem(entry) in self.chosen]
        if left_out:
            say(f"{plural(left_out, 'sample')} of problems --problems leaves out not graded")
        for item in self.rejected:
            say(f"{item.where}: skipped: {item.reason}")
        self.ungraded = {
            item.key
            for item in self.rejected
            if item.key is not None and item.key[0] in self.chosen and item.key not in self.done
        }
        unknown = any(item.reason.startswith("unknown problem") for item in self.rejected)
        if self.embedded and unknown:
            say(
                f"hint: {plan.dataset.folder} is the embedded dataset; pass --dataset PATH "
                "(e.g. a clone of the official verilog-eval) for its problems"
            )
        self._grading = open_grading(
            plan.folder, self.problems, plan.grade, self.progress, resources, plan.dataset.benchmark
        )
        if self._grading.warning:
            say(self._grading.warning)
        self._base = manifest
        return self._manifest(self.done.keys() | self.ungraded)

    def run(self) -> Evaluated:
        assert self._grading is not None
        session = self._grading.session
        _copy_answers(self.plan)  # after run.json: a folder with answers but none is refused
        self.progress.start(0, len(self.todo))
        try:
            for entry in self.todo:
                assert isinstance(entry.sample, Sample)
                session.submit(entry.sample, answer=entry.answer)
            failures = session.wait()
        finally:
            self.progress.stop()
        results = tuple(read_results(self.plan.folder.results, verdict_schemas()))
        graded = {line.key for line in results}
        # samples of the run without a result: refused ones that say which they are, and
        # those that could not be graded; each is a failure wherever a pass rate is computed
        no_result = (self.ungraded | {_key(entry) for entry in self.todo}) - graded
        return Evaluated(
            graded=len(self.todo),
            already=len(self.done),
            rejected=tuple(self.rejected),
            failures=tuple(failures),
            results=results,
            no_result=frozenset(no_result),
        )

    def finish(self, outcome: Evaluated) -> Manifest:
        write_summaries(self.plan.folder, outcome.results, expected=outcome.no_result)
        keys = {line.key for line in outcome.results} | outcome.no_result
        return replace(self._manifest(keys), finished_at=now_iso())

    def _manifest(self, samples: Collection[tuple[str, int]]) -> Manifest:
        """run.json of what the folder holds; what evaluate cannot know (model, prompt) is
        null.

        `samples` are the run's (problem, sample) pairs: those graded and those refused
        that say which they are; their problems and highest number make the run's grid,
        in which a sample without a result is a failure. A generate folder's problems and
        n stay: a sample it could not answer is a failure.
        """
        base, grading = self._base, self._grading
        assert base is not None and grading is not None and base.sampling is not None
        highest = max((sample for _, sample in samples), default=1)
        graded = sorted({problem for problem, _ in samples})
        return replace(
            grading.described(base),
            problems=tuple(dict.fromkeys([*base.problems, *graded])),
            sampling=replace(base.sampling, n=max(highest, base.sampling.n or 1)),
        )


def _copy_answers(plan: EvaluatePlan) -> None:
    """A generate folder's prompts and answers go along, so reports show tokens and cost."""
    if plan.answers_from is None:
        return
    source, folder = RunFolder(plan.samples), plan.folder
    for name in ("prompts", "generations"):
        original: Path = getattr(source, name)
        if original.is_file():
            shutil.copyfile(original, getattr(folder, name))


def _key(entry: Input) -> tuple[str, int]:
    """(problem, sample) of a sample still to grade."""
    assert isinstance(entry.sample, Sample)
    return entry.sample.problem, entry.sample.sample


def _problem(entry: Input) -> str:
    """The problem of a sample still to grade (`_select` keeps no Rejected in its list)."""
    assert not isinstance(entry.sample, Rejected)
    return entry.sample.problem


def _select(
    inputs: list[Input],
    dataset: Dataset,
    done: dict[tuple[str, int], ResultLine],
) -> tuple[list[Input], list[Rejected]]:
    """Samples still to grade, and the inputs refused (unknown problem, duplicate, changed)."""
    names = {problem.name for problem in dataset.problems}
    todo: list[Input] = []
    rejected: list[Rejected] = []
    seen: set[tuple[str, int]] = set()
    for entry in inputs:
        where, item = entry.where, entry.sample
        if isinstance(item, Rejected):
            rejected.append(item)
            continue
        key = (item.problem, item.sample)
        if item.problem not in names:
            rejected.append(
                Rejected(where, f"unknown problem {item.problem!r} (not in {dataset.folder})")
            )
        elif key in seen:
            rejected.append(Rejected(where, f"{item.problem} sample {item.sample} appears twice"))
        elif key in done:
            if done[key].code_sha256 != code_sha256(item.code):
                rejected.append(
                    Rejected(
                        where,
                        f"{item.problem} sample {item.sample} was graded with other code; "
                        "use another --out",
                    )
                )
        else:
            todo.append(entry)
        seen.add(key)
    return todo, rejected
