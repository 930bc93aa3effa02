#!/usr/bin/env python3
"""Screenshots of the document reading in the wizard into docs/screenshots/recognition-*.png.

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python tools/recognition_screenshots.py

Real documents made by the recognition tests' generators: a TD1 identity card rendered with
the OCR-B font (Debian fonts-ocr-b) imported into the identity piece, and an e-bill PDF whose
2D-Doc is signed by a test certification authority put in the desk's trust store.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402
from shotkit import OUT, save_png, wait, wait_until  # noqa: E402


def save(widget: QWidget, name: str) -> None:
    save_png(widget, OUT / f"recognition-{name}.png", settle=0.3)


def main() -> int:
    from permis_desktop.paths import resolve_paths
    from permis_desktop.procedures.facts import skeleton
    from permis_desktop.services.context import DeskContext
    from permis_desktop.services.dossiers import DossierService
    from permis_desktop.ui.wizard.editor import DossierEditor
    from permis_desktop.ui.worker import Worker
    from tests.recognition_ui.test_wizard_recognition import bill_file, card_file
    from tests.recognize.kit2ddoc import make_pki

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("permis-desktop")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ctx = DeskContext.open(resolve_paths(folder / "data"))
        worker = Worker()
        pki = make_pki("FR00")
        ctx.settings.set("recognition.trust_store", str(pki.write_store(folder / "trust")))

        # 1. An identity card: the comparison dialog over the editor.
        card, truth = card_file(folder, seed=7)
        facts = skeleton("exam_registration_first")
        facts["applicant"].update(
            {"birth_name": "", "given_names": [truth.given_names[0].title()], "sex": None}
        )
        dossier_id = DossierService(ctx.db).create(facts)
        editor = DossierEditor(ctx, worker, DossierService(ctx.db).get(dossier_id))
        editor.resize(1280, 800)
        editor.show()
        editor.focus_piece("identity")
        editor.pieces_page.import_files("identity", [str(card)])
        assert wait_until(lambda: editor.recognition.dialog is not None, 90), "no dialog"
        dialog = editor.recognition.dialog
        wait(0.5)
        save(dialog, "mrz-dialog")
        dialog.fill_empty()
        wait_until(lambda: editor.autosaver.state == "saved" and not editor.autosaver.busy, 90)
        editor.close()
        editor.deleteLater()

        # 2. A bill with a signed 2D-Doc, typed address elsewhere: verified, dated, warned.
        issue = dt.date.today() - dt.timedelta(days=random.Random(3).randint(20, 60))
        bill, doc = bill_file(folder, pki, issue)
        facts = skeleton("exam_registration_first")
        facts["applicant"].update(
            {
                "birth_name": "MARTIN",
                "given_names": ["Léa"],
                "sex": "F",
                "birth_date": "1999-04-02",
                "address": {
                    "line1": doc.address_line,
                    "line2": "",
                    "postal_code": "69008",
                    "city": doc.city,
                    "country": "FRA",
                },
            }
        )
        dossier_id = DossierService(ctx.db).create(facts)
        editor = DossierEditor(ctx, worker, DossierService(ctx.db).get(dossier_id))
        editor.resize(1280, 800)
        editor.show()
        editor.focus_piece("proof_of_address")
        editor.pieces_page.import_files("proof_of_address", [str(bill)])
        assert wait_until(lambda: "proof_of_address" in editor.recognition.readings, 90)
        wait_until(lambda: editor.recognition.dialog is not None, timeout=5)
        if editor.recognition.dialog is not None:
            editor.recognition.dialog.reject()
        wait_until(lambda: bool(editor.pieces_page._thumbs), timeout=20)
        wait(0.5)
        row = editor.pieces_page.rows["proof_of_address"]
        editor.scrolls["pieces"].ensureWidgetVisible(row)
        save(editor, "2ddoc-row")
        editor.close()
        worker.wait_idle()
        ctx.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
