#!/usr/bin/env python3
"""Take the README's screenshots: the real window on a virtual X screen, with sample data.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python tools/screenshots.py

Writes PNG files into docs/screenshots/: the list, the new-dossier dialog, every wizard page
of an adult's B registration (with imported files) and the pages that differ for a minor
(legal representative, pieces). It then runs itself again with QT_SCALE_FACTOR=2 (200 %
scaling) and with a dark palette, for one page each. Each scene uses a fresh data folder.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtGui import QColor, QPalette  # noqa: E402
from PySide6.QtWidgets import QApplication, QStyleFactory  # noqa: E402
from shotkit import quantize_png  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
TODAY = dt.date.today()

SAMPLES = [
    ("exam_registration_first", ["B"], "MARTIN", "Léa", "2007-05-14", "draft"),
    ("exam_registration_first", ["B"], "Nguyen", "Thomas", "2009-02-03", "draft"),
    ("exam_registration_extension", ["A2"], "Benali", "Yanis", "2001-11-23", "ready"),
    ("licence_after_exam_first", ["B"], "Lefèvre", "Chloé", "2006-08-30", "in_review"),
    ("licence_after_training_b96", ["B"], "Rousseau", "Hugo", "1994-01-17", "complement_requested"),
    ("licence_after_training_am", ["AM"], "Durand", "Inès", "2011-06-02", "accepted"),
    ("licence_after_exam_first", ["B"], "Garcia", "Sofia", "2005-03-09", "title_sent"),
]


def seed_list(ctx: Any) -> None:
    from permis_desktop.models.entities import Dossier
    from permis_desktop.services.dossiers import DossierService

    service = DossierService(ctx.db)
    for procedure, categories, name, given, birth, status in SAMPLES:
        dossier_id = service.create(
            {
                "procedure": procedure,
                "categories": categories,
                "applicant": {
                    "birth_name": name,
                    "given_names": [given],
                    "birth_date": birth,
                    "email": f"{given.lower()}@example.fr",
                    "mobile": "0612345678",
                },
            }
        )
        if status != "draft":
            with ctx.db.transaction() as session:
                session.get(Dossier, dossier_id).status = status


def adult_facts() -> dict[str, Any]:
    from permis_desktop.procedures.facts import skeleton

    facts = skeleton("exam_registration_first")
    facts["categories"] = ["B"]
    facts["training_mode"] = "traditional"
    facts["applicant"].update(
        {
            "sex": "F",
            "birth_name": "Martin",
            "given_names": ["Léa", "Marie"],
            "birth_date": "1998-05-14",
            "birth_place": {"commune": "Lyon", "insee": "69123", "country": "FRA"},
            "address": {
                "line1": "3 rue des Lilas",
                "line2": "Bâtiment B, 2e étage",
                "postal_code": "69003",
                "city": "Lyon",
                "country": "FRA",
            },
            "email": "lea.martin@example.fr",
            "mobile": "06 12 34 56 78",
        }
    )
    facts["photo_signature"] = {
        "code": "ABCD1234EFGH5678IJKL90",
        "taken": (TODAY - dt.timedelta(days=10)).isoformat(),
    }
    facts["mandate"] = True
    return facts


def minor_facts() -> dict[str, Any]:
    facts = adult_facts()
    facts["applicant"].update(
        {
            "birth_name": "Nguyen",
            "given_names": ["Thomas"],
            "sex": "M",
            "birth_date": TODAY.replace(year=TODAY.year - 16, day=3).isoformat(),
            "email": "",
            "mobile": "",
        }
    )
    facts["legal_representative"] = {
        "quality": "Mère",
        "sex": "F",
        "birth_name": "Nguyen",
        "usage_name": "",
        "given_names": ["Mai"],
        "birth_date": "1979-09-21",
        "email": "mai.nguyen@example.fr",
        "mobile": "07 31 23 45 67",
    }
    return facts


def b96_facts() -> dict[str, Any]:
    """A B holder asking for the B96 mention after the training, hosted by a parent."""
    from permis_desktop.procedures.facts import skeleton

    facts = skeleton("licence_after_training_b96")
    facts["applicant"].update(
        {
            "sex": "M",
            "birth_name": "Rousseau",
            "given_names": ["Hugo"],
            "birth_date": "1994-01-17",
            "birth_place": {"commune": "Grenoble", "insee": "38185", "country": "FRA"},
            "address": {
                "line1": "8 chemin des Vignes",
                "line2": "chez M. Rousseau Alain",
                "postal_code": "38100",
                "city": "Grenoble",
                "country": "FRA",
            },
            "email": "hugo.rousseau@example.fr",
            "mobile": "06 98 76 54 32",
            "hosted": True,
            "licence": {
                "number": "120338100042",
                "categories": [{"category": "B", "obtained": "2013-06-20"}],
            },
        }
    )
    facts["host"] = {
        "sex": "M",
        "birth_name": "Rousseau",
        "usage_name": "",
        "given_names": ["Alain"],
        "birth_date": "",
        "email": "",
        "mobile": "",
    }
    facts["training"] = {
        "kind": "b96",
        "completed": (TODAY - dt.timedelta(days=5)).isoformat(),
    }
    return facts


def sample_files(folder: Path) -> dict[str, Path]:
    """An identity card photographed on a table and a bill scanned as a PDF."""
    from PIL import Image, ImageDraw

    card = Image.new("RGB", (1600, 1100), "#5b4a3a")
    body = Image.new("RGB", (1012, 638), "#dfe9f2")
    draw = ImageDraw.Draw(body)
    draw.rectangle((0, 0, 1012, 90), fill="#2f5d8c")
    draw.text((30, 30), "REPUBLIQUE FRANCAISE  CARTE NATIONALE D'IDENTITE", fill="white")
    draw.rectangle((40, 140, 300, 470), fill="#b8c4cf")
    for i, line in enumerate(
        [
            "Nom : MARTIN",
            "Prenoms : Lea, Marie",
            "Ne(e) le : 14 05 1998",
            "a : LYON (69)",
            "Expire le : 12 03 2031",
        ]
    ):
        draw.text((340, 150 + 60 * i), line, fill="black")
    draw.rectangle((0, 530, 1012, 638), fill="#f4f4f4")
    draw.text((30, 560), "IDFRAMARTIN<<LEA<MARIE<<<<<<<<<<<<<<<<<<<<<", fill="black")
    card.paste(body, (290, 230))
    card_path = folder / "cni-photo.jpg"
    card.save(card_path, quality=92)
    page = Image.new("RGB", (1654, 2339), "#f1eee6")  # A4 at 200 dpi, recycled paper
    draw = ImageDraw.Draw(page)
    draw.rectangle((80, 80, 1560, 260), fill="#1d4f91")
    draw.rectangle((80, 2100, 1560, 2250), fill="#c9c4b8")
    draw.text(
        (110, 150),
        "FACTURE ELECTRICITE - Mme MARTIN Lea - 3 rue des Lilas 69003 Lyon",
        fill="white",
    )
    for y in range(320, 2050, 40):
        draw.text((110, y), "Consommation du 01/09 au 31/10 ............ 42,17 EUR", fill="black")
    bill_path = folder / "facture.pdf"
    page.save(bill_path, "PDF", resolution=200)
    return {"identity": card_path, "proof_of_address": bill_path}


class Shooter:
    """Runs steps one after the other; each waits for its condition on a timer (the event
    loop keeps running: no processEvents loop)."""

    def __init__(self, app: QApplication) -> None:
        self.app = app
        self.steps: list[tuple[Callable[[], Any], Callable[[], bool]]] = []

    def then(self, action: Callable[[], Any], until: Callable[[], bool] = lambda: True) -> None:
        self.steps.append((action, until))

    def shoot(self, widget: Any, name: str) -> None:
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / f"{name}.png"
        widget.grab().save(str(path))
        quantize_png(path)
        print(f"wrote {path.relative_to(ROOT)}", flush=True)

    def run(self) -> None:
        def next_step() -> None:
            if not self.steps:
                self.app.quit()
                return
            action, until = self.steps.pop(0)
            action()
            wait(until, 0)

        def wait(until: Callable[[], bool], waited: int) -> None:
            if until() or waited > 60000:
                QTimer.singleShot(250, next_step)  # let the paint settle
            else:
                QTimer.singleShot(50, lambda: wait(until, waited + 50))

        QTimer.singleShot(300, next_step)
        self.app.exec()


def open_desk(with_list: bool) -> Any:
    from permis_desktop.paths import resolve_paths
    from permis_desktop.services.context import DeskContext

    ctx = DeskContext.open(resolve_paths(Path(tempfile.mkdtemp(prefix="permis-shot-"))))
    if with_list:
        seed_list(ctx)
    return ctx


def make_window(ctx: Any, worker: Any, size: tuple[int, int] = (1360, 860)) -> Any:
    from permis_desktop.app import labels
    from permis_desktop.ui.main_window import MainWindow

    window = MainWindow(ctx, worker, *labels())
    window.resize(*size)
    window.show()
    return window


def full_run(app: QApplication) -> None:
    from permis_desktop.services.dossiers import DossierService
    from permis_desktop.ui.worker import Worker

    worker = Worker(app)
    shooter = Shooter(app)
    empty = make_window(open_desk(False), worker)
    shooter.then(lambda: None, lambda: empty.empty_state.text() != "")
    shooter.then(lambda: shooter.shoot(empty, "main-window-empty"))
    shooter.then(empty.close)

    ctx = open_desk(True)
    window = make_window(ctx, worker)
    shooter.then(lambda: None, lambda: window.model.rowCount() >= len(SAMPLES))
    shooter.then(lambda: shooter.shoot(window, "main-window"))
    shooter.then(window.new_dossier, lambda: getattr(window, "new_dialog", None) is not None)

    def fill_dialog() -> None:
        dialog = window.new_dialog
        dialog.birth_name.setText("Martin")
        dialog.given_names.setText("Léa, Marie")
        dialog.birth_date.setText("14/05/1998")

    shooter.then(fill_dialog)
    shooter.then(lambda: shooter.shoot(window.new_dialog, "new-dossier"))
    shooter.then(lambda: window.new_dialog.reject())

    files = sample_files(Path(tempfile.mkdtemp(prefix="permis-files-")))
    adult = DossierService(ctx.db).create(adult_facts())
    minor = DossierService(ctx.db).create(minor_facts())
    b96 = DossierService(ctx.db).create(b96_facts())
    shooter.then(lambda: window.open_dossier(adult), lambda: window.editor is not None)
    editor = lambda: window.editor  # noqa: E731

    def imports() -> None:
        page = editor().pieces_page
        for kind, path in files.items():
            page.import_files(kind, [str(path)])

    def imported() -> bool:
        page = editor().pieces_page
        return (
            page.imports_running == 0
            and all(
                line.status == "provided" for line in editor().checklist.pieces if line.required
            )
            and not page._loading
        )

    shooter.then(imports, imported)

    def piece_dates() -> None:
        page = editor().pieces_page
        page.rows["identity"].document_type.setCurrentIndex(1)
        page.rows["identity"].document_type.activated.emit(1)
        for kind, which, value in (
            ("identity", "expires", "12/03/2031"),
            ("proof_of_address", "issued", (TODAY - dt.timedelta(days=20)).strftime("%d/%m/%Y")),
        ):
            field = page.rows[kind].dates[which]
            field.edit.setText(value)
            field.edit.textEdited.emit(value)
        signed = editor()._fields()["desk.mandate_signed_on"].edit
        signed.setText((TODAY - dt.timedelta(days=3)).strftime("%d/%m/%Y"))
        signed.textEdited.emit(signed.text())

    shooter.then(piece_dates, lambda: editor().autosaver.state == "saved")
    for number, step in enumerate(
        [
            "demandeur",
            "adresse",
            "permis",
            "sante",
            "photo_signature",
            "mandat",
            "pieces",
            "recapitulatif",
        ],
        1,
    ):
        shooter.then(lambda step=step: editor().go_to(step))
        shooter.then(lambda step=step, n=number: shooter.shoot(window, f"wizard-adult-{n}-{step}"))
    shooter.then(lambda: editor().validate(), lambda: editor().status == "ready")
    shooter.then(lambda: shooter.shoot(window, "wizard-adult-9-valide"))
    shooter.then(lambda: window.close_editor())
    shooter.then(lambda: window.open_dossier(minor), lambda: window.editor is not None)
    shooter.then(lambda: editor().go_to("demandeur"))
    shooter.then(lambda: shooter.shoot(window, "wizard-minor-1-demandeur"))
    shooter.then(lambda: editor().go_to("representant_legal"))
    shooter.then(lambda: shooter.shoot(window, "wizard-minor-3-representant_legal"))
    shooter.then(lambda: editor().focus_piece("guardian_identity"))
    shooter.then(lambda: shooter.shoot(window, "wizard-minor-8-pieces"))
    shooter.then(lambda: window.close_editor())
    shooter.then(lambda: window.open_dossier(b96), lambda: window.editor is not None)
    for step, name in (
        ("adresse", "wizard-b96-2-adresse-hebergement"),
        ("permis", "wizard-b96-3-permis"),
        ("formation", "wizard-b96-5-formation"),
    ):
        shooter.then(lambda step=step: editor().go_to(step))
        shooter.then(lambda name=name: shooter.shoot(window, name))
    shooter.then(lambda: window.close_editor())
    shooter.then(lambda: None, lambda: window.model.rowCount() == len(SAMPLES) + 3)
    shooter.then(lambda: shooter.shoot(window, "main-window"))
    shooter.run()
    worker.wait_idle()


def single_page_run(app: QApplication, name: str) -> None:
    """One wizard page and the list (200 % scaling or dark palette runs)."""
    from permis_desktop.services.dossiers import DossierService
    from permis_desktop.ui.worker import Worker

    worker = Worker(app)
    shooter = Shooter(app)
    ctx = open_desk(True)
    minor = DossierService(ctx.db).create(minor_facts())
    window = make_window(ctx, worker, (1360, 860))
    shooter.then(lambda: None, lambda: window.model.rowCount() == len(SAMPLES) + 1)
    shooter.then(lambda: shooter.shoot(window, f"main-window-{name}"))
    shooter.then(lambda: window.open_dossier(minor), lambda: window.editor is not None)
    shooter.then(lambda: window.editor.go_to("representant_legal"))
    shooter.then(lambda: shooter.shoot(window, f"wizard-{name}"))
    shooter.run()
    worker.wait_idle()


def dark_palette(app: QApplication) -> None:
    app.setStyle(QStyleFactory.create("Fusion"))
    palette = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, "#2b2b2b"),
        (QPalette.ColorRole.WindowText, "#e6e6e6"),
        (QPalette.ColorRole.Base, "#1e1e1e"),
        (QPalette.ColorRole.AlternateBase, "#2b2b2b"),
        (QPalette.ColorRole.Text, "#e6e6e6"),
        (QPalette.ColorRole.Button, "#353535"),
        (QPalette.ColorRole.ButtonText, "#e6e6e6"),
        (QPalette.ColorRole.Highlight, "#2f65ca"),
        (QPalette.ColorRole.HighlightedText, "#ffffff"),
        (QPalette.ColorRole.Link, "#8ab4f8"),
        (QPalette.ColorRole.PlaceholderText, "#8a8a8a"),
        (QPalette.ColorRole.ToolTipBase, "#353535"),
        (QPalette.ColorRole.ToolTipText, "#e6e6e6"),
    ):
        palette.setColor(role, QColor(colour))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor("#8a8a8a"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#8a8a8a"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#8a8a8a"))
    app.setPalette(palette)


def main(argv: list[str]) -> int:
    from permis_desktop.app import install_translations

    mode = argv[0] if argv else "all"
    app = QApplication(sys.argv[:1])
    install_translations(app)
    if mode == "scale200":
        single_page_run(app, "200pct")
        return 0
    if mode == "dark":
        dark_palette(app)
        single_page_run(app, "dark")
        return 0
    full_run(app)
    del app
    for extra, env in (("scale200", {"QT_SCALE_FACTOR": "2"}), ("dark", {})):
        subprocess.run([sys.executable, __file__, extra], env={**os.environ, **env}, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
