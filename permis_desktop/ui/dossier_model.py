"""The dossier list's table model and its status badge, fed plain `DossierRow`s.

Sorting, filtering and paging happen in SQL (`DossierService.list`), so that 100,000
dossiers open as fast as 100: the model holds the pages loaded so far and asks for the next
one through `more_wanted` when the view scrolls near the end (`fetchMore`), and a click on a
header asks for a new order through `sort_requested`. The list page answers both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFontMetrics, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from permis_desktop.services.dossiers import DossierRow
from permis_desktop.ui.labels import status_colour, sync_label

Index = QModelIndex | QPersistentModelIndex

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
STATUS_ROLE = Qt.ItemDataRole.UserRole + 3


class DossierTableModel(QAbstractTableModel):
    COLUMNS = (
        "applicant",
        "procedure",
        "categories",
        "status",
        "pieces",
        "updated_at",
        "sync_state",
    )
    # The `DossierService.SORT_COLUMNS` key of each column.
    SORT_KEYS = COLUMNS

    more_wanted = Signal(int)  # offset of the next page
    sort_requested = Signal(str, bool)  # sort key, descending

    def __init__(
        self,
        status_label: Callable[[str], str] = str,
        procedure_label: Callable[[str], str] = str,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._rows: list[DossierRow] = []
        self._total = 0
        self._waiting = False
        self._status_label = status_label
        self._procedure_label = procedure_label
        self._headers = (
            self.tr("Demandeur"),
            self.tr("Démarche"),
            self.tr("Catégories"),
            self.tr("Statut"),
            self.tr("Pièces"),
            self.tr("Dernière modification"),
            self.tr("Envoi"),
        )

    # -- feeding -------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[DossierRow], total: int | None = None) -> None:
        """Replace everything: the first page of a new query, `total` rows in all."""
        self.beginResetModel()
        self._rows = list(rows)
        self._total = len(self._rows) if total is None else max(total, len(self._rows))
        self._waiting = False
        self.endResetModel()

    def append_rows(self, rows: Sequence[DossierRow]) -> None:
        """The next page, after `more_wanted`."""
        self._waiting = False
        known = {r.id for r in self._rows}
        fresh = [r for r in rows if r.id not in known]
        if not fresh:
            self._total = len(self._rows)
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
        self._rows.extend(fresh)
        self.endInsertRows()

    def row_at(self, row: int) -> DossierRow:
        return self._rows[row]

    def row_of(self, dossier_id: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.id == dossier_id), -1)

    @property
    def total(self) -> int:
        return self._total

    # -- Qt overrides ------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and not self._waiting and len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008, N802
        if self.canFetchMore(parent):
            self._waiting = True
            self.more_wanted.emit(len(self._rows))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if 0 <= column < len(self.SORT_KEYS):
            self.sort_requested.emit(self.SORT_KEYS[column], order == Qt.SortOrder.DescendingOrder)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self._headers):
            return self._headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if not 0 <= index.column() < len(self.COLUMNS):
            return None
        row = self._rows[index.row()]
        column = self.COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._display(row, column)
        if role == SORT_ROLE:
            return self._sort_value(row, column)
        if role == ROW_ROLE:
            return row
        if role == STATUS_ROLE and column == "status":
            return row.status
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == "applicant":
                return self.tr("Né(e) le {date}").format(date=_french_date(row.birth_date))
            if column == "procedure":
                return self._procedure_label(row.procedure)
            if column == "pieces":
                return self.tr("{done} pièce(s) fournie(s) sur {required} obligatoire(s)").format(
                    done=row.pieces_done, required=row.pieces_required
                )
        if role == Qt.ItemDataRole.TextAlignmentRole and column == "pieces":
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def _display(self, row: DossierRow, column: str) -> str:
        if column == "applicant":
            return row.applicant
        if column == "procedure":
            return self._procedure_label(row.procedure)
        if column == "categories":
            return ", ".join(row.categories)
        if column == "status":
            return self._status_label(row.status)
        if column == "pieces":
            return f"{row.pieces_done}/{row.pieces_required}"
        if column == "updated_at":
            return row.updated_at.strftime("%d/%m/%Y %H:%M")
        return sync_label(row.sync_state)

    def _sort_value(self, row: DossierRow, column: str) -> Any:
        if column == "updated_at":
            return row.updated_at.isoformat()
        if column == "pieces":
            return row.pieces_done
        return self._display(row, column).casefold()


def _french_date(iso: str) -> str:
    parts = iso.split("-")
    return "/".join(reversed(parts)) if len(parts) == 3 else iso or "?"


def readable_text_colour(background: QColor) -> QColor:
    """Black or white, whichever reads better on `background` (WCAG relative luminance)."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    luminance = (
        0.2126 * channel(background.redF())
        + 0.7152 * channel(background.greenF())
        + 0.0722 * channel(background.blueF())
    )
    # Contrast with white (1.05 / (L + 0.05)) vs with black ((L + 0.05) / 0.05).
    return (
        QColor("#000000")
        if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05)
        else QColor("#FFFFFF")
    )


class StatusBadgeDelegate(QStyledItemDelegate):
    """Paints the status as a rounded badge in the lifecycle's colour (lifecycle.STATUSES),
    with black or white text, whichever contrasts best, in light and dark palettes alike."""

    PADDING = 6

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        status = index.data(STATUS_ROLE)
        if not status:
            super().paint(painter, option, index)
            return
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        # Selection and focus background from the style, then the badge on top.
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        background = QColor(status_colour(str(status)))
        metrics = QFontMetrics(option.font)
        rect: QRect = option.rect.adjusted(3, 3, -3, -3)
        width = min(rect.width(), metrics.horizontalAdvance(text) + 2 * self.PADDING + 2)
        badge = QRect(rect.left(), rect.top(), width, rect.height())
        room = badge.width() - 2 * self.PADDING
        if metrics.horizontalAdvance(text) > room:
            text = metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(background)
        radius = badge.height() / 2.5
        painter.drawRoundedRect(badge, radius, radius)
        painter.setPen(readable_text_colour(background))
        painter.setFont(option.font)
        painter.drawText(
            badge.adjusted(self.PADDING, 0, 0, 0),
            int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
            text,
        )
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        size = super().sizeHint(option, index)
        return QSize(size.width() + 2 * self.PADDING + 6, max(size.height(), 24))
