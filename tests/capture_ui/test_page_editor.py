"""The page editor widget: corners dragged with the mouse (magnifier shown), crop applied,
filter, rotation, reorder and delete, each stored as parameters over the kept original."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from permis_desktop.services.pieces import PieceService

from .test_page_edits import bill_photo


@pytest.fixture
def editor(qtbot, desk, worker, dossier, tmp_path: Path):  # type: ignore[no-untyped-def]
    files = []
    for seed in (0, 1):
        path = tmp_path / f"bill{seed}.jpg"
        cv2.imwrite(str(path), bill_photo(seed), [cv2.IMWRITE_JPEG_QUALITY, 90])
        files.append(path)
    PieceService(desk).attach_files(dossier, "proof_of_address", files)
    from permis_desktop.ui.capture.page_editor import PageEditor

    dialog = PageEditor(desk, worker, dossier, "proof_of_address")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.list.count() == 2, timeout=10000)
    qtbot.waitUntil(lambda: len(dialog.corners.corners) == 4, timeout=10000)
    return dialog


def idle(qtbot, dialog) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: dialog.busy == 0, timeout=30000)


def test_drag_a_corner_with_the_magnifier_then_apply(qtbot, desk, dossier, editor) -> None:  # type: ignore[no-untyped-def]
    before = PieceService(desk).pages_of(dossier, "proof_of_address")
    start = editor.corners.to_screen(editor.corners.corners[0]).toPoint()
    end = start + QPoint(25, 30)
    QTest.mousePress(editor.corners, Qt.MouseButton.LeftButton, pos=start)
    QTest.mouseMove(editor.corners, end)
    assert editor.corners.dragging == 0
    editor.corners.repaint()
    assert editor.corners.loupe_rect.width() > 0  # the magnifier is drawn while dragging
    with qtbot.waitSignal(editor.corners.corners_changed):
        QTest.mouseRelease(editor.corners, Qt.MouseButton.LeftButton, pos=end)
    assert editor.apply_crop.isEnabled()
    moved = editor._edited_corners[0]
    assert moved[0] > before[0].params["corners"][0][0]
    with qtbot.waitSignal(editor.pages_changed, timeout=30000):
        editor.apply_crop.click()
    after = PieceService(desk).pages_of(dossier, "proof_of_address")
    assert np.allclose(after[0].params["corners"][0], moved)
    assert after[0].original_sha256 == before[0].original_sha256  # original untouched
    assert after[0].processed_sha256 != before[0].processed_sha256


def test_filter_rotate_reorder_delete(qtbot, desk, dossier, editor) -> None:  # type: ignore[no-untyped-def]
    before = PieceService(desk).pages_of(dossier, "proof_of_address")
    editor.filter_box.setCurrentIndex(editor.filter_box.findData("bw"))
    editor.filter_box.activated.emit(editor.filter_box.currentIndex())
    idle(qtbot, editor)
    assert editor.pages[0].params["filter"] == "bw"
    editor.rotate_right.click()
    idle(qtbot, editor)
    assert editor.pages[0].params["rotation"] == 90
    editor.reorder([editor.pages[1].id, editor.pages[0].id])
    idle(qtbot, editor)
    assert [p.original_sha256 for p in editor.pages] == [
        before[1].original_sha256,
        before[0].original_sha256,
    ]
    editor.list.setCurrentRow(0)
    editor.delete_page(confirm=False)
    idle(qtbot, editor)
    assert editor.list.count() == 1
    (left,) = PieceService(desk).pages_of(dossier, "proof_of_address")
    assert left.original_sha256 == before[0].original_sha256
    assert left.params["rotation"] == 90 and left.params["filter"] == "bw"
    assert "Page 1" in editor.list.item(0).text()


def test_verdict_reasons_and_explicit_acceptance(qtbot, desk, dossier, editor) -> None:  # type: ignore[no-untyped-def]
    page = editor.current_page()
    if page.verdict == "ok":
        pytest.skip("the generated bill passed the quality gate")
    assert "✖" in editor.verdict.text() and "<li>" in editor.verdict.text()
    assert editor.accept_button.isVisible()
    editor.accept_button.click()
    idle(qtbot, editor)
    assert PieceService(desk).pages_of(dossier, "proof_of_address")[0].params["accepted"] is True
    assert not editor.accept_button.isVisible()
    assert "acceptée" in editor.list.item(0).text()


def test_moving_a_thumbnail_in_the_list_reorders_the_piece(qtbot, desk, dossier, editor) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QModelIndex

    before = PieceService(desk).pages_of(dossier, "proof_of_address")
    # What the list's internal-move drop does: the model moves the row.
    with qtbot.waitSignal(editor.pages_changed, timeout=30000):
        assert editor.list.model().moveRow(QModelIndex(), 1, QModelIndex(), 0)
    after = PieceService(desk).pages_of(dossier, "proof_of_address")
    assert [p.original_sha256 for p in after] == [
        before[1].original_sha256,
        before[0].original_sha256,
    ]
