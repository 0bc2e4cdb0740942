"""Find what in a sample acts on the harness rather than on the design.

The official flow trusts the log the simulation prints, and the sample runs in the same
simulation as the testbench: it can print the verdict line itself, end the simulation
before the testbench compares, write or read files, or reach into the testbench. The scan
reads the sample's tokens with pyslang (includes are never opened: the scan runs outside
the sandbox); the log check counts verdict lines. Each finding is one short reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from verilogeval.classify import log_lines

SCAN_RULES = 2  # bump when the scan finds other things: cached plus results depend on it
# System tasks and functions a design never needs, by what they do to the harness.
_ENDS_SIMULATION = frozenset({"$finish", "$stop", "$fatal", "$exit"})
_FILES = frozenset(
    {
        "$fopen", "$fclose", "$fwrite", "$fwriteb", "$fwriteh", "$fwriteo", "$fdisplay",
        "$fdisplayb", "$fdisplayh", "$fdisplayo", "$fstrobe", "$fstrobeb", "$fstrobeh",
        "$fstrobeo", "$fmonitor", "$fmonitorb", "$fmonitorh", "$fmonitoro", "$fflush",
        "$fgetc", "$fgets", "$fscanf", "$fread", "$fseek", "$ftell", "$rewind", "$ungetc",
        "$feof", "$ferror", "$readmemb", "$readmemh", "$writememb", "$writememh",
        "$dumpfile", "$dumpvars", "$dumpon", "$dumpoff", "$dumpall", "$dumpflush",
        "$dumplimit", "$dumpports", "$sreadmemb", "$sreadmemh",
    }
)  # fmt: skip
_PROCESSES = frozenset({"$system"})
_PLUSARGS = frozenset({"$test$plusargs", "$value$plusargs"})  # the harness's seed shift
# Text of the testbench's verdict: a sample that prints it forges the official grade.
_VERDICT_TEXTS = ("Mismatches:", "Hint: Output", "Hint: Total mismatched", "TIMEOUT")
VERDICT_LINE = re.compile(r"Mismatches: \d+ in \d+ samples")  # a whole line of the log
OUTPUT_CUT = re.compile(r"^\[verilogeval: \d+ bytes of output cut\]$", re.MULTILINE)  # simulate
# Names that lead out of the design into the testbench or the root of the hierarchy.
_OUTSIDE_ROOTS = frozenset({"tb", "$root", "$unit", "stim1", "stats1", "good1", "top_module1"})


def scan_sample(code: str) -> tuple[str, ...]:
    """Every reason to distrust `code`'s official verdict, in order of first appearance."""
    from pyslang import Bag, SourceManager, parsing, syntax

    options = parsing.PreprocessorOptions()
    options.maxIncludeDepth = 0  # an `include is reported, never read
    tree = syntax.SyntaxTree.fromText(code, SourceManager(), "sample.sv", "", Bag([options]))
    reasons: dict[str, None] = {}
    statement_text: list[str] = []
    previous: list[str] = [""]  # the token before: an identifier's text, else its kind

    def found(reason: str) -> None:
        reasons.setdefault(reason, None)

    def visit(node: object) -> bool:
        if not isinstance(node, parsing.Token):
            kind = str(getattr(node, "kind", ""))
            if kind.endswith(("ForceStatement", "ReleaseStatement")):
                found("force/release statement (overrides signals outside the design)")
            elif kind.endswith("BindDirective"):
                found("bind directive (puts code into other modules)")
            elif kind.endswith("DefParamAssignment"):
                found("defparam (changes parameters from outside)")
            return True
        for trivia in node.trivia:
            directive = trivia.syntax()
            if directive is not None and str(directive.kind).endswith("IncludeDirective"):
                found("`include of a file")
        _token(node, found, statement_text, previous)
        return True

    tree.root.visit(visit)
    return tuple(reasons)


def _token(
    token: object, found: Callable[[str], None], statement_text: list[str], previous: list[str]
) -> None:
    kind = str(token.kind).rsplit(".", 1)[-1]  # type: ignore[attr-defined]
    text = token.valueText  # type: ignore[attr-defined]
    if kind == "SystemIdentifier":
        if text in _ENDS_SIMULATION:
            found(f"{text} (ends the simulation before the testbench's verdict)")
        elif text in _FILES:
            found(f"{text} (file or dump access)")
        elif text in _PROCESSES:
            found(f"{text} (runs a program)")
        elif text in _PLUSARGS:
            found(f"{text} (reads the harness's plusargs)")
    elif kind == "StringLiteral":
        statement_text.append(text)
        joined = "".join(statement_text)
        for verdict in _VERDICT_TEXTS:
            if verdict in joined:
                found(f"prints the testbench's verdict text {verdict!r}")
    elif kind == "Semicolon":
        statement_text.clear()
    if kind == "Dot" and previous[0] in _OUTSIDE_ROOTS:
        found(f"hierarchical reference into {previous[0]!r} (outside the design)")
    previous[0] = text if kind in ("Identifier", "SystemIdentifier") else kind


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
