"""How runs fail: samples per official category, and each problem's pass rate, across runs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import pandas as pd

from verilogeval.generation.responses import ISSUE_MEANINGS, ResponseIssue
from verilogeval.records import CATEGORY_NAMES, Category
from verilogeval.reporting.metrics import MISSING_NAME, category_counts
from verilogeval.reporting.runs import Run, run_labels
from verilogeval.reporting.summary import MISSING
from verilogeval.runfolder.lines import ResultLine


def category_name(code: str) -> str:
    return MISSING_NAME if code == MISSING else CATEGORY_NAMES[Category(code)]


def category_table(runs: Sequence[Run]) -> pd.DataFrame:
    """Rows: categories some run has (official order); columns: `name`, then one per run
    (named by reports.runs.run_labels)."""
    labels = run_labels(runs)
    counts = pd.DataFrame(
        {label: category_counts(run.grid) for label, run in zip(labels, runs, strict=True)}
    ).fillna(0)
    counts = counts.astype(int)
    counts = counts.loc[counts.sum(axis=1) > 0]
    counts.insert(0, "name", [category_name(code) for code in counts.index])
    counts.index.name = "code"
    return counts


def issue_counts(result_lines: Iterable[ResultLine]) -> dict[ResponseIssue, int]:
    """Samples per response issue of results.jsonl lines, in ResponseIssue order; none kept
    at zero. Lines written before response issues existed count as no issue."""
    counts = Counter(line.response_issue for line in result_lines)
    return {issue: counts[str(issue)] for issue in ResponseIssue if counts[str(issue)]}


def issue_table(runs: Sequence[Run]) -> pd.DataFrame:
    """Rows: response issues some run has; columns: `name` (what it means), one per run."""
    counts = {
        label: issue_counts(run.results.values())
        for label, run in zip(run_labels(runs), runs, strict=True)
    }
    issues = [issue for issue in ISSUE_MEANINGS if any(issue in c for c in counts.values())]
    table = pd.DataFrame(
        {folder: [c.get(issue, 0) for issue in issues] for folder, c in counts.items()},
        index=pd.Index([str(issue) for issue in issues], name="issue"),
    )
    table.insert(0, "name", [ISSUE_MEANINGS[issue] for issue in issues])
    return table


def pass_rates(runs: Sequence[Run]) -> pd.DataFrame:
    """Fraction of passing samples, problems x runs (NaN where a run did not ask for it)."""
    columns = {
        label: run.grid.groupby("problem", sort=False)["passed"].mean()
        for label, run in zip(run_labels(runs), runs, strict=True)
    }
    problems = list(dict.fromkeys(problem for run in runs for problem in run.problems))
    return pd.DataFrame(columns).reindex(problems)


def render_table(table: pd.DataFrame, labels: tuple[str, str] = ("code", "category")) -> str:
    """The category (or issue) table as aligned text, with a total row."""
    totals = table.drop(columns="name").sum()
    header = [*labels, *table.columns[1:]]
    rows = [[code, row["name"], *map(str, row.iloc[1:])] for code, row in table.iterrows()]
    rows.append(["", "total", *map(str, totals)])
    widths = [max(len(str(cells[i])) for cells in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(
            str(cell).ljust(width) if i < 2 else str(cell).rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()
        for cells in [header, *rows]
    )
