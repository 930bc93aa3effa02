"""The "À classer" inbox with a real watched folder: a printer's scan arrives, is moved into
the inbox once stable, then assigned to a piece (pages attached, file filed) or dismissed."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from .conftest import card_scene, piece_pages


@pytest.fixture
def scanned_page(tmp_path: Path) -> bytes:
    ok, buf = cv2.imencode(".jpg", card_scene(4), [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok
    return bytes(buf)


def open_inbox(qtbot, desk, worker, dossier):  # type: ignore[no-untyped-def]
    from permis_desktop.ui.capture.inbox import InboxDialog

    dialog = InboxDialog(desk, worker, dossier, kinds=["identity", "proof_of_address"])
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_watched_folder_file_assigned_to_a_piece(
    qtbot, desk, worker, dossier, tmp_path, scanned_page
) -> None:  # type: ignore[no-untyped-def]
    watched = tmp_path / "scans"
    watched.mkdir()
    dialog = open_inbox(qtbot, desk, worker, dossier)
    dialog.timer.setInterval(100)
    dialog.set_watch_folder(watched)
    (watched / "SCAN0001.JPG").write_bytes(scanned_page)
    qtbot.waitUntil(lambda: dialog.items_view.count() == 1, timeout=15000)
    assert not (watched / "SCAN0001.JPG").exists()  # moved out of the shared folder
    qtbot.waitUntil(lambda: not dialog.items_view.item(0).icon().isNull(), timeout=10000)
    dialog.items_view.item(0).setSelected(True)
    dialog.piece_box.setCurrentIndex(dialog.piece_box.findData("identity"))
    with qtbot.waitSignal(dialog.pages_attached, timeout=30000):
        dialog.assign_button.click()
    (page,) = piece_pages(desk, dossier, "identity")
    assert desk.blobs.get(page.original_sha256) == scanned_page
    assert dialog.items_view.count() == 0
    filed = dialog.inbox.root / "classés" / "SCAN0001.JPG"
    assert filed.read_bytes() == scanned_page


def test_dismissed_file_is_kept_aside(qtbot, desk, worker, dossier, tmp_path, scanned_page) -> None:  # type: ignore[no-untyped-def]
    dialog = open_inbox(qtbot, desk, worker, dossier)
    dialog.inbox.root.mkdir(parents=True, exist_ok=True)
    (dialog.inbox.root / "pub.jpg").write_bytes(scanned_page)
    dialog.refresh()
    dialog.items_view.item(0).setSelected(True)
    dialog.dismiss_button.click()
    qtbot.waitUntil(lambda: dialog.items_view.count() == 0, timeout=10000)
    assert (dialog.inbox.root / "ignorés" / "pub.jpg").read_bytes() == scanned_page
    assert piece_pages(desk, dossier, "identity") == []


def test_unreadable_file_stays_in_the_inbox_with_a_message(qtbot, desk, worker, dossier) -> None:  # type: ignore[no-untyped-def]
    dialog = open_inbox(qtbot, desk, worker, dossier)
    dialog.inbox.root.mkdir(parents=True, exist_ok=True)
    (dialog.inbox.root / "broken.jpg").write_bytes(b"\xff\xd8\xff not really a jpeg")
    dialog.refresh()
    dialog.items_view.item(0).setSelected(True)
    dialog.assign_button.click()
    qtbot.waitUntil(lambda: dialog.busy == 0, timeout=20000)
    assert dialog.items_view.count() == 1
    assert "broken.jpg" in dialog.status.text()
    assert (dialog.inbox.root / "broken.jpg").exists()


def test_inbox_items_drag_as_files(qtbot, desk, worker, dossier, scanned_page) -> None:  # type: ignore[no-untyped-def]
    dialog = open_inbox(qtbot, desk, worker, dossier)
    dialog.inbox.root.mkdir(parents=True, exist_ok=True)
    (dialog.inbox.root / "a.jpg").write_bytes(scanned_page)
    dialog.refresh()
    mime = dialog.items_view.mimeData([dialog.items_view.item(0)])
    assert [u.toLocalFile() for u in mime.urls()] == [str(dialog.inbox.root / "a.jpg")]
