"""Inside the sandbox: run the v1 harness's shell command, its stdout and stderr kept apart.

The v1 harness judges stderr and stdout separately (any stderr fails a sample), while a
sandboxed command has one output pipe. This child runs the command with a pipe for each,
reads both at once, each capped, and answers one line: `{"stdout", "stderr", "returncode"}`,
the streams as base64 of their bytes. Only this process holds the sandbox's output pipe:
the simulated design writes to its own two pipes, read here, and can forge neither the
line nor the other stream. The time limit is the sandbox's: at it, this child dies with
the command and no line is written.

`python -I -m verilogeval.grading.v1.streams FILE` compiles FILE, as v1 does.
"""

from __future__ import annotations

import base64
import json
import os
import selectors
import subprocess
import sys

from verilogeval.execution.sandbox.isolation import OUTPUT_CAP_BYTES, CappedOutput

# release/1.0.0's execution.py, with the file name passed as "$1" rather than formatted in.
SCRIPT = 'iverilog -Wall -Winfloop -Wno-timescale -g2012 -s tb -o test.vvp "$1"; vvp -n test.vvp'
STREAM_CAP_BYTES = OUTPUT_CAP_BYTES // 4  # both streams, as base64, fit the sandbox's cap


def main(file_name: str) -> int:
    process = subprocess.Popen(
        ["sh", "-c", SCRIPT, "sh", file_name],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    streams = {"stdout": CappedOutput(STREAM_CAP_BYTES), "stderr": CappedOutput(STREAM_CAP_BYTES)}
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ, "stdout")
        selector.register(process.stderr, selectors.EVENT_READ, "stderr")
        while selector.get_map():
            for key, _ in selector.select():
                chunk = os.read(key.fd, 1 << 16)
                if chunk:
                    streams[key.data].add(chunk)
                else:
                    selector.unregister(key.fileobj)
    returncode = process.wait()
    answer: dict[str, object] = {"returncode": returncode}
    for name, output in streams.items():
        data, truncated = output.data()
        answer[name] = base64.b64encode(data).decode("ascii")
        answer[f"{name}_truncated"] = truncated
    sys.stdout.write(json.dumps(answer) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
