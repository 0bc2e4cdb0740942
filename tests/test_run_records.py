"""run.json and results.jsonl read back as typed records: what is not what the schema says
is one line naming the file and the field, through `verilogeval report`, never a traceback."""

from __future__ import annotations

import json

import pytest
from run_folders import write_run


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"sampling": {"n": 1, "temperature": "hot"}},
            "field 'sampling.temperature' must be a number, not 'hot'",
        ),
        ({"sampling": {"n": "2"}}, "field 'sampling.n' must be an integer, not '2'"),
        (
            {"prompt": {"style": "official-v2", "shots": True}},
            "field 'prompt.shots' must be an integer, not True",
        ),
        ({"request": {"sent": [1]}}, "field 'request.sent' must be an object, not [1]"),
        (
            {"request": {"adjustments": [3]}},
            "field 'request.adjustments[]' must be an object, not 3",
        ),
        ({"engine": {"rpm": "fast"}}, "field 'engine.rpm' must be a number, not 'fast'"),
        ({"checks": []}, "field 'checks' must be an object, not []"),
        ({"checks": {"strict": 3}}, "field 'checks.strict' must be an object, not 3"),
        (
            {"checks": {"strict": {"cycles": "many"}}},
            "field 'checks.strict.cycles' must be an integer, not 'many'",
        ),
        (
            {"plus": {"shifts": [1, "2"]}},
            "field 'checks.plus.shifts[]' must be an integer, not '2'",
        ),
        (
            {"checks": {"lint": {}}},
            "field 'checks.lint' names no registered check (registered: strict, plus, formal)",
        ),
    ],
)
def test_a_run_json_field_of_another_type_is_named(cli, tmp_path, change, message):
    run = write_run(tmp_path / "run", {"Prob001_zero": ".."})
    manifest = run / "run.json"
    manifest.write_text(json.dumps(json.loads(manifest.read_text()) | change))
    done = cli("report", run)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"verilogeval report: error: {manifest}: {message}"]


VERDICT = {"status": "pass", "passed": True, "reason": "pass", "details": None}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"checks": {"strict": VERDICT | {"status": "fine"}}},
            "field 'checks.strict.status' must be one of 'pass', ",
        ),
        (
            {"checks": {"strict": VERDICT | {"passed": "yes"}}},
            "field 'checks.strict.passed' must be true, false or null, not 'yes'",
        ),
        (
            {"checks": {"strict": VERDICT | {"reason": None}}},
            "field 'checks.strict.reason' must be text, not None",
        ),
        (
            {"checks": {"formal": VERDICT | {"status": "proven", "details": {"depth": 1}}}},
            "field 'checks.formal.details.status' is missing",
        ),
        (
            {"checks": {"plus": VERDICT | {"status": "passed", "details": [1]}}},
            "field 'checks.plus.details' must be an object, not [1]",
        ),
        ({"checks": {"strict": []}}, "field 'checks.strict' must be an object, not []"),
        ({"checks": 7}, "field 'checks' must be an object, not 7"),
        (
            {"formal": {"status": "proven", "depth": "deep"}},
            "field 'formal.depth' must be an integer, not 'deep'",
        ),
        (
            {"formal": {"status": "maybe"}},
            "field 'formal.status' must be one of 'proven', 'bounded', 'disproved', ",
        ),
        ({"plus_passed": True, "plus": {"tamper": 5}}, "field 'plus.tamper' must be a list, not 5"),
        (
            {
                "checks": {
                    "strict": VERDICT
                    | {"details": {"status": "mismatch", "first_mismatch": {"time_ns": "x"}}}
                }
            },
            "field 'checks.strict.details.first_mismatch.cycle' is missing",
        ),
        (
            {"strict_passed": False, "strict": {"status": "mismatch", "compares": "many"}},
            "field 'strict.compares' must be an integer, not 'many'",
        ),
    ],
)
def test_a_damaged_check_record_is_named_by_file_line_and_field(cli, tmp_path, fields, message):
    run = write_run(tmp_path / "run", {"Prob001_zero": "."})
    results = run / "results.jsonl"
    results.write_text(json.dumps(json.loads(results.read_text()) | fields) + "\n")
    done = cli("report", run)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"verilogeval report: error: {results}:1: {message}")


def test_a_damaged_prompt_line_is_named_by_file_line_and_field(cli, tmp_path):
    run = write_run(tmp_path / "run", {"Prob001_zero": "."})
    prompts = run / "prompts.jsonl"
    prompts.write_text(json.dumps(json.loads(prompts.read_text()) | {"shots": "x"}) + "\n")
    done = cli("report", run)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    message = f"{prompts}:1: field 'shots' must be an integer, not 'x'"
    assert done.stderr.splitlines() == [f"verilogeval report: error: {message}"]
