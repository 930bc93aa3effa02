"""The device registry and the package's public API, as the capture UI will use them."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import permis_desktop.scan.devices as devices
from permis_desktop.errors import BadInput
from permis_desktop.scan.devices import (
    CancelToken,
    DeviceInfo,
    DeviceRegistry,
    FeederEmptyOrJam,
    ScanRequest,
    collect_pages,
    confirm_certificate,
    read_pins,
)
from permis_desktop.scan.devices.escl_driver import EsclDriver, RetryPolicy
from permis_desktop.settings import Settings

from .escl_sim import Faults, Simulator


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(feeder_pages=4) as simulator:
        yield simulator


def test_every_exported_name_resolves() -> None:
    for name in devices.__all__:
        assert getattr(devices, name) is not None
    with pytest.raises(AttributeError):
        devices.NoSuchThing  # noqa: B018


def test_importing_the_package_stays_light() -> None:
    code = (
        "import sys, permis_desktop.scan.devices as d; "
        "print(int('httpx' in sys.modules), int('sane' in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "0"]


def test_collect_pages_hands_each_page_over_and_keeps_them_on_error(sim: Simulator) -> None:
    sim.faults = Faults(conflict_after=3)
    registry = DeviceRegistry([EsclDriver(retry=RetryPolicy(first_delay=0.001))])
    handed: list[int] = []
    outcome = collect_pages(
        registry.scan(sim.device_id, ScanRequest(source="feeder", dpi=75), cancel=CancelToken()),
        on_page=lambda page: handed.append(page.index),
    )
    assert handed == [1, 2, 3]
    assert [p.index for p in outcome.pages] == [1, 2, 3]
    assert isinstance(outcome.error, FeederEmptyOrJam) and not outcome.cancelled


def test_cancelled_outcome(sim: Simulator) -> None:
    registry = DeviceRegistry([EsclDriver()])
    cancel = CancelToken()
    outcome = collect_pages(
        registry.scan(sim.device_id, ScanRequest(source="feeder", dpi=75), cancel=cancel),
        on_page=lambda page: cancel.cancel(),
    )
    assert outcome.cancelled and len(outcome.pages) == 1


def test_routing_and_unknown_drivers(sim: Simulator) -> None:
    registry = DeviceRegistry([EsclDriver()])
    assert registry.capabilities(sim.device_id).sources == ("flatbed", "feeder", "duplex")
    with pytest.raises(BadInput, match="Windows"):
        registry.driver_for("wia:{1234}\\0000")
    with pytest.raises(BadInput, match="Identifiant"):
        registry.driver_for("twain:1")


def test_list_devices_skips_a_failing_driver(sim: Simulator) -> None:
    class Broken:
        name = "sane"

        def list_devices(self, timeout: float = 3.0) -> list:
            raise RuntimeError("backend crashed")

    registry = DeviceRegistry([Broken(), EsclDriver(manual_urls=(sim.base_url,))])  # type: ignore[list-item]
    assert [d.id for d in registry.list_devices(timeout=0)] == [sim.device_id]


def test_platform_registry_from_settings(sim: Simulator, tmp_path: Path) -> None:
    settings = Settings(tmp_path / "settings.json")
    settings.set("capture.escl_addresses", f"escl:{sim.base_url}, ")
    registry = DeviceRegistry.for_platform(settings)
    expected = {"sane", "escl"} if sys.platform != "win32" else {"wia", "escl"}
    assert set(registry.drivers) == expected
    ids = [d.id for d in registry.list_devices(timeout=0)]
    assert sim.device_id in ids


def test_confirmed_certificates_round_trip(tmp_path: Path) -> None:
    settings = Settings(tmp_path / "settings.json")
    assert read_pins(settings) == {}
    confirm_certificate(settings, "192.0.2.7:443", "ab" * 32)
    again = Settings(tmp_path / "settings.json")
    assert read_pins(again) == {"192.0.2.7:443": ":".join(["AB"] * 32)}
    again.set("capture.escl_trusted_certs", "not json")
    assert read_pins(again) == {}


def test_sane_views_of_escl_scanners_are_listed_once(sim: Simulator) -> None:
    class SaneWithAirscan:
        name = "sane"

        def list_devices(self, timeout: float = 3.0) -> list[DeviceInfo]:
            return [
                DeviceInfo(id=f"sane:{n}", driver="sane", name=n)
                for n in (
                    "airscan:e0:Brother MFC",
                    "escl:http://192.0.2.3:80",
                    "airscan:w1:Kyocera WSD",
                    "epson2:libusb:001:004",
                )
            ]

    registry = DeviceRegistry([SaneWithAirscan(), EsclDriver(manual_urls=(sim.base_url,))])  # type: ignore[list-item]
    assert [d.id for d in registry.list_devices(timeout=0)] == [
        "sane:airscan:w1:Kyocera WSD",
        "sane:epson2:libusb:001:004",
        sim.device_id,
    ]


def test_a_hung_driver_does_not_hold_the_list(sim: Simulator) -> None:
    release = threading.Event()

    class Hung:
        name = "sane"

        def list_devices(self, timeout: float = 3.0) -> list[DeviceInfo]:
            release.wait(30)
            return []

    registry = DeviceRegistry([Hung(), EsclDriver(manual_urls=(sim.base_url,))])  # type: ignore[list-item]
    registry.LIST_GRACE = 1.5
    try:
        assert [d.id for d in registry.list_devices(timeout=0)] == [sim.device_id]
    finally:
        release.set()
