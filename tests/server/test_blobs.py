"""The server's file store: verified, atomic, and tidy after interruptions."""

from __future__ import annotations

import os
import time

import pytest

from permis_server.blobs import FileBlobStore, HashMismatch

from .helpers import page_bytes, sha


def test_a_blob_is_published_only_under_its_own_hash(tmp_path):
    store = FileBlobStore(tmp_path / "blobs")
    data = page_bytes("x", 100_000)
    writer = store.writer()
    for i in range(0, len(data), 4096):
        writer.write(data[i : i + 4096])
    assert writer.commit(sha(data)) is True
    assert store.size(sha(data)) == len(data) and list(store.iter_hashes()) == [sha(data)]
    again = store.writer()
    again.write(data)
    assert again.commit(sha(data)) is False
    wrong = store.writer()
    wrong.write(data[:-1])
    with pytest.raises(HashMismatch):
        wrong.commit(sha(data[:-1])[::-1])
    assert list(store.iter_hashes()) == [sha(data)]
    assert list(store.tmp.iterdir()) == []


def test_only_old_interrupted_uploads_are_cleaned(tmp_path):
    store = FileBlobStore(tmp_path / "blobs")
    old, fresh = store.writer(), store.writer()
    old.write(b"half"), fresh.write(b"half")
    old_file = next(p for p in store.tmp.iterdir() if p.name == old._path.name)
    past = time.time() - 7200
    os.utime(old_file, (past, past))
    assert store.clean_tmp(older_than_s=3600) == 1
    assert [p.name for p in store.tmp.iterdir()] == [fresh._path.name]
    fresh.abort()
    old.abort()
