"""The sample as Icarus's own preprocessor reads it (in the sandbox), and its effect on later files.

Icarus compiles `sample.sv test.sv ref.sv` as one stream: a macro the sample defines, an
`ifdef or a comment it leaves open, reaches into the testbench and the reference. So the
sample is preprocessed by ivlpp, the preprocessor iverilog itself runs, with the macros
iverilog predefines and line markers (`-L`, as the compiler gets them), followed by the
harness files; the harness part of the output must be exactly what it is without the
sample. The sample part is what the tamper scan reads: nothing is hidden behind
`ifdef __ICARUS__ or a macro. ivlpp runs in the sandbox (includes are read there), under
the same limits as a compile, so a macro blow-up is a finding, not a host hazard.

The text must also mean the same to every reader. The official compile, the plus runs,
strict's cocotb build and Yosys each predefine their own macros (`__ICARUS__`, `YOSYS`,
`SYNTHESIS`...) and give the file their own name (`__FILE__`), so a sample could show each
a different design. Two rules, each enough for the readers it covers:
- the checks read what the scan read: `sample_as_compiled` is the one preprocessing, and
  strict and formal are handed its output (no macro, no conditional left in it);
- the sample may not depend on its reader (scan findings): no conditional compilation and
  no `__FILE__`/`__LINE__` in the raw text (`reader_dependent_directives`), no macro it
  does not define itself (ivlpp's own warning: it reads such a macro as empty, another
  compiler may predefine it). No official reference and no golden answer uses any
  directive at all.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from verilogeval.execution.sandbox.host import Command, runner
from verilogeval.execution.sandbox.isolation import run_limited
from verilogeval.records import ExecResult, Problem

SAMPLE_NAME = "sample.sv"  # the file name the line markers give the sample's text
# The macros iverilog (11 and 12) hands ivlpp in its -F file: `iverilog -E -v` shows the
# command, and tests compare this preprocessor's output with `iverilog -E`'s.
ICARUS_DEFINES = "D:__ICARUS__=1\nrelative include:false\n"
_DEFINES_NAME = "verilogeval.defines"
WARNINGS_NAME = "verilogeval.ivlpp-messages"
# ivlpp reads a macro nobody defined as empty, and says so: another compiler predefines it.
_UNDEFINED_MACRO = re.compile(
    rf"^{re.escape(SAMPLE_NAME)}:\d+: warning: macro (\S+) undefined", re.MULTILINE
)
_CHANGES_HARNESS = (
    "changes how the testbench or reference is read "
    "(an unterminated comment or `ifdef, or a macro they use)"
)
# Control characters on which two readers of the text may disagree (where a line ends).
_CONTROL = re.compile(r"\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# Directives whose meaning depends on the reader: conditionals test macros each reader
# predefines its own way, the location macros expand to each reader's file name and line.
_CONDITIONALS = frozenset({"ifdef", "ifndef", "elsif", "else", "endif"})
_LOCATION_MACROS = frozenset({"__FILE__", "__LINE__"})
# A backtick and the name after it (a pasting ``, a `" or `\`" has none): every directive
# and macro use, in code, strings and comments alike (refusing too much is safe).
_DIRECTIVE_USE = re.compile(r"(?<!`)`(?!`)\s*(\\\S+|[A-Za-z_][\w$]*)")


def reader_dependent_directives(code: str) -> tuple[str, ...]:
    """Directives in the raw sample that could read differently to another compiler."""
    reasons: dict[str, None] = {}
    for name in _DIRECTIVE_USE.findall(code):
        if name in _CONDITIONALS:
            why = "conditional compilation: each compiler predefines its own macros"
        elif name in _LOCATION_MACROS:
            why = "each compiler names the file its own way"
        else:
            continue
        reasons.setdefault(f"`{name} ({why})", None)
    return tuple(reasons)


@dataclass(frozen=True)
class Preprocessed:
    """The sample's part of ivlpp's output (None if it cannot be had), and the reasons not
    to trust it (a macro nobody defines, or why there is no text)."""

    text: str | None
    reasons: tuple[str, ...]


@lru_cache(maxsize=1)
def ivlpp_path() -> str:
    """The preprocessor iverilog runs, as `iverilog -E -v` names it."""
    shown = subprocess.run(
        ["iverilog", "-E", "-v", "-o", "/dev/null", "/dev/null"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    match = re.search(r"^preprocess: (\S+)", shown.stdout + shown.stderr, re.MULTILINE)
    if match is None:
        raise RuntimeError("cannot find Icarus's preprocessor in `iverilog -E -v`'s output")
    return match.group(1)


def preprocess_argv(files: tuple[str, ...]) -> tuple[str, ...]:
    """ivlpp on `files` with iverilog's macros and line markers; its messages go to their
    own file (WARNINGS_NAME), so they cannot mix into the text the scan reads."""
    ivlpp = ("sh", "-c", f'exec "$@" 2>{WARNINGS_NAME}', "sh", ivlpp_path())
    return (*ivlpp, "-L", "-F", _DEFINES_NAME, *files)


def sample_as_compiled(
    code: str,
    problem: Problem | None,
    *,
    workdir: Path | None,
    sandboxed: bool,
    timeout_s: float,
) -> Preprocessed:
    """`code` as the official compile reads it, followed by `problem`'s testbench and
    reference: the text the scan reads, and the one strict and formal are handed."""
    return preprocess_sample(
        code, harness_files(problem), workdir=workdir, sandboxed=sandboxed, timeout_s=timeout_s
    )


def harness_files(problem: Problem | None) -> tuple[tuple[str, str], ...]:
    """The files compiled after the sample, under the names the compile gives them."""
    if problem is None or problem.test_path is None:
        return ()
    return (
        ("test.sv", problem.test_path.read_text(encoding="utf-8")),
        ("ref.sv", problem.ref_path.read_text(encoding="utf-8")),
    )


def preprocess_sample(
    code: str,
    harness: tuple[tuple[str, str], ...],
    *,
    workdir: Path | None,
    sandboxed: bool,
    timeout_s: float,
) -> Preprocessed:
    """`code` followed by the harness files ((name, source) in compile order), preprocessed."""
    control = _CONTROL.search(code)
    if control:
        return Preprocessed(None, (f"control character U+{ord(control.group()):04X}",))
    expected = _harness_alone(harness, timeout_s)
    inputs = {
        SAMPLE_NAME: code.encode("utf-8"),
        **{name: source.encode("utf-8") for name, source in harness},
        _DEFINES_NAME: ICARUS_DEFINES.encode("utf-8"),
    }
    files = (SAMPLE_NAME, *(name for name, _ in harness))
    command = Command(preprocess_argv(files), inputs, (WARNINGS_NAME,), timeout_s)
    execution = runner(workdir, sandboxed).execute(command)
    done = execution.result
    failure = _failure(done, timeout_s)
    if failure:
        return Preprocessed(None, (failure,))
    if not done.output.endswith(expected):
        return Preprocessed(None, (_CHANGES_HARNESS,))
    text = done.output[: len(done.output) - len(expected)]
    messages = execution.files.get(WARNINGS_NAME)
    if messages is None:  # the shell always makes the file: it is over the size cap
        return Preprocessed(text, ("Icarus's preprocessor's messages are over the size cap",))
    undefined = dict.fromkeys(_UNDEFINED_MACRO.findall(messages.decode("utf-8", "replace")))
    why = "a macro the sample does not define: some compiler's own"
    reasons = tuple(f"`{name} ({why})" for name in undefined)
    return Preprocessed(text, reasons)


def _failure(done: ExecResult, timeout_s: float) -> str | None:
    if done.timed_out:
        return f"Icarus's preprocessor did not finish in {timeout_s:g} s (a macro blow-up?)"
    if done.truncated:
        return "the preprocessed sample is over the output cap (a macro blow-up?)"
    if done.returncode != 0:
        return (
            "Icarus's preprocessor rejects the sample on its own "
            f"(exit {done.returncode}: an unterminated `ifdef, an `include it cannot read...)"
        )
    return None


@lru_cache(maxsize=64)
def _harness_alone(harness: tuple[tuple[str, str], ...], timeout_s: float) -> str:
    """ivlpp's output for the trusted harness files alone (run outside the sandbox)."""
    if not harness:
        return ""
    with tempfile.TemporaryDirectory(prefix="verilogeval-harness-") as folder:
        for name, source in harness:
            (Path(folder) / name).write_text(source, encoding="utf-8")
        (Path(folder) / _DEFINES_NAME).write_text(ICARUS_DEFINES, encoding="utf-8")
        argv = preprocess_argv(tuple(name for name, _ in harness))
        done = run_limited(argv, cwd=Path(folder), timeout_s=max(timeout_s, 60.0))
    if done.returncode != 0 or done.timed_out or done.truncated:
        raise RuntimeError(f"Icarus's preprocessor fails on the harness files {harness[0][0]}...")
    return done.output
