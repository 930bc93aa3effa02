"""The status bar and the sync panel of a desk window, against the real dossier service."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from PySide6.QtCore import Qt

from permis_desktop.models.entities import Dossier
from permis_desktop.sync.worker import SyncStatus
from permis_desktop.ui.sync.status_widget import describe
from tests.server.desk import Desk
from tests.server.helpers import free_port

from .conftest import configure, serving


@pytest.fixture
def desk(server, live, tmp_path):
    d = Desk(tmp_path / "desk1", live, server.token("agence-nord", "guichet-1"))
    configure(d)
    yield d
    d.close()


def test_the_line_says_online_offline_waiting_failed_and_token() -> None:
    at = dt.datetime(2020, 3, 4, 10, 5)
    online = SyncStatus(True, 2, 0, at, "", False)
    line = describe(online, "https://a.fr", "", True)
    assert line.text.startswith("● En ligne · 2 en attente") and "04/03" in line.text
    assert line.level == "ok"
    offline = SyncStatus(False, 0, 1, None, "Serveur injoignable pendant l'envoi.", False)
    line = describe(offline, "https://a.fr", "", True)
    assert "Hors ligne" in line.text and "1 en échec" in line.text and "jamais" in line.text
    assert "Serveur injoignable" in line.tooltip and line.level == "error"
    token = SyncStatus(True, 1, 0, None, "jeton refusé", True)
    assert describe(token, "https://a.fr", "", True).text.startswith("⚠ Jeton refusé")
    assert describe(None, "", "", False).text == "Aucun serveur de synchronisation configuré"
    stopped = describe(None, "https://a.fr", "Jeton d'accès non réglé", False)
    assert "Réglages" in stopped.text and stopped.tooltip == "Jeton d'accès non réglé"


def test_offline_then_online_when_the_service_starts_and_the_queue_goes(
    qtbot, server, tmp_path, windows
) -> None:
    port = free_port()
    desk = Desk(tmp_path / "late", f"http://127.0.0.1:{port}", server.token())
    try:
        configure(desk)
        ids = [desk.queued("ATTENTE1"), desk.queued("ATTENTE2")]
        window = windows(qtbot, desk)
        line = window.status_sync
        assert window.sync.start()
        qtbot.waitUntil(lambda: "Hors ligne" in line.text(), timeout=10000)
        assert "2 en attente" in line.text()
        assert [desk.status(d) for d in ids] == ["ready", "ready"]
        # The service comes up: the desk notices by itself and sends, without a click.
        with serving(server.app, port):
            qtbot.waitUntil(lambda: "En ligne" in line.text(), timeout=15000)
            qtbot.waitUntil(lambda: "rien en attente" in line.text(), timeout=15000)
            assert [desk.status(d) for d in ids] == ["submitted", "submitted"]
            # The list follows: both rows say "Envoyé".
            qtbot.waitUntil(
                lambda: (
                    sorted(window.model.row_at(r).status for r in range(2))
                    == ["submitted", "submitted"]
                ),
                timeout=5000,
            )
            window.sync.stop()
    finally:
        desk.close()


def test_a_refused_item_is_listed_with_its_reason_and_retry_sends_it(
    qtbot, desk, windows, tmp_path
) -> None:
    did = desk.queued("REFUS", pieces=2)
    with desk.db.transaction() as session:
        sha = session.get(Dossier, did).pieces[0].pages[0].original_sha256
    page_file = desk.ctx.blobs.path(sha)
    aside = tmp_path / "aside"
    shutil.move(page_file, aside)  # the page file went missing on this desk
    window = windows(qtbot, desk)
    window.sync.start()
    qtbot.waitUntil(lambda: "1 en échec" in window.status_sync.text(), timeout=10000)
    assert window.status_sync.level == "error"

    qtbot.mouseClick(window.status_sync, Qt.MouseButton.LeftButton)
    panel = window.sync_panel()
    assert panel is not None and panel.isVisible()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    row = panel.model.rows[0]
    assert (row.dossier_id, row.state, row.applicant) == (did, "failed", "REFUS Léa")
    assert "introuvable sur ce poste" in row.reason
    assert panel.model.data(panel.model.index(0, 2)) == "Refusé"
    assert "introuvable" in panel.model.data(panel.model.index(0, 5))

    shutil.move(aside, page_file)  # put back (e.g. the USB disk is plugged in again)
    button = panel.retry_buttons[row.item_id]
    assert button.text() == "Réessayer"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: desk.status(did) == "submitted", timeout=10000)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0, timeout=10000)
    assert panel.empty.isVisible()
    qtbot.waitUntil(lambda: "rien en attente" in window.status_sync.text(), timeout=10000)
    assert "en échec" not in window.status_sync.text()


def test_the_queue_model_passes_qtmodeltester(qtmodeltester) -> None:
    from permis_desktop.ui.sync.controller import QueueRow
    from permis_desktop.ui.sync.panel import SyncQueueModel

    model = SyncQueueModel()
    model.set_rows(
        [
            QueueRow(1, "a", "MARTIN Léa", 1, "pending", 2, dt.datetime(2026, 1, 1, 8), "délai"),
            QueueRow(2, "b", "NGUYEN Tom", 3, "failed", 1, None, "autre agence"),
        ]
    )
    qtmodeltester.check(model)
    assert model.data(model.index(0, 2)) == "En attente"
    assert model.data(model.index(1, 4)) == "après « Réessayer »"


def test_an_agency_status_shows_within_one_poll_with_a_notification(
    qtbot, server, desk, windows
) -> None:
    from permis_server.service import set_status

    did = desk.queued("SUIVI")
    window = windows(qtbot, desk, poll_seconds=1.0)
    window.sync.start()
    qtbot.waitUntil(lambda: desk.status(did) == "submitted", timeout=10000)
    set_status(server.db, did, "in_review", "Dossier pris en charge.")
    qtbot.waitUntil(lambda: desk.status(did) == "in_review", timeout=5000)
    notifier = window.sync_notifier
    qtbot.waitUntil(lambda: bool(notifier.messages), timeout=5000)
    assert notifier.messages == [
        (
            "Dossier de SUIVI Léa",
            "Nouveau statut : En cours d'instruction. Dossier pris en charge.",
        )
    ]
    qtbot.waitUntil(
        lambda: window.model.rowCount() == 1 and window.model.row_at(0).status == "in_review",
        timeout=5000,
    )
    if not notifier.tray_available:  # offscreen: the status bar says it instead
        assert "En cours d'instruction" in window.statusBar().currentMessage()
    # Clicking the message opens the dossier it is about.
    notifier.on_message_clicked()
    qtbot.waitUntil(lambda: window.editor is not None and window.editor.dossier_id == did)
    assert window.editor.status == "in_review"


def test_a_burst_of_changes_is_one_notification(qtbot) -> None:
    from permis_desktop.sync.feed import Applied
    from permis_desktop.ui.sync.notifier import Notifier

    notifier = Notifier()
    for n in range(5):
        notifier.dossier_changed(
            Applied(n, f"id{n}", "submitted", "complement_requested" if n else "accepted", "", [])
        )
    qtbot.waitUntil(lambda: bool(notifier.messages))
    assert notifier.messages == [
        ("Suivi des dossiers", "5 dossiers ont changé de statut. 4 demande(s) de complément.")
    ]


def test_a_dossier_validated_elsewhere_shows_up_sent_without_a_refresh(
    qtbot, desk, windows
) -> None:
    window = windows(qtbot, desk, poll_seconds=1.0)
    window.sync.start()
    qtbot.waitUntil(lambda: "En ligne" in window.status_sync.text(), timeout=10000)
    assert window.model.rowCount() == 0
    did = desk.queued("DEHORS")  # e.g. `permis dossier validate` on the same data folder
    qtbot.waitUntil(
        lambda: window.model.rowCount() == 1 and window.model.row_at(0).status == "submitted",
        timeout=10000,
    )
    assert window.model.row_at(0).id == did


def test_a_refused_token_is_shown_keeps_everything_and_a_new_one_sends(
    qtbot, server, desk, windows
) -> None:
    from permis_server.service import revoke_token
    from tests.ui.helpers import keys

    revoke_token(server.db, "agence-nord", "guichet-1")
    did = desk.queued("JETON")
    window = windows(qtbot, desk)
    window.sync.start()
    qtbot.waitUntil(lambda: "Jeton refusé" in window.status_sync.text(), timeout=10000)
    assert "1 en attente" in window.status_sync.text()
    assert desk.status(did) == "ready" and desk.items(did)[0][:2] == ("pending", 0)
    window.open_sync_panel()
    panel = window.sync_panel()
    assert panel.settings_button.isVisible()
    assert "nouveau jeton" in panel.error.text()
    qtbot.mouseClick(panel.settings_button, Qt.MouseButton.LeftButton)
    dialog = window.settings_dialog
    assert dialog is not None
    keys(qtbot, dialog.token, server.token("agence-nord", "guichet-1"))
    dialog.save()
    qtbot.waitUntil(lambda: desk.status(did) == "submitted", timeout=10000)
    qtbot.waitUntil(lambda: "En ligne" in window.status_sync.text(), timeout=10000)
    assert not panel.settings_button.isVisible()
