"""What every scanner driver shares: plain data, the driver `Protocol`, cancellation, errors.

The capture screens (Qt) and `permis scan` (command line) both drive scanners through this
one small interface, so the drivers themselves (SANE, eSCL, WIA) know nothing of Qt. A scan
is a generator that yields each page as soon as the device delivers it, so a window can show
a thumbnail while the feeder is still running; an error after some pages is raised only
after those pages have been yielded, so pages already received are never lost (issue 6,
point 9). Progress is a plain callback; cancellation is a thread-safe token the caller sets
from any thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

from permis_desktop.errors import BadInput, OperationFailed

Source = Literal["flatbed", "feeder", "duplex"]
ColorMode = Literal["color", "gray", "bw"]

SOURCES: tuple[Source, ...] = ("flatbed", "feeder", "duplex")
COLOR_MODES: tuple[ColorMode, ...] = ("color", "gray", "bw")

SOURCE_LABELS: dict[str, str] = {
    "flatbed": "vitre",
    "feeder": "chargeur",
    "duplex": "chargeur recto verso",
}


@dataclass(frozen=True)
class DeviceInfo:
    """One scanner as listed to the user. `id` names the driver: `sane:…`, `escl:…`, `wia:…`."""

    id: str
    driver: str
    name: str
    vendor: str = ""
    model: str = ""
    # "usb", "network", "virtual"… when the driver knows; shown as a hint only.
    connection: str = ""

    @property
    def label(self) -> str:
        """What the device picker shows."""
        return self.name or " ".join(p for p in (self.vendor, self.model) if p) or self.id

    def to_json(self) -> dict[str, str]:
        return {
            "id": self.id,
            "driver": self.driver,
            "name": self.label,
            "vendor": self.vendor,
            "model": self.model,
            "connection": self.connection,
        }


@dataclass(frozen=True)
class Capabilities:
    """What a device can do, in the app's own vocabulary (sources, dpi, colour modes)."""

    sources: tuple[Source, ...]
    resolutions: tuple[int, ...]
    color_modes: tuple[ColorMode, ...]
    # MIME types the device can send (eSCL); raster drivers say what they produce.
    formats: tuple[str, ...] = ("image/jpeg",)
    # Largest scan area in millimetres, when the device says.
    max_width_mm: float | None = None
    max_height_mm: float | None = None

    def nearest_resolution(self, dpi: int) -> int:
        """The supported resolution closest to `dpi` (ties go to the higher one)."""
        if not self.resolutions:
            return dpi
        return min(self.resolutions, key=lambda r: (abs(r - dpi), -r))

    def to_json(self) -> dict[str, object]:
        return {
            "sources": list(self.sources),
            "resolutions": list(self.resolutions),
            "color_modes": list(self.color_modes),
            "formats": list(self.formats),
            "max_width_mm": self.max_width_mm,
            "max_height_mm": self.max_height_mm,
        }


@dataclass(frozen=True)
class ScanRequest:
    """What the user asked for. `max_pages` stops a feeder run early (None: until empty)."""

    source: Source = "flatbed"
    dpi: int = 300
    color_mode: ColorMode = "color"
    max_pages: int | None = None

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise BadInput(
                f"Source inconnue : {self.source} (vitre : flatbed, chargeur : feeder, recto verso : duplex)."
            )
        if self.color_mode not in COLOR_MODES:
            raise BadInput(f"Mode couleur inconnu : {self.color_mode} (color, gray ou bw).")
        if not 25 <= self.dpi <= 2400:
            raise BadInput(f"Résolution impossible : {self.dpi} ppp (entre 25 et 2400).")
        if self.max_pages is not None and self.max_pages < 1:
            raise BadInput("Le nombre maximal de pages doit être au moins 1.")


@dataclass(frozen=True)
class ScannedPage:
    """One page as the device delivered it: encoded bytes plus what we know about them.

    `data` is a JPEG or PNG image, or a PDF when an eSCL device only sends PDF (it may then
    hold several pages; `media_type` says which). `index` counts from 1 within the scan.
    """

    index: int
    data: bytes
    media_type: str
    dpi: int
    source: Source
    color_mode: ColorMode
    width: int | None = None
    height: int | None = None
    # time.monotonic() when the driver had the complete page: for the latency benchmark.
    received_at: float = 0.0

    @property
    def extension(self) -> str:
        return {
            "image/jpeg": ".jpg",
            "image/png": ".png",
            "application/pdf": ".pdf",
            "image/tiff": ".tif",
        }.get(self.media_type, ".bin")


@dataclass(frozen=True)
class ScanProgress:
    """A progress report: page being scanned (from 1) and how far into it, when known."""

    page: int
    fraction: float | None = None
    message: str = ""


ProgressCallback = Callable[[ScanProgress], None]


class CancelToken:
    """Set from any thread (the Cancel button); drivers poll it and can wait on it."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`, waking early on cancel. Returns True if cancelled."""
        return self._event.wait(max(0.0, seconds))

    def raise_if_cancelled(self, pages_received: int = 0) -> None:
        if self._event.is_set():
            raise ScanCancelled(pages_received=pages_received)


# -- errors -------------------------------------------------------------------------------


class DeviceError(OperationFailed):
    """A scanner failed. The message is French; `pages_received` counts pages already yielded."""

    default_message = "Le scanner a signalé une erreur. Vérifiez-le puis relancez la numérisation."

    def __init__(self, message: str | None = None, *, pages_received: int = 0) -> None:
        self.pages_received = pages_received
        text = message or self.default_message
        if pages_received:
            text += f" ({pages_received} page(s) reçue(s) avant l'erreur, elles sont conservées.)"
        super().__init__(text)


class DeviceNotFound(DeviceError):
    default_message = (
        "Scanner introuvable. Vérifiez qu'il est allumé et branché, puis actualisez la liste."
    )


class DeviceBusy(DeviceError):
    default_message = (
        "Le scanner est occupé. Attendez la fin de l'autre numérisation puis relancez."
    )


class DeviceOffline(DeviceError):
    default_message = (
        "Le scanner ne répond pas. Vérifiez qu'il est allumé et connecté, puis relancez."
    )


class FeederEmpty(DeviceError):
    default_message = "Le chargeur est vide. Placez les feuilles dans le chargeur puis relancez."


class PaperJam(DeviceError):
    default_message = "Bourrage papier. Retirez la feuille coincée puis relancez."


class FeederEmptyOrJam(DeviceError):
    default_message = "Bac vide ou bourrage papier. Vérifiez le chargeur puis relancez."


class CoverOpen(DeviceError):
    default_message = "Le capot du scanner est ouvert. Refermez-le puis relancez."


class UnsupportedSetting(DeviceError):
    default_message = "Ce scanner ne permet pas ce réglage."


class DriverUnavailable(DeviceError):
    default_message = "Ce type de scanner n'est pas pris en charge sur ce poste."


class UntrustedCertificate(DeviceError):
    """An HTTPS scanner whose certificate the user has not confirmed (or that changed)."""

    def __init__(
        self, netloc: str, fingerprint: str, *, changed: bool = False, pages_received: int = 0
    ) -> None:
        self.netloc = netloc
        self.fingerprint = fingerprint
        self.changed = changed
        if changed:
            text = (
                f"Le certificat du scanner {netloc} a changé (empreinte SHA-256 {fingerprint}). "
                "Vérifiez l'appareil puis confirmez-le à nouveau dans les réglages."
            )
        else:
            text = (
                f"Le certificat du scanner {netloc} n'est pas reconnu (empreinte SHA-256 "
                f"{fingerprint}). Confirmez l'appareil dans les réglages pour l'utiliser."
            )
        super().__init__(text, pages_received=pages_received)


class ScanCancelled(DeviceError):
    default_message = "Numérisation annulée."


# -- the driver interface -----------------------------------------------------------------


@runtime_checkable
class ScannerDriver(Protocol):
    """One family of scanners. All methods block: call them off the GUI thread."""

    name: str

    def available(self) -> bool:
        """Whether this driver can work on this workstation (library installed, right OS)."""

    def list_devices(self, timeout: float = 3.0) -> list[DeviceInfo]:
        """Devices found now. Never raises for "nothing found"; returns an empty list."""

    def capabilities(self, device_id: str) -> Capabilities: ...

    def scan(
        self,
        device_id: str,
        request: ScanRequest,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> Generator[ScannedPage, None, None]:
        """Yield pages as they arrive; raise a `DeviceError` after the pages already yielded.

        Closing the generator early (the caller stops iterating) releases the device.
        """


@dataclass
class ScanOutcome:
    """What a scan gave: every page received, and the error that ended it early, if any."""

    pages: list[ScannedPage]
    error: DeviceError | None = None

    @property
    def cancelled(self) -> bool:
        return isinstance(self.error, ScanCancelled)


def collect_pages(
    scan: Iterator[ScannedPage], on_page: Callable[[ScannedPage], None] | None = None
) -> ScanOutcome:
    """Drain a scan, handing each page to `on_page` as it arrives; a device error ends the
    scan and is returned with the pages received before it (never raised, never lost).
    Other errors (bad input, bugs) propagate."""
    pages: list[ScannedPage] = []
    try:
        for page in scan:
            pages.append(page)
            if on_page is not None:
                on_page(page)
    except DeviceError as exc:
        return ScanOutcome(pages=pages, error=exc)
    return ScanOutcome(pages=pages)


def split_device_id(device_id: str) -> tuple[str, str]:
    """`"sane:test:0"` → `("sane", "test:0")`. Bad ids are the user's input: BadInput."""
    driver, sep, rest = device_id.partition(":")
    if not sep or not rest or driver not in {"sane", "escl", "wia"}:
        raise BadInput(
            f"Identifiant de scanner invalide : « {device_id} ». Il commence par sane:, escl: ou wia: "
            "(voir « permis scan --list »)."
        )
    return driver, rest


@dataclass
class ProgressThrottle:
    """Forwards at most one report per 1 % step per page, so a per-line callback stays cheap."""

    callback: ProgressCallback | None
    _last: tuple[int, int] = field(default=(-1, -1))

    def __call__(self, page: int, fraction: float | None, message: str = "") -> None:
        if self.callback is None:
            return
        step = -1 if fraction is None else int(fraction * 100)
        if (page, step) == self._last and fraction is not None:
            return
        self._last = (page, step)
        self.callback(ScanProgress(page=page, fraction=fraction, message=message))
