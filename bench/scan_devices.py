#!/usr/bin/env python3
"""Scanner drivers: page latency and throughput (issue 6: a scanned page appears <= 1 s after
the driver delivers it; the driver's own share of that budget is measured here).

- eSCL, against the simulator on 127.0.0.1 (whole 8.5 × 11.69 in platen, 300 dpi colour JPEG):
  * wire → caller: from the simulator writing a page's last byte to the caller holding it;
  * driver → caller: from the driver having the complete page to the caller holding it;
  * throughput in pages/s and MB/s over a 20-page feeder run.
- SANE `test` device (when python-sane and libsane are installed): pages/s of a feeder run
  at 300 dpi gray, including the JPEG encoding of each page.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from permis_desktop.scan.devices.base import ScanRequest  # noqa: E402
from permis_desktop.scan.devices.escl_driver import EsclDriver  # noqa: E402
from tests.devices.escl_sim import Simulator  # noqa: E402

PAGES = 20
ROWS: list[tuple[str, str, str, bool]] = []


def row(measure: str, target: str, result: str, ok: bool) -> None:
    ROWS.append((measure, target, result, ok))


def bench_escl() -> None:
    with Simulator(feeder_pages=PAGES) as sim:
        driver = EsclDriver()
        request = ScanRequest(source="feeder", dpi=300, color_mode="color")
        list(driver.scan(sim.device_id, request))  # warm-up: the simulator draws its pages once
        sim.sent_at.clear()
        wire, driver_lat = [], []
        total_bytes = 0
        start = time.monotonic()
        for page in driver.scan(sim.device_id, request):
            now = time.monotonic()
            wire.append(now - sim.sent_at[page.index])
            driver_lat.append(now - page.received_at)
            total_bytes += len(page.data)
        elapsed = time.monotonic() - start
    p95 = sorted(wire)[int(0.95 * (len(wire) - 1))]
    row(
        "eSCL wire → caller, median",
        "<= 100 ms",
        f"{statistics.median(wire) * 1000:.1f} ms",
        statistics.median(wire) <= 0.1,
    )
    row("eSCL wire → caller, p95", "<= 250 ms", f"{p95 * 1000:.1f} ms", p95 <= 0.25)
    row(
        "eSCL driver → caller, max",
        "<= 10 ms",
        f"{max(driver_lat) * 1000:.2f} ms",
        max(driver_lat) <= 0.01,
    )
    rate = PAGES / elapsed
    row(
        f"eSCL feeder throughput ({PAGES} pages 2550x3507, 300 dpi colour)",
        ">= 5 pages/s",
        f"{rate:.1f} pages/s, {total_bytes / elapsed / 1e6:.1f} MB/s",
        rate >= 5,
    )


def bench_sane() -> None:
    try:
        import sane  # noqa: F401
    except ImportError:
        row("SANE test device", "n/a", "python-sane absent: skipped", True)
        return
    folder = Path(tempfile.mkdtemp(prefix="sane-bench-"))
    (folder / "dll.conf").write_text("test\n", encoding="utf-8")
    os.environ["SANE_CONFIG_DIR"] = str(folder)
    from permis_desktop.scan.devices.sane_driver import SaneDriver

    driver = SaneDriver()
    if "sane:test:0" not in [d.id for d in driver.list_devices()]:
        row("SANE test device", "n/a", "test backend absent: skipped", True)
        return
    start = time.monotonic()
    pages = list(
        driver.scan("sane:test:0", ScanRequest(source="feeder", dpi=300, color_mode="gray"))
    )
    elapsed = time.monotonic() - start
    rate = len(pages) / elapsed
    size = f"{pages[0].width}x{pages[0].height}"
    row(
        f"SANE test feeder ({len(pages)} pages {size} gray, JPEG encode)",
        ">= 2 pages/s",
        f"{rate:.1f} pages/s",
        rate >= 2,
    )


def main() -> int:
    bench_escl()
    bench_sane()
    widths = [
        max(len(r[i]) for r in ROWS + [("measure", "target", "result", True)]) for i in range(3)
    ]
    print(f"{'measure':<{widths[0]}} | {'target':<{widths[1]}} | {'result':<{widths[2]}} | ok?")
    print("-" * (sum(widths) + 14))
    for measure, target, result, ok in ROWS:
        print(
            f"{measure:<{widths[0]}} | {target:<{widths[1]}} | {result:<{widths[2]}} | {'yes' if ok else 'NO'}"
        )
    return 0 if all(r[3] for r in ROWS) else 1


if __name__ == "__main__":
    sys.exit(main())
