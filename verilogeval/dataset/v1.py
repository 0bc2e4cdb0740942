"""VerilogEval v1 (release/1.0.0): its problem files, read as this project's problems.

A clone of the official `release/1.0.0` branch holds `data/VerilogEval_Human.jsonl` and
`data/VerilogEval_Machine.jsonl` (`{task_id, prompt, canonical_solution, test}`, `prompt`
being the module header of `top_module`) and `descriptions/VerilogDescription_*.jsonl`
(`{task_id, detail_description}`: the text a model is asked with). `--dataset` names the
clone's root, or one problem file of that form (such as `data/example/ExampleEval.jsonl`,
which has no descriptions: its samples grade, but no prompt can be built).

Every stage reads a problem from its files, so each problem is written once, as the v2.1
errata are, to a content-addressed folder of the cache:
- `<task_id>_prompt.txt`: its description;
- `<task_id>_ifc.txt`: its `prompt` and the newline v1 puts after it, the completion
  prefix: a sample's code is this prefix followed by its completion;
- `<task_id>_test.sv`: its `test` and the newline v1 puts after it. The v1 harness compiles
  this file followed by the sample's code, which is v1's `test + "\\n" + prompt + "\\n" +
  completion`;
- `<task_id>_ref.sv`: the prefix and its `canonical_solution` (the oracle's answer).
The official files are never copied into this repository.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verilogeval.dataset.errata import Benchmark, write_once
from verilogeval.errors import UserError
from verilogeval.jsonl import BadLine, read_jsonl_file
from verilogeval.records import Harness, Problem, Task

# Where each set's files are in a clone of release/1.0.0.
SET_FILES: dict[Benchmark, tuple[str, str]] = {
    Benchmark.V1_HUMAN: (
        "data/VerilogEval_Human.jsonl",
        "descriptions/VerilogDescription_Human.jsonl",
    ),
    Benchmark.V1_MACHINE: (
        "data/VerilogEval_Machine.jsonl",
        "descriptions/VerilogDescription_Machine.jsonl",
    ),
}
_TASK_ID = re.compile(r"^[A-Za-z0-9_]+$")  # a plain file name: every official task_id is
_FIELDS = ("task_id", "prompt", "canonical_solution", "test")


@dataclass(frozen=True)
class V1Problems:
    """One v1 set as read: where from, where its files were written, its problems."""

    root: Path  # the clone's root, or the problem file itself
    folder: Path  # the cache folder holding the problems' files
    problems: tuple[Problem, ...]


def load_v1(root: Path, benchmark: Benchmark) -> V1Problems:
    """The problems of `benchmark`'s set in the clone at `root`, or of the problem file
    `root`, in file order (numbered from 1)."""
    root = root.resolve()
    if root.is_file():
        problem_file, description_file = root, None
    elif root.is_dir():
        data, descriptions = SET_FILES[benchmark]
        problem_file, description_file = root / data, root / descriptions
        if not problem_file.is_file():
            raise UserError(
                f"{root}: not a VerilogEval v1 clone (no {data}); --benchmark {benchmark} reads "
                "a clone of the official release/1.0.0 branch, or one of its problem files"
            )
    else:
        raise UserError(f"{root}: dataset folder or file does not exist")
    rows = _problem_rows(problem_file)
    texts = _descriptions(description_file, rows) if description_file else {}
    return _materialized(root, rows, texts)


def _problem_rows(path: Path) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    for number, line in read_jsonl_file(path):
        row = _checked(path, number, line, _FIELDS)
        if row["task_id"] in seen:
            raise UserError(f"{path}:{number}: duplicate task_id {row['task_id']!r}")
        seen.add(row["task_id"])
        rows.append(row)
    if not rows:
        raise UserError(f"{path}: no problems")
    return rows


def _descriptions(path: Path, rows: list[dict[str, str]]) -> dict[str, str]:
    if not path.is_file():
        raise UserError(f"{path}: missing (the descriptions the prompts are built from)")
    texts = {
        row["task_id"]: row["detail_description"]
        for number, line in read_jsonl_file(path)
        if (row := _checked(path, number, line, ("task_id", "detail_description")))
    }
    missing = [row["task_id"] for row in rows if row["task_id"] not in texts]
    if missing:
        raise UserError(f"{path}: no detail_description for {', '.join(missing[:5])}")
    return texts


def _checked(
    path: Path, number: int, line: dict[str, Any] | BadLine, fields: tuple[str, ...]
) -> dict[str, str]:
    if isinstance(line, BadLine):
        raise UserError(f"{path}:{number}: {line.reason}")
    for field in fields:
        if not isinstance(line.get(field), str):
            raise UserError(f"{path}:{number}: missing field {field!r} (text)")
    if not _TASK_ID.match(line["task_id"]):
        raise UserError(f"{path}:{number}: task_id {line['task_id']!r} is not a plain name")
    return {field: line[field] for field in fields}


def _materialized(root: Path, rows: list[dict[str, str]], texts: dict[str, str]) -> V1Problems:
    files: dict[str, str] = {}
    for row in rows:
        name, prefix = row["task_id"], row["prompt"] + "\n"
        files[f"{name}_prompt.txt"] = texts.get(name, "")
        files[f"{name}_ifc.txt"] = prefix
        files[f"{name}_test.sv"] = row["test"] + "\n"
        files[f"{name}_ref.sv"] = prefix + row["canonical_solution"]
    digest = hashlib.sha256()
    for file_name, text in files.items():
        digest.update(f"{file_name}\0{text}\0".encode())
    folder = problems_dir() / digest.hexdigest()[:24]
    for file_name, text in files.items():
        write_once(folder / file_name, text)
    problems = tuple(
        Problem(
            name=row["task_id"],
            number=number,
            task=Task.CODE_COMPLETE,
            folder=folder,
            prompt=texts.get(row["task_id"], ""),
            ref_path=folder / f"{row['task_id']}_ref.sv",
            test_path=folder / f"{row['task_id']}_test.sv",
            ifc=row["prompt"] + "\n",
            harness=Harness.V1,
        )
        for number, row in enumerate(rows, start=1)
    )
    return V1Problems(root=root, folder=folder, problems=problems)


def problems_dir() -> Path:
    """Where v1 problems are written as files, one folder per distinct content."""
    return Path.home() / ".cache" / "verilogeval" / "v1"
