"""Inside the sandbox: run one command in namespaces of its own, from a clean workspace.

The sandbox agent (verilogeval.execution.sandbox.agent) lives as long as its worker thread; what a
command can touch must not. Each command therefore gets:
- a workspace of its own: a fresh size-limited tmpfs (noexec, nosuid, nodev) holding only
  the command's input files, each bind-mounted read-only, so a run can change nothing the
  grader runs or reads later (a compiled binary, a testbench, a reference);
- new mount and IPC namespaces: every other folder is read-only, /tmp is a fresh
  size-limited tmpfs, and there is no /proc (or, for a command that needs one, a /proc of
  its own PID namespace): the agent and every earlier command are out of sight;
- a new PID namespace whose PID 1 is the command: when it exits, or is killed at its
  time limit, the kernel kills every process left in the namespace, detached or not;
- no capabilities (the agent's securebits make exec grant none, even to uid 0, and
  no_new_privs ignores file capabilities), and no file descriptor but stdin (/dev/null)
  and its output pipe.
The agent sets the namespaces up for the command itself: it enters them, spawns the
command as their PID 1 and returns to its own. It reads the files the host asked for only
after every process of the command is dead, opened without following links, regular
files of bounded size.

`run_limited` is the same command without the sandbox (--no-sandbox, trusted code): the
same limits, time limit and output cap, in a process group of its own.
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import os
import resource
import select
import signal
import stat
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from verilogeval.records import ExecResult

WORKSPACE = Path("/verilogeval-work")  # where every command runs, in its own tmpfs
MEMORY_LIMIT_BYTES = 4 << 30
FILE_LIMIT_BYTES = 64 << 20  # any file a sample writes, wave.vcd included
TMP_LIMIT_BYTES = 64 << 20  # the command's own /tmp
WORKSPACE_LIMIT_BYTES = 2 * FILE_LIMIT_BYTES  # each command's tmpfs: its inputs and files
WORKSPACE_INODES = 4096
OUTPUT_CAP_BYTES = 1 << 20  # head and tail kept: the verdict lines come last
KILL_GRACE_S = 5.0  # vvp runs the testbench's final blocks on SIGTERM, as under `timeout`
REAP_S = 30.0  # after SIGKILL of the namespace: the kernel's teardown, not the command

_libc = ctypes.CDLL(None, use_errno=True)
_CLONE_NEWNS, _CLONE_NEWIPC, _CLONE_NEWPID = 0x00020000, 0x08000000, 0x20000000
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 1, 2, 4, 8
_MS_REMOUNT, _MS_BIND, _MS_REC, _MS_PRIVATE = 32, 4096, 16384, 1 << 18
_MNT_DETACH = 2
_SCRATCH_FLAGS = _MS_NOSUID | _MS_NODEV | _MS_NOEXEC
_PR_SET_DUMPABLE, _PR_CAPBSET_DROP, _PR_SET_SECUREBITS = 4, 24, 28
_PR_SET_NO_NEW_PRIVS, _PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL = 38, 47, 4
# noroot, no-setuid-fixup, no-ambient-raise, each locked; keep-caps locked off: no exec
# by the agent or anything it starts is granted a capability, uid 0 or not.
_SECUREBITS = 0b11101111
_CAP_SYS_CHROOT, _CAP_SYS_ADMIN = 18, 21  # what the agent keeps: unshare, mount, setns
_CAPABILITY_VERSION_3 = 0x20080522
# Restored to their default in the command: Python ignores SIGPIPE and SIGXFSZ.
_DEFAULT_SIGNALS = (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT, signal.SIGTERM)


class IsolationError(RuntimeError):
    """The namespace set-up failed: the machinery, not the command."""


def _check(result: int, what: str) -> None:
    if result != 0:
        raise IsolationError(f"{what}: {os.strerror(ctypes.get_errno())}")


def _mount(
    source: str | None, target: Path | str, kind: str | None, flags: int, data: str = ""
) -> None:
    _check(
        _libc.mount(
            None if source is None else source.encode(),
            str(target).encode(),
            None if kind is None else kind.encode(),
            ctypes.c_ulong(flags),
            data.encode() if data else None,
        ),
        f"mount {target}",
    )


def _prctl(option: int, *values: int) -> None:
    args = [ctypes.c_ulong(value) for value in (*values, 0, 0, 0, 0)[:4]]
    _check(_libc.prctl(option, *args), f"prctl({option})")


class Agent:
    """The agent's own hardening and its way back from each command's namespaces."""

    def __init__(self) -> None:
        _prctl(_PR_SET_DUMPABLE, 0)  # no ptrace, no /proc/<agent>/fd, no core dump
        _prctl(_PR_SET_NO_NEW_PRIVS, 1)
        kept = (_CAP_SYS_CHROOT, _CAP_SYS_ADMIN)
        last = int(Path("/proc/sys/kernel/cap_last_cap").read_text())
        for capability in range(last + 1):
            if capability not in kept:
                _prctl(_PR_CAPBSET_DROP, capability)
        _prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL)
        _prctl(_PR_SET_SECUREBITS, _SECUREBITS)
        mask = sum(1 << capability for capability in kept)
        header = (ctypes.c_uint32 * 2)(_CAPABILITY_VERSION_3, 0)
        data = (ctypes.c_uint32 * 6)(mask, mask, 0, 0, 0, 0)  # effective, permitted, inheritable
        _check(_libc.capset(header, data), "capset")
        self._namespaces = [  # the agent's own, to return to after each command's set-up
            (os.open(f"/proc/self/ns/{name}", os.O_RDONLY), kind)
            for name, kind in (
                ("mnt", _CLONE_NEWNS),
                ("ipc", _CLONE_NEWIPC),
                ("pid", _CLONE_NEWPID),
            )
        ]
        self._devnull = os.open("/dev/null", os.O_RDWR)
        WORKSPACE.mkdir(exist_ok=True)

    def run(
        self,
        argv: Sequence[str],
        inputs: Mapping[str, bytes],
        outputs: Sequence[str],
        *,
        timeout_s: float,
        proc: bool = False,
    ) -> tuple[ExecResult, dict[str, bytes]]:
        """Run `argv` in a fresh workspace holding `inputs` (read-only); the `outputs` it left.

        The official time limit: SIGTERM to the command's process group at the deadline,
        SIGKILL of its whole PID namespace KILL_GRACE_S later.
        """
        started = time.monotonic()
        options = f"size={WORKSPACE_LIMIT_BYTES},nr_inodes={WORKSPACE_INODES},mode=0755"
        _mount("tmpfs", WORKSPACE, "tmpfs", _SCRATCH_FLAGS, options)
        try:
            for name, data in inputs.items():
                (WORKSPACE / checked_name(name)).write_bytes(data)
            output_read, output_write = os.pipe()
            try:
                pid = self._spawn(argv, tuple(inputs), output_write, proc)
            finally:
                os.close(output_write)
            try:
                limit(pid, timeout_s)
                output, timed_out = supervise(pid, output_read, started + timeout_s)
            finally:
                _, status = os.waitpid(pid, 0)
            files = read_outputs(WORKSPACE, outputs)
        finally:
            _check(_libc.umount2(str(WORKSPACE).encode(), _MNT_DETACH), "umount workspace")
        returncode = os.waitstatus_to_exitcode(status)
        return finished(argv, returncode, output, timed_out, started), files

    def _spawn(
        self, argv: Sequence[str], inputs: tuple[str, ...], output_fd: int, proc: bool
    ) -> int:
        """Start `argv` as PID 1 of new namespaces set up for it; the agent stays in its own.

        Without `proc` the command gets no /proc and the agent spawns it with a vfork
        (posix_spawn): measured, forking the agent instead costs several milliseconds per
        command on a loaded machine. With `proc` (Yosys finds its data through
        /proc/self/exe) the agent forks a child that mounts a /proc of the new PID
        namespace, which only a process inside it can, then execs.
        """
        try:
            _check(_libc.unshare(_CLONE_NEWNS | _CLONE_NEWIPC), "unshare(mount, ipc)")
            _isolate_mounts(inputs, keep_proc=proc)
            _check(_libc.unshare(_CLONE_NEWPID), "unshare(pid)")
            if proc:
                pid = os.fork()
                if pid == 0:
                    _exec_with_proc(argv, self._devnull, output_fd)
                return pid
            os.chdir(WORKSPACE)
            return os.posix_spawnp(
                argv[0],
                list(argv),
                os.environ,
                file_actions=[
                    (os.POSIX_SPAWN_DUP2, self._devnull, 0),
                    (os.POSIX_SPAWN_DUP2, output_fd, 1),
                    (os.POSIX_SPAWN_DUP2, output_fd, 2),
                ],
                setsid=True,
                setsigdef=_DEFAULT_SIGNALS,
            )
        finally:  # without its own namespaces back the agent cannot go on: it exits
            if any(_libc.setns(fd, kind) for fd, kind in self._namespaces):
                os.write(2, b"verilogeval sandbox agent: cannot return to its namespaces\n")
                os._exit(70)
            os.chdir("/")


def _isolate_mounts(inputs: Sequence[str], *, keep_proc: bool) -> None:
    """In the command's new mount namespace: its inputs read-only, every other folder but
    its workspace read-only, a fresh /tmp, and the agent's /proc gone (or, `keep_proc`,
    kept until the command's own /proc covers it: a /proc can only be mounted where one
    is already visible)."""
    _mount(None, "/", None, _MS_REC | _MS_PRIVATE)
    for name in inputs:
        path = WORKSPACE / name
        _mount(str(path), path, None, _MS_BIND)
        _mount(None, path, None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY | _SCRATCH_FLAGS)
    for folder in ("/", "/dev"):
        _mount(None, folder, None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY | _MS_NOSUID | _MS_NODEV)
    tmp_options = f"size={TMP_LIMIT_BYTES},nr_inodes={WORKSPACE_INODES},mode=1777"
    _mount("tmpfs", "/tmp", "tmpfs", _SCRATCH_FLAGS, tmp_options)
    if not keep_proc:
        _check(_libc.umount2(b"/proc", _MNT_DETACH), "umount /proc")


def _exec_with_proc(argv: Sequence[str], devnull: int, output_fd: int) -> None:
    """In the agent's fork, PID 1 of the command's new PID namespace: the command's
    standard streams, a /proc of that namespace only (no other process shows there), then
    exec: the command itself is PID 1, and when it exits the kernel kills whatever it left
    behind."""
    try:
        os.dup2(devnull, 0)
        os.dup2(output_fd, 1)
        os.dup2(output_fd, 2)
        _mount("proc", "/proc", "proc", _SCRATCH_FLAGS, "subset=pid")
        for signum in _DEFAULT_SIGNALS:
            signal.signal(signum, signal.SIG_DFL)
        os.setsid()
        os.chdir(WORKSPACE)
        os.execvp(argv[0], list(argv))
    except BaseException as error:  # a fork of the agent never returns
        with contextlib.suppress(OSError):
            os.write(2, f"verilogeval sandbox: cannot run {argv[0]}: {error}\n".encode())
    finally:
        os._exit(127)


def checked_name(name: str) -> str:
    """A file name of the workspace itself: no folder, no `..`."""
    if not name or "/" in name or name in (".", "..") or "\0" in name:
        raise ValueError(f"not a plain file name: {name!r}")
    return name


def read_outputs(folder: Path, names: Sequence[str]) -> dict[str, bytes]:
    """Those of `names` that `folder` holds as regular files within the size limit."""
    found = {name: read_output(folder, name) for name in names}
    return {name: data for name, data in found.items() if data is not None}


def read_output(folder: Path, name: str, limit: int = FILE_LIMIT_BYTES) -> bytes | None:
    """A regular file of `folder` of at most `limit` bytes, never through a link; else None."""
    try:
        fd = os.open(folder / checked_name(name), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        data = os.read(fd, limit + 1)
        return data if len(data) <= limit else None
    finally:
        os.close(fd)


def limit(pid: int, timeout_s: float) -> None:
    """The command's limits, set the moment it started (it is still loading).

    prlimit from the parent instead of a preexec_fn: a preexec_fn makes Python fork
    instead of vfork, which measured 2.5 ms more per process, about 8% of a grade.
    """
    cpu_s = math.ceil(timeout_s + KILL_GRACE_S) + 1  # a backstop: the wall clock acts first
    for kind, value in (
        (resource.RLIMIT_AS, MEMORY_LIMIT_BYTES),
        (resource.RLIMIT_FSIZE, FILE_LIMIT_BYTES),
        (resource.RLIMIT_CPU, cpu_s),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.prlimit(pid, kind, (value, value))


def supervise(pid: int, output_fd: int, deadline: float) -> tuple[CappedOutput, bool]:
    """Read a command's output until it closes and the command has exited; (output, whether
    the time limit hit). Closes `output_fd`; the caller reaps `pid`.

    At the deadline the command's process group gets SIGTERM, as `timeout` sends it, so
    vvp still runs the testbench's final blocks; KILL_GRACE_S later it gets SIGKILL (in
    the sandbox the command is its namespace's PID 1: the whole namespace dies). Then at
    most REAP_S more for the kernel's teardown: nothing a command left can hold us.
    """
    output = CappedOutput()
    timed_out = killed = False
    pidfd = os.pidfd_open(pid)
    watched = [output_fd, pidfd]
    try:
        while watched:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if killed:
                    break
                killed = timed_out
                timed_out = True
                _signal_group(pid, signal.SIGKILL if killed else signal.SIGTERM)
                deadline = time.monotonic() + (REAP_S if killed else KILL_GRACE_S)
                continue
            ready, _, _ = select.select(watched, [], [], remaining)
            if pidfd in ready:
                watched.remove(pidfd)
            if output_fd in ready:
                chunk = os.read(output_fd, 1 << 16)
                if chunk:
                    output.add(chunk)
                else:
                    watched.remove(output_fd)
    finally:
        os.close(pidfd)
        os.close(output_fd)
        _signal_group(pid, signal.SIGKILL)  # whatever it left in its group; a zombie holds it
    return output, timed_out


def _signal_group(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signum)


def run_limited(argv: Sequence[str], *, cwd: Path, timeout_s: float) -> ExecResult:
    """Without the sandbox (--no-sandbox, trusted code): run `argv` in `cwd` under the same
    limits and time limit, in its own process group."""
    started = time.monotonic()
    output_read, output_write = os.pipe()
    try:
        process = subprocess.Popen(
            list(argv),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=output_write,
            stderr=output_write,
            start_new_session=True,
        )
    except BaseException:
        os.close(output_read)
        raise
    finally:
        os.close(output_write)
    try:
        limit(process.pid, timeout_s)
        output, timed_out = supervise(process.pid, output_read, started + timeout_s)
    finally:
        _signal_group(process.pid, signal.SIGKILL)
        process.wait()
    return finished(argv, process.returncode, output, timed_out, started)


def finished(
    argv: Sequence[str], returncode: int, output: CappedOutput, timed_out: bool, started: float
) -> ExecResult:
    text, truncated = output.text()
    return ExecResult(
        argv=tuple(argv),
        returncode=None if timed_out else returncode,
        output=text,
        duration_s=time.monotonic() - started,
        timed_out=timed_out,
        truncated=truncated,
    )


class CappedOutput:
    """The first and last OUTPUT_CAP_BYTES / 2 of a stream, and how much was cut between."""

    def __init__(self, cap: int = OUTPUT_CAP_BYTES) -> None:
        self._half = cap // 2
        self._head = bytearray()
        self._tail = bytearray()
        self._size = 0

    def add(self, chunk: bytes) -> None:
        self._size += len(chunk)
        room = self._half - len(self._head)
        if room > 0:
            self._head += chunk[:room]
            chunk = chunk[room:]
        self._tail += chunk
        if len(self._tail) > 2 * self._half:
            del self._tail[: len(self._tail) - self._half]

    def data(self) -> tuple[bytes, bool]:
        """The bytes kept, a marker line where some were cut, and whether any were."""
        kept = len(self._head) + min(len(self._tail), self._half)
        if self._size == kept:
            return bytes(self._head + self._tail), False
        marker = f"\n[verilogeval: {self._size - kept} bytes of output cut]\n".encode()
        return bytes(self._head + marker + self._tail[-self._half :]), True

    def text(self) -> tuple[str, bool]:
        data, truncated = self.data()
        return data.decode("utf-8", errors="replace"), truncated
