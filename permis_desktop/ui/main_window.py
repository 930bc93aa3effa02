"""The main window: menu, toolbar, the dossier list (home) and the dossier editor.

One dossier is open at a time, in place of the list (a stacked page, no tabs: simpler for
front-desk staff); "← Liste des dossiers" or Échap goes back, everything being saved
already. The status bar tells where the data lives and the truth about synchronisation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QStackedWidget, QToolBar

from permis_desktop.procedures.checklist import RuleOptions
from permis_desktop.services.context import DeskContext
from permis_desktop.services.dossiers import DossierDetail, DossierService
from permis_desktop.services.workflow import WorkflowService
from permis_desktop.ui.about import show_about
from permis_desktop.ui.dossier_list import DossierListPage
from permis_desktop.ui.worker import Worker

log = logging.getLogger(__name__)


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
        self.workflow = WorkflowService(ctx.db)
        self.editor: Any = None
        self.setWindowTitle(self.tr("permis-desktop — dossiers de permis de conduire"))
        self.setObjectName("main_window")

        self.list_page = DossierListPage(self.dossiers, worker, str(ctx.paths.data))
        self.list_page.dossier_activated.connect(self.open_dossier)
        # The list's parts, by their old names (tests and tools use them).
        self.model = self.list_page.model
        self.table = self.list_page.table
        self.search = self.list_page.search
        self.empty_state = self.list_page.empty_state
        self.stack = self.list_page.stack

        self.pages = QStackedWidget()
        self.pages.addWidget(self.list_page)
        self.setCentralWidget(self.pages)

        self._build_actions()
        from permis_desktop.ui.papers.actions import install_papers

        install_papers(self)  # Documents menu; filing assistant and ANTS documents beside a dossier
        self._build_status_bar()
        self._restore_geometry()
        self.list_page.loaded.connect(self._on_list_loaded)
        self.refresh()

    # -- construction ---------------------------------------------------------------------

    def _build_actions(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu(self.tr("&Fichier"))
        self.file_menu = file_menu  # other features add their actions here (sync, settings)
        self.action_new = QAction(self.tr("&Nouveau dossier…"), self)
        self.action_new.setObjectName("action_new")
        self.action_new.setShortcut(QKeySequence.StandardKey.New)
        self.action_new.setToolTip(self.tr("Créer un dossier (Ctrl+N)"))
        self.action_new.triggered.connect(self.new_dossier)
        file_menu.addAction(self.action_new)
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
        self.edit_menu = edit_menu
        self.action_find = QAction(self.tr("&Rechercher"), self)
        self.action_find.setShortcut(QKeySequence.StandardKey.Find)
        self.action_find.triggered.connect(self._focus_search)
        edit_menu.addAction(self.action_find)

        dossier_menu = menu.addMenu(self.tr("&Dossier"))
        self.dossier_menu = dossier_menu
        self.action_open = QAction(self.tr("&Ouvrir"), self)
        self.action_open.triggered.connect(self._open_selected)
        dossier_menu.addAction(self.action_open)
        self.action_archive = QAction(self.tr("&Archiver…"), self)
        self.action_archive.setObjectName("action_archive")
        self.action_archive.triggered.connect(self.archive_selected)
        dossier_menu.addAction(self.action_archive)
        self.action_delete = QAction(self.tr("&Supprimer…"), self)
        self.action_delete.setObjectName("action_delete")
        self.action_delete.setShortcut(QKeySequence.StandardKey.Delete)
        self.action_delete.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.action_delete.triggered.connect(self.delete_selected)
        self.table.addAction(self.action_delete)
        dossier_menu.addAction(self.action_delete)

        help_menu = menu.addMenu(self.tr("&Aide"))
        self.action_about = QAction(self.tr("À &propos de permis-desktop"), self)
        self.action_about.triggered.connect(lambda: show_about(self, self.ctx.paths))
        help_menu.addAction(self.action_about)

        self.toolbar = QToolBar(self.tr("Barre d'outils"))
        self.toolbar.setObjectName("main_toolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addAction(self.action_new)
        self.toolbar.addAction(self.action_refresh)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.action_archive)
        self.toolbar.addAction(self.action_delete)
        self.addToolBar(self.toolbar)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.status_data = QLabel(self.tr("Données : {path}").format(path=self.ctx.paths.data))
        self.status_data.setObjectName("status_data")
        self.status_count = QLabel()
        self.status_count.setObjectName("status_count")
        bar.addWidget(self.status_count)
        from permis_desktop.ui.sync import install_sync

        # `status_sync`, `sync` (started by app.py), Synchronisation… and Réglages… (ui/sync)
        self.sync = install_sync(self)
        bar.addPermanentWidget(self.status_data)

    # -- geometry ---------------------------------------------------------------------------

    def _qsettings(self) -> QSettings:
        path = self.ctx.paths.config / "window.ini"
        return QSettings(str(path), QSettings.Format.IniFormat)

    def _restore_geometry(self) -> None:
        geometry = self._qsettings().value("main/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1200, 760)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self.editor is not None:
            self.editor.flush()  # never a "save?" question: the save is already on its way
            self.editor.keep_unsaved()  # and if it fails, the typing is kept for next time
        try:
            settings = self._qsettings()
            settings.setValue("main/geometry", self.saveGeometry())
            settings.sync()
        except Exception:  # window geometry is a comfort, never a reason not to close
            log.exception("could not save window geometry")
        super().closeEvent(event)

    # -- list -------------------------------------------------------------------------------

    def _focus_search(self) -> None:
        if self.editor is not None:
            self.close_editor()
        self.list_page.focus_search()

    def refresh(self) -> None:
        self.list_page.refresh()

    def _on_list_loaded(self) -> None:
        total = self.model.total
        self.status_count.setText(
            self.tr("{n} dossier(s)").format(n=total) if total else self.tr("0 dossier")
        )

    def _selected_id(self) -> str | None:
        return self.list_page.current_id() if self.editor is None else self.editor.dossier_id

    def _open_selected(self) -> None:
        dossier_id = self._selected_id()
        if dossier_id:
            self.open_dossier(dossier_id)

    # -- new, open, close -----------------------------------------------------------------

    def new_dossier(self) -> None:
        from permis_desktop.ui.new_dossier import NewDossierDialog

        dialog = NewDossierDialog(self.workflow, self.worker, self)
        self.new_dialog: Any = dialog
        dialog.finished.connect(lambda result: self._on_new_finished(dialog, result))
        dialog.open()

    def _on_new_finished(self, dialog: Any, result: int) -> None:
        self.new_dialog = None
        dialog.deleteLater()
        if not result:
            return
        if dialog.existing_id:
            self.open_dossier(dialog.existing_id)
            return
        facts = dialog.facts()
        service = self.dossiers
        self.worker.run_task(
            lambda _s: service.create(facts),
            on_success=self.open_dossier,
            on_error=self._show_error,
            owner=self,
            pool="db",
        )

    def open_dossier(self, dossier_id: str) -> None:
        if self.editor is not None:
            if self.editor.dossier_id == dossier_id:
                return
            self.close_editor()
        service = self.dossiers
        self.worker.run_task(
            lambda _s: service.get(dossier_id),
            on_success=self._show_editor,
            on_error=self._show_error,
            owner=self,
            pool="db",
        )

    def _rule_options(self) -> RuleOptions:
        return RuleOptions(photo_code_length=int(self.ctx.settings.get("rules.photo_code_length")))

    def _show_editor(self, detail: DossierDetail) -> None:
        from permis_desktop.ui.wizard.editor import DossierEditor

        if self.editor is not None:
            self.close_editor()
        self.editor = DossierEditor(self.ctx, self.worker, detail, self._rule_options())
        self.editor.closed.connect(self.close_editor)
        self.pages.addWidget(self.editor)
        self.pages.setCurrentWidget(self.editor)
        self.setWindowTitle(
            self.tr("{name} — permis-desktop").format(name=self.editor.applicant_name())
        )
        self.editor.step_by(0)

    def close_editor(self) -> None:
        editor = self.editor
        if editor is None:
            return
        self.editor = None
        editor.flush()
        editor.keep_unsaved()
        self.list_page.select_next = editor.dossier_id
        self.pages.setCurrentWidget(self.list_page)
        self.pages.removeWidget(editor)
        editor.deleteLater()
        self.setWindowTitle(self.tr("permis-desktop — dossiers de permis de conduire"))
        # Queued behind the last save on the database thread, so the list shows it.
        self.worker.run_task(
            lambda _s: None, on_success=lambda _v: self.refresh(), owner=self, pool="db"
        )
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- archive, delete --------------------------------------------------------------------

    def _confirm(self, title: str, text: str, action: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=self)
        yes = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(self.tr("Annuler"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(QMessageBox.StandardButton.NoButton)
        box.exec()
        return box.clickedButton() is yes

    def _selected_row(self) -> Any:
        dossier_id = self._selected_id()
        if dossier_id is None:
            return None
        row = self.model.row_of(dossier_id)
        return self.model.row_at(row) if row >= 0 else None

    def archive_selected(self) -> None:
        row = self._selected_row()
        if row is None:
            return
        if not self._confirm(
            self.tr("Archiver le dossier"),
            self.tr(
                "Archiver le dossier de {name} ? Il quitte la liste mais reste consultable "
                "(case « Archivés »)."
            ).format(name=row.applicant),
            self.tr("Archiver"),
        ):
            return
        self.close_editor()
        workflow = self.workflow
        self.worker.run_task(
            lambda _s: workflow.archive(row.id, archived=True),
            on_success=lambda _v: self._done(self.tr("Dossier archivé.")),
            on_error=self._show_error,
            owner=self,
            pool="db",
        )

    def delete_selected(self) -> None:
        row = self._selected_row()
        if row is None:
            return
        if not self._confirm(
            self.tr("Supprimer le dossier"),
            self.tr(
                "Supprimer définitivement le dossier de {name}, ses pièces et leurs pages ? "
                "Cette action ne peut pas être annulée. Pour seulement le retirer de la liste, "
                "archivez-le."
            ).format(name=row.applicant),
            self.tr("Supprimer"),
        ):
            return
        self.close_editor()
        ctx = self.ctx

        def delete(_state: Any) -> int:
            removed = ctx.delete_dossier(row.id)
            log.info("dossier %s deleted from the desk (%s)", row.id, row.applicant)
            return removed

        self.worker.run_task(
            delete,
            on_success=lambda n: self._done(
                self.tr("Dossier supprimé ({n} fichier(s) de page effacé(s)).").format(n=n)
            ),
            on_error=self._show_error,
            owner=self,
            pool="db",
        )

    def _done(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)
        self.refresh()

    def _show_error(self, exc: BaseException) -> None:
        QMessageBox.warning(self, self.tr("permis-desktop"), str(exc))
