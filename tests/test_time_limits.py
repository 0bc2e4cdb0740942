"""Per-problem time limits from the reference's own run time."""

from __future__ import annotations

import pytest

from verilogeval.dataset.loader import load_dataset
from verilogeval.execution.pools import LocalPool
from verilogeval.grading.grader import GradeConfig, Grader
from verilogeval.grading.time_limits import TimeLimitPolicy, reference_key, reference_sample
from verilogeval.records import Category, Sample, Task
from verilogeval.store import Store


def test_the_limit_is_never_below_the_floor():
    policy = TimeLimitPolicy(floor_s=30, factor=4)
    assert policy.limit_s(0.2) == 30
    assert policy.limit_s(7.7) == pytest.approx(30.8)
    assert policy.limit_s(20) == 80


@pytest.mark.icarus
def test_a_hanging_sample_times_the_reference_once_and_records_its_limit(tmp_path):
    problem = load_dataset(None, Task.SPEC_TO_RTL).problems[0]
    hang = reference_sample(problem).code.replace(
        "endmodule", "initial begin : hang forever begin end end\nendmodule", 1
    )
    policy = TimeLimitPolicy(floor_s=2.0, factor=4.0)
    config = GradeConfig(jobs=1, timeout_s=2.0, time_limit=policy, cache_dir=tmp_path)
    with (
        LocalPool(config.jobs, config.place) as pool,
        Grader({problem.name: problem}, config, lambda graded: None, pool) as grader,
    ):
        graded = grader.submit(Sample(problem.name, 1, hang)).result()
        passing = grader.submit(reference_sample(problem)).result()
    assert graded.verdict.category is Category.TIMEOUT
    # the reference is fast: its problem keeps the floor, and that is what the line records
    assert graded.result.timeout_s == 2.0
    assert passing.verdict.passed and passing.result.timeout_s == 2.0
    measured = Store(tmp_path / "results.sqlite", "result", "data").get(reference_key(problem))
    assert isinstance(measured, float) and 0 < measured < 2.0
