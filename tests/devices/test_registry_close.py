"""DeviceRegistry.close releases what drivers hold, and survives a driver that fails."""

from __future__ import annotations

from permis_desktop.scan.devices.registry import DeviceRegistry


class _Driver:
    def __init__(self, name: str, fail: bool = False) -> None:
        self.name = name
        self.fail = fail
        self.closed = 0

    def close(self) -> None:
        self.closed += 1
        if self.fail:
            raise RuntimeError("COM already gone")


class _NoClose:
    name = "escl"


def test_close_reaches_every_driver_that_holds_something() -> None:
    wia, broken, escl = _Driver("wia"), _Driver("other", fail=True), _NoClose()
    registry = DeviceRegistry([wia, broken, escl])  # type: ignore[list-item]
    registry.close()
    assert wia.closed == 1 and broken.closed == 1
