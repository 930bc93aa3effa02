"""Find the machine-readable zone on a scan or photo and read it.

1. Locate: on a ~1000-pixel copy, ink blobs of character size are chained left to right into
   text rows; an MRZ is 2 or 3 long, parallel, evenly spaced rows (30, 36 or 44 characters).
   The four quarter turns are covered by trying the image and its 90° rotation, each read
   both ways up.
2. Rectify: the zone is cut from the full-resolution image, turned level and scaled so that
   characters are ~30 pixels tall.
3. Segment: MRZ characters sit on a fixed pitch (ICAO 9303-3: 2.54 mm), so the cells are
   placed from the first and last characters of each row and a fit of the blob centres
   (which absorbs perspective), not from individual blobs: touching or broken glyphs do not
   matter.
4. Classify each cell with the OCR-B classifier (ocrb.py), then parse and repair with the
   check digits (mrz_parse.py).
"""

from __future__ import annotations

import bisect
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from permis_desktop.errors import OperationFailed
from permis_desktop.scan.recognize.mrz_parse import MrzResult, parse_mrz
from permis_desktop.scan.recognize.ocrb import CELL_H, CELL_W, OcrbClassifier, load_classifier
from permis_desktop.scan.recognize.pages import Cancel, Gray, Progress, check_cancel, iter_pages

log = logging.getLogger(__name__)

NO_MRZ_MESSAGE = (
    "Aucune bande MRZ lisible sur ce document. Numérisez la face qui porte les lignes "
    "« <<< » en bas (à plat, nette, sans reflet) ou saisissez l'identité à la main."
)
LOCATE_SIDE = 1000  # long side of the copy used to find the zone
# A second, finer look when the first finds nothing readable: a document photographed from
# afar has characters too small to separate at 1000 pixels.
FINE_LOCATE_SIDE = 1800
TARGET_HEIGHT = 30.0  # character height (pixels) in the rectified zone
FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True)
class _Row:
    boxes: npt.NDArray[np.float64]  # (n, 4): x, y, w, h
    height: float  # median height of the tall blobs
    slope: float
    intercept: float

    @property
    def left(self) -> float:
        return float(self.boxes[:, 0].min())

    @property
    def right(self) -> float:
        return float((self.boxes[:, 0] + self.boxes[:, 2]).max())

    def y_at(self, x: float) -> float:
        return self.slope * x + self.intercept


@dataclass(frozen=True)
class _Zone:
    rows: list[_Row]
    score: float


def _binarize(gray: Gray, block: int) -> Gray:
    """Ink = clearly darker than its neighbourhood, both by a margin and by a ratio.

    The ratio keeps the fine, mid-grey security lines (guilloches) that cross the zone on
    real documents from gluing the characters together; MRZ ink is the darkest print.
    """
    block = block | 1
    level = gray.astype(np.float32)
    mean = cv2.blur(level, (block, block))
    ink = (level < mean - 12) & (level < mean * 0.75)
    return ink.astype(np.uint8) * 255


def _blobs(binary: Gray, min_h: float, max_h: float) -> npt.NDArray[np.float64]:
    count, _labels, stats, _c = cv2.connectedComponentsWithStats(binary, connectivity=8)
    boxes = stats[1:, :4].astype(np.float64)
    if not len(boxes):
        return boxes.reshape(0, 4)
    w, h = boxes[:, 2], boxes[:, 3]
    # Wide blobs are kept: at low resolution a run of fillers "<<<<" prints as one blob.
    keep = (h >= min_h) & (h <= max_h) & (w <= 14 * h + 2) & (w >= 0.12 * h)
    return boxes[keep]


def _rows(boxes: npt.NDArray[np.float64], min_members: int) -> list[_Row]:
    """Chain blobs into rows: each blob links to its nearest right neighbour on the same line."""
    n = len(boxes)
    if n < min_members:
        return []
    order = np.argsort(boxes[:, 0])
    boxes = boxes[order]
    cy = boxes[:, 1] + boxes[:, 3] / 2
    h = boxes[:, 3]
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    right_edge = boxes[:, 0] + boxes[:, 2]
    xs = boxes[:, 0].tolist()
    cys, hs, rights = cy.tolist(), h.tolist(), right_edge.tolist()
    # Horizontal bands of blob centres, so that a dense page of text is not searched
    # blob against blob: a neighbour on the same line is in a band next to one's own.
    unit = float(np.median(h))
    band = np.floor(cy / unit).astype(int).tolist()
    members: dict[int, list[int]] = {}
    for i in range(n):  # in x order, so each band's list is sorted by x
        members.setdefault(band[i], []).append(i)
    band_x = {b: [xs[k] for k in idx] for b, idx in members.items()}
    for i in range(n):
        hi = hs[i]
        reach = int(np.ceil(1.2 * hi / unit))
        best, best_gap = -1, 1e9
        for near in range(band[i] - reach, band[i] + reach + 1):
            idx = members.get(near)
            if not idx:
                continue
            start = bisect.bisect_left(band_x[near], xs[i])
            stop = bisect.bisect_right(band_x[near], rights[i] + 1.8 * hi)
            for k in range(start, stop):
                j = idx[k]
                if j <= i:
                    continue
                hj = hs[j]
                if abs(cys[j] - cys[i]) < 0.45 * max(hi, hj) and 0.4 < hj / hi < 2.5:
                    gap = xs[j] - rights[i]
                    if -0.5 * hi < gap < best_gap:
                        best, best_gap = j, gap
        if best >= 0:
            parent[find(best)] = find(i)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    pieces = [_make_row(boxes[group]) for group in groups.values() if len(group) >= 3]
    rows = []
    for row in _join_pieces(pieces):
        b = row.boxes
        glyphs = np.maximum(1, np.round(b[:, 2] / (0.9 * row.height))).sum()
        if glyphs >= min_members and len(b) >= min_members // 3:
            rows.append(row)
    return rows


def _make_row(b: npt.NDArray[np.float64]) -> _Row:
    heights = b[:, 3]
    tall = b[heights >= np.percentile(heights, 50)]
    height = float(np.median(tall[:, 3]))
    tx = tall[:, 0] + tall[:, 2] / 2
    ty = tall[:, 1] + tall[:, 3] / 2
    if len(tall) >= 3 and np.ptp(tx) > 0:
        slope, intercept = np.polyfit(tx, ty, 1)
    else:
        slope, intercept = 0.0, float(np.mean(ty))
    return _Row(b, height, float(slope), float(intercept))


def _join_pieces(pieces: list[_Row]) -> list[_Row]:
    """Join pieces of one text line cut by a washed-out stretch (glare, faint fillers):
    collinear, same character height, a gap of at most eight characters."""
    if len(pieces) < 2:
        return pieces
    pieces = sorted(pieces, key=lambda r: r.left)
    lefts = [r.left for r in pieces]
    rights = [r.right for r in pieces]
    parent = list(range(len(pieces)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(pieces):
        h = a.height
        lo = bisect.bisect_left(lefts, rights[i] - 0.5 * h)
        hi = bisect.bisect_right(lefts, rights[i] + 8 * h)
        best, best_gap = -1, 1e9
        for j in range(max(lo, i + 1), hi):
            b = pieces[j]
            gap = lefts[j] - rights[i]
            if (
                0.7 < b.height / h < 1.4
                and abs(a.y_at(lefts[j]) - b.y_at(lefts[j])) < 0.4 * max(h, b.height)
                and gap < best_gap
            ):
                best, best_gap = j, gap
        if best >= 0:
            parent[find(best)] = find(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(pieces)):
        groups.setdefault(find(i), []).append(i)
    return [
        pieces[m[0]] if len(m) == 1 else _make_row(np.concatenate([pieces[k].boxes for k in m]))
        for m in groups.values()
    ]


def _zones(rows: list[_Row]) -> list[_Zone]:
    """Groups of 2-3 parallel rows, evenly spaced, with the same extent: MRZ candidates."""
    rows = sorted(rows, key=lambda r: r.y_at((r.left + r.right) / 2))
    zones = []
    for start in range(len(rows)):
        group = [rows[start]]
        for nxt in rows[start + 1 :]:
            prev = group[-1]
            mid = (nxt.left + nxt.right) / 2
            spacing = nxt.y_at(mid) - prev.y_at(mid)
            h = max(prev.height, nxt.height)
            overlap = min(prev.right, nxt.right) - max(prev.left, nxt.left)
            shorter = min(prev.right - prev.left, nxt.right - nxt.left)
            longer = max(prev.right - prev.left, nxt.right - nxt.left)
            # Lines of one zone are parallel and about as long (a stray blob may lengthen one).
            if (
                1.05 * h < spacing < 2.8 * h
                and overlap > 0.85 * shorter
                and shorter > 0.75 * longer
                and abs(prev.slope - nxt.slope) < 0.05
            ):
                group.append(nxt)
                if len(group) == 3:
                    break
            elif spacing >= 2.8 * h:
                break
        if len(group) >= 2:
            members = sum(len(r.boxes) for r in group)
            zones.append(_Zone(group, float(members)))
    zones.sort(key=lambda z: -z.score)
    return zones


def _small(gray: Gray, side: int = LOCATE_SIDE) -> tuple[Gray, float]:
    scale = min(1.0, side / max(gray.shape))
    if scale < 1:
        return cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA), scale
    return gray, scale


def _skew(gray: Gray) -> float:
    """Angle of the text lines in degrees, from neighbouring glyph pairs (median)."""
    small, _scale = _small(gray)
    binary = _binarize(small, max(15, round(max(small.shape) / 40)))
    boxes = _blobs(binary, 5, max(small.shape) / 12)
    boxes = boxes[boxes[:, 2] <= 1.6 * boxes[:, 3] + 2]
    if len(boxes) < 20:
        return 0.0
    cx = boxes[:, 0] + boxes[:, 2] / 2
    cy = boxes[:, 1] + boxes[:, 3] / 2
    h = boxes[:, 3]
    # At most 400 glyphs (evenly spread) look for their right neighbour among all: enough
    # for a median angle, and a dense page of text stays fast (vectorised, 400 x n).
    chosen = np.linspace(0, len(boxes) - 1, min(400, len(boxes))).astype(int)
    dx = cx[None, :] - cx[chosen, None]
    dy = cy[None, :] - cy[chosen, None]
    hi = h[chosen, None]
    ratio = h[None, :] / hi
    ok = (dx > 0.5 * hi) & (dx < 2.2 * hi) & (np.abs(dy) < 0.6 * dx) & (ratio > 0.7) & (ratio < 1.4)
    dist = np.where(ok, dx * dx + dy * dy, np.inf)
    best = dist.argmin(axis=1)
    found = np.isfinite(dist[np.arange(len(chosen)), best])
    if found.sum() < 15:
        return 0.0
    rows = np.arange(len(chosen))[found]
    angles = np.degrees(np.arctan2(dy[rows, best[found]], dx[rows, best[found]]))
    return float(np.median(angles))


def _level(gray: Gray) -> Gray:
    """The image turned so that its text lines are horizontal (canvas grown, nothing cut)."""
    angle = _skew(gray)
    if abs(angle) < 1.0:
        return gray
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = int(h * sin + w * cos), int(h * cos + w * sin)
    matrix[0, 2] += new_w / 2 - w / 2
    matrix[1, 2] += new_h / 2 - h / 2
    return cv2.warpAffine(
        gray, matrix, (new_w, new_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


def _locate(gray: Gray, side: int = LOCATE_SIDE) -> list[tuple[_Zone, float]]:
    """MRZ candidates found on a reduced copy, with the reduction factor."""
    small, scale = _small(gray, side)
    binary = _binarize(small, max(15, round(max(small.shape) / 40)))
    boxes = _blobs(binary, 5, max(small.shape) / 12)
    return [(zone, scale) for zone in _zones(_rows(boxes, 18))]


def _rectify(gray: Gray, zone: _Zone, scale: float) -> Gray:
    """The zone cut from the full image, level, characters ~TARGET_HEIGHT pixels tall."""
    rows = zone.rows
    height = float(np.median([r.height for r in rows])) / scale
    slope = float(np.mean([r.slope for r in rows]))
    angle = float(np.degrees(np.arctan(slope)))
    left = min(r.left for r in rows) / scale
    right = max(r.right for r in rows) / scale
    top = rows[0].y_at((rows[0].left + rows[0].right) / 2) / scale
    bottom = rows[-1].y_at((rows[-1].left + rows[-1].right) / 2) / scale
    factor = TARGET_HEIGHT / height
    cx, cy = (left + right) / 2, (top + bottom) / 2
    out_w = int((right - left) * factor + 4 * TARGET_HEIGHT)
    out_h = int((bottom - top) * factor + 3.2 * TARGET_HEIGHT)
    src = gray
    if factor < 0.7:
        src = cv2.resize(gray, None, fx=factor * 1.2, fy=factor * 1.2, interpolation=cv2.INTER_AREA)
        cx, cy, factor = cx * factor * 1.2, cy * factor * 1.2, 1 / 1.2
    matrix = cv2.getRotationMatrix2D((cx, cy), angle, factor)
    matrix[0, 2] += out_w / 2 - cx
    matrix[1, 2] += out_h / 2 - cy
    return cv2.warpAffine(
        src, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


def _pitch(row: _Row) -> float | None:
    """Median distance between neighbouring single-glyph blobs of a row."""
    b = row.boxes[np.argsort(row.boxes[:, 0])]
    single = b[b[:, 2] <= 1.3 * np.median(b[:, 2]) + 1]
    gaps = np.diff(single[:, 0] + single[:, 2] / 2)
    plausible = gaps[(gaps > 0.5 * row.height) & (gaps < 1.5 * row.height)]
    return float(np.median(plausible)) if len(plausible) >= 4 else None


def _line_length(rows: list[_Row]) -> int:
    """30 for three rows; for two, 44 (passport) or 36 (1988 card) from the row span."""
    if len(rows) == 3:
        return 30
    spans = [(r.right - r.left) / p for r in rows if (p := _pitch(r))]
    return 44 if spans and max(spans) > 40 else 36


def _cell_centres(row: _Row, length: int) -> npt.NDArray[np.floating[Any]] | None:
    """Centre of each of the `length` cells of a row, from the blobs that are single glyphs.

    Blobs are numbered by walking the gaps between neighbours in units of the local pitch
    (perspective makes the pitch grow along the line, so a global pitch would misnumber the
    middle of a long line); a glued run (a wide blob: fillers "<<<<", touching letters)
    counts as as many glyphs as pitches fit in it, split glyphs (blobs closer than half a
    pitch) are merged. A quadratic fit of centre against number then places every cell,
    including the ones whose glyph was not a clean blob.
    """
    b = row.boxes[np.argsort(row.boxes[:, 0])]
    widths = b[:, 2]
    single = widths <= 1.3 * np.median(widths) + 1
    if single.sum() < 6:
        return None
    pitch = _pitch(row) or float(b[-1, 0] + b[-1, 2] - b[0, 0]) / length
    # Glued glyphs (a run of fillers, touching letters): spread k centres over the blob.
    centres: list[float] = []
    for x, _y, w, _h in b:
        k = max(1, round(w / pitch)) if w > 1.3 * np.median(widths) + 1 else 1
        step = w / k
        centres.extend(x + step * (j + 0.5) for j in range(k))
    cx = np.array(centres)
    merged = [cx[0]]
    for x in cx[1:]:
        if x - merged[-1] < 0.5 * pitch:
            merged[-1] = (merged[-1] + x) / 2
        else:
            merged.append(x)
    centres_seen = np.array(merged)
    idx = [0]
    for k in range(1, len(centres_seen)):
        window = np.diff(centres_seen[max(0, k - 6) : k + 1])
        local = (
            float(np.median(window[window < 1.5 * pitch]))
            if np.any(window < 1.5 * pitch)
            else pitch
        )
        idx.append(idx[-1] + max(1, round((centres_seen[k] - centres_seen[k - 1]) / local)))
    numbers = np.array(idx, dtype=np.float64)
    # Extra blobs at either end (print, noise) make the row too long: drop the end whose gap
    # to its neighbour is the least like a pitch.
    while numbers[-1] + 1 > length and len(numbers) > 8:
        if numbers[1] - numbers[0] >= numbers[-1] - numbers[-2]:
            numbers, centres_seen = numbers[1:] - numbers[1], centres_seen[1:]
        else:
            numbers, centres_seen = numbers[:-1], centres_seen[:-1]
    if numbers[-1] + 1 > length:
        return None
    degree = 2 if len(numbers) > 12 else 1
    coef = np.polyfit(numbers, centres_seen, degree)
    fitted: npt.NDArray[np.floating[Any]] = np.polyval(coef, np.arange(length, dtype=np.float64))
    return fitted


def segment(zone_img: Gray, n_rows: int) -> list[FloatArray] | None:
    """Cells of each MRZ line as an (n, CELL_H, CELL_W) float array, ink = 1. None if unsure."""
    binary = _binarize(zone_img, int(TARGET_HEIGHT * 1.5))
    boxes = _blobs(binary, TARGET_HEIGHT * 0.3, TARGET_HEIGHT * 1.8)
    rows = _rows(boxes, 10)
    if len(rows) < n_rows:
        return None
    rows = sorted(rows, key=lambda r: -len(r.boxes))[:n_rows]
    rows.sort(key=lambda r: r.y_at((r.left + r.right) / 2))
    length = _line_length(rows)
    inverted = 255.0 - zone_img.astype(np.float32)
    result = []
    for row in rows:
        centres = _cell_centres(row, length)
        if centres is None:
            return None
        local_pitch = np.abs(np.gradient(centres))
        cells = np.empty((length, CELL_H, CELL_W), np.float32)
        ch = row.height * 1.3
        for i in range(length):
            x = float(centres[i])
            w = float(local_pitch[i])
            patch = cv2.getRectSubPix(
                inverted, (max(4, round(w)), max(4, round(ch))), (x, row.y_at(x))
            )
            cells[i] = cv2.resize(patch, (CELL_W, CELL_H), interpolation=cv2.INTER_AREA)
        result.append(normalize_cells(cells))
    return result


def normalize_cells(cells: FloatArray) -> FloatArray:
    """Per cell: background 0, ink 1 (robust to glare and light that vary along a line)."""
    flat = cells.reshape(len(cells), -1)
    low = np.percentile(flat, 10, axis=1)[:, None, None]
    high = np.percentile(flat, 99, axis=1)[:, None, None]
    out = (cells - low) / np.maximum(high - low, 12.0)
    clipped: FloatArray = np.clip(out, 0, 1).astype(np.float32)
    return clipped


def _read_zone(
    zone_img: Gray, n_rows: int, classifier: OcrbClassifier
) -> tuple[MrzResult | None, float]:
    lines = segment(zone_img, n_rows)
    if lines is None:
        return None, 0.0
    cells_per_line = []
    confidence = []
    for cells in lines:
        probs = classifier.predict(cells)
        cells_per_line.append(classifier.top_candidates(probs))
        confidence.append(float(probs.max(axis=1).mean()))
    result = parse_mrz(cells_per_line)
    return result, float(np.mean(confidence))


def _rank(result: MrzResult | None, confidence: float) -> tuple[int, float]:
    if result is None:
        return (-1, confidence)
    return (sum(result.checks.values()) - len(result.checks), confidence)


def read_mrz_image(
    gray: Gray, classifier: OcrbClassifier | None = None, cancel: Cancel | None = None
) -> MrzResult | None:
    """Read the MRZ of one grayscale page, or None when there is none."""
    classifier = classifier or load_classifier()
    best: MrzResult | None = None
    best_rank: tuple[int, float] = (-2, 0.0)
    levelled: dict[int, Gray] = {}
    sides = [LOCATE_SIDE] + ([FINE_LOCATE_SIDE] if max(gray.shape) > LOCATE_SIDE * 1.2 else [])
    for side in sides:
        for turn in (0, 1):
            check_cancel(cancel)
            if turn not in levelled:  # the quarter turn only if needed
                levelled[turn] = _level(
                    gray if turn == 0 else cv2.rotate(gray, cv2.ROTATE_90_CLOCKWISE)
                )
            image = levelled[turn]
            for zone, scale in _locate(image, side)[:4]:
                zone_img = _rectify(image, zone, scale)
                for flip in (False, True):
                    img = cv2.rotate(zone_img, cv2.ROTATE_180) if flip else zone_img
                    result, confidence = _read_zone(img, len(zone.rows), classifier)
                    rank = _rank(result, confidence)
                    if rank > best_rank:
                        best, best_rank = result, rank
                    if result is not None and result.valid and confidence > 0.8:
                        return result
        if best is not None and best.valid:
            break
    return best


def read_mrz(
    source: str | Path | bytes,
    *,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> MrzResult:
    """Read the MRZ of an image or PDF (first page that has one). OperationFailed if none."""
    classifier = load_classifier()
    best: MrzResult | None = None
    for index, page in enumerate(iter_pages(source), start=1):
        check_cancel(cancel)
        if progress:
            progress(0.0, f"Lecture de la bande MRZ, page {index}")
        result = read_mrz_image(page, classifier, cancel)
        if result is not None and (best is None or _rank(result, 1)[0] > _rank(best, 1)[0]):
            best = result
        if best is not None and best.valid:
            break
    if progress:
        progress(1.0, "Bande MRZ lue" if best else "Aucune bande MRZ")
    if best is None:
        raise OperationFailed(NO_MRZ_MESSAGE)
    log.info("MRZ %s read, checks %s", best.format, best.checks)
    return best
