"""One desk window per data folder.

Two windows writing the same dossiers would each believe their copy is current. The lock is
an operating-system file lock (fcntl on POSIX, msvcrt on Windows) on `permis.lock` in the
data folder: it is released by the OS when the process dies, so a crash never leaves a stale
lock behind. Headless `permis` commands do not take it (SQLite WAL handles their writes).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import IO

from permis_desktop.errors import OperationFailed

log = logging.getLogger(__name__)


class AlreadyRunning(OperationFailed):
    def __init__(self, folder: Path, holder: str) -> None:
        self.holder = holder
        who = f" (processus {holder})" if holder else ""
        super().__init__(
            f"permis-desktop est déjà ouvert sur ce poste avec le dossier de données {folder}{who}. "
            "Utilisez la fenêtre déjà ouverte."
        )


class InstanceLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held while running
        try:
            _lock(handle)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip()
            handle.close()
            log.warning("data folder %s already in use by pid %s", self.path.parent, holder)
            raise AlreadyRunning(self.path.parent, holder) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is None:
            return
        try:
            _unlock(self._handle)
        finally:
            self._handle.close()
            self._handle = None

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
