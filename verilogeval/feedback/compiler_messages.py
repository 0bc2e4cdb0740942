"""The compiler's messages on the answer's own lines, and nothing of the testbench's files.

The compile reads three files: sample.sv (the answer), test.sv and ref.sv. Only a message
located on a line of sample.sv is shown, with the line's own text beside it. A message
located in test.sv or ref.sv is withheld (counted), but for two shapes about the testbench's
instance of the answer whose only words are a port name of the interface (which the prompt
shows) and numbers: a port the answer lacks, and a width that differs. A message on a sample
line that names another file (Icarus's "declared here: ./ref.sv:2") is withheld too. Lines
without a location ("I give up.", the count of errors) add nothing and are dropped.

Within a message kept, a word is shown only when the answer holds it, the interface names
it (the prompt shows the ports), or it is one of Icarus's own words (`COMPILER_WORDS`, the
harness's `tb.top_module1` among them, and the names Icarus gives scopes it makes);
any other word becomes `<hidden>`. Icarus names what a line of the answer reaches, and an
answer can reach into the testbench (`stimulus_gen s();` gets "dangling input port 1
(clk)": the testbench module's port names).

An answer holding a preprocessor directive (but `timescale and `default_nettype) gets no
message at all: with `include or a macro, a message on one of its lines could quote the
testbench's text. Every directive starts with a grave accent, so the rule is on the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from verilogeval.grading.classify import log_lines

MAX_MESSAGES = 20
MAX_MESSAGE_CHARS = 240
MAX_SOURCE_CHARS = 160

_SAMPLE_LOCATED = re.compile(r"sample\.sv:(\d{1,7}): ?(.*)")
_LOCATED = re.compile(r"\S*:\d+:")  # any file:line, e.g. ./test.sv:12: or ref.sv:3:
# A message naming a file other than the answer's: the testbench's or reference's by name,
# or any other `file:line` (an answer that is not refused cannot include a file, but the
# compiler may still point at a declaration in the testbench's files).
# A name in a message; not the digits of a based literal (`1'd0`) nor a part of a name.
_WORD = re.compile(r"(?<!['\w$])[A-Za-z_][A-Za-z0-9_$]*")
_ICARUS_NAME = re.compile(r"ivl_\w+")  # a name Icarus gives a scope it made ($ivl_for_loop0)
HIDDEN = "<hidden>"
_COMPILER_WORDS_TEXT = """
    error warning sorry syntax in continuous assignment procedural statement unable to
    Unable bind wire reg memory elaborate Unable elaborate r value l value rvalue lvalue
    Unknown unknown module type is not a an the of as port ports declared here has already
    been this scope It it was were Instantiating instantiating with dangling input output
    inout floating Member member struct union packed type expects bits got Padding padding
    high low bit Pruning pruning implicit definition net variable Variable Net constant
    Constant expression expressions must be size sized greater than zero width numeric
    assign assigned assigning cannot can may Only only one multiple driven drivers driver
    Array array index out range bounds select part vector scalar Part Select Operand operand
    operator operators function task Function Task call called arguments argument too many
    few missing Missing Invalid invalid illegal Illegal use used using always always_comb
    always_ff always_latch initial process processes sensitivity sensitivities list found
    no never trigger will so that for at least Enable enable gate delay case casez casex
    default statement statements block blocks begin end generate genvar loop loops for while
    if else identifier Identifier name names undeclared Undeclared missing declaration
    Declaration declarations redeclared Redeclared previously defined definition Definition
    localparam parameter Parameter parameters value values signed unsigned integer real
    logic bit byte int shortint longint explicit cast required This assignment requires
    requires nested nest into inside outside timescale default_nettype and or not nor xor
    xnor nand buf posedge negedge edge event events include file files endmodule endcase
    endfunction endtask endgenerate of Error Warning note Note here top level root
    hierarchical reference references path design object objects does exist exists
    Incompatible incompatible types type Type converted conversion truncated truncation
    extended extension operand sized unsized Unsized based number numbers digits digit
    System system Unsupported unsupported yet not supported Sorry sorry Sized have No named
    context Failed failed evaluate valid tb top_module1 TopModule
"""
COMPILER_WORDS = frozenset(_COMPILER_WORDS_TEXT.split())
_DIRECTIVE = re.compile(r"`(?!(?:timescale|default_nettype)\b)")
_FILE_LOCATION = re.compile(r"[\w./-]*\.\w+:\d+")
# Messages on the testbench's instance of the answer, kept with only the port and numbers:
# (shape, the group holding the port's name, the wording shown).
_TESTBENCH_SHAPES = (
    (
        re.compile(r"warning: Port \d+ \((\w+)\) of TopModule expects (\d+) bits, got (\d+)\."),
        1,
        "warning: port {0} of your module is {1} bits wide, the testbench connects {2} bits",
    ),
    (
        re.compile(r"error: port ``(\w+)'' is not a port of \w+\."),
        1,
        "error: the testbench connects port {0}, which your module does not declare",
    ),
)


@dataclass(frozen=True)
class CompilerMessage:
    line: int | None  # the line of the answer's file; None for the testbench's instance of it
    text: str  # the message without its file and line; printable ASCII, capped
    source: str  # that line of the answer's file, as written (capped); "" without a line


@dataclass(frozen=True)
class CompilerEvidence:
    messages: tuple[CompilerMessage, ...]
    withheld: int  # messages located in the testbench or reference, or past the cap


def compiler_evidence(output: str, code: str, ports: frozenset[str]) -> CompilerEvidence:
    """The compile `output`'s messages the compiler level may show; `code` is the answer's
    file (sample.sv), `ports` the interface's port names."""
    code_lines = log_lines(code)
    directives = _DIRECTIVE.search(code) is not None
    known = COMPILER_WORDS | ports | frozenset(_WORD.findall(code))
    messages: list[CompilerMessage] = []
    withheld = 0
    for raw in log_lines(output):
        line = raw.strip()
        if not line or not _LOCATED.match(line):
            continue
        message = None if directives else _message(line, code_lines, ports, known)
        if message in messages:
            continue
        if message is None or len(messages) == MAX_MESSAGES:
            withheld += 1
            continue
        messages.append(message)
    return CompilerEvidence(messages=tuple(messages), withheld=withheld)


def _hide_foreign_words(text: str, known: frozenset[str]) -> str:
    def shown(word: str) -> str:
        return word if word in known or _ICARUS_NAME.fullmatch(word) else HIDDEN

    return _WORD.sub(lambda m: shown(m.group()), text)


def _message(
    line: str, code_lines: list[str], ports: frozenset[str], known: frozenset[str]
) -> CompilerMessage | None:
    located = _SAMPLE_LOCATED.fullmatch(line)
    if located is None:
        return _testbench_message(line, ports)
    number, text = int(located.group(1)), located.group(2)
    if _names_other_file(text):
        return None
    source = code_lines[number - 1] if 0 < number <= len(code_lines) else ""
    return CompilerMessage(
        line=number,
        text=printable(_hide_foreign_words(text, known), MAX_MESSAGE_CHARS),
        source=printable(source.strip(), MAX_SOURCE_CHARS),
    )


def _names_other_file(text: str) -> bool:
    if "test.sv" in text or "ref.sv" in text:
        return True
    return any(not m.startswith("sample.sv:") for m in _FILE_LOCATION.findall(text))


def _testbench_message(line: str, ports: frozenset[str]) -> CompilerMessage | None:
    text = line.split(": ", 1)[-1]
    for shape, port_group, wording in _TESTBENCH_SHAPES:
        match = shape.fullmatch(text)
        if match and match.group(port_group) in ports:
            return CompilerMessage(line=None, text=wording.format(*match.groups()), source="")
    return None


def printable(text: str, limit: int) -> str:
    """`text` as printable ASCII (anything else a '?'), cut to `limit` characters."""
    cleaned = "".join(c if " " <= c <= "~" else "?" for c in text)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 3] + "..."
