"""The VerilogEval v1 harness as it ran (release/1.0.0 `execution.py`), in the sandbox.

v1 writes `test + "\\n" + prompt + "\\n" + completion` to `<task_id>.sv` and runs, in one
shell, `iverilog -Wall -Winfloop -Wno-timescale -g2012 -s tb -o test.vvp <task_id>.sv;
vvp -n test.vvp` with a 30 s limit. It then decides, in this order:
1. past the limit: `timed out`;
2. stdout or stderr not UTF-8: `failed: <the decoding error>`;
3. "syntax error" on stderr: `failed: syntax error.`;
4. any other text on stderr (a warning too): `failed: compile error.`;
5. the first `Mismatches: N in M samples` of stdout: `passed` when N is 0, else
   `failed: N out of M samples.`;
6. none: `failed: info string not matched.`
The same command runs here, in the sandbox, its two streams kept apart by
verilogeval.grading.v1.streams. A problem's `_test.sv` already ends with v1's "\\n", and
a sample's code is the prompt, "\\n" and the completion (verilogeval.dataset.v1),
so the file is the test file followed by the code.

Each result also gets this project's failure category: sv-iv-analyze's code of the same
log (stderr, then stdout), so failure reports read v1 runs as they read v2 runs; a
sample v1 fails that the code would pass (a warning on stderr) is `C`, a compile error.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import replace
from pathlib import Path

from verilogeval.execution.sandbox.host import PYTHON, Command, runner
from verilogeval.grading.classify import classify
from verilogeval.grading.simulate import simulator_version
from verilogeval.grading.v1.streams import SCRIPT
from verilogeval.records import Category, ExecResult, Problem, Sample, SimResult, Verdict

STREAMS_MODULE = "verilogeval.grading.v1.streams"
PASSED = "passed"
TIMED_OUT = "timed out"
_MISMATCHES = re.compile(r"Mismatches: ([0-9]*) in ([0-9]*) samples")


class HarnessError(RuntimeError):
    """The streams child gave no readable answer although it was not stopped by the limit."""


def command_argv(file_name: str) -> tuple[str, ...]:
    """The v1 shell command for `file_name`, as recorded in a result."""
    return ("sh", "-c", SCRIPT, "sh", file_name)


def simulate_v1(
    problem: Problem, sample: Sample, *, timeout_s: float, workdir: Path | None, sandboxed: bool
) -> SimResult:
    """Compile and run `sample` as v1 does; top level, so a pool can call it."""
    if problem.test_path is None:
        raise ValueError(f"{problem.name}: a v1 problem without its test file")
    file_name = f"{problem.name}.sv"
    source = problem.test_path.read_bytes() + sample.code.encode("utf-8")
    argv = (str(PYTHON), "-I", "-m", STREAMS_MODULE, file_name)
    execution = runner(workdir, sandboxed).execute(
        Command(argv, {file_name: source}, (), timeout_s)
    )
    return SimResult(
        problem=problem.name,
        sample=sample.sample,
        compile=streams_result(execution.result, command_argv(file_name)),
        run=None,
        simulator=simulator_version(),
        timeout_s=timeout_s,
        code=sample.code,
    )


def streams_result(child: ExecResult, argv: tuple[str, ...]) -> ExecResult:
    """The shell command's result from the streams child's answer line."""
    if child.timed_out:
        return replace(child, argv=argv, output="", stderr="")
    try:
        answer = json.loads(child.output)
        raw = {name: base64.b64decode(answer[name], validate=True) for name in ("stdout", "stderr")}
        returncode = answer["returncode"]
        truncated = bool(answer["stdout_truncated"] or answer["stderr_truncated"])
        if not isinstance(returncode, int):
            raise TypeError("returncode is not a number")
    except (ValueError, TypeError, KeyError, binascii.Error) as error:
        raise HarnessError(f"v1 streams child answered {child.output[:500]!r}: {error}") from None
    utf8_error = None
    try:  # v1 decodes stdout, then stderr: the first that fails is its result
        for data in raw.values():
            data.decode("utf-8")
    except UnicodeDecodeError as error:
        utf8_error = str(error)
    stdout, stderr = (data.decode("utf-8", errors="replace") for data in raw.values())
    return replace(
        child,
        argv=argv,
        returncode=returncode,
        output=stdout,
        stderr=stderr,
        truncated=truncated,
        utf8_error=utf8_error,
    )


def v1_result(run: ExecResult) -> str:
    """The v1 harness's result string for what its command did."""
    if run.timed_out:
        return TIMED_OUT
    if run.utf8_error is not None:
        return f"failed: {run.utf8_error}"
    stderr = run.stderr or ""
    if "syntax error" in stderr:
        return "failed: syntax error."
    if stderr:
        return "failed: compile error."
    match = _MISMATCHES.search(run.output)
    if match is None:
        return "failed: info string not matched."
    wrong, total = match.groups()
    if not wrong or not total:  # v1's int('') raises, and its message is the result
        return "failed: invalid literal for int() with base 10: ''"
    wrong, total = wrong.lstrip("0") or "0", total.lstrip("0") or "0"  # int(), any length
    return PASSED if wrong == "0" else f"failed: {wrong} out of {total} samples."


def judge_v1(result: SimResult) -> Verdict:
    """The v1 verdict of `result`, with this project's failure category and details."""
    text = v1_result(result.compile)
    official = classify(result)
    if text == PASSED:
        category = Category.PASS
    elif result.compile.timed_out:
        category = Category.TIMEOUT
    elif official.category is Category.PASS:  # v1 fails what sv-iv-analyze passes
        category = Category.COMPILE_OTHER if result.compile.stderr else Category.RUNTIME
    else:
        category = official.category
    first_error = official.first_error
    if first_error is None and category is Category.COMPILE_OTHER:
        first_error = next((line for line in (result.compile.stderr or "").splitlines()), None)
    return replace(official, category=category, first_error=first_error, result=text)
