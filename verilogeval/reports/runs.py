"""Read a run folder into typed, pandas form, without touching it.

A folder written by `verilogeval run` holds run.json, prompts.jsonl, generations.jsonl and
results.jsonl; one written by `verilogeval evaluate` has no generations (its model is
"unknown"), and a folder may even lack run.json (then its n is the highest sample graded).
The reader never repairs a file (a run may still be writing it): a last line without its
newline is simply not read yet.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from verilogeval.errors import UserError
from verilogeval.manifest import read_manifest
from verilogeval.metrics import OUTCOME_COLUMNS
from verilogeval.records import Category
from verilogeval.summary import MISSING

UNKNOWN = "unknown"
_CODES = {str(category) for category in Category}


@dataclass(frozen=True, eq=False)
class Run:
    """One run folder: its manifest and the outcome of every sample it asked for."""

    folder: str  # as the user gave it
    path: Path
    manifest: Mapping[str, Any] | None  # run.json; None when the folder has none
    problems: tuple[str, ...]  # every problem asked for, in order
    n: int  # samples per problem
    grid: pd.DataFrame  # metrics.OUTCOME_COLUMNS, one row per (problem, sample) asked for
    results: Mapping[tuple[str, int], Mapping[str, Any]]  # the results.jsonl lines
    generations: pd.DataFrame | None  # one row per (problem, sample); None without the file
    prompts: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # problem -> line

    @property
    def model(self) -> str:
        return str(self._get("model") or UNKNOWN)

    @property
    def task(self) -> str:
        return str(self._get("task") or UNKNOWN)

    @property
    def prompt_settings(self) -> Mapping[str, Any]:
        return self._get("prompt") or {}

    @property
    def sampling(self) -> Mapping[str, Any]:
        return self._get("sampling") or {}

    def _get(self, key: str) -> Any:
        return self.manifest.get(key) if self.manifest else None


def load_run(folder: str) -> Run:
    """Read `folder`; UserError naming it when it is not a run folder or a file is damaged."""
    path = Path(folder)
    if not path.is_dir():
        raise UserError(f"{folder}: no such run folder")
    results_path = path / "results.jsonl"
    if not results_path.is_file():
        raise UserError(f"{folder}: not a run folder (no results.jsonl)")
    manifest = read_manifest(path)
    results = _keyed(_read_lines(results_path), results_path)
    for (problem, sample), line in results.items():
        if line.get("category") not in _CODES:
            raise UserError(
                f"{results_path}: {problem} sample {sample}: "
                f"unknown category {line.get('category')!r}"
            )
    problems = _problems(manifest, results, path / "run.json")
    if not problems:
        raise UserError(f"{folder}: no results yet, and no run.json listing its problems")
    n = _samples_per_problem(manifest, results, path / "run.json")
    generations_path = path / "generations.jsonl"
    generations = (
        _generations_frame(_keyed(_read_lines(generations_path), generations_path))
        if generations_path.is_file()
        else None
    )
    prompts_path = path / "prompts.jsonl"
    prompts = (
        {str(record.get("problem")): record for _, record in _read_lines(prompts_path)}
        if prompts_path.is_file()
        else {}
    )
    return Run(
        folder=folder,
        path=path,
        manifest=manifest,
        problems=problems,
        n=n,
        grid=_outcome_grid(problems, n, results),
        results=results,
        generations=generations,
        prompts=prompts,
    )


def _read_lines(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, record) of each complete JSON line; a line still being written waits."""
    text = path.read_text(encoding="utf-8")
    complete = text[: text.rfind("\n") + 1]
    lines = []
    for number, line in enumerate(complete.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise UserError(f"{path}:{number}: not a JSON line ({error.msg})") from None
        if not isinstance(record, dict):
            raise UserError(f"{path}:{number}: expected a JSON object")
        lines.append((number, record))
    return lines


def _keyed(
    lines: list[tuple[int, dict[str, Any]]], path: Path
) -> dict[tuple[str, int], dict[str, Any]]:
    """Records by (problem, sample); a later line for the same sample replaces an earlier one."""
    keyed = {}
    for number, record in lines:
        problem, sample = record.get("problem"), record.get("sample")
        if not isinstance(problem, str) or not isinstance(sample, int) or sample < 1:
            raise UserError(f"{path}:{number}: needs fields 'problem' (text) and 'sample' (from 1)")
        keyed[(problem, sample)] = record
    return keyed


def _problems(
    manifest: Mapping[str, Any] | None, results: Mapping[tuple[str, int], Any], where: Path
) -> tuple[str, ...]:
    """The manifest's problems (a problem without results stays), then any others graded."""
    listed = manifest.get("problems", []) if manifest else []
    if not isinstance(listed, list) or not all(isinstance(name, str) for name in listed):
        raise UserError(f"{where}: field 'problems' must be a list of problem names")
    graded = sorted({problem for problem, _ in results})
    return tuple(dict.fromkeys([*listed, *graded]))


def _samples_per_problem(
    manifest: Mapping[str, Any] | None, results: Mapping[tuple[str, int], Any], where: Path
) -> int:
    """sampling.n of the manifest; without one, the highest sample number graded."""
    highest = max((sample for _, sample in results), default=1)
    n = ((manifest or {}).get("sampling") or {}).get("n")
    if n is None:
        return highest
    if not isinstance(n, int) or n < 1:
        raise UserError(f"{where}: field 'sampling.n' must be a positive integer, not {n!r}")
    return max(n, highest)


def _outcome_grid(
    problems: tuple[str, ...], n: int, results: Mapping[tuple[str, int], Mapping[str, Any]]
) -> pd.DataFrame:
    rows = []
    for problem in problems:
        for sample in range(1, n + 1):
            line = results.get((problem, sample))
            if line is None:
                rows.append((problem, sample, MISSING, False, None, None, None))
                continue
            rows.append(
                (
                    problem,
                    sample,
                    line["category"],
                    line["category"] == Category.PASS,
                    line.get("mismatches"),
                    line.get("strict_passed"),
                    line.get("plus_passed"),
                )
            )
    grid = pd.DataFrame(rows, columns=list(OUTCOME_COLUMNS))
    grid["mismatches"] = grid["mismatches"].astype("Int64")
    grid["strict_passed"] = grid["strict_passed"].astype("boolean")
    grid["plus_passed"] = grid["plus_passed"].astype("boolean")
    return grid


def _generations_frame(lines: Mapping[tuple[str, int], Mapping[str, Any]]) -> pd.DataFrame:
    rows = [
        {
            "problem": problem,
            "sample": sample,
            "response": line.get("response"),
            "error": line.get("error"),
            "prompt_tokens": (line.get("usage") or {}).get("prompt_tokens"),
            "completion_tokens": (line.get("usage") or {}).get("completion_tokens"),
            "cost": line.get("cost"),
            "latency_s": line.get("latency_s"),
            "finish_reason": line.get("finish_reason"),
            "cached": bool(line.get("cached", False)),
            "reasoning": line.get("reasoning"),
            "reasoning_tokens": line.get("reasoning_tokens"),
        }
        for (problem, sample), line in lines.items()
    ]
    frame = pd.DataFrame(rows, columns=_GENERATION_COLUMNS)
    for column in ("prompt_tokens", "completion_tokens", "reasoning_tokens"):
        frame[column] = frame[column].astype("Int64")
    frame["cost"] = frame["cost"].astype("Float64")
    return frame


_GENERATION_COLUMNS = [
    "problem",
    "sample",
    "response",
    "error",
    "prompt_tokens",
    "completion_tokens",
    "cost",
    "latency_s",
    "finish_reason",
    "cached",
    "reasoning",
    "reasoning_tokens",
]
