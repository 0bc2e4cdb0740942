"""Build the (system, user) messages sent to a model for one problem.

Two styles share one protocol framing (Question/Answer and the [BEGIN]/[DONE] instruction
for spec-to-rtl, commented description and module header for code completion), so
extraction works the same on both:

- `official-v2` is byte for byte what the official `scripts/sv-generate` sends. Its shots
  are the clone's own `scripts/verilog-example-prefix_<task>_<N>-shot.txt`, read at run
  time (never copied here; the "1-shot default.txt" files are not what sv-generate reads).
- `native` takes its shots from our own examples in `icl_examples/`.

The texts live in Jinja templates under `prompts/`. As in sv-generate, rules and explain
only change spec-to-rtl prompts.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from verilogeval.dataset.loader import Dataset
from verilogeval.errors import UserError
from verilogeval.records import Problem, Prompt, Task
from verilogeval.resources import resource_dir

if TYPE_CHECKING:
    import jinja2

MAX_SHOTS = 4


class PromptStyle(StrEnum):
    OFFICIAL_V2 = "official-v2"
    NATIVE = "native"
    OFFICIAL_V1 = "official-v1"  # VerilogEval v1's chat prompt: its benchmarks only


@dataclass(frozen=True)
class PromptConfig:
    style: PromptStyle
    shots: int = 0
    rules: bool = False  # append the official coding rules (spec-to-rtl)
    explain: bool = False  # leave out the [BEGIN]/[DONE] instruction (spec-to-rtl)

    def __post_init__(self) -> None:
        if not 0 <= self.shots <= MAX_SHOTS:
            raise UserError(f"shots: {self.shots} is not between 0 and {MAX_SHOTS}")


@dataclass(frozen=True)
class ExamplePort:
    direction: str  # "input" or "output"
    name: str
    width: int


@dataclass(frozen=True)
class Example:
    """One of our own in-context examples: a small solved design problem."""

    name: str  # the file's stem, e.g. "1_gray_code"
    description: str  # the behaviour, in prose (no interface)
    ports: tuple[ExamplePort, ...]
    solution: str  # the complete module TopModule


def default_style(dataset: Dataset) -> PromptStyle:
    """official-v1 for a v1 benchmark; official-v2 for an official clone (it ships the shot
    files), native otherwise."""
    if dataset.benchmark.is_v1:
        return PromptStyle.OFFICIAL_V1
    return PromptStyle.OFFICIAL_V2 if dataset.is_official else PromptStyle.NATIVE


def check_style(dataset: Dataset, config: PromptConfig) -> PromptConfig:
    """`config`, refused when its style does not fit the benchmark: v1's problems are asked
    only with v1's own prompt (no shots, rules or explain), and it asks only v1's."""
    v1_style = config.style is PromptStyle.OFFICIAL_V1
    if v1_style != dataset.benchmark.is_v1:
        raise UserError(
            f"--prompt-style {config.style} does not go with --benchmark {dataset.benchmark}: "
            "official-v1 is VerilogEval v1's prompt, for v1-human and v1-machine only"
        )
    if v1_style and (config.shots or config.rules or config.explain):
        raise UserError("VerilogEval v1's prompt has no --shots, --rules or --explain")
    return config


def build_prompt(dataset: Dataset, problem: Problem, config: PromptConfig) -> Prompt:
    if config.style is PromptStyle.OFFICIAL_V1:
        return _v1_prompt(problem, config)
    shot_prefix = _SHOT_PREFIXES[config.style](dataset, problem.task, config.shots)
    environment = template_environment()
    system = environment.get_template(f"system/{problem.task}.j2").render()
    user = environment.get_template(f"user/{problem.task}.j2").render(
        shot_prefix=shot_prefix,
        description=problem.prompt,
        rules=config.rules,
        explain=config.explain,
    )
    return Prompt(
        problem=problem.name,
        task=problem.task,
        shots=config.shots,
        rules=config.rules,
        explain=config.explain,
        style=str(config.style),
        system=system,
        user=user,
    )


def _v1_prompt(problem: Problem, config: PromptConfig) -> Prompt:
    """v1's chat prompt: its system message; the question, description and module header."""
    if not problem.prompt.strip():
        raise UserError(
            f"{problem.name}: no description to prompt with (a v1 problem file read without "
            "its descriptions/ file: pass the clone's root as --dataset)"
        )
    environment = template_environment()
    return Prompt(
        problem=problem.name,
        task=problem.task,
        shots=0,
        rules=False,
        explain=False,
        style=str(config.style),
        system=environment.get_template("v1/system.j2").render(),
        user=environment.get_template("v1/user.j2").render(
            # the completion prefix without the line break the loader put after v1's header
            description=problem.prompt,
            header=(problem.ifc or "").removesuffix("\n"),
        ),
    )


def comment_description(text: str) -> str:
    """Turn a code-completion prompt into Verilog comments, exactly as sv-generate does.

    Lines are commented with "// " until one holds "module TopModule"; from there on they
    are kept, and a blank line goes before every line holding "module TopModule". The
    lines are joined without a final line break.
    """
    lines: list[str] = []
    commenting = True
    for line in text.splitlines():
        if "module TopModule" in line:
            lines.append("")
            commenting = False
        lines.append(f"// {line}" if commenting else line)
    return "\n".join(lines)


def official_shot_path(dataset: Dataset, task: Task, shots: int) -> Path:
    return dataset.shots_dir / f"verilog-example-prefix_{task}_{shots}-shot.txt"


def _official_shot_prefix(dataset: Dataset, task: Task, shots: int) -> str:
    if shots == 0:
        return ""
    path = official_shot_path(dataset, task, shots)
    if not path.is_file():
        raise UserError(
            f"{path}: shot file not found; official-v2 prompts with {shots} shots need an "
            "official clone as --dataset (or use --prompt-style native)"
        )
    return _read_shot_file(path)


@functools.cache
def _read_shot_file(path: Path) -> str:
    # Text mode, as sv-generate reads it: CRLF arrives as LF.
    return path.read_text(encoding="utf-8")


def _native_shot_prefix(dataset: Dataset, task: Task, shots: int) -> str:
    return _render_native_shots(task, shots)


@functools.cache
def _render_native_shots(task: Task, shots: int) -> str:
    if shots == 0:
        return ""
    examples = load_examples()
    if shots > len(examples):
        raise UserError(
            f"{resource_dir('icl_examples')}: {shots} shots asked, {len(examples)} examples exist"
        )
    return (
        template_environment()
        .get_template(f"native/{task}.shots.j2")
        .render(examples=examples[:shots])
    )


_SHOT_PREFIXES: dict[PromptStyle, Callable[[Dataset, Task, int], str]] = {
    PromptStyle.OFFICIAL_V2: _official_shot_prefix,
    PromptStyle.NATIVE: _native_shot_prefix,
}


@functools.cache
def load_examples() -> tuple[Example, ...]:
    """Our in-context examples, in the order of their file names (the first N are N shots)."""
    folder = resource_dir("icl_examples")
    return tuple(load_example(path) for path in sorted(folder.glob("*.toml")))


def load_example(path: Path) -> Example:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise UserError(f"{path}: not valid TOML ({error})") from None
    for key, kind in (("description", str), ("solution", str), ("interface", list)):
        if not isinstance(data.get(key), kind):
            raise UserError(f"{path}: field {key!r} missing or not a {kind.__name__}")
    try:
        ports = tuple(
            ExamplePort(direction=str(p["direction"]), name=str(p["name"]), width=int(p["width"]))
            for p in data["interface"]
        )
    except (KeyError, TypeError, ValueError) as error:
        raise UserError(f"{path}: field 'interface': bad port ({error})") from None
    return Example(
        name=path.stem, description=data["description"], ports=ports, solution=data["solution"]
    )


@functools.cache
def template_environment() -> jinja2.Environment:
    """The Jinja environment over prompts/: the prompts' and the feedback's templates."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(resource_dir("prompts")),
        autoescape=False,
        auto_reload=False,  # templates are read once per process
        keep_trailing_newline=True,
        trim_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["comment_description"] = comment_description
    return environment
