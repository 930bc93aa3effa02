"""Two pages side by side on one sheet: the fallback for a recto/verso document when the
printer cannot print on both sides.

The attestation d'inscription must be printed recto/verso on a single sheet and shown to the
examiner (seed/ leaflet). When the printer has no duplex unit, the desk prints both pages
side by side on one side of one A4 sheet (landscape), each scaled to half the sheet, and
warns the user; the same function gives the PDF export of that layout. Pure pypdf: the
pages are placed as vector content, nothing is rasterised.
"""

from __future__ import annotations

import io
import logging

from permis_desktop.errors import BadInput

log = logging.getLogger(__name__)

A4_LANDSCAPE = (841.89, 595.28)  # points
MARGIN = 14.0  # points, about 5 mm: inside every printer's unprintable border


def two_up(pdf: bytes, margin: float = MARGIN) -> bytes:
    """Pages 1-2, 3-4… of `pdf` side by side on landscape A4 sheets (scaled to fit)."""
    from pypdf import PdfReader, PdfWriter, Transformation
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(pdf))
        if reader.is_encrypted and not reader.decrypt(""):
            raise BadInput("Le PDF est protégé par un mot de passe : impossible de l'imposer.")
        # Pages owned by a writer can have their rotation baked into their content.
        pages = list(PdfWriter(clone_from=reader).pages)
    except PdfReadError as exc:
        raise BadInput("Le PDF est endommagé : impossible de l'imposer.") from exc
    if not pages:
        raise BadInput("Le PDF ne contient aucune page.")
    sheet_w, sheet_h = A4_LANDSCAPE
    slot_w = (sheet_w - 3 * margin) / 2
    slot_h = sheet_h - 2 * margin
    writer = PdfWriter()
    for first in range(0, len(pages), 2):
        sheet = writer.add_blank_page(sheet_w, sheet_h)
        for slot, page in enumerate(pages[first : first + 2]):
            if page.rotation:
                page.transfer_rotation_to_content()
            box = page.mediabox
            width, height = float(box.width), float(box.height)
            scale = min(slot_w / width, slot_h / height)
            # Centre the scaled page in its half of the sheet.
            x = margin + slot * (slot_w + margin) + (slot_w - width * scale) / 2
            y = margin + (slot_h - height * scale) / 2
            sheet.merge_transformed_page(
                page,
                Transformation()
                .translate(-float(box.left), -float(box.bottom))
                .scale(scale, scale)
                .translate(x, y),
            )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
