"""The dossier list's table model, fed plain `DossierRow`s by the services."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from permis_desktop.services.dossiers import DossierRow

Index = QModelIndex | QPersistentModelIndex

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2


class DossierTableModel(QAbstractTableModel):
    COLUMNS = ("applicant", "procedure", "categories", "status", "updated_at")

    def __init__(
        self,
        status_label: Callable[[str], str] = str,
        procedure_label: Callable[[str], str] = str,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._rows: list[DossierRow] = []
        self._status_label = status_label
        self._procedure_label = procedure_label
        self._headers = (
            self.tr("Demandeur"),
            self.tr("Démarche"),
            self.tr("Catégories"),
            self.tr("Statut"),
            self.tr("Dernière modification"),
        )

    def set_rows(self, rows: Sequence[DossierRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> DossierRow:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self._headers):
            return self._headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if column == "applicant":
                return row.applicant
            if column == "procedure":
                return self._procedure_label(row.procedure)
            if column == "categories":
                return ", ".join(row.categories)
            if column == "status":
                return self._status_label(row.status)
            if column == "updated_at":
                return row.updated_at.strftime("%d/%m/%Y %H:%M")
        if role == SORT_ROLE:
            if column == "updated_at":
                return row.updated_at.isoformat()
            return str(self.data(index, Qt.ItemDataRole.DisplayRole)).casefold()
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.ToolTipRole and column == "applicant":
            return self.tr("Né(e) le {date}").format(date=_french_date(row.birth_date))
        return None


def _french_date(iso: str) -> str:
    parts = iso.split("-")
    return "/".join(reversed(parts)) if len(parts) == 3 else iso or "?"
