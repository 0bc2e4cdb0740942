"""`verilogeval show RUNDIR PROBLEM [SAMPLE]`: one sample, everything about it, in the terminal.

The prompt, the model's answer (and its thinking), the extracted code, the simulator log
and every verdict (official, --strict, --plus, --formal), read from the run folder only.
The answer, code and log are a model's and a simulator's text: control characters are
shown as escapes, so nothing in them can drive the terminal, and markup is never read.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

from verilogeval.errors import UserError
from verilogeval.runfolder.official_layout import sample_path, test_log_path

if TYPE_CHECKING:  # reading a run imports pandas: only when the command runs
    from verilogeval.records import Prompt
    from verilogeval.runfolder.lines import GenerationLine, ResultLine

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
MAX_LINES = 400  # of one text shown; the rest is in the file named above it


EXAMPLES = """
verilogeval show runs/gpt-4o_spec-to-rtl_0shot_greedy Prob007_wire
verilogeval show runs/gpt-4o_spec-to-rtl_0shot_greedy 7 3      # problem 7, sample 3
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run", metavar="RUNDIR", help="a run folder")
    parser.add_argument("problem", metavar="PROBLEM", help="its name, or its number (e.g. 7)")
    parser.add_argument(
        "sample", metavar="SAMPLE", type=int, nargs="?", default=1, help="from 1 (default: 1)"
    )


def run(args: argparse.Namespace) -> int:
    from rich.console import Console, Group
    from rich.panel import Panel
    from rich.text import Text

    from verilogeval.reporting.runs import load_run

    loaded = load_run(args.run)
    problem = _problem_named(args.problem, loaded.problems, args.run)
    key = (problem, args.sample)
    if not 1 <= args.sample <= loaded.n:
        raise UserError(f"{args.run}: sample {args.sample} out of 1-{loaded.n} for {problem}")
    result = loaded.results.get(key)
    answers = {line.key: line for line in loaded.generation_lines or ()}
    answer = answers.get(key)
    prompt = loaded.prompts.get(problem)
    sections: list[tuple[str, str | None]] = [
        ("verdict", _verdict(result)),
        ("prompt", _prompt(prompt)),
        ("thinking", answer.reasoning if answer else None),
        ("answer", _answer(answer, loaded.generation_lines is not None)),
        (f"code ({sample_path(loaded.path, *key)})", _file(sample_path(loaded.path, *key))),
        (f"log ({test_log_path(loaded.path, *key)})", _file(test_log_path(loaded.path, *key))),
    ]
    console = Console(highlight=False)
    console.print(
        Text(f"{args.run}: {problem} sample {args.sample} (model {loaded.model})"), soft_wrap=True
    )
    for title, body in sections:
        if body is None:
            continue
        console.print(Panel(Group(Text(_shown(body))), title=Text(title), title_align="left"))
    return 0


def _problem_named(name: str, problems: tuple[str, ...], run: str) -> str:
    """A problem of the run by its full name or its number."""
    if name in problems:
        return name
    if name.isdigit():
        found = [p for p in problems if p.startswith(f"Prob{int(name):03}_")]
        if found:
            return found[0]
    raise UserError(f"{run}: no problem {name!r} in this run ({len(problems)} problems)")


def _verdict(result: ResultLine | None) -> str:
    if result is None:
        return "no result yet (not graded)"
    lines = [f"official: {result.category} ({result.category_name})"]
    if result.mismatches is not None:
        lines[0] += f", {result.mismatches} mismatches in {result.total} samples"
    if result.result is not None:  # a v1 benchmark: its harness's own verdict
        lines.insert(0, f"v1 result: {result.result}")
    if result.first_error:
        lines.append(f"first error: {result.first_error}")
    lines += [
        f"output {o.output}: {o.mismatches} mismatches, first at {o.first_time}"
        for o in result.outputs
    ]
    for label, value in (
        ("generation error", result.generation_error),
        ("response issue", result.response_issue),
        ("time limit (s)", result.time_limit_s),
    ):
        if value is not None:
            lines.append(f"{label}: {value}")
    for name, verdict in result.checks.items():
        outcome = {True: "pass", False: "REJECTED", None: "undecided"}[verdict.passed]
        lines.append(f"{name}: {outcome} ({verdict.status}) {verdict.reason}")
        if verdict.details is not None:
            lines.append(f"  {json.dumps(verdict.details.to_json(), ensure_ascii=False)}")
    return "\n".join(lines)


def _prompt(prompt: Prompt | None) -> str | None:
    if prompt is None:
        return None
    return f"[system]\n{prompt.system}\n\n[user]\n{prompt.user}"


def _answer(answer: GenerationLine | None, has_generations: bool) -> str | None:
    if answer is None:
        return "no answer recorded" if has_generations else None
    if answer.error is not None:
        return f"no answer: the generation failed: {answer.error}"
    return f"{answer.response}\n\n(finish reason: {answer.finish_reason})"


def _file(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return None
    except OSError as error:
        return f"cannot read {path}: {error.strerror or error}"


def _shown(text: str) -> str:
    """At most MAX_LINES lines, control characters as visible escapes."""
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        lines = [*lines[:MAX_LINES], f"... {len(lines) - MAX_LINES} more lines in the file"]
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", "\n".join(lines))
