"""The real WIA boundary: the WIA 2.0 automation objects (`WIA.DeviceManager`) through pywin32.

Imported only on Windows (`registry.py` checks `sys.platform`). Kept as thin as possible:
every decision is in `wia_driver.py`, tested on every OS with a fake of this layer. What is
left here (Dispatch, property lookup, Transfer, com_error unwrapping) runs only on a
Windows desk with a scanner and is not exercised by the test suite.

Automation layer reference: Microsoft "WIA Automation Layer" (DeviceManager.DeviceInfos,
DeviceInfo.Connect, Item.Properties, Item.Transfer(FormatID) → ImageFile.FileData.BinaryData).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import pythoncom
import pywintypes
import win32com.client

from permis_desktop.scan.devices.wia_driver import (
    WIA_S_NO_DEVICE_AVAILABLE,
    WiaComError,
    WiaDeviceRecord,
    WiaItem,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

SCANNER_DEVICE_TYPE = 1
DISP_E_EXCEPTION = 0x80020009


def _unwrap(fn: Callable[[], T]) -> T:
    """Run a COM call; a com_error becomes WiaComError with the driver's own HRESULT."""
    try:
        return fn()
    except pywintypes.com_error as exc:
        hresult = int(exc.args[0]) & 0xFFFFFFFF
        excepinfo = exc.args[2] if len(exc.args) > 2 else None
        if hresult == DISP_E_EXCEPTION and excepinfo and excepinfo[5]:
            hresult = int(excepinfo[5]) & 0xFFFFFFFF  # the scode the driver raised
        raise WiaComError(hresult, str(exc.args[1] if len(exc.args) > 1 else "")) from None


def _find(properties: Any, prop_id: int) -> Any:
    for prop in properties:
        if int(prop.PropertyID) == prop_id:
            return prop
    return None


class _Item:
    def __init__(self, com_item: Any) -> None:
        self._item = com_item
        self.name = str(
            _unwrap(lambda: _find(com_item.Properties, 4098).Value) or ""
        )  # WIA_IPA_ITEM_NAME

    def get_property(self, prop_id: int) -> Any:
        prop = _unwrap(lambda: _find(self._item.Properties, prop_id))
        return None if prop is None else _unwrap(lambda: prop.Value)

    def constraint(self, prop_id: int) -> tuple[str, Any] | None:
        prop = _unwrap(lambda: _find(self._item.Properties, prop_id))
        if prop is None:
            return None
        subtype = int(_unwrap(lambda: prop.SubType))
        if subtype == 1:  # RangeSubType
            return "range", (int(prop.SubTypeMin), int(prop.SubTypeMax), int(prop.SubTypeStep))
        if subtype == 2:  # ListSubType
            return "list", [int(v) for v in _unwrap(lambda: list(prop.SubTypeValues))]
        return None

    def set_property(self, prop_id: int, value: Any) -> None:
        prop = _unwrap(lambda: _find(self._item.Properties, prop_id))
        if prop is None:
            raise WiaComError(0x80070490, f"property {prop_id} not found")  # E_ELEMENT_NOT_FOUND

        def assign() -> None:
            prop.Value = value

        _unwrap(assign)

    def transfer(self, format_id: str) -> bytes:
        image_file = _unwrap(lambda: self._item.Transfer(format_id))
        return bytes(_unwrap(lambda: image_file.FileData.BinaryData))


class _Device:
    def __init__(self, com_device: Any) -> None:
        self._device = com_device

    def get_property(self, prop_id: int) -> Any:
        prop = _unwrap(lambda: _find(self._device.Properties, prop_id))
        return None if prop is None else _unwrap(lambda: prop.Value)

    def set_property(self, prop_id: int, value: Any) -> None:
        prop = _unwrap(lambda: _find(self._device.Properties, prop_id))
        if prop is None:
            raise WiaComError(0x80070490, f"property {prop_id} not found")

        def assign() -> None:
            prop.Value = value

        _unwrap(assign)

    def items(self) -> list[WiaItem]:
        return [_Item(item) for item in _unwrap(lambda: list(self._device.Items))]


class Win32WiaCom:
    """`WiaCom` over pywin32. Call every method from the one COM thread."""

    def initialize(self) -> None:
        pythoncom.CoInitializeEx(pythoncom.COINIT_APARTMENTTHREADED)

    def uninitialize(self) -> None:
        pythoncom.CoUninitialize()

    def _infos(self) -> list[Any]:
        manager = _unwrap(lambda: win32com.client.Dispatch("WIA.DeviceManager"))
        return _unwrap(lambda: list(manager.DeviceInfos))

    def scanners(self) -> list[WiaDeviceRecord]:
        records = []
        for info in self._infos():
            if int(info.Type) != SCANNER_DEVICE_TYPE:
                continue
            name = _find(info.Properties, 7)  # WIA_DIP_DEV_NAME
            vendor = _find(info.Properties, 3)  # WIA_DIP_VEND_DESC
            records.append(
                WiaDeviceRecord(
                    id=str(info.DeviceID),
                    name=str(name.Value) if name is not None else str(info.DeviceID),
                    manufacturer=str(vendor.Value) if vendor is not None else "",
                )
            )
        return records

    def connect(self, device_id: str) -> _Device:
        for info in self._infos():
            if str(info.DeviceID) == device_id:
                return _Device(_unwrap(info.Connect))
        raise WiaComError(WIA_S_NO_DEVICE_AVAILABLE, f"no WIA device {device_id}")
