"""The numbers of one run: pass@k with confidence intervals, the official rate, diversity, cost.

Input is a complete grid of outcomes, one row per (problem, sample) that the run asked for:
a sample or a whole problem without a result appears as `summary.MISSING` and counts as a failure,
so nothing leaves the denominator (sv-iv-analyze drops problems it finds no log for).
Computed with pandas; imported lazily by the report commands.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from verilogeval.records import Category
from verilogeval.reporting.summary import (
    MISSING,
    diversity_outcome,
    gini_simpson,
    official_pass_rate,
)

MISSING_NAME = "no result"  # how reports name summary.MISSING, a sample without a result

# Columns of the outcomes grid (see module docstring); `mismatches` may be NA. Each check
# a run holds adds `<name>_passed` (its verdict: true, false, or NA when not asked for or
# undecided) and `<name>_status` (its status, NA when not asked for); strict_passed and
# plus_passed are always there, the grid's first layout.
OUTCOME_COLUMNS = (
    "problem",
    "sample",
    "category",
    "passed",
    "mismatches",
    "strict_passed",
    "plus_passed",
)
PASSED_SUFFIX = "_passed"
STATUS_SUFFIX = "_status"


@dataclass(frozen=True)
class Estimate:
    """A pass@k value with its bootstrap confidence interval, all fractions 0-1."""

    value: float
    low: float
    high: float


@dataclass(frozen=True)
class UsageTotals:
    prompt_tokens: int
    completion_tokens: int
    cost: float | None  # USD over generations with a known price; None when none has one
    unpriced: int  # answered generations whose price is unknown (never counted as free)


@dataclass(frozen=True)
class CheckMetrics:
    """What one post-verdict check adds up to in a run."""

    # k -> pass@k counting a sample when it passes officially and by the check
    pass_at: Mapping[int, Estimate | None]
    official_passes: int  # samples that passed officially: the shares' denominator
    statuses: Mapping[str, int]  # the check's status -> officially passing samples with it

    def shares(self) -> dict[str, float]:
        """Status -> its share of the official passes (0-1), the statuses seen."""
        total = self.official_passes
        return {status: count / total for status, count in self.statuses.items() if total}


@dataclass(frozen=True)
class RunMetrics:
    problems: int
    n: int  # samples per problem
    pass_at: Mapping[int, Estimate | None]  # k -> estimate; None when n < k
    checks: Mapping[str, CheckMetrics]  # check name -> its metrics, every check the run holds
    official_pass_rate: float  # percent, as sv-iv-analyze computes it (unrounded)
    gini_simpson: float  # avg_gini_simpson_idx of sv-iv-analyze
    categories: Mapping[str, int]  # category code (or MISSING) -> samples, in official order
    missing_problems: tuple[str, ...]  # asked for, but without any result
    usage: UsageTotals | None  # None when the folder has no generations.jsonl

    @property
    def strict_pass_at(self) -> Mapping[int, Estimate | None] | None:
        """strict pass@k; None when the run has no strict check."""
        return self._check_pass_at("strict")

    @property
    def plus_pass_at(self) -> Mapping[int, Estimate | None] | None:
        """pass@k+; None without --plus."""
        return self._check_pass_at("plus")

    def _check_pass_at(self, name: str) -> Mapping[int, Estimate | None] | None:
        check = self.checks.get(name)
        return None if check is None else check.pass_at


def pass_at_k(n: int, c: int, k: int) -> float | None:
    """Unbiased pass@k, 1 - C(n-c, k)/C(n, k), as the stable product; None when n < k."""
    if n < k:
        return None
    if n - c < k:
        return 1.0
    return 1.0 - float(np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


def bootstrap_ci(
    values: np.ndarray, *, confidence: float = 0.95, resamples: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """Percentile interval of the mean when the problems themselves are resampled."""
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(values), size=(resamples, len(values)))
    means = values[picks].mean(axis=1)
    tail = (1.0 - confidence) / 2
    low, high = np.quantile(means, [tail, 1.0 - tail])
    return float(low), float(high)


def outcome_strings(grid: pd.DataFrame) -> dict[str, str]:
    """problem -> its samples' category codes in sample order, e.g. '..S.R'."""
    ordered = grid.sort_values(["problem", "sample"], kind="stable")
    strings = ordered.groupby("problem", sort=False)["category"].agg("".join)
    return {problem: strings[problem] for problem in grid["problem"].unique()}


def _per_problem_pass_at(passed: pd.DataFrame, column: str, k: int) -> pd.Series | None:
    """pass@k of each problem from its count of passing samples in `column`."""
    counts = passed.groupby("problem", sort=False)[column].agg(["size", "sum"])
    values = [
        pass_at_k(int(n), int(c), k) for n, c in zip(counts["size"], counts["sum"], strict=True)
    ]
    if any(value is None for value in values):
        return None
    return pd.Series(values, index=counts.index, dtype=float)


def run_metrics(
    grid: pd.DataFrame, generations: pd.DataFrame | None, ks: Sequence[int]
) -> RunMetrics:
    """All metrics of one run from its outcome grid and (when present) its generations."""
    n = int(grid.groupby("problem").size().max())
    return RunMetrics(
        problems=int(grid["problem"].nunique()),
        n=n,
        pass_at={k: _estimate(grid, "passed", k) for k in ks},
        checks={name: _check_metrics(grid, name, ks) for name in check_names(grid)},
        official_pass_rate=official_pass_rate(outcome_strings(grid)),
        gini_simpson=_average_gini_simpson(grid),
        categories=category_counts(grid),
        missing_problems=_missing_problems(grid),
        usage=None if generations is None else _usage_totals(generations),
    )


def check_names(grid: pd.DataFrame) -> list[str]:
    """The checks whose verdicts the grid holds, in its column order."""
    names = []
    for column in grid.columns:
        for suffix in (PASSED_SUFFIX, STATUS_SUFFIX):
            name = column.removesuffix(suffix)
            if column.endswith(suffix) and name and grid[column].notna().any():
                names.append(name)
    return list(dict.fromkeys(names))


def _check_metrics(grid: pd.DataFrame, name: str, ks: Sequence[int]) -> CheckMetrics:
    verdicts = grid.get(name + PASSED_SUFFIX)
    checked = (
        pd.Series(False, index=grid.index)
        if verdicts is None
        else verdicts.fillna(False).astype(bool)
    )
    frame = grid.assign(check=grid["passed"].astype(bool) & checked)
    passes = grid[grid["passed"].astype(bool)]
    statuses = passes.get(name + STATUS_SUFFIX)
    counts = {} if statuses is None else statuses.dropna().value_counts(sort=False).to_dict()
    return CheckMetrics(
        pass_at={k: _estimate(frame, "check", k) for k in ks},
        official_passes=len(passes),
        statuses={str(status): int(count) for status, count in counts.items()},
    )


def category_counts(grid: pd.DataFrame) -> dict[str, int]:
    """Samples per category code, in the official order, MISSING last; zero counts kept."""
    counts = grid["category"].value_counts()
    codes = [str(category) for category in Category]
    if MISSING in counts.index:
        codes.append(MISSING)
    return {code: int(counts.get(code, 0)) for code in codes}


def _estimate(frame: pd.DataFrame, column: str, k: int) -> Estimate | None:
    values = _per_problem_pass_at(frame, column, k)
    if values is None:
        return None
    low, high = bootstrap_ci(values.to_numpy())
    return Estimate(float(values.mean()), low, high)


def _average_gini_simpson(grid: pd.DataFrame) -> float:
    """As sv-iv-analyze: a runtime mismatch counts as its number of mismatches, to tell apart
    different wrong behaviours; every other outcome is its category code."""
    mismatches = grid["mismatches"].fillna(0).astype(int)
    outcome = pd.Series(
        [diversity_outcome(c, m) for c, m in zip(grid["category"], mismatches, strict=True)],
        index=grid.index,
        dtype=object,
    )
    per_problem = outcome.groupby(grid["problem"], sort=False).agg(lambda o: gini_simpson(list(o)))
    return float(per_problem.mean())


def _missing_problems(grid: pd.DataFrame) -> tuple[str, ...]:
    missing = (grid["category"] == MISSING).groupby(grid["problem"], sort=False).all()
    return tuple(missing.index[missing])


def _usage_totals(generations: pd.DataFrame) -> UsageTotals:
    """Every generation at its recorded price, cached ones too: what the responses cost to
    produce, comparable across runs however many came from a cache."""
    priced = generations["cost"].notna()
    failed = generations["error"].notna()
    return UsageTotals(
        prompt_tokens=int(generations["prompt_tokens"].fillna(0).sum()),
        completion_tokens=int(generations["completion_tokens"].fillna(0).sum()),
        cost=float(generations.loc[priced, "cost"].sum()) if priced.any() else None,
        unpriced=int((~priced & ~failed).sum()),
    )
