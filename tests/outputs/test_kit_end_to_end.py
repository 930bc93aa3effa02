"""From scanned files to the kit through the desk's own services: the capture pipeline
attaches the pages, the workflow validates, the papers service exports. Slow: it runs
OpenCV on three synthetic flatbed scans."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.slow


def _scan(tmp_path: Path, kind: str, side: str, seed: int) -> Path:
    import cv2
    import numpy as np

    from tests.data.make_corpus import make_scan

    image = make_scan(np.random.default_rng(seed), kind, "ok", side)[0]
    path = tmp_path / f"{kind}-{side}.png"
    cv2.imwrite(str(path), image)
    return path


def test_scanned_pieces_become_kit_files_untouched(papers, school, tmp_path) -> None:
    from permis_desktop.services.dossiers import DossierService
    from permis_desktop.services.pieces import PieceService
    from permis_desktop.services.workflow import WorkflowService
    from tests.outputs.conftest import ADULT_B, TODAY

    dossier_id = DossierService(school.db).create(ADULT_B)
    pieces = PieceService(school)
    pieces.attach_files(
        dossier_id,
        "identity",
        [_scan(tmp_path, "identity", "recto", 1), _scan(tmp_path, "identity", "verso", 2)],
        document_type="cni",
    )
    pieces.attach_files(
        dossier_id, "proof_of_address", [_scan(tmp_path, "proof_of_address", "recto", 3)]
    )
    WorkflowService(school.db, today=TODAY).validate(dossier_id)
    kit = papers.export_kit(dossier_id, tmp_path / "kit")
    assert [f.filename for f in kit.files] == [
        "01-justificatif-identite.pdf",
        "02-justificatif-domicile.pdf",
    ]
    assert all(f.within_budget for f in kit.files), kit.to_json()
    detail = DossierService(school.db).get(dossier_id)
    for entry in kit.files:
        piece = next(p for p in detail.pieces if p.kind == entry.kind)
        processed = {pg.processed_sha256 for pg in piece.pages}
        reader = PdfReader(str(kit.folder / entry.filename))
        # Recto and verso were composed on one page by the pipeline: one page in the kit.
        assert len(reader.pages) == len(processed) == 1
        images = [o.get_object() for o in reader.pages[0]["/Resources"]["/XObject"].values()]
        assert images[0]._data == papers.blobs.get(processed.pop())
