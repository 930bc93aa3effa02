"""The capture pipeline on generated photos and scans with ground truth."""

from __future__ import annotations

import io
import subprocess
import sys
import threading
from pathlib import Path

import corpus_metrics as cm
import cv2
import numpy as np
import pytest
from conftest import first_sample, mc, text_pdf

from permis_desktop.scan.detect import detect_corners
from permis_desktop.scan.formats import format_for
from permis_desktop.scan.loader import open_source
from permis_desktop.scan.pipeline import (
    CaptureCancelled,
    PageParams,
    process_file,
    process_files,
    process_page,
)


def test_card_photo_is_found_rectified_upright_and_within_budget(card_photo):
    sample, path = card_photo
    result = process_file(path, "identity")
    page = result.pages[0]
    # Corners in source pixels, clockwise from the document's own top-left corner.
    assert cm.corner_error(np.array(page.corners), np.array(sample.corners), ordered=True) < 0.015
    assert page.size == (1011, 638)  # ID-1 at 300 dpi
    assert page.verdict == "ok", page.reasons
    assert abs(page.dpi - sample.dpi) / sample.dpi < 0.03
    assert len(result.outputs) == 1 and result.outputs[0].bytes <= 500_000
    delivered = cv2.cvtColor(page.image, cv2.COLOR_BGR2GRAY)
    flat = cv2.cvtColor(
        cv2.resize(sample.flat, page.size, interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2GRAY
    )
    assert cm.ssim(delivered, flat) >= 0.8


def test_bill_photo_gives_a_grey_a4_page_within_budget(bill_photo):
    sample, path = bill_photo
    result = process_file(path, "proof_of_address")
    page = result.pages[0]
    assert cm.corner_error(np.array(page.corners), np.array(sample.corners), ordered=True) < 0.015
    assert page.verdict == "ok", page.reasons
    assert page.image is not None and page.image.ndim == 2  # auto = gray for bills
    w, h = page.size
    assert abs(w / h - 210 / 297) < 0.01
    assert result.outputs[0].bytes <= 300_000
    flat = cv2.cvtColor(
        cv2.resize(sample.flat, page.size, interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2GRAY
    )
    assert cm.ssim(page.image, flat) >= 0.8


MATRIX = [
    ("blurry", "identity"),
    ("blurry", "proof_of_address"),
    ("glare", "identity"),
    ("glare", "proof_of_address"),
    ("dark", "identity"),
    ("dark", "proof_of_address"),
    ("overexposed", "identity"),
    ("overexposed", "proof_of_address"),
    ("cut_off", "identity"),
    ("cut_off", "proof_of_address"),
    ("occluded", "identity"),
    ("occluded", "proof_of_address"),
    ("too_small", "identity"),
    ("too_small", "proof_of_address"),
    ("blank", "proof_of_address"),
    ("shadow", "identity"),
    ("shadow", "proof_of_address"),
    ("white_table", "identity"),
    ("white_table", "proof_of_address"),
]


def _verdicts(tmp_path, seed):
    rows = []
    for condition, kind in MATRIX:
        sample = first_sample(seed, kind=kind, condition=condition)
        path = mc.save_jpeg(sample, tmp_path / f"{condition}-{kind}.jpg")
        page = process_file(path, kind).pages[0]
        if page.verdict != "ok":
            assert page.reasons, "a refused page says why"
        rows.append((sample.name, sample.expected, page.verdict))
    return rows


def test_verdicts_on_degraded_photos(tmp_path):
    """One photo per condition and kind: most verdicts right, degraded pages not accepted.
    (Rates over hundreds of photos are measured by bench/capture.py.)"""
    rows = _verdicts(tmp_path, 3)
    right = [r for r in rows if r[1] == r[2]]
    false_accepts = [r for r in rows if r[1] != "ok" and r[2] == "ok"]
    assert len(right) >= 0.75 * len(rows), rows
    assert len(false_accepts) <= 1, rows
    # The photometric problems do not depend on finding the outline: always right.
    for name, expected, got in rows:
        if expected in ("blurry", "dark", "overexposed", "blank"):
            assert got == expected, (name, got)


@pytest.mark.slow
def test_verdicts_on_more_photos(tmp_path):
    # 57 photos: a rate over a few dozen pages, not one seed's 19 (where one page is 5 %).
    rows = [row for seed in (4, 5, 6) for row in _verdicts(tmp_path, seed)]
    right = [r for r in rows if r[1] == r[2]]
    false_accepts = [r for r in rows if r[1] != "ok" and r[2] == "ok"]
    assert len(right) >= 0.85 * len(rows), rows
    assert len(false_accepts) <= 3, rows


def test_card_on_flatbed_comes_out_as_the_card_alone(tmp_path):
    sample = first_sample(5, kind="identity", capture="scan")
    path = mc.save_jpeg(sample, tmp_path / "scan.jpg")
    src = open_source(path)[0]
    assert src.scanned and src.dpi == 300
    page = process_file(path, "identity").pages[0]
    assert cm.corner_error(np.array(page.corners), np.array(sample.corners)) < 0.015
    assert page.size == (1011, 638)
    assert page.verdict == "ok", page.reasons


def test_a4_scan_filling_the_platen_is_not_cut_off(tmp_path):
    sample = first_sample(5, kind="proof_of_address", capture="scan")
    path = mc.save_jpeg(sample, tmp_path / "scan.jpg")
    page = process_file(path, "proof_of_address").pages[0]
    assert page.verdict == "ok", page.reasons
    assert cm.corner_error(np.array(page.corners), np.array(sample.corners)) < 0.015


def test_exif_rotated_phone_photo_reports_upright_corners(tmp_path, card_photo):
    from PIL import Image

    sample, _ = card_photo
    # A phone stores the sensor's pixels and says "rotate 90° clockwise to view" (tag 6).
    stored = cv2.rotate(sample.image, cv2.ROTATE_90_COUNTERCLOCKWISE)
    img = Image.fromarray(cv2.cvtColor(stored, cv2.COLOR_BGR2RGB))
    exif = img.getexif()
    exif[0x0112] = 6
    path = tmp_path / "phone.jpg"
    img.save(path, "JPEG", quality=92, exif=exif)
    src = open_source(path)[0]
    assert (src.width, src.height) == (sample.image.shape[1], sample.image.shape[0])
    page = process_file(path, "identity").pages[0]
    assert cm.corner_error(np.array(page.corners), np.array(sample.corners), ordered=True) < 0.015
    assert page.size == (1011, 638)


def test_parameters_reapply_to_the_original_non_destructively(card_photo):
    sample, path = card_photo
    fmt = format_for("identity")
    first = process_page(open_source(path)[0], fmt)
    stored = PageParams.from_json(first.params.to_json())
    stored.filter = "bw"
    again = process_page(open_source(path)[0], fmt, params=stored)
    assert np.allclose(again.corners, first.corners)
    assert again.image.ndim == 2 and set(np.unique(again.image)) <= {0, 255}
    # A user's half turn is applied on top of the stored corners, and kept apart.
    stored.rotation = 180
    turned = process_page(open_source(path)[0], fmt, params=stored)
    assert turned.params.rotation == 180
    assert np.allclose(turned.params.corners, first.params.corners)
    assert np.mean(np.abs(turned.image.astype(int) - again.image[::-1, ::-1].astype(int))) < 8


def test_user_corners_are_used_as_given(bill_photo):
    sample, path = bill_photo
    fmt = format_for("proof_of_address")
    params = PageParams(corners=sample.corners, filter="gray")
    page = process_page(open_source(path)[0], fmt, params=params)
    assert np.allclose(page.corners, sample.corners)


def test_progress_and_cancellation(card_photo, bill_photo):
    calls: list[tuple[int, int]] = []
    process_files(
        [card_photo[1], card_photo[1]],
        "identity",
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(1, 3), (2, 3), (3, 3)]
    event = threading.Event()
    event.set()
    with pytest.raises(CaptureCancelled):
        process_files([bill_photo[1]], "proof_of_address", cancel=event)
    seen = []

    def cancel_after_first() -> bool:
        seen.append(1)
        return len(seen) > 1

    with pytest.raises(CaptureCancelled):
        process_files([bill_photo[1], bill_photo[1]], "proof_of_address", cancel=cancel_after_first)


def test_tight_budget_lowers_resolution_but_is_met(bill_photo):
    result = process_file(bill_photo[1], "proof_of_address", budget_bytes=60_000)
    out = result.outputs[0]
    assert out.bytes <= 60_000
    assert out.dpi < 200


def test_identity_sides_share_one_page_and_the_watermark_spares_the_mrz(tmp_path):
    recto = first_sample(7, kind="identity")
    verso = next(
        s
        for s in mc.generate(9, 40, scan_share=0.0, conditions=("ok",), kinds=("identity",))
        if s.side == "verso"
    )
    paths = [
        mc.save_jpeg(recto, tmp_path / "recto.jpg"),
        mc.save_jpeg(verso, tmp_path / "verso.jpg"),
    ]
    marked = process_files(paths, "identity")
    plain = process_files(paths, "identity", watermark_identity=False)
    assert len(marked.outputs) == 1 and marked.outputs[0].on_a4
    assert [p.output_page for p in marked.pages] == [1, 1]
    assert marked.outputs[0].bytes <= 500_000
    a = cv2.imdecode(np.frombuffer(marked.outputs[0].jpeg, np.uint8), cv2.IMREAD_GRAYSCALE)
    b = cv2.imdecode(np.frombuffer(plain.outputs[0].jpeg, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert a.shape == b.shape
    # Second card (verso, with its MRZ at the bottom): compare its bands.
    h_card = marked.pages[1].size[1]
    margin = round(300 / 25.4 * 6)
    top = 2 * margin + h_card
    diff = np.abs(a.astype(int) - b.astype(int))
    upper = diff[top + int(0.1 * h_card) : top + int(0.55 * h_card)].mean()
    mrz = diff[top + int(0.66 * h_card) : top + h_card].mean()
    assert upper > 3 * mrz + 0.5


def test_pdf_embeds_jpeg_as_is_and_keeps_vector_pages(tmp_path, bill_photo):
    from pypdf import PdfReader

    pdf_in = tmp_path / "ebill.pdf"
    pdf_in.write_bytes(text_pdf(["Facture electricite", "Montant 42,00 EUR"]))
    result = process_files([bill_photo[1], pdf_in], "proof_of_address")
    assert [p.vector for p in result.pages] == [False, True]
    data = result.pdf()
    assert result.outputs[0].jpeg in data  # DCT stream copied, not re-encoded
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2
    assert "Facture electricite" in reader.pages[1].extract_text()
    box = reader.pages[0].mediabox
    assert abs(float(box.width) / float(box.height) - 210 / 297) < 0.01


def test_scanned_pdf_page_is_processed_as_an_image(tmp_path):
    from PIL import Image

    sample = first_sample(5, kind="proof_of_address", capture="scan")
    pdf = tmp_path / "scan.pdf"
    Image.fromarray(cv2.cvtColor(sample.image, cv2.COLOR_BGR2RGB)).save(pdf, "PDF", resolution=200)
    src = open_source(pdf)[0]
    assert src.kind == "raster" and src.scanned and abs(src.dpi - 200) < 2
    page = process_file(pdf, "proof_of_address").pages[0]
    assert not page.vector and page.verdict == "ok", page.reasons


def test_preview_frame_detection(tmp_path):
    frames = {"identity": (1280, 720), "proof_of_address": (1280, 720)}
    sample = next(
        mc.generate(
            21, 1, photo_frames=frames, scan_share=0.0, conditions=("ok",), kinds=("identity",)
        )
    )
    corners = detect_corners(sample.image)
    assert corners.found
    assert cm.corner_error(corners.array(), np.array(sample.corners)) < 0.03


def test_importing_the_piece_service_does_not_load_opencv():
    code = (
        "import sys; import permis_desktop.services.pieces, permis_desktop.scan.pipeline; "
        "print('cv2' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert out.stdout.strip() == "False"


def _edgeless_scan(tmp_path, degrees: float) -> tuple[Path, np.ndarray]:
    """A bill filling the platen at 200 dpi, turned by `degrees` (counterclockwise on
    screen), its paper the colour of the lid: no edge to straighten from."""
    from PIL import Image

    flat = mc.render_bill(np.random.default_rng(1))
    gray = cv2.resize(cv2.cvtColor(flat, cv2.COLOR_BGR2GRAY), (1654, 2339))
    paper = int(np.median(gray))
    turn = cv2.getRotationMatrix2D((1654 / 2, 2339 / 2), degrees, 1.0)
    scan = cv2.warpAffine(gray, turn, (1654, 2339), borderValue=paper)
    path = tmp_path / f"scan-{degrees}.jpg"
    Image.fromarray(scan).save(path, "JPEG", quality=92, dpi=(200, 200))
    return path, scan


@pytest.mark.parametrize("degrees", [-2.5, 1.5])
def test_a_scan_without_paper_edges_is_straightened_by_its_text(tmp_path, degrees):
    from permis_desktop.scan.deskew import text_skew

    path, scan = _edgeless_scan(tmp_path, degrees)
    assert text_skew(scan) == pytest.approx(-degrees, abs=0.15)
    page = process_file(path, "proof_of_address").pages[0]
    assert page.verdict == "ok", page.reasons
    out = page.image if page.image.ndim == 2 else cv2.cvtColor(page.image, cv2.COLOR_BGR2GRAY)
    assert abs(text_skew(out) or 0.0) <= 0.15
    # The crop is the page turned back: its top side slopes like the text did.
    (x0, y0), (x1, y1) = page.corners[0], page.corners[1]
    assert np.degrees(np.arctan2(y1 - y0, x1 - x0)) == pytest.approx(-degrees, abs=0.15)


def test_a_straight_edgeless_scan_is_left_as_it_is(tmp_path):
    path, _ = _edgeless_scan(tmp_path, 0.0)
    page = process_file(path, "proof_of_address").pages[0]
    # The whole platen, square: no line of text taken for the paper's edge.
    frame = [[-0.5, -0.5], [1653.5, -0.5], [1653.5, 2338.5], [-0.5, 2338.5]]
    assert np.allclose(page.corners, frame, atol=1.0) and page.verdict == "ok"
