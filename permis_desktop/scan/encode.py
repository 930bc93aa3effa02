"""Encoding pages to a byte budget, composing card sides, and the identity-copy watermark.

Size is decided the way FairScan does it (reference/capture-and-sync.md §2.1): resolution
from the physical size (never a pixel count, which would give a receipt and an A4 page
different dpi), then a JPEG quality ladder, then the *measured* byte size is checked. NAPS2
users complain of PDFs three to six times larger than needed (#44, #80, #56): the budget is
a hard limit here, resolution goes down only when the ladder's lowest quality does not fit.

Identity documents: schools send the recto and verso on one page, as a photocopy would
(reference/domain-ants.md §4). The watermark ("copie destinée au dossier…") marks the copy
for its purpose before it leaves the desk; it stays in the upper part of each card, so that
the MRZ (bottom third of an ICAO 9303 TD1 card) stays readable.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import numpy as np

from permis_desktop.scan.loader import Image8

log = logging.getLogger(__name__)

QUALITY_LADDER = (88, 82, 76, 70, 64, 58, 52, 46, 40)
WATERMARK_TEXT = "Copie destinée au dossier de permis de conduire – {date}"


@dataclass(frozen=True)
class Encoded:
    jpeg: bytes
    width: int
    height: int
    quality: int
    # Output resolution after any downscaling needed to fit the budget.
    dpi: float
    gray: bool


def _encode(image: Image8, quality: int) -> bytes:
    import cv2

    ok, buf = cv2.imencode(
        ".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality, cv2.IMWRITE_JPEG_OPTIMIZE, 1]
    )
    if not ok:  # pragma: no cover - OpenCV only fails on empty images
        raise ValueError("JPEG encoding failed")
    return bytes(buf.tobytes())


def encode_to_budget(
    image: Image8, budget_bytes: int, dpi: float, min_quality: int = 40
) -> Encoded:
    """The best-quality JPEG of `image` within `budget_bytes`, shrinking it if it must."""
    import cv2

    gray = image.ndim == 2
    current = image
    current_dpi = dpi
    ladder = [q for q in QUALITY_LADDER if q >= min_quality]
    for _ in range(8):
        # Binary search over the ladder: ~3 encodes instead of up to 9.
        lo, hi = 0, len(ladder) - 1
        best: tuple[bytes, int] | None = None
        while lo <= hi:
            mid = (lo + hi) // 2
            data = _encode(current, ladder[mid])
            if len(data) <= budget_bytes:
                best = (data, ladder[mid])
                hi = mid - 1
            else:
                lo = mid + 1
        if best is not None:
            h, w = current.shape[:2]
            return Encoded(best[0], w, h, best[1], current_dpi, gray)
        # Even the lowest quality is too big: shrink and try again.
        smallest = len(_encode(current, ladder[-1]))
        factor = max(0.5, min(0.92, (budget_bytes / smallest) ** 0.5 * 0.95))
        h, w = current.shape[:2]
        current = np.asarray(
            cv2.resize(
                current,
                (max(8, round(w * factor)), max(8, round(h * factor))),
                interpolation=cv2.INTER_AREA,
            ),
            dtype=np.uint8,
        )
        current_dpi *= factor
        log.info(
            "page over budget at quality %d (%d > %d bytes): scaled to %.0f dpi",
            ladder[-1],
            smallest,
            budget_bytes,
            current_dpi,
        )
    h, w = current.shape[:2]
    data = _encode(current, ladder[-1])
    return Encoded(data, w, h, ladder[-1], current_dpi, gray)


def compose_sides(sides: list[Image8], margin_px: int) -> Image8:
    """Stack card sides one above the other on white, as on a photocopy."""
    import cv2

    colour = any(s.ndim == 3 for s in sides)
    prepared = [cv2.cvtColor(s, cv2.COLOR_GRAY2BGR) if colour and s.ndim == 2 else s for s in sides]
    width = max(s.shape[1] for s in prepared) + 2 * margin_px
    height = sum(s.shape[0] for s in prepared) + margin_px * (len(prepared) + 1)
    shape = (height, width, 3) if colour else (height, width)
    page = np.full(shape, 255, np.uint8)
    y = margin_px
    for s in prepared:
        x = (width - s.shape[1]) // 2
        page[y : y + s.shape[0], x : x + s.shape[1]] = s
        y += s.shape[0] + margin_px
    return page


def _font(size: int) -> object:
    from PIL import ImageFont

    for name in ("DejaVuSans.ttf", "Arial.ttf", "arial.ttf", "LiberationSans-Regular.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def watermark(card: Image8, when: dt.date | None = None, text: str | None = None) -> Image8:
    """Semi-transparent text over the upper 60 % of a rectified card, never over the MRZ."""
    from PIL import Image, ImageDraw

    when = when or dt.date.today()
    label = text or WATERMARK_TEXT.format(date=when.strftime("%d/%m/%Y"))
    h, w = card.shape[:2]
    gray = card.ndim == 2
    base = Image.fromarray(card if gray else card[..., ::-1]).convert("RGBA")
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    size = max(10, round(h * 0.055))
    font = _font(size)
    # Two lines of the sentence, repeated across the band from 8 % to 60 % of the height.
    words = label.split(" – ")
    lines = [words[0], " – ".join(words[1:])] if len(words) > 1 else [label]
    y = round(h * 0.10)
    colour = (40, 40, 120, 90)
    while y < h * 0.60 - size * 1.2 * len(lines):
        for line in lines:
            bbox = draw.textbbox((0, 0), line, font=font)  # type: ignore[arg-type]
            tw = bbox[2] - bbox[0]
            draw.text(((w - tw) / 2, y), line, fill=colour, font=font)  # type: ignore[arg-type]
            y += round(size * 1.25)
        y += round(size * 1.6)
    out = Image.alpha_composite(base, layer).convert("L" if gray else "RGB")
    arr = np.asarray(out, dtype=np.uint8)
    return np.ascontiguousarray(arr if gray else arr[..., ::-1])
