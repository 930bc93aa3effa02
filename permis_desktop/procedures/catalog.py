"""What the rules talk about: the nine ANTS procedures, the licence categories and the pieces.

Every id here is a stable contract (DESIGN.md): the facts document, the `permis` command, the
database and the agency's server all use them. The French labels and explanations are what
the desk shows; the one-line "when to use it" help feeds the New-dossier dialog.

Sources (reference/domain-ants.md): the ministry leaflet in `seed/` for the nine procedures
and the order of the pieces; F2825 (2025) for the common list of pieces; F31057 for identity
documents; F31847 for proofs of address; F2828 / F20028 / F2890 / F31119 / F32927 for the
procedures after an exam or a training; R221-5 of the code de la route for categories.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Group(StrEnum):
    REGISTRATION = "registration"
    AFTER_EXAM = "after_exam"
    AFTER_TRAINING = "after_training"

    @property
    def label(self) -> str:
        return _GROUP_LABELS[self]


_GROUP_LABELS = {
    Group.REGISTRATION: "Inscription",
    Group.AFTER_EXAM: "Titre après réussite",
    Group.AFTER_TRAINING: "Titre après formation",
}


@dataclass(frozen=True)
class Procedure:
    id: str
    label: str
    group: Group
    help: str
    # The category a training procedure gives (or changes, for B96 and the lift of code 78).
    implied_category: str | None = None
    # The training kind (`training.kind` in the facts) a training procedure certifies.
    training_kind: str | None = None

    @property
    def is_registration(self) -> bool:
        return self.group is Group.REGISTRATION

    @property
    def is_licence_request(self) -> bool:
        return self.group is not Group.REGISTRATION

    @property
    def is_training(self) -> bool:
        return self.group is Group.AFTER_TRAINING

    @property
    def is_first(self) -> bool:
        return self.id.endswith("_first")

    @property
    def is_extension(self) -> bool:
        return self.id.endswith("_extension")


# The nine procedures of the ministry leaflet (seed/), ids from DESIGN.md.
PROCEDURES: dict[str, Procedure] = {
    p.id: p
    for p in (
        Procedure(
            "exam_registration_first",
            "Inscription au permis, primo-accédant",
            Group.REGISTRATION,
            "Le demandeur n'a encore aucun permis et s'inscrit aux examens (code et conduite).",
        ),
        Procedure(
            "exam_registration_extension",
            "Inscription au permis, extension de catégorie",
            Group.REGISTRATION,
            "Le demandeur a déjà un permis et s'inscrit aux examens d'une nouvelle catégorie.",
        ),
        Procedure(
            "licence_after_exam_first",
            "Demande de titre après réussite à l'examen, primo-accédant",
            Group.AFTER_EXAM,
            "Le demandeur vient de réussir son premier permis : demande de la carte (CEPC en main).",
        ),
        Procedure(
            "licence_after_exam_extension",
            "Demande de titre après réussite, extension de catégorie",
            Group.AFTER_EXAM,
            "Le demandeur a réussi l'examen d'une nouvelle catégorie : demande du nouveau titre.",
        ),
        Procedure(
            "licence_after_exam_return",
            "Demande de titre après réussite, retour au permis après invalidation ou annulation",
            Group.AFTER_EXAM,
            "Le permis avait été invalidé ou annulé et le demandeur a réussi les examens à nouveau.",
        ),
        Procedure(
            "licence_after_training_am",
            "Demande de titre à la suite d'une formation AM",
            Group.AFTER_TRAINING,
            "Le demandeur a suivi la formation AM (cyclomoteur, ex-BSR) dans cette école.",
            implied_category="AM",
            training_kind="am",
        ),
        Procedure(
            "licence_after_training_a",
            "Demande de titre à la suite de la formation A (A2 vers A)",
            Group.AFTER_TRAINING,
            "Le titulaire du permis A2 depuis au moins 2 ans a suivi la formation de 7 heures vers A.",
            implied_category="A",
            training_kind="a",
        ),
        Procedure(
            "licence_after_training_b96",
            "Demande de titre à la suite de la formation B96",
            Group.AFTER_TRAINING,
            "Le titulaire du permis B a suivi la formation B96 (remorque, ensemble jusqu'à 4 250 kg).",
            implied_category="B",
            training_kind="b96",
        ),
        Procedure(
            "licence_after_training_78",
            "Demande de titre à la suite de la formation levée du code 78",
            Group.AFTER_TRAINING,
            "Le titulaire du permis B boîte automatique (code 78) a suivi la formation de 7 heures "
            "pour conduire une boîte manuelle.",
            implied_category="B",
            training_kind="78",
        ),
    )
}

TRAINING_KINDS: dict[str, str] = {
    "am": "Formation AM (cyclomoteur)",
    "a": "Formation A2 vers A (7 heures)",
    "b96": "Formation B96 (7 heures)",
    "78": "Formation levée du code 78 (7 heures)",
}

TRAINING_MODES: dict[str, str] = {
    "traditional": "Formation traditionnelle",
    "accompanied": "Apprentissage anticipé de la conduite (AAC)",
    "supervised": "Conduite supervisée",
    "assisted": "Conduite encadrée",
}


@dataclass(frozen=True)
class Category:
    id: str
    label: str


# Licence categories (code de la route R221-4 / R221-5), in the order of the licence card.
CATEGORIES: dict[str, Category] = {
    c.id: c
    for c in (
        Category("AM", "AM : cyclomoteur, voiturette"),
        Category("A1", "A1 : moto légère (125 cm³)"),
        Category("A2", "A2 : moto de puissance limitée (35 kW)"),
        Category("A", "A : moto"),
        Category("B1", "B1 : quadricycle lourd"),
        Category("B", "B : voiture"),
        Category("BE", "BE : voiture avec remorque"),
        Category("C1", "C1 : camion moyen (3,5 à 7,5 t)"),
        Category("C1E", "C1E : camion moyen avec remorque"),
        Category("C", "C : poids lourd"),
        Category("CE", "CE : poids lourd avec remorque"),
        Category("D1", "D1 : minibus (16 places)"),
        Category("D1E", "D1E : minibus avec remorque"),
        Category("D", "D : autobus, autocar"),
        Category("DE", "DE : autobus avec remorque"),
    )
}

# Categories that always need an avis médical (F31121, F31124, F2843, F2846, F31128, F31129,
# F2844, F2848; not BE: F2845).
HEAVY_CATEGORIES = frozenset({"C1", "C1E", "C", "CE", "D1", "D1E", "D", "DE"})

# Held categories that imply another one (choice, sources silent in domain-ants.md): a
# category can only be held with its prerequisite (R221-5 list, domain-ants.md §2: BE, C1,
# C, D1, D <- B; C1E <- C1; CE <- C; D1E <- D1; DE <- D), plus the "bigger includes smaller"
# equivalences of directive 2006/126/CE art. 6 (A -> A2 -> A1 -> AM, B -> AM, C -> C1,
# D -> D1, CE -> C1E, DE -> D1E, any E -> BE). So a holder of CE meets "C1E needs C1".
IMPLIED_CATEGORIES: dict[str, tuple[str, ...]] = {
    "A": ("A2",),
    "A2": ("A1",),
    "A1": ("AM",),
    "B": ("AM",),
    "BE": ("B",),
    "C1": ("B",),
    "C": ("C1", "B"),
    "C1E": ("C1", "BE"),
    "CE": ("C", "C1E", "BE"),
    "D1": ("B",),
    "D": ("D1", "B"),
    "D1E": ("D1", "BE"),
    "DE": ("D", "D1E", "BE"),
}


@dataclass(frozen=True)
class DocumentType:
    id: str
    label: str


@dataclass(frozen=True)
class PieceKind:
    id: str
    label: str
    accepted: str  # what documents the desk may accept, in French
    document_types: tuple[DocumentType, ...] = ()


_IDENTITY_TYPES = (
    DocumentType("cni", "Carte nationale d'identité"),
    DocumentType("passport_biometric", "Passeport biométrique"),
    DocumentType("passport_non_biometric", "Passeport non biométrique"),
    DocumentType("licence_eu", "Permis de conduire au format européen"),
    DocumentType("residence_permit", "Titre de séjour"),
    DocumentType("other", "Autre pièce d'identité"),
)

# Order: the ministry leaflet's list of pieces (seed/), the only ordered list we have of the
# ANTS form; hosting pieces follow the proof of address they complete, the CEPC the licence,
# the regional tax receipt comes last (uploaded just before validation, seed/). The exact
# order of the ANTS upload screen is [UNCONFIRMED] (domain-ants.md §9).
PIECE_KINDS: dict[str, PieceKind] = {
    k.id: k
    for k in (
        PieceKind(
            "identity",
            "Justificatif d'identité",
            "Carte d'identité ou passeport biométrique valides ou périmés depuis moins de 5 ans, "
            "passeport non biométrique périmé depuis moins de 2 ans, permis au format européen, "
            "titre de séjour",
            _IDENTITY_TYPES,
        ),
        PieceKind(
            "residence_proof",
            "Justificatif de régularité du séjour",
            "Titre de séjour en cours de validité ; pour un ressortissant de l'UE, de l'EEE, de "
            "Suisse, d'Andorre ou de Monaco : preuve de résidence en France depuis 6 mois "
            "(bulletin de salaire, quittance de loyer…)",
            (
                DocumentType("residence_permit", "Titre de séjour"),
                DocumentType("residence_receipt", "Récépissé de demande de titre de séjour"),
                DocumentType("normal_residence", "Preuve de résidence normale en France"),
            ),
        ),
        PieceKind(
            "proof_of_address",
            "Justificatif de domicile",
            "Facture de moins de 6 mois (eau, électricité, gaz, téléphone), avis d'imposition, "
            "quittance de loyer non manuscrite",
            (
                DocumentType("bill", "Facture (eau, électricité, gaz, téléphone)"),
                DocumentType("tax_notice", "Avis d'imposition ou de non-imposition"),
                DocumentType("rent_receipt", "Quittance de loyer non manuscrite"),
                DocumentType("domiciliation", "Attestation d'élection de domicile"),
                DocumentType("other", "Autre justificatif"),
            ),
        ),
        PieceKind(
            "hosting_attestation",
            "Attestation d'hébergement",
            "Attestation sur l'honneur de l'hébergeant, datée et signée par l'hébergeant et le "
            "demandeur",
        ),
        PieceKind(
            "host_identity",
            "Pièce d'identité de l'hébergeant",
            "Carte d'identité, passeport ou titre de séjour de l'hébergeant",
            _IDENTITY_TYPES,
        ),
        PieceKind(
            "photo_signature",
            "Photo et signature numériques (code e-photo)",
            "Code photo-signature de moins de 6 mois, d'une cabine ou d'un photographe agréés "
            "« service en ligne ANTS »",
        ),
        PieceKind(
            "national_service",
            "Journée défense et citoyenneté (JDC)",
            "Certificat de participation à la JDC, attestation d'exemption, attestation de "
            "situation administrative ou attestation provisoire ; avant 17 ans : attestation de "
            "recensement",
            (
                DocumentType("jdc_certificate", "Certificat de participation à la JDC"),
                DocumentType("exemption", "Attestation d'exemption"),
                DocumentType("provisional", "Attestation provisoire ou de situation"),
                DocumentType("census", "Attestation de recensement"),
            ),
        ),
        PieceKind(
            "road_safety_certificate",
            "ASSR 2 ou ASR",
            "Attestation scolaire de sécurité routière (ASSR 2, ou ASSR 1 pour la formation AM) "
            "ou attestation de sécurité routière (ASR), à défaut déclaration sur l'honneur ANTS",
            (
                DocumentType("assr1", "ASSR 1er niveau"),
                DocumentType("assr2", "ASSR 2e niveau"),
                DocumentType("asr", "ASR"),
                DocumentType("sworn_statement", "Déclaration sur l'honneur (perte)"),
            ),
        ),
        PieceKind(
            "current_licence",
            "Permis de conduire actuel",
            "Copie recto verso du permis de conduire en cours",
        ),
        PieceKind(
            "exam_certificate",
            "Certificat d'examen du permis de conduire (CEPC)",
            "CEPC téléchargé après la réussite à l'examen",
        ),
        PieceKind(
            "medical_opinion",
            "Avis médical (cerfa 14880)",
            "Avis médical d'un médecin agréé (cerfa 14880) de moins de 2 ans",
        ),
        PieceKind(
            "training_certificate",
            "Attestation de suivi de formation",
            "Attestation de formation délivrée par l'école (AM, A2 vers A, B96, levée du code 78)",
        ),
        PieceKind(
            "guardian_identity",
            "Pièce d'identité du représentant légal",
            "Carte d'identité ou passeport du parent ou du tuteur",
            _IDENTITY_TYPES,
        ),
        PieceKind(
            "regional_tax_receipt",
            "Preuve de paiement de la taxe régionale",
            "Reçu du paiement de la taxe régionale sur les permis (Corse, Martinique, Guyane, "
            "La Réunion, Mayotte)",
        ),
    )
}

PIECE_ORDER: tuple[str, ...] = tuple(PIECE_KINDS)


def procedure(procedure_id: str) -> Procedure:
    """The procedure with this id; KeyError when unknown (the facts parser checks first)."""
    return PROCEDURES[procedure_id]


def procedures_by_group() -> list[tuple[Group, list[Procedure]]]:
    """The procedures as the New-dossier dialog lists them."""
    return [(g, [p for p in PROCEDURES.values() if p.group is g]) for g in Group]
