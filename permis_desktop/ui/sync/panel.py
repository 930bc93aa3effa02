"""The sync panel: every dossier waiting to go or refused by the server, with the reason in
French and a "Réessayer" button on its line; "Synchroniser maintenant" wakes the worker.

PowerSync and avni users saw items stuck with no way to push them again, and Joplin users
could not find which one (capture-and-sync.md §4.2, §4.4, §4.8): here each item is named
by its applicant, with its attempts, its next try and what went wrong.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from permis_desktop.ui.sync.controller import QueueRow, SyncController
from permis_desktop.ui.sync.status_widget import describe, local_time

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex


class SyncQueueModel(QAbstractTableModel):
    HEADERS = ("Dossier", "Version", "État", "Essais", "Prochain essai", "Raison", "")
    RETRY_COLUMN = 6

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[QueueRow] = []

    def set_rows(self, rows: list[QueueRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt override
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt override
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(  # noqa: N802 - Qt override
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(self.HEADERS[section]) if 0 <= section < len(self.HEADERS) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return row.applicant
            if column == 1:
                return str(row.version)
            if column == 2:
                return self.tr("Refusé") if row.state == "failed" else self.tr("En attente")
            if column == 3:
                return str(row.attempts)
            if column == 4:
                if row.state == "failed":
                    return self.tr("après « Réessayer »")
                return (
                    local_time(row.next_attempt_at)
                    if row.next_attempt_at is not None
                    else self.tr("dès que possible")
                )
            if column == 5:
                return row.reason or "—"
            return None
        if role == Qt.ItemDataRole.ToolTipRole and column == 5 and row.reason:
            return row.reason
        if role == Qt.ItemDataRole.UserRole:
            return row.item_id
        return None


class SyncPanel(QDialog):
    retried = Signal(int)  # item id

    def __init__(
        self,
        controller: SyncController,
        parent: QWidget | None = None,
        open_settings: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("sync_panel")
        self.setWindowTitle(self.tr("Synchronisation"))
        self.controller = controller
        self.summary = QLabel()
        self.summary.setObjectName("sync_summary")
        self.summary.setWordWrap(True)
        self.error = QLabel()
        self.error.setObjectName("sync_error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #C62828;")
        self.model = SyncQueueModel(self)
        self.table = QTableView()
        self.table.setObjectName("sync_queue")
        self.table.setAccessibleName(self.tr("File d'envoi"))
        self.table.setModel(self.model)
        self.table.setWordWrap(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.empty = QLabel(self.tr("Rien en attente : tous les dossiers validés sont envoyés."))
        self.empty.setObjectName("sync_empty")
        self.retry_buttons: dict[int, QPushButton] = {}

        self.sync_now = QPushButton(self.tr("Synchroniser maintenant"))
        self.sync_now.setObjectName("sync_now")
        self.sync_now.clicked.connect(self._sync_now)
        self.retry_all = QPushButton(self.tr("Tout réessayer"))
        self.retry_all.setObjectName("retry_all")
        self.retry_all.clicked.connect(lambda: self.retry(None))
        # A refused token or an incomplete set-up is fixed in the settings: one click away.
        self.settings_button = QPushButton(self.tr("Réglages…"))
        self.settings_button.setObjectName("sync_settings")
        self.settings_button.setVisible(False)
        if open_settings is not None:
            self.settings_button.clicked.connect(open_settings)
        self._can_open_settings = open_settings is not None
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        actions = QHBoxLayout()
        actions.addWidget(self.sync_now)
        actions.addWidget(self.retry_all)
        actions.addWidget(self.settings_button)
        actions.addStretch(1)
        actions.addWidget(buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.error)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        self.resize(860, 380)
        controller.status_changed.connect(self._on_status)
        self._on_status()

    def _on_status(self) -> None:
        c = self.controller
        line = describe(c.status, c.server_url, c.problem, c.configured)
        self.summary.setText(line.text)
        self.summary.setToolTip(line.tooltip)
        error = c.problem or (c.status.last_error if c.status is not None else "")
        self.error.setText(error)
        self.error.setVisible(bool(error))
        self.sync_now.setEnabled(c.sync is not None)
        needs_settings = bool(c.problem) or bool(c.status is not None and c.status.needs_token)
        self.settings_button.setVisible(needs_settings and self._can_open_settings)
        if self.isVisible():
            self.reload()

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self.reload()

    def reload(self) -> None:
        self.controller.load_queue(self.show_rows, owner=self)

    def show_rows(self, rows: list[QueueRow]) -> None:
        self.model.set_rows(rows)
        self.retry_buttons = {}
        for number, row in enumerate(rows):
            button = QPushButton(self.tr("Réessayer"))
            button.setObjectName(f"retry:{row.item_id}")
            button.setAccessibleName(
                self.tr("Réessayer l'envoi du dossier de {name}").format(name=row.applicant)
            )
            button.clicked.connect(lambda _c=False, item=row.item_id: self.retry(item))
            self.table.setIndexWidget(self.model.index(number, SyncQueueModel.RETRY_COLUMN), button)
            self.retry_buttons[row.item_id] = button
        self.table.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        self.retry_all.setEnabled(bool(rows))
        self.table.resizeRowsToContents()

    def retry(self, item_id: int | None) -> None:
        if item_id is not None and item_id in self.retry_buttons:
            self.retry_buttons[item_id].setEnabled(False)
        self.controller.retry(item_id, on_done=lambda _n: self._retried(item_id))

    def _retried(self, item_id: int | None) -> None:
        self.retried.emit(item_id if item_id is not None else 0)
        self.reload()

    def _sync_now(self) -> None:
        self.controller.wake()
