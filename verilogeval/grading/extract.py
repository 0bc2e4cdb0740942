"""Turn a model response into the sample file that gets simulated.

Two modes. `official` reproduces NVlabs/verilog-eval `scripts/sv-generate` byte for
byte, quirks and marker comments included, so pass rates compare with the paper.
`robust` repairs the quirks that fail correct answers (see the README's Extraction
section): it changes which code lands in the file, never the frame around it. The marker
comments are those the official script attaches to the same response: they do not change
a grade, and keeping them means both modes write the same file wherever the official
script already extracts the right code.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from verilogeval.generation.responses import split_thinking
from verilogeval.grading.v1.completion import v1_sample_code
from verilogeval.records import Harness, Problem, Task


class ExtractMode(StrEnum):
    OFFICIAL = "official"
    ROBUST = "robust"


# Prompt styles are plain strings here so this module does not depend on the prompt stage.
_MODE_BY_STYLE: dict[str, ExtractMode] = {
    "official-v2": ExtractMode.OFFICIAL,
    "native": ExtractMode.ROBUST,
    "official-v1": ExtractMode.ROBUST,  # v1 has no extraction: chat answers need ours
}


def default_mode(style: str) -> ExtractMode:
    """Official extraction goes with the official prompts; our native prompts get robust."""
    try:
        return _MODE_BY_STYLE[str(style)]
    except KeyError:
        known = ", ".join(_MODE_BY_STYLE)
        raise ValueError(f"unknown prompt style {style!r} (known: {known})") from None


def extract(response: str, problem: Problem, mode: ExtractMode) -> str:
    """The sample file text for `response`; code completion needs `problem.ifc`.

    A leading `<think>...</think>` is the model's thinking, not its answer: only what
    follows it is read (a response without one is read whole, byte for byte).
    """
    if problem.task is Task.CODE_COMPLETE and problem.ifc is None:
        raise ValueError(f"{problem.name}: code completion needs the interface (_ifc.txt)")
    if problem.harness is Harness.V1:  # a completion (verilogeval.grading.v1.completion)
        return v1_sample_code(response, problem, as_is=mode is ExtractMode.OFFICIAL)
    return _EXTRACTORS[(mode, problem.task)](split_thinking(response).text, problem)


# Marker comments the official script appends; part of the sample file it writes.
NO_CODE_TAGS = "// VERILOG-EVAL: response did not use <CODE></CODE> correctly"
ABNORMAL_BACKTICKS = "// VERILOG-EVAL: abnormal backticks count"
ERRANT_MODULE = "// VERILOG-EVAL: errant inclusion of module definition"
NO_ENDMODULE = "// VERILOG-EVAL: endmodule not found"

_BEGIN = "[BEGIN]"
_DONE = "[DONE]"
_FENCE = "```"
_TOP_HEADER = "module TopModule"


def _file(lines: list[str]) -> str:
    """What the official script's sequence of print() calls leaves in the file."""
    return "".join(f"{line}\n" for line in lines)


def _is_top_header(line: str) -> bool:
    return line.strip().startswith(_TOP_HEADER)


def _opens_code(line: str) -> bool:
    """Where the official script looks for [BEGIN]: at the start of a line."""
    return line.lstrip().startswith(_BEGIN)


def _is_endmodule(line: str) -> bool:
    return line.strip().startswith("endmodule")


# ---------------------------------------------------------------------------
# official: sv-generate, line for line in behaviour
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _OfficialScan:
    """The official script's two passes over a response without [BEGIN]/[DONE] handling."""

    backticks: int  # lines starting (unindented) with ```
    top_already_exists: bool  # an unindented TopModule header, no unindented endmodule before it
    echoed: list[str]
    found_top: bool  # any line, indented or not, starts a TopModule header
    found_endmodule: bool


def _official_scan(lines: list[str]) -> _OfficialScan:
    backticks = 0
    top_already_exists = False
    endmodule_first = False
    for line in lines:
        if line.startswith(_FENCE):
            backticks += 1
        elif line.startswith("endmodule"):
            endmodule_first = endmodule_first or not top_already_exists
        elif line.startswith(_TOP_HEADER):
            top_already_exists = True
    top_already_exists = top_already_exists and not endmodule_first

    echoed: list[str] = []
    inside_fence = after_fence = found_top = found_endmodule = False
    for line in lines:
        found_top = found_top or _is_top_header(line)
        if backticks >= 2:
            echo = inside_fence and not after_fence
        else:
            echo = not found_endmodule and (found_top or not top_already_exists)
        if line.startswith(_FENCE):
            after_fence = inside_fence
            inside_fence = True
            echo = False
        elif _is_endmodule(line):
            found_endmodule = True
        if echo:
            echoed.append(line)
    return _OfficialScan(backticks, top_already_exists, echoed, found_top, found_endmodule)


def _official_spec_to_rtl(response: str, problem: Problem) -> str:
    lines = response.splitlines()
    delimited: list[str] = []
    started = done = False
    for line in lines:
        if not started:
            if line.strip() == _BEGIN:
                started = True
            elif _opens_code(line):
                delimited.append(line.lstrip().replace(_BEGIN, ""))
                started = True
        elif not done:
            if line.strip() == _DONE:
                done = True
            elif line.rstrip().endswith(_DONE):
                delimited.append(line.rstrip().replace(_DONE, ""))
                done = True
            else:
                delimited.append(line)
    out = [""]
    if started and done:
        out += delimited
    elif not started:
        out += [*_official_scan(lines).echoed, "", NO_CODE_TAGS]
    return _file([*out, ""])


def _official_code_complete(response: str, problem: Problem) -> str:
    scan = _official_scan(response.splitlines())
    out = [""]
    if not scan.top_already_exists:
        out.append(f"{problem.ifc}\n")
    out += [*scan.echoed, ""]
    out += _code_complete_markers(scan.backticks, scan.found_top, scan.found_endmodule)
    return _file([*out, ""])


def _code_complete_markers(backticks: int, found_top: bool, found_endmodule: bool) -> list[str]:
    markers: list[str] = []
    if backticks == 1 or backticks > 2:
        markers += [ABNORMAL_BACKTICKS, ""]
    if found_top:
        markers += [ERRANT_MODULE, ""]
    if not found_endmodule:
        markers += [NO_ENDMODULE, ""]
    return markers


# ---------------------------------------------------------------------------
# robust: the same output, minus the quirks
# ---------------------------------------------------------------------------

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_MODULE_HEADER = re.compile(r"^\s*(?:macro)?module\s+(\w+)")
# Names the testbench and reference already define: a response's own copy must not clash.
_HARNESS_MODULES = frozenset({"tb", "RefModule"})


def _robust_code(response: str) -> list[str]:
    """The code lines of a response: delimited region, then fenced block, then modules."""
    region, delimited = _delimited_region(_split_lines(response))
    fence_rows = [i for i, line in enumerate(region) if line.strip().startswith(_FENCE)]
    if len(fence_rows) >= 2:
        lines = _code_block(region, fence_rows)
    else:
        lines = [line for line in region if not line.strip().startswith(_FENCE)]
        if not delimited:
            lines = _module_lines(lines)
    return lines


def _code_block(region: list[str], fence_rows: list[int]) -> list[str]:
    """The first fenced block holding an endmodule (a module or a completion body), else the
    first block: a leading block of prose or a truth table is not the answer."""
    blocks = [
        region[open_row + 1 : close_row]
        for open_row, close_row in zip(fence_rows[::2], fence_rows[1::2], strict=False)
    ]
    return next((b for b in blocks if any(map(_is_endmodule, b))), blocks[0])


def _split_lines(text: str) -> list[str]:
    """Lines split at LF, CRLF and CR only: str.splitlines() also splits at form feeds and
    Unicode separators, which can sit inside a comment or a string of correct code."""
    lines = _LINE_BREAK.split(text)
    if lines[-1] == "":
        lines.pop()
    return lines


def _delimited_region(lines: list[str]) -> tuple[list[str], bool]:
    """Lines after [BEGIN] up to [DONE], or to the end when [DONE] is missing.

    The markers are recognised where the official script looks for them ([BEGIN] opening
    a line, [DONE] closing one); code sharing a line with a marker is kept. Without
    [BEGIN] the whole response is the region.
    """
    start = next((i for i, line in enumerate(lines) if _opens_code(line)), None)
    if start is None:
        return lines, False
    after_begin = lines[start].lstrip().removeprefix(_BEGIN)
    candidates = [after_begin] if after_begin.strip() else []
    region: list[str] = []
    for line in [*candidates, *lines[start + 1 :]]:
        if line.rstrip().endswith(_DONE):
            code = line.rstrip().removesuffix(_DONE)
            if code.strip():
                region.append(code)
            return region, True
        region.append(line)
    return region, False


def _module_lines(lines: list[str]) -> list[str]:
    """The first TopModule and its helper modules, or, without TopModule, the text up to
    the first endmodule (a body for code completion) and the modules after it.

    Helpers before or after TopModule are kept, each name once; prose between modules is
    dropped. With a single TopModule and no helper this is exactly the official choice.
    """
    spans = _module_spans(lines)
    top = next((span for span in spans if span[0] == "TopModule"), None)
    if top is None:
        end = next((i + 1 for i, line in enumerate(lines) if _is_endmodule(line)), len(lines))
        top = ("TopModule", 0, end)
    kept = [top]
    names = {"TopModule"}
    for span in spans:
        name, start, end = span
        overlaps = start < top[2] and top[1] < end
        if name in names or name in _HARNESS_MODULES or overlaps:
            continue
        names.add(name)
        kept.append(span)
    kept.sort(key=lambda span: span[1])
    out: list[str] = []
    for _, start, end in kept:
        if out:
            out.append("")
        out += lines[start:end]
    return out


def _module_name(line: str) -> str | None:
    header = _MODULE_HEADER.match(line)
    return header.group(1) if header else None


def _module_spans(lines: list[str]) -> list[tuple[str, int, int]]:
    """(name, first line, one past its endmodule) of each complete module definition."""
    spans: list[tuple[str, int, int]] = []
    open_module: tuple[str, int] | None = None
    for i, line in enumerate(lines):
        name = _module_name(line)
        if name and open_module is None:
            open_module = (name, i)
        elif _is_endmodule(line) and open_module is not None:
            spans.append((open_module[0], open_module[1], i + 1))
            open_module = None
    return spans


def _robust_spec_to_rtl(response: str, problem: Problem) -> str:
    out = ["", *_robust_code(response)]
    if not any(_opens_code(line) for line in response.splitlines()):
        out += ["", NO_CODE_TAGS]
    return _file([*out, ""])


def _robust_code_complete(response: str, problem: Problem) -> str:
    lines = _robust_code(response)
    out = [""]
    if not any(_module_name(line) == "TopModule" for line in lines):
        out.append(f"{problem.ifc}\n")
    out += [*lines, ""]
    scan = _official_scan(response.splitlines())
    out += _code_complete_markers(scan.backticks, scan.found_top, scan.found_endmodule)
    return _file([*out, ""])


_EXTRACTORS: dict[tuple[ExtractMode, Task], Callable[[str, Problem], str]] = {
    (ExtractMode.OFFICIAL, Task.SPEC_TO_RTL): _official_spec_to_rtl,
    (ExtractMode.OFFICIAL, Task.CODE_COMPLETE): _official_code_complete,
    (ExtractMode.ROBUST, Task.SPEC_TO_RTL): _robust_spec_to_rtl,
    (ExtractMode.ROBUST, Task.CODE_COMPLETE): _robust_code_complete,
}
