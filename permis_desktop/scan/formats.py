"""Physical formats of the pieces, and what the pipeline aims for with each.

The pipeline rectifies a page to the physical aspect of its document, checks its effective
resolution against a minimum, and encodes it to a byte budget. All three depend on what the
piece physically is, so they are decided here from the piece kind (the stable ids of
DESIGN.md) and, for identity pieces, the document type (a passport data page is larger than
an ID-1 card).

Sizes: ID-1 is 85.60 x 53.98 mm (ISO/IEC 7810), the passport data page (TD3) 125 x 88 mm
(ICAO 9303 part 4), A4 210 x 297 mm (ISO 216). Minimum resolutions: 300 dpi for cards and
passports (the scanners that read 2D-Doc codes must be >= 300 dpi, and card print is small),
150 dpi for A4 pages (body text stays legible). Budgets default to the settings
`capture.budget_a4_kb` and `capture.budget_card_kb`; the ANTS limits are not published
(reference/domain-ants.md §4), so they are configurable.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from permis_desktop.errors import BadInput

FILTERS = ("auto", "color", "gray", "bw")


@dataclass(frozen=True)
class PhysicalFormat:
    """What a page of a piece is, physically, and how it is to be produced."""

    id: str
    # Upright document size; width > height for cards (landscape), A4 is portrait.
    width_mm: float
    height_mm: float
    # Below this effective resolution the page is `too_small`.
    min_dpi: int
    # Output resolution aimed for (never above what the source offers).
    target_dpi: int
    # Byte budget of one output page (for identity pieces, the page holding both sides).
    budget_bytes: int
    # Filter that `auto` stands for.
    auto_filter: str
    # Identity documents: recto and verso on one page, watermark, MRZ-based orientation.
    identity: bool = False

    @property
    def aspect(self) -> float:
        return self.width_mm / self.height_mm

    @property
    def known(self) -> bool:
        return self.id != "unknown"


ID1 = PhysicalFormat(
    "id1",
    85.6,
    53.98,
    min_dpi=300,
    target_dpi=300,
    budget_bytes=500_000,
    auto_filter="color",
    identity=True,
)
PASSPORT = PhysicalFormat(
    "passport",
    125.0,
    88.0,
    min_dpi=300,
    target_dpi=300,
    budget_bytes=500_000,
    auto_filter="color",
    identity=True,
)
A4 = PhysicalFormat(
    "a4", 210.0, 297.0, min_dpi=150, target_dpi=200, budget_bytes=300_000, auto_filter="gray"
)
# A document whose kind says nothing of its size: the detected aspect is kept.
UNKNOWN = PhysicalFormat(
    "unknown", 210.0, 297.0, min_dpi=150, target_dpi=200, budget_bytes=300_000, auto_filter="gray"
)

# Identity documents and other cards (titre de séjour, current licence) are ID-1 cards.
_CARD_KINDS = frozenset(
    {"identity", "guardian_identity", "host_identity", "current_licence", "residence_proof"}
)
# Certificates, bills, attestations, forms: A4 sheets.
_SHEET_KINDS = frozenset(
    {
        "proof_of_address",
        "photo_signature",
        "national_service",
        "road_safety_certificate",
        "exam_certificate",
        "medical_opinion",
        "training_certificate",
        "hosting_attestation",
        "regional_tax_receipt",
    }
)
PIECE_KINDS = tuple(sorted(_CARD_KINDS | _SHEET_KINDS))
# Kinds whose copies carry the "copie destinée au dossier" watermark by default.
WATERMARK_KINDS = frozenset({"identity", "guardian_identity", "host_identity"})


def format_for(kind: str, document_type: str | None = None) -> PhysicalFormat:
    """The physical format of a page of `kind` (and `document_type` for identity pieces)."""
    if kind in _CARD_KINDS:
        if document_type and "passport" in document_type.lower():
            return PASSPORT
        return ID1
    if kind in _SHEET_KINDS:
        return A4
    if kind == "unknown":
        return UNKNOWN
    raise BadInput(
        f"Nature de pièce inconnue : « {kind} ». Valeurs possibles : {', '.join(PIECE_KINDS)}."
    )


def with_budget(fmt: PhysicalFormat, budget_bytes: int | None) -> PhysicalFormat:
    if budget_bytes is None or budget_bytes <= 0:
        return fmt
    return replace(fmt, budget_bytes=int(budget_bytes))


def resolve_filter(name: str, fmt: PhysicalFormat) -> str:
    if name not in FILTERS:
        raise BadInput(f"Filtre inconnu : « {name} ». Valeurs possibles : {', '.join(FILTERS)}.")
    return fmt.auto_filter if name == "auto" else name
