"""The official build layout of a run folder, written and read.

The official Makefile keeps each sample as `ProbNNN_name/ProbNNN_name_sampleNN.sv` next
to its `-sv-generate.log` and `-sv-iv-test.log`; sv-iv-analyze reads exactly those three
files. Writing the same names lets the official script analyze our folders, and reading
them lets `evaluate` grade folders the official flow produced.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from verilogeval.records import Sample, Usage

MAX_CODE_BYTES = 1 << 20  # a sample larger than this is refused, not simulated
_PLACEHOLDER_NAME = ".no-generation.log"  # outside the Prob* folders sv-iv-analyze reads

_SAMPLE_FILE = re.compile(r"(Prob\d+_\w+)_sample(\d+)\.sv")


def sample_path(run_dir: Path, problem: str, sample: int) -> Path:
    return run_dir / problem / f"{problem}_sample{sample:02}.sv"


def test_log_path(run_dir: Path, problem: str, sample: int) -> Path:
    """The compile and run log, as the Makefile's `-sv-iv-test.log`."""
    return run_dir / problem / f"{problem}_sample{sample:02}-sv-iv-test.log"


def generate_log_path(run_dir: Path, problem: str, sample: int) -> Path:
    return run_dir / problem / f"{problem}_sample{sample:02}-sv-generate.log"


def wave_path(run_dir: Path, problem: str, sample: int) -> Path:
    return run_dir / problem / f"{problem}_sample{sample:02}.vcd"


def write_graded(run_dir: Path, sample: Sample, log: str) -> None:
    """The sample and its log; a placeholder generate log when none exists yet.

    sv-iv-analyze opens the generate log of every sample for its token counts, so a
    folder graded without generation needs one; ours names no tokens, so they count 0.
    The placeholders are hard links to one file: creating a file costs about a
    millisecond of CPU on some disks (measured here), a link a fiftieth of that.
    """
    (run_dir / sample.problem).mkdir(parents=True, exist_ok=True)
    sample_path(run_dir, sample.problem, sample.sample).write_text(sample.code, encoding="utf-8")
    test_log_path(run_dir, sample.problem, sample.sample).write_text(log, encoding="utf-8")
    generate_log = generate_log_path(run_dir, sample.problem, sample.sample)
    if generate_log.exists():
        return
    placeholder = run_dir / _PLACEHOLDER_NAME
    if not placeholder.exists():
        placeholder.write_text("verilogeval: graded without a generation\n", encoding="utf-8")
    try:
        os.link(placeholder, generate_log)
    except OSError:  # a file system without hard links
        shutil.copyfile(placeholder, generate_log)


def write_generate_log(
    run_dir: Path, problem: str, sample: int, usage: Usage, cost: float | None
) -> None:
    """Token counts and cost in the lines sv-iv-analyze reads; unknown values are left out."""
    lines = []
    if usage.prompt_tokens is not None:
        lines.append(f"prompt_tokens = {usage.prompt_tokens}")
    if usage.completion_tokens is not None:
        lines.append(f"resp_tokens   = {usage.completion_tokens}")
    if usage.prompt_tokens is not None and usage.completion_tokens is not None:
        lines.append(f"total_tokens  = {usage.prompt_tokens + usage.completion_tokens}")
    if cost is not None:
        lines.append(f"cost          = {cost:.6f}")
    path = generate_log_path(run_dir, problem, sample)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)  # it may be a link to the shared placeholder
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


@dataclass(frozen=True)
class Unreadable:
    """A file of a samples folder that cannot be graded, and why."""

    path: Path
    reason: str
    key: tuple[str, int] | None = None  # (problem, sample) it holds: still one of the run's


def read_samples_folder(folder: Path) -> list[Sample | Unreadable]:
    """Every `ProbNNN_name/ProbNNN_name_sampleNN.sv` under `folder`, in name order."""
    found: list[Sample | Unreadable] = []
    for path in sorted(folder.glob("Prob*/Prob*_sample*.sv")):
        match = _SAMPLE_FILE.fullmatch(path.name)
        if not match or match.group(1) != path.parent.name:
            continue
        problem, number = match.group(1), int(match.group(2))
        if number < 1:
            found.append(Unreadable(path, "sample numbers start at 1"))
            continue
        size = path.stat().st_size
        if size > MAX_CODE_BYTES:
            reason = f"{size} bytes, over the {MAX_CODE_BYTES} limit"
            found.append(Unreadable(path, reason, (problem, number)))
            continue
        try:
            code = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as error:
            reason = f"not UTF-8 text ({error.reason} at byte {error.start})"
            found.append(Unreadable(path, reason, (problem, number)))
            continue
        found.append(Sample(problem=problem, sample=number, code=code))
    return found
