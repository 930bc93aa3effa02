"""Render the first page of every generated document into docs/screenshots/ (pdftoppm).

Builds a throw-away desk with sample dossiers, generates the client checklist, the mandate,
the hosting attestation, the dossier summary and the kit's data sheet, and writes
`docs/screenshots/papers-*.png`. Needs poppler-utils (pdftoppm).

Usage: python tools/render_papers.py [OUT_DIR]
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from permis_desktop.outputs.imposition import two_up  # noqa: E402
from permis_desktop.paths import resolve_paths  # noqa: E402
from permis_desktop.services.context import DeskContext  # noqa: E402
from permis_desktop.services.dossiers import DossierService  # noqa: E402
from permis_desktop.services.papers import PapersService  # noqa: E402
from permis_desktop.services.workflow import WorkflowService  # noqa: E402
from tests.outputs.conftest import (  # noqa: E402
    ADULT_B,
    HOSTED_MINOR,
    SCHOOL,
    TODAY,
    add_pages,
    facts,
    pdf_bytes,
)


def specimen_card() -> bytes:
    """Recto and verso of a specimen ID card on one page, as the capture pipeline composes
    them (ID-1 at 300 dpi: 1011 x 638 px per side)."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    from permis_desktop.resources.fonts import BOLD, REGULAR

    page = Image.new("RGB", (1011, 638 * 2 + 20), "white")
    draw = ImageDraw.Draw(page)
    title = ImageFont.truetype(str(BOLD), 34)
    body = ImageFont.truetype(str(REGULAR), 30)
    for side in range(2):
        top = side * (638 + 20)
        draw.rounded_rectangle(
            (4, top + 4, 1006, top + 633), 30, fill=(214, 228, 240), outline=(90, 110, 140), width=4
        )
        if side == 0:
            draw.text((40, top + 30), "CARTE NATIONALE D'IDENTITÉ", font=title, fill=(20, 40, 90))
            draw.rectangle((40, top + 110, 300, top + 440), fill=(170, 180, 195))
            for i, line in enumerate(
                [
                    "Nom : MARTIN",
                    "Prénoms : Léa, Éloïse",
                    "Née le 14/05/1996",
                    "à LYON (69)",
                    "SPÉCIMEN",
                ]
            ):
                draw.text((340, top + 120 + i * 60), line, font=body, fill=(20, 20, 20))
        else:
            draw.text(
                (40, top + 40),
                "Adresse : 3 rue des Lilas, 69003 Lyon",
                font=body,
                fill=(20, 20, 20),
            )
            draw.text(
                (40, top + 100), "Carte valable jusqu'au 01/01/2031", font=body, fill=(20, 20, 20)
            )
            mono = ImageFont.truetype(str(REGULAR), 28)
            for i, line in enumerate(
                [
                    "IDFRAX4RTBPFW46<<<<<<<<<<<<<<<",
                    "9605148F3101011FRA<<<<<<<<<<<6",
                    "MARTIN<<LEA<ELOISE<<<<<<<<<<<<",
                ]
            ):
                draw.text((40, top + 450 + i * 50), line, font=mono, fill=(20, 20, 20))
    buffer = io.BytesIO()
    page.save(buffer, "JPEG", quality=80, dpi=(300, 300))
    return buffer.getvalue()


def render(pdf: Path, png: Path) -> None:
    stem = png.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)],
        check=True,
    )
    print(png)


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    if shutil.which("pdftoppm") is None:
        print("pdftoppm is missing: apt-get install poppler-utils", file=sys.stderr)
        return 1
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        ctx = DeskContext.open(resolve_paths(Path(tmp) / "data"))
        try:
            for key, value in SCHOOL.items():
                ctx.settings.set(key, value)
            papers = PapersService.from_context(ctx, today=TODAY)
            dossiers = DossierService(ctx.db)
            partial = facts(
                ADULT_B,
                pieces=[
                    {"kind": "identity", "document_type": "cni"},
                    {"kind": "proof_of_address", "issued": "2026-01-15"},
                ],
            )
            partial["applicant"]["birth_date"] = "2008-05-14"
            checklist_id = dossiers.create(partial)
            minor_id = dossiers.create(HOSTED_MINOR)
            ready_id = dossiers.create(ADULT_B)
            add_pages(ctx, ready_id, "identity", [specimen_card()], {"output_dpi": 300})
            add_pages(ctx, ready_id, "proof_of_address", [pdf_bytes(["Facture"])])
            WorkflowService(ctx.db, today=TODAY).validate(ready_id)
            papers.import_document(
                ready_id, pdf_bytes(["RÉCÉPISSÉ DE DÉPÔT", "Déposée le 25/11/2026"]), "r.pdf"
            )
            papers.record_filing(ready_id, "24PC1234567", dt.date(2026, 11, 25))
            papers.record_mandate_signed(ready_id, dt.date(2026, 11, 20))
            documents = {
                "papers-checklist": papers.client_checklist_pdf(checklist_id),
                "papers-mandate": papers.mandate_pdf(ready_id),
                "papers-mandate-not-allowed": papers.mandate_pdf(minor_id),
                "papers-hosting": papers.hosting_attestation_pdf(minor_id),
                "papers-summary": papers.summary_pdf(ready_id),
            }
            kit = papers.export_kit(ready_id, Path(tmp) / "kit")
            documents["papers-datasheet"] = kit.datasheet_pdf.read_bytes()
            documents["papers-kit-identity"] = (kit.folder / kit.files[0].filename).read_bytes()
            # The fallback when the printer has no duplex: recto and verso on one side.
            attestation = pdf_bytes(
                ["ATTESTATION D'INSCRIPTION AU PERMIS DE CONDUIRE", "Fac-similé"], pages=2
            )
            documents["papers-attestation-two-up"] = two_up(attestation)
            for name, data in documents.items():
                pdf = Path(tmp) / f"{name}.pdf"
                pdf.write_bytes(data)
                render(pdf, out / f"{name}.png")
        finally:
            ctx.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
