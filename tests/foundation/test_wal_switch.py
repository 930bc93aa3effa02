"""Switching a new database file to WAL while another connection holds it."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest

from permis_desktop.models.db import enable_wal


def _locked_file(tmp_path):
    path = tmp_path / "new.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO t VALUES (1)")
    return path, holder


def test_wal_switch_waits_for_the_connection_that_holds_the_file(tmp_path):
    # A busy timeout of 0 makes SQLite answer "locked" at once, as it does when it skips
    # the busy handler to avoid a deadlock between connections converting a new file.
    path, holder = _locked_file(tmp_path)
    threading.Timer(0.3, holder.execute, args=("COMMIT",)).start()
    late = sqlite3.connect(path, isolation_level=None, timeout=0)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        late.execute("PRAGMA journal_mode=WAL")
    started = time.monotonic()
    enable_wal(late.cursor(), timeout_s=5)
    assert late.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert 0.1 < time.monotonic() - started < 5
    assert late.execute("SELECT x FROM t").fetchall() == [(1,)]
    late.close()
    holder.close()


def test_wal_switch_gives_up_after_its_timeout(tmp_path):
    path, holder = _locked_file(tmp_path)
    late = sqlite3.connect(path, isolation_level=None, timeout=0)
    started = time.monotonic()
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        enable_wal(late.cursor(), timeout_s=0.3)
    assert 0.3 <= time.monotonic() - started < 2
    holder.execute("ROLLBACK")
    late.close()
    holder.close()
