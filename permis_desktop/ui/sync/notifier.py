"""Telling the desk that a dossier changed status: a system-tray message when the desktop
has a tray, otherwise the window's status bar (offscreen, a bare X server, some Wayland
sessions have no tray).

Status changes come back in batches (the first sync of the morning may bring dozens):
they are gathered for a moment and a large batch becomes one message, not a storm of
pop-ups. Every message is also kept in `messages`, which the tests read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle, QSystemTrayIcon

from permis_desktop.ui.labels import status_label

log = logging.getLogger(__name__)

BATCH_MS = 400
MAX_SEPARATE = 3  # more changes than this in one batch: one summary message


def _tr(text: str) -> str:
    return QCoreApplication.translate("sync", text)


def piece_labels(kinds: list[str]) -> str:
    from permis_desktop.procedures.catalog import PIECE_KINDS

    return ", ".join(PIECE_KINDS[k].label if k in PIECE_KINDS else k for k in kinds)


def message_for(applicant: str, applied: Any) -> tuple[str, str]:
    """(title, text) of the notification of one status change."""
    title = _tr("Dossier de {name}").format(name=applicant)
    text = _tr("Nouveau statut : {status}.").format(status=status_label(applied.to_status))
    if applied.to_status == "complement_requested":
        if applied.pieces:
            text += " " + _tr("Pièces à refaire : {pieces}.").format(
                pieces=piece_labels(list(applied.pieces))
            )
        if applied.message:
            text += " " + applied.message
    elif applied.message:
        text += " " + applied.message
    return title, text


class Notifier(QObject):
    dossier_clicked = Signal(str)  # the dossier of the message clicked ("" for a summary)

    def __init__(
        self,
        parent: QObject | None = None,
        fallback: Callable[[str], None] | None = None,
        names: Callable[[list[str], Callable[[dict[str, str]], None]], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.messages: list[tuple[str, str]] = []
        self.fallback = fallback
        self.names = names
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            icon = QApplication.windowIcon()
            if icon.isNull():
                style = QApplication.style()
                icon = style.standardIcon(QStyle.StandardPixmap.SP_DriveNetIcon)
            self.tray = QSystemTrayIcon(QIcon(icon), self)
            self.tray.setToolTip("permis-desktop")
            self.tray.messageClicked.connect(self.on_message_clicked)
            self.tray.show()
        else:
            log.info("no system tray here: status changes are shown in the status bar")
        self._pending: list[Any] = []
        self.last_dossier = ""  # what the message on screen is about
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(BATCH_MS)
        self._timer.timeout.connect(self._flush)

    @property
    def tray_available(self) -> bool:
        return self.tray is not None

    def dossier_changed(self, applied: Any) -> None:
        """A status change applied from the feed (on the GUI thread)."""
        self._pending.append(applied)
        self._timer.start()

    def _flush(self) -> None:
        batch, self._pending = self._pending, []
        if not batch:
            return
        if len(batch) > MAX_SEPARATE:
            complements = sum(1 for a in batch if a.to_status == "complement_requested")
            text = self.tr("{n} dossiers ont changé de statut.").format(n=len(batch))
            if complements:
                text += " " + self.tr("{n} demande(s) de complément.").format(n=complements)
            self.last_dossier = ""
            self.notify(self.tr("Suivi des dossiers"), text)
            return
        ids = [a.dossier_id for a in batch]

        def show(names: dict[str, str]) -> None:
            for applied in batch:
                name = names.get(applied.dossier_id, applied.dossier_id[:8])
                self.last_dossier = applied.dossier_id
                self.notify(*message_for(name, applied))

        if self.names is None:
            show({})
        else:
            self.names(ids, show)

    def notify(self, title: str, text: str) -> None:
        self.messages.append((title, text))
        log.info("notification: %s — %s", title, text)
        if self.tray is not None:
            self.tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 10000)
        elif self.fallback is not None:
            self.fallback(f"{title} — {text}")

    def on_message_clicked(self) -> None:
        self.dossier_clicked.emit(self.last_dossier)

    def close(self) -> None:
        if self.tray is not None:
            self.tray.hide()
