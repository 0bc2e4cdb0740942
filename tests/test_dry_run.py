"""`run --dry-run`: problems, requests, tokens and cost, with nothing sent or written."""

from __future__ import annotations

import json
import math
import re

import pytest

from verilogeval.cli.entry import main
from verilogeval.generation.models.pricing import map_prices
from verilogeval.records import Usage
from verilogeval.runfolder.files import RunFolder


@pytest.fixture
def cli(capsys, tmp_path, monkeypatch):
    """The command in this process (litellm is imported once), in an empty folder."""
    monkeypatch.chdir(tmp_path)

    class Done:
        def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
            self.returncode, self.stdout, self.stderr = returncode, stdout, stderr

    def run(*args):
        code = main([str(arg) for arg in args])
        out, err = capsys.readouterr()
        return Done(code, out, err)

    return run


def _prompt_chars(cli, problems: str) -> int:
    """The characters of the real prompts, as `prompt --format json` shows them."""
    shown = cli("prompt", "--format", "json", problems)
    prompts = [json.loads(line) for line in shown.stdout.splitlines()]
    return sum(len(p["system"]) + len(p["user"]) for p in prompts)


def test_dry_run_shows_requests_tokens_and_cost_and_writes_nothing(cli, tmp_path):
    result = cli(
        "run", "--model", "gpt-4o", "--problems", "1-3", "--samples", "2", "--dry-run",

    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "problems       3 problems of spec-to-rtl: Prob001_majority5, " in out
    assert "requests       6 (3 problems x 2 samples)" in out
    tokens = math.ceil(2 * _prompt_chars(cli, "1-3") / 4)
    assert f"prompt tokens  ~{tokens:,} " in out
    assert "answer tokens  at most 6,144 (--max-tokens 1024 per request)" in out
    prices = map_prices("openai/gpt-4o-2024-05-13")
    assert prices is not None
    price = prices.cost(Usage(tokens, 0))
    ceiling = prices.cost(Usage(tokens, 6144))
    assert price and ceiling
    assert f"cost           ${price:.2f} for the prompts, at most ${ceiling:.2f}" in out
    assert list(tmp_path.iterdir()) == []  # no run folder, no cache


def test_dry_run_cost_is_unknown_without_a_price_and_zero_for_the_oracle(cli, tmp_path):
    local = cli(
        "run", "--model", "openai:gpt-4o", "--api-base", "http://127.0.0.1:9/v1",
        "--problems", "1", "--dry-run",
    )  # fmt: skip
    assert local.returncode == 0, local.stderr
    assert "cost           unknown (no price for openai:gpt-4o: a server of its own" in local.stdout
    unpriced = cli("run", "--model", "openai:no-such-model", "--problems", "1", "--dry-run")
    assert "cost           unknown (no price for openai:no-such-model" in unpriced.stdout
    oracle = cli("run", "--model", "oracle", "--dry-run")
    assert "requests       0 (oracle asks no model)" in oracle.stdout
    assert re.search(
        r"problems +\d+ problems of spec-to-rtl: .*\.\.\. \d+ more \.\.\.", oracle.stdout
    )
    assert list(tmp_path.iterdir()) == []


def test_dry_run_counts_only_what_a_resume_would_ask(cli, tmp_path):
    from verilogeval.cli.commands.options import run_plan_from_args
    from verilogeval.cli.entry import build_parser
    from verilogeval.runfolder.manifest import write_manifest

    out = tmp_path / "run"
    argv = ["--model", "openai:m", "--api-base", "http://127.0.0.1:9/v1", "--problems", "1-2",
            "--samples", "3", "--out", str(out)]  # fmt: skip
    parser, _ = build_parser("run")
    args = parser.parse_args(argv)
    args.command_line = ["verilogeval", "run", *argv]
    out.mkdir()
    write_manifest(RunFolder(out), run_plan_from_args(args).manifest())  # an interrupted run
    answer: dict[str, object] = {"response": "x", "error": None, "cached": False}
    lines = [{"problem": "Prob001_majority5", "sample": s} | answer for s in (1, 2)]
    (out / "generations.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    result = cli("run", *argv, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert (
        f"requests       4 (2 problems x 3 samples; 2 already answered in {out})" in result.stdout
    )
    # other parameters into the same folder: refused, as the run itself would refuse them
    other = cli("run", *argv[:-2], "--samples", "5", "--out", out, "--dry-run")
    assert other.returncode == 2
    assert "was run with other parameters (sampling.n: 3 -> 5" in other.stderr


@pytest.mark.icarus
def test_dry_run_of_a_plus_folder_takes_its_recorded_shifts_as_run_does(cli, tmp_path):
    """The dry run read the folder without the shifts the run recorded (run takes them from
    run.json), so a folder `run --plus` had started was refused as another run."""
    out = tmp_path / "run"
    argv = ["--model", "oracle", "--problems", "1", "--out", out, "--plus", "--no-cache"]
    done = cli("run", *argv, "--quiet")
    assert done.returncode == 0, done.stderr
    dry = cli("run", *argv, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "dry run of oracle" in dry.stdout
