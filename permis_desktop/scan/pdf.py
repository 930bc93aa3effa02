"""PDF assembly: JPEG pages embedded as they are, vector pages copied as they are.

Re-encoding a JPEG inside a PDF costs quality and bytes for nothing (NAPS2 #160): the JPEG
stream goes into the page as a DCTDecode image XObject, byte for byte. A born-digital page
(an e-bill) is copied from its PDF with its text and drawings intact.

Page size: an A4 page is its image at its resolution; card sides (stacked recto/verso) are
placed at true size at the top of an A4 sheet, so the copy prints like a photocopy.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

A4_PT = (595.276, 841.89)
MM_PT = 72 / 25.4


@dataclass(frozen=True)
class PdfPage:
    """One page to assemble: either a JPEG with its resolution, or a page of a PDF."""

    jpeg: bytes | None = None
    width_px: int = 0
    height_px: int = 0
    dpi: float = 200.0
    gray: bool = False
    # Put on an A4 sheet at true size (card sides) rather than sizing the page to the image.
    on_a4: bool = False
    pdf: bytes | None = None
    pdf_page_index: int = 0


def assemble_pdf(pages: list[PdfPage]) -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        NumberObject,
        RectangleObject,
        StreamObject,
    )

    writer = PdfWriter()
    readers: dict[int, PdfReader] = {}
    for page in pages:
        if page.pdf is not None:
            key = id(page.pdf)
            if key not in readers:
                reader = PdfReader(io.BytesIO(page.pdf))
                if reader.is_encrypted:
                    reader.decrypt("")
                readers[key] = reader
            writer.add_page(readers[key].pages[page.pdf_page_index])
            continue
        assert page.jpeg is not None
        img_w_pt = page.width_px / page.dpi * 72
        img_h_pt = page.height_px / page.dpi * 72
        if page.on_a4:
            page_w, page_h = A4_PT
            x = (page_w - img_w_pt) / 2
            y = page_h - 15 * MM_PT - img_h_pt
        else:
            page_w, page_h = img_w_pt, img_h_pt
            x = y = 0.0
        image = StreamObject()
        image._data = page.jpeg  # already DCT-encoded: written as is
        image.update(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Image"),
                NameObject("/Width"): NumberObject(page.width_px),
                NameObject("/Height"): NumberObject(page.height_px),
                NameObject("/ColorSpace"): NameObject("/DeviceGray" if page.gray else "/DeviceRGB"),
                NameObject("/BitsPerComponent"): NumberObject(8),
                NameObject("/Filter"): NameObject("/DCTDecode"),
            }
        )
        image_ref = writer._add_object(image)
        content = DecodedStreamObject()
        content.set_data(
            f"q {img_w_pt:.3f} 0 0 {img_h_pt:.3f} {x:.3f} {y:.3f} cm /Im0 Do Q".encode("ascii")
        )
        pdf_page = writer.add_blank_page(page_w, page_h)
        pdf_page[NameObject("/Resources")] = DictionaryObject(
            {
                NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): image_ref}),
            }
        )
        pdf_page[NameObject("/Contents")] = writer._add_object(content)
        pdf_page[NameObject("/MediaBox")] = RectangleObject(
            ArrayObject([FloatObject(0), FloatObject(0), FloatObject(page_w), FloatObject(page_h)])
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def single_vector_page(pdf: bytes, index: int) -> bytes:
    """A one-page PDF holding page `index` of `pdf` (what a vector page weighs on its own)."""
    return assemble_pdf([PdfPage(pdf=pdf, pdf_page_index=index)])
