"""Progress of a run for a person: generation and grading bars with a running pass rate.

`--quiet` swaps in a display that prints nothing, so scripts see only the final lines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from rich.progress import TaskID


class Progress(Protocol):
    def start(self, generate_total: int, grade_total: int) -> None: ...
    def generated(self, failed: bool) -> None: ...
    def graded(self, passed: bool) -> None: ...
    def stop(self) -> None: ...


class QuietProgress:
    """Counts without drawing: used by --quiet and by tests."""

    def __init__(self) -> None:
        self.generated_count = 0
        self.graded_count = 0
        self.passed_count = 0

    def start(self, generate_total: int, grade_total: int) -> None:
        pass

    def generated(self, failed: bool) -> None:
        self.generated_count += 1

    def graded(self, passed: bool) -> None:
        self.graded_count += 1
        self.passed_count += passed

    def stop(self) -> None:
        pass


class BarProgress(QuietProgress):
    """rich progress bars with counts, rate, ETA and the running pass rate (on stderr)."""

    def __init__(self) -> None:
        super().__init__()
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as RichProgress

        self._bars = RichProgress(
            TextColumn("{task.description:<9}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[note]}"),
            console=Console(stderr=True),
            transient=False,
        )
        self._generate_failures = 0
        self._generate: TaskID | None = None
        self._grade: TaskID | None = None

    def start(self, generate_total: int, grade_total: int) -> None:
        """A bar for each stage with work: `generate` has no grade bar, `evaluate` no
        generate bar."""
        add = self._bars.add_task
        self._generate = (
            add("generate", total=generate_total, rate="", note="") if generate_total else None
        )
        self._grade = add("grade", total=grade_total, rate="", note="") if grade_total else None
        self._bars.start()

    def generated(self, failed: bool) -> None:
        super().generated(failed)
        self._generate_failures += failed
        if failed and self._grade is not None:  # a failed request is never graded
            total = self._bars.tasks[self._grade].total
            self._bars.update(self._grade, total=None if total is None else total - 1)
        if self._generate is not None:
            note = f"{self._generate_failures} errors" if self._generate_failures else ""
            rate = self._rate(self._generate)
            self._bars.update(self._generate, advance=1, note=note, rate=rate)

    def graded(self, passed: bool) -> None:
        super().graded(passed)
        if self._grade is not None:
            note = f"pass {100 * self.passed_count / self.graded_count:5.1f}%"
            self._bars.update(self._grade, advance=1, note=note, rate=self._rate(self._grade))

    def _rate(self, task_id: TaskID) -> str:
        speed = self._bars.tasks[task_id].speed
        return f"{speed:5.1f}/s" if speed else ""

    def stop(self) -> None:
        self._bars.stop()
