"""`verilogeval check`: every reference graded as the sample."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from conftest import icarus_major

from verilogeval.dataset.loader import default_dataset_root, load_dataset
from verilogeval.dataset.reference_failures import KNOWN_FAILING_REFERENCES, OFFICIAL_HASHES
from verilogeval.grading.time_limits import reference_sample
from verilogeval.records import Task

_FAILURE_LINE = re.compile(r"^(Prob\d+_\w+): (\S) \(")


def failing(stdout: str) -> dict[str, str]:
    return {
        match.group(1): match.group(2)
        for match in map(_FAILURE_LINE.match, stdout.splitlines())
        if match
    }


@pytest.mark.slow
@pytest.mark.icarus
@pytest.mark.parametrize("task", list(Task))
def test_official_references_that_cannot_pass(
    cli, official_root, tmp_path, task, reference_failures
):
    """The references the official harness failed under this Icarus major version, no more.

    Icarus 11: two testbench timeouts, a testbench naming ports its spec-to-rtl reference
    lacks, two casts it cannot compile. Icarus 12 compiles the casts, and Prob156's
    reference then reaches the testbench's TIMEOUT.
    """
    done = cli("check", "--dataset", official_root, "--task", task, "--cache-dir", tmp_path)
    expected = reference_failures[str(task)]
    assert done.returncode == (1 if expected else 0), done.stderr  # a failing reference: 1
    assert failing(done.stdout) == expected
    assert f"{len(expected)} of 156 references cannot pass" in done.stdout
    assert "Prob099_m2014_q6c: C (other compile error): test.sv:" in done.stdout or (
        task is Task.CODE_COMPLETE
    )


@pytest.mark.slow
@pytest.mark.icarus
@pytest.mark.parametrize("task", list(Task))
def test_embedded_references_all_pass(cli, tmp_path, task):
    done = cli("check", "--task", task, "--no-cache")
    assert done.returncode == 0, done.stderr
    assert failing(done.stdout) == {}
    count = len(load_dataset(None, task).problems)  # cocotb-only ones run their _test.py
    assert f"0 of {count} references cannot pass" in done.stdout


def test_the_known_failing_references_are_those_of_the_golden_vectors(reference_failures):
    """What `run`'s closing table names as unpassable is what `check` finds here."""
    major = icarus_major()
    if major not in KNOWN_FAILING_REFERENCES:
        pytest.skip(f"no list of failing references for Icarus {major}")
    for task in Task:
        assert KNOWN_FAILING_REFERENCES[major][task] == tuple(sorted(reference_failures[task]))


@pytest.mark.icarus
def test_check_exits_1_when_a_reference_fails(cli, tmp_path):
    """Old code: exit 0 with failing references, so a script could not tell."""
    folder = tmp_path / "dataset_spec-to-rtl"
    shutil.copytree(default_dataset_root() / "dataset_spec-to-rtl", folder)
    broken = sorted(folder.glob("Prob001_*_ref.sv"))[0]
    broken.write_text(broken.read_text().replace("endmodule", "assign oops = ;\nendmodule"))
    done = cli("check", "--dataset", folder, "--problems", "1-2", "--no-cache", "--json")
    assert done.returncode == 1, done.stderr
    summary = json.loads(done.stdout)  # --json: one object on stdout, nothing else
    assert summary["exit_status"] == 1 and summary["references"] == 2
    assert [failure["problem"] for failure in summary["cannot_pass"]] == [broken.name[:-7]]
    assert summary["cannot_pass"][0]["category"] == "S"
    assert "1 of 2 references cannot pass" in done.stderr


def test_reference_is_renamed_to_the_sample_module():
    problem = load_dataset(None, Task.SPEC_TO_RTL).problems[0]
    code = reference_sample(problem).code
    assert "module TopModule" in code and "RefModule" not in code


@pytest.mark.icarus
def test_check_plus_gives_each_passing_reference_the_trusted_verdict(cli):
    result = cli("check", "--problems", "1-3", "--plus", "--no-cache")
    assert result.returncode == 0, result.stderr
    assert "0 of 3 passing references rejected by --plus" in result.stdout


def test_run_names_the_references_that_cannot_pass(cli, official_root, tmp_path):
    """Old code: the oracle's 1 of 2 looked like a fault; now the table names the ceiling."""
    done = cli(
        "run", "--model", "oracle", "--dataset", official_root, "--problems", "1,156",
        "--out", tmp_path / "run", "--quiet", "--no-cache", "--json",
    )  # fmt: skip
    summary = json.loads(done.stdout)
    assert summary["references_cannot_pass"] == ["Prob156_review2015_fancytimer"]
    assert "cannot pass (own reference fails)" in done.stderr  # --json: the table on stderr
    assert "Prob156_review2015_fancytimer" in done.stderr
    bare = cli(
        "run", "--model", "oracle", "--dataset", official_root / "dataset_spec-to-rtl",
        "--problems", "156", "--out", tmp_path / "bare", "--quiet", "--no-cache", "--json",
    )  # fmt: skip
    assert json.loads(bare.stdout)["references_cannot_pass"] == ["Prob156_review2015_fancytimer"]


def test_the_official_set_is_known_by_its_hash(official_root):
    for task in Task:
        assert load_dataset(official_root, task).content_hash() == OFFICIAL_HASHES[task]
