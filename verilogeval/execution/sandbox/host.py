"""A bubblewrap sandbox around every compile and simulation, one long-lived sandbox per thread.

Generated Verilog is hostile code, written by someone who reads this repository. The
official flow runs it with the user's rights; here a sample runs in a sandbox that
sees a read-only system (/usr, the Python that runs the harness, the package itself),
its own /dev and no network, and nothing of the user's: no home, no run folder, no cache.

Starting bwrap costs several milliseconds, a sizeable share of a 30 ms grade, so a sandbox
is started once per thread and runs an agent (`verilogeval.execution.sandbox.agent`) for it. The
agent never lets a command touch what outlives it: each command runs in namespaces of
its own, from a fresh size-limited workspace holding only its inputs, read-only, with
no capability and nothing of the agent in sight (`verilogeval.execution.sandbox.isolation`).
Files go in and come back as bytes (`Command`, `Execution`): the host never opens a path the sandbox
could write. Every request carries a fresh nonce that the answer must echo with its
argv, the answer's size is bounded and every request has a deadline. Everything a
sandbox holds lives in its own tmpfs mounts: when it dies (with its thread, or with a
killed worker: `--die-with-parent`) nothing is left on disk or in /dev/shm.

`--no-sandbox` (trusted code) runs the same `Command` in a private temporary folder.
"""

from __future__ import annotations

import base64
import binascii
import json
import multiprocessing.util
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from verilogeval.errors import UserError
from verilogeval.execution import child_pipe
from verilogeval.execution.sandbox.isolation import (
    FILE_LIMIT_BYTES,
    KILL_GRACE_S,
    OUTPUT_CAP_BYTES,
    REAP_S,
    checked_name,
    read_outputs,
    run_limited,
)
from verilogeval.records import ExecResult

BWRAP = "bwrap"
AGENT_MODULE = "verilogeval.execution.sandbox.agent"
# The agent enforces each request's own time limit; this backstop only catches an agent
# that stopped answering (then the whole sandbox is killed and started again).
_BACKSTOP_S = 60.0
# Read-only files of /etc a dynamic linker or Python may want; nothing else of /etc.
_ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime")

NO_SANDBOX_WARNING = (
    "warning: --no-sandbox: samples run with your user's rights and can read and write any "
    "file you can (run folders and caches included); use it only for trusted code"
)


class SandboxError(RuntimeError):
    """The sandbox machinery failed (not the sample): the grade cannot be trusted."""


def _python() -> Path:
    """This Python at a path that exists in the sandbox, which binds folders resolved.

    Its folder is resolved (a path through `..` or a symlinked folder does not exist
    there); its own name is kept: a virtual environment's `python` finds its environment
    from the path it was started by.
    """
    executable = Path(sys.executable)
    return executable.parent.resolve() / executable.name


PYTHON = _python()  # what the sandbox (and a child run in it) starts


def readonly_roots() -> list[Path]:
    """What the sandbox sees read-only besides /usr: the Python running us and this package.

    Only these folders, never their parents: a repository checkout shows its package and
    its `sims` folder, not its run folders.
    """
    from verilogeval.resources import PACKAGE_DIR, resource_dir

    roots = {
        Path(sys.base_prefix),
        Path(sys.base_exec_prefix),
        Path(sys.prefix),
        Path(sys.exec_prefix),
        PACKAGE_DIR,
        resource_dir("sims"),
    }
    resolved = sorted({root.resolve() for root in roots})
    return [root for root in resolved if not root.is_relative_to("/usr")]


def bwrap_argv() -> list[str]:
    """The bwrap command line of a sandbox: a read-only system, nothing of the user's."""
    argv = [BWRAP, "--unshare-all", "--die-with-parent", "--clearenv"]
    argv += ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        host = Path("/") / name
        if host.is_symlink():
            argv += ["--symlink", os.readlink(host), str(host)]
        elif host.is_dir():
            argv += ["--ro-bind", str(host), str(host)]
    for path in _ETC_FILES:
        argv += ["--ro-bind-try", path, path]
    argv += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    for root in readonly_roots():
        argv += ["--ro-bind", str(root), str(root)]
    argv += ["--chdir", "/"]
    path = os.pathsep.join(dict.fromkeys([str(PYTHON.parent), "/usr/bin", "/bin"]))
    for name, value in (
        ("PATH", path),
        ("HOME", "/tmp"),
        ("TMPDIR", "/tmp"),
        ("LANG", "C.UTF-8"),
        ("PYTHONDONTWRITEBYTECODE", "1"),
    ):
        argv += ["--setenv", name, value]
    return argv


@dataclass(frozen=True)
class Command:
    """One compile or simulation: what runs, the files it starts with, those it gives back.

    `inputs` are written into the command's fresh workspace (read-only to it); each name
    in `outputs` comes back as bytes if the command left a regular file of at most
    FILE_LIMIT_BYTES there. Names are plain file names: the command's working folder.
    """

    argv: tuple[str, ...]
    inputs: Mapping[str, bytes] = field(default_factory=dict)
    outputs: tuple[str, ...] = ()
    timeout_s: float = 30.0
    proc: bool = False  # a /proc of its own processes (Yosys finds its data through it)

    def __post_init__(self) -> None:
        for name in (*self.inputs, *self.outputs):
            checked_name(name)


@dataclass(frozen=True)
class Execution:
    """What a Command did, and the files it gave back (read after it was dead)."""

    result: ExecResult
    files: Mapping[str, bytes]


class Runner(Protocol):
    def execute(self, command: Command) -> Execution: ...


class Unsandboxed:
    """--no-sandbox: the same Command in a private temporary folder of `workdir`."""

    def __init__(self, workdir: Path | None) -> None:
        self.workdir = workdir

    def execute(self, command: Command) -> Execution:
        with tempfile.TemporaryDirectory(prefix="verilogeval-", dir=self.workdir) as folder:
            here = Path(folder)
            for name, data in command.inputs.items():
                (here / name).write_bytes(data)
            result = run_limited(command.argv, cwd=here, timeout_s=command.timeout_s)
            files = read_outputs(here, command.outputs)
        return Execution(result, files)


@lru_cache(maxsize=1)
def ensure_available() -> None:
    """Stop with a clear message when bwrap is missing or cannot isolate a command here."""
    if shutil.which(BWRAP) is None:
        raise UserError(
            "bubblewrap (bwrap) not found: every compile and simulation runs in its sandbox. "
            "Install it (Debian/Ubuntu: apt-get install bubblewrap; ./dev.sh does it as root), "
            "or pass --no-sandbox to run samples unsandboxed (trusted code only)"
        )
    sandbox = Sandbox()
    try:
        checked = sandbox.execute(Command(("true",), timeout_s=60))
        problem = "" if checked.result.returncode == 0 else checked.result.output.strip()
    except SandboxError as error:
        problem = str(error)
    finally:
        sandbox.close()
    if problem:
        raise UserError(
            f"the sandbox (bubblewrap) cannot run here: {problem}. It needs user namespaces "
            "(or root); pass --no-sandbox to run samples unsandboxed (trusted code only)"
        )


class Sandbox:
    """One bwrap sandbox with its agent, used by one thread at a time."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._started: list[subprocess.Popen[bytes]] = []  # for the finalizer
        # Runs when the sandbox is collected and at exit, in a grading worker too (those
        # end with os._exit, after multiprocessing's own exit function).
        multiprocessing.util.Finalize(self, child_pipe.stop, args=(self._started,), exitpriority=0)

    def execute(self, command: Command) -> Execution:
        """Run `command` in the sandbox: its own namespaces, a fresh workspace."""
        process = self._process if self._process is not None else self._start()
        nonce = secrets.token_hex(16)
        request = {
            "nonce": nonce,
            "argv": list(command.argv),
            "inputs": {name: _encode(data) for name, data in command.inputs.items()},
            "outputs": list(command.outputs),
            "timeout_s": command.timeout_s,
            "proc": command.proc,
        }
        deadline = time.monotonic() + command.timeout_s + KILL_GRACE_S + REAP_S + _BACKSTOP_S
        limit = 8 * OUTPUT_CAP_BYTES + 2 * FILE_LIMIT_BYTES * len(command.outputs) + (1 << 20)
        answered = False
        try:
            assert process.stdin is not None
            process.stdin.write(json.dumps(request).encode() + b"\n")
            process.stdin.flush()
            line = _read_line(process, deadline, limit)
            answered = True
        except (OSError, SandboxError) as error:
            raise SandboxError(f"sandbox agent failed: {error}") from None
        finally:
            if not answered:  # stuck, dead or interrupted: never reuse it
                self.close()
        try:
            return _answer(line, nonce, command)
        except SandboxError:
            self.close()
            raise

    def close(self) -> None:
        """Stop the agent (and with it every mount the sandbox holds)."""
        process, self._process = self._process, None
        if process is not None:
            child_pipe.kill(process)

    def _start(self) -> subprocess.Popen[bytes]:
        argv = [*bwrap_argv(), "--", str(PYTHON), "-I", "-m", AGENT_MODULE]
        self._process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._started[:] = [self._process]
        return self._process


def _encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _answer(line: bytes, nonce: str, command: Command) -> Execution:
    """The agent's answer to this request, checked: its nonce, its argv, the files asked for."""
    try:
        fields = json.loads(line)
        if not isinstance(fields, dict) or fields.get("nonce") != nonce:
            raise ValueError("not the answer to this request")
        if "error" in fields:
            raise SandboxError(f"the sandbox could not run {command.argv[0]}: {fields['error']}")
        result = fields["result"]
        result = ExecResult(**(result | {"argv": tuple(result["argv"])}))
        if result.argv != command.argv:
            raise ValueError(f"answer for {result.argv!r}")
        files = {
            name: base64.b64decode(data, validate=True) for name, data in fields["files"].items()
        }
        if not set(files) <= set(command.outputs):
            raise ValueError("files that were not asked for")
        if any(len(data) > FILE_LIMIT_BYTES for data in files.values()):
            raise ValueError("a file over the size limit")
        return Execution(result, files)
    except (ValueError, TypeError, KeyError, AttributeError, binascii.Error) as error:
        raise SandboxError(f"sandbox agent answered {line[:2000]!r}: {error}") from None


def _read_line(process: subprocess.Popen[bytes], deadline: float, limit: int) -> bytes:
    """One line of the agent's answer, at most `limit` bytes; SandboxError at EOF, past
    `deadline` or over `limit`."""
    try:
        return child_pipe.read_line(process, deadline, limit)
    except child_pipe.LineNotRead as unread:
        if unread.reason is child_pipe.Unread.LATE:
            raise SandboxError("no answer in time") from None
        if unread.reason is child_pipe.Unread.TOO_LONG:
            raise SandboxError(f"an answer over {limit} bytes") from None
        said = unread.partial.decode(errors="replace").strip()
        raise SandboxError(f"the agent exited{': ' + said[-2000:] if said else ''}") from None


_local = threading.local()


def runner(workdir: Path | None, sandboxed: bool) -> Runner:
    """How a job runs its commands: this thread's sandbox (started on first use, it lives
    as long as the thread), or with --no-sandbox private folders in `workdir` (default:
    the system's temporary folder)."""
    if not sandboxed:
        return Unsandboxed(workdir)
    sandbox = getattr(_local, "sandbox", None)
    if sandbox is None:
        sandbox = _local.sandbox = Sandbox()
    return sandbox
