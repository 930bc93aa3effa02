"""Helpers for the desk's widget tests: a window on a fresh data folder, real key presses,
small but real image and PDF files to import."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from permis_desktop.app import labels
from permis_desktop.ui.main_window import MainWindow
from permis_desktop.ui.worker import Worker

ADULT = {
    "sex": "F",
    "birth_name": "Martin",
    "given_names": ["Léa"],
    "birth_date": "1996-05-14",
}


def open_window(qtbot: Any, desk: Any, worker: Worker) -> MainWindow:
    window = MainWindow(desk, worker, *labels())
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # shortcuts (Ctrl+N, Ctrl+F) need it
    return window


def open_editor(qtbot: Any, window: MainWindow, dossier_id: str) -> Any:
    window.open_dossier(dossier_id)
    qtbot.waitUntil(lambda: window.editor is not None and window.editor.dossier_id == dossier_id)
    return window.editor


def field(editor: Any, path: str) -> Any:
    return editor._fields()[path]


def keys(qtbot: Any, widget: Any, text: str) -> None:
    """Type `text` key by key; accented letters go as key events carrying their text (QTest
    only maps ASCII characters to keys)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for char in text:
        if char.isascii():
            qtbot.keyClicks(widget, char)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))


def type_into(qtbot: Any, editor: Any, path: str, text: str, clear: bool = True) -> None:
    """Go to the field's page and type `text` with real key events."""
    editor.focus_field(path)
    widget = field(editor, path).input
    if clear and hasattr(widget, "clear"):
        widget.selectAll()
        qtbot.keyClick(widget, Qt.Key.Key_Backspace)
    keys(qtbot, widget, text)


def choose(qtbot: Any, editor: Any, path: str, label: str) -> None:
    """Pick `label` in a drop-down list with the arrow keys, as a user would."""
    editor.focus_field(path)
    combo: QComboBox = field(editor, path).input
    target = combo.findText(label)
    assert target >= 0, f"{label!r} not in {path}"
    key = Qt.Key.Key_Down if target > combo.currentIndex() else Qt.Key.Key_Up
    while combo.currentIndex() != target:
        qtbot.keyClick(combo, key)


def saved(editor: Any) -> bool:
    return editor.autosaver.state == "saved" and not editor.autosaver.busy


def page_image(path: Path, text: str = "Justificatif") -> Path:
    """A small scanned-looking page: white sheet with text lines on a grey table."""
    image = Image.new("RGB", (620, 877), "#9a9a9a")
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 580, 837), fill="white")
    for y in range(90, 800, 26):
        draw.text((70, y), f"{text} MARTIN Léa 3 rue des Lilas 69003 Lyon", fill="black")
    image.save(path, dpi=(75, 75))
    return path


def page_pdf(path: Path, text: str = "Justificatif") -> Path:
    image = Image.open(page_image(path.with_suffix(".png"), text))
    image.save(path, "PDF", resolution=75)
    return path


def thaw(path: Path) -> None:
    """Undo `make_read_only` in the middle of a test (the fixture undoes it at the end too)."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(path)], check=False)
    else:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
