"""The submission kit: one PDF per piece, numbered in the ANTS form's order, plus the data
sheet (PDF and JSON), in a folder and a zip.

Pages arrive already processed by the capture pipeline (cropped, cleaned, encoded to their
byte budget). Assembling must not undo that work: a JPEG page is embedded in the PDF as is
(fpdf2 writes JPEG data untouched, DCTDecode), on a page of the document's physical size when
its resolution is known; a PDF page is copied with pypdf; a PNG is embedded losslessly.
Nothing is re-encoded, so the kit's files stay within the budgets the pipeline met.

The ANTS per-file limit is not published (reference/domain-ants.md §4, §9): each file is
checked against the capture budgets (settings `capture.budget_card_kb` per card page,
`capture.budget_a4_kb` per sheet) and flagged when over.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from permis_desktop.errors import BadInput, OperationFailed
from permis_desktop.fileutil import atomic_write_bytes
from permis_desktop.textfold import fold

log = logging.getLogger(__name__)

# Card-sized pieces (identity documents, residence permit, current licence): the capture
# pipeline's ID-1 / passport formats; everything else is an A4 sheet.
CARD_KINDS = frozenset(
    {"identity", "guardian_identity", "host_identity", "current_licence", "residence_proof"}
)
# The capture pipeline's card formats (`scan.formats`: ID-1 card, passport data page).
CARD_FORMATS = frozenset({"id1", "passport"})
# What a PDF page costs beyond its image (page object, XObject dictionary, xref).
PAGE_OVERHEAD_BYTES = 4_000
DEFAULT_DPI = 200
DATASHEET_STEM = "00-fiche-de-saisie"


@dataclass(frozen=True)
class PagePayload:
    """One processed page: its bytes and, when known, its resolution in dots per inch."""

    data: bytes
    dpi: float | None = None
    on_a4: bool = False  # card sides: placed at true size on an A4 sheet


@dataclass(frozen=True)
class KitFile:
    position: int
    kind: str
    label: str
    filename: str
    size_bytes: int
    pages: int
    budget_bytes: int

    @property
    def within_budget(self) -> bool:
        return self.size_bytes <= self.budget_bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "kind": self.kind,
            "label": self.label,
            "file": self.filename,
            "bytes": self.size_bytes,
            "pages": self.pages,
            "budget_bytes": self.budget_bytes,
            "within_budget": self.within_budget,
        }


@dataclass(frozen=True)
class Kit:
    dossier_id: str
    dossier_version: int
    folder: Path
    zip_path: Path
    files: tuple[KitFile, ...]
    datasheet_pdf: Path
    datasheet_json: Path
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        return {
            "dossier_id": self.dossier_id,
            "dossier_version": self.dossier_version,
            "folder": str(self.folder),
            "zip": str(self.zip_path),
            "datasheet": {"pdf": str(self.datasheet_pdf), "json": str(self.datasheet_json)},
            "files": [f.to_json() for f in self.files],
            "warnings": list(self.warnings),
        }


def page_budget(kind: str, card_kb: int, a4_kb: int) -> int:
    return (card_kb if kind in CARD_KINDS else a4_kb) * 1000


def _sniff(data: bytes) -> str:
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data.lstrip()[:5] == b"%PDF-":
        return "pdf"
    return "unknown"


def _image_info(data: bytes, title: str) -> tuple[int, int, str, float | None]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:
            info_dpi = im.info.get("dpi")
            dpi = float(info_dpi[0]) if info_dpi and info_dpi[0] else None
            return im.size[0], im.size[1], im.mode, dpi
    except (UnidentifiedImageError, OSError) as exc:
        raise OperationFailed(
            f"Une page de « {title} » est illisible : recapturez la pièce."
        ) from exc


def _resolution(*candidates: float | None) -> float:
    for value in candidates:
        if value and 72 <= value <= 1200:
            return float(value)
    return DEFAULT_DPI


def _image_page(data: bytes, dpi: float, width_px: int, height_px: int) -> bytes:
    """A one-page PDF of an image the capture pipeline does not produce (PNG, CMYK JPEG):
    fpdf2 embeds it losslessly (a JPEG as is, a PNG Flate-compressed)."""
    from fpdf import FPDF

    width_mm = width_px / dpi * 25.4
    height_mm = height_px / dpi * 25.4
    pdf = FPDF(unit="mm", format=(width_mm, height_mm))
    pdf.set_margin(0)
    pdf.set_auto_page_break(False)
    pdf.set_creator("permis-desktop")
    pdf.add_page()
    pdf.image(io.BytesIO(data), x=0, y=0, w=width_mm, h=height_mm)
    return bytes(pdf.output())


def _pdf_pages(data: bytes, title: str) -> int:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise OperationFailed(f"Une page de « {title} » est un PDF protégé : recapturez-la.")
        return len(reader.pages)
    except (PdfReadError, ValueError, KeyError) as exc:
        raise OperationFailed(
            f"Une page de « {title} » est un PDF endommagé : recapturez la pièce."
        ) from exc


def piece_pdf(pages: Sequence[PagePayload], title: str) -> bytes:
    """One PDF with every page of a piece, in order, without re-encoding any image.

    Laid out by the capture pipeline's own assembly (`scan.pdf`): a sheet is its image at
    its resolution, card sides sit at true size on an A4 sheet, vector pages are copied."""
    from pypdf import PdfWriter

    from permis_desktop.scan.pdf import PdfPage, assemble_pdf

    if not pages:
        raise BadInput(f"La pièce « {title} » n'a aucune page.")
    parts: list[PdfPage] = []
    for page in pages:
        kind = _sniff(page.data)
        if kind in ("jpeg", "png"):
            width, height, mode, own_dpi = _image_info(page.data, title)
            dpi = _resolution(page.dpi, own_dpi)
            if kind == "jpeg" and mode in ("RGB", "L"):
                parts.append(
                    PdfPage(
                        jpeg=page.data,
                        width_px=width,
                        height_px=height,
                        dpi=dpi,
                        gray=mode == "L",
                        on_a4=page.on_a4,
                    )
                )
            else:
                parts.append(PdfPage(pdf=_image_page(page.data, dpi, width, height)))
        elif kind == "pdf":
            for index in range(_pdf_pages(page.data, title)):
                parts.append(PdfPage(pdf=page.data, pdf_page_index=index))
        else:
            raise OperationFailed(
                f"Une page de « {title} » n'est ni une image ni un PDF : recapturez la pièce."
            )
    writer = PdfWriter(clone_from=io.BytesIO(assemble_pdf(parts)))
    writer.add_metadata({"/Title": title, "/Creator": "permis-desktop"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def kit_slug(applicant_label: str, dossier_id: str) -> str:
    """`kit-martin-lea-1a2b3c4d`: an ASCII folder name any OS and the ANTS site accept."""
    words = re.sub(r"[^a-z0-9]+", "-", fold(applicant_label)).strip("-")[:60].strip("-")
    return f"kit-{words or 'dossier'}-{dossier_id[:8]}"


def remove_kits(target_dir: Path, dossier_id: str) -> int:
    """Delete the kits (folder and zip) of a dossier from `target_dir`; how many went.

    Kits hold copies of identity pages: they must not outlive a deleted dossier."""
    removed = 0
    if not target_dir.is_dir():
        return 0
    suffix = dossier_id[:8]
    found = [*target_dir.glob(f"kit-*-{suffix}"), *target_dir.glob(f"kit-*-{suffix}.zip")]
    for path in found:
        try:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError as exc:
            log.error("kit %s of deleted dossier %s not removed: %s", path, dossier_id, exc)
            raise OperationFailed(
                f"Le dossier est supprimé, mais son kit {path} n'a pas pu être effacé "
                f"({exc.strerror or exc}) : supprimez-le à la main."
            ) from exc
        removed += 1
    if removed:
        log.info("%d kit file(s) of deleted dossier %s removed", removed, dossier_id)
    return removed


@dataclass
class KitContent:
    """What goes into the kit, computed before anything touches the disk."""

    files: list[tuple[KitFile, bytes]]
    datasheet_pdf: bytes
    datasheet_json: bytes


def write_kit(
    target_dir: Path,
    slug: str,
    content: KitContent,
    *,
    dossier_id: str,
    dossier_version: int,
    on: dt.date,
    warnings: Sequence[str] = (),
) -> Kit:
    """Write the folder `target_dir/slug/` and `target_dir/slug.zip`; a previous kit of the
    same dossier is replaced whole (built aside, then swapped in)."""
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OperationFailed(
            f"Impossible de créer le dossier {target_dir} : {exc.strerror or exc}."
        ) from exc
    if not target_dir.is_dir():
        raise BadInput(f"{target_dir} n'est pas un dossier.")
    folder = target_dir / slug
    zip_path = target_dir / f"{slug}.zip"
    named = [(f.filename, data) for f, data in content.files]
    named += [
        (f"{DATASHEET_STEM}.pdf", content.datasheet_pdf),
        (f"{DATASHEET_STEM}.json", content.datasheet_json),
    ]
    staging: Path | None = None
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{slug}.", dir=target_dir))
        for name, data in named:
            atomic_write_bytes(staging / name, data)
        atomic_write_bytes(zip_path, _zip(named, on))
        old: Path | None = None
        if folder.exists():
            old = folder.with_name(f".{slug}.old-{os.getpid()}")
            folder.replace(old)
        staging.replace(folder)
        staging = None
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        log.error("kit for %s could not be written to %s: %s", dossier_id, target_dir, exc)
        raise OperationFailed(_write_error(target_dir, exc)) from exc
    finally:
        if staging is not None:
            with contextlib.suppress(OSError):
                shutil.rmtree(staging)
    return Kit(
        dossier_id=dossier_id,
        dossier_version=dossier_version,
        folder=folder,
        zip_path=zip_path,
        files=tuple(f for f, _ in content.files),
        datasheet_pdf=folder / f"{DATASHEET_STEM}.pdf",
        datasheet_json=folder / f"{DATASHEET_STEM}.json",
        warnings=tuple(warnings),
    )


def _zip(named: Sequence[tuple[str, bytes]], on: dt.date) -> bytes:
    buffer = io.BytesIO()
    stamp = (on.year, on.month, on.day, 12, 0, 0)
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in named:
            info = zipfile.ZipInfo(name, date_time=stamp)
            # PDFs of JPEG pages do not shrink; the JSON and the data sheet do.
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def _write_error(target: Path, exc: OSError) -> str:
    import errno

    if exc.errno == errno.ENOSPC:
        return "Le disque est plein : le kit de dépôt n'a pas pu être écrit. Libérez de la place."
    if exc.errno in (errno.EACCES, errno.EROFS, errno.EPERM):
        return (
            f"Le dossier {target} est en lecture seule : choisissez un autre dossier pour le kit."
        )
    return f"Le kit de dépôt n'a pas pu être écrit dans {target} : {exc.strerror or exc}."


PageLoader = Callable[[str], bytes]


def _dpi(params: dict[str, Any]) -> float | None:
    """Resolution of the processed page (the pipeline records `output_dpi`)."""
    for key in ("output_dpi", "dpi"):
        value = params.get(key)
        if isinstance(value, int | float) and value > 0:
            return float(value)
    return None


def assemble_kit(
    detail: Any,
    checklist: Any,
    load: PageLoader,
    *,
    card_kb: int,
    a4_kb: int,
    school: Any,
    on: dt.date,
) -> tuple[KitContent, list[str]]:
    """The kit's files and data sheet for a validated dossier (`DossierDetail`), its pieces
    in the checklist's (ANTS form) order; `load` reads a page blob by sha256. Returns the
    content and the warnings (pieces without pages, files over budget, pieces not asked)."""
    import json

    from permis_desktop.outputs.ants_form import NO_FILE_KINDS, datasheet_json, kit_filename
    from permis_desktop.outputs.sheets import datasheet_pdf

    wanted = {line.kind for line in checklist.pieces}
    stored = {p.kind: p for p in detail.pieces if p.pages and p.status != "missing"}
    files: list[tuple[KitFile, bytes]] = []
    warnings: list[str] = []
    for line in checklist.pieces:
        if line.kind in NO_FILE_KINDS:
            continue
        piece = stored.get(line.kind)
        if piece is None:
            if line.required:
                warnings.append(
                    f"{line.label} : aucune page numérisée dans le dossier ; "
                    "joignez le fichier à la main."
                )
            continue
        position = len(files) + 1
        # Both sides of a card share one processed page: each page goes in once.
        pages: list[PagePayload] = []
        seen: set[str] = set()
        for pg in sorted(piece.pages, key=lambda pg: pg.position):
            sha = pg.processed_sha256 or pg.original_sha256
            if sha not in seen:
                seen.add(sha)
                fmt = pg.params.get("format")
                on_a4 = fmt in CARD_FORMATS if fmt else line.kind in CARD_KINDS
                pages.append(PagePayload(load(sha), _dpi(pg.params), on_a4))
        data = piece_pdf(pages, line.label)
        budget = (page_budget(line.kind, card_kb, a4_kb) + PAGE_OVERHEAD_BYTES) * len(pages)
        entry = KitFile(
            position,
            line.kind,
            line.label,
            kit_filename(position, line.kind),
            len(data),
            len(pages),
            budget,
        )
        if not entry.within_budget:
            warnings.append(
                f"{entry.filename} fait {len(data) // 1000} Ko, au-delà de "
                f"{budget // 1000} Ko : recapturez la pièce ou réduisez sa qualité."
            )
        files.append((entry, data))
    for kind in sorted(set(stored) - wanted):
        warnings.append(
            f"La pièce « {kind} » n'est pas demandée pour cette démarche : "
            "elle n'est pas dans le kit."
        )
    names = {f.kind: f.filename for f, _ in files}
    sheet = datasheet_json(
        detail.facts,
        dossier_id=detail.id,
        dossier_version=detail.version,
        generated_on=on.isoformat(),
        school=school,
        files=names,
    )
    _check_round_trip(detail.facts, sheet)
    content = KitContent(
        files=files,
        datasheet_pdf=datasheet_pdf(detail.facts, school, on, dossier_id=detail.id, files=names),
        datasheet_json=(json.dumps(sheet, ensure_ascii=False, indent=2) + "\n").encode(),
    )
    return content, warnings


def _check_round_trip(facts: dict[str, Any], sheet: dict[str, Any]) -> None:
    """The data sheet must give back every fact of the dossier: a field the form table
    forgot would otherwise be silently missing on the portal."""
    from permis_desktop.outputs.ants_form import facts_from_datasheet
    from permis_desktop.procedures.facts import facts_to_json, parse_facts

    expected = facts_to_json(parse_facts(facts))
    if facts_to_json(parse_facts(facts_from_datasheet(sheet))) != expected:
        log.error("data sheet does not round-trip to the facts: %s", expected)
        raise OperationFailed(
            "La fiche de saisie ne reprend pas toutes les données du dossier : le kit n'a pas "
            "été écrit. Signalez ce problème."
        )
