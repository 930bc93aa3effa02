"""Réglages: the server address and options go to the settings registry, the token to the
system keyring (or, where there is none, to the settings file, and the dialog says so)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from permis_desktop.settings import Settings
from permis_desktop.sync.credentials import load_token
from permis_desktop.ui.settings_dialog import SettingsDialog
from tests.memory_keyring import install_memory_keyring
from tests.ui.helpers import keys


@pytest.fixture
def ring() -> Any:
    return install_memory_keyring()


def _dialog(qtbot, desk, worker) -> SettingsDialog:
    dialog = SettingsDialog(desk, worker)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _save(qtbot, dialog: SettingsDialog) -> None:
    button = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _type(qtbot, dialog: SettingsDialog, key: str, text: str) -> None:
    editor = dialog.editors[key] if key != "sync.token" else dialog.token
    editor.clear()
    keys(qtbot, editor, text)  # key by key, accented letters too


def test_the_token_goes_to_the_keyring_and_the_address_to_the_settings(
    qtbot, desk, worker, ring
) -> None:
    dialog = _dialog(qtbot, desk, worker)
    assert "trousseau du système" in dialog.token_note.text()
    assert dialog.editors["sync.verify_tls"].isChecked()  # on by default
    assert not dialog.verify_warning.isVisible()
    _type(qtbot, dialog, "sync.server_url", "https://dossiers.agence.example")
    _type(qtbot, dialog, "sync.token", "pds_secret_1")
    _type(qtbot, dialog, "school.name", "Auto-école des Lilas")
    _save(qtbot, dialog)
    assert dialog.result() == SettingsDialog.DialogCode.Accepted
    assert dialog.token_saved_in == "keyring" and dialog.sync_changed
    account = f"sync.token@{desk.paths.config.resolve()}"
    assert ring.values == {("permis-desktop", account): "pds_secret_1"}
    stored = Settings(desk.paths.settings_file)
    assert stored.get("sync.server_url") == "https://dossiers.agence.example"
    assert stored.get("sync.token") == ""  # not in the file
    assert stored.get("school.name") == "Auto-école des Lilas"
    assert load_token(stored) == "pds_secret_1"
    # Opened again: the token is known, an empty field keeps it.
    again = _dialog(qtbot, desk, worker)
    assert "laisser vide" in again.token.placeholderText()
    _save(qtbot, again)
    assert ring.values[("permis-desktop", account)] == "pds_secret_1"
    assert not again.sync_changed


def test_without_a_keyring_the_dialog_says_where_the_token_goes(qtbot, desk, worker) -> None:
    dialog = _dialog(qtbot, desk, worker)
    note = dialog.token_note.text()
    assert "Aucun trousseau" in note and str(desk.paths.settings_file) in note
    _type(qtbot, dialog, "sync.server_url", "https://dossiers.agence.example")
    _type(qtbot, dialog, "sync.token", "pds_plain")
    _save(qtbot, dialog)
    assert dialog.token_saved_in == "settings"
    assert Settings(desk.paths.settings_file).get("sync.token") == "pds_plain"


def test_bad_values_are_refused_with_what_to_do(qtbot, desk, worker, tmp_path) -> None:
    dialog = _dialog(qtbot, desk, worker)
    _type(qtbot, dialog, "sync.server_url", "dossiers.agence.example")
    _type(qtbot, dialog, "sync.ca_file", str(tmp_path / "absent.pem"))
    _save(qtbot, dialog)
    assert dialog.isVisible() and dialog.error.isVisible()
    text = dialog.error.text()
    assert "https://" in text and "absent.pem" in text and "jeton" in text
    assert Settings(desk.paths.settings_file).get("sync.server_url") == ""
    # A token pasted with the text around it is refused before it is stored.
    dialog.token.setText("Notez ce jeton : pds_abc")
    _save(qtbot, dialog)
    assert "caractères inattendus" in dialog.error.text()
    # Verification off is allowed, with a warning; a CA file is the better way.
    qtbot.mouseClick(dialog.editors["sync.verify_tls"], Qt.MouseButton.LeftButton)
    assert dialog.verify_warning.isVisible()
    ca = tmp_path / "agence-ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    _type(qtbot, dialog, "sync.server_url", "https://dossiers.agence.example")
    _type(qtbot, dialog, "sync.ca_file", str(ca))
    _type(qtbot, dialog, "sync.token", "pds_x")
    _save(qtbot, dialog)
    stored = Settings(desk.paths.settings_file)
    assert stored.get("sync.ca_file") == str(ca) and stored.get("sync.verify_tls") is False


def test_test_connection_names_the_agency_and_desk(qtbot, desk, worker, server, live) -> None:
    token = server.token("agence-nord", "guichet-7")
    dialog = _dialog(qtbot, desk, worker)
    _type(qtbot, dialog, "sync.server_url", live)
    _type(qtbot, dialog, "sync.token", token)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.test_result.text().startswith(("✔", "✖")), timeout=10000)
    assert "agence-nord" in dialog.test_result.text() and "guichet-7" in dialog.test_result.text()
    _type(qtbot, dialog, "sync.token", "pds_wrong")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.test_result.text().startswith("✖"), timeout=10000)
    assert "jeton" in dialog.test_result.text()


def test_saving_the_settings_restarts_the_sync_from_the_window(
    qtbot, desk, worker, server, live
) -> None:
    from permis_desktop.ui.main_window import MainWindow

    window = MainWindow(desk, worker)
    qtbot.addWidget(window)
    assert window.status_sync.text() == "Aucun serveur de synchronisation configuré"
    window.sync.start()
    assert window.sync.sync is None
    window.action_settings.trigger()
    dialog = window.settings_dialog
    assert dialog is not None
    _type(qtbot, dialog, "sync.server_url", live)
    _type(qtbot, dialog, "sync.token", server.token())
    _save(qtbot, dialog)
    try:
        qtbot.waitUntil(lambda: window.sync.sync is not None, timeout=5000)
        qtbot.waitUntil(lambda: "En ligne" in window.status_sync.text(), timeout=10000)
    finally:
        window.sync.stop()


def test_an_agency_ca_file_makes_an_https_server_trusted(
    qtbot, desk, worker, server, tmp_path
) -> None:
    from tests.server.helpers import free_port

    from .conftest import serving
    from .tls import make_ca_and_server_cert

    ca, cert, key = make_ca_and_server_cert(tmp_path)
    with serving(server.app, free_port(), tls=(cert, key)) as url:
        assert url.startswith("https://")
        dialog = _dialog(qtbot, desk, worker)
        _type(qtbot, dialog, "sync.server_url", url)
        _type(qtbot, dialog, "sync.token", server.token("agence-nord", "guichet-3"))
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.test_result.text().startswith("✖"), timeout=10000)
        assert "certificat du serveur n'est pas reconnu" in dialog.test_result.text()
        _type(qtbot, dialog, "sync.ca_file", str(ca))
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.test_result.text().startswith("✔"), timeout=10000)
        assert "guichet-3" in dialog.test_result.text()
        _save(qtbot, dialog)
        stored = Settings(desk.paths.settings_file)
        assert stored.get("sync.ca_file") == str(ca) and stored.get("sync.verify_tls") is True
        # The desk's worker trusts the same authority: a round goes through.
        from permis_desktop.sync.setup import client_factory

        with client_factory(stored)() as client:
            assert client.whoami() == {"agency": "agence-nord", "desk": "guichet-3"}


def test_a_refused_certificate_is_named_in_the_status_bar_not_taken_for_offline(
    desk, server, tmp_path
) -> None:
    import copy

    from permis_desktop.services.dossiers import DossierService
    from permis_desktop.services.pieces import PieceService
    from permis_desktop.services.workflow import WorkflowService
    from permis_desktop.sync.client import ServiceClient
    from permis_desktop.sync.worker import SyncWorker
    from permis_desktop.ui.sync.status_widget import ERROR, describe
    from tests.server.helpers import free_port
    from tests.sync_ui.test_complement import ADULT_B
    from tests.ui.helpers import page_image

    from .conftest import serving
    from .tls import make_ca_and_server_cert

    _ca, cert, key = make_ca_and_server_cert(tmp_path)
    did = DossierService(desk.db).create(copy.deepcopy(ADULT_B))
    pieces = PieceService(desk)
    pieces.attach_files(did, "identity", [page_image(tmp_path / "cni.png", "CARTE IDENTITE")])
    pieces.attach_files(did, "proof_of_address", [page_image(tmp_path / "bill.png", "Facture")])
    WorkflowService(desk.db).validate(did)
    with serving(server.app, free_port(), tls=(cert, key)) as url:
        token = server.token("agence-nord", "guichet-4")
        sync = SyncWorker(
            desk.db,
            desk.blobs,
            lambda: ServiceClient(url, token, verify=True),
            tmp_path / "cursor.json",
            url,
        )
        report = sync.run_once()
    # The validated dossier waits for a retry; the feed was refused the same way.
    assert report.retrying == 1 and report.sent == 0
    assert not report.reachable and report.certificate_refused
    assert "certificat du serveur n'est pas reconnu" in report.errors[-1]
    line = describe(sync.status(report), url, "", True)
    assert line.text.startswith("⚠ Certificat du serveur refusé") and line.level == ERROR
    assert "autorité de certification" in line.tooltip and "Hors ligne" not in line.text
