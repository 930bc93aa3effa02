"""The application starts the sync worker with its window and stops it before the database
closes: a dossier queued before start-up reaches the server without a click."""

from __future__ import annotations

import threading

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from permis_desktop import app as desk_app
from permis_server.service import Refused, get_dossier
from tests.server.desk import Desk

from .conftest import configure


def test_the_application_sends_at_start_up_and_stops_its_worker_on_exit(
    qapp, server, live, tmp_path
) -> None:
    desk = Desk(tmp_path / "poste", live, server.token())
    configure(desk)
    did = desk.queued("DEMARRAGE")
    desk.close()
    received: list[str] = []

    def poll() -> None:
        try:
            received.append(get_dossier(server.db, did, None).status)
        except Refused:
            QTimer.singleShot(50, poll)
            return
        for widget in QApplication.topLevelWidgets():
            if widget.objectName() == "main_window":
                widget.close()

    QTimer.singleShot(50, poll)
    guard = QTimer()  # never hang the suite; stopped before any other test runs
    guard.setSingleShot(True)
    guard.timeout.connect(QApplication.quit)
    guard.start(20000)
    try:
        assert desk_app.main(["--data-dir", str(desk.paths.data)]) == 0
    finally:
        guard.stop()
    assert received == ["submitted"]
    assert not [t for t in threading.enumerate() if t.name == "sync-worker"]
    again = Desk(tmp_path / "poste", live, server.token("agence-nord", "guichet-2"))
    try:
        assert again.status(did) == "submitted"
    finally:
        again.close()
