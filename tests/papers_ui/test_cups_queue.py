"""The print path on real CUPS queues: duplex detected from the printer's PPD, the job sent
recto/verso; a printer without duplex gets both pages imposed on one landscape sheet.

A private cupsd (its own socket, folders and PPDs in the test's temporary folder) stands in
for the desk's printers; the PPDs pass the PDF through unfiltered, so no printer driver is
needed. Skips when CUPS (cups-daemon, cups-client) is not installed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

CUPSD = shutil.which("cupsd") or ("/usr/sbin/cupsd" if Path("/usr/sbin/cupsd").exists() else None)
LPADMIN = shutil.which("lpadmin") or (
    "/usr/sbin/lpadmin" if Path("/usr/sbin/lpadmin").exists() else None
)
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    CUPSD is None or LPADMIN is None,
    reason="CUPS not installed (apt-get install cups-daemon cups-client): real queues untested",
)

PPD_HEAD = """*PPD-Adobe: "4.3"
*FormatVersion: "4.3"
*FileVersion: "1.0"
*LanguageVersion: English
*LanguageEncoding: ISOLatin1
*PCFileName: "TEST.PPD"
*Manufacturer: "Test"
*Product: "(Test)"
*ModelName: "Test {name}"
*ShortNickName: "Test {name}"
*NickName: "Test {name}"
*PSVersion: "(3010.000) 0"
*LanguageLevel: "3"
*ColorDevice: False
*DefaultColorSpace: Gray
*cupsFilter: "application/pdf 0 -"
*FileSystem: False
*Throughput: "1"
*TTRasterizer: Type42
*OpenUI *PageSize/Page Size: PickOne
*DefaultPageSize: A4
*PageSize A4/A4: "<</PageSize[595 842]>>setpagedevice"
*CloseUI: *PageSize
*DefaultImageableArea: A4
*ImageableArea A4/A4: "18 36 577 806"
*DefaultPaperDimension: A4
*PaperDimension A4/A4: "595 842"
"""
PPD_DUPLEX = """*OpenUI *Duplex/2-Sided Printing: PickOne
*DefaultDuplex: None
*Duplex None/Off: "<</Duplex false>>setpagedevice"
*Duplex DuplexNoTumble/Long Edge: "<</Duplex true/Tumble false>>setpagedevice"
*Duplex DuplexTumble/Short Edge: "<</Duplex true/Tumble true>>setpagedevice"
*CloseUI: *Duplex
"""


@pytest.fixture
def cups(tmp_path_factory):
    root = tmp_path_factory.mktemp("cups", numbered=True)
    for sub in ("spool", "cache", "state", "log", "ppd", "out"):
        (root / sub).mkdir()
    socket = root / "cups.sock"
    log = root / "log"
    (root / "cupsd.conf").write_text(
        f"Listen {socket}\nLogLevel warn\nWebInterface No\nBrowsing No\n"
        f"PageLogFormat %p %j %{{sides}}\nPreserveJobFiles Yes\n"
        "DefaultAuthType None\n<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
    )
    (root / "cups-files.conf").write_text(
        f"ServerRoot {root}\nRequestRoot {root / 'spool'}\nCacheDir {root / 'cache'}\n"
        f"StateDir {root / 'state'}\nTempDir {root / 'spool'}\nErrorLog {log / 'error_log'}\n"
        f"AccessLog {log / 'access_log'}\nPageLog {log / 'page_log'}\nFileDevice Yes\n"
        "Sandboxing Relaxed\nUser nobody\nGroup nogroup\n"
    )
    (root / "duplex.ppd").write_text(PPD_HEAD.format(name="duplex") + PPD_DUPLEX)
    (root / "simplex.ppd").write_text(PPD_HEAD.format(name="simplex"))
    for path in [root, *root.rglob("*")]:
        path.chmod(0o777 if path.is_dir() else 0o666)
    daemon = subprocess.Popen(
        [CUPSD, "-f", "-c", str(root / "cupsd.conf"), "-s", str(root / "cups-files.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    env = {**os.environ, "CUPS_SERVER": str(socket), "QT_QPA_PLATFORM": "offscreen"}
    try:
        deadline = time.monotonic() + 15
        while not socket.exists() and daemon.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        if not socket.exists():
            pytest.skip(
                f"private cupsd did not start: {daemon.stderr.read(400) if daemon.stderr else ''}"
            )
        for name, ppd in (("RectoVerso", "duplex.ppd"), ("UneFace", "simplex.ppd")):
            subprocess.run(
                [
                    LPADMIN,
                    "-p",
                    name,
                    "-E",
                    "-v",
                    f"file://{root / 'out' / name}.pdf",
                    "-P",
                    str(root / ppd),
                ],
                env=env,
                check=True,
                capture_output=True,
            )
        yield root, env
    finally:
        daemon.terminate()
        try:
            daemon.wait(10)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()


def print_on(env, printer: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "tests.papers_ui.cups_job", printer],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def wait_for_job(root: Path, printer: str) -> tuple[str, Path]:
    """The page-log line of the printer's job (its sides), and the spooled document."""
    page_log = root / "log" / "page_log"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        lines = page_log.read_text().splitlines() if page_log.exists() else []
        line = next((x for x in lines if x.startswith(printer + " ")), None)
        if line:
            job = line.split()[1]
            document = root / "spool" / f"d{int(job):05d}-001"
            return line, document
        time.sleep(0.2)
    raise AssertionError(
        f"no job logged for {printer}: {(root / 'log' / 'error_log').read_text()[-800:]}"
    )


def test_duplex_printer_is_detected_and_gets_a_recto_verso_job(cups) -> None:
    root, env = cups
    result = print_on(env, "RectoVerso")
    assert result == {
        "found": True,
        "native": True,
        "supported": True,
        "mode": "duplex",
        "pages": 2,
    }
    line, document = wait_for_job(root, "RectoVerso")
    assert line.split()[2] == "two-sided-long-edge"
    reader = PdfReader(document)
    assert len(reader.pages) == 2  # pictures of recto and verso, one sheet turned over


def test_printer_without_duplex_gets_both_pages_on_one_landscape_sheet(cups) -> None:
    root, env = cups
    result = print_on(env, "UneFace")
    assert result["supported"] is False and result["mode"] == "two_up" and result["pages"] == 1
    line, document = wait_for_job(root, "UneFace")
    assert line.split()[2] == "one-sided"
    reader = PdfReader(document)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)
