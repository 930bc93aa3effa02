"""Make signed 2D-Docs for tests and benchmarks: a test CA, signing certificates, DataMatrix
images and PDFs (an e-bill with vector modules, and a scanned page).

Nothing here is a mock: the documents are signed with real ECDSA keys, encoded in real
DataMatrix symbols (zxing-cpp's writer) and read back through the product's decoder.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import zxingcpp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID
from PIL import Image, ImageDraw, ImageFont

from permis_desktop.scan.recognize.twoddoc_parse import assemble, build_content

_HASH = {"secp256r1": hashes.SHA256(), "secp384r1": hashes.SHA384(), "secp521r1": hashes.SHA512()}
_SIZE = {"secp256r1": 32, "secp384r1": 48, "secp521r1": 66}


@dataclass
class Signer:
    ca_id: str
    cert_id: str
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate


@dataclass
class DocPki:
    ca_id: str
    ca_key: ec.EllipticCurvePrivateKey
    ca_cert: x509.Certificate
    signers: dict[str, Signer]

    def write_store(self, folder: Path, *, with_ca: bool = True) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        pem = serialization.Encoding.PEM
        if with_ca:
            (folder / f"{self.ca_id}.pem").write_bytes(self.ca_cert.public_bytes(pem))
        for s in self.signers.values():
            (folder / f"{s.ca_id}-{s.cert_id}.pem").write_bytes(s.cert.public_bytes(pem))
        return folder


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test 2D-Doc"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
        ]
    )


def make_pki(ca_id: str = "FR00", curves: tuple[str, ...] = ("secp256r1",)) -> DocPki:
    """A CA `ca_id` and one signing certificate per curve (ids 0001, 0002, ...)."""
    now = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP384R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name(ca_id))
        .issuer_name(_name(ca_id))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=365 * 20))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA384())
    )
    signers = {}
    for index, curve_name in enumerate(curves, start=1):
        curve = {
            "secp256r1": ec.SECP256R1(),
            "secp384r1": ec.SECP384R1(),
            "secp521r1": ec.SECP521R1(),
        }[curve_name]
        key = ec.generate_private_key(curve)
        cert_id = f"{index:04d}"
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(cert_id))
            .issuer_name(_name(ca_id))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=365 * 15))
            .sign(ca_key, hashes.SHA384())
        )
        signers[cert_id] = Signer(ca_id, cert_id, key, cert)
    return DocPki(ca_id, ca_key, ca_cert, signers)


def sign(signer: Signer, signed: bytes) -> bytes:
    curve = signer.key.curve.name
    der = signer.key.sign(signed, ec.ECDSA(_HASH[curve]))
    r, s = decode_dss_signature(der)
    size = _SIZE[curve]
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


SURNAMES = [
    "MARTIN",
    "BERNARD",
    "DUBOIS",
    "THOMAS",
    "ROBERT",
    "RICHARD",
    "PETIT",
    "DURAND",
    "LEROY",
    "MOREAU",
    "SIMON",
    "LAURENT",
    "LEFEBVRE",
    "MICHEL",
    "GARCIA",
    "N GUYEN",
]
GIVEN = ["NATACHA", "ARTHUR", "LOUISE", "JULES", "CHLOE", "HUGO", "EMMA", "LEO", "INES", "LUCAS"]
STREETS = [
    "AVENUE DES SPECIMENS",
    "RUE DE LA PAIX",
    "BOULEVARD VOLTAIRE",
    "SQUARE DES ECHANTILLONS",
    "CHEMIN DES VIGNES",
    "ALLEE DES TILLEULS",
]
CITIES = [
    ("75011", "PARIS"),
    ("44000", "NANTES"),
    ("69003", "LYON"),
    ("13001", "MARSEILLE"),
    ("59000", "LILLE"),
    ("31000", "TOULOUSE"),
]


@dataclass
class GeneratedDoc:
    payload: bytes
    signed: bytes
    document_type: str
    holder: str
    address_line: str
    postal_code: str
    city: str
    issue_date: dt.date
    signature_date: dt.date
    cert_id: str
    version: int


def make_doc(
    pki: DocPki,
    rng: random.Random,
    *,
    cert_id: str = "0001",
    document_type: str | None = None,
    version: int | None = None,
) -> GeneratedDoc:
    document_type = document_type or rng.choice(["00", "01", "02"])
    version = version or rng.choice([2, 3, 4])
    surname, given = rng.choice(SURNAMES), rng.choice(GIVEN)
    title = rng.choice(["M", "MME"])
    street = f"{rng.randint(1, 250)} {rng.choice(STREETS)}"
    postal, city = rng.choice(CITIES)
    issue = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 300))
    signed_on = issue + dt.timedelta(days=rng.randint(0, 3))
    fields = [
        ("10", f"{title}/{surname}/{given}"),
        ("22", street),
        ("24", postal),
        ("25", city),
        ("26", "FR"),
    ]
    if document_type == "01":
        fields.insert(1, ("18", f"FA{rng.randint(10**6, 10**7 - 1)}"))
    rng.shuffle(fields)
    signed = build_content(
        ca_id=pki.ca_id,
        certificate_id=cert_id,
        document_type=document_type,
        fields=fields,
        issue_date=issue,
        signature_date=signed_on,
        version=version,
    )
    payload = assemble(signed, sign(pki.signers[cert_id], signed), version)
    return GeneratedDoc(
        payload,
        signed,
        document_type,
        f"{title} {surname} {given}",
        street,
        postal,
        city,
        issue,
        signed_on,
        cert_id,
        version,
    )


def datamatrix_modules(payload: bytes) -> np.ndarray:
    """Module matrix (True = dark) of a DataMatrix holding `payload`."""
    code = zxingcpp.create_barcode(payload.decode("latin-1"), zxingcpp.BarcodeFormat.DataMatrix)
    img = np.asarray(code.to_image(scale=1, add_quiet_zones=False))
    return img < 128


def page_with_code(
    payload: bytes,
    *,
    dpi: int = 300,
    module_mm: float = 0.42,
    noise: float = 0.0,
    rng: random.Random | None = None,
) -> Image.Image:
    """An A4 page (grayscale) with some text and the DataMatrix at bottom right, at `dpi`."""
    width, height = round(210 / 25.4 * dpi), round(297 / 25.4 * dpi)
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=max(12, dpi // 8))
    for i, text in enumerate(["FACTURE D'ELECTRICITE", "Votre contrat", "Montant : 62,40 EUR"]):
        draw.text((dpi // 2, dpi // 2 + i * dpi // 4), text, fill=0, font=font)
    modules = datamatrix_modules(payload)
    px = module_mm / 25.4 * dpi
    size = round(modules.shape[0] * px)
    code = Image.fromarray(np.where(modules, 0, 255).astype(np.uint8)).resize(
        (size, round(modules.shape[1] * px) if modules.shape[1] != modules.shape[0] else size),
        Image.NEAREST,
    )
    page.paste(code, (width - size - dpi, height - code.height - dpi))
    if noise:
        rng = rng or random.Random(0)
        arr = np.asarray(page, dtype=np.float32)
        arr += np.random.default_rng(rng.randint(0, 2**31)).normal(0, noise, arr.shape)
        page = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    return page


def vector_pdf(payload: bytes, *, module_mm: float = 0.4) -> bytes:
    """A one-page A4 PDF like an e-bill: a line of text and the DataMatrix drawn as vectors."""
    modules = datamatrix_modules(payload)
    unit = module_mm / 25.4 * 72
    x0, y0 = 400.0, 80.0
    rows, cols = modules.shape
    ops = ["BT /F1 14 Tf 60 780 Td (FACTURE - document electronique) Tj ET", "0 g"]
    for r in range(rows):
        for c in range(cols):
            if modules[r, c]:
                ops.append(
                    f"{x0 + c * unit:.3f} {y0 + (rows - 1 - r) * unit:.3f} "
                    f"{unit:.3f} {unit:.3f} re f"
                )
    stream = "\n".join(ops).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def scanned_pdf(page: Image.Image, dpi: int = 300) -> bytes:
    import io

    buf = io.BytesIO()
    page.convert("L").save(buf, format="PDF", resolution=dpi)
    return buf.getvalue()
