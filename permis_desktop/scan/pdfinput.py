"""PDF inputs: tell born-digital pages from scanned ones, refuse locked files.

An e-bill downloaded from a supplier's site is text and vector drawings: rasterising it would
make it larger and blurrier, so such a page is kept as a PDF page. A scanner's PDF is one
image per page: that page is rendered at its image's own resolution (pdfium, through
pypdfium2) and goes through the same pipeline as a photo.

pdfium is not thread-safe (pypdfium2 documentation, "Thread incompatibility"): each decode
opens its own document and nothing here is shared between threads.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

import numpy as np

from permis_desktop.errors import BadInput
from permis_desktop.scan.loader import (
    MAX_PIXELS,
    MAX_RENDER_DPI,
    Image8,
    Orientation,
    SourcePage,
)

log = logging.getLogger(__name__)

MAX_PDF_PAGES = 200
# A page is a scan when one image covers at least this share of it and there is no text.
_SCAN_COVERAGE = 0.7


def _locked(name: str) -> BadInput:
    return BadInput(
        f"{name} : ce PDF est protégé par un mot de passe. Demandez une version non protégée "
        "ou imprimez-le puis numérisez-le."
    )


def _corrupt(name: str) -> BadInput:
    return BadInput(
        f"{name} : PDF endommagé ou illisible. Téléchargez-le ou exportez-le à nouveau."
    )


def check_pdf(name: str, data: bytes) -> int:
    """Refuse a password-protected or damaged PDF; returns its page count."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # Owner-password-only files (printing/copy restrictions, common on e-bills) open
            # with an empty password; anything else needs a password we do not have.
            try:
                opened = int(reader.decrypt(""))
            except Exception:  # unsupported crypto (e.g. AES without the crypto extra)
                opened = 0
            if not opened:
                log.warning("refused %s: encrypted PDF", name)
                raise _locked(name)
            log.info("%s: owner-password-only PDF opened without a password", name)
        count = len(reader.pages)
    except BadInput:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        log.warning("refused %s: unreadable PDF (%s)", name, exc)
        raise _corrupt(name) from None
    if count == 0:
        raise BadInput(f"{name} : le PDF ne contient aucune page.")
    if count > MAX_PDF_PAGES:
        raise BadInput(
            f"{name} : trop de pages ({count}, maximum {MAX_PDF_PAGES}). Séparez le document."
        )
    return count


def _open_pdfium(name: str, data: bytes) -> Any:
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        log.warning("pdfium refused %s: %s", name, exc)
        if "password" in str(exc).lower():
            raise _locked(name) from None
        raise _corrupt(name) from None


def _classify(page: Any) -> tuple[bool, float | None]:
    """(scanned, image dpi) for one pdfium page."""
    import pypdfium2.raw as raw

    pw, ph = page.get_size()
    area = max(pw * ph, 1.0)
    text = paths = 0
    best_cover = 0.0
    best_dpi: float | None = None
    for obj in page.get_objects(max_depth=3):
        kind = obj.type
        if kind == raw.FPDF_PAGEOBJ_TEXT:
            text += 1
        elif kind == raw.FPDF_PAGEOBJ_PATH:
            paths += 1
        elif kind == raw.FPDF_PAGEOBJ_IMAGE:
            left, bottom, right, top = obj.get_bounds()
            cover = max(0.0, right - left) * max(0.0, top - bottom) / area
            if cover > best_cover:
                best_cover = cover
                try:
                    px_w, px_h = obj.get_px_size()
                    inches = max(right - left, top - bottom) / 72.0
                    best_dpi = max(px_w, px_h) / inches if inches > 0 else None
                except Exception:
                    best_dpi = None
    # Scanner software may add an invisible OCR text layer (text render mode 3) or a frame:
    # only a page with no text at all and few paths is taken for a bare scan.
    scanned = best_cover >= _SCAN_COVERAGE and text == 0 and paths <= 4
    return scanned, best_dpi


def open_pdf(source: str, data: bytes) -> list[SourcePage]:
    name = Path(source).name
    count = check_pdf(name, data)
    doc = _open_pdfium(name, data)
    pages: list[SourcePage] = []
    try:
        for index in range(count):
            page = doc[index]
            try:
                pw, ph = page.get_size()
                if page.get_rotation() in (90, 270):
                    pw, ph = ph, pw
                scanned, img_dpi = _classify(page)
            finally:
                page.close()
            if not scanned:
                pages.append(
                    SourcePage(
                        source=source,
                        page=index + 1,
                        kind="vector",
                        width=round(pw),
                        height=round(ph),
                        dpi=72.0,
                        data=data,
                        pdf_page_index=index,
                    )
                )
                continue
            dpi = float(min(max(img_dpi or 200.0, 100.0), MAX_RENDER_DPI))
            w, h = round(pw * dpi / 72), round(ph * dpi / 72)
            if w * h > MAX_PIXELS:
                dpi *= (MAX_PIXELS / (w * h)) ** 0.5
                w, h = round(pw * dpi / 72), round(ph * dpi / 72)
            pages.append(
                SourcePage(
                    source=source,
                    page=index + 1,
                    kind="raster",
                    width=w,
                    height=h,
                    dpi=dpi,
                    scanned=True,
                    fast_reduce=True,
                    orient=Orientation(1, (w, h)),
                    data=data,
                    pdf_page_index=index,
                    _decode=_renderer(name, data, index, dpi),
                )
            )
    finally:
        doc.close()
    return pages


def _renderer(name: str, data: bytes, index: int, dpi: float) -> Any:
    def decode(reduce: int) -> Image8:
        import cv2

        doc = _open_pdfium(name, data)
        try:
            page = doc[index]
            bitmap = page.render(scale=dpi / 72.0 / reduce, fill_color=(255, 255, 255, 255))
            arr = np.array(bitmap.to_numpy(), dtype=np.uint8, copy=True)
            page.close()
        finally:
            doc.close()
        if arr.ndim == 2:
            return np.asarray(cv2.cvtColor(arr, cv2.COLOR_GRAY2BGR), dtype=np.uint8)
        if arr.shape[2] == 4:
            return np.ascontiguousarray(arr[:, :, :3])
        return arr

    return decode


def render_vector_page(data: bytes, index: int, dpi: float) -> Image8:
    """Rasterise a vector page (for JPEG output or a preview), BGR."""
    return np.asarray(_renderer("document.pdf", data, index, dpi)(1), dtype=np.uint8)
