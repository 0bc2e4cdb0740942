"""One row per run, best first, with runs that differ only in their seed kept together.

`records()` is the JSON contract of `verilogeval leaderboard --format json`: a list of
objects with `run` (the folder as given), `model`, `task`, `benchmark` (v2.0, v2.1,
v1-human or v1-machine; null without run.json), `simulator` (the first line of
`iverilog -V` it graded under; null when not recorded), `n`, one `pass@K` per requested k
as a fraction 0-1 (null when n < k), and `official_pass_rate` in percent as sv-iv-analyze
prints it (two decimals). Runs checked with --formal add `proven` (share of samples
proven equal to the reference) and `proven_pass@1` (pass@1 counting a sample only when it
passes officially and is proven), as fractions 0-1. `feedback` names a repair run's
protocol (`repair 2 (compiler, full)`; null for a single shot): runs are ranked among runs
of the same protocol, single shots first, never a repair run's pass rate among single-shot
ones.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from verilogeval.checks.formal.summary import FormalSummary, formal_summary
from verilogeval.checks.registry import POST_CHECKS
from verilogeval.feedback.protocol import protocol_label
from verilogeval.reporting.metrics import CheckMetrics, Estimate, RunMetrics, run_metrics
from verilogeval.reporting.runs import Run


@dataclass(frozen=True, eq=False)
class Entry:
    run: Run
    metrics: RunMetrics
    group: int  # runs with equal settings except the seed share a group number, from 1


def leaderboard(runs: Sequence[Run], ks: Sequence[int]) -> list[Entry]:
    """Entries sorted by pass@1, groups of seeds together and ranked by their best run."""
    scored = [(run, run_metrics(run.grid, run.generations, ks), _pass_at_1(run)) for run in runs]
    groups: dict[object, list[tuple[Run, RunMetrics, float]]] = {}
    for item in scored:
        groups.setdefault(_seedless_identity(item[0]), []).append(item)
    ranked = sorted(
        groups.values(),
        key=lambda members: (
            feedback_label(members[0][0]) or "",  # single shots first, then each protocol
            -max(m[2] for m in members),
        ),
    )
    return [
        Entry(run, metrics, number)
        for number, members in enumerate(ranked, start=1)
        for run, metrics, _ in sorted(members, key=lambda m: -m[2])
    ]


def records(entries: Sequence[Entry], ks: Sequence[int]) -> list[dict[str, Any]]:
    """The JSON-ready row of each entry (see module docstring)."""
    rows = []
    for entry in entries:
        run, metrics = entry.run, entry.metrics
        row: dict[str, Any] = {
            "run": run.folder,
            "model": run.model,
            "task": run.task,
            "benchmark": run.benchmark,
            "simulator": run.simulator,
            "group": entry.group,
            "style": run.prompt_settings.style,
            "shots": run.prompt_settings.shots,
            "rules": run.prompt_settings.rules,
            "explain": run.prompt_settings.explain,
            "n": metrics.n,
            "temperature": run.sampling.temperature,
            "top_p": run.sampling.top_p,
            "seed": run.sampling.seed,
            "reasoning_effort": run.sampling.reasoning_effort,
            "thinking_budget": run.sampling.thinking_budget,
            "sent": _sent(run),  # the parameters the model really got (null: not recorded)
            "feedback": feedback_label(run),
        }
        row |= _estimates("pass@{k}", metrics.pass_at, ks)
        with_pass_at = dict(checks_with_pass_at(metrics))
        for name in _leaderboard_order(list(with_pass_at)):  # pass@k+ (plus), as HumanEval+
            row |= _estimates(_pass_key(name, "{k}"), with_pass_at[name].pass_at, ks)
        formal = formal_summary(run.problems, run.n, run.results)
        if formal is not None:
            row |= {"proven": formal.proven_share, "proven_pass@1": formal.proven_pass_at_1}
        row |= {
            "official_pass_rate": official_percent(metrics.official_pass_rate),
            "gini_simpson": round(metrics.gini_simpson, 4),
            "problems": metrics.problems,
            "missing_problems": list(metrics.missing_problems),
            "prompt_tokens": metrics.usage.prompt_tokens if metrics.usage else None,
            "completion_tokens": metrics.usage.completion_tokens if metrics.usage else None,
            "cost": metrics.usage.cost if metrics.usage else None,
            "unpriced": metrics.usage.unpriced if metrics.usage else None,
            # check name -> status -> its share of the official passes (0-1)
            "check_shares": {name: _shares(name, check) for name, check in metrics.checks.items()},
        }
        rows.append(row)
    return rows


def _formal_cells(formal: FormalSummary | None) -> list[str]:
    if formal is None:
        return ["-", "-"]
    return [f"{100 * formal.proven_share:.1f}", f"{100 * formal.proven_pass_at_1:.1f}"]


def official_percent(rate: float) -> float:
    """The rate as sv-iv-analyze prints it (`{:10.2f}`), as a number."""
    return float(f"{rate:.2f}")


def format_estimate(estimate: Estimate | None) -> str:
    """'45.3 [40.1, 50.6]' in percent; '-' when undefined (n < k)."""
    if estimate is None:
        return "-"
    return f"{100 * estimate.value:.1f} [{100 * estimate.low:.1f}, {100 * estimate.high:.1f}]"


def render(entries: Sequence[Entry], ks: Sequence[int], output_format: str) -> str:
    """The leaderboard as text in one of the formats table, md, csv or json."""
    if output_format == "json":
        return json.dumps(records(entries, ks), indent=2)
    if output_format == "csv":
        return _csv(records(entries, ks))
    header, rows = display_table(entries, ks)
    if output_format == "md":
        lines = [header, ["---"] * len(header), *rows]
        return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)
    widths = [max(len(cells[i]) for cells in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()
        for cells in [header, *rows]
    )


def estimable_ks(entries: Sequence[Entry], ks: Sequence[int]) -> list[int]:
    """The k whose pass@k some run can estimate (n >= k): a person's table leaves out the
    columns that would hold nothing but '-'."""
    return [k for k in ks if any(entry.metrics.pass_at[k] is not None for entry in entries)]


def display_table(entries: Sequence[Entry], ks: Sequence[int]) -> tuple[list[str], list[list[str]]]:
    """Header and text cells for a person (table, markdown and HTML); pass@k only for the
    k some run can estimate."""
    ks = estimable_ks(entries, ks)
    held = {name for entry in entries for name, _ in checks_with_pass_at(entry.metrics)}
    passing = _leaderboard_order([name for name in POST_CHECKS if name in held])
    checked = [name for name in POST_CHECKS if any(name in e.metrics.checks for e in entries)]
    repairs = any(feedback_label(entry.run) for entry in entries)
    header = ["#", "group", "run", "model", "task", "shots", "rules", "n", "temp"]
    header += ["feedback"] if repairs else []
    header += [f"pass@{k} % [95% CI]" for k in ks]
    header += [f"{pass_label(name, k)} %" for name in passing for k in ks]
    formals = [formal_summary(e.run.problems, e.run.n, e.run.results) for e in entries]
    header += ["proven %", "proven pass@1 %"] if any(formals) else []
    header += [f"{name} of official passes %" for name in checked]
    header += ["official %", "problems", "tokens", "cost $"]
    rows = []
    for rank, (entry, formal) in enumerate(zip(entries, formals, strict=True), start=1):
        run, metrics = entry.run, entry.metrics
        cells = [
            str(rank),
            str(entry.group),
            run.folder,
            run.model,
            run.task_label,
            _text(run.prompt_settings.shots),
            _text(run.prompt_settings.rules),
            str(metrics.n),
            _temperature_text(run),
        ]
        cells += [feedback_label(run) or "single shot"] if repairs else []
        cells += [format_estimate(metrics.pass_at[k]) for k in ks]
        for name in passing:
            check = metrics.checks.get(name)
            cells += [format_estimate(None if check is None else check.pass_at[k]) for k in ks]
        if any(formals):
            cells += _formal_cells(formal)
        cells += [shares_text(name, metrics.checks.get(name)) for name in checked]
        cells += [
            f"{official_percent(metrics.official_pass_rate):.2f}",
            _problems_text(metrics),
            _tokens_text(metrics),
            _cost_text(metrics),
        ]
        rows.append(cells)
    return header, rows


def _estimates(key: str, estimates: Mapping[int, Estimate | None], ks: Sequence[int]) -> dict:
    """`key` (with `{k}`) -> the estimate's value, and `<key>_ci` -> its interval, per k."""
    row: dict[str, Any] = {}
    for k in ks:
        estimate = estimates[k]
        name = key.format(k=k)
        row[name] = None if estimate is None else estimate.value
        row[f"{name}_ci"] = None if estimate is None else [estimate.low, estimate.high]
    return row


def checks_with_pass_at(metrics: RunMetrics) -> list[tuple[str, CheckMetrics]]:
    """The checks of the run that have a pass@k of their own, in the registry's order."""
    return [
        (name, metrics.checks[name])
        for name, check in POST_CHECKS.items()
        if name in metrics.checks and check.report.pass_name is not None
    ]


def _leaderboard_order(names: list[str]) -> list[str]:
    """`names` in the order their pass@k columns take in the leaderboard (each check's
    leaderboard_rank, then the registry's)."""
    return sorted(names, key=lambda name: POST_CHECKS[name].report.leaderboard_rank)


def pass_label(name: str, k: int | str) -> str:
    """How a person reads a check's pass@k: `strict pass@1`, `pass@1+`."""
    template = POST_CHECKS[name].report.pass_name
    assert template is not None
    return template.format(name=name, k=k)


def _pass_key(name: str, k: int | str) -> str:
    """Its JSON key: `strict_pass@1`, `pass@1+`."""
    return pass_label(name, k).replace(" ", "_")


def _shares(name: str, check: CheckMetrics) -> dict[str, float]:
    """Status -> share of the official passes, in the order of the check's statuses."""
    shares = check.shares()
    order = [str(status) for status in POST_CHECKS[name].schema.status]
    return {status: shares[status] for status in sorted(shares, key=_ordered(order))}


def _ordered(order: list[str]) -> Callable[[str], tuple[int, str]]:
    return lambda status: (order.index(status) if status in order else len(order), status)


def shares_text(name: str, check: CheckMetrics | None) -> str:
    """'proven 98.0, bounded 1.9, disproved 0.1' (percent of the official passes)."""
    if check is None or not check.official_passes:
        return "-"
    return ", ".join(
        f"{status} {100 * share:.1f}" for status, share in _shares(name, check).items()
    )


def _csv(rows: list[dict[str, Any]]) -> str:
    import pandas as pd

    flat = []
    for row in rows:
        out = {}
        for key, value in row.items():
            if key.endswith("_ci"):
                low, high = value if value else (None, None)
                out[key.removesuffix("_ci") + "_low"] = low
                out[key.removesuffix("_ci") + "_high"] = high
            elif isinstance(value, list):
                out[key] = " ".join(value)
            elif isinstance(value, dict):
                out[key] = json.dumps(value, sort_keys=True)
            else:
                out[key] = value
        flat.append(out)
    return pd.DataFrame(flat).to_csv(index=False).rstrip("\n")


def _pass_at_1(run: Run) -> float:
    """pass@1 (the mean pass rate over every sample asked for), the sort key."""
    return float(run.grid["passed"].mean())


def _seedless_identity(run: Run) -> object:
    """What must be equal for runs to form one group: the run identity without the seed.
    A run of unknown model (no run.json, or graded by `evaluate`) stands alone."""
    if run.manifest is None or run.manifest.model is None:
        return ("folder", str(run.path.resolve()))
    identity = run.manifest.identity()
    sampling = None if identity.sampling is None else replace(identity.sampling, seed=None)
    sent = {k: v for k, v in (_sent(run) or {}).items() if k != "seed"}
    seedless = asdict(replace(identity, sampling=sampling))
    return json.dumps([seedless, sent, run.simulator], sort_keys=True, default=str)


def feedback_label(run: Run) -> str | None:
    """The run's repair protocol, to show beside its pass rates; None for a single shot."""
    return protocol_label(run.manifest.repair if run.manifest else None)


def _sent(run: Run) -> Mapping[str, Any] | None:
    return None if run.request is None else run.request.sent


def _temperature_text(run: Run) -> str:
    """The temperature asked for, and what the model really sampled at when it differs:
    `0.8->default` for a reasoning model whose provider fixes it; effort and budget after."""
    text = _text(run.sampling.temperature)
    sent = _sent(run)
    if sent is not None and "temperature" not in sent:
        text += "->default"
    if run.sampling.reasoning_effort:
        text += f" effort={run.sampling.reasoning_effort}"
    if run.sampling.thinking_budget:
        text += f" think={run.sampling.thinking_budget}"
    return text


def _text(value: object) -> str:
    return "-" if value is None else str(value)


def _problems_text(metrics: RunMetrics) -> str:
    missing = len(metrics.missing_problems)
    return f"{metrics.problems} ({missing} without result)" if missing else str(metrics.problems)


def _tokens_text(metrics: RunMetrics) -> str:
    if metrics.usage is None:
        return "-"
    return str(metrics.usage.prompt_tokens + metrics.usage.completion_tokens)


def _cost_text(metrics: RunMetrics) -> str:
    usage = metrics.usage
    if usage is None or usage.cost is None:
        return "-"
    return f"{usage.cost:.2f}" + (f" (+{usage.unpriced} unpriced)" if usage.unpriced else "")
