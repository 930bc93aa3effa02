"""2D-Doc: header and field parsing on the specification's specimens, ECDSA verification
against a real test CA, trust-store rules, decoding from images and PDFs, and the CLI."""

from __future__ import annotations

import datetime as dt
import io
import json
import random
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from PIL import Image

from permis_desktop.cli import main
from permis_desktop.errors import BadInput, OperationFailed
from permis_desktop.scan.recognize import TrustStore, compare_2ddoc, read_2ddoc
from permis_desktop.scan.recognize.twoddoc import read_payload
from permis_desktop.scan.recognize.twoddoc_parse import (
    build_content,
    hex_date,
    parse_content,
)

from .kit2ddoc import (
    DocPki,
    Signer,
    make_doc,
    make_pki,
    page_with_code,
    scanned_pdf,
    sign,
    vector_pdf,
)

# Specimens printed in the 2D-Doc specification (pages 225, 226, 221), <GS>/<US> as bytes.
SPEC_BILL = (
    b"DC03FR000001123F1636010126FR247500010MME/SPECIMEN/NATACHA\x1d22145 AVENUE DES SPECIMENS"
    b"\x1d\x1fFEDMPW5SO5BNZFYP7FIQUYZFV5H3OF6QERDMOBN7BZ4CC4KVJ4XWUH6EW3CSWILAGLN4XQE6AKHX6"
    b"RNOI3OXVW6X3IKJASZGL62FBUQ"
)
SPEC_TAXE_HABITATION = (
    b"DC03FR000001123F1636020126FR244400010M/ECHANTILLON/ARTHUR\x1d2242 SQUARE DES ECHANTILLONS"
    b"\x1d25NANTES\x1d\x1fUBFF4NY7MIXQVUZYMRDRGXBTVWIVMCNP76TN7SA24QUJ4AAHG4WTLA2QZ5TSC54F2OQR"
    b"MWOAKSHLXJLNHXH4GJPBHBWXBO3PMSDOVZI"
)
SPEC_TAX_V2 = (
    b"DC04FR000001FFFF25472801FR432,75\x1d44227801234567845202146RETI PATRICK\x1d4A310720224Y1"
    b"45 RUE JULLIARD/ZASPECIMEN/78320/LEVIS STNOM\x1d4163198\x1d47300112345678948RETISOPHIE"
    b"\x1d4907019877654324V3542\x1d4X3724\x1d4Z182\x1d\x1fMA2KMBNBSV5WZB6RC5TEP7OCQ2GW7JV2AIYGRCW"
    b"COZHM4DMTKPV3SWB2OL25JEW4QUYKTW3HIRALV3XSGWKRVGW7DYQUTW5THUCW4PQ"
)


@pytest.fixture(scope="module")
def pki() -> DocPki:
    return make_pki("FR00", curves=("secp256r1", "secp384r1", "secp521r1"))


@pytest.fixture
def store_dir(pki: DocPki, tmp_path: Path) -> Path:
    return pki.write_store(tmp_path / "trust")


@pytest.fixture
def trust(store_dir: Path) -> TrustStore:
    return TrustStore.load(store_dir)


def test_hex_dates_follow_the_specification_examples() -> None:
    assert hex_date("123F") == "2012-10-15"
    assert hex_date("1E6D") == "2021-04-29"
    assert hex_date("1636") == "2015-07-27"
    assert hex_date("FFFF") is None


def test_specimen_bill_header_fields_and_named_values() -> None:
    result = read_payload(SPEC_BILL, TrustStore.load())
    assert (result.version, result.ca_id, result.certificate_id) == (3, "FR00", "0001")
    assert (result.document_type, result.perimeter, result.country) == ("01", "01", None)
    assert result.issue_date == "2012-10-15" and result.signature_date == "2015-07-27"
    assert result.fields == {
        "26": "FR",
        "24": "75000",
        "10": "MME/SPECIMEN/NATACHA",
        "22": "145 AVENUE DES SPECIMENS",
    }
    assert result.postal_code == "75000"
    assert result.address_lines == ["145 AVENUE DES SPECIMENS"]
    assert result.holder == "MME SPECIMEN NATACHA"
    assert result.holder_parts == {"title": "MME", "surname": "SPECIMEN", "given_name": "NATACHA"}
    # FR00 is the specification's test authority: not in the ANTS list, so never "valid".
    assert result.signature == "unknown_certificate"


def test_specimen_taxe_habitation_city() -> None:
    result = read_payload(SPEC_TAXE_HABITATION, TrustStore.load())
    assert result.document_type == "02"
    assert (result.postal_code, result.city) == ("44000", "NANTES")
    assert result.address_lines == ["42 SQUARE DES ECHANTILLONS"]
    assert result.holder_parts["surname"] == "ECHANTILLON"


def test_specimen_tax_notice_v2_keeps_unknown_ids_and_reads_the_address() -> None:
    content = parse_content(SPEC_TAX_V2)
    assert content.header.version == 4 and content.header.country == "FR"
    assert content.header.issue_date is None  # FFFF
    f = content.fields
    assert f["43"] == "2,75" and f["44"] == "2278012345678" and f["45"] == "2021"
    assert f["46"] == "RETI PATRICK" and f["4A"] == "31072022" and f["41"] == "63198"
    assert f["47"] == "3001123456789" and f["48"] == "RETISOPHIE" and f["49"] == "0701987765432"
    assert f["4V"] == "3542" and f["4X"] == "3724"
    assert f["4Z"] == "182"  # not in our table: kept raw, not dropped
    named = content.named()
    assert named["holder"] == "RETI PATRICK"
    assert (named["postal_code"], named["city"]) == ("78320", "LEVIS STNOM")
    assert content.signature is not None and len(content.signature) == 64


def test_shipped_trust_list_names_the_ants_authorities() -> None:
    store = TrustStore.load()
    assert {"FR01", "FR03", "FR04", "FR05", "FR06", "FR07"} <= set(store.cas)
    assert store.tsl_issue_date == "2025-08-25"


@pytest.mark.parametrize("cert_id", ["0001", "0002", "0003"])  # P-256, P-384, P-521
def test_signed_document_verifies_on_each_curve(
    pki: DocPki, trust: TrustStore, cert_id: str
) -> None:
    doc = make_doc(pki, random.Random(cert_id), cert_id=cert_id)
    result = read_payload(doc.payload, trust)
    assert result.signature == "valid", result.signature_reason
    assert result.postal_code == doc.postal_code and result.city == doc.city
    assert result.address_lines == [doc.address_line]
    assert result.issue_date == doc.issue_date.isoformat()


def test_every_single_byte_change_in_the_signed_part_is_never_valid(
    pki: DocPki, trust: TrustStore
) -> None:
    doc = make_doc(pki, random.Random(3), version=4)
    header_len = 26
    for pos in range(len(doc.signed)):
        tampered = bytearray(doc.payload)
        tampered[pos] = ord("7") if tampered[pos] != ord("7") else ord("8")
        try:
            result = read_payload(bytes(tampered), trust)
        except ValueError:
            continue  # header no longer a 2D-Doc header: not read at all
        assert result.signature != "valid", pos
        if pos >= header_len:
            assert result.signature == "invalid", pos


def test_changed_signature_byte_is_invalid(pki: DocPki, trust: TrustStore) -> None:
    doc = make_doc(pki, random.Random(4))
    tampered = bytearray(doc.payload)
    tampered[-3] = ord("A") if tampered[-3] != ord("A") else ord("B")
    assert read_payload(bytes(tampered), trust).signature == "invalid"
    assert read_payload(doc.payload[:-10], trust).signature == "invalid"  # truncated signature


def test_unknown_ca_gives_unknown_certificate(pki: DocPki) -> None:
    doc = make_doc(pki, random.Random(5))
    result = read_payload(doc.payload, TrustStore.load())  # ANTS list only: no FR00
    assert result.signature == "unknown_certificate"


def test_signing_certificate_without_its_ca_or_from_another_key_does_not_count(
    pki: DocPki, tmp_path: Path
) -> None:
    doc = make_doc(pki, random.Random(6), cert_id="0001")
    no_ca = TrustStore.load(pki.write_store(tmp_path / "leaf_only", with_ca=False))
    assert read_payload(doc.payload, no_ca).signature == "unknown_certificate"
    # A certificate for FR00-0001 made by an impostor CA that also calls itself FR00.
    impostor = make_pki("FR00")
    rogue = impostor.signers["0001"]
    forged = DocPki(
        "FR00", pki.ca_key, pki.ca_cert, {"0001": Signer("FR00", "0001", rogue.key, rogue.cert)}
    )
    store = TrustStore.load(forged.write_store(tmp_path / "forged"))
    signed = doc.signed
    forged_payload = (
        signed + b"\x1f" + __import__("base64").b32encode(sign(rogue, signed)).rstrip(b"=")
    )
    assert read_payload(forged_payload, store).signature == "unknown_certificate"


def test_certificate_expired_at_signature_date_is_invalid(pki: DocPki, tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "0009")])
    start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(pki.ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=30))
        .sign(pki.ca_key, hashes.SHA384())
    )
    signer = Signer("FR00", "0009", key, cert)
    store = TrustStore.load(
        DocPki("FR00", pki.ca_key, pki.ca_cert, {"0009": signer}).write_store(tmp_path / "t")
    )
    signed = build_content(
        ca_id="FR00",
        certificate_id="0009",
        document_type="01",
        fields=[("24", "75011")],
        issue_date=dt.date(2026, 1, 5),
        signature_date=dt.date(2026, 1, 5),
    )
    payload = signed + b"\x1f" + __import__("base64").b32encode(sign(signer, signed)).rstrip(b"=")
    result = read_payload(payload, store)
    assert result.signature == "invalid"
    assert "date de signature" in result.signature_reason


def test_png_scan_vector_pdf_and_scanned_pdf_decode_and_verify(
    pki: DocPki, trust: TrustStore, tmp_path: Path
) -> None:
    rng = random.Random(8)
    doc = make_doc(pki, rng, cert_id="0002")
    page = page_with_code(doc.payload, dpi=300, noise=6, rng=rng)
    png = io.BytesIO()
    page.save(png, format="PNG")
    pdf_path = tmp_path / "facture.pdf"
    pdf_path.write_bytes(vector_pdf(doc.payload))
    for source in (png.getvalue(), pdf_path, scanned_pdf(page)):
        result = read_2ddoc(source, trust_store=trust)
        assert result.signature == "valid"
        assert result.holder == doc.holder
        assert result.document_date == doc.issue_date.isoformat()


def test_image_without_2ddoc_fails_in_french(tmp_path: Path) -> None:
    blank = io.BytesIO()
    Image.new("L", (300, 300), 255).save(blank, format="PNG")
    with pytest.raises(OperationFailed, match="Aucun 2D-Doc"):
        read_2ddoc(blank.getvalue(), trust_store=TrustStore.load())
    with pytest.raises(BadInput):
        read_2ddoc(b"this is not an image", trust_store=TrustStore.load())


def test_compare_with_typed_address(pki: DocPki, trust: TrustStore) -> None:
    doc = make_doc(pki, random.Random(9))
    result = read_payload(doc.payload, trust)
    _title, surname, given = doc.holder.split(" ", 2)
    person = {
        "birth_name": surname.title(),
        "given_names": [given.title()],
        "address": {
            "line1": doc.address_line.lower(),
            "postal_code": doc.postal_code,
            "city": doc.city.title(),
        },
    }
    rows = {r.field: r for r in compare_2ddoc(result, person)}
    assert all(r.match for r in rows.values()), rows
    person["address"] = {"line1": "3 rue Ailleurs", "postal_code": "01000", "city": "Bourg"}
    person["birth_name"] = "Autre"
    rows = {r.field: r for r in compare_2ddoc(result, person)}
    assert not any(r.match for r in rows.values())
    assert rows["address.postal_code"].read == doc.postal_code


def test_cli_read_2ddoc_contract(
    pki: DocPki, store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    doc = make_doc(pki, random.Random(10), cert_id="0003")
    pdf = tmp_path / "facture.pdf"
    pdf.write_bytes(vector_pdf(doc.payload))
    assert main(["read-2ddoc", str(pdf), "--trust-store", str(store_dir)]) == 0
    report = json.loads(capsys.readouterr().out)
    for key in (
        "version",
        "ca_id",
        "certificate_id",
        "document_type",
        "perimeter",
        "country",
        "issue_date",
        "signature_date",
        "fields",
        "postal_code",
        "city",
        "address_lines",
        "holder",
        "signature",
    ):
        assert key in report
    assert report["signature"] == "valid" and report["postal_code"] == doc.postal_code
    assert main(["read-2ddoc", str(pdf)]) == 0  # without the test CA
    assert json.loads(capsys.readouterr().out)["signature"] == "unknown_certificate"
    empty = tmp_path / "vide.png"
    Image.new("L", (200, 200), 255).save(empty)
    assert main(["read-2ddoc", str(empty)]) == 1
    assert "Aucun 2D-Doc" in capsys.readouterr().err
    assert main(["read-2ddoc", str(tmp_path / "absent.pdf")]) == 2


def test_signing_certificate_is_cached_only_when_its_ca_signed_it(
    pki: DocPki, tmp_path: Path
) -> None:
    from cryptography.hazmat.primitives.serialization import Encoding

    ca_only = tmp_path / "ca"
    ca_only.mkdir()
    (ca_only / "FR00.pem").write_bytes(pki.ca_cert.public_bytes(Encoding.PEM))
    cache = tmp_path / "cache"
    store = TrustStore.load(ca_only, cache)
    doc = make_doc(pki, random.Random(12), cert_id="0002")
    assert read_payload(doc.payload, store).signature == "unknown_certificate"
    leaf = pki.signers["0002"].cert.public_bytes(Encoding.DER)
    assert store.cache_signer(cache, "FR00", "0002", leaf)
    assert (cache / "FR00-0002.pem").exists()
    # A new store (next start of the application) finds it in the cache, offline.
    assert read_payload(doc.payload, TrustStore.load(ca_only, cache)).signature == "valid"
    impostor = make_pki("FR00").signers["0001"].cert.public_bytes(Encoding.PEM)
    assert not store.cache_signer(cache, "FR00", "0001", impostor)
    assert not (cache / "FR00-0001.pem").exists()


@pytest.mark.parametrize("version", [1, 2, 3, 4])
def test_each_header_version_parses_and_verifies(
    pki: DocPki, trust: TrustStore, version: int
) -> None:
    signed = build_content(
        ca_id="FR00",
        certificate_id="0001",
        document_type="00",
        version=version,
        fields=[
            ("10", "M/DURAND/LEO"),
            ("22", "3 RUE DES LILAS"),
            ("24", "69003"),
            ("25", "LYON"),
            ("08", "25DC"),
        ],
        issue_date=dt.date(2026, 2, 1),
        signature_date=dt.date(2026, 2, 2),
    )
    from permis_desktop.scan.recognize.twoddoc_parse import assemble

    result = read_payload(assemble(signed, sign(pki.signers["0001"], signed), version), trust)
    assert result.version == version
    assert result.perimeter == "01" and result.country == ("FR" if version == 4 else None)
    assert (result.issue_date, result.signature_date) == ("2026-02-01", "2026-02-02")
    assert (result.postal_code, result.city, result.holder) == ("69003", "LYON", "M DURAND LEO")
    assert result.field_dates == {"08": "2026-07-15"}
    assert result.signature == "valid"
