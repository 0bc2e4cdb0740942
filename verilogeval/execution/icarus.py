"""Which Icarus Verilog this machine runs: what every grade and cache key records.

Below grading: the pools check it on every worker and the dataset's list of references
that fail depends on its major version, while the simulation itself (grading) uses it.
"""

from __future__ import annotations

import re
import subprocess
from functools import lru_cache

from verilogeval.errors import UserError


@lru_cache(maxsize=1)
def simulator_version() -> str:
    """First line of `iverilog -V`, e.g. "Icarus Verilog version 11.0 (stable)"."""
    try:
        completed = subprocess.run(
            ["iverilog", "-V"], capture_output=True, text=True, timeout=30, check=False
        )
    except FileNotFoundError:
        raise UserError(
            "iverilog not found on PATH: install Icarus Verilog (apt-get install iverilog)"
        ) from None
    first_line = (completed.stdout or completed.stderr).splitlines()[0]
    return first_line.removesuffix(" ()").strip()


def simulator_major(version: str) -> int | None:
    match = re.search(r"version (\d+)", version)
    return int(match.group(1)) if match else None
