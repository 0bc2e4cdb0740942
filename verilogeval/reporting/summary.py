"""summary.txt and summary.csv exactly as sv-iv-analyze writes them, and its pass rate.

sv-iv-analyze's pass rate is the mean over problems of each problem's pass percentage
truncated to an integer (`int(npass / n * 100)`, float rounding included), so it can sit
below the plain fraction of passing samples; `official_pass_rate` reproduces it. Its
summary also reports the mean Gini-Simpson diversity of outcomes per problem, where
runtime failures count as different outcomes when their mismatch counts differ.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from verilogeval.records import Category
from verilogeval.runfolder.files import RunFolder
from verilogeval.runfolder.lines import GenerationLine, ResultLine

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
    results: Iterable[ResultLine],
    generations: Iterable[GenerationLine] = (),
    *,
    expected: Iterable[tuple[str, int]] = (),
) -> dict[str, list[SampleOutcome]]:
    """Problems in name order, each with its samples 1..highest, from results.jsonl lines.

    Token counts and cost come from generations.jsonl lines when given; unknown ones
    count 0, as they do for sv-iv-analyze. Sample numbers without a result are MISSING,
    as sv-iv-analyze marks them; so are the `expected` (problem, sample) pairs without
    one: samples of the run that were not answered, not gradable or not graded (the
    report's view: every sample up to the run's n of every problem it asked for).
    """
    usage = {line.key: line for line in generations}
    by_problem: dict[str, dict[int, SampleOutcome]] = {}
    for problem, sample in expected:
        by_problem.setdefault(problem, {})[sample] = SampleOutcome(MISSING)
    for line in results:
        generation = usage.get(line.key)
        by_problem.setdefault(line.problem, {})[line.sample] = SampleOutcome(
            code=str(line.category),
            mismatches=line.mismatches or 0,
            prompt_tokens=(generation.usage.prompt_tokens or 0) if generation else 0,
            resp_tokens=(generation.usage.completion_tokens or 0) if generation else 0,
            cost=(generation.cost or 0.0) if generation else 0.0,
        )
    return {
        problem: [
            samples.get(number, SampleOutcome(MISSING)) for number in range(1, max(samples) + 1)
        ]
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


def gini_simpson(outcomes: Sequence[object]) -> float:
    """Gini-Simpson index of one problem's outcomes: 1 - sum of squared outcome frequencies."""
    counts = Counter(outcomes)
    return 1 - sum((count / len(outcomes)) ** 2 for count in counts.values())


def diversity_outcome(code: str, mismatches: int) -> object:
    """What tells outcomes apart for the diversity: a runtime failure by its mismatch count."""
    return mismatches if code == Category.RUNTIME else code


def _diversity(samples: Sequence[SampleOutcome]) -> float:
    return gini_simpson([diversity_outcome(s.code, s.mismatches) for s in samples])


def summary_rows(table: OutcomeTable) -> list[str]:
    """One line per problem as sv-iv-analyze prints it: passes, percentage, thousands of
    tokens (prompt + answer), then the outcomes in groups of five."""
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
    return rows


def summary_stats(table: OutcomeTable) -> list[tuple[str, str]]:
    """sv-iv-analyze's closing statistics as (name, value) pairs, values formatted."""
    queries = sum(len(samples) for samples in table.values())
    prompt_tokens = sum(s.prompt_tokens for samples in table.values() for s in samples)
    resp_tokens = sum(s.resp_tokens for samples in table.values() for s in samples)
    cost = sum(s.cost for samples in table.values() for s in samples)
    pass_rate = sum(_pass_percent([s.code for s in samples]) for samples in table.values())
    diversity = sum(_diversity(samples) for samples in table.values())
    total_tokens = prompt_tokens + resp_tokens
    return [
        ("pass_rate", f"{pass_rate / len(table):.2f}"),
        ("avg_gini_simpson_idx", f"{diversity / len(table):.2f}"),
        ("total_prompt_tokens", str(prompt_tokens)),
        ("total_resp_tokens", str(resp_tokens)),
        ("total_tokens", str(total_tokens)),
        ("avg_tokens_per_prompt", f"{prompt_tokens / queries:.2f}"),
        ("avg_tokens_per_resp", f"{resp_tokens / queries:.2f}"),
        ("avg_tokens_per_query", f"{total_tokens / queries:.2f}"),
        ("total_cost", f"{cost:.2f}"),
    ]


def stat_line(name: str, value: str) -> str:
    return f"{name:<21} = {value:>10}"


def summary_text(table: OutcomeTable) -> str:
    """The text sv-iv-analyze prints (its default, narrow view), i.e. summary.txt."""
    rows = summary_rows(table)
    stats = [stat_line(name, value) for name, value in summary_stats(table)]
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


def write_summaries(
    folder: RunFolder,
    results: Sequence[ResultLine],
    generations: Sequence[GenerationLine] = (),
    *,
    expected: Collection[tuple[str, int]] = (),
) -> None:
    """summary.txt and summary.csv of every sample of the run (nothing before the first).

    `expected` are samples of the run that may have no result (not answered, not
    gradable, not graded): each is `?`, a failure, as sv-iv-analyze marks a missing
    sample, so no pass rate rises by a sample left out.
    """
    if not results and not expected:
        return
    table = outcome_table(results, generations, expected=expected)
    folder.summary_text.write_text(summary_text(table), encoding="utf-8")
    folder.summary_csv.write_text(summary_csv(table), encoding="utf-8")


@dataclass(frozen=True)
class Spending:
    """What a set of answers cost: tokens, dollars, and what could not be priced."""

    answers: int  # answers received, errors included
    errors: int  # requests that finally failed
    cached: int  # answers the response cache supplied (free now)
    prompt_tokens: int
    completion_tokens: int
    cost: float | None  # USD over requested answers with a known price; None: none had one
    requested: int  # answers asked of the model (not cached, not failed)
    unpriced: int  # requested answers whose price is unknown (never counted as free)
    first_error: str | None  # the first failed request's error, in the order given

    def describe(self) -> str:
        if not self.requested:
            return "$0 (nothing requested)"
        if self.cost is None:
            return "unknown (no known price for this model and server; --prices sets one)"
        unpriced = f" (+{self.unpriced} unpriced)" if self.unpriced else ""
        return f"${self.cost:.4f}{unpriced}"


def spending(answers: Sequence[GenerationLine]) -> Spending:
    """What `answers` cost to get now: a cached answer was paid for before, so is free."""
    requested = [a for a in answers if not a.cached and a.error is None]
    priced = [a.cost for a in requested if a.cost is not None]
    errors = [a.error for a in answers if a.error is not None]
    return Spending(
        answers=len(answers),
        errors=len(errors),
        cached=sum(a.cached for a in answers),
        prompt_tokens=sum(a.usage.prompt_tokens or 0 for a in answers),
        completion_tokens=sum(a.usage.completion_tokens or 0 for a in answers),
        cost=sum(priced) if priced else None,
        requested=len(requested),
        unpriced=len(requested) - len(priced),
        first_error=errors[0] if errors else None,
    )
