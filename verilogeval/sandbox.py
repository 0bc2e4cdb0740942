"""A bubblewrap sandbox around every compile and simulation, one long-lived sandbox per thread.

Generated Verilog is hostile code: it can `$fopen` any path, and the official flow runs it
with the user's rights. Inside the sandbox a sample sees a read-only system (/usr, the
Python that runs the harness, the package itself), a private /tmp and /dev, its own PID
namespace and no network; the only writable folder is the sandbox's scratch folder. The
user's home, run folders and caches are not there at all.

Starting bwrap costs several milliseconds, a sizeable share of a 30 ms grade, so a sandbox
is started once per thread (a grading worker, a strict-check thread) and runs an agent
(`verilogeval.sandbox_agent`) that executes each request with `simulate.run_limited`, so
the limits, the time limit and the process-group kill are the same as without a sandbox.
Samples get their own subfolder of the scratch folder; after each request the agent kills
whatever the sample left running, so nothing outlives its grade. The sandbox dies with the
thread that started it (`--die-with-parent`).
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing.util
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from verilogeval.errors import UserError
from verilogeval.records import ExecResult

BWRAP = "bwrap"
AGENT_MODULE = "verilogeval.sandbox_agent"
# The agent enforces each request's own time limit; this backstop only catches an agent
# that stopped answering (then the whole sandbox is killed and started again).
_BACKSTOP_S = 60.0
# Read-only files of /etc a dynamic linker or Python may want; nothing else of /etc.
_ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime")
_PACKAGE_DIR = Path(__file__).resolve().parent

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
    from verilogeval.resources import resource_dir

    roots = {
        Path(sys.base_prefix),
        Path(sys.base_exec_prefix),
        Path(sys.prefix),
        Path(sys.exec_prefix),
        _PACKAGE_DIR,
        resource_dir("sims"),
    }
    resolved = sorted({root.resolve() for root in roots})
    return [root for root in resolved if not root.is_relative_to("/usr")]


def bwrap_argv(scratch: Path) -> list[str]:
    """The bwrap command line of a sandbox whose only writable folder is `scratch`."""
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
    argv += ["--bind", str(scratch), str(scratch), "--chdir", str(scratch)]
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


@lru_cache(maxsize=1)
def ensure_available() -> None:
    """Stop with a clear message when bwrap is missing or cannot start a sandbox here."""
    if shutil.which(BWRAP) is None:
        raise UserError(
            "bubblewrap (bwrap) not found: every compile and simulation runs in its sandbox. "
            "Install it (Debian/Ubuntu: apt-get install bubblewrap; ./dev.sh does it as root), "
            "or pass --no-sandbox to run samples unsandboxed (trusted code only)"
        )
    with tempfile.TemporaryDirectory(prefix="verilogeval-sandbox-check-") as scratch:
        argv = [*bwrap_argv(Path(scratch).resolve()), "--", str(PYTHON), "-I", "-c", "pass"]
        try:
            checked = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            problem = str(error)
        else:
            problem = checked.stderr.strip() if checked.returncode != 0 else ""
    if problem:
        raise UserError(
            f"the sandbox (bubblewrap) cannot run here: {problem}. It needs user namespaces "
            "(or root); pass --no-sandbox to run samples unsandboxed (trusted code only)"
        )


class Sandbox:
    """One bwrap sandbox with its agent, used by one thread at a time.

    `scratch` is the only folder the sandbox can write: callers create each sample's
    folder inside it and pass that folder as `cwd`.
    """

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self._process: subprocess.Popen[bytes] | None = None
        self._started: list[subprocess.Popen[bytes]] = []  # for the finalizer
        # Runs when the sandbox is collected and at exit, in a grading worker too (those
        # end with os._exit, after multiprocessing's own exit function).
        multiprocessing.util.Finalize(self, _stop, args=(self._started, scratch), exitpriority=0)

    def run(self, argv: Sequence[str], *, cwd: Path, timeout_s: float) -> ExecResult:
        """`simulate.run_limited(argv, cwd=cwd, timeout_s=timeout_s)`, inside the sandbox."""
        if not cwd.resolve().is_relative_to(self.scratch):
            raise ValueError(f"{cwd} is outside the sandbox's scratch folder {self.scratch}")
        process = self._process if self._process is not None else self._start()
        request = {"argv": list(argv), "cwd": str(cwd.resolve()), "timeout_s": timeout_s}
        answered = False
        try:
            assert process.stdin is not None
            process.stdin.write(json.dumps(request).encode() + b"\n")
            process.stdin.flush()
            line = _read_line(process, time.monotonic() + timeout_s + _BACKSTOP_S)
            answered = True
        except (OSError, SandboxError) as error:
            raise SandboxError(f"sandbox agent failed: {error}") from None
        finally:
            if not answered:  # stuck, dead or interrupted: never reuse it
                self.close()
        try:
            fields = json.loads(line)
            return ExecResult(**(fields | {"argv": tuple(fields["argv"])}))
        except (ValueError, TypeError, KeyError) as error:
            self.close()
            raise SandboxError(f"sandbox agent answered {line[:2000]!r}: {error}") from None

    def close(self) -> None:
        """Stop the agent (the scratch folder stays until the sandbox is collected)."""
        process, self._process = self._process, None
        if process is not None:
            _kill(process)

    def _start(self) -> subprocess.Popen[bytes]:
        argv = [*bwrap_argv(self.scratch), "--", str(PYTHON), "-I", "-m", AGENT_MODULE]
        self._process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._started[:] = [self._process]
        return self._process


def _read_line(process: subprocess.Popen[bytes], deadline: float) -> bytes:
    """One line of the agent's answer, or SandboxError at EOF or past `deadline`."""
    assert process.stdout is not None
    fd = process.stdout.fileno()
    parts: list[bytes] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise SandboxError("no answer in time")
        if not select.select([fd], [], [], remaining)[0]:
            continue
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            said = b"".join(parts).decode(errors="replace").strip()
            raise SandboxError(f"the agent exited{': ' + said[-2000:] if said else ''}")
        parts.append(chunk)
        if chunk.endswith(b"\n"):
            return b"".join(parts)


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


def _stop(processes: list[subprocess.Popen[bytes]], scratch: Path) -> None:
    for process in processes:
        if process.returncode is None:
            _kill(process)
    shutil.rmtree(scratch, ignore_errors=True)


_local = threading.local()


def sandbox_for(workdir: Path | None) -> Sandbox:
    """This thread's sandbox whose scratch folder lies in `workdir` (default: temp folder).

    Started on first use; it lives as long as the thread, and its scratch folder is
    removed when the thread's sandboxes are collected or the process exits.
    """
    sandboxes: dict[Path | None, Sandbox] = _local.__dict__.setdefault("sandboxes", {})
    sandbox = sandboxes.get(workdir)
    if sandbox is None:
        scratch = Path(tempfile.mkdtemp(prefix="verilogeval-sandbox-", dir=workdir)).resolve()
        sandbox = sandboxes[workdir] = Sandbox(scratch)
    return sandbox


def job_folder(prefix: str, workdir: Path | None, sandboxed: bool) -> tuple[Sandbox | None, Path]:
    """This thread's sandbox (None with --no-sandbox) and a fresh folder it can see.

    With the sandbox the folder lies in its scratch folder, the only place it can write;
    without, in `workdir` (default: the system's temporary folder).
    """
    sandbox = sandbox_for(workdir) if sandboxed else None
    parent = sandbox.scratch if sandbox else workdir
    return sandbox, Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
