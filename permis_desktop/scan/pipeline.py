"""The capture pipeline: files in, checked and compact pages out.

    open (guards) -> detect corners (small copy) -> refine (working resolution)
    -> rectify to the physical format -> upright -> quality verdict -> filter
    -> compose card sides + watermark -> JPEG to budget -> PDF (JPEG pages as they are)

Non-destructive: each page's `PageParams` (corners in source pixels, rotation, filter) is
plain JSON. `process_page(source, fmt, params=stored)` re-derives the page from the original
with them, so the capture UI can re-crop or change the filter later without a new capture.

Speed: a 12-megapixel JPEG is decoded at 1/8 (DCT scaling) for detection, then once more at
the smallest scale that still holds the output resolution; the EXIF rotation is folded into
the rectifying warp instead of rotating 12 megapixels. The caller gets progress as
`progress(done, total)` and may cancel with a callable or a `threading.Event`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from permis_desktop.errors import OperationFailed
from permis_desktop.scan import geometry, quality
from permis_desktop.scan.deskew import MIN_SKEW_DEGREES, ink_mask, rotate_corners, text_skew
from permis_desktop.scan.detect import Points, detect_corners, full_frame, order_clockwise
from permis_desktop.scan.encode import Encoded, compose_sides, encode_to_budget, watermark
from permis_desktop.scan.enhance import enhance
from permis_desktop.scan.formats import (
    WATERMARK_KINDS,
    PhysicalFormat,
    format_for,
    resolve_filter,
    with_budget,
)
from permis_desktop.scan.loader import Image8, SourcePage, open_source
from permis_desktop.scan.refine import (
    combine_refinements,
    corner_occlusion,
    refine_corners,
    refine_with_fit,
    square_to_size,
)

log = logging.getLogger(__name__)

# How much better the wider refinement must fit a side to be preferred there.
_WIDER_FIT_MARGIN = 0.1
# Text is printed square to its sheet: edges found on a scan that disagree with the text
# lines by more than this (degrees) are lines inside the page, not the paper's edges.
_EDGE_TEXT_AGREEMENT = 0.7

Progress = Callable[[int, int], None]


class _Event(Protocol):
    def is_set(self) -> bool: ...


Cancel = Callable[[], bool] | _Event


class CaptureCancelled(OperationFailed):
    def __init__(self) -> None:
        super().__init__("Traitement annulé.")


def _is_cancelled(cancel: Cancel | None) -> bool:
    if cancel is None:
        return False
    if hasattr(cancel, "is_set"):
        return bool(cancel.is_set())
    return bool(cancel())


@dataclass
class PageParams:
    """How a page is derived from its original; stored as JSON with the page."""

    corners: list[list[float]] | None = None  # source pixels, clockwise from document top-left
    rotation: int = 0  # extra clockwise turn chosen by the user, degrees (multiple of 90)
    filter: str = "auto"

    def to_json(self) -> dict[str, Any]:
        return {"corners": self.corners, "rotation": self.rotation, "filter": self.filter}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PageParams:
        corners = data.get("corners")
        return cls(
            corners=[[float(x), float(y)] for x, y in corners] if corners else None,
            rotation=int(data.get("rotation", 0)) % 360,
            filter=str(data.get("filter", "auto")),
        )


@dataclass
class PageResult:
    source: str
    page: int
    vector: bool
    corners: list[list[float]]
    size: tuple[int, int]
    dpi: float  # effective resolution of the capture (source pixels per inch of document)
    output_dpi: float
    verdict: str
    reasons: list[str]
    params: PageParams
    metrics: dict[str, float] = field(default_factory=dict)
    bytes: int = 0
    output_page: int = 0  # 1-based index of the output page holding this page
    image: Image8 | None = field(default=None, repr=False)  # processed, before encoding
    pdf_page_index: int = 0

    def report(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "page": self.page,
            "corners": [[round(x, 1), round(y, 1)] for x, y in self.corners],
            "size": [int(self.size[0]), int(self.size[1])],
            "dpi": round(self.dpi),
            "verdict": self.verdict,
            "reasons": list(self.reasons),
            "bytes": self.bytes,
            "output_page": self.output_page,
            "output_dpi": round(self.output_dpi),
            "vector": self.vector,
            "filter": self.params.filter,
        }


@dataclass
class OutputPage:
    """One page of the result: a JPEG, or a born-digital PDF page kept as vector."""

    jpeg: bytes | None
    width: int
    height: int
    dpi: float
    gray: bool
    on_a4: bool = False
    pdf: bytes | None = None
    pdf_page_index: int = 0
    bytes: int = 0
    quality: int = 0


@dataclass
class ProcessResult:
    piece: str
    format: PhysicalFormat
    pages: list[PageResult]
    outputs: list[OutputPage]

    @property
    def total_bytes(self) -> int:
        return sum(o.bytes for o in self.outputs)

    def pdf(self) -> bytes:
        from permis_desktop.scan.pdf import PdfPage, assemble_pdf

        return assemble_pdf(
            [
                PdfPage(
                    jpeg=o.jpeg,
                    width_px=o.width,
                    height_px=o.height,
                    dpi=o.dpi,
                    gray=o.gray,
                    on_a4=o.on_a4,
                    pdf=o.pdf,
                    pdf_page_index=o.pdf_page_index,
                )
                for o in self.outputs
            ]
        )

    def report(self, output: str, total_bytes: int | None = None) -> dict[str, Any]:
        return {
            "piece": self.piece,
            "output": output,
            "total_bytes": self.total_bytes if total_bytes is None else total_bytes,
            "format": self.format.id,
            "pages": [p.report() for p in self.pages],
        }


# -- one page ---------------------------------------------------------------------------


def _detect_reduce(src: SourcePage) -> int:
    for r in (8, 4, 2):
        if max(src.width, src.height) / r >= 480:
            return r
    return 1


def _to_stored(points: Points, src: SourcePage, stored_wh: tuple[int, int]) -> Points:
    m = src.orient.matrix(*stored_wh)
    inv = np.linalg.inv(m)
    homog = np.c_[points, np.ones(len(points))] @ inv.T
    return np.asarray(homog[:, :2], dtype=np.float64)


def _to_upright(points: Points, src: SourcePage, stored_wh: tuple[int, int]) -> Points:
    m = src.orient.matrix(*stored_wh)
    homog = np.c_[points, np.ones(len(points))] @ m.T
    return np.asarray(homog[:, :2], dtype=np.float64)


def _refine_photo(
    work: Image8, corners: Points, known_size: tuple[float, float] | None = None
) -> Points:
    """Refine within 1.2 % of the diagonal, and within 3 % for an outline detected further
    off; side by side, the wider search's line is kept only when it fits clearly better (it
    may also land on a line of text just inside a faint edge). A card scanned at a known
    resolution is then squared to its real size."""
    near = refine_with_fit(work, corners)
    best = near
    # Sides that all sit on a straight edge need no wider look (most pages: saves ~10 ms).
    if min(near.side_fit) < 1.0 - _WIDER_FIT_MARGIN:
        diag = float(np.hypot(*(corners[2] - corners[0])))
        far = refine_with_fit(work, corners, radius=0.03 * diag)
        best = combine_refinements(near, far, _WIDER_FIT_MARGIN)
    if known_size is not None:
        squared = square_to_size(best, known_size)
        if squared is not None:
            return squared
    return best.points


def _printed_beyond(gray: Image8, corners: Points) -> bool:
    """Whether there is print outside `corners`: then they are not the paper's edges but
    lines inside the page (a margin of text, a rule), found on a scan whose edges do not
    show."""
    import cv2

    ink = ink_mask(gray)
    h, w = gray.shape[:2]
    sx, sy = ink.shape[1] / w, ink.shape[0] / h
    quad = np.c_[(corners[:, 0] + 0.5) * sx - 0.5, (corners[:, 1] + 0.5) * sy - 0.5]
    frame = np.full(ink.shape, 255, np.uint8)
    cv2.fillConvexPoly(frame, np.rint(quad).astype(np.int32), 0)
    # The paper's own edge (its shadow line) and the scanner's border are not print.
    band = max(3, round(0.01 * max(ink.shape)))
    outside = np.asarray(cv2.erode(frame, np.ones((2 * band + 1, 2 * band + 1), np.uint8)))
    area = int(np.count_nonzero(outside))
    if area == 0:
        return False
    printed = int(np.count_nonzero(ink[outside > 0]))
    return printed > 0.002 * area + 20


def _side_angle(corners: Points) -> float:
    """Mean slope of the quad's sides in degrees, each folded into (-45, 45]."""
    angles = []
    for i in range(4):
        dx, dy = corners[(i + 1) % 4] - corners[i]
        a = float(np.degrees(np.arctan2(dy, dx)))
        angles.append((a + 45.0) % 90.0 - 45.0)
    return float(np.mean(angles))


def _fills_frame(src: SourcePage, corners: Points, fmt: PhysicalFormat) -> bool:
    """A flatbed page that fills the platen: touching the frame is normal there."""
    if not src.scanned:
        return False
    import cv2

    area = abs(float(cv2.contourArea(corners.astype(np.float32))))
    return area >= 0.85 * src.width * src.height


def process_page(
    src: SourcePage,
    fmt: PhysicalFormat,
    filter_name: str = "auto",
    params: PageParams | None = None,
) -> PageResult:
    """Derive one processed page from its source; `params` re-applies a stored crop."""
    if src.kind == "vector":
        return _vector_page(src, fmt, filter_name)
    chosen = resolve_filter(params.filter if params else filter_name, fmt)
    W, H = src.width, src.height
    auto_corners = params is None or params.corners is None
    found = True
    support = 1.0
    # A sheet scanned on a flatbed fills the platen: its edges, if any, are faint lines a few
    # millimetres inside the frame. Start from the frame and let the refinement find them.
    platen_page = (
        auto_corners
        and src.scanned
        and fmt.known
        and not fmt.identity
        and _aspect_matches(W, H, fmt, tolerance=0.08)
    )
    if platen_page:
        corners_up = geometry.orient_to_format(full_frame(W, H).array(), fmt)
    elif auto_corners:
        r_det = _detect_reduce(src)
        small = src.decode(r_det)
        corners_small = detect_corners(small, aspect_hint=fmt.aspect if fmt.known else None)
        sx, sy = W / small.shape[1], H / small.shape[0]
        pts = corners_small.array()
        pts = np.c_[(pts[:, 0] + 0.5) * sx - 0.5, (pts[:, 1] + 0.5) * sy - 0.5]
        found = corners_small.found
        support = corners_small.support
        if not found:
            pts = full_frame(W, H).array()
        corners_up = geometry.orient_to_format(order_clockwise(pts), fmt)
    else:
        assert params is not None and params.corners is not None
        corners_up = np.asarray(params.corners, dtype=np.float64).reshape(4, 2)
    turns = (params.rotation // 90) % 4 if params is not None else 0
    corners_up = geometry.rotate_order(corners_up, turns)

    eff_dpi_guess = geometry.effective_dpi(corners_up, *_mm_for(corners_up, fmt))
    out_dpi = float(min(fmt.target_dpi, max(eff_dpi_guess, 72.0)))

    # Working resolution: the smallest decode that still holds the output resolution.
    stored_w, stored_h = src.orient.stored_size if src.orient.stored_size != (0, 0) else (W, H)
    r_work = 1
    if src.fast_reduce:
        for r in (8, 4, 2):
            if eff_dpi_guess / r >= out_dpi * 1.05:
                r_work = r
                break
    work = src.decode_stored(r_work)
    kx, ky = work.shape[1] / stored_w, work.shape[0] / stored_h
    corners_st = _to_stored(corners_up, src, (stored_w, stored_h))
    corners_work = np.c_[(corners_st[:, 0] + 0.5) * kx - 0.5, (corners_st[:, 1] + 0.5) * ky - 0.5]
    occlusion = 0.0
    if platen_page:
        diag = float(np.hypot(*work.shape[:2]))
        refined = refine_corners(work, corners_work, radius=0.03 * diag)
        import cv2

        area = abs(float(cv2.contourArea(refined.astype(np.float32))))
        gray = np.asarray(
            work if work.ndim == 2 else cv2.cvtColor(work, cv2.COLOR_BGR2GRAY), dtype=np.uint8
        )
        skew = text_skew(gray)
        if (
            area >= 0.8 * work.shape[0] * work.shape[1]
            and not _printed_beyond(gray, refined)
            and (skew is None or abs(_side_angle(refined) - skew) <= _EDGE_TEXT_AGREEMENT)
        ):
            corners_work = refined
        elif skew is not None and abs(skew) >= MIN_SKEW_DEGREES:
            # No paper edge on the scan: straighten by the lines of text.
            h_w, w_w = work.shape[:2]
            log.info("scanned page straightened by its text lines: %.2f degrees", skew)
            corners_work = rotate_corners(corners_work, skew, ((w_w - 1) / 2, (h_w - 1) / 2))
        corners_st = np.c_[
            (corners_work[:, 0] + 0.5) / kx - 0.5, (corners_work[:, 1] + 0.5) / ky - 0.5
        ]
        corners_up = _to_upright(corners_st, src, (stored_w, stored_h))
    elif auto_corners and found:
        px_per_mm = (src.dpi or 0.0) / 25.4 * kx
        known_size = (
            (fmt.width_mm * px_per_mm, fmt.height_mm * px_per_mm)
            if src.scanned and src.dpi and fmt.known and fmt.identity
            else None
        )
        corners_work = _refine_photo(work, corners_work, known_size)
        occlusion = corner_occlusion(work, corners_work)
        corners_st = np.c_[
            (corners_work[:, 0] + 0.5) / kx - 0.5, (corners_work[:, 1] + 0.5) / ky - 0.5
        ]
        corners_up = _to_upright(corners_st, src, (stored_w, stored_h))

    mm = _mm_for(corners_up, fmt)
    eff_dpi = geometry.effective_dpi(corners_up, *mm)
    size = geometry.output_size(mm, out_dpi)
    rectified = geometry.rectify(work, corners_work, size)
    if auto_corners and (found or platen_page) and geometry.upside_down(rectified, fmt):
        rectified = np.ascontiguousarray(rectified[::-1, ::-1])
        corners_up = geometry.rotate_order(corners_up, 2)
    fills = platen_page or _fills_frame(src, corners_up, fmt)
    framing = quality.framing_problems(
        corners_up, (W, H), found=found, fills_frame_ok=fills, occlusion=occlusion
    )
    report = quality.assess_quality(
        quality.canonical(rectified, fmt, mm),
        fmt,
        effective_dpi=eff_dpi,
        cut_off=framing,
        scanned=src.scanned,
    )
    report.metrics["support"] = support
    processed = enhance(rectified, chosen, px_per_mm=out_dpi / 25.4, card=fmt.identity)
    # Stored corners exclude the user's rotation, which is kept apart and re-applied.
    base = geometry.rotate_order(corners_up, -turns)
    stored = PageParams(
        corners=[[float(x), float(y)] for x, y in base], rotation=turns * 90, filter=chosen
    )
    return PageResult(
        source=src.source,
        page=src.page,
        vector=False,
        corners=[[float(x), float(y)] for x, y in corners_up],
        size=(size[0], size[1]),
        dpi=eff_dpi,
        output_dpi=out_dpi,
        verdict=report.verdict,
        reasons=report.reasons,
        params=stored,
        metrics=report.metrics,
        image=processed,
    )


def _mm_for(corners: Points, fmt: PhysicalFormat) -> tuple[float, float]:
    return geometry.document_mm(corners, fmt)


def _aspect_matches(w: int, h: int, fmt: PhysicalFormat, tolerance: float = 0.05) -> bool:
    if not fmt.known:
        return True
    ratio = max(w, h) / max(min(w, h), 1)
    target = max(fmt.aspect, 1 / fmt.aspect)
    return abs(ratio / target - 1) < tolerance


def _vector_page(src: SourcePage, fmt: PhysicalFormat, filter_name: str) -> PageResult:
    w, h = src.width, src.height
    corners = [[0.0, 0.0], [float(w), 0.0], [float(w), float(h)], [0.0, float(h)]]
    return PageResult(
        source=src.source,
        page=src.page,
        vector=True,
        corners=corners,
        size=(w, h),
        dpi=72.0,
        output_dpi=72.0,
        verdict="ok",
        reasons=[],
        params=PageParams(corners=None, rotation=0, filter=resolve_filter(filter_name, fmt)),
        pdf_page_index=src.pdf_page_index,
    )


# -- a whole piece -----------------------------------------------------------------------


def open_sources(paths: Sequence[Path | str]) -> list[SourcePage]:
    pages: list[SourcePage] = []
    for path in paths:
        pages.extend(open_source(path))
    return pages


def process_files(
    paths: Sequence[Path | str],
    piece_kind: str,
    filter: str = "auto",
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    *,
    document_type: str | None = None,
    budget_bytes: int | None = None,
    watermark_identity: bool = True,
    raster_output: bool = False,
    today: dt.date | None = None,
    sources: list[SourcePage] | None = None,
    params: Sequence[PageParams | None] | None = None,
) -> ProcessResult:
    """Run the pipeline over every page of `paths` for a piece of kind `piece_kind`.

    `raster_output` turns born-digital PDF pages into JPEG pages (for JPEG output files).
    `params` re-applies stored parameters page by page (None entries are auto-detected).
    """
    fmt = with_budget(format_for(piece_kind, document_type), budget_bytes)
    resolve_filter(filter, fmt)
    pages_in = sources if sources is not None else open_sources(paths)
    total = len(pages_in) + 1
    results: list[PageResult] = []
    for index, src in enumerate(pages_in):
        if _is_cancelled(cancel):
            log.info("capture pipeline cancelled after %d page(s)", index)
            raise CaptureCancelled()
        stored = params[index] if params is not None and index < len(params) else None
        result = process_page(src, fmt, filter, stored)
        if result.vector and raster_output:
            result = _rasterise_vector(src, result, fmt)
        results.append(result)
        log.info(
            "%s p%d: %s %s (%.0f dpi)",
            src.source,
            src.page,
            result.verdict,
            ",".join(result.reasons),
            result.dpi,
        )
        if progress:
            progress(index + 1, total)
    if _is_cancelled(cancel):
        raise CaptureCancelled()
    use_watermark = watermark_identity and piece_kind in WATERMARK_KINDS
    outputs = build_outputs(results, fmt, pages_in, use_watermark=use_watermark, today=today)
    if progress:
        progress(total, total)
    return ProcessResult(piece=piece_kind, format=fmt, pages=results, outputs=outputs)


def process_file(
    path: Path | str,
    piece_kind: str,
    filter: str = "auto",
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    **options: Any,
) -> ProcessResult:
    return process_files([path], piece_kind, filter, progress, cancel, **options)


def _rasterise_vector(src: SourcePage, result: PageResult, fmt: PhysicalFormat) -> PageResult:
    import cv2

    from permis_desktop.scan.pdfinput import render_vector_page

    dpi = float(fmt.target_dpi)
    image = render_vector_page(src.data, src.pdf_page_index, dpi)
    if result.params.filter in ("gray", "bw"):
        image = np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
    result.image = image
    result.vector = False
    result.size = (image.shape[1], image.shape[0])
    result.output_dpi = dpi
    result.dpi = dpi
    return result


def build_outputs(
    results: list[PageResult],
    fmt: PhysicalFormat,
    sources: list[SourcePage],
    *,
    use_watermark: bool,
    today: dt.date | None = None,
) -> list[OutputPage]:
    """Group pages into output pages (card sides two by two) and encode them to budget."""
    from permis_desktop.scan.pdf import single_vector_page

    outputs: list[OutputPage] = []
    pending: list[PageResult] = []

    def flush_cards() -> None:
        if not pending:
            return
        sides = [p.image for p in pending if p.image is not None]
        if use_watermark:
            sides = [watermark(s, today) for s in sides]
        dpi = min(p.output_dpi for p in pending)
        page = compose_sides(sides, margin_px=round(dpi / 25.4 * 6))
        enc = encode_to_budget(page, fmt.budget_bytes, dpi)
        outputs.append(_jpeg_output(enc, on_a4=True))
        for p in pending:
            p.output_page = len(outputs)
            p.bytes = len(enc.jpeg)
        pending.clear()

    by_key = {(s.source, s.page): s for s in sources}
    for result in results:
        if result.vector:
            flush_cards()
            src = by_key[(result.source, result.page)]
            data = single_vector_page(src.data, src.pdf_page_index)
            outputs.append(
                OutputPage(
                    jpeg=None,
                    width=result.size[0],
                    height=result.size[1],
                    dpi=72.0,
                    gray=False,
                    pdf=src.data,
                    pdf_page_index=src.pdf_page_index,
                    bytes=len(data),
                )
            )
            result.output_page = len(outputs)
            result.bytes = len(data)
            continue
        if fmt.identity:
            pending.append(result)
            if len(pending) == 2:
                flush_cards()
            continue
        assert result.image is not None
        enc = encode_to_budget(result.image, fmt.budget_bytes, result.output_dpi)
        outputs.append(_jpeg_output(enc, on_a4=False))
        result.output_page = len(outputs)
        result.bytes = len(enc.jpeg)
    flush_cards()
    return outputs


def _jpeg_output(enc: Encoded, on_a4: bool) -> OutputPage:
    return OutputPage(
        jpeg=enc.jpeg,
        width=enc.width,
        height=enc.height,
        dpi=enc.dpi,
        gray=enc.gray,
        on_a4=on_a4,
        bytes=len(enc.jpeg),
        quality=enc.quality,
    )
