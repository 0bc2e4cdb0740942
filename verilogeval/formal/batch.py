"""Formal checks of many samples in parallel, shaped like the differential test's StrictPool.

Each check runs Yosys (and maybe Icarus) in its own limited child process, so a thread per
running check keeps `jobs` processes busy. One Yosys process per sample: Debian's native
Yosys starts in about 0.02 s (bench/bench_formal.py), so a batch per problem would save
little and let one hostile sample's crash take its neighbours' verdicts with it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from verilogeval.formal.check import FormalConfig, formal_check
from verilogeval.formal.result import FormalResult, FormalStatus
from verilogeval.records import Problem, Sample


class FormalPool:
    """`jobs` formal checks at a time; a check that raises becomes an ERROR result.

    `vcd_path(problem, sample)` says where a confirmed counterexample's waveform goes.
    """

    def __init__(
        self,
        config: FormalConfig,
        *,
        jobs: int,
        workdir: Path | None = None,
        vcd_path: Callable[[Problem, Sample], Path | None] | None = None,
    ) -> None:
        self._config = config
        self._workdir = workdir
        self._vcd_path = vcd_path
        self._pool = ThreadPoolExecutor(max_workers=max(1, jobs))

    def submit(self, problem: Problem, sample: Sample) -> Future[FormalResult]:
        return self._pool.submit(self._run, problem, sample)

    def _run(self, problem: Problem, sample: Sample) -> FormalResult:
        vcd_path = self._vcd_path(problem, sample) if self._vcd_path else None
        try:
            return formal_check(
                problem, sample, self._config, workdir=self._workdir, vcd_path=vcd_path
            )
        except (OSError, ValueError) as error:
            reason = f"{type(error).__name__}: {error}"
            return FormalResult(problem.name, sample.sample, FormalStatus.ERROR, reason=reason)

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def __enter__(self) -> FormalPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def formal_check_many(
    pairs: Sequence[tuple[Problem, Sample]], config: FormalConfig, *, jobs: int
) -> list[FormalResult]:
    """Results in the order of `pairs`."""
    with FormalPool(config, jobs=jobs) as pool:
        futures = [pool.submit(problem, sample) for problem, sample in pairs]
        return [future.result() for future in futures]


def formal_fields(result: FormalResult | None) -> dict[str, Any]:
    """The results.jsonl field of `--formal`; None for a sample that did not compile."""
    return {"formal": None if result is None else result.to_json()}
