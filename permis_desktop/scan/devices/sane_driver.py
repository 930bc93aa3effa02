"""SANE scanners (Linux, macOS) through python-sane.

SANE backends name their options freely, so this module maps them onto the app's small
vocabulary: sources "Flatbed" / "ADF" / "Automatic Document Feeder" / "ADF Duplex" …
(NAPS2 #615: Kyocera uses non-standard source names), modes "Color" / "Gray" / "Lineart" /
"Binary" …, resolution given as a range or a word list. A feeder scan repeats
`start()` + read until the backend answers SANE_STATUS_NO_DOCS ("Document feeder out of
documents"), which is how SANE signals an empty feeder (SANE standard §4.3.9).

python-sane is not thread-safe and `sane_init` is process-wide, so every call goes through
one lock. Cancellation calls `sane_cancel()` from the per-line progress callback: raising
from that callback instead would crash python-sane 2.9 (it decrefs the NULL result).
"""

from __future__ import annotations

import io
import logging
import sys
import threading
import time
from collections.abc import Generator
from typing import Any

from permis_desktop.scan.devices.base import (
    COLOR_MODES,
    CancelToken,
    Capabilities,
    ColorMode,
    CoverOpen,
    DeviceBusy,
    DeviceError,
    DeviceInfo,
    DeviceNotFound,
    DeviceOffline,
    DriverUnavailable,
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

# Resolutions offered when a backend gives a continuous range.
COMMON_DPI = (75, 100, 150, 200, 240, 300, 400, 600, 1200)

# sane_strstatus() texts (English in libsane; frontends translate them, backends do not).
_NO_DOCS = "Document feeder out of documents"
_STATUS_ERRORS: dict[str, type[DeviceError]] = {
    "Operation was canceled": ScanCancelled,
    "Operation was cancelled": ScanCancelled,
    "Device busy": DeviceBusy,
    "Document feeder jammed": PaperJam,
    _NO_DOCS: FeederEmpty,
    "Scanner cover is open": CoverOpen,
    "Error during device I/O": DeviceOffline,
    "Access to resource has been denied": DeviceOffline,
    "Invalid argument": UnsupportedSetting,
}

_lock = threading.RLock()
_initialised = False


def _keep_sigpipe_ignored() -> None:
    """Put SIGPIPE back to "ignore" after SANE calls.

    CPython ignores SIGPIPE so that a write to a closed socket raises BrokenPipeError; the
    SANE `test` backend (and backends using sanei_thread) reset it to the default during a
    scan, after which any later write to a peer that went away (an eSCL scanner dropping
    the connection, the sync server) would kill the whole process. Python's
    signal.signal() works only on the main thread and scans run on workers, so libc's
    signal() is called directly: the disposition is process-wide.
    """
    if sys.platform == "win32":
        return
    import ctypes
    import signal

    libc = ctypes.CDLL(None, use_errno=True)
    libc.signal.restype = ctypes.c_void_p
    libc.signal.argtypes = (ctypes.c_int, ctypes.c_void_p)
    libc.signal(int(signal.SIGPIPE), 1)  # 1 == SIG_IGN


def _sane() -> Any:
    """The python-sane module, initialised once; DriverUnavailable when it is missing."""
    global _initialised
    try:
        import sane
    except ImportError as exc:
        log.info("python-sane unavailable: %s", exc)
        raise DriverUnavailable(
            "La prise en charge des scanners SANE n'est pas installée sur ce poste."
        ) from None
    with _lock:
        if not _initialised:
            version = sane.init()
            log.info("SANE initialised, version %s", version)
            _initialised = True
    return sane


def _device_error(exc: Exception, pages_received: int = 0) -> DeviceError:
    text = str(exc)
    kind = _STATUS_ERRORS.get(text, DeviceError)
    log.warning("SANE error: %s (mapped to %s)", text, kind.__name__)
    return kind(pages_received=pages_received)


def classify_source(name: str) -> Source | None:
    """Our source for a backend's source name, or None for sources we do not offer."""
    low = name.lower()
    if "duplex" in low or "both" in low:
        return "duplex"
    if any(k in low for k in ("adf", "feeder", "automatic document", "document feeder")):
        # "ADF Back" alone scans only the verso of each sheet: not a source we offer.
        return None if "back" in low else "feeder"
    if any(k in low for k in ("flatbed", "platen", "glass", "normal", "document table")):
        return "flatbed"
    return None


def classify_mode(name: str) -> ColorMode | None:
    low = name.lower()
    if "color" in low or "colour" in low or "rgb" in low:
        return "color"
    if "gray" in low or "grey" in low:
        return "gray"
    if any(k in low for k in ("lineart", "binary", "black", "halftone", "bw")):
        return "bw"
    return None


def resolutions_from_constraint(constraint: Any) -> tuple[int, ...]:
    """SANE gives a (min, max, quant) range or a list of values."""
    if isinstance(constraint, tuple) and len(constraint) == 3:
        low, high, _quant = constraint
        values = [d for d in COMMON_DPI if low <= d <= high]
        return tuple(values) or (int(high),)
    if isinstance(constraint, list):
        return tuple(sorted({int(v) for v in constraint if v}))
    return ()


def _options(dev: Any) -> dict[str, Any]:
    return {name: opt for name, opt in dev.opt.items() if opt.is_active()}


def _choice(constraint: Any) -> list[str]:
    return [str(c) for c in constraint] if isinstance(constraint, list) else []


class SaneDriver:
    """`sane:NAME` devices.

    `extra_options` sets backend options by python-sane name after the standard ones (e.g.
    a model's `page_height`, or the test backend's `read_return_value` in tests).
    """

    name = "sane"

    def __init__(self, extra_options: dict[str, Any] | None = None) -> None:
        self.extra_options = dict(extra_options or {})

    def available(self) -> bool:
        try:
            _sane()
        except DeviceError:
            return False
        return True

    def list_devices(self, timeout: float = 3.0) -> list[DeviceInfo]:
        # sane_get_devices has no timeout of its own; callers run it off the GUI thread.
        try:
            sane = _sane()
        except DriverUnavailable:
            return []
        with _lock:
            found = sane.get_devices()
        devices = []
        for name, vendor, model, kind in found:
            connection = (
                "virtual"
                if "virtual" in str(kind)
                else ("network" if str(name).startswith(("net:", "airscan:", "escl:")) else "usb")
            )
            devices.append(
                DeviceInfo(
                    id=f"sane:{name}",
                    driver="sane",
                    name=f"{vendor} {model}".strip(),
                    vendor=str(vendor),
                    model=str(model),
                    connection=connection,
                )
            )
        return devices

    def _open(self, name: str) -> Any:
        sane = _sane()
        with _lock:
            try:
                return sane.open(name)
            except Exception as exc:  # _sane.error or RuntimeError from python-sane
                log.warning("cannot open SANE device %s: %s", name, exc)
                if "busy" in str(exc).lower():
                    raise DeviceBusy() from None
                raise DeviceNotFound(
                    f"Impossible d'ouvrir le scanner {name}. Vérifiez qu'il est branché et allumé, "
                    "puis actualisez la liste."
                ) from None

    def capabilities(self, device_id: str) -> Capabilities:
        dev = self._open(_name(device_id))
        try:
            with _lock:
                return self._capabilities(dev)
        finally:
            with _lock:
                dev.close()

    @staticmethod
    def _capabilities(dev: Any) -> Capabilities:
        opts = _options(dev)
        sources: list[Source] = []
        if "source" in opts:
            for raw in _choice(opts["source"].constraint):
                mapped = classify_source(raw)
                if mapped and mapped not in sources:
                    sources.append(mapped)
        if not sources:
            sources = ["flatbed"]
        modes: list[ColorMode] = []
        if "mode" in opts:
            for raw in _choice(opts["mode"].constraint):
                m = classify_mode(raw)
                if m and m not in modes:
                    modes.append(m)
        resolutions = (
            resolutions_from_constraint(opts["resolution"].constraint)
            if "resolution" in opts
            else ()
        )
        width = height = None
        if "br_x" in opts and isinstance(opts["br_x"].constraint, tuple):
            width = float(opts["br_x"].constraint[1])
        if "br_y" in opts and isinstance(opts["br_y"].constraint, tuple):
            height = float(opts["br_y"].constraint[1])
        return Capabilities(
            sources=tuple(s for s in ("flatbed", "feeder", "duplex") if s in sources),
            resolutions=resolutions,
            color_modes=tuple(m for m in COLOR_MODES if m in modes) or ("gray",),
            formats=("image/jpeg", "image/png"),
            max_width_mm=width,
            max_height_mm=height,
        )

    def _configure(self, dev: Any, request: ScanRequest) -> tuple[int, ColorMode]:
        """Set source, mode, resolution, depth and full area; returns (dpi, mode) used."""
        opts = _options(dev)
        if "source" in opts:
            names = _choice(opts["source"].constraint)
            wanted = [n for n in names if classify_source(n) == request.source]
            if not wanted:
                raise UnsupportedSetting(
                    f"Ce scanner n'a pas de source « {request.source} ». Sources possibles : "
                    + ", ".join(names)
                    + "."
                )
            dev.source = wanted[0]
        elif request.source != "flatbed":
            raise UnsupportedSetting(
                "Ce scanner n'a pas de chargeur de documents : utilisez la vitre."
            )
        opts = _options(dev)  # a source change can reload options (SANE_INFO_RELOAD_OPTIONS)
        mode: ColorMode = request.color_mode
        if "mode" in opts:
            names = _choice(opts["mode"].constraint)
            by_mode = {classify_mode(n): n for n in reversed(names)}
            if mode not in by_mode:
                # A backend without line-art (the test backend) scans gray; the pipeline
                # binarises later.
                fallback: ColorMode = "gray" if "gray" in by_mode else "color"
                log.info("mode %s not offered by the device (%s); using %s", mode, names, fallback)
                mode = fallback
            if mode in by_mode:
                dev.mode = by_mode[mode]
        opts = _options(dev)
        dpi = request.dpi
        if "resolution" in opts:
            choices = resolutions_from_constraint(opts["resolution"].constraint)
            constraint = opts["resolution"].constraint
            if isinstance(constraint, tuple):
                dpi = int(min(max(request.dpi, constraint[0]), constraint[1]))
            elif choices:
                dpi = min(choices, key=lambda r: (abs(r - request.dpi), -r))
            dev.resolution = dpi
        if "depth" in opts and 8 in (opts["depth"].constraint or []):
            dev.depth = 8 if mode != "bw" else (1 if 1 in opts["depth"].constraint else 8)
        # Scan the whole bed: the pipeline finds the document (backends default to odd areas,
        # e.g. the test backend to 80 × 100 mm).
        for name, index in (("tl_x", 0), ("tl_y", 0), ("br_x", 1), ("br_y", 1)):
            opt = opts.get(name)
            if opt is not None and opt.is_settable() and isinstance(opt.constraint, tuple):
                setattr(dev, name, opt.constraint[index])
        for name, value in self.extra_options.items():
            setattr(dev, name, value)
        return dpi, mode

    def scan(
        self,
        device_id: str,
        request: ScanRequest,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> Generator[ScannedPage, None, None]:
        cancel = cancel or CancelToken()
        report = ProgressThrottle(progress)
        dev = self._open(_name(device_id))
        delivered = 0
        try:
            with _lock:
                try:
                    dpi, mode = self._configure(dev, request)
                except DeviceError:
                    raise
                except Exception as exc:
                    raise _device_error(exc) from None
            feeder = request.source != "flatbed"
            while True:
                cancel.raise_if_cancelled(delivered)
                page_no = delivered + 1
                report(page_no, 0.0, "Numérisation…")
                try:
                    image = self._read_page(dev, page_no, feeder, report, cancel)
                except Exception as exc:
                    if feeder and str(exc) == _NO_DOCS and delivered:
                        log.info("feeder empty after %d page(s)", delivered)
                        return
                    if cancel.cancelled:
                        raise ScanCancelled(pages_received=delivered) from None
                    raise _device_error(exc, delivered) from None
                page = _encode(image, page_no, dpi, request.source, mode)
                delivered += 1
                report(page_no, 1.0, "Page reçue")
                yield page
                if not feeder or (request.max_pages and delivered >= request.max_pages):
                    return
        finally:
            with _lock:
                try:
                    dev.cancel()
                    dev.close()
                except Exception as exc:  # closing must never hide the real outcome
                    log.debug("SANE close: %s", exc)
                finally:
                    _keep_sigpipe_ignored()

    @staticmethod
    def _read_page(
        dev: Any, page_no: int, feeder: bool, report: ProgressThrottle, cancel: CancelToken
    ) -> Any:
        asked = False

        def on_line(line: int, total: int) -> None:
            nonlocal asked
            if cancel.cancelled:
                # The backend then ends the read with SANE_STATUS_CANCELLED. Once only: a
                # second sane_cancel() while the backend tears its reader down can block.
                if not asked:
                    asked = True
                    dev.cancel()
                return
            report(page_no, line / total if total > 0 else None)

        with _lock:
            try:
                dev.start()
                return dev.snap(feeder, on_line)
            finally:
                _keep_sigpipe_ignored()


def _name(device_id: str) -> str:
    prefix, _, name = device_id.partition(":")
    if prefix != "sane" or not name:
        raise DeviceNotFound(f"Ce n'est pas un scanner SANE : {device_id}.")
    return name


def _encode(image: Any, index: int, dpi: int, source: Source, mode: ColorMode) -> ScannedPage:
    """JPEG (quality 95) for colour and gray; lossless PNG for 1-bit line art."""
    buffer = io.BytesIO()
    if mode == "bw":
        image.convert("1").save(buffer, format="PNG", dpi=(dpi, dpi))
        media_type = "image/png"
    else:
        image.save(buffer, format="JPEG", quality=95, dpi=(dpi, dpi))
        media_type = "image/jpeg"
    return ScannedPage(
        index=index,
        data=buffer.getvalue(),
        media_type=media_type,
        dpi=dpi,
        source=source,
        color_mode=mode,
        width=image.width,
        height=image.height,
        received_at=time.monotonic(),
    )
