"""The home page: every dossier, searched, filtered and sorted in SQL, with counts per status.

The list never loads more than a page at a time (`PAGE_SIZE` rows; the model asks for the
next page when the view scrolls there), so it opens as fast with 100,000 dossiers as with
ten (bench/desk.py). Loads run on the background helper; an answer that arrives after a
newer query was started is dropped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from permis_desktop.procedures.catalog import procedures_by_group
from permis_desktop.procedures.lifecycle import STATUSES
from permis_desktop.services.dossiers import DossierRow, DossierService
from permis_desktop.ui.dossier_model import DossierTableModel, StatusBadgeDelegate
from permis_desktop.ui.labels import procedure_label, status_count, status_label, sync_label
from permis_desktop.ui.worker import Worker

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 150
PAGE_SIZE = 200


@dataclass(frozen=True)
class ListQuery:
    search: str = ""
    status: str | None = None
    procedure: str | None = None
    include_archived: bool = False
    order_by: str = "updated_at"
    descending: bool = True

    def service_args(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "search": self.search or None,
            "procedure": self.procedure,
            "include_archived": self.include_archived,
        }


@dataclass(frozen=True)
class ListPage:
    rows: list[DossierRow]
    total: int
    counts: dict[str, int]


def load_first_page(service: DossierService, query: ListQuery) -> ListPage:
    """What the list shows when it opens or a filter changes (also timed by bench/desk.py)."""
    rows = service.list(
        limit=PAGE_SIZE,
        order_by=query.order_by,
        descending=query.descending,
        **query.service_args(),
    )
    total = len(rows) if len(rows) < PAGE_SIZE else service.count(**query.service_args())
    return ListPage(rows, total, service.count_by_status())


class DossierListPage(QWidget):
    """Search field, filters, counts bar and the table (or an empty state)."""

    dossier_activated = Signal(str)  # dossier id
    loaded = Signal()

    def __init__(self, service: DossierService, worker: Worker, data_folder: str) -> None:
        super().__init__()
        self.service = service
        self.worker = worker
        self.data_folder = data_folder
        self._generation = 0
        self._query = ListQuery()
        self.select_next: str | None = None  # dossier to select when the list comes back

        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText(
            self.tr("Rechercher : nom, date de naissance, NEPH, courriel, téléphone (Ctrl+F)")
        )
        self.search.setAccessibleName(self.tr("Rechercher un dossier"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(200)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self._open_first_on_enter)

        self.status_filter = QComboBox()
        self.status_filter.setObjectName("status_filter")
        self.status_filter.setAccessibleName(self.tr("Filtrer par statut"))
        self.status_filter.addItem(self.tr("Tous les statuts"), None)
        for status in STATUSES.values():
            self.status_filter.addItem(status_label(status.id), status.id)
        self.status_filter.currentIndexChanged.connect(lambda _i: self.refresh())

        self.procedure_filter = QComboBox()
        self.procedure_filter.setObjectName("procedure_filter")
        self.procedure_filter.setAccessibleName(self.tr("Filtrer par démarche"))
        self.procedure_filter.addItem(self.tr("Toutes les démarches"), None)
        for group, procedures in procedures_by_group():
            self.procedure_filter.insertSeparator(self.procedure_filter.count())
            for proc in procedures:
                self.procedure_filter.addItem(procedure_label(proc.id), proc.id)
                self.procedure_filter.setItemData(
                    self.procedure_filter.count() - 1, group.label, Qt.ItemDataRole.ToolTipRole
                )
        self.procedure_filter.setMaximumWidth(360)
        for combo in (self.status_filter, self.procedure_filter):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(10)
        self.procedure_filter.currentIndexChanged.connect(lambda _i: self.refresh())

        self.show_archived = QCheckBox(self.tr("Archivés"))
        self.show_archived.setObjectName("show_archived")
        self.show_archived.setAccessibleName(self.tr("Afficher aussi les dossiers archivés"))
        self.show_archived.toggled.connect(lambda _on: self.refresh())

        self.counts = QLabel()
        self.counts.setObjectName("status_counts")
        self.counts.setAccessibleName(self.tr("Nombre de dossiers par statut"))
        self.counts.setTextFormat(Qt.TextFormat.RichText)
        self.counts.setWordWrap(True)
        self.counts.linkActivated.connect(self._on_count_link)

        self.model = DossierTableModel(status_label, procedure_label, self)
        self.model.more_wanted.connect(self._load_more)
        self.model.sort_requested.connect(self._on_sort)
        self.table = QTableView()
        self.table.setObjectName("dossier_table")
        self.table.setAccessibleName(self.tr("Liste des dossiers"))
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(
            DossierTableModel.COLUMNS.index("status"), StatusBadgeDelegate(self.table)
        )
        header = self.table.horizontalHeader()
        header.setSortIndicator(
            DossierTableModel.COLUMNS.index("updated_at"), Qt.SortOrder.DescendingOrder
        )
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        # Widths sized once on the first rows (ResizeToContents would measure every row of
        # every page on every change: 0.2 s per page at 200 rows, bench/desk.py).
        header.setResizeContentsPrecision(40)
        self._sized = False
        self.table.activated.connect(self._on_activated)

        self.empty_state = QLabel()
        self.empty_state.setObjectName("empty_state")
        self.empty_state.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_state.setWordWrap(True)
        self.empty_state.setTextFormat(Qt.TextFormat.RichText)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty_state)
        self.stack.addWidget(self.table)

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(self.status_filter, 1)
        filters.addWidget(self.procedure_filter, 2)
        filters.addWidget(self.show_archived)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.counts)
        layout.addWidget(self.stack, 1)
        self.setTabOrder(self.search, self.status_filter)
        self.setTabOrder(self.status_filter, self.procedure_filter)
        self.setTabOrder(self.procedure_filter, self.show_archived)
        self.setTabOrder(self.show_archived, self.table)

    # -- queries ------------------------------------------------------------------------

    def query(self) -> ListQuery:
        return ListQuery(
            search=self.search.text().strip(),
            status=self.status_filter.currentData(),
            procedure=self.procedure_filter.currentData(),
            include_archived=self.show_archived.isChecked(),
            order_by=self._query.order_by,
            descending=self._query.descending,
        )

    def refresh(self) -> None:
        self._search_timer.stop()
        self._generation += 1
        generation = self._generation
        query = self._query = self.query()
        service = self.service

        def load(_state: Any) -> ListPage:
            return load_first_page(service, query)

        self.worker.run_task(
            load,
            on_success=lambda page: self._show(generation, query, page),
            on_error=self._on_error,
            owner=self,
            pool="io",
        )

    def _load_more(self, offset: int) -> None:
        generation, query, service = self._generation, self._query, self.service

        def load(_state: Any) -> list[DossierRow]:
            return service.list(
                limit=PAGE_SIZE,
                offset=offset,
                order_by=query.order_by,
                descending=query.descending,
                **query.service_args(),
            )

        def show(rows: list[DossierRow]) -> None:
            if generation == self._generation:
                self.model.append_rows(rows)

        self.worker.run_task(
            load,
            on_success=show,
            on_error=self._on_error,
            owner=self,
            pool="io",
        )

    def _on_sort(self, key: str, descending: bool) -> None:
        if (key, descending) == (self._query.order_by, self._query.descending):
            return  # the view re-announcing the current order (e.g. sorting switched on)
        self._query = ListQuery(
            **{**self._query.__dict__, "order_by": key, "descending": descending}
        )
        self.refresh()

    # -- showing ------------------------------------------------------------------------

    def _show(self, generation: int, query: ListQuery, page: ListPage) -> None:
        if generation != self._generation:
            return  # a newer query is on its way
        selected = self.select_next or self.current_id()
        self.select_next = None
        self.model.set_rows(page.rows, page.total)
        if page.rows and not self._sized:
            self._sized = True
            self._size_columns()
        self._show_counts(page.counts)
        if page.rows:
            self.stack.setCurrentWidget(self.table)
            row = self.model.row_of(selected) if selected else -1
            self.table.selectRow(max(row, 0))
        else:
            self.stack.setCurrentWidget(self.empty_state)
            self.empty_state.setText(self._empty_text(query))
        self.loaded.emit()

    def _size_columns(self) -> None:
        """Status and sync columns wide enough for their longest label (not only for the
        rows of the first page); the others fit the first page."""
        metrics = self.table.fontMetrics()
        columns = DossierTableModel.COLUMNS
        fixed = {
            "status": [status_label(s) for s in STATUSES],
            "sync_state": [sync_label(s) for s in ("local", "queued", "sent", "failed")],
        }
        for column, name in enumerate(columns[2:], start=2):
            if name in fixed:
                longest = max(metrics.horizontalAdvance(t) for t in fixed[name])
                extra = 2 * StatusBadgeDelegate.PADDING + 24 if name == "status" else 16
                self.table.setColumnWidth(column, longest + extra)
            else:
                self.table.resizeColumnToContents(column)

    def _empty_text(self, query: ListQuery) -> str:
        if query.search:
            return self.tr(
                "<h3>Aucun dossier ne correspond à « {q} »</h3>"
                "<p>Vérifiez l'orthographe, ou cherchez par date de naissance "
                "(JJ/MM/AAAA), NEPH, courriel ou téléphone.</p>"
            ).format(q=query.search.replace("<", "&lt;"))
        if query.status or query.procedure:
            return self.tr(
                "<h3>Aucun dossier avec ces filtres</h3>"
                "<p>Choisissez « Tous les statuts » et « Toutes les démarches » pour tout voir.</p>"
            )
        return self.tr(
            "<h3>Aucun dossier pour l'instant</h3>"
            "<p>Les dossiers de vos élèves apparaîtront ici : inscriptions aux "
            "examens et demandes de titre.</p>"
            "<p>Pour commencer, cliquez sur <b>Nouveau dossier</b> (Ctrl+N).</p>"
            "<p>Les données sont enregistrées sur ce poste dans<br><code>{path}</code></p>"
        ).format(path=self.data_folder)

    def _show_counts(self, counts: dict[str, int]) -> None:
        parts = [
            f'<a href="status:{sid}">{status_count(sid, counts[sid])}</a>'
            for sid in STATUSES
            if counts.get(sid)
        ]
        total = sum(counts.values())
        if not parts:
            self.counts.setText(self.tr("Aucun dossier en cours."))
            return
        everything = self.tr('<a href="status:">{n} dossier(s) en tout</a>').format(n=total)
        self.counts.setText(", ".join(parts) + " — " + everything)

    def _on_count_link(self, link: str) -> None:
        wanted = link.removeprefix("status:") or None
        index = self.status_filter.findData(wanted)
        self.status_filter.setCurrentIndex(max(index, 0))

    def _on_error(self, exc: BaseException) -> None:
        self.model.append_rows([])  # unblock paging
        window = self.window()
        bar = getattr(window, "statusBar", None)
        if bar is not None:
            bar().showMessage(
                self.tr("Impossible de lire les dossiers : {error}").format(error=exc), 10000
            )

    # -- selection ----------------------------------------------------------------------

    def current_id(self) -> str | None:
        index = self.table.currentIndex()
        if not index.isValid() or self.stack.currentWidget() is not self.table:
            return None
        return self.model.row_at(index.row()).id

    def _on_activated(self, index: Any) -> None:
        if index.isValid():
            self.dossier_activated.emit(self.model.row_at(index.row()).id)

    def _open_first_on_enter(self) -> None:
        """Enter in the search field opens the dossier when the search found exactly one."""
        if self._search_timer.isActive():
            return
        if self.model.rowCount() == 1:
            self.dossier_activated.emit(self.model.row_at(0).id)
        elif self.model.rowCount():
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()
