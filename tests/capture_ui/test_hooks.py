"""The capture actions on the wizard's pieces page."""

from __future__ import annotations

from pathlib import Path

import cv2

from permis_desktop.services.pieces import PieceService

from .conftest import card_scene


def make_page(qtbot, desk, worker, dossier):  # type: ignore[no-untyped-def]
    from permis_desktop.ui.wizard.pieces_page import PiecesPage

    page = PiecesPage(desk, worker, dossier, [])
    qtbot.addWidget(page)
    return page


def test_rows_offer_scanner_photo_import_and_pages(qtbot, desk, worker, dossier) -> None:  # type: ignore[no-untyped-def]
    page = make_page(qtbot, desk, worker, dossier)
    row = page._make_row("identity")
    bar = row.action_bar
    names = [
        bar.itemAt(i).widget().objectName() for i in range(bar.count()) if bar.itemAt(i).widget()
    ]
    assert names[:3] == ["scan:identity", "photo:identity", "import:identity"]
    assert "pages:identity" in names
    assert page.inbox_button.text().startswith("À classer")
    # The photo-signature piece is a code, not a document: no capture buttons.
    assert not hasattr(page._make_row("photo_signature"), "capture_buttons")


def test_refresh_after_a_capture_shows_the_pages(
    qtbot, desk, worker, dossier, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from permis_desktop.ui.capture.hooks import refresh_page

    page = make_page(qtbot, desk, worker, dossier)
    page._make_row("identity")
    path = tmp_path / "card.jpg"
    cv2.imwrite(str(path), card_scene(0))
    PieceService(desk).attach_files(dossier, "identity", [path])
    with qtbot.waitSignal(page.pieces_changed, timeout=10000) as blocker:
        refresh_page(page)
    assert [p.kind for p in blocker.args[0].pieces] == ["identity"]
    assert len(page._pages["identity"]) == 1


def test_inbox_file_dropped_on_a_row_is_filed_after_import(qtbot, desk, worker, dossier) -> None:  # type: ignore[no-untyped-def]
    from permis_desktop.scan.devices import Inbox, inbox_dir

    page = make_page(qtbot, desk, worker, dossier)
    row = page._make_row("identity")
    inbox = Inbox(inbox_dir(desk.paths.data))
    inbox.root.mkdir(parents=True, exist_ok=True)
    path = inbox.root / "SCAN0002.JPG"
    cv2.imwrite(str(path), card_scene(0))
    with qtbot.waitSignal(page.pieces_changed, timeout=30000):
        row.files_dropped.emit("identity", [str(path)])
    assert not path.exists()
    assert (inbox.root / "classés" / "SCAN0002.JPG").exists()
    (piece_page,) = PieceService(desk).pages_of(dossier, "identity")
    assert piece_page.source == "SCAN0002.JPG"
