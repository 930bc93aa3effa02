"""The watched folder: pages a multifunction printer "scans to folder" (or e-mails) arrive here.

A printer writes a file over SMB or FTP in several bursts, and the OS gives no portable
"file closed" event, so the folder is polled and a file counts only once its size and
modification time have stayed the same for `stable_polls` consecutive polls (and it can be
opened: Windows refuses while the writer holds it). Polling works the same on Windows,
macOS, Linux and network shares, where change notifications are unreliable; a scan folder
holds a handful of files, so a poll costs one directory listing.

A stable file is moved into the app's inbox ("À classer"), out of the shared folder, so
it cannot change under us. From there the user assigns it to a piece or dismisses it: it
is then moved into `classés/` or `ignorés/`. Files are only ever moved, never deleted.
No Qt: the UI calls `WatchedFolder.poll()` from its timer or runs `run()` on a thread.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from permis_desktop.errors import BadInput, OperationFailed

log = logging.getLogger(__name__)

ASSIGNED_DIR = "classés"
DISMISSED_DIR = "ignorés"
ACCEPTED_SUFFIXES = frozenset(
    {".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".heic", ".heif", ".webp"}
)
# Names printers and copy tools use while a file is still being written.
_PARTIAL_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".filepart", ".temp")


def inbox_dir(data_dir: Path) -> Path:
    """Where inbox files live: beside the database, under the app's data folder."""
    return data_dir / "inbox"


def _is_candidate(path: Path) -> bool:
    name = path.name
    if name.startswith((".", "~")) or name.lower().endswith(_PARTIAL_SUFFIXES):
        return False
    return path.suffix.lower() in ACCEPTED_SUFFIXES


def _readable(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            handle.read(1)
        return True
    except OSError:
        return False


def _unique_target(folder: Path, name: str) -> Path:
    target = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    n = 2
    while target.exists():
        target = folder / f"{stem} ({n}){suffix}"
        n += 1
    return target


def _copy_then_remove(source: Path, target: Path) -> None:
    """Move across file systems: copy to a temporary name, fsync, rename, then remove the
    source. If the source cannot be removed (read-only share) the copy is kept anyway."""
    temp = target.with_name(f".{target.name}.moving")
    try:
        with source.open("rb") as src, temp.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
            dst.flush()
            os.fsync(dst.fileno())
        shutil.copystat(source, temp)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    try:
        source.unlink()
    except OSError as exc:
        log.warning("copied %s to the inbox but could not remove it: %s", source, exc)


def move_file(source: Path, folder: Path) -> Path:
    """Move `source` into `folder` under a free name; returns the new path."""
    folder.mkdir(parents=True, exist_ok=True)
    target = _unique_target(folder, source.name)
    try:
        os.replace(source, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        _copy_then_remove(source, target)
    return target


@dataclass(frozen=True)
class InboxFile:
    """A file waiting in "À classer"."""

    path: Path
    size: int
    modified: float  # seconds since the epoch, as the printer wrote it

    @property
    def name(self) -> str:
        return self.path.name


class Inbox:
    """The app's "À classer" folder and its `classés/` and `ignorés/` subfolders."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def items(self) -> list[InboxFile]:
        if not self.root.is_dir():
            return []
        found = []
        for path in self.root.iterdir():
            if not path.is_file() or not _is_candidate(path):
                continue
            try:
                stat = path.stat()
            except OSError:
                continue
            found.append(InboxFile(path=path, size=stat.st_size, modified=stat.st_mtime))
        return sorted(found, key=lambda f: (f.modified, f.name))

    def receive(self, source: Path) -> InboxFile:
        """Move a stable file from the watched folder into the inbox."""
        try:
            path = move_file(source, self.root)
            stat = path.stat()
        except OSError as exc:
            log.error("cannot move %s into the inbox %s: %s", source, self.root, exc)
            raise OperationFailed(
                f"Impossible de déplacer {source.name} dans « À classer » : {exc.strerror or exc}. "
                "Vérifiez les droits sur le dossier surveillé."
            ) from None
        log.info("inbox: received %s (%d bytes)", path.name, stat.st_size)
        return InboxFile(path=path, size=stat.st_size, modified=stat.st_mtime)

    def _file_out(self, item: InboxFile | Path, subfolder: str) -> Path:
        path = item.path if isinstance(item, InboxFile) else item
        if path.parent != self.root:
            raise BadInput(f"{path.name} n'est pas dans « À classer ».")
        if not path.exists():
            raise BadInput(f"{path.name} n'est plus dans « À classer » : actualisez la liste.")
        try:
            return move_file(path, self.root / subfolder)
        except OSError as exc:
            log.error("cannot move %s to %s: %s", path, subfolder, exc)
            raise OperationFailed(
                f"Impossible de classer {path.name} : {exc.strerror or exc}."
            ) from None

    def assign(self, item: InboxFile | Path) -> Path:
        """After its pages were attached to a piece: file it under `classés/`."""
        return self._file_out(item, ASSIGNED_DIR)

    def dismiss(self, item: InboxFile | Path) -> Path:
        """Not a document for a dossier: set it aside under `ignorés/` (kept, not deleted)."""
        return self._file_out(item, DISMISSED_DIR)


class FolderWatcher:
    """Reports each file of `folder` once it has stayed unchanged for `stable_polls` polls."""

    def __init__(self, folder: Path, *, stable_polls: int = 2) -> None:
        if stable_polls < 1:
            raise ValueError("stable_polls must be >= 1")
        self.folder = folder
        self.stable_polls = stable_polls
        # path → ((size, mtime_ns), consecutive polls seen with that signature)
        self._seen: dict[Path, tuple[tuple[int, int], int]] = {}
        self._reported: dict[Path, tuple[int, int]] = {}
        self._warned_missing = False

    def forget(self, path: Path) -> None:
        """Consider `path` new again: it will be reported once stable, as at first sight."""
        self._reported.pop(path, None)
        self._seen.pop(path, None)

    def poll(self) -> list[Path]:
        """Files that just became stable. A missing folder is logged once and yields nothing."""
        try:
            entries = [p for p in self.folder.iterdir() if _is_candidate(p)]
        except OSError as exc:
            if not self._warned_missing:
                log.warning("watched folder %s unreadable: %s", self.folder, exc)
                self._warned_missing = True
            return []
        self._warned_missing = False
        ready: list[Path] = []
        current: set[Path] = set()
        for path in sorted(entries):
            try:
                stat = path.stat()
            except OSError:
                continue
            if not path.is_file() or stat.st_size == 0:
                continue
            current.add(path)
            signature = (stat.st_size, stat.st_mtime_ns)
            if self._reported.get(path) == signature:
                continue
            previous = self._seen.get(path)
            count = previous[1] + 1 if previous and previous[0] == signature else 1
            self._seen[path] = (signature, count)
            if count >= self.stable_polls and _readable(path):
                ready.append(path)
                self._reported[path] = signature
                del self._seen[path]
        for gone in set(self._seen) - current:
            del self._seen[gone]
        for gone in set(self._reported) - current:
            del self._reported[gone]
        return ready


class WatchedFolder:
    """The watcher and the inbox together: each poll moves newly stable files into the inbox."""

    def __init__(self, folder: Path, inbox: Inbox, *, stable_polls: int = 2) -> None:
        self.watcher = FolderWatcher(folder, stable_polls=stable_polls)
        self.inbox = inbox
        self._failures: dict[Path, int] = {}

    # A file that cannot be moved (Windows sharing violation while the printer still holds
    # it, a read-only share) is tried again on later polls, then left alone until it changes.
    MAX_MOVE_TRIES = 5

    def poll(self) -> list[InboxFile]:
        received = []
        for path in self.watcher.poll():
            try:
                received.append(self.inbox.receive(path))
                self._failures.pop(path, None)
            except OperationFailed:
                # Logged in receive(); the file stays where it is and is not lost.
                tries = self._failures.get(path, 0) + 1
                self._failures[path] = tries
                if tries < self.MAX_MOVE_TRIES:
                    self.watcher.forget(path)
        return received

    def run(
        self,
        stop: threading.Event,
        on_received: Callable[[list[InboxFile]], None],
        interval: float = 1.0,
    ) -> None:
        """Poll every `interval` seconds until `stop` is set (for a worker thread)."""
        while not stop.is_set():
            received = self.poll()
            if received:
                on_received(received)
            stop.wait(interval)
