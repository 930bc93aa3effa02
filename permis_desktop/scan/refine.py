"""Precise corners on the full-resolution image, once `detect` has found the outline.

`refine_corners`: along each side, the strongest edge across the side at ~40 points, a line
fitted to them robustly (Huber) and neighbouring lines intersected. The end 12 % of each side
is skipped, so the rounded corners of an ID-1 card (3.18 mm radius) and a finger on a corner
do not pull the corner inwards: the corner is where the sides meet, as for a square card.
`refine_with_fit` also says how well each side fitted its line, so that two searches can be
combined side by side (`combine_refinements`) and a scanned card squared to its real size
(`square_to_size`). `corner_occlusion` tells a thumb over a corner.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from permis_desktop.scan.detect import Points
from permis_desktop.scan.loader import Image8


def _bilinear_strip(
    image: Image8, xs: npt.NDArray[np.float32], ys: npt.NDArray[np.float32]
) -> npt.NDArray[np.float32]:
    import cv2

    sampled = cv2.remap(image, xs, ys, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    if sampled.ndim == 3:
        arr = np.asarray(sampled, dtype=np.float32)
        return np.asarray(arr.max(axis=2) * 0.5 + arr.mean(axis=2) * 0.5, dtype=np.float32)
    return np.asarray(sampled, dtype=np.float32)


def _intersect(
    l1: npt.NDArray[np.float64], l2: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64] | None:
    # Lines as (vx, vy, x0, y0).
    d1, p1 = l1[:2], l1[2:]
    d2, p2 = l2[:2], l2[2:]
    den = d1[0] * d2[1] - d1[1] * d2[0]
    if abs(den) < 1e-9:
        return None
    t = ((p2[0] - p1[0]) * d2[1] - (p2[1] - p1[1]) * d2[0]) / den
    return np.asarray(p1 + t * d1, dtype=np.float64)


def refine_corners(
    image: Image8, corners: Points, radius: float | None = None, passes: int = 2
) -> Points:
    """Sub-pixel corners: fit a line to each side's edge and intersect them.

    `image` is BGR or gray at the resolution the corners are expressed in. Sides whose edge
    cannot be found keep their current position.
    """
    return refine_with_fit(image, corners, radius, passes).points


@dataclass(frozen=True)
class Refinement:
    points: Points
    # Share of the sampled points lying within a pixel of their side's line, over the four
    # sides and per side (a paper edge is one straight step; a line of text scatters).
    fit: float
    side_fit: tuple[float, ...]
    # Each side's fitted line (vx, vy, x0, y0), None where no edge was found.
    lines: tuple[npt.NDArray[np.float64] | None, ...] = ()


def combine_refinements(near: Refinement, far: Refinement, margin: float) -> Refinement:
    """Side by side, the line that fitted better (`far` only when clearly better), and the
    corners where the chosen lines meet."""
    chosen: list[npt.NDArray[np.float64] | None] = []
    fits: list[float] = []
    for i in range(4):
        a = near.lines[i] if i < len(near.lines) else None
        b = far.lines[i] if i < len(far.lines) else None
        use_far = b is not None and (a is None or far.side_fit[i] > near.side_fit[i] + margin)
        chosen.append(b if use_far else a)
        fits.append(far.side_fit[i] if use_far else near.side_fit[i])
    points = near.points.copy()
    for i in range(4):
        prev_line, this_line = chosen[(i - 1) % 4], chosen[i]
        if prev_line is not None and this_line is not None:
            point = _intersect(prev_line, this_line)
            if point is not None:
                points[i] = point
    return Refinement(points, float(np.mean(fits)), tuple(fits), tuple(chosen))


def refine_with_fit(
    image: Image8, corners: Points, radius: float | None = None, passes: int = 2
) -> Refinement:
    """`refine_corners`, and how well the last pass fitted."""
    import cv2

    quad = np.asarray(corners, dtype=np.float64).copy()
    diag = float(np.hypot(*(quad[2] - quad[0])))
    r = radius if radius is not None else max(4.0, 0.012 * diag)
    fit = 0.0
    side_fit = [0.0] * 4
    final_lines: list[npt.NDArray[np.float64] | None] = [None] * 4
    for _ in range(passes):
        lines: list[npt.NDArray[np.float64] | None] = []
        on_line = sampled = 0
        side_fit = [0.0] * 4
        for i in range(4):
            p, q = quad[i], quad[(i + 1) % 4]
            vec = q - p
            length = float(np.hypot(*vec))
            if length < 8:
                lines.append(None)
                continue
            tangent = vec / length
            normal = np.array([-tangent[1], tangent[0]])
            n_pts = int(min(64, max(16, length / 6)))
            sampled += n_pts
            t = np.linspace(0.12, 0.88, n_pts)
            steps = np.arange(-np.ceil(r), np.ceil(r) + 1)
            base = p[None, :] + vec[None, :] * t[:, None]
            # Three parallel samples along the side, averaged: smooths noise and text.
            acc = np.zeros((n_pts, len(steps)), np.float32)
            for along in (-1.5, 0.0, 1.5):
                pts = (
                    base[:, None, :]
                    + normal[None, None, :] * steps[None, :, None]
                    + tangent[None, None, :] * along
                )
                acc += _bilinear_strip(
                    image, pts[..., 0].astype(np.float32), pts[..., 1].astype(np.float32)
                )
            profile = cv2.GaussianBlur(acc, (3, 1), 0.8)
            deriv = np.diff(profile, axis=1)
            # One polarity per side (sheet lighter or darker than the table): keep the
            # dominant one so text just inside the edge does not attract the fit.
            pos, neg = deriv.max(axis=1), (-deriv).max(axis=1)
            signed = deriv if float(np.median(pos)) >= float(np.median(neg)) else -deriv
            idx = np.argmax(signed, axis=1)
            peak = signed[np.arange(n_pts), idx]
            ok = (idx > 0) & (idx < signed.shape[1] - 1) & (peak > 0)
            if ok.sum() < 6:
                lines.append(None)
                continue
            # Sub-pixel: parabola through the peak and its neighbours.
            rows = np.nonzero(ok)[0]
            i0 = idx[rows]
            left, mid, right = (signed[rows, i0 - 1], signed[rows, i0], signed[rows, i0 + 1])
            den = left - 2 * mid + right
            frac = np.where(np.abs(den) > 1e-6, 0.5 * (left - right) / den, 0.0)
            # The derivative between steps k and k+1 sits at steps[k] + 0.5.
            offsets = steps[i0] + 0.5 + np.clip(frac, -0.5, 0.5)
            strong = mid >= 0.35 * float(np.median(mid))
            pts = base[rows] + normal[None, :] * offsets[:, None]
            pts = pts[strong]
            if len(pts) < 6:
                lines.append(None)
                continue
            line = cv2.fitLine(pts.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).reshape(4)
            # Drop outliers (a finger, a fold) and fit again.
            d = np.abs((pts[:, 0] - line[2]) * line[1] - (pts[:, 1] - line[3]) * line[0])
            keep = d <= max(1.0, 2.5 * float(np.median(d)) + 0.5)
            if keep.sum() >= 6:
                line = cv2.fitLine(
                    pts[keep].astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01
                ).reshape(4)
            d = np.abs((pts[:, 0] - line[2]) * line[1] - (pts[:, 1] - line[3]) * line[0])
            on_line += int((d <= 1.0).sum())
            side_fit[i] = float((d <= 1.0).sum()) / n_pts
            lines.append(np.asarray(line, dtype=np.float64))
        new = quad.copy()
        for i in range(4):
            prev_line, this_line = lines[(i - 1) % 4], lines[i]
            if prev_line is None or this_line is None:
                continue
            point = _intersect(prev_line, this_line)
            if point is not None and float(np.hypot(*(point - quad[i]))) < 4 * r + 0.05 * diag:
                new[i] = point
        quad = new
        r = max(2.5, r / 3)
        fit = on_line / sampled if sampled else 0.0
        final_lines = lines
    return Refinement(quad, fit, tuple(side_fit), tuple(final_lines))


def square_to_size(refined: Refinement, size_px: tuple[float, float]) -> Points | None:
    """The rectangle of the piece's known size (long, short side in pixels) standing on the
    two adjacent sides that fitted best: a card on a flatbed has no perspective, and one
    side of it may not show (a white band on a white lid). None when the sides found
    disagree with that size (wrong resolution in the file, or not this kind of piece)."""
    quad = refined.points
    long_px, short_px = max(size_px), min(size_px)
    scores = [refined.side_fit[(i - 1) % 4] + refined.side_fit[i] for i in range(4)]
    i = int(np.argmax(scores))
    corner = quad[i]
    u = quad[(i + 1) % 4] - corner
    v = quad[(i - 1) % 4] - corner
    lu, lv = float(np.hypot(*u)), float(np.hypot(*v))
    if min(lu, lv) < 1:
        return None
    along_u, along_v = (long_px, short_px) if lu >= lv else (short_px, long_px)
    # A side's length is known when the side meeting it at its far end fitted too; at least
    # one such length, and every one, must match the size: the resolution is right.
    known = [
        abs(length / expected - 1)
        for length, expected, far_side in ((lu, along_u, (i + 1) % 4), (lv, along_v, (i - 2) % 4))
        if refined.side_fit[far_side] >= 0.8
    ]
    if not known or max(known) > 0.03:
        return None
    u_hat = u / lu
    v_hat = np.array([-u_hat[1], u_hat[0]])
    if float(v_hat @ v) < 0:
        v_hat = -v_hat
    out = np.empty((4, 2))
    out[i] = corner
    out[(i + 1) % 4] = corner + u_hat * along_u
    out[(i + 2) % 4] = corner + u_hat * along_u + v_hat * along_v
    out[(i - 1) % 4] = corner + v_hat * along_v
    return out


def corner_occlusion(image: Image8, corners: Points) -> float:
    """How much of the document's outline is hidden around its worst corner (0..1).

    A finger or an object over a corner hides the edge on *both* sides of that corner:
    for each corner, the shorter of the two hidden runs that end at it, as a share of the
    side. A glare spot or a shadow across one side does not look like this. Rounded card
    corners are outside the sampled span (7 % to 93 % of each side).
    """
    quad = np.asarray(corners, dtype=np.float64)
    h, w = image.shape[:2]
    lead: list[float] = []
    trail: list[float] = []
    for i in range(4):
        p, q = quad[i], quad[(i + 1) % 4]
        vec = q - p
        length = float(np.hypot(*vec))
        if length < 8:
            return 0.0
        normal = np.array([-vec[1], vec[0]]) / length
        t = np.linspace(0.07, 0.93, 48)
        base = p[None, :] + vec[None, :] * t[:, None]
        inside = (base[:, 0] >= 0) & (base[:, 0] < w) & (base[:, 1] >= 0) & (base[:, 1] < h)
        steps = np.arange(-4.0, 5.0)
        pts = base[:, None, :] + normal[None, None, :] * steps[None, :, None]
        prof = _bilinear_strip(
            image, pts[..., 0].astype(np.float32), pts[..., 1].astype(np.float32)
        )
        # Step across the edge: mean of the 3 samples beyond it minus the 3 before it.
        step = prof[:, 6:].mean(axis=1) - prof[:, :3].mean(axis=1)
        if float(np.median(step)) < 0:
            step = -step
        ref = float(np.median(np.sort(step)[len(step) // 2 :]))
        if ref <= 3.0:
            lead.append(0.0)
            trail.append(0.0)
            continue
        hidden = (step < 0.3 * ref) | ~inside
        first_seen = int(np.argmin(hidden)) if not hidden.all() else len(hidden)
        last_seen = int(np.argmin(hidden[::-1])) if not hidden.all() else len(hidden)
        lead.append(first_seen / len(hidden))
        trail.append(last_seen / len(hidden))
    return max(min(trail[(j - 1) % 4], lead[j]) for j in range(4))
