"""VerilogEval as Inspect tasks: `inspect eval verilogeval/spec_to_rtl --model ...`.

Each task reads the problems with verilogeval's loader and builds every sample's messages
with its prompt builder, so a sample's input is what `verilogeval prompt` prints for the
same settings; the scorer is verilogeval's grader (verilogeval.inspect_tasks.scorer).
Sample ids are the problem names (`Prob001_zero`), so `--limit` and `--sample-id` work
as Inspect users expect; an epoch is one sample of a native run (`--samples`).

Task parameters (`-T name=value`) mirror the native options: dataset (a path, as
--dataset), problems (as --problems), shots, rules, prompt_style, extract (the extraction
mode), benchmark, preset (greedy: 1 epoch at T=0; sampling: 20 epochs at T=0.8, top_p
0.95), plus, formal and strict (the trusted checks).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from inspect_ai import Epochs, Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import ChatMessageSystem, ChatMessageUser, GenerateConfig
from inspect_ai.scorer import Metric, accuracy, stderr
from inspect_ai.solver import generate

from verilogeval import __version__
from verilogeval.checks.formal.check import FormalConfig
from verilogeval.checks.plus.check import PlusConfig
from verilogeval.checks.registry import POST_CHECKS, recorded_checks
from verilogeval.checks.strict.check import StrictConfig
from verilogeval.dataset.errata import Benchmark
from verilogeval.dataset.loader import Dataset, load_dataset, select_problems
from verilogeval.errors import UserError
from verilogeval.feedback.levels import FeedbackLevel
from verilogeval.generation.models.base import PRESETS, Preset, SamplingConfig
from verilogeval.grading.extract import ExtractMode, default_mode
from verilogeval.grading.simulate import simulator_version
from verilogeval.inspect_tasks.agent import verilog_agent
from verilogeval.inspect_tasks.grading import AnswerGrading, default_grading
from verilogeval.inspect_tasks.scorer import pass_at, verilog_grader
from verilogeval.prompting.builder import PromptConfig, PromptStyle, build_prompt, default_style
from verilogeval.records import Problem
from verilogeval.records import Task as VerilogTask

AGENT_TOOLS = ("verilog_compile", "verilog_simulate")


@dataclass(frozen=True)
class TaskSetup:
    """Everything one task's parameters decide, parsed once."""

    dataset: Dataset
    problems: tuple[Problem, ...]
    prompt: PromptConfig
    preset: Preset
    sampling: SamplingConfig
    grading: AnswerGrading

    def metadata(self) -> dict[str, Any]:
        """What the log records of the task, for `import-inspect` and for the reader."""
        return {
            "verilogeval_version": __version__,
            "verilogeval_task": str(self.dataset.task),
            "benchmark": str(self.dataset.benchmark),
            "dataset": {
                "path": str(self.dataset.root),
                "hash": self.dataset.content_hash(),
                "official": self.dataset.is_official,
            },
            "problems": [problem.name for problem in self.problems],
            "prompt": {
                "style": str(self.prompt.style),
                "shots": self.prompt.shots,
                "rules": self.prompt.rules,
                "explain": self.prompt.explain,
            },
            "preset": str(self.preset),
            "extract_mode": str(self.grading.extract_mode),
            "simulator": simulator_version(),
            "checks": {
                name: asdict(recorded)
                for name, recorded in recorded_checks(self.grading.checks).items()
            },
        }


def task_setup(
    task: VerilogTask,
    *,
    dataset: str | None,
    problems: str | None,
    shots: int,
    rules: bool,
    prompt_style: str | None,
    extract: str | None,
    benchmark: str,
    preset: str,
    plus: bool,
    formal: bool,
    strict: bool = False,
) -> TaskSetup:
    """The task parameters parsed once, with the CLI's defaults.

    `-T` values arrive as YAML reads them: `problems=7` is a number, so it is made text.
    """
    loaded = load_dataset(
        None if dataset is None else Path(dataset), task, _choice(Benchmark, benchmark, "benchmark")
    )
    style = (
        default_style(loaded)
        if prompt_style is None
        else _choice(PromptStyle, prompt_style, "prompt_style")
    )
    mode = _choice(ExtractMode, extract, "extract") if extract is not None else None
    chosen_preset = _choice(Preset, preset, "preset")
    sampling = PRESETS[chosen_preset]
    asked = {
        "strict": StrictConfig() if strict else None,
        "formal": FormalConfig() if formal else None,
        "plus": PlusConfig(timeout_s=default_grading().timeout_s) if plus else None,
    }
    checks = {name: asked[name] for name in POST_CHECKS if asked.get(name) is not None}
    return TaskSetup(
        dataset=loaded,
        problems=select_problems(loaded.problems, None if problems is None else str(problems)),
        prompt=PromptConfig(style=style, shots=int(shots), rules=bool(rules)),
        preset=chosen_preset,
        sampling=sampling,
        grading=AnswerGrading(
            dataset=loaded,
            extract_mode=mode or default_mode(str(style)),
            checks=checks,
            grading=default_grading(),
        ),
    )


def _choice(kind: Any, value: str, name: str) -> Any:
    try:
        return kind(str(value))
    except ValueError:
        known = ", ".join(str(member) for member in kind)
        raise UserError(f"-T {name}={value}: not one of {known}") from None


def samples(setup: TaskSetup) -> MemoryDataset:
    """One Inspect sample per problem: the native prompt's system and user messages."""
    items = []
    for problem in setup.problems:
        prompt = build_prompt(setup.dataset, problem, setup.prompt)
        items.append(
            Sample(
                id=problem.name,
                input=[
                    ChatMessageSystem(content=prompt.system),
                    ChatMessageUser(content=prompt.user),
                ],
                metadata={"problem": problem.name, "task": str(problem.task)},
            )
        )
    return MemoryDataset(items, name=f"verilogeval-{setup.dataset.task}")


def metrics(setup: TaskSetup) -> list[Metric | dict[str, list[Metric]]]:
    """accuracy, then pass@k of the official verdict and of each trusted one asked for."""
    found: list[Metric | dict[str, list[Metric]]] = [accuracy(), stderr(), pass_at()]
    for check in ("strict", "plus"):  # formal's verdict is a status: see the records
        if check in setup.grading.checks:
            found.append(pass_at(verdict=f"{check}_passed"))
    return found


def graded_task(
    setup: TaskSetup,
    solver: Any,
    extra: dict[str, Any] | None = None,
    message_limit: int | None = None,
) -> Task:
    sampling = setup.sampling
    return Task(
        dataset=samples(setup),
        solver=solver,
        scorer=verilog_grader(setup.grading),
        metrics=metrics(setup),
        config=GenerateConfig(
            temperature=sampling.temperature,
            top_p=sampling.top_p,
            max_tokens=sampling.max_tokens,
        ),
        epochs=Epochs(sampling.n),
        message_limit=message_limit,
        metadata=setup.metadata() | (extra or {}),
    )


@task
def spec_to_rtl(
    dataset: str | None = None,
    problems: str | None = None,
    shots: int = 0,
    rules: bool = False,
    prompt_style: str | None = None,
    extract: str | None = None,
    benchmark: str = "v2.0",
    preset: str = "greedy",
    plus: bool = False,
    formal: bool = False,
    strict: bool = False,
) -> Task:
    """VerilogEval spec-to-rtl: a module from its description, graded by verilogeval."""
    setup = task_setup(
        VerilogTask.SPEC_TO_RTL,
        dataset=dataset,
        problems=problems,
        shots=shots,
        rules=rules,
        prompt_style=prompt_style,
        extract=extract,
        benchmark=benchmark,
        preset=preset,
        plus=plus,
        formal=formal,
        strict=strict,
    )
    return graded_task(setup, generate())


@task
def code_complete(
    dataset: str | None = None,
    problems: str | None = None,
    shots: int = 0,
    prompt_style: str | None = None,
    extract: str | None = None,
    benchmark: str = "v2.0",
    preset: str = "greedy",
    plus: bool = False,
    formal: bool = False,
    strict: bool = False,
) -> Task:
    """VerilogEval code completion (ICCAD 2023): a module body after its header."""
    setup = task_setup(
        VerilogTask.CODE_COMPLETE,
        dataset=dataset,
        problems=problems,
        shots=shots,
        rules=False,
        prompt_style=prompt_style,
        extract=extract,
        benchmark=benchmark,
        preset=preset,
        plus=plus,
        formal=formal,
        strict=strict,
    )
    return graded_task(setup, generate())


@task
def spec_to_rtl_agent(
    dataset: str | None = None,
    problems: str | None = None,
    shots: int = 0,
    rules: bool = False,
    prompt_style: str | None = None,
    extract: str = "robust",
    benchmark: str = "v2.0",
    preset: str = "greedy",
    plus: bool = False,
    formal: bool = False,
    strict: bool = False,
    feedback: str = "testbench",
    message_limit: int = 40,
) -> Task:
    """spec-to-rtl by Inspect's react() agent, checking its module with verilogeval's tools.

    `feedback` is what the tools show (pass-fail, compiler, testbench, waveform, formal);
    `message_limit` bounds each sample's conversation.
    """
    setup = task_setup(
        VerilogTask.SPEC_TO_RTL,
        dataset=dataset,
        problems=problems,
        shots=shots,
        rules=rules,
        prompt_style=prompt_style,
        extract=extract,
        benchmark=benchmark,
        preset=preset,
        plus=plus,
        formal=formal,
        strict=strict,
    )
    level = _choice(FeedbackLevel, feedback, "feedback")
    agent = {"solver": "react", "feedback": str(level), "tools": list(AGENT_TOOLS)}
    return graded_task(
        setup,
        verilog_agent(setup.grading, level),
        extra={"agent": agent},
        message_limit=int(message_limit),
    )
