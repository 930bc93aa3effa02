#!/usr/bin/env python3
"""Cold start of `permis-desktop` until the main window is shown, and idle memory.

Each run is a new process (offscreen Qt platform), timed from just before it is spawned to
the moment the window has been shown and the event loop is running (the app writes that
time when PERMIS_STARTUP_PROBE is set), then the resident memory after one idle second.
Runs on an empty data folder and on one holding 2,000 dossiers.

Targets (issue 2): median <= 1.0 s, idle RSS <= 200 MB.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 7


def seed(folder: Path, count: int) -> None:
    from permis_desktop.paths import resolve_paths
    from permis_desktop.services.context import DeskContext
    from permis_desktop.services.dossiers import DossierService

    ctx = DeskContext.open(resolve_paths(folder))
    service = DossierService(ctx.db)
    for i in range(count):
        service.create(
            {
                "procedure": "exam_registration_first",
                "categories": ["B"],
                "applicant": {
                    "birth_name": f"Nom{i}",
                    "given_names": [f"Prénom{i}"],
                    "birth_date": "2005-01-01",
                },
            }
        )
    ctx.close()


def one_start(folder: Path) -> tuple[float, int]:
    probe = folder / "probe.json"
    probe.unlink(missing_ok=True)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PERMIS_STARTUP_PROBE": str(probe)}
    start = time.time()
    done = subprocess.run(
        [sys.executable, "-m", "permis_desktop.app", "--data-dir", str(folder)],
        env=env,
        timeout=60,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"permis-desktop failed to start:\n{done.stderr}")
    data = json.loads(probe.read_text())
    return data["shown"] - start, data["idle_rss"]


def main() -> int:
    rows = []
    ok = True
    for label, count in (("empty data folder", 0), ("2,000 dossiers", 2000)):
        folder = Path(tempfile.mkdtemp(prefix="permis-startup-"))
        seed(folder, count)
        one_start(folder)  # warm the OS file cache: "cold" means a new process, not a cold disk
        samples = [one_start(folder) for _ in range(RUNS)]
        median = statistics.median(s[0] for s in samples)
        rss = max(s[1] for s in samples) / 1e6
        ok &= median <= 1.0 and rss <= 200
        rows.append((label, median, min(s[0] for s in samples), rss))
    print(
        f"{'case':<20} {'median start':>13} {'best':>8} {'idle RSS':>10}   target: <=1.0 s, <=200 MB"
    )
    for label, median, best, rss in rows:
        print(
            f"{label:<20} {median:>11.3f} s {best:>6.3f} s {rss:>7.0f} MB   "
            f"{'ok' if median <= 1.0 and rss <= 200 else 'MISSED'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
