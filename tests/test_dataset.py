"""Dataset loading, problem selection and bad-input errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from verilogeval.dataset.loader import load_dataset, select_problems
from verilogeval.errors import UserError
from verilogeval.records import Task


def _write_problem(folder: Path, name: str, prompt: str = "Do it.\n", ifc: bool = False) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}_prompt.txt").write_text(prompt)
    (folder / f"{name}_ref.sv").write_text("module RefModule(output z); assign z = 0; endmodule\n")
    (folder / f"{name}_test.sv").write_text("module tb; endmodule\n")
    if ifc:
        (folder / f"{name}_ifc.txt").write_text("module TopModule(output z);\n")


def test_official_clone_both_tasks_read_their_own_folder(official_root):
    spec = load_dataset(official_root, Task.SPEC_TO_RTL)
    complete = load_dataset(official_root, Task.CODE_COMPLETE)
    assert len(spec.problems) == 156 and len(complete.problems) == 156
    assert spec.problems[0].name == "Prob001_zero"
    assert spec.is_official and complete.is_official
    assert all(p.folder.name == "dataset_code-complete-iccad2023" for p in complete.problems)
    assert all(p.ifc for p in complete.problems)
    assert spec.problems[0].ifc is None


def test_one_task_folder_is_a_dataset(official_root):
    folder = official_root / "dataset_spec-to-rtl"
    dataset = load_dataset(folder, Task.SPEC_TO_RTL)
    assert dataset.folder == folder.resolve()
    assert len(dataset.problems) == 156
    assert not dataset.is_official  # no scripts/ next to a bare task folder


def test_order_comes_from_problems_txt(tmp_path):
    for name in ("Prob002_b", "Prob001_a"):
        _write_problem(tmp_path, name)
    (tmp_path / "problems.txt").write_text("Prob002_b\nProb001_a\n")
    assert [p.name for p in load_dataset(tmp_path, Task.SPEC_TO_RTL).problems] == [
        "Prob002_b",
        "Prob001_a",
    ]
    (tmp_path / "problems.txt").unlink()
    assert [p.name for p in load_dataset(tmp_path, Task.SPEC_TO_RTL).problems] == [
        "Prob001_a",
        "Prob002_b",
    ]


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda d: (d / "Prob001_a_ref.sv").unlink(), r"Prob001_a_ref\.sv: missing problem file"),
        (lambda d: (d / "Prob001_a_prompt.txt").write_text("  \n"), "empty prompt"),
        (lambda d: (d / "problems.txt").write_text("Prob001_a\nProb001_a\n"), "duplicate"),
        (lambda d: (d / "Prob001_a_prompt.txt").write_bytes(b"\xff\xfe"), "not UTF-8"),
    ],
)
def test_bad_dataset_names_the_path(tmp_path, damage, expected):
    _write_problem(tmp_path, "Prob001_a")
    damage(tmp_path)
    with pytest.raises(UserError, match=expected):
        load_dataset(tmp_path, Task.SPEC_TO_RTL)


def test_code_completion_needs_ifc(tmp_path):
    _write_problem(tmp_path, "Prob001_a")
    with pytest.raises(UserError, match=r"Prob001_a_ifc\.txt"):
        load_dataset(tmp_path, Task.CODE_COMPLETE)


def test_not_a_dataset_is_one_line_exit_2(cli, tmp_path):
    result = cli("problems", "--dataset", tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert str(tmp_path) in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("Prob001_zero", ["Prob001_zero"]),
        ("Prob00[12]*", ["Prob001_zero", "Prob002_m2014_q4i"]),
        ("1-3", ["Prob001_zero", "Prob002_m2014_q4i", "Prob003_step_one"]),
        ("Prob156*,2", ["Prob002_m2014_q4i", "Prob156_review2015_fancytimer"]),
        (None, None),
    ],
)
def test_select_problems(official_root, spec, expected):
    problems = load_dataset(official_root, Task.SPEC_TO_RTL).problems
    selected = [p.name for p in select_problems(problems, spec)]
    assert selected == (expected if expected is not None else [p.name for p in problems])


def test_select_unknown_term_is_an_error(official_root):
    problems = load_dataset(official_root, Task.SPEC_TO_RTL).problems
    with pytest.raises(UserError, match="'Prob999'"):
        select_problems(problems, "Prob001_zero,Prob999")


def test_problems_command_lists_kind(cli, official_root):
    result = cli("problems", "--dataset", official_root, "--problems", "1,Prob151*")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("Prob001_zero") and line.endswith("combinational") for line in lines)
    assert any(line.startswith("Prob151") and line.endswith("sequential") for line in lines)
