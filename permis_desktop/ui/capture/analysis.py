"""What the live preview needs from a frame: the document outline, its sharpness, and when to
shoot. Qt-free (numpy/OpenCV), so it runs on a worker thread and is tested without a window.

Detection reuses the pipeline's `scan.detect.detect_corners` on a small copy of the frame
(`PREVIEW_ANALYSIS_SIDE` pixels on the long side): the outline only has to follow the
document on screen; the still is detected again at full resolution by the pipeline.

Between full detections the outline is *tracked*: the previous corners are refined against
the new frame's edges (`scan.refine.refine_corners`, a line fit along each side) and kept
when the edges still support them. That costs ~10 ms instead of ~50-150 ms for a full
detection, so the outline keeps up with a moving hand on a busy 2-core desk machine; a
full detection runs when tracking loses the document and every `FULL_DETECTION_EVERY`
analyses.

Auto-capture follows what camera scanners do (reference/capture-and-sync.md §2.1): FairScan
treats the outline as stable when its corners move less than 20 px on a 640x480 preview for
3 analyses in a row; OSS-DocumentScanner waits for the region "not moving for a second".
Here the outline must stay within `STABLE_TOLERANCE` of the frame size, be sharp, and hold
for `HOLD_SECONDS` and at least `MIN_ANALYSES` analyses.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from permis_desktop.scan.detect import detect_corners

log = logging.getLogger(__name__)

PREVIEW_ANALYSIS_SIDE = 320
HOLD_SECONDS = 1.0
MIN_ANALYSES = 3
# Corner movement allowed while "stable", as a share of the frame's long side
# (FairScan: 20 px of 640 = 3 %).
STABLE_TOLERANCE = 0.025
# Edge sharpness (99.5th percentile of the gradient over the contrast, the measure of
# `scan.quality`) of the rectified outline on the preview copy. A sharp card on the 320-px
# copy scores ~0.3, a camera still focusing or a moving hand below 0.12.
PREVIEW_SHARPNESS_MIN = 0.14
# Tracking keeps the refined outline when this share of its sides lies on real edges (full
# detection asks 0.6 of a candidate; a tracked outline must be better than a guess).
TRACK_SUPPORT_MIN = 0.75
FULL_DETECTION_EVERY = 5

Image8 = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class PreviewAnalysis:
    """One analysed preview frame. Corners are fractions of the frame (x / width, y / height)."""

    found: bool
    corners: tuple[tuple[float, float], ...] = ()
    support: float = 0.0
    sharpness: float = 0.0
    seconds: float = 0.0  # time the analysis took
    tracked: bool = False  # from the previous outline, not a full detection

    @property
    def sharp(self) -> bool:
        return self.found and self.sharpness >= PREVIEW_SHARPNESS_MIN


def downscale(image: Image8, side: int = PREVIEW_ANALYSIS_SIDE) -> Image8:
    import cv2

    h, w = image.shape[:2]
    scale = side / max(h, w)
    if scale >= 1.0:
        return image
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)


def outline_sharpness(image: Image8, corners: npt.NDArray[np.float64]) -> float:
    """Edge sharpness of the outlined document, rectified to 256 px on its long side."""
    import cv2

    top = float(np.linalg.norm(corners[1] - corners[0]))
    left = float(np.linalg.norm(corners[3] - corners[0]))
    k = 256.0 / max(top, left, 1.0)
    w, h = max(8, round(top * k)), max(8, round(left * k))
    dst = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
    m = cv2.getPerspectiveTransform(corners.astype(np.float32), dst)
    flat = cv2.warpPerspective(image, m, (w, h), flags=cv2.INTER_LINEAR)
    gray = cv2.cvtColor(flat, cv2.COLOR_BGR2GRAY) if flat.ndim == 3 else flat
    margin = max(2, round(min(h, w) * 0.04))
    gray = gray[margin : h - margin, margin : w - margin]
    if gray.size == 0:
        return 0.0
    p2, p98 = (float(v) for v in np.percentile(gray, [2, 98]))
    contrast = max(p98 - p2, 1.0)
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
    mag = cv2.magnitude(gx, gy) / 4.0
    return float(np.percentile(mag, 99.5)) / contrast


def _track(small: Image8, previous: tuple[tuple[float, float], ...]) -> tuple[Any, float] | None:
    """The previous outline moved onto this frame's edges, or None when they are gone."""
    import cv2

    from permis_desktop.scan.detect import _gradient, _support, order_clockwise
    from permis_desktop.scan.refine import refine_corners

    h, w = small.shape[:2]
    pts = np.array(previous, dtype=np.float64) * np.array([w, h])
    diag = float(np.hypot(*(pts[2] - pts[0])))
    mag, _channels, grads = _gradient(small)
    floor = max(8.0, 3.0 * float(np.median(mag)))
    threshold = max(floor, 0.08 * float(np.percentile(mag, 97)))
    # A narrow search first: a document lying still keeps its corners (a wide one can hop
    # to an inner edge, e.g. the MRZ band, and back); a wider one for a moving hand.
    for radius in (None, max(6.0, 0.06 * diag)):
        refined = order_clockwise(refine_corners(small, pts, radius=radius))
        area = abs(float(cv2.contourArea(refined.astype(np.float32))))
        if area < 0.04 * w * h or not cv2.isContourConvex(refined.astype(np.float32)):
            continue
        margin = 0.02 * max(w, h)
        if (refined[:, 0] < -margin).any() or (refined[:, 0] > w + margin).any():
            continue
        if (refined[:, 1] < -margin).any() or (refined[:, 1] > h + margin).any():
            continue
        # Same edge test as the detector's (direction-aware support along each side).
        support = _support(grads, refined, threshold)
        if support >= TRACK_SUPPORT_MIN:
            return refined, support
    return None


def analyse_preview(
    image: Image8,
    aspect_hint: float | None = None,
    previous: tuple[tuple[float, float], ...] | None = None,
) -> PreviewAnalysis:
    """Outline and sharpness of a preview frame (BGR, any size; downscaled here).

    `previous` (corners as fractions of the frame) is tracked first; a full detection
    runs when there is none or it is lost.
    """
    import time

    start = time.perf_counter()
    small = downscale(image)
    h, w = small.shape[:2]
    tracked = _track(small, previous) if previous and len(previous) == 4 else None
    if tracked is not None:
        pts, support = tracked
    else:
        found = detect_corners(small, aspect_hint=aspect_hint, max_side=PREVIEW_ANALYSIS_SIDE)
        if not found.found:
            return PreviewAnalysis(found=False, seconds=time.perf_counter() - start)
        # Refined like a tracked outline, so that the periodic full detection lands on the
        # same corners as tracking and does not restart the auto-capture hold.
        from permis_desktop.scan.detect import order_clockwise
        from permis_desktop.scan.refine import refine_corners

        pts, support = order_clockwise(refine_corners(small, found.array())), found.support
    sharp = outline_sharpness(small, pts)
    corners = tuple((float(x) / w, float(y) / h) for x, y in pts)
    return PreviewAnalysis(
        found=True,
        corners=corners,
        support=support,
        sharpness=sharp,
        seconds=time.perf_counter() - start,
        tracked=tracked is not None,
    )


@dataclass
class StabilityTracker:
    """Says when the outline has held still and sharp long enough to shoot."""

    hold_seconds: float = HOLD_SECONDS
    tolerance: float = STABLE_TOLERANCE
    min_analyses: int = MIN_ANALYSES
    _anchor: npt.NDArray[np.float64] | None = field(default=None, repr=False)
    _since: float = 0.0
    _count: int = 0

    def reset(self) -> None:
        self._anchor = None
        self._count = 0

    def progress(self, now: float) -> float:
        """How far into the hold (0..1), for the on-screen ring."""
        if self._anchor is None:
            return 0.0
        return min(1.0, (now - self._since) / self.hold_seconds) if self.hold_seconds else 1.0

    def feed(self, analysis: PreviewAnalysis, now: float, aspect: float = 1.0) -> bool:
        """Record one analysis taken at `now` (seconds); True when it is time to shoot.

        `aspect` is the frame's width / height, so movement is measured in the same units
        horizontally and vertically.
        """
        if not analysis.sharp:
            self.reset()
            return False
        scale = np.array([min(1.0, aspect), min(1.0, 1.0 / aspect)])
        pts = np.array(analysis.corners, dtype=np.float64) * scale
        if self._anchor is None or float(np.abs(pts - self._anchor).max()) > self.tolerance:
            self._anchor = pts
            self._since = now
            self._count = 1
            return False
        self._count += 1
        return self._count >= self.min_analyses and now - self._since >= self.hold_seconds
