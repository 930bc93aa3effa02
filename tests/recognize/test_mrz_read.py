"""Reading the MRZ from images and PDFs of generated documents (OCR-B font from fonts-ocr-b)."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pytest
from PIL import Image

from permis_desktop.cli import main
from permis_desktop.errors import OperationFailed
from permis_desktop.scan.recognize import Cancelled, read_mrz
from permis_desktop.scan.recognize.ocrb import ALPHABET, load_classifier

from .kitmrz import font_available, make_sample, make_truth, render_document, scan_quality

pytestmark = pytest.mark.skipif(
    not font_available(), reason="OCR-B font missing: apt-get install fonts-ocr-b"
)

FIELDS = (
    "document_number",
    "surname",
    "given_names",
    "birth_date",
    "sex",
    "expiry_date",
    "nationality",
)


def _assert_read(result, truth) -> None:  # type: ignore[no-untyped-def]
    assert result.format == truth.format
    assert result.valid, (result.lines, truth.lines, result.checks)
    for name in FIELDS:
        assert getattr(result, name) == getattr(truth, name), name


@pytest.mark.parametrize("fmt", ["TD1", "TD3", "FR_ID_1988"])
@pytest.mark.parametrize("quality", ["scan", "photo"])
def test_generated_documents_are_read_exactly(fmt: str, quality: str) -> None:
    rng = random.Random(f"{fmt}-{quality}")
    for _ in range(3):
        data, truth = make_sample(fmt, quality, rng)
        _assert_read(read_mrz(data), truth)


def test_every_quarter_turn_is_read() -> None:
    rng = random.Random(5)
    truth = make_truth("TD1", rng)
    doc = render_document(truth, rng)
    for angle in (0, 90, 180, 270):
        buf = io.BytesIO()
        doc.rotate(angle, expand=True).save(buf, format="PNG")
        _assert_read(read_mrz(buf.getvalue()), truth)


def test_pdf_page_is_read_and_progress_is_reported(tmp_path: Path) -> None:
    rng = random.Random(6)
    truth = make_truth("TD3", rng)
    pdf = tmp_path / "passeport.pdf"
    render_document(truth, rng).save(pdf, format="PDF", resolution=300)
    steps: list[str] = []
    result = read_mrz(pdf, progress=lambda fraction, text: steps.append(text))
    _assert_read(result, truth)
    assert steps and "MRZ" in steps[0]


def test_cancel_stops_the_read() -> None:
    data, _truth = make_sample("TD1", "scan", random.Random(7))
    with pytest.raises(Cancelled):
        read_mrz(data, cancel=lambda: True)


def test_page_without_mrz_fails_in_french() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (800, 500), (240, 240, 240)).save(buf, format="PNG")
    with pytest.raises(OperationFailed, match="Aucune bande MRZ"):
        read_mrz(buf.getvalue())


def test_classifier_ships_with_the_package_and_knows_the_alphabet() -> None:
    model = load_classifier()
    assert model.w2.shape[1] == len(ALPHABET) == 37


def test_cli_read_mrz_contract(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    rng = random.Random(8)
    truth = make_truth("FR_ID_1988", rng)
    image = tmp_path / "cni.jpg"
    image.write_bytes(scan_quality(render_document(truth, rng), rng))
    assert main(["read-mrz", str(image)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert list(report)[:12] == [
        "format",
        "document_type",
        "country",
        "document_number",
        "surname",
        "given_names",
        "nationality",
        "birth_date",
        "sex",
        "expiry_date",
        "checks",
        "valid",
    ]
    assert report["format"] == "FR_ID_1988" and report["expiry_date"] is None
    assert report["valid"] is True and report["document_number"] == truth.document_number
    blank = tmp_path / "blanc.png"
    Image.new("L", (600, 400), 255).save(blank)
    assert main(["read-mrz", str(blank)]) == 1
    assert "Aucune bande MRZ" in capsys.readouterr().err
    assert main(["read-mrz", str(tmp_path / "absent.jpg")]) == 2
