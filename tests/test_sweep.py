"""`verilogeval sweep`: one run folder per matrix cell, finished cells skipped."""

from __future__ import annotations

import json

import pytest

from verilogeval.commands.sweep import load_sweep
from verilogeval.errors import UserError

CONFIG = """
out = "{out}"
models = ["oracle"]
tasks = ["spec-to-rtl", "code-complete-iccad2023"]
shots = [0, 1]
[run]
problems = "1-2"
no_cache = true
quiet = true
"""


@pytest.mark.icarus
def test_sweep_runs_every_cell_then_skips_them(cli, tmp_path):
    config = tmp_path / "sweep.toml"
    config.write_text(CONFIG.format(out=tmp_path / "runs"))
    first = cli("sweep", config)
    assert first.returncode == 0, first.stderr
    folders = sorted(p for p in (tmp_path / "runs").iterdir())
    assert [f.name for f in folders] == [
        "oracle_code-complete-iccad2023_0shot_greedy",
        "oracle_code-complete-iccad2023_1shot_greedy",
        "oracle_spec-to-rtl_0shot_greedy",
        "oracle_spec-to-rtl_1shot_greedy",
    ]
    for folder in folders:
        manifest = json.loads((folder / "run.json").read_text())
        assert manifest["finished_at"]
        assert manifest["prompt"]["shots"] == int(folder.name.split("_")[2][0])
        results = [json.loads(line) for line in (folder / "results.jsonl").open()]
        assert len(results) == 2 and all(r["passed"] for r in results)
    second = cli("sweep", config)
    assert second.returncode == 0
    assert second.stdout.count("finished, skipped") == 4


def test_bad_sweep_files_name_the_field(tmp_path):
    config = tmp_path / "s.toml"
    config.write_text('out = "x"\nmodels = ["oracle"]\nshots = 1\n')
    with pytest.raises(UserError, match="'shots' must be a non-empty list"):
        load_sweep(config)
    config.write_text('out = "x"\nmodels = ["oracle"]\n[run]\nmodel = "other"\n')
    with pytest.raises(UserError, match="may not set model"):
        load_sweep(config)
    config.write_text('models = ["oracle"]\n')
    with pytest.raises(UserError, match="'out' and 'models' are required"):
        load_sweep(config)


def test_dry_run_lists_commands(cli, tmp_path):
    config = tmp_path / "sweep.toml"
    config.write_text(CONFIG.format(out=tmp_path / "runs"))
    result = cli("sweep", config, "--dry-run")
    assert result.returncode == 0
    assert result.stdout.count("verilogeval run --model oracle") == 4
    assert "--shots 1" in result.stdout and "--problems 1-2" in result.stdout
    assert not (tmp_path / "runs").exists()
