"""Parse the content of a 2D-Doc (ANTS "cachet électronique visible"): header, fields, signature.

Structure (spec "Spécifications techniques des codes à barres 2D-Doc" v3.3.x, summarised in
the shared reference domain-ants.md §7): C40 header + message, then <US> (0x1F) and the
signature (Base32 from v02 on), then for v04 an optional unsigned annex. The signed bytes are
everything before <US>. Message fields are a 2-character id and a value; a fixed-length value
has no terminator, a variable one ends at <GS> (0x1D) or when it reaches its maximum length;
<RS> (0x1E) marks a value the issuer truncated.

Header (C40 text): "DC" + version(2) + CA id(4) + certificate id(4) + issue date(4 hex) +
signature date(4 hex) + document type(2) [+ perimeter(2) from v03] [+ country(2) from v04].
Dates count days since 2000-01-01 in hexadecimal; "FFFF" means no date.
Specimens (spec pages 225-226): a DC03 bill and a DC03 taxe d'habitation notice; a DC04 tax
notice (type 28, page 221).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

GS, RS, US = "\x1d", "\x1e", "\x1f"
_HEADER_LENGTH = {1: 22, 2: 22, 3: 24, 4: 26}
_EPOCH = dt.date(2000, 1, 1)

# Field id -> (min length, max length or None). Fixed when min == max.
# From the spec's field catalogue (perimeter 01), for the ids that proofs of address (00, 01,
# 02) and tax notices (04, 28) use, plus the common document ids 01-0D.
FIELD_LENGTHS: dict[str, tuple[int, int | None]] = {
    "01": (0, None),
    "02": (0, None),
    "03": (0, None),
    "04": (0, None),
    "05": (0, None),
    "06": (4, 4),
    "07": (6, 6),
    "08": (4, 4),
    "09": (4, 4),
    "0A": (9, 9),
    "0B": (9, 9),
    "0C": (0, None),
    "0D": (36, 36),
    "10": (0, 38),
    "11": (0, 38),
    "12": (0, 38),
    "13": (0, 38),
    "14": (0, 38),
    "15": (0, 38),
    "16": (0, 38),
    "17": (0, 38),
    "18": (0, None),
    "19": (0, None),
    "1A": (0, None),
    "1B": (0, None),
    "1C": (8, 8),
    "1D": (0, 16),
    "1E": (0, 30),
    "1F": (0, 30),
    "1G": (1, 1),
    "1H": (1, 1),
    "1I": (0, 38),
    "1J": (0, 38),
    "1K": (0, 38),
    "1L": (0, 38),
    "1M": (0, 38),
    "1N": (0, 38),
    "1O": (0, 38),
    "1P": (0, 38),
    "20": (0, 38),
    "21": (0, 38),
    "22": (0, 38),
    "23": (0, 38),
    "24": (5, 5),
    "25": (0, 32),
    "26": (2, 2),
    "27": (0, 38),
    "28": (0, 38),
    "29": (0, 38),
    "2A": (0, 38),
    "2B": (5, 5),
    "2C": (0, 32),
    "2D": (2, 2),
    "40": (13, 13),
    "41": (0, 12),
    "42": (0, None),
    "43": (1, 5),
    "44": (13, 13),
    "45": (4, 4),
    "46": (0, 38),
    "47": (13, 13),
    "48": (0, 38),
    "49": (13, 13),
    "4A": (8, 8),
    "4B": (8, 8),
    "4C": (8, 8),
    "4N": (0, 38),
    "4O": (0, 38),
    "4P": (5, 5),
    "4Q": (0, 32),
    "4R": (0, 30),
    "4S": (4, 4),
    "4V": (0, 10),
    "4W": (0, 10),
    "4X": (0, 10),
}
# Fields holding a date as hex days since 2000-01-01.
HEX_DATE_FIELDS = frozenset({"06", "08", "36", "37", "53", "54", "56"})

DOCUMENT_TYPES = {
    "00": "Justificatif de domicile",
    "01": "Facture (énergie, téléphonie, accès internet, eau)",
    "02": "Avis de taxe d'habitation",
    "04": "Avis d'impôt sur les revenus",
    "28": "Avis d'impôt sur les revenus",
}
ADDRESS_PROOF_TYPES = frozenset({"00", "01", "02", "04", "28"})


class TwoDDocFormatError(ValueError):
    """The content is not a 2D-Doc this reader understands (reason in English, for the log)."""


@dataclass(frozen=True)
class Header:
    version: int
    ca_id: str
    certificate_id: str
    issue_date: str | None
    signature_date: str | None
    document_type: str
    perimeter: str
    country: str | None
    length: int


@dataclass(frozen=True)
class TwoDDocContent:
    """A parsed 2D-Doc; `signed_data` and `signature` are what the verifier checks."""

    header: Header
    fields: dict[str, str]
    truncated: list[str]
    signed_data: bytes
    signature: bytes | None  # None when absent or not decodable
    annex: dict[str, str] = field(default_factory=dict)
    raw: bytes = b""

    def named(self) -> dict[str, Any]:
        return named_fields(self.header.document_type, self.fields)


def hex_date(text: str) -> str | None:
    """Days since 2000-01-01 in hex ('FFFF' = none) to an ISO date; None if not a date."""
    if len(text) != 4 or text.upper() == "FFFF":
        return None
    try:
        return (_EPOCH + dt.timedelta(days=int(text, 16))).isoformat()
    except (ValueError, OverflowError):
        return None


def to_hex_date(day: dt.date | None) -> str:
    return "FFFF" if day is None else f"{(day - _EPOCH).days:04X}"


def parse_header(text: str) -> Header:
    if not text.startswith("DC"):
        raise TwoDDocFormatError(f"no DC marker: {text[:4]!r}")
    if not text[2:4].isdigit():
        raise TwoDDocFormatError(f"bad version {text[2:4]!r}")
    version = int(text[2:4])
    if version not in _HEADER_LENGTH:
        raise TwoDDocFormatError(f"unsupported version {version}")
    length = _HEADER_LENGTH[version]
    if len(text) < length:
        raise TwoDDocFormatError("header too short")
    return Header(
        version=version,
        ca_id=text[4:8],
        certificate_id=text[8:12],
        issue_date=hex_date(text[12:16]),
        signature_date=hex_date(text[16:20]),
        document_type=text[20:22],
        perimeter=text[22:24] if version >= 3 else "01",
        country=text[24:26] if version >= 4 else None,
        length=length,
    )


def parse_fields(message: str) -> tuple[dict[str, str], list[str]]:
    """Fields of a C40 message. Unknown ids are kept, their value read up to the next <GS>."""
    fields: dict[str, str] = {}
    truncated: list[str] = []
    pos = 0
    while pos < len(message):
        if message[pos] in (GS, RS):
            pos += 1
            continue
        field_id = message[pos : pos + 2]
        pos += 2
        low, high = FIELD_LENGTHS.get(field_id, (0, None))
        if high is not None and low == high:
            value = message[pos : pos + high]
            pos += len(value)
            if pos < len(message) and message[pos] == GS:
                pos += 1  # some issuers terminate fixed fields too
        else:
            end = pos
            limit = len(message) if high is None else min(len(message), pos + high)
            while end < limit and message[end] not in (GS, RS):
                end += 1
            value = message[pos:end]
            if end < len(message) and message[end] == RS:
                truncated.append(field_id)
            pos = end + 1 if end < len(message) and message[end] in (GS, RS) else end
        key = field_id
        suffix = 2
        while key in fields:  # a repeated id is kept, not overwritten
            key = f"{field_id}#{suffix}"
            suffix += 1
        fields[key] = value
    return fields, truncated


def _base32(text: str) -> bytes | None:
    text = text.strip()
    if not text:
        return None
    try:
        return base64.b32decode(text + "=" * (-len(text) % 8))
    except (ValueError, binascii.Error):
        return None


def parse_content(raw: bytes) -> TwoDDocContent:
    """Parse the decoded bytes of a 2D-Doc DataMatrix."""
    if raw[:1] == b"\xdc":
        raise TwoDDocFormatError("binary (non-C40) header is not supported")
    text = raw.decode("latin-1")
    header = parse_header(text)
    us = text.find(US, header.length)
    annex: dict[str, str] = {}
    if us < 0:
        message, signature = text[header.length :], None
        signed = raw
    else:
        message = text[header.length : us]
        signed = raw[:us]
        tail = raw[us + 1 :]
        if header.version == 1:
            signature = tail or None  # v01 carries the signature as raw bytes
        else:
            tail_text = tail.decode("latin-1")
            b32 = tail_text
            for stop, char in enumerate(tail_text):
                if char not in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567=":
                    b32 = tail_text[:stop]
                    annex, _ = parse_fields(tail_text[stop:])
                    break
            signature = _base32(b32)
    fields, truncated = parse_fields(message)
    return TwoDDocContent(header, fields, truncated, signed, signature, annex, raw)


def _holder_from_line1(value: str) -> dict[str, str]:
    """Field 10/14 "QUALITE/NOM/PRENOM" (the '/' separators are optional)."""
    parts = [p.strip() for p in value.split("/")]
    if len(parts) == 3:
        return {"title": parts[0], "surname": parts[1], "given_name": parts[2]}
    if len(parts) == 2:
        return {"surname": parts[0], "given_name": parts[1]}
    return {}


def named_fields(document_type: str, fields: dict[str, str]) -> dict[str, Any]:
    """Holder, address lines, postal code, city, country, from whichever ids are present."""

    def first(*ids: str) -> str | None:
        for i in ids:
            if fields.get(i, "").strip():
                return fields[i].strip()
        return None

    holder = None
    holder_parts: dict[str, str] = {}
    line1 = first("10", "14")
    if line1:
        holder_parts = _holder_from_line1(line1)
        holder = " ".join(p for p in line1.replace("/", " ").split())
    elif first("13", "12"):
        holder = " ".join(x for x in (first("11"), first("13"), first("12")) if x)
        holder_parts = {
            k: v
            for k, v in (
                ("title", first("11")),
                ("surname", first("13")),
                ("given_name", first("12")),
            )
            if v
        }
    elif first("46", "4N"):
        holder = first("46", "4N")
    address_lines = [
        fields[i].strip() for i in ("20", "21", "22", "23") if fields.get(i, "").strip()
    ]
    postal_code = first("24")
    city = first("25")
    country = first("26")
    if not address_lines and not postal_code:
        address_lines = [
            fields[i].strip() for i in ("27", "28", "29", "2A") if fields.get(i, "").strip()
        ]
        postal_code, city, country = first("2B"), first("2C"), first("2D")
    if not address_lines and not postal_code and first("4O", "4P"):
        address_lines = [v for v in [first("4O")] if v]
        postal_code, city = first("4P"), first("4Q")
    if not address_lines and not postal_code and first("4Y"):
        # Tax notice V2 (type 28, spec specimen p.221): "4Y" holds the address as
        # "STREET/COMPLEMENT/POSTCODE/CITY". Read it only when it has that exact shape.
        parts = fields["4Y"].split("/")
        if len(parts) == 4 and parts[2].isdigit() and len(parts[2]) == 5:
            address_lines = [p for p in parts[:2] if p.strip()]
            postal_code, city = parts[2], parts[3]
    dates = {fid: hex_date(value) for fid, value in fields.items() if fid in HEX_DATE_FIELDS}
    return {
        "holder": holder,
        "holder_parts": holder_parts,
        "address_lines": address_lines,
        "postal_code": postal_code,
        "city": city,
        "address_country": country,
        "field_dates": dates,
        "document_label": DOCUMENT_TYPES.get(document_type),
    }


def build_content(
    *,
    ca_id: str,
    certificate_id: str,
    document_type: str,
    fields: list[tuple[str, str]],
    issue_date: dt.date | None = None,
    signature_date: dt.date | None = None,
    version: int = 4,
    perimeter: str = "01",
    country: str = "FR",
) -> bytes:
    """The signed part (header + message) of a C40 2D-Doc; used by tests and tools."""
    header = f"DC{version:02d}{ca_id}{certificate_id}{to_hex_date(issue_date)}"
    header += f"{to_hex_date(signature_date)}{document_type}"
    if version >= 3:
        header += perimeter
    if version >= 4:
        header += country
    body = ""
    for field_id, value in fields:
        low, high = FIELD_LENGTHS.get(field_id, (0, None))
        fixed = high is not None and low == high
        body += (
            field_id + value + ("" if fixed or (high is not None and len(value) == high) else GS)
        )
    return (header + body).encode("latin-1")


def assemble(signed: bytes, signature: bytes, version: int = 4) -> bytes:
    """Signed part + <US> + signature (Base32 without padding from v02 on)."""
    if version == 1:
        return signed + US.encode() + signature
    return signed + US.encode() + base64.b32encode(signature).rstrip(b"=")
