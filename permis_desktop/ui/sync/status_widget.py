"""The sync state in the status bar: online or offline, items waiting or refused, the last
sync and the last error, in one short line; a click opens the sync panel.

The text is built by `describe`, from plain values, so that the wording is tested without
a window. Joplin users could not find which item failed to sync (capture-and-sync.md §4.2,
#10068): the line says how many failed and the panel says which and why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QToolButton

OK, WARN, ERROR, IDLE = "ok", "warn", "error", "idle"
COLOURS = {OK: "#2E7D32", WARN: "#E65100", ERROR: "#C62828", IDLE: ""}


def _tr(text: str) -> str:
    return QCoreApplication.translate("sync", text)


@dataclass(frozen=True)
class Line:
    text: str
    tooltip: str
    level: str


def local_time(moment: dt.datetime | None) -> str:
    """A naive UTC time from the database as the desk's local clock shows it."""
    if moment is None:
        return _tr("jamais")
    local = moment.replace(tzinfo=dt.UTC).astimezone()
    if local.date() == dt.datetime.now().astimezone().date():
        return local.strftime("%H:%M")
    return local.strftime("%d/%m %H:%M")


def describe(status: Any, server_url: str, problem: str, configured: bool) -> Line:
    """The status-bar line for a `SyncStatus` (or None before the first round)."""
    if not server_url:
        return Line(
            _tr("Aucun serveur de synchronisation configuré"),
            _tr("Réglez l'adresse du serveur et le jeton du poste dans Réglages…"),
            IDLE,
        )
    if problem:
        return Line(
            _tr("⚠ Synchronisation arrêtée : réglages à compléter (Réglages…)"),
            problem,
            ERROR,
        )
    if not configured:
        return Line(_tr("Serveur : {url}").format(url=server_url), "", IDLE)
    if status is None:
        return Line(
            _tr("Serveur : {url} — connexion…").format(url=server_url),
            _tr("Première synchronisation en cours."),
            IDLE,
        )
    parts: list[str] = []
    certificate = getattr(status, "certificate_refused", False)
    if status.needs_token:
        head, level = _tr("⚠ Jeton refusé"), ERROR
    elif certificate:
        head, level = _tr("⚠ Certificat du serveur refusé"), ERROR
    elif status.online:
        head, level = _tr("● En ligne"), OK
    else:
        head, level = _tr("○ Hors ligne"), WARN
    parts.append(head)
    parts.append(
        _tr("{n} en attente").format(n=status.waiting) if status.waiting else _tr("rien en attente")
    )
    if status.failed:
        parts.append(_tr("{n} en échec").format(n=status.failed))
        level = ERROR
    parts.append(_tr("dernière synchro : {at}").format(at=local_time(status.last_sync)))
    tip = [_tr("Serveur : {url}").format(url=server_url)]
    if status.needs_token:
        tip.append(_tr("Le serveur refuse le jeton : saisissez-en un nouveau dans Réglages…"))
    elif certificate:
        tip.append(
            _tr(
                "Le certificat présenté par le serveur n'est pas reconnu : choisissez dans "
                "Réglages… le fichier d'autorité de certification remis par l'agence, ou "
                "vérifiez l'adresse. Les dossiers validés attendent sur ce poste."
            )
        )
    elif not status.online:
        tip.append(_tr("Le serveur ne répond pas : les dossiers validés partiront dès son retour."))
    if status.last_error:
        tip.append(_tr("Dernière erreur : {error}").format(error=status.last_error))
    tip.append(_tr("Cliquez pour voir la file d'envoi."))
    return Line(" · ".join(parts), "\n".join(tip), level)


class SyncStatusButton(QToolButton):
    """Flat button in the status bar (focusable, so the panel opens from the keyboard too)."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("status_sync")
        self.setAutoRaise(True)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.setAccessibleName(_tr("État de la synchronisation"))
        self.level = IDLE

    def show_line(self, line: Line) -> None:
        self.setText(line.text)
        self.setToolTip(line.tooltip)
        self.setAccessibleDescription(line.tooltip)
        self.level = line.level
        colour = COLOURS.get(line.level, "")
        self.setStyleSheet(f"QToolButton {{ color: {colour}; }}" if colour else "")
