"""results.jsonl and generations.jsonl lines as typed, frozen records.

Writers build a record and call `to_json`; readers get records from `read_results` and
`read_generations`, which check every field they rely on and name the file, line and
field of anything damaged. A later line for the same sample replaces an earlier one (a
sample answered again after an error is appended, never rewritten).

Optional fields are written only when they hold something, so a line carries exactly the
checks that ran: `checks.<name>`, one verilogeval.verdicts.CheckVerdict per check asked
for, read back by the type its registration names (`read_results` takes the schemas).
Beside it, the fields the checks wrote before `checks` existed stay as they were, a
compatibility view for the scripts that read them: `strict_passed`/`strict` with
--strict, `plus_passed`/`plus` with --plus, `formal` with --formal. `response_issue` is
written when the answer had one, `result` (the v1 harness's own result string) on a v1
benchmark. A generations.jsonl line always carries `reasoning` and `reasoning_tokens`
(null for a model that does not think).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from verilogeval.errors import DamagedFile, UserError
from verilogeval.records import (
    CATEGORY_NAMES,
    Category,
    Generation,
    OutputMismatch,
    Prompt,
    Usage,
)
from verilogeval.runfolder.journal import read_journal_lines
from verilogeval.typed_json import BadField, read_record
from verilogeval.verdicts import CheckVerdict, VerdictSchema, read_verdicts

_CATEGORIES = {str(category): category for category in Category}
_NOTHING = object()


@dataclass(frozen=True)
class ResultLine:
    """One graded sample: the official verdict, then what the stricter checks found."""

    problem: str
    sample: int
    category: Category
    passed: bool
    mismatches: int | None
    total: int | None
    first_error: str | None
    outputs: tuple[OutputMismatch, ...]
    code_sha256: str | None
    simulated: bool
    # Written by versions that graded a failed request as an empty answer; such a line is
    # not final (see is_final): `run` asks for the sample again.
    generation_error: str | None = None
    response_issue: str | None = None  # "empty", "truncated", "no_code", "generation_error"
    time_limit_s: float | None = None  # the wall-clock limit the sample was simulated under
    result: str | None = None  # a v1 benchmark's own result string ("passed", "failed: ...")
    # check name -> its verdict, for every post-verdict check asked for (checks.registry)
    checks: Mapping[str, CheckVerdict[Any]] = field(default_factory=dict)
    rounds: int | None = None  # with --repair: the answers asked of the model (1 + repairs)
    passed_at_round: int | None = None  # with --repair: the first passing round (0 = first)
    # The optional fields that are null but written all the same: `response_issue` of a
    # run's sample (null: no issue).
    nulls: frozenset[str] = frozenset()

    def carries(self, name: str) -> bool:
        """Whether the line has optional field `name`, null or not."""
        return getattr(self, name) is not None or name in self.nulls

    def check_passed(self, name: str) -> bool | None:
        """The verdict of check `name`; None when it was not asked for or could not decide."""
        verdict = self.checks.get(name)
        return None if verdict is None else verdict.passed

    @property
    def is_final(self) -> bool:
        """Graded from a real answer; a line graded from a failed request is not."""
        return self.generation_error is None

    @property
    def category_name(self) -> str:
        return CATEGORY_NAMES[self.category]

    @property
    def key(self) -> tuple[str, int]:
        return self.problem, self.sample

    def to_json(self) -> dict[str, Any]:
        line: dict[str, Any] = {
            "problem": self.problem,
            "sample": self.sample,
            "category": str(self.category),
            "category_name": self.category_name,
            "passed": self.passed,
            "mismatches": self.mismatches,
            "total": self.total,
            "first_error": self.first_error,
            "outputs": [
                {"output": o.output, "mismatches": o.mismatches, "first_time": o.first_time}
                for o in self.outputs
            ],
            "code_sha256": self.code_sha256,
            "simulated": self.simulated,
        }
        for name in _OPTIONAL:
            if self.carries(name):
                line[name] = getattr(self, name)
        # The compatibility view: a check's verdict and its detail go together; the detail
        # may be null, and so may plus_passed, when --formal could not decide.
        for name, (passed, detail) in COMPATIBLE_FIELDS.items():
            verdict = self.checks.get(name)
            if verdict is None:
                continue
            if passed is not None:
                line[passed] = verdict.passed
            line[detail] = None if verdict.details is None else verdict.details.to_json()
        if self.checks:
            line["checks"] = {name: verdict.to_json() for name, verdict in self.checks.items()}
        return line

    @classmethod
    def from_json(
        cls, data: dict[str, Any], where: _Where, schemas: Mapping[str, VerdictSchema]
    ) -> ResultLine:
        category = _CATEGORIES.get(str(data.get("category")))
        if category is None:
            name = f"{data.get('problem')} sample {data.get('sample')}"
            return where.fail(f"{name}: unknown category {data.get('category')!r}")
        return cls(
            problem=_text(data, "problem", where),
            sample=_sample(data, where),
            category=category,
            passed=_typed(data, "passed", bool, where),
            mismatches=_typed(data, "mismatches", int, where, None),
            total=_typed(data, "total", int, where, None),
            first_error=_typed(data, "first_error", str, where, None),
            outputs=tuple(_output(item, where) for item in data.get("outputs") or ()),
            code_sha256=_typed(data, "code_sha256", str, where, None),
            simulated=_typed(data, "simulated", bool, where, False),
            generation_error=_typed(data, "generation_error", str, where, None),
            response_issue=_typed(data, "response_issue", str, where, None),
            time_limit_s=_number(data, "time_limit_s", where),
            result=_typed(data, "result", str, where, None),
            checks=_checks(data, where, schemas),
            rounds=_typed(data, "rounds", int, where, None),
            passed_at_round=_typed(data, "passed_at_round", int, where, None),
            nulls=frozenset(name for name in _OPTIONAL if name in data and data[name] is None),
        )


# The optional fields of a result line that are not a check's.
_OPTIONAL = (
    "generation_error",
    "response_issue",
    "time_limit_s",
    "result",
    "rounds",
    "passed_at_round",
)

# The fields the checks wrote before `checks.<name>` existed, kept as they were for the
# scripts that read them: check name -> (its verdict's field or None, its detail's field).
# A frozen view: a check added later has its `checks.<name>` record only.
COMPATIBLE_FIELDS: dict[str, tuple[str | None, str]] = {
    "formal": (None, "formal"),
    "strict": ("strict_passed", "strict"),
    "plus": ("plus_passed", "plus"),
}


def _checks(
    data: dict[str, Any], where: _Where, schemas: Mapping[str, VerdictSchema]
) -> dict[str, CheckVerdict[Any]]:
    try:
        return read_verdicts(data, schemas)
    except BadField as error:
        where.fail(str(error))


@dataclass(frozen=True)
class GenerationLine:
    """One model answer (or the error that replaced it), as generations.jsonl keeps it."""

    problem: str
    sample: int
    response: str | None
    usage: Usage
    cost: float | None  # USD; None when the price is unknown, never a guessed 0
    error: str | None
    latency_s: float | None
    finish_reason: str | None
    model: str | None
    cached: bool
    reasoning: str | None = None  # a reasoning model's thinking, kept apart from the answer
    round: int | None = None  # with --repair, a later round's answer (1, 2...); None: the first

    @property
    def reasoning_tokens(self) -> int | None:
        """The part of completion_tokens spent thinking, when the API said."""
        return self.usage.reasoning_tokens

    @property
    def key(self) -> tuple[str, int]:
        return self.problem, self.sample

    @classmethod
    def from_generation(cls, generation: Generation) -> GenerationLine:
        return cls(
            problem=generation.problem,
            sample=generation.sample,
            response=generation.response,
            usage=generation.usage,
            cost=generation.cost,
            error=generation.error,
            latency_s=generation.latency_s,
            finish_reason=generation.finish_reason,
            model=generation.model,
            cached=generation.cached,
            reasoning=generation.reasoning,
        )

    def to_generation(self) -> Generation:
        return Generation(
            problem=self.problem,
            sample=self.sample,
            response=self.response,
            error=self.error,
            usage=self.usage,
            cost=self.cost,
            latency_s=self.latency_s,
            finish_reason=self.finish_reason,
            model=self.model,
            cached=self.cached,
            reasoning=self.reasoning,
        )

    def to_json(self) -> dict[str, Any]:
        line: dict[str, Any] = {
            "problem": self.problem,
            "sample": self.sample,
            "response": self.response,
            "usage": {
                "prompt_tokens": self.usage.prompt_tokens,
                "completion_tokens": self.usage.completion_tokens,
            },
            "cost": self.cost,
            "error": self.error,
            "latency_s": self.latency_s,
            "finish_reason": self.finish_reason,
            "model": self.model,
            "cached": self.cached,
            "reasoning": self.reasoning,
            "reasoning_tokens": self.reasoning_tokens,
        }
        if self.round is not None:
            line["round"] = self.round
        return line

    @classmethod
    def from_json(cls, data: dict[str, Any], where: _Where) -> GenerationLine:
        usage = _typed(data, "usage", dict, where, None) or {}
        usage_where = _Where(where.path, where.line, "usage.")
        return cls(
            problem=_text(data, "problem", where),
            sample=_sample(data, where),
            response=_typed(data, "response", str, where, None),
            usage=Usage(
                prompt_tokens=_typed(usage, "prompt_tokens", int, usage_where, None),
                completion_tokens=_typed(usage, "completion_tokens", int, usage_where, None),
                reasoning_tokens=_typed(data, "reasoning_tokens", int, where, None),
            ),
            cost=_number(data, "cost", where),
            error=_typed(data, "error", str, where, None),
            latency_s=_number(data, "latency_s", where),
            finish_reason=_typed(data, "finish_reason", str, where, None),
            model=_typed(data, "model", str, where, None),
            cached=_typed(data, "cached", bool, where, False),
            reasoning=_typed(data, "reasoning", str, where, None),
            round=_typed(data, "round", int, where, None),
        )


Line = TypeVar("Line", ResultLine, GenerationLine)


def read_results(
    path: Path, checks: Mapping[str, VerdictSchema], *, repair: bool = False
) -> list[ResultLine]:
    """Every sample's latest line of a results.jsonl (none if it does not exist).

    `checks` says how each check's record reads back (verilogeval.checks.registry.verdict_schemas);
    a record of a check it does not name is an error, never dropped. With `repair`, a
    torn last line is cut from the file: do so before appending to it.
    """
    return _read(path, lambda data, where: ResultLine.from_json(data, where, checks), repair)


def read_generations(path: Path, *, repair: bool = False) -> list[GenerationLine]:
    """Every sample's latest line of a generations.jsonl (none if it does not exist)."""
    return _read(path, GenerationLine.from_json, repair)


def latest(lines: Iterable[Line]) -> dict[tuple[str, int], Line]:
    """(problem, sample) -> its last line."""
    return {line.key: line for line in lines}


def _read(path: Path, parse: Callable[[dict[str, Any], _Where], Line], repair: bool) -> list[Line]:
    lines = read_journal_lines(path, repair=repair)
    return list(latest(parse(data, _Where(path, number)) for number, data in lines).values())


def read_prompts(path: Path) -> dict[str, Prompt]:
    """problem -> the messages prompts.jsonl holds for it (none if it does not exist)."""
    prompts = {}
    for number, data in read_journal_lines(path):
        try:
            prompt = read_record(Prompt, data, "")
        except BadField as error:
            field = error.field.lstrip(".")
            raise DamagedFile(path, f"field '{field}' {error.reason}", line=number) from None
        prompts[prompt.problem] = prompt
    return prompts


def write_prompts(path: Path, prompts: Mapping[str, Prompt]) -> None:
    """Write the exact messages per problem; a resumed run must have asked the same."""
    kept: dict[str, dict[str, Any]] = {}
    for number, record in read_journal_lines(path, repair=True):
        name = record.get("problem")
        new = prompts.get(name) if isinstance(name, str) else None
        if new is not None and (new.system, new.user) != (record.get("system"), record.get("user")):
            raise UserError(
                f"{path}:{number}: {new.problem} was generated with other prompts; "
                "use a new --out folder for a different prompt configuration"
            )
        kept[str(name)] = record
    for name, prompt in prompts.items():
        kept[name] = asdict(prompt)
    partial = path.with_suffix(".tmp")
    partial.write_text(
        "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in kept.values()),
        encoding="utf-8",
    )
    os.replace(partial, path)


@dataclass(frozen=True)
class _Where:
    """A line of a file, to name in an error."""

    path: Path
    line: int
    prefix: str = ""  # of a nested field, e.g. "usage."

    def fail(self, reason: str) -> NoReturn:
        raise DamagedFile(self.path, reason, line=self.line)


def _typed(data: dict[str, Any], name: str, kind: type, where: _Where, default: Any = _NOTHING):
    value = data.get(name, _NOTHING)
    if value is _NOTHING or (value is None and default is not _NOTHING):
        if default is _NOTHING:
            where.fail(f"missing field '{where.prefix}{name}'")
        return default
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        where.fail(f"field '{where.prefix}{name}' must be {kind.__name__}, not {value!r}")
    return value


def _number(data: dict[str, Any], name: str, where: _Where) -> float | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        where.fail(f"field '{where.prefix}{name}' must be a number, not {value!r}")
    return float(value)


def _text(data: dict[str, Any], name: str, where: _Where) -> str:
    value: str = _typed(data, name, str, where)
    return value


def _sample(data: dict[str, Any], where: _Where) -> int:
    sample: int = _typed(data, "sample", int, where)
    if sample < 1:
        where.fail(f"field 'sample' must be from 1, not {sample}")
    return sample


def _output(item: Any, where: _Where) -> OutputMismatch:
    if not isinstance(item, dict):
        where.fail(f"field 'outputs' must hold objects, not {item!r}")
    return OutputMismatch(
        output=_typed(item, "output", str, where),
        mismatches=_typed(item, "mismatches", int, where),
        first_time=_typed(item, "first_time", int, where, None),
    )
