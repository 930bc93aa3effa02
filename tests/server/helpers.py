"""Helpers shared by the dossier-service tests."""

from __future__ import annotations

import hashlib
import socket
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def page_bytes(seed: str, size: int = 2000) -> bytes:
    """Deterministic page content (not an image: the server never decodes pages)."""
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
    return bytes(out[:size])


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def dossier_doc(
    pages: dict[str, list[bytes]],
    version: int = 1,
    procedure: str = "exam_registration_first",
    **facts: Any,
) -> dict[str, Any]:
    return {
        "version": version,
        "procedure": procedure,
        "document": {"procedure": procedure, "applicant": {"birth_name": "MARTIN"}, **facts},
        "pieces": [
            {"kind": kind, "pages": [sha(p) for p in blobs]} for kind, blobs in pages.items()
        ],
    }


def upload_all(client: Any, token: str, pages: dict[str, list[bytes]]) -> None:
    for blobs in pages.values():
        for data in blobs:
            r = client.put(f"/v1/blobs/{sha(data)}", content=data, headers=auth(token))
            assert r.status_code in (200, 201), r.text
