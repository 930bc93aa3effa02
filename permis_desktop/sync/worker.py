"""The sync worker: its own thread, its own sessions, on a timer and on demand.

One round sends every due outbox item (each isolated: a failure only delays that item),
then applies the status feed. Rounds run when woken (a dossier was validated, the user
pressed "Réessayer"), when the next backed-off item falls due, and every `poll_seconds`
anyway, so that nothing waits for a new local write (PowerSync's bug, §4.4). The GUI gets
plain `SyncStatus` values through a callback and never touches this thread's objects.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from permis_desktop.models.blobstore import BlobStore
from permis_desktop.models.db import Database
from permis_desktop.models.entities import utcnow
from permis_desktop.sync.client import (
    Retryable,
    ServiceClient,
    SyncError,
    Unauthorized,
    Unreachable,
)
from permis_desktop.sync.feed import Applied, Cursor, Feed
from permis_desktop.sync.outbox import ItemResult, Outbox

log = logging.getLogger(__name__)

# Outbox items sent at once (each uploads its page files a few at a time as well).
PARALLEL_ITEMS = 3


@dataclass
class RoundReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    uploaded_pages: int = 0
    applied: list[Applied] = field(default_factory=list)
    needs_token: bool = False
    reachable: bool = True
    certificate_refused: bool = False
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Nothing failed and nothing is left waiting for a retry."""
        return not (
            self.failed or self.retrying or self.needs_token or not self.reachable or self.errors
        )


@dataclass(frozen=True)
class SyncStatus:
    online: bool
    waiting: int
    failed: int
    last_sync: dt.datetime | None
    last_error: str
    needs_token: bool
    certificate_refused: bool = False


class SyncWorker:
    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        make_client: Callable[[], ServiceClient],
        cursor_path: Path,
        server_url: str,
        poll_seconds: float = 60.0,
        on_status: Callable[[SyncStatus], None] | None = None,
        on_applied: Callable[[Applied], None] | None = None,
        probe_seconds: float = 10.0,
    ) -> None:
        self.outbox = Outbox(db, blobs)
        self.probe_seconds = probe_seconds
        self.online: bool | None = None
        self.feed = Feed(db, Cursor(cursor_path, server_url))
        self.make_client = make_client
        self.poll_seconds = poll_seconds
        self.on_status = on_status
        self.on_applied = on_applied
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_sync: dt.datetime | None = None
        self.last_error = ""

    # -- one round -------------------------------------------------------------------------

    def run_once(self) -> RoundReport:
        report = RoundReport()
        client = self.make_client()
        try:
            self._send_due(client, report)
            if not report.needs_token:
                try:
                    report.applied = self.feed.pull(client, self.on_applied)
                except Unauthorized as exc:
                    report.needs_token = True
                    report.errors.append(str(exc))
                except Unreachable as exc:
                    report.reachable = False
                    report.certificate_refused |= exc.certificate_refused
                    report.errors.append(str(exc))
                except Retryable as exc:
                    report.errors.append(str(exc))
                except SyncError as exc:
                    report.errors.append(str(exc))
        finally:
            client.close()
        if report.reachable:
            self.last_sync = utcnow()
        self.last_error = report.errors[-1] if report.errors else ""
        self._publish(report)
        return report

    def _send_due(self, client: ServiceClient, report: RoundReport) -> None:
        """Send the due items, a few at a time: one item's round trips overlap another's
        uploads. Each item stays isolated; a refused token stops the items not yet begun."""
        halt = threading.Event()

        def send(item_id: int) -> ItemResult | None:
            if halt.is_set() or self._stop.is_set():
                return None
            result = self.outbox.send(client, item_id)
            if result.outcome == "unauthorized":
                halt.set()
            return result

        due = self.outbox.due()
        if len(due) <= 1 or PARALLEL_ITEMS <= 1:
            results = [send(item_id) for item_id in due]
        else:
            with ThreadPoolExecutor(PARALLEL_ITEMS, thread_name_prefix="sync-item") as pool:
                results = list(pool.map(send, due))
        for result in results:
            if result is not None:
                self._count(report, result)
        report.needs_token = halt.is_set()

    @staticmethod
    def _count(report: RoundReport, result: ItemResult) -> None:
        report.uploaded_pages += result.uploaded
        if result.outcome == "sent":
            report.sent += 1
        elif result.outcome == "retry":
            report.retrying += 1
            if result.unreachable:
                report.reachable = False
            report.certificate_refused |= result.certificate_refused
            report.errors.append(result.message)
        elif result.outcome == "failed":
            report.failed += 1
            report.errors.append(result.message)
        elif result.outcome == "unauthorized":
            report.errors.append(result.message)

    def status(self, report: RoundReport | None = None) -> SyncStatus:
        waiting = self.outbox.waiting()
        return SyncStatus(
            online=report.reachable if report is not None else self.last_sync is not None,
            waiting=sum(1 for w in waiting if w.state == "pending"),
            failed=sum(1 for w in waiting if w.state == "failed"),
            last_sync=self.last_sync,
            last_error=self.last_error,
            needs_token=bool(report and report.needs_token),
            certificate_refused=bool(report and report.certificate_refused),
        )

    def _publish(self, report: RoundReport) -> None:
        if self.on_status is not None:
            try:
                self.on_status(self.status(report))
            except Exception:  # a broken listener must not stop the sync
                log.exception("sync status listener failed")

    # -- the thread ------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="sync-worker", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Run a round now (a dossier was validated, or "Réessayer" was pressed)."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                report = self.run_once()
                self.online = report.reachable
            except Exception:  # keep the desk syncing whatever one round met
                log.exception("sync round failed")
            if self.online is False:
                self._wait_for_service()
            else:
                self._wake.wait(self._sleep_seconds())
                self._wake.clear()

    def _wait_for_service(self) -> None:
        """Offline: probe the service every few seconds (no token, no database) until it
        answers or a round is due anyway; when it comes back, everything waiting goes at
        once instead of sitting out its backoff."""
        deadline = utcnow() + dt.timedelta(seconds=self._sleep_seconds())
        while not self._stop.is_set() and utcnow() < deadline:
            left = (deadline - utcnow()).total_seconds()
            if self._wake.wait(max(0.05, min(self.probe_seconds, left))):
                self._wake.clear()
                return
            client = self.make_client()
            try:
                back = client.health()
            finally:
                client.close()
            if back:
                log.info("dossier service reachable again: sending what waits")
                self.outbox.make_due()
                return

    def _sleep_seconds(self) -> float:
        due = self.outbox.next_due_at()
        if due is None:
            return self.poll_seconds
        return max(0.05, min(self.poll_seconds, (due - utcnow()).total_seconds()))
