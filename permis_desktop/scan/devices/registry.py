"""One entry point over all scanner drivers: list every device, route an id to its driver.

The capture UI and `permis scan` use `DeviceRegistry`; they never pick a driver by hand.
Drivers for another OS are absent, not broken: WIA is built only on Windows
(`sys.platform == "win32"`), SANE only when python-sane imports. eSCL settings (manual
addresses, certificates the user confirmed) come from the settings registry.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from collections.abc import Generator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING

from permis_desktop.errors import BadInput
from permis_desktop.scan.devices.base import (
    CancelToken,
    Capabilities,
    DeviceInfo,
    DriverUnavailable,
    ProgressCallback,
    ScannedPage,
    ScannerDriver,
    ScanRequest,
    split_device_id,
)
from permis_desktop.scan.devices.escl_driver import EsclDriver, normalise_fingerprint

if TYPE_CHECKING:
    from permis_desktop.settings import Settings

log = logging.getLogger(__name__)

PINS_SETTING = "capture.escl_trusted_certs"
ADDRESSES_SETTING = "capture.escl_addresses"


def read_pins(settings: Settings) -> dict[str, str]:
    """The confirmed certificates: {"host:port": "AA:BB:…"}; a damaged value counts as none."""
    raw = str(settings.get(PINS_SETTING) or "").strip()
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        log.warning("setting %s is not JSON; ignoring it", PINS_SETTING)
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): normalise_fingerprint(str(v)) for k, v in data.items()}


def confirm_certificate(settings: Settings, netloc: str, fingerprint: str) -> None:
    """Record the user's confirmation of an HTTPS scanner's certificate."""
    pins = read_pins(settings)
    pins[netloc] = normalise_fingerprint(fingerprint)
    settings.set(PINS_SETTING, json.dumps(pins, sort_keys=True))


def read_addresses(settings: Settings) -> tuple[str, ...]:
    raw = str(settings.get(ADDRESSES_SETTING) or "")
    return tuple(a.strip().removeprefix("escl:") for a in raw.split(",") if a.strip())


_SANE_ESCL = re.compile(r"^sane:(escl:|airscan:e\d+:)")


def is_sane_view_of_escl(device: DeviceInfo) -> bool:
    """A SANE device that is an eSCL scanner seen through the sane-airscan or sane-escl
    backend. Our own eSCL driver lists the same scanner (and copes with more quirks, e.g.
    a foreign host in Location, which sane-airscan 0.99.27 follows), so it is listed once.
    sane-airscan's WSD devices (`airscan:w…`) have no eSCL twin and stay."""
    return bool(_SANE_ESCL.match(device.id))


def platform_drivers(
    *, pins: Mapping[str, str] | None = None, manual_urls: tuple[str, ...] = ()
) -> list[ScannerDriver]:
    """The drivers this workstation can have, in the order devices are listed."""
    drivers: list[ScannerDriver] = []
    if sys.platform == "win32":
        from permis_desktop.scan.devices.wia_com import Win32WiaCom
        from permis_desktop.scan.devices.wia_driver import WiaDriver

        drivers.append(WiaDriver(Win32WiaCom()))
    else:
        from permis_desktop.scan.devices.sane_driver import SaneDriver

        drivers.append(SaneDriver())
    drivers.append(EsclDriver(pins=pins, manual_urls=manual_urls))
    return drivers


class DeviceRegistry:
    """All drivers behind one object. Every method blocks: call from a worker thread."""

    def __init__(self, drivers: Sequence[ScannerDriver]) -> None:
        self.drivers = {d.name: d for d in drivers}

    @classmethod
    def for_platform(cls, settings: Settings | None = None) -> DeviceRegistry:
        if settings is None:
            return cls(platform_drivers())
        return cls(platform_drivers(pins=read_pins(settings), manual_urls=read_addresses(settings)))

    def close(self) -> None:
        """Release what the drivers hold (WIA keeps COM initialised on its own thread)."""
        for driver in self.drivers.values():
            close = getattr(driver, "close", None)
            if callable(close):
                try:
                    close()
                except Exception:  # closing must never stop the window from closing
                    log.exception("driver %s did not close cleanly", driver.name)

    # How long past the discovery timeout a driver may take before the list is shown
    # without it (a SANE `net` backend waiting for an unreachable host, a stuck WIA driver).
    LIST_GRACE = 5.0

    def list_devices(self, timeout: float = 3.0) -> list[DeviceInfo]:
        """Every driver in parallel (mDNS waits while SANE probes USB); a failing or hung
        driver is logged and skipped so one bad backend never hides the others."""
        if not self.drivers:
            return []
        pool = ThreadPoolExecutor(max_workers=len(self.drivers), thread_name_prefix="scan-list")
        futures = [(d, pool.submit(d.list_devices, timeout)) for d in self.drivers.values()]
        deadline = time.monotonic() + max(timeout, 0.0) + self.LIST_GRACE
        devices: list[DeviceInfo] = []
        try:
            for driver, future in futures:
                try:
                    devices.extend(future.result(timeout=max(0.0, deadline - time.monotonic())))
                except FutureTimeout:
                    log.warning(
                        "listing %s devices takes too long; shown without them", driver.name
                    )
                except Exception as exc:
                    log.warning("listing %s devices failed: %s", driver.name, exc)
        finally:
            # A hung driver keeps its thread; the list does not wait for it.
            pool.shutdown(wait=False, cancel_futures=True)
        if "escl" in self.drivers:
            devices = [d for d in devices if not is_sane_view_of_escl(d)]
        return devices

    def driver_for(self, device_id: str) -> ScannerDriver:
        prefix, _ = split_device_id(device_id)
        driver = self.drivers.get(prefix)
        if driver is None:
            if prefix == "wia":
                raise BadInput("Les scanners WIA (wia:…) ne sont utilisables que sous Windows.")
            raise DriverUnavailable(
                f"Les scanners {prefix} ne sont pas pris en charge sur ce poste."
            )
        return driver

    def capabilities(self, device_id: str) -> Capabilities:
        return self.driver_for(device_id).capabilities(device_id)

    def scan(
        self,
        device_id: str,
        request: ScanRequest,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> Generator[ScannedPage, None, None]:
        return self.driver_for(device_id).scan(device_id, request, progress, cancel)
