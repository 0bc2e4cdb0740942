"""Find what in a sample acts on the harness rather than on the design.

The official flow trusts the log the simulation prints, and the sample runs in the same
simulation as the testbench: it can print the verdict line itself, end the simulation
before the testbench compares, write or read files, or reach into the testbench. The scan
reads the sample as Icarus's preprocessor leaves it (verilogeval.grading.preprocess, in the
sandbox) with an allow-list (verilogeval.checks.tamper.token_scan, in the limited parser child),
after refusing in the raw text whatever another compiler would read otherwise
(conditionals, `__FILE__`, macros it does not define); the log check counts verdict
lines. Each finding is one short reason.
"""

from __future__ import annotations

import re
from pathlib import Path

from verilogeval.execution.untrusted_parse import ParseFailed, parse_call
from verilogeval.grading.classify import log_lines
from verilogeval.grading.ports.wrapper import DUT_INSTANCE, REF_INSTANCE
from verilogeval.grading.preprocess import (
    Preprocessed,
    harness_files,
    reader_dependent_directives,
    sample_as_compiled,
)
from verilogeval.records import Problem

SCAN_RULES = 4  # bump when the scan finds other things: cached plus results depend on it
VERDICT_LINE = re.compile(r"Mismatches: \d+ in \d+ samples")  # a whole line of the log
OUTPUT_CUT = re.compile(r"^\[verilogeval: \d+ bytes of output cut\]$", re.MULTILINE)  # simulate
# Names a sample may not use at all: the testbench's modules and instances (`good1` is the
# reference's; each problem's own are read from its testbench too), the strict wrapper's and
# the formal replay's instances (verilogeval/checks/formal/replay.py), and every harness module
# (the seed shift, the wrappers), which all start with RESERVED_PREFIX. A name the sample
# does not use cannot reach them.
HARNESS_NAMES = frozenset(
    {
        "tb", "RefModule", "stimulus_gen", "good1", "top_module1", "stim1", "stats1",
        REF_INSTANCE, DUT_INSTANCE, "u_ref", "u_dut",
    }
)  # fmt: skip
RESERVED_PREFIX = "verilogeval_"
_DECLARED = re.compile(
    r"\b(?:module|macromodule|interface|program|package|primitive|class)\s+(\w+)"
)
_INSTANCE = r"\b{}\s+(?:#\s*\([^;]*?\)\s*)?(\w+)\s*\("


def scan_sample(
    code: str,
    problem: Problem | None = None,
    *,
    workdir: Path | None = None,
    sandboxed: bool = True,
    timeout_s: float = 30.0,
) -> tuple[str, ...]:
    """Every reason to distrust `code`'s official verdict, in order of first appearance.

    With `problem`, its testbench and reference follow the sample as in the compile, and
    the names they declare are reserved. A scan that cannot finish is a finding.
    """
    preprocessed = sample_as_compiled(
        code, problem, workdir=workdir, sandboxed=sandboxed, timeout_s=timeout_s
    )
    return scan_compiled(code, preprocessed, problem, timeout_s=timeout_s)


def scan_compiled(
    code: str, preprocessed: Preprocessed, problem: Problem | None, *, timeout_s: float
) -> tuple[str, ...]:
    """scan_sample's findings on `code` already preprocessed by sample_as_compiled with the
    same `problem`: a check that compiles that text anyway (strict, formal) scans it
    without preprocessing it twice."""
    raw = reader_dependent_directives(code)
    if preprocessed.text is None:
        return raw + preprocessed.reasons
    reserved = set(HARNESS_NAMES)
    for _, source in harness_files(problem):
        modules = _DECLARED.findall(source)
        reserved.update(modules)
        for module in {*modules, "RefModule", "TopModule"}:
            reserved.update(re.findall(_INSTANCE.format(re.escape(module)), source))
    arguments = {
        "source": preprocessed.text,
        "reserved": sorted(reserved),
        "reserved_prefix": RESERVED_PREFIX,
    }
    raw += preprocessed.reasons
    try:
        return raw + tuple(parse_call("scan", arguments, deadline_s=timeout_s))
    except ParseFailed as error:
        return (*raw, f"the scan could not finish: {error}")


def scan_log(log: str) -> tuple[str, ...]:
    """Reasons found in a simulation log: more than the one verdict line, or so much output
    that the grader cut some (what was cut could have held anything).

    Lines are counted as the classifier splits them (a `\\r` ends a line there too): a
    verdict line behind a carriage return is a line the classifier reads."""
    reasons = []
    lines = sum(1 for line in log_lines(log) if VERDICT_LINE.fullmatch(line))
    if lines > 1:
        reasons.append(f"{lines} verdict lines in the log (the testbench prints one)")
    if OUTPUT_CUT.search(log):
        reasons.append("output flood (the log was cut at the output cap)")
    return tuple(reasons)
