"""Pure parts of papers and filing: ANTS-document recognition, the ANTS form fields and their
JSON round trip, assembling a piece's pages into one PDF."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from pypdf import PdfReader

from permis_desktop.outputs.ants_documents import recognise
from permis_desktop.outputs.ants_form import datasheet_json, facts_from_datasheet, form_steps
from permis_desktop.outputs.kit import PagePayload, piece_pdf
from permis_desktop.procedures.facts import facts_to_json, parse_facts
from tests.outputs.conftest import TODAY, jpeg_bytes, pdf_bytes

RECEIPT_LINES = [
    "Agence Nationale des Titres Sécurisés",
    "RÉCÉPISSÉ DE DÉPÔT",
    "Demande de permis de conduire – inscription à l'examen",
    "Numéro de demande : 24PC1234567",
    "Madame MARTIN Léa, née le 14/05/1996",
    "Demande déposée le 25/11/2026 par l'école de conduite Auto-école des Lilas.",
    "Vous pourrez télécharger l'attestation d'inscription une fois la demande instruite.",
]
ATTESTATION_LINES = [
    "ATTESTATION D'INSCRIPTION AU PERMIS DE CONDUIRE",
    "Fac-similé – équivalent du Cerfa réf. 02",
    "N° NEPH : 1234 5678 9012",
    "Née le 14 mai 1996",
    "Édité le 26 novembre 2026",
]


def test_recognises_the_receipt_its_date_and_request_number() -> None:
    found = recognise("\n".join(RECEIPT_LINES), today=TODAY)
    assert found.kind == "receipt"
    assert found.issued_on == dt.date(2026, 11, 25)  # not the birth date
    assert found.request_number == "24PC1234567"


def test_recognises_the_attestation_with_a_date_in_words_and_the_neph() -> None:
    found = recognise("\n".join(ATTESTATION_LINES), today=TODAY)
    assert found.kind == "registration_attestation"
    assert found.issued_on == dt.date(2026, 11, 26)
    assert found.neph == "123456789012"


def test_text_without_a_known_title_is_other() -> None:
    found = recognise("Courrier de l'ANTS\nle 02/03/2026", today=TODAY)
    assert (found.kind, found.issued_on) == ("other", dt.date(2026, 3, 2))
    assert recognise("", today=TODAY).kind == "other"


def test_piece_pdf_mixes_image_and_pdf_pages_in_order() -> None:
    data = piece_pdf(
        [
            PagePayload(jpeg_bytes(200, 300), 100),
            PagePayload(pdf_bytes(["deuxième page"], pages=2)),
        ],
        "Justificatif de domicile",
    )
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 3
    assert "deuxième page" in reader.pages[1].extract_text()
    assert reader.metadata.title == "Justificatif de domicile"


def test_datasheet_round_trips_a_dossier_with_every_field() -> None:
    every = {
        "procedure": "licence_after_training_b96",
        "categories": ["B"],
        "training_mode": "traditional",
        "mandate": True,
        "reference_date": "2026-11-20",
        "applicant": {
            "sex": "M",
            "birth_name": "Nguyễn",
            "usage_name": "Dupont",
            "given_names": ["Văn", "Éric"],
            "birth_date": "1990-00-00",
            "birth_place": {"commune": "Hanoï", "insee": "99243", "country": "VNM"},
            "nationality": "FRA",
            "address": {
                "line1": "5 rue Émile Zola",
                "line2": "chez M. Durand",
                "postal_code": "75011",
                "city": "Paris",
                "country": "FRA",
            },
            "email": "eric@example.fr",
            "mobile": "+33612345678",
            "neph": "123456789012",
            "under_guardianship": True,
            "hosted": True,
            "licence": {
                "number": "AB12345",
                "categories": [{"category": "B", "obtained": "2012-03-04", "restrictions": ["78"]}],
            },
            "medical": {"condition": True, "adapted_vehicle": True, "invalidity_pension": True},
        },
        "legal_representative": {
            "sex": "F",
            "birth_name": "Durand",
            "usage_name": "Martin",
            "given_names": ["Anne"],
            "birth_date": "1965-01-02",
            "email": "anne@example.fr",
            "mobile": "0699999999",
            "quality": "tutrice",
            "address": {"line1": "1 place X", "line2": "B", "postal_code": "69001", "city": "Lyon"},
        },
        "host": {
            "sex": "M",
            "birth_name": "Durand",
            "usage_name": "D",
            "given_names": ["Paul"],
            "birth_date": "1950-05-05",
            "email": "p@example.fr",
            "mobile": "0611111111",
        },
        "photo_signature": {"code": "ABCD1234EFGH5678IJKL90", "taken": "2026-11-01"},
        "training": {"kind": "b96", "completed": "2026-10-01"},
        "pieces": [
            {
                "kind": "identity",
                "document_type": "cni",
                "issued": "2020-01-01",
                "expires": "2031-01-01",
            },
            {"kind": "training_certificate", "issued": "2026-10-01"},
        ],
    }
    sheet = json.loads(
        json.dumps(
            datasheet_json(every, dossier_id="x", dossier_version=3, generated_on="2026-11-27")
        )
    )
    assert facts_to_json(parse_facts(facts_from_datasheet(sheet))) == facts_to_json(
        parse_facts(every)
    )
    texts = {f.key: f.text for s in form_steps(every) for f in s.fields}
    assert texts["applicant.birth_date"] == "00/00/1990"
    assert texts["applicant.licence.categories"] == "B (obtenu le 04/03/2012) codes 78"
    assert texts["mandate"] == "Oui"
    assert texts["applicant.birth_place.country"] == "Viêt Nam"


def test_two_up_puts_recto_and_verso_side_by_side_on_one_landscape_sheet() -> None:
    from permis_desktop.outputs.imposition import two_up

    source = pdf_bytes(["Attestation d'inscription"], pages=3)
    reader = PdfReader(io.BytesIO(two_up(source)))
    assert len(reader.pages) == 2  # pages 1-2 on the first sheet, page 3 on the second
    sheet = reader.pages[0]
    assert float(sheet.mediabox.width) > float(sheet.mediabox.height)
    text = sheet.extract_text()
    assert "Page 1" in text and "Page 2" in text and "Page 3" not in text
    assert "Page 3" in reader.pages[1].extract_text()


def test_two_up_refuses_a_damaged_pdf() -> None:
    import pytest

    from permis_desktop.errors import BadInput
    from permis_desktop.outputs.imposition import two_up

    with pytest.raises(BadInput, match="endommagé"):
        two_up(b"%PDF-1.4 nothing here")


def test_piece_pdf_takes_png_and_cmyk_pages_losslessly() -> None:
    from PIL import Image

    png, cmyk = io.BytesIO(), io.BytesIO()
    Image.new("RGB", (300, 200), (10, 200, 30)).save(png, "PNG", dpi=(100, 100))
    Image.new("CMYK", (200, 300), (0, 50, 100, 0)).save(cmyk, "JPEG", dpi=(100, 100))
    data = piece_pdf([PagePayload(png.getvalue()), PagePayload(cmyk.getvalue())], "Avis")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2
    # 300 px at 100 dpi = 3 inches = 216 pt wide.
    assert float(reader.pages[0].mediabox.width) == pytest.approx(216, abs=0.5)
    images = [o.get_object() for o in reader.pages[1]["/Resources"]["/XObject"].values()]
    assert images[0]["/Filter"] == "/DCTDecode" and images[0]._data == cmyk.getvalue()


def test_piece_pdf_refuses_pages_that_are_neither_images_nor_pdfs() -> None:
    from permis_desktop.errors import OperationFailed

    with pytest.raises(OperationFailed, match="ni une image ni un PDF"):
        piece_pdf([PagePayload(b"GIF89a....")], "Justificatif")


def test_a_data_sheet_missing_a_fact_is_refused() -> None:
    from permis_desktop.errors import OperationFailed
    from permis_desktop.outputs.kit import _check_round_trip
    from tests.outputs.conftest import ADULT_B

    sheet = datasheet_json(ADULT_B, dossier_id="x", dossier_version=1, generated_on="2026-11-27")
    _check_round_trip(ADULT_B, sheet)  # complete: accepted
    civil = next(s for s in sheet["steps"] if s["id"] == "etat_civil")
    civil["fields"] = [f for f in civil["fields"] if f["key"] != "applicant.birth_date"]
    with pytest.raises(OperationFailed, match="ne reprend pas toutes les données"):
        _check_round_trip(ADULT_B, sheet)
