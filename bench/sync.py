#!/usr/bin/env python3
"""Sync throughput over loopback: the outbox worker against a plain upload loop.

A real `permis-server` process (SQLite, its own temporary data folder) receives 200
dossiers of 5 pieces of one 300 KB page each from a desk's outbox worker (HEAD and PUT of
every page file, then the dossier document, then the local acknowledgement). The reference
is the same 1,000 page files PUT one after the other with the same HTTP client (httpx) to a
second, fresh server. Both runs happen in this process, one after the other.

Target (issue 8): the worker reaches >= 50% of the plain loop's throughput.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DOSSIERS = int(os.environ.get("BENCH_SYNC_DOSSIERS", "200"))
PIECES = 5
PAGE_BYTES = 300 * 1024
KINDS = (
    "identity",
    "proof_of_address",
    "photo_signature",
    "road_safety_certificate",
    "residence_proof",
)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def page(seed: str) -> bytes:
    # Incompressible, distinct bytes (like JPEG pages).
    block = hashlib.sha256(seed.encode()).digest()
    return (block * (PAGE_BYTES // len(block) + 1))[: PAGE_BYTES - 32] + os.urandom(32)


class Server:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cli = [sys.executable, "-m", "permis_server.cli", "--data-dir", str(folder)]
        self.token = subprocess.run(
            [*cli, "token", "create", "--agency", "bench", "--desk", "d1"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        self.proc = subprocess.Popen(
            [*cli, "serve", "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def main() -> int:
    from sqlalchemy import select

    from permis_desktop.models.entities import Dossier, OutboxItem, Page, Piece
    from permis_desktop.paths import resolve_paths
    from permis_desktop.services.context import DeskContext
    from permis_desktop.services.dossiers import DossierService
    from permis_desktop.sync.client import ServiceClient
    from permis_desktop.sync.worker import SyncWorker

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        ctx = DeskContext.open(resolve_paths(base / "desk"))
        service = DossierService(ctx.db)
        hashes: list[str] = []
        for n in range(DOSSIERS):
            did = service.create(
                {
                    "procedure": "exam_registration_first",
                    "categories": ["B"],
                    "applicant": {
                        "birth_name": f"NOM{n}",
                        "given_names": ["Léa"],
                        "birth_date": "2007-05-01",
                    },
                }
            )
            with ctx.db.transaction() as session:
                dossier = session.get(Dossier, did)
                for kind in KINDS[:PIECES]:
                    sha = ctx.blobs.put(page(f"{n}/{kind}"))
                    hashes.append(sha)
                    dossier.pieces.append(
                        Piece(
                            kind=kind,
                            status="provided",
                            pages=[Page(position=0, original_sha256=sha)],
                        )
                    )
                dossier.status = "ready"
                session.add(OutboxItem(dossier_id=did, dossier_version=dossier.version))
        total = len(hashes) * PAGE_BYTES

        plain = Server(base / "server-plain")
        try:
            with httpx.Client(
                base_url=plain.url + "/v1", headers={"Authorization": f"Bearer {plain.token}"}
            ) as http:
                start = time.perf_counter()
                for sha in hashes:
                    r = http.put(f"/blobs/{sha}", content=ctx.blobs.path(sha).read_bytes())
                    r.raise_for_status()
                plain_s = time.perf_counter() - start
        finally:
            plain.stop()

        synced = Server(base / "server-sync")
        try:
            worker = SyncWorker(
                ctx.db,
                ctx.blobs,
                lambda: ServiceClient(synced.url, synced.token),
                base / "desk" / "cursor.json",
                synced.url,
            )
            start = time.perf_counter()
            report = worker.run_once()
            sync_s = time.perf_counter() - start
            with ctx.db.transaction() as session:
                submitted = len(
                    session.scalars(select(Dossier.id).where(Dossier.status == "submitted")).all()
                )
        finally:
            synced.stop()
        ctx.close()

    mb = total / 1e6
    ratio = (mb / sync_s) / (mb / plain_s)
    ok_all = report.sent == DOSSIERS == submitted
    rows = [
        ("plain upload loop", "-", f"{mb / plain_s:.1f} MB/s ({plain_s:.1f} s)", ""),
        ("outbox worker", "-", f"{mb / sync_s:.1f} MB/s ({sync_s:.1f} s)", ""),
        ("worker / plain", ">= 50%", f"{ratio:.0%}", "yes" if ratio >= 0.5 else "NO"),
        ("dossiers submitted", f"{DOSSIERS}", f"{submitted}", "yes" if ok_all else "NO"),
    ]
    print(
        f"{DOSSIERS} dossiers x {PIECES} pieces x {PAGE_BYTES // 1024} KB = {mb:.0f} MB, loopback"
    )
    print(f"{'measure':<22} | {'target':<8} | {'result':<24} | ok?")
    for measure, target, result, ok in rows:
        print(f"{measure:<22} | {target:<8} | {result:<24} | {ok}")
    return 0 if ratio >= 0.5 and ok_all else 1


if __name__ == "__main__":
    sys.exit(main())
