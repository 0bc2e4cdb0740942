"""The names of a run folder's files, in one place.

A folder written by `run` holds all of them; `evaluate` writes no prompts or generations,
`generate` no results or summaries. The per-sample files of the official layout
(ProbNNN_name/...) are named by verilogeval.layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MANIFEST = "run.json"
RESULTS = "results.jsonl"
GENERATIONS = "generations.jsonl"
PROMPTS = "prompts.jsonl"
ROUNDS = "rounds.jsonl"  # with --repair: every round of every sample
SUMMARY_TEXT = "summary.txt"
SUMMARY_CSV = "summary.csv"


@dataclass(frozen=True)
class RunFolder:
    """Where each file of the run folder at `root` lives."""

    root: Path

    @property
    def manifest(self) -> Path:
        return self.root / MANIFEST

    @property
    def results(self) -> Path:
        return self.root / RESULTS

    @property
    def generations(self) -> Path:
        return self.root / GENERATIONS

    @property
    def prompts(self) -> Path:
        return self.root / PROMPTS

    @property
    def rounds(self) -> Path:
        return self.root / ROUNDS

    @property
    def summary_text(self) -> Path:
        return self.root / SUMMARY_TEXT

    @property
    def summary_csv(self) -> Path:
        return self.root / SUMMARY_CSV
