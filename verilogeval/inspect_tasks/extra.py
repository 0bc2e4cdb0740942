"""Whether the `inspect` extra is installed, asked before anything imports Inspect."""

from __future__ import annotations

import importlib.util

from verilogeval.errors import UserError


def require_inspect(command: str) -> None:
    """UserError saying how to install Inspect AI, when it is not installed."""
    if importlib.util.find_spec("inspect_ai") is None:
        raise UserError(
            f"{command} needs Inspect AI: install the extra, pip install 'verilogeval[inspect]'"
        )
