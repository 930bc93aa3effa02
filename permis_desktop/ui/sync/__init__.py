"""The desk's side of the sync in the window: the status-bar line, the sync panel, the
settings entry, the notifications of status changes, and the list kept up to date.

`install_sync(window)` is the one hook the main window calls; it uses only the window's
public parts (`ctx`, `worker`, `statusBar()`, `menuBar()`, `action_quit`, `refresh`,
`editor`, `open_dossier`, `close_editor`). `app.py` starts `window.sync` once the window is
shown and stops it before the database closes.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from permis_desktop.ui.sync.controller import SyncController
from permis_desktop.ui.sync.notifier import Notifier
from permis_desktop.ui.sync.status_widget import SyncStatusButton, describe

log = logging.getLogger(__name__)

REFRESH_MS = 300  # status changes arrive in bursts: one list refresh per burst


def install_sync(window: Any, **controller_options: Any) -> SyncController:
    controller = SyncController(window.ctx, window.worker, window, **controller_options)
    button = SyncStatusButton()
    window.statusBar().addPermanentWidget(button)
    window.status_sync = button
    window.sync = controller

    def show_status() -> None:
        button.show_line(
            describe(
                controller.status, controller.server_url, controller.problem, controller.configured
            )
        )

    controller.status_changed.connect(show_status)
    show_status()

    # -- panel and settings -----------------------------------------------------------
    panel: dict[str, Any] = {}

    def open_panel() -> None:
        from permis_desktop.ui.sync.panel import SyncPanel

        if "panel" not in panel:
            panel["panel"] = SyncPanel(controller, window, open_settings=open_settings)
        dialog = panel["panel"]
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def open_settings() -> None:
        from permis_desktop.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(window.ctx, window.worker, window)
        window.settings_dialog = dialog

        def finished(result: int) -> None:
            window.settings_dialog = None
            dialog.deleteLater()
            if result and dialog.sync_changed:
                controller.restart()

        dialog.finished.connect(finished)
        dialog.open()

    button.clicked.connect(open_panel)
    window.open_sync_panel = open_panel
    window.open_settings = open_settings
    window.sync_panel = lambda: panel.get("panel")

    action_panel = QAction(window.tr("S&ynchronisation…"), window)
    action_panel.setObjectName("action_sync_panel")
    action_panel.setToolTip(window.tr("Dossiers en attente d'envoi ou refusés, et pourquoi"))
    action_panel.triggered.connect(open_panel)
    action_settings = QAction(window.tr("&Réglages…"), window)
    action_settings.setObjectName("action_settings")
    # Ctrl+, as in most desktop applications (StandardKey.Preferences has no binding on
    # Windows and Linux, where Qt then names a multimedia "Settings" key).
    action_settings.setShortcut(QKeySequence("Ctrl+,"))
    action_settings.triggered.connect(open_settings)
    quit_action = window.action_quit
    file_menu = next((m for m in quit_action.associatedObjects() if isinstance(m, QMenu)), None)
    if file_menu is not None:
        file_menu.insertAction(quit_action, action_panel)
        file_menu.insertAction(quit_action, action_settings)
        file_menu.insertSeparator(quit_action)
    window.action_sync_panel, window.action_settings = action_panel, action_settings

    # -- notifications and the list -----------------------------------------------------
    def names(ids: list[str], done: Any) -> None:
        from permis_desktop.services.dossiers import DossierService

        service = DossierService(window.ctx.db)
        window.worker.run_task(
            lambda _s: {r.id: r.applicant for r in service.list(ids=ids, include_archived=True)},
            on_success=done,
            on_error=lambda exc: done({}),
            owner=window,
        )

    notifier = Notifier(
        window, fallback=lambda text: window.statusBar().showMessage(text, 15000), names=names
    )
    window.sync_notifier = notifier

    def show_dossier(dossier_id: str) -> None:
        """A notification was clicked: bring the window up, on that dossier."""
        window.showNormal()
        window.raise_()
        window.activateWindow()
        if dossier_id:
            window.open_dossier(dossier_id)

    notifier.dossier_clicked.connect(show_dossier)
    changed: set[str] = set()
    counts: dict[str, Any] = {"last": None}
    timer = QTimer(window)
    timer.setSingleShot(True)
    timer.setInterval(REFRESH_MS)

    def on_applied(applied: Any) -> None:
        notifier.dossier_changed(applied)
        changed.add(applied.dossier_id)
        timer.start()

    def on_status() -> None:
        status = controller.status
        now = None if status is None else (status.waiting, status.failed, controller.sent)
        if now != counts["last"] or (status is not None and controller.expect_change):
            counts["last"] = now
            controller.expect_change = False
            timer.start()

    def refresh() -> None:
        window.refresh()
        _follow_open_editor(window)
        changed.clear()

    controller.applied.connect(on_applied)
    controller.status_changed.connect(on_status)
    timer.timeout.connect(refresh)
    return controller


def _follow_open_editor(window: Any) -> None:
    """The open dossier changed status on its way (sent, or answered by the agency): show
    it afresh. The editor saves what was typed before it closes."""
    editor = window.editor
    if editor is None:
        return
    from permis_desktop.services.dossiers import DossierService

    service, dossier_id, shown = DossierService(window.ctx.db), editor.dossier_id, editor.status

    def check(status: str) -> None:
        current = window.editor
        if current is None or current.dossier_id != dossier_id or status == shown:
            return
        window.close_editor()
        window.open_dossier(dossier_id)

    window.worker.run_task(
        lambda _s: service.get(dossier_id).status,
        on_success=check,
        on_error=lambda exc: log.warning("open dossier not followed: %s", exc),
        owner=window,
        pool="db",
    )


def wake_after_validation(widget: QWidget) -> None:
    """A dossier was validated in `widget`'s window: send it now rather than at the next poll."""
    controller = getattr(widget.window(), "sync", None)
    if isinstance(controller, SyncController):
        controller.wake()
