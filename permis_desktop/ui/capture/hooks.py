"""The capture screens on the wizard's pieces page: "Scanner", "Photo" and "Pages…" on each
piece row beside "Importer", and the "À classer" inbox above the rows.

Kept here so that the pieces page only calls `install_page` once and `install_row` per row.
After a dialog attaches or edits pages, the page is refreshed from the database the same
way as after an import (thumbnails, verdicts, `pieces_changed` for the checklist).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QDialog, QHBoxLayout, QPushButton, QWidget

log = logging.getLogger(__name__)


def refresh_page(page: Any) -> None:
    """Reload the dossier's pieces on the worker and show them on the page."""
    ctx, dossier_id = page.ctx, page.dossier_id

    def load(_state: Any) -> Any:
        from permis_desktop.services.dossiers import DossierService

        service = DossierService(ctx.db)
        service.refresh_list_columns(dossier_id)
        return service.get(dossier_id)

    def loaded(detail: Any) -> None:
        page._set_pieces(detail.pieces)
        page.pieces_changed.emit(detail)

    page.worker.run_task(
        load,
        on_success=loaded,
        on_error=lambda exc: log.error("pieces refresh failed: %s", exc),
        owner=page,
        pool="db",
    )


def _open(page: Any, dialog: QDialog, changed_signal: Any) -> None:
    changes = {"n": 0}
    changed_signal.connect(lambda _result: changes.__setitem__("n", changes["n"] + 1))
    dialog.exec()
    attacher = getattr(dialog, "attacher", None)
    if attacher is not None and attacher.busy:
        # Pages received just before closing are still going into the piece: keep the
        # dialog (and its queue) alive until they are in, then show them.
        def settled(busy: bool) -> None:
            if not busy:
                refresh_page(page)
                dialog.deleteLater()

        attacher.busy_changed.connect(settled)
        return
    if changes["n"]:
        refresh_page(page)
    dialog.deleteLater()


def open_scanner(page: Any, kind: str) -> None:
    from permis_desktop.ui.capture.scan_dialog import ScanDialog

    dialog = ScanDialog(page.ctx, page.worker, page.dossier_id, kind, parent=page)
    _open(page, dialog, dialog.pages_attached)


def open_camera(page: Any, kind: str) -> None:
    from permis_desktop.ui.capture.camera_dialog import CameraDialog

    dialog = CameraDialog(page.ctx, page.worker, page.dossier_id, kind, parent=page)
    _open(page, dialog, dialog.pages_attached)


def open_editor(page: Any, kind: str) -> None:
    from permis_desktop.ui.capture.page_editor import PageEditor

    dialog = PageEditor(page.ctx, page.worker, page.dossier_id, kind, parent=page)
    _open(page, dialog, dialog.pages_changed)


def open_inbox(page: Any) -> None:
    from permis_desktop.ui.capture.inbox import InboxDialog

    kinds = [k for k in page.rows if page.rows[k].isVisible() and k != "photo_signature"]
    dialog = InboxDialog(page.ctx, page.worker, page.dossier_id, kinds or None, parent=page)
    _open(page, dialog, dialog.pages_attached)


def install_page(page: Any) -> None:
    """The "À classer" button above the piece rows; files dropped from the inbox onto a row
    are filed under `classés/` once the row's import has attached them."""
    bar = QHBoxLayout()
    button = QPushButton(page.tr("À classer (documents reçus du copieur)…"))
    button.setObjectName("open_inbox")
    button.clicked.connect(lambda: open_inbox(page))
    bar.addWidget(button)
    bar.addStretch(1)
    host = QWidget()
    host.setLayout(bar)
    page.layout().insertWidget(2, host)  # below the page title and its introduction
    page.inbox_button = button
    page._inbox_drops = []  # inbox files dropped on rows, filed after their import
    page.pieces_changed.connect(lambda _detail: _file_dropped_inbox_items(page))


def _file_dropped_inbox_items(page: Any) -> None:
    from permis_desktop.scan.devices import Inbox, inbox_dir

    if not page._inbox_drops or page.imports_running:
        return
    inbox = Inbox(inbox_dir(page.ctx.paths.data))
    for path in page._inbox_drops:
        if path.parent == inbox.root and path.exists():
            try:
                inbox.assign(path)
            except Exception as exc:  # stays in "À classer": nothing is lost
                log.warning("could not file %s: %s", path.name, exc)
    page._inbox_drops = []


def _unless_read_only(page: Any, action: Any, kind: str) -> None:
    """A validated dossier is read-only: its pieces cannot be captured again."""
    if not page._read_only:
        action(page, kind)


def install_row(page: Any, row: Any) -> None:
    """The "Scanner" and "Photo" buttons before "Importer", and "Pages…" after it."""
    kind = row.kind
    if kind == "photo_signature":
        return
    from permis_desktop.procedures.catalog import PIECE_KINDS

    label = PIECE_KINDS[kind].label if kind in PIECE_KINDS else kind
    buttons = []
    for position, (name, text, action) in enumerate(
        (
            ("scan", page.tr("Scanner…"), open_scanner),
            ("photo", page.tr("Photo…"), open_camera),
        )
    ):
        button = QPushButton(text)
        button.setObjectName(f"{name}:{kind}")
        button.setAccessibleName(f"{text.rstrip('…')} : {label}")
        button.clicked.connect(lambda _c=False, act=action: _unless_read_only(page, act, kind))
        row.action_bar.insertWidget(position, button)
        buttons.append(button)
    edit = QPushButton(page.tr("Pages…"))
    edit.setObjectName(f"pages:{kind}")
    edit.setAccessibleName(page.tr("Modifier les pages : {piece}").format(piece=label))
    edit.clicked.connect(lambda: _unless_read_only(page, open_editor, kind))
    row.action_bar.insertWidget(row.action_bar.indexOf(row.progress), edit)
    buttons.append(edit)
    row.capture_buttons = buttons
    for button in buttons:
        button.setEnabled(not page._read_only)

    def dropped(_kind: str, files: list[str]) -> None:
        from permis_desktop.scan.devices import inbox_dir

        root = inbox_dir(page.ctx.paths.data)
        page._inbox_drops.extend(Path(f) for f in files if Path(f).parent == root)

    row.files_dropped.connect(dropped)
