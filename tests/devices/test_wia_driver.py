"""The WIA driver's logic above the COM calls, with a fake of the COM layer.

WIA exists only on Windows, so the fake stands at the COM boundary (`WiaCom`): it keeps
device and item properties like the automation layer does, serves real JPEG/BMP bytes from
Transfer and raises the HRESULTs real drivers raise. It also records the thread of every
call, so the tests check that COM is initialised and used on one dedicated thread.
"""

from __future__ import annotations

import io
import threading
from typing import Any

import pytest
from PIL import Image

from permis_desktop.scan.devices.base import (
    CancelToken,
    DeviceBusy,
    DeviceError,
    DeviceNotFound,
    DeviceOffline,
    FeederEmpty,
    PaperJam,
    ScanCancelled,
    ScanRequest,
    UnsupportedSetting,
)
from permis_desktop.scan.devices.wia_driver import (
    DPS_DOCUMENT_HANDLING_CAPABILITIES,
    DPS_DOCUMENT_HANDLING_SELECT,
    DPS_DOCUMENT_HANDLING_STATUS,
    DPS_HORIZONTAL_BED_SIZE,
    DPS_VERTICAL_BED_SIZE,
    DUPLEX,
    E_FAIL,
    FEED_READY,
    FEEDER,
    FLATBED,
    IPS_CUR_INTENT,
    IPS_XEXTENT,
    IPS_XRES,
    IPS_YRES,
    WIA_ERROR_BUSY,
    WIA_ERROR_DEVICE_LOCKED,
    WIA_ERROR_OFFLINE,
    WIA_ERROR_PAPER_EMPTY,
    WIA_ERROR_PAPER_JAM,
    WIA_S_NO_DEVICE_AVAILABLE,
    WiaComError,
    WiaDeviceRecord,
    WiaDriver,
    WiaItem,
)


def jpeg(color: str = "white", size: tuple[int, int] = (85, 110)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="JPEG")
    return buffer.getvalue()


def bmp() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (40, 50), 200).save(buffer, format="BMP")
    return buffer.getvalue()


class FakeItem:
    def __init__(self, com: FakeCom, name: str) -> None:
        self.com = com
        self.name = name
        self.props: dict[int, Any] = {IPS_XRES: 100, IPS_YRES: 100, IPS_CUR_INTENT: 1}
        self.refuse: set[int] = set()
        self.constraints: dict[int, tuple[str, Any]] = {}

    def constraint(self, prop_id: int) -> tuple[str, Any] | None:
        self.com.touch()
        return self.constraints.get(prop_id)

    def get_property(self, prop_id: int) -> Any:
        self.com.touch()
        return self.props.get(prop_id)

    def set_property(self, prop_id: int, value: Any) -> None:
        self.com.touch()
        if prop_id in self.refuse:
            raise WiaComError(E_FAIL, "refused")
        self.props[prop_id] = value

    def transfer(self, format_id: str) -> bytes:
        self.com.touch()
        self.com.transfers.append((self.name, dict(self.com.device_props)))
        if self.com.transfer_errors:
            error = self.com.transfer_errors.pop(0)
            if error is not None:
                raise WiaComError(error)
        source = self.com.device_props.get(DPS_DOCUMENT_HANDLING_SELECT, FLATBED)
        if source & FEEDER:
            if not self.com.sheets:
                if self.com.feeder_status_bit:
                    self.com.device_props[DPS_DOCUMENT_HANDLING_STATUS] = 0
                raise WiaComError(WIA_ERROR_PAPER_EMPTY, "paper empty")
            page = self.com.sheets.pop(0)
            if not self.com.sheets and self.com.feeder_status_bit:
                self.com.device_props[DPS_DOCUMENT_HANDLING_STATUS] = 0
            return page
        return self.com.flatbed_page


class FakeDevice:
    def __init__(self, com: FakeCom) -> None:
        self.com = com

    def get_property(self, prop_id: int) -> Any:
        self.com.touch()
        return self.com.device_props.get(prop_id)

    def set_property(self, prop_id: int, value: Any) -> None:
        self.com.touch()
        self.com.device_props[prop_id] = value

    def items(self) -> list[WiaItem]:
        self.com.touch()
        return list(self.com.items)


class FakeCom:
    def __init__(
        self,
        *,
        caps: int = FLATBED | FEEDER,
        item_names: tuple[str, ...] = ("Scan",),
        sheets: int = 3,
        feeder_status_bit: bool = False,
    ) -> None:
        self.device_props: dict[int, Any] = {
            DPS_DOCUMENT_HANDLING_CAPABILITIES: caps,
            DPS_DOCUMENT_HANDLING_SELECT: FLATBED,
            DPS_HORIZONTAL_BED_SIZE: 8500,
            DPS_VERTICAL_BED_SIZE: 11690,
        }
        if feeder_status_bit:
            self.device_props[DPS_DOCUMENT_HANDLING_STATUS] = FEED_READY
        self.feeder_status_bit = feeder_status_bit
        self.items = [FakeItem(self, n) for n in item_names]
        self.sheets = [jpeg(c) for c in ("red", "green", "blue", "gray", "black")[:sheets]]
        self.flatbed_page = jpeg("white", (850, 1169))
        self.transfer_errors: list[int | None] = []
        self.transfers: list[tuple[str, dict[int, Any]]] = []
        self.connect_error: int | None = None
        self.threads: set[int] = set()
        self.initialised_threads: set[int] = set()
        self.uninitialised = 0

    def touch(self) -> None:
        me = threading.get_ident()
        assert me in self.initialised_threads, "COM used on a thread that did not initialise it"
        self.threads.add(me)

    def initialize(self) -> None:
        self.initialised_threads.add(threading.get_ident())

    def uninitialize(self) -> None:
        self.uninitialised += 1

    def scanners(self) -> list[WiaDeviceRecord]:
        self.touch()
        return [
            WiaDeviceRecord(
                "{6BDD1FC6-810F-11D0-BEC7-08002BE2092F}\\0001", "Canon LiDE 300", "Canon"
            )
        ]

    def connect(self, device_id: str) -> FakeDevice:
        self.touch()
        if self.connect_error is not None:
            raise WiaComError(self.connect_error)
        return FakeDevice(self)


DEVICE = "wia:{6BDD1FC6-810F-11D0-BEC7-08002BE2092F}\\0001"


@pytest.fixture
def com() -> FakeCom:
    return FakeCom()


def run(com: FakeCom, request: ScanRequest, **kwargs: Any) -> list:
    driver = WiaDriver(com)
    try:
        return list(driver.scan(DEVICE, request, **kwargs))
    finally:
        driver.close()


def test_lists_scanners_on_the_com_thread(com: FakeCom) -> None:
    driver = WiaDriver(com)
    devices = driver.list_devices()
    driver.close()
    assert [(d.id, d.name, d.vendor) for d in devices] == [(DEVICE, "Canon LiDE 300", "Canon")]
    assert threading.get_ident() not in com.threads
    assert len(com.threads) == 1 and com.uninitialised == 1


def test_flatbed_sets_properties_and_gives_one_page(com: FakeCom) -> None:
    pages = run(com, ScanRequest(source="flatbed", dpi=300, color_mode="gray"))
    assert len(pages) == 1 and pages[0].media_type == "image/jpeg"
    assert (pages[0].width, pages[0].height) == (850, 1169)
    item = com.items[0]
    assert item.props[IPS_XRES] == 300 and item.props[IPS_YRES] == 300
    assert item.props[IPS_CUR_INTENT] == 2  # WIA_INTENT_IMAGE_TYPE_GRAYSCALE
    assert item.props[IPS_XEXTENT] == 8500 * 300 // 1000  # whole bed
    assert com.device_props[DPS_DOCUMENT_HANDLING_SELECT] == FLATBED
    assert len(com.threads) == 1


def test_feeder_loops_until_paper_empty(com: FakeCom) -> None:
    pages = run(com, ScanRequest(source="feeder", dpi=200))
    assert [p.index for p in pages] == [1, 2, 3]
    colours = [Image.open(io.BytesIO(p.data)).getpixel((5, 5)) for p in pages]
    assert colours[0][0] > 200 and colours[1][1] > 100 and colours[2][2] > 200
    assert com.device_props[DPS_DOCUMENT_HANDLING_SELECT] == FEEDER
    assert len(com.transfers) == 4  # the fourth answered WIA_ERROR_PAPER_EMPTY


def test_feeder_status_bit_ends_the_run_without_an_extra_transfer() -> None:
    com = FakeCom(feeder_status_bit=True)
    pages = run(com, ScanRequest(source="feeder"))
    assert len(pages) == 3 and len(com.transfers) == 3


def test_empty_feeder_from_the_start() -> None:
    com = FakeCom(sheets=0)
    with pytest.raises(FeederEmpty, match="chargeur est vide"):
        run(com, ScanRequest(source="feeder"))


def test_duplex_selects_feeder_and_duplex() -> None:
    com = FakeCom(caps=FLATBED | FEEDER | DUPLEX)
    assert len(run(com, ScanRequest(source="duplex"))) == 3
    assert com.device_props[DPS_DOCUMENT_HANDLING_SELECT] == FEEDER | DUPLEX


def test_duplex_refused_without_the_capability(com: FakeCom) -> None:
    with pytest.raises(UnsupportedSetting, match="duplex"):
        run(com, ScanRequest(source="duplex"))


def test_feeder_refused_on_a_flatbed_only_device() -> None:
    com = FakeCom(caps=FLATBED)
    with pytest.raises(UnsupportedSetting):
        run(com, ScanRequest(source="feeder"))
    assert WiaDriver(com).capabilities(DEVICE).sources == ("flatbed",)


def test_item_is_chosen_by_source_name() -> None:
    com = FakeCom(item_names=("Flatbed", "Feeder"))
    run(com, ScanRequest(source="feeder"))
    assert {name for name, _ in com.transfers} == {"Feeder"}
    com2 = FakeCom(item_names=("Flatbed", "Feeder"))
    run(com2, ScanRequest(source="flatbed"))
    assert {name for name, _ in com2.transfers} == {"Flatbed"}


def test_jam_after_pages_keeps_them(com: FakeCom) -> None:
    com.transfer_errors = [None, None, WIA_ERROR_PAPER_JAM]
    received = []
    with pytest.raises(PaperJam, match="Bourrage") as info:
        for page in WiaDriver(com).scan(DEVICE, ScanRequest(source="feeder")):
            received.append(page)
    assert len(received) == 2 and info.value.pages_received == 2


@pytest.mark.parametrize(
    ("hresult", "error", "words"),
    [
        (WIA_ERROR_BUSY, DeviceBusy, "occupé"),
        (WIA_ERROR_DEVICE_LOCKED, DeviceBusy, "autre logiciel"),
        (WIA_ERROR_OFFLINE, DeviceOffline, "ne répond pas"),
        (WIA_ERROR_PAPER_EMPTY, FeederEmpty, "chargeur est vide"),
        (E_FAIL, DeviceError, "0x80004005"),
    ],
)
def test_hresults_become_french_messages(
    com: FakeCom, hresult: int, error: type, words: str
) -> None:
    com.transfer_errors = [hresult]
    with pytest.raises(error, match=words):
        run(com, ScanRequest(source="flatbed"))


def test_connect_failure(com: FakeCom) -> None:
    com.connect_error = WIA_S_NO_DEVICE_AVAILABLE
    with pytest.raises(DeviceNotFound):
        run(com, ScanRequest())


def test_refused_resolution(com: FakeCom) -> None:
    com.items[0].refuse = {IPS_XRES}
    with pytest.raises(UnsupportedSetting, match="1200 ppp"):
        run(com, ScanRequest(dpi=1200))


def test_bmp_from_the_driver_becomes_png(com: FakeCom) -> None:
    com.flatbed_page = bmp()
    (page,) = run(com, ScanRequest(color_mode="gray"))
    assert page.media_type == "image/png" and page.color_mode == "gray"
    assert Image.open(io.BytesIO(page.data)).format == "PNG"


def test_cancel_between_pages(com: FakeCom) -> None:
    cancel = CancelToken()
    received = []
    with pytest.raises(ScanCancelled):
        for page in WiaDriver(com).scan(DEVICE, ScanRequest(source="feeder"), cancel=cancel):
            received.append(page)
            cancel.cancel()
    assert len(received) == 1 and len(com.transfers) == 1


def test_without_com_layer_the_driver_is_unavailable() -> None:
    driver = WiaDriver(None)
    assert not driver.available() and driver.list_devices() == []
    with pytest.raises(DeviceError, match="Windows"):
        list(driver.scan(DEVICE, ScanRequest()))


def test_resolution_snaps_to_the_items_list(com: FakeCom) -> None:
    com.items[0].constraints[IPS_XRES] = ("list", [75, 150, 300, 600])
    (page,) = run(com, ScanRequest(dpi=200))
    assert com.items[0].props[IPS_XRES] == 150 and com.items[0].props[IPS_YRES] == 150
    assert page.dpi == 150
    assert WiaDriver(com).capabilities(DEVICE).resolutions == (75, 150, 300, 600)


def test_resolution_range_gives_common_values(com: FakeCom) -> None:
    com.items[0].constraints[IPS_XRES] = ("range", (50, 600, 50))
    assert WiaDriver(com).capabilities(DEVICE).resolutions == (100, 150, 200, 300, 400, 600)
    (page,) = run(com, ScanRequest(dpi=1200))
    assert page.dpi == 600


def test_concurrent_callers_share_one_com_thread(com: FakeCom) -> None:
    driver = WiaDriver(com)
    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(len(driver.list_devices())))
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    driver.close()
    assert results == [1] * 8
    assert len(com.initialised_threads) == 1 and len(com.threads) == 1
