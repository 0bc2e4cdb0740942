"""`verilogeval check`: every reference graded as the sample."""

from __future__ import annotations

import re

import pytest

from verilogeval.dataset import load_dataset
from verilogeval.records import Task
from verilogeval.time_limits import reference_sample

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
    assert done.returncode == 0, done.stderr
    expected = reference_failures[str(task)]
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


def test_reference_is_renamed_to_the_sample_module():
    problem = load_dataset(None, Task.SPEC_TO_RTL).problems[0]
    code = reference_sample(problem).code
    assert "module TopModule" in code and "RefModule" not in code


@pytest.mark.icarus
def test_check_plus_gives_each_passing_reference_the_trusted_verdict(cli):
    result = cli("check", "--problems", "1-3", "--plus", "--no-cache")
    assert result.returncode == 0, result.stderr
    assert "0 of 3 passing references rejected by --plus" in result.stdout
