"""The scanner screen against real devices: SANE's `test` backend through python-sane and
the eSCL simulator on 127.0.0.1 (tests/devices/escl_sim.py). Pages end up in the piece."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.devices.escl_sim import Simulator

from .conftest import piece_pages

KIND = "proof_of_address"


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(feeder_pages=3) as simulator:
        yield simulator


def escl_registry(sim: Simulator):  # type: ignore[no-untyped-def]
    from permis_desktop.scan.devices import DeviceRegistry
    from permis_desktop.scan.devices.escl_driver import EsclDriver

    return DeviceRegistry([EsclDriver(manual_urls=(sim.base_url,))])


def open_dialog(qtbot, desk, worker, dossier, registry, kind=KIND):  # type: ignore[no-untyped-def]
    from permis_desktop.ui.capture.scan_dialog import ScanDialog

    dialog = ScanDialog(desk, worker, dossier, kind, registry=registry)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.device_picker.count() > 0, timeout=15000)
    return dialog


def wait_attached(qtbot, dialog, n: int) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not dialog.scanning, timeout=30000)
    qtbot.waitUntil(
        lambda: (
            not dialog.attacher.busy
            and dialog.attacher.last_result is not None
            and len(dialog.attacher.last_result.pages) == n
        ),
        timeout=60000,
    )


def test_escl_feeder_pages_into_the_piece(qtbot, desk, worker, dossier, sim) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(qtbot, desk, worker, dossier, escl_registry(sim))
    assert dialog.device_picker.currentData() == sim.device_id
    # The sheet profile: feeder, gray, 200 dpi.
    assert dialog.current_profile().source == "feeder"
    assert dialog.current_profile().color_mode == "gray"
    assert dialog.current_profile().dpi == 200
    dialog.scan_button.click()
    wait_attached(qtbot, dialog, 3)
    assert dialog.pages_view.count() == 3
    qtbot.waitUntil(lambda: all(not dialog.pages_view.item(i).icon().isNull() for i in range(3)))
    assert len(dialog.thumb_latencies) == 3
    pages = piece_pages(desk, dossier, KIND)
    assert len(pages) == 3
    assert "Page 1" in dialog.pages_view.item(0).text()
    assert dialog.pages_view.item(0).text().split("\n")[1][2:] in (
        "lisible",
        "floue",
        "coupée",
        "trop petite",
        "page vide",
        "reflet",
        "trop sombre",
        "surexposée",
    )
    # Remembered for this workstation.
    assert desk.settings.get("capture.last_device") == sim.device_id
    # Received pages left the spool once attached (their originals are in the blob store).
    from permis_desktop.ui.capture.attach import spool_dir

    assert list(spool_dir(desk.paths.data).glob("*")) == []
    assert all(desk.blobs.get(p.original_sha256) for p in pages)


def test_connection_dropped_mid_feeder_keeps_the_pages(qtbot, desk, worker, dossier, sim) -> None:  # type: ignore[no-untyped-def]
    sim.faults.drop_at_page = 3
    dialog = open_dialog(qtbot, desk, worker, dossier, escl_registry(sim))
    dialog.scan_button.click()
    wait_attached(qtbot, dialog, 2)
    assert dialog.last_outcome.error is not None and len(dialog.last_outcome.pages) == 2
    text = dialog.status.text()
    assert "conservées" in text and "2 page(s)" in text
    assert len(piece_pages(desk, dossier, KIND)) == 2
    assert dialog.scan_button.isEnabled()  # the window is usable again


def test_cancel_keeps_pages_already_received(qtbot, desk, worker, dossier, sim) -> None:  # type: ignore[no-untyped-def]
    sim.faults.slow_body = 0.05  # each page takes a while to arrive
    dialog = open_dialog(qtbot, desk, worker, dossier, escl_registry(sim))
    dialog.scan_button.click()
    qtbot.waitUntil(lambda: dialog.pages_received >= 1, timeout=30000)
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: not dialog.scanning, timeout=30000)
    assert dialog.last_outcome.cancelled
    kept = len(dialog.last_outcome.pages)
    assert 0 < kept < 3  # pages received before the cancel are kept
    assert "annulée" in dialog.status.text()
    wait_attached(qtbot, dialog, kept)
    assert len(piece_pages(desk, dossier, KIND)) == kept


def test_last_device_is_selected_again(qtbot, desk, worker, dossier, sim) -> None:  # type: ignore[no-untyped-def]
    with Simulator(feeder_pages=1) as other:
        from permis_desktop.scan.devices import DeviceRegistry
        from permis_desktop.scan.devices.escl_driver import EsclDriver

        registry = DeviceRegistry([EsclDriver(manual_urls=(sim.base_url, other.base_url))])
        desk.settings.set("capture.last_device", other.device_id)
        dialog = open_dialog(qtbot, desk, worker, dossier, registry)
        qtbot.waitUntil(lambda: dialog.device_picker.count() == 2, timeout=15000)
        assert dialog.device_picker.currentData() == other.device_id


def test_profile_saved_per_piece_kind(qtbot, desk, worker, dossier, sim) -> None:  # type: ignore[no-untyped-def]
    from permis_desktop.ui.capture.profiles import profile_for

    dialog = open_dialog(qtbot, desk, worker, dossier, escl_registry(sim), kind="medical_opinion")
    qtbot.waitUntil(lambda: dialog.capabilities is not None, timeout=15000)
    dialog.color_box.setCurrentIndex(dialog.color_box.findData("color"))
    dialog.dpi_box.setCurrentIndex(dialog.dpi_box.findData(300))
    dialog.save_profile_button.click()
    saved = profile_for(desk.settings, "medical_opinion")
    assert (saved.source, saved.dpi, saved.color_mode) == ("feeder", 300, "color")
    # Other kinds keep their presets.
    assert profile_for(desk.settings, "proof_of_address").color_mode == "gray"
    assert profile_for(desk.settings, "identity").source == "flatbed"


def test_sane_test_device_page_into_the_piece(qtbot, desk, worker, dossier) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip(
        "sane", reason="python-sane absent (pip install python-sane ; paquet libsane-dev)"
    )
    from permis_desktop.scan.devices import DeviceRegistry
    from permis_desktop.scan.devices.sane_driver import SaneDriver

    driver = SaneDriver(extra_options={"test_picture": "Color pattern"})
    if "sane:test:0" not in [d.id for d in driver.list_devices()]:
        pytest.skip("SANE test backend absent (Debian libsane1)")
    dialog = open_dialog(qtbot, desk, worker, dossier, DeviceRegistry([driver]), kind="identity")
    dialog.device_picker.setCurrentIndex(dialog.device_picker.findData("sane:test:0"))
    qtbot.waitUntil(lambda: dialog.capabilities is not None, timeout=15000)
    assert dialog.current_profile().source == "flatbed"
    dialog.dpi_box.setCurrentIndex(
        dialog.dpi_box.findData(
            min(dialog.dpi_box.itemData(i) for i in range(dialog.dpi_box.count()))
        )
    )
    try:
        dialog.scan_button.click()
        wait_attached(qtbot, dialog, 1)
        # Guided recto/verso on the flatbed.
        assert "Retournez la carte" in dialog.status.text()
        dialog.scan_button.click()
        wait_attached(qtbot, dialog, 2)
        assert "Retournez" not in dialog.status.text()
    finally:
        # The test backend keeps option values across opens.
        list(
            SaneDriver(extra_options={"test_picture": "Solid black"}).scan(
                "sane:test:0",
                __import__("permis_desktop.scan.devices", fromlist=["x"]).ScanRequest(dpi=25),
            )
        )
    pages = piece_pages(desk, dossier, "identity")
    assert len(pages) == 2 and pages[0].processed_sha256 == pages[1].processed_sha256
    assert dialog.pages_view.count() == 2


def test_stalled_device_leaves_the_window_responsive_and_cancel_keeps_pages(
    qtbot, desk, worker, dossier, sim
) -> None:  # type: ignore[no-untyped-def]
    sim.faults.stall_at_page = 2
    sim.faults.stall_seconds = 4.0
    dialog = open_dialog(qtbot, desk, worker, dossier, escl_registry(sim))
    dialog.scan_button.click()
    qtbot.waitUntil(lambda: dialog.pages_received == 1, timeout=30000)
    # The device hangs on page 2; the window still handles input.
    assert dialog.scanning and dialog.cancel_button.isEnabled()
    dialog.cancel_button.click()
    assert dialog.status.text() == "Annulation…"
    qtbot.waitUntil(lambda: not dialog.scanning, timeout=30000)
    assert len(dialog.last_outcome.pages) == 1 and dialog.last_outcome.error is not None
    wait_attached(qtbot, dialog, 1)
    assert len(piece_pages(desk, dossier, KIND)) == 1


def test_https_scanner_confirmed_by_the_user(qtbot, desk, worker, dossier, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    from PySide6.QtWidgets import QMessageBox

    from permis_desktop.scan.devices import read_pins
    from permis_desktop.ui.capture.scan_dialog import ScanDialog

    data = Path(__file__).resolve().parents[1] / "devices" / "data"
    with Simulator(
        feeder_pages=1, certfile=data / "escl-cert-1.pem", keyfile=data / "escl-key-1.pem"
    ) as tls:
        desk.settings.set("capture.escl_addresses", tls.base_url)
        asked: list[str] = []

        def answer(_parent, _title, text, *rest):  # type: ignore[no-untyped-def]
            asked.append(text)  # the modal question, answered as a user would
            return QMessageBox.StandardButton.Yes

        monkeypatch.setattr(QMessageBox, "question", answer)
        dialog = ScanDialog(desk, worker, dossier, KIND)  # registry from the settings
        qtbot.addWidget(dialog)
        qtbot.waitUntil(lambda: dialog.device_picker.findData(tls.device_id) >= 0, timeout=20000)
        dialog.device_picker.setCurrentIndex(dialog.device_picker.findData(tls.device_id))
        dialog.scan_button.click()
        qtbot.waitUntil(lambda: asked != [] and not dialog.scanning, timeout=30000)
        assert "Empreinte SHA-256" in asked[0]
        netloc = tls.base_url.split("//")[1].split("/")[0]
        assert netloc in read_pins(desk.settings)
        qtbot.waitUntil(lambda: dialog.device_picker.findData(tls.device_id) >= 0, timeout=20000)
        dialog.device_picker.setCurrentIndex(dialog.device_picker.findData(tls.device_id))
        qtbot.waitUntil(lambda: dialog.scan_button.isEnabled(), timeout=20000)
        dialog.scan_button.click()
        wait_attached(qtbot, dialog, 1)
        assert len(piece_pages(desk, dossier, KIND)) == 1
