"""Réglages: the dossier server (address, the desk's token, certificate checks), the
school's details printed on the papers, capture and sync options.

Fields come from the typed registry (`permis_desktop.settings.REGISTRY`): label, type and
default are defined once. The token never goes into a plain field of the settings file when
the system has a keyring (`sync.credentials`); where it has none, the dialog says so before
saving, and where the token is kept. Certificate verification is on unless the user turns
it off, and a custom CA file (an agency's own authority) can be chosen instead.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from permis_desktop.services.context import DeskContext
from permis_desktop.settings import REGISTRY, SettingsError
from permis_desktop.ui.worker import Worker

log = logging.getLogger(__name__)

SCHOOL_KEYS = (
    "school.name",
    "school.address",
    "school.phone",
    "school.email",
    "school.approval_number",
)
CAPTURE_KEYS = (
    "capture.watch_folder",
    "capture.watermark_identity",
    "capture.budget_a4_kb",
    "capture.budget_card_kb",
)

SYNC_KEYS = ("sync.server_url", "sync.verify_tls", "sync.ca_file", "sync.poll_seconds")
LIMITS = {
    "sync.poll_seconds": (10, 3600),
    "capture.budget_a4_kb": (50, 5000),
    "capture.budget_card_kb": (50, 5000),
    "rules.photo_code_length": (8, 64),
}


def keyring_name() -> str | None:
    """The system keyring the token goes to, or None when there is none (same test as
    `sync.credentials`: no backend, or only the "fail" one)."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:  # a broken keyring configuration means: no keyring
        return None
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 1) <= 0:
        return None
    return str(getattr(backend, "name", type(backend).__name__))


def token_looks_right(token: str) -> bool:
    """A token goes in an HTTP header: printable ASCII, no spaces (a pasted line of text
    around it would otherwise be sent, or fail, far from here)."""
    return token.isascii() and token.isprintable() and not any(c.isspace() for c in token)


class SettingsDialog(QDialog):
    def __init__(self, ctx: DeskContext, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settings_dialog")
        self.setWindowTitle(self.tr("Réglages"))
        self.ctx = ctx
        self.worker = worker
        self.settings = ctx.settings
        self.editors: dict[str, QWidget] = {}
        self.sync_changed = False
        self.token_saved_in = ""  # "keyring" or "settings" once a new token is saved

        server = QGroupBox(self.tr("Serveur de dossiers de l'agence"))
        server_form = QFormLayout(server)
        url = self._editor("sync.server_url")
        assert isinstance(url, QLineEdit)
        url.setPlaceholderText("https://dossiers.agence.fr")
        server_form.addRow(self._label("sync.server_url"), url)

        self.token = QLineEdit()
        self.token.setObjectName("setting:sync.token")
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setAccessibleName(REGISTRY["sync.token"].label)
        from permis_desktop.sync.credentials import load_token

        try:
            self.has_token = bool(load_token(self.settings).strip())
        except Exception as exc:  # an unreadable keyring must not keep the dialog shut
            log.warning("token not read: %s", exc)
            self.has_token = False
        self.token.setPlaceholderText(
            self.tr("jeton enregistré (laisser vide pour le garder)")
            if self.has_token
            else self.tr("coller le jeton remis par l'agence")
        )
        server_form.addRow(self._label("sync.token"), self.token)
        self.token_note = QLabel()
        self.token_note.setObjectName("token_note")
        self.token_note.setWordWrap(True)
        ring = keyring_name()
        self.keyring = ring
        if ring:
            self.token_note.setText(
                self.tr("Le jeton est gardé dans le trousseau du système ({name}).").format(
                    name=ring
                )
            )
        else:
            self.token_note.setText(
                self.tr(
                    "⚠ Aucun trousseau sécurisé n'est disponible sur ce poste : le jeton sera "
                    "gardé dans le fichier de réglages ({path}), lisible par toute personne "
                    "ayant accès à cette session. Protégez l'accès au poste."
                ).format(path=self.ctx.paths.settings_file)
            )
            self.token_note.setStyleSheet("color: #E65100;")
        server_form.addRow("", self.token_note)

        verify = self._editor("sync.verify_tls")
        assert isinstance(verify, QCheckBox)
        verify.toggled.connect(self._warn_unverified)
        server_form.addRow("", verify)
        self.verify_warning = QLabel(
            self.tr(
                "⚠ Sans vérification du certificat, un tiers sur le réseau peut lire les "
                "dossiers. Préférez un fichier d'autorité de certification."
            )
        )
        self.verify_warning.setObjectName("verify_warning")
        self.verify_warning.setWordWrap(True)
        self.verify_warning.setStyleSheet("color: #C62828;")
        server_form.addRow("", self.verify_warning)
        ca = self._editor("sync.ca_file")
        browse = QPushButton(self.tr("Choisir…"))
        browse.setObjectName("choose_ca_file")
        browse.clicked.connect(self._choose_ca)
        ca_line = QHBoxLayout()
        ca_line.addWidget(ca, 1)
        ca_line.addWidget(browse)
        server_form.addRow(self._label("sync.ca_file"), ca_line)
        server_form.addRow(self._label("sync.poll_seconds"), self._editor("sync.poll_seconds"))
        self.test_button = QPushButton(self.tr("Tester la connexion"))
        self.test_button.setObjectName("test_connection")
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = QLabel()
        self.test_result.setObjectName("test_result")
        self.test_result.setWordWrap(True)
        test_line = QHBoxLayout()
        test_line.addWidget(self.test_button)
        test_line.addWidget(self.test_result, 1)
        server_form.addRow("", test_line)

        school = QGroupBox(self.tr("École de conduite (imprimée sur les documents)"))
        school_form = QFormLayout(school)
        for key in SCHOOL_KEYS:
            school_form.addRow(self._label(key), self._editor(key))

        capture = QGroupBox(self.tr("Numérisation"))
        capture_form = QFormLayout(capture)
        for key in CAPTURE_KEYS:
            editor = self._editor(key)
            if isinstance(editor, QCheckBox):
                capture_form.addRow("", editor)
            else:
                capture_form.addRow(self._label(key), editor)
        rules = QGroupBox(self.tr("Règles"))
        rules_form = QFormLayout(rules)
        rules_form.addRow(
            self._label("rules.photo_code_length"), self._editor("rules.photo_code_length")
        )

        self.error = QLabel()
        self.error.setObjectName("settings_error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #C62828;")
        self.error.hide()

        body = QWidget()
        body_layout = QVBoxLayout(body)
        for box in (server, school, capture, rules):
            body_layout.addWidget(box)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(680, 720)
        self._warn_unverified(bool(self.settings.get("sync.verify_tls")))

    # -- fields from the registry ---------------------------------------------------------

    def _label(self, key: str) -> str:
        return self.tr(REGISTRY[key].label)

    def _editor(self, key: str) -> QWidget:
        if key in self.editors:
            return self.editors[key]
        setting = REGISTRY[key]
        value = self.settings.get(key)
        editor: QWidget
        if setting.type is bool:
            box = QCheckBox(self.tr(setting.label))
            box.setChecked(bool(value))
            editor = box
        elif setting.type is int:
            spin = QSpinBox()
            low, high = LIMITS.get(key, (0, 1_000_000))
            spin.setRange(low, high)
            spin.setValue(int(value))
            editor = spin
        else:
            line = QLineEdit(str(value or ""))
            editor = line
        editor.setObjectName(f"setting:{key}")
        editor.setAccessibleName(self.tr(setting.label))
        self.editors[key] = editor
        return editor

    def value(self, key: str) -> Any:
        editor = self.editors[key]
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QSpinBox):
            return editor.value()
        assert isinstance(editor, QLineEdit)
        return editor.text().strip()

    def _warn_unverified(self, verify: bool) -> None:
        self.verify_warning.setVisible(not verify)

    def _choose_ca(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            self.tr("Autorité de certification du serveur"),
            str(Path.home()),
            self.tr("Certificats (*.pem *.crt *.cer);;Tous les fichiers (*)"),
        )
        if path:
            editor = self.editors["sync.ca_file"]
            assert isinstance(editor, QLineEdit)
            editor.setText(path)

    # -- checking and saving --------------------------------------------------------------

    def problems(self) -> list[str]:
        found: list[str] = []
        url = str(self.value("sync.server_url"))
        if url and not url.startswith(("http://", "https://")):
            found.append(
                self.tr(
                    "L'adresse du serveur commence par https:// (par exemple {example})."
                ).format(example="https://dossiers.agence.fr")
            )
        ca = str(self.value("sync.ca_file"))
        if ca and not Path(ca).is_file():
            found.append(
                self.tr("Le fichier d'autorité de certification {path} est introuvable.").format(
                    path=ca
                )
            )
        token = self.token.text().strip()
        if url and not self.has_token and not token:
            found.append(self.tr("Collez le jeton d'accès du poste remis par l'agence."))
        if token and not token_looks_right(token):
            found.append(
                self.tr(
                    "Le jeton contient des espaces ou des caractères inattendus : recopiez-le "
                    "seul, tel que l'agence l'a remis (il commence en général par pds_)."
                )
            )
        return found

    def save(self) -> None:
        found = self.problems()
        if found:
            self.error.setText("\n".join(found))
            self.error.show()
            return
        before = {k: self.settings.get(k) for k in SYNC_KEYS}
        try:
            for key in self.editors:
                new = self.value(key)
                if self.settings.get(key) != new:
                    self.settings.set(key, new)
            token = self.token.text().strip()
            if token:
                from permis_desktop.sync.credentials import store_token

                self.token_saved_in = store_token(self.settings, token)
                self.sync_changed = True
        except (SettingsError, OSError) as exc:
            log.error("settings not saved: %s", exc)
            self.error.setText(self.tr("Réglages non enregistrés : {error}").format(error=exc))
            self.error.show()
            return
        if any(self.settings.get(k) != v for k, v in before.items()):
            self.sync_changed = True
        log.info("settings saved (sync changed: %s)", self.sync_changed)
        self.accept()

    def test_connection(self) -> None:
        """Ask the server who this token belongs to, with the values typed (not yet saved)."""
        from permis_desktop.errors import BadInput
        from permis_desktop.sync.client import ServiceClient, SyncError, certificate_refused
        from permis_desktop.sync.credentials import load_token

        url = str(self.value("sync.server_url")).rstrip("/")
        if not url.startswith(("http://", "https://")):
            self.test_result.setText(self.tr("Indiquez d'abord l'adresse du serveur."))
            return
        token = self.token.text().strip() or load_token(self.settings).strip()
        ca = str(self.value("sync.ca_file"))
        verify: bool | str = ca if ca else bool(self.value("sync.verify_tls"))
        self.test_button.setEnabled(False)
        self.test_result.setText(self.tr("Connexion…"))

        def ask(_state: Any) -> dict[str, str]:
            with ServiceClient(url, token, verify=verify, timeout=10.0) as client:
                return client.whoami()

        def answered(who: dict[str, str]) -> None:
            self.test_button.setEnabled(True)
            self.test_result.setText(
                self.tr("✔ Connecté : agence « {agency} », poste « {desk} ».").format(**who)
            )

        def failed(exc: BaseException) -> None:
            self.test_button.setEnabled(True)
            if certificate_refused(exc):
                text = self.tr(
                    "Le certificat du serveur n'est pas reconnu : choisissez le fichier "
                    "d'autorité de certification remis par l'agence, ou vérifiez l'adresse."
                )
            elif isinstance(exc, (SyncError, BadInput)):
                text = str(exc)
            else:
                text = self.tr("Connexion impossible : {error}").format(error=exc)
            self.test_result.setText("✖ " + text)

        self.worker.run_task(ask, on_success=answered, on_error=failed, owner=self)
