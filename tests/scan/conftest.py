"""Shared helpers of the capture pipeline tests: the corpus generator and small PDFs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data"
if str(DATA) not in sys.path:
    sys.path.insert(0, str(DATA))

import make_corpus as mc  # noqa: E402


def first_sample(
    seed: int,
    *,
    kind: str | None = None,
    capture: str = "photo",
    condition: str = "ok",
    limit: int = 80,
) -> mc.Sample:
    """The first generated sample of the seed matching the request (deterministic)."""
    share = 1.0 if capture == "scan" else 0.0
    kinds = (kind,) if kind else None
    for sample in mc.generate(seed, limit, scan_share=share, conditions=(condition,), kinds=kinds):
        if sample.condition == condition and (kind is None or sample.kind == kind):
            return sample
    raise LookupError(f"no {kind} {capture} {condition} sample in seed {seed}")


def text_pdf(lines: list[str], pages: int = 1) -> bytes:
    """A born-digital PDF (Helvetica text), built by hand so no PDF writer is needed."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(pages))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode())
    font_id = 3 + 2 * pages
    for i in range(pages):
        content = (
            "BT /F1 14 Tf 72 770 Td "
            + " ".join(f"({line} page {i + 1}) Tj 0 -20 Td" for line in lines)
            + " ET"
        )
        data = content.encode("latin-1")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 "
            f"{font_id} 0 R >> >> /Contents {4 + 2 * i} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
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


@pytest.fixture(scope="session")
def card_photo(tmp_path_factory: pytest.TempPathFactory) -> tuple[mc.Sample, Path]:
    sample = first_sample(3, kind="identity")
    path = tmp_path_factory.mktemp("card") / "card.jpg"
    return sample, mc.save_jpeg(sample, path)


@pytest.fixture(scope="session")
def bill_photo(tmp_path_factory: pytest.TempPathFactory) -> tuple[mc.Sample, Path]:
    sample = first_sample(3, kind="proof_of_address")
    path = tmp_path_factory.mktemp("bill") / "bill.jpg"
    return sample, mc.save_jpeg(sample, path)
