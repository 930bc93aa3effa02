"""Bad input to the readers: clear French errors (BadInput), never a traceback."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfWriter

from permis_desktop.cli import main
from permis_desktop.errors import BadInput
from permis_desktop.scan.recognize import read_2ddoc, read_mrz
from permis_desktop.scan.recognize.pages import iter_pages


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (400, 300), (200, 180, 160)).save(buf, format="JPEG")
    return buf.getvalue()


def test_truncated_image_is_bad_input() -> None:
    with pytest.raises(BadInput, match="abîmée"):
        list(iter_pages(_jpeg()[:200]))


def test_empty_and_unknown_files_are_bad_input(tmp_path: Path) -> None:
    empty = tmp_path / "vide.jpg"
    empty.write_bytes(b"")
    with pytest.raises(BadInput, match="vide"):
        read_mrz(empty)
    with pytest.raises(BadInput, match="ni une image ni un PDF"):
        read_mrz(b"GIF? no: just text")
    with pytest.raises(BadInput, match="dossier"):
        read_2ddoc(tmp_path)


def test_password_protected_pdf_is_bad_input(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("secret")
    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(BadInput, match="mot de passe"):
        list(iter_pages(buf.getvalue()))


def test_pdf_pages_render_at_300_dpi() -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)  # A4 in points
    buf = io.BytesIO()
    writer.write(buf)
    (page,) = list(iter_pages(buf.getvalue()))
    assert abs(page.shape[0] - 3508) <= 1 and abs(page.shape[1] - 2480) <= 1
    assert page.dtype.name == "uint8"


def test_cli_bad_file_exits_2_in_french(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    broken = tmp_path / "photo.jpg"
    broken.write_bytes(_jpeg()[:150])
    assert main(["read-mrz", str(broken)]) == 2
    assert "abîmée" in capsys.readouterr().err
    assert main(["read-2ddoc", str(broken), "--trust-store", str(tmp_path / "absent")]) == 2
    assert "Magasin de certificats introuvable" in capsys.readouterr().err
