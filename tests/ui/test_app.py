"""Start-up of the real application: lock, damaged database, window."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from permis_desktop import app as desk_app
from permis_desktop.instance import InstanceLock
from permis_desktop.models.db import backup_database
from permis_desktop.paths import resolve_paths
from permis_desktop.services.context import DeskContext
from permis_desktop.services.dossiers import DossierService


def _answer_next_box(button_text: str | None, seen: list[str]) -> None:
    """When a modal message box appears, note its text and press `button_text` (or close)."""

    def poll() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            for button in box.buttons():
                if button_text and button.text() == button_text:
                    button.click()
                    return
            box.reject()
            return
        QTimer.singleShot(20, poll)

    QTimer.singleShot(20, poll)


def _quit_when_window_shows() -> None:
    def poll() -> None:
        for widget in QApplication.topLevelWidgets():
            if widget.objectName() == "main_window" and widget.isVisible():
                widget.close()
                return
        QTimer.singleShot(20, poll)

    QTimer.singleShot(20, poll)


def test_second_instance_is_refused_with_a_message(qapp, tmp_path: Path) -> None:
    paths = resolve_paths(tmp_path)
    paths.ensure()
    seen: list[str] = []
    with InstanceLock(paths.lock_file):
        _answer_next_box(None, seen)
        assert desk_app.main(["--data-dir", str(tmp_path)]) == 1
    assert seen and "déjà ouvert" in seen[0]


def test_damaged_database_offers_the_backup_and_starts_on_it(qapp, tmp_path: Path) -> None:
    paths = resolve_paths(tmp_path)
    ctx = DeskContext.open(paths)
    DossierService(ctx.db).create(
        {"procedure": "exam_registration_first", "applicant": {"birth_name": "Sauvé"}}
    )
    ctx.close()
    backup_database(paths.database, paths.backups, "daily")
    with paths.database.open("r+b") as handle:
        handle.write(b"\xff" * 100)
    seen: list[str] = []
    _answer_next_box("Restaurer la sauvegarde", seen)
    _quit_when_window_shows()
    assert desk_app.main(["--data-dir", str(tmp_path)]) == 0
    assert "endommagée" in seen[0]
    assert list(tmp_path.glob("permis.sqlite3.damaged-*"))
    ctx = DeskContext.open(paths)
    assert [r.applicant for r in DossierService(ctx.db).list()] == ["SAUVÉ"]
    ctx.close()


def test_real_process_shows_the_window(tmp_path: Path) -> None:
    probe = tmp_path / "probe.json"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PERMIS_STARTUP_PROBE": str(probe)}
    done = subprocess.run(
        [sys.executable, "-m", "permis_desktop.app", "--data-dir", str(tmp_path / "d")],
        env=env,
        timeout=60,
        capture_output=True,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(probe.read_text())["idle_rss"] > 0
    assert (tmp_path / "d" / "logs" / "permis-desktop.log").read_text().count("starting") == 1
