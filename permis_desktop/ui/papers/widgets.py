"""Look and widgets the papers screens share, so that a warning or a list looks the same in each."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget

WARNING_STYLE = "background: #FFF3CD; color: #5C4400; border-radius: 4px; padding: 6px;"
OK_STYLE = "background: #E8F5E9; color: #1B5E20; border-radius: 4px; padding: 6px;"
NOTE_STYLE = "background: #E3F2FD; color: #0D3C61; border-radius: 4px; padding: 6px;"


def read_only_table(name: str, accessible_name: str, headers: list[str]) -> QTableWidget:
    """A list of whole rows, not editable: the first column stretches, the others fit."""
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setAccessibleName(accessible_name)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    header = table.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for column in range(1, len(headers)):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    return table
