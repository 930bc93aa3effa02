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
  Below 0.45 on a card, 0.52 on an A4 page (on the corpus, A4 photos measure 0.59-0.71 when
  sharp and 0.29-0.48 when blurred; cards 0.57 and up, and 0.34 at most).
- `dark`: the paper (90th percentile of grey) below 95 of 255.
- `overexposed`: more than 30 % of the page clipped (>= 250) *and* the darkest print
  (2nd percentile) washed out above 110, i.e. ink has turned grey.
- `glare`: a clipped blob (>= 250, low saturation) of 0.15 % to 30 % of the page, standing
  out from the paper around it by more than 25 grey levels.
- `blank`: after flattening, less than 0.15 % of the page is ink.
- `too_small`: effective resolution (worst side, source pixels per inch of document) under
  the format's minimum (300 dpi cards, 150 dpi A4).
- `cut_off`: a corner outside the frame or within 0.4 % of its border (unless a flatbed page
  fills the platen), no document outline found, or a corner whose two sides are both hidden
  over at least 12 % of their length next to it (a finger on a corner).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from permis_desktop.scan.formats import PhysicalFormat
from permis_desktop.scan.loader import Image8

VERDICTS = ("ok", "blurry", "glare", "dark", "overexposed", "cut_off", "too_small", "blank")
# When several problems are found, the verdict is the first of this list.
_PRIORITY = ("dark", "overexposed", "cut_off", "too_small", "blank", "blurry", "glare")

SHARPNESS_MIN = {"card": 0.45, "sheet": 0.52}
DARK_PAPER = 95.0
CLIP_LEVEL = 253
OVEREXPOSED_CLIPPED = 0.50
OVEREXPOSED_INK = 110.0
GLARE_MIN, GLARE_MAX = 0.0015, 0.45
GLARE_PAPER_MAX = 238.0
# A card scanned at exactly 300 dpi measures 295-305: the minimum has a 5 % tolerance.
DPI_TOLERANCE = 0.95
BLANK_INK = 0.0015
FRAME_MARGIN = 0.004
FRAME_SIDE = 0.02
OCCLUSION_MAX = 0.12


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


def _percentiles_u8(image: np.ndarray, qs: list[float]) -> list[float]:
    """Percentiles of an 8-bit image from its histogram (np.percentile sorts: ~10x slower)."""
    import cv2

    hist = cv2.calcHist([np.ascontiguousarray(image, dtype=np.uint8)], [0], None, [256], [0, 256])
    cdf = np.cumsum(hist.ravel()) / max(float(hist.sum()), 1.0)
    return [float(np.searchsorted(cdf, q / 100.0)) for q in qs]


def measure(page: Image8) -> dict[str, float]:
    """Photometric measures of a canonical rectified page (BGR or grey)."""
    import cv2

    gray = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY) if page.ndim == 3 else page
    h, w = gray.shape
    # Ignore a thin border: rectification leaves a pixel or two of table.
    m = max(2, round(min(h, w) * 0.02))
    gray = np.ascontiguousarray(gray[m : h - m, m : w - m])
    colour = page[m : h - m, m : w - m] if page.ndim == 3 else None
    h, w = gray.shape
    p2, p50, p90, p98 = _percentiles_u8(gray, [2, 50, 90, 98])
    contrast = max(p98 - p2, 1.0)
    clipped = gray >= CLIP_LEVEL
    if colour is not None:
        b, g_, r = cv2.split(np.ascontiguousarray(colour))
        sat = cv2.subtract(cv2.max(cv2.max(b, g_), r), cv2.min(cv2.min(b, g_), r))
        clipped &= sat < 40
    clipped_share = float(np.count_nonzero(clipped)) / clipped.size
    # Paper level, block by block (the brightest pixels of each block are paper).
    gh, gw = max(1, h // 40), max(1, w // 40)
    small = cv2.resize(gray, (gw * 4, gh * 4), interpolation=cv2.INTER_AREA)
    grid = cv2.resize(
        cv2.dilate(small, np.ones((3, 3), np.uint8)), (gw, gh), interpolation=cv2.INTER_AREA
    )
    paper_median = float(np.median(grid))
    # Glare: clipping on a page whose paper is not itself at the clipping point.
    glare = clipped_share if paper_median <= GLARE_PAPER_MAX else 0.0

    # Ink share after flattening (blank pages).
    level = cv2.resize(cv2.GaussianBlur(grid, (3, 3), 0), (w, h), interpolation=cv2.INTER_LINEAR)
    # Flattened page: paper at 255 (cv2.divide saturates, like clipping at paper white).
    flat8 = np.asarray(cv2.divide(gray, np.maximum(level, 8), scale=255), dtype=np.uint8)
    ink = float(np.count_nonzero(flat8 < round(0.72 * 255))) / flat8.size
    # Sharpness on the flattened page (shadows and uneven light divided out), relative
    # to the flattened contrast.
    f2, f98 = _percentiles_u8(flat8, [2, 98])
    g = cv2.GaussianBlur(flat8, (3, 3), 0.7)
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3)
    # Motion blur smears one direction only: the page is as sharp as its blurriest direction.
    # Sobel's gain on a unit step is 4; |.| and the scale in one saturating conversion.
    directional = [
        cv2.convertScaleAbs(gx, alpha=0.25),
        cv2.convertScaleAbs(gy, alpha=0.25),
        cv2.convertScaleAbs(cv2.add(gx, gy), alpha=0.25 * 0.7071),
        cv2.convertScaleAbs(cv2.subtract(gx, gy), alpha=0.25 * 0.7071),
    ]
    sharp = min(_percentiles_u8(d, [99.5])[0] for d in directional) / max(f98 - f2, 1.0)
    return {
        "p2": p2,
        "p50": p50,
        "paper": p90,
        "paper_median": paper_median,
        "contrast": contrast,
        "sharpness": sharp,
        "clipped": clipped_share,
        "glare": glare,
        "ink": ink,
    }


def assess_quality(
    page: Image8,
    fmt: PhysicalFormat,
    *,
    effective_dpi: float,
    cut_off: list[str] | None = None,
    scanned: bool = False,
) -> QualityReport:
    """Verdict and reasons for a canonical rectified page.

    `cut_off` carries the framing problems found by the geometry (reasons, may be empty).
    `scanned`: flatbed pages have no glare, and a scanner's white paper may sit at 255.
    """
    m = measure(page)
    m["dpi"] = effective_dpi
    reasons: list[str] = list(cut_off or [])
    found: set[str] = {"cut_off"} if reasons else set()
    if fmt.min_dpi and effective_dpi < fmt.min_dpi * DPI_TOLERANCE:
        found.add("too_small")
        reasons.append(f"too_small: {effective_dpi:.0f} dpi < {fmt.min_dpi}")
    if m["ink"] < BLANK_INK and m["contrast"] < 90:
        found.add("blank")
        reasons.append(f"blank: ink {m['ink'] * 100:.2f} %")
    if m["paper"] < DARK_PAPER:
        found.add("dark")
        reasons.append(f"dark: paper level {m['paper']:.0f}")
    washed = m["p2"] > OVEREXPOSED_INK
    if (m["clipped"] > OVEREXPOSED_CLIPPED and (washed or not scanned)) or (
        m["clipped"] > 0.3 and washed
    ):
        found.add("overexposed")
        reasons.append(
            f"overexposed: {m['clipped'] * 100:.0f} % clipped, darkest ink {m['p2']:.0f}"
        )
    limit = SHARPNESS_MIN["card" if fmt.identity else "sheet"]
    if "blank" not in found and m["sharpness"] < limit:
        found.add("blurry")
        reasons.append(f"blurry: sharpness {m['sharpness']:.3f} < {limit}")
    if not scanned and "overexposed" not in found and GLARE_MIN <= m["glare"] <= GLARE_MAX:
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
    occlusion: float = 0.0,
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
    if not fills_frame_ok and not near.any():
        # A side running along the frame's border: the frame cut the sheet there.
        tol = FRAME_SIDE * max(w, h)
        for i in range(4):
            p, q = c[i], c[(i + 1) % 4]
            for axis, limit in ((0, 0.0), (0, w - 1.0), (1, 0.0), (1, h - 1.0)):
                if abs(p[axis] - limit) < tol and abs(q[axis] - limit) < tol:
                    reasons.append("cut_off: a side runs along the frame's border")
                    break
            if reasons:
                break
    if occlusion >= OCCLUSION_MAX:
        reasons.append(f"cut_off: a corner is hidden ({occlusion * 100:.0f} % of its sides)")
    return reasons
