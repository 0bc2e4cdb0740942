"""Asking a model for a GeneratePlan's samples: `generate`'s work, and `run`'s first part.

`Asking` is what both commands do alike: write the exact prompts, list the samples
still to ask for, and keep the adapter's record of how it asks (resumed from the
folder's run.json, so what an earlier session learned of the provider is not learned
again). `GenerateWork` is `generate` as a Work of verilogeval.orchestration.executor.
"""

from __future__ import annotations

from collections.abc import Collection
from contextlib import ExitStack
from dataclasses import dataclass, replace

from verilogeval.generation.engine import generate
from verilogeval.generation.models.base import ModelAdapter, Request
from verilogeval.orchestration.plans import GeneratePlan
from verilogeval.orchestration.progress import Progress
from verilogeval.prompting.builder import build_prompt
from verilogeval.records import Generation, Prompt
from verilogeval.runfolder.files import GENERATIONS
from verilogeval.runfolder.journal import Journal
from verilogeval.runfolder.lines import GenerationLine, read_generations, write_prompts
from verilogeval.runfolder.manifest import Manifest, now_iso
from verilogeval.runfolder.settings import RequestSettings


class Asking:
    """A GeneratePlan's prompts, its requests still to send, its adapter's request record."""

    def __init__(self, plan: GeneratePlan, adapter: ModelAdapter) -> None:
        self.plan = plan
        self.adapter = adapter
        self.requests: list[Request] = []
        self.prompts: dict[str, Prompt] = {}  # problem -> its prompt, once started

    @property
    def wanted(self) -> list[tuple[str, int]]:
        """(problem, sample) of every sample the plan asks for, in order."""
        plan = self.plan
        return [(p.name, s) for p in plan.problems for s in range(1, plan.sampling.n + 1)]

    def start(
        self, manifest: Manifest, previous: Manifest | None, skip: Collection[tuple[str, int]]
    ) -> Manifest:
        """Write the prompts, list the requests of every sample not in `skip`; `manifest`
        with the adapter's request record, resumed from `previous`'s."""
        plan, adapter = self.plan, self.adapter
        adapter.resume_request(previous.request if previous else None)
        prompts = {p.name: build_prompt(plan.dataset, p, plan.prompt) for p in plan.problems}
        write_prompts(plan.folder.prompts, prompts)
        self.prompts = prompts
        self.requests = [
            Request(problem=p, prompt=prompts[p.name], sample=s, sampling=plan.sampling)
            for p in plan.problems
            for s in range(1, plan.sampling.n + 1)
            if (p.name, s) not in skip
        ]
        return replace(manifest, request=self.request_record())

    def request_record(self) -> RequestSettings | None:
        """How the adapter asks, with what it learned of the provider so far."""
        return self.adapter.request_record(self.plan.sampling)


@dataclass(frozen=True)
class Generated:
    """What one `generate` invocation did."""

    answers: tuple[GenerationLine, ...]  # the answers received (failed requests included)
    skipped: int  # samples already answered before it
    request: RequestSettings | None  # the adapter's request record at the end

    @property
    def errors(self) -> tuple[GenerationLine, ...]:
        return tuple(answer for answer in self.answers if answer.error is not None)


class GenerateWork:
    """`generate`: ask for every sample the folder lacks an answer to (a failed request
    is asked again), each answer journaled as it arrives."""

    journals = (GENERATIONS,)

    def __init__(self, plan: GeneratePlan, adapter: ModelAdapter, progress: Progress) -> None:
        self.plan = plan
        self.asking = Asking(plan, adapter)
        self.progress = progress
        self._journal: Journal | None = None
        self._manifest: Manifest | None = None

    def manifest(self) -> Manifest:
        return self.plan.manifest()

    def start(
        self, manifest: Manifest, previous: Manifest | None, resources: ExitStack
    ) -> Manifest:
        journaled = read_generations(self.plan.folder.generations, repair=True)
        done = {line.key for line in journaled if line.error is None}
        manifest = self.asking.start(manifest, previous, skip=done)
        self._manifest = manifest
        self._journal = resources.enter_context(Journal(self.plan.folder.generations))
        return manifest

    def run(self) -> Generated:
        journal, progress, asking = self._journal, self.progress, self.asking
        assert journal is not None

        def on_generation(generation: Generation) -> None:
            journal.append(GenerationLine.from_generation(generation).to_json())
            progress.generated(generation.error is not None)

        progress.start(len(asking.requests), 0)
        try:
            generations = generate(
                asking.adapter,
                asking.requests,
                self.plan.engine,
                cache=self.plan.generation_cache,
                on_generation=on_generation,
            )
        finally:
            progress.stop()
        return Generated(
            answers=tuple(GenerationLine.from_generation(g) for g in generations),
            skipped=len(asking.wanted) - len(asking.requests),
            request=asking.request_record(),
        )

    def finish(self, outcome: Generated) -> Manifest:
        finished_at = None if outcome.errors else now_iso()
        assert self._manifest is not None
        return replace(self._manifest, request=outcome.request, finished_at=finished_at)
