"""The non-Python folders travel with an installed wheel, not only with a checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from verilogeval.resources import resource_dir

REPO = Path(__file__).resolve().parent.parent
FOLDERS = ("dataset", "prompts", "icl_examples", "sims")


def test_checkout_finds_its_folders():
    for name in FOLDERS:
        assert resource_dir(name) == REPO / name


@pytest.mark.slow
def test_installed_wheel_finds_its_folders(tmp_path):
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", tmp_path / "dist", REPO],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = (tmp_path / "dist").glob("verilogeval-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for name in FOLDERS:
        assert any(n.startswith(f"verilogeval/_data/{name}/") for n in names), name
    assert "verilogeval/generation/models/model_map.json" in names  # prices and capabilities
    assert "verilogeval/_data/dataset/errata/v2.1/Prob099_m2014_q6c.toml" in names  # --benchmark
    assert "verilogeval/_data/prompts/v1/user.j2" in names  # v1's prompt
    assert "verilogeval/grading/v1/streams.py" in names  # v1's harness runs it as a module

    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)  # what pip install puts in site-packages
    probe = (
        "from verilogeval.resources import resource_dir\n"
        "from verilogeval.dataset.loader import load_dataset\n"
        "from verilogeval.records import Task\n"
        "print(resource_dir('prompts'))\n"
        "print(len(load_dataset(None, Task.SPEC_TO_RTL).problems))\n"
        "from verilogeval.dataset.errata import Benchmark, load_errata\n"
        "print(len(load_errata(Benchmark.V2_1)))\n"
        "from verilogeval.generation.models.pricing import map_prices\n"
        "print(map_prices('openai/gpt-4o') is not None)\n"
        "from verilogeval.grading.ports.domains import load_domains\n"
        "print(len(load_domains()))\n"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(target)!r})\n{probe}"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    prompts_dir, count, errata, priced, domains = result.stdout.split()
    assert int(errata) >= 9
    assert priced == "True"
    assert prompts_dir == str(target / "verilogeval" / "_data" / "prompts")
    assert int(count) >= 12
    assert int(domains) >= 5  # verilogeval/grading/ports/domains.toml travels with the package
