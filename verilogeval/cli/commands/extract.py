"""`verilogeval extract`: re-run extraction on saved responses, without any model call.

Two inputs: `--jsonl FILE` (lines `{"problem", "response", ...}`, .jsonl.gz too, written
back with `"code"` added, the field `evaluate` reads, and the same text as `"extracted"`,
its earlier name) or `--problem P` (one response on stdin, the sample on stdout). So
`generate`, then `extract --jsonl RUNDIR/generations.jsonl`, then `evaluate` chain.
A bad line is reported on stderr with its number and problem; the other lines are
still extracted, and the exit code is 2 at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verilogeval.cli.commands.options import (
    add_dataset_options,
    add_extract_mode_option,
    benchmark_from_args,
)
from verilogeval.dataset.loader import Dataset, load_dataset
from verilogeval.errors import UserError
from verilogeval.grading.extract import ExtractMode, default_mode, extract
from verilogeval.jsonl import BadLine, read_jsonl_file
from verilogeval.prompting.builder import default_style
from verilogeval.records import Problem

EXAMPLES = """
verilogeval extract --dataset ../verilog-eval --jsonl answers.jsonl --out extracted.jsonl
verilogeval extract --dataset ../verilog-eval --problem Prob001_zero < response.txt
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_dataset_options(parser, problems=False)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--jsonl",
        type=Path,
        help='JSON Lines (or .jsonl.gz) of {"problem", "response", ...}; each is written back '
        'with "code" (what evaluate reads) and "extracted" (the same text) added',
    )
    source.add_argument("--problem", help="extract the response read from stdin for this problem")
    add_extract_mode_option(
        parser,
        "--mode",
        "official or robust (default: official for an official clone, else robust)",
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="write the JSON Lines here (default: stdout)"
    )


def run(args: argparse.Namespace) -> int:
    dataset = load_dataset(args.dataset, args.task, benchmark_from_args(args))
    mode = args.mode or default_mode(default_style(dataset))
    if args.problem is not None:
        if args.out is not None:
            raise UserError("--out goes with --jsonl; with --problem the sample goes to stdout")
        problem = dataset.problem(args.problem)
        sys.stdout.write(extract(_read_stdin(), problem, mode))
        return 0
    return _extract_jsonl(dataset, mode, args.jsonl, args.out)


def _read_stdin() -> str:
    """The response exactly as sent: text-mode stdin would rewrite its line endings."""
    try:
        return sys.stdin.buffer.read().decode("utf-8")
    except UnicodeDecodeError as error:
        raise UserError(f"stdin: not UTF-8 text ({error.reason})") from None


@dataclass(frozen=True)
class _BadLine:
    number: int
    problem: str | None
    reason: str


def _extract_jsonl(dataset: Dataset, mode: ExtractMode, source: Path, out: Path | None) -> int:
    problems = {problem.name: problem for problem in dataset.problems}
    written: list[str] = []
    failed = 0
    for number, line in read_jsonl_file(source):
        row = _extract_row(line, number, problems, mode)
        if isinstance(row, _BadLine):
            failed += 1
            print(_describe(source, row), file=sys.stderr)
            continue
        written.append(json.dumps(row, ensure_ascii=False) + "\n")
    _write(out, "".join(written))
    if failed:
        total = failed + len(written)
        print(f"verilogeval extract: {failed} of {total} lines failed", file=sys.stderr)
        return 2
    return 0


def _extract_row(
    row: dict[str, Any] | BadLine, number: int, problems: dict[str, Problem], mode: ExtractMode
) -> dict | _BadLine:
    """The line's object with "code" and "extracted" added, or why it cannot be extracted."""
    if isinstance(row, BadLine):
        return _BadLine(number, None, row.reason)
    name = row.get("problem")
    if not isinstance(name, str):
        return _BadLine(number, None, 'missing "problem" field')
    if name not in problems:
        return _BadLine(number, name, "unknown problem")
    if "response" not in row:
        return _BadLine(number, name, 'missing "response" field')
    response = row["response"]
    if response is None and isinstance(row.get("error"), str):
        return _BadLine(number, name, f"no response, the generation failed: {row['error']}")
    if not isinstance(response, str):
        return _BadLine(number, name, f'"response" is {json.dumps(response)}, not text')
    code = extract(response, problems[name], mode)
    return {**row, "code": code, "extracted": code}


def _describe(source: Path, bad: _BadLine) -> str:
    where = f"{source}:{bad.number}"
    if bad.problem is not None:
        where += f": problem {bad.problem}"
    return f"verilogeval extract: error: {where}: {bad.reason}"


def _write(out: Path | None, text: str) -> None:
    """stdout, or the file replaced in one step so --out may name the input itself."""
    if out is None:
        sys.stdout.write(text)
        return
    try:
        handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.")
    except OSError as error:
        raise UserError(f"{out}: cannot write ({error})") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, out)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise UserError(f"{out}: cannot write ({error})") from None
