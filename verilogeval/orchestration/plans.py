"""One typed plan per command that writes a run folder: everything it was asked to do.

The CLI layer (verilogeval.cli.commands) parses options once into a plan; `sweep` builds run
plans directly. A plan knows what its run.json says (`manifest`), so the resume check
and the folder's description come from the same values, and how to resume it
(`resume_command`), so a hint never has to be rebuilt from sys.argv.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from verilogeval.checks.registry import check_settings_types, post_check, recorded_checks
from verilogeval.dataset.loader import Dataset
from verilogeval.feedback.protocol import RepairConfig
from verilogeval.generation.engine import EngineConfig, GenerationCache
from verilogeval.generation.models.base import AdapterSettings, SamplingConfig
from verilogeval.generation.models.pricing import Prices
from verilogeval.grading.extract import ExtractMode
from verilogeval.grading.grader import GradeConfig
from verilogeval.prompting.builder import PromptConfig
from verilogeval.records import Problem
from verilogeval.runfolder.files import RunFolder
from verilogeval.runfolder.manifest import (
    DatasetFacts,
    Manifest,
    SimulatorFacts,
    git_revision,
    now_iso,
    package_versions,
    read_manifest,
)
from verilogeval.runfolder.settings import (
    EngineSettings,
    PromptSettings,
    SamplingSettings,
    TimeLimitSettings,
)


@dataclass(frozen=True)
class GeneratePlan:
    """`generate`: ask a model for every sample of every selected problem."""

    out: Path
    model: str
    adapter: AdapterSettings
    dataset: Dataset
    problems: tuple[Problem, ...]
    prompt: PromptConfig
    sampling: SamplingConfig
    engine: EngineConfig
    generation_cache: GenerationCache | None

    @property
    def folder(self) -> RunFolder:
        return RunFolder(self.out)

    def manifest(self) -> Manifest:
        return _asking_manifest("generate", self)


@dataclass(frozen=True)
class GradePlan:
    """How samples are graded and checked: the part `run` and `evaluate` share."""

    grading: GradeConfig
    # post-verdict check name -> its settings (verilogeval.checks.registry)
    checks: Mapping[str, Any]

    def resumed(self, folder: RunFolder) -> GradePlan:
        """As a resume of `folder` grades: see `resumed_checks`."""
        return replace(self, checks=resumed_checks(folder, self.checks))

    def manifest_fields(self) -> dict[str, Any]:
        """run.json's fields of this part: the simulator's limits, the sandbox, the checks."""
        return {
            "simulator": simulator_facts(self.grading),
            "sandbox": self.grading.sandbox,
            "checks": recorded_checks(self.checks),
        }


@dataclass(frozen=True)
class RunPlan:
    """`run`: generate, extract, grade and check, pipelined, into one folder."""

    generate: GeneratePlan  # what is asked of the model, into which folder
    grade: GradePlan  # how its extracted answers are graded
    extract_mode: ExtractMode
    resume_command: str  # what to type to continue this run after an interruption
    repair: RepairConfig | None = None  # --repair N (N >= 1); None: one answer per sample

    @property
    def folder(self) -> RunFolder:
        return self.generate.folder

    def resumed(self) -> RunPlan:
        """As a resume of its folder runs (see `resumed_checks`)."""
        return replace(self, grade=self.grade.resumed(self.folder))

    def manifest(self) -> Manifest:
        return replace(
            _asking_manifest("run", self.generate),
            extract_mode=str(self.extract_mode),
            jobs=self.grade.grading.jobs,
            repair=None if self.repair is None else self.repair.settings(),
            **self.grade.manifest_fields(),
        )


@dataclass(frozen=True)
class EvaluatePlan:
    """`evaluate`: grade existing samples (a JSONL file or a layout folder) into a folder."""

    out: Path
    samples: Path
    dataset: Dataset
    grade: GradePlan
    answers_from: Manifest | None = None  # the run.json of the generate folder graded
    extract_mode: ExtractMode | None = None  # how its answers are extracted

    @property
    def folder(self) -> RunFolder:
        return RunFolder(self.out)

    def resumed(self) -> EvaluatePlan:
        """As a resume of its folder grades (see `resumed_checks`)."""
        return replace(self, grade=self.grade.resumed(self.folder))

    def manifest(self) -> Manifest:
        """Its problems and sampling.n say what the folder holds: evaluate's input decides.

        Answers from a generate folder bring what it knows: model, prompt, sampling.
        """
        manifest = replace(
            base_manifest("evaluate", self.dataset, ()),
            sampling=SamplingSettings(n=1),
            **self.grade.manifest_fields(),
        )
        source = self.answers_from
        if source is None:
            return manifest
        return replace(
            manifest,
            model=source.model,
            problems=source.problems,
            api_base=source.api_base,
            prompt=source.prompt,
            sampling=source.sampling or manifest.sampling,
            request=source.request,
            engine=source.engine,
            extract_mode=None if self.extract_mode is None else str(self.extract_mode),
        )


def base_manifest(command: str, dataset: Dataset, problems: Sequence[Problem | str]) -> Manifest:
    """The facts every run.json holds: the dataset, the versions, when it started."""
    return Manifest(
        command=command,
        task=str(dataset.task),
        benchmark=str(dataset.benchmark),
        dataset=DatasetFacts(
            path=str(dataset.root), hash=dataset.content_hash(), official=dataset.is_official
        ),
        problems=tuple(p if isinstance(p, str) else p.name for p in problems),
        started_at=now_iso(),
        packages=package_versions(),
        git_revision=git_revision(),
    )


def simulator_facts(grading: GradeConfig) -> SimulatorFacts:
    """The limits a run grades under; the version is known once grading starts."""
    policy = grading.time_limit
    return SimulatorFacts(
        version=None,
        timeout_s=grading.timeout_s,
        time_limit=None
        if policy is None
        else TimeLimitSettings(floor_s=policy.floor_s, factor=policy.factor),
        scheduler=grading.scheduler,
    )


def resumed_checks(folder: RunFolder, checks: Mapping[str, Any]) -> dict[str, Any]:
    """The checks' settings as a resume of `folder` keeps them (its run.json's, where a
    check draws something anew per invocation: plus's secret shifts)."""
    previous = read_manifest(folder, check_settings_types())
    recorded = {} if previous is None else previous.checks
    return {
        name: post_check(name).resumed(settings, recorded.get(name))
        for name, settings in checks.items()
    }


def model_slug(model: str) -> str:
    """The model's name as one safe path component (`openai/gpt-4o` -> `openai-gpt-4o`)."""
    return re.sub(r"[^A-Za-z0-9.+-]+", "-", model).strip("-")


def default_run_name(
    model: str,
    task: str,
    prompt: PromptConfig,
    sampling: SamplingConfig,
    repair: RepairConfig | None = None,
) -> str:
    """A folder name that says what ran, so the same command finds its folder again."""
    parts = [
        model_slug(model),
        task,
        str(prompt.style),
        f"{prompt.shots}shot",
        *(["rules"] if prompt.rules else []),
        *(["explain"] if prompt.explain else []),
        f"n{sampling.n}",
        f"t{sampling.temperature:g}",
    ]
    if repair is not None:
        parts.append(f"repair{repair.rounds}-{repair.feedback}-{repair.history}")
    return "_".join(parts)


def _asking_manifest(command: str, plan: GeneratePlan) -> Manifest:
    """What run.json says of a command that asks a model: the model and how it was asked."""
    engine = plan.engine
    return replace(
        base_manifest(command, plan.dataset, plan.problems),
        model=plan.model,
        api_base=plan.adapter.api_base,
        prices=_per_million(plan.adapter.prices),
        prompt=PromptSettings(**_plain(asdict(plan.prompt))),
        sampling=SamplingSettings(**_plain(asdict(plan.sampling))),
        engine=EngineSettings(
            concurrency=engine.concurrency,
            rpm=engine.rpm,
            request_timeout_s=engine.timeout_s,
            attempts=engine.retry.attempts,
        ),
    )


def _per_million(prices: Prices | None) -> dict[str, float] | None:
    if prices is None:
        return None
    return {"prompt": prices.prompt * 1e6, "completion": prices.completion * 1e6}


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    """StrEnum values as plain strings, as the settings records read them back."""
    return {key: str(value) if hasattr(value, "value") else value for key, value in values.items()}
