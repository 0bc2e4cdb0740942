"""`verilogeval sweep CONFIG.toml`: the paper's tables as one matrix of runs.

Every combination of models x tasks x shots x rules x presets (x temperatures x top_ps x
benchmarks) becomes one run plan (what `verilogeval run` would build from the same options) into its
own folder under `out`; a finished folder is skipped and an unfinished one resumed, so a
sweep can be stopped and started again at will: its resume command is the sweep itself.

    out = "runs/paper"                  # parent of the run folders
    models = ["oracle", "gpt-4o"]
    tasks = ["spec-to-rtl", "code-complete-iccad2023"]
    shots = [0, 1]
    rules = [false, true]
    presets = ["greedy"]
    temperatures = [0.2, 0.8]           # optional: over the preset's temperature
    top_ps = [0.95]                     # optional: over the preset's top_p
    repairs = [0, 2]                    # optional: repair rounds (--repair); default [0]
    benchmarks = ["v2.0", "v2.1"]       # optional: --benchmark of each run (default: v2.0)
    [run]                               # any other `run` option, by its long name
    dataset = "../verilog-eval"
    concurrency = 16

The whole file is checked, each value against the type its key takes, and every cell's
plan is built before the first cell runs: a typo in the last cell never costs the first
cell's hours, and `--dry-run` checks what the real sweep would. A v1 benchmark is a
completion task: its cells take the code-complete task whatever `tasks` says (one cell
for all), and it reads its own clone, so it is swept in a file of its own (its `dataset`).
"""

from __future__ import annotations

import argparse
import itertools
import shlex
import sys
import time
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NoReturn

from verilogeval.checks.registry import check_settings_types
from verilogeval.cli.closing import execute_plan
from verilogeval.cli.commands.options import (
    add_run_options,
    add_scheduler_option,
    run_plan_from_args,
    sampling_config_from_args,
)
from verilogeval.dataset.errata import Benchmark
from verilogeval.errors import ExitCode, UserError, exit_code
from verilogeval.feedback.protocol import RepairConfig
from verilogeval.generation.models.base import PRESETS, Preset, SamplingConfig
from verilogeval.orchestration.dry_run import Estimate, describe_total, estimate
from verilogeval.orchestration.plans import RunPlan, model_slug
from verilogeval.orchestration.progress import BarProgress, QuietProgress
from verilogeval.prompting.builder import MAX_SHOTS
from verilogeval.records import Task
from verilogeval.runfolder.files import RunFolder
from verilogeval.runfolder.manifest import read_manifest
from verilogeval.wording import plural

EXAMPLES = """
verilogeval sweep paper.toml --dry-run     # check the file, list the runs and their commands
verilogeval sweep paper.toml               # run them; the same command resumes
"""


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("a non-empty string")
    return value


def _choice(kind: type[Task] | type[Preset] | type[Benchmark]) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        if value not in {str(member) for member in kind}:
            raise ValueError("one of " + ", ".join(repr(str(member)) for member in kind))
        return kind(value)

    return convert


def _shots(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SHOTS:
        raise ValueError(f"an integer from 0 to {MAX_SHOTS}")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("true or false")
    return value


def _temperature(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError("a number, 0 or more")
    return float(value)


def _repairs(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("a whole number of rounds, at least 0")
    return value


def _top_p(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise ValueError("a number in (0, 1]")
    return float(value)


@dataclass(frozen=True)
class Axis:
    """One key of the matrix: the `run` option it sets, its values' check, its default."""

    option: str  # the `run` option (dest) the axis sets
    convert: Callable[[Any], Any]  # a TOML value -> its typed value; ValueError says what it takes
    default: tuple[Any, ...]  # when the file leaves the axis out (None: the preset's value)


AXES: dict[str, Axis] = {
    "models": Axis("model", _text, ()),
    "tasks": Axis("task", _choice(Task), (Task.SPEC_TO_RTL,)),
    "shots": Axis("shots", _shots, (0,)),
    "rules": Axis("rules", _flag, (False,)),
    "presets": Axis("preset", _choice(Preset), (Preset.GREEDY,)),
    "temperatures": Axis("temperature", _temperature, (None,)),
    "top_ps": Axis("top_p", _top_p, (None,)),
    "repairs": Axis("repair", _repairs, (0,)),
    "benchmarks": Axis("benchmark", _choice(Benchmark), (None,)),
}


@dataclass(frozen=True)
class Cell:
    """One run of the sweep: a value of every axis."""

    model: str
    task: Task
    shots: int
    rules: bool
    preset: Preset
    temperature: float | None  # None: the preset's
    top_p: float | None
    repair: int = 0  # repair rounds; --feedback and --history come from [run]
    benchmark: Benchmark | None = None  # None: not given, the default v2.0

    def run_argv(self, options: Mapping[str, Any]) -> list[str]:
        """The `run` options of this cell, --out aside (see folder_name)."""
        argv = ["--model", self.model, "--task", str(self.task), "--shots", str(self.shots)]
        argv += ["--preset", str(self.preset)]
        argv += ["--rules"] if self.rules else []
        argv += [] if self.temperature is None else ["--temperature", f"{self.temperature:g}"]
        argv += [] if self.top_p is None else ["--top-p", f"{self.top_p:g}"]
        argv += ["--repair", str(self.repair)] if self.repair else []
        argv += [] if self.benchmark is None else ["--benchmark", str(self.benchmark)]
        for key, value in options.items():
            flag = "--" + key.replace("_", "-")
            if value is True:
                argv.append(flag)
            elif value is not False:
                argv += [flag, str(value)]
        return argv

    def folder_name(self, sampling: SamplingConfig, repair: RepairConfig | None = None) -> str:
        """model_task_Nshot[_rules]_preset, then each sampling value the run holds that is
        not the preset's (`_t0.3`, `_p0.9`, `_n5`, `_seed7`), so a name never claims
        `greedy` for a run at another temperature; then its repair protocol, if any
        (`_repair2-compiler-full`)."""
        preset = PRESETS[self.preset]
        parts = [model_slug(self.model), str(self.task)]
        if self.benchmark not in (None, Benchmark.V2_0):  # v2.0 folders keep their names
            parts.append(str(self.benchmark))
        parts.append(f"{self.shots}shot")
        parts += ["rules"] if self.rules else []
        parts.append(str(self.preset))
        parts += [f"n{sampling.n}"] if sampling.n != preset.n else []
        parts += (
            [f"t{sampling.temperature:g}"] if sampling.temperature != preset.temperature else []
        )
        parts += [f"p{sampling.top_p:g}"] if sampling.top_p != preset.top_p else []
        parts += [f"seed{sampling.seed}"] if sampling.seed != preset.seed else []
        if repair is not None:
            parts.append(f"repair{repair.rounds}-{repair.feedback}-{repair.history}")
        return "_".join(parts)


@dataclass(frozen=True)
class SweepConfig:
    """The TOML file, type-checked: where the runs go, the cells, the [run] options."""

    path: Path
    out: Path
    cells: tuple[Cell, ...]
    run_options: tuple[tuple[str, Any], ...]  # (option, value) in file order, checked


@dataclass(frozen=True)
class CellRun:
    """A cell with its folder and its plan, built before any cell runs."""

    number: int
    folder: Path
    argv: tuple[str, ...]  # the `run` options, --out included
    plan: RunPlan


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "config", type=Path, help="TOML file: out, models, tasks, shots, ..., and [run]"
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="check the file, list the runs and their commands, run nothing",
    )
    parser.add_argument(
        "--plus", action="store_true", help="every run with --plus (as `plus = true` in [run])"
    )
    add_scheduler_option(parser)


class _RunParser(argparse.ArgumentParser):
    """`run`'s options, for a cell: a bad one is a UserError, never an exit."""

    def error(self, message: str) -> NoReturn:
        raise UserError(message)


def _run_parser() -> _RunParser:
    parser = _RunParser(prog="verilogeval run", exit_on_error=False, add_help=False)
    add_run_options(parser)
    return parser


def load_sweep(path: Path) -> SweepConfig:
    """The file parsed and type-checked once: a bad key or value is a UserError naming it."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: no such sweep file") from None
    except OSError as error:
        raise UserError(f"{path}: cannot read ({error.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise UserError(f"{path}: not valid TOML ({error})") from None
    unknown = set(data) - {"out", "run", *AXES}
    if unknown:
        known = ", ".join(["out", *AXES, "[run]"])
        raise UserError(f"{path}: unknown key(s) {', '.join(sorted(unknown))} (known: {known})")
    if "out" not in data or "models" not in data:
        raise UserError(f"{path}: keys 'out' and 'models' are required")
    if not isinstance(data["out"], str) or not data["out"]:
        raise UserError(f"{path}: 'out' must be a folder name (a string), not {data['out']!r}")
    axes = {key: _axis_values(path, key, data) for key in AXES}
    owned = {axis.option for key, axis in AXES.items() if key in data or axis.default != (None,)}
    options = _run_options(path, data.get("run", {}), owned)
    cells = tuple(
        dict.fromkeys(
            _completion_task(Cell(*values)) for values in itertools.product(*axes.values())
        )
    )
    return SweepConfig(path=path, out=Path(data["out"]), cells=cells, run_options=options)


def _completion_task(cell: Cell) -> Cell:
    """A v1 cell asks the code-complete task, v1's only one."""
    if cell.benchmark is not None and cell.benchmark.is_v1:
        return replace(cell, task=Task.CODE_COMPLETE)
    return cell


def _axis_values(path: Path, key: str, data: dict[str, Any]) -> tuple[Any, ...]:
    axis = AXES[key]
    if key not in data:
        return axis.default
    values = data[key]
    if not isinstance(values, list) or not values:
        raise UserError(f"{path}: {key!r} must be a non-empty list, not {values!r}")
    checked = []
    for value in values:
        try:
            checked.append(axis.convert(value))
        except ValueError as expected:
            raise UserError(f"{path}: {key} = {values!r}: {value!r} is not {expected}") from None
    return tuple(checked)


def _run_options(path: Path, table: Any, owned: set[str]) -> tuple[tuple[str, Any], ...]:
    """The [run] table's options, each a `run` option given a value of its type."""
    if not isinstance(table, dict):
        raise UserError(f"{path}: 'run' must be a table ([run] of `run` options), not {table!r}")
    actions = {action.dest: action for action in _run_parser()._actions}
    checked = []
    for key, value in table.items():
        option = key.replace("-", "_")
        if option in owned | {"out"}:
            raise UserError(f"{path}: [run] may not set {key}: the matrix does")
        action = actions.get(option)
        if action is None:
            raise UserError(f"{path}: [run] {key}: not an option of `verilogeval run`")
        _check_option(path, key, value, action)
        checked.append((option, value))
    return tuple(checked)


def _check_option(path: Path, key: str, value: Any, action: argparse.Action) -> None:
    where = f"{path}: [run] {key} = {value!r}"
    if action.nargs == 0:  # a flag such as --plus or --no-cache
        if not isinstance(value, bool):
            raise UserError(f"{where}: must be true or false")
        return
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise UserError(f"{where}: must be a single value (a string or a number)")
    try:
        typed = action.type(str(value)) if callable(action.type) else str(value)
    except argparse.ArgumentTypeError as error:  # the type's own words: "must be at least 1"
        raise UserError(f"{where}: {error}") from None
    except (ValueError, TypeError):
        kind = getattr(action.type, "__name__", "value")
        raise UserError(f"{where}: not a valid {kind}") from None
    if action.choices is not None and typed not in action.choices:
        choices = ", ".join(repr(str(choice)) for choice in action.choices)
        raise UserError(f"{where}: must be one of {choices}")


def plan_cells(
    sweep: SweepConfig, options: Mapping[str, Any], resume_command: str
) -> list[CellRun]:
    """Every cell's folder and plan, as `run` would build them from its argv; a cell that
    cannot make a valid run is an error naming the file, before anything runs."""
    parser = _run_parser()
    runs = []
    for number, cell in enumerate(sweep.cells, start=1):
        argv = cell.run_argv(options)
        try:
            args = parser.parse_args(argv)
            repair = RepairConfig(args.repair, args.feedback, args.history) if args.repair else None
            folder = sweep.out / cell.folder_name(sampling_config_from_args(args), repair)
            args.out = folder
            plan = run_plan_from_args(args, resume_command=resume_command)
        except (UserError, argparse.ArgumentError) as error:
            raise UserError(f"{sweep.path}: run {number} ({shlex.join(argv)}): {error}") from None
        runs.append(CellRun(number, folder, (*argv, "--out", str(folder)), plan))
    return runs


def run(args: argparse.Namespace) -> int:
    sweep = load_sweep(args.config)
    options = dict(sweep.run_options) | ({"plus": True} if args.plus else {})
    if args.scheduler and "scheduler" not in options:
        options |= {"scheduler": args.scheduler}
    cells = plan_cells(sweep, options, shlex.join(args.command_line))
    quiet = bool(options.get("quiet"))
    failed: list[str] = []
    estimates: list[Estimate] = []
    for cell in cells:
        manifest = read_manifest(RunFolder(cell.folder), check_settings_types())
        head = f"[{cell.number}/{len(cells)}] {cell.folder}"
        if manifest is not None and manifest.finished_at:
            print(f"{head}: finished, skipped")
            continue
        if args.dry_run:
            print(f"{head}: verilogeval run {shlex.join(cell.argv)}")
            try:
                estimates.append(estimate(cell.plan))
            except UserError as error:  # the run would refuse its folder: say so, as it would
                print(f"verilogeval sweep: {cell.folder}: error: {error}", file=sys.stderr)
                failed.append(str(cell.folder))
            continue
        print(f"{head}: running", flush=True)
        try:
            progress = QuietProgress() if quiet else BarProgress()
            code = execute_plan(cell.plan, progress, time.monotonic())
        except UserError as error:  # this cell cannot run; the others still may
            print(f"verilogeval sweep: {cell.folder}: error: {error}", file=sys.stderr)
            code = exit_code(error) or ExitCode.BAD_INPUT
        if code == ExitCode.INTERRUPTED:
            print("sweep interrupted; run the same command again to continue", file=sys.stderr)
            return ExitCode.INTERRUPTED
        if code != ExitCode.DONE:
            failed.append(str(cell.folder))
    if args.dry_run:
        print(f"{plural(len(cells), 'run')} in {sweep.path}; nothing was run")
        print(f"to do: {describe_total(estimates)}")
    if failed:
        print(f"{plural(len(failed), 'run')} failed: {', '.join(failed)}", file=sys.stderr)
        return ExitCode.INCOMPLETE
    return ExitCode.DONE
