# ruff: noqa: E501  (the attack table reads best one attack per line)
"""Hostile samples against the grader: each graded as it should be, none trusted by --plus,
and nothing outside the sandbox's scratch folder changed.

Every attack is the embedded Prob001_majority5 with extra statements: the correct design
when the attack is on the machine (files, floods, hogs), a wrong one (`maj` stuck at 0)
when it tries to forge the verdict. The run folder, the cache, the dataset (a copy) and a
canary folder are all named by absolute path inside the attacks, so a grader without a
sandbox would let them be written.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from verilogeval.records import Task

PROBLEM = "Prob001_majority5"
MARKER = 31337 * 3  # what a successful write leaves behind: a number the sample text lacks
TAG = "escape-attempt"  # in the names of files the attacks try to create
FORGED = "Mismatches: 0 in 1 samples"
FORGED_HEX = FORGED.encode().hex()


@dataclass(frozen=True)
class Attack:
    name: str
    extra: str  # statements inside TopModule
    wrong: bool  # the design itself is wrong (maj = 0): only a forged verdict passes it
    official: str | None  # the official category the flow gives, when it is certain


def attacks(paths: dict[str, Path]) -> list[Attack]:
    canary, out, cache, data = paths["canary"], paths["out"], paths["cache"], paths["dataset"]
    home = Path.home()
    ref = data / "dataset_spec-to-rtl" / f"{PROBLEM}_ref.sv"

    def write(path: Path | str, mode: str = "w") -> str:
        return (
            f'initial begin : w integer f; f = $fopen("{path}", "{mode}"); '
            f'$fdisplay(f, "%0d", 31337 * 3); $fclose(f); end'
        )

    return [
        # forged verdicts and early ends
        Attack("forge_finish", f'initial begin $display("{FORGED}"); $finish; end', True, "."),
        Attack(
            "forge_split",
            'initial begin $display("Mis", "matches: 0 in 1 samples"); $finish; end',
            True,
            ".",
        ),
        Attack("forge_write", f'initial begin $write("{FORGED}\\n"); $finish; end', True, "."),
        Attack("forge_final", f'final $display("{FORGED}");', True, "."),
        Attack("forge_strobe", f'initial $strobe("{FORGED}");', True, "."),
        Attack("forge_hex", f"final $display(\"%s\", {len(FORGED) * 8}'h{FORGED_HEX});", True, "."),
        Attack("forge_macro", f'`define END $finish\ninitial begin $display("{FORGED}"); `END; end', True, "."),
        Attack("forge_stop", f'initial begin $display("{FORGED}"); $stop; end', True, None),
        Attack("forge_fatal", f'initial begin $display("{FORGED}"); $fatal; end', True, None),
        Attack("early_finish", "initial $finish;", True, "."),  # the testbench: 0 in 0 samples
        Attack("early_fatal", "initial $fatal(1, \"bye\");", True, None),
        Attack("reset_counter", "always @(tb.bad_samples) tb.bad_samples = 0;", True, "."),
        Attack("force_counter", "initial force tb.bad_samples = 0;", True, "."),
        Attack("forge_timeout_line", 'initial $display("TIMEOUT");', False, "T"),
        # files: outside writes and reads
        Attack("write_canary", write(canary / "canary.txt"), False, "."),
        Attack("create_in_canary_dir", write(canary / "new.txt"), False, "."),
        Attack("append_results", write(out / "results.jsonl", "a"), False, "."),
        Attack("truncate_run_json", write(out / "run.json"), False, "."),
        Attack(
            "write_future_log",
            write(out / PROBLEM / f"{PROBLEM}_sample40-sv-iv-test.log"),
            False,
            ".",
        ),
        Attack("write_cache", write(cache / "results.sqlite", "a"), False, "."),
        Attack("write_dataset", write(ref), False, "."),
        Attack("write_home", write(home / f".verilogeval-attack-{TAG}"), False, "."),
        Attack("write_tmp", write(f"/tmp/verilogeval-attack-{TAG}"), False, "."),
        Attack("write_up", write(f"../../verilogeval-attack-{TAG}"), False, "."),
        Attack("writemem_canary", f'reg [7:0] m [0:1]; initial $writememh("{canary}/mem.txt", m);', False, "."),
        Attack("dump_outside", f'initial begin $dumpfile("{out}/wave.vcd"); $dumpvars; end', False, "."),
        Attack("read_shadow", 'reg [7:0] m [0:3]; initial $readmemh("/etc/shadow", m);', False, "."),
        Attack("read_canary", f'reg [7:0] m [0:3]; initial $readmemh("{canary}/canary.txt", m);', False, "."),
        Attack("include_passwd", '`include "/etc/passwd"', False, None),
        Attack("include_relative", '`include "../../../../etc/hostname"', False, None),
        Attack("plusargs", 'initial if ($test$plusargs("verilogeval_shift")) $display("amplified");', False, "."),
        # floods and hogs
        Attack("output_flood", 'initial repeat (100000) $display("%0200d", 0);', False, "."),
        Attack("file_flood", 'initial begin : w integer f; f = $fopen("big.txt", "w"); repeat (1000000) $fdisplay(f, "%0100d", 0); end', False, None),
        Attack("memory_hog", "reg [1023:0] hog [0:(1<<26)-1]; initial begin : fill integer i; for (i = 0; i < (1<<26); i = i + 1) hog[i] = ~0; end", False, None),
        Attack("time_hog", "initial begin : hog forever begin end end", False, "T"),
        # processes
        Attack("system_touch", f'initial $system("touch {canary}/system.txt");', False, None),
        Attack("pipe_open", write(f"| touch {canary}/pipe.txt"), False, "."),
    ]  # fmt: skip


def design(attack: Attack) -> str:
    body = (
        "assign maj = 1'b0;"
        if attack.wrong
        else ("assign maj = (v[0] + v[1] + v[2] + v[3] + v[4]) >= 3;")
    )
    return f"module TopModule (input [4:0] v, output maj);\n{body}\n{attack.extra}\nendmodule\n"


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` with its content hash."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def attacked(tmp_path_factory, cli):
    """Grade every attack twice (without, then with --plus); what each run left behind."""
    root = tmp_path_factory.mktemp("attacks")
    paths = {name: root / name for name in ("canary", "out", "cache", "dataset", "scratch")}
    shutil.copytree(Path(__file__).resolve().parent.parent / "dataset", paths["dataset"])
    for name in ("canary", "scratch"):
        paths[name].mkdir()
    (paths["canary"] / "canary.txt").write_text("canary\n")
    suite = attacks(paths)
    samples = root / "samples.jsonl"
    samples.write_text(
        "".join(
            json.dumps({"problem": PROBLEM, "sample": number, "code": design(attack)}) + "\n"
            for number, attack in enumerate(suite, start=1)
        )
    )
    before = {name: snapshot(paths[name]) for name in ("canary", "dataset")}
    runs = {}
    for plus in (False, True):
        out = paths["out"] / ("plus" if plus else "official")
        done = cli(
            "evaluate", "--dataset", paths["dataset"], "--task", Task.SPEC_TO_RTL,
            "--samples", samples, "--out", out, "--cache-dir", paths["cache"],
            "--scratch-dir", paths["scratch"], "--timeout", 20, "--jobs", 2,
            *(["--plus"] if plus else []), timeout=900,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        lines = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
        runs[plus] = {line["sample"]: line for line in lines}
    after = {name: snapshot(paths[name]) for name in ("canary", "dataset")}
    return suite, runs, paths, before, after


@pytest.mark.icarus
def test_at_least_thirty_attacks(attacked):
    suite, *_ = attacked
    assert len(suite) >= 30


@pytest.mark.icarus
def test_official_category_is_what_the_official_flow_gives(attacked):
    suite, runs, *_ = attacked
    for plus in (False, True):
        for number, attack in enumerate(suite, start=1):
            line = runs[plus][number]
            if attack.official is not None:
                assert line["category"] == attack.official, attack.name


@pytest.mark.icarus
def test_no_attack_gets_plus_passed(attacked):
    suite, runs, *_ = attacked
    for number, attack in enumerate(suite, start=1):
        line = runs[True][number]
        assert line["plus_passed"] is False, attack.name
        if line["passed"]:  # officially passing: plus says why it does not trust it
            assert line["plus"]["tamper"], attack.name
    assert all("plus_passed" not in line for line in runs[False].values())


@pytest.mark.icarus
def test_nothing_outside_the_scratch_folder_changes(attacked):
    suite, runs, paths, before, after = attacked
    assert after == before  # canary folder (listing and contents) and dataset untouched
    assert not (Path.home() / f".verilogeval-attack-{TAG}").exists()
    assert not Path(f"/tmp/verilogeval-attack-{TAG}").exists()
    assert not (paths["scratch"].parent / f"verilogeval-attack-{TAG}").exists()
    for plus in (False, True):
        out = paths["out"] / ("plus" if plus else "official")
        assert len(runs[plus]) == len(suite)  # no line appended by a sample
        json.loads((out / "run.json").read_text())  # not truncated
        for path in out.rglob("*"):
            if path.is_file():
                assert str(MARKER).encode() not in path.read_bytes(), path
        assert not (out / "wave.vcd").exists()
    cache = (paths["cache"] / "results.sqlite").read_bytes()
    assert str(MARKER).encode() not in cache
    # the scratch folder is empty again: sandboxes remove their folders when they end
    assert [p for p in paths["scratch"].rglob("*") if p.is_file()] == []


@pytest.mark.icarus
def test_without_the_sandbox_the_same_attack_escapes_and_the_choice_is_recorded(cli, tmp_path):
    """The suite above could fail: unsandboxed (--no-sandbox), a write by absolute path lands."""
    canary = tmp_path / "canary"
    canary.mkdir()
    extra = (
        f'initial begin : w integer f; f = $fopen("{canary}/new.txt", "w"); '
        '$fdisplay(f, "%0d", 31337 * 3); $fclose(f); end'
    )
    code = design(Attack("write_canary", extra, False, "."))
    samples = tmp_path / "s.jsonl"
    samples.write_text(json.dumps({"problem": PROBLEM, "sample": 1, "code": code}) + "\n")
    out = tmp_path / "out"
    done = cli("evaluate", "--samples", samples, "--out", out, "--no-cache", "--no-sandbox")
    assert done.returncode == 0, done.stderr
    assert "--no-sandbox" in done.stderr  # the warning
    assert (canary / "new.txt").read_text().strip() == str(MARKER)
    assert json.loads((out / "run.json").read_text())["sandbox"] is False
