"""Load a problem set from disk and select problems from it.

Three layouts are accepted: a clone of the official repository (a root holding
`dataset_<task>/` folders), one task folder, or the project's own `dataset/` (laid
out like the official root). Files follow the official convention
`ProbNNN_name_{prompt.txt,ref.sv,test.sv[,ifc.txt][,test.py]}`.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from verilogeval.dataset.errata import Benchmark, apply_errata
from verilogeval.dataset.v1 import load_v1
from verilogeval.errors import UserError
from verilogeval.records import Problem, Task
from verilogeval.resources import resource_dir

_NAME = re.compile(r"^Prob(\d+)_\w+$")
_PROMPT_SUFFIX = "_prompt.txt"


@dataclass(frozen=True)
class Dataset:
    """The problems of one task, and where they came from."""

    root: Path  # the dataset root (official clone root, or the task folder itself)
    task: Task
    folder: Path  # the task folder holding the problem files
    problems: tuple[Problem, ...]
    benchmark: Benchmark = Benchmark.V2_0  # v2.1: the problems carry this project's errata

    @property
    def shots_dir(self) -> Path:
        """Where the official in-context shot files live in an official clone."""
        return self.root / "scripts"

    @property
    def is_official(self) -> bool:
        """An official clone ships its shot files; our own dataset does not."""
        return (self.shots_dir / f"verilog-example-prefix_{self.task}_1-shot.txt").is_file()

    def content_hash(self) -> str:
        """sha256 over every problem file, so a run can record exactly what it graded."""
        digest = hashlib.sha256()
        for problem in self.problems:
            for path in problem_files(problem):
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
        return digest.hexdigest()

    def problem(self, name: str) -> Problem:
        for problem in self.problems:
            if problem.name == name:
                return problem
        raise UserError(f"{self.folder}: no problem named {name!r}")


def default_dataset_root() -> Path:
    return resource_dir("dataset")


def problem_files(problem: Problem) -> list[Path]:
    files = [problem.folder / f"{problem.name}{_PROMPT_SUFFIX}", problem.ref_path]
    for optional in (problem.test_path, problem.test_py_path):
        if optional is not None:
            files.append(optional)
    if problem.ifc is not None:
        files.append(problem.folder / f"{problem.name}_ifc.txt")
    return files


def task_folder(root: Path, task: Task) -> tuple[Path, Path]:
    """(dataset root, task folder) for a path that is either a root or a task folder."""
    if not root.exists():
        raise UserError(f"{root}: dataset folder does not exist")
    if not root.is_dir():
        raise UserError(f"{root}: not a folder")
    nested = root / f"dataset_{task}"
    if nested.is_dir():
        return root, nested
    if any(root.glob(f"Prob*{_PROMPT_SUFFIX}")):
        return root, root
    raise UserError(
        f"{root}: not a dataset (expected dataset_{task}/ or Prob*_prompt.txt files in it)"
    )


def folder_task(root: Path) -> Task | None:
    """The task a single task folder is named after (`dataset_<task>`), else None."""
    name = root.name.removeprefix("dataset_")
    if name == root.name:
        return None
    return next((task for task in Task if str(task) == name), None)


def resolve_task(root: Path | None, task: Task | None) -> Task:
    """--task, or the task a single task folder holds; a --task that contradicts it is refused.

    A folder named `dataset_code-complete-iccad2023` read as spec-to-rtl would build the
    wrong prompts and grade without the interfaces, so the folder's name decides.
    """
    named = None if root is None else folder_task(root.resolve())
    if named is not None and task is not None and task is not named:
        raise UserError(
            f"{root} holds the {named} task, not --task {task}: leave --task out, "
            "or pass the dataset root that holds both task folders"
        )
    return named or task or Task.SPEC_TO_RTL


def load_dataset(
    root: Path | None, task: Task | None, benchmark: Benchmark = Benchmark.V2_0
) -> Dataset:
    """Read every problem of `task` under `root` (default: the embedded dataset).

    Without a task, a single task folder gives its own, anything else spec-to-rtl. Under
    `benchmark` v2.1 the problems carry the errata (see verilogeval.dataset.errata). A v1 benchmark
    reads a clone of v1 (see verilogeval.dataset.v1): a completion task.
    """
    if benchmark.is_v1:
        return _load_v1(root, task, benchmark)
    task = resolve_task(root, task)
    root = (root or default_dataset_root()).resolve()
    root, folder = task_folder(root, task)
    names = _problem_names(folder)
    problems = tuple(_load_problem(folder, name, task) for name in names)
    problems = apply_errata(problems, benchmark)
    return Dataset(root=root, task=task, folder=folder, problems=problems, benchmark=benchmark)


def _load_v1(root: Path | None, task: Task | None, benchmark: Benchmark) -> Dataset:
    if root is None:
        raise UserError(
            f"--benchmark {benchmark} needs --dataset: a clone of the official VerilogEval "
            "release/1.0.0 branch (or one of its problem files)"
        )
    if task not in (None, Task.CODE_COMPLETE):
        raise UserError(f"--benchmark {benchmark} is a completion benchmark, not --task {task}")
    v1 = load_v1(root, benchmark)
    return Dataset(
        root=v1.root,
        task=Task.CODE_COMPLETE,
        folder=v1.folder,
        problems=v1.problems,
        benchmark=benchmark,
    )


def _problem_names(folder: Path) -> list[str]:
    listed = folder / "problems.txt"
    found = sorted(p.name[: -len(_PROMPT_SUFFIX)] for p in folder.glob(f"Prob*{_PROMPT_SUFFIX}"))
    if not listed.is_file():
        return found
    names = [line.strip() for line in listed.read_text().splitlines() if line.strip()]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise UserError(f"{listed}: duplicate problem {name!r}")
        seen.add(name)
    return names


def _load_problem(folder: Path, name: str, task: Task) -> Problem:
    match = _NAME.match(name)
    if not match:
        raise UserError(f"{folder}: problem name {name!r} is not ProbNNN_name")
    prompt_path = folder / f"{name}{_PROMPT_SUFFIX}"
    ref_path = folder / f"{name}_ref.sv"
    test_path = folder / f"{name}_test.sv"
    test_py_path = folder / f"{name}_test.py"
    ifc_path = folder / f"{name}_ifc.txt"
    for required in (prompt_path, ref_path):
        if not required.is_file():
            raise UserError(f"{required}: missing problem file")
    if not test_path.is_file() and not test_py_path.is_file():
        raise UserError(f"{test_path}: missing problem file (no _test.sv nor _test.py)")
    prompt = _read_text(prompt_path)
    if not prompt.strip():
        raise UserError(f"{prompt_path}: empty prompt")
    ifc = None
    if task is Task.CODE_COMPLETE:
        if not ifc_path.is_file():
            raise UserError(f"{ifc_path}: missing problem file (code completion needs it)")
        ifc = _read_text(ifc_path)
    return Problem(
        name=name,
        number=int(match.group(1)),
        task=task,
        folder=folder,
        prompt=prompt,
        ref_path=ref_path,
        test_path=test_path if test_path.is_file() else None,
        ifc=ifc,
        test_py_path=test_py_path if test_py_path.is_file() else None,
    )


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise UserError(f"{path}: not UTF-8 text ({error.reason})") from None


def select_problems(problems: tuple[Problem, ...], spec: str | None) -> tuple[Problem, ...]:
    """Problems matching a comma-separated list of names, globs and number ranges.

    `Prob001_zero`, `Prob00*`, `1-20`, `7` may be mixed; the dataset's order is kept.
    A term that matches nothing is an error, so a typo never silently shrinks a run.
    """
    if spec is None or not spec.strip():
        return problems
    chosen: set[str] = set()
    for term in (t.strip() for t in spec.split(",")):
        if not term:
            continue
        matched = [p.name for p in problems if _matches(p, term)]
        if not matched:
            raise UserError(f"--problems: {term!r} matches no problem")
        chosen.update(matched)
    return tuple(p for p in problems if p.name in chosen)


def _matches(problem: Problem, term: str) -> bool:
    number_range = re.fullmatch(r"(\d+)(?:-(\d+))?", term)
    if number_range:
        low = int(number_range.group(1))
        high = int(number_range.group(2) or low)
        return low <= problem.number <= high
    return fnmatch.fnmatchcase(problem.name, term) or problem.name == term
