"""Scanner settings per piece kind ("profiles"), preset sensibly and editable.

Cards (identity documents, residence permits, licences) are small, coloured and carry fine
print and 2D-Doc codes: the flatbed, in colour, at 300 dpi (the pipeline's minimum for
cards, scan/formats.py). Sheets (bills, certificates, attestations) are A4 and mostly text:
the feeder, in gray, at 200 dpi (the pipeline's A4 target; 150 dpi is its minimum). NAPS2
keeps such saved settings as "profiles" (reference/capture-and-sync.md §1.1); here there is
one per piece kind, stored as JSON in the `capture.scan_profiles` setting, so the choice a
desk makes for, say, medical opinions is kept on that workstation.

Qt-free: the scan dialog and the tests use it alike.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from typing import Any

from permis_desktop.scan.devices.base import COLOR_MODES, SOURCES, ScanRequest
from permis_desktop.scan.formats import format_for

log = logging.getLogger(__name__)

SETTING = "capture.scan_profiles"


@dataclass(frozen=True)
class ScanProfile:
    source: str
    dpi: int
    color_mode: str

    def request(self) -> ScanRequest:
        return ScanRequest(source=self.source, dpi=self.dpi, color_mode=self.color_mode)  # type: ignore[arg-type]


CARD_PRESET = ScanProfile(source="flatbed", dpi=300, color_mode="color")
SHEET_PRESET = ScanProfile(source="feeder", dpi=200, color_mode="gray")


def preset_for(kind: str) -> ScanProfile:
    return CARD_PRESET if format_for(kind).identity else SHEET_PRESET


def _stored(settings: Any) -> dict[str, Any]:
    raw = str(settings.get(SETTING) or "").strip()
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        log.warning("setting %s is not JSON; presets are used", SETTING)
        return {}
    return data if isinstance(data, dict) else {}


def _valid(value: Any) -> ScanProfile | None:
    if not isinstance(value, dict):
        return None
    try:
        profile = ScanProfile(
            source=str(value["source"]), dpi=int(value["dpi"]), color_mode=str(value["color_mode"])
        )
    except (KeyError, TypeError, ValueError):
        return None
    if profile.source not in SOURCES or profile.color_mode not in COLOR_MODES:
        return None
    if not 25 <= profile.dpi <= 2400:
        return None
    return profile


def profile_for(settings: Any, kind: str) -> ScanProfile:
    """The saved profile of `kind` on this workstation, else the preset."""
    return _valid(_stored(settings).get(kind)) or preset_for(kind)


def save_profile(settings: Any, kind: str, profile: ScanProfile) -> None:
    data = _stored(settings)
    if profile == preset_for(kind):
        data.pop(kind, None)
    else:
        data[kind] = asdict(profile)
    settings.set(SETTING, json.dumps(data, sort_keys=True))


def is_customised(settings: Any, kind: str) -> bool:
    return _valid(_stored(settings).get(kind)) is not None
