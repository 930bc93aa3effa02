"""Read what is printed on a piece once its pages are attached: the MRZ of an identity
document, the 2D-Doc of a proof of address.

The desk calls `RecognitionService.recognise_piece` after pages were attached to one of the
pieces in `READ_KINDS` (import, scan or photo). The reader (`scan.recognize`) runs on the
piece's originals first (untouched, full resolution, no identity watermark), then on the
processed pages. One transaction then stores what was read in `Piece.recognised` and, when
the reading can be trusted, the dates the checklist rules use:

- an identity document whose MRZ checks all pass gives the piece its expiry date (the
  F31057 expiry rules, procedures/pieces.py) and its document type when the MRZ says it
  unambiguously;
- a proof of address whose 2D-Doc signature was verified gives the piece its issue date
  (the 6-month rule, F31847) and its document type (bill, tax notice).

A date typed by the desk is never overwritten silently: it is left as typed and shown as a
mismatch beside the value read, for the user to choose. The comparison rows (`compare_rows`)
are computed from the stored reading and the facts as typed, so the wizard can recompute them
against its unsaved facts; `apply_choices` writes the chosen values into a facts document,
one field at a time through the facts parser, so a value the parser refuses is reported and
never saved.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from permis_desktop.errors import BadInput, OperationFailed, PermisError
from permis_desktop.models.entities import Dossier, Piece, utcnow
from permis_desktop.procedures.facts import FactsError, parse_facts

log = logging.getLogger(__name__)

# The person each identity piece belongs to (facts document keys).
IDENTITY_PERSON = {
    "identity": "applicant",
    "guardian_identity": "legal_representative",
    "host_identity": "host",
}
ADDRESS_KINDS = ("proof_of_address",)
READ_KINDS = (*IDENTITY_PERSON, *ADDRESS_KINDS)

MRZ, TWODDOC = "mrz", "2ddoc"
# Fields each person accepts in the facts document (procedures/facts.py): the legal
# representative and the host have no nationality there.
_PERSON_FIELDS = {
    "applicant": ("birth_name", "usage_name", "given_names", "birth_date", "sex", "nationality"),
    "legal_representative": ("birth_name", "usage_name", "given_names", "birth_date", "sex"),
    "host": ("birth_name", "usage_name", "given_names", "birth_date", "sex"),
}
LABELS = {
    "birth_name": "Nom de naissance",
    "usage_name": "Nom d'usage",
    "given_names": "Prénoms",
    "birth_date": "Date de naissance",
    "sex": "Sexe",
    "nationality": "Nationalité",
    "number": "Numéro du document",
    "expires": "Date d'expiration",
    "issued": "Date du document",
    "holder": "Titulaire",
    "address.line1": "Adresse",
    "address.line2": "Complément d'adresse",
    "address.postal_code": "Code postal",
    "address.city": "Commune",
}
# 2D-Doc document types (2D-Doc specification, table of types) to the piece's types.
_2DDOC_TYPES = {"01": "bill", "02": "tax_notice", "04": "tax_notice", "28": "tax_notice"}
# ICAO 9303-3 §5: Germany is "D<<" in an MRZ, not an ISO 3166 code.
_ICAO_TO_ISO = {"D": "DEU"}

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]


@dataclass(frozen=True)
class ComparisonRow:
    """One line of the "read vs typed" dialog.

    `path` is where the value goes in the facts document (`applicant.birth_name`,
    `pieces.identity.expires`) or None when it cannot be written there (the document
    number, a holder's name). `value` is the facts form of the value read."""

    field: str
    label: str
    read: str | None
    typed: str | None
    match: bool
    path: str | None
    value: Any = None

    @property
    def fillable(self) -> bool:
        return self.path is not None and self.value not in (None, "", [])

    @property
    def empty(self) -> bool:
        return not self.typed


@dataclass(frozen=True)
class RecognitionOutcome:
    dossier_id: str
    kind: str
    source: str  # mrz | 2ddoc
    found: bool
    message: str  # French, for the piece row: what was read, or why nothing was
    level: str  # ok | warning | error
    recognised: dict[str, Any]
    issued: str | None
    expires: str | None
    document_type: str | None
    rows: list[ComparisonRow] = field(default_factory=list)
    dates_set: list[str] = field(default_factory=list)  # piece dates this reading wrote
    # Piece dates an earlier reading (of other pages) wrote and this one cannot vouch for.
    dates_cleared: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Applied:
    facts: dict[str, Any]
    applied: list[str]
    refused: dict[str, str]  # path -> French reason


def source_of(kind: str) -> str:
    if kind in IDENTITY_PERSON:
        return MRZ
    if kind in ADDRESS_KINDS:
        return TWODDOC
    raise BadInput(f"Aucune lecture automatique pour la pièce « {kind} ».")


def pages_key(pages: Iterable[Any]) -> list[str]:
    """What a reading was made from: the pages' originals and processed files, in order."""
    return [f"{p.original_sha256}:{p.processed_sha256 or ''}" for p in pages]


# -- reading -----------------------------------------------------------------------------------


class RecognitionService:
    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx

    def trust_store(self) -> Any:
        from permis_desktop.scan.recognize import TrustStore

        extra = str(self.ctx.settings.get("recognition.trust_store") or "").strip()
        return TrustStore.load(extra or None, self.ctx.paths.cache / "2ddoc")

    def recognise_piece(
        self,
        dossier_id: str,
        kind: str,
        progress: Progress | None = None,
        cancel: Cancel | None = None,
    ) -> RecognitionOutcome:
        """Read the piece's pages, store the reading and the trusted dates, compare."""
        from permis_desktop.services.dossiers import DossierService

        source = source_of(kind)
        with self.ctx.db.transaction() as session:
            dossier = _dossier(session, dossier_id)
            dossier_id = dossier.id
            piece = next((p for p in dossier.pieces if p.kind == kind), None)
            if piece is None or not piece.pages:
                raise BadInput("Cette pièce n'a pas encore de pages à lire.")
            key = pages_key(piece.pages)
            candidates = _candidates(piece.pages)
        recognised: dict[str, Any] = {"source": source, "pages": key}
        try:
            if source == MRZ:
                recognised[MRZ] = self._read_mrz(candidates, progress, cancel).to_json()
            else:
                recognised[TWODDOC] = self._read_2ddoc(candidates, progress, cancel).to_json()
        except PermisError as exc:
            from permis_desktop.scan.recognize import Cancelled

            if isinstance(exc, Cancelled):
                raise
            recognised["error"] = str(exc)
        recognised["read_at"] = utcnow().isoformat(timespec="seconds") + "Z"

        with self.ctx.db.transaction() as session:
            dossier = _dossier(session, dossier_id)
            piece = next((p for p in dossier.pieces if p.kind == kind), None)
            if piece is None or pages_key(piece.pages) != key:
                # Pages changed while reading: the reading belongs to pages that are gone.
                raise OperationFailed("Les pages ont changé pendant la lecture : relancez-la.")
            dates_set, dates_cleared = _store(piece, recognised)
            if dates_set or dates_cleared:
                dossier.version += 1
                dossier.updated_at = utcnow()
            issued = piece.issued.isoformat() if piece.issued else None
            expires = piece.expires.isoformat() if piece.expires else None
            document_type = piece.document_type
        DossierService(self.ctx.db).refresh_list_columns(dossier_id)
        facts = DossierService(self.ctx.db).get(dossier_id).facts
        message, level = describe(kind, recognised)
        log.info(
            "dossier %s piece %s: %s read (%s)%s",
            dossier_id,
            kind,
            source,
            level,
            f", set {', '.join(dates_set)}" if dates_set else "",
        )
        return RecognitionOutcome(
            dossier_id=dossier_id,
            kind=kind,
            source=source,
            found="error" not in recognised,
            message=message,
            level=level,
            recognised=recognised,
            issued=issued,
            expires=expires,
            document_type=document_type,
            rows=compare_rows(kind, recognised, facts),
            dates_set=dates_set,
            dates_cleared=dates_cleared,
        )

    def _read_mrz(
        self, candidates: list[str], progress: Progress | None, cancel: Cancel | None
    ) -> Any:
        from permis_desktop.scan.recognize import read_mrz

        best = None
        failure: PermisError | None = None
        for index, sha in enumerate(candidates):
            if progress:
                progress(index, len(candidates), "Lecture de la bande MRZ…")
            try:
                result = read_mrz(self.ctx.blobs.get(sha), cancel=cancel)
            except (OperationFailed, BadInput) as exc:
                failure = exc
                continue
            if best is None or (result.valid and not best.valid):
                best = result
            if best.valid:
                break
        if best is None:
            raise failure or OperationFailed("Aucune bande MRZ lisible sur ce document.")
        return best

    def _read_2ddoc(
        self, candidates: list[str], progress: Progress | None, cancel: Cancel | None
    ) -> Any:
        from permis_desktop.scan.recognize import read_2ddoc

        trust = self.trust_store()
        failure: PermisError | None = None
        for index, sha in enumerate(candidates):
            if progress:
                progress(index, len(candidates), "Recherche du 2D-Doc…")
            try:
                return read_2ddoc(self.ctx.blobs.get(sha), trust_store=trust, cancel=cancel)
            except (OperationFailed, BadInput) as exc:
                failure = exc
        raise failure or OperationFailed("Aucun 2D-Doc trouvé dans ce document.")

    def apply(self, dossier_id: str, kind: str, fields: Sequence[str]) -> Applied:
        """Headless form of the dialog's buttons: write the chosen fields read on the piece
        into the stored facts (fields named as in `ComparisonRow.field`)."""
        from permis_desktop.services.dossiers import DossierService

        service = DossierService(self.ctx.db)
        detail = service.get(dossier_id)
        piece = next((p for p in detail.pieces if p.kind == kind), None)
        if piece is None or not piece.recognised:
            raise BadInput("Cette pièce n'a pas été lue : rien à reprendre.")
        rows = [r for r in compare_rows(kind, piece.recognised, detail.facts) if r.field in fields]
        applied = apply_choices(detail.facts, rows)
        if applied.applied:
            service.update(detail.id, applied.facts)
        return applied


def _dossier(session: Any, dossier_id: str) -> Dossier:
    from permis_desktop.services.pieces import _load_dossier

    return _load_dossier(session, dossier_id)


def _candidates(pages: Sequence[Any]) -> list[str]:
    """Blobs to read, best first: each original once (full resolution, no watermark), then
    each processed page once (cropped and straightened)."""
    seen: list[str] = []
    for sha in [p.original_sha256 for p in pages] + [p.processed_sha256 for p in pages]:
        if sha and sha not in seen:
            seen.append(sha)
    return seen


def _store(piece: Piece, recognised: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Write the reading, and the dates it can be trusted for, into the piece. Returns the
    dates set and the dates cleared (written by an earlier reading of other pages, which
    this reading cannot vouch for)."""
    previous = dict(piece.recognised or {})
    set_before = previous.get("set") or {}
    dates_set: list[str] = []
    cleared: list[str] = []
    wanted = trusted_dates(piece.kind, recognised)
    for name in ("issued", "expires"):
        current = getattr(piece, name)
        if name not in wanted and current and current.isoformat() == set_before.get(name):
            setattr(piece, name, None)
            cleared.append(name)
    for name, value in wanted.items():
        current = getattr(piece, name)
        current_iso = current.isoformat() if current else None
        # Empty, or written by an earlier reading of this piece (a new document replaces
        # it): ours to set. Anything else was typed: left for the user to choose.
        if current_iso is None or current_iso == set_before.get(name):
            if current_iso != value:
                setattr(piece, name, dt.date.fromisoformat(value))
            dates_set.append(name)
    kept = {n: wanted[n] for n in dates_set}
    doc_type = document_type_of(piece.kind, recognised)
    if doc_type and (not piece.document_type or piece.document_type == set_before.get("type")):
        piece.document_type = doc_type
        kept["type"] = doc_type
    recognised["set"] = kept
    piece.recognised = recognised
    piece.updated_at = utcnow()
    return dates_set, cleared


def trusted_dates(kind: str, recognised: dict[str, Any]) -> dict[str, str]:
    """The piece dates a reading may set by itself: the MRZ expiry when every check digit
    passed, the 2D-Doc date when its signature was verified."""
    mrz = recognised.get(MRZ)
    if kind in IDENTITY_PERSON and mrz and mrz.get("valid") and mrz.get("expiry_date"):
        return {"expires": str(mrz["expiry_date"])}
    doc = recognised.get(TWODDOC)
    if kind in ADDRESS_KINDS and doc and doc.get("signature") == "valid":
        when = doc.get("issue_date") or doc.get("signature_date")
        if when:
            return {"issued": str(when)}
    return {}


def document_type_of(kind: str, recognised: dict[str, Any]) -> str | None:
    """The piece's document type when the reading says it without doubt."""
    mrz = recognised.get(MRZ)
    if kind in IDENTITY_PERSON and mrz and mrz.get("valid"):
        fmt, doc_type, country = (
            mrz.get("format"),
            str(mrz.get("document_type") or ""),
            mrz.get("country"),
        )
        if fmt == "FR_ID_1988" or (fmt == "TD1" and doc_type.startswith("ID") and country == "FRA"):
            return "cni"
        if fmt == "TD1" and doc_type.startswith("IR"):
            return "residence_permit"
        # France has issued only biometric passports since 2009; a foreign passport may
        # still be non-biometric (2-year grace, F31057): the user chooses.
        if fmt == "TD3" and doc_type.startswith("P") and country == "FRA":
            return "passport_biometric"
        return None
    doc = recognised.get(TWODDOC)
    if kind in ADDRESS_KINDS and doc and doc.get("signature") == "valid":
        return _2DDOC_TYPES.get(str(doc.get("document_type")))
    return None


# -- describing and comparing ------------------------------------------------------------------

_VERDICTS = {
    "valid": "2D-Doc vérifié",
    "invalid": "2D-Doc non vérifié : signature invalide, le document a pu être modifié",
    "unknown_certificate": "2D-Doc non vérifié : certificat de l'émetteur inconnu",
    "unsupported": "2D-Doc non vérifié : type de signature non pris en charge",
}


def french_date(iso: str | None) -> str:
    if not iso:
        return ""
    parts = str(iso).split("-")
    return f"{parts[2]}/{parts[1]}/{parts[0]}" if len(parts) == 3 else str(iso)


def describe(kind: str, recognised: dict[str, Any]) -> tuple[str, str]:
    """The line shown on the piece row: (French text, level ok|warning|error)."""
    if recognised.get("error"):
        return str(recognised["error"]), "error"
    mrz = recognised.get(MRZ)
    if mrz is not None:
        number = mrz.get("document_number") or "?"
        if not mrz.get("valid"):
            failed = [n for n, ok in (mrz.get("checks") or {}).items() if not ok]
            return (
                f"Bande MRZ lue avec des doutes (contrôles en échec : {', '.join(failed)}) : "
                "vérifiez les valeurs ou refaites la numérisation."
            ), "warning"
        text = f"Bande MRZ lue : document n° {number}"
        if mrz.get("expiry_date"):
            text += f", expire le {french_date(mrz['expiry_date'])}"
        elif mrz.get("format") == "FR_ID_1988":
            text += " (ancienne carte : saisissez sa date d'expiration)"
        return text + ".", "ok"
    doc = recognised.get(TWODDOC)
    if doc is not None:
        signature = str(doc.get("signature"))
        text = _VERDICTS.get(signature, f"2D-Doc non vérifié ({signature})")
        if signature != "valid" and doc.get("signature_reason"):
            text += f" ({str(doc['signature_reason']).rstrip('.')})"
        when = doc.get("issue_date") or doc.get("signature_date")
        if when:
            text += f" — daté du {french_date(when)}"
        label = doc.get("document_label")
        if label:
            text += f" — {label}"
        return text + ".", "ok" if signature == "valid" else "warning"
    return "Lecture sans résultat.", "error"


def _mrz_result(data: dict[str, Any]) -> Any:
    from permis_desktop.scan.recognize import MrzResult

    names = {f.name for f in dataclasses.fields(MrzResult)}
    values = {k: v for k, v in data.items() if k in names}
    values["uncertain"] = [tuple(u) for u in values.get("uncertain") or []]
    return MrzResult(**values)


def _twoddoc_result(data: dict[str, Any]) -> Any:
    from permis_desktop.scan.recognize import TwoDDocResult

    names = {f.name for f in dataclasses.fields(TwoDDocResult)}
    return TwoDDocResult(**{k: v for k, v in data.items() if k in names})


def _person_of(facts: dict[str, Any], kind: str) -> tuple[str, dict[str, Any]]:
    if kind in IDENTITY_PERSON:
        who = IDENTITY_PERSON[kind]
    else:
        hosted = bool((facts.get("applicant") or {}).get("hosted"))
        who = "host" if hosted else "applicant"
    return who, dict(facts.get(who) or {})


def _piece_facts(facts: dict[str, Any], kind: str) -> dict[str, Any]:
    return next((dict(p) for p in facts.get("pieces") or [] if p.get("kind") == kind), {})


def _display(field_name: str, value: Any) -> str | None:
    if value in (None, "", []):
        return None
    if field_name in ("birth_date", "expires", "issued"):
        return french_date(str(value))
    if field_name == "sex":
        return {"F": "Féminin", "M": "Masculin"}.get(str(value), str(value))
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _street_and_complement(result: Any) -> tuple[str | None, str | None]:
    """The 2D-Doc's address as the facts want it: line 1 the street, line 2 the rest.

    Address ids follow the postal standard's lines (2D-Doc specification, ids 20-23, NF Z10-011):
    20 and 21 the complement (flat, building), 22 the number and street, 23 the locality."""
    fields = result.fields or {}
    if fields.get("22", "").strip():
        rest = [fields[i].strip() for i in ("20", "21", "23") if fields.get(i, "").strip()]
        return fields["22"].strip(), ", ".join(rest) or None
    lines = list(result.address_lines)
    if not lines:
        return None, None
    return lines[0], ", ".join(lines[1:]) or None


def _same_text(a: str | None, b: str | None) -> bool:
    from permis_desktop.textfold import fold

    def norm(text: str | None) -> str:
        return " ".join("".join(c if c.isalnum() else " " for c in fold(text or "")).split())

    return bool(a) and bool(b) and norm(a) == norm(b)


def compare_rows(
    kind: str, recognised: dict[str, Any], facts: dict[str, Any]
) -> list[ComparisonRow]:
    """Value read beside value typed, field by field, with where each value would go."""
    from permis_desktop.scan.recognize import compare_2ddoc, compare_identity_piece, compare_mrz

    who, person = _person_of(facts, kind)
    piece = _piece_facts(facts, kind)
    rows: list[ComparisonRow] = []
    if recognised.get(MRZ):
        result = _mrz_result(recognised[MRZ])
        allowed = _PERSON_FIELDS[who]
        for cmp in compare_mrz(result, person):
            value: Any = cmp.read
            if cmp.field == "given_names":
                value = list(result.given_names)
            elif cmp.field == "nationality" and cmp.read:
                value = _ICAO_TO_ISO.get(cmp.read.rstrip("<"), cmp.read)
            elif cmp.field == "sex" and cmp.read not in ("F", "M"):
                value = None
            path = f"{who}.{cmp.field}" if cmp.field in allowed else None
            typed = person.get(cmp.field)
            rows.append(
                ComparisonRow(
                    cmp.field,
                    LABELS.get(cmp.field, cmp.field),
                    _display(cmp.field, value if cmp.field != "nationality" else cmp.read),
                    _display(cmp.field, typed),
                    cmp.match,
                    path,
                    value,
                )
            )
        for cmp in compare_identity_piece(result, piece):
            if cmp.field == "number":  # not part of the facts: shown for information
                rows.append(
                    ComparisonRow("number", LABELS["number"], cmp.read, None, True, None, None)
                )
                continue
            rows.append(
                ComparisonRow(
                    cmp.field,
                    LABELS[cmp.field],
                    _display(cmp.field, cmp.read),
                    _display(cmp.field, cmp.typed),
                    cmp.match,
                    f"pieces.{kind}.{cmp.field}" if cmp.read else None,
                    cmp.read,
                )
            )
        return rows
    if recognised.get(TWODDOC):
        result = _twoddoc_result(recognised[TWODDOC])
        address = dict((facts.get("applicant") or {}).get("address") or {})
        for cmp in compare_2ddoc(result, person, address):
            if cmp.field == "holder":
                rows.append(
                    ComparisonRow("holder", LABELS["holder"], cmp.read, cmp.typed, cmp.match, None)
                )
                continue
            if cmp.field == "address.line1":
                street, complement = _street_and_complement(result)
                rows.append(
                    ComparisonRow(
                        cmp.field,
                        LABELS[cmp.field],
                        street,
                        address.get("line1") or None,
                        cmp.match,
                        "applicant.address.line1" if street else None,
                        street,
                    )
                )
                if complement:
                    typed_line2 = address.get("line2") or None
                    rows.append(
                        ComparisonRow(
                            "address.line2",
                            LABELS["address.line2"],
                            complement,
                            typed_line2,
                            _same_text(complement, typed_line2),
                            "applicant.address.line2",
                            complement,
                        )
                    )
                continue
            rows.append(
                ComparisonRow(
                    cmp.field,
                    LABELS[cmp.field],
                    cmp.read,
                    cmp.typed,
                    cmp.match,
                    f"applicant.{cmp.field}" if cmp.read else None,
                    cmp.read,
                )
            )
        when = result.document_date
        typed_issued = piece.get("issued")
        rows.append(
            ComparisonRow(
                "issued",
                LABELS["issued"],
                _display("issued", when),
                _display("issued", typed_issued),
                bool(when) and when == typed_issued,
                f"pieces.{kind}.issued" if when else None,
                when,
            )
        )
    return rows


def mismatches(kind: str, recognised: dict[str, Any], facts: dict[str, Any]) -> dict[str, str]:
    """Facts paths typed differently from a trusted reading -> French warning, for the
    fields' message lines. Empty typed fields are not mismatches (the dialog offers them)."""
    if kind in IDENTITY_PERSON:
        mrz = recognised.get(MRZ)
        if not mrz or not mrz.get("valid"):
            return {}
        what = "la bande MRZ de la pièce d'identité"
    else:
        doc = recognised.get(TWODDOC)
        if not doc:
            return {}
        what = "le 2D-Doc du justificatif de domicile"
    out: dict[str, str] = {}
    for row in compare_rows(kind, recognised, facts):
        if row.match or not row.typed or not row.read:
            continue
        if row.field == "holder":
            who, _person = _person_of(facts, kind)
            path = f"{who}.birth_name"
            text = (
                f"Le justificatif de domicile est au nom de « {row.read} » : vérifiez le titulaire."
            )
            out.setdefault(path, text)
            continue
        if row.path is None or row.path.startswith("pieces."):
            continue
        out[row.path] = f"Différent de {what} : « {row.read} »."
    return out


# -- applying ----------------------------------------------------------------------------------


def _set_piece(facts: dict[str, Any], kind: str, name: str, value: Any) -> None:
    pieces = facts.setdefault("pieces", [])
    entry = next((p for p in pieces if p.get("kind") == kind), None)
    if entry is None:
        entry = {"kind": kind}
        pieces.append(entry)
    entry[name] = value


def _set(facts: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    if parts[0] == "pieces":
        _set_piece(facts, parts[1], parts[2], value)
        return
    node = facts
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[parts[-1]] = value


def apply_choices(facts: dict[str, Any], rows: Iterable[ComparisonRow]) -> Applied:
    """A copy of `facts` with each row's value written at its path. Each value goes through
    the facts parser alone: one the parser refuses is left out and reported."""
    out = copy.deepcopy(facts)
    applied: list[str] = []
    refused: dict[str, str] = {}
    for row in rows:
        if not row.fillable or row.path is None:
            continue
        trial = copy.deepcopy(out)
        _set(trial, row.path, copy.deepcopy(row.value))
        try:
            parse_facts(trial)
        except FactsError as exc:
            refused[row.path] = str(exc)
            log.info("value read for %s refused by the facts parser: %s", row.path, exc)
            continue
        out = trial
        applied.append(row.path)
    return Applied(out, applied, refused)


def rows_to_fill(rows: Iterable[ComparisonRow]) -> list[ComparisonRow]:
    """ "Remplir les champs vides": every row with a value read and nothing typed."""
    return [r for r in rows if r.fillable and r.empty]


def stored_reading(pieces: Iterable[Any], kind: str) -> dict[str, Any]:
    """The reading kept on a dossier's piece (`PieceInfo.recognised`), or {}."""
    piece = next((p for p in pieces if p.kind == kind), None)
    return dict(piece.recognised or {}) if piece is not None else {}


def is_current(recognised: dict[str, Any], pages: Iterable[Any]) -> bool:
    """Whether a stored reading was made from the piece's current pages."""
    return bool(recognised) and recognised.get("pages") == pages_key(pages)


__all__ = [
    "ADDRESS_KINDS",
    "IDENTITY_PERSON",
    "READ_KINDS",
    "Applied",
    "ComparisonRow",
    "RecognitionOutcome",
    "RecognitionService",
    "apply_choices",
    "compare_rows",
    "describe",
    "is_current",
    "mismatches",
    "rows_to_fill",
]
