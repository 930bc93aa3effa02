"""The content-addressed store of page files.

Every byte of a captured or processed page goes through here, and nowhere else, so that
encryption at rest can be added in this one module. A blob is named by the sha256 of its
content and lives in `blobs/ab/cd/abcd…`; writes are atomic, reads are verified, and `gc`
removes the blobs nothing references any more.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from permis_desktop.errors import OperationFailed
from permis_desktop.fileutil import atomic_write_bytes

log = logging.getLogger(__name__)

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1 << 20


class BlobCorrupted(OperationFailed):
    def __init__(self, sha256: str) -> None:
        self.sha256 = sha256
        super().__init__(
            "Un fichier de page est endommagé sur le disque (contenu différent de l'original). "
            "Recapturez la pièce concernée."
        )


class BlobMissing(OperationFailed):
    def __init__(self, sha256: str) -> None:
        self.sha256 = sha256
        super().__init__("Un fichier de page est introuvable sur le disque. Recapturez la pièce.")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_stream(stream: BinaryIO) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(_CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def put(self, data: bytes) -> str:
        """Store `data`; returns its sha256. Storing the same bytes twice writes once."""
        sha = sha256_bytes(data)
        target = self.path(sha)
        if target.exists():
            return sha
        try:
            atomic_write_bytes(target, data)
        except OSError as exc:
            log.error("blob %s could not be written to %s: %s", sha, target, exc)
            raise OperationFailed(_write_error_message(exc)) from exc
        return sha

    def put_file(self, source: Path) -> str:
        try:
            data = source.read_bytes()
        except OSError as exc:
            raise OperationFailed(
                f"Impossible de lire le fichier {source} : {exc.strerror or exc}."
            ) from exc
        return self.put(data)

    def get(self, sha256: str) -> bytes:
        """The blob's bytes, verified against its name."""
        target = self.path(sha256)
        try:
            data = target.read_bytes()
        except FileNotFoundError:
            log.error("blob %s missing at %s", sha256, target)
            raise BlobMissing(sha256) from None
        if sha256_bytes(data) != sha256:
            log.error("blob %s corrupted at %s", sha256, target)
            raise BlobCorrupted(sha256)
        return data

    def iter_hashes(self) -> Iterator[str]:
        if not self.root.exists():
            return
        for first in self.root.iterdir():
            if not first.is_dir() or len(first.name) != 2:
                continue
            for second in first.iterdir():
                if not second.is_dir():
                    continue
                for blob in second.iterdir():
                    if _SHA256.match(blob.name):
                        yield blob.name

    def gc(self, referenced: Iterable[str]) -> int:
        """Delete every blob not in `referenced`; returns how many were removed."""
        keep = set(referenced)
        removed = 0
        for sha in list(self.iter_hashes()):
            if sha in keep:
                continue
            try:
                self.path(sha).unlink()
                removed += 1
            except OSError as exc:
                log.warning("could not remove unreferenced blob %s: %s", sha, exc)
        # Leftover temp files from an interrupted write are garbage too.
        for tmp in self.root.rglob(".*.tmp") if self.root.exists() else []:
            with contextlib.suppress(OSError):
                tmp.unlink()
        if removed:
            log.info("blob gc removed %d unreferenced blobs", removed)
        return removed


def _write_error_message(exc: OSError) -> str:
    import errno

    if exc.errno == errno.ENOSPC:
        return "Le disque est plein : la page n'a pas pu être enregistrée. Libérez de la place."
    if exc.errno in (errno.EACCES, errno.EROFS, errno.EPERM):
        return "Le dossier de données est en lecture seule : la page n'a pas pu être enregistrée."
    return f"La page n'a pas pu être enregistrée : {os.strerror(exc.errno or 0) or exc}."
