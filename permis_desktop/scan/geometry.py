"""Rectification: from four corners to an upright page of the document's physical aspect.

A photo seen at an angle makes a card look like a trapezoid of the wrong proportions; the
output must have the aspect of the real document (ID-1 85.6 x 53.98 mm, passport data page
125 x 88 mm, A4 210 x 297 mm), so that it prints at true size. Which side is the top comes
from the aspect for a quarter turn (a card is landscape, A4 portrait), and from the content
for a half turn: the MRZ sits at the bottom of an identity document (ICAO 9303 part 3), and
in Latin text ascenders (b, d, f, h, k, l, t, capitals) are more frequent than descenders
(g, j, p, q, y), so ink spills above the x-height band more than below it.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from permis_desktop.scan.detect import Points
from permis_desktop.scan.formats import PhysicalFormat
from permis_desktop.scan.loader import Image8


def side_lengths(corners: Points) -> tuple[float, float]:
    """(mean of top/bottom, mean of left/right) lengths of a clockwise quad."""
    c = np.asarray(corners, dtype=np.float64)
    horizontal = (np.linalg.norm(c[1] - c[0]) + np.linalg.norm(c[2] - c[3])) / 2
    vertical = (np.linalg.norm(c[3] - c[0]) + np.linalg.norm(c[2] - c[1])) / 2
    return float(horizontal), float(vertical)


def effective_dpi(corners: Points, width_mm: float, height_mm: float) -> float:
    """Resolution the capture offers for the document: the worst of its sides, in dpi."""
    c = np.asarray(corners, dtype=np.float64)
    top, bottom = np.linalg.norm(c[1] - c[0]), np.linalg.norm(c[2] - c[3])
    left, right = np.linalg.norm(c[3] - c[0]), np.linalg.norm(c[2] - c[1])
    return float(min(min(top, bottom) / width_mm, min(left, right) / height_mm) * 25.4)


def rotate_order(corners: Points, quarter_turns: int) -> Points:
    """Renumber the corners so the document turns by `quarter_turns` x 90° clockwise."""
    return np.roll(np.asarray(corners, dtype=np.float64), quarter_turns % 4, axis=0)


def orient_to_format(corners: Points, fmt: PhysicalFormat) -> Points:
    """Put the long sides where the format has them (cards landscape, A4 portrait)."""
    horizontal, vertical = side_lengths(corners)
    if not fmt.known:
        return np.asarray(corners, dtype=np.float64)
    wants_landscape = fmt.width_mm >= fmt.height_mm
    if (horizontal >= vertical) != wants_landscape:
        return rotate_order(corners, 1)
    return np.asarray(corners, dtype=np.float64)


def document_mm(corners: Points, fmt: PhysicalFormat) -> tuple[float, float]:
    """Physical size to rectify to: the format's, or the detected aspect when unknown."""
    if fmt.known:
        return fmt.width_mm, fmt.height_mm
    horizontal, vertical = side_lengths(corners)
    # Unknown paper: keep the long side of A4 and the detected proportions.
    if vertical >= horizontal:
        return 297.0 * horizontal / max(vertical, 1.0), 297.0
    return 297.0, 297.0 * vertical / max(horizontal, 1.0)


def output_size(mm: tuple[float, float], dpi: float) -> tuple[int, int]:
    return max(8, round(mm[0] / 25.4 * dpi)), max(8, round(mm[1] / 25.4 * dpi))


def warp_matrix(corners: Points, size: tuple[int, int]) -> npt.NDArray[np.float64]:
    """Homography from the image (corners are the document's outline) to the output grid."""
    import cv2

    w, h = size
    # Pixel centres on integers: the outline of an output pixel grid runs at -0.5 and w-0.5.
    dst = np.array(
        [[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]], dtype=np.float32
    )
    m = cv2.getPerspectiveTransform(np.asarray(corners, dtype=np.float32), dst)
    return np.asarray(m, dtype=np.float64)


def rectify(image: Image8, corners: Points, size: tuple[int, int]) -> Image8:
    """The document cut out of `image` and flattened to `size` (w, h) pixels."""
    import cv2

    m = warp_matrix(corners, size)
    out = cv2.warpPerspective(
        image, m, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    return np.asarray(out, dtype=np.uint8)


# -- half-turn detection -----------------------------------------------------------------


def _ink(gray: Image8) -> npt.NDArray[np.uint8]:
    import cv2

    block = max(15, (min(gray.shape[:2]) // 20) | 1)
    ink = cv2.adaptiveThreshold(
        gray, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 12
    )
    return np.asarray(ink, dtype=np.uint8)


def mrz_band_score(ink: npt.NDArray[np.uint8]) -> float:
    """How much the bottom 35 % of the page looks like an MRZ: lines of characters spanning
    most of the width (fillers `<` included). 0..1."""
    h, w = ink.shape
    band = ink[int(h * 0.62) :, int(w * 0.03) : int(w * 0.97)]
    if band.size == 0:
        return 0.0
    bins = 30
    cols = band.shape[1] // bins * bins
    if cols == 0:
        return 0.0
    rows_ink = band[:, :cols].reshape(band.shape[0], bins, -1).max(axis=2)
    # A text row of the MRZ has ink in nearly every character cell.
    coverage = rows_ink.mean(axis=1)
    dense = coverage >= 0.75
    return float(dense.mean() * 2.5) if dense.any() else 0.0


def ascender_balance(ink: npt.NDArray[np.uint8]) -> float:
    """> 0 when text looks upright, < 0 when upside down, ~0 when unsure."""
    profile = ink.mean(axis=1).astype(np.float64)
    if profile.max() <= 0:
        return 0.0
    on = profile > max(0.02, profile.max() * 0.08)
    above = below = 0.0
    start = None
    for y, flag in enumerate(list(on) + [False]):
        if flag and start is None:
            start = y
        elif not flag and start is not None:
            seg = profile[start:y]
            if 6 <= len(seg) <= 120:
                core = np.nonzero(seg >= 0.5 * seg.max())[0]
                if len(core):
                    above += float(seg[: core[0]].sum())
                    below += float(seg[core[-1] + 1 :].sum())
            start = None
    total = above + below
    return (above - below) / total if total > 0 else 0.0


def upside_down(rectified: Image8, fmt: PhysicalFormat) -> bool:
    """Whether the rectified page shows its content upside down."""
    import cv2

    gray = rectified if rectified.ndim == 2 else cv2.cvtColor(rectified, cv2.COLOR_BGR2GRAY)
    # Work at ~5 px/mm: text lines are resolved, the page is small enough to be fast.
    h, w = gray.shape[:2]
    scale = min(1.0, 1100.0 / max(h, w))
    if scale < 1.0:
        gray = cv2.resize(gray, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    ink = _ink(np.asarray(gray, dtype=np.uint8))
    if fmt.identity:
        bottom = mrz_band_score(ink)
        top = mrz_band_score(ink[::-1, ::-1])
        if max(bottom, top) >= 0.3 and abs(bottom - top) >= 0.15:
            return top > bottom
    balance = ascender_balance(ink)
    return balance < -0.08


def skew_angle(corners: Points) -> float:
    """Angle of the document's top side, in degrees (informational, for the report)."""
    c = np.asarray(corners, dtype=np.float64)
    dx, dy = c[1] - c[0]
    return math.degrees(math.atan2(dy, dx))
