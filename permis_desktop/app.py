"""The desk application's composition root: `permis-desktop [--data-dir DIR] [--debug]`.

Start-up order matters for speed and safety: Qt first (so every problem can be shown in a
dialog), then the single-instance lock, then the database (checked, backed up, migrated),
then the window. OpenCV and the capture pipeline are not imported here; they load on first
use, off the start-up path.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from permis_desktop import APP_NAME, __version__
from permis_desktop.errors import PermisError
from permis_desktop.instance import InstanceLock
from permis_desktop.logsetup import setup_logging
from permis_desktop.models.db import DatabaseDamaged, restore_backup
from permis_desktop.paths import AppPaths, resolve_paths
from permis_desktop.services.context import DeskContext

log = logging.getLogger(__name__)


STARTUP_PROBE = "PERMIS_STARTUP_PROBE"


def _arm_startup_probe(app: QApplication, target: Path) -> None:
    """For bench/startup.py: note when the window is up, then the idle memory, and quit."""
    shown = time.time()

    def measure() -> None:
        target.write_text(json.dumps({"shown": shown, "idle_rss": _rss_bytes()}))
        app.quit()

    QTimer.singleShot(1000, measure)


def _rss_bytes() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def labels() -> tuple[Callable[[str], str], Callable[[str], str]]:
    """French labels of statuses and procedures, for the list and badges."""
    from permis_desktop.ui.labels import procedure_label, status_label

    return status_label, procedure_label


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="permis-desktop")
    parser.add_argument("--data-dir", help="dossier de données (installation portable)")
    parser.add_argument("--debug", action="store_true", help="journal détaillé")
    parser.add_argument("--version", action="version", version=f"permis-desktop {__version__}")
    args, _qt_args = parser.parse_known_args(argv)
    return args


def install_translations(app: QApplication) -> None:
    """Qt's own French strings (standard buttons, dialogs)."""
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(
        QLocale(QLocale.Language.French, QLocale.Country.France), "qtbase", "_", folder
    ):
        app.installTranslator(translator)


def open_desk(paths: AppPaths) -> DeskContext | None:
    """Open the store; on a damaged database, offer the latest backup. None: the user quit."""
    while True:
        try:
            return DeskContext.open(paths)
        except DatabaseDamaged as damaged:
            if damaged.backup is None:
                QMessageBox.critical(
                    None,
                    "permis-desktop",
                    str(damaged)
                    + "\n\nLe fichier n'a pas été modifié. Contactez votre assistance.",
                )
                return None
            box = QMessageBox(QMessageBox.Icon.Critical, "permis-desktop", str(damaged))
            box.setInformativeText(
                "Voulez-vous restaurer la dernière sauvegarde ? Le fichier endommagé sera "
                "conservé à côté, sans être effacé."
            )
            restore = box.addButton("Restaurer la sauvegarde", QMessageBox.ButtonRole.AcceptRole)
            box.addButton("Quitter", QMessageBox.ButtonRole.RejectRole)
            box.exec()
            if box.clickedButton() is not restore:
                return None
            restore_backup(damaged.path, damaged.backup)
        except PermisError as error:
            QMessageBox.critical(None, "permis-desktop", str(error))
            return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0], *argv])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_NAME)
    install_translations(app)

    paths = resolve_paths(args.data_dir)
    try:
        paths.ensure()
    except OSError as exc:
        QMessageBox.critical(
            None,
            "permis-desktop",
            f"Le dossier de données {paths.data} est inaccessible ({exc.strerror or exc}). "
            "Vérifiez qu'il existe, qu'il n'est pas en lecture seule et que le disque n'est pas plein.",
        )
        return 1
    setup_logging(paths, debug=args.debug)
    log.info("permis-desktop %s starting, data in %s", __version__, paths.data)

    lock = InstanceLock(paths.lock_file)
    try:
        lock.acquire()
    except PermisError as error:
        QMessageBox.warning(None, "permis-desktop", str(error))
        return 1
    try:
        ctx = open_desk(paths)
        if ctx is None:
            return 1
        from permis_desktop.ui.main_window import MainWindow
        from permis_desktop.ui.worker import Worker

        worker = Worker(app)
        window = MainWindow(ctx, worker, *labels())
        window.show()
        # The sync worker (ui/sync: sends validated dossiers, follows their status) starts
        # once the window is painted: its HTTP and keyring libraries load off the start-up.
        QTimer.singleShot(300, window.sync.start)
        if probe := os.environ.get(STARTUP_PROBE):
            _arm_startup_probe(app, Path(probe))
        code = app.exec()
        window.sync.stop()  # before the database closes: the round in progress ends first
        worker.wait_idle()
        ctx.close()
        return int(code)
    finally:
        lock.release()


if __name__ == "__main__":
    sys.exit(main())
