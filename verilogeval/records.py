"""Typed, frozen records that flow between the pipeline's stages.

problem -> Prompt -> Generation -> Sample -> SimResult -> Verdict. A stage takes
records and returns records; it never reads another stage's files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Task(StrEnum):
    SPEC_TO_RTL = "spec-to-rtl"
    CODE_COMPLETE = "code-complete-iccad2023"


class Harness(StrEnum):
    """Which benchmark's harness grades a problem: how a sample is assembled and judged."""

    OFFICIAL_V2 = "official-v2"  # sample, test and reference files; sv-iv-analyze's codes
    V1 = "v1"  # test + prompt + completion in one file; the v1 result strings


class Category(StrEnum):
    """The official failure codes of sv-iv-analyze, in its order of precedence."""

    PASS = "."
    SYNTAX = "S"
    EXPLICIT_CAST = "e"
    ZERO_WIDTH = "0"
    NO_SENSITIVITY = "n"
    DECLARED_AS_WIRE = "w"
    UNKNOWN_MODULE = "m"
    UNABLE_TO_BIND = "p"
    UNABLE_TO_BIND_CLK = "c"
    TIMEOUT = "T"
    ASYNC_RESET = "r"
    COMPILE_OTHER = "C"
    RUNTIME = "R"


CATEGORY_NAMES: dict[Category, str] = {
    Category.PASS: "pass",
    Category.SYNTAX: "syntax error",
    Category.EXPLICIT_CAST: "explicit cast required",
    Category.ZERO_WIDTH: "sized constant of zero width",
    Category.NO_SENSITIVITY: "no sensitivities",
    Category.DECLARED_AS_WIRE: "declared as wire",
    Category.UNKNOWN_MODULE: "unknown module type",
    Category.UNABLE_TO_BIND: "unable to bind wire/reg",
    Category.UNABLE_TO_BIND_CLK: "unable to bind clk",
    Category.TIMEOUT: "timeout",
    Category.ASYNC_RESET: "async reset found",
    Category.COMPILE_OTHER: "other compile error",
    Category.RUNTIME: "runtime mismatch",
}


@dataclass(frozen=True)
class Problem:
    """One benchmark problem of one task, as its files on disk describe it."""

    name: str  # e.g. "Prob001_zero"
    number: int  # e.g. 1
    task: Task
    folder: Path  # the task folder that holds its files
    prompt: str  # contents of <name>_prompt.txt
    ref_path: Path  # <name>_ref.sv, module RefModule
    test_path: Path | None  # <name>_test.sv, module tb (None when only a cocotb test exists)
    ifc: str | None = None  # contents of <name>_ifc.txt (code completion)
    test_py_path: Path | None = None  # <name>_test.py cocotb testbench, when shipped
    harness: Harness = Harness.OFFICIAL_V2


@dataclass(frozen=True)
class Prompt:
    """The exact messages sent to a model for one problem."""

    problem: str
    task: Task
    shots: int
    rules: bool
    explain: bool
    style: str  # "official-v2" or "native"
    system: str
    user: str

    def messages(self) -> list[dict[str, str]]:
        return [
            {"role": "system", "content": self.system},
            {"role": "user", "content": self.user},
        ]


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int | None = None
    completion_tokens: int | None = None  # reasoning tokens included, as OpenAI counts them
    reasoning_tokens: int | None = None  # the part of completion_tokens spent thinking


@dataclass(frozen=True)
class Generation:
    """One model response (or the error that replaced it) for one sample of one problem."""

    problem: str
    sample: int  # from 1
    response: str | None  # the answer only: thinking is kept apart in `reasoning`
    error: str | None = None  # set when generation finally failed; the sample then fails
    usage: Usage = field(default_factory=Usage)
    cost: float | None = None  # USD; None when the price is unknown, never a guessed 0
    latency_s: float | None = None
    finish_reason: str | None = None
    model: str | None = None
    cached: bool = False
    reasoning: str | None = None  # the model's thinking, never read by extraction


@dataclass(frozen=True)
class Sample:
    """Extracted code, ready to simulate."""

    problem: str
    sample: int
    code: str


@dataclass(frozen=True)
class ExecResult:
    """What one subprocess did: the only thing the classifier reads."""

    argv: tuple[str, ...]
    returncode: int | None  # None when killed for the time limit
    output: str  # stdout+stderr, capped (stdout alone when `stderr` is kept apart)
    duration_s: float
    timed_out: bool = False
    truncated: bool = False
    # Kept apart only where a verdict reads them (the v1 harness): stderr, and the error of
    # decoding the streams as strict UTF-8 (the text above then has replacement characters).
    stderr: str | None = None
    utf8_error: str | None = None


@dataclass(frozen=True)
class SimResult:
    """Compile and run of one sample against its problem's testbench."""

    problem: str
    sample: int
    compile: ExecResult
    run: ExecResult | None  # None when compilation failed
    simulator: str  # e.g. "Icarus Verilog version 11.0 (stable)"
    timeout_s: float
    code: str = ""  # the simulated sample: the official 'r' (async reset) check reads it


@dataclass(frozen=True)
class OutputMismatch:
    output: str
    mismatches: int
    first_time: int | None


@dataclass(frozen=True)
class Verdict:
    """The grade of one sample, with what a person needs to understand a failure."""

    problem: str
    sample: int
    category: Category
    mismatches: int | None = None
    total: int | None = None
    outputs: tuple[OutputMismatch, ...] = ()
    first_error: str | None = None
    result: str | None = None  # the v1 harness's own result string ("passed", "failed: ...")

    @property
    def passed(self) -> bool:
        return self.category is Category.PASS
