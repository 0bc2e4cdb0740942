"""Inside a sandbox: run each requested command in namespaces of its own, one at a time.

`python -I -m verilogeval.execution.sandbox.agent` reads one JSON request per line on stdin
(`{"nonce", "argv", "inputs", "outputs", "timeout_s", "proc"}`, files as
base64) and answers one JSON line on stdout: the nonce, the ExecResult and the output
files (base64), or the nonce and an error. Only the agent holds these pipes: no command
it runs can see it (verilogeval.execution.sandbox.isolation).
"""

from __future__ import annotations

import base64
import binascii
import json
import sys
from dataclasses import asdict

from verilogeval.execution.sandbox.isolation import Agent, IsolationError


def main() -> int:
    agent = Agent()
    answers = sys.stdout.buffer
    for line in sys.stdin.buffer:
        request = json.loads(line)
        answer: dict[str, object] = {"nonce": request["nonce"]}
        try:
            inputs = {
                name: base64.b64decode(data, validate=True)
                for name, data in request["inputs"].items()
            }
            result, files = agent.run(
                tuple(request["argv"]),
                inputs,
                tuple(request["outputs"]),
                timeout_s=float(request["timeout_s"]),
                proc=bool(request["proc"]),
            )
        except (OSError, ValueError, IsolationError, binascii.Error) as error:
            answer["error"] = str(error)
        else:
            answer["result"] = asdict(result)
            answer["files"] = {
                name: base64.b64encode(data).decode("ascii") for name, data in files.items()
            }
        answers.write(json.dumps(answer).encode() + b"\n")
        answers.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
