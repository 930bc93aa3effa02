"""eSCL XML: capabilities in the shapes real devices send, status, and the ScanSettings we post."""

from __future__ import annotations

import pytest

from permis_desktop.scan.devices.escl_messages import (
    BadEsclReply,
    InputCaps,
    choose_color_mode,
    choose_format,
    parse_capabilities,
    parse_scan_settings,
    parse_status,
    scan_settings_xml,
)

HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<scan:ScannerCapabilities xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm" '
    'xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03">'
)

# Shaped like an HP OfficeJet answer: discrete resolutions, DocumentFormatExt, an ADF with
# duplex capabilities of its own.
HP_LIKE = (
    HEADER
    + """
<pwg:Version>2.6</pwg:Version><pwg:MakeAndModel>HP OfficeJet Pro 8020 series</pwg:MakeAndModel>
<scan:UUID>1c852a4d-b800-1f08-abcd-083e8e1a2b3c</scan:UUID>
<scan:Platen><scan:PlatenInputCaps>
 <scan:MinWidth>8</scan:MinWidth><scan:MaxWidth>2550</scan:MaxWidth>
 <scan:MinHeight>8</scan:MinHeight><scan:MaxHeight>3508</scan:MaxHeight>
 <scan:SettingProfiles><scan:SettingProfile>
  <scan:ColorModes><scan:ColorMode>Grayscale8</scan:ColorMode><scan:ColorMode>RGB24</scan:ColorMode></scan:ColorModes>
  <scan:DocumentFormats><pwg:DocumentFormat>application/pdf</pwg:DocumentFormat>
   <pwg:DocumentFormat>image/jpeg</pwg:DocumentFormat>
   <scan:DocumentFormatExt>application/pdf</scan:DocumentFormatExt></scan:DocumentFormats>
  <scan:SupportedResolutions><scan:DiscreteResolutions>
   <scan:DiscreteResolution><scan:XResolution>75</scan:XResolution><scan:YResolution>75</scan:YResolution></scan:DiscreteResolution>
   <scan:DiscreteResolution><scan:XResolution>300</scan:XResolution><scan:YResolution>300</scan:YResolution></scan:DiscreteResolution>
   <scan:DiscreteResolution><scan:XResolution>600</scan:XResolution><scan:YResolution>1200</scan:YResolution></scan:DiscreteResolution>
  </scan:DiscreteResolutions></scan:SupportedResolutions>
 </scan:SettingProfile></scan:SettingProfiles>
</scan:PlatenInputCaps></scan:Platen>
<scan:Adf>
 <scan:AdfSimplexInputCaps><scan:MaxWidth>2550</scan:MaxWidth><scan:MaxHeight>4200</scan:MaxHeight>
  <scan:SettingProfiles><scan:SettingProfile>
   <scan:ColorModes><scan:ColorMode>RGB24</scan:ColorMode></scan:ColorModes>
   <scan:DocumentFormats><pwg:DocumentFormat>image/jpeg</pwg:DocumentFormat></scan:DocumentFormats>
   <scan:SupportedResolutions><scan:DiscreteResolutions>
    <scan:DiscreteResolution><scan:XResolution>200</scan:XResolution><scan:YResolution>200</scan:YResolution></scan:DiscreteResolution>
   </scan:DiscreteResolutions></scan:SupportedResolutions>
  </scan:SettingProfile></scan:SettingProfiles>
 </scan:AdfSimplexInputCaps>
 <scan:AdfDuplexInputCaps><scan:MaxWidth>2550</scan:MaxWidth><scan:MaxHeight>3508</scan:MaxHeight>
  <scan:SettingProfiles><scan:SettingProfile>
   <scan:ColorModes><scan:ColorMode>RGB24</scan:ColorMode></scan:ColorModes>
   <scan:DocumentFormats><pwg:DocumentFormat>image/jpeg</pwg:DocumentFormat></scan:DocumentFormats>
  </scan:SettingProfile></scan:SettingProfiles>
 </scan:AdfDuplexInputCaps>
</scan:Adf>
</scan:ScannerCapabilities>"""
)

# ADF only, a resolution range, duplex flagged only in AdfOptions.
RANGE_ADF_ONLY = (
    HEADER
    + """
<pwg:Version>2.0</pwg:Version><pwg:MakeAndModel>Sheetfed 100</pwg:MakeAndModel>
<scan:Adf><scan:AdfSimplexInputCaps><scan:MaxWidth>2550</scan:MaxWidth><scan:MaxHeight>3508</scan:MaxHeight>
 <scan:SettingProfiles><scan:SettingProfile>
  <scan:ColorModes><scan:ColorMode>BlackAndWhite1</scan:ColorMode><scan:ColorMode>Grayscale8</scan:ColorMode></scan:ColorModes>
  <scan:DocumentFormats><pwg:DocumentFormat>image/jpeg</pwg:DocumentFormat></scan:DocumentFormats>
  <scan:SupportedResolutions><scan:ResolutionRange>
   <scan:XResolutionRange><scan:Min>100</scan:Min><scan:Max>400</scan:Max><scan:Step>1</scan:Step></scan:XResolutionRange>
   <scan:YResolutionRange><scan:Min>100</scan:Min><scan:Max>400</scan:Max><scan:Step>1</scan:Step></scan:YResolutionRange>
  </scan:ResolutionRange></scan:SupportedResolutions>
 </scan:SettingProfile></scan:SettingProfiles></scan:AdfSimplexInputCaps>
 <scan:AdfOptions><scan:AdfOption>DetectPaperLoaded</scan:AdfOption><scan:AdfOption>Duplex</scan:AdfOption></scan:AdfOptions>
</scan:Adf></scan:ScannerCapabilities>"""
)


def test_hp_like_capabilities() -> None:
    caps = parse_capabilities(HP_LIKE.encode())
    assert caps.make_and_model == "HP OfficeJet Pro 8020 series"
    assert caps.version == "2.6"
    assert set(caps.inputs) == {"flatbed", "feeder", "duplex"}
    platen = caps.inputs["flatbed"]
    # 600 × 1200 is not a square resolution: left out.
    assert platen.resolutions == (75, 300)
    assert platen.formats == ("application/pdf", "image/jpeg")
    assert platen.color_modes == ("Grayscale8", "RGB24")
    assert caps.inputs["feeder"].max_height == 4200
    summary = caps.to_capabilities()
    assert summary.sources == ("flatbed", "feeder", "duplex")
    assert summary.resolutions == (75, 200, 300)
    assert summary.color_modes == ("color", "gray")
    assert summary.max_width_mm == pytest.approx(215.9)
    assert summary.max_height_mm == pytest.approx(355.6)


def test_adf_only_range_and_duplex_option() -> None:
    caps = parse_capabilities(RANGE_ADF_ONLY.encode())
    assert set(caps.inputs) == {"feeder", "duplex"}
    assert caps.inputs["feeder"].resolutions == (100, 150, 200, 300, 400)
    assert caps.to_capabilities().color_modes == ("gray", "bw")


def test_unusable_capabilities() -> None:
    with pytest.raises(BadEsclReply, match="ni vitre ni chargeur"):
        parse_capabilities(
            (HEADER + "<pwg:Version>2.0</pwg:Version></scan:ScannerCapabilities>").encode()
        )
    with pytest.raises(BadEsclReply, match="incompréhensible"):
        parse_capabilities(b"<html><body>Login required")


def test_status() -> None:
    status = parse_status(
        b'<scan:ScannerStatus xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03" '
        b'xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm"><pwg:State>Processing</pwg:State>'
        b"<scan:AdfState>ScannerAdfJam</scan:AdfState></scan:ScannerStatus>"
    )
    assert (status.state, status.adf_state) == ("Processing", "ScannerAdfJam")


def test_scan_settings_round_trip() -> None:
    body = scan_settings_xml(
        version="2.6",
        source="duplex",
        color_mode="Grayscale8",
        dpi=300,
        document_format="image/jpeg",
        width=2550,
        height=3508,
    )
    assert b"<pwg:InputSource>Feeder</pwg:InputSource>" in body
    assert b"escl:ThreeHundredthsOfInches" in body
    parsed = parse_scan_settings(body)
    assert (
        parsed.source,
        parsed.duplex,
        parsed.color_mode,
        parsed.dpi,
        parsed.document_format,
    ) == ("Feeder", True, "Grayscale8", 300, "image/jpeg")
    platen = parse_scan_settings(
        scan_settings_xml(
            version="2.0",
            source="flatbed",
            color_mode="RGB24",
            dpi=150,
            document_format="application/pdf",
            width=2550,
            height=3508,
        )
    )
    assert (platen.source, platen.duplex) == ("Platen", False)


def test_mode_and_format_choices() -> None:
    gray_only = InputCaps(
        color_modes=("Grayscale8",),
        resolutions=(300,),
        formats=("application/pdf",),
        max_width=2550,
        max_height=3508,
    )
    assert choose_color_mode(gray_only, "color") == ("Grayscale8", "gray")
    assert choose_color_mode(gray_only, "bw") == ("Grayscale8", "gray")
    assert choose_format(gray_only) == "application/pdf"
    full = InputCaps(
        color_modes=("RGB24", "BlackAndWhite1"),
        resolutions=(300,),
        formats=("application/pdf", "image/jpeg"),
        max_width=1,
        max_height=1,
    )
    assert choose_color_mode(full, "bw") == ("BlackAndWhite1", "bw")
    assert choose_format(full) == "image/jpeg"


def test_entity_bomb_is_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
        b'<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">'
        b'<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">'
        b'<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">'
        b'<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">'
        b'<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">'
        b']><scan:ScannerStatus xmlns:scan="x">&lol8;</scan:ScannerStatus>'
    )
    with pytest.raises(BadEsclReply):
        parse_status(bomb)
