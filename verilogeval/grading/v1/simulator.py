"""Which Icarus Verilog a v1 number was graded with, and whether it is the one v1 pins.

The v1 harness fails a sample for any text on stderr, so a simulator that warns
differently changes the score: the same 5,980 public gpt-3.5 answers give the paper's
26.7% (Human) and 46.7% (Machine) under the Icarus v1's repository pins (commit 0144168,
which calls itself 13.0 devel), 29.0% and 49.7% under Icarus 11.0, with 505 result
strings changed. A v1 run records `iverilog -V` in run.json; reports and the leaderboard
show it, and grading under another simulator warns.
"""

from __future__ import annotations

import re

from verilogeval.dataset.errata import Benchmark
from verilogeval.grading.simulate import version_warning

PINNED_COMMIT = "01441687235135d1c12eeef920f75d97995da333"
PINNED_VERSION = "13.0 (devel)"
_GIT_TAG = re.compile(r"-g([0-9a-f]{7,40})\b")


def is_pinned(version: str) -> bool:
    """Whether `version` (the first line of `iverilog -V`) is v1's pinned Icarus.

    A build from a git checkout names its commit in the version (`...-g0144168`); a build
    without git says only `13.0 (devel)`, and is taken at its word.
    """
    if f"version {PINNED_VERSION}" not in version:
        return False
    tag = _GIT_TAG.search(version)
    return tag is None or PINNED_COMMIT.startswith(tag.group(1))


def v1_warning(version: str) -> str | None:
    """The warning for a v1 run graded under `version`, None under the pinned simulator."""
    if is_pinned(version):
        return None
    return (
        f"warning: grading VerilogEval v1 with {version}; published v1 results were graded "
        f"with Icarus Verilog {PINNED_VERSION} at commit {PINNED_COMMIT[:7]}, and v1 fails a "
        "sample for any text on stderr, so these numbers will not match them (README: "
        "building the v1 simulator)"
    )


def simulator_warning(benchmark: Benchmark, version: str) -> str | None:
    """The warning for grading `benchmark` under `version`, if its numbers may differ."""
    return v1_warning(version) if benchmark.is_v1 else version_warning(version)


def simulator_label(version: str | None) -> str:
    """A short name for a report: 'Icarus 11.0 (stable), not v1's simulator'."""
    if version is None:
        return "simulator not recorded"
    short = version.replace("Icarus Verilog version ", "Icarus ")
    return short if is_pinned(version) else f"{short}, not v1's simulator"
