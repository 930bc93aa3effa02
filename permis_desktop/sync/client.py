"""The dossier service's HTTP API, seen from a desk (see `docs/openapi.json`).

Every failure becomes one of a few exceptions that say what the outbox must do with it:
`Retryable` (connection refused or cut, timeout, 5xx, 429, a page file cut on its way:
back off and try again), `Unauthorized` (ask for a new token, keep everything),
`MissingBlobs` (upload those page files, then send again) and `Rejected` (a permanent
refusal for this dossier, with the server's French reason). The distinction follows
PowerSync's write path: throwing on a 4xx would block the queue forever, and treating a
401 as permanent loses data (capture-and-sync.md §4.4, §4.8).
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from permis_desktop.errors import BadInput

log = logging.getLogger(__name__)

CHUNK = 256 * 1024
API = "/v1"


class SyncError(Exception):
    """A failure of one exchange with the service; `str()` is French, for the desk."""


class Retryable(SyncError):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unreachable(Retryable):
    """No answer at all: the network, the server down, a timeout, or a certificate refused."""

    def __init__(self, message: str, certificate_refused: bool = False) -> None:
        super().__init__(message)
        self.certificate_refused = certificate_refused


def certificate_refused(exc: BaseException) -> bool:
    """True when the failure, or what caused it, is a TLS certificate that did not verify."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(
            seen
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _unreachable(exc: httpx.TransportError, what: str) -> Unreachable:
    during = f" pendant {what}" if what else ""
    if isinstance(exc, httpx.TimeoutException):
        return Unreachable(f"Le serveur ne répond pas (délai dépassé){during}.")
    if certificate_refused(exc):
        return Unreachable(
            "Le certificat du serveur n'est pas reconnu : choisissez dans les réglages le "
            "fichier d'autorité de certification remis par l'agence, ou vérifiez l'adresse.",
            certificate_refused=True,
        )
    return Unreachable(f"Serveur injoignable{during} : vérifiez la connexion.")


class Unauthorized(SyncError):
    pass


class MissingBlobs(SyncError):
    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"{len(missing)} fichier(s) de page manquent sur le serveur.")
        self.missing = missing


class Rejected(SyncError):
    def __init__(self, message: str, code: str, http_status: int) -> None:
        super().__init__(message)
        self.code = code
        self.http_status = http_status


@dataclass(frozen=True)
class Receipt:
    id: str
    outcome: str
    received_version: int
    version: int
    status: str


@dataclass(frozen=True)
class FeedEvent:
    id: int
    dossier_id: str
    at: str
    from_status: str | None
    to_status: str
    version: int
    source: str
    message: str = ""
    pieces: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FeedPage:
    events: list[FeedEvent]
    next_after: int
    has_more: bool


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _raise_for(response: httpx.Response, what: str) -> None:
    status = response.status_code
    if status < 400:
        return
    body = _body(response) if response.request.method != "HEAD" else {}
    message = str(body.get("message") or "")
    code = str(body.get("error") or "")
    if status == 401:
        raise Unauthorized(
            "Le serveur refuse le jeton d'accès de ce poste : saisissez un nouveau jeton "
            "dans les réglages (rien n'est perdu)."
        )
    if status == 409 and code == "missing_blobs":
        raise MissingBlobs([str(m) for m in body.get("missing", [])])
    if status == 429 or status >= 500:
        raise Retryable(
            f"Le serveur est momentanément indisponible ({status}) pendant {what}.",
            _retry_after(response),
        )
    if status == 400 and code == "hash_mismatch":
        raise Retryable(message or "Fichier de page altéré pendant l'envoi.")
    raise Rejected(message or f"Le serveur a refusé {what} (erreur {status}).", code, status)


def tls_verification(verify: bool | str | ssl.SSLContext) -> bool | ssl.SSLContext:
    """True/False, or a context that trusts the agency's CA file (given as a path)."""
    if not isinstance(verify, str):
        return verify
    try:
        return ssl.create_default_context(cafile=verify)
    except (OSError, ssl.SSLError) as exc:
        log.warning("cannot load the CA file %s: %s", verify, exc)
        raise BadInput(
            f"Le fichier d'autorité de certification {verify} est introuvable ou illisible "
            "(un fichier PEM est attendu) : corrigez-le dans les réglages."
        ) from exc


class ServiceClient:
    """One desk's connection to the service. Not thread-safe: one per worker thread."""

    def __init__(
        self,
        base_url: str,
        token: str,
        verify: bool | str | ssl.SSLContext = True,
        timeout: float = 30.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.base_url + API,
            headers={"Authorization": f"Bearer {token}", "User-Agent": "permis-desktop"},
            verify=tls_verification(verify),
            timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)),
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ServiceClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _send(self, what: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, url, **kwargs)
        except httpx.TransportError as exc:
            log.info("%s %s failed: %r", method, url, exc)
            raise _unreachable(exc, what) from exc
        _raise_for(response, what)
        return response

    def health(self) -> bool:
        """True when the service answers (no token needed)."""
        try:
            return self._http.get("/health", timeout=5.0).status_code == 200
        except httpx.HTTPError:
            return False

    def whoami(self) -> dict[str, str]:
        data = self._send("la vérification du jeton", "GET", "/desk").json()
        return {"agency": str(data["agency"]), "desk": str(data["desk"])}

    def has_blob(self, sha256: str) -> bool:
        try:
            response = self._http.head(f"/blobs/{sha256}")
        except httpx.TransportError as exc:
            raise _unreachable(exc, "") from exc
        if response.status_code == 404:
            return False
        _raise_for(response, "la vérification d'un fichier de page")
        return True

    def put_blob(self, sha256: str, path: Path) -> bool:
        """Upload a page file, streamed from disk; True when the server did not have it."""
        size = path.stat().st_size

        def chunks() -> Iterator[bytes]:
            with path.open("rb") as handle:
                while chunk := handle.read(CHUNK):
                    yield chunk

        response = self._send(
            "l'envoi d'un fichier de page",
            "PUT",
            f"/blobs/{sha256}",
            content=chunks(),
            headers={"Content-Type": "application/octet-stream", "Content-Length": str(size)},
        )
        return bool(_body(response).get("created", response.status_code == 201))

    def put_dossier(self, dossier_id: str, upload: dict[str, Any], idempotency_key: str) -> Receipt:
        response = self._send(
            "l'envoi du dossier",
            "PUT",
            f"/dossiers/{dossier_id}",
            json=upload,
            headers={"Idempotency-Key": idempotency_key},
        )
        data = _body(response)
        return Receipt(
            id=str(data["id"]),
            outcome=str(data["outcome"]),
            received_version=int(data["received_version"]),
            version=int(data["version"]),
            status=str(data["status"]),
        )

    def events(self, after: int, limit: int = 200) -> FeedPage:
        data = _body(
            self._send(
                "la lecture des statuts", "GET", "/events", params={"after": after, "limit": limit}
            )
        )
        events = [
            FeedEvent(
                id=int(e["id"]),
                dossier_id=str(e["dossier_id"]),
                at=str(e["at"]),
                from_status=e.get("from_status"),
                to_status=str(e["to_status"]),
                version=int(e["version"]),
                source=str(e["source"]),
                message=str(e.get("message") or ""),
                pieces=[str(p) for p in e.get("pieces", [])],
            )
            for e in data.get("events", [])
        ]
        return FeedPage(events, int(data.get("next_after", after)), bool(data.get("has_more")))
