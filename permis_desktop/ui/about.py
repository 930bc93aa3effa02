"""The About dialog."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from permis_desktop import __version__
from permis_desktop.paths import AppPaths


def about_text(paths: AppPaths) -> str:
    tr = QCoreApplication.translate
    return tr(
        "About",
        "<h3>permis-desktop {version}</h3>"
        "<p>Préparation des dossiers de permis de conduire (ANTS) pour les écoles de conduite : "
        "inscriptions aux examens et demandes de titre.</p>"
        "<p>Données : <code>{data}</code><br>Journal : <code>{log}</code></p>",
    ).format(version=__version__, data=paths.data, log=paths.log_file)


def show_about(parent: QWidget, paths: AppPaths) -> None:
    QMessageBox.about(
        parent, QCoreApplication.translate("About", "À propos de permis-desktop"), about_text(paths)
    )
