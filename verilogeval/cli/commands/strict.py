"""`verilogeval strict`: differential-test samples from a JSONL file against their references.

Each row needs `problem` and `code`; `task` (else --task) picks the task folder and
`sample` labels the row. With --passing-only only rows whose `official` field is "." are
tested, e.g. the officially passing rows of the golden classification vectors: the output
then lists the false passes the differential test finds, with the first mismatch of each.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from verilogeval.checks.strict.batch import strict_error, strict_fields, strict_job
from verilogeval.checks.strict.cache import StrictCache
from verilogeval.checks.strict.check import StrictConfig
from verilogeval.checks.strict.options import add_strict_options, strict_config_from_args
from verilogeval.checks.strict.result import StrictResult
from verilogeval.cli.commands.options import (
    RESULT_CACHE_HELP,
    add_cache_options,
    add_dataset_options,
    add_pool_options,
    benchmark_from_args,
    jobs_from_args,
    scratch_dir_from_args,
)
from verilogeval.dataset.loader import Dataset, load_dataset, select_problems
from verilogeval.errors import UserError
from verilogeval.execution.cluster import open_pool
from verilogeval.execution.pools import Place, Pool, run_all
from verilogeval.execution.sandbox.options import sandbox_from_args
from verilogeval.grading.grader import default_cache_dir
from verilogeval.jsonl import BadLine, read_jsonl_file
from verilogeval.records import Problem, Sample, Task
from verilogeval.wording import plural

EXAMPLES = """
verilogeval strict --dataset ../verilog-eval --samples samples.jsonl.gz --passing-only
verilogeval strict --dataset ../verilog-eval --samples samples.jsonl --json strict.jsonl
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--samples", type=Path, required=True, help="JSONL (or .jsonl.gz) rows {problem, code}"
    )
    add_dataset_options(parser)
    parser.add_argument(
        "--passing-only", action="store_true", help="only rows whose 'official' field is '.'"
    )
    parser.add_argument(
        "--json", type=Path, default=None, help="write one result per line here (default: none)"
    )
    add_pool_options(parser)
    add_cache_options(parser, default=RESULT_CACHE_HELP)
    parser.add_argument(
        "--quiet",
        action="store_true",
        help="print only the closing count, not each rejected sample",
    )
    add_strict_options(parser)


def run(args: argparse.Namespace) -> int:
    if benchmark_from_args(args).is_v1:
        raise UserError(
            f"strict: not on --benchmark {args.benchmark} (a v1 testbench holds its own "
            "reference module, in one file with the sample; see docs/datasets.md)"
        )
    config = strict_config_from_args(args)
    place = Place(scratch_dir_from_args(args), cache_dir=None, sandboxed=sandbox_from_args(args))
    rows = _read_rows(args.samples)
    if args.passing_only:
        rows = [row for row in rows if row[1].get("official") == "."]
    labelled = _pair_rows(rows, args)
    if not args.quiet:
        print(
            f"# {plural(len(labelled), 'sample')} from {args.samples}: seed {config.seed}, "
            f"{config.cycles} cycles{', x-strict' if config.x_strict else ''}",
            flush=True,
        )
    pairs = [(problem, sample) for _, problem, sample in labelled]
    pool = open_pool(jobs_from_args(args), place, args.scheduler)
    cache = None
    if not args.no_cache:
        folder = args.cache_dir or default_cache_dir()
        cache = StrictCache(folder, config, pool.simulator, place.sandboxed)
    try:
        results, cached = _test_all(pool, pairs, config, cache)
    finally:
        pool.shutdown()
        if cache is not None:
            cache.close()
    statuses: Counter[str] = Counter()
    lines = []
    for (label, problem, _), result in zip(labelled, results, strict=True):
        statuses[str(result.status)] += 1
        if not result.passed and not args.quiet:
            print(f"REJECTED {problem.task} {problem.name} {label}: {result.describe()}")
        lines.append(
            {"task": str(problem.task), "problem": problem.name, "sample": label}
            | strict_fields(result)
        )
    if args.json is not None:
        args.json.write_text("".join(json.dumps(line) + "\n" for line in lines))
    rejected = len(results) - statuses["pass"]
    detail = ", ".join(f"{status} {count}" for status, count in sorted(statuses.items()))
    from_cache = f" ({cached} from the cache)" if cached else ""
    print(
        f"# {plural(len(results), 'sample')}{from_cache}: {rejected} rejected by the "
        f"differential test ({detail})"
    )
    return 0


def _test_all(
    pool: Pool, pairs: list[tuple[Problem, Sample]], config: StrictConfig, cache: StrictCache | None
) -> tuple[list[StrictResult], int]:
    """Each pair's result in order, from the cache or the pool; and how many were cached."""
    known = [None if cache is None else cache.get(problem, sample) for problem, sample in pairs]
    todo = [pair for pair, result in zip(pairs, known, strict=True) if result is None]
    tested = iter(run_all(pool, strict_job, todo, config, strict_error))
    results = []
    for (problem, sample), result in zip(pairs, known, strict=True):
        if result is None:
            result = next(tested)
            if cache is not None:
                cache.put(problem, sample, result)
        results.append(result)
    return results, len(pairs) - len(todo)


def _read_rows(path: Path) -> list[tuple[int, dict]]:
    """(line number, row) for every non-blank line."""
    rows = []
    for number, row in read_jsonl_file(path):
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
    datasets: dict[Task | None, Dataset] = {}
    selected: dict[Task | None, set[str]] = {}
    paired = []
    for number, row in rows:
        try:
            task = Task(row["task"]) if "task" in row else args.task
        except ValueError:
            raise UserError(f"{args.samples}:{number}: unknown task {row['task']!r}") from None
        if task not in datasets:
            datasets[task] = load_dataset(args.dataset, task, benchmark_from_args(args))
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
