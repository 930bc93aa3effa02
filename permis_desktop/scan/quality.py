"""The quality verdict of a page, with its reasons.

All measures are taken on the *rectified* document (not the whole frame: a sharp desk around
a blurred card must not pass), resampled to a canonical resolution per format so that one
threshold holds for a 1080p webcam and a 48-megapixel phone alike:
10 px/mm (254 dpi) for cards and passports, 5 px/mm (127 dpi) for A4 pages.

Thresholds (calibrated on the generated corpus, `tests/data/make_corpus.py`; the benchmark
`bench/capture.py` reports verdict accuracy and false accepts):

- `blurry`: edge sharpness = 99.5th percentile of the gradient magnitude divided by the
  page's contrast (98th - 2nd percentile of grey). A sharp step edge gives ~1/px, a step
  blurred with a Gaussian of sigma s gives ~0.4/s. Variance of the Laplacian (Pech-Pacheco
  2000), the usual check, depends on how much text the page holds; this ratio does not.
- `dark`: the paper (90th percentile of grey) below 95 of 255.
- `overexposed`: more than 30 % of the page clipped (>= 250) *and* the darkest print
  (2nd percentile) washed out above 110, i.e. ink has turned grey.
- `glare`: a clipped blob (>= 250, low saturation) of 0.15 % to 30 % of the page, standing
  out from the paper around it by more than 25 grey levels.
- `blank`: after flattening, less than 0.15 % of the page is ink.
- `too_small`: effective resolution (worst side, source pixels per inch of document) under
  the format's minimum (300 dpi cards, 150 dpi A4).
- `cut_off`: a corner outside the frame or within 0.4 % of its border (unless a flatbed page
  fills the platen), no document outline found, or a side whose edge is hidden over more
  than 20 % of its length (a finger on a corner).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from permis_desktop.scan.formats import PhysicalFormat
from permis_desktop.scan.loader import Image8

VERDICTS = ("ok", "blurry", "glare", "dark", "overexposed", "cut_off", "too_small", "blank")
# When several problems are found, the verdict is the first of this list.
_PRIORITY = ("cut_off", "too_small", "blank", "dark", "overexposed", "blurry", "glare")

SHARPNESS_MIN = {"card": 0.16, "sheet": 0.16}
DARK_PAPER = 95.0
OVEREXPOSED_CLIPPED = 0.30
OVEREXPOSED_INK = 110.0
GLARE_MIN, GLARE_MAX = 0.0015, 0.30
BLANK_INK = 0.0015
FRAME_MARGIN = 0.004


@dataclass
class QualityReport:
    verdict: str
    reasons: list[str]
    metrics: dict[str, float] = field(default_factory=dict)


def canonical(image: Image8, fmt: PhysicalFormat, size_mm: tuple[float, float]) -> Image8:
    """The rectified page resampled to the canonical measuring resolution."""
    import cv2

    px_per_mm = 10.0 if fmt.identity else 5.0
    w, h = max(8, round(size_mm[0] * px_per_mm)), max(8, round(size_mm[1] * px_per_mm))
    ih, iw = image.shape[:2]
    interp = cv2.INTER_AREA if iw > w else cv2.INTER_LINEAR
    return np.asarray(cv2.resize(image, (w, h), interpolation=interp), dtype=np.uint8)


def measure(page: Image8) -> dict[str, float]:
    """Photometric measures of a canonical rectified page (BGR)."""
    import cv2

    gray = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY) if page.ndim == 3 else page
    h, w = gray.shape
    # Ignore a thin border: rectification leaves a pixel or two of table.
    m = max(2, round(min(h, w) * 0.02))
    gray = gray[m : h - m, m : w - m]
    colour = page[m : h - m, m : w - m] if page.ndim == 3 else None
    p2, p50, p90, p98 = (float(v) for v in np.percentile(gray, [2, 50, 90, 98]))
    contrast = max(p98 - p2, 1.0)
    g = cv2.GaussianBlur(gray, (3, 3), 0.7)
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3)
    mag = cv2.magnitude(gx, gy) / 4.0  # Sobel's gain on a unit step is 4
    sharp = float(np.percentile(mag, 99.5)) / contrast

    clipped = gray >= 250
    if colour is not None:
        sat = colour.max(axis=2).astype(np.int16) - colour.min(axis=2).astype(np.int16)
        clipped &= sat < 40
    clipped_share = float(clipped.mean())
    glare = 0.0
    if clipped.any():
        # Blobs of clipping that stand out from their surroundings.
        mask = clipped.astype(np.uint8)
        n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        area = float(gray.size)
        surround = cv2.blur(gray, (max(3, w // 6) | 1, max(3, h // 6) | 1))
        for i in range(1, n):
            share = stats[i, cv2.CC_STAT_AREA] / area
            if share < GLARE_MIN:
                continue
            x, y, bw, bh = stats[i, :4]
            ring = surround[
                max(0, y - bh // 2) : y + bh + bh // 2, max(0, x - bw // 2) : x + bw + bw // 2
            ]
            if 255 - float(np.median(ring)) > 12 or p50 < 225:
                glare = max(glare, share)

    # Ink share after flattening (blank pages).
    level = cv2.dilate(
        cv2.resize(gray, (max(1, w // 8), max(1, h // 8)), interpolation=cv2.INTER_AREA),
        np.ones((3, 3), np.uint8),
    )
    level = cv2.resize(cv2.GaussianBlur(level, (3, 3), 0), (gray.shape[1], gray.shape[0]))
    flat = gray.astype(np.float32) / np.maximum(level.astype(np.float32), 8.0)
    ink = float((flat < 0.72).mean())
    return {
        "p2": p2,
        "p50": p50,
        "paper": p90,
        "contrast": contrast,
        "sharpness": sharp,
        "clipped": clipped_share,
        "glare": glare,
        "ink": ink,
    }


def assess_quality(
    page: Image8, fmt: PhysicalFormat, *, effective_dpi: float, cut_off: list[str] | None = None
) -> QualityReport:
    """Verdict and reasons for a canonical rectified page.

    `cut_off` carries the framing problems found by the geometry (reasons, may be empty).
    """
    m = measure(page)
    m["dpi"] = effective_dpi
    reasons: list[str] = list(cut_off or [])
    found: set[str] = {"cut_off"} if reasons else set()
    if fmt.min_dpi and effective_dpi < fmt.min_dpi:
        found.add("too_small")
        reasons.append(f"too_small: {effective_dpi:.0f} dpi < {fmt.min_dpi}")
    if m["ink"] < BLANK_INK and m["contrast"] < 90:
        found.add("blank")
        reasons.append(f"blank: ink {m['ink'] * 100:.2f} %")
    if m["paper"] < DARK_PAPER:
        found.add("dark")
        reasons.append(f"dark: paper level {m['paper']:.0f}")
    if m["clipped"] > OVEREXPOSED_CLIPPED and m["p2"] > OVEREXPOSED_INK:
        found.add("overexposed")
        reasons.append(
            f"overexposed: {m['clipped'] * 100:.0f} % clipped, darkest ink {m['p2']:.0f}"
        )
    limit = SHARPNESS_MIN["card" if fmt.identity else "sheet"]
    if "blank" not in found and m["sharpness"] < limit:
        found.add("blurry")
        reasons.append(f"blurry: sharpness {m['sharpness']:.3f} < {limit}")
    if "overexposed" not in found and GLARE_MIN <= m["glare"] <= GLARE_MAX:
        found.add("glare")
        reasons.append(f"glare: {m['glare'] * 100:.1f} % of the page")
    verdict = next((v for v in _PRIORITY if v in found), "ok")
    return QualityReport(verdict=verdict, reasons=reasons, metrics=m)


def framing_problems(
    corners: np.ndarray,
    frame: tuple[int, int],
    *,
    found: bool,
    fills_frame_ok: bool,
    side_coverage: list[float] | None = None,
) -> list[str]:
    """Reasons for `cut_off` from the corners in source pixels and the frame size (w, h)."""
    if not found:
        return ["cut_off: document outline not found"] if not fills_frame_ok else []
    w, h = frame
    margin = FRAME_MARGIN * max(w, h)
    reasons = []
    c = np.asarray(corners, dtype=np.float64)
    near = (
        (c[:, 0] < margin)
        | (c[:, 1] < margin)
        | (c[:, 0] > w - 1 - margin)
        | (c[:, 1] > h - 1 - margin)
    )
    if near.any() and not fills_frame_ok:
        reasons.append(f"cut_off: {int(near.sum())} corner(s) at or beyond the frame")
    if side_coverage:
        worst = min(side_coverage)
        if worst < 0.8:
            reasons.append(
                f"cut_off: a side is hidden over {100 * (1 - worst):.0f} % of its length"
            )
    return reasons
