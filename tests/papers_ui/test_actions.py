"""The Documents menu actions, the mandate dialogs and the dossier's side panel."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QMainWindow, QMenuBar

from permis_desktop.services.dossiers import DossierService
from permis_desktop.services.papers import PapersService
from permis_desktop.ui.papers.actions import PapersActions, PapersDock
from permis_desktop.ui.papers.mandate_dialogs import MandatesDialog, MandateSignatureDialog
from tests.outputs.conftest import HOSTED_MINOR, TODAY, facts, pdf_bytes
from tests.outputs.test_outputs_pure import RECEIPT_LINES


def make_actions(qtbot, school, worker, dossier_id):
    window = QMainWindow()
    qtbot.addWidget(window)
    actions = PapersActions(school, worker, window, lambda: dossier_id, today=TODAY)
    return window, actions


def test_menu_lists_every_paper_in_a_documents_menu(qtbot, school, worker, ready_dossier) -> None:
    window, actions = make_actions(qtbot, school, worker, ready_dossier)
    menu = actions.add_menu(window.menuBar())
    assert isinstance(window.menuBar(), QMenuBar)
    names = [a.objectName() for a in menu.actions() if not a.isSeparator()]
    assert names == [
        "action_client_checklist",
        "action_mandate",
        "action_mandate_signed",
        "action_hosting_attestation",
        "action_summary",
        "action_export_kit",
        "action_mandates_in_retention",
    ]
    assert menu.title() == "D&ocuments"


def test_client_checklist_and_mandate_open_in_the_preview(
    qtbot, school, worker, ready_dossier
) -> None:
    _window, actions = make_actions(qtbot, school, worker, ready_dossier)
    for action, text in ((actions.action_checklist, "Pièces"), (actions.action_mandate, "Mandat")):
        with qtbot.waitSignal(actions.preview_opened, timeout=20000) as opened:
            action.trigger()
        preview = opened.args[0]
        assert preview.pages >= 1 and text in preview.windowTitle()
        assert not preview.duplex_required
        with qtbot.waitSignal(preview.destroyed, timeout=5000):
            preview.close()


def test_hosting_attestation_only_when_it_applies(qtbot, school, worker, ready_dossier) -> None:
    _window, actions = make_actions(qtbot, school, worker, ready_dossier)
    with qtbot.waitSignal(actions.message, timeout=20000, check_params_cb=lambda m: "ni" in m):
        actions.action_hosting.trigger()
    minor = DossierService(school.db).create(HOSTED_MINOR)
    _window, minor_actions = make_actions(qtbot, school, worker, minor)
    with qtbot.waitSignal(minor_actions.preview_opened, timeout=20000) as opened:
        minor_actions.action_hosting.trigger()
    assert "hébergement" in opened.args[0].windowTitle()
    opened.args[0].close()


def test_kit_export_action_writes_the_kit(qtbot, school, worker, ready_dossier, tmp_path) -> None:
    _window, actions = make_actions(qtbot, school, worker, ready_dossier)
    with qtbot.waitSignal(actions.kit_exported, timeout=20000) as done:
        actions.export_kit(tmp_path)
    kit = done.args[0]
    assert kit.folder.parent == tmp_path and kit.zip_path.is_file()
    assert [f.filename for f in kit.files][:2] == [
        "01-justificatif-identite.pdf",
        "02-justificatif-domicile.pdf",
    ]
    actions.dialog.close()


def test_no_dossier_chosen_says_so(qtbot, school, worker) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    actions = PapersActions(school, worker, window, lambda: None, today=TODAY)
    with qtbot.waitSignal(actions.message) as said:
        actions.action_summary.trigger()
    assert "Choisissez" in said.args[0]


def test_mandate_signature_is_recorded_and_listed_in_retention(
    qtbot, school, worker, ready_dossier
) -> None:
    dialog = MandateSignatureDialog(school, worker, ready_dossier, today=TODAY)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.info is not None, timeout=10000)
    assert "pas encore signé" in dialog.state.text() and dialog.sign_button.isEnabled()
    assert not dialog.unsign_button.isEnabled()
    from permis_desktop.ui.papers.printing import qdate

    dialog.date.setDate(qdate(dt.date(2026, 11, 20)))
    with qtbot.waitSignal(dialog.recorded, timeout=10000):
        dialog.sign_button.click()
    assert "20/11/2026" in dialog.state.text() and "20/05/2027" in dialog.state.text()
    assert PapersService.from_context(school, TODAY).mandate(ready_dossier).signed_on == dt.date(
        2026, 11, 20
    )
    listing = MandatesDialog(school, worker, today=TODAY)
    qtbot.addWidget(listing)
    qtbot.waitUntil(lambda: listing.table.rowCount() == 1, timeout=10000)
    assert listing.table.item(0, 0).text().startswith("MARTIN") or "Martin" in (
        listing.table.item(0, 0).text()
    )
    assert listing.table.item(0, 3).text() == "20/05/2027"
    with qtbot.waitSignal(listing.dossier_activated) as activated:
        listing.table.itemActivated.emit(listing.table.item(0, 1))
    assert activated.args[0] == ready_dossier


def test_mandate_is_refused_where_not_allowed(qtbot, school, worker) -> None:
    corsica = DossierService(school.db).create(facts(HOSTED_MINOR, mandate=True))
    dialog = MandateSignatureDialog(school, worker, corsica, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.info is not None, timeout=10000)
    assert dialog.warning.isVisible() and dialog.warning.text() == dialog.info.warning
    assert not dialog.sign_button.isEnabled()
    _window, actions = make_actions(qtbot, school, worker, corsica)
    with qtbot.waitSignal(actions.preview_opened, timeout=20000) as opened:
        actions.action_mandate.trigger()
    assert opened.args[0].warning.text() == "⚠ " + dialog.info.warning
    opened.args[0].close()
    without = DossierService(school.db).create(HOSTED_MINOR)  # no mandate asked
    other = MandateSignatureDialog(school, worker, without, today=TODAY)
    qtbot.addWidget(other)
    qtbot.waitUntil(lambda: other.info is not None, timeout=10000)
    assert "sans mandat" in other.state.text() and not other.sign_button.isEnabled()


def test_dock_holds_assistant_and_documents_and_shows_itself_for_a_validated_dossier(
    qtbot, school, worker, ready_dossier
) -> None:
    PapersService.from_context(school, TODAY).import_document(
        ready_dossier, pdf_bytes(RECEIPT_LINES), "r.pdf"
    )
    window = QMainWindow()
    qtbot.addWidget(window)
    dock = PapersDock(school, worker, window, today=TODAY)
    window.addDockWidget(dock.allowedAreas().RightDockWidgetArea, dock)
    window.show()
    assert not dock.isVisible()
    dock.show_dossier(ready_dossier)
    qtbot.waitUntil(dock.isVisible, timeout=20000)
    qtbot.waitUntil(lambda: dock.documents.table.rowCount() == 1, timeout=10000)
    assert [dock.tabs.tabText(i) for i in range(dock.tabs.count())] == [
        "Assistant de dépôt",
        "Documents ANTS ✔",  # the récépissé is there
    ]
    dock.documents.table.selectRow(0)
    dock.documents.remove_selected()
    qtbot.waitUntil(lambda: dock.tabs.tabText(1) == "Documents ANTS ⚠", timeout=10000)
    dock.clear()
    assert dock.tabs.count() == 0 and dock.dossier_id is None
