"""Writing scanned pages to files for `permis scan -o`: one PDF, or one image per page.

JPEG pages go into the PDF as they are (DCTDecode, no re-encoding: the scanner's bytes are
the best we have); other images are converted by Pillow; PDF pages from an eSCL device are
appended with pypdf. Every file is written atomically.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from pathlib import Path

from permis_desktop.errors import BadInput, OperationFailed
from permis_desktop.fileutil import atomic_write_bytes
from permis_desktop.scan.devices.base import ScannedPage

log = logging.getLogger(__name__)

_EXTENSIONS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".tif": "TIFF", ".tiff": "TIFF"}
_MEDIA = {"JPEG": "image/jpeg", "PNG": "image/png", "TIFF": "image/tiff"}


def jpeg_page_pdf(data: bytes, dpi: int) -> bytes:
    """A one-page PDF showing a JPEG at its physical size, with the JPEG bytes embedded."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        width, height, mode = image.width, image.height, image.mode
    space = {"L": "/DeviceGray", "RGB": "/DeviceRGB", "CMYK": "/DeviceCMYK"}.get(mode)
    if space is None:
        raise ValueError(f"JPEG mode {mode}")
    # Adobe CMYK JPEGs are stored inverted.
    decode = " /Decode [1 0 1 0 1 0 1 0]" if mode == "CMYK" else ""
    w_pt, h_pt = width * 72 / dpi, height * 72 / dpi
    content = f"q {w_pt:.2f} 0 0 {h_pt:.2f} 0 0 cm /Im0 Do Q".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w_pt:.2f} {h_pt:.2f}] "
        "/Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>".encode(),
        f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace {space} "
        f"/BitsPerComponent 8 /Filter /DCTDecode{decode} /Length {len(data)} >>\nstream\n".encode()
        + data
        + b"\nendstream",
        f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def _page_pdf(page: ScannedPage) -> bytes:
    if page.media_type == "application/pdf":
        return page.data
    if page.media_type == "image/jpeg":
        try:
            return jpeg_page_pdf(page.data, page.dpi)
        except ValueError as exc:
            log.info("page %d: JPEG not embeddable as is (%s); converting", page.index, exc)
    from PIL import Image

    with Image.open(io.BytesIO(page.data)) as image:
        buffer = io.BytesIO()
        image.convert("RGB" if image.mode not in ("L", "1") else image.mode).save(
            buffer, format="PDF", resolution=page.dpi
        )
        return buffer.getvalue()


def pages_to_pdf(pages: Sequence[ScannedPage]) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in pages:
        writer.append(PdfReader(io.BytesIO(_page_pdf(page))))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def image_paths(pattern: str, count: int) -> list[Path]:
    """`page-{n}.jpg` → page-1.jpg, page-2.jpg…; without `{n}` and several pages, `-N` is added."""
    if "{n}" not in pattern:
        if count == 1:
            return [Path(pattern)]
        path = Path(pattern)
        pattern = str(path.with_name(f"{path.stem}-{{n}}{path.suffix}"))
    return [Path(pattern.replace("{n}", str(i))) for i in range(1, count + 1)]


def check_output(output: str) -> None:
    suffix = Path(output.replace("{n}", "1")).suffix.lower()
    if suffix != ".pdf" and suffix not in _EXTENSIONS:
        raise BadInput(
            f"Format de sortie inconnu : « {output} ». Utilisez un fichier .pdf ou un modèle "
            "d'images comme page-{n}.jpg (.jpg, .png, .tif)."
        )


def write_pages(pages: Sequence[ScannedPage], output: str) -> list[Path]:
    """Write the pages; returns the files written (nothing when there is no page)."""
    check_output(output)
    if not pages:
        return []
    try:
        if output.lower().endswith(".pdf"):
            path = Path(output)
            atomic_write_bytes(path, pages_to_pdf(pages))
            return [path]
        written = []
        for page, path in zip(pages, image_paths(output, len(pages)), strict=True):
            fmt = _EXTENSIONS[path.suffix.lower()]
            if page.media_type == _MEDIA[fmt]:
                data = page.data
            elif page.media_type == "application/pdf":
                # The device sent a PDF although images were asked for: keep it as is.
                path = path.with_suffix(".pdf")
                data = page.data
            else:
                from PIL import Image

                with Image.open(io.BytesIO(page.data)) as image:
                    buffer = io.BytesIO()
                    converted = (
                        image.convert("RGB")
                        if fmt == "JPEG" and image.mode not in ("L", "RGB")
                        else image
                    )
                    converted.save(buffer, format=fmt, dpi=(page.dpi, page.dpi))
                    data = buffer.getvalue()
            atomic_write_bytes(path, data)
            written.append(path)
        return written
    except OSError as exc:
        log.error("cannot write scanned pages to %s: %s", output, exc)
        raise OperationFailed(f"Impossible d'écrire {output} : {exc.strerror or exc}.") from None
