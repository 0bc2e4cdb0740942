"""The run folder's records, its one resume check, and the grading session's promises."""

from __future__ import annotations

import json
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path

import pytest

from verilogeval.checks.registry import (
    POST_CHECKS,
    PostCheck,
    check_settings_types,
    verdict_schemas,
)
from verilogeval.checks.strict.verdict import strict_verdict
from verilogeval.dataset.loader import load_dataset
from verilogeval.errors import DamagedFile
from verilogeval.grading.grader import GradeConfig, Graded
from verilogeval.grading.time_limits import reference_sample
from verilogeval.orchestration.progress import QuietProgress
from verilogeval.orchestration.session import GradingSession
from verilogeval.records import Category, Problem, Sample, Task
from verilogeval.runfolder.files import RunFolder
from verilogeval.runfolder.lines import ResultLine, read_results
from verilogeval.runfolder.manifest import read_manifest


def _line(problem: str, sample: int, **fields) -> ResultLine:
    base = ResultLine(
        problem=problem,
        sample=sample,
        category=Category.PASS,
        passed=True,
        mismatches=0,
        total=10,
        first_error=None,
        outputs=(),
        code_sha256="0" * 64,
        simulated=True,
    )
    return replace(base, **fields)


def test_result_lines_round_trip_and_carry_only_the_checks_that_ran(tmp_path):
    plain = _line("Prob001_a", 1)
    checked = _line(
        "Prob001_a", 2, checks={"strict": strict_verdict(None)}, response_issue="truncated"
    )
    path = tmp_path / "results.jsonl"
    path.write_text("".join(json.dumps(line.to_json()) + "\n" for line in (plain, checked)))
    assert read_results(path, verdict_schemas()) == [plain, checked]
    assert "strict_passed" not in plain.to_json() and "plus" not in plain.to_json()
    assert checked.to_json()["strict"] is None  # the verdict and its detail go together


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", r"results\.jsonl:2: not a JSON line"),
        ('{"problem": "Prob001_a", "sample": 2}', r"jsonl:2: Prob001_a sample 2: unknown category"),
        (
            '{"problem": "Prob001_a", "sample": "2", "category": "."}',
            r"results\.jsonl:2: field 'sample' must be int",
        ),
    ],
)
def test_a_damaged_line_names_file_line_and_field(tmp_path, line, message):
    path = tmp_path / "results.jsonl"
    good = json.dumps(_line("Prob001_a", 1).to_json())
    path.write_text(f"{good}\n{line}\n{good}\n")
    with pytest.raises(DamagedFile, match=message):
        read_results(path, verdict_schemas())


def test_a_newer_schema_is_refused_by_name(tmp_path):
    (tmp_path / "run.json").write_text(json.dumps({"schema_version": 99}))
    with pytest.raises(DamagedFile, match="schema_version 99 is newer"):
        read_manifest(RunFolder(tmp_path), check_settings_types())


@pytest.mark.icarus
def test_damaged_results_journal_exits_2_naming_file_and_line(cli, tmp_path):
    problem = load_dataset(None, Task.SPEC_TO_RTL).problems[0]
    samples = tmp_path / "samples.jsonl"
    lines = [{"problem": problem.name, "sample": n, "code": "module x;"} for n in (1, 2, 3)]
    samples.write_text("".join(json.dumps(line) + "\n" for line in lines))
    out = tmp_path / "run"
    assert cli("evaluate", "--samples", samples, "--out", out, "--no-cache").returncode == 0
    results = out / "results.jsonl"
    text = results.read_text().splitlines(keepends=True)
    results.write_text(text[0] + '{"problem": "Prob0\n' + "".join(text[2:]))
    for command in (["evaluate", "--samples", samples, "--out", out], ["report", out]):
        done = cli(*command)
        assert done.returncode == 2, done.stderr
        assert f"{results}:2: not a JSON line" in done.stderr
        assert "Traceback" not in done.stderr


class _RaisingRunner:
    """A post-verdict check whose every test raises something no one planned for."""

    def start(self, problem: Problem, graded: Graded) -> Future[object]:
        future: Future[object] = Future()
        future.set_exception(ZeroDivisionError("a bug in the check"))
        return future

    def close(self) -> None:
        pass


@pytest.mark.icarus
def test_a_check_that_raises_gives_an_error_result_not_a_missing_line(tmp_path):
    problem = load_dataset(None, Task.SPEC_TO_RTL).problems[0]
    strict = POST_CHECKS["strict"]
    raising = PostCheck(
        open=lambda settings, place: _RaisingRunner(),
        applies=strict.applies,
        verdict=strict.verdict,
        error_record=strict.error_record,
        settings_recorded=strict.settings_recorded,
        schema=strict.schema,
        options=strict.options,
    )
    folder = RunFolder(tmp_path)
    with GradingSession(
        folder,
        {problem.name: problem},
        GradeConfig(jobs=1),
        {"strict": None},
        QuietProgress(),
        registry={"strict": raising},
    ) as session:
        session.submit(reference_sample(problem))
        session.submit(Sample(problem.name, 2, "module TopModule; endmodule"))
        (named,) = session.wait()  # the check's failure is named: the run exits 1
    assert "could not run the strict check" in named and "ZeroDivisionError" in named
    by_sample = {line.sample: line for line in read_results(folder.results, verdict_schemas())}
    assert by_sample[1].passed and by_sample[1].check_passed("strict") is False
    verdict = by_sample[1].checks["strict"]
    assert verdict.details is not None and verdict.status == "error"
    assert "ZeroDivisionError: a bug in the check" in verdict.details.message
    assert not by_sample[2].passed and by_sample[2].checks["strict"].details is None  # failed
    assert (Path(tmp_path) / problem.name).is_dir()  # the official layout is written too


def test_a_refusal_counts_problems_instead_of_listing_them():
    from verilogeval.runfolder.manifest import RunIdentity

    names = tuple(f"Prob{number:03}_x" for number in range(1, 157))
    run = RunIdentity(
        command="run", model="oracle", api_base=None, task="spec-to-rtl", benchmark="v2.0",
        dataset_hash="h",
        problems=names[:19], prompt=None, sampling=None, extract_mode=None, timeout_s=None,
        time_limit=None, checks={},
    )  # fmt: skip
    lines = run.differences(replace(run, problems=names))
    assert lines == ["problems (--problems): 19 problems -> 156 problems"]
    assert run.differences(replace(run, problems=names[19:38])) == [
        "problems (--problems): 19 problems -> 19 other problems"
    ]
    # evaluate fixes no problem list: the old message dumped all 19 (or 156) names
    evaluate = replace(run, command="evaluate", problems=None)
    assert "problems (--problems): 19 problems -> those of its samples" in run.differences(evaluate)
    assert "Prob001_x" not in "".join(run.differences(evaluate))
