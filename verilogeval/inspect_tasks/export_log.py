"""`export-inspect`: a run folder as an Inspect eval log, for `inspect view` and other readers.

Each (problem, sample) with a result becomes one Inspect sample (id the problem, epoch
the sample) whose score is the one the Inspect scorer gives the same answer
(`verdict_score`: C or I, the code, the category, the results.jsonl line as metadata),
its messages the prompt and the answer the run kept. The task's metadata has the keys
the Inspect tasks record, so `import-inspect` reads the log back into a folder.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from inspect_ai.log import (
    EvalConfig,
    EvalDataset,
    EvalLog,
    EvalMetric,
    EvalResults,
    EvalSample,
    EvalScore,
    EvalSpec,
    EvalStats,
    write_eval_log,
)
from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageUser,
    ModelOutput,
    ModelUsage,
)

from verilogeval.errors import UserError
from verilogeval.inspect_tasks.import_log import SCORER
from verilogeval.inspect_tasks.scorer import DEFAULT_KS, verdict_score
from verilogeval.records import Task
from verilogeval.reporting.metrics import run_metrics
from verilogeval.reporting.runs import Run, load_run
from verilogeval.runfolder.lines import GenerationLine, ResultLine
from verilogeval.runfolder.official_layout import sample_path

_TASK_NAMES = {Task.SPEC_TO_RTL: "spec_to_rtl", Task.CODE_COMPLETE: "code_complete"}
_FORMATS = {".eval": "eval", ".json": "json"}


def export_run(folder: Path, out: Path) -> EvalLog:
    """Write the run at `folder` as an Inspect log at `out` (.eval or .json)."""
    log_format = _FORMATS.get(out.suffix)
    if log_format is None:
        raise UserError(f"{out}: an Inspect log is named .eval or .json")
    run = load_run(str(folder))
    manifest = run.manifest
    if manifest is None:
        raise UserError(f"{folder}: no run.json, so no task or dataset to describe the log with")
    task = next((name for kind, name in _TASK_NAMES.items() if str(kind) == manifest.task), None)
    if task is None:
        raise UserError(f"{folder}: run.json's task {manifest.task!r} is no verilogeval task")
    answers = {line.key: line for line in run.generation_lines or ()}
    samples = [_sample(run, line, answers.get(key)) for key, line in sorted(run.results.items())]
    log = EvalLog(
        status="success" if manifest.finished_at else "started",
        eval=EvalSpec(
            created=manifest.started_at,
            task=f"verilogeval/{task}",
            task_registry_name=f"verilogeval/{task}",
            dataset=EvalDataset(
                name=f"verilogeval-{manifest.task}",
                samples=len(run.problems),
                sample_ids=list(run.problems),
            ),
            model=manifest.model or "unknown",
            model_base_url=manifest.api_base,
            config=EvalConfig(epochs=run.n),
            metadata=_task_metadata(run),
        ),
        results=_results(run, len(samples)),
        stats=EvalStats(started_at=manifest.started_at, completed_at=manifest.finished_at or ""),
        samples=samples,
    )
    write_eval_log(log, str(out), format=log_format)  # type: ignore[arg-type]
    return log


def _task_metadata(run: Run) -> dict[str, Any]:
    """The keys the Inspect tasks record (verilogeval.inspect_tasks.tasks.TaskSetup)."""
    manifest = run.manifest
    assert manifest is not None
    checks = {name: asdict(settings) for name, settings in manifest.checks.items()}
    return {
        "verilogeval_task": manifest.task,
        "benchmark": manifest.benchmark,
        "dataset": {
            "path": manifest.dataset.path,
            "hash": manifest.dataset.hash,
            "official": manifest.dataset.official,
        },
        "problems": list(run.problems),
        "prompt": None if manifest.prompt is None else asdict(manifest.prompt),
        "preset": None if manifest.sampling is None else manifest.sampling.preset,
        "extract_mode": manifest.extract_mode,
        "simulator": manifest.simulator.version if manifest.simulator else None,
        "checks": checks,
        "exported_from": str(run.path),
    }


def _sample(run: Run, line: ResultLine, answer: GenerationLine | None) -> EvalSample:
    prompt = run.prompts.get(line.problem)
    path = sample_path(run.path, line.problem, line.sample)
    code = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
    response = answer.response if answer is not None else None
    model = (answer.model if answer else None) or (run.manifest.model if run.manifest else None)
    inputs: list[ChatMessage] = [
        ChatMessageSystem(content="" if prompt is None else prompt.system),
        ChatMessageUser(
            content=f"{line.problem} (no prompt kept)" if prompt is None else prompt.user
        ),
    ]
    output = ModelOutput.from_content(model or "unknown", response or "")
    if answer is not None and answer.usage.prompt_tokens is not None:
        prompt_tokens = answer.usage.prompt_tokens
        completion_tokens = answer.usage.completion_tokens or 0
        output.usage = ModelUsage(
            input_tokens=prompt_tokens,
            output_tokens=completion_tokens,
            total_tokens=prompt_tokens + completion_tokens,
            reasoning_tokens=answer.usage.reasoning_tokens,
            total_cost=answer.cost,
        )
    return EvalSample(
        id=line.problem,
        epoch=line.sample,
        input=inputs,
        target="",
        messages=[*inputs, ChatMessageAssistant(content=response or "")],
        output=output,
        scores={SCORER: verdict_score(code, line)},
        metadata={"problem": line.problem, "task": run.task},
    )


def _results(run: Run, samples: int) -> EvalResults:
    """accuracy and pass@k as the Inspect task reports them, from verilogeval's metrics."""
    ks = [k for k in DEFAULT_KS if k <= run.n] or [1]
    metrics = run_metrics(run.grid, run.generations, ks)
    values = {"accuracy": float(run.grid["passed"].fillna(False).astype(bool).mean())}
    for prefix, estimates in (
        ("", metrics.pass_at),
        ("strict_", metrics.strict_pass_at),
        ("plus_", metrics.plus_pass_at),
    ):
        for k, estimate in (estimates or {}).items():
            if estimate is not None:
                values[f"{prefix}pass@{k}"] = estimate.value
    return EvalResults(
        total_samples=samples,
        completed_samples=samples,
        scores=[
            EvalScore(
                name=SCORER,
                scorer=SCORER,
                metrics={
                    name: EvalMetric(name=name, value=value) for name, value in values.items()
                },
            )
        ],
    )
