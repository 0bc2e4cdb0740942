"""Formal checks of many samples in parallel, shaped like the differential test's StrictPool.

Each check runs Yosys (and maybe Icarus) in its own limited child process, so a thread per
running check keeps `jobs` processes busy. One Yosys process per sample: Debian's native
Yosys starts in about 0.02 s (bench/bench_formal.py), so a batch per problem would save
little and let one hostile sample's crash take its neighbours' verdicts with it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

from verilogeval.formal.check import FormalConfig, formal_check
from verilogeval.formal.result import FormalResult, FormalStatus, disproved
from verilogeval.records import Category, Problem, Sample
from verilogeval.runfolder.lines import ResultLine
from verilogeval.sandbox import SandboxError, ensure_available

# Verdicts of samples that compiled (and so can be checked): the rest have no design.
COMPILED = frozenset({Category.PASS, Category.RUNTIME, Category.TIMEOUT, Category.ASYNC_RESET})


def formal_vcd_path(run_dir: Path, problem: str, sample: int) -> Path:
    """Beside the sample: the Icarus waveform of its confirmed counterexample."""
    return run_dir / problem / f"{problem}_sample{sample:02}-formal.vcd"


class FormalPool:
    """`jobs` formal checks at a time; a check that raises becomes an ERROR result.

    With `run_dir`, a confirmed counterexample's waveform is kept beside the sample there
    (formal_vcd_path) and the result names it relative to `run_dir`.
    """

    def __init__(
        self,
        config: FormalConfig,
        *,
        jobs: int,
        workdir: Path | None = None,
        run_dir: Path | None = None,
        sandboxed: bool = True,
    ) -> None:
        if sandboxed:
            ensure_available()
        self._config = config
        self._workdir = workdir
        self._sandboxed = sandboxed
        self._run_dir = run_dir
        self._pool = ThreadPoolExecutor(max_workers=max(1, jobs))

    def submit(self, problem: Problem, sample: Sample) -> Future[FormalResult]:
        return self._pool.submit(self._run, problem, sample)

    def _run(self, problem: Problem, sample: Sample) -> FormalResult:
        run_dir = self._run_dir
        vcd_path = formal_vcd_path(run_dir, sample.problem, sample.sample) if run_dir else None
        try:
            result = formal_check(
                problem,
                sample,
                self._config,
                workdir=self._workdir,
                vcd_path=vcd_path,
                sandboxed=self._sandboxed,
            )
        except (OSError, ValueError, SandboxError) as error:
            reason = f"{type(error).__name__}: {error}"
            return FormalResult(problem.name, sample.sample, FormalStatus.ERROR, reason=reason)
        if run_dir is None or vcd_path is None or result.vcd is None:
            return result
        return replace(result, vcd=str(vcd_path.relative_to(run_dir)))

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def __enter__(self) -> FormalPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def formal_check_many(
    pairs: Sequence[tuple[Problem, Sample]],
    config: FormalConfig,
    *,
    jobs: int,
    sandboxed: bool = True,
) -> list[FormalResult]:
    """Results in the order of `pairs`."""
    with FormalPool(config, jobs=jobs, sandboxed=sandboxed) as pool:
        futures = [pool.submit(problem, sample) for problem, sample in pairs]
        return [future.result() for future in futures]


def formal_fields(result: FormalResult | None) -> dict[str, Any]:
    """The results.jsonl field of `--formal`; None for a sample that did not compile."""
    return {"formal": None if result is None else result.to_json()}


def formal_tally(results: Sequence[ResultLine]) -> str:
    """One line for a run's closing summary: samples per formal status, false passes."""
    counts = Counter(line.formal["status"] for line in results if line.formal)
    tally = ", ".join(f"{counts[status]} {status}" for status in FormalStatus if counts[status])
    false_passes = sum(1 for line in results if line.passed and disproved(line.formal))
    return f"{tally or 'nothing checked'}; {false_passes} officially passing disproved"
