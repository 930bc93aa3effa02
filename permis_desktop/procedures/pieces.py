"""Which justificatifs a dossier needs, why, and whether the ones provided are still good.

Each requirement carries a short French reason a front-desk user understands and the source
it comes from (domain-ants.md §1). The status of a provided piece follows the validity rules:
a proof of address older than 6 months (F31847), an identity document expired beyond its
tolerance (F31057, arrêté du 23 décembre 2016), an avis médical older than 2 years (F2686),
an e-photo older than 6 months (Photomaton support page, domain-ants.md §3).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from permis_desktop.procedures.catalog import HEAVY_CATEGORIES, PIECE_KINDS, PIECE_ORDER, Group
from permis_desktop.procedures.dates import add_months, add_years
from permis_desktop.procedures.facts import ProvidedPiece
from permis_desktop.procedures.rules import EU_EEA_CH, Situation, in_territory

MISSING, PROVIDED, EXPIRED, TOO_OLD = "missing", "provided", "expired", "too_old"


@dataclass(frozen=True)
class Need:
    kind: str
    required: bool
    reason: str
    source: str


@dataclass(frozen=True)
class PieceLine:
    kind: str
    label: str
    required: bool
    status: str
    reason: str
    source: str
    accepted: str
    detail: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "label": self.label,
            "required": self.required,
            "status": self.status,
            "reason": self.reason,
            "source": self.source,
            "accepted": self.accepted,
            "detail": self.detail,
        }


def _need(needs: dict[str, Need], kind: str, required: bool, reason: str, source: str) -> None:
    """Record a need; a required need wins over an optional one, the first reason is kept."""
    current = needs.get(kind)
    if current is None or (required and not current.required):
        needs[kind] = Need(kind, required, reason, source)


def pieces_needed(s: Situation) -> list[Need]:
    """Every piece that applies (required, or optional with `required=False`), in the ANTS
    form order of `catalog.PIECE_ORDER`."""
    proc = s.procedure
    applicant = s.facts.applicant
    needs: dict[str, Need] = {}
    unknown_age = s.age is None

    # Common base (F2825 2025, §1.1; seed/ leaflet).
    _need(needs, "identity", True, "Obligatoire pour toute démarche.", "F2825 (2025), F31057")
    if applicant.hosted:
        _need(
            needs,
            "proof_of_address",
            True,
            "Obligatoire : justificatif de domicile de moins de 6 mois au nom de l'hébergeant.",
            "F31847",
        )
        _need(
            needs,
            "hosting_attestation",
            True,
            "Obligatoire : demandeur hébergé (attestation signée par l'hébergeant et le "
            "demandeur).",
            "F31847",
        )
        _need(
            needs,
            "host_identity",
            True,
            "Obligatoire : demandeur hébergé (pièce d'identité de l'hébergeant).",
            "F31847",
        )
    else:
        _need(
            needs,
            "proof_of_address",
            True,
            "Obligatoire : justificatif de domicile de moins de 6 mois.",
            "F2825 (2025), F31847",
        )
        if s.younger_than(18):
            # F31847: a minor's address is proven by the parent's attestation d'hébergement,
            # ID and justificatif; optional here since `hosted` is not set (choice).
            _need(
                needs,
                "hosting_attestation",
                False,
                "Facultatif : mineur dont le justificatif de domicile est au nom d'un parent "
                "(attestation d'hébergement du parent).",
                "F31847",
            )
    _need(
        needs,
        "photo_signature",
        True,
        "Obligatoire : code photo-signature de moins de 6 mois.",
        "F2825 (2025), F20028",
    )

    # Foreigners (F2825 2025).
    if s.foreign:
        if applicant.nationality in EU_EEA_CH:
            _need(
                needs,
                "residence_proof",
                True,
                "Obligatoire : ressortissant UE/EEE/Suisse, preuve de résidence en France "
                "depuis 6 mois.",
                "F2825 (2025)",
            )
        else:
            _need(
                needs,
                "residence_proof",
                True,
                "Obligatoire : nationalité étrangère (titre de séjour valide).",
                "F2825 (2025)",
            )

    # JDC: French, 17 révolus to 25 non révolus; before 17 the recensement is accepted
    # (F2825 2025; domain-ants.md §1.1 recommendation, window in RuleOptions).
    if s.french or applicant.nationality is None:
        low, high = s.options.national_service_from, s.options.national_service_until
        if unknown_age or applicant.nationality is None:
            _need(
                needs,
                "national_service",
                False,
                "À vérifier : obligatoire pour un Français de 17 à 24 ans (date de naissance "
                "ou nationalité à indiquer).",
                "F2825 (2025)",
            )
        elif s.at_least(low) and s.younger_than(high):
            _need(
                needs,
                "national_service",
                True,
                f"Obligatoire : Français de {low} à {high - 1} ans (JDC).",
                "F2825 (2025)",
            )
        elif s.younger_than(low):
            _need(
                needs,
                "national_service",
                False,
                f"Facultatif : moins de {low} ans (attestation de recensement acceptée).",
                "F2825 (2025)",
            )

    # ASSR 2 / ASR: under 21 and first licence (F2825 2025; F16548); AM: born 1988 or later,
    # ASSR 1 accepted (F2890; F16511; seed/ "née à compter du 1er janvier 1988").
    if proc.id in ("exam_registration_first", "licence_after_exam_first") and not s.held:
        if unknown_age:
            _need(
                needs,
                "road_safety_certificate",
                False,
                "À vérifier : obligatoire avant 21 ans pour un premier permis (ASSR 2 ou ASR).",
                "F2825 (2025), F16548",
            )
        elif s.younger_than(21):
            _need(
                needs,
                "road_safety_certificate",
                True,
                "Obligatoire : moins de 21 ans et premier permis (ASSR 2 ou ASR).",
                "F2825 (2025), F16548",
            )
    if proc.id == "licence_after_training_am":
        birth = applicant.birth_date
        if birth is None:
            _need(
                needs,
                "road_safety_certificate",
                False,
                "À vérifier : obligatoire si né à partir de 1988 (ASSR 1, ASSR 2 ou ASR).",
                "F2890, F16511",
            )
        elif birth.year >= 1988:
            _need(
                needs,
                "road_safety_certificate",
                True,
                "Obligatoire : formation AM et né à partir de 1988 (ASSR 1, ASSR 2 ou ASR).",
                "F2890, F16511",
            )

    # Current licence (F20028 extension; F31119 A2 -> A; F32927 B96 and code 78).
    if proc.id in ("exam_registration_extension", "licence_after_exam_extension"):
        _need(
            needs,
            "current_licence",
            True,
            "Obligatoire : extension de catégorie (copie du permis actuel).",
            "F20028",
        )
    elif proc.id == "licence_after_training_a":
        _need(needs, "current_licence", True, "Obligatoire : copie du permis A2.", "F31119")
    elif proc.id in ("licence_after_training_b96", "licence_after_training_78"):
        _need(needs, "current_licence", True, "Obligatoire : copie du permis B.", "F32927")

    # CEPC after an exam (F2828, F20028).
    if proc.group is Group.AFTER_EXAM:
        _need(
            needs,
            "exam_certificate",
            True,
            "Obligatoire : demande de titre après réussite (CEPC).",
            "F2828, F20028",
        )

    # Avis médical: heavy categories (F2843…F2848), return after invalidation (F2727), any
    # declared health matter (F2686).
    heavy = [c for c in s.requested if c in HEAVY_CATEGORIES]
    if heavy:
        _need(
            needs,
            "medical_opinion",
            True,
            f"Obligatoire : catégorie {', '.join(heavy)} (avis d'un médecin agréé).",
            "F2843, F2844, F2846, F2848, F31121, F31124, F31128, F31129",
        )
    if proc.id == "licence_after_exam_return":
        _need(
            needs,
            "medical_opinion",
            True,
            "Obligatoire : retour au permis après invalidation ou annulation.",
            "F2727",
        )
    if applicant.medical.any:
        _need(
            needs,
            "medical_opinion",
            True,
            "Obligatoire : problème de santé, véhicule adapté ou pension d'invalidité déclarés.",
            "F2686",
        )

    # Training attestation (F2890, F31119, F32927).
    if proc.is_training:
        _need(
            needs,
            "training_certificate",
            True,
            "Obligatoire : attestation de suivi de la formation délivrée par l'école.",
            "F2890, F31119, F32927",
        )

    # Legal representative: minor or adult under guardianship (F2825 2025; F2828).
    if applicant.under_guardianship:
        _need(
            needs,
            "guardian_identity",
            True,
            "Obligatoire : demandeur sous tutelle (pièce d'identité du tuteur).",
            "F2825 (2025)",
        )
    elif s.younger_than(18):
        _need(
            needs,
            "guardian_identity",
            True,
            "Obligatoire : demandeur mineur (pièce d'identité du représentant légal).",
            "F2825 (2025), F2828",
        )
    elif unknown_age:
        _need(
            needs,
            "guardian_identity",
            False,
            "À vérifier : obligatoire pour un mineur (date de naissance à indiquer).",
            "F2825 (2025)",
        )

    # Regional tax: licence requests only, not AM, not an A1-only request (F31845; CGI art.
    # 1599 terdecies; domain-ants.md §1.7).
    if (
        s.territory
        and proc.is_licence_request
        and proc.id != "licence_after_training_am"
        and set(s.requested) != {"A1"}
    ):
        _need(
            needs,
            "regional_tax_receipt",
            True,
            f"Obligatoire : domicile {in_territory(s.territory)} (taxe régionale sur les permis).",
            "CGI art. 1599 terdecies, F31845",
        )

    return [needs[k] for k in PIECE_ORDER if k in needs]


# -- statuses ---------------------------------------------------------------------------------

_IDENTITY_KINDS = ("identity", "host_identity", "guardian_identity")
# Expired identity documents still accepted (F31057; arrêté du 23 décembre 2016): CNI and
# biometric passport up to 5 years after expiry, non-biometric passport up to 2 years.
_IDENTITY_GRACE_YEARS = {"cni": 5, "passport_biometric": 5, "passport_non_biometric": 2}


def _fr(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _one_status(kind: str, piece: ProvidedPiece, on: dt.date) -> tuple[str, str]:
    if kind in _IDENTITY_KINDS and piece.expires is not None:
        grace = _IDENTITY_GRACE_YEARS.get(piece.document_type or "", 0)
        if on > add_years(piece.expires, grace):
            if grace:
                return EXPIRED, (
                    f"Périmé depuis le {_fr(piece.expires)} (plus de {grace} ans) : "
                    "demandez une autre pièce d'identité."
                )
            return EXPIRED, f"Périmé depuis le {_fr(piece.expires)} : demandez une pièce valide."
        return PROVIDED, ""
    if kind == "proof_of_address" and piece.issued is not None and on > add_months(piece.issued, 6):
        return TOO_OLD, (
            f"Daté du {_fr(piece.issued)}, plus de 6 mois : demandez un justificatif plus récent."
        )
    if kind == "medical_opinion" and piece.issued is not None and on > add_years(piece.issued, 2):
        return EXPIRED, (
            f"Avis du {_fr(piece.issued)}, plus de 2 ans : un nouveau contrôle "
            "médical est nécessaire."
        )
    if kind == "photo_signature" and piece.issued is not None and on > add_months(piece.issued, 6):
        return EXPIRED, (
            f"Photo du {_fr(piece.issued)}, plus de 6 mois : faites une nouvelle photo-signature."
        )
    # Any other piece past its own expiry date (e.g. a titre de séjour): choice, the sources
    # only say "en cours de validité".
    if piece.expires is not None and on > piece.expires:
        return EXPIRED, f"Expiré depuis le {_fr(piece.expires)} : demandez un document valide."
    return PROVIDED, ""


_RANK = {PROVIDED: 0, TOO_OLD: 1, EXPIRED: 2}


def piece_lines(s: Situation) -> list[PieceLine]:
    provided: dict[str, list[ProvidedPiece]] = {}
    for piece in s.facts.pieces:
        provided.setdefault(piece.kind, []).append(piece)
    photo = s.facts.photo_signature
    if photo.code:
        provided.setdefault("photo_signature", []).append(
            ProvidedPiece("photo_signature", None, photo.taken, None)
        )
    lines = []
    needed = pieces_needed(s)
    for need in needed:
        kind = PIECE_KINDS[need.kind]
        status, detail = MISSING, ""
        candidates = [_one_status(need.kind, p, s.on) for p in provided.get(need.kind, [])]
        if candidates:
            status, detail = min(candidates, key=lambda c: _RANK[c[0]])
        lines.append(
            PieceLine(
                need.kind,
                kind.label,
                need.required,
                status,
                need.reason,
                need.source,
                kind.accepted,
                detail,
            )
        )
    listed = {n.kind for n in needed}
    for kind_id in provided:
        if kind_id not in listed:
            s.warn(
                "piece_not_needed",
                "pieces",
                f"La pièce « {PIECE_KINDS[kind_id].label} » n'est pas demandée pour ce "
                "dossier : inutile de la joindre.",
            )
    return lines
