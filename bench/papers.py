#!/usr/bin/env python3
"""Speed of the papers the desk prints at the counter and of the submission kit.

The client checklist and the mandate are printed while the student waits, so each must be
ready well under a second; the kit of a typical dossier (a card page, a two-page proof of
address, the data sheet) within two seconds. Also checks that assembling the kit adds
almost nothing to the pages' bytes (no re-encoding). Runs on a throw-away desk.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._timing import median_seconds  # noqa: E402
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
    jpeg_bytes,
    pdf_bytes,
)

RUNS = 9


def timed(action: Callable[[], object]) -> float:
    return median_seconds(action, RUNS)


def main() -> int:
    rows: list[tuple[str, str, str, bool]] = []
    with tempfile.TemporaryDirectory() as tmp:
        ctx = DeskContext.open(resolve_paths(Path(tmp) / "data"))
        try:
            for key, value in SCHOOL.items():
                ctx.settings.set(key, value)
            papers = PapersService.from_context(ctx, today=TODAY)
            dossiers = DossierService(ctx.db)
            minor = dossiers.create(HOSTED_MINOR)
            ready = dossiers.create(ADULT_B)
            card = jpeg_bytes(1011, 1276, 300)
            sheet = jpeg_bytes(1654, 2339, 200)
            back = jpeg_bytes(1654, 2339, 200, colour=(30, 60, 90))
            add_pages(ctx, ready, "identity", [card], {"output_dpi": 300})
            add_pages(ctx, ready, "proof_of_address", [sheet, back])
            WorkflowService(ctx.db, today=TODAY).validate(ready)
            receipt = pdf_bytes(["RÉCÉPISSÉ DE DÉPÔT", "Demande déposée le 25/11/2026"])
            cases: list[tuple[str, Callable[[], object], float]] = [
                (
                    "client checklist PDF (hosted minor)",
                    lambda: papers.client_checklist_pdf(minor),
                    0.5,
                ),
                ("mandate PDF", lambda: papers.mandate_pdf(ready), 0.5),
                ("hosting attestation PDF", lambda: papers.hosting_attestation_pdf(minor), 0.5),
                ("dossier summary PDF", lambda: papers.summary_pdf(ready), 1.0),
                (
                    "kit export (3 pages + data sheet, zip)",
                    lambda: papers.export_kit(ready, Path(tmp) / "kit"),
                    2.0,
                ),
                (
                    "ANTS document import",
                    lambda: papers.import_document(ready, receipt, "r.pdf"),
                    0.5,
                ),
            ]
            for name, action, target in cases:
                median = timed(action)
                rows.append(
                    (name, f"<= {target:.1f} s", f"{median * 1000:.0f} ms", median <= target)
                )
            kit = papers.export_kit(ready, Path(tmp) / "kit")
            page_bytes = len(card) + len(sheet) + len(back)
            kit_bytes = sum(f.size_bytes for f in kit.files)
            overhead = (kit_bytes - page_bytes) / 3
            rows.append(
                (
                    "kit PDF overhead per page (no re-encoding)",
                    "<= 4 KB",
                    f"{overhead / 1000:.1f} KB",
                    overhead <= 4000,
                )
            )
        finally:
            ctx.close()
    print(f"papers and filing, median of {RUNS} runs, {dt.date.today().isoformat()}")
    print("| measure | target | result | ok? |")
    print("|---|---|---|---|")
    for name, target, result, ok in rows:
        print(f"| {name} | {target} | {result} | {'yes' if ok else 'NO'} |")
    return 0 if all(ok for *_, ok in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
