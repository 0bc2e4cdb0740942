"""The sample as Icarus's own preprocessor reads it (in the sandbox), and its effect on later files.

Icarus compiles `sample.sv test.sv ref.sv` as one stream: a macro the sample defines, an
`ifdef or a comment it leaves open, reaches into the testbench and the reference. So the
sample is preprocessed by ivlpp, the preprocessor iverilog itself runs, with the macros
iverilog predefines and line markers (`-L`, as the compiler gets them), followed by the
harness files; the harness part of the output must be exactly what it is without the
sample. The sample part is what the tamper scan reads: nothing is hidden behind
`ifdef __ICARUS__ or a macro. ivlpp runs in the sandbox (includes are read there), under
the same limits as a compile, so a macro blow-up is a finding, not a host hazard.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from verilogeval.isolation import run_limited
from verilogeval.records import ExecResult
from verilogeval.sandbox import Command, runner

SAMPLE_NAME = "sample.sv"  # the file name the line markers give the sample's text
# The macros iverilog (11 and 12) hands ivlpp in its -F file: `iverilog -E -v` shows the
# command, and tests compare this preprocessor's output with `iverilog -E`'s.
ICARUS_DEFINES = "D:__ICARUS__=1\nrelative include:false\n"
_DEFINES_NAME = "verilogeval.defines"
_CHANGES_HARNESS = (
    "changes how the testbench or reference is read "
    "(an unterminated comment or `ifdef, or a macro they use)"
)
# Control characters on which two readers of the text may disagree (where a line ends).
_CONTROL = re.compile(r"\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Preprocessed:
    """The sample's part of ivlpp's output, or the reasons it could not be trusted."""

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
    """ivlpp on `files` with iverilog's macros and line markers; its errors are dropped
    (only the exit code counts), so they cannot mix into the text the scan reads."""
    ivlpp = ("sh", "-c", 'exec "$@" 2>/dev/null', "sh", ivlpp_path())
    return (*ivlpp, "-L", "-F", _DEFINES_NAME, *files)


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
    command = Command(preprocess_argv(files), inputs, (), timeout_s)
    done = runner(workdir, sandboxed).execute(command).result
    failure = _failure(done, timeout_s)
    if failure:
        return Preprocessed(None, (failure,))
    if not done.output.endswith(expected):
        return Preprocessed(None, (_CHANGES_HARNESS,))
    return Preprocessed(done.output[: len(done.output) - len(expected)], ())


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
