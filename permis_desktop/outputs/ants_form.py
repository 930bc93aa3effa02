"""The dossier's data in the order of the ANTS online form, field by field.

The filing assistant shows these fields with a copy button each, the kit's data sheet (PDF
and JSON) prints them, and the JSON reads back into the same facts document, so that nothing
typed at the desk is lost on the way to the portal.

The order of the steps follows the ANTS online form as a school tutorial shows it: motif →
état civil → adresse et contact → photo et signature → pièces justificatives
([WEAK] doczz "tutoriel permis de conduire en ligne", reference/domain-ants.md §5). The order
of the fields inside a step and their exact labels are [UNCONFIRMED] (§9): they follow the
Cerfa 02 / 06 data model of §6. Every fact has a field: facts the table below does not name
land in a last "Autres informations" step rather than being dropped.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from permis_desktop.outputs import people
from permis_desktop.outputs.pdfbase import SchoolInfo, short_date
from permis_desktop.procedures.catalog import (
    PIECE_KINDS,
    PROCEDURES,
    TRAINING_KINDS,
    TRAINING_MODES,
)

DATASHEET_FORMAT = "permis-desktop/ants-datasheet"
DATASHEET_VERSION = 1


@dataclass(frozen=True)
class FormField:
    """One field of the ANTS form: `path` in the facts document (None for data that is not a
    fact, such as the school's approval number), the JSON `value`, and `text`, what to type
    or copy into the portal."""

    key: str
    label: str
    text: str
    value: Any = None
    path: str | None = None
    optional: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "label": self.label, "text": self.text}
        if self.path is not None:
            out["path"] = self.path
            out["value"] = self.value
        if self.optional:
            out["optional"] = True
        return out


@dataclass(frozen=True)
class FormPiece:
    """One piece to upload, in the order the form asks for them."""

    position: int
    kind: str
    label: str
    filename: str | None  # the kit's file, None when there is nothing to upload (e-photo)
    facts: dict[str, Any] = field(default_factory=dict)  # kind, document_type, dates
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "kind": self.kind,
            "label": self.label,
            "file": self.filename,
            "facts": self.facts,
            "note": self.note,
        }


@dataclass(frozen=True)
class FormStep:
    id: str
    title: str
    fields: tuple[FormField, ...]
    pieces: tuple[FormPiece, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "fields": [f.to_json() for f in self.fields],
        }
        if self.id == "pieces":
            out["pieces"] = [p.to_json() for p in self.pieces]
        return out


# -- how values read ----------------------------------------------------------------------------


def _yes_no(value: Any) -> str:
    return "Oui" if value else "Non"


def _sex(value: Any) -> str:
    return {"F": "Féminin", "M": "Masculin"}.get(str(value), str(value or ""))


def _held(value: Any) -> str:
    parts = []
    for item in value or []:
        if isinstance(item, str):
            parts.append(item)
            continue
        text = str(item.get("category", ""))
        if item.get("obtained"):
            text += f" (obtenu le {short_date(item['obtained'])})"
        if item.get("restrictions"):
            text += " codes " + ", ".join(item["restrictions"])
        parts.append(text)
    return "; ".join(parts)


_RENDER: dict[str, Callable[[Any], str]] = {
    "procedure": lambda v: PROCEDURES[v].label if v in PROCEDURES else str(v),
    "categories": lambda v: ", ".join(v or []),
    "training_mode": lambda v: TRAINING_MODES.get(v, str(v or "")),
    "training.kind": lambda v: TRAINING_KINDS.get(v, str(v or "")),
    "sex": _sex,
    "given_names": lambda v: " ".join(v or []),
    "country": people.country,
    "nationality": people.country,
    "licence.categories": _held,
}

# (path, label, optional) per step, in form order. Person blocks are expanded below.
_PERSON = (
    ("sex", "Sexe", False),
    ("birth_name", "Nom de naissance", False),
    ("usage_name", "Nom d'usage", True),
    ("given_names", "Prénom(s)", False),
    ("birth_date", "Date de naissance", False),
)
_ADDRESS = (
    ("address.line1", "Adresse (numéro et voie)", False),
    ("address.line2", "Complément d'adresse (bâtiment, étage, chez…)", True),
    ("address.postal_code", "Code postal", False),
    ("address.city", "Commune", False),
    ("address.country", "Pays", False),
)
_STEPS: tuple[tuple[str, str, tuple[tuple[str, str, bool], ...]], ...] = (
    (
        "motif",
        "Motif de la demande",
        (
            ("procedure", "Type de demande", False),
            ("categories", "Catégorie(s) demandée(s)", False),
            ("training_mode", "Mode de formation", True),
            ("training.kind", "Formation suivie", True),
            ("training.completed", "Date de fin de formation", True),
            ("mandate", "Mandat papier", False),
            ("applicant.medical.condition", "Affection médicale incompatible à contrôler", True),
            ("applicant.medical.adapted_vehicle", "Véhicule adapté au handicap", True),
            ("applicant.medical.invalidity_pension", "Pension d'invalidité", True),
        ),
    ),
    (
        "etat_civil",
        "État civil",
        (
            *((f"applicant.{p}", label, opt) for p, label, opt in _PERSON),
            ("applicant.birth_place.country", "Pays de naissance", False),
            ("applicant.birth_place.commune", "Commune de naissance", False),
            ("applicant.birth_place.insee", "Code INSEE de la commune de naissance", True),
            ("applicant.nationality", "Nationalité", False),
            ("applicant.under_guardianship", "Sous tutelle", True),
            ("applicant.neph", "Numéro NEPH", True),
            ("applicant.licence.number", "Numéro du permis de conduire", True),
            ("applicant.licence.categories", "Catégories détenues", True),
            ("legal_representative.quality", "Représentant légal : qualité", True),
            *(
                (
                    f"legal_representative.{p}",
                    f"Représentant légal : {label[0].lower()}{label[1:]}",
                    True,
                )
                for p, label, _ in _PERSON
            ),
            ("legal_representative.email", "Représentant légal : adresse électronique", True),
            ("legal_representative.mobile", "Représentant légal : téléphone portable", True),
            *(
                (
                    f"legal_representative.{p}",
                    f"Représentant légal : {label[0].lower()}{label[1:]}",
                    True,
                )
                for p, label, _ in _ADDRESS
            ),
        ),
    ),
    (
        "adresse",
        "Adresse et contact",
        (
            *((f"applicant.{p}", label, opt) for p, label, opt in _ADDRESS),
            ("applicant.hosted", "Hébergé(e) chez un tiers", True),
            *(
                (f"host.{p}", f"Hébergeant : {label[0].lower()}{label[1:]}", True)
                for p, label, _ in _PERSON
            ),
            ("host.email", "Hébergeant : adresse électronique", True),
            ("host.mobile", "Hébergeant : téléphone portable", True),
            ("applicant.email", "Adresse électronique", False),
            ("applicant.mobile", "Téléphone portable", False),
        ),
    ),
    (
        "photo",
        "Photo et signature",
        (
            ("photo_signature.code", "Code photo-signature numérique (e-photo)", False),
            ("photo_signature.taken", "Date de la photo", True),
        ),
    ),
)
_KNOWN_PATHS = frozenset(p for _, _, rows in _STEPS for p, _, _ in rows) | {"pieces"}
_DATE_KEYS = re.compile(
    r"(^|\.)(birth_date|completed|taken|obtained|issued|expires|reference_date)$"
)


def _get(facts: Mapping[str, Any], path: str) -> Any:
    value: Any = facts
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {} or value is False


def _text(path: str, value: Any) -> str:
    if isinstance(value, bool):
        return _yes_no(value)
    if value is None:
        return ""
    leaf = path.rsplit(".", 1)[-1]
    tail = ".".join(path.split(".")[-2:])
    render = _RENDER.get(path) or _RENDER.get(tail) or _RENDER.get(leaf)
    if render is not None:
        return str(render(value))
    if isinstance(value, str) and _DATE_KEYS.search(path):
        return short_date(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _leaves(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Dotted paths of every non-empty leaf (lists are leaves)."""
    if isinstance(value, Mapping):
        out: list[tuple[str, Any]] = []
        for key, sub in value.items():
            out.extend(_leaves(sub, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return [] if _empty(value) else [(prefix, value)]


def kit_filename(position: int, kind: str) -> str:
    """`01-justificatif-identite.pdf`: the number gives the ANTS form order."""
    return f"{position:02d}-{PIECE_SLUGS.get(kind, kind.replace('_', '-'))}.pdf"


PIECE_SLUGS = {
    "identity": "justificatif-identite",
    "residence_proof": "justificatif-sejour",
    "proof_of_address": "justificatif-domicile",
    "hosting_attestation": "attestation-hebergement",
    "host_identity": "identite-hebergeant",
    "photo_signature": "photo-signature",
    "national_service": "justificatif-jdc",
    "road_safety_certificate": "assr",
    "current_licence": "permis-actuel",
    "exam_certificate": "cepc",
    "medical_opinion": "avis-medical",
    "training_certificate": "attestation-formation",
    "guardian_identity": "identite-representant-legal",
    "regional_tax_receipt": "taxe-regionale",
}
# Pieces that are typed, not uploaded: the e-photo is fetched by ANTS with its code.
NO_FILE_KINDS = frozenset({"photo_signature"})


def form_steps(
    facts: Mapping[str, Any],
    school: SchoolInfo | None = None,
    files: Mapping[str, str] | None = None,
) -> list[FormStep]:
    """The ANTS form, step by step, filled from the facts document (as stored).

    `files` maps a piece kind to its kit file name (from the kit); without it the pieces
    step lists the provided pieces without files. Empty optional fields are left out."""
    steps: list[FormStep] = []
    for step_id, title, rows in _STEPS:
        fields: list[FormField] = []
        if step_id == "motif" and school is not None:
            fields.append(
                FormField(
                    "school.approval_number",
                    "Numéro d'agrément de l'école",
                    school.approval_number,
                )
            )
        for path, label, optional in rows:
            value = _get(facts, path)
            if path == "mandate":
                value = bool(value)
            elif _empty(value) and (optional or path.startswith(("legal_representative", "host"))):
                continue
            fields.append(
                FormField(path, label, _text(path, value), copy.deepcopy(value), path, optional)
            )
        steps.append(FormStep(step_id, title, tuple(fields)))
    steps.append(_pieces_step(facts, files or {}))
    extra = [
        FormField(
            path,
            _EXTRA_LABELS.get(path, path),
            _text(path, value),
            copy.deepcopy(value),
            path,
            True,
        )
        for path, value in _leaves({k: v for k, v in facts.items() if k != "pieces"})
        if path not in _KNOWN_PATHS
    ]
    if extra:
        steps.append(FormStep("autres", "Autres informations", tuple(extra)))
    return steps


_EXTRA_LABELS = {"reference_date": "Date de référence des règles"}


def _document_type(kind: str, type_id: str) -> str:
    kind_def = PIECE_KINDS.get(kind)
    for doc_type in kind_def.document_types if kind_def else ():
        if doc_type.id == type_id:
            return doc_type.label
    return type_id


def _pieces_step(facts: Mapping[str, Any], files: Mapping[str, str]) -> FormStep:
    provided = {
        str(p.get("kind")): dict(p) for p in facts.get("pieces") or [] if isinstance(p, Mapping)
    }
    kinds = [k for k in PIECE_KINDS if k in provided or k in files]
    kinds += [k for k in provided if k not in PIECE_KINDS]
    pieces = []
    for i, kind in enumerate(kinds, start=1):
        piece_facts = provided.get(kind, {})
        note = ""
        if kind in NO_FILE_KINDS:
            note = "Pas de fichier : l'ANTS récupère la photo et la signature avec le code."
        elif kind not in files:
            note = "Aucun fichier numérisé dans le dossier pour cette pièce."
        details = []
        if piece_facts.get("document_type"):
            details.append(_document_type(kind, str(piece_facts["document_type"])))
        if piece_facts.get("issued"):
            details.append(f"du {short_date(piece_facts['issued'])}")
        if piece_facts.get("expires"):
            details.append(f"valable jusqu'au {short_date(piece_facts['expires'])}")
        label = PIECE_KINDS[kind].label if kind in PIECE_KINDS else kind
        pieces.append(
            FormPiece(i, kind, label, files.get(kind), piece_facts, note or ", ".join(details))
        )
    fields = tuple(
        FormField(
            f"pieces.{p.kind}",
            p.label,
            p.filename or p.note,
        )
        for p in pieces
    )
    return FormStep("pieces", "Pièces justificatives", fields, tuple(pieces))


# -- the JSON data sheet --------------------------------------------------------------------


def datasheet_json(
    facts: Mapping[str, Any],
    *,
    dossier_id: str,
    dossier_version: int,
    generated_on: str,
    school: SchoolInfo | None = None,
    files: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The kit's `fiche-de-saisie.json`: every field in form order; reads back to the facts
    with `facts_from_datasheet`."""
    return {
        "format": DATASHEET_FORMAT,
        "version": DATASHEET_VERSION,
        "dossier_id": dossier_id,
        "dossier_version": dossier_version,
        "generated_on": generated_on,
        "steps": [s.to_json() for s in form_steps(facts, school, files)],
    }


def _set(target: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = target
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[parts[-1]] = copy.deepcopy(value)


def facts_from_datasheet(sheet: Mapping[str, Any]) -> dict[str, Any]:
    """The facts document a data sheet was made from."""
    if sheet.get("format") != DATASHEET_FORMAT:
        from permis_desktop.errors import BadInput

        raise BadInput("Ce fichier n'est pas une fiche de saisie ANTS de permis-desktop.")
    facts: dict[str, Any] = {}
    pieces: list[dict[str, Any]] = []
    for step in sheet.get("steps") or []:
        for item in step.get("fields") or []:
            if "path" in item:
                _set(facts, item["path"], item.get("value"))
        for piece in step.get("pieces") or []:
            if piece.get("facts"):
                pieces.append(dict(piece["facts"]))
    if pieces:
        facts["pieces"] = pieces
    return facts
