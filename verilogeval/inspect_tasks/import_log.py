"""`import-inspect`: an Inspect log of verilogeval's tasks as a run folder.

Every scored sample's score holds its results.jsonl line (verilogeval.inspect_tasks.scorer),
so the folder gets the verdicts the grader gave during the eval, read back through the
run folder's own validating reader; the answers become generations.jsonl, the messages
prompts.jsonl, the extracted code the official layout's sample files, and the task's
metadata run.json. A sample Inspect could not finish has no result: `?`, a failure, as
in a native run. An agent's run is labelled with what its tools showed, in the model's
name, so the leaderboard never puts it beside plain generation unawares.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from inspect_ai.log import EvalLog, EvalSample, read_eval_log

from verilogeval.checks.registry import check_settings_types, verdict_schemas
from verilogeval.errors import DamagedFile, UserError
from verilogeval.grading.simulate import DEFAULT_TIMEOUT_S
from verilogeval.grading.time_limits import TimeLimitPolicy
from verilogeval.inspect_tasks.grading import finish_reason
from verilogeval.records import Prompt, Task, Usage
from verilogeval.reporting.summary import write_summaries
from verilogeval.runfolder.files import GENERATIONS, RESULTS, RunFolder
from verilogeval.runfolder.journal import create_journals
from verilogeval.runfolder.lines import (
    GenerationLine,
    read_generations,
    read_results,
    write_prompts,
)
from verilogeval.runfolder.manifest import (
    DatasetFacts,
    Manifest,
    SimulatorFacts,
    read_checks,
    write_manifest,
)
from verilogeval.runfolder.official_layout import sample_path
from verilogeval.runfolder.settings import (
    PromptSettings,
    SamplingSettings,
    TimeLimitSettings,
    read_settings,
)

SCORER = "verilog_grader"  # the scorer's name in a log (verilogeval.inspect_tasks.scorer)


@dataclass(frozen=True)
class Imported:
    folder: RunFolder
    samples: int  # samples of the log
    graded: int  # of which scored (a result line each)


def import_log(log_path: Path, out: Path) -> Imported:
    """Write the run folder `out` (new or empty) from the Inspect log at `log_path`."""
    log = _read(log_path)
    meta = log.eval.metadata or {}
    task = meta.get("verilogeval_task")
    if not log.eval.task.startswith("verilogeval/") or task not in {str(t) for t in Task}:
        raise UserError(
            f"{log_path}: not a log of verilogeval's Inspect tasks (task {log.eval.task!r})"
        )
    samples = sorted(log.samples or (), key=lambda s: (str(s.id), s.epoch))
    if not samples:
        raise UserError(f"{log_path}: the log holds no samples (written with --no-log-samples?)")
    if out.exists() and not out.is_dir():
        raise UserError(f"{out}: not a folder")
    if out.exists() and any(out.iterdir()):
        raise UserError(f"{out}: not empty; import into a new folder")
    folder = RunFolder(out)
    create_journals(folder.root, GENERATIONS, RESULTS)
    problems = tuple(dict.fromkeys(str(sample.id) for sample in samples))
    n = max(log.eval.config.epochs or 1, max(sample.epoch for sample in samples))
    scored = [(sample, _record(log_path, sample)) for sample in samples]
    _write_lines(folder.results, [record for _, record in scored if record is not None])
    try:
        results = read_results(folder.results, verdict_schemas())
    except DamagedFile as error:
        raise UserError(f"{log_path}: a score's record is not a result line ({error})") from None
    for sample, record in scored:
        if record is not None and record.get("code_sha256") is not None:
            path = sample_path(folder.root, str(sample.id), sample.epoch)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(sample.scores[SCORER].answer or "", encoding="utf-8")  # type: ignore[index]
    _write_lines(folder.generations, [_generation(s).to_json() for s in samples])
    prompt = meta.get("prompt")
    settings = None if prompt is None else read_settings(PromptSettings, prompt, "prompt", log_path)
    write_prompts(folder.prompts, _prompts(log_path, samples, task, settings or PromptSettings()))
    write_manifest(
        folder, replace(_manifest(log_path, log, problems, n, task, meta), prompt=settings)
    )
    expected = [(problem, sample) for problem in problems for sample in range(1, n + 1)]
    write_summaries(folder, results, read_generations(folder.generations), expected=expected)
    return Imported(folder=folder, samples=len(samples), graded=len(results))


def _read(log_path: Path) -> EvalLog:
    if not log_path.is_file():
        raise UserError(f"{log_path}: no such log file")
    try:
        return read_eval_log(str(log_path))
    except Exception as error:  # Inspect raises many kinds for a file it cannot read
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise UserError(f"{log_path}: not an Inspect log ({reason})") from None


def _record(log_path: Path, sample: EvalSample) -> dict[str, Any] | None:
    """The sample's result line, None when it was not scored (its eval stopped first)."""
    score = (sample.scores or {}).get(SCORER)
    if score is None:
        return None
    record = score.metadata
    where = f"{log_path}: sample {sample.id} epoch {sample.epoch}"
    if not isinstance(record, dict):
        raise UserError(f"{where}: its score carries no result record")
    if (record.get("problem"), record.get("sample")) != (str(sample.id), sample.epoch):
        raise UserError(
            f"{where}: its record is of {record.get('problem')!r} sample {record.get('sample')!r}"
        )
    return record


def _write_lines(path: Path, lines: list[dict[str, Any]]) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.writelines(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


def _generation(sample: EvalSample) -> GenerationLine:
    """The sample's answer; its tokens and cost are the whole conversation's (an agent asks
    its model many times), from the sample's model usage."""
    output = sample.output
    usages = list(sample.model_usage.values()) or ([output.usage] if output.usage else [])
    costs = [usage.total_cost for usage in usages]
    return GenerationLine(
        problem=str(sample.id),
        sample=sample.epoch,
        response=None if sample.error else output.completion,
        usage=Usage(
            prompt_tokens=sum(u.input_tokens for u in usages) if usages else None,
            completion_tokens=sum(u.output_tokens for u in usages) if usages else None,
            reasoning_tokens=_total([u.reasoning_tokens for u in usages]),
        ),
        cost=_total(costs),
        error=sample.error.message.splitlines()[0] if sample.error else None,
        latency_s=sample.total_time,
        finish_reason=finish_reason(output.stop_reason),
        model=output.model or None,
        cached=False,
    )


Number = TypeVar("Number", int, float)


def _total(values: Sequence[Number | None]) -> Number | None:
    """The sum, None when any part is unknown (a cost is never guessed)."""
    if not values or any(value is None for value in values):
        return None
    return sum(value for value in values if value is not None)


def _prompts(
    log_path: Path, samples: list[EvalSample], task: str, settings: PromptSettings
) -> dict[str, Prompt]:
    prompts: dict[str, Prompt] = {}
    for sample in samples:
        messages = sample.input
        roles = [message.role for message in messages] if isinstance(messages, list) else []
        if not isinstance(messages, list) or roles != ["system", "user"]:
            raise UserError(
                f"{log_path}: sample {sample.id}: its input is not a system and a user message"
            )
        prompts[str(sample.id)] = Prompt(
            problem=str(sample.id),
            task=Task(task),
            shots=settings.shots or 0,
            rules=bool(settings.rules),
            explain=bool(settings.explain),
            style=str(settings.style),
            system=messages[0].text,
            user=messages[1].text,
        )
    return prompts


def model_label(model: str, meta: Mapping[str, Any]) -> str:
    """The model's name; an agent's run says which agent and what its tools showed."""
    agent = meta.get("agent")
    if not isinstance(agent, dict):
        return model
    return f"{model} ({agent.get('solver')} agent, feedback {agent.get('feedback')})"


def _manifest(
    log_path: Path,
    log: EvalLog,
    problems: tuple[str, ...],
    n: int,
    task: str,
    meta: Mapping[str, Any],
) -> Manifest:
    dataset = meta.get("dataset") or {}
    checks = read_checks(meta.get("checks") or {}, check_settings_types(), log_path)
    config = log.plan.config
    policy = TimeLimitPolicy()
    return Manifest(
        command="import-inspect",
        task=task,
        benchmark=str(meta.get("benchmark", "v2.0")),
        dataset=DatasetFacts(
            path=str(dataset.get("path")),
            hash=str(dataset.get("hash")),
            official=bool(dataset.get("official")),
        ),
        problems=problems,
        started_at=log.eval.created,
        model=model_label(log.eval.model, meta),
        api_base=log.eval.model_base_url,
        sampling=SamplingSettings(
            n=n,
            temperature=config.temperature,
            top_p=config.top_p,
            max_tokens=config.max_tokens,
            seed=config.seed,
            preset=None if meta.get("preset") is None else str(meta["preset"]),
        ),
        extract_mode=meta.get("extract_mode"),
        checks=checks,
        simulator=SimulatorFacts(
            version=meta.get("simulator"),
            timeout_s=DEFAULT_TIMEOUT_S,
            time_limit=TimeLimitSettings(floor_s=policy.floor_s, factor=policy.factor),
        ),
        sandbox=True,
        packages=dict(log.eval.packages),
        git_revision=log.eval.revision.commit if log.eval.revision else None,
        finished_at=log.stats.completed_at if log.status == "success" else None,
    )
