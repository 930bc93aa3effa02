"""eSCL (AirScan / Mopria) XML: read ScannerCapabilities and ScannerStatus, write ScanSettings.

Element names follow the eSCL schema as implemented by sane-airscan (`airscan-escl.c`) and
NAPS2 (`NAPS2.Escl/Client/CapabilitiesParser.cs`): the `scan:` namespace is HP's 2011 eSCL
schema, the `pwg:` namespace the PWG semantic model. Lengths are in 1/300 inch
(`escl:ThreeHundredthsOfInches`). The XML comes from a device on the local network; Python's
expat (>= 2.4.1, bundled with CPython 3.11) refuses entity-expansion bombs.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from permis_desktop.scan.devices.base import (
    COLOR_MODES,
    Capabilities,
    ColorMode,
    DeviceError,
    Source,
)

log = logging.getLogger(__name__)

NS = {
    "scan": "http://schemas.hp.com/imaging/escl/2011/05/03",
    "pwg": "http://www.pwg.org/schemas/2010/12/sm",
}
ET.register_namespace("scan", NS["scan"])
ET.register_namespace("pwg", NS["pwg"])

THREE_HUNDREDTHS_PER_MM = 300 / 25.4

# eSCL colour modes → ours. RGB48/Grayscale16 are accepted but never asked for.
_COLOR_MODES: dict[str, ColorMode] = {
    "RGB24": "color",
    "RGB48": "color",
    "Grayscale8": "gray",
    "Grayscale16": "gray",
    "BlackAndWhite1": "bw",
}
_PREFERRED_MODE = {"color": "RGB24", "gray": "Grayscale8", "bw": "BlackAndWhite1"}


class BadEsclReply(DeviceError):
    default_message = (
        "Le scanner a envoyé une réponse incompréhensible. Redémarrez-le puis relancez."
    )


@dataclass(frozen=True)
class InputCaps:
    """One source's capabilities (Platen, ADF simplex, ADF duplex)."""

    color_modes: tuple[str, ...]  # eSCL names, e.g. "RGB24"
    resolutions: tuple[int, ...]
    formats: tuple[str, ...]
    max_width: int  # 1/300 inch
    max_height: int


@dataclass(frozen=True)
class EsclCapabilities:
    make_and_model: str
    uuid: str
    version: str
    inputs: dict[Source, InputCaps] = field(default_factory=dict)

    def to_capabilities(self) -> Capabilities:
        modes: set[ColorMode] = set()
        resolutions: set[int] = set()
        formats: list[str] = []
        for caps in self.inputs.values():
            modes.update(_COLOR_MODES[m] for m in caps.color_modes if m in _COLOR_MODES)
            resolutions.update(caps.resolutions)
            formats.extend(f for f in caps.formats if f not in formats)
        width = max((c.max_width for c in self.inputs.values()), default=0)
        height = max((c.max_height for c in self.inputs.values()), default=0)
        return Capabilities(
            sources=tuple(s for s in ("flatbed", "feeder", "duplex") if s in self.inputs),
            resolutions=tuple(sorted(resolutions)),
            color_modes=tuple(m for m in COLOR_MODES if m in modes),
            formats=tuple(formats),
            max_width_mm=round(width / THREE_HUNDREDTHS_PER_MM, 1) if width else None,
            max_height_mm=round(height / THREE_HUNDREDTHS_PER_MM, 1) if height else None,
        )


@dataclass(frozen=True)
class EsclStatus:
    state: str  # pwg:State: Idle, Processing, Testing, Stopped, Down
    adf_state: str  # scan:AdfState, e.g. ScannerAdfLoaded, ScannerAdfEmpty, ScannerAdfJam


def _parse(data: bytes, what: str) -> ET.Element:
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        log.warning("bad eSCL %s XML: %s; starts with %r", what, exc, data[:200])
        raise BadEsclReply() from None


def _text(node: ET.Element | None, path: str, default: str = "") -> str:
    if node is None:
        return default
    found = node.find(path, NS)
    return (found.text or "").strip() if found is not None and found.text else default


def _int(node: ET.Element, path: str, default: int = 0) -> int:
    try:
        return int(_text(node, path, str(default)))
    except ValueError:
        return default


def _input_caps(node: ET.Element) -> InputCaps:
    modes: list[str] = []
    formats: list[str] = []
    resolutions: set[int] = set()
    for profile in node.iterfind("scan:SettingProfiles/scan:SettingProfile", NS):
        for mode in profile.iterfind("scan:ColorModes/scan:ColorMode", NS):
            if mode.text and mode.text.strip() not in modes:
                modes.append(mode.text.strip())
        for tag in ("pwg:DocumentFormat", "scan:DocumentFormatExt"):
            for fmt in profile.iterfind(f"scan:DocumentFormats/{tag}", NS):
                if fmt.text and fmt.text.strip() not in formats:
                    formats.append(fmt.text.strip())
        supported = profile.find("scan:SupportedResolutions", NS)
        if supported is None:
            continue
        for res in supported.iterfind("scan:DiscreteResolutions/scan:DiscreteResolution", NS):
            x, y = _int(res, "scan:XResolution"), _int(res, "scan:YResolution")
            if x and (not y or x == y):
                resolutions.add(x)
        for rng in supported.iterfind("scan:ResolutionRange/scan:XResolutionRange", NS):
            low, high = _int(rng, "scan:Min"), _int(rng, "scan:Max")
            resolutions.update(
                d for d in (75, 100, 150, 200, 300, 400, 600, 1200) if low <= d <= high
            )
    return InputCaps(
        color_modes=tuple(modes),
        resolutions=tuple(sorted(resolutions)),
        formats=tuple(formats),
        max_width=_int(node, "scan:MaxWidth"),
        max_height=_int(node, "scan:MaxHeight"),
    )


def parse_capabilities(data: bytes) -> EsclCapabilities:
    root = _parse(data, "ScannerCapabilities")
    inputs: dict[Source, InputCaps] = {}
    platen = root.find("scan:Platen/scan:PlatenInputCaps", NS)
    if platen is not None:
        inputs["flatbed"] = _input_caps(platen)
    adf = root.find("scan:Adf", NS)
    if adf is not None:
        simplex = adf.find("scan:AdfSimplexInputCaps", NS)
        duplex = adf.find("scan:AdfDuplexInputCaps", NS)
        if simplex is not None:
            inputs["feeder"] = _input_caps(simplex)
        if duplex is not None:
            inputs["duplex"] = _input_caps(duplex)
        elif simplex is not None and any(
            (o.text or "").strip() == "Duplex"
            for o in adf.iterfind("scan:AdfOptions/scan:AdfOption", NS)
        ):
            # Some devices only flag duplex in AdfOptions and reuse the simplex caps.
            inputs["duplex"] = inputs["feeder"]
    if not inputs:
        # sane-airscan treats a device with neither platen nor ADF as broken.
        log.warning("eSCL capabilities without Platen or Adf: %r", data[:300])
        raise BadEsclReply(
            "Le scanner ne déclare ni vitre ni chargeur. Redémarrez-le puis relancez."
        )
    return EsclCapabilities(
        make_and_model=_text(root, "pwg:MakeAndModel"),
        uuid=_text(root, "scan:UUID"),
        version=_text(root, "pwg:Version", "2.0"),
        inputs=inputs,
    )


def parse_status(data: bytes) -> EsclStatus:
    root = _parse(data, "ScannerStatus")
    return EsclStatus(state=_text(root, "pwg:State"), adf_state=_text(root, "scan:AdfState"))


def choose_color_mode(caps: InputCaps, wanted: ColorMode) -> tuple[str, ColorMode]:
    """The eSCL mode to ask for, and what it means; falls back gray → color when missing."""
    for mode in (wanted, "gray", "color"):
        name = _PREFERRED_MODE[mode]
        if name in caps.color_modes:
            return name, mode
    for name in caps.color_modes:
        if name in _COLOR_MODES:
            return name, _COLOR_MODES[name]
    return _PREFERRED_MODE[wanted], wanted


def choose_format(caps: InputCaps) -> str:
    """JPEG when possible (one page per NextDocument); else PDF, else whatever is offered."""
    for fmt in ("image/jpeg", "application/pdf", "image/png"):
        if fmt in caps.formats:
            return fmt
    return caps.formats[0] if caps.formats else "image/jpeg"


def scan_settings_xml(
    *,
    version: str,
    source: Source,
    color_mode: str,
    dpi: int,
    document_format: str,
    width: int,
    height: int,
) -> bytes:
    """The body of POST ScanJobs: the whole scan area of the chosen source."""
    s, p = NS["scan"], NS["pwg"]
    root = ET.Element(f"{{{s}}}ScanSettings")
    ET.SubElement(root, f"{{{p}}}Version").text = version or "2.0"
    ET.SubElement(root, f"{{{s}}}Intent").text = "Document"
    regions = ET.SubElement(root, f"{{{p}}}ScanRegions", {f"{{{p}}}MustHonor": "false"})
    region = ET.SubElement(regions, f"{{{p}}}ScanRegion")
    ET.SubElement(region, f"{{{p}}}ContentRegionUnits").text = "escl:ThreeHundredthsOfInches"
    ET.SubElement(region, f"{{{p}}}XOffset").text = "0"
    ET.SubElement(region, f"{{{p}}}YOffset").text = "0"
    ET.SubElement(region, f"{{{p}}}Width").text = str(width)
    ET.SubElement(region, f"{{{p}}}Height").text = str(height)
    ET.SubElement(root, f"{{{p}}}InputSource").text = "Platen" if source == "flatbed" else "Feeder"
    if source != "flatbed":
        ET.SubElement(root, f"{{{s}}}Duplex").text = "true" if source == "duplex" else "false"
    ET.SubElement(root, f"{{{s}}}ColorMode").text = color_mode
    ET.SubElement(root, f"{{{s}}}XResolution").text = str(dpi)
    ET.SubElement(root, f"{{{s}}}YResolution").text = str(dpi)
    ET.SubElement(root, f"{{{p}}}DocumentFormat").text = document_format
    ET.SubElement(root, f"{{{s}}}DocumentFormatExt").text = document_format
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root)


@dataclass(frozen=True)
class ParsedScanSettings:
    """What a ScanSettings body asks for (used by the device simulator in the tests)."""

    source: str
    duplex: bool
    color_mode: str
    dpi: int
    document_format: str
    width: int  # 1/300 inch; 0 when absent
    height: int


def parse_scan_settings(data: bytes) -> ParsedScanSettings:
    root = _parse(data, "ScanSettings")
    return ParsedScanSettings(
        source=_text(root, "pwg:InputSource", "Platen"),
        duplex=_text(root, "scan:Duplex", "false").lower() == "true",
        color_mode=_text(root, "scan:ColorMode", "RGB24"),
        dpi=_int(root, "scan:XResolution", 300),
        document_format=_text(root, "scan:DocumentFormatExt")
        or _text(root, "pwg:DocumentFormat", "image/jpeg"),
        width=_int(root, "pwg:ScanRegions/pwg:ScanRegion/pwg:Width"),
        height=_int(root, "pwg:ScanRegions/pwg:ScanRegion/pwg:Height"),
    )
