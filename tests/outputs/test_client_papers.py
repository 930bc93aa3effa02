"""The papers handed to the student: client checklist, mandate, hosting attestation."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from permis_desktop.errors import BadInput
from permis_desktop.outputs.client import (
    client_checklist_pdf,
    hosting_attestation_pdf,
    mandate_pdf,
    mandate_warning,
)
from permis_desktop.outputs.pdfbase import SchoolInfo, clean
from tests.outputs.conftest import ADULT_B, HOSTED_MINOR, SCHOOL, TODAY, facts

SCHOOL_INFO = SchoolInfo(
    SCHOOL["school.name"],
    SCHOOL["school.address"],
    SCHOOL["school.phone"],
    SCHOOL["school.email"],
    SCHOOL["school.approval_number"],
)


def _read(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), " ".join(text.split())


def test_checklist_lists_each_missing_piece_with_why_and_accepted_documents() -> None:
    partial = facts(ADULT_B, pieces=[{"kind": "identity", "document_type": "cni"}])
    pages, text = _read(client_checklist_pdf(partial, SCHOOL_INFO, TODAY))
    assert pages == 1
    assert "Pièces à fournir" in text
    assert "MARTIN Léa Éloïse" in text
    assert "27 novembre 2026" in text
    assert "Inscription au permis, primo-accédant" in text
    assert "Justificatif de domicile (à fournir)" in text
    assert "Facture de moins de 6 mois" in text  # accepted documents
    assert "Pourquoi" in text
    assert "Photo et signature numériques" in text
    # Already provided pieces are not asked for again.
    assert "Justificatif d'identité (à fournir)" not in text
    assert "Déjà reçu : Justificatif d'identité" in text
    assert SCHOOL["school.name"] in text and SCHOOL["school.email"] in text


def test_checklist_says_why_an_old_piece_must_be_replaced() -> None:
    old_bill = facts(
        ADULT_B,
        pieces=[
            {"kind": "identity", "document_type": "cni"},
            {"kind": "proof_of_address", "issued": "2026-01-15"},
            {"kind": "photo_signature"},
        ],
    )
    _, text = _read(client_checklist_pdf(old_bill, SCHOOL_INFO, TODAY))
    assert "Justificatif de domicile (la pièce fournie est trop ancienne)" in text
    assert "15/01/2026" in text


def test_complete_dossier_checklist_says_nothing_is_missing() -> None:
    _, text = _read(client_checklist_pdf(ADULT_B, SCHOOL_INFO, TODAY))
    assert "aucune pièce ne manque" in text
    assert "(à fournir)" not in text


def test_checklist_with_many_missing_pieces_still_fits_on_one_page() -> None:
    pages, text = _read(client_checklist_pdf(HOSTED_MINOR, SCHOOL_INFO, TODAY))
    assert pages == 1
    for label in (
        "Justificatif d'identité",
        "Attestation d'hébergement",
        "Pièce d'identité de l'hébergeant",
        "Pièce d'identité du représentant légal",
    ):
        assert f"{label} (à fournir)" in text


def test_mandate_is_prefilled_for_signature() -> None:
    pages, text = _read(mandate_pdf(ADULT_B, SCHOOL_INFO, TODAY))
    assert pages == 1
    assert "Mandat" in text
    assert "MARTIN Léa Éloïse" in text and "née le 14/05/1996 à Lyon" in text
    assert "3 rue des Lilas, Bâtiment B, 69003 Lyon" in text
    assert SCHOOL["school.name"] in text and SCHOOL["school.approval_number"] in text
    assert "Inscription au permis, primo-accédant" in text
    assert "B : voiture" in text
    assert "le 27/11/2026" in text
    assert "Bon pour mandat" in text
    assert "ne peut pas être transférée" in text
    assert "Attention" not in text


def test_mandate_warns_in_a_regional_tax_territory() -> None:
    corsica = facts(ADULT_B)
    corsica["applicant"]["address"] = {
        "line1": "1 rue Fesch",
        "postal_code": "20000",
        "city": "Ajaccio",
    }
    warning = mandate_warning(corsica, TODAY)
    assert warning is not None and "Corse" in warning
    _, text = _read(mandate_pdf(corsica, SCHOOL_INFO, TODAY))
    assert "Attention" in text and "n'est pas possible" in text and "Corse" in text
    assert mandate_warning(ADULT_B, TODAY) is None


def test_minor_mandate_is_signed_by_the_legal_representative() -> None:
    _, text = _read(mandate_pdf(HOSTED_MINOR, SCHOOL_INFO, TODAY))
    assert "ROSSI Maria, agissant en qualité de mère de ROSSI Ange-Mathieu" in text
    assert "Le représentant légal" in text


def test_hosting_attestation_names_the_host_and_the_address() -> None:
    pages, text = _read(hosting_attestation_pdf(HOSTED_MINOR, SCHOOL_INFO, TODAY))
    assert pages == 1
    assert "Attestation d'hébergement" in text
    assert "SANTONI Jean, né le 21/07/1958" in text
    assert "8 cours Napoléon, 20000 Ajaccio" in text
    assert "ROSSI Ange-Mathieu, né le 03/02/2010" in text
    assert "L'hébergeant" in text and "441-7" in text


def test_minor_without_host_is_hosted_by_the_parent() -> None:
    minor = facts(HOSTED_MINOR, host=None)
    minor["applicant"]["hosted"] = False
    _, text = _read(hosting_attestation_pdf(minor, SCHOOL_INFO, TODAY))
    assert "ROSSI Maria (mère)" in text


def test_hosting_attestation_is_refused_for_an_adult_at_home() -> None:
    with pytest.raises(BadInput, match="ni hébergé ni mineur"):
        hosting_attestation_pdf(ADULT_B, SCHOOL_INFO, TODAY)


def test_text_outside_the_font_is_replaced_not_dropped() -> None:
    assert clean("Zoë Łukasz") == "Zoë Łukasz"
    assert clean("Иван").count("?") == 4


def test_checklist_asks_for_missing_information_too() -> None:
    unknown = facts(ADULT_B)
    del unknown["applicant"]["nationality"]
    pages, text = _read(client_checklist_pdf(unknown, SCHOOL_INFO, TODAY))
    assert pages == 1
    assert "Informations à nous communiquer" in text and "nationalité" in text
