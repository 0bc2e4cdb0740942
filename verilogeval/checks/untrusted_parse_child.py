"""The parser child of verilogeval.execution.untrusted_parse (`python -I -m` this module).

A module of its own, apart from the parent side that starts and limits it: its operations
live in the stages that use them (interfaces, the tamper scan's tokens), and the parent
side stays below those stages.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

from verilogeval.checks.formal.subset import subset_findings
from verilogeval.checks.tamper.token_scan import scan_tokens
from verilogeval.execution.interface import interfaces_as_json

# What the child can be asked to do: every function that reads untrusted source.
OPERATIONS: dict[str, Callable[..., Any]] = {
    "interfaces": interfaces_as_json,
    "scan": scan_tokens,
    "subset": subset_findings,
}


def main() -> int:
    answers = sys.stdout.buffer
    for line in sys.stdin.buffer:
        request = json.loads(line)
        try:
            answer = {"result": OPERATIONS[request["operation"]](**request["arguments"])}
        except Exception as error:  # the request's error, told to the caller
            answer = {"error": f"{type(error).__name__}: {error}"}
        answers.write(json.dumps(answer).encode() + b"\n")
        answers.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
