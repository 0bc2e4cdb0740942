"""Replay: answers produced elsewhere, read from a JSONL file or an official hand-off folder.

A JSONL file holds {"problem", "sample", "response"} lines (so a run's own
generations.jsonl replays too, with its `finish_reason` and `reasoning` when present; the
last line for a sample wins, as in a journal). A folder holds the official layout
`ProbNNN_name/ProbNNN_name_sampleNN_response.txt`.

A replay answers what it holds: `replay_scope` narrows a run to the problems it has
answers for (and, without --samples, to as many samples as it holds), and names what it
lacks before anything runs, so a replay needs neither the original --problems nor
--samples, and a missing answer is never a quiet generation error.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from verilogeval.errors import UserError
from verilogeval.generation.models.base import Completion, ModelAdapter, PermanentError, Request
from verilogeval.jsonl import BadLine, read_jsonl_file
from verilogeval.records import Problem, Usage

_RESPONSE_FILE = re.compile(r"^(Prob\d+_\w+?)_sample(\d+)_response\.txt$")


@dataclass(frozen=True)
class Recorded:
    """One answer as it was recorded elsewhere (response None: an error was recorded)."""

    response: str | None
    error: str | None = None
    finish_reason: str | None = None  # "length" replays as a truncated answer
    reasoning: str | None = None


class ReplayAdapter(ModelAdapter):
    cacheable = False

    def __init__(self, path: Path) -> None:
        self.path = path
        self.identity = f"replay:{path}"
        self._responses = load_responses(path)

    async def complete(self, request: Request) -> Completion:
        key = (request.problem.name, request.sample)
        if key not in self._responses:
            raise PermanentError(
                f"replay: {self.path} has no response for {key[0]} sample {key[1]}"
            )
        recorded = self._responses[key]
        if recorded.response is None:
            raise PermanentError(f"replay: {self.path} recorded an error: {recorded.error}")
        return Completion(
            text=recorded.response,
            usage=Usage(),
            finish_reason=recorded.finish_reason,
            model="replay",
            cost=None,
            reasoning=recorded.reasoning,
        )


def load_responses(path: Path) -> dict[tuple[str, int], Recorded]:
    """(problem, sample) -> (response, error) from a JSONL file or a hand-off folder."""
    if path.is_dir():
        responses = _from_folder(path)
    elif path.is_file():
        responses = _from_jsonl(path)
    else:
        raise UserError(f"replay: {path} does not exist")
    if not responses:
        raise UserError(f"replay: {path} holds no responses")
    return responses


def _from_jsonl(path: Path) -> dict[tuple[str, int], Recorded]:
    responses: dict[tuple[str, int], Recorded] = {}
    for number, record in read_jsonl_file(path):
        where = f"replay: {path} line {number}"
        if isinstance(record, BadLine):
            raise UserError(f"{where}: {record.reason}")
        problem, sample, response = (record.get(k) for k in ("problem", "sample", "response"))
        if not isinstance(problem, str) or not isinstance(sample, int):
            raise UserError(f"{where}: needs 'problem' (string) and 'sample' (integer)")
        if response is None and not record.get("error"):
            raise UserError(f"{where}: no 'response'")
        if response is not None and not isinstance(response, str):
            raise UserError(f"{where}: 'response' is not a string")
        responses[(problem, sample)] = Recorded(
            response,
            record.get("error"),
            _text_or_none(record.get("finish_reason")),
            _text_or_none(record.get("reasoning")),
        )
    return responses


def _from_folder(path: Path) -> dict[tuple[str, int], Recorded]:
    responses: dict[tuple[str, int], Recorded] = {}
    for file in sorted(path.rglob("*_response.txt")):
        match = _RESPONSE_FILE.match(file.name)
        if match is None:
            continue
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise UserError(f"replay: {file}: not UTF-8 text") from None
        responses[(match.group(1), int(match.group(2)))] = Recorded(text)
    return responses


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class ReplayScope:
    """What a replay can answer of what a run asks for."""

    problems: tuple[Problem, ...]  # asked for, with at least one recorded answer
    n: int  # samples per problem: --samples, else the most the replay holds for one
    lacking: tuple[str, ...]  # one line per shortfall, to show before the run starts


def replay_scope(path: Path, problems: Sequence[Problem], n: int | None) -> ReplayScope:
    """The problems and n a replay of `path` can serve; UserError when it serves none."""
    held: dict[str, set[int]] = {}
    for problem, sample in load_responses(path):
        held.setdefault(problem, set()).add(sample)
    chosen = tuple(problem for problem in problems if problem.name in held)
    if not chosen:
        raise UserError(
            f"replay: {path} holds no answer to any of the {len(problems)} problems asked "
            f"(it answers {_some(sorted(held))}): another --dataset, --task or --problems?"
        )
    samples = n or max(max(held[problem.name]) for problem in chosen)
    lacking = []
    missing = [problem.name for problem in problems if problem.name not in held]
    if missing:
        lacking.append(
            f"replay: {path} has no answer to {len(missing)} of the {len(problems)} problems "
            f"asked, left out of the run: {_some(missing)}"
        )
    short = [
        f"{problem.name} sample {sample}"
        for problem in chosen
        for sample in range(1, samples + 1)
        if sample not in held[problem.name]
    ]
    if short:
        lacking.append(
            f"replay: {path} lacks {len(short)} of the {len(chosen) * samples} samples asked "
            f"(n={samples}), each a generation error: {_some(short)}"
        )
    return ReplayScope(chosen, samples, tuple(lacking))


def _some(names: Sequence[str], shown: int = 5) -> str:
    """The first few names, and how many more."""
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more
