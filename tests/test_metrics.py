"""pass@k, bootstrap intervals, the official rate and the Gini-Simpson index, by hand."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from math import comb

import numpy as np
import pandas as pd
import pytest

from verilogeval.reporting.metrics import (
    OUTCOME_COLUMNS,
    Estimate,
    bootstrap_ci,
    gini_simpson,
    pass_at_k,
    run_metrics,
)
from verilogeval.reporting.summary import MISSING

# pass@k for n = 20, worked out by hand from 1 - C(20-c, k) / C(20, k).
HAND_VALUES = {
    (0, 1): 0.0,
    (0, 5): 0.0,
    (0, 10): 0.0,
    (1, 1): 0.05,
    (1, 5): 0.25,  # 1 - 15/20
    (1, 10): 0.5,  # 1 - 10/20
    (2, 5): 1 - 210 / 380,  # 1 - (15*14)/(20*19)
    (2, 10): 1 - 90 / 380,  # 1 - (10*9)/(20*19)
    (10, 10): 1 - 1 / 184756,  # C(10,10)/C(20,10)
    (16, 5): 1.0,  # only 4 failures: any 5 contain a pass
    (11, 10): 1.0,
    (20, 1): 1.0,
    (20, 10): 1.0,
}


@pytest.mark.parametrize(("c", "k"), sorted(HAND_VALUES))
def test_pass_at_k_hand_values(c, k):
    assert pass_at_k(20, c, k) == pytest.approx(HAND_VALUES[(c, k)], abs=1e-12)


@pytest.mark.parametrize("k", [1, 5, 10])
@pytest.mark.parametrize("c", range(21))
def test_pass_at_k_matches_exact_combinatorics(c, k):
    exact = 1 - Fraction(comb(20 - c, k), comb(20, k))
    assert pass_at_k(20, c, k) == pytest.approx(float(exact), abs=1e-12)


def test_pass_at_1_is_the_pass_fraction():
    assert [pass_at_k(20, c, 1) for c in range(21)] == pytest.approx([c / 20 for c in range(21)])


def test_pass_at_k_is_undefined_when_n_below_k():
    assert pass_at_k(1, 1, 5) is None
    assert pass_at_k(4, 0, 5) is None
    assert pass_at_k(5, 0, 5) == 0.0


def test_pass_at_k_stays_exact_where_binomials_overflow_floats():
    exact = 1 - Fraction(comb(1000, 400), comb(1600, 400))
    assert pass_at_k(1600, 600, 400) == pytest.approx(float(exact), rel=1e-9)


def test_bootstrap_interval_brackets_the_mean_and_is_reproducible():
    values = np.array([0.0, 1.0] * 50)
    low, high = bootstrap_ci(values, seed=3)
    assert (low, high) == bootstrap_ci(values, seed=3)
    # normal approximation: 0.5 +- 1.96 * sqrt(0.25 / 100) = [0.402, 0.598]
    assert low == pytest.approx(0.402, abs=0.025)
    assert high == pytest.approx(0.598, abs=0.025)
    assert bootstrap_ci(np.full(10, 0.7)) == pytest.approx((0.7, 0.7))


def test_gini_simpson_hand_values():
    assert gini_simpson([".", ".", ".", "."]) == 0.0
    assert gini_simpson([".", ".", "S", "S"]) == pytest.approx(0.5)
    assert gini_simpson([".", "S", "R", "T"]) == pytest.approx(0.75)


def _grid(outcomes: Mapping[str, Sequence[tuple[str, int | None]]], strict=None) -> pd.DataFrame:
    rows = [
        (problem, sample, code, code == ".", mismatches, None, None)
        for problem, samples in outcomes.items()
        for sample, (code, mismatches) in enumerate(samples, start=1)
    ]
    grid = pd.DataFrame(rows, columns=list(OUTCOME_COLUMNS))
    grid["mismatches"] = grid["mismatches"].astype("Int64")
    grid["strict_passed"] = pd.Series(strict, dtype="boolean") if strict else grid["strict_passed"]
    grid["plus_passed"] = grid["plus_passed"].astype("boolean")
    return grid


def test_runtime_failures_differ_by_mismatch_count_in_diversity():
    grid = _grid(
        {
            "Prob001_a": [("R", 3), ("R", 3), ("R", 5), (".", 0)],  # shares 1/2, 1/4, 1/4
            "Prob002_b": [(".", 0)] * 4,
        }
    )
    metrics = run_metrics(grid, None, [1])
    assert metrics.gini_simpson == pytest.approx((0.625 + 0.0) / 2)


def _value(estimates: Mapping[int, Estimate | None] | None, k: int) -> float:
    """The pass@k estimate's value, which the test expects to be there."""
    assert estimates is not None
    estimate = estimates[k]
    assert estimate is not None
    return estimate.value


def test_official_rate_truncates_each_problem_as_sv_iv_analyze():
    grid = _grid(
        {
            "Prob001_a": [(".", 0), ("S", None), ("S", None)],  # 33.3 -> 33
            "Prob002_b": [(".", 0), (".", 0), ("R", 1)],  # 66.6 -> 66
            "Prob003_c": [(MISSING, None)] * 3,  # never graded: 0, not dropped
        }
    )
    metrics = run_metrics(grid, None, [1, 5])
    assert metrics.official_pass_rate == pytest.approx(33.0)
    assert _value(metrics.pass_at, 1) == pytest.approx(1 / 3)
    assert metrics.pass_at[5] is None
    assert metrics.missing_problems == ("Prob003_c",)
    assert metrics.categories == {
        ".": 3, "S": 2, "e": 0, "0": 0, "n": 0, "w": 0, "m": 0, "p": 0, "c": 0,
        "T": 0, "r": 0, "C": 0, "R": 1, MISSING: 3,
    }  # fmt: skip


def test_official_rate_keeps_the_float_truncation_of_57_in_100():
    """sv-iv-analyze computes int((57/100)*100), which is 56 in floating point."""
    grid = _grid({"Prob001_a": [(".", 0)] * 57 + [("R", 2)] * 43})
    assert run_metrics(grid, None, [1]).official_pass_rate == 56.0


def test_strict_pass_at_k_only_when_recorded():
    grid = _grid({"Prob001_a": [(".", 0), (".", 0)], "Prob002_b": [(".", 0), ("R", 4)]})
    assert run_metrics(grid, None, [1]).strict_pass_at is None
    strict = _grid(
        {"Prob001_a": [(".", 0), (".", 0)], "Prob002_b": [(".", 0), ("R", 4)]},
        strict=[True, False, False, False],
    )
    metrics = run_metrics(strict, None, [1, 2])
    assert _value(metrics.strict_pass_at, 1) == pytest.approx(0.25)
    assert _value(metrics.strict_pass_at, 2) == pytest.approx(0.5)
    assert _value(metrics.pass_at, 2) == pytest.approx(1.0)


def test_pass_at_k_plus_only_when_recorded():
    outcomes = {"Prob001_a": [(".", 0), (".", 0)], "Prob002_b": [(".", 0), ("R", 4)]}
    assert run_metrics(_grid(outcomes), None, [1]).plus_pass_at is None
    grid = _grid(outcomes)
    grid["plus_passed"] = pd.Series([True, True, False, False], dtype="boolean")
    metrics = run_metrics(grid, None, [1, 2])
    assert _value(metrics.plus_pass_at, 1) == pytest.approx(0.5)
    assert _value(metrics.plus_pass_at, 2) == pytest.approx(0.5)
    assert _value(metrics.pass_at, 1) == pytest.approx(0.75)


def test_usage_totals_never_count_an_unknown_price_as_free():
    grid = _grid({"Prob001_a": [(".", 0), ("S", None)]})
    generations = pd.DataFrame(
        {
            "problem": ["Prob001_a", "Prob001_a"],
            "sample": [1, 2],
            "prompt_tokens": pd.array([100, 100], dtype="Int64"),
            "completion_tokens": pd.array([30, None], dtype="Int64"),
            "cost": pd.array([0.5, None], dtype="Float64"),
            "error": [None, None],
        }
    )
    usage = run_metrics(grid, generations, [1]).usage
    assert usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens) == (200, 30)
    assert usage.cost == pytest.approx(0.5)
    assert usage.unpriced == 1
    unpriced = generations.assign(cost=pd.array([None, None], dtype="Float64"))
    unpriced_usage = run_metrics(grid, unpriced, [1]).usage
    assert unpriced_usage is not None and unpriced_usage.cost is None
    failed = generations.assign(error=[None, "HTTP 500 after 5 attempts"])
    failed_usage = run_metrics(grid, failed, [1]).usage
    assert failed_usage is not None and failed_usage.unpriced == 0  # no answer, nothing to price
