"""The "Documents" menu and the side panel of the dossier: what the main window installs.

`PapersActions` holds the menu actions (client checklist, mandate and its signature, the
signed mandates in retention, hosting attestation, summary, submission kit); every PDF is
generated on the worker and opens in the preview, where it prints or exports. `PapersDock`
is the panel beside the open dossier: the filing assistant and the ANTS documents.
The host gives the current dossier id through a callable and receives plain signals.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QMainWindow,
    QMenu,
    QMenuBar,
    QMessageBox,
    QTabWidget,
    QWidget,
)

from permis_desktop.services.context import DeskContext
from permis_desktop.ui.worker import Worker

if TYPE_CHECKING:
    from permis_desktop.services.papers import PapersService

log = logging.getLogger(__name__)


class PapersActions(QObject):
    message = Signal(str)  # for the status bar
    dossier_changed = Signal(str)  # e.g. the mandate's signature was recorded
    dossier_activated = Signal(str)  # open this dossier (from the mandates list)
    preview_opened = Signal(object)
    kit_exported = Signal(object)  # outputs.kit.Kit

    def __init__(
        self,
        ctx: DeskContext,
        worker: Worker,
        window: QWidget,
        current_dossier: Callable[[], str | None],
        today: dt.date | None = None,
    ) -> None:
        super().__init__(window)
        self.ctx = ctx
        self.worker = worker
        self.window = window
        self.current_dossier = current_dossier
        self.today = today
        self._papers: PapersService | None = None
        self.dialog: Any = None
        self.preview: Any = None

        def action(text: str, name: str, slot: Callable[[], None], tip: str = "") -> QAction:
            made = QAction(text, window)
            made.setObjectName(name)
            if tip:
                made.setToolTip(tip)
                made.setStatusTip(tip)
            made.triggered.connect(slot)
            return made

        self.action_checklist = action(
            self.tr("&Pièces à fournir (pour l'élève)…"),
            "action_client_checklist",
            lambda: self.show_pdf("checklist"),
            self.tr("Liste personnalisée des pièces à apporter, à imprimer ou envoyer"),
        )
        self.action_checklist.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.action_mandate = action(
            self.tr("&Mandat à signer…"),
            "action_mandate",
            lambda: self.show_pdf("mandate"),
            self.tr("Mandat pré-rempli par lequel l'élève autorise l'école à déposer"),
        )
        self.action_mandate_signed = action(
            self.tr("Enregistrer la &signature du mandat…"),
            "action_mandate_signed",
            self.record_mandate,
        )
        self.action_mandates = action(
            self.tr("Mandats signés à &conserver…"),
            "action_mandates_in_retention",
            self.show_mandates,
            self.tr("Mandats dont la conservation de 6 mois court encore"),
        )
        self.action_hosting = action(
            self.tr("Attestation d'&hébergement…"),
            "action_hosting_attestation",
            lambda: self.show_pdf("hosting"),
            self.tr("Pré-remplie pour l'hébergeant (élève hébergé ou mineur)"),
        )
        self.action_summary = action(
            self.tr("&Récapitulatif du dossier…"),
            "action_summary",
            lambda: self.show_pdf("summary"),
            self.tr("Toutes les données et les pièces, pour les archives de l'école"),
        )
        self.action_kit = action(
            self.tr("Exporter le &kit de dépôt…"),
            "action_export_kit",
            self.choose_kit_folder,
            self.tr("Un fichier par pièce dans l'ordre du formulaire ANTS, et la fiche de saisie"),
        )
        self.action_kit.setShortcut(QKeySequence("Ctrl+Shift+K"))
        self.dossier_actions = [
            self.action_checklist,
            self.action_mandate,
            self.action_mandate_signed,
            self.action_hosting,
            self.action_summary,
            self.action_kit,
        ]

    @property
    def papers(self) -> PapersService:
        # Imported on first use: the PDF library costs start-up time (bench/startup.py).
        if self._papers is None:
            from permis_desktop.services.papers import PapersService

            self._papers = PapersService.from_context(self.ctx, self.today)
        return self._papers

    def add_menu(self, menu_bar: QMenuBar, before: QAction | None = None) -> QMenu:
        menu = QMenu(self.tr("D&ocuments"), menu_bar)
        menu.setObjectName("documents_menu")
        menu.addAction(self.action_checklist)
        menu.addAction(self.action_mandate)
        menu.addAction(self.action_mandate_signed)
        menu.addAction(self.action_hosting)
        menu.addAction(self.action_summary)
        menu.addSeparator()
        menu.addAction(self.action_kit)
        menu.addSeparator()
        menu.addAction(self.action_mandates)
        menu.setToolTipsVisible(True)
        if before is not None:
            menu_bar.insertMenu(before, menu)
        else:
            menu_bar.addMenu(menu)
        return menu

    def _dossier(self) -> str | None:
        dossier_id = self.current_dossier()
        if not dossier_id:
            self.message.emit(self.tr("Choisissez d'abord un dossier dans la liste."))
        return dossier_id

    # -- generated documents ----------------------------------------------------------------

    def show_pdf(self, which: str) -> None:
        dossier_id = self._dossier()
        if not dossier_id:
            return
        titles = {
            "checklist": (self.tr("Pièces à fournir"), "pieces-a-fournir"),
            "mandate": (self.tr("Mandat"), "mandat"),
            "hosting": (self.tr("Attestation d'hébergement"), "attestation-hebergement"),
            "summary": (self.tr("Récapitulatif du dossier"), "recapitulatif"),
        }
        title, stem = titles[which]
        not_needed = self.tr(
            "Pas d'attestation d'hébergement pour ce dossier : l'élève n'est ni hébergé ni mineur."
        )

        def make(_state: Any) -> tuple[bytes | None, str]:
            papers = self.papers  # first use imports the PDF library: on the worker
            if which == "checklist":
                return papers.client_checklist_pdf(dossier_id), ""
            if which == "mandate":
                # In a regional-tax territory no mandate is allowed: say it before printing.
                warning = papers.mandate(dossier_id).warning or ""
                return papers.mandate_pdf(dossier_id), warning
            if which == "hosting":
                if not papers.hosting_needed(dossier_id):
                    return None, ""
                return papers.hosting_attestation_pdf(dossier_id), ""
            return papers.summary_pdf(dossier_id), ""

        def done(result: tuple[bytes | None, str]) -> None:
            pdf, warning = result
            if pdf is None:
                self.message.emit(not_needed)
                return
            preview = self.open_preview(title, pdf, f"{stem}-{dossier_id[:8]}")
            if warning:
                preview.warning.setText("⚠ " + warning)
                preview.warning.show()
                self.message.emit(warning)

        self.message.emit(self.tr("Préparation du document…"))
        self.worker.run_task(make, on_success=done, on_error=self._failed, owner=self)

    def open_preview(self, title: str, pdf: bytes, filename: str, duplex: bool = False) -> Any:
        from permis_desktop.ui.papers.preview import DocumentPreview

        self.preview = DocumentPreview(self.worker, title, pdf, filename, duplex, self.window)
        self.preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.preview.show()
        self.message.emit("")
        self.preview_opened.emit(self.preview)
        return self.preview

    def _failed(self, exc: BaseException) -> None:
        self.message.emit(str(exc))
        QMessageBox.warning(self.window, self.tr("permis-desktop"), str(exc))

    # -- mandate ----------------------------------------------------------------------------

    def record_mandate(self) -> None:
        from permis_desktop.ui.papers.mandate_dialogs import MandateSignatureDialog

        dossier_id = self._dossier()
        if not dossier_id:
            return
        self.dialog = MandateSignatureDialog(
            self.ctx, self.worker, dossier_id, self.today, self.window
        )
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.recorded.connect(lambda _info: self.dossier_changed.emit(dossier_id))
        self.dialog.open()

    def show_mandates(self) -> None:
        from permis_desktop.ui.papers.mandate_dialogs import MandatesDialog

        self.dialog = MandatesDialog(self.ctx, self.worker, self.today, self.window)
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.dossier_activated.connect(self.dossier_activated)
        self.dialog.open()

    # -- kit --------------------------------------------------------------------------------

    def choose_kit_folder(self) -> None:
        if not self._dossier():
            return
        start = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        folder = QFileDialog.getExistingDirectory(
            self.window, self.tr("Où enregistrer le kit de dépôt ?"), start
        )
        if folder:
            self.export_kit(Path(folder))

    def export_kit(self, folder: Path) -> None:
        dossier_id = self._dossier()
        if not dossier_id:
            return
        self.message.emit(self.tr("Préparation du kit de dépôt…"))
        self.worker.run_task(
            lambda _s: self.papers.export_kit(dossier_id, folder),
            on_success=self._kit_done,
            on_error=self._failed,
            owner=self,
            pool="db",
        )

    def _kit_done(self, kit: Any) -> None:
        text = self.tr("Kit de dépôt enregistré : {folder} ({n} fichier(s)) et {zip}.").format(
            folder=kit.folder, n=len(kit.files), zip=kit.zip_path.name
        )
        self.message.emit(text)
        self.kit_exported.emit(kit)
        box = QMessageBox(
            QMessageBox.Icon.Information, self.tr("Kit de dépôt"), text, parent=self.window
        )
        if kit.warnings:
            box.setInformativeText("\n".join(kit.warnings))
        open_button = box.addButton(self.tr("Ouvrir le dossier"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Close)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(
            lambda button: (
                button is open_button
                and QDesktopServices.openUrl(QUrl.fromLocalFile(str(kit.folder)))
            )
        )
        self.dialog = box
        box.open()


class PapersDock(QDockWidget):
    """Beside the open dossier: the filing assistant and the ANTS documents, in two tabs."""

    dossier_changed = Signal(str)  # ANTS documents or filing changed (list columns)
    assistant_recorded = Signal(str)  # the filing was recorded: the status may have moved

    def __init__(
        self,
        ctx: DeskContext,
        worker: Worker,
        parent: QWidget | None = None,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("papers_dock")
        self.setWindowTitle(self.tr("Dépôt et documents ANTS"))
        self.setAllowedAreas(
            Qt.DockWidgetArea.RightDockWidgetArea | Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.ctx = ctx
        self.worker = worker
        self.today = today
        self.dossier_id: str | None = None
        self.tabs = QTabWidget()
        self.tabs.setObjectName("papers_tabs")
        self.assistant: Any = None
        self.documents: Any = None
        self.setWidget(self.tabs)
        self.toggle = self.toggleViewAction()
        self.toggle.setText(self.tr("&Assistant de dépôt et documents ANTS"))
        self.toggle.setShortcut(QKeySequence("F9"))
        self.toggle.setToolTip(self.tr("Afficher ou masquer le panneau de dépôt (F9)"))
        # Shown by itself beside a validated dossier, until the user hides it.
        self.auto_show = True
        self.toggle.triggered.connect(self._on_toggled)
        self.hide()

    def _on_toggled(self, checked: bool) -> None:
        self.auto_show = checked

    def show_dossier(self, dossier_id: str) -> None:
        from permis_desktop.ui.papers.assistant_panel import FilingAssistantPanel
        from permis_desktop.ui.papers.documents_panel import AntsDocumentsPanel

        self.clear()
        self.dossier_id = dossier_id
        self.assistant = FilingAssistantPanel(self.ctx, self.worker, dossier_id, self.today)
        self.documents = AntsDocumentsPanel(self.ctx, self.worker, dossier_id, self.today)
        self.assistant.dossier_changed.connect(self.dossier_changed)
        self.assistant.dossier_changed.connect(self.assistant_recorded)
        self.assistant.loaded.connect(self._on_assistant_loaded)
        self.documents.documents_changed.connect(self.dossier_changed)
        self.tabs.addTab(self.assistant, self.tr("Assistant de dépôt"))
        self.tabs.addTab(self.documents, self.tr("Documents ANTS"))
        self.documents.receipt_shown.connect(self._on_receipt)

    def _on_receipt(self, receipt: Any) -> None:
        """The tab says whether a category B student may drive on the road yet."""
        index = self.tabs.indexOf(self.documents)
        if index < 0:
            return
        if not receipt.applies:
            self.tabs.setTabText(index, self.tr("Documents ANTS"))
            self.tabs.setTabToolTip(index, "")
        elif receipt.present:
            self.tabs.setTabText(index, self.tr("Documents ANTS ✔"))
            self.tabs.setTabToolTip(
                index, self.tr("Récépissé reçu : l'élève peut commencer la conduite sur route")
            )
        else:
            self.tabs.setTabText(index, self.tr("Documents ANTS ⚠"))
            self.tabs.setTabToolTip(index, self.tr("Récépissé de dépôt pas encore importé"))

    def _on_assistant_loaded(self) -> None:
        if self.auto_show and self.assistant is not None and self.assistant.assistant:
            was_visible = self.isVisible()
            self.show()
            host = self.parent()
            if not was_visible and isinstance(host, QMainWindow):
                # About a third of the window: the dossier keeps room for its fields.
                width = max(380, min(460, int(host.width() * 0.34)))
                host.resizeDocks([self], [width], Qt.Orientation.Horizontal)

    def clear(self) -> None:
        self.dossier_id = None
        while self.tabs.count():
            widget = self.tabs.widget(0)
            self.tabs.removeTab(0)
            if widget is not None:
                widget.deleteLater()
        self.assistant = self.documents = None


def install_papers(window: Any) -> tuple[PapersActions, PapersDock]:
    """Add the Documents menu and the side panel to the main window.

    Uses only the window's public parts: `ctx`, `worker`, `editor` (the open dossier, or
    None), `list_page.current_id()`, `pages` (the stacked list/editor), `open_dossier`,
    `close_editor`, `refresh`. The panel follows the dossier shown in `pages`."""

    def current() -> str | None:
        editor = window.editor
        if editor is not None:
            return str(editor.dossier_id)
        dossier_id = window.list_page.current_id()
        return str(dossier_id) if dossier_id else None

    def flush_editor() -> None:
        if window.editor is not None:
            window.editor.flush()  # typing first, then the signature, in this order

    def reload_editor(dossier_id: str) -> None:
        """The editor holds the dossier in memory: reopen it to show what changed."""
        window.refresh()
        editor = window.editor
        if editor is not None and editor.dossier_id == dossier_id:
            window.close_editor()
            window.open_dossier(dossier_id)

    actions = PapersActions(window.ctx, window.worker, window, current)
    bar = window.menuBar()
    menus = [a for a in bar.actions() if a.menu() is not None]
    menu = actions.add_menu(bar, before=menus[-1] if menus else None)  # before "Aide"
    dock = PapersDock(window.ctx, window.worker, window)
    host: QMainWindow = window
    host.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    menu.addSeparator()
    menu.addAction(dock.toggle)

    actions.action_mandate_signed.triggered.connect(flush_editor)
    actions.message.connect(lambda text: window.statusBar().showMessage(text, 8000))
    actions.dossier_changed.connect(reload_editor)
    actions.dossier_activated.connect(window.open_dossier)
    dock.assistant_recorded.connect(reload_editor)
    dock.dossier_changed.connect(lambda _id: window.refresh())

    def on_page(_index: int) -> None:
        editor = window.editor
        shown = window.pages.currentWidget()
        if editor is not None and shown is editor:
            if dock.dossier_id != editor.dossier_id:
                dock.show_dossier(editor.dossier_id)
        else:
            dock.clear()
            dock.hide()

    window.pages.currentChanged.connect(on_page)
    window.papers_actions, window.papers_dock = actions, dock
    return actions, dock
