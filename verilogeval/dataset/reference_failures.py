"""The official problems whose own reference fails, per Icarus major version.

`verilogeval check` finds them by grading every reference as the sample; a model can never
pass them, so `run`'s closing table names them: the oracle's 151 of 156 on Icarus 11 is
the ceiling, not a fault. The lists are what `check` reports on the official clone
(tests/test_check.py holds them to the golden vectors of each version). The official set is
known by its content hash (Dataset.content_hash), so a clone root and a bare task folder of
it are both recognised, and a changed copy is not mistaken for it.
"""

from __future__ import annotations

from collections.abc import Sequence

from verilogeval.dataset.errata import Benchmark
from verilogeval.dataset.loader import Dataset
from verilogeval.execution.icarus import simulator_major, simulator_version
from verilogeval.records import Problem, Task

_BOTH_ICARUS_11 = (
    "Prob082_lfsr32",  # stimulus outlasts the testbench's own TIMEOUT
    "Prob141_count_clock",
    "Prob151_review2015_fsm",  # casts Icarus 11 cannot compile
    "Prob156_review2015_fancytimer",
)
_BOTH_ICARUS_12 = ("Prob082_lfsr32", "Prob141_count_clock", "Prob156_review2015_fancytimer")
_SPEC_ONLY = ("Prob099_m2014_q6c",)  # its testbench names ports the reference lacks

# Dataset.content_hash of the official VerilogEval v2 task folders.
OFFICIAL_HASHES = {
    Task.SPEC_TO_RTL: "9ff2de97662069e400ced2883955c80ea9e1297a251a548ebdf927bccbef4280",
    Task.CODE_COMPLETE: "b09073961e5d1e8fdd8c06670356c8e32ff532028c1622043a21cfef93839190",
}

KNOWN_FAILING_REFERENCES: dict[int, dict[Task, tuple[str, ...]]] = {
    11: {
        Task.SPEC_TO_RTL: tuple(sorted(_BOTH_ICARUS_11 + _SPEC_ONLY)),
        Task.CODE_COMPLETE: _BOTH_ICARUS_11,
    },
    12: {
        Task.SPEC_TO_RTL: tuple(sorted(_BOTH_ICARUS_12 + _SPEC_ONLY)),
        Task.CODE_COMPLETE: _BOTH_ICARUS_12,
    },
}


# Dataset.content_hash of VerilogEval v1's official sets (release/1.0.0) as loaded, and the
# references its harness fails under Icarus 11 (their casts compile from Icarus 12 on,
# not checked here); the Machine set has none.
V1_HASHES = {
    Benchmark.V1_HUMAN: "32e4d9a3455d070c0aff9b1423eef23e596ce30ec491ab0544341790863a1ba8",
    Benchmark.V1_MACHINE: "f7544beb9b4960222fcdb6165c7dc9c89dc88d92eb6ce975d70227f4c063c4fa",
}
KNOWN_FAILING_V1: dict[int, dict[Benchmark, tuple[str, ...]]] = {
    11: {
        Benchmark.V1_HUMAN: ("review2015_fancytimer", "review2015_fsm"),
        Benchmark.V1_MACHINE: (),
    },
}


def known_failing_references(dataset: Dataset, problems: Sequence[Problem]) -> tuple[str, ...]:
    """Those of `problems` whose reference fails under the installed Icarus, for the
    official set; () for any other dataset or an Icarus version never checked."""
    if dataset.benchmark.is_v1:
        if dataset.content_hash() != V1_HASHES[dataset.benchmark]:
            return ()
        major = simulator_major(simulator_version())
        known = KNOWN_FAILING_V1.get(major or 0, {}).get(dataset.benchmark, ())
    elif dataset.content_hash() != OFFICIAL_HASHES[dataset.task]:
        return ()
    else:
        major = simulator_major(simulator_version())
        known = KNOWN_FAILING_REFERENCES.get(major or 0, {}).get(dataset.task, ())
    asked = {problem.name for problem in problems}
    return tuple(name for name in known if name in asked)
