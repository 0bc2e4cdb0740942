"""Shared fixtures: the ../shared material, the golden vectors, and the CLI as a user runs it."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fake_openai_server import FakeOpenAIServer

from verilogeval.dataset.loader import load_dataset
from verilogeval.records import Problem, Task

REPO = Path(__file__).resolve().parent.parent


def _shared_dir() -> Path:
    return Path(os.environ.get("VERILOGEVAL_SHARED", REPO.parent / "shared")).resolve()


def _require_shared() -> bool:
    return os.environ.get("VERILOGEVAL_REQUIRE_SHARED") == "1"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared (or $VERILOGEVAL_SHARED); skipped when absent unless CI requires it."""
    path = _shared_dir()
    if not (path / "verilog-eval-v2").is_dir():
        message = f"shared material not found at {path} (set VERILOGEVAL_SHARED)"
        if _require_shared():
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def official_root(shared_dir: Path) -> Path:
    """Root of the official VerilogEval v2 clone."""
    return shared_dir / "verilog-eval-v2"


@pytest.fixture(scope="session")
def official_problems(official_root: Path) -> dict[Task, dict[str, Problem]]:
    """Every problem of the official clone, by task and name, loaded once."""
    return {task: {p.name: p for p in load_dataset(official_root, task).problems} for task in Task}


@pytest.fixture(scope="session")
def golden(shared_dir: Path):
    """golden(name) -> list of rows of ../shared/golden/<name>.jsonl.gz."""

    def load(name: str) -> list[dict]:
        with gzip.open(shared_dir / "golden" / f"{name}.jsonl.gz", "rt", encoding="utf-8") as f:
            return [json.loads(line) for line in f]

    return load


def icarus_major() -> int | None:
    """The installed Icarus Verilog's major version (11, 12, ...), None without Icarus."""
    if not shutil.which("iverilog"):
        return None
    from verilogeval.grading.simulate import simulator_major, simulator_version

    return simulator_major(simulator_version())


@pytest.fixture(scope="session")
def golden_classification(golden) -> list[dict]:
    """The classification golden rows recorded under the installed Icarus major version.

    Icarus 11 and 12 disagree on 16 rows (Prob151, Prob156): each has its own file, so
    parity means the same on either version.
    """
    major = icarus_major()
    if major == 11:
        return golden("classification")
    if major == 12:
        return golden("classification-icarus12")
    pytest.skip(f"no golden classification recorded for Icarus {major}")


@pytest.fixture(scope="session")
def reference_failures(golden_classification) -> dict[str, dict[str, str]]:
    """task -> {problem: code} of the official references that cannot pass here."""
    failures: dict[str, dict[str, str]] = {}
    for row in golden_classification:
        if row["sample"] == "ref" and row["official"] != ".":
            failures.setdefault(row["task"], {})[row["problem"]] = row["official"]
    return failures


def pytest_collection_modifyitems(config, items):
    """Tests marked `icarus` (`yosys`) are skipped where Icarus Verilog (Yosys) is missing."""
    missing = {
        "icarus": not (shutil.which("iverilog") and shutil.which("vvp")),
        "yosys": not shutil.which("yosys"),
    }
    for marker, absent in missing.items():
        if not absent:
            continue
        skip = pytest.mark.skip(reason=f"{marker} not installed")
        for item in items:
            if marker in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def cli():
    """cli(*args, input=None, cwd=None, timeout=600) runs `python -m verilogeval` as a user
    would (session-wide: a module's fixture may grade through it too)."""

    def run(*args: str, input: str | None = None, cwd: Path | None = None, timeout: float = 600):
        return subprocess.run(
            [sys.executable, "-m", "verilogeval", *map(str, args)],
            input=input,
            capture_output=True,
            text=True,
            cwd=cwd,
            timeout=timeout,
        )

    return run


@pytest.fixture(scope="module")
def server():
    """A loopback OpenAI-compatible server (tests/fake_openai_server.py) for one module;
    a request that asks it to hang waits 10 s."""
    with FakeOpenAIServer(hang_s=10) as server:
        yield server


@pytest.fixture
def fresh(server):
    """The module's server with no request, fault or latency of an earlier test."""
    server.reset()
    server.latency_s = 0.0
    return server
