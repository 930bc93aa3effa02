#!/usr/bin/env python3
"""Benchmark the document readers against the targets of the "read the documents" issue.

    python bench/recognize.py [N]      (N documents per MRZ set, default 150)

MRZ: generated identity documents of the three layouts (TD1, TD3, 1988 French card) with
ground truth, at scan and photo quality (tests/recognize/kitmrz.py; needs Debian's
fonts-ocr-b). A document counts as read when all checks pass and every field equals the
truth; "valid with a wrong field" counts reports that say valid while a field differs.
Timing is per page, wall clock, on one core (OpenCV and BLAS limited to one thread).
A third, informative set of "hard" photos (farther, more tilt and perspective, glare on the
zone, stronger blur, noise and JPEG) shows the margin left.
2D-Doc: documents signed by a test CA on the three curves, rendered as 300 dpi page images
and as e-bill PDFs; tampering and unknown-CA verdicts.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import io  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import cv2  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from recognize.kit2ddoc import make_doc, make_pki, page_with_code, vector_pdf  # noqa: E402
from recognize.kitmrz import font_available, make_sample  # noqa: E402

from permis_desktop.errors import OperationFailed  # noqa: E402
from permis_desktop.scan.recognize import TrustStore, read_2ddoc, read_mrz  # noqa: E402
from permis_desktop.scan.recognize.twoddoc import read_payload  # noqa: E402

FORMATS = ("TD1", "TD3", "FR_ID_1988")
FIELDS = (
    "document_number",
    "surname",
    "given_names",
    "birth_date",
    "sex",
    "expiry_date",
    "nationality",
)


def mrz_set(quality: str, n: int, seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    read = false_valid = 0
    times = []
    by_format = {f: [0, 0] for f in FORMATS}
    for i in range(n):
        fmt = FORMATS[i % 3]
        data, truth = make_sample(fmt, quality, rng)
        start = time.perf_counter()
        try:
            result = read_mrz(data)
        except OperationFailed:
            result = None
        times.append(time.perf_counter() - start)
        by_format[fmt][1] += 1
        if result is None:
            continue
        same = all(getattr(result, f) == getattr(truth, f) for f in FIELDS)
        if result.valid and same:
            read += 1
            by_format[fmt][0] += 1
        elif result.valid:
            false_valid += 1
    out = {
        "read": read / n,
        "false_valid": false_valid,
        "median_ms": statistics.median(times) * 1000,
        "p95_ms": sorted(times)[int(0.95 * (len(times) - 1))] * 1000,
    }
    for fmt, (ok, total) in by_format.items():
        out[f"read_{fmt}"] = ok / max(total, 1)
    return out


def twoddoc_set(n: int) -> dict[str, float]:
    pki = make_pki("FR00", curves=("secp256r1", "secp384r1", "secp521r1"))
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as tmp:
        trust = TrustStore.load(pki.write_store(Path(tmp)))
        ants_only = TrustStore.load()
        ok = tampered_invalid = unknown = 0
        times = []
        total = 0
        for i in range(n):
            doc = make_doc(pki, rng, cert_id=f"{i % 3 + 1:04d}")
            page = page_with_code(doc.payload, dpi=300, noise=5, rng=rng)
            png = io.BytesIO()
            page.save(png, format="PNG")
            for source in (png.getvalue(), vector_pdf(doc.payload)):
                total += 1
                start = time.perf_counter()
                try:
                    result = read_2ddoc(source, trust_store=trust)
                    ok += result.signature == "valid" and result.postal_code == doc.postal_code
                except OperationFailed:
                    pass
                times.append(time.perf_counter() - start)
            body = bytearray(doc.payload)
            pos = rng.randrange(26, len(doc.signed))
            body[pos] = ord("X") if body[pos] != ord("X") else ord("Y")
            tampered_invalid += read_payload(bytes(body), trust).signature == "invalid"
            unknown += read_payload(doc.payload, ants_only).signature == "unknown_certificate"
    return {
        "decoded_verified": ok / total,
        "tampered_invalid": tampered_invalid / n,
        "unknown_ca": unknown / n,
        "median_ms": statistics.median(times) * 1000,
    }


def main(argv: list[str]) -> int:
    cv2.setNumThreads(1)
    n = int(argv[0]) if argv else 150
    rows: list[tuple[str, str, str, bool]] = []
    if font_available():
        scan = mrz_set("scan", n, seed=101)
        photo = mrz_set("photo", n, seed=202)
        rows += [
            (
                "MRZ scan set: read, all checks",
                ">= 99%",
                f"{scan['read']:.1%}",
                scan["read"] >= 0.99,
            ),
            (
                "MRZ photo set: read, all checks",
                ">= 95%",
                f"{photo['read']:.1%}",
                photo["read"] >= 0.95,
            ),
            (
                "MRZ valid with a wrong field",
                "0",
                str(int(scan["false_valid"] + photo["false_valid"])),
                scan["false_valid"] + photo["false_valid"] == 0,
            ),
            (
                "MRZ time per page, median (scan/photo)",
                "<= 500 ms",
                f"{scan['median_ms']:.0f} / {photo['median_ms']:.0f} ms",
                max(scan["median_ms"], photo["median_ms"]) <= 500,
            ),
            (
                "MRZ time per page, p95 (scan/photo)",
                "<= 500 ms",
                f"{scan['p95_ms']:.0f} / {photo['p95_ms']:.0f} ms",
                max(scan["p95_ms"], photo["p95_ms"]) <= 500,
            ),
        ]
        hard = mrz_set("hard", max(30, n // 3), seed=303)
        rows += [
            (
                "MRZ hard photos (far, tilted, glare on zone): read",
                "-",
                f"{hard['read']:.1%}",
                True,
            ),
            (
                "MRZ hard photos: valid with a wrong field",
                "0",
                str(int(hard["false_valid"])),
                hard["false_valid"] == 0,
            ),
        ]
        for fmt in FORMATS:
            rows.append(
                (
                    f"  {fmt} read (scan / photo)",
                    "-",
                    f"{scan['read_' + fmt]:.1%} / {photo['read_' + fmt]:.1%}",
                    True,
                )
            )
    else:
        print("fonts-ocr-b is not installed (apt-get install fonts-ocr-b): MRZ sets skipped")
    doc = twoddoc_set(max(10, n // 5))
    rows += [
        (
            "2D-Doc decoded and verified at 300 dpi (PNG + PDF)",
            "100%",
            f"{doc['decoded_verified']:.1%}",
            doc["decoded_verified"] == 1.0,
        ),
        (
            "2D-Doc one changed byte -> invalid",
            "100%",
            f"{doc['tampered_invalid']:.1%}",
            doc["tampered_invalid"] == 1.0,
        ),
        (
            "2D-Doc unknown CA -> unknown_certificate",
            "100%",
            f"{doc['unknown_ca']:.1%}",
            doc["unknown_ca"] == 1.0,
        ),
        ("2D-Doc time per page, median", "-", f"{doc['median_ms']:.0f} ms", True),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}} | {'target':<9} | {'result':<16} | ok?")
    print(f"{'-' * width}-|-{'-' * 9}-|-{'-' * 16}-|----")
    for measure, target, result, ok in rows:
        print(f"{measure:<{width}} | {target:<9} | {result:<16} | {'yes' if ok else 'NO'}")
    return 0 if all(r[3] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
