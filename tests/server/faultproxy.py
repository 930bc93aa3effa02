"""A TCP proxy for the tests that drops connections, stalls, and cuts bodies at random.

Every chunk forwarded draws a behaviour: pass it on, stall a while first (timeouts), or,
in the request direction, forward a few bytes of it and close (a cut upload), or in the
response direction the same (a lost answer: the server acted, the desk never heard). Both
sides are then reset. Faults stop after `max_faults`, so a test always ends.
"""

from __future__ import annotations

import contextlib
import random
import socket
import threading
import time
from dataclasses import dataclass, field


@dataclass
class FaultStats:
    connections: int = 0
    faults: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str) -> None:
        self.faults[kind] = self.faults.get(kind, 0) + 1


class FaultProxy:
    def __init__(
        self,
        upstream_port: int,
        seed: int = 1,
        fault_rate: float = 0.3,
        stall_s: tuple[float, float] = (0.2, 1.5),
        max_faults: int = 10_000,
    ) -> None:
        self.upstream_port = upstream_port
        self.rng = random.Random(seed)
        self.fault_rate = fault_rate
        self.stall_s = stall_s
        self.max_faults = max_faults
        self.stats = FaultStats()
        self.enabled = True
        self._lock = threading.Lock()
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = int(self._listener.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._stop = threading.Event()
        threading.Thread(target=self._accept, name="fault-proxy", daemon=True).start()

    def close(self) -> None:
        self._stop.set()
        self._listener.close()

    def _draw(self) -> tuple[str, float]:
        """Per forwarded chunk: pass, stall (seconds) or cut (bytes of it still forwarded)."""
        with self._lock:
            total = sum(self.stats.faults.values())
            if not self.enabled or total >= self.max_faults or self.rng.random() >= self.fault_rate:
                return "pass", 0.0
            kind = self.rng.choice(["cut_request", "cut_response", "stall"])
            self.stats.add(kind)
            if kind == "stall":
                return kind, self.rng.uniform(*self.stall_s)
            return kind, float(self.rng.randint(0, 2000))

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        with self._lock:
            self.stats.connections += 1
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=60)
        except OSError:
            client.close()
            return
        done = threading.Event()

        def pump(src: socket.socket, dst: socket.socket, cut: str) -> None:
            try:
                while not done.is_set():
                    data = src.recv(65536)
                    if not data:
                        break
                    kind, amount = self._draw()
                    if kind == "stall":
                        time.sleep(amount)
                    elif kind == cut:
                        dst.sendall(data[: int(amount)])
                        break
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                done.set()

        threading.Thread(target=pump, args=(client, upstream, "cut_request"), daemon=True).start()
        threading.Thread(target=pump, args=(upstream, client, "cut_response"), daemon=True).start()
        done.wait()
        # Either side finished or a fault fired: tear the whole connection down abruptly.
        for s in (client, upstream):
            with contextlib.suppress(OSError):
                s.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                )
            s.close()
