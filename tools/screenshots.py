#!/usr/bin/env python3
"""Take the README's screenshots: the real window on a virtual X screen, with sample data.

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python tools/screenshots.py

Writes PNG files into docs/screenshots/. Each scene builds the window on a fresh data folder.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "xcb")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"

SAMPLES = [
    ("exam_registration_first", ["B"], "MARTIN", "Léa", "2007-05-14", "draft"),
    ("exam_registration_first", ["B"], "Nguyen", "Thomas", "2009-02-03", "draft"),
    ("exam_registration_extension", ["A2"], "Benali", "Yanis", "2001-11-23", "ready"),
    ("licence_after_exam_first", ["B"], "Lefèvre", "Chloé", "2006-08-30", "in_review"),
    (
        "licence_after_training_b96",
        ["BE"],
        "Rousseau",
        "Hugo",
        "1994-01-17",
        "complement_requested",
    ),
    ("licence_after_training_am", ["AM"], "Durand", "Inès", "2011-06-02", "accepted"),
]


def seed(ctx) -> None:
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
                from permis_desktop.models.entities import Dossier

                session.get(Dossier, dossier_id).status = status


def shoot(widget, name: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.png"
    widget.grab().save(str(path))
    print(f"wrote {path.relative_to(ROOT)}")


def main() -> int:
    from permis_desktop.app import labels
    from permis_desktop.paths import resolve_paths
    from permis_desktop.services.context import DeskContext
    from permis_desktop.ui.main_window import MainWindow
    from permis_desktop.ui.worker import Worker

    app = QApplication(sys.argv[:1])
    worker = Worker(app)
    scenes = []
    for name, with_data in (("main-window-empty", False), ("main-window", True)):
        folder = Path(tempfile.mkdtemp(prefix="permis-shot-"))
        ctx = DeskContext.open(resolve_paths(folder))
        if with_data:
            seed(ctx)
        window = MainWindow(ctx, worker, *labels())
        window.resize(1200, 640)
        window.show()
        scenes.append((window, name))

    def take() -> None:
        for window, name in scenes:
            shoot(window, name)
        app.quit()

    QTimer.singleShot(1200, take)
    app.exec()
    return 0


if __name__ == "__main__":
    sys.exit(main())
