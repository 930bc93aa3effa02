"""The SANE driver against SANE's own `test` backend (Debian libsane1): real scans, no mocks."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from PIL import Image

from permis_desktop.scan.devices.base import (
    CancelToken,
    CoverOpen,
    DeviceBusy,
    DeviceError,
    DeviceOffline,
    FeederEmpty,
    PaperJam,
    ScanCancelled,
    ScanProgress,
    ScanRequest,
    UnsupportedSetting,
)
from permis_desktop.scan.devices.sane_driver import (
    SaneDriver,
    classify_mode,
    classify_source,
    resolutions_from_constraint,
)

DEVICE = "sane:test:0"
OTHER_DEVICE = "sane:test:1"
# The test backend's feeder holds 10 sheets (sane-test(5): "the feeder will be 'empty'
# after 10 scans"), then answers SANE_STATUS_NO_DOCS.
TEST_FEEDER_SHEETS = 10


@pytest.fixture(scope="module")
def driver() -> SaneDriver:
    pytest.importorskip(
        "sane", reason="python-sane absent (pip install python-sane ; paquet libsane-dev)"
    )
    drv = SaneDriver()
    ids = [d.id for d in drv.list_devices()]
    if DEVICE not in ids:
        pytest.skip(f"SANE test backend absent (Debian libsane1); devices found: {ids}")
    return drv


def test_lists_the_virtual_devices(driver: SaneDriver) -> None:
    devices = {d.id: d for d in driver.list_devices()}
    assert {"sane:test:0", "sane:test:1"} <= set(devices)
    assert devices[DEVICE].driver == "sane"
    assert devices[DEVICE].connection == "virtual"
    assert devices[DEVICE].model == "frontend-tester"


def test_capabilities_map_backend_names(driver: SaneDriver) -> None:
    caps = driver.capabilities(DEVICE)
    assert caps.sources == ("flatbed", "feeder")
    assert caps.color_modes == ("color", "gray")
    assert 300 in caps.resolutions and 75 in caps.resolutions
    assert caps.max_width_mm == pytest.approx(200.0)


def test_flatbed_scan_gives_one_page_at_the_asked_resolution(driver: SaneDriver) -> None:
    reports: list[ScanProgress] = []
    pages = list(
        driver.scan(
            DEVICE,
            ScanRequest(source="flatbed", dpi=50, color_mode="color"),
            progress=reports.append,
        )
    )
    assert len(pages) == 1
    page = pages[0]
    image = Image.open(io.BytesIO(page.data))
    assert image.format == "JPEG" and image.mode == "RGB"
    # Whole bed (200 mm) at 50 dpi: 200 / 25.4 * 50 ≈ 393 pixels.
    assert abs(image.width - 393) <= 2
    assert (page.width, page.height) == image.size
    assert page.dpi == 50 and page.source == "flatbed" and page.index == 1
    fractions = [r.fraction for r in reports if r.fraction is not None]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert fractions == sorted(fractions)


def test_gray_mode_gives_a_gray_image(driver: SaneDriver) -> None:
    (page,) = driver.scan(DEVICE, ScanRequest(dpi=50, color_mode="gray"))
    assert Image.open(io.BytesIO(page.data)).mode == "L"
    assert page.color_mode == "gray"


def test_bw_falls_back_to_gray_when_the_backend_has_no_line_art(driver: SaneDriver) -> None:
    (page,) = driver.scan(DEVICE, ScanRequest(dpi=50, color_mode="bw"))
    assert page.color_mode == "gray"
    assert page.media_type == "image/jpeg"


def test_feeder_scans_until_empty(driver: SaneDriver) -> None:
    pages = list(driver.scan(DEVICE, ScanRequest(source="feeder", dpi=25, color_mode="gray")))
    assert [p.index for p in pages] == list(range(1, TEST_FEEDER_SHEETS + 1))
    assert all(p.source == "feeder" for p in pages)


def test_feeder_max_pages_stops_early(driver: SaneDriver) -> None:
    pages = list(driver.scan(DEVICE, ScanRequest(source="feeder", dpi=25, max_pages=3)))
    assert len(pages) == 3


def test_duplex_is_refused_by_a_device_without_it(driver: SaneDriver) -> None:
    with pytest.raises(UnsupportedSetting, match="source"):
        list(driver.scan(DEVICE, ScanRequest(source="duplex", dpi=25)))


def test_cancel_during_a_page_stops_the_scan(driver: SaneDriver) -> None:
    cancel = CancelToken()

    def on_progress(report: ScanProgress) -> None:
        if report.fraction is not None and report.fraction > 0.2:
            cancel.cancel()

    with pytest.raises(ScanCancelled):
        list(driver.scan(DEVICE, ScanRequest(dpi=300), progress=on_progress, cancel=cancel))
    # The device is released: a new scan works.
    (page,) = driver.scan(DEVICE, ScanRequest(dpi=25))
    assert page.index == 1


def test_cancel_during_a_feeder_run_keeps_the_pages_already_received(driver: SaneDriver) -> None:
    cancel = CancelToken()
    received = []
    with pytest.raises(ScanCancelled) as info:
        for page in driver.scan(DEVICE, ScanRequest(source="feeder", dpi=25), cancel=cancel):
            received.append(page)
            if len(received) == 2:
                cancel.cancel()
    assert len(received) == 2
    assert info.value.pages_received == 2
    assert "2 page(s) reçue(s)" in str(info.value)


def test_cancel_from_another_thread(driver: SaneDriver) -> None:
    cancel = CancelToken()
    started = threading.Event()

    def on_progress(report: ScanProgress) -> None:
        started.set()
        # Let the other thread cancel while this page is being read.
        if report.fraction and report.fraction > 0.05:
            cancel.wait(0.01)

    canceller = threading.Thread(target=lambda: (started.wait(10), cancel.cancel()))
    canceller.start()
    with pytest.raises(ScanCancelled):
        list(driver.scan(DEVICE, ScanRequest(dpi=600), progress=on_progress, cancel=cancel))
    canceller.join()


def test_feeder_asked_for_more_than_it_holds_ends_cleanly(driver: SaneDriver) -> None:
    pages = list(driver.scan(DEVICE, ScanRequest(source="feeder", dpi=25, max_pages=50)))
    assert len(pages) == TEST_FEEDER_SHEETS


# The test backend's `read-return-value` option makes sane_read() return a chosen status:
# the real driver code then meets the statuses real scanners send.
@pytest.mark.parametrize(
    ("status", "error", "words"),
    [
        ("SANE_STATUS_NO_DOCS", FeederEmpty, "chargeur est vide"),
        ("SANE_STATUS_JAMMED", PaperJam, "Bourrage"),
        ("SANE_STATUS_DEVICE_BUSY", DeviceBusy, "occupé"),
        ("SANE_STATUS_COVER_OPEN", CoverOpen, "capot"),
        ("SANE_STATUS_IO_ERROR", DeviceOffline, "ne répond pas"),
    ],
)
def test_device_statuses_become_french_messages(
    driver: SaneDriver, status: str, error: type[DeviceError], words: str
) -> None:
    # The test backend keeps option values across opens: use the second virtual device and
    # put the option back, so no other test inherits the failure.
    failing = SaneDriver(extra_options={"read_return_value": status})
    try:
        with pytest.raises(error, match=words) as info:
            list(failing.scan(OTHER_DEVICE, ScanRequest(source="feeder", dpi=25)))
    finally:
        restore = SaneDriver(extra_options={"read_return_value": "Default"})
        assert len(list(restore.scan(OTHER_DEVICE, ScanRequest(dpi=25)))) == 1
    assert info.value.pages_received == 0
    assert info.value.exit_code == 1


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Flatbed", "flatbed"),
        ("FlatBed", "flatbed"),
        ("Automatic Document Feeder", "feeder"),
        ("ADF", "feeder"),
        ("ADF Front", "feeder"),
        ("ADF Duplex", "duplex"),
        ("Duplex", "duplex"),
        ("ADF Back", None),
        ("Transparency Adapter", None),
    ],
)
def test_source_names_of_real_backends(raw: str, expected: str | None) -> None:
    assert classify_source(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Color", "color"),
        ("24bit Color[Fast]", "color"),
        ("Gray", "gray"),
        ("Grayscale", "gray"),
        ("Lineart", "bw"),
        ("Black & White", "bw"),
        ("Binary", "bw"),
    ],
)
def test_mode_names_of_real_backends(raw: str, expected: str) -> None:
    assert classify_mode(raw) == expected


def test_resolution_constraints() -> None:
    assert resolutions_from_constraint((50.0, 600.0, 1.0)) == (
        75,
        100,
        150,
        200,
        240,
        300,
        400,
        600,
    )
    assert resolutions_from_constraint([0, 600, 300, 150]) == (150, 300, 600)


def test_feeder_empty_error_text() -> None:
    assert "chargeur est vide" in str(FeederEmpty())


def _sigpipe_ignored() -> bool:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("SigIgn:"):
                return bool(int(line.split()[1], 16) & (1 << (13 - 1)))
    raise AssertionError("no SigIgn line")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_scanning_leaves_sigpipe_ignored(driver: SaneDriver) -> None:
    # The test backend resets SIGPIPE to "terminate" during a scan; a later write to a
    # closed socket (an eSCL device, the sync server) would then kill the process.
    list(driver.scan(DEVICE, ScanRequest(source="feeder", dpi=25, max_pages=2)))
    assert _sigpipe_ignored()
