"""`permis-server serve` as real processes: killed and restarted, and two at once on one
database and file store (as behind a proxy)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from .helpers import auth, dossier_doc, free_port, page_bytes, sha

SCRIPT = Path(sys.executable).with_name("permis-server")


def command(data_dir: Path, url: str, *args: str) -> list[str]:
    base = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "permis_server.cli"]
    return [*base, "--data-dir", str(data_dir), "--database-url", url, *args]


class Process:
    def __init__(self, data_dir: Path, url: str, port: int | None = None) -> None:
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = data_dir / f"serve-{self.port}.log"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                command(data_dir, url, "serve", "--port", str(self.port)),
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self) -> Process:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(self.base + "/v1/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("server did not start:\n" + self.log.read_text())
            time.sleep(0.05)

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL if os.name != "nt" else signal.SIGTERM)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(3)
            except subprocess.TimeoutExpired:
                self.kill()


def make_token(server, agency: str, desk: str) -> str:
    out = subprocess.run(
        command(server.data_dir, server.url, "token", "create", "--agency", agency, "--desk", desk),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return out.stdout.strip()


def test_a_killed_server_restarts_with_everything_it_acknowledged(server, started):
    token = make_token(server, "agence-nord", "guichet-1")
    started.append(Process(server.data_dir, server.url).wait_ready())
    pages = {"identity": [page_bytes("k1"), page_bytes("k2")]}
    did = str(uuid.uuid4())
    with httpx.Client(base_url=started[0].base, headers=auth(token)) as http:
        for data in pages["identity"]:
            assert http.put(f"/v1/blobs/{sha(data)}", content=data).status_code == 201
        first = http.put(
            f"/v1/dossiers/{did}", json=dossier_doc(pages), headers={"Idempotency-Key": "item-1"}
        )
        assert first.status_code == 201
    started[0].kill()
    started.append(Process(server.data_dir, server.url).wait_ready())
    with httpx.Client(base_url=started[1].base, headers=auth(token)) as http:
        for data in pages["identity"]:
            assert http.head(f"/v1/blobs/{sha(data)}").status_code == 200
        again = http.put(
            f"/v1/dossiers/{did}", json=dossier_doc(pages), headers={"Idempotency-Key": "item-1"}
        )
        assert (again.status_code, again.json()) == (201, first.json())
        assert http.get(f"/v1/dossiers/{did}").json()["version"] == 1
        assert len(http.get("/v1/events").json()["events"]) == 1


def test_two_server_processes_share_one_database_and_file_store(server, started):
    tokens = [server.token("agence-nord", "guichet-1"), server.token("agence-nord", "guichet-2")]
    started.extend([Process(server.data_dir, server.url), Process(server.data_dir, server.url)])
    for p in started:
        p.wait_ready()
    pages = {"identity": [page_bytes("shared")]}
    data = pages["identity"][0]
    # The page goes to one process, the dossier to the other.
    with httpx.Client(base_url=started[0].base, headers=auth(tokens[0])) as http:
        assert http.put(f"/v1/blobs/{sha(data)}", content=data).status_code == 201
    dossiers = [str(uuid.uuid4()) for _ in range(10)]
    barrier = threading.Barrier(8)

    def send(n: int) -> list[str]:
        proc = started[n % 2]
        outcomes = []
        with httpx.Client(base_url=proc.base, headers=auth(tokens[n // 2 % 2]), timeout=30) as http:
            barrier.wait()
            for did in dossiers:
                r = http.put(f"/v1/dossiers/{did}", json=dossier_doc(pages))
                assert r.status_code in (200, 201), r.text
                outcomes.append(r.json()["outcome"])
        return outcomes

    with ThreadPoolExecutor(8) as pool:
        results = [o for outcomes in pool.map(send, range(8)) for o in outcomes]
    assert results.count("created") == len(dossiers)
    assert results.count("unchanged") == 7 * len(dossiers)
    with httpx.Client(base_url=started[1].base, headers=auth(tokens[1])) as http:
        events = http.get("/v1/events").json()["events"]
    assert sorted(e["dossier_id"] for e in events) == sorted(dossiers)
