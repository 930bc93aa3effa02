"""eSCL / AirScan scanners (every OS): most network and many USB multifunction printers.

The protocol (sane-airscan `airscan-escl.c`, NAPS2 `NAPS2.Escl/Client/EsclClient.cs`):
GET {root}/ScannerCapabilities, POST {root}/ScanJobs → 201 + Location, then
GET {job}/NextDocument once per page until 404, and DELETE {job} at the end.

Device quirks handled here, each seen in the field:
- 503 means "not ready yet, ask again": retried with a capped backoff (sane-airscan retries
  page loads up to 30 times and other requests 10 times, about 1 s apart).
- 409 on NextDocument means an empty feeder or a jam; devices disagree on which (AirSane
  PR #135), so ScannerStatus's AdfState picks the message when it says.
- Never trust the host in Location: Xerox B205/B215 send a broken IPv6 host there
  (sane-airscan). Only the path is kept; requests go to the address the user configured.
- HTTPS devices use self-signed certificates. One is accepted only when the user confirmed
  the device: its SHA-256 fingerprint is then pinned and checked on every response.
- Host always carries the port, even 80 or 443 (Epson refuses requests otherwise).
- 409 with an empty feeder after pages is the normal end of a run (AirSane before PR #135
  answered 409 where others answer 404); before the first page a "jam" state is not
  trusted (Canon MF410 series report a jam for an empty feeder).
- The scanner is on the local network: proxies from the environment are ignored.
Pages are yielded as each NextDocument completes; an error on a later page is raised after
them, so nothing already received is lost.
"""

from __future__ import annotations

import hashlib
import io
import logging
import socket
import ssl
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from permis_desktop.errors import BadInput
from permis_desktop.scan.devices.base import (
    CancelToken,
    Capabilities,
    DeviceBusy,
    DeviceError,
    DeviceInfo,
    DeviceOffline,
    FeederEmpty,
    FeederEmptyOrJam,
    PaperJam,
    ProgressCallback,
    ProgressThrottle,
    ScanCancelled,
    ScannedPage,
    ScanRequest,
    UnsupportedSetting,
    UntrustedCertificate,
)
from permis_desktop.scan.devices.escl_messages import (
    BadEsclReply,
    EsclCapabilities,
    EsclStatus,
    choose_color_mode,
    choose_format,
    parse_capabilities,
    parse_status,
    scan_settings_xml,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """How long to keep asking a device that answers 503 ("busy, try again")."""

    page_tries: int = 30
    other_tries: int = 10
    first_delay: float = 0.25
    max_delay: float = 1.0

    def delay(self, attempt: int) -> float:
        return float(min(self.max_delay, self.first_delay * (2**attempt)))


@dataclass(frozen=True)
class EsclEndpoint:
    """A device's eSCL root, e.g. `http://192.0.2.10:8080/eSCL`."""

    scheme: str
    netloc: str  # host:port as configured; the only host we ever talk to
    root: str  # path without trailing slash, e.g. "/eSCL"

    @classmethod
    def parse(cls, url: str) -> EsclEndpoint:
        parts = urlsplit(url.strip())
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise BadInput(
                f"Adresse de scanner eSCL invalide : « {url} ». Exemple : escl:http://192.0.2.10:8080/eSCL."
            )
        try:
            parts.port  # noqa: B018 - validates the port number
        except ValueError:
            raise BadInput(f"Port invalide dans l'adresse du scanner : « {url} ».") from None
        return cls(scheme=parts.scheme, netloc=parts.netloc, root=parts.path.rstrip("/"))

    @property
    def host_header(self) -> str:
        """Host with its port even when it is the default one: Epson devices refuse the
        request otherwise (sane-airscan device quirks)."""
        parts = urlsplit(self.origin)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        port = parts.port or (443 if self.scheme == "https" else 80)
        return f"{host}:{port}"

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.netloc}"

    @property
    def base_url(self) -> str:
        return self.origin + self.root

    @property
    def device_id(self) -> str:
        return f"escl:{self.base_url}"

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def job_url(self, location: str) -> str:
        """The job URL from a Location header, keeping our host and taking only its path."""
        path = urlsplit(location.strip()).path.rstrip("/")
        if not path:
            raise BadEsclReply(
                "Le scanner n'a pas indiqué où lire les pages. Redémarrez-le puis relancez."
            )
        if not path.startswith("/"):
            path = f"{self.root}/{path}"
        if urlsplit(location).netloc and urlsplit(location).netloc != self.netloc:
            log.info(
                "ignoring host %r in eSCL Location; using %s",
                urlsplit(location).netloc,
                self.netloc,
            )
        return self.origin + path


def endpoint_from_id(device_id: str) -> EsclEndpoint:
    prefix, _, url = device_id.partition(":")
    if prefix != "escl" or not url:
        raise BadInput(f"Ce n'est pas un scanner eSCL : {device_id}.")
    return EsclEndpoint.parse(url)


def normalise_fingerprint(text: str) -> str:
    hexdigits = "".join(c for c in text if c in "0123456789abcdefABCDEF").upper()
    return ":".join(hexdigits[i : i + 2] for i in range(0, len(hexdigits), 2))


def certificate_fingerprint(der: bytes) -> str:
    return normalise_fingerprint(hashlib.sha256(der).hexdigest())


def fetch_certificate_fingerprint(url: str, timeout: float = 5.0) -> str:
    """SHA-256 fingerprint of the certificate an HTTPS device presents, for the user to confirm."""
    endpoint = EsclEndpoint.parse(url.removeprefix("escl:"))
    parts = urlsplit(endpoint.origin)
    host, port = parts.hostname or "", parts.port or 443
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with (
            socket.create_connection((host, port), timeout=timeout) as sock,
            context.wrap_socket(sock, server_hostname=host) as tls,
        ):
            der = tls.getpeercert(binary_form=True)
    except OSError as exc:
        log.warning("cannot read certificate of %s: %s", endpoint.netloc, exc)
        raise DeviceOffline() from None
    if not der:
        raise BadEsclReply("Le scanner n'a pas présenté de certificat.")
    return certificate_fingerprint(der)


def _sniff(data: bytes, declared: str) -> str:
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if data.startswith(b"%PDF"):
        return "application/pdf"
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    return declared


def _image_size(data: bytes, media_type: str) -> tuple[int | None, int | None]:
    if not media_type.startswith("image/"):
        return None, None
    from PIL import Image  # header only: Pillow opens lazily

    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.width, image.height
    except Exception as exc:  # a page we cannot read is still kept; the pipeline decides
        log.warning("page image unreadable by Pillow: %s", exc)
        return None, None


class EsclDriver:
    """`escl:URL` devices; discovery through mDNS (`escl_discovery`) plus manual addresses."""

    name = "escl"

    def __init__(
        self,
        *,
        pins: Mapping[str, str] | None = None,
        manual_urls: tuple[str, ...] = (),
        retry: RetryPolicy | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 60.0,
        discover: Callable[[float], list[DeviceInfo]] | None = None,
    ) -> None:
        # netloc ("host:port") → SHA-256 fingerprint the user confirmed.
        self.pins = {k: normalise_fingerprint(v) for k, v in (pins or {}).items()}
        self.manual_urls = manual_urls
        self.retry = retry or RetryPolicy()
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self._discover = discover

    def available(self) -> bool:
        return True

    # -- devices --------------------------------------------------------------------------

    def list_devices(self, timeout: float = 3.0) -> list[DeviceInfo]:
        found: dict[str, DeviceInfo] = {}
        if timeout > 0:
            try:
                if self._discover is not None:
                    devices = self._discover(timeout)
                else:
                    from permis_desktop.scan.devices.escl_discovery import discover_devices

                    devices = discover_devices(timeout, set(self.pins))
                for device in devices:
                    found.setdefault(device.id, device)
            except Exception as exc:  # no network, multicast refused: manual addresses still work
                log.warning("eSCL discovery failed: %s", exc)
        for url in self.manual_urls:
            endpoint = EsclEndpoint.parse(url)
            if endpoint.device_id in found:
                continue
            name = endpoint.netloc
            try:
                # A short probe: an address that does not answer must not stall the list.
                name = self._capabilities(endpoint, timeout=2.0).make_and_model or name
            except DeviceError as exc:
                log.info("manual eSCL device %s not answering: %s", endpoint.base_url, exc)
            found[endpoint.device_id] = DeviceInfo(
                id=endpoint.device_id, driver="escl", name=name, connection="network"
            )
        return list(found.values())

    def capabilities(self, device_id: str) -> Capabilities:
        return self._capabilities(endpoint_from_id(device_id)).to_capabilities()

    def _capabilities(
        self, endpoint: EsclEndpoint, timeout: float | None = None
    ) -> EsclCapabilities:
        with self._client(endpoint, timeout) as client:
            response = self._request(client, endpoint, "GET", endpoint.url("ScannerCapabilities"))
            if response.status_code != 200:
                log.warning("ScannerCapabilities: HTTP %s", response.status_code)
                raise BadEsclReply()
            return parse_capabilities(response.content)

    def status(self, device_id: str) -> EsclStatus:
        endpoint = endpoint_from_id(device_id)
        with self._client(endpoint) as client:
            return self._status(client, endpoint)

    # -- HTTP -----------------------------------------------------------------------------

    def _client(self, endpoint: EsclEndpoint, timeout: float | None = None) -> httpx.Client:
        verify: bool | ssl.SSLContext = True
        if endpoint.scheme == "https" and endpoint.netloc in self.pins:
            # Self-signed device certificate: chain checks off, fingerprint checked instead
            # on every response (_check_pin).
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            verify = context
        return httpx.Client(
            verify=verify,
            timeout=httpx.Timeout(
                timeout or self.read_timeout,
                connect=min(timeout or self.connect_timeout, self.connect_timeout),
            ),
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": "permis-desktop", "Host": endpoint.host_header},
        )

    def _check_pin(self, endpoint: EsclEndpoint, response: httpx.Response) -> None:
        if endpoint.scheme != "https" or endpoint.netloc not in self.pins:
            return
        stream = response.extensions.get("network_stream")
        ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
        der = ssl_object.getpeercert(True) if ssl_object is not None else None
        seen = certificate_fingerprint(der) if der else ""
        if seen != self.pins[endpoint.netloc]:
            response.close()
            log.error(
                "certificate of %s changed: %s, pinned %s",
                endpoint.netloc,
                seen,
                self.pins[endpoint.netloc],
            )
            raise UntrustedCertificate(endpoint.netloc, seen or "?", changed=True)

    def _transport_error(
        self, endpoint: EsclEndpoint, exc: httpx.HTTPError, pages_received: int = 0
    ) -> DeviceError:
        log.warning("eSCL %s: %s: %s", endpoint.base_url, type(exc).__name__, exc)
        cause = exc.__cause__ or exc.__context__
        if isinstance(exc, httpx.ConnectError) and (
            isinstance(cause, ssl.SSLCertVerificationError)
            or "CERTIFICATE_VERIFY_FAILED" in str(exc)
        ):
            try:
                fingerprint = fetch_certificate_fingerprint(endpoint.base_url, self.connect_timeout)
            except DeviceError:
                fingerprint = "?"
            return UntrustedCertificate(endpoint.netloc, fingerprint, pages_received=pages_received)
        if isinstance(exc, httpx.ReadTimeout):
            return DeviceOffline(
                "Le scanner ne répond plus. Vérifiez qu'il est allumé et connecté, puis relancez.",
                pages_received=pages_received,
            )
        if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
            return DeviceOffline(
                "La connexion au scanner a été coupée. Vérifiez le réseau puis relancez.",
                pages_received=pages_received,
            )
        return DeviceOffline(pages_received=pages_received)

    def _request(
        self,
        client: httpx.Client,
        endpoint: EsclEndpoint,
        method: str,
        url: str,
        *,
        content: bytes | None = None,
        tries: int | None = None,
        cancel: CancelToken | None = None,
        pages_received: int = 0,
        stream: bool = False,
    ) -> httpx.Response:
        """One request, repeated while the device answers 503. Streams the body if asked."""
        cancel = cancel or CancelToken()
        tries = tries or self.retry.other_tries
        headers = {"Content-Type": "text/xml"} if content is not None else None
        for attempt in range(tries):
            cancel.raise_if_cancelled(pages_received)
            try:
                request = client.build_request(method, url, content=content, headers=headers)
                response = client.send(request, stream=stream)
            except httpx.HTTPError as exc:
                raise self._transport_error(endpoint, exc, pages_received) from None
            self._check_pin(endpoint, response)
            if response.status_code != 503:
                return response
            response.close()
            delay = self.retry.delay(attempt)
            log.info("%s %s: 503, retry %d/%d in %.2fs", method, url, attempt + 1, tries, delay)
            if attempt + 1 < tries and cancel.wait(delay):
                raise ScanCancelled(pages_received=pages_received)
        log.warning("%s %s: still 503 after %d tries", method, url, tries)
        raise DeviceBusy(pages_received=pages_received)

    def _status(self, client: httpx.Client, endpoint: EsclEndpoint) -> EsclStatus:
        response = self._request(client, endpoint, "GET", endpoint.url("ScannerStatus"))
        if response.status_code != 200:
            raise BadEsclReply()
        return parse_status(response.content)

    # -- scanning -------------------------------------------------------------------------

    def scan(
        self,
        device_id: str,
        request: ScanRequest,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> Generator[ScannedPage, None, None]:
        endpoint = endpoint_from_id(device_id)
        cancel = cancel or CancelToken()
        report = ProgressThrottle(progress)
        with self._client(endpoint) as client:
            report(1, None, "Connexion au scanner…")
            caps_response = self._request(
                client, endpoint, "GET", endpoint.url("ScannerCapabilities"), cancel=cancel
            )
            if caps_response.status_code != 200:
                raise BadEsclReply()
            caps = parse_capabilities(caps_response.content)
            source_caps = caps.inputs.get(request.source)
            if source_caps is None:
                offered = ", ".join(caps.inputs) or "aucune"
                raise UnsupportedSetting(
                    f"Ce scanner n'a pas de source « {request.source} » (sources : {offered})."
                )
            mode_name, mode = choose_color_mode(source_caps, request.color_mode)
            dpi = (
                min(source_caps.resolutions, key=lambda r: (abs(r - request.dpi), -r))
                if source_caps.resolutions
                else request.dpi
            )
            fmt = choose_format(source_caps)
            body = scan_settings_xml(
                version=caps.version,
                source=request.source,
                color_mode=mode_name,
                dpi=dpi,
                document_format=fmt,
                width=source_caps.max_width or 2550,
                height=source_caps.max_height or 3508,
            )
            response = self._request(
                client, endpoint, "POST", endpoint.url("ScanJobs"), content=body, cancel=cancel
            )
            if response.status_code == 409:
                raise self._conflict(client, endpoint, request, 0)
            location = response.headers.get("Location", "")
            if response.status_code != 201 or not location:
                log.warning(
                    "ScanJobs: HTTP %s, Location %r, body %r",
                    response.status_code,
                    location,
                    response.content[:200],
                )
                raise BadEsclReply(
                    "Le scanner a refusé la numérisation. Vérifiez-le puis relancez."
                )
            job = endpoint.job_url(location)
            log.info("eSCL job %s: %s %s dpi %s %s", job, request.source, dpi, mode_name, fmt)
            try:
                yield from self._pages(
                    client, endpoint, job, request, dpi, mode, fmt, report, cancel
                )
            finally:
                self._delete(client, endpoint, job)

    def _pages(
        self,
        client: httpx.Client,
        endpoint: EsclEndpoint,
        job: str,
        request: ScanRequest,
        dpi: int,
        mode: Any,
        fmt: str,
        report: ProgressThrottle,
        cancel: CancelToken,
    ) -> Generator[ScannedPage, None, None]:
        delivered = 0
        while True:
            cancel.raise_if_cancelled(delivered)
            page_no = delivered + 1
            report(page_no, None, "Numérisation…")
            response = self._request(
                client,
                endpoint,
                "GET",
                f"{job}/NextDocument",
                tries=self.retry.page_tries,
                cancel=cancel,
                pages_received=delivered,
                stream=True,
            )
            try:
                status = response.status_code
                if status in (404, 410):
                    # No more pages. None at all from a feeder means it was empty.
                    if delivered == 0:
                        if request.source != "flatbed":
                            raise FeederEmpty()
                        raise BadEsclReply(
                            "Le scanner n'a envoyé aucune page. Relancez la numérisation."
                        )
                    return
                if status == 409:
                    if delivered and self._adf_state(client, endpoint) == "ScannerAdfEmpty":
                        # The feeder ran out: some servers say so with 409 instead of 404
                        # (AirSane before PR #135). That is the normal end of the run.
                        log.info("eSCL 409 with an empty feeder after %d page(s): end", delivered)
                        return
                    raise self._conflict(client, endpoint, request, delivered)
                if status != 200:
                    log.warning("NextDocument: HTTP %s", status)
                    raise DeviceError(pages_received=delivered)
                data = self._read_body(endpoint, response, page_no, report, cancel, delivered)
            finally:
                response.close()
            media_type = _sniff(
                data, response.headers.get("Content-Type", fmt).split(";")[0].strip()
            )
            width, height = _image_size(data, media_type)
            delivered += 1
            report(page_no, 1.0, "Page reçue")
            yield ScannedPage(
                index=page_no,
                data=data,
                media_type=media_type,
                dpi=dpi,
                source=request.source,
                color_mode=mode,
                width=width,
                height=height,
                received_at=time.monotonic(),
            )
            if request.source == "flatbed" or media_type == "application/pdf":
                # The platen holds one page; a PDF document holds the whole job.
                return
            if request.max_pages and delivered >= request.max_pages:
                return

    def _read_body(
        self,
        endpoint: EsclEndpoint,
        response: httpx.Response,
        page_no: int,
        report: ProgressThrottle,
        cancel: CancelToken,
        delivered: int,
    ) -> bytes:
        total = int(response.headers.get("Content-Length", "0") or 0)
        chunks: list[bytes] = []
        received = 0
        try:
            for chunk in response.iter_bytes():
                if cancel.cancelled:
                    raise ScanCancelled(pages_received=delivered)
                chunks.append(chunk)
                received += len(chunk)
                report(page_no, min(received / total, 0.99) if total else None)
        except httpx.HTTPError as exc:
            raise self._transport_error(endpoint, exc, delivered) from None
        if total and received != total:
            raise DeviceOffline(
                "La connexion au scanner a été coupée. Vérifiez le réseau puis relancez.",
                pages_received=delivered,
            )
        if not received:
            raise BadEsclReply(pages_received=delivered)
        return b"".join(chunks)

    def _adf_state(self, client: httpx.Client, endpoint: EsclEndpoint) -> str:
        try:
            return self._status(client, endpoint).adf_state
        except DeviceError as exc:
            log.info("ScannerStatus after 409 failed: %s", exc)
            return ""

    def _conflict(
        self, client: httpx.Client, endpoint: EsclEndpoint, request: ScanRequest, delivered: int
    ) -> DeviceError:
        """409: empty feeder or jam. ScannerStatus's AdfState picks the message, but only
        after at least one page: some devices (Canon MF410 series, sane-airscan notes)
        report a jam when the feeder was simply empty at the start."""
        adf = self._adf_state(client, endpoint)
        log.warning("eSCL 409 after %d page(s); AdfState=%r", delivered, adf)
        if delivered == 0:
            if adf == "ScannerAdfEmpty":
                return FeederEmpty()
            return FeederEmptyOrJam()
        if "jam" in adf.lower():
            return PaperJam(pages_received=delivered)
        return FeederEmptyOrJam(pages_received=delivered)

    def _delete(self, client: httpx.Client, endpoint: EsclEndpoint, job: str) -> None:
        """Release the job; best effort (the device may have dropped it already)."""
        try:
            response = client.delete(job, timeout=self.connect_timeout)
            log.debug("DELETE %s: HTTP %s", job, response.status_code)
        except httpx.HTTPError as exc:
            log.info("DELETE %s failed: %s", job, exc)
