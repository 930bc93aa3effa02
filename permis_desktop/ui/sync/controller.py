"""The desk's sync worker, seen from the GUI: started and stopped with the window, rebuilt
when the settings change, its callbacks brought to the GUI thread.

`SyncWorker` (permis_desktop.sync) runs on its own thread and reports through plain
callbacks. Those callbacks only emit the signals of a small QObject that lives on the GUI
thread, so every receiver (status bar, panel, notifications, list) runs on the GUI thread,
queued; nothing here touches a widget from the sync thread. A worker replaced after a
settings change may still report once: its reports carry a generation and are dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from permis_desktop.errors import PermisError
from permis_desktop.services.context import DeskContext
from permis_desktop.ui.worker import Worker

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueueRow:
    """One line of the sync panel: an outbox item waiting or refused, with its dossier."""

    item_id: int
    dossier_id: str
    applicant: str
    version: int
    state: str  # "pending" or "failed"
    attempts: int
    next_attempt_at: Any
    reason: str


class _Bridge(QObject):
    """Emitted from the sync thread; delivered queued to the controller on the GUI thread."""

    status = Signal(int, object)
    applied = Signal(int, object)


class SyncController(QObject):
    status_changed = Signal()  # read `status`, `problem`, `server_url`
    applied = Signal(object)  # permis_desktop.sync.feed.Applied, on the GUI thread

    def __init__(
        self,
        ctx: DeskContext,
        worker: Worker,
        parent: QObject | None = None,
        probe_seconds: float = 10.0,
        poll_seconds: float | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.worker = worker
        self.probe_seconds = probe_seconds
        self.poll_seconds = poll_seconds
        self.sync: Any = None  # SyncWorker while running
        self.status: Any = None  # last SyncStatus of the running worker
        self.problem = ""  # why the sync is not running (French), "" when it runs
        self.server_url = str(ctx.settings.get("sync.server_url") or "").strip()
        self.configured = False
        self.expect_change = False
        self.sent = 0  # outbox items acknowledged, as of the last report
        self._generation = 0
        self._bridge = _Bridge(self)
        self._bridge.status.connect(self._on_status)
        self._bridge.applied.connect(self._on_applied)

    # -- life -------------------------------------------------------------------------------

    def start(self) -> bool:
        """Build the worker from the settings and start it; False (and `problem` says why)
        when the desk is not configured for sync."""
        from permis_desktop.sync.setup import client_factory, cursor_path, server_url
        from permis_desktop.sync.worker import SyncWorker

        if self.sync is not None:
            return True
        settings = self.ctx.settings
        self.server_url = str(settings.get("sync.server_url") or "").strip()
        self.status = None
        self.configured = False
        if not self.server_url:
            self.problem = ""
            self.status_changed.emit()
            return False
        try:
            make_client = client_factory(settings)
            url = server_url(settings)
        except PermisError as exc:
            self.problem = str(exc)
            log.info("sync not started: %s", exc)
            self.status_changed.emit()
            return False
        self._generation += 1
        generation, bridge = self._generation, self._bridge
        poll = self.poll_seconds or float(settings.get("sync.poll_seconds") or 60)
        self.sync = SyncWorker(
            self.ctx.db,
            self.ctx.blobs,
            make_client,
            cursor_path(self.ctx.paths),
            url,
            poll_seconds=poll,
            on_status=lambda status: bridge.status.emit(generation, (status, self.sent_count())),
            on_applied=lambda applied: bridge.applied.emit(generation, applied),
            probe_seconds=self.probe_seconds,
        )
        self.problem = ""
        self.configured = True
        self.sync.start()
        log.info("sync worker started for %s", url)
        self.status_changed.emit()
        return True

    def stop(self) -> None:
        """Stop the worker (waits for the round in progress, at most a few seconds)."""
        sync, self.sync = self.sync, None
        self._generation += 1
        if sync is not None:
            sync.stop()
            log.info("sync worker stopped")

    def restart(self, on_done: Callable[[], None] | None = None) -> None:
        """After a settings change: the old worker stops off the GUI thread (it may be in the
        middle of an upload), then a new one starts with the new settings."""
        sync, self.sync = self.sync, None
        self._generation += 1

        def started(_value: Any) -> None:
            self.start()
            if on_done is not None:
                on_done()

        if sync is None:
            started(None)
            return
        self.worker.run_task(lambda _s: sync.stop(), on_success=started, on_error=started)

    def wake(self) -> None:
        """Send now: a dossier was validated, or the user asked."""
        if self.sync is not None:
            self.expect_change = True  # the next report is worth a list refresh
            self.sync.wake()

    # -- the queue --------------------------------------------------------------------------

    def queue_rows(self) -> list[QueueRow]:
        """The waiting and refused items with their applicants (runs on a worker thread)."""
        from permis_desktop.services.dossiers import DossierService
        from permis_desktop.sync.outbox import Outbox

        items = Outbox(self.ctx.db, self.ctx.blobs).waiting()
        names: dict[str, str] = {}
        if items:
            rows = DossierService(self.ctx.db).list(
                ids={i.dossier_id for i in items}, include_archived=True
            )
            names = {r.id: r.applicant for r in rows}
        return [
            QueueRow(
                i.item_id,
                i.dossier_id,
                names.get(i.dossier_id, i.dossier_id[:8]),
                i.version,
                i.state,
                i.attempts,
                i.next_attempt_at,
                i.last_error,
            )
            for i in items
        ]

    def load_queue(self, on_rows: Callable[[list[QueueRow]], None], owner: QObject) -> None:
        self.worker.run_task(
            lambda _s: self.queue_rows(),
            on_success=on_rows,
            on_error=lambda exc: log.error("sync queue unreadable: %s", exc),
            owner=owner,
        )

    def retry(
        self, item_id: int | None = None, on_done: Callable[[int], None] | None = None
    ) -> None:
        """ "Réessayer": the item (or all of them) becomes due now, then the worker wakes."""
        from permis_desktop.sync.outbox import Outbox

        outbox = Outbox(self.ctx.db, self.ctx.blobs)

        def done(count: int) -> None:
            self.wake()
            if on_done is not None:
                on_done(count)

        self.worker.run_task(
            lambda _s: outbox.retry_now(item_id),
            on_success=done,
            on_error=lambda exc: log.error("retry failed: %s", exc),
            pool="db",
        )

    # -- from the sync thread, delivered here on the GUI thread -----------------------------

    def sent_count(self) -> int:
        """Outbox items acknowledged so far (read on the sync thread, with each report): a
        change means dossiers went up and the list should show them "Envoyé"."""
        from sqlalchemy import func, select

        from permis_desktop.models.entities import OutboxItem

        with self.ctx.db.transaction() as session:
            return int(
                session.scalar(
                    select(func.count()).select_from(OutboxItem).where(OutboxItem.state == "done")
                )
                or 0
            )

    @Slot(int, object)
    def _on_status(self, generation: int, report: Any) -> None:
        if generation != self._generation:
            return
        self.status, self.sent = report
        self.status_changed.emit()

    @Slot(int, object)
    def _on_applied(self, generation: int, applied: Any) -> None:
        if generation != self._generation:
            return
        self.applied.emit(applied)
