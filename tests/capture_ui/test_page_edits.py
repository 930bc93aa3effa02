"""Page-editor operations of PieceService: every edit re-derives pages from their originals
with stored parameters; originals are never rewritten."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from permis_desktop.errors import BadInput
from permis_desktop.services.pieces import PieceService

from .conftest import card_scene, corpus


@functools.lru_cache(maxsize=4)
def bill_photo(seed: int) -> np.ndarray:
    mc = corpus()
    rng = np.random.default_rng([2030, seed])
    image, *_ = mc.make_photo(rng, "proof_of_address", "ok", "page", (1050, 1400))
    return np.asarray(image)


@pytest.fixture
def two_pages(desk, dossier, tmp_path: Path) -> list[int]:
    files = []
    for seed in (0, 1):
        path = tmp_path / f"bill{seed}.jpg"
        cv2.imwrite(str(path), bill_photo(seed), [cv2.IMWRITE_JPEG_QUALITY, 90])
        files.append(path)
    result = PieceService(desk).attach_files(dossier, "proof_of_address", files)
    return [p.id for p in result.pages]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_recrop_is_non_destructive(desk, dossier, two_pages) -> None:  # type: ignore[no-untyped-def]
    service = PieceService(desk)
    first = service.pages_of(dossier, "proof_of_address")
    # Baseline: every page derived once from its stored parameters.
    before = service.reorder_pages(dossier, "proof_of_address", two_pages).pages
    original = desk.blobs.get(before[0].original_sha256)
    corners = np.array(before[0].params["corners"])
    # Pull the crop inwards by 10 % towards the centre.
    centre = corners.mean(axis=0)
    tighter = (centre + (corners - centre) * 0.9).tolist()
    result = service.update_page(before[0].id, corners=tighter)
    page = result.pages[0]
    assert np.allclose(page.params["corners"], tighter)
    assert page.original_sha256 == before[0].original_sha256
    assert sha(desk.blobs.get(page.original_sha256)) == before[0].original_sha256
    assert desk.blobs.get(page.original_sha256) == original
    assert page.processed_sha256 != before[0].processed_sha256
    # The other page is re-derived identically from its stored parameters.
    assert result.pages[1].processed_sha256 == before[1].processed_sha256
    # Back to automatic detection finds the first outline again.
    again = service.update_page(page.id, auto_corners=True)
    assert np.allclose(again.pages[0].params["corners"], first[0].params["corners"], atol=0.5)


def test_filter_and_rotation_are_stored_and_applied(desk, dossier, two_pages) -> None:  # type: ignore[no-untyped-def]
    service = PieceService(desk)
    before = service.pages_of(dossier, "proof_of_address")
    result = service.update_page(two_pages[0], filter="bw")
    assert result.pages[0].params["filter"] == "bw"
    bw = cv2.imdecode(
        np.frombuffer(desk.blobs.get(result.pages[0].processed_sha256), np.uint8),
        cv2.IMREAD_UNCHANGED,
    )
    gray = bw if bw.ndim == 2 else bw[..., 0]
    # Thresholded: nearly every pixel is black or white (JPEG blurs the edges a little).
    assert float(((gray < 40) | (gray > 215)).mean()) > 0.9
    turned = service.rotate_page(result.pages[0].id)
    assert turned.pages[0].params["rotation"] == 90
    assert turned.pages[0].params["filter"] == "bw"
    assert turned.pages[0].processed_sha256 != result.pages[0].processed_sha256
    # The stored corners are those of the document, whatever the turn.
    assert np.allclose(turned.pages[0].params["corners"], result.pages[0].params["corners"])
    back = service.rotate_page(turned.pages[0].id, -1)
    assert back.pages[0].params["rotation"] == 0
    assert back.pages[0].params["size"] == result.pages[0].params["size"]
    assert before[0].original_sha256 == back.pages[0].original_sha256


def test_reorder_and_delete(desk, dossier, two_pages) -> None:  # type: ignore[no-untyped-def]
    service = PieceService(desk)
    before = service.pages_of(dossier, "proof_of_address")
    result = service.reorder_pages(dossier, "proof_of_address", list(reversed(two_pages)))
    assert [p.original_sha256 for p in result.pages] == [
        before[1].original_sha256,
        before[0].original_sha256,
    ]
    with pytest.raises(BadInput):
        service.reorder_pages(dossier, "proof_of_address", [result.pages[0].id])
    left = service.delete_page(result.pages[0].id)
    assert [p.original_sha256 for p in left.pages] == [before[0].original_sha256]
    assert desk.blobs.get(before[1].original_sha256)  # kept in the store
    empty = service.delete_page(left.pages[0].id)
    assert empty.pages == [] and empty.status == "missing"


def test_accepted_flag_survives_reorder_but_not_an_edit(desk, dossier, two_pages) -> None:  # type: ignore[no-untyped-def]
    service = PieceService(desk)
    service.accept_page(two_pages[0])
    moved = service.reorder_pages(dossier, "proof_of_address", list(reversed(two_pages)))
    assert moved.pages[1].params.get("accepted") is True
    edited = service.update_page(moved.pages[1].id, filter="color")
    assert "accepted" not in edited.pages[1].params


def test_card_sides_stay_composed_after_a_rotation(desk, dossier, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    files = []
    for seed, side in ((0, "recto"), (1, "verso")):
        path = tmp_path / f"{side}.jpg"
        cv2.imwrite(str(path), card_scene(seed, side), [cv2.IMWRITE_JPEG_QUALITY, 90])
        files.append(path)
    service = PieceService(desk)
    result = service.attach_files(dossier, "identity", files)
    turned = service.rotate_page(result.pages[1].id, 2)
    assert turned.pages[0].processed_sha256 == turned.pages[1].processed_sha256
    assert turned.pages[0].processed_sha256 != result.pages[0].processed_sha256
    assert turned.pages[1].params["rotation"] == 180
