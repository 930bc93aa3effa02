"""The main window: menu, toolbar, the dossier list with search, and an honest status bar."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSettings, QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QStackedWidget,
    QTableView,
    QToolBar,
    QWidget,
)

from permis_desktop.services.context import DeskContext
from permis_desktop.services.dossiers import DossierRow, DossierService
from permis_desktop.ui.about import show_about
from permis_desktop.ui.dossier_model import SORT_ROLE, DossierTableModel
from permis_desktop.ui.worker import Worker

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 150


class MainWindow(QMainWindow):
    def __init__(
        self,
        ctx: DeskContext,
        worker: Worker,
        status_label: Callable[[str], str] = str,
        procedure_label: Callable[[str], str] = str,
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.worker = worker
        self.dossiers = DossierService(ctx.db)
        self.setWindowTitle(self.tr("permis-desktop — dossiers de permis de conduire"))
        self.setObjectName("main_window")

        self.model = DossierTableModel(status_label, procedure_label, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)

        self.table = QTableView()
        self.table.setObjectName("dossier_table")
        self.table.setAccessibleName(self.tr("Liste des dossiers"))
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(4, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column in (2, 3, 4):
            self.table.horizontalHeader().setSectionResizeMode(
                column, QHeaderView.ResizeMode.ResizeToContents
            )

        self.empty_state = QLabel()
        self.empty_state.setObjectName("empty_state")
        self.empty_state.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_state.setWordWrap(True)
        self.empty_state.setTextFormat(Qt.TextFormat.RichText)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty_state)
        self.stack.addWidget(self.table)
        self.setCentralWidget(self.stack)

        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText(
            self.tr("Rechercher : nom, date de naissance, NEPH, courriel, téléphone (Ctrl+F)")
        )
        self.search.setAccessibleName(self.tr("Rechercher un dossier"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(380)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())

        self._build_actions()
        self._build_status_bar()
        self._restore_geometry()
        self._loading = 0
        self.refresh()

    # -- construction ---------------------------------------------------------------------

    def _build_actions(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu(self.tr("&Fichier"))
        self.action_refresh = QAction(self.tr("&Actualiser"), self)
        self.action_refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        self.action_refresh.triggered.connect(self.refresh)
        file_menu.addAction(self.action_refresh)
        file_menu.addSeparator()
        self.action_quit = QAction(self.tr("&Quitter"), self)
        self.action_quit.setShortcut(QKeySequence.StandardKey.Quit)
        self.action_quit.triggered.connect(self.close)
        file_menu.addAction(self.action_quit)

        edit_menu = menu.addMenu(self.tr("&Édition"))
        self.action_find = QAction(self.tr("&Rechercher"), self)
        self.action_find.setShortcut(QKeySequence.StandardKey.Find)
        self.action_find.triggered.connect(self._focus_search)
        edit_menu.addAction(self.action_find)

        help_menu = menu.addMenu(self.tr("&Aide"))
        self.action_about = QAction(self.tr("À &propos de permis-desktop"), self)
        self.action_about.triggered.connect(lambda: show_about(self, self.ctx.paths))
        help_menu.addAction(self.action_about)

        self.toolbar = QToolBar(self.tr("Barre d'outils"))
        self.toolbar.setObjectName("main_toolbar")
        self.toolbar.setMovable(False)
        self.toolbar.addAction(self.action_refresh)
        spacer = QWidget()
        spacer.setSizePolicy(
            spacer.sizePolicy().horizontalPolicy().Expanding,
            spacer.sizePolicy().verticalPolicy().Preferred,
        )
        self.toolbar.addWidget(spacer)
        self.toolbar.addWidget(self.search)
        self.addToolBar(self.toolbar)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.status_data = QLabel(self.tr("Données : {path}").format(path=self.ctx.paths.data))
        self.status_data.setObjectName("status_data")
        self.status_sync = QLabel()
        self.status_sync.setObjectName("status_sync")
        self.status_count = QLabel()
        self.status_count.setObjectName("status_count")
        bar.addWidget(self.status_count)
        bar.addPermanentWidget(self.status_sync)
        bar.addPermanentWidget(self.status_data)
        self.update_sync_status()

    def update_sync_status(self) -> None:
        url = self.ctx.settings.get("sync.server_url")
        if not url:
            self.status_sync.setText(self.tr("Aucun serveur de synchronisation configuré"))
        else:
            self.status_sync.setText(self.tr("Serveur : {url}").format(url=url))

    # -- geometry ---------------------------------------------------------------------------

    def _qsettings(self) -> QSettings:
        path = self.ctx.paths.config / "window.ini"
        return QSettings(str(path), QSettings.Format.IniFormat)

    def _restore_geometry(self) -> None:
        geometry = self._qsettings().value("main/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1100, 680)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        try:
            settings = self._qsettings()
            settings.setValue("main/geometry", self.saveGeometry())
            settings.sync()
        except Exception:  # window geometry is a comfort, never a reason not to close
            log.exception("could not save window geometry")
        super().closeEvent(event)

    # -- data -------------------------------------------------------------------------------

    def _focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def refresh(self) -> None:
        text = self.search.text().strip()
        self._loading += 1

        def load(_state: Any) -> list[DossierRow]:
            return self.dossiers.list(search=text or None)

        self.worker.run_task(
            load,
            on_success=lambda rows: self._show_rows(rows, text),
            on_error=self._on_load_error,
            owner=self,
            pool="db",
        )

    def _show_rows(self, rows: list[DossierRow], search: str) -> None:
        self._loading -= 1
        if search != self.search.text().strip():
            return  # a newer search is on its way
        self.model.set_rows(rows)
        if rows:
            self.stack.setCurrentWidget(self.table)
            self.status_count.setText(self.tr("{n} dossier(s)").format(n=len(rows)))
        else:
            self.stack.setCurrentWidget(self.empty_state)
            if search:
                self.empty_state.setText(
                    self.tr(
                        "<h3>Aucun dossier ne correspond à « {q} »</h3>"
                        "<p>Vérifiez l'orthographe, ou cherchez par date de naissance "
                        "(JJ/MM/AAAA), NEPH, courriel ou téléphone.</p>"
                    ).format(q=search)
                )
            else:
                self.empty_state.setText(
                    self.tr(
                        "<h3>Aucun dossier pour l'instant</h3>"
                        "<p>Les dossiers de vos élèves apparaîtront ici : inscriptions aux "
                        "examens et demandes de titre.</p>"
                        "<p>Les données sont enregistrées sur ce poste dans<br><code>{path}</code>"
                        "</p>"
                    ).format(path=self.ctx.paths.data)
                )
            self.status_count.setText(self.tr("0 dossier"))

    def _on_load_error(self, exc: BaseException) -> None:
        self._loading -= 1
        self.statusBar().showMessage(
            self.tr("Impossible de lire les dossiers : {error}").format(error=exc), 10000
        )
