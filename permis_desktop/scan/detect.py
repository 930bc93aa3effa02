"""Finding the four corners of a document in a photo, a preview frame or a scan.

Two stages, because live preview needs speed and rectification needs precision:

1. `detect_corners` works on a small copy (at most ~640 px): edges of every colour channel
   (a white sheet on a white table differs from it by a few grey levels, but the sheet's edge
   and its shadow still make a gradient), contours of those edges and of a brightness split,
   each turned into a convex quadrilateral, and the quadrilateral with the best *edge
   support* (share of its perimeter lying on a real edge) and size wins. Clutter (objects,
   fingers, wood grain) gives curved or broken outlines with little straight-edge support.
2. `refine.refine_corners` works on the full-resolution image (see `scan/refine.py`).

The published OpenCV document scanner (andrewdcampbell/OpenCV-Document-Scanner, README)
uses the contour stage alone and reports 92.8 % correct corners; the refinement is what
makes the corners precise enough for text to stay sharp after rectification.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from permis_desktop.scan.loader import Image8

log = logging.getLogger(__name__)

Points = npt.NDArray[np.float64]  # shape (4, 2)

DETECT_MAX_SIDE = 640
# Live preview: corners only steer the overlay and the "hold still" logic; the still photo is
# detected again at full precision, so a smaller copy is enough.
PREVIEW_MAX_SIDE = 320
# Smallest document we look for, as a share of the frame.
_MIN_AREA = 0.04
# A candidate needs this much of its perimeter on an edge.
_MIN_SUPPORT = 0.6
_MIN_SIDE_SUPPORT = 0.3


@dataclass(frozen=True)
class Corners:
    """Four points, clockwise from the top-left (image order until orientation is known)."""

    points: tuple[tuple[float, float], ...]
    found: bool
    # Share of the outline lying on a detected edge (0..1); 0 when not found.
    support: float = 0.0

    def array(self) -> Points:
        return np.array(self.points, dtype=np.float64)

    def scaled(self, factor: float) -> Corners:
        pts = tuple((x * factor, y * factor) for x, y in self.points)
        return Corners(pts, self.found, self.support)


def _as_tuple(points: Points) -> tuple[tuple[float, float], ...]:
    return tuple((float(x), float(y)) for x, y in points)


def full_frame(width: int, height: int) -> Corners:
    pts = np.array(
        [[-0.5, -0.5], [width - 0.5, -0.5], [width - 0.5, height - 0.5], [-0.5, height - 0.5]]
    )
    return Corners(_as_tuple(pts), found=False)


def order_clockwise(points: Points) -> Points:
    """Clockwise on screen (y down), starting with the point nearest the image's top-left."""
    pts = np.asarray(points, dtype=np.float64).reshape(4, 2)
    center = pts.mean(axis=0)
    angles = np.arctan2(pts[:, 1] - center[1], pts[:, 0] - center[0])
    pts = pts[np.argsort(angles)]
    start = int(np.argmin(pts.sum(axis=1)))
    return np.roll(pts, -start, axis=0)


Gradients = list[tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]]


def _gradient(small: Image8) -> tuple[npt.NDArray[np.float32], list[Image8], Gradients]:
    """Max over colour channels of the gradient magnitude, the smoothed channels, and each
    channel's (gx, gy) for direction-aware edge support."""
    import cv2

    blurred = cv2.GaussianBlur(small, (5, 5), 0)
    b, g, r = cv2.split(blurred)
    gray = cv2.cvtColor(blurred, cv2.COLOR_BGR2GRAY)
    mx = cv2.max(cv2.max(b, g), r)
    mn = cv2.min(cv2.min(b, g), r)
    sat = cv2.subtract(mx, mn)
    channels = [np.asarray(c, dtype=np.uint8) for c in (gray, sat, b, r)]
    mag = np.zeros(gray.shape, np.float32)
    grads: Gradients = []
    for ch in channels:
        gx = np.asarray(cv2.Sobel(ch, cv2.CV_32F, 1, 0, ksize=3), dtype=np.float32)
        gy = np.asarray(cv2.Sobel(ch, cv2.CV_32F, 0, 1, ksize=3), dtype=np.float32)
        grads.append((gx, gy))
        mag = np.maximum(mag, np.asarray(cv2.magnitude(gx, gy), dtype=np.float32))
    return mag, channels, grads


def _quad_from_contour(contour: npt.NDArray[np.int32]) -> Points | None:
    import cv2

    hull = cv2.convexHull(contour)
    peri = cv2.arcLength(hull, True)
    for eps in (0.02, 0.03, 0.045, 0.06, 0.08, 0.1):
        approx = cv2.approxPolyDP(hull, eps * peri, True)
        if len(approx) == 4:
            return order_clockwise(approx.reshape(4, 2).astype(np.float64))
        if len(approx) < 4:
            break
    # Fall back on the tightest rotated rectangle (fine for cards with rounded corners).
    box = cv2.boxPoints(cv2.minAreaRect(hull))
    return order_clockwise(np.asarray(box, dtype=np.float64))


_SIDE_T = np.linspace(0.08, 0.92, 24)


def _side_share(
    grads: Gradients,
    p: npt.NDArray[np.float64],
    q: npt.NDArray[np.float64],
    threshold: float,
    t: npt.NDArray[np.float64] = _SIDE_T,
) -> tuple[float, int] | None:
    """(share of the segment p-q lying on an edge across it, points inside the frame).

    A point counts when, in some colour channel, the gradient across the segment is strong,
    dominates the gradient along it, and has the sign most of the segment has: a sheet's
    edge is one step (sheet lighter, or darker, than the table) all along, while texture,
    text and clutter flip sign and direction. None for a segment too short to judge.
    """
    h, w = grads[0][0].shape
    vec = q - p
    length = float(np.hypot(*vec))
    if length < 4:
        return None
    tangent = vec / length
    normal = np.array([-tangent[1], tangent[0]])
    offsets = np.arange(-4.0, 5.0)
    pts = (
        p[None, None, :]
        + vec[None, None, :] * t[None, :, None]
        + normal[None, None, :] * offsets[:, None, None]
    )
    xy = np.rint(pts).astype(int)
    # The frame's own border is no evidence of a document edge.
    inside = (xy[..., 0] >= 2) & (xy[..., 0] < w - 2) & (xy[..., 1] >= 2) & (xy[..., 1] < h - 2)
    xs = np.clip(xy[..., 0], 0, w - 1)
    ys = np.clip(xy[..., 1], 0, h - 1)
    best = 0
    for gx, gy in grads:
        vx, vy = gx[ys, xs], gy[ys, xs]
        across = vx * normal[0] + vy * normal[1]
        along = np.abs(vx * tangent[0] + vy * tangent[1])
        for sign in (1.0, -1.0):
            val = across * sign
            ok = (val >= threshold) & (val >= 1.5 * along) & inside
            best = max(best, int(ok.any(axis=0).sum()))
    visible = int(inside.any(axis=0).sum())
    return (best / visible if visible else 0.0), visible


def _support(grads: Gradients, quad: Points, threshold: float) -> float:
    """Share of each side's length lying on a real edge of that side, averaged over sides."""
    total = 0.0
    sides = 0
    for i in range(4):
        measured = _side_share(grads, quad[i], quad[(i + 1) % 4], threshold)
        if measured is None:
            return 0.0
        share, visible = measured
        # Only the part of the side inside the frame can show an edge (a sheet partly out
        # of the frame is still found, and then reported as cut off).
        if visible < 0.3 * len(_SIDE_T):
            continue
        sides += 1
        # Every side of a document shows somewhere; a quad with a side on nothing (a
        # corner of the frame, a text block's open side) is not a document.
        if share < _MIN_SIDE_SUPPORT:
            return 0.0
        total += share
    # At most one side may lie outside the frame.
    return total / sides if sides >= 3 else 0.0


Line = list[float]  # normal angle theta (0..pi), offset rho, total length of its segments


def _merged_lines(gray: Image8, sat: Image8, low: float, high: float) -> list[Line]:
    """Straight edges of the image, collinear segments merged, longest first."""
    import cv2

    h, w = gray.shape
    diag = float(np.hypot(w, h))
    edges = np.asarray(
        cv2.bitwise_or(
            cv2.Canny(gray, low, high, L2gradient=True), cv2.Canny(sat, low, high, L2gradient=True)
        ),
        dtype=np.uint8,
    )
    segs = cv2.HoughLinesP(
        edges,
        1,
        np.pi / 360,
        threshold=30,
        minLineLength=int(0.08 * diag),
        maxLineGap=int(0.01 * diag) + 3,
    )
    if segs is None:
        return []
    # Merge collinear segments into lines (normal angle, offset), weighted by length.
    lines: list[Line] = []
    for x1, y1, x2, y2 in segs.reshape(-1, 4).astype(np.float64):
        theta = float(np.arctan2(x2 - x1, -(y2 - y1)))  # normal direction
        if theta < 0:
            theta += np.pi
        rho = x1 * np.cos(theta) + y1 * np.sin(theta)
        length = float(np.hypot(x2 - x1, y2 - y1))
        for line in lines:
            dt = abs(line[0] - theta)
            if dt > np.pi / 2:
                dt = np.pi - dt
                r2 = -rho
            else:
                r2 = rho
            if dt < np.radians(2.5) and abs(line[1] - r2) < 0.012 * diag:
                line[2] += length
                break
        else:
            lines.append([theta, rho, length])
    lines.sort(key=lambda line: -line[2])
    return lines


def _side_line(p: npt.NDArray[np.float64], q: npt.NDArray[np.float64]) -> Line:
    theta = float(np.arctan2(q[0] - p[0], -(q[1] - p[1])))
    if theta < 0:
        theta += np.pi
    return [theta, float(p[0] * np.cos(theta) + p[1] * np.sin(theta)), 0.0]


def _meet(a: Line, b: Line) -> npt.NDArray[np.float64] | None:
    m = np.array([[np.cos(a[0]), np.sin(a[0])], [np.cos(b[0]), np.sin(b[0])]])
    if abs(np.linalg.det(m)) < 1e-6:
        return None
    return np.asarray(np.linalg.solve(m, np.array([a[1], b[1]])), dtype=np.float64)


def _line_quads(lines: list[Line], w: int, h: int, max_lines: int = 10) -> list[Points]:
    """Quadrilaterals made of the longest straight edges (for outlines that do not close:
    a sheet touching clutter, a faint paper edge, a shadow across one side)."""
    if not lines:
        return []
    diag = float(np.hypot(w, h))

    def angle(a: Line, b: Line) -> float:
        d = abs(a[0] - b[0]) % np.pi
        return float(min(d, np.pi - d))

    def gap(a: Line, b: Line) -> float:
        point = b[1] * np.array([np.cos(b[0]), np.sin(b[0])])
        return float(abs(point @ np.array([np.cos(a[0]), np.sin(a[0])]) - a[1]))

    # Two families of sides, roughly perpendicular (perspective allows +-35 degrees); text
    # lines and wood grain crowd one direction, so each family gets its own quota.
    half = max_lines // 2
    first = lines[0]
    group_a = [ln for ln in lines if angle(ln, first) < np.radians(30)][:half]
    group_b = [ln for ln in lines if angle(ln, first) > np.radians(55)][:half]
    pairs_a = [
        (a, b) for i, a in enumerate(group_a) for b in group_a[i + 1 :] if gap(a, b) > 0.05 * diag
    ]
    pairs_b = [
        (a, b) for i, a in enumerate(group_b) for b in group_b[i + 1 :] if gap(a, b) > 0.05 * diag
    ]
    quads: list[Points] = []
    for la, lb in pairs_a:
        for lc, ld in pairs_b:
            pts = [_meet(la, lc), _meet(lc, lb), _meet(lb, ld), _meet(ld, la)]
            if any(p is None for p in pts):
                continue
            quad = np.array(pts, dtype=np.float64)
            margin = 0.35 * diag
            if (
                quad[:, 0].min() < -margin
                or quad[:, 1].min() < -margin
                or quad[:, 0].max() > w + margin
                or quad[:, 1].max() > h + margin
            ):
                continue
            quads.append(order_clockwise(quad))
    return quads


def _along_frame(quad: Points, w: int, h: int) -> int:
    """How many sides of `quad` run along the frame's border (the frame is no document)."""
    tol = 0.015 * max(w, h)
    count = 0
    for i in range(4):
        p, q = quad[i], quad[(i + 1) % 4]
        for axis, limit in ((0, 0.0), (0, w - 1.0), (1, 0.0), (1, h - 1.0)):
            if abs(p[axis] - limit) < tol and abs(q[axis] - limit) < tol:
                count += 1
                break
    return count


def _aspect(quad: Points) -> float:
    w = float(np.linalg.norm(quad[1] - quad[0]) + np.linalg.norm(quad[2] - quad[3])) / 2
    h = float(np.linalg.norm(quad[3] - quad[0]) + np.linalg.norm(quad[2] - quad[1])) / 2
    return max(w, h) / max(min(w, h), 1e-6)


def _boundary_share(grads: Gradients, p: Points, q: Points, threshold: float) -> float:
    """Share of the segment p-q that looks like the boundary of a flat region.

    A sheet's edge is a step with flat paper on at least one side; a line of text, wood
    grain or a printed rule has marks on both sides. Points where the frame cuts the
    segment do not count either way.
    """
    h, w = grads[0][0].shape
    vec = q - p
    length = float(np.hypot(*vec))
    if length < 4:
        return 0.0
    tangent = vec / length
    normal = np.array([-tangent[1], tangent[0]])
    t = np.linspace(0.08, 0.92, 24)
    offsets = np.array(
        [-8.0, -7.0, -6.0, -5.0, -4.0, -2.0, -1.0, 0.0, 1.0, 2.0, 4.0, 5.0, 6.0, 7.0, 8.0]
    )
    pts = p[None, None, :] + vec[None, None, :] * t[None, :, None]
    pts = pts + normal[None, None, :] * offsets[:, None, None]
    xy = np.rint(pts).astype(int)
    inside = (xy[..., 0] >= 0) & (xy[..., 0] < w) & (xy[..., 1] >= 0) & (xy[..., 1] < h)
    visible = inside.all(axis=0)
    if visible.sum() < 0.3 * len(t):
        return 0.0
    xs = np.clip(xy[..., 0], 0, w - 1)
    ys = np.clip(xy[..., 1], 0, h - 1)
    across = np.zeros(xy.shape[:2], np.float32)
    mag = np.zeros(xy.shape[:2], np.float32)
    for gx, gy in grads:
        vx, vy = gx[ys, xs], gy[ys, xs]
        across = np.maximum(across, np.abs(vx * normal[0] + vy * normal[1]))
        mag = np.maximum(mag, np.hypot(vx, vy))
    edge = across[5:10].max(axis=0)
    texture = np.minimum(mag[:5].mean(axis=0), mag[10:].mean(axis=0))
    ok = (edge >= threshold) & (texture < 0.35 * edge) & visible
    return float(ok.sum()) / float(visible.sum())


def _extension_share(
    grads: Gradients, p: npt.NDArray[np.float64], q: npt.NDArray[np.float64], threshold: float
) -> float:
    """Edge share along the stretch p-q by which a side grows (1 when the frame hides it)."""
    measured = _side_share(grads, p, q, threshold, t=np.linspace(0.0, 1.0, 16))
    if measured is None:
        return 1.0
    share, visible = measured
    return share if visible >= 4 else 1.0


def _grow(
    best: tuple[float, Points, float],
    lines: list[Line],
    w: int,
    h: int,
    score: Callable[[Points, float], tuple[float, float] | None],
    grads: Gradients,
    threshold: float,
    rounds: int = 6,
) -> tuple[float, Points, float]:
    """Move sides of the chosen quad outwards onto other straight edges while it scores better.

    Text lines, a table printed on a bill or the edge of a shadow are straight and well
    supported, and when the sheet's own outline did not close into a contour, the winner can
    be such an inner rectangle. Each round tries every side on every edge roughly parallel
    to it and further out (or on the frame's border, for a sheet cut by the frame) and keeps
    the best improvement.
    """
    import cv2

    frame_lines: list[Line] = [
        [0.0, 0.0, 0.0],
        [0.0, w - 1.0, 0.0],
        [np.pi / 2, 0.0, 0.0],
        [np.pi / 2, h - 1.0, 0.0],
    ]
    pool = lines[:40]
    diag = float(np.hypot(w, h))
    for _ in range(rounds):
        value, quad, _support_value = best
        center = quad.mean(axis=0)
        sides = [_side_line(quad[i], quad[(i + 1) % 4]) for i in range(4)]
        improved = best
        for i in range(4):
            side = sides[i]
            normal = np.array([np.cos(side[0]), np.sin(side[0])])
            # Outwards is away from the centre.
            outward = 1.0 if float(center @ normal) < side[1] else -1.0
            mid = (quad[i] + quad[(i + 1) % 4]) / 2
            for line in pool + frame_lines:
                d = abs(line[0] - side[0]) % np.pi
                tilt = min(d, np.pi - d)
                if tilt > np.radians(25 if line[2] == 0.0 else 8):
                    continue
                ln = np.array([np.cos(line[0]), np.sin(line[0])])
                # Signed distance from the side's middle to the line, along the outward normal.
                along = float(mid @ ln) - line[1]
                shift = -along * (1.0 if float(ln @ normal) > 0 else -1.0) * outward
                if not 0.01 * diag < shift < 0.6 * diag:
                    continue
                prev, nxt = sides[(i - 1) % 4], sides[(i + 1) % 4]
                a, b = _meet(prev, line), _meet(line, nxt)
                if a is None or b is None:
                    continue
                cand = quad.copy()
                cand[i], cand[(i + 1) % 4] = a, b
                area = abs(float(cv2.contourArea(cand.astype(np.float32))))
                if area / (w * h) <= improved[0]:
                    continue
                if line[2] != 0.0 and _boundary_share(grads, a, b, threshold) < 0.5:
                    continue
                # A neighbouring side must really run on to its new corner (the other may
                # be hidden by a thumb over that corner).
                stretched = [
                    _extension_share(grads, old, new, threshold)
                    for old, new in ((quad[i], a), (quad[(i + 1) % 4], b))
                    if float(np.hypot(*(new - old))) > 0.02 * diag
                ]
                if stretched and max(stretched) < 0.6:
                    continue
                scored = score(cand, area)
                if scored is not None and scored[0] > improved[0]:
                    improved = (scored[0], cand, scored[1])
        if improved is best:
            break
        best = improved
    return best


def detect_corners(
    image: Image8, aspect_hint: float | None = None, max_side: int = DETECT_MAX_SIDE
) -> Corners:
    """Corners of the most document-like quadrilateral in `image` (BGR), in its pixels.

    `aspect_hint` (width / height of the expected piece, either way round) favours
    candidates of that shape.
    When nothing convincing is found, returns the full frame with `found=False`.
    """
    import cv2

    h, w = image.shape[:2]
    scale = min(1.0, max_side / max(h, w))
    small: Image8 = (
        image
        if scale >= 1.0
        else np.asarray(
            cv2.resize(
                image,
                (max(1, round(w * scale)), max(1, round(h * scale))),
                interpolation=cv2.INTER_AREA,
            ),
            dtype=np.uint8,
        )
    )
    sh, sw = small.shape[:2]
    # Candidates are measured long side / short side, whatever the piece's orientation.
    expected_aspect = max(aspect_hint, 1 / aspect_hint) if aspect_hint else None
    mag, channels, grads = _gradient(small)
    # Edge thresholds relative to this frame: text and clutter set the top of the range,
    # sensor noise and table texture its floor; a white sheet on a white table sits near it.
    hist = np.bincount(np.minimum(mag, 2047).astype(np.int32).ravel(), minlength=2048)
    cdf = np.cumsum(hist) / max(int(hist.sum()), 1)
    hi = float(np.searchsorted(cdf, 0.97))
    floor = max(8.0, 3.0 * float(np.searchsorted(cdf, 0.5)))
    support_threshold = max(floor, 0.08 * hi)
    frame_area = float(sh * sw)

    contours: list[npt.NDArray[np.int32]] = []
    levels = {max(floor, f * hi) for f in (0.35, 0.15, 0.07)} | {floor, 2 * floor}
    for t in sorted(levels, reverse=True):
        edges = (mag >= t).astype(np.uint8) * 255
        closed = cv2.morphologyEx(edges, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
        found, _ = cv2.findContours(closed, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
        contours.extend(np.asarray(c, dtype=np.int32) for c in found)
    # Brightness split: a sheet is usually lighter (or darker) than what it lies on.
    gray = channels[0]
    _, split = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    for mask in (split, cv2.bitwise_not(split)):
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
        found, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        contours.extend(np.asarray(c, dtype=np.int32) for c in found)

    quads: list[Points] = []
    for contour in contours:
        if cv2.contourArea(contour) < _MIN_AREA * frame_area * 0.5:
            continue
        quad = _quad_from_contour(contour)
        if quad is not None:
            quads.append(quad)
    lines = _merged_lines(
        gray, channels[1], support_threshold, max(2 * support_threshold, 0.15 * hi)
    )
    quads.extend(_line_quads(lines, sw, sh))

    def score(quad: Points, area: float) -> tuple[float, float] | None:
        """(score, support) of a candidate, None when it cannot be the document."""
        if area < _MIN_AREA * frame_area or area > 2.0 * frame_area:
            return None
        if not cv2.isContourConvex(quad.astype(np.float32)):
            return None
        on_frame = _along_frame(quad, sw, sh)
        if on_frame >= 2:
            return None
        support = _support(grads, quad, support_threshold)
        if support < _MIN_SUPPORT:
            return None
        # The document is the largest well-outlined quadrilateral: tables, photos and
        # frames printed on it are outlined too, but smaller.
        value = support**2 * (area / frame_area)
        if expected_aspect:
            value *= float(np.exp(-2.0 * abs(np.log(_aspect(quad) / expected_aspect))))
        return value, support

    best: tuple[float, Points, float] | None = None
    seen: list[Points] = []
    # Largest first: a quad's score is at most its area share, so once the area falls
    # under the best score nothing smaller can win (this keeps preview frames fast).
    areas = [abs(float(cv2.contourArea(q.astype(np.float32)))) for q in quads]
    for area, quad in sorted(zip(areas, quads, strict=True), key=lambda item: -item[0]):
        if best is not None and area / frame_area <= best[0]:
            break
        if any(np.abs(quad - other).max() < 3 for other in seen):
            continue
        seen.append(quad)
        scored = score(quad, area)
        if scored is not None and (best is None or scored[0] > best[0]):
            best = (scored[0], quad, scored[1])
    if best is not None and max_side > PREVIEW_MAX_SIDE:
        best = _grow(best, lines, sw, sh, score, grads, support_threshold)
    if best is None:
        return full_frame(w, h)
    quad = best[1]
    # Back to the input's pixel grid (pixel centres on integers).
    quad = (quad + 0.5) / scale - 0.5
    return Corners(_as_tuple(order_clockwise(quad)), found=True, support=best[2])


def detect_preview(frame: Image8, aspect_hint: float | None = None) -> Corners:
    """Corners on a live preview frame (e.g. 1280 x 720), fast enough for every frame."""
    return detect_corners(frame, aspect_hint=aspect_hint, max_side=PREVIEW_MAX_SIDE)
