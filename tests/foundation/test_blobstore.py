from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from permis_desktop.errors import OperationFailed
from permis_desktop.models.blobstore import BlobCorrupted, BlobMissing, BlobStore


def test_put_is_content_addressed_fanned_out_and_idempotent(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    data = b"page bytes" * 1000
    sha = store.put(data)
    assert sha == hashlib.sha256(data).hexdigest()
    assert store.path(sha) == tmp_path / "blobs" / sha[:2] / sha[2:4] / sha
    assert store.put(data) == sha
    assert store.get(sha) == data
    assert list(store.iter_hashes()) == [sha]
    assert not list((tmp_path / "blobs").rglob("*.tmp"))


def test_read_is_verified(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    sha = store.put(b"original")
    store.path(sha).write_bytes(b"tampered")
    with pytest.raises(BlobCorrupted):
        store.get(sha)
    with pytest.raises(BlobMissing):
        store.get("0" * 64)


def test_gc_removes_only_unreferenced_blobs(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    keep, drop = store.put(b"keep"), store.put(b"drop")
    (store.path(keep).parent / ".half-written.tmp").write_bytes(b"x")
    assert store.gc({keep}) == 1
    assert store.exists(keep) and not store.exists(drop)
    assert not list(tmp_path.rglob("*.tmp"))


def test_bad_hash_names_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        BlobStore(tmp_path).path("../../etc/passwd")


def test_write_to_read_only_store_is_a_clear_error(tmp_path: Path, make_read_only) -> None:
    store = BlobStore(tmp_path / "blobs")
    (tmp_path / "blobs").mkdir()
    make_read_only(tmp_path / "blobs")
    with pytest.raises(OperationFailed, match="lecture seule"):
        store.put(b"new page")
