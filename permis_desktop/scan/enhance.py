"""Enhancement filters: make a rectified page look like a clean scan, with no slider.

- `color` and `gray`: the paper's brightness is estimated block by block (the brightest
  pixels of each ~10 mm block are paper, text is thin), smoothed, and divided out. That one
  step removes a hand's shadow, the vignetting of a webcam and the colour cast of a desk lamp
  (white balance: the paper becomes neutral white).
- `bw`: the same flattening, then a local (adaptive) threshold, so that a faint stamp next
  to bold print both survive.
- `auto` is decided per piece type by `formats.PhysicalFormat.auto_filter` (colour for
  identity documents, whose colours matter, grey for bills and certificates).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from permis_desktop.scan.loader import Image8

# Size of a paper-estimation block, in mm; larger than any stroke, smaller than a shadow.
_BLOCK_MM = 8.0


def paper_level(gray: Image8, px_per_mm: float, card: bool = False) -> npt.NDArray[np.float32]:
    """Estimated brightness of the bare paper at every pixel (float32, same size)."""
    import cv2

    h, w = gray.shape[:2]
    block = max(4, round(_BLOCK_MM * px_per_mm))
    gh, gw = max(1, round(h / block)), max(1, round(w / block))
    # Max-pool then take a high percentile per block via a dilation on a small copy:
    # the brightest ~5 % of a block is paper even in dense text.
    small = cv2.resize(gray, (gw * 4, gh * 4), interpolation=cv2.INTER_AREA)
    small = cv2.dilate(small, np.ones((3, 3), np.uint8))
    grid = cv2.resize(small, (gw, gh), interpolation=cv2.INTER_AREA).astype(np.float32)
    if card:
        # Cards carry large printed areas (photo, bands): fit a smooth surface instead of
        # following each block, illumination on a card-sized object is smooth anyway.
        grid = _fit_quadratic(grid)
    else:
        k = 3 if min(gh, gw) >= 3 else 1
        if k > 1:
            grid = np.asarray(
                cv2.medianBlur(np.clip(grid, 0, 255).astype(np.uint8), k), dtype=np.float32
            )
            grid = np.asarray(cv2.GaussianBlur(grid, (3, 3), 0), dtype=np.float32)
    level = cv2.resize(grid, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.maximum(np.asarray(level, dtype=np.float32), 8.0)


def _fit_quadratic(grid: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    gh, gw = grid.shape
    yy, xx = np.mgrid[0:gh, 0:gw].astype(np.float64)
    x, y = xx.ravel() / max(gw, 1), yy.ravel() / max(gh, 1)
    a = np.stack([np.ones_like(x), x, y, x * x, y * y, x * y], axis=1)
    values = grid.ravel().astype(np.float64)
    weights = np.ones_like(values)
    coef = np.zeros(6)
    for _ in range(3):
        # Reweight: blocks darker than the fit are printed areas, not paper.
        sw = np.sqrt(weights)
        coef, *_ = np.linalg.lstsq(a * sw[:, None], values * sw, rcond=None)
        fit = a @ coef
        weights = np.where(values < fit - 12, 0.05, 1.0)
    return np.asarray((a @ coef).reshape(gh, gw), dtype=np.float32)


def _stretch(gray_f: npt.NDArray[np.float32]) -> Image8:
    # Paper at 1.0 goes to white; keep a little headroom under it for faint marks.
    out = np.clip(gray_f * 255.0 * 1.04 - 4.0, 0, 255)
    return np.asarray(out, dtype=np.uint8)


def enhance(image: Image8, filter_name: str, px_per_mm: float, card: bool = False) -> Image8:
    """Apply `color`, `gray` or `bw` to a rectified BGR page."""
    import cv2

    gray: Image8 = (
        np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
        if image.ndim == 3
        else image
    )
    level = paper_level(gray, px_per_mm, card=card)
    if filter_name == "color" and image.ndim == 3:
        # White balance from the paper: per-channel gains so that bright paper is neutral.
        cdf = np.cumsum(np.bincount(gray.ravel(), minlength=256)) / gray.size
        bright = gray >= int(np.searchsorted(cdf, 0.8))
        means = np.array([float(image[..., c][bright].mean()) for c in range(3)]) + 1e-3
        gains = means.mean() / means
        out = np.empty_like(image)
        inv = (1.0 / level).astype(np.float32)
        for c in range(3):
            ch = image[..., c].astype(np.float32) * inv * float(gains[c])
            out[..., c] = _stretch(ch)
        return out
    flat = _stretch(gray.astype(np.float32) / level)
    if filter_name == "bw":
        block = max(15, round(2.5 * px_per_mm) | 1)
        bw = cv2.adaptiveThreshold(
            flat, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 12
        )
        # Flattened paper is near white: anything clearly dark is ink whatever its surround.
        bw[flat < 110] = 0
        return np.asarray(bw, dtype=np.uint8)
    return flat
