"""Finding eSCL scanners on the local network: DNS-SD `_uscan._tcp` (HTTP) and `_uscans._tcp`.

TXT keys (sane-airscan `airscan-mdns.c`, NAPS2 `EsclServiceLocator.cs`): `rs` is the root
path (usually "eSCL"; may be empty or start with a slash), `ty` the human name, `UUID` the
device id shared by its HTTP and HTTPS services, `pdl`/`cs`/`is` formats, colours, sources.
Multicast can be blocked (guest Wi-Fi, VPN), so a manual address is always possible: the
user types `escl:http://ADDRESS:PORT/eSCL`.

`device_from_service` is a pure function over what a resolved service carries, so it is
tested without a network; `discover_devices` runs python-zeroconf for a bounded time.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from permis_desktop.scan.devices.base import DeviceInfo

log = logging.getLogger(__name__)

SERVICE_TYPES = {"_uscan._tcp.local.": "http", "_uscans._tcp.local.": "https"}


@dataclass(frozen=True)
class FoundService:
    device: DeviceInfo
    uuid: str
    scheme: str


def _txt(properties: Mapping[Any, Any], key: str) -> str | None:
    for raw_key, value in properties.items():
        name = raw_key.decode("utf-8", "replace") if isinstance(raw_key, bytes) else raw_key
        if name.lower() == key.lower():
            if value is None:
                return ""
            return value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    return None


def _host(addresses: list[str]) -> str | None:
    """Prefer IPv4: IPv6 link-local addresses need a zone that URLs handle badly."""
    v4: list[str] = []
    v6: list[str] = []
    for address in addresses:
        try:
            ip = ipaddress.ip_address(address.split("%")[0])
        except ValueError:
            continue
        (v4 if ip.version == 4 else v6).append(address)
    if v4:
        return v4[0]
    if v6:
        return f"[{v6[0].replace('%', '%25')}]"
    return None


def device_from_service(
    service_type: str,
    service_name: str,
    addresses: list[str],
    port: int,
    properties: Mapping[Any, Any],
) -> FoundService | None:
    """A device from a resolved DNS-SD service; None when it cannot be reached (no address)."""
    scheme = SERVICE_TYPES.get(service_type if service_type.endswith(".") else service_type + ".")
    host = _host(addresses)
    if scheme is None or host is None or not 0 < port < 65536:
        log.info(
            "ignoring eSCL service %r (%s, %s, %s)", service_name, service_type, addresses, port
        )
        return None
    rs = _txt(properties, "rs")
    root = "eSCL" if rs is None else rs.strip().strip("/")
    base = f"{scheme}://{host}:{port}" + (f"/{root}" if root else "")
    instance = (
        service_name.split("." + service_type.rstrip("."))[0] if service_type else service_name
    )
    name = (_txt(properties, "ty") or "").strip() or instance
    return FoundService(
        device=DeviceInfo(id=f"escl:{base}", driver="escl", name=name, connection="network"),
        uuid=(_txt(properties, "UUID") or "").strip().lower(),
        scheme=scheme,
    )


def merge_services(
    found: list[FoundService], pinned_netlocs: set[str] | None = None
) -> list[DeviceInfo]:
    """One entry per device: a device advertising both HTTP and HTTPS is listed once, over
    HTTPS when the user already confirmed its certificate, else over HTTP (no prompt)."""
    pinned = pinned_netlocs or set()
    by_key: dict[str, FoundService] = {}
    for service in found:
        key = service.uuid or service.device.id
        current = by_key.get(key)
        if current is None:
            by_key[key] = service
            continue
        netloc = service.device.id.split("://", 1)[1].split("/", 1)[0]
        prefer_https = netloc in pinned
        if (service.scheme == "https") == prefer_https:
            by_key[key] = service
    return sorted((s.device for s in by_key.values()), key=lambda d: d.label.lower())


def discover_devices(
    timeout: float = 3.0, pinned_netlocs: set[str] | None = None
) -> list[DeviceInfo]:
    """Browse the network for `timeout` seconds; never raises for an empty network."""
    from zeroconf import ServiceBrowser, ServiceStateChange, Zeroconf

    found: list[FoundService] = []
    names: list[tuple[str, str]] = []
    lock = threading.Lock()

    def on_change(
        zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange
    ) -> None:
        if state_change is ServiceStateChange.Added:
            with lock:
                names.append((service_type, name))

    zc = Zeroconf()
    try:
        browser = ServiceBrowser(zc, list(SERVICE_TYPES), handlers=[on_change])
        deadline = time.monotonic() + timeout
        time.sleep(max(0.0, timeout * 0.6))
        browser.cancel()
        with lock:
            pending = list(dict.fromkeys(names))
        for service_type, name in pending:
            left_ms = int((deadline - time.monotonic()) * 1000)
            info = zc.get_service_info(service_type, name, timeout=max(200, left_ms))
            if info is None or info.port is None:
                continue
            service = device_from_service(
                service_type, name, info.parsed_scoped_addresses(), info.port, info.properties
            )
            if service is not None:
                found.append(service)
    finally:
        zc.close()
    log.info("eSCL discovery: %d service(s)", len(found))
    return merge_services(found, pinned_netlocs)
