from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from permis_desktop.services.dossiers import DossierRow, DossierService
from permis_desktop.ui.dossier_model import DossierTableModel
from permis_desktop.ui.main_window import MainWindow
from permis_desktop.ui.worker import Worker


def _row(i: int) -> DossierRow:
    return DossierRow(
        id=f"id-{i}",
        applicant=f"NOM{i} Prénom",
        birth_date=f"2000-01-0{i + 1}",
        procedure="exam_registration_first",
        categories=["B"],
        status="draft",
        updated_at=dt.datetime(2026, 11, 1 + i, 9, 30),
        version=1,
    )


def test_dossier_model_passes_qtmodeltester(qtmodeltester) -> None:
    model = DossierTableModel()
    model.set_rows([_row(i) for i in range(5)])
    qtmodeltester.check(model)
    assert model.data(model.index(2, 5)) == "03/11/2026 09:30"
    assert model.data(model.index(2, 4)) == "0/0"
    assert model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole) == "Né(e) le 01/01/2000"


def _window(qtbot, desk) -> MainWindow:
    window = MainWindow(desk, Worker())
    qtbot.addWidget(window)
    return window


def test_empty_state_tells_where_data_lives_and_sync_truth(qtbot, desk) -> None:
    window = _window(qtbot, desk)
    qtbot.waitUntil(lambda: window.empty_state.text() != "")
    assert window.stack.currentWidget() is window.empty_state
    assert "Aucun dossier" in window.empty_state.text()
    assert str(desk.paths.data) in window.empty_state.text()
    assert window.status_sync.text() == "Aucun serveur de synchronisation configuré"
    assert str(desk.paths.data) in window.status_data.text()


def test_list_shows_dossiers_and_search_filters(qtbot, desk) -> None:
    service = DossierService(desk.db)
    for name, given in (("Lefèvre", "Chloé"), ("Martin", "Léa"), ("Nguyen", "Thomas")):
        service.create(
            {
                "procedure": "exam_registration_first",
                "categories": ["B"],
                "applicant": {"birth_name": name, "given_names": [given]},
            }
        )
    window = _window(qtbot, desk)
    qtbot.waitUntil(lambda: window.model.rowCount() == 3)
    assert window.stack.currentWidget() is window.table
    qtbot.keyClicks(window.search, "lefevre")
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    assert window.model.row_at(0).applicant == "LEFÈVRE Chloé"
    window.search.setText("zzz")
    qtbot.waitUntil(lambda: "zzz" in window.empty_state.text())
    assert window.stack.currentWidget() is window.empty_state


def test_configured_server_is_shown(qtbot, desk) -> None:
    desk.settings.set("sync.server_url", "https://agence.example")
    window = _window(qtbot, desk)
    assert "https://agence.example" in window.status_sync.text()


def test_window_geometry_is_remembered(qtbot, desk) -> None:
    window = _window(qtbot, desk)
    window.resize(777, 555)
    window.show()
    qtbot.waitExposed(window)
    window.close()
    again = _window(qtbot, desk)
    assert (again.width(), again.height()) == (777, 555)
