"""A complement request from the agency, seen in the dossier editor: the message, the
pieces to redo (re-opened), the offer to replace their refused pages, and the new version
sent when the dossier is validated again."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import Qt

from permis_desktop.services.dossiers import DossierService, EventInfo
from permis_desktop.services.pieces import PieceService
from permis_desktop.services.workflow import WorkflowService
from permis_desktop.sync.client import FeedEvent
from permis_desktop.sync.feed import describe
from permis_desktop.ui.sync.complement import complement_request
from tests.server.desk import Desk
from tests.ui.helpers import open_editor, page_image

from .conftest import configure

TODAY = dt.date.today()

ADULT_B: dict[str, Any] = {
    "procedure": "exam_registration_first",
    "categories": ["B"],
    "training_mode": "traditional",
    "mandate": True,
    "applicant": {
        "sex": "F",
        "birth_name": "Martin",
        "given_names": ["Léa"],
        "birth_date": "1996-05-14",
        "nationality": "FRA",
        "email": "lea@example.fr",
        "mobile": "0612345678",
        "birth_place": {"commune": "Lyon", "insee": "69123", "country": "FRA"},
        "address": {
            "line1": "3 rue des Lilas",
            "postal_code": "69003",
            "city": "Lyon",
            "country": "FRA",
        },
    },
    "photo_signature": {
        "code": "ABCD1234EFGH5678IJKL90",
        "taken": (TODAY - dt.timedelta(days=10)).isoformat(),
    },
    "pieces": [
        {"kind": "identity", "document_type": "cni", "expires": "2034-01-01"},
        {
            "kind": "proof_of_address",
            "document_type": "bill",
            "issued": (TODAY - dt.timedelta(days=20)).isoformat(),
        },
        {"kind": "photo_signature"},
    ],
}


def _detail(status: str, message: str, pieces: list[str]) -> Any:
    from permis_desktop.services.dossiers import DossierDetail

    line = describe(FeedEvent(3, "x", "", "in_review", status, 1, "back_office", message, pieces))
    now = dt.datetime(2026, 1, 1)
    return DossierDetail(
        "x",
        status,
        1,
        now,
        now,
        {},
        history=[EventInfo(now, "in_review", status, "server", line)],
    )


def test_the_request_is_read_back_from_the_history_line_the_feed_writes() -> None:
    request = complement_request(
        _detail("complement_requested", "Facture de plus de 6 mois.", ["proof_of_address"])
    )
    assert request is not None
    assert request.message == "Facture de plus de 6 mois."
    assert request.pieces == ["proof_of_address"]
    request = complement_request(
        _detail("complement_requested", "", ["identity", "photo_signature"])
    )
    assert request is not None and request.pieces == ["identity", "photo_signature"]
    assert request.message == ""
    assert complement_request(_detail("in_review", "x", [])) is None


@pytest.fixture
def desk(server, live, tmp_path):
    d = Desk(tmp_path / "desk1", live, server.token("agence-nord", "guichet-1"))
    configure(d)
    yield d
    d.close()


def test_complement_request_reopens_pieces_in_the_editor_and_goes_back_as_version_2(
    qtbot, server, desk, windows, tmp_path
) -> None:
    from permis_server.service import get_dossier, set_status

    ctx = desk.ctx
    did = DossierService(ctx.db).create(copy.deepcopy(ADULT_B))
    pieces = PieceService(ctx)
    pieces.attach_files(did, "identity", [page_image(tmp_path / "cni.png", "CARTE IDENTITE")])
    pieces.attach_files(did, "proof_of_address", [page_image(tmp_path / "old.png", "Facture")])
    WorkflowService(ctx.db).validate(did)
    window = windows(qtbot, desk)
    window.sync.start()
    qtbot.waitUntil(lambda: desk.status(did) == "submitted", timeout=15000)
    sent = get_dossier(server.db, did, None).version

    set_status(server.db, did, "in_review")
    set_status(
        server.db,
        did,
        "complement_requested",
        "Justificatif de domicile de plus de 6 mois.",
        ["proof_of_address"],
    )
    qtbot.waitUntil(lambda: desk.status(did) == "complement_requested", timeout=10000)
    notifier = window.sync_notifier
    qtbot.waitUntil(
        lambda: any("Pièces à refaire" in text for _t, text in notifier.messages), timeout=5000
    )

    editor = open_editor(qtbot, window, did)
    banner = editor.complement.banner
    assert banner.isVisible()
    text = banner.text.text()
    assert "Justificatif de domicile de plus de 6 mois." in text
    assert "Justificatif de domicile" in text and "piece:proof_of_address" in text
    assert f"nouvelle version (il en est à la {editor.complement.version})" in text
    # Exactly the named piece is re-opened; the editor is editable again.
    assert {line.kind: line.status for line in editor.checklist.pieces}["proof_of_address"] != (
        "provided"
    )
    assert {line.kind: line.status for line in editor.checklist.pieces}["identity"] == "provided"
    assert editor.editable
    assert [o.field for o in editor.obstacles] == ["pieces.proof_of_address"]

    # The refused page is still attached: the row offers to remove it.
    qtbot.mouseClick(banner.go, Qt.MouseButton.LeftButton)
    assert editor.current_step == "pieces"
    window.activateWindow()
    qtbot.waitUntil(
        lambda: editor.pieces_page.rows["proof_of_address"].hasFocus() or banner.go.click()
    )
    offer = editor.complement.offers["proof_of_address"]
    assert offer.isVisible() and "1 ancienne(s) page(s)" in offer.text.text()
    page = editor.pieces_page
    page.import_files("proof_of_address", [str(page_image(tmp_path / "new.png", "Quittance"))])
    qtbot.waitUntil(lambda: page.imports_running == 0, timeout=30000)
    qtbot.waitUntil(lambda: "1 nouvelle(s) page(s)" in offer.text.text(), timeout=10000)
    assert offer.button.text() == "Remplacer les anciennes pages"
    qtbot.mouseClick(offer.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not offer.isVisible(), timeout=30000)
    detail = DossierService(ctx.db).get(did)
    [proof] = [p for p in detail.pieces if p.kind == "proof_of_address"]
    assert len(proof.pages) == 1 and proof.status == "provided"
    assert proof.pages[0].params["source_name"] == "new.png"

    # Validated again: the worker wakes, version 2 (or later) reaches the agency.
    editor.go_to("recapitulatif")
    qtbot.waitUntil(lambda: editor.summary.validate_button.isEnabled(), timeout=10000)
    qtbot.mouseClick(editor.summary.validate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: desk.status(did) == "submitted", timeout=15000)
    remote = get_dossier(server.db, did, None)
    assert remote.version > sent and remote.status == "submitted"
    with desk.db.transaction() as session:
        from permis_desktop.models.entities import Dossier

        local = [
            p.processed_sha256 or p.original_sha256
            for piece in session.get(Dossier, did).pieces
            for p in piece.pages
        ]
    assert sorted(remote.pages) == sorted(local)
    qtbot.waitUntil(lambda: window.editor is not None and window.editor.status == "submitted")
    assert not window.editor.complement.banner.isVisible()
