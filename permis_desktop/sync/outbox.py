"""Sending the queued dossiers: one outbox item at a time, never one blocking the others.

An item (written with the dossier's `ready` status in one transaction, by the workflow
service) is sent as: the page files the server does not have yet (HEAD, then a streamed PUT
verified by the server), then the dossier document with the item's idempotency key. Only
the server's acknowledgement closes the item, and the same local transaction marks the
dossier `submitted`: a timeout or a lost answer leaves it queued, and the replay is a no-op
on the server (Anki's lesson, capture-and-sync.md §4.1).

Retryable failures back off per item, exponentially with jitter, honouring Retry-After; a
permanent refusal stops only that item, with the server's reason in French; a refused token
stops the round and touches nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from permis_desktop.models.blobstore import BlobStore
from permis_desktop.models.db import Database
from permis_desktop.models.entities import Dossier, OutboxItem, StatusEvent, utcnow
from permis_desktop.procedures import lifecycle
from permis_desktop.sync.client import (
    MissingBlobs,
    Receipt,
    Rejected,
    Retryable,
    ServiceClient,
    Unauthorized,
    Unreachable,
)

log = logging.getLogger(__name__)

# Page files of one dossier uploaded at once: overlaps the round trips and the server's
# disk writes, while a dossier still goes whole before the next one starts.
PARALLEL_UPLOADS = 4
BACKOFF_BASE_S = 2.0
BACKOFF_MAX_S = 300.0
PENDING, DONE, FAILED = "pending", "done", "failed"

Outcome = Literal["sent", "retry", "failed", "skipped", "unauthorized"]


@dataclass(frozen=True)
class ItemResult:
    item_id: int
    dossier_id: str
    outcome: Outcome
    message: str = ""
    uploaded: int = 0
    # For "retry": the service did not answer at all / refused by its TLS certificate.
    unreachable: bool = False
    certificate_refused: bool = False


@dataclass(frozen=True)
class QueuedItem:
    """One line of the sync panel: a waiting or failed item and why."""

    item_id: int
    dossier_id: str
    version: int
    state: str
    attempts: int
    next_attempt_at: dt.datetime | None
    last_error: str


def backoff_seconds(
    attempts: int, rng: Callable[[], float] = random.random, retry_after: float | None = None
) -> float:
    """2 s, 4 s, 8 s… up to 5 min, each scaled by a random factor in [0.5, 1.5)."""
    delay = min(BACKOFF_MAX_S, BACKOFF_BASE_S * float(2 ** max(0, attempts - 1))) * (0.5 + rng())
    if retry_after is not None:
        delay = max(delay, min(retry_after, BACKOFF_MAX_S * 4))
    return delay


def page_hash(processed: str | None, original: str) -> str:
    """What the agency files is the processed page; a page never processed goes as captured."""
    return processed or original


def build_upload(dossier: Dossier) -> dict[str, Any]:
    """The document `PUT /v1/dossiers/{id}` takes: version, procedure, facts, page hashes."""
    from permis_desktop.services.dossiers import DossierService

    facts = DossierService._detail(dossier).facts
    pieces = [
        {
            "kind": piece.kind,
            "pages": [page_hash(p.processed_sha256, p.original_sha256) for p in piece.pages],
        }
        for piece in dossier.pieces
        # A piece the agency asked to redo is "missing" until captured again.
        if piece.pages and piece.status != "missing"
    ]
    # Through JSON once, so that dates and the like go as the server will store them.
    document = json.loads(json.dumps(facts, default=str))
    return {
        "version": dossier.version,
        "procedure": dossier.procedure,
        "document": document,
        "pieces": pieces,
    }


class Outbox:
    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        clock: Callable[[], dt.datetime] = utcnow,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.clock = clock
        self.rng = rng
        # Items are sent from a few threads; their short local transactions take turns, as
        # SQLite cannot upgrade concurrent read transactions to writes (SQLITE_BUSY_SNAPSHOT).
        self._local = threading.Lock()

    # -- what is waiting -------------------------------------------------------------------

    def due(self, limit: int = 1000) -> list[int]:
        now = self.clock()
        with self.db.transaction() as session:
            return list(
                session.scalars(
                    select(OutboxItem.id)
                    .where(OutboxItem.state == PENDING)
                    .where(
                        (OutboxItem.next_attempt_at.is_(None)) | (OutboxItem.next_attempt_at <= now)
                    )
                    .order_by(OutboxItem.id)
                    .limit(limit)
                )
            )

    def next_due_at(self) -> dt.datetime | None:
        with self.db.transaction() as session:
            pending = session.scalar(
                select(func.count()).select_from(OutboxItem).where(OutboxItem.state == PENDING)
            )
            if not pending:
                return None
            soonest = session.scalar(
                select(func.min(OutboxItem.next_attempt_at)).where(OutboxItem.state == PENDING)
            )
            nulls = session.scalar(
                select(func.count())
                .select_from(OutboxItem)
                .where(OutboxItem.state == PENDING, OutboxItem.next_attempt_at.is_(None))
            )
            return self.clock() if nulls or soonest is None else soonest

    def waiting(self) -> list[QueuedItem]:
        with self.db.transaction() as session:
            rows = session.scalars(
                select(OutboxItem)
                .where(OutboxItem.state.in_((PENDING, FAILED)))
                .order_by(OutboxItem.id)
            ).all()
            return [
                QueuedItem(
                    r.id,
                    r.dossier_id,
                    r.dossier_version,
                    r.state,
                    r.attempts,
                    r.next_attempt_at,
                    r.last_error,
                )
                for r in rows
            ]

    def make_due(self) -> int:
        """Pending items backing off become due now (the service is reachable again);
        refused ones stay refused until the user asks."""
        with self._local, self.db.transaction() as session:
            rows = session.scalars(
                select(OutboxItem).where(
                    OutboxItem.state == PENDING, OutboxItem.next_attempt_at.is_not(None)
                )
            ).all()
            for row in rows:
                row.next_attempt_at = None
            return len(rows)

    def retry_now(self, item_id: int | None = None) -> int:
        """The "Réessayer" button: failed or backing-off items become due at once."""
        with self.db.transaction() as session:
            query = select(OutboxItem).where(OutboxItem.state.in_((PENDING, FAILED)))
            if item_id is not None:
                query = query.where(OutboxItem.id == item_id)
            rows = session.scalars(query).all()
            for row in rows:
                if row.state == FAILED:
                    dossier = session.get(Dossier, row.dossier_id)
                    if dossier is not None and dossier.sync_state == "failed":
                        dossier.sync_state = "queued"
                row.state = PENDING
                row.next_attempt_at = None
            return len(rows)

    # -- sending one item ------------------------------------------------------------------

    def send(self, client: ServiceClient, item_id: int) -> ItemResult:
        snapshot = self._snapshot(item_id)
        if isinstance(snapshot, ItemResult):
            return snapshot
        dossier_id, key, upload = snapshot
        uploaded = 0
        try:
            uploaded = self._upload_pages(client, upload)
            try:
                receipt = client.put_dossier(dossier_id, upload, key)
            except MissingBlobs as exc:
                # Someone cleaned the server's store between our HEAD and the PUT: once more.
                uploaded += self._upload_pages(client, upload, only=set(exc.missing))
                receipt = client.put_dossier(dossier_id, upload, key)
        except Unauthorized as exc:
            self._note(item_id, str(exc))
            return ItemResult(item_id, dossier_id, "unauthorized", str(exc), uploaded)
        except Retryable as exc:
            delay = self._back_off(item_id, str(exc), exc.retry_after)
            log.info(
                "item %d (dossier %s): %s; next try in %.0f s", item_id, dossier_id, exc, delay
            )
            return ItemResult(
                item_id,
                dossier_id,
                "retry",
                str(exc),
                uploaded,
                unreachable=isinstance(exc, Unreachable),
                certificate_refused=getattr(exc, "certificate_refused", False),
            )
        except (Rejected, MissingBlobs, _LocalPageProblem) as exc:
            self._fail(item_id, str(exc))
            log.warning("item %d (dossier %s) refused: %s", item_id, dossier_id, exc)
            return ItemResult(item_id, dossier_id, "failed", str(exc), uploaded)
        if receipt.outcome == "unchanged" and receipt.status != "submitted":
            # Sent again as it was (same version) while the agency waits for a change, e.g.
            # after a complement request: nothing was resubmitted.
            message = (
                "Le dossier n'a pas changé depuis la demande de l'agence (statut sur le serveur : "
                f"{receipt.status}) : rouvrez-le, refaites les pièces demandées, puis validez."
            )
            self._fail(item_id, message)
            return ItemResult(item_id, dossier_id, "failed", message, uploaded)
        self._acknowledge(item_id, receipt)
        return ItemResult(item_id, dossier_id, "sent", receipt.outcome, uploaded)

    def _snapshot(self, item_id: int) -> tuple[str, str, dict[str, Any]] | ItemResult:
        with self._local, self.db.transaction() as session:
            item = session.get(OutboxItem, item_id)
            if item is None or item.state != PENDING:
                return ItemResult(item_id, item.dossier_id if item else "", "skipped")
            dossier = session.get(Dossier, item.dossier_id)
            if dossier is None:
                item.state = "withdrawn"
                return ItemResult(item_id, item.dossier_id, "skipped", "dossier supprimé")
            if dossier.version != item.dossier_version:
                # Edited since it was queued; validating again queues the new version.
                item.state = "superseded"
                return ItemResult(item_id, dossier.id, "skipped", "version dépassée")
            return dossier.id, item.idempotency_key, build_upload(dossier)

    def _upload_pages(
        self, client: ServiceClient, upload: dict[str, Any], only: set[str] | None = None
    ) -> int:
        """Upload the page files the server lacks, a few at a time; returns how many."""
        hashes = [
            h
            for h in dict.fromkeys(h for piece in upload["pieces"] for h in piece["pages"])
            if only is None or h in only
        ]
        for sha in hashes:
            if not self.blobs.path(sha).exists():
                raise _LocalPageProblem(
                    "Un fichier de page de ce dossier est introuvable sur ce poste : "
                    "recapturez la pièce puis validez à nouveau."
                )
        if len(hashes) <= 1 or PARALLEL_UPLOADS <= 1:
            return sum(self._upload_one(client, sha, only is None) for sha in hashes)
        with ThreadPoolExecutor(
            min(PARALLEL_UPLOADS, len(hashes)), thread_name_prefix="sync-upload"
        ) as pool:
            futures = [pool.submit(self._upload_one, client, sha, only is None) for sha in hashes]
            results: list[int] = []
            first_error: BaseException | None = None
            for future in futures:
                try:
                    results.append(future.result())
                except BaseException as exc:  # the first failure wins, the others are dropped
                    first_error = first_error or exc
            if first_error is not None:
                raise first_error
            return sum(results)

    def _upload_one(self, client: ServiceClient, sha: str, check: bool) -> int:
        if check and client.has_blob(sha):
            return 0
        try:
            client.put_blob(sha, self.blobs.path(sha))
        except Retryable:
            # A cut upload and a damaged local file look alike from here: tell them apart.
            self._check_local(sha)
            raise
        return 1

    def _check_local(self, sha: str) -> None:
        from permis_desktop.models.blobstore import BlobCorrupted, BlobMissing

        try:
            self.blobs.get(sha)
        except (BlobCorrupted, BlobMissing) as exc:
            raise _LocalPageProblem(str(exc)) from exc

    # -- recording the outcome -------------------------------------------------------------

    def _acknowledge(self, item_id: int, receipt: Receipt) -> None:
        with self._local, self.db.transaction() as session:
            item = session.get(OutboxItem, item_id)
            if item is None:
                return
            dossier = session.get(Dossier, item.dossier_id)
            if item.state != PENDING:
                # Withdrawn while on its way (the desk reopened it): the server has this
                # version, the next validation will send a newer one.
                log.info("item %d acknowledged after it was %s", item_id, item.state)
                return
            item.state = DONE
            item.done_at = self.clock()
            item.last_error = ""
            if dossier is not None:
                mark_submitted(
                    session,
                    dossier,
                    item.dossier_version,
                    f"Reçu par le serveur de l'agence (version {receipt.received_version}).",
                )
        log.info(
            "dossier %s v%d acknowledged (%s)",
            receipt.id,
            receipt.received_version,
            receipt.outcome,
        )

    def _back_off(self, item_id: int, message: str, retry_after: float | None) -> float:
        with self._local, self.db.transaction() as session:
            item = session.get(OutboxItem, item_id)
            if item is None:
                return 0.0
            item.attempts += 1
            delay = backoff_seconds(item.attempts, self.rng, retry_after)
            item.next_attempt_at = self.clock() + dt.timedelta(seconds=delay)
            item.last_error = message
            return delay

    def _fail(self, item_id: int, message: str) -> None:
        with self._local, self.db.transaction() as session:
            item = session.get(OutboxItem, item_id)
            if item is None:
                return
            item.attempts += 1
            item.state = FAILED
            item.last_error = message
            dossier = session.get(Dossier, item.dossier_id)
            if dossier is not None:
                dossier.sync_state = "failed"

    def _note(self, item_id: int, message: str) -> None:
        with self._local, self.db.transaction() as session:
            item = session.get(OutboxItem, item_id)
            if item is not None:
                item.last_error = message


class _LocalPageProblem(Exception):
    """A page file of the dossier is missing or damaged on this desk: nothing to retry."""


def mark_submitted(session: Session, dossier: Dossier, version: int, message: str) -> bool:
    """ready -> submitted for the acknowledged `version`, with its history line."""
    if dossier.version != version or not lifecycle.can_transition(dossier.status, "submitted"):
        return False
    if dossier.status != "ready":
        return False
    session.add(
        StatusEvent(
            dossier=dossier,
            from_status=dossier.status,
            to_status="submitted",
            source="sync",
            message=message,
        )
    )
    dossier.status = "submitted"
    dossier.sync_state = "sent"
    dossier.updated_at = utcnow()
    return True
