"""End to end through a fault-injecting proxy: nothing lost, nothing doubled.

Dossiers go from real desks (local SQLite stores and page files) to a real server process,
through a TCP proxy that cuts uploads, loses answers and stalls. Then the server holds each
dossier exactly once with every page file verified, and every desk dossier is `submitted`.
"""

from __future__ import annotations

import collections
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from permis_server.service import list_dossiers

from .desk import Desk
from .faultproxy import FaultProxy
from .helpers import free_port, sha
from .test_process import Process


def _drain(desks: list[Desk], rounds: int = 60) -> None:
    """Sync rounds until nothing waits; backed-off items are made due at once to save time."""
    for _ in range(rounds):
        waiting = 0
        for desk in desks:
            worker = desk.worker()
            worker.run_once()
            waiting += worker.outbox.retry_now()
        if not waiting:
            return
    raise AssertionError("items still waiting after all rounds")


def _check(server, desks: list[Desk], expected: int) -> None:
    rows = list_dossiers(server.db)
    ids = [r["id"] for r in rows]
    assert len(ids) == expected == len(set(ids))
    for row in rows:
        assert row["status"] == "submitted"
        for h in row["pages"]:
            assert sha(server.blobs.path(h).read_bytes()) == h
    for desk in desks:
        from sqlalchemy import select

        from permis_desktop.models.entities import Dossier

        with desk.db.transaction() as session:
            statuses = collections.Counter(session.scalars(select(Dossier.status)))
        assert set(statuses) == {"submitted"}, statuses
    # Each dossier was received once: one "submitted" event, one revision.
    from sqlalchemy import func, select

    from permis_server.models import DossierRevision, Event

    with server.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Event)) == expected
        assert session.scalar(select(func.count()).select_from(DossierRevision)) == expected


def _run(server, started, tmp_path: Path, dossiers: int, seed: int) -> FaultProxy:
    started.append(Process(server.data_dir, server.url).wait_ready())
    proxy = FaultProxy(started[0].port, seed=seed, fault_rate=0.03, stall_s=(0.1, 2.5))
    desks = [
        Desk(
            tmp_path / f"desk{n}",
            proxy.url,
            server.token("agence-nord", f"guichet-{n}"),
            timeout=1.5,
        )
        for n in (1, 2)
    ]
    try:
        for n in range(dossiers):
            desks[n % 2].queued(f"NOM{n}", pieces=5, pages=1, size=3000)
        _drain(desks)
        _check(server, desks, dossiers)
    finally:
        for desk in desks:
            desk.close()
        proxy.close()
    return proxy


@pytest.mark.slow
def test_twenty_dossiers_through_faults_arrive_once_each(server, started, tmp_path):
    proxy = _run(server, started, tmp_path, 20, seed=3)
    assert sum(proxy.stats.faults.values()) > 0, proxy.stats


@pytest.mark.slow
def test_two_hundred_dossiers_of_five_pieces_through_faults(server, started, tmp_path):
    proxy = _run(server, started, tmp_path, 200, seed=11)
    assert set(proxy.stats.faults) == {"cut_request", "cut_response", "stall"}, proxy.stats


@pytest.mark.slow
def test_server_killed_mid_sync_and_restarted(server, started, tmp_path):
    port = free_port()
    first = Process(server.data_dir, server.url, port=port).wait_ready()
    started.append(first)
    desk = Desk(tmp_path / "desk", first.base, server.token())
    try:
        for n in range(30):
            desk.queued(f"NOM{n}", pieces=5, size=50_000)
        worker = desk.worker(poll_seconds=0.2)
        worker.start()
        deadline = time.monotonic() + 30
        while len(list_dossiers(server.db)) < 5 and time.monotonic() < deadline:
            time.sleep(0.02)
        first.kill()
        assert len(list_dossiers(server.db)) < 30, "the sync finished before the server was killed"
        time.sleep(0.5)
        started.append(Process(server.data_dir, server.url, port=port).wait_ready())
        while any(w.state == "pending" for w in worker.outbox.waiting()):
            worker.outbox.retry_now()
            worker.wake()
            time.sleep(0.2)
            assert time.monotonic() < deadline + 60
        worker.stop()
        _check(server, [desk], 30)
    finally:
        desk.close()


@pytest.mark.slow
def test_desk_process_killed_mid_sync_and_restarted(server, started, tmp_path):
    started.append(Process(server.data_dir, server.url).wait_ready())
    desk = Desk(tmp_path / "desk", started[0].base, server.token())
    data = str(desk.paths.data)
    permis = [sys.executable, "-m", "permis_desktop.cli", "--data-dir", data]
    try:
        for key, value in (
            ("sync.server_url", desk.base_url),
            ("sync.token", desk.token),
            ("sync.poll_seconds", "1"),
        ):
            subprocess.run([*permis, "config", "set", key, value], check=True, timeout=60)
        for n in range(40):
            desk.queued(f"NOM{n}", pieces=5, size=20_000)
        proc = subprocess.Popen(
            [*permis, "sync"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 60
        while len(list_dossiers(server.db)) < 5 and time.monotonic() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        assert len(list_dossiers(server.db)) < 40, "the desk finished before it was killed"
        done = subprocess.run(
            [*permis, "sync", "--once"], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        _check(server, [desk], 40)
    finally:
        desk.close()
