"""The commands connect: generate -> extract -> evaluate, a generate folder graded, replay,
the formats users already have (EvalPlus fields, gzip), and the task of a task folder."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from verilogeval.dataset.loader import default_dataset_root

pytestmark = pytest.mark.icarus

MAJORITY_BODY = "  assign maj = (v[0] + v[1] + v[2] + v[3] + v[4]) >= 3;\nendmodule\n"
MAJORITY = "module TopModule (input [4:0] v, output maj);\n" + MAJORITY_BODY


def results(folder: Path) -> dict[tuple[str, int], dict]:
    lines = [json.loads(line) for line in (folder / "results.jsonl").read_text().splitlines()]
    return {(line["problem"], line["sample"]): line for line in lines}


def test_generate_extract_evaluate_chain(cli, tmp_path):
    """Old code: extract wrote only "extracted", evaluate wanted "code": every line refused."""
    gen = tmp_path / "gen"
    done = cli("generate", "--model", "oracle", "--problems", "1-3", "--out", gen, "--quiet")
    assert done.returncode == 0, done.stderr
    extracted = tmp_path / "extracted.jsonl"
    done = cli("extract", "--jsonl", gen / "generations.jsonl", "--out", extracted)
    assert done.returncode == 0, done.stderr
    graded = cli("evaluate", "--samples", extracted, "--out", tmp_path / "ev", "--quiet")
    assert graded.returncode == 0, graded.stderr
    assert "3/3 pass" in graded.stdout


def test_evaluate_grades_a_generate_folder_and_keeps_its_model(cli, tmp_path):
    """Old code: a generate folder was read as an (empty) layout folder: nothing graded."""
    gen = tmp_path / "gen"
    cli("generate", "--model", "oracle", "--problems", "1-3", "--out", gen, "--quiet")
    out = tmp_path / "graded"
    graded = cli("evaluate", "--samples", gen, "--out", out, "--quiet")
    assert graded.returncode == 0, graded.stderr
    assert "3/3 pass" in graded.stdout
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["command"] == "evaluate" and manifest["model"] == "oracle"
    assert manifest["extract_mode"] == "robust"  # the native prompt style's mode
    board = cli("leaderboard", out, "--format", "json", "-k", "1")
    assert json.loads(board.stdout)[0]["model"] == "oracle"  # not "unknown"
    again = cli("evaluate", "--samples", gen, "--out", out, "--quiet")
    assert again.returncode == 0 and "(3 already graded)" in again.stdout


def test_a_failed_generation_is_named_not_graded(cli, tmp_path):
    gen = tmp_path / "gen"
    cli("generate", "--model", "oracle", "--problems", "1-2", "--out", gen, "--quiet")
    lines = (gen / "generations.jsonl").read_text().splitlines()
    failed = json.loads(lines[1]) | {"response": None, "error": "Request timed out"}
    (gen / "generations.jsonl").write_text(lines[0] + "\n" + json.dumps(failed) + "\n")
    out = tmp_path / "graded"
    graded = cli("evaluate", "--samples", gen, "--out", out, "--quiet")
    assert graded.returncode == 1
    assert "the generation failed, no answer to grade: Request timed out" in graded.stderr
    assert list(results(out)) == [(json.loads(lines[0])["problem"], 1)]
    # the unanswered problem still counts against the run
    assert len(json.loads((out / "run.json").read_text())["problems"]) == 2


def test_evaluate_reads_evalplus_fields_and_gzip(cli, tmp_path):
    """Old code: `solution`/`completion` lines were refused, and a .gz file was not JSON."""
    rows = [
        {"task_id": "Prob001_majority5", "solution": MAJORITY},  # no sample: numbered
        {"task_id": "Prob001_majority5", "solution": MAJORITY.replace(">= 3", ">= 4")},
    ]
    source = tmp_path / "samples.jsonl.gz"
    with gzip.open(source, "wt", encoding="utf-8") as file:
        file.writelines(json.dumps(row) + "\n" for row in rows)
    graded = cli("evaluate", "--samples", source, "--out", tmp_path / "a", "--quiet")
    assert graded.returncode == 0, graded.stderr
    verdicts = results(tmp_path / "a")
    assert verdicts[("Prob001_majority5", 1)]["passed"]
    assert not verdicts[("Prob001_majority5", 2)]["passed"]

    # completion: the text after the prompt; code completion puts the interface first
    completion = tmp_path / "completion.jsonl"
    completion.write_text(json.dumps({"problem": "Prob001_majority5", "completion": MAJORITY_BODY}))
    task = ("--task", "code-complete-iccad2023")
    graded = cli("evaluate", *task, "--samples", completion, "--out", tmp_path / "b", "--quiet")
    assert graded.returncode == 0, graded.stderr
    assert results(tmp_path / "b")[("Prob001_majority5", 1)]["passed"]


def test_evaluate_names_the_dataset_flag_for_unknown_problems(cli, tmp_path):
    """Old code: "unknown problem" with no hint that --dataset is missing."""
    source = tmp_path / "official.jsonl"
    source.write_text(json.dumps({"problem": "Prob001_zero", "sample": 1, "code": "x"}) + "\n")
    graded = cli("evaluate", "--samples", source, "--out", tmp_path / "out", "--quiet")
    assert graded.returncode == 1
    assert "unknown problem 'Prob001_zero'" in graded.stderr
    assert "pass --dataset" in graded.stderr


def test_a_task_folder_gives_its_task(cli):
    """Old code: a dataset_code-complete-iccad2023 folder was read as spec-to-rtl."""
    folder = default_dataset_root() / "dataset_code-complete-iccad2023"
    listed = cli("problems", "--dataset", folder)
    assert listed.returncode == 0, listed.stderr
    assert "code-complete-iccad2023" in listed.stdout.splitlines()[0]
    prompt = cli("prompt", "--dataset", folder, "Prob001_majority5")
    assert prompt.returncode == 0, prompt.stderr
    assert "module TopModule" in prompt.stdout  # the code-completion prompt ends in the header
    refused = cli("problems", "--dataset", folder, "--task", "spec-to-rtl")
    assert refused.returncode == 2
    assert "holds the code-complete-iccad2023 task, not --task spec-to-rtl" in refused.stderr


def test_replay_grades_what_it_has_and_names_what_it_lacks(cli, tmp_path):
    """Old code: without the original --problems every other problem became a generation
    error (exit 1 or 2); now the run is the three answered problems, the rest named."""
    gen = tmp_path / "gen"
    cli("generate", "--model", "oracle", "--problems", "2-4", "--out", gen, "--quiet")
    replay = f"replay:{gen / 'generations.jsonl'}"
    done = cli("run", "--model", replay, "--out", tmp_path / "a", "--quiet", "--no-cache")
    assert done.returncode == 0, done.stderr
    assert sorted(problem for problem, _ in results(tmp_path / "a")) == [
        "Prob002_priority_enc8",
        "Prob003_counter_updown6",
        "Prob004_seg7_hex",
    ]
    assert "has no answer to" in done.stderr and "left out of the run: Prob001_majority5" in (
        done.stderr
    )
    more = cli(
        "run", "--model", replay, "--samples", "2", "--out", tmp_path / "b", "--quiet",
        "--no-cache",
    )  # fmt: skip
    assert more.returncode == 1  # the three second samples are not there to grade
    assert "lacks 3 of the 6 samples asked (n=2)" in more.stderr
    assert "Prob002_priority_enc8 sample 2" in more.stderr
    nothing = cli("run", "--model", replay, "--problems", "1", "--out", tmp_path / "c")
    assert nothing.returncode == 2
    assert "holds no answer to any of the 1 problems asked" in nothing.stderr
    assert not (tmp_path / "c").exists()


def test_run_grades_the_answers_of_a_generate_folder(cli, tmp_path):
    """Old code: `run` on a folder `generate` wrote was refused (command: 'generate' -> 'run')."""
    folder = tmp_path / "gen"
    cli("generate", "--model", "oracle", "--problems", "1-3", "--out", folder, "--quiet")
    done = cli("run", "--model", "oracle", "--problems", "1-3", "--out", folder, "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["samples"], summary["passed"]) == (3, 3)
    assert len((folder / "generations.jsonl").read_text().splitlines()) == 3  # none asked again
    assert json.loads((folder / "run.json").read_text())["sessions"] == 2
    other = cli("run", "--model", "oracle", "--problems", "1-4", "--out", folder)
    assert other.returncode == 2 and "3 problems -> 4 problems" in other.stderr


def test_extract_reads_gzip_and_names_a_failed_generation(cli, tmp_path):
    rows = [
        {"problem": "Prob001_majority5", "sample": 1, "response": f"```\n{MAJORITY}```"},
        {"problem": "Prob001_majority5", "sample": 2, "response": None, "error": "HTTP 500"},
    ]
    source = tmp_path / "generations.jsonl.gz"
    with gzip.open(source, "wt", encoding="utf-8") as file:
        file.writelines(json.dumps(row) + "\n" for row in rows)
    done = cli("extract", "--jsonl", source)
    assert done.returncode == 2  # the failed generation is a bad line, the other extracted
    (line,) = [json.loads(text) for text in done.stdout.splitlines()]
    assert line["code"] == line["extracted"] and "assign maj" in line["code"]
    assert (
        f"{source}:2: problem Prob001_majority5: no response, the generation failed: HTTP 500"
        in (done.stderr)
    )


def test_extract_mode_goes_with_a_generate_folder(cli, tmp_path):
    source = tmp_path / "samples.jsonl"
    source.write_text(json.dumps({"problem": "Prob001_majority5", "code": MAJORITY}) + "\n")
    done = cli("evaluate", "--samples", source, "--out", tmp_path / "o", "--extract-mode", "robust")
    assert done.returncode == 2
    assert "--extract-mode goes with a generate folder" in done.stderr
