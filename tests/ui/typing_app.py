"""A real desk process that types into a dossier, for the kill-and-restart test.

    python -m tests.ui.typing_app DATA_DIR DOSSIER_ID LOG TEXT

Builds the window as `permis_desktop.app` does, opens the dossier, and types TEXT into the
address field with real key events, one every 40 ms, appending "count wall-clock-time" to LOG
after each key. The test kills it with SIGKILL in the middle of the typing.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

PATH = "applicant.address.line1"


def main() -> int:
    data, dossier_id, log_path, text = sys.argv[1:5]
    app = QApplication(sys.argv[:1])
    from permis_desktop.app import labels
    from permis_desktop.paths import resolve_paths
    from permis_desktop.services.context import DeskContext
    from permis_desktop.ui.main_window import MainWindow
    from permis_desktop.ui.worker import Worker

    ctx = DeskContext.open(resolve_paths(Path(data)))
    worker = Worker(app)
    window = MainWindow(ctx, worker, *labels())
    window.show()
    window.open_dossier(dossier_id)
    log = open(log_path, "a", encoding="utf-8")  # noqa: SIM115 - kept open until killed
    typed = 0

    def start() -> None:
        if window.editor is None:
            QTimer.singleShot(50, start)
            return
        window.editor.focus_field(PATH)
        QTimer.singleShot(40, type_one)

    def type_one() -> None:
        nonlocal typed
        widget = window.editor._fields()[PATH].input
        QTest.keyClick(widget, text[typed])
        typed += 1
        log.write(f"{typed} {time.time():.4f}\n")
        log.flush()
        if typed < len(text):
            QTimer.singleShot(40, type_one)

    QTimer.singleShot(50, start)
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
