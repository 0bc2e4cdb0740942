"""A self-contained HTML report of one run or a set of runs (jinja2, plots embedded as PNG).

The page holds the leaderboard, the failure categories with their chart, the pass-rate
heatmap (for several runs), and per run a sortable problem table whose rows open a
drill-down: the prompt, and for each sample the response, the extracted sample, the
simulator log and the verdict (for a repair run, its conversation round by round, and a
chart of the pass rate after each round). Long texts are cut so a page of 156 x 20
samples stays usable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from verilogeval import __version__
from verilogeval.checks.formal.batch import formal_record
from verilogeval.checks.formal.summary import formal_summary
from verilogeval.checks.plus.report import plus_rejections
from verilogeval.checks.strict.verdict import NAME as STRICT
from verilogeval.records import OutputMismatch
from verilogeval.reporting import plots
from verilogeval.reporting.failures import category_name, category_table, issue_table, pass_rates
from verilogeval.reporting.leaderboard import Entry, display_table, estimable_ks
from verilogeval.reporting.metrics import outcome_strings
from verilogeval.reporting.repair import repair_curves, rounds_by_sample
from verilogeval.reporting.runs import Run, run_labels
from verilogeval.reporting.summary import MISSING
from verilogeval.runfolder.lines import GenerationLine, ResultLine, latest
from verilogeval.runfolder.manifest import now_iso
from verilogeval.runfolder.official_layout import sample_path, test_log_path, wave_path
from verilogeval.runfolder.rounds import RoundRecord
from verilogeval.verdicts import CheckVerdict

TEXT_LIMIT = 20_000  # characters shown of one response, sample or log


@dataclass(frozen=True)
class SampleView:
    number: int
    code: str  # category code, or MISSING
    verdict: str  # one line for the summary
    details: tuple[tuple[str, str], ...]  # (label, value) lines of the verdict
    response: str | None
    sample: str | None
    log: str | None
    waves: tuple[tuple[str, str], ...] = ()  # (label, file URI) of the sample's VCD files
    rounds: tuple[RoundView, ...] = ()  # a repair run's conversation, round by round


@dataclass(frozen=True)
class RoundView:
    """One round of a repair run's sample: the answer, its verdict, the feedback sent."""

    number: int
    verdict: str
    details: tuple[tuple[str, str], ...]
    answer: str | None
    reasoning: str | None
    code: str | None
    feedback: str | None


@dataclass(frozen=True)
class ProblemView:
    name: str
    anchor: str
    outcome: str  # e.g. '..S.R'
    passed: int
    samples: int
    first_failure: str
    system: str | None
    user: str | None
    sample_views: tuple[SampleView, ...]


@dataclass(frozen=True)
class Rejection:
    """An officially passing sample a trusted check rejected, for the run's lists."""

    problem: str
    sample: int
    reason: str
    wave: str | None = None  # file URI of the counterexample's waveform


@dataclass(frozen=True)
class RunView:
    folder: str
    label: str  # its short name (reports.runs.run_labels)
    model: str
    task: str
    settings: str
    problems: tuple[ProblemView, ...]
    anchor_prefix: str  # of the problems' anchors: `<prefix>-<problem>`
    plus_rejected: tuple[Rejection, ...]  # with --plus
    strict_rejected: tuple[Rejection, ...]  # with --strict
    false_passes: tuple[Rejection, ...] | None = None  # with --formal: disproved passing samples


def render_html(entries: Sequence[Entry], ks: Sequence[int]) -> str:
    """The whole page for the leaderboard's runs, in its order; it loads nothing from elsewhere."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    environment = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    runs = [entry.run for entry in entries]
    labels = run_labels(runs)
    table = category_table(runs)
    header, rows = display_table(entries, ks)
    run_column = header.index("run")
    for row, label in zip(rows, labels, strict=True):
        row[run_column] = label  # the full folder is its title
    cells = [[_two_lines(cell) for cell in row] for row in rows]
    left_out = [k for k in ks if k not in estimable_ks(entries, ks)]
    title = f"verilogeval report: {runs[0].folder}" if len(runs) == 1 else "verilogeval leaderboard"
    curves = repair_curves(runs)
    return environment.get_template("report.html.j2").render(
        title=title,
        generated_at=now_iso(),
        version=__version__,
        leaderboard_header=header,
        leaderboard_rows=cells,
        run_column=run_column,
        run_folders=[run.folder for run in runs],
        left_out_ks=left_out,
        max_n=max(run.n for run in runs),
        category_header=["code", "category", *table.columns[1:]],
        category_rows=[[code, *row.tolist()] for code, row in table.iterrows()],
        category_chart=plots.png_data_uri(plots.category_chart(table)),
        issue_header=["issue", "meaning", *table.columns[1:]],
        issue_rows=[[issue, *row.tolist()] for issue, row in issue_table(runs).iterrows()],
        heatmap=plots.png_data_uri(plots.heatmap(pass_rates(runs))) if len(runs) > 1 else None,
        rounds_plot=plots.png_data_uri(plots.pass_by_round(curves)) if curves else None,
        runs=[
            _run_view(index, run, label)
            for index, (run, label) in enumerate(zip(runs, labels, strict=True), start=1)
        ],
    )


def _two_lines(cell: str) -> tuple[str, str]:
    """An estimate '45.3 [40.1, 50.6]' as its value and, below it, its interval: the
    leaderboard keeps to the page's width with several pass@k columns."""
    value, bracket, interval = cell.partition(" [")
    return (value, bracket.strip() + interval) if bracket else (cell, "")


def _run_view(index: int, run: Run, label: str) -> RunView:
    responses = latest(run.generation_lines or ())
    conversations = rounds_by_sample(run)
    problems = []
    for problem, outcome in outcome_strings(run.grid).items():
        samples = tuple(
            replace(
                _sample_view(run, problem, number, code, responses.get((problem, number))),
                rounds=tuple(map(_round_view, conversations.get((problem, number), ()))),
            )
            for number, code in enumerate(outcome, start=1)
        )
        first_failure = next((view.verdict for view in samples if view.code != "."), "")
        prompt = run.prompts.get(problem)
        problems.append(
            ProblemView(
                name=problem,
                anchor=f"r{index}-{problem}",
                outcome=outcome,
                passed=outcome.count("."),
                samples=len(outcome),
                first_failure=first_failure,
                system=None if prompt is None else prompt.system,
                user=None if prompt is None else prompt.user,
                sample_views=samples,
            )
        )
    settings = ", ".join(
        f"{key} {value}"
        for key, value in [*asdict(run.prompt_settings).items(), *asdict(run.sampling).items()]
        if value is not None
    )
    formal = formal_summary(run.problems, run.n, run.results)
    false_passes = None
    if formal is not None:
        false_passes = tuple(
            Rejection(f.problem, f.sample, replace(f, vcd=None).describe(), _uri(run, f.vcd))
            for f in formal.false_passes
        )
    return RunView(
        folder=run.folder,
        label=label,
        model=run.model,
        task=run.task_label,
        settings=settings,
        problems=tuple(problems),
        anchor_prefix=f"r{index}",
        plus_rejected=tuple(Rejection(*r) for r in plus_rejections(run.results.values())),
        strict_rejected=_strict_rejections(run),
        false_passes=false_passes,
    )


def _strict_rejections(run: Run) -> tuple[Rejection, ...]:
    """Officially passing samples the differential test (--strict) rejected, and why."""
    return tuple(
        Rejection(line.problem, line.sample, line.checks[STRICT].reason)
        for line in sorted(run.results.values(), key=lambda line: line.key)
        if line.passed and line.check_passed(STRICT) is False
    )


def _uri(run: Run, relative: str | None) -> str | None:
    """A file the run folder holds, as a link the page can open (None if it is not there)."""
    if relative is None:
        return None
    path = run.path / relative
    return path.resolve().as_uri() if path.is_file() else None


def _sample_view(
    run: Run, problem: str, number: int, code: str, generation: GenerationLine | None
) -> SampleView:
    result = run.results.get((problem, number))
    verdict = f"{code} {category_name(code)}"
    details = [("category", f"{code} {category_name(code)}")]
    if result is not None:
        if result.mismatches and result.total is not None:
            verdict += f" ({result.mismatches} of {result.total} samples mismatch)"
        if result.first_error:
            details.append(("first error", result.first_error))
        details += [(f"output {output.output}", _output_text(output)) for output in result.outputs]
        details += [(f"{name} check", _verdict_text(v)) for name, v in result.checks.items()]
        if result.response_issue:
            details.append(("response issue", result.response_issue))
    if generation is not None and generation.reasoning:
        details.append(("reasoning", _cut(generation.reasoning) or ""))
    if generation is not None and generation.error:
        details.append(("generation error", generation.error))
    has_files = code != MISSING
    waves = [
        (label, uri)
        for label, uri in (
            ("waveform (--waves)", _uri(run, str(wave_path(Path(), problem, number)))),
            (
                "counterexample waveform (--formal)",
                _uri(run, _formal_vcd(result)),
            ),
        )
        if uri is not None
    ]
    return SampleView(
        number=number,
        code=code,
        verdict=verdict,
        details=tuple(details),
        response=_cut(generation.response) if generation else None,
        sample=_read(sample_path(run.path, problem, number)) if has_files else None,
        log=_read(test_log_path(run.path, problem, number)) if has_files else None,
        waves=tuple(waves),
    )


def _verdict_text(verdict: CheckVerdict[Any]) -> str:
    """One line of a check's verdict: passed, failed or undecided, and why."""
    outcome = {True: "passed", False: "failed", None: "undecided"}[verdict.passed]
    return f"{outcome}: {verdict.reason}" if verdict.reason else outcome


def _formal_vcd(result: ResultLine | None) -> str | None:
    """The waveform of the formal check's counterexample, relative to the run folder."""
    formal = None if result is None else formal_record(result)
    return None if formal is None else formal.vcd


def _round_view(record: RoundRecord) -> RoundView:
    verdict = f"{record.category} {category_name(str(record.category))}"
    if record.passed and not record.trusted_passed:
        verdict += " (not trusted)"
    usage = record.answer.usage
    details = [("tokens", f"{usage.prompt_tokens} + {usage.completion_tokens}")]
    if record.answer.cost is not None:
        details.append(("cost", f"${record.answer.cost:.6f}"))
    if record.findings:
        details.append(("tamper scan", "; ".join(record.findings)))
    return RoundView(
        number=record.round,
        verdict=verdict,
        details=tuple(details),
        answer=_cut(record.answer.response),
        reasoning=_cut(record.answer.reasoning),
        code=_cut(record.code),
        feedback=_cut(record.feedback),
    )


def _output_text(output: OutputMismatch) -> str:
    first = output.first_time
    return f"{output.mismatches} mismatches" + (f", first at {first}" if first else "")


def _read(path: Path) -> str | None:
    try:
        return _cut(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return None


def _cut(text: str | None) -> str | None:
    if text is None or len(text) <= TEXT_LIMIT:
        return text
    return text[:TEXT_LIMIT] + f"\n... ({len(text) - TEXT_LIMIT} more characters)"
