"""run.json: the self-describing record of a run folder, and the one resume check.

It holds every parameter, where the dataset came from (path and content hash), the
package and simulator versions, and start/end times. The parameters that change results
form the run's identity: `check_resumable` refuses to resume a folder whose identity
differs, naming each field that changed. `run`, `evaluate` and `generate` all use it.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from verilogeval import __version__
from verilogeval.errors import DamagedFile, UserError
from verilogeval.resources import PACKAGE_DIR
from verilogeval.runfolder.files import RunFolder
from verilogeval.runfolder.settings import (
    CheckSettings,
    CheckTypes,
    EngineSettings,
    PromptSettings,
    RepairSettings,
    RequestSettings,
    SamplingSettings,
    TimeLimitSettings,
    read_settings,
)
from verilogeval.verdicts import unknown_check
from verilogeval.wording import plural

# 1: the first published layout. Readers accept every version up to this one; a field
# added later is optional, so older folders stay readable.
SCHEMA_VERSION = 1

# Packages whose versions can change a run's outcome or its numbers.
_RECORDED_PACKAGES = ("openai", "litellm", "cocotb", "pyslang", "jinja2", "pandas")


@dataclass(frozen=True)
class DatasetFacts:
    path: str
    hash: str  # content hash of every file a verdict depends on
    official: bool


@dataclass(frozen=True)
class SimulatorFacts:
    version: str | None  # None until the first sample is graded
    timeout_s: float | None  # --timeout: one fixed limit for every problem; None: per problem
    time_limit: TimeLimitSettings | None = None  # the per-problem limit policy
    scheduler: str | None = None  # the Dask scheduler graded on (--scheduler); None: locally


# The option that sets an identity field, to name in a refusal.
_FLAGS = {
    "model": "--model",
    "api_base": "--api-base",
    "task": "--task",
    "dataset_hash": "--dataset",
    "benchmark": "--benchmark",
    "extract_mode": "--extract-mode",
    "timeout_s": "--timeout",
    "time_limit": "--timeout",
    "repair": "--repair/--feedback/--history",
}


@dataclass(frozen=True)
class RunIdentity:
    """The parameters that determine a run's results; two runs with equal identity agree.

    A field a command does not fix is None (evaluate has no model or prompt, generate no
    simulator), so it never stands in the way of a resume.
    """

    command: str
    model: str | None
    api_base: str | None  # the server's base URL: another server is another model
    task: str
    benchmark: str
    dataset_hash: str
    problems: tuple[str, ...] | None  # None for evaluate: its samples say which
    prompt: PromptSettings | None
    sampling: SamplingSettings | None
    extract_mode: str | None
    timeout_s: float | None
    time_limit: TimeLimitSettings | None
    # check name -> its settings, for each post-verdict check asked for (checks.registry)
    checks: Mapping[str, CheckSettings]
    repair: RepairSettings | None = None  # None: single shot

    def differences(self, other: RunIdentity) -> list[str]:
        """Human-readable `field: old -> new` lines for every field that differs; a check's
        settings are named by the check (`strict.seed (--strict)`)."""
        mine, theirs = asdict(self), asdict(other)
        mine_checks, their_checks = mine.pop("checks"), theirs.pop("checks")
        flags = dict(_FLAGS)
        for name in dict.fromkeys([*mine_checks, *their_checks]):
            mine[name], theirs[name] = mine_checks.get(name), their_checks.get(name)
            flags[name] = f"--{name}"
        lines = []
        for key, old in mine.items():
            new = theirs[key]
            flag = f" ({flags[key]})" if key in flags else ""
            if isinstance(old, dict) and isinstance(new, dict):
                lines += [
                    f"{key}.{sub}{flag}: {old.get(sub)!r} -> {new.get(sub)!r}"
                    for sub in sorted(set(old) | set(new))
                    if old.get(sub) != new.get(sub)
                ]
            elif key == "problems" and old != new:
                lines.append(f"problems (--problems): {_problems_change(old, new)}")
            elif old != new:
                lines.append(f"{key}{flag}: {old!r} -> {new!r}")
        return lines


def _problems_change(old: tuple[str, ...] | None, new: tuple[str, ...] | None) -> str:
    """'19 problems -> 156 problems': a refusal never lists a dataset's names."""

    def count(problems: tuple[str, ...] | None) -> str:
        return "those of its samples" if problems is None else plural(len(problems), "problem")

    if old is not None and new is not None and len(old) == len(new):
        return f"{count(old)} -> {len(new)} other problems"
    return f"{count(old)} -> {count(new)}"


@dataclass(frozen=True)
class Manifest:
    """run.json. Fields a command cannot know (evaluate's model) are None."""

    command: str  # run, evaluate or generate
    task: str
    dataset: DatasetFacts
    problems: tuple[str, ...]
    started_at: str
    benchmark: str = "v2.0"  # --benchmark; a run.json written before it existed graded v2.0
    model: str | None = None
    api_base: str | None = None  # the server asked (--api-base or OPENAI_BASE_URL); None: default
    prices: dict[str, float] | None = None  # --prices, USD per million tokens; None: the map's
    prompt: PromptSettings | None = None
    sampling: SamplingSettings | None = None
    request: RequestSettings | None = None
    extract_mode: str | None = None
    # check name -> its settings, for each post-verdict check asked for (checks.registry)
    checks: Mapping[str, CheckSettings] = field(default_factory=dict)
    repair: RepairSettings | None = None  # --repair (absent from run.json: 0)
    simulator: SimulatorFacts | None = None  # None for generate: it simulates nothing
    engine: EngineSettings | None = None
    jobs: int | None = None
    sandbox: bool | None = None  # graded in the bubblewrap sandbox; False: --no-sandbox
    packages: dict[str, str | None] = field(default_factory=dict)
    git_revision: str | None = None
    sessions: int = 1  # how many invocations wrote into the folder
    finished_at: str | None = None
    schema_version: int = SCHEMA_VERSION
    verilogeval_version: str = __version__

    def identity(self) -> RunIdentity:
        simulator = self.simulator or SimulatorFacts(version=None, timeout_s=None)
        evaluate = self.command == "evaluate"
        return RunIdentity(
            command=self.command,
            model=self.model,
            api_base=self.api_base,
            task=self.task,
            benchmark=self.benchmark,
            dataset_hash=self.dataset.hash,
            problems=None if evaluate else self.problems,
            prompt=self.prompt,
            sampling=None if evaluate else self.sampling,
            extract_mode=self.extract_mode,
            timeout_s=simulator.timeout_s,
            time_limit=simulator.time_limit,
            checks=self.checks,
            repair=self.repair,
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["problems"] = list(self.problems)
        if self.repair is None:  # a single-shot run.json reads as it always has
            del data["repair"]
        first = ("schema_version", "verilogeval_version", "command")
        line: dict[str, Any] = {key: data[key] for key in first}
        for key, value in data.items():
            if key == "checks":  # the compatibility view first, where it always was
                line |= {name: value.get(name) for name in COMPATIBLE_CHECKS}
            if key not in first:
                line[key] = value
        return line

    @classmethod
    def from_json(cls, data: Any, path: Path, checks: CheckTypes) -> Manifest:
        """The manifest in `data`, each check's settings read into its record in `checks`
        (verilogeval.checks.registry.check_settings_types); DamagedFile naming the field
        that is missing or wrong, or a check `checks` does not know."""
        if not isinstance(data, dict):
            raise DamagedFile(path, "not a JSON object")
        version = data.get("schema_version")
        if not isinstance(version, int) or isinstance(version, bool):
            raise DamagedFile(path, f"field 'schema_version' must be an integer, not {version!r}")
        if version > SCHEMA_VERSION:
            raise DamagedFile(
                path,
                f"schema_version {version} is newer than this verilogeval reads "
                f"({SCHEMA_VERSION}): upgrade verilogeval",
            )
        try:
            simulator = data.get("simulator")
            manifest = cls(
                dataset=DatasetFacts(**_known(DatasetFacts, data["dataset"])),
                simulator=None if simulator is None else _simulator(simulator, path),
                problems=tuple(data["problems"]),
                checks=_checks(data, path, checks),
                **_settings(data, path),
                **_known(cls, data, but=("dataset", "simulator", "problems", "checks", *_SETTINGS)),
            )
        except KeyError as error:
            raise DamagedFile(path, f"missing field {error}") from None
        except TypeError as error:
            raise DamagedFile(path, f"a field has the wrong shape ({error})") from None
        for name, kind in (
            ("command", str),
            ("task", str),
            ("benchmark", str),
            ("started_at", str),
        ):
            if not isinstance(getattr(manifest, name), kind):
                raise DamagedFile(path, f"field {name!r} must be text")
        if not all(isinstance(problem, str) for problem in manifest.problems):
            raise DamagedFile(path, "field 'problems' must be a list of problem names")
        if manifest.prices is not None and not isinstance(manifest.prices, dict):
            raise DamagedFile(path, f"field 'prices' must be an object, not {manifest.prices!r}")
        return manifest

    def resumed_from(self, previous: Manifest | None) -> Manifest:
        """This manifest continuing `previous`: its start time, one more session."""
        if previous is None:
            return self
        return replace(self, started_at=previous.started_at, sessions=previous.sessions + 1)


# The settings objects of run.json (null when a command has none), each read into its record.
_SETTINGS: dict[str, type[Any]] = {
    "prompt": PromptSettings,
    "sampling": SamplingSettings,
    "request": RequestSettings,
    "engine": EngineSettings,
    "repair": RepairSettings,
}

# The checks whose settings run.json held at its top level before `checks` existed, kept
# there (null when not asked for) for the scripts that read them. A frozen view: a check
# added later has its entry under `checks` only.
COMPATIBLE_CHECKS = ("strict", "plus", "formal")


def _checks(data: dict[str, Any], path: Path, types: CheckTypes) -> dict[str, CheckSettings]:
    """`checks`: name -> settings; a run.json written before it existed has the settings
    of its checks at the top level."""
    checks = data.get("checks")
    if checks is None:
        checks = {name: data[name] for name in COMPATIBLE_CHECKS if data.get(name) is not None}
    return read_checks(checks, types, path)


def read_checks(checks: Any, types: CheckTypes, path: Path) -> dict[str, CheckSettings]:
    """Check name -> its settings, each read into its record in `types`, from the JSON
    object `checks` of `path`; DamagedFile naming a check `types` does not know, or a field."""
    if not isinstance(checks, dict):
        raise DamagedFile(path, f"field 'checks' must be an object, not {checks!r}")
    recorded = {}
    for name, settings in checks.items():
        if name not in types:
            raise DamagedFile(path, f"field 'checks.{name}' {unknown_check(types)}")
        recorded[name] = read_settings(types[name], settings, f"checks.{name}", path)
    return recorded


def _simulator(data: Any, path: Path) -> SimulatorFacts:
    """`simulator`, its time limit policy read into its record."""
    facts = _known(SimulatorFacts, data)
    if facts.get("time_limit") is not None:
        limit = facts["time_limit"]
        facts["time_limit"] = read_settings(TimeLimitSettings, limit, "simulator.time_limit", path)
    return SimulatorFacts(**facts)


def _settings(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """run.json's settings objects, each read into its record (None where it holds null)."""
    return {
        name: None if data.get(name) is None else read_settings(kind, data[name], name, path)
        for name, kind in _SETTINGS.items()
    }


def _known(record: type, data: dict[str, Any], but: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields of `data` that `record` has: a field a later version adds is passed over."""
    if not isinstance(data, dict):
        raise TypeError(f"{record.__name__} must be an object, not {data!r}")
    names = {f.name for f in fields(record)} - set(but)
    return {key: value for key, value in data.items() if key in names}


def read_manifest(folder: RunFolder, checks: CheckTypes) -> Manifest | None:
    """The folder's run.json, None when it has none; `checks`: each check's settings
    record (verilogeval.checks.registry.check_settings_types)."""
    path = folder.manifest
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise DamagedFile(path, f"cannot read ({error})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise DamagedFile(path, f"not valid JSON ({error.msg})", line=error.lineno) from None
    return Manifest.from_json(data, path, checks)


def write_manifest(folder: RunFolder, manifest: Manifest) -> None:
    """Write run.json atomically: a crash leaves the old or the new file, never half of one."""
    folder.root.mkdir(parents=True, exist_ok=True)
    partial = folder.manifest.with_suffix(".json.partial")
    text = json.dumps(manifest.to_json(), indent=2, ensure_ascii=False) + "\n"
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, folder.manifest)


def check_resumable(folder: RunFolder, manifest: Manifest, checks: CheckTypes) -> Manifest | None:
    """The folder's earlier manifest when it may be resumed as `manifest`; refuse otherwise.

    The one resume check of `run`, `evaluate` and `generate`: every field of the identity
    that differs is named, so the user sees what to change back.
    """
    previous = read_manifest(folder, checks)
    if previous is None:
        journals = (folder.generations, folder.results)
        if any(path.exists() and path.stat().st_size > 0 for path in journals):
            raise UserError(f"{folder.root}: holds results but no run.json; use another --out")
        return None
    changes = _earlier_identity(previous, manifest).differences(manifest.identity())
    if changes:
        raise UserError(
            f"{folder.root} was run with other parameters ({'; '.join(changes)}); "
            "use another --out, or the original parameters to resume"
        )
    return previous


def _earlier_identity(previous: Manifest, manifest: Manifest) -> RunIdentity:
    """The identity `manifest` must match. `run` on a folder `generate` wrote grades its
    answers: what generate leaves open (how to extract and grade) is run's to set."""
    earlier = previous.identity()
    if (previous.command, manifest.command) != ("generate", "run"):
        return earlier
    new = manifest.identity()
    return replace(
        earlier,
        command=new.command,
        extract_mode=new.extract_mode,
        timeout_s=new.timeout_s,
        time_limit=new.time_limit,
        checks=new.checks,
        repair=new.repair,
    )


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def package_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {
        "verilogeval": __version__,
        "python": platform.python_version(),
    }
    for name in _RECORDED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def git_revision() -> str | None:
    """The checkout's commit when verilogeval runs from a git clone, else None."""
    source = PACKAGE_DIR.parent
    try:
        result = subprocess.run(
            ["git", "-C", str(source), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None
