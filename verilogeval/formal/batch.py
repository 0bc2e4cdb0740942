"""The formal check as a pool job, the counterexample waveform it brings back, its fields.

Each check runs Yosys (and maybe Icarus) in its own limited child process, on whichever
machine the run's pool sends it to (verilogeval.pools), so the waveform of a confirmed
counterexample comes back as bytes and the client keeps it beside the sample. One Yosys
process per sample: Debian's native Yosys starts in about 0.02 s (bench/bench_formal.py),
so a batch per problem would save little and let one hostile sample's crash take its
neighbours' verdicts with it.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from verilogeval.errors import error_reason
from verilogeval.formal.check import FormalConfig, formal_check
from verilogeval.formal.result import FormalResult, FormalStatus, disproved, undecided
from verilogeval.pools import Place
from verilogeval.records import Category, Problem, Sample
from verilogeval.runfolder.lines import ResultLine
from verilogeval.sandbox import SandboxError

# Verdicts of samples that compiled (and so can be checked): the rest have no design.
COMPILED = frozenset({Category.PASS, Category.RUNTIME, Category.TIMEOUT, Category.ASYNC_RESET})


@dataclass(frozen=True)
class FormalJobResult:
    """What a formal job brings back: the result and its counterexample's waveform."""

    result: FormalResult
    vcd: bytes | None  # the Icarus replay's waveform, for the client to keep


def formal_job(
    problem: Problem, sample: Sample, config: FormalConfig, place: Place
) -> FormalJobResult:
    """The formal check of one sample; a check that cannot run is an ERROR result."""
    folder = Path(tempfile.mkdtemp(prefix="verilogeval-formal-vcd-", dir=place.workdir))
    vcd_path = folder / "formal.vcd"
    try:
        result = formal_check(
            problem,
            sample,
            config,
            workdir=place.workdir,
            vcd_path=vcd_path,
            sandboxed=place.sandboxed,
        )
        vcd = vcd_path.read_bytes() if result.vcd is not None else None
        return FormalJobResult(result, vcd)
    except (OSError, ValueError, SandboxError) as error:
        return FormalJobResult(formal_error(sample, error), None)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def formal_job_error(sample: Sample, error: BaseException) -> FormalJobResult:
    """What a formal job that raised brings back: its error result, no waveform."""
    return FormalJobResult(formal_error(sample, error), None)


def formal_error(sample: Sample, error: BaseException) -> FormalResult:
    """The record of a formal check that could not run."""
    return FormalResult(
        sample.problem, sample.sample, FormalStatus.ERROR, reason=error_reason(error)
    )


def formal_vcd_path(run_dir: Path, problem: str, sample: int) -> Path:
    """Beside the sample: the Icarus waveform of its confirmed counterexample."""
    return run_dir / problem / f"{problem}_sample{sample:02}-formal.vcd"


def keep_vcd(run_dir: Path, done: FormalJobResult) -> FormalResult:
    """The result, its waveform written beside the sample and named relative to `run_dir`."""
    result = done.result
    if done.vcd is None:
        return replace(result, vcd=None)
    path = formal_vcd_path(run_dir, result.problem, result.sample)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(done.vcd)
    return replace(result, vcd=str(path.relative_to(run_dir)))


def formal_fields(result: FormalResult | None) -> dict[str, Any]:
    """The results.jsonl field of `--formal`; None for a sample that did not compile."""
    return {"formal": None if result is None else result.to_json()}


def formal_tally(results: Sequence[ResultLine]) -> str:
    """One line for a run's closing summary: samples per formal status, false passes."""
    counts = Counter(line.formal["status"] for line in results if line.formal)
    tally = ", ".join(f"{counts[status]} {status}" for status in FormalStatus if counts[status])
    false_passes = sum(1 for line in results if line.passed and disproved(line.formal))
    undecided_passes = sum(1 for line in results if line.passed and undecided(line.formal))
    text = f"{tally or 'nothing checked'}; {false_passes} officially passing disproved"
    return text + (
        f", {undecided_passes} officially passing undecided" if undecided_passes else ""
    )
