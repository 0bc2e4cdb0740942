"""A self-contained HTML report of one run or a set of runs (jinja2, plots embedded as PNG).

The page holds the leaderboard, the failure categories with their chart, the pass-rate
heatmap (for several runs), and per run a sortable problem table whose rows open a
drill-down: the prompt, and for each sample the response, the extracted sample, the
simulator log and the verdict. Long texts are cut so a page of 156 x 20 samples stays usable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from verilogeval import __version__
from verilogeval.formal.summary import describe_formal, formal_summary
from verilogeval.layout import sample_path, test_log_path
from verilogeval.metrics import outcome_strings
from verilogeval.plus.report import plus_rejections, plus_verdict
from verilogeval.records import OutputMismatch
from verilogeval.reports import plots
from verilogeval.reports.failures import category_name, category_table, issue_table, pass_rates
from verilogeval.reports.leaderboard import Entry, display_table
from verilogeval.reports.runs import Run
from verilogeval.runfolder.lines import GenerationLine, latest
from verilogeval.runfolder.manifest import now_iso
from verilogeval.summary import MISSING

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
class RunView:
    folder: str
    model: str
    task: str
    settings: str
    problems: tuple[ProblemView, ...]
    anchor_prefix: str  # of the problems' anchors: `<prefix>-<problem>`
    plus_rejected: tuple[tuple[str, int, str], ...]  # (problem, sample, reason) with --plus
    false_passes: tuple[str, ...] | None = None  # with --formal: disproved passing samples


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
    table = category_table(runs)
    header, rows = display_table(entries, ks)
    title = f"verilogeval report: {runs[0].folder}" if len(runs) == 1 else "verilogeval leaderboard"
    return environment.get_template("report.html.j2").render(
        title=title,
        generated_at=now_iso(),
        version=__version__,
        leaderboard_header=header,
        leaderboard_rows=rows,
        category_header=["code", "category", *table.columns[1:]],
        category_rows=[[code, *row.tolist()] for code, row in table.iterrows()],
        category_chart=plots.png_data_uri(plots.category_chart(table)),
        issue_header=["issue", "meaning", *table.columns[1:]],
        issue_rows=[[issue, *row.tolist()] for issue, row in issue_table(runs).iterrows()],
        heatmap=plots.png_data_uri(plots.heatmap(pass_rates(runs))) if len(runs) > 1 else None,
        runs=[_run_view(index, run) for index, run in enumerate(runs, start=1)],
    )


def _run_view(index: int, run: Run) -> RunView:
    responses = latest(run.generation_lines or ())
    problems = []
    for problem, outcome in outcome_strings(run.grid).items():
        samples = tuple(
            _sample_view(run, problem, number, code, responses.get((problem, number)))
            for number, code in enumerate(outcome, start=1)
        )
        first_failure = next((view.verdict for view in samples if view.code != "."), "")
        prompt = run.prompts.get(problem, {})
        problems.append(
            ProblemView(
                name=problem,
                anchor=f"r{index}-{problem}",
                outcome=outcome,
                passed=outcome.count("."),
                samples=len(outcome),
                first_failure=first_failure,
                system=prompt.get("system"),
                user=prompt.get("user"),
                sample_views=samples,
            )
        )
    settings = ", ".join(
        f"{key} {value}"
        for key, value in [*run.prompt_settings.items(), *run.sampling.items()]
        if value is not None
    )
    formal = formal_summary(run.problems, run.n, run.results)
    false_passes = None if formal is None else tuple(f.describe() for f in formal.false_passes)
    rejected = tuple(plus_rejections(run.results.values()))
    return RunView(
        run.folder,
        run.model,
        run.task,
        settings,
        tuple(problems),
        f"r{index}",
        rejected,
        false_passes,
    )


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
        if result.strict_passed is not None:
            details.append(("strict check", "passed" if result.strict_passed else "failed"))
        if result.formal:
            details.append(("formal check", describe_formal(result.formal)))
        if result.response_issue:
            details.append(("response issue", result.response_issue))
        plus = plus_verdict(result)
        if plus is not None:
            details.append(("plus check", plus))
    if generation is not None and generation.reasoning:
        details.append(("reasoning", _cut(generation.reasoning) or ""))
    if generation is not None and generation.error:
        details.append(("generation error", generation.error))
    has_files = code != MISSING
    return SampleView(
        number=number,
        code=code,
        verdict=verdict,
        details=tuple(details),
        response=_cut(generation.response) if generation else None,
        sample=_read(sample_path(run.path, problem, number)) if has_files else None,
        log=_read(test_log_path(run.path, problem, number)) if has_files else None,
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
