"""Who may sign a 2D-Doc, and whether a given signature is theirs.

Trust comes from three places, all offline:
- the ANTS trust service status list (ETSI TS 102 231) shipped with the application: the
  certification authorities (CA) FR01, FR03..FR07 with their CA certificates;
- signing certificates cached in the data folder (`cache/2ddoc/CAID-CERTID.pem`), since the TSL
  does not carry them (each CA publishes its own, online);
- `--trust-store DIR`: `CAID.pem` for a CA, `CAID-CERTID.pem` for a signing certificate.

A signing certificate counts only if one of its CA's certificates signed it. The signature is
ECDSA over the bytes before <US>, given as raw r||s: 64 bytes for P-256/SHA-256, 96 for
P-384/SHA-384, 132 for P-521/SHA-512 (shared reference domain-ants.md §7). A verdict is
`valid` only after `cryptography` verified that signature with a trusted key.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import logging
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from permis_desktop.scan.recognize.twoddoc_parse import TwoDDocContent

log = logging.getLogger(__name__)

ANTS_TSL_RESOURCE = "ants_tsl_2025-08-25.xml"
_TSL_NS = {"tsl": "http://uri.etsi.org/02231/v2#"}
_CA_ID = re.compile(r"\b([A-Z]{2}[0-9A-Z]{2})\b")
_PEM_NAME = re.compile(r"^([A-Z0-9]{4})(?:-([A-Z0-9]{4}))?\.pem$", re.IGNORECASE)

VALID, INVALID, UNKNOWN_CERTIFICATE, UNSUPPORTED = (
    "valid",
    "invalid",
    "unknown_certificate",
    "unsupported",
)
_CURVES: dict[str, tuple[int, hashes.HashAlgorithm]] = {
    "secp256r1": (32, hashes.SHA256()),
    "secp384r1": (48, hashes.SHA384()),
    "secp521r1": (66, hashes.SHA512()),
}


@dataclass(frozen=True)
class Verdict:
    signature: str  # valid | invalid | unknown_certificate | unsupported
    reason: str  # short French explanation for the user
    signer: str | None = None  # subject of the certificate that verified the signature


@dataclass
class TrustStore:
    cas: dict[str, list[x509.Certificate]] = field(default_factory=dict)
    signers: dict[tuple[str, str], list[x509.Certificate]] = field(default_factory=dict)
    tsl_issue_date: str | None = None
    tsl_next_update: str | None = None

    # -- loading ---------------------------------------------------------------------------

    @classmethod
    def load(
        cls,
        extra_dir: str | Path | None = None,
        cache_dir: str | Path | None = None,
        *,
        include_ants: bool = True,
    ) -> TrustStore:
        store = cls()
        if include_ants:
            store.add_tsl(resources.files(__package__).joinpath(ANTS_TSL_RESOURCE).read_bytes())
        for folder in (cache_dir, extra_dir):
            if folder is not None and Path(folder).is_dir():
                store.add_directory(Path(folder))
        return store

    def add_ca(self, ca_id: str, cert: x509.Certificate) -> None:
        self.cas.setdefault(ca_id.upper(), []).append(cert)

    def add_signer(self, ca_id: str, cert_id: str, cert: x509.Certificate) -> None:
        self.signers.setdefault((ca_id.upper(), cert_id.upper()), []).append(cert)

    def add_tsl(self, xml_bytes: bytes) -> None:
        root = ET.fromstring(xml_bytes)
        issue = root.find(".//tsl:ListIssueDateTime", _TSL_NS)
        nxt = root.find(".//tsl:NextUpdate/tsl:dateTime", _TSL_NS)
        self.tsl_issue_date = issue.text.strip()[:10] if issue is not None and issue.text else None
        self.tsl_next_update = nxt.text.strip()[:10] if nxt is not None and nxt.text else None
        for service in root.iterfind(".//tsl:TSPService", _TSL_NS):
            names = " ".join(
                (n.text or "") for n in service.iterfind(".//tsl:ServiceName/tsl:Name", _TSL_NS)
            )
            for node in service.iterfind(".//tsl:X509Certificate", _TSL_NS):
                try:
                    der = base64.b64decode("".join((node.text or "").split()))
                    cert = x509.load_der_x509_certificate(der)
                except (ValueError, binascii.Error) as exc:
                    log.warning("TSL: unreadable certificate in %r: %s", names, exc)
                    continue
                ca_id = _ca_id_of(cert) or _first_ca_id(names)
                if ca_id:
                    self.add_ca(ca_id, cert)

    def add_directory(self, folder: Path) -> None:
        for path in sorted(folder.glob("*.pem")):
            match = _PEM_NAME.match(path.name)
            if not match:
                log.info("trust store: ignoring %s (not CAID.pem or CAID-CERTID.pem)", path)
                continue
            try:
                certs = x509.load_pem_x509_certificates(path.read_bytes())
            except (ValueError, OSError) as exc:
                log.warning("trust store: cannot read %s: %s", path, exc)
                continue
            ca_id, cert_id = match.group(1), match.group(2)
            for cert in certs:
                if cert_id:
                    self.add_signer(ca_id, cert_id, cert)
                else:
                    self.add_ca(ca_id, cert)

    def cache_signer(
        self, cache_dir: str | Path, ca_id: str, cert_id: str, pem_or_der: bytes
    ) -> bool:
        """Keep a signing certificate fetched online (from the CA's publication point) in the
        cache folder, as `CAID-CERTID.pem`, if its CA in this store signed it. Returns
        whether it was kept; a certificate no known CA signed is refused."""
        try:
            if pem_or_der.lstrip().startswith(b"-----BEGIN"):
                cert = x509.load_pem_x509_certificate(pem_or_der)
            else:
                cert = x509.load_der_x509_certificate(pem_or_der)
        except ValueError as exc:
            log.warning("2D-Doc cache: unreadable certificate %s-%s: %s", ca_id, cert_id, exc)
            return False
        self.add_signer(ca_id, cert_id, cert)
        if cert not in self.trusted_signers(ca_id, cert_id):
            self.signers[(ca_id.upper(), cert_id.upper())].remove(cert)
            return False
        from cryptography.hazmat.primitives.serialization import Encoding

        from permis_desktop.fileutil import atomic_write_bytes

        target = Path(cache_dir) / f"{ca_id.upper()}-{cert_id.upper()}.pem"
        atomic_write_bytes(target, cert.public_bytes(Encoding.PEM))
        return True

    # -- verification ----------------------------------------------------------------------

    def trusted_signers(self, ca_id: str, cert_id: str) -> list[x509.Certificate]:
        """Signing certificates for (CA, certificate id) that the CA's own key signed."""
        result = []
        for leaf in self.signers.get((ca_id.upper(), cert_id.upper()), []):
            for ca in self.cas.get(ca_id.upper(), []):
                try:
                    leaf.verify_directly_issued_by(ca)
                except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
                    continue
                result.append(leaf)
                break
            else:
                log.warning(
                    "2D-Doc: certificate %s-%s is not signed by a known %s CA",
                    ca_id,
                    cert_id,
                    ca_id,
                )
        return result

    def verify(self, content: TwoDDocContent) -> Verdict:
        header = content.header
        if content.signature is None:
            return Verdict(INVALID, "Le 2D-Doc n'a pas de signature lisible.")
        if header.ca_id.upper() not in self.cas:
            return Verdict(
                UNKNOWN_CERTIFICATE,
                f"Autorité de certification {header.ca_id} inconnue : signature non vérifiable.",
            )
        signers = self.trusted_signers(header.ca_id, header.certificate_id)
        if not signers:
            return Verdict(
                UNKNOWN_CERTIFICATE,
                f"Certificat {header.ca_id}-{header.certificate_id} absent : "
                "ajoutez-le au magasin de certificats pour vérifier la signature.",
            )
        unsupported = None
        for cert in signers:
            key = cert.public_key()
            if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name not in _CURVES:
                unsupported = f"clé {type(key).__name__}"
                continue
            size, algorithm = _CURVES[key.curve.name]
            if len(content.signature) != 2 * size:
                return Verdict(INVALID, "La signature du 2D-Doc n'a pas la bonne longueur.")
            r = int.from_bytes(content.signature[:size], "big")
            s = int.from_bytes(content.signature[size:], "big")
            try:
                key.verify(encode_dss_signature(r, s), content.signed_data, ec.ECDSA(algorithm))
            except InvalidSignature:
                continue
            when = _date(header.signature_date)
            if when is not None and not (
                cert.not_valid_before_utc.date() <= when <= cert.not_valid_after_utc.date()
            ):
                return Verdict(
                    INVALID,
                    "Le certificat n'était pas valide à la date de signature.",
                    cert.subject.rfc4514_string(),
                )
            return Verdict(VALID, "Signature 2D-Doc vérifiée.", cert.subject.rfc4514_string())
        if unsupported and len(signers) == 1:
            return Verdict(UNSUPPORTED, f"Type de signature non pris en charge ({unsupported}).")
        return Verdict(INVALID, "Signature du 2D-Doc invalide : le document a pu être modifié.")


def _date(iso: str | None) -> dt.date | None:
    return dt.date.fromisoformat(iso) if iso else None


def _ca_id_of(cert: x509.Certificate) -> str | None:
    for attr in cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME):
        value = str(attr.value).strip().upper()
        if re.fullmatch(r"[A-Z]{2}[0-9A-Z]{2}", value):
            return value
    return None


def _first_ca_id(text: str) -> str | None:
    for match in _CA_ID.finditer(text.upper()):
        if match.group(1)[:2] == "FR":
            return match.group(1)
    return None
