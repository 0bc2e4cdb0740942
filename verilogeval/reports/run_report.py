"""The text report of one run: the official summary.txt view, then what it leaves out.

The official view is summary.summary_text over every sample the run asked for, so a
problem without any result shows as `?????` and counts as failed instead of being dropped.
"""

from __future__ import annotations

from collections.abc import Sequence

from verilogeval.formal.summary import formal_summary, summary_lines
from verilogeval.metrics import RunMetrics
from verilogeval.plus.report import plus_rejection_lines
from verilogeval.reports.failures import category_name, issue_counts
from verilogeval.reports.leaderboard import format_estimate
from verilogeval.reports.repair import RepairMetrics, repair_metrics
from verilogeval.reports.runs import Run
from verilogeval.responses import ISSUE_MEANINGS
from verilogeval.summary import (
    OutcomeTable,
    SampleOutcome,
    outcome_table,
    stat_line,
    summary_rows,
    summary_stats,
)
from verilogeval.wording import plural


def render_run_report(run: Run, metrics: RunMetrics, ks: Sequence[int]) -> str:
    lines = [
        f"# {run.folder}: model {run.model}, task {run.task_label}, "
        f"{plural(metrics.problems, 'problem')} x {plural(metrics.n, 'sample')}",
        *official_view(official_table(run), metrics),
        "(pass_rate: official, the mean over problems of each truncated pass percentage)",
        "",
        "pass@k (unbiased estimator, 95% bootstrap CI over problems):",
    ]
    lines += [f"  {f'pass@{k}':<16} = {format_estimate(metrics.pass_at[k])}" for k in ks]
    if metrics.strict_pass_at is not None:
        lines += [
            f"  {f'strict pass@{k}':<16} = {format_estimate(metrics.strict_pass_at[k])}" for k in ks
        ]
    if metrics.plus_pass_at is not None:
        lines += [f"  {f'pass@{k}+':<16} = {format_estimate(metrics.plus_pass_at[k])}" for k in ks]
        lines += plus_rejection_lines(run.results.values())
    lines += ["", "categories (samples):"]
    lines += [
        f"  {code}  {category_name(code):<30} {count:>6}"
        for code, count in metrics.categories.items()
        if count
    ]
    issues = issue_counts(run.results.values())
    if issues:
        lines += ["", "response issues (samples that failed before a fair simulation):"]
        lines += [
            f"  {issue:<18} {count:>6}  {ISSUE_MEANINGS[issue]}" for issue, count in issues.items()
        ]
    if metrics.missing_problems:
        lines += [
            "",
            f"problems without any result, counted as failed ({len(metrics.missing_problems)}):",
            *(f"  {problem}" for problem in metrics.missing_problems),
        ]
    formal = formal_summary(run.problems, run.n, run.results)
    if formal is not None:
        lines += ["", *summary_lines(formal)]
    repair = repair_metrics(run)
    if repair is not None:
        lines += repair_lines(repair)
    usage = metrics.usage
    if usage is not None and usage.unpriced:
        lines += ["", f"cost unknown for {usage.unpriced} generations (not counted as free)"]
    return "\n".join(lines)


def official_view(table: OutcomeTable, metrics: RunMetrics) -> list[str]:
    """summary.txt's rows and statistics, with a header naming the columns, and the cost
    said to be unknown where it is (summary.txt, like sv-iv-analyze, counts it as 0)."""
    rows = summary_rows(table)
    width = max(len(problem) for problem in table)
    header = f"{'problem':{width}} {'passed (%)':<13} {'ktok':>5} outcomes"
    stats = summary_stats(table)
    usage = metrics.usage
    if usage is not None and usage.unpriced:
        known = "" if usage.cost is None else f"{usage.cost:.2f} + "
        stats = [
            (name, f"{known}unknown" if name == "total_cost" else value) for name, value in stats
        ]
    return [
        "",
        header,
        *rows,
        "(ktok: thousands of tokens, prompt + answer, over the problem's samples)",
        "",
        *(stat_line(name, value) for name, value in stats),
    ]


def official_table(run: Run) -> dict[str, list[SampleOutcome]]:
    """summary.OutcomeTable of every (problem, sample) asked for, with tokens and cost."""
    expected = [(problem, sample) for problem in run.problems for sample in range(1, run.n + 1)]
    return outcome_table(run.results.values(), run.generation_lines or (), expected=expected)


def repair_lines(metrics: RepairMetrics) -> list[str]:
    """The report's section on the rounds."""
    lines = [
        "",
        f"{metrics.label}: pass@1 after each round (95% bootstrap CI over problems; a sample "
        "passes at its first round whose verdict ends the loop):",
    ]
    lines += [
        f"  after round {number:<3} = {format_estimate(estimate)}"
        for number, estimate in enumerate(metrics.pass_after_round)
    ]
    mean = metrics.mean_first_pass_round
    lines.append(
        "  mean round of the first pass: " + ("-" if mean is None else f"{mean:.2f} (0: first)")
    )
    lines += ["", "spending per round (answers graded, tokens prompt + completion, cost):"]
    for row in metrics.spending:
        cost = "-" if row.cost is None else f"${row.cost:.4f}"
        cost += f" (+{row.unpriced} unpriced)" if row.unpriced and row.cost is not None else ""
        lines.append(
            f"  round {row.round:<3} {row.answers:>6} answers  "
            f"{row.prompt_tokens} + {row.completion_tokens} tokens  {cost}"
        )
    per_solved = "-" if metrics.tokens_per_solved is None else f"{metrics.tokens_per_solved:.0f}"
    cost_solved = "-" if metrics.cost_per_solved is None else f"${metrics.cost_per_solved:.4f}"
    lines.append(
        f"  per solved problem ({metrics.solved_problems}): {per_solved} tokens, {cost_solved}"
    )
    if metrics.transitions:
        lines += ["", "what each round turned into (category at round r -> at r+1: samples):"]
        lines += [f"  {a} -> {b}: {count}" for (a, b), count in metrics.transitions.items()]
    lines.append(
        f"answers that turned to tampering after feedback (tamper scan): "
        f"{metrics.turned_to_tampering}"
    )
    return lines
