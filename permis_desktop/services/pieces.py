"""Attaching files to a dossier's piece, through the capture pipeline.

Whatever the desk imports (a file chosen in the wizard, `permis dossier attach`, a watched
folder, a scan) becomes pages of a piece here:

1. the original file goes to the blob store untouched (non-destructive editing starts from
   it, DESIGN.md "Rules that keep it simple");
2. the pipeline (`scan.pipeline`) derives the processed page: crop, straighten, filter,
   verdict, encoding to the piece's budget; card sides are composed on one page, so both
   sides' rows point to the same processed page;
3. one transaction writes the `Page` rows (the parameters, verdict and reasons in
   `params`), marks the piece provided and bumps the dossier's version.

The pipeline runs before the transaction: the database is never locked while pixels are
being crunched. Blobs written for an attach that then fails are left to `permis gc`.
OpenCV is imported only when a file is actually processed, not when this module loads.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from permis_desktop.errors import BadInput, OperationFailed
from permis_desktop.models.entities import Dossier, Page, Piece, utcnow

if TYPE_CHECKING:
    from permis_desktop.scan.loader import SourcePage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AttachedPage:
    id: int
    position: int
    source: str
    source_page: int
    original_sha256: str
    processed_sha256: str | None
    verdict: str
    reasons: list[str]
    bytes: int
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AttachResult:
    dossier_id: str
    dossier_version: int
    piece_id: int
    kind: str
    status: str
    pages: list[AttachedPage]
    total_bytes: int

    def to_json(self) -> dict[str, Any]:
        return {
            "dossier": self.dossier_id,
            "version": self.dossier_version,
            "piece": self.kind,
            "piece_id": self.piece_id,
            "status": self.status,
            "total_bytes": self.total_bytes,
            "pages": [
                {
                    "id": p.id,
                    "position": p.position,
                    "source": p.source,
                    "page": p.source_page,
                    "verdict": p.verdict,
                    "reasons": p.reasons,
                    "bytes": p.bytes,
                    "original": p.original_sha256,
                    "processed": p.processed_sha256,
                    "corners": p.params.get("corners"),
                    "dpi": p.params.get("dpi"),
                    "filter": p.params.get("filter"),
                }
                for p in self.pages
            ],
        }


def _load_dossier(session: Session, dossier_id: str) -> Dossier:
    dossier = session.get(Dossier, dossier_id)
    if dossier is not None:
        return dossier
    if len(dossier_id) >= 6:
        matches = session.scalars(
            select(Dossier).where(Dossier.id.startswith(dossier_id, autoescape=True)).limit(2)
        ).all()
        if len(matches) == 1:
            return matches[0]
    raise BadInput(f"Aucun dossier ne porte l'identifiant « {dossier_id} ».")


class PieceService:
    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx

    def _options(self, kind: str) -> dict[str, Any]:
        from permis_desktop.scan.formats import format_for

        settings = self.ctx.settings
        fmt = format_for(kind)
        key = "capture.budget_card_kb" if fmt.identity else "capture.budget_a4_kb"
        return {
            "budget_bytes": int(settings.get(key)) * 1000,
            "watermark_identity": bool(settings.get("capture.watermark_identity")),
        }

    def attach_files(
        self,
        dossier_id: str,
        kind: str,
        files: Sequence[Path | str],
        filter: str = "auto",
        progress: Any = None,
        cancel: Any = None,
        *,
        document_type: str | None = None,
        replace: bool = False,
    ) -> AttachResult:
        """Process `files` and add their pages to the dossier's piece `kind`."""
        from permis_desktop.scan.formats import format_for
        from permis_desktop.scan.loader import open_source
        from permis_desktop.scan.pipeline import PageParams, process_files

        if not files:
            raise BadInput("Indiquez au moins un fichier à joindre.")
        format_for(kind)  # unknown kind: French error before any work
        # Check the dossier exists before the (slow) pipeline runs.
        with self.ctx.db.transaction() as session:
            dossier = _load_dossier(session, dossier_id)
            dossier_id = dossier.id
            piece = next((p for p in dossier.pieces if p.kind == kind), None)
            document_type = document_type or (piece.document_type if piece else None)
            existing = (
                []
                if replace or piece is None
                else [(pg.original_sha256, dict(pg.params or {})) for pg in piece.pages]
            )

        # Earlier pages of the piece are re-derived from their originals with their stored
        # parameters, so that card sides attached one at a time end up on one page.
        sources: list[SourcePage] = []
        stored: list[PageParams | None] = []
        origin: list[tuple[str, str]] = []  # (original sha, display name) per source page
        for sha, params in existing:
            data = self.ctx.blobs.get(sha)
            name = str(params.get("source_name") or "page")
            pages = open_source(name, data)
            index = int(params.get("source_page", 1)) - 1
            if 0 <= index < len(pages):
                sources.append(pages[index])
                stored.append(PageParams.from_json(params) if params.get("corners") else None)
                origin.append((sha, name))
        for file in files:
            path = Path(file)
            pages = open_source(path)
            sha = self.ctx.blobs.put(pages[0].data)
            for source_page in pages:
                sources.append(source_page)
                stored.append(None)
                origin.append((sha, path.name))

        result = process_files(
            [],
            kind,
            filter,
            progress,
            cancel,
            document_type=document_type,
            sources=sources,
            params=stored,
            **self._options(kind),
        )
        processed_sha = [
            self.ctx.blobs.put(_output_bytes(result, i)) for i in range(len(result.outputs))
        ]

        with self.ctx.db.transaction() as session:
            dossier = _load_dossier(session, dossier_id)
            piece = next((p for p in dossier.pieces if p.kind == kind), None)
            if piece is None:
                piece = Piece(kind=kind)
                dossier.pieces.append(piece)
            if document_type and not piece.document_type:
                piece.document_type = document_type
            for old in list(piece.pages):
                piece.pages.remove(old)
                session.delete(old)
            session.flush()
            rows: list[Page] = []
            for position, (page, (sha, name)) in enumerate(zip(result.pages, origin, strict=True)):
                params = page.params.to_json()
                params.update({"source_name": name, "source_page": page.page})
                params.update(_page_report(page, result.format.id))
                row = Page(
                    position=position,
                    original_sha256=sha,
                    processed_sha256=processed_sha[page.output_page - 1],
                    params=params,
                )
                piece.pages.append(row)
                rows.append(row)
            piece.status = "provided"
            piece.updated_at = utcnow()
            dossier.version += 1
            dossier.updated_at = utcnow()
            session.flush()
            log.info(
                "dossier %s piece %s: %d page(s) attached (%s)",
                dossier.id,
                kind,
                len(rows),
                ", ".join(p.verdict for p in result.pages),
            )
            return AttachResult(
                dossier_id=dossier.id,
                dossier_version=dossier.version,
                piece_id=piece.id,
                kind=kind,
                status=piece.status,
                total_bytes=result.total_bytes,
                pages=[
                    AttachedPage(
                        id=row.id,
                        position=row.position,
                        source=str(row.params["source_name"]),
                        source_page=int(row.params["source_page"]),
                        original_sha256=row.original_sha256,
                        processed_sha256=row.processed_sha256,
                        verdict=str(row.params["verdict"]),
                        reasons=list(row.params["reasons"]),
                        bytes=int(row.params["bytes"]),
                        params=dict(row.params),
                    )
                    for row in rows
                ],
            )

    def accept_page(self, page_id: int) -> None:
        """Record that the user explicitly accepts a page despite its verdict."""
        with self.ctx.db.transaction() as session:
            page = session.get(Page, page_id)
            if page is None:
                raise BadInput(f"Aucune page n'a l'identifiant {page_id}.")
            params = dict(page.params or {})
            params["accepted"] = True
            page.params = params
            page.piece.dossier.version += 1
            page.piece.dossier.updated_at = utcnow()

    def processed_bytes(self, page_id: int) -> bytes:
        with self.ctx.db.transaction() as session:
            page = session.get(Page, page_id)
            if page is None or not page.processed_sha256:
                raise BadInput(f"Aucune page traitée n'a l'identifiant {page_id}.")
            sha = page.processed_sha256
        data: bytes = self.ctx.blobs.get(sha)
        return data

    # -- page editor: non-destructive edits (the originals stay; parameters change) -----------

    def pages_of(self, dossier_id: str, kind: str) -> list[AttachedPage]:
        """The pages of a piece, in order (empty if the piece has none)."""
        with self.ctx.db.transaction() as session:
            dossier = _load_dossier(session, dossier_id)
            piece = next((p for p in dossier.pieces if p.kind == kind), None)
            return [_attached(row) for row in piece.pages] if piece is not None else []

    def update_page(
        self,
        page_id: int,
        *,
        corners: Sequence[Sequence[float]] | None = None,
        rotation: int | None = None,
        filter: str | None = None,
        auto_corners: bool = False,
    ) -> AttachResult:
        """Re-derive a page from its original with new corners (source pixels, clockwise
        from the document's top-left), a rotation (degrees, multiple of 90) or a filter.
        `auto_corners` forgets a manual crop and detects the outline again."""
        dossier_id, kind, entries = self._entries_of_page(page_id)
        for entry in entries:
            if entry["id"] != page_id:
                continue
            params = entry["params"]
            if corners is not None:
                points = [[float(x), float(y)] for x, y in corners]
                if len(points) != 4:
                    raise BadInput("Indiquez les quatre coins du document.")
                params["corners"] = points
            if auto_corners:
                params["corners"] = None
            if rotation is not None:
                if rotation % 90:
                    raise BadInput("La rotation se fait par quart de tour.")
                params["rotation"] = rotation % 360
            if filter is not None:
                from permis_desktop.scan.formats import FILTERS

                if filter not in FILTERS:
                    raise BadInput(f"Filtre inconnu : « {filter} ».")
                params["filter"] = filter
            params.pop("accepted", None)  # a new derivation gets a new verdict
            entry["edited"] = True
        return self._rederive(dossier_id, kind, entries)

    def rotate_page(self, page_id: int, quarter_turns: int = 1) -> AttachResult:
        """Turn a page by quarter turns clockwise (negative: counter-clockwise)."""
        dossier_id, kind, entries = self._entries_of_page(page_id)
        current = next(int(e["params"].get("rotation", 0)) for e in entries if e["id"] == page_id)
        return self.update_page(page_id, rotation=(current + 90 * quarter_turns) % 360)

    def reorder_pages(self, dossier_id: str, kind: str, page_ids: Sequence[int]) -> AttachResult:
        """Put the piece's pages in the order of `page_ids` (all of them, each once)."""
        with self.ctx.db.transaction() as session:
            dossier = _load_dossier(session, dossier_id)
            dossier_id = dossier.id
            piece = next((p for p in dossier.pieces if p.kind == kind), None)
            current = [row.id for row in piece.pages] if piece is not None else []
        if sorted(current) != sorted(page_ids):
            raise BadInput("L'ordre des pages ne correspond plus à la pièce : rouvrez l'éditeur.")
        _dossier, _kind, entries = self._entries_of_page(current[0]) if current else ("", kind, [])
        by_id = {e["id"]: e for e in entries}
        return self._rederive(dossier_id, kind, [by_id[i] for i in page_ids])

    def delete_page(self, page_id: int) -> AttachResult:
        """Remove a page from its piece; its original stays in the blob store (`permis gc`)."""
        dossier_id, kind, entries = self._entries_of_page(page_id)
        return self._rederive(dossier_id, kind, [e for e in entries if e["id"] != page_id])

    def _entries_of_page(self, page_id: int) -> tuple[str, str, list[dict[str, Any]]]:
        with self.ctx.db.transaction() as session:
            page = session.get(Page, page_id)
            if page is None:
                raise BadInput(f"Aucune page n'a l'identifiant {page_id}.")
            piece = page.piece
            entries = [
                {"id": row.id, "sha": row.original_sha256, "params": dict(row.params or {})}
                for row in piece.pages
            ]
            return piece.dossier.id, piece.kind, entries

    def _rederive(self, dossier_id: str, kind: str, entries: list[dict[str, Any]]) -> AttachResult:
        """Rebuild the piece's pages from their originals and (edited) parameters, in order."""
        from permis_desktop.scan.loader import open_source
        from permis_desktop.scan.pipeline import PageParams, process_files

        with self.ctx.db.transaction() as session:
            dossier = _load_dossier(session, dossier_id)
            piece = next((p for p in dossier.pieces if p.kind == kind), None)
            document_type = piece.document_type if piece else None
        sources: list[SourcePage] = []
        stored: list[PageParams | None] = []
        for entry in entries:
            params = entry["params"]
            name = str(params.get("source_name") or "page")
            pages = open_source(name, self.ctx.blobs.get(entry["sha"]))
            index = int(params.get("source_page", 1)) - 1
            if not 0 <= index < len(pages):
                raise OperationFailed(f"La page d'origine de « {name} » est introuvable.")
            sources.append(pages[index])
            # No stored outline: detected again, with the user's rotation and filter.
            stored.append(
                PageParams.from_json(params)
                if params.get("corners")
                else PageParams(
                    corners=None,
                    rotation=int(params.get("rotation", 0)),
                    filter=str(params.get("filter", "auto")),
                )
            )
        result = (
            process_files(
                [],
                kind,
                "auto",
                document_type=document_type,
                sources=sources,
                params=stored,
                **self._options(kind),
            )
            if sources
            else None
        )
        processed_sha = (
            [self.ctx.blobs.put(_output_bytes(result, i)) for i in range(len(result.outputs))]
            if result is not None
            else []
        )
        with self.ctx.db.transaction() as session:
            dossier = _load_dossier(session, dossier_id)
            piece = next((p for p in dossier.pieces if p.kind == kind), None)
            if piece is None:
                raise BadInput("Cette pièce n'a pas de pages.")
            for old in list(piece.pages):
                piece.pages.remove(old)
                session.delete(old)
            session.flush()
            rows: list[Page] = []
            for position, entry in enumerate(entries):
                assert result is not None
                page = result.pages[position]
                params = dict(entry["params"])
                params.update(page.params.to_json())
                params.update(_page_report(page, result.format.id))
                row = Page(
                    position=position,
                    original_sha256=entry["sha"],
                    processed_sha256=processed_sha[page.output_page - 1],
                    params=params,
                )
                piece.pages.append(row)
                rows.append(row)
            piece.status = "provided" if rows else "missing"
            piece.updated_at = utcnow()
            dossier.version += 1
            dossier.updated_at = utcnow()
            session.flush()
            log.info("dossier %s piece %s: %d page(s) re-derived", dossier.id, kind, len(rows))
            return AttachResult(
                dossier_id=dossier.id,
                dossier_version=dossier.version,
                piece_id=piece.id,
                kind=kind,
                status=piece.status,
                total_bytes=result.total_bytes if result is not None else 0,
                pages=[_attached(row) for row in rows],
            )


def _attached(row: Page) -> AttachedPage:
    params = dict(row.params or {})
    return AttachedPage(
        id=row.id,
        position=row.position,
        source=str(params.get("source_name", "")),
        source_page=int(params.get("source_page", 1)),
        original_sha256=row.original_sha256,
        processed_sha256=row.processed_sha256,
        verdict=str(params.get("verdict", "")),
        reasons=list(params.get("reasons", [])),
        bytes=int(params.get("bytes", 0)),
        params=params,
    )


def _page_report(page: Any, format_id: str) -> dict[str, Any]:
    """What the pipeline said of a processed page, as kept in `Page.params`."""
    return {
        "verdict": page.verdict,
        "reasons": page.reasons,
        "dpi": round(page.dpi),
        "output_dpi": round(page.output_dpi),
        "size": list(page.size),
        "bytes": page.bytes,
        "vector": page.vector,
        "output_page": page.output_page,
        "format": format_id,
    }


def _output_bytes(result: Any, index: int) -> bytes:
    """The stored form of output page `index`: its JPEG, or a one-page PDF for vector pages."""
    out = result.outputs[index]
    if out.jpeg is not None:
        return bytes(out.jpeg)
    from permis_desktop.scan.pdf import single_vector_page

    return single_vector_page(out.pdf, out.pdf_page_index)
