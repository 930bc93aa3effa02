#!/usr/bin/env python3
"""Compare OCR engines on the MRZ zone: the shipped OCR-B classifier, Tesseract, RapidOCR.

Not run by bench/run.py (the other engines are not dependencies). Run it with a Python that
has them, from the repository root, e.g.:
    /path/to/venv/bin/python bench/_mrz_engines.py [N]
Tesseract is the Debian `tesseract-ocr` binary with its `eng` model; RapidOCR is the PyPI
`rapidocr-onnxruntime` package. All engines get the same rectified zone (this package's
locator); each result then goes through the same parser with check-digit repair, so the
comparison isolates character recognition. "read" = all checks pass and every field equals
the ground truth.
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # before bench/, whose recognize.py has the same name
sys.path.insert(0, str(ROOT))

from recognize.kitmrz import make_sample  # noqa: E402

from permis_desktop.scan.recognize import mrz_read  # noqa: E402
from permis_desktop.scan.recognize.mrz_parse import parse_mrz  # noqa: E402
from permis_desktop.scan.recognize.ocrb import load_classifier  # noqa: E402
from permis_desktop.scan.recognize.pages import load_image  # noqa: E402

FORMATS = ("TD1", "TD3", "FR_ID_1988")
ALLOWED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")


def _fit(text_lines: list[str], n_rows: int) -> list[str] | None:
    lines = []
    for raw in text_lines:
        line = "".join(c for c in raw.upper().replace(" ", "").replace("«", "<<") if c in ALLOWED)
        if len(line) >= 20:
            lines.append(line)
    if len(lines) < n_rows:
        return None
    lines = lines[-n_rows:]
    length = 30 if n_rows == 3 else (44 if max(len(x) for x in lines) > 40 else 36)
    return [(x + "<" * length)[:length] for x in lines]


def zone_of(gray):  # type: ignore[no-untyped-def]
    for zone, scale in mrz_read._locate(gray)[:1]:
        return mrz_read._rectify(gray, zone, scale), len(zone.rows)
    return None, 0


def tesseract(img, n_rows):  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "zone.png"
        cv2.imwrite(str(path), img)
        out = subprocess.run(
            [
                "tesseract",
                str(path),
                "stdout",
                "--psm",
                "6",
                "-l",
                "eng",
                "-c",
                "tessedit_char_whitelist=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<",
            ],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
    return _fit(out.splitlines(), n_rows)


_RAPID = None


def rapidocr(img, n_rows):  # type: ignore[no-untyped-def]
    global _RAPID
    if _RAPID is None:
        from rapidocr_onnxruntime import RapidOCR

        _RAPID = RapidOCR()
    result, _ = _RAPID(img)
    if not result:
        return None
    result.sort(key=lambda r: r[0][0][1])
    return _fit([r[1] for r in result], n_rows)


def correct(result, truth) -> bool:  # type: ignore[no-untyped-def]
    return bool(result and result.valid and result.lines == truth.lines)


def main(n: int) -> None:
    rng = random.Random(2024)
    samples = [make_sample(FORMATS[i % 3], q, rng) for q in ("scan", "photo") for i in range(n)]
    classifier = load_classifier()
    rows = []
    for name in ("ocr-b classifier (shipped)", "tesseract 5 eng", "rapidocr-onnxruntime"):
        ok = {"scan": 0, "photo": 0}
        false_valid = 0
        times = []
        for index, (data, truth) in enumerate(samples):
            quality = "scan" if index < n else "photo"
            gray = load_image(data)
            start = time.perf_counter()
            if name.startswith("ocr-b"):
                result = mrz_read.read_mrz_image(gray, classifier)
            else:
                best = None
                for turn in (None, cv2.ROTATE_90_CLOCKWISE):
                    image = gray if turn is None else cv2.rotate(gray, turn)
                    zone, n_rows = zone_of(image)
                    if zone is None:
                        continue
                    for img in (zone, cv2.rotate(zone, cv2.ROTATE_180)):
                        engine = tesseract if name.startswith("tess") else rapidocr
                        lines = engine(img, n_rows)
                        parsed = parse_mrz(lines) if lines else None
                        if parsed and (
                            best is None or sum(parsed.checks.values()) > sum(best.checks.values())
                        ):
                            best = parsed
                        if best and best.valid:
                            break
                    if best and best.valid:
                        break
                result = best
            times.append(time.perf_counter() - start)
            ok[quality] += correct(result, truth)
            false_valid += bool(result and result.valid and result.lines != truth.lines)
        rows.append(
            (name, ok["scan"] / n, ok["photo"] / n, false_valid, statistics.median(times) * 1000)
        )
    print(f"{n} scans + {n} photos per engine")
    print(
        f"{'engine':<28} {'scan read':>10} {'photo read':>11} {'false valid':>12} {'median ms':>10}"
    )
    for name, scan, photo, fv, ms in rows:
        print(f"{name:<28} {scan:>10.1%} {photo:>11.1%} {fv:>12} {ms:>10.0f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 60)
