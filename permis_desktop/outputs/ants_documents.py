"""Recognising the PDFs ANTS issues for a dossier from their text: kind, date, numbers.

ANTS issues, for a category B registration, a récépissé de dépôt as soon as the request is
filed (the student may then train on the road) and an attestation d'inscription (equivalent
of Cerfa 02) once the request is instructed, to print recto/verso on one sheet and show the
examiner (seed/ leaflet; reference/domain-ants.md §5, §6). After the exam the candidate gets a
CEPC; a "recueil complémentaire" asks for missing pieces. The exact wording of these PDFs is
not published: recognition looks for their titles in the text (accents and case folded) and
keeps the kind whose title appears first, since a récépissé may mention the attestation
further down. A scanned PDF without text is "other" until the user says what it is.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from permis_desktop.errors import BadInput
from permis_desktop.textfold import fold

log = logging.getLogger(__name__)

RECEIPT = "receipt"
REGISTRATION_ATTESTATION = "registration_attestation"

KINDS: dict[str, str] = {
    RECEIPT: "Récépissé de dépôt",
    REGISTRATION_ATTESTATION: "Attestation d'inscription au permis de conduire",
    "exam_certificate": "Certificat d'examen du permis de conduire (CEPC)",
    "complement_request": "Demande de pièces complémentaires",
    "other": "Autre document ANTS",
}
# Kinds that must be printed recto/verso on one sheet (seed/: the attestation d'inscription).
DUPLEX_KINDS = frozenset({REGISTRATION_ATTESTATION})

# Titles, on folded text (lower case, no accents, apostrophes as spaces).
_TITLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (RECEIPT, re.compile(r"recepisse de depot")),
    (
        REGISTRATION_ATTESTATION,
        re.compile(r"attestation d inscription|\baipc\b|cerfa (n )?(ref )?02\b|14866"),
    ),
    ("exam_certificate", re.compile(r"certificat d examen du permis|\bcepc\b")),
    (
        "complement_request",
        re.compile(r"recueil complementaire|pieces? complementaires?|demande a completer"),
    ),
)
_MONTHS = {
    "janvier": 1,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "decembre": 12,
}
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b")
_WORD_DATE = re.compile(r"\b(\d{1,2})(?:er)? (" + "|".join(_MONTHS) + r") (\d{4})\b")
# Words just before a date that make it the document's date, or someone's birth date.
_DATE_CUES = re.compile(r"(depot|deposee?|delivre|edite|etabli|fait|date|le)\W*$")
_BIRTH_CUES = re.compile(r"(naissance|nee?|ne\(e\))\W*(le)?\W*$")
_REQUEST_NUMBER = re.compile(
    r"(?:numero|n ?o|n)\W{0,3}(?:de (?:la )?)?demande\W{0,3}((?=[a-z-]*\d)[a-z0-9][a-z0-9-]{5,29})"
)
_NEPH = re.compile(r"neph\D{0,20}((?:\d[ ]?){12})")

MAX_BYTES = 25 * 1024 * 1024


@dataclass(frozen=True)
class Recognised:
    kind: str
    issued_on: dt.date | None
    request_number: str | None = None
    neph: str | None = None
    matched: str = ""  # the title that decided the kind
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"matched": self.matched}
        if self.request_number:
            out["request_number"] = self.request_number
        if self.neph:
            out["neph"] = self.neph
        return out


@dataclass(frozen=True)
class PdfContent:
    pages: int
    text: str


def read_pdf(data: bytes, name: str = "le fichier") -> PdfContent:
    """Page count and text of a PDF; BadInput (French) for anything that is not a readable PDF."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if len(data) > MAX_BYTES:
        raise BadInput(
            f"{name} est trop volumineux ({len(data) // (1024 * 1024)} Mo) pour un document "
            "de l'ANTS : vérifiez qu'il s'agit du bon fichier."
        )
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise BadInput(
            f"{name} n'est pas un PDF : importez le PDF téléchargé sur le site de l'ANTS."
        )
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise BadInput(
                f"{name} est protégé par un mot de passe : téléchargez-le à nouveau depuis le "
                "site de l'ANTS sans protection."
            )
        pages = len(reader.pages)
        texts = []
        for page in reader.pages:
            try:
                texts.append(page.extract_text() or "")
            except Exception as exc:  # a page whose text cannot be read still imports
                log.warning("text of a page of %s unreadable: %s", name, exc)
    except BadInput:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        log.error("PDF %s unreadable: %s", name, exc)
        raise BadInput(
            f"{name} est un PDF endommagé ou illisible : téléchargez-le à nouveau."
        ) from exc
    if pages == 0:
        raise BadInput(f"{name} ne contient aucune page.")
    return PdfContent(pages, "\n".join(texts))


def _folded(text: str) -> str:
    text = text.replace("’", "'").replace("'", " ").replace("°", "o ")
    return fold(text)


def _dates(folded: str, today: dt.date) -> list[tuple[int, dt.date]]:
    found: list[tuple[int, dt.date]] = []
    for match in _NUMERIC_DATE.finditer(folded):
        day, month, year = int(match[1]), int(match[2]), int(match[3])
        _add_date(found, match.start(), year, month, day, today)
    for match in _WORD_DATE.finditer(folded):
        _add_date(found, match.start(), int(match[3]), _MONTHS[match[2]], int(match[1]), today)
    found.sort()
    return found


def _add_date(
    found: list[tuple[int, dt.date]], at: int, year: int, month: int, day: int, today: dt.date
) -> None:
    try:
        value = dt.date(year, month, day)
    except ValueError:
        return
    # ANTS documents are not dated in the future; 2017 is when the online procedures began.
    if dt.date(2017, 1, 1) <= value <= today + dt.timedelta(days=1):
        found.append((at, value))


def recognise(text: str, today: dt.date | None = None) -> Recognised:
    """Kind, date and numbers of an ANTS document from its extracted text."""
    today = today or dt.date.today()
    folded = _folded(text)
    kind, matched, first = "other", "", len(folded) + 1
    for candidate, pattern in _TITLES:
        hit = pattern.search(folded)
        if hit and hit.start() < first:
            kind, matched, first = candidate, hit.group(0), hit.start()
    issued: dt.date | None = None
    plain: list[dt.date] = []
    for at, value in _dates(folded, today):
        before = folded[max(0, at - 30) : at]
        if _BIRTH_CUES.search(before):
            continue
        if issued is None and _DATE_CUES.search(before):
            issued = value
        plain.append(value)
    if issued is None and plain:
        issued = max(plain)  # birth dates aside, the latest date is the document's
    request = _REQUEST_NUMBER.search(folded)
    neph = _NEPH.search(folded)
    return Recognised(
        kind=kind,
        issued_on=issued,
        request_number=request.group(1).upper() if request else None,
        neph=neph.group(1).replace(" ", "") if neph else None,
        matched=matched,
    )
