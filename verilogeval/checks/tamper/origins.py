"""Whether the compiled design is the one graded: `tb` from the testbench, RefModule from
the reference, TopModule from the sample.

The scan refuses a sample that swallows the files after it, but a trusted verdict must
not rest on the scan alone: the compiled vvp file says, for every module scope, which
file its definition came from (its `:file_names` table and `.scope module` lines). A
sample that brings its own `tb` or RefModule, however it hid the real ones, shows here.
The file names come from the preprocessor's line markers; the scan refuses a sample's
own `line naming another file, so a definition cannot claim another file's name.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

# Scope of a module instance: `S_0x... .scope module, "inst" "Def" F L[, DF DL 0, S_parent];`
# A root has only its definition's file and line; an instance also has where it is made.
_SCOPE = re.compile(
    r'^\S+ \.scope module, "(?:[^"\\]|\\.)*" "((?:[^"\\]|\\.)*)" (\d+) \d+'
    r"(?:, (\d+) \d+ \d+, (\S+))?;$",
    re.MULTILINE,
)
_FILE_NAMES = re.compile(r"^:file_names (\d+);\n", re.MULTILINE)
_FILE_NAME = re.compile(r'^\s*"((?:[^"\\]|\\.)*)";$')
REQUIRED = ("tb", "RefModule", "TopModule")


def design_origin_issues(
    vvp_text: str, origins: Mapping[str, str], roots: Collection[str]
) -> tuple[str, ...]:
    """Reasons the compiled design is not the graded one; () when it is.

    `origins` maps module names to the file each must be defined in (every module named
    in REQUIRED must be there and appear); `roots` are the only allowed root modules.
    """
    files = _file_names(vvp_text)
    if files is None:
        return ("the compiled simulation has no file table",)
    issues: dict[str, None] = {}
    seen: set[str] = set()
    for match in _SCOPE.finditer(vvp_text):
        name, root_file, child_file, parent = match.groups()
        index = int(child_file if parent is not None else root_file)
        source = files[index] if index < len(files) else f"file #{index}"
        seen.add(name)
        if parent is None and name not in roots:
            issues.setdefault(f"root module {name!r} from {source} is not the testbench's", None)
        wanted = origins.get(name)
        if wanted is not None and source != wanted:
            issues.setdefault(f"module {name!r} comes from {source}, not from {wanted}", None)
    for name in REQUIRED:
        if name not in seen:
            issues.setdefault(f"the compiled simulation has no module {name!r}", None)
    return tuple(issues)


def _file_names(vvp_text: str) -> list[str] | None:
    match = _FILE_NAMES.search(vvp_text)
    if match is None:
        return None
    lines = vvp_text[match.end() :].split("\n", int(match.group(1)))[: int(match.group(1))]
    names = [_FILE_NAME.match(line) for line in lines]
    return [name.group(1) if name else "?" for name in names]
