"""An eSCL scanner simulator on 127.0.0.1 for the tests and the benchmark.

It speaks the protocol the way real multifunction printers do (ScannerCapabilities,
ScannerStatus, POST ScanJobs → 201 + Location, NextDocument one page at a time then 404,
DELETE) and serves real JPEG pages (or one PDF per job) drawn with Pillow at the requested
resolution. `Faults` injects what devices do wrong in the field: runs of 503, 409 for an
empty feeder or a jam, a Location header naming another host, a slow body, a body cut
short by a dropped connection, a stalled body. Modelled on NAPS2's `FakeEsclScanJob` and
sane-airscan's quirk list; nothing here is a mock of our client.
"""

from __future__ import annotations

import io
import socket
import ssl
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from PIL import Image, ImageDraw

from permis_desktop.scan.devices.escl_messages import parse_scan_settings

CAPS_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<scan:ScannerCapabilities xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03"
    xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm">
  <pwg:Version>2.63</pwg:Version>
  <pwg:MakeAndModel>Simulated MFP 3000</pwg:MakeAndModel>
  <pwg:SerialNumber>SIM0001</pwg:SerialNumber>
  <scan:UUID>4509a320-00a0-008f-00b6-002507510eca</scan:UUID>
  {platen}
  {adf}
</scan:ScannerCapabilities>
"""

INPUT_CAPS = """
      <scan:MinWidth>16</scan:MinWidth><scan:MaxWidth>2550</scan:MaxWidth>
      <scan:MinHeight>16</scan:MinHeight><scan:MaxHeight>3507</scan:MaxHeight>
      <scan:SettingProfiles><scan:SettingProfile>
        <scan:ColorModes>{modes}</scan:ColorModes>
        <scan:DocumentFormats>{formats}</scan:DocumentFormats>
        <scan:SupportedResolutions><scan:DiscreteResolutions>{resolutions}</scan:DiscreteResolutions>
        </scan:SupportedResolutions>
      </scan:SettingProfile></scan:SettingProfiles>"""


@dataclass
class Faults:
    """Misbehaviour to inject; tests set fields before scanning."""

    post_503: int = 0  # 503 answers to POST ScanJobs before the 201
    next_503: int = 0  # 503 answers before each page's NextDocument
    post_409: bool = False  # POST ScanJobs answers 409 (empty feeder at job creation)
    conflict_after: int | None = None  # NextDocument answers 409 after this many pages
    adf_state: str = "ScannerAdfLoaded"  # reported in ScannerStatus
    bad_location_host: bool = False  # Location names 127.0.0.2:1 (nothing listens there)
    relative_location: bool = False  # Location is a bare path
    slow_body: float = 0.0  # seconds between 8 KiB chunks of a page body
    drop_at_page: int | None = None  # send half of this page, then close the connection
    stall_at_page: int | None = None  # send headers of this page, then nothing
    stall_seconds: float = 5.0


@dataclass
class Job:
    id: str
    source: str
    duplex: bool
    dpi: int
    color_mode: str
    document_format: str
    pages_left: int
    width: int = 2550  # scan region, 1/300 inch
    height: int = 3507
    delivered: int = 0
    deleted: bool = False
    pdf_sent: bool = False
    next_503_left: int = 0


@dataclass
class Log:
    method: str
    path: str
    host: str
    status: int


@dataclass
class Simulator:
    """Start with `start()` (or as a context manager); `base_url` is the eSCL root."""

    feeder_pages: int = 3
    platen: bool = True
    adf: bool = True
    duplex: bool = True
    formats: tuple[str, ...] = ("image/jpeg", "application/pdf")
    modes: tuple[str, ...] = ("RGB24", "Grayscale8", "BlackAndWhite1")
    resolutions: tuple[int, ...] = (75, 100, 150, 200, 300, 600)
    certfile: Path | None = None
    keyfile: Path | None = None
    faults: Faults = field(default_factory=Faults)
    jobs: dict[str, Job] = field(default_factory=dict)
    log: list[Log] = field(default_factory=list)
    # page number → time.monotonic() when its last byte was written (benchmark)
    sent_at: dict[int, float] = field(default_factory=dict)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _page_cache: dict[tuple[int, str, int, int, int], bytes] = field(default_factory=dict)

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> Simulator:
        sim = self

        class Handler(_Handler):
            simulator = sim

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        if self.certfile:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(self.certfile, self.keyfile)
            server.socket = context.wrap_socket(server.socket, server_side=True)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        scheme = "https" if self.certfile else "http"
        return f"{scheme}://127.0.0.1:{self.port}/eSCL"

    @property
    def device_id(self) -> str:
        return f"escl:{self.base_url}"

    def requests(self, method: str | None = None, contains: str = "") -> list[Log]:
        with self._lock:
            return [
                e for e in self.log if (method is None or e.method == method) and contains in e.path
            ]

    # -- content --------------------------------------------------------------------------

    def capabilities_xml(self) -> bytes:
        def caps() -> str:
            return INPUT_CAPS.format(
                modes="".join(f"<scan:ColorMode>{m}</scan:ColorMode>" for m in self.modes),
                formats="".join(
                    f"<pwg:DocumentFormat>{f}</pwg:DocumentFormat><scan:DocumentFormatExt>{f}</scan:DocumentFormatExt>"
                    for f in self.formats
                ),
                resolutions="".join(
                    f"<scan:DiscreteResolution><scan:XResolution>{r}</scan:XResolution>"
                    f"<scan:YResolution>{r}</scan:YResolution></scan:DiscreteResolution>"
                    for r in self.resolutions
                ),
            )

        platen = (
            f"<scan:Platen><scan:PlatenInputCaps>{caps()}</scan:PlatenInputCaps></scan:Platen>"
            if self.platen
            else ""
        )
        adf = ""
        if self.adf:
            duplex = (
                f"<scan:AdfDuplexInputCaps>{caps()}</scan:AdfDuplexInputCaps>"
                if self.duplex
                else ""
            )
            adf = (
                f"<scan:Adf><scan:AdfSimplexInputCaps>{caps()}</scan:AdfSimplexInputCaps>{duplex}"
                "<scan:FeederCapacity>50</scan:FeederCapacity></scan:Adf>"
            )
        return CAPS_TEMPLATE.format(platen=platen, adf=adf).encode()

    def status_xml(self) -> bytes:
        with self._lock:
            jobs = "".join(
                f"<scan:JobInfo><pwg:JobUri>/eSCL/ScanJobs/{j.id}</pwg:JobUri>"
                f"<pwg:JobState>{'Canceled' if j.deleted else 'Processing'}</pwg:JobState></scan:JobInfo>"
                for j in self.jobs.values()
            )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<scan:ScannerStatus xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03" '
            'xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm">'
            "<pwg:Version>2.63</pwg:Version><pwg:State>Idle</pwg:State>"
            f"<scan:AdfState>{self.faults.adf_state}</scan:AdfState><scan:Jobs>{jobs}</scan:Jobs>"
            "</scan:ScannerStatus>"
        ).encode()

    def page_image(self, number: int, job: Job) -> Image.Image:
        """The requested scan region at the requested resolution, like a device does."""
        dpi, color_mode = job.dpi, job.color_mode
        width = job.width * dpi // 300
        height = job.height * dpi // 300
        image = Image.new("RGB", (width, height), "white")
        draw = ImageDraw.Draw(image)
        margin = width // 10
        draw.rectangle(
            (margin, margin, width - margin, height // 4), outline="navy", width=max(1, dpi // 50)
        )
        for line in range(12):
            y = height // 3 + line * (height // 24)
            draw.line(
                (margin, y, width - margin - (line * 37) % (width // 3), y),
                fill="black",
                width=max(1, dpi // 100),
            )
        draw.text((margin * 1.5, margin * 1.5), f"Page {number}", fill="black")
        if color_mode.startswith("Grayscale"):
            return image.convert("L")
        if color_mode.startswith("BlackAndWhite"):
            return image.convert("1")
        return image

    def page_bytes(self, number: int, job: Job) -> bytes:
        key = (number, job.color_mode, job.dpi, job.width, job.height)
        if key not in self._page_cache:
            buffer = io.BytesIO()
            image = self.page_image(number, job)
            if image.mode == "1":
                image = image.convert("L")
            image.save(buffer, format="JPEG", quality=85, dpi=(job.dpi, job.dpi))
            self._page_cache[key] = buffer.getvalue()
        return self._page_cache[key]

    def pdf_bytes(self, job: Job) -> bytes:
        images = [self.page_image(n, job).convert("RGB") for n in range(1, job.pages_left + 1)]
        buffer = io.BytesIO()
        images[0].save(
            buffer, format="PDF", save_all=True, append_images=images[1:], resolution=job.dpi
        )
        return buffer.getvalue()


class _Handler(BaseHTTPRequestHandler):
    simulator: Simulator
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # quiet test output
        return

    def _record(self, status: int) -> None:
        sim = self.simulator
        with sim._lock:
            sim.log.append(Log(self.command, self.path, self.headers.get("Host", ""), status))

    def _reply(
        self,
        status: int,
        body: bytes = b"",
        content_type: str = "text/xml",
        headers: dict[str, str] | None = None,
    ) -> None:
        self._record(status)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        sim = self.simulator
        path = self.path.split("?")[0]
        if path == "/eSCL/ScannerCapabilities":
            self._reply(200, sim.capabilities_xml())
        elif path == "/eSCL/ScannerStatus":
            self._reply(200, sim.status_xml())
        elif path.startswith("/eSCL/ScanJobs/") and path.endswith("/NextDocument"):
            self._next_document(path.split("/")[3])
        else:
            self._reply(404)

    def do_POST(self) -> None:  # noqa: N802
        sim = self.simulator
        length = int(self.headers.get("Content-Length", "0") or 0)
        body = self.rfile.read(length)
        if self.path != "/eSCL/ScanJobs":
            self._reply(404)
            return
        with sim._lock:
            if sim.faults.post_503 > 0:
                sim.faults.post_503 -= 1
                busy = True
            else:
                busy = False
        if busy:
            self._reply(503)
            return
        if sim.faults.post_409:
            self._reply(409)
            return
        settings = parse_scan_settings(body)
        if settings.document_format not in sim.formats:
            self._reply(409)
            return
        job = Job(
            id=str(uuid.uuid4()),
            source=settings.source,
            duplex=settings.duplex,
            dpi=settings.dpi,
            color_mode=settings.color_mode,
            document_format=settings.document_format,
            pages_left=1
            if settings.source == "Platen"
            else sim.feeder_pages * (2 if settings.duplex else 1),
        )
        with sim._lock:
            sim.jobs[job.id] = job
            job.next_503_left = sim.faults.next_503
        host = "127.0.0.2:1" if sim.faults.bad_location_host else self.headers.get("Host", "")
        location = f"/eSCL/ScanJobs/{job.id}"
        if not sim.faults.relative_location:
            scheme = "https" if sim.certfile else "http"
            location = f"{scheme}://{host}{location}"
        self._reply(201, headers={"Location": location})

    def do_DELETE(self) -> None:  # noqa: N802
        sim = self.simulator
        job_id = self.path.rstrip("/").split("/")[-1]
        with sim._lock:
            job = sim.jobs.get(job_id)
            if job is not None:
                job.deleted = True
        self._reply(200 if job is not None else 404)

    def _next_document(self, job_id: str) -> None:
        sim = self.simulator
        faults = sim.faults
        with sim._lock:
            job = sim.jobs.get(job_id)
            if job is None or job.deleted:
                answer = 404
            elif job.next_503_left > 0:
                job.next_503_left -= 1
                answer = 503
            elif faults.conflict_after is not None and job.delivered >= faults.conflict_after:
                answer = 409
            elif job.pages_left <= 0 or job.pdf_sent:
                answer = 404
            else:
                answer = 200
        if answer != 200 or job is None:
            self._reply(answer)
            return
        number = job.delivered + 1
        if job.document_format == "application/pdf":
            body, content_type = sim.pdf_bytes(job), "application/pdf"
        else:
            body, content_type = sim.page_bytes(number, job), "image/jpeg"
        with sim._lock:
            job.delivered += 1
            job.pages_left -= 1
            job.pdf_sent = content_type == "application/pdf"
            job.next_503_left = faults.next_503
        self._record(200)
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if faults.stall_at_page == number:
            sim._stop.wait(faults.stall_seconds)
            self.close_connection = True
            return
        if faults.drop_at_page == number:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if faults.slow_body:
            for start in range(0, len(body), 8192):
                self.wfile.write(body[start : start + 8192])
                self.wfile.flush()
                time.sleep(faults.slow_body)
        else:
            # Stamped before the write: the client may hold the page before this thread
            # runs again, so the benchmark's wire → caller time includes the loopback copy.
            sim.sent_at[number] = time.monotonic()
            self.wfile.write(body)
        self.wfile.flush()
        sim.sent_at.setdefault(number, time.monotonic())
