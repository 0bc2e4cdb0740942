"""summary.txt and summary.csv exactly as sv-iv-analyze writes them, and its pass rate.

sv-iv-analyze's pass rate is the mean over problems of each problem's pass percentage
truncated to an integer (`int(npass / n * 100)`, float rounding included), so it can sit
below the plain fraction of passing samples; `official_pass_rate` reproduces it. Its
summary also reports the mean Gini-Simpson diversity of outcomes per problem, where
runtime failures count as different outcomes when their mismatch counts differ.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verilogeval.records import Category

MISSING = "?"  # sv-iv-analyze's mark for a sample number that has no log


@dataclass(frozen=True)
class SampleOutcome:
    """What sv-iv-analyze knows of one sample."""

    code: str  # an official code, or MISSING
    mismatches: int = 0  # of a runtime failure: tells its outcomes apart for the diversity
    prompt_tokens: int = 0
    resp_tokens: int = 0
    cost: float = 0.0


OutcomeTable = Mapping[str, Sequence[SampleOutcome]]  # problem -> samples 1..n


def outcome_table(
    results: Iterable[Mapping[str, Any]], generations: Iterable[Mapping[str, Any]] = ()
) -> dict[str, list[SampleOutcome]]:
    """Problems in name order, each with its samples 1..highest from results.jsonl lines.

    Token counts and cost come from generations.jsonl lines when given; unknown ones
    count 0, as they do for sv-iv-analyze. Sample numbers without a result are MISSING.
    """
    usage = {(g["problem"], g["sample"]): g for g in generations}
    by_problem: dict[str, dict[int, SampleOutcome]] = {}
    for line in results:
        problem, sample = line["problem"], line["sample"]
        generation = usage.get((problem, sample), {})
        tokens = generation.get("usage") or {}
        by_problem.setdefault(problem, {})[sample] = SampleOutcome(
            code=line["category"],
            mismatches=line.get("mismatches") or 0,
            prompt_tokens=tokens.get("prompt_tokens") or 0,
            resp_tokens=tokens.get("completion_tokens") or 0,
            cost=generation.get("cost") or 0.0,
        )
    return {
        problem: [samples.get(n, SampleOutcome(MISSING)) for n in range(1, max(samples) + 1)]
        for problem, samples in sorted(by_problem.items())
    }


def official_pass_rate(outcomes: Mapping[str, str]) -> float:
    """Percent: mean over problems of int(npass / n * 100); spaces in outcomes are ignored."""
    if not outcomes:
        raise ValueError("no problems to average over")
    rates = [_pass_percent("".join(codes.split())) for codes in outcomes.values()]
    return sum(rates) / len(rates)


def _pass_percent(codes: Sequence[str]) -> int:
    npass = sum(code == Category.PASS for code in codes)
    return int((npass / len(codes)) * 100)


def _diversity(samples: Sequence[SampleOutcome]) -> float:
    """Gini-Simpson index of the outcomes: 1 - sum of squared outcome frequencies."""
    counts: dict[object, int] = {}
    for sample in samples:
        outcome = sample.mismatches if sample.code == Category.RUNTIME else sample.code
        counts[outcome] = counts.get(outcome, 0) + 1
    return 1 - sum((count / len(samples)) ** 2 for count in counts.values())


def summary_text(table: OutcomeTable) -> str:
    """The text sv-iv-analyze prints (its default, narrow view), i.e. summary.txt."""
    if not table:
        raise ValueError("no results to summarize")
    width = max(len(problem) for problem in table)
    rows = []
    for problem, samples in table.items():
        codes = [sample.code for sample in samples]
        npass = codes.count(Category.PASS)
        grouped = " ".join("".join(codes[i : i + 5]) for i in range(0, len(codes), 5))
        ntokens = sum(s.prompt_tokens + s.resp_tokens for s in samples)
        rows.append(
            f"{problem:{width}} [{npass:02}/{len(codes):02}]({_pass_percent(codes):3}%)"
            f" {ntokens / 1000:5.2f} {grouped:24}"
        )
    queries = sum(len(samples) for samples in table.values())
    prompt_tokens = sum(s.prompt_tokens for samples in table.values() for s in samples)
    resp_tokens = sum(s.resp_tokens for samples in table.values() for s in samples)
    cost = sum(s.cost for samples in table.values() for s in samples)
    pass_rate = sum(_pass_percent([s.code for s in samples]) for samples in table.values())
    diversity = sum(_diversity(samples) for samples in table.values())
    total_tokens = prompt_tokens + resp_tokens
    stats = [
        f"pass_rate             = {pass_rate / len(table):>10.2f}",
        f"avg_gini_simpson_idx  = {diversity / len(table):>10.2f}",
        f"total_prompt_tokens   = {prompt_tokens:>10}",
        f"total_resp_tokens     = {resp_tokens:>10}",
        f"total_tokens          = {total_tokens:>10}",
        f"avg_tokens_per_prompt = {prompt_tokens / queries:>10.2f}",
        f"avg_tokens_per_resp   = {resp_tokens / queries:>10.2f}",
        f"avg_tokens_per_query  = {total_tokens / queries:>10.2f}",
        f"total_cost            = {cost:>10.2f}",
    ]
    return (
        "\n" + "".join(f"{row}\n" for row in rows) + "\n" + "".join(f"{s}\n" for s in stats) + "\n"
    )


def summary_csv(table: OutcomeTable) -> str:
    """summary.csv: problem, passes, samples, truncated pass fraction, then every code."""
    lines = []
    for problem, samples in table.items():
        codes = [sample.code for sample in samples]
        npass = codes.count(Category.PASS)
        fraction = _pass_percent(codes) / 100.0
        lines.append(f"{problem},{npass},{len(codes)},{fraction},{','.join(codes)}\n")
    return "".join(lines)


def write_summaries(run_dir: Path, table: OutcomeTable) -> None:
    (run_dir / "summary.txt").write_text(summary_text(table), encoding="utf-8")
    (run_dir / "summary.csv").write_text(summary_csv(table), encoding="utf-8")
