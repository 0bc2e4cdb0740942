"""Finding the processes a test left behind, by a marker in their command line or environment.

Workers, the forkserver and bwrap inherit the environment of the command a test starts;
what runs inside a sandbox has a cleared environment but works in the test's scratch
folder, which its command line or working directory names.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from pathlib import Path


def marked_processes(marker: str) -> list[str]:
    """'pid: command line' of every live process whose command line, environment or
    working directory holds `marker` (this test process excepted)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                continue  # a zombie: it has exited, its parent has not reaped it yet
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
            environ = (entry / "environ").read_bytes()
            cwd = os.readlink(entry / "cwd")
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if marker.encode() in cmdline + environ or marker in cwd:
            found.append(f"{entry.name}: {cmdline.decode(errors='replace')[:200]}")
    return found


def wait_until(condition: Callable[[], bool], seconds: float = 60.0) -> bool:
    """Whether `condition` held within `seconds` (polled): a generous bound, never a timing."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def commands_running(marker: str) -> list[str]:
    """Command lines of this machine's processes (seen from the host) that contain `marker`."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if marker in text:
                found.append(text)
    return found


def parser_rss_mb() -> int:
    """The resident memory of this process's pyslang parser child, in MiB."""
    from verilogeval.execution import untrusted_parse

    process = untrusted_parse._parsers[os.getpid()]._process
    assert process is not None
    status = Path(f"/proc/{process.pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1]) // 1024


def scan_growth_mb(source: str) -> int:
    """How much the parser child grows (MiB) over 60 tamper scans of `source`, each a
    different text, after 5 scans that warm it up."""
    from verilogeval.execution.untrusted_parse import parse_call

    def scan(count: int) -> None:
        for number in range(count):
            arguments = {"source": f"{source}// {number}\n", "reserved": [], "reserved_prefix": "x"}
            assert parse_call("scan", arguments) == []

    scan(5)
    before = parser_rss_mb()
    scan(60)
    return parser_rss_mb() - before
