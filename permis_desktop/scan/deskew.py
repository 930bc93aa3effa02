"""The skew of text lines on a scanned page whose paper edges do not show.

A sheet that fills the platen, or white paper under a white lid, leaves no outline to
straighten from; its lines of text still give the angle. The classic projection-profile
method (as in Leptonica's `pixFindSkew`): rotate the ink pixels through candidate angles and
keep the one where the horizontal profile is sharpest, i.e. where each text line falls into
as few rows as possible. Only the ink pixels' coordinates are rotated, not the image, so a
full search costs a few milliseconds.
"""

from __future__ import annotations

import logging

import numpy as np
import numpy.typing as npt

from permis_desktop.scan.loader import Image8

log = logging.getLogger(__name__)

# Wider than any sheet laid by hand on a platen; a larger angle is a turned page.
MAX_SKEW_DEGREES = 5.0
# Below this the page is straight enough (one pixel over ~300 at the output resolution).
MIN_SKEW_DEGREES = 0.2
_WORK_SIDE = 900
_MAX_POINTS = 80_000
# The sharpest profile must beat the straight one by this much to be believed.
_MIN_GAIN = 1.03


def ink_mask(gray: Image8) -> npt.NDArray[np.uint8]:
    """Ink (1) against paper (0) on a copy at most ~900 px on its long side."""
    import cv2

    h, w = gray.shape[:2]
    scale = min(1.0, _WORK_SIDE / max(h, w))
    small = (
        gray
        if scale >= 1.0
        else cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    )
    block = max(15, (min(small.shape[:2]) // 30) | 1)
    ink = cv2.adaptiveThreshold(
        np.asarray(small, dtype=np.uint8),
        1,
        cv2.ADAPTIVE_THRESH_MEAN_C,
        cv2.THRESH_BINARY_INV,
        block,
        15,
    )
    return np.asarray(ink, dtype=np.uint8)


def _ink_points(gray: Image8) -> npt.NDArray[np.float64] | None:
    ys, xs = np.nonzero(ink_mask(gray))
    if len(xs) < 500:
        return None
    if len(xs) > _MAX_POINTS:
        pick = np.random.default_rng(0).choice(len(xs), _MAX_POINTS, replace=False)
        xs, ys = xs[pick], ys[pick]
    return np.stack([xs, ys], axis=1).astype(np.float64)


def _sharpness(points: npt.NDArray[np.float64], degrees: float) -> float:
    theta = np.radians(degrees)
    # Row of each ink pixel once the page is turned by -degrees (text made level).
    rows = points[:, 1] * np.cos(theta) - points[:, 0] * np.sin(theta)
    rows = np.rint(rows - rows.min()).astype(np.int64)
    profile = np.bincount(rows)
    return float(np.square(profile.astype(np.float64)).sum())


def text_skew(gray: Image8) -> float | None:
    """Angle in degrees by which the text lines slope down to the right (the image's y axis
    pointing down), or None when there is no text to judge by or no clear answer."""
    points = _ink_points(gray)
    if points is None:
        return None
    coarse = np.arange(-MAX_SKEW_DEGREES, MAX_SKEW_DEGREES + 1e-9, 0.5)
    scores = np.array([_sharpness(points, a) for a in coarse])
    best = float(coarse[int(np.argmax(scores))])
    fine = np.arange(best - 0.5, best + 0.5 + 1e-9, 0.05)
    fine_scores = np.array([_sharpness(points, a) for a in fine])
    angle = float(fine[int(np.argmax(fine_scores))])
    gain = float(fine_scores.max()) / max(float(np.median(scores)), 1e-9)
    if gain < _MIN_GAIN:
        log.debug("no clear text skew (profile gain %.3f)", gain)
        return None
    log.debug("text skew %.2f degrees (profile gain %.3f)", angle, gain)
    return angle


def rotate_corners(
    corners: npt.NDArray[np.float64], degrees: float, center: tuple[float, float]
) -> npt.NDArray[np.float64]:
    """`corners` turned by `degrees` about `center` (positive: clockwise on screen)."""
    theta = np.radians(degrees)
    c, s = np.cos(theta), np.sin(theta)
    rel = np.asarray(corners, dtype=np.float64) - np.array(center)
    turned = np.stack([rel[:, 0] * c - rel[:, 1] * s, rel[:, 0] * s + rel[:, 1] * c], axis=1)
    return np.asarray(turned + np.array(center), dtype=np.float64)
