"""DNS-SD records → eSCL devices. Parsed from the records a resolved service carries: multicast
is not something a test may send, so the zeroconf browse itself is not exercised here."""

from __future__ import annotations

from permis_desktop.scan.devices.escl_discovery import device_from_service, merge_services
from permis_desktop.scan.devices.escl_driver import EsclDriver


def test_http_service_with_rs_and_ty() -> None:
    found = device_from_service(
        "_uscan._tcp.local.",
        "Brother MFC-L2710DW._uscan._tcp.local.",
        ["192.0.2.10"],
        80,
        {
            b"rs": b"eSCL",
            b"ty": b"Brother MFC-L2710DW series",
            b"UUID": b"E3248000-80CE-11DB-8000-30055C773BCF",
        },
    )
    assert found is not None
    assert found.device.id == "escl:http://192.0.2.10:80/eSCL"
    assert found.device.name == "Brother MFC-L2710DW series"
    assert found.uuid == "e3248000-80ce-11db-8000-30055c773bcf"


def test_https_service_rs_with_slash_and_no_ty() -> None:
    found = device_from_service(
        "_uscans._tcp.local.",
        "HP OfficeJet._uscans._tcp.local.",
        ["192.0.2.11"],
        443,
        {b"rs": b"/eSCL/"},
    )
    assert found is not None
    assert found.device.id == "escl:https://192.0.2.11:443/eSCL"
    assert found.device.name == "HP OfficeJet"


def test_missing_rs_defaults_to_escl_and_empty_rs_means_root() -> None:
    default = device_from_service(
        "_uscan._tcp.local.", "A._uscan._tcp.local.", ["192.0.2.1"], 8080, {}
    )
    root = device_from_service(
        "_uscan._tcp.local.", "B._uscan._tcp.local.", ["192.0.2.2"], 8080, {b"rs": b""}
    )
    assert default is not None and default.device.id == "escl:http://192.0.2.1:8080/eSCL"
    assert root is not None and root.device.id == "escl:http://192.0.2.2:8080"


def test_ipv4_preferred_ipv6_bracketed() -> None:
    both = device_from_service(
        "_uscan._tcp.local.", "C._uscan._tcp.local.", ["fe80::1%eth0", "192.0.2.3"], 80, {}
    )
    v6 = device_from_service("_uscan._tcp.local.", "D._uscan._tcp.local.", ["2001:db8::5"], 80, {})
    assert both is not None and "192.0.2.3" in both.device.id
    assert v6 is not None and v6.device.id == "escl:http://[2001:db8::5]:80/eSCL"


def test_unusable_records_are_ignored() -> None:
    assert device_from_service("_uscan._tcp.local.", "E", [], 80, {}) is None
    assert device_from_service("_ipp._tcp.local.", "F", ["192.0.2.4"], 631, {}) is None
    assert device_from_service("_uscan._tcp.local.", "G", ["not-an-ip"], 80, {}) is None


def test_http_and_https_of_one_device_listed_once() -> None:
    props = {b"UUID": b"1234", b"ty": b"MFP"}
    http = device_from_service(
        "_uscan._tcp.local.", "M._uscan._tcp.local.", ["192.0.2.9"], 80, props
    )
    https = device_from_service(
        "_uscans._tcp.local.", "M._uscans._tcp.local.", ["192.0.2.9"], 443, props
    )
    assert http is not None and https is not None
    assert [d.id for d in merge_services([https, http])] == ["escl:http://192.0.2.9:80/eSCL"]
    assert [d.id for d in merge_services([http, https], {"192.0.2.9:443"})] == [
        "escl:https://192.0.2.9:443/eSCL"
    ]


def test_driver_merges_discovery_and_survives_its_failure() -> None:
    found = device_from_service(
        "_uscan._tcp.local.", "N._uscan._tcp.local.", ["192.0.2.8"], 80, {b"ty": b"N"}
    )
    assert found is not None
    ok = EsclDriver(discover=lambda timeout: [found.device])
    assert [d.id for d in ok.list_devices(timeout=1)] == [found.device.id]

    def broken(timeout: float) -> list:
        raise OSError("multicast refused")

    assert EsclDriver(discover=broken).list_devices(timeout=1) == []
