"""Where each sample's conversation stands in a run folder, so a killed run goes on from there.

A sample with a final results.jsonl line is done. Any other resumes after its finished
rounds (rounds.jsonl records that carry the feedback sent), with the answer to its next
round when generations.jsonl already holds one: that answer is graded, never asked again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from verilogeval.journal import read_journal_lines
from verilogeval.repair.conversation import Turn
from verilogeval.runfolder.files import RunFolder
from verilogeval.runfolder.lines import GenerationLine, _Where, read_results
from verilogeval.runfolder.rounds import RoundRecord, read_rounds


@dataclass(frozen=True)
class Standing:
    """One unfinished sample: its finished rounds and, if journaled, its next answer."""

    problem: str
    sample: int
    turns: tuple[Turn, ...]
    records: tuple[RoundRecord, ...]  # the finished rounds' records, in order
    answer: GenerationLine | None  # the next round's answer, when already received

    @property
    def round(self) -> int:
        return len(self.turns)


def standings(folder: RunFolder, wanted: Iterable[tuple[str, int]]) -> list[Standing]:
    """The unfinished samples of `wanted`, in its order (journals repaired for appending)."""
    final = {line.key for line in read_results(folder.results, repair=True) if line.is_final}
    finished: dict[tuple[str, int], list[RoundRecord]] = {}
    for record in read_rounds(folder.rounds, repair=True):
        rounds = finished.setdefault(record.key, [])
        if record.feedback is not None and record.round == len(rounds):
            rounds.append(record)
    answers: dict[tuple[str, int, int], GenerationLine] = {}
    for number, data in read_journal_lines(folder.generations, repair=True):
        line = GenerationLine.from_json(data, _Where(folder.generations, number))
        answers[(line.problem, line.sample, line.round or 0)] = line
    result = []
    for key in wanted:
        if key in final:
            continue
        records = tuple(finished.get(key, ()))
        answer = answers.get((*key, len(records)))
        result.append(
            Standing(
                problem=key[0],
                sample=key[1],
                turns=tuple(Turn(r.answer.response or "", r.feedback or "") for r in records),
                records=records,
                answer=answer if answer is not None and answer.error is None else None,
            )
        )
    return result
