"""Deleting and archiving from the list: confirmation, blob clean-up, history."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from permis_desktop.models.entities import Dossier, Page, Piece
from permis_desktop.outputs.kit import kit_slug
from permis_desktop.services.dossiers import DossierService
from tests.ui.helpers import open_window


def _answer(button_text: str, seen: list[str]) -> None:
    def poll() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            next(b for b in box.buttons() if b.text() == button_text).click()
            return
        QTimer.singleShot(20, poll)

    QTimer.singleShot(20, poll)


def _dossier_with_a_page(desk, name: str, data: bytes) -> tuple[str, str]:
    service = DossierService(desk.db)
    dossier_id = service.create(
        {"procedure": "exam_registration_first", "applicant": {"birth_name": name}}
    )
    sha = desk.blobs.put(data)
    with desk.db.transaction() as session:
        dossier = session.get(Dossier, dossier_id)
        piece = Piece(kind="identity", status="provided")
        dossier.pieces.append(piece)
        piece.pages.append(Page(original_sha256=sha))
    return dossier_id, sha


def _select(qtbot, window, dossier_id: str) -> None:
    qtbot.waitUntil(lambda: window.model.row_of(dossier_id) >= 0)
    window.table.selectRow(window.model.row_of(dossier_id))


def test_delete_asks_then_removes_the_dossier_and_its_unshared_pages(qtbot, desk, worker) -> None:
    gone, gone_sha = _dossier_with_a_page(desk, "Supprimé", b"page of the deleted dossier")
    kept, kept_sha = _dossier_with_a_page(desk, "Gardé", b"page of the kept dossier")
    # Kits the filing assistant prepared hold copies of the pages: they go with the dossier.
    kits = {}
    for dossier_id, name in ((gone, "supprime"), (kept, "garde")):
        folder = desk.paths.kits / kit_slug(name, dossier_id)
        folder.mkdir(parents=True)
        (folder / "01-identite.pdf").write_bytes(b"%PDF-1.4 copy of a page")
        folder.with_name(folder.name + ".zip").write_bytes(b"PK zip of the kit")
        kits[dossier_id] = folder
    window = open_window(qtbot, desk, worker)
    _select(qtbot, window, gone)
    seen: list[str] = []
    _answer("Annuler", seen)
    window.action_delete.trigger()
    assert "Supprimer définitivement le dossier de SUPPRIMÉ" in seen[0]
    assert DossierService(desk.db).count() == 2
    _answer("Supprimer", seen)
    window.action_delete.trigger()
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    assert [r.id for r in DossierService(desk.db).list()] == [kept]
    assert not desk.blobs.exists(gone_sha) and desk.blobs.exists(kept_sha)
    assert sorted(p.name for p in desk.paths.kits.iterdir()) == [
        kits[kept].name,
        kits[kept].name + ".zip",
    ]
    assert "supprimé" in window.statusBar().currentMessage()


def test_archive_asks_hides_the_dossier_and_records_it(qtbot, desk, worker) -> None:
    dossier_id, sha = _dossier_with_a_page(desk, "Archivé", b"archived page")
    window = open_window(qtbot, desk, worker)
    _select(qtbot, window, dossier_id)
    seen: list[str] = []
    _answer("Archiver", seen)
    window.action_archive.trigger()
    qtbot.waitUntil(lambda: window.model.rowCount() == 0)
    assert "Archiver le dossier de ARCHIVÉ" in seen[0]
    detail = DossierService(desk.db).get(dossier_id)
    assert detail.archived and detail.history[-1].message == "Dossier archivé"
    assert desk.blobs.exists(sha)
    window.list_page.show_archived.setChecked(True)
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
