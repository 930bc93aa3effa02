"""Scanner drivers (SANE, eSCL, WIA) and the watched folder, behind one Qt-free interface.

What the capture screens and `permis scan` use (everything blocks: call from a worker
thread, never the GUI thread):

    registry = DeviceRegistry.for_platform(settings)
    devices = registry.list_devices(timeout=3.0)            # [DeviceInfo]
    caps = registry.capabilities(device.id)                  # Capabilities
    cancel = CancelToken()                                   # cancel.cancel() from any thread
    scan = registry.scan(device.id, ScanRequest(source="feeder", dpi=300, color_mode="gray"),
                         progress=on_progress, cancel=cancel)
    outcome = collect_pages(scan, on_page=emit_page_to_gui)  # ScanOutcome(pages, error)

`scan` is a generator: each `ScannedPage` is yielded as soon as the device delivers it, and
a later failure comes after the pages already yielded (`collect_pages` returns it with
them). Hand each page off at once (e.g. emit a signal) rather than working on it inside
the loop: network scanners drop jobs that are left waiting. An HTTPS scanner the user has
not confirmed fails with `UntrustedCertificate` (its `fingerprint` is what to show);
`confirm_certificate(settings, error.netloc, error.fingerprint)` records the user's yes.

The watched folder: `WatchedFolder(folder, Inbox(inbox_dir(paths.data))).poll()` from a
timer returns newly arrived `InboxFile`s; `Inbox.items()` lists "À classer";
`Inbox.assign(file)` / `Inbox.dismiss(file)` move a file to `classés/` / `ignorés/`.

Names are loaded on first use, so importing this package does not pull in httpx or the
drivers (the command line stays quick to start).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "base": (
        "Capabilities",
        "CancelToken",
        "ColorMode",
        "CoverOpen",
        "DeviceBusy",
        "DeviceError",
        "DeviceInfo",
        "DeviceNotFound",
        "DeviceOffline",
        "DriverUnavailable",
        "FeederEmpty",
        "FeederEmptyOrJam",
        "PaperJam",
        "ProgressCallback",
        "ScanCancelled",
        "ScannedPage",
        "ScannerDriver",
        "ScanOutcome",
        "ScanProgress",
        "ScanRequest",
        "Source",
        "UnsupportedSetting",
        "UntrustedCertificate",
        "collect_pages",
    ),
    "registry": ("DeviceRegistry", "confirm_certificate", "read_pins"),
    "escl_driver": ("fetch_certificate_fingerprint",),
    "watch": ("FolderWatcher", "Inbox", "InboxFile", "WatchedFolder", "inbox_dir"),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = [
    "CancelToken",
    "Capabilities",
    "ColorMode",
    "CoverOpen",
    "DeviceBusy",
    "DeviceError",
    "DeviceInfo",
    "DeviceNotFound",
    "DeviceOffline",
    "DeviceRegistry",
    "DriverUnavailable",
    "FeederEmpty",
    "FeederEmptyOrJam",
    "FolderWatcher",
    "Inbox",
    "InboxFile",
    "PaperJam",
    "ProgressCallback",
    "ScanCancelled",
    "ScanOutcome",
    "ScanProgress",
    "ScanRequest",
    "ScannedPage",
    "ScannerDriver",
    "Source",
    "UnsupportedSetting",
    "UntrustedCertificate",
    "WatchedFolder",
    "collect_pages",
    "confirm_certificate",
    "fetch_certificate_fingerprint",
    "inbox_dir",
    "read_pins",
]

if TYPE_CHECKING:
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
        DriverUnavailable,
        FeederEmpty,
        FeederEmptyOrJam,
        PaperJam,
        ProgressCallback,
        ScanCancelled,
        ScannedPage,
        ScannerDriver,
        ScanOutcome,
        ScanProgress,
        ScanRequest,
        Source,
        UnsupportedSetting,
        UntrustedCertificate,
        collect_pages,
    )
    from permis_desktop.scan.devices.escl_driver import fetch_certificate_fingerprint
    from permis_desktop.scan.devices.registry import DeviceRegistry, confirm_certificate, read_pins
    from permis_desktop.scan.devices.watch import (
        FolderWatcher,
        Inbox,
        InboxFile,
        WatchedFolder,
        inbox_dir,
    )


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
