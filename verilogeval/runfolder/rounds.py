"""rounds.jsonl: every round of every sample of a repair run, as typed records.

A repair run (`run --repair N`) asks a failed sample again with feedback. Each round
answered and graded is one line here, appended and flushed at once: the messages sent,
the answer and the thinking kept apart from it, tokens and cost, the code extracted, the
verdicts, what the tamper scan found and the feedback sent for the next round (null on
the sample's last round). results.jsonl keeps one line per sample, for its final answer;
this file is how a killed run resumes in the middle of a conversation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from verilogeval.records import Category, Usage
from verilogeval.runfolder.journal import read_journal_lines
from verilogeval.runfolder.lines import GenerationLine, _sample, _text, _typed, _Where

_CATEGORIES = {str(category): category for category in Category}
T = TypeVar("T", int, float)


@dataclass(frozen=True)
class RoundRecord:
    """One round of one sample: the request, the answer, its grade, the feedback sent."""

    problem: str
    sample: int
    round: int  # 0: the first answer
    messages: tuple[dict[str, str], ...]  # the request's messages, as sent
    answer: GenerationLine  # the response (thinking apart), tokens, cost, latency
    code: str  # what was extracted and graded
    category: Category  # the official category
    passed: bool  # the official verdict
    trusted_passed: bool  # the verdict that ends the loop (--plus/--formal's when asked)
    findings: tuple[str, ...]  # the tamper scan's findings on this answer (empty: clean)
    feedback: str | None  # sent for the next round; None on the sample's last round

    @property
    def key(self) -> tuple[str, int]:
        return self.problem, self.sample

    @property
    def final(self) -> bool:
        return self.feedback is None

    def to_json(self) -> dict[str, Any]:
        return {
            "problem": self.problem,
            "sample": self.sample,
            "round": self.round,
            "messages": list(self.messages),
            "answer": self.answer.to_json(),
            "code": self.code,
            "category": str(self.category),
            "passed": self.passed,
            "trusted_passed": self.trusted_passed,
            "findings": list(self.findings),
            "feedback": self.feedback,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], where: _Where) -> RoundRecord:
        category = _CATEGORIES.get(str(data.get("category")))
        if category is None:
            where.fail(f"unknown category {data.get('category')!r}")
        messages = _typed(data, "messages", list, where)
        if not all(
            isinstance(m, dict)
            and isinstance(m.get("role"), str)
            and isinstance(m.get("content"), str)
            for m in messages
        ):
            where.fail("field 'messages' must hold {role, content} objects")
        findings = _typed(data, "findings", list, where)
        if not all(isinstance(finding, str) for finding in findings):
            where.fail("field 'findings' must hold text")
        round_number: int = _typed(data, "round", int, where)
        if round_number < 0:
            where.fail(f"field 'round' must be from 0, not {round_number}")
        answer = _typed(data, "answer", dict, where)
        return cls(
            problem=_text(data, "problem", where),
            sample=_sample(data, where),
            round=round_number,
            messages=tuple({"role": m["role"], "content": m["content"]} for m in messages),
            answer=GenerationLine.from_json(answer, _Where(where.path, where.line, "answer.")),
            code=_text(data, "code", where),
            category=category,
            passed=_typed(data, "passed", bool, where),
            trusted_passed=_typed(data, "trusted_passed", bool, where),
            findings=tuple(findings),
            feedback=_typed(data, "feedback", str, where, None),
        )


def read_rounds(path: Path, *, repair: bool = False) -> list[RoundRecord]:
    """Every round record of a rounds.jsonl, in file order; the last of a (sample, round)
    wins. None if the file does not exist. With `repair`, a torn last line is cut."""
    records: dict[tuple[str, int, int], RoundRecord] = {}
    for number, data in read_journal_lines(path, repair=repair):
        record = RoundRecord.from_json(data, _Where(path, number))
        records[(record.problem, record.sample, record.round)] = record
    return sorted(records.values(), key=lambda r: (r.problem, r.sample, r.round))


def with_every_round_spent(path: Path) -> list[GenerationLine]:
    """A repair run's generations.jsonl as one line per sample: its latest answer, with the
    tokens and cost of every answer the sample was given (all rounds), so that summaries
    and reports count what the whole conversation cost, not its last round."""
    spent: dict[tuple[str, int], GenerationLine] = {}
    for number, data in read_journal_lines(path):
        line = GenerationLine.from_json(data, _Where(path, number))
        before = spent.get(line.key)
        if before is not None:
            line = replace(
                line,
                usage=Usage(
                    prompt_tokens=_total(before.usage.prompt_tokens, line.usage.prompt_tokens),
                    completion_tokens=_total(
                        before.usage.completion_tokens, line.usage.completion_tokens
                    ),
                    reasoning_tokens=_total(
                        before.usage.reasoning_tokens, line.usage.reasoning_tokens
                    ),
                ),
                cost=_total(before.cost, line.cost),
            )
        spent[line.key] = line
    return list(spent.values())


def _total(before: T | None, now: T | None) -> T | None:
    """A sum where unknown is unknown only when nothing is known."""
    if before is None:
        return now
    if now is None:
        return before
    return before + now
