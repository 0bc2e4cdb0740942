"""`verilogeval strict`: differential-test samples from a JSONL file against their references.

Each row needs `problem` and `code`; `task` (else --task) picks the task folder and
`sample` labels the row. With --passing-only only rows whose `official` field is "." are
tested, e.g. the officially passing rows of the golden classification vectors: the output
then lists the false passes the differential test finds, with the first mismatch of each.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
from collections import Counter
from pathlib import Path

from verilogeval.commands.options import add_dataset_options
from verilogeval.dataset import Dataset, load_dataset, select_problems
from verilogeval.errors import UserError
from verilogeval.jsonl import BadLine, json_objects
from verilogeval.pools import LocalPool, Place, run_all
from verilogeval.records import Problem, Sample, Task
from verilogeval.strict.batch import strict_error, strict_fields, strict_job
from verilogeval.strict.options import add_strict_options, strict_config_from_args


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--samples", type=Path, required=True, help="JSONL (or .jsonl.gz) rows {problem, code}"
    )
    add_dataset_options(parser)
    parser.add_argument(
        "--passing-only", action="store_true", help="only rows whose 'official' field is '.'"
    )
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="parallel simulations"
    )
    parser.add_argument("--json", type=Path, default=None, help="write one result per line here")
    add_strict_options(parser)


def run(args: argparse.Namespace) -> int:
    config = strict_config_from_args(args)
    rows = _read_rows(args.samples)
    if args.passing_only:
        rows = [row for row in rows if row[1].get("official") == "."]
    labelled = _pair_rows(rows, args)
    print(
        f"# {len(labelled)} samples from {args.samples}: seed {config.seed}, "
        f"{config.cycles} cycles{', x-strict' if config.x_strict else ''}",
        flush=True,
    )
    pairs = [(problem, sample) for _, problem, sample in labelled]
    with LocalPool(args.jobs, Place(workdir=None, cache_dir=None, sandboxed=True)) as pool:
        results = run_all(pool, strict_job, pairs, config, strict_error)
    statuses: Counter[str] = Counter()
    lines = []
    for (label, problem, _), result in zip(labelled, results, strict=True):
        statuses[str(result.status)] += 1
        if not result.passed:
            print(f"REJECTED {problem.task} {problem.name} {label}: {result.describe()}")
        lines.append(
            {"task": str(problem.task), "problem": problem.name, "sample": label}
            | strict_fields(result)
        )
    if args.json is not None:
        args.json.write_text("".join(json.dumps(line) + "\n" for line in lines))
    rejected = len(results) - statuses["pass"]
    detail = ", ".join(f"{status} {count}" for status, count in sorted(statuses.items()))
    print(f"# {len(results)} samples: {rejected} rejected by the differential test ({detail})")
    return 0


def _read_rows(path: Path) -> list[tuple[int, dict]]:
    """(line number, row) for every non-blank line."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as stream:
            data = stream.read()
    except OSError as error:
        raise UserError(f"{path}: cannot read ({error.strerror or error})") from None
    rows = []
    for number, row in json_objects(data):
        if isinstance(row, BadLine):
            raise UserError(f"{path}:{number}: {row.reason}")
        for key in ("problem", "code"):
            if not isinstance(row.get(key), str):
                raise UserError(f"{path}:{number}: missing text field {key!r}")
        rows.append((number, row))
    return rows


def _pair_rows(
    rows: list[tuple[int, dict]], args: argparse.Namespace
) -> list[tuple[str, Problem, Sample]]:
    """(label, problem, sample) for the rows whose problem --problems selects."""
    datasets: dict[Task, Dataset] = {}
    selected: dict[Task, set[str]] = {}
    paired = []
    for number, row in rows:
        try:
            task = Task(row.get("task", args.task))
        except ValueError:
            raise UserError(f"{args.samples}:{number}: unknown task {row['task']!r}") from None
        if task not in datasets:
            datasets[task] = load_dataset(args.dataset, task)
            chosen = select_problems(datasets[task].problems, args.problems)
            selected[task] = {problem.name for problem in chosen}
        if row["problem"] not in selected[task]:
            if not any(p.name == row["problem"] for p in datasets[task].problems):
                raise UserError(f"{args.samples}:{number}: no problem {row['problem']!r} in {task}")
            continue
        problem = datasets[task].problem(row["problem"])
        label = str(row.get("sample", number))
        paired.append((label, problem, Sample(problem.name, number, row["code"])))
    return paired
