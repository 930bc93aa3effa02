"""Opening inputs: every accepted format, and fast French refusals of unsafe files."""

from __future__ import annotations

import io
import struct
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from conftest import text_pdf
from PIL import Image

from permis_desktop.errors import BadInput
from permis_desktop.scan.loader import open_source
from permis_desktop.scan.pipeline import process_file


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` (a decompression bomb's shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def _gradient_image(w: int = 300, h: int = 200) -> Image.Image:
    arr = np.zeros((h, w, 3), np.uint8)
    arr[..., 0] = np.linspace(0, 255, w)[None, :]
    arr[: h // 2, :, 1] = 200
    return Image.fromarray(arr)


def test_jpeg_exif_orientation_is_applied(tmp_path):
    img = _gradient_image()
    exif = img.getexif()
    exif[0x0112] = 6  # rotate 90° clockwise to view
    path = tmp_path / "phone.jpg"
    img.save(path, "JPEG", exif=exif)
    page = open_source(path)[0]
    assert (page.width, page.height) == (200, 300)
    assert page.decode().shape == (300, 200, 3)
    assert page.decode_stored().shape == (200, 300, 3)
    assert page.decode(2).shape == (150, 100, 3)
    upright = page.decode()
    # Top row of the upright image was the stored image's left column, reversed.
    assert upright[0, -1, 1] > 150 and upright[0, 0, 1] < 50


@pytest.mark.parametrize("fmt", ["PNG", "BMP", "WEBP"])
def test_still_formats_open(tmp_path, fmt):
    path = tmp_path / f"image.{fmt.lower()}"
    _gradient_image().save(path, fmt, **({"lossless": True} if fmt == "WEBP" else {}))
    pages = open_source(path)
    assert len(pages) == 1 and pages[0].decode().shape == (200, 300, 3)


def test_transparent_png_becomes_white_paper(tmp_path):
    rgba = Image.new("RGBA", (50, 40), (0, 0, 0, 0))
    path = tmp_path / "alpha.png"
    rgba.save(path)
    assert open_source(path)[0].decode().min() == 255


def test_multipage_tiff_gives_one_page_per_frame_marked_scanned(tmp_path):
    path = tmp_path / "scan.tif"
    first, second = _gradient_image(), _gradient_image(120, 80)
    first.save(path, "TIFF", save_all=True, append_images=[second], dpi=(300, 300))
    pages = open_source(path)
    assert [(p.width, p.height) for p in pages] == [(300, 200), (120, 80)]
    assert all(p.scanned for p in pages) and pages[0].dpi == 300
    assert pages[1].decode().shape == (80, 120, 3)


def test_heic_photo_opens(tmp_path):
    pillow_heif = pytest.importorskip("pillow_heif", reason="pillow-heif is not installed")
    pillow_heif.register_heif_opener()
    path = tmp_path / "phone.heic"
    try:
        _gradient_image().save(path, "HEIF", quality=90)
    except (KeyError, OSError, ValueError) as exc:
        pytest.skip(f"this pillow-heif build cannot encode HEIC: {exc}")
    page = open_source(path)[0]
    assert page.decode().shape == (200, 300, 3)


def test_decompression_bomb_is_refused_from_the_header(tmp_path):
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_claiming(20_000, 20_000))
    start = time.perf_counter()
    with pytest.raises(BadInput, match="mégapixels"):
        open_source(path)
    # Refused from the header: 400 megapixels were never allocated.
    assert time.perf_counter() - start < 5


def test_garbage_and_unsupported_files_are_refused(tmp_path):
    junk = tmp_path / "photo.jpg"
    junk.write_bytes(b"this is not an image at all" * 10)
    with pytest.raises(BadInput, match="format non reconnu"):
        open_source(junk)
    gif = tmp_path / "anim.gif"
    _gradient_image().save(gif, "GIF")
    with pytest.raises(BadInput, match="non pris en charge"):
        open_source(gif)
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(BadInput, match="vide"):
        open_source(empty)
    with pytest.raises(BadInput, match="introuvable"):
        open_source(tmp_path / "missing.jpg")


def test_truncated_jpeg_is_refused_when_decoded(tmp_path):
    buf = io.BytesIO()
    _gradient_image(800, 600).save(buf, "JPEG", quality=95)
    path = tmp_path / "cut.jpg"
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 3])
    with pytest.raises(BadInput, match="endommagé"):
        process_file(path, "proof_of_address")


def test_password_protected_pdf_is_refused(tmp_path):
    from pypdf import PdfReader, PdfWriter

    source = PdfReader(io.BytesIO(text_pdf(["Facture"])))
    writer = PdfWriter()
    writer.add_page(source.pages[0])
    writer.encrypt(user_password="secret", owner_password="owner")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    with pytest.raises(BadInput, match="mot de passe"):
        open_source(path)


def test_damaged_pdf_is_refused(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage without xref")
    with pytest.raises(BadInput):
        open_source(path)


def test_pdf_pages_are_told_apart(tmp_path):
    vector = tmp_path / "ebill.pdf"
    vector.write_bytes(text_pdf(["Facture"], pages=2))
    pages = open_source(vector)
    assert [p.kind for p in pages] == ["vector", "vector"]
    assert (pages[0].width, pages[0].height) == (595, 842)
    scanned = tmp_path / "scan.pdf"
    _gradient_image(850, 1100).save(scanned, "PDF", resolution=100)
    page = open_source(scanned)[0]
    assert page.kind == "raster" and page.scanned and abs(page.dpi - 100) < 1
    assert page.decode().shape[:2] == (1100, 850)


def test_sample_fixtures_are_small(tmp_path):
    folder = Path(__file__).resolve().parent.parent / "data" / "fixtures"
    files = list(folder.glob("*"))
    assert files, "the fixed fixture set is committed"
    assert sum(f.stat().st_size for f in files) < 600_000
    for jpg in folder.glob("*.jpg"):
        assert open_source(jpg)[0].width > 0
