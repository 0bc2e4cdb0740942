"""`--benchmark v2.0|v2.1`: the v2.1 errata, applied to the official v2.0 clone when loading."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from verilogeval.cli.commands.sweep import load_sweep
from verilogeval.dataset.errata import Benchmark, ProblemFile, load_errata
from verilogeval.dataset.loader import load_dataset
from verilogeval.errors import UserError
from verilogeval.generation.models.base import PRESETS, Preset
from verilogeval.records import Problem, Task

ERRATA = load_errata(Benchmark.V2_1)
PROBLEMS = ",".join(erratum.problem for erratum in ERRATA)
_SUFFIX = {"prompt": "_prompt.txt", "ref": "_ref.sv", "test": "_test.sv", "ifc": "_ifc.txt"}
_FAILURE_LINE = re.compile(r"^(Prob\d+_\w+): \S \(")


def _file_text(problem: Problem, kind: ProblemFile) -> str:
    return (problem.folder / f"{problem.name}{_SUFFIX[kind]}").read_text(encoding="utf-8")


def _failing(stdout: str) -> set[str]:
    return {m.group(1) for m in map(_FAILURE_LINE.match, stdout.splitlines()) if m}


def test_every_erratum_is_documented_and_names_its_upstream_report():
    assert {e.problem.split("_")[0] for e in ERRATA} == {
        "Prob082", "Prob099", "Prob118", "Prob134", "Prob135",
        "Prob141", "Prob151", "Prob153", "Prob156",
    }  # fmt: skip
    for erratum in ERRATA:
        assert "verilog-eval#13" in erratum.upstream and "PR #16" in erratum.upstream
        assert len(erratum.why.split()) > 10 and erratum.edits
    assert load_errata(Benchmark.V2_0) == ()


@pytest.mark.parametrize("task", list(Task))
def test_each_edit_finds_its_old_text_in_v2_0_and_only_its_new_text_in_v2_1(official_root, task):
    v20 = {p.name: p for p in load_dataset(official_root, task).problems}
    v21 = {p.name: p for p in load_dataset(official_root, task, Benchmark.V2_1).problems}
    edited = 0
    for erratum in ERRATA:
        for edit in (e for e in erratum.edits if task in e.tasks):
            before = _file_text(v20[erratum.problem], edit.file)
            after = _file_text(v21[erratum.problem], edit.file)
            assert before.count(edit.old) == 1, (erratum.problem, edit.file)
            assert edit.old not in after and (not edit.new or edit.new in after)
            edited += 1
        untouched = all(task not in e.tasks for e in erratum.edits)
        assert (v21[erratum.problem] == v20[erratum.problem]) is untouched
    assert edited >= 12
    assert v20["Prob001_zero"] == v21["Prob001_zero"]  # a problem without erratum is as is


def test_v2_1_is_recorded_by_its_own_content_hash(official_root):
    v20 = load_dataset(official_root, Task.SPEC_TO_RTL)
    v21 = load_dataset(official_root, Task.SPEC_TO_RTL, Benchmark.V2_1)
    assert v21.benchmark is Benchmark.V2_1 and v20.benchmark is Benchmark.V2_0
    assert v20.content_hash() != v21.content_hash()
    v21_again = load_dataset(official_root, Task.SPEC_TO_RTL, Benchmark.V2_1)
    assert v21.content_hash() == v21_again.content_hash()


@pytest.mark.slow
@pytest.mark.icarus
@pytest.mark.parametrize("task", list(Task))
def test_references_that_fail_under_v2_0_pass_their_own_testbench_under_v2_1(
    cli, official_root, tmp_path, task, reference_failures
):
    """Under v2.0 `check` names the references that cannot pass; under v2.1 there are none."""
    args = ("check", "--dataset", official_root, "--task", task, "--problems", PROBLEMS)
    v20 = cli(*args, "--cache-dir", tmp_path / "v2.0")
    assert _failing(v20.stdout) == set(reference_failures[str(task)]) != set(), v20.stdout
    assert v20.returncode == 1
    v21 = cli(*args, "--benchmark", "v2.1", "--cache-dir", tmp_path / "v2.1")
    assert v21.returncode == 0, v21.stdout + v21.stderr
    assert f"0 of {len(ERRATA)} references cannot pass" in v21.stdout


def _clone_with(official_root, tmp_path, task: Task, problem: str):
    """A task folder holding one official problem, to alter as a clone that is not v2.0."""
    folder = tmp_path / f"dataset_{task}"
    folder.mkdir()
    for path in (official_root / f"dataset_{task}").glob(f"{problem}_*"):
        shutil.copy(path, folder)
    return folder


def test_an_erratum_that_cannot_apply_is_a_clear_error(cli, official_root, tmp_path):
    folder = _clone_with(official_root, tmp_path, Task.SPEC_TO_RTL, "Prob082_lfsr32")
    test = folder / "Prob082_lfsr32_test.sv"
    test.write_text(test.read_text().replace("#1000000\n", "#5000000\n"))
    assert len(load_dataset(folder, None).problems) == 1  # v2.0 takes the files as they are
    with pytest.raises(UserError, match=r"Prob082_lfsr32\.toml: erratum of Prob082_lfsr32"):
        load_dataset(folder, None, Benchmark.V2_1)
    done = cli("problems", "--dataset", folder, "--benchmark", "v2.1")
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert f"cannot apply to {test}: its old text is not found" in done.stderr


@pytest.mark.slow
@pytest.mark.icarus
def test_oracle_passes_every_patched_problem_and_records_the_benchmark(
    cli, official_root, tmp_path
):
    out = tmp_path / "run"
    args: tuple[object, ...] = ("run", "--model", "oracle", "--out", out, "--no-cache")
    args += ("--quiet", "--dataset", official_root, "--problems", PROBLEMS)
    done = cli(*args, "--benchmark", "v2.1")
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert len(results) == len(ERRATA) and all(r["passed"] for r in results), results
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["benchmark"] == "v2.1"
    assert (
        manifest["dataset"]["hash"]
        == load_dataset(official_root, Task.SPEC_TO_RTL, Benchmark.V2_1).content_hash()
    )

    refused = cli(*args)  # the default, v2.0
    assert refused.returncode == 2
    assert "benchmark (--benchmark): 'v2.1' -> 'v2.0'" in refused.stderr
    assert "Traceback" not in refused.stderr

    board = cli("leaderboard", out)
    assert board.returncode == 0 and "spec-to-rtl (v2.1)" in board.stdout
    rows = json.loads(cli("leaderboard", out, "--format", "json").stdout)
    assert rows[0]["benchmark"] == "v2.1"
    report = cli("report", out)
    assert report.returncode == 0 and "task spec-to-rtl (v2.1)" in report.stdout


@pytest.mark.icarus
def test_evaluate_of_a_generate_folder_takes_its_benchmark(cli, official_root, tmp_path):
    """Prob099's answers are to the v2.1 prompt: graded as v2.0 they could not compile."""
    answers, graded = tmp_path / "answers", tmp_path / "graded"
    done = cli(
        "generate", "--model", "oracle", "--out", answers, "--no-cache", "--quiet",
        "--dataset", official_root, "--problems", "99", "--benchmark", "v2.1",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads((answers / "run.json").read_text())["benchmark"] == "v2.1"
    done = cli("evaluate", "--samples", answers, "--out", graded, "--no-cache", "--quiet")
    assert done.returncode == 0, done.stderr
    assert json.loads((graded / "run.json").read_text())["benchmark"] == "v2.1"
    (result,) = [json.loads(line) for line in (graded / "results.jsonl").read_text().splitlines()]
    assert result["passed"], result


def test_sweep_takes_benchmarks_as_an_axis(tmp_path):
    config = tmp_path / "sweep.toml"
    config.write_text(
        'out = "runs"\nmodels = ["oracle"]\ntasks = ["spec-to-rtl", "code-complete-iccad2023"]\n'
        'benchmarks = ["v2.0", "v2.1", "v1-human"]\n'
    )
    cells = load_sweep(config).cells
    assert [(str(c.task), str(c.benchmark)) for c in cells] == [
        ("spec-to-rtl", "v2.0"),
        ("spec-to-rtl", "v2.1"),
        ("code-complete-iccad2023", "v1-human"),  # v1's one task, one cell for both
        ("code-complete-iccad2023", "v2.0"),
        ("code-complete-iccad2023", "v2.1"),
    ]
    sampling = PRESETS[Preset.GREEDY]
    assert [c.folder_name(sampling) for c in cells[:3]] == [
        "oracle_spec-to-rtl_0shot_greedy",  # a v2.0 folder keeps the name it always had
        "oracle_spec-to-rtl_v2.1_0shot_greedy",
        "oracle_code-complete-iccad2023_v1-human_0shot_greedy",
    ]
    assert "--benchmark" in cells[1].run_argv({}) and "v2.1" in cells[1].run_argv({})
    config.write_text('out = "runs"\nmodels = ["oracle"]\nbenchmarks = ["v3"]\n')
    with pytest.raises(UserError, match=r"benchmarks = \['v3'\]: 'v3' is not one of 'v2.0'"):
        load_sweep(config)


@pytest.mark.slow
@pytest.mark.icarus
def test_sweep_over_both_benchmarks_and_a_v2_1_replay_never_pool_them(cli, official_root, tmp_path):
    """Prob099's reference fails its v2.0 testbench and passes the v2.1 one: a sweep over
    both benchmarks makes two folders, two leaderboard rows in two groups; the v2.1 oracle's
    answers replay through report and leaderboard as v2.1."""
    config = tmp_path / "sweep.toml"
    config.write_text(
        f'out = "{tmp_path / "runs"}"\nmodels = ["oracle"]\nbenchmarks = ["v2.0", "v2.1"]\n'
        f'[run]\ndataset = "{official_root}"\nproblems = "99"\nno_cache = true\nquiet = true\n'
    )
    done = cli("sweep", config)
    assert done.returncode == 0, done.stderr
    v20 = tmp_path / "runs" / "oracle_spec-to-rtl_0shot_greedy"
    v21 = tmp_path / "runs" / "oracle_spec-to-rtl_v2.1_0shot_greedy"
    for folder, benchmark in ((v20, "v2.0"), (v21, "v2.1")):
        assert json.loads((folder / "run.json").read_text())["benchmark"] == benchmark

    replay = tmp_path / "replay"
    done = cli(
        "run", "--model", f"replay:{v21 / 'generations.jsonl'}", "--benchmark", "v2.1",
        "--dataset", official_root, "--out", replay, "--no-cache", "--quiet",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = cli("report", replay)
    assert report.returncode == 0 and "task spec-to-rtl (v2.1)" in report.stdout

    rows = json.loads(cli("leaderboard", v20, v21, replay, "--format", "json").stdout)
    by_run = {Path(row["run"]).name: row for row in rows}
    assert by_run[v20.name]["benchmark"] == "v2.0" and by_run[v20.name]["pass@1"] == 0.0
    assert by_run[v21.name]["benchmark"] == "v2.1" and by_run[v21.name]["pass@1"] == 1.0
    assert by_run["replay"]["benchmark"] == "v2.1" and by_run["replay"]["pass@1"] == 1.0
    assert by_run[v20.name]["group"] != by_run[v21.name]["group"]  # never one row or group
    board = cli("leaderboard", v20, v21, replay)
    assert board.stdout.count("spec-to-rtl (v2.1)") == 2, board.stdout


@pytest.mark.slow
@pytest.mark.icarus
@pytest.mark.yosys
@pytest.mark.cocotb
def test_plus_strict_and_formal_apply_to_patched_problems(cli, official_root, tmp_path):
    """Prob099 (reference and prompt patched) and Prob134 (every file patched): the checks
    read the patched files, and pass the oracle."""
    out = tmp_path / "checked"
    done = cli(
        "run", "--model", "oracle", "--benchmark", "v2.1", "--dataset", official_root,
        "--problems", "99,134", "--plus", "--strict", "--formal", "--out", out,
        "--no-cache", "--quiet",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert len(results) == 2
    for result in results:
        assert result["passed"] and result["strict_passed"] and result["plus_passed"], result
        assert result["formal"]["status"] == "proven", result
