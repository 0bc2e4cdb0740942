"""The benchmark versions, and this project's v2.1 errata applied to a v2.0 clone.

Upstream promised to mark today's release v2.0 and publish its fixes as v2.1 with errata
(NVlabs/verilog-eval #13; the fixes proposed in PR #16 are unreleased). Until then the
errata are our own data: one TOML file per problem under `dataset/errata/<benchmark>/`,
each an exact old -> new replacement in one of the problem's files. They are applied to
the user's clone when it is loaded, so the official files are never copied into this
repository; the patched problem files are written to a content-addressed folder in the
cache, so a patched problem is graded, hashed and recorded like any other.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

from verilogeval.errors import UserError
from verilogeval.records import Problem, Task
from verilogeval.resources import resource_dir


class Benchmark(StrEnum):
    V2_0 = "v2.0"  # the official release, verbatim
    V2_1 = "v2.1"  # v2.0 with this project's errata applied
    V1_HUMAN = "v1-human"  # VerilogEval v1 (release/1.0.0), human-written descriptions
    V1_MACHINE = "v1-machine"  # VerilogEval v1, machine-generated descriptions

    @property
    def is_v1(self) -> bool:
        """Graded by the v1 harness (verilogeval.benchmarks.v1), not sv-iv-analyze's."""
        return self in (Benchmark.V1_HUMAN, Benchmark.V1_MACHINE)


class ProblemFile(StrEnum):
    PROMPT = "prompt"
    REF = "ref"
    TEST = "test"
    IFC = "ifc"


_SUFFIX = {
    ProblemFile.PROMPT: "_prompt.txt",
    ProblemFile.REF: "_ref.sv",
    ProblemFile.TEST: "_test.sv",
    ProblemFile.IFC: "_ifc.txt",
}


@dataclass(frozen=True)
class Edit:
    """Replace `old`, which must occur exactly once, by `new` in one file of some tasks."""

    tasks: tuple[Task, ...]
    file: ProblemFile
    old: str
    new: str


@dataclass(frozen=True)
class Erratum:
    problem: str
    upstream: str  # the upstream issue or pull request it answers
    why: str
    edits: tuple[Edit, ...]
    source: Path  # the TOML file, to name in an error


def errata_dir(benchmark: Benchmark) -> Path:
    return resource_dir("dataset") / "errata" / str(benchmark)


def load_errata(benchmark: Benchmark) -> tuple[Erratum, ...]:
    """Every erratum of `benchmark` (only v2.1 has any), in file-name order."""
    if benchmark is not Benchmark.V2_1:
        return ()
    return tuple(_read_erratum(path) for path in sorted(errata_dir(benchmark).glob("*.toml")))


def _read_erratum(path: Path) -> Erratum:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        edits = tuple(
            Edit(
                tasks=tuple(Task(task) for task in edit["tasks"]),
                file=ProblemFile(edit["file"]),
                old=_text(edit, "old"),
                new=_text(edit, "new", empty=True),
            )
            for edit in data["edit"]
        )
        return Erratum(
            problem=_text(data, "problem"),
            upstream=_text(data, "upstream"),
            why=_text(data, "why"),
            edits=edits,
            source=path,
        )
    except (tomllib.TOMLDecodeError, KeyError, ValueError, TypeError) as error:
        raise UserError(f"{path}: not a valid erratum ({error})") from None


def _text(table: dict[str, object], key: str, *, empty: bool = False) -> str:
    value = table[key]
    if not isinstance(value, str) or not (value or empty):
        raise ValueError(f"field {key!r} must be non-empty text")
    return value


def patched_dir() -> Path:
    """Where patched problem files are written, one folder per distinct content."""
    return Path.home() / ".cache" / "verilogeval" / "errata"


def apply_errata(problems: tuple[Problem, ...], benchmark: Benchmark) -> tuple[Problem, ...]:
    """`problems` with the errata of `benchmark` applied; an erratum that cannot apply (its
    old text is not in the file: a clone that is not v2.0) is an error naming it."""
    by_name = {problem.name: problem for problem in problems}
    patched: dict[str, Problem] = {}
    for erratum in load_errata(benchmark):
        problem = by_name.get(erratum.problem)
        edits = [e for e in erratum.edits if problem is not None and problem.task in e.tasks]
        if problem is None or not edits:
            continue  # a subset of the problems, or an erratum of the other task
        patched[problem.name] = _patched_problem(problem, erratum, edits)
    return tuple(patched.get(problem.name, problem) for problem in problems)


def _patched_problem(problem: Problem, erratum: Erratum, edits: list[Edit]) -> Problem:
    texts = {
        kind: path.read_text(encoding="utf-8")
        for kind in ProblemFile
        if (path := problem.folder / f"{problem.name}{_SUFFIX[kind]}").is_file()
    }
    for edit in edits:
        text = texts.get(edit.file)
        count = 0 if text is None else text.count(edit.old)
        if text is None or count != 1:
            found = "not found" if count == 0 else f"found {count} times"
            raise UserError(
                f"{erratum.source}: erratum of {problem.name} cannot apply to "
                f"{problem.folder / (problem.name + _SUFFIX[edit.file])}: its old text is "
                f"{found} (--benchmark v2.1 patches an official v2.0 clone)"
            )
        texts[edit.file] = text.replace(edit.old, edit.new)
    digest = hashlib.sha256()
    for kind, text in sorted(texts.items()):
        digest.update(f"{kind}\0{text}\0".encode())
    folder = patched_dir() / digest.hexdigest()[:24]
    for kind, text in texts.items():
        write_once(folder / f"{problem.name}{_SUFFIX[kind]}", text)
    return replace(
        problem,
        folder=folder,
        prompt=texts[ProblemFile.PROMPT],
        ref_path=folder / f"{problem.name}_ref.sv",
        test_path=None if problem.test_path is None else folder / f"{problem.name}_test.sv",
        ifc=texts.get(ProblemFile.IFC) if problem.ifc is not None else None,
    )


def write_once(path: Path, text: str) -> None:
    """Write atomically, so concurrent runs sharing the cache never read half a file."""
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
