"""The scratch root of a command: made and removed by the parent, whatever its workers do.

Every per-sample folder (and each sandbox's scratch folder) lies in one root per pool,
which the parent creates before its workers start and removes when it ends, so a worker
that dies, or a sample that fills its folder, leaves nothing behind in /dev/shm or /tmp.
A parent killed outright (SIGKILL, a power cut) cannot remove its root: it holds a lock
on it while it lives, and the next pool in the same folder removes the roots whose lock
is free. flock, not a pid: it is released by the kernel when the holder dies, and means
the same to every process of the machine, whatever PID namespace it lives in.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import time
from pathlib import Path

PREFIX = "verilogeval-run-"
_MIN_SCRATCH_FREE_BYTES = 2 << 30
# A root this young may not be locked yet (made, not yet locked): never taken as abandoned.
_SETTLE_S = 60.0


def default_scratch_dir() -> Path | None:
    """/dev/shm when there is one with room: a sample's short-lived files need no disk.

    Creating a file there costs a tenth of what it costs on a disk file system (measured),
    and each sample creates several. A small /dev/shm (containers often get 64 MiB) is
    passed over: a full scratch folder would turn into compile errors. None: the system's
    temporary folder.
    """
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK | os.X_OK)):
        return None
    return shm if shutil.disk_usage(shm).free >= _MIN_SCRATCH_FREE_BYTES else None


class ScratchRoot:
    """A fresh folder in `parent` (None: the system's temporary folder), locked until `remove`."""

    def __init__(self, parent: Path | None) -> None:
        _remove_abandoned(Path(parent or tempfile.gettempdir()))
        self.path = Path(tempfile.mkdtemp(prefix=PREFIX, dir=parent))
        self._lock = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        fcntl.flock(self._lock, fcntl.LOCK_EX)

    def remove(self) -> None:
        """Remove the root and everything in it (idempotent)."""
        shutil.rmtree(self.path, ignore_errors=True)
        if self._lock >= 0:
            os.close(self._lock)
            self._lock = -1


def _remove_abandoned(parent: Path) -> None:
    """Remove the roots in `parent` whose owner died without removing them."""
    for root in parent.glob(f"{PREFIX}*"):
        try:
            if time.time() - root.lstat().st_mtime < _SETTLE_S or root.is_symlink():
                continue
            lock = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:  # gone meanwhile, or not a folder
            continue
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # its owner lives
            os.close(lock)
            continue
        try:
            shutil.rmtree(root, ignore_errors=True)
        finally:
            os.close(lock)
