"""The tamper scan's reading of a sample, run inside the limited parser child.

It reads the sample as Icarus's preprocessor left it (verilogeval.plus.preprocess), so
what it sees is what Icarus compiles: no macro, no `ifdef is left to hide anything. It
allows what a synthesizable design needs and finds everything else:
- system tasks and functions outside a short allow-list (`ALLOWED_SYSTEM_NAMES`);
- directives that outlive the sample (only `timescale and `default_nettype none/wire);
- declarations the testbench or harness owns (`tb`, `RefModule`, `verilogeval_*`...) and
  declarations outside a module, which share the testbench's compilation unit;
- names that do not resolve inside the sample: elaborated alone, the design cannot reach
  into `tb`, `stats1` or `$root` by upward name resolution;
- force/release, bind, defparam, DPI imports, the verdict text in a string.
Each finding is one short reason.
"""

from __future__ import annotations

import re
from typing import Any

# A design's arithmetic, sizes and (for debugging) whole lines printed to the log, whose
# verdict lines the log check counts: a printed line always ends, so the testbench's own
# verdict line still starts a line and a forged one makes two. Not `$write` (an unended
# line glues onto the testbench's verdict line and hides it) nor `$monitor` (one per
# simulation). Nothing that ends the simulation, touches files, reads plusargs, draws or
# reseeds the random streams the stimulus comes from, or runs programs.
ALLOWED_SYSTEM_NAMES = frozenset(
    {
        "$signed", "$unsigned", "$clog2", "$bits", "$size", "$left", "$right", "$low",
        "$high", "$increment", "$dimensions", "$unpacked_dimensions", "$countones",
        "$countbits", "$onehot", "$onehot0", "$isunknown", "$ln", "$log10", "$exp", "$sqrt",
        "$pow", "$floor", "$ceil", "$sin", "$cos", "$tan", "$asin", "$acos", "$atan",
        "$atan2", "$hypot", "$sinh", "$cosh", "$tanh", "$asinh", "$acosh", "$atanh", "$rtoi",
        "$itor", "$realtobits", "$bitstoreal", "$shortrealtobits", "$bitstoshortreal",
        "$time", "$stime", "$realtime", "$display", "$displayb", "$displayh", "$displayo",
        "$strobe", "$strobeb", "$strobeh", "$strobeo", "$error", "$warning", "$info",
    }
)  # fmt: skip
# Why a known name is refused; any other name outside the allow-list gets a generic reason.
_REFUSED_BY_PREFIX = (
    (("$finish", "$stop", "$fatal", "$exit"), "ends the simulation before the testbench's verdict"),
    (("$f", "$read", "$writemem", "$sread", "$dump", "$ivlh", "$sdf"), "file or dump access"),
    (("$write",), "prints an unended line, which hides the testbench's verdict line"),
    (("$random", "$urandom", "$dist_"), "the random streams belong to the testbench's stimulus"),
    (("$system",), "runs a program"),
    (("$test$plusargs", "$value$plusargs"), "reads the harness's plusargs"),
)  # fmt: skip
_VERDICT_TEXTS = ("Mismatches:", "Hint: Output", "Hint: Total mismatched", "TIMEOUT")
_ALLOWED_DIRECTIVES = frozenset({"TimeScaleDirective", "DefaultNetTypeDirective", "LineDirective"})
# The only line marker allowed: the preprocessor's own for the sample (an include gets a
# marker naming its file, level 1; the compiler files every later line under a marker's
# name, so a marker naming test.sv would make the sample's modules look like the testbench's).
_LINE_MARKER = re.compile(r'`line \d+ "sample\.sv" 0')
_NAME = re.compile(r"[\w$.\\]+")
_ALLOWED_NET_TYPES = frozenset({"none", "wire"})
# Members a file may hold at its top: everything else sits in the compilation unit the
# testbench shares (Icarus compiles the files as one unit).
_TOP_MEMBERS = frozenset(
    {
        "ModuleDeclaration",
        "InterfaceDeclaration",
        "PackageDeclaration",
        "UdpDeclaration",
        "EmptyMember",
    }
)
_DECLARATIONS = frozenset(
    {
        "ModuleDeclaration", "InterfaceDeclaration", "ProgramDeclaration", "PackageDeclaration",
        "UdpDeclaration", "ClassDeclaration", "ConfigDeclaration", "CheckerDeclaration",
    }
)  # fmt: skip
_SYNTAX_FINDINGS = {
    "ProceduralForceStatement": "force/release statement (overrides signals outside the design)",
    "ProceduralReleaseStatement": "force/release statement (overrides signals outside the design)",
    "BindDirective": "bind directive (puts code into other modules)",
    "DefParamAssignment": "defparam (changes parameters from outside)",
    "DPIImport": "DPI import (native code)",
    "DPIExport": "DPI export (native code)",
}
# What elaborating the sample alone says when a name leads outside it.
_UNRESOLVED = frozenset(
    {
        "UndeclaredIdentifier", "CouldNotResolveHierarchicalPath", "UnknownModule",
        "UnknownInterface", "UnknownPackage", "UnknownClassOrPackage", "UndeclaredButFoundPackage",
        "UnknownSystemName", "UnknownDirective",
    }
)  # fmt: skip


def system_name_reason(name: str) -> str | None:
    """Why a system task or function in a sample is a finding, or None when it is allowed."""
    if name in ALLOWED_SYSTEM_NAMES:
        return None
    for prefixes, why in _REFUSED_BY_PREFIX:
        if name.startswith(prefixes):
            return f"{name} ({why})"
    return f"{name} (a system task a design does not need)"


def scan_tokens(source: str, reserved: list[str], reserved_prefix: str) -> list[str]:
    """Findings in `source`, the sample as Icarus preprocesses it, in order of appearance."""
    from pyslang import Bag, ast, parsing, syntax

    # A last `;` (an empty member) carries the directives after the last module in its
    # trivia, and keeps the root a compilation unit.
    tree = syntax.SyntaxTree.fromText(source + "\n;\n", "sample.sv")
    found: dict[str, None] = {}
    for diagnostic in tree.diagnostics:
        if diagnostic.isError():
            found.setdefault(f"does not parse on its own ({_code(diagnostic)})", None)
    for member in tree.root.members:  # type: ignore[attr-defined]
        kind = _kind(member)
        if kind not in _TOP_MEMBERS:
            found.setdefault(f"{kind} outside a module (shared with the testbench)", None)
    names = frozenset(reserved)
    statement_text: list[str] = []

    def visit(node: Any) -> bool:
        if not isinstance(node, parsing.Token):
            kind = _kind(node)
            if kind in _SYNTAX_FINDINGS:
                found.setdefault(_SYNTAX_FINDINGS[kind], None)
            if kind in _DECLARATIONS:
                name = _declared_name(node)
                if name in names or name.startswith(reserved_prefix):
                    found.setdefault(f"declares {name!r}, a name of the testbench or harness", None)
            return True
        for trivia in node.trivia:
            reason = _trivia_reason(trivia)
            if reason:
                found.setdefault(reason, None)
        kind = _kind(node)
        text = node.valueText
        if kind == "SystemIdentifier":
            reason = system_name_reason(text)
            if reason:
                found.setdefault(reason, None)
        elif kind in ("RootSystemName", "UnitSystemName"):
            found.setdefault(f"{text} (names outside the design)", None)
        elif kind == "StringLiteral":
            statement_text.append(text)
            joined = "".join(statement_text)
            for verdict in _VERDICT_TEXTS:
                if verdict in joined:
                    found.setdefault(f"prints the testbench's verdict text {verdict!r}", None)
        elif kind == "Semicolon":
            statement_text.clear()
        return True

    tree.root.visit(visit)
    if not found:  # elaborate only a sample that reads cleanly
        # TopModule is the only top, as under the testbench: another module of the sample,
        # never instantiated, must not make `good1.out` resolve here (Icarus would find
        # the reference's instance of that name in `tb`).
        options = ast.CompilationOptions()
        options.topModules = {"TopModule"}
        compilation = ast.Compilation(Bag([options]))
        compilation.addSyntaxTree(tree)
        for diagnostic in compilation.getAllDiagnostics():
            if _code(diagnostic) in _UNRESOLVED:
                where = _where(diagnostic, tree, source)
                found.setdefault(f"a name does not resolve inside the sample ({where})", None)
    return list(found)


def _trivia_reason(trivia: Any) -> str | None:
    directive = trivia.syntax()
    if directive is None:
        return None
    kind = _kind(directive)
    if kind == "IncludeDirective":
        return "`include of a file"
    if kind not in _ALLOWED_DIRECTIVES:
        return f"{str(directive).strip().split()[0]} directive (reaches past the sample)"
    if kind == "LineDirective" and not _LINE_MARKER.fullmatch(str(directive).strip()):
        return "`include of a file, or a `line naming another file"
    if kind == "DefaultNetTypeDirective":
        net_type = str(directive).split()[-1]
        if net_type not in _ALLOWED_NET_TYPES:
            return f"`default_nettype {net_type} (changes the testbench's implicit nets)"
    return None


def _declared_name(node: Any) -> str:
    header = getattr(node, "header", None)
    name = getattr(header, "name", None) if header is not None else getattr(node, "name", None)
    return getattr(name, "valueText", "") or ""


def _kind(node: Any) -> str:
    return str(getattr(node, "kind", "")).rsplit(".", 1)[-1]


def _code(diagnostic: Any) -> str:
    return str(diagnostic.code).rsplit(".", 1)[-1].removeprefix("DiagCode(").removesuffix(")")


def _where(diagnostic: Any, tree: Any, source: str) -> str:
    """The diagnostic's code, the name it is about, and its line in the sample."""
    line = tree.sourceManager.getLineNumber(diagnostic.location)  # after the line markers
    word = _NAME.match(source, diagnostic.location.offset)
    return f"{_code(diagnostic)} {word.group()[:60] if word else ''!r}, line {line}"
