"""`verilogeval sweep`: one run folder per matrix cell, finished cells skipped."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from verilogeval.cli.commands.sweep import load_sweep
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


# Each file is wrong in one key; the error names it. On the old code the first two ended in
# tracebacks (int("a"), "x".keys()) and the others ran cells before failing.
BAD_FILES = {
    'shots = ["a"]': "shots = ['a']: 'a' is not an integer from 0 to 4",
    'run = "x"': "'run' must be a table",
    'tasks = ["spec-to-rtl", "nope"]': "'nope' is not one of 'spec-to-rtl'",
    "temperatures = [-0.5]": "temperatures = [-0.5]: -0.5 is not a number, 0 or more",
    "top_ps = [1.5]": "1.5 is not a number in (0, 1]",
    "rules = [1]": "rules = [1]: 1 is not true or false",
    "[run]\nconcurency = 4": "[run] concurency: not an option of `verilogeval run`",
    '[run]\nconcurrency = "many"': "[run] concurrency = 'many': not a valid int",
    "[run]\nplus = 1": "[run] plus = 1: must be true or false",
    "[run]\nproblems = [1, 2]": "[run] problems = [1, 2]: must be a single value",
    '[run]\ndataset = "/no/such/clone"': "run 1 (--model oracle",
    "[run]\njobs = 0": "[run] jobs = 0: must be at least 1, got '0'",
    "[run]\ntimeout = true": "[run] timeout = True: must be a single value",
}


@pytest.mark.parametrize("line", BAD_FILES)
def test_a_wrong_key_or_type_is_one_error_before_anything_runs(cli, tmp_path, line):
    config = tmp_path / "sweep.toml"
    config.write_text(f'out = "{tmp_path / "runs"}"\nmodels = ["oracle", "oracle"]\n{line}\n')
    for flags in ([], ["--dry-run"]):
        result = cli("sweep", config, *flags)
        assert result.returncode == 2, result.stdout
        assert BAD_FILES[line] in result.stderr
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert not (tmp_path / "runs").exists()


def _dry_run(cli, config: Path, text: str):
    """`sweep --dry-run` of the sweep file `text` (at `config`): its output, and the names
    of the folders it lists."""
    config.write_text(text)
    result = cli("sweep", config, "--dry-run")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    folders = [line.split(": ")[0].split("] ")[1] for line in lines if line.startswith("[")]
    return result, [Path(folder).name for folder in folders]


def test_folders_are_named_after_the_settings_they_hold(cli, tmp_path):
    config = tmp_path / "sweep.toml"
    result, names = _dry_run(
        cli,
        config,
        f'out = "{tmp_path / "runs"}"\nmodels = ["oracle"]\npresets = ["greedy", "sampling"]\n'
        "temperatures = [0.3, 0.8]\ntop_ps = [0.95]\n[run]\nsamples = 2\n",
    )
    lines = result.stdout.splitlines()
    # the greedy preset at temperature 0.3 is not a "greedy" run: the name says what differs
    assert names == [
        "oracle_spec-to-rtl_0shot_greedy_n2_t0.3_p0.95",
        "oracle_spec-to-rtl_0shot_greedy_n2_t0.8_p0.95",
        "oracle_spec-to-rtl_0shot_sampling_n2_t0.3",
        "oracle_spec-to-rtl_0shot_sampling_n2",
    ]
    assert "--temperature 0.3 --top-p 0.95 --samples 2" in result.stdout
    assert lines[-2:] == [
        f"4 runs in {config}; nothing was run",
        "to do: 0 requests, ~0 prompt tokens, cost $0",  # the oracle asks no model
    ]
    assert not (tmp_path / "runs").exists()
    config.write_text(
        f'out = "{tmp_path / "runs"}"\nmodels = ["oracle"]\ntemperatures = [0.3]\n'
        "[run]\ntemperature = 0.5\n"
    )
    clash = cli("sweep", config, "--dry-run")
    assert clash.returncode == 2 and "[run] may not set temperature" in clash.stderr


def test_dry_run_lists_commands(cli, tmp_path):
    config = tmp_path / "sweep.toml"
    config.write_text(CONFIG.format(out=tmp_path / "runs"))
    result = cli("sweep", config, "--dry-run")
    assert result.returncode == 0
    assert result.stdout.count("verilogeval run --model oracle") == 4
    assert "--shots 1" in result.stdout and "--problems 1-2" in result.stdout
    assert not (tmp_path / "runs").exists()


def test_dry_run_adds_up_the_requests_and_cost_of_the_runs_to_do(cli, tmp_path):
    config = tmp_path / "sweep.toml"
    config.write_text(
        f'out = "{tmp_path / "runs"}"\nmodels = ["oracle", "gpt-4o", "openai:local"]\n'
        'shots = [0, 1]\n[run]\nproblems = "1-3"\nsamples = 2\n'
    )
    result = cli("sweep", config, "--dry-run")
    assert result.returncode == 0, result.stderr
    total = result.stdout.splitlines()[-1]
    # 2 models ask 3 problems x 2 samples x 2 shot settings; openai:local has no price
    assert total.startswith("to do: 24 requests, ~")
    assert re.search(r"cost \$\d+\.\d\d for the prompts, at most \$\d+\.\d\d", total)
    assert total.endswith("(and unknown for 2 runs)")


def test_repairs_is_an_axis_and_names_the_folder(cli, tmp_path):
    config = tmp_path / "sweep.toml"
    result, names = _dry_run(
        cli,
        config,
        f'out = "{tmp_path / "runs"}"\nmodels = ["oracle"]\nrepairs = [0, 2]\n'
        '[run]\nfeedback = "testbench"\nhistory = "last"\n',
    )
    assert names == [
        "oracle_spec-to-rtl_0shot_greedy",
        "oracle_spec-to-rtl_0shot_greedy_repair2-testbench-last",
    ]
    assert "--repair 2 --feedback testbench --history last" in result.stdout
    config.write_text(f'out = "{tmp_path}"\nmodels = ["oracle"]\n[run]\nrepair = 2\n')
    clash = cli("sweep", config, "--dry-run")
    assert clash.returncode == 2 and "[run] may not set repair" in clash.stderr
