"""Pages received from a device go into the piece one batch at a time, never lost.

Each page is first written to the capture spool (`<data>/capture/`, atomically), so a crash
or a failed attach cannot lose it; the attach itself (pipeline + database) runs on the
background helper. `PieceService.attach_files` re-derives the piece's earlier pages and
rewrites its rows, so two attaches of one piece must not overlap: pages that arrive while
one runs wait and go together in the next. A page whose attach fails is moved into the
"À classer" inbox, where the user can assign it again; the error is shown in French.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from permis_desktop.errors import PermisError
from permis_desktop.fileutil import atomic_write_bytes
from permis_desktop.ui.worker import Worker

log = logging.getLogger(__name__)


def spool_dir(data_dir: Path) -> Path:
    return data_dir / "capture"


def french_error(exc: BaseException, fallback: str) -> str:
    """What to show for an exception: our French messages as they are, a fallback otherwise."""
    return str(exc) if isinstance(exc, PermisError) else fallback


class PageAttacher(QObject):
    """Serial attach queue for one piece of one dossier."""

    attached = Signal(object)  # AttachResult of the latest batch
    failed = Signal(str)
    busy_changed = Signal(bool)

    def __init__(
        self, ctx: Any, worker: Worker, dossier_id: str, kind: str, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.worker = worker
        self.dossier_id = dossier_id
        self.kind = kind
        self.filter = "auto"
        self.document_type: str | None = None
        self._pending: list[tuple[Path, bool]] = []  # (file, accept despite the verdict)
        self._running = False
        self.last_result: Any = None

    @property
    def busy(self) -> bool:
        return self._running or bool(self._pending)

    def add_bytes(self, data: bytes, suffix: str, accept: bool = False) -> Path:
        """Write a received page to the spool and queue it; returns the spool file."""
        folder = spool_dir(self.ctx.paths.data)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.kind}-{uuid.uuid4().hex[:12]}{suffix}"
        atomic_write_bytes(path, data)
        self.add_file(path, accept)
        return path

    def add_file(self, path: Path, accept: bool = False) -> None:
        self._pending.append((path, accept))
        self._next()

    def _next(self) -> None:
        if self._running or not self._pending:
            if not self._running:
                self.busy_changed.emit(False)
            return
        batch, self._pending = self._pending, []
        self._running = True
        self.busy_changed.emit(True)
        ctx, dossier_id, kind = self.ctx, self.dossier_id, self.kind
        filter_name, document_type = self.filter, self.document_type
        files = [p for p, _a in batch]
        accept_names = {p.name for p, a in batch if a}

        def attach(state: Any) -> Any:
            from permis_desktop.services.pieces import PieceService

            service = PieceService(ctx)
            result = service.attach_files(
                dossier_id, kind, files, filter=filter_name, document_type=document_type
            )
            for page in result.pages:
                if page.source in accept_names and page.verdict != "ok":
                    service.accept_page(page.id)
            return result

        self.worker.run_task(
            attach,
            on_success=lambda result: self._done(files, result),
            on_error=lambda exc: self._failed(files, exc),
            owner=self,
            pool="io",
        )

    def _done(self, files: list[Path], result: Any) -> None:
        self._running = False
        spool = spool_dir(self.ctx.paths.data)
        for path in files:
            if path.parent == spool:
                path.unlink(missing_ok=True)  # the original is in the blob store now
        self.last_result = result
        self.attached.emit(result)
        self._next()

    def _failed(self, files: list[Path], exc: BaseException) -> None:
        self._running = False
        from permis_desktop.scan.devices import Inbox, inbox_dir

        inbox = Inbox(inbox_dir(self.ctx.paths.data))
        spool = spool_dir(self.ctx.paths.data)
        kept = 0
        for path in files:
            if path.parent == spool and path.exists():
                try:
                    inbox.receive(path)
                    kept += 1
                except PermisError as move_error:
                    log.error("page %s stays in the spool: %s", path, move_error)
        message = french_error(
            exc, "Les pages n'ont pas pu être ajoutées à la pièce (erreur de traitement)."
        )
        if kept:
            message += f" {kept} page(s) mise(s) de côté dans « À classer »."
        log.error("attach to %s/%s failed: %s", self.dossier_id, self.kind, exc)
        self.failed.emit(message)
        self._next()
