"""`run.json`: the self-describing record of a run folder.

It holds every parameter, where the dataset came from (path and content hash), the
package and simulator versions, and start/end times. The parameters that change results
form the run's identity: resuming a folder with a different identity is refused.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from verilogeval import __version__
from verilogeval.errors import UserError

SCHEMA_VERSION = 1
MANIFEST_NAME = "run.json"

# Packages whose versions can change a run's outcome or its numbers.
_RECORDED_PACKAGES = ("openai", "litellm", "cocotb", "pyslang", "jinja2", "pandas")


@dataclass(frozen=True)
class RunIdentity:
    """The parameters that determine a run's results; two runs with equal identity agree."""

    model: str
    task: str
    dataset_hash: str
    problems: tuple[str, ...]
    prompt: dict[str, Any]  # style, shots, rules, explain
    sampling: dict[str, Any]  # n, temperature, top_p, max_tokens, seed, preset
    extract_mode: str
    timeout_s: float
    strict: dict[str, Any] | None = None  # the differential test's settings with --strict
    formal: dict[str, Any] | None = None  # the formal check's settings with --formal
    plus: dict[str, Any] | None = None  # the plus check's settings with --plus

    def differences(self, other: RunIdentity) -> list[str]:
        """Human-readable `field: old -> new` lines for every field that differs."""
        mine, theirs = asdict(self), asdict(other)
        lines = []
        for key, old in mine.items():
            new = theirs[key]
            if isinstance(old, dict) and isinstance(new, dict):
                lines += [
                    f"{key}.{sub}: {old.get(sub)!r} -> {new.get(sub)!r}"
                    for sub in sorted(set(old) | set(new))
                    if old.get(sub) != new.get(sub)
                ]
            elif key == "problems" and old != new:
                lines.append(f"problems: {len(old)} problems -> {len(new)} problems")
            elif old != new:
                lines.append(f"{key}: {old!r} -> {new!r}")
        return lines


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
    source = Path(__file__).resolve().parent.parent
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


def identity_from_manifest(manifest: dict[str, Any]) -> RunIdentity:
    return RunIdentity(
        model=manifest["model"],
        task=manifest["task"],
        dataset_hash=manifest["dataset"]["hash"],
        problems=tuple(manifest["problems"]),
        prompt=manifest["prompt"],
        sampling=manifest["sampling"],
        extract_mode=manifest["extract_mode"],
        timeout_s=manifest["simulator"]["timeout_s"],
        strict=manifest.get("strict"),
        formal=manifest.get("formal"),
        plus=manifest.get("plus"),
    )


def read_manifest(run_dir: Path) -> dict[str, Any] | None:
    path = run_dir / MANIFEST_NAME
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise UserError(f"{path}: not a valid run.json ({error})") from None


def write_manifest(run_dir: Path, manifest: dict[str, Any]) -> None:
    """Write run.json atomically: a crash leaves the old or the new file, never half of one."""
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / MANIFEST_NAME
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(partial, path)


def check_resumable(run_dir: Path, identity: RunIdentity) -> dict[str, Any] | None:
    """The existing manifest when `run_dir` may be resumed with `identity`; refuse otherwise."""
    existing = read_manifest(run_dir)
    if existing is None:
        if any((run_dir / name).exists() for name in ("generations.jsonl", "results.jsonl")):
            raise UserError(f"{run_dir}: holds results but no run.json; use another --out")
        return None
    try:
        previous = identity_from_manifest(existing)
    except (KeyError, TypeError) as error:
        raise UserError(f"{run_dir / MANIFEST_NAME}: missing field {error}") from None
    changes = previous.differences(identity)
    if changes:
        raise UserError(
            f"{run_dir} was run with other parameters ({'; '.join(changes)}); "
            "use another --out, or the original parameters to resume"
        )
    return existing
