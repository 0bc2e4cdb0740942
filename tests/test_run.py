"""`verilogeval run` end to end with the oracle: verdicts, run.json, resume, refusal, SIGKILL."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from run_folders import jsonl_lines

pytestmark = pytest.mark.icarus


def _verdicts(run_dir: Path) -> dict[tuple[str, int], str]:
    return {
        (r["problem"], r["sample"]): r["category"] for r in jsonl_lines(run_dir / "results.jsonl")
    }


def _run(cli, out: Path, *args: str):
    return cli("run", "--model", "oracle", "--out", out, "--no-cache", "--quiet", *args)


@pytest.mark.slow
def test_oracle_on_embedded_dataset_passes_and_describes_itself(cli, tmp_path):
    out = tmp_path / "run"
    result = _run(cli, out, "--task", "code-complete-iccad2023")
    assert result.returncode == 0, result.stderr
    results = jsonl_lines(out / "results.jsonl")
    assert results and all(r["passed"] for r in results)
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["model"] == "oracle" and manifest["task"] == "code-complete-iccad2023"
    assert manifest["prompt"]["style"] == "native" and manifest["extract_mode"] == "robust"
    assert manifest["sampling"]["n"] == 1 and manifest["sampling"]["temperature"] == 0
    assert manifest["finished_at"] and manifest["simulator"]["version"].startswith("Icarus")
    assert len(manifest["dataset"]["hash"]) == 64
    assert len(manifest["problems"]) == len(results)
    for name in ("prompts.jsonl", "generations.jsonl", "summary.txt", "summary.csv"):
        assert (out / name).is_file(), name
    first = results[0]["problem"]
    assert (out / first / f"{first}_sample01.sv").is_file()
    assert (out / first / f"{first}_sample01-sv-iv-test.log").is_file()
    assert "pass rate" in result.stdout


def test_rerun_resumes_without_work_and_refuses_other_parameters(cli, tmp_path):
    out = tmp_path / "run"
    assert _run(cli, out, "--problems", "1-3", "--samples", "2").returncode == 0
    before = (out / "results.jsonl").read_text()
    again = _run(cli, out, "--problems", "1-3", "--samples", "2")
    assert again.returncode == 0, again.stderr
    assert (out / "results.jsonl").read_text() == before  # nothing graded twice
    assert "6 (6 from before)" in again.stdout
    refused = _run(cli, out, "--problems", "1-3", "--samples", "2", "--shots", "1")
    assert refused.returncode == 2
    assert "prompt.shots: 0 -> 1" in refused.stderr and "Traceback" not in refused.stderr


@pytest.mark.slow
@pytest.mark.parametrize("task", ["spec-to-rtl", "code-complete-iccad2023"])
def test_oracle_on_official_dataset(cli, official_root, tmp_path, task, reference_failures):
    """The oracle fails exactly where the reference itself fails under this Icarus version."""
    out = tmp_path / task
    result = _run(cli, out, "--dataset", official_root, "--task", task)
    assert result.returncode == 0, result.stderr
    results = jsonl_lines(out / "results.jsonl")
    assert len(results) == 156
    failing = {r["problem"]: r["category"] for r in results if not r["passed"]}
    assert failing == reference_failures[task]
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["prompt"]["style"] == "official-v2" and manifest["extract_mode"] == "official"


@pytest.mark.slow
def test_sigkill_then_resume_equals_an_uninterrupted_run(cli, official_root, tmp_path):
    common = ["--dataset", str(official_root), "--problems", "1-60", "--jobs", "1"]
    whole = tmp_path / "whole"
    assert _run(cli, whole, *common).returncode == 0

    killed = tmp_path / "killed"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "verilogeval",
            "run",
            "--model",
            "oracle",
            "--out",
            str(killed),
            "--no-cache",
            "--quiet",
            *common,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    results = killed / "results.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if results.exists() and results.read_text().count("\n") >= 10:
            break
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    partial = len(jsonl_lines(results))
    assert 10 <= partial < 60, "the kill should land mid-run"

    resumed = _run(cli, killed, *common)
    assert resumed.returncode == 0, resumed.stderr
    lines = jsonl_lines(results)
    counts = Counter((r["problem"], r["sample"]) for r in lines)
    assert max(counts.values()) == 1, "no sample may be journaled twice"
    generations = Counter(
        (g["problem"], g["sample"]) for g in jsonl_lines(killed / "generations.jsonl")
    )
    assert max(generations.values()) == 1
    assert _verdicts(killed) == _verdicts(whole)
    assert f"({partial} from before)" in resumed.stdout


@pytest.mark.slow
def test_torn_results_line_is_dropped_on_resume(cli, tmp_path):
    out = tmp_path / "run"
    assert _run(cli, out, "--problems", "1-4").returncode == 0
    results = out / "results.jsonl"
    text = results.read_text()
    last = text.rstrip("\n").rsplit("\n", 1)[-1]
    results.write_text(text[: len(text) - len(last) - 1] + last[: len(last) // 2])
    assert _run(cli, out, "--problems", "1-4").returncode == 0
    assert len(jsonl_lines(results)) == 4
    assert all(r["passed"] for r in jsonl_lines(results))


@pytest.mark.slow
@pytest.mark.cocotb
def test_strict_run_adds_the_differential_verdict(cli, tmp_path):
    out = tmp_path / "run"
    result = _run(cli, out, "--problems", "1,20", "--strict")
    assert result.returncode == 0, result.stderr
    lines = jsonl_lines(out / "results.jsonl")
    assert len(lines) == 2
    assert all(r["passed"] and r["strict_passed"] is True for r in lines)
    assert all(r["strict"]["status"] == "pass" for r in lines)
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["strict"]["seed"] is not None
    refused = _run(cli, out, "--problems", "1,20", "--strict", "--strict-seed", "12345")
    assert refused.returncode == 2 and "strict.seed" in refused.stderr


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_and_says_how_to_resume(official_root, tmp_path):
    out = tmp_path / "run"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "verilogeval",
            "run",
            "--model",
            "oracle",
            "--out",
            str(out),
            "--no-cache",
            "--quiet",
            "--dataset",
            str(official_root),
            "--jobs",
            "1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A shell starts background jobs with SIGINT ignored, and Python then never turns
        # it into KeyboardInterrupt: give the child the default, as a terminal would.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    results = out / "results.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (
        results.exists() and results.read_text().count("\n") >= 5
    ):
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "resume with: verilogeval run --model oracle --out" in stderr
    assert "Traceback" not in stderr
    assert json.loads((out / "run.json").read_text())["finished_at"] is None
    assert len(jsonl_lines(results)) < 156


@pytest.mark.slow
def test_wall_time_counts_from_the_process_start(tmp_path):
    # Start-up (here a 3 s sleep before main) belongs to the run's wall time; the old
    # table counted from the pipeline's start only.
    script = (
        "import sys, time; time.sleep(3); from verilogeval.cli.entry import main; "
        f"sys.exit(main(['run', '--model', 'oracle', '--problems', '1', '--no-cache', "
        f"'--quiet', '--out', {str(tmp_path / 'run')!r}]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    (wall,) = re.findall(r"wall time\s*\S\s*([\d.]+) s", done.stdout)
    assert float(wall) >= 3.0
