"""The Documents menu and the papers panel inside the desk's main window."""

from __future__ import annotations

from PySide6.QtWidgets import QDockWidget

from permis_desktop.services.dossiers import DossierService
from permis_desktop.ui.papers.actions import PapersDock
from tests.ui.helpers import open_window


def papers_window(qtbot, school, worker):
    return open_window(qtbot, school, worker)  # the window installs the papers itself


def test_documents_menu_sits_before_help(qtbot, school, worker) -> None:
    window = papers_window(qtbot, school, worker)
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles.index("D&ocuments") == titles.index("&Aide") - 1
    assert window.findChild(QDockWidget, "papers_dock") is window.papers_dock


def test_opening_a_validated_dossier_shows_the_assistant_and_filing_reloads_it(
    qtbot, school, worker, ready_dossier
) -> None:
    window = papers_window(qtbot, school, worker)
    dock: PapersDock = window.papers_dock
    assert not dock.isVisible()
    window.open_dossier(ready_dossier)
    qtbot.waitUntil(lambda: window.editor is not None, timeout=10000)
    qtbot.waitUntil(dock.isVisible, timeout=20000)
    assert dock.dossier_id == ready_dossier
    assistant = dock.assistant
    assistant.number_edit.setText("24PC7654321")
    assistant.record_button.click()
    qtbot.waitUntil(
        lambda: (
            window.editor is not None
            and window.editor.status == "submitted"
            and dock.assistant is not None
            and dock.assistant is not assistant
            and dock.assistant.assistant is not None
        ),
        timeout=20000,
    )
    assert "24PC7654321" in dock.assistant.filing_label.text()
    assert DossierService(school.db).get(ready_dossier).status == "submitted"
    window.close_editor()
    assert dock.dossier_id is None and not dock.isVisible()
