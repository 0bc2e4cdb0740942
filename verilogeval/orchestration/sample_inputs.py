"""The samples `evaluate` grades, read from whatever form a user already has them in.

Three sources, each sample with where it came from (to name in an error):
- JSON Lines (`.jsonl`, or `.jsonl.gz`) of `{"problem", "sample", "code"}`, as `extract`
  writes them; EvalPlus-style lines too: `task_id` for `problem`, `solution` (the whole
  module) or `completion` (the text after the prompt: for code completion the problem's
  interface comes first, as in EvalPlus prompt + completion) for `code`, and without
  `sample` the lines of a problem are numbered in file order;
- a folder in the official build layout (`ProbNNN_name/ProbNNN_name_sampleNN.sv`);
- a folder `generate` (or `run`) wrote: its generations.jsonl, each response extracted
  as `run` would, so generate -> evaluate chains without a separate extract step.
A bad sample is a `Rejected`, never fatal: the others are still graded. One that names
its problem and sample number (code that is not text, too long, missing) is still a
sample of the run: `evaluate` counts it, without a result, as a failure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verilogeval.checks.registry import check_settings_types
from verilogeval.errors import UserError
from verilogeval.generation.responses import response_issue
from verilogeval.grading.extract import ExtractMode, extract
from verilogeval.jsonl import BadLine, read_jsonl_file
from verilogeval.orchestration.session import AnswerIssue
from verilogeval.records import Problem, Sample
from verilogeval.runfolder.files import RunFolder
from verilogeval.runfolder.lines import read_generations
from verilogeval.runfolder.manifest import Manifest, read_manifest
from verilogeval.runfolder.official_layout import (
    MAX_CODE_BYTES,
    Unreadable,
    read_samples_folder,
    sample_path,
)

# The fields that may hold a sample's code, the first present wins.
CODE_FIELDS = ("code", "solution", "completion")


@dataclass(frozen=True)
class Rejected:
    """An input sample that cannot be graded: where it is and why."""

    where: str
    reason: str
    key: tuple[str, int] | None = None  # (problem, sample) it was to be, when it says so


@dataclass(frozen=True)
class Input:
    """One sample to grade, where it came from, and what its model answer had (if known)."""

    where: str
    sample: Sample | Rejected
    answer: AnswerIssue | None = None


def generation_manifest(path: Path) -> Manifest | None:
    """The run.json of a folder holding generations.jsonl (`generate`, `run`), else None."""
    folder = RunFolder(path)
    if not (path.is_dir() and folder.generations.is_file()):
        return None
    manifest = read_manifest(folder, check_settings_types())
    if manifest is None:
        raise UserError(f"{path}: holds generations.jsonl but no run.json (model, task unknown)")
    return manifest


def read_inputs(
    path: Path, problems: Mapping[str, Problem], extract_mode: ExtractMode | None
) -> list[Input]:
    """Every sample of a JSONL file, a layout folder or a generation folder (whose answers
    are extracted with `extract_mode`, which it needs)."""
    if path.is_dir():
        if RunFolder(path).generations.is_file():
            if extract_mode is None:
                raise UserError(f"{path}: a generate folder needs an extraction mode")
            return _from_generations(RunFolder(path), problems, extract_mode)
        return [
            Input(str(item.path), Rejected(str(item.path), item.reason, item.key))
            if isinstance(item, Unreadable)
            else Input(str(sample_path(path, item.problem, item.sample)), item)
            for item in read_samples_folder(path)
        ]
    if not path.is_file():
        raise UserError(f"{path}: no such samples file or folder")
    numbers: Counter[str] = Counter()
    return [
        Input(f"{path}:{number}", _sample_of(line, f"{path}:{number}", problems, numbers))
        for number, line in read_jsonl_file(path)
    ]


def _from_generations(
    folder: RunFolder, problems: Mapping[str, Problem], mode: ExtractMode
) -> list[Input]:
    inputs = []
    for line in read_generations(folder.generations):
        where = f"{folder.generations}: {line.problem} sample {line.sample}"
        problem = problems.get(line.problem)
        if line.error is not None or line.response is None:
            reason = f"the generation failed, no answer to grade: {line.error}"
            inputs.append(Input(where, Rejected(where, reason, line.key)))
        elif problem is None:  # evaluate names the unknown problem
            inputs.append(Input(where, Sample(line.problem, line.sample, "")))
        else:
            code = extract(line.response, problem, mode)
            issue = response_issue(line.to_generation(), code, problem.ifc)
            sample = Sample(line.problem, line.sample, code)
            inputs.append(Input(where, sample, AnswerIssue(issue=issue and str(issue))))
    return inputs


def _sample_of(
    line: dict[str, Any] | BadLine,
    where: str,
    problems: Mapping[str, Problem],
    numbers: Counter[str],
) -> Sample | Rejected:
    if isinstance(line, BadLine):
        return Rejected(where, line.reason)
    problem = line.get("problem", line.get("task_id"))
    if not isinstance(problem, str):
        return Rejected(where, "missing field 'problem' (text)")
    sample = line.get("sample")
    if sample is None:  # EvalPlus lines carry no sample number: file order gives it
        numbers[problem] += 1
        sample = numbers[problem]
    if not isinstance(sample, int) or isinstance(sample, bool) or sample < 1:
        return Rejected(where, f"{problem}: field 'sample' must be an integer from 1")
    field = next((name for name in CODE_FIELDS if name in line), None)
    code = line.get(field) if field else None
    key = (problem, sample)
    if not isinstance(code, str):
        return Rejected(
            where, f"{problem} sample {sample}: missing field 'code' (text; or 'solution')", key
        )
    if field == "completion" and problem in problems:
        code = (problems[problem].ifc or "") + code
    try:
        size = len(code.encode("utf-8"))
    except UnicodeEncodeError as error:  # a lone surrogate escape such as "\ud800"
        reason = f"{problem} sample {sample}: code is not text ({error.reason})"
        return Rejected(where, reason, key)
    if size > MAX_CODE_BYTES:
        return Rejected(
            where,
            f"{problem} sample {sample}: code is {size} bytes, over the {MAX_CODE_BYTES} limit",
            key,
        )
    return Sample(problem=problem, sample=sample, code=code)
