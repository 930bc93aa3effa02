"""Find, decode, parse and verify the 2D-Doc of a proof of address (image or PDF, e.g. an e-bill).

The DataMatrix is decoded with zxing-cpp (maintained, wheels for Windows, macOS and Linux);
PDF pages are rendered at 300 dpi or more (the 2D-Doc specification's minimum for readers).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from permis_desktop.errors import OperationFailed
from permis_desktop.scan.recognize.pages import (
    PDF_DPI,
    Cancel,
    Gray,
    Progress,
    check_cancel,
    iter_pages,
)
from permis_desktop.scan.recognize.twoddoc_parse import (
    TwoDDocContent,
    TwoDDocFormatError,
    parse_content,
)
from permis_desktop.scan.recognize.twoddoc_trust import UNSUPPORTED, TrustStore, Verdict

log = logging.getLogger(__name__)

NO_2DDOC_MESSAGE = (
    "Aucun 2D-Doc trouvé dans ce document. Numérisez la page qui porte le code carré "
    "(à 300 ppp au moins) ou vérifiez les informations à la main."
)


@dataclass(frozen=True)
class TwoDDocResult:
    """The `permis read-2ddoc` report (DESIGN.md), as a plain dataclass for the wizard."""

    version: int
    ca_id: str
    certificate_id: str
    document_type: str
    perimeter: str
    country: str | None
    issue_date: str | None
    signature_date: str | None
    fields: dict[str, str]
    postal_code: str | None
    city: str | None
    address_lines: list[str]
    holder: str | None
    signature: str  # valid | invalid | unknown_certificate | unsupported
    signature_reason: str
    holder_parts: dict[str, str] = field(default_factory=dict)
    address_country: str | None = None
    document_label: str | None = None
    truncated_fields: list[str] = field(default_factory=list)
    annex: dict[str, str] = field(default_factory=dict)
    page: int = 1
    trust_list_date: str | None = None
    field_dates: dict[str, str | None] = field(default_factory=dict)  # hex-date fields, ISO

    @property
    def document_date(self) -> str | None:
        """The date the 6-month rule applies to: the issue date, else the signature date."""
        return self.issue_date or self.signature_date

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "ca_id": self.ca_id,
            "certificate_id": self.certificate_id,
            "document_type": self.document_type,
            "perimeter": self.perimeter,
            "country": self.country,
            "issue_date": self.issue_date,
            "signature_date": self.signature_date,
            "fields": dict(self.fields),
            "postal_code": self.postal_code,
            "city": self.city,
            "address_lines": list(self.address_lines),
            "holder": self.holder,
            "signature": self.signature,
            "signature_reason": self.signature_reason,
            "holder_parts": dict(self.holder_parts),
            "address_country": self.address_country,
            "document_label": self.document_label,
            "document_date": self.document_date,
            "truncated_fields": list(self.truncated_fields),
            "annex": dict(self.annex),
            "page": self.page,
            "trust_list_date": self.trust_list_date,
            "field_dates": dict(self.field_dates),
        }


def decode_datamatrix(page: Gray) -> list[bytes]:
    """Payloads of every DataMatrix found on a grayscale page."""
    import zxingcpp

    found: list[bytes] = []
    attempts = [page]
    if max(page.shape) > 3600:  # big photos: zxing is faster and as good on a half-size copy
        import cv2

        attempts.append(cv2.resize(page, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA))
    for image in attempts:
        results = zxingcpp.read_barcodes(
            np.ascontiguousarray(image),
            formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.DataMatrix),
            try_rotate=True,
            try_downscale=True,
        )
        found = [bytes(r.bytes) for r in results if r.valid and r.bytes]
        if found:
            break
    return found


def result_from_content(
    content: TwoDDocContent, verdict: Verdict, page: int = 1, trust_list_date: str | None = None
) -> TwoDDocResult:
    h = content.header
    named = content.named()
    return TwoDDocResult(
        version=h.version,
        ca_id=h.ca_id,
        certificate_id=h.certificate_id,
        document_type=h.document_type,
        perimeter=h.perimeter,
        country=h.country,
        issue_date=h.issue_date,
        signature_date=h.signature_date,
        fields=dict(content.fields),
        postal_code=named["postal_code"],
        city=named["city"],
        address_lines=named["address_lines"],
        holder=named["holder"],
        signature=verdict.signature,
        signature_reason=verdict.reason,
        holder_parts=named["holder_parts"],
        address_country=named["address_country"],
        document_label=named["document_label"],
        truncated_fields=list(content.truncated),
        annex=dict(content.annex),
        page=page,
        trust_list_date=trust_list_date,
        field_dates=named["field_dates"],
    )


def read_payload(raw: bytes, trust: TrustStore, page: int = 1) -> TwoDDocResult:
    """Parse and verify one decoded 2D-Doc payload. Raises TwoDDocFormatError if not a 2D-Doc."""
    content = parse_content(raw)
    if content.header.version == 1 and content.signature is None:
        verdict = Verdict(UNSUPPORTED, "2D-Doc version 01 : signature non séparable, non vérifiée.")
    else:
        verdict = trust.verify(content)
    log.info(
        "2D-Doc %s-%s type %s: %s",
        content.header.ca_id,
        content.header.certificate_id,
        content.header.document_type,
        verdict.signature,
    )
    return result_from_content(content, verdict, page, trust.tsl_issue_date)


def read_2ddoc(
    source: str | Path | bytes,
    *,
    trust_store: TrustStore | None = None,
    trust_dir: str | Path | None = None,
    cache_dir: str | Path | None = None,
    dpi: int = PDF_DPI,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> TwoDDocResult:
    """Read the first 2D-Doc of an image or PDF. Raises OperationFailed (French) if none."""
    trust = trust_store or TrustStore.load(trust_dir, cache_dir)
    seen_other = False
    for index, page in enumerate(iter_pages(source, dpi=max(dpi, PDF_DPI)), start=1):
        check_cancel(cancel)
        if progress:
            progress(0.0, f"Recherche du 2D-Doc, page {index}")
        for raw in decode_datamatrix(page):
            try:
                return read_payload(raw, trust, index)
            except TwoDDocFormatError as exc:
                seen_other = True
                log.info("DataMatrix on page %d is not a 2D-Doc: %s", index, exc)
    if progress:
        progress(1.0, "Aucun 2D-Doc")
    if seen_other:
        raise OperationFailed("Le code trouvé n'est pas un 2D-Doc lisible. " + NO_2DDOC_MESSAGE)
    raise OperationFailed(NO_2DDOC_MESSAGE)
