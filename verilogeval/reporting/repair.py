"""The numbers of a repair run (`run --repair N`), read from results.jsonl and rounds.jsonl.

- pass@1 after each round r = 0..N: a sample counts once it passed (the verdict that ends its
  loop: the trusted one with --plus/--strict/--formal) at a round <= r; pass@k over the final
  answers is the run's ordinary pass@k;
- the mean round of the first pass (0: the first answer), over the samples that passed;
- tokens and cost per round, and per solved problem (a problem with a passing final answer);
- which categories the rounds turn into which (S->pass, R->pass, S->R, ...);
- answers that turned to tampering after feedback: a round the tamper scan flags whose
  previous round it did not.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from verilogeval.feedback.protocol import protocol_label
from verilogeval.reporting.metrics import Estimate, bootstrap_ci
from verilogeval.reporting.runs import Run
from verilogeval.runfolder.files import RunFolder
from verilogeval.runfolder.rounds import RoundRecord, read_rounds

PASS = "pass"  # a round's label when its verdict ended the loop


@dataclass(frozen=True)
class RoundSpending:
    round: int
    answers: int  # rounds graded
    prompt_tokens: int
    completion_tokens: int
    cost: float | None  # USD over the priced answers; None when none is priced
    unpriced: int


@dataclass(frozen=True)
class RepairMetrics:
    label: str  # "repair 2 (compiler, full)"
    rounds: int  # N
    pass_after_round: tuple[Estimate, ...]  # index r: pass@1 once rounds 0..r are done
    mean_first_pass_round: float | None  # None when no sample passed
    spending: tuple[RoundSpending, ...]
    solved_problems: int
    tokens_per_solved: float | None
    cost_per_solved: float | None
    transitions: Mapping[tuple[str, str], int]  # (label at r, label at r+1) -> samples
    turned_to_tampering: int


def repair_metrics(run: Run) -> RepairMetrics | None:
    """The run's repair numbers; None for a single-shot run."""
    repair = run.manifest.repair if run.manifest else None
    label = protocol_label(repair)
    if repair is None or label is None:
        return None
    total = repair.rounds
    records = read_rounds(RunFolder(run.path).rounds)
    by_sample = _by_sample(records)
    spending = _spending(records, total)
    solved = {
        problem for (problem, _), line in run.results.items() if line.passed_at_round is not None
    }
    tokens = sum(s.prompt_tokens + s.completion_tokens for s in spending)
    costs = [s.cost for s in spending if s.cost is not None]
    first_passes = [
        line.passed_at_round for line in run.results.values() if line.passed_at_round is not None
    ]
    return RepairMetrics(
        label=label,
        rounds=total,
        pass_after_round=tuple(_pass_after(run, r) for r in range(total + 1)),
        mean_first_pass_round=float(np.mean(first_passes)) if first_passes else None,
        spending=spending,
        solved_problems=len(solved),
        tokens_per_solved=tokens / len(solved) if solved else None,
        cost_per_solved=sum(costs) / len(solved) if solved and costs else None,
        transitions=_transitions(by_sample.values()),
        turned_to_tampering=_turned_to_tampering(by_sample.values()),
    )


def rounds_by_sample(run: Run) -> dict[tuple[str, int], list[RoundRecord]]:
    """Each sample's round records, in order (none for a single-shot run)."""
    return _by_sample(read_rounds(RunFolder(run.path).rounds))


def _by_sample(records: Iterable[RoundRecord]) -> dict[tuple[str, int], list[RoundRecord]]:
    by_sample: dict[tuple[str, int], list[RoundRecord]] = {}
    for record in records:
        by_sample.setdefault(record.key, []).append(record)
    return by_sample


def repair_curves(runs: Sequence[Run]) -> dict[str, tuple[Estimate, ...]]:
    """pass@1 after each round of every repair run among `runs`, by the run's label."""
    curves = {}
    for run in runs:
        metrics = repair_metrics(run)
        if metrics is not None:
            curves[f"{run.folder}: {metrics.label}"] = metrics.pass_after_round
    return curves


def _pass_after(run: Run, last: int) -> Estimate:
    """pass@1 over every sample asked for, a sample passing once it passed by round `last`."""
    per_problem = []
    for problem in run.problems:
        passed = [
            (line := run.results.get((problem, sample))) is not None
            and line.passed_at_round is not None
            and line.passed_at_round <= last
            for sample in range(1, run.n + 1)
        ]
        per_problem.append(float(np.mean(passed)))
    values = np.array(per_problem)
    low, high = bootstrap_ci(values)
    return Estimate(float(values.mean()), low, high)


def _spending(records: list[RoundRecord], total: int) -> tuple[RoundSpending, ...]:
    rows = []
    for number in range(total + 1):
        answers = [r.answer for r in records if r.round == number]
        priced = [a.cost for a in answers if a.cost is not None]
        rows.append(
            RoundSpending(
                round=number,
                answers=len(answers),
                prompt_tokens=sum(a.usage.prompt_tokens or 0 for a in answers),
                completion_tokens=sum(a.usage.completion_tokens or 0 for a in answers),
                cost=sum(priced) if priced else None,
                unpriced=len(answers) - len(priced),
            )
        )
    return tuple(rows)


def _label(record: RoundRecord) -> str:
    return PASS if record.trusted_passed else str(record.category)


def _transitions(samples: Iterable[list[RoundRecord]]) -> dict[tuple[str, str], int]:
    counts: Counter[tuple[str, str]] = Counter()
    for rounds in samples:
        for before, after in itertools.pairwise(rounds):
            counts[(_label(before), _label(after))] += 1
    return dict(counts.most_common())


def _turned_to_tampering(samples: Iterable[list[RoundRecord]]) -> int:
    turned = 0
    for rounds in samples:
        for before, after in itertools.pairwise(rounds):
            turned += bool(after.findings) and not before.findings
    return turned
