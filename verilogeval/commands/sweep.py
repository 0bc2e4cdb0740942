"""`verilogeval sweep CONFIG.toml`: the paper's tables as one matrix of runs.

Every combination of models x tasks x shots x rules x presets becomes one `verilogeval run`
into its own folder under `out`; a finished folder is skipped and an unfinished one resumed,
so a sweep can be stopped and started again at will.

    out = "runs/paper"                  # parent of the run folders
    models = ["oracle", "gpt-4o"]
    tasks = ["spec-to-rtl", "code-complete-iccad2023"]
    shots = [0, 1]
    rules = [false, true]
    presets = ["greedy"]
    [run]                               # any other `run` option, by its long name
    dataset = "../verilog-eval"
    concurrency = 16
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verilogeval.commands.options import add_scheduler_option
from verilogeval.commands.run import model_slug
from verilogeval.errors import UserError
from verilogeval.manifest import read_manifest

_MATRIX_KEYS = ("models", "tasks", "shots", "rules", "presets")
_DEFAULTS: dict[str, list[Any]] = {
    "tasks": ["spec-to-rtl"],
    "shots": [0],
    "rules": [False],
    "presets": ["greedy"],
}
# `run` options that the matrix itself sets; the [run] table may not set them too.
_OWNED = {"model", "task", "shots", "rules", "preset", "out"}


@dataclass(frozen=True)
class Cell:
    """One run of the sweep."""

    model: str
    task: str
    shots: int
    rules: bool
    preset: str

    def folder_name(self) -> str:
        model = model_slug(self.model)
        rules = "_rules" if self.rules else ""
        return f"{model}_{self.task}_{self.shots}shot{rules}_{self.preset}"

    def run_argv(self, out: Path, options: dict[str, Any]) -> list[str]:
        argv = ["run", "--model", self.model, "--task", self.task, "--shots", str(self.shots)]
        argv += ["--preset", self.preset, "--out", str(out / self.folder_name())]
        argv += ["--rules"] if self.rules else []
        for key, value in options.items():
            flag = "--" + key.replace("_", "-")
            if value is True:
                argv.append(flag)
            elif value is not False:
                argv += [flag, str(value)]
        return argv


@dataclass(frozen=True)
class SweepConfig:
    out: Path
    cells: tuple[Cell, ...]
    run_options: dict[str, Any]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", type=Path, help="TOML file: out, models, tasks, shots, ...")
    parser.add_argument("--dry-run", action="store_true", help="list the runs, run nothing")
    parser.add_argument(
        "--plus", action="store_true", help="every run with --plus (as `plus = true` in [run])"
    )
    add_scheduler_option(parser)


def load_sweep(path: Path) -> SweepConfig:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: no such sweep file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise UserError(f"{path}: not valid TOML ({error})") from None
    unknown = set(data) - {"out", "run", *_MATRIX_KEYS}
    if unknown:
        raise UserError(f"{path}: unknown field(s) {', '.join(sorted(unknown))}")
    if "out" not in data or "models" not in data:
        raise UserError(f"{path}: fields 'out' and 'models' are required")
    axes: dict[str, Any] = {key: data.get(key, _DEFAULTS.get(key)) for key in _MATRIX_KEYS}
    for key, values in axes.items():
        if not isinstance(values, list) or not values:
            raise UserError(f"{path}: field {key!r} must be a non-empty list")
    options = data.get("run", {})
    clash = _OWNED & {key.replace("-", "_") for key in options}
    if clash:
        raise UserError(f"{path}: [run] may not set {', '.join(sorted(clash))}: the matrix does")
    cells = tuple(
        Cell(model=str(m), task=str(t), shots=int(s), rules=bool(r), preset=str(p))
        for m, t, s, r, p in itertools.product(*(axes[key] for key in _MATRIX_KEYS))
    )
    out = Path(data["out"])
    return SweepConfig(out=out, cells=cells, run_options=options)


def run(args: argparse.Namespace) -> int:
    from verilogeval.cli import main as cli_main

    sweep = load_sweep(args.config)
    failed: list[str] = []
    for number, cell in enumerate(sweep.cells, start=1):
        folder = sweep.out / cell.folder_name()
        manifest = read_manifest(folder)
        head = f"[{number}/{len(sweep.cells)}] {folder}"
        if manifest is not None and manifest.get("finished_at"):
            print(f"{head}: finished, skipped")
            continue
        options = sweep.run_options | ({"plus": True} if args.plus else {})
        if args.scheduler and "scheduler" not in options:
            options = options | {"scheduler": args.scheduler}
        argv = cell.run_argv(sweep.out, options)
        if args.dry_run:
            print(f"{head}: verilogeval {' '.join(argv)}")
            continue
        print(f"{head}: running", flush=True)
        try:
            code = cli_main(argv)
        except SystemExit as exit_:  # argparse refuses an option of the [run] table
            code = exit_.code if isinstance(exit_.code, int) else 2
        if code == 130:
            print("sweep interrupted; run the same command again to continue", file=sys.stderr)
            return 130
        if code != 0:
            failed.append(str(folder))
    if failed:
        print(f"{len(failed)} run(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0
