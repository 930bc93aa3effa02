"""WIA scanners (Windows) through the WIA 2.0 automation layer, behind a small COM boundary.

Everything that decides something lives here and runs on every OS: which item to scan,
which properties to set (source, resolution, colour intent, full extent), the feeder loop
that transfers pages until WIA_ERROR_PAPER_EMPTY, and the HRESULT → French message mapping
for the errors users meet (NAPS2 #528 "in use by another application", #790 "offline",
#572 80004005). The COM calls themselves sit behind `WiaCom` (`wia_com.py`, pywin32,
imported only on Windows) and are tested here with a fake.

COM objects belong to the thread that created them (single-threaded apartment), so all
calls run on one dedicated thread that initialised COM; the scan generator hands each call
to it and waits. A COM Transfer cannot be interrupted: cancellation takes effect between
pages.

Property ids and HRESULTs: Windows SDK `wiadef.h` / `WiaDef.h` (WIA_DPS_*, WIA_IPS_*,
WIA_ERROR_*), the same values NAPS2 uses in `NAPS2.Sdk/Scan/Internal/Wia/WiaPropertyId.cs`.
"""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Callable, Generator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from permis_desktop.scan.devices.base import (
    CancelToken,
    Capabilities,
    ColorMode,
    CoverOpen,
    DeviceBusy,
    DeviceError,
    DeviceInfo,
    DeviceNotFound,
    DeviceOffline,
    FeederEmpty,
    PaperJam,
    ProgressCallback,
    ProgressThrottle,
    ScanCancelled,
    ScannedPage,
    ScanRequest,
    Source,
    UnsupportedSetting,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

# Device properties (WIA_DPS_*).
DPS_HORIZONTAL_BED_SIZE = 3074  # 1/1000 inch
DPS_VERTICAL_BED_SIZE = 3075
DPS_HORIZONTAL_SHEET_FEED_SIZE = 3076
DPS_VERTICAL_SHEET_FEED_SIZE = 3077
DPS_DOCUMENT_HANDLING_CAPABILITIES = 3086
DPS_DOCUMENT_HANDLING_STATUS = 3087
DPS_DOCUMENT_HANDLING_SELECT = 3088
DPS_PAGES = 3096
FEEDER, FLATBED, DUPLEX = 0x001, 0x002, 0x004  # _SELECT and _CAPABILITIES bits
FEED_READY = 0x001  # _STATUS bit

# Item properties (WIA_IPS_* / WIA_IPA_*).
IPA_DATATYPE = 4103
IPA_DEPTH = 4104
IPS_CUR_INTENT = 6146
IPS_XRES = 6147
IPS_YRES = 6148
IPS_XEXTENT = 6151
IPS_YEXTENT = 6152
INTENT = {"color": 0x1, "gray": 0x2, "bw": 0x4}
DATATYPE = {"color": 3, "gray": 2, "bw": 0}
DEPTH = {"color": 24, "gray": 8, "bw": 1}

FORMAT_JPEG = "{B96B3CAE-0728-11D3-9D7B-0000F81EF32E}"

# HRESULTs (unsigned 32-bit).
WIA_ERROR_GENERAL_ERROR = 0x80210001
WIA_ERROR_PAPER_JAM = 0x80210002
WIA_ERROR_PAPER_EMPTY = 0x80210003
WIA_ERROR_PAPER_PROBLEM = 0x80210004
WIA_ERROR_OFFLINE = 0x80210005
WIA_ERROR_BUSY = 0x80210006
WIA_ERROR_WARMING_UP = 0x80210007
WIA_ERROR_USER_INTERVENTION = 0x80210008
WIA_ERROR_DEVICE_COMMUNICATION = 0x8021000A
WIA_ERROR_DEVICE_LOCKED = 0x8021000D
WIA_S_NO_DEVICE_AVAILABLE = 0x80210015
WIA_ERROR_COVER_OPEN = 0x80210016
E_FAIL = 0x80004005

_HRESULT_ERRORS: dict[int, tuple[type[DeviceError], str | None]] = {
    WIA_ERROR_PAPER_JAM: (PaperJam, None),
    WIA_ERROR_PAPER_PROBLEM: (
        PaperJam,
        "Problème de papier dans le chargeur. Vérifiez les feuilles puis relancez.",
    ),
    WIA_ERROR_PAPER_EMPTY: (FeederEmpty, None),
    WIA_ERROR_OFFLINE: (DeviceOffline, None),
    WIA_ERROR_DEVICE_COMMUNICATION: (DeviceOffline, None),
    WIA_S_NO_DEVICE_AVAILABLE: (DeviceNotFound, None),
    WIA_ERROR_BUSY: (DeviceBusy, None),
    WIA_ERROR_DEVICE_LOCKED: (
        DeviceBusy,
        "Le scanner est utilisé par un autre logiciel. Fermez-le puis relancez.",
    ),
    WIA_ERROR_COVER_OPEN: (CoverOpen, None),
    WIA_ERROR_USER_INTERVENTION: (
        DeviceError,
        "Le scanner demande une intervention : regardez son écran puis relancez.",
    ),
    WIA_ERROR_WARMING_UP: (
        DeviceBusy,
        "Le scanner chauffe encore. Patientez quelques secondes puis relancez.",
    ),
}


class WiaComError(Exception):
    """A failed COM call, reduced to its HRESULT (the real layer unwraps pywintypes.com_error)."""

    def __init__(self, hresult: int, message: str = "") -> None:
        self.hresult = hresult & 0xFFFFFFFF
        super().__init__(f"HRESULT 0x{self.hresult:08X} {message}".strip())


def device_error(exc: WiaComError, pages_received: int = 0) -> DeviceError:
    kind, text = _HRESULT_ERRORS.get(exc.hresult, (DeviceError, None))
    if kind is DeviceError and text is None:
        text = (
            f"Le pilote du scanner a signalé une erreur (code 0x{exc.hresult:08X}). "
            "Débranchez et rebranchez le scanner puis relancez."
        )
    log.warning("WIA error %s → %s", exc, kind.__name__)
    return kind(text, pages_received=pages_received)


# -- the COM boundary ---------------------------------------------------------------------


@dataclass(frozen=True)
class WiaDeviceRecord:
    id: str
    name: str
    manufacturer: str = ""


class WiaItem(Protocol):
    name: str

    def get_property(self, prop_id: int) -> Any: ...

    def constraint(self, prop_id: int) -> tuple[str, Any] | None:
        """("list", [values]) or ("range", (min, max, step)) as the driver declares it."""

    def set_property(self, prop_id: int, value: Any) -> None: ...

    def transfer(self, format_id: str) -> bytes: ...


class WiaDevice(Protocol):
    def get_property(self, prop_id: int) -> Any: ...

    def set_property(self, prop_id: int, value: Any) -> None: ...

    def items(self) -> list[WiaItem]: ...


class WiaCom(Protocol):
    """What the driver needs from WIA; every method is called on the COM thread only."""

    def initialize(self) -> None: ...

    def uninitialize(self) -> None: ...

    def scanners(self) -> list[WiaDeviceRecord]: ...

    def connect(self, device_id: str) -> WiaDevice: ...


# -- logic above the COM calls --------------------------------------------------------------


_ITEM_WORDS: dict[Source, tuple[str, ...]] = {
    "flatbed": ("flatbed", "platen", "vitre", "glass"),
    "feeder": ("feeder", "adf", "chargeur", "document"),
    "duplex": ("feeder", "adf", "chargeur", "document", "duplex"),
}


def select_item(items: list[WiaItem], source: Source) -> WiaItem:
    """The item to transfer from: one named for the source, else the first (WIA 1 layout)."""
    if not items:
        raise DeviceError(
            "Le scanner ne propose aucune zone de numérisation. Redémarrez-le puis relancez."
        )
    for item in items:
        if any(word in item.name.lower() for word in _ITEM_WORDS[source]):
            return item
    return items[0]


def _safe_get(target: WiaDevice | WiaItem, prop_id: int) -> Any:
    try:
        return target.get_property(prop_id)
    except WiaComError:
        return None


def _try_set(target: WiaDevice | WiaItem, prop_id: int, value: Any) -> bool:
    try:
        target.set_property(prop_id, value)
        return True
    except WiaComError as exc:
        log.info("WIA property %d=%r refused: %s", prop_id, value, exc)
        return False


def sources_of(device: WiaDevice) -> tuple[Source, ...]:
    caps = _safe_get(device, DPS_DOCUMENT_HANDLING_CAPABILITIES)
    if not isinstance(caps, int):
        return ("flatbed",)
    found: list[Source] = []
    if caps & FLATBED or not caps & FEEDER:
        found.append("flatbed")
    if caps & FEEDER:
        found.append("feeder")
        if caps & DUPLEX:
            found.append("duplex")
    return tuple(found)


COMMON_DPI = (75, 100, 150, 200, 240, 300, 400, 600, 1200)


def resolutions_of(item: WiaItem) -> tuple[int, ...]:
    """The resolutions the item accepts (horizontal resolution's valid values)."""
    try:
        found = item.constraint(IPS_XRES)
    except WiaComError:
        found = None
    if found is None:
        return ()
    kind, values = found
    if kind == "list":
        return tuple(sorted({int(v) for v in values if int(v) > 0}))
    if kind == "range":
        low, high, step = (int(v) for v in values)
        step = max(step, 1)
        return tuple(d for d in COMMON_DPI if low <= d <= high and (d - low) % step == 0)
    return ()


def feeder_ready(device: WiaDevice) -> bool:
    """Paper in the feeder, when the driver says; True when it does not (then the transfer's
    WIA_ERROR_PAPER_EMPTY ends the run)."""
    status = _safe_get(device, DPS_DOCUMENT_HANDLING_STATUS)
    return not isinstance(status, int) or bool(status & FEED_READY)


def configure(device: WiaDevice, item: WiaItem, request: ScanRequest) -> int:
    """Source, pages, intent, resolution and the full extent, in that order (setting the
    intent resets resolution on some drivers, so resolution comes after it). Returns the
    resolution used: the nearest the item accepts."""
    available = sources_of(device)
    if request.source not in available:
        raise UnsupportedSetting(
            f"Ce scanner n'a pas de source « {request.source} » (sources : {', '.join(available)})."
        )
    select = {"flatbed": FLATBED, "feeder": FEEDER, "duplex": FEEDER | DUPLEX}[request.source]
    if _safe_get(device, DPS_DOCUMENT_HANDLING_SELECT) is not None:
        try:
            device.set_property(DPS_DOCUMENT_HANDLING_SELECT, select)
        except WiaComError as exc:
            raise device_error(exc) from None
    if request.source != "flatbed":
        _try_set(device, DPS_PAGES, 1)  # one page per Transfer; the loop asks again
    _try_set(item, IPS_CUR_INTENT, INTENT[request.color_mode])
    _try_set(item, IPA_DATATYPE, DATATYPE[request.color_mode])
    _try_set(item, IPA_DEPTH, DEPTH[request.color_mode])
    dpi = request.dpi
    accepted = resolutions_of(item)
    if accepted and dpi not in accepted:
        dpi = min(accepted, key=lambda r: (abs(r - request.dpi), -r))
        log.info("WIA: %d dpi not offered, using %d", request.dpi, dpi)
    for prop in (IPS_XRES, IPS_YRES):
        if not _try_set(item, prop, dpi):
            raise UnsupportedSetting(f"Ce scanner n'accepte pas {dpi} ppp.")
    width_prop, height_prop = (
        (DPS_HORIZONTAL_BED_SIZE, DPS_VERTICAL_BED_SIZE)
        if request.source == "flatbed"
        else (DPS_HORIZONTAL_SHEET_FEED_SIZE, DPS_VERTICAL_SHEET_FEED_SIZE)
    )
    width, height = _safe_get(device, width_prop), _safe_get(device, height_prop)
    if isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0:
        _try_set(item, IPS_XEXTENT, width * dpi // 1000)
        _try_set(item, IPS_YEXTENT, height * dpi // 1000)
    return dpi


def _as_page(data: bytes, index: int, request: ScanRequest, dpi: int) -> ScannedPage:
    """Drivers may ignore the JPEG request and send BMP: that becomes PNG (lossless)."""
    from PIL import Image

    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Exception as exc:
        log.warning("WIA page %d unreadable (%d bytes): %s", index, len(data), exc)
        raise DeviceError(
            "Le scanner a envoyé une page illisible. Relancez la numérisation.",
            pages_received=index - 1,
        ) from None
    media_type = {"JPEG": "image/jpeg", "PNG": "image/png", "TIFF": "image/tiff"}.get(
        image.format or ""
    )
    if media_type is None:
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", dpi=(dpi, dpi))
        data, media_type = buffer.getvalue(), "image/png"
    mode: ColorMode = (
        "color"
        if image.mode in ("RGB", "RGBA", "CMYK")
        else ("bw" if image.mode == "1" else "gray")
    )
    return ScannedPage(
        index=index,
        data=data,
        media_type=media_type,
        dpi=dpi,
        source=request.source,
        color_mode=mode,
        width=image.width,
        height=image.height,
        received_at=time.monotonic(),
    )


class WiaDriver:
    """`wia:ID` devices; `com` is the pywin32 layer on Windows, a fake in tests."""

    name = "wia"

    def __init__(self, com: WiaCom | None = None) -> None:
        self._com = com
        self._executor: ThreadPoolExecutor | None = None
        self._executor_lock = threading.Lock()

    def available(self) -> bool:
        return self._com is not None

    def _call(self, fn: Callable[[], T]) -> T:
        """Run `fn` on the COM thread and wait for it."""
        if self._com is None:
            raise DeviceError("Les scanners WIA ne sont disponibles que sous Windows.")
        with self._executor_lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    max_workers=1, thread_name_prefix="wia-com", initializer=self._com.initialize
                )
            executor = self._executor
        return executor.submit(fn).result()

    def close(self) -> None:
        """Uninitialise COM on its thread and stop the thread (call at application exit)."""
        with self._executor_lock:
            executor, self._executor = self._executor, None
        if executor is not None and self._com is not None:
            executor.submit(self._com.uninitialize).result()
            executor.shutdown(wait=True)

    def list_devices(self, timeout: float = 3.0) -> list[DeviceInfo]:
        if self._com is None:
            return []
        com = self._com
        try:
            records = self._call(com.scanners)
        except WiaComError as exc:
            log.warning("WIA device list failed: %s", exc)
            return []
        return [
            DeviceInfo(id=f"wia:{r.id}", driver="wia", name=r.name, vendor=r.manufacturer)
            for r in records
        ]

    def _connect(self, device_id: str) -> WiaDevice:
        prefix, _, wia_id = device_id.partition(":")
        if prefix != "wia" or not wia_id:
            raise DeviceNotFound(f"Ce n'est pas un scanner WIA : {device_id}.")
        com = self._com
        if com is None:
            raise DeviceError("Les scanners WIA ne sont disponibles que sous Windows.")
        try:
            return self._call(lambda: com.connect(wia_id))
        except WiaComError as exc:
            raise device_error(exc) from None

    def capabilities(self, device_id: str) -> Capabilities:
        device = self._connect(device_id)

        def read() -> tuple[tuple[Source, ...], tuple[int, ...]]:
            items = device.items()
            return sources_of(device), resolutions_of(items[0]) if items else ()

        try:
            sources, resolutions = self._call(read)
        except WiaComError as exc:
            raise device_error(exc) from None
        return Capabilities(
            sources=sources,
            resolutions=resolutions or (100, 150, 200, 300, 600),
            # WIA intents: every driver accepts colour, grayscale and text (black and white).
            color_modes=("color", "gray", "bw"),
            formats=("image/jpeg", "image/png"),
        )

    def scan(
        self,
        device_id: str,
        request: ScanRequest,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> Generator[ScannedPage, None, None]:
        cancel = cancel or CancelToken()
        report = ProgressThrottle(progress)
        device = self._connect(device_id)

        def prepare() -> tuple[WiaItem, int]:
            item = select_item(device.items(), request.source)
            return item, configure(device, item, request)

        try:
            item, dpi = self._call(prepare)
        except WiaComError as exc:
            raise device_error(exc) from None
        feeder = request.source != "flatbed"
        delivered = 0
        while True:
            cancel.raise_if_cancelled(delivered)
            page_no = delivered + 1
            report(page_no, None, "Numérisation…")
            if feeder and not self._call(lambda: feeder_ready(device)):
                # Some drivers never answer PAPER_EMPTY and rescan the last sheet; the
                # status bit is what NAPS2 trusts between pages.
                if delivered:
                    return
                raise FeederEmpty()
            try:
                data = self._call(lambda: item.transfer(FORMAT_JPEG))
            except WiaComError as exc:
                if feeder and exc.hresult == WIA_ERROR_PAPER_EMPTY and delivered:
                    log.info("WIA feeder empty after %d page(s)", delivered)
                    return
                raise device_error(exc, delivered) from None
            if cancel.cancelled and not data:
                raise ScanCancelled(pages_received=delivered)
            page = _as_page(data, page_no, request, dpi)
            delivered += 1
            report(page_no, 1.0, "Page reçue")
            yield page
            if not feeder or (request.max_pages and delivered >= request.max_pages):
                return
