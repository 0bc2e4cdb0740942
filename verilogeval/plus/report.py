"""What reports say of `--plus`: the samples plus rejected, and why."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from verilogeval.plus.check import PlusResult


def plus_rejections(results: Iterable[Mapping[str, Any]]) -> list[tuple[str, int, str]]:
    """(problem, sample, reason) of every officially passing sample plus rejected, in order."""
    rejected = []
    for line in results:
        if not line.get("passed") or line.get("plus_passed") is not False:
            continue
        detail = line.get("plus")
        reason = PlusResult.from_json(detail).reason() if detail else None
        if reason is None:  # plus itself passed: the strict or formal check rejected it
            strict = line.get("strict") or {}
            reason = f"strict: {strict.get('status', 'not run')}"
        rejected.append((line["problem"], line["sample"], reason))
    return sorted(rejected)


def plus_rejection_lines(results: Iterable[Mapping[str, Any]]) -> list[str]:
    """The report's list: a heading, then one line per rejected sample."""
    rejected = plus_rejections(results)
    lines = ["", f"officially passing samples plus rejected ({len(rejected)}):"]
    lines += [f"  {problem} sample {sample}: {reason}" for problem, sample, reason in rejected]
    return lines
