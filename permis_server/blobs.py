"""The server's content-addressed store of page files, behind a small interface.

A page file is named by the sha256 of its bytes. Uploads are streamed into a temporary file
while being hashed, then renamed into place only if the hash matches the name the desk gave:
a cut or altered body never becomes a blob, and readers never see half a file. The
`BlobStore` protocol is all the API uses, so that an S3-compatible store (multipart upload,
then a conditional copy to the final key) can be added without touching the rest.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

log = logging.getLogger(__name__)

SHA256_PATTERN = r"^[0-9a-f]{64}$"
_SHA256 = re.compile(SHA256_PATTERN)


class HashMismatch(Exception):
    """The uploaded bytes do not hash to the name they were sent under."""

    def __init__(self, expected: str, actual: str, size: int) -> None:
        super().__init__(f"expected {expected}, got {actual} ({size} bytes)")
        self.expected = expected
        self.actual = actual
        self.size = size


class BlobWriter(Protocol):
    """One upload in progress; hashes as it writes."""

    size: int

    def write(self, chunk: bytes) -> None: ...

    def commit(self, sha256: str) -> bool:
        """Verify and publish under `sha256`; True if the blob is new. Raises HashMismatch."""

    def abort(self) -> None: ...


class BlobStore(Protocol):
    def exists(self, sha256: str) -> bool: ...

    def size(self, sha256: str) -> int | None: ...

    def writer(self) -> BlobWriter: ...

    def open(self, sha256: str) -> BinaryIO: ...

    def iter_hashes(self) -> Iterator[str]: ...


def is_sha256(value: str) -> bool:
    return bool(_SHA256.match(value))


class FileBlobWriter:
    def __init__(self, store: FileBlobStore) -> None:
        self._store = store
        store.tmp.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=store.tmp, prefix="upload-", suffix=".tmp")
        self._path = Path(name)
        self._handle: BinaryIO | None = os.fdopen(fd, "wb")
        self._digest = hashlib.sha256()
        self.size = 0

    def write(self, chunk: bytes) -> None:
        assert self._handle is not None
        self._handle.write(chunk)
        self._digest.update(chunk)
        self.size += len(chunk)

    def commit(self, sha256: str) -> bool:
        assert self._handle is not None
        actual = self._digest.hexdigest()
        if actual != sha256:
            self.abort()
            raise HashMismatch(sha256, actual, self.size)
        target = self._store.path(sha256)
        try:
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
            self._handle = None
            if target.exists():
                self._path.unlink(missing_ok=True)
                return False
            target.parent.mkdir(parents=True, exist_ok=True)
            # Same bytes under the same name: a concurrent upload winning the race is harmless.
            os.replace(self._path, target)
            _fsync_dir(target.parent)
        except BaseException:
            self.abort()
            raise
        return True

    def abort(self) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):
                self._handle.close()
            self._handle = None
        with contextlib.suppress(OSError):
            self._path.unlink(missing_ok=True)


class FileBlobStore:
    """Blobs as files under `root/ab/cd/abcd…`; uploads in progress under `root/tmp/`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp = root / "tmp"

    def path(self, sha256: str) -> Path:
        if not is_sha256(sha256):
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def size(self, sha256: str) -> int | None:
        try:
            return self.path(sha256).stat().st_size
        except FileNotFoundError:
            return None

    def writer(self) -> FileBlobWriter:
        return FileBlobWriter(self)

    def open(self, sha256: str) -> BinaryIO:
        return self.path(sha256).open("rb")

    def clean_tmp(self, older_than_s: float = 3600.0) -> int:
        """Remove uploads left half-written by a killed process. Only old ones: another
        server process may be writing a fresh one right now."""
        import time

        removed = 0
        limit = time.time() - older_than_s
        for leftover in self.tmp.glob("upload-*.tmp") if self.tmp.exists() else []:
            with contextlib.suppress(OSError):
                if leftover.stat().st_mtime < limit:
                    leftover.unlink()
                    removed += 1
        if removed:
            log.info("removed %d interrupted uploads from %s", removed, self.tmp)
        return removed

    def iter_hashes(self) -> Iterator[str]:
        if not self.root.exists():
            return
        for first in sorted(self.root.iterdir()):
            if not first.is_dir() or len(first.name) != 2:
                continue
            for second in sorted(first.iterdir()):
                for blob in sorted(second.iterdir()) if second.is_dir() else []:
                    if is_sha256(blob.name):
                        yield blob.name


def _fsync_dir(folder: Path) -> None:
    # Makes the rename durable on POSIX; directories cannot be opened on Windows.
    if os.name == "nt":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
