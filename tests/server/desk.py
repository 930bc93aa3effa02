"""A desk for the sync tests: a real local store with queued dossiers and page files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from permis_desktop.models.entities import Dossier, OutboxItem, Page, Piece, StatusEvent
from permis_desktop.paths import resolve_paths
from permis_desktop.services.context import DeskContext
from permis_desktop.services.dossiers import DossierService
from permis_desktop.sync.client import ServiceClient
from permis_desktop.sync.worker import SyncWorker

from .helpers import page_bytes

KINDS = (
    "identity",
    "proof_of_address",
    "photo_signature",
    "road_safety_certificate",
    "residence_proof",
)


class Desk:
    def __init__(self, root: Path, base_url: str, token: str, timeout: float = 5.0) -> None:
        self.timeout = timeout
        self.paths = resolve_paths(root)
        self.ctx = DeskContext.open(self.paths)
        self.base_url = base_url
        self.token = token

    @property
    def db(self) -> Any:
        return self.ctx.db

    def client(self) -> ServiceClient:
        return ServiceClient(self.base_url, self.token, timeout=self.timeout)

    def worker(self, **kwargs: Any) -> SyncWorker:
        return SyncWorker(
            self.db,
            self.ctx.blobs,
            self.client,
            self.paths.data / "sync-feed.json",
            self.base_url,
            **kwargs,
        )

    def new_dossier(self, name: str, pieces: int = 2, pages: int = 1, size: int = 2000) -> str:
        did = DossierService(self.db).create(
            {
                "procedure": "exam_registration_first",
                "categories": ["B"],
                "applicant": {
                    "birth_name": name,
                    "given_names": ["Léa"],
                    "birth_date": "2007-05-01",
                },
            }
        )
        with self.db.transaction() as session:
            dossier = session.get(Dossier, did)
            for kind in KINDS[:pieces]:
                piece = Piece(kind=kind, status="provided")
                dossier.pieces.append(piece)
                for n in range(pages):
                    sha = self.ctx.blobs.put(page_bytes(f"{name}/{kind}/{n}", size))
                    piece.pages.append(Page(position=n, original_sha256=sha, processed_sha256=None))
        return did

    def validate(self, did: str) -> None:
        """What WorkflowService.validate does once the rules are satisfied: ready + outbox item."""
        with self.db.transaction() as session:
            dossier = session.get(Dossier, did)
            session.add(
                StatusEvent(
                    dossier=dossier,
                    from_status=dossier.status,
                    to_status="ready",
                    source="desk",
                    message="Dossier validé",
                )
            )
            dossier.status = "ready"
            dossier.sync_state = "queued"
            session.add(OutboxItem(dossier_id=did, dossier_version=dossier.version))

    def queued(self, name: str, **kwargs: Any) -> str:
        did = self.new_dossier(name, **kwargs)
        self.validate(did)
        return did

    def status(self, did: str) -> str:
        with self.db.transaction() as session:
            return session.get(Dossier, did).status

    def items(self, did: str) -> list[tuple[str, int, str]]:
        from sqlalchemy import select

        with self.db.transaction() as session:
            rows = session.scalars(
                select(OutboxItem).where(OutboxItem.dossier_id == did).order_by(OutboxItem.id)
            ).all()
            return [(r.state, r.attempts, r.last_error) for r in rows]

    def close(self) -> None:
        self.ctx.close()
