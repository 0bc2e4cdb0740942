"""run.json and results.jsonl read back as typed records: what is not what the schema says
is one line naming the file and the field, through `verilogeval report`, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from run_folders import write_run

from verilogeval.checks.plus.check import PlusSettings
from verilogeval.checks.registry import check_settings_types
from verilogeval.checks.strict.check import StrictConfig
from verilogeval.runfolder.manifest import Manifest, SimulatorFacts
from verilogeval.runfolder.settings import RepairSettings, SamplingSettings, TimeLimitSettings

# run.json of `run --model oracle --problems 2 --strict --repair 1 --seed 7`, as main wrote
# it before the manifest held typed settings records (53029c0), less what changes per
# invocation or machine: the records must write the same bytes.
GOLDEN_RUN_JSON = {
    "schema_version": 1,
    "command": "run",
    "task": "spec-to-rtl",
    "problems": ["Prob002_priority_enc8"],
    "benchmark": "v2.0",
    "model": "oracle",
    "api_base": None,
    "prices": None,
    "prompt": {"style": "native", "shots": 0, "rules": False, "explain": False},
    "sampling": {
        "n": 1,
        "temperature": 0.0,
        "top_p": 0.01,
        "max_tokens": 1024,
        "seed": 7,
        "preset": "greedy",
        "reasoning_effort": None,
        "thinking_budget": None,
    },
    "request": None,
    "extract_mode": "robust",
    "strict": {"cycles": 500, "seed": 1, "x_strict": False, "timeout_s": 60.0},
    "plus": None,
    "formal": None,
    "checks": {"strict": {"cycles": 500, "seed": 1, "x_strict": False, "timeout_s": 60.0}},
    "repair": {"rounds": 1, "feedback": "compiler", "history": "full"},
    "simulator": {
        "timeout_s": 30.0,
        "time_limit": {"floor_s": 30.0, "factor": 4.0},
        "scheduler": None,
    },
    "engine": {"concurrency": 8, "rpm": None, "request_timeout_s": 120.0, "attempts": 6},
    "jobs": 2,
    "sandbox": True,
    "sessions": 1,
}
_PER_INVOCATION = ("verilogeval_version", "dataset", "started_at", "finished_at", "packages")


def _comparable(data: dict) -> str:
    """run.json as text, in its order, less what differs per invocation or machine."""
    kept = {k: v for k, v in data.items() if k not in (*_PER_INVOCATION, "git_revision")}
    kept["simulator"] = {k: v for k, v in kept["simulator"].items() if k != "version"}
    return json.dumps(kept, indent=2)


def test_run_json_from_typed_records_is_byte_identical_to_before(cli, tmp_path):
    """The plan writes records, run.json reads back into the same records, and both
    write what the plain objects did: same keys, same order, same numbers (0.0, not 0)."""
    out = tmp_path / "run"
    args = ("--problems", "2", "--no-cache", "--quiet", "--strict", "--repair", "1")
    done = cli("run", "--model", "oracle", "--out", out, *args, "--seed", "7")
    assert done.returncode == 0, done.stderr
    path = out / "run.json"
    data = json.loads(path.read_text())
    assert _comparable(data) == _comparable(GOLDEN_RUN_JSON | {k: data[k] for k in _PER_INVOCATION})
    manifest = Manifest.from_json(data, path, check_settings_types())
    assert manifest.sampling == SamplingSettings(
        n=1, temperature=0.0, top_p=0.01, max_tokens=1024, seed=7, preset="greedy"
    )
    assert manifest.repair == RepairSettings(rounds=1, feedback="compiler", history="full")
    assert json.dumps(manifest.to_json(), indent=2) == json.dumps(data, indent=2)


def test_a_typed_record_compares_equal_to_the_json_read_back(tmp_path: Path):
    """A resume compares records: what a plan builds equals what run.json reads back."""
    written = Manifest(
        command="generate",
        task="spec-to-rtl",
        dataset=Manifest.from_json(
            {
                "schema_version": 1,
                "command": "x",
                "task": "t",
                "started_at": "s",
                "problems": [],
                "dataset": {"path": "d", "hash": "h", "official": False},
            },
            tmp_path,
            check_settings_types(),
        ).dataset,
        problems=("Prob001_zero",),
        started_at="now",
        sampling=SamplingSettings(n=2, temperature=1.0, top_p=0.95, max_tokens=9, seed=None),
        repair=RepairSettings(rounds=2, feedback="compiler", history="last"),
        checks={"strict": StrictConfig(seed=3), "plus": PlusSettings(seeds=2, shifts=(1, 5))},
        simulator=SimulatorFacts(None, None, TimeLimitSettings(floor_s=30.0, factor=4.0)),
    )
    back = Manifest.from_json(
        json.loads(json.dumps(written.to_json())), tmp_path, check_settings_types()
    )
    assert back == written and not back.identity().differences(written.identity())


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
        (
            {"repair": {"rounds": "two", "feedback": "compiler", "history": "full"}},
            "field 'repair.rounds' must be an integer, not 'two'",
        ),
        ({"repair": {"rounds": 1}}, "field 'repair.feedback' is missing"),
        ({"sampling": 3}, "field 'sampling' must be an object, not 3"),
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
            {"simulator": {"timeout_s": None, "time_limit": {"floor_s": "long", "factor": 4}}},
            "field 'simulator.time_limit.floor_s' must be a number, not 'long'",
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
