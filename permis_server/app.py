"""The HTTP API (FastAPI), versioned under `/v1`; its OpenAPI document is `docs/openapi.json`.

Blobs first, dossier next, feed back (DESIGN.md, "Sync"): page files are uploaded one by one,
content-addressed and verified (`PUT /v1/blobs/{sha256}`, streamed, never held whole in
memory), outside the dossier document, which only names them; a dossier whose pages are not
all here yet is answered 409 with the list to upload. Every request carries a desk's bearer
token, and a desk sees only its own agency's dossiers and events.

Handlers that touch the database are plain functions (FastAPI runs them in its thread pool),
so a slow disk or database never stalls the event loop that streams the uploads.
"""

from __future__ import annotations

import logging
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.requests import ClientDisconnect

from permis_server import __version__, config, service
from permis_server.blobs import SHA256_PATTERN, BlobStore, FileBlobStore, HashMismatch
from permis_server.db import Database, DatabaseUnavailable, open_database
from permis_server.schemas import (
    BlobReceipt,
    DossierOut,
    DossierReceipt,
    DossierUpload,
    ErrorBody,
    EventPage,
)
from permis_server.service import DeskInfo, Refused

log = logging.getLogger(__name__)


MAX_DOCUMENT_BYTES = 2 * 1024 * 1024

_bearer = HTTPBearer(
    auto_error=False, description="The desk's token (`permis-server token create`)."
)


def current_desk(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> DeskInfo:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Refused(401, "unauthorized", "Jeton d'accès manquant : configurez le poste.")
    desk = service.authenticate(request.app.state.db, credentials.credentials)
    if desk is None:
        raise Refused(
            401,
            "unauthorized",
            "Jeton d'accès refusé (inconnu ou révoqué) : demandez un nouveau jeton à l'agence.",
        )
    return desk


CurrentDesk = Annotated[DeskInfo, Depends(current_desk)]
BlobHash = Annotated[str, PathParam(pattern=SHA256_PATTERN, description="sha256, lowercase hex")]


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorBody} for code in codes}


def create_app(
    db: Database, blobs: BlobStore, max_blob_bytes: int = config.DEFAULT_MAX_BLOB_BYTES
) -> FastAPI:
    app = FastAPI(
        title="permis-server",
        version=__version__,
        description="Dossier service of a driving school agency: desks send validated dossiers "
        "and their page files, and read back the status changes recorded by the back office.",
    )
    app.state.db = db
    app.state.blobs = blobs
    v1 = APIRouter(prefix="/v1")

    @v1.get("/health", summary="Is the service up (no token needed)")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @v1.get("/desk", summary="Which desk this token belongs to", responses=_errors(401))
    def whoami(desk: CurrentDesk) -> dict[str, str]:
        return {"agency": desk.agency, "desk": desk.name}

    @v1.head(
        "/blobs/{sha256}",
        summary="Does the server already have this page file",
        responses={
            200: {"description": "Present; Content-Length is its size"},
            404: {"description": "Absent: upload it"},
            **_errors(401),
        },
    )
    def head_blob(sha256: BlobHash, desk: CurrentDesk) -> Response:
        size = blobs.size(sha256)
        if size is None:
            return Response(status_code=404)
        return Response(status_code=200, headers={"Content-Length": str(size)})

    @v1.put(
        "/blobs/{sha256}",
        status_code=201,
        response_model=BlobReceipt,
        summary="Upload a page file; the server checks that its bytes hash to `sha256`",
        responses={
            200: {"model": BlobReceipt, "description": "Already there"},
            **_errors(400, 401, 413),
        },
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        },
    )
    async def put_blob(sha256: BlobHash, request: Request, desk: CurrentDesk) -> JSONResponse:
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > max_blob_bytes:
            raise _too_large(max_blob_bytes)
        writer = await run_in_threadpool(blobs.writer)
        try:
            async for chunk in request.stream():
                if writer.size + len(chunk) > max_blob_bytes:
                    raise _too_large(max_blob_bytes)
                writer.write(chunk)
            created = await run_in_threadpool(writer.commit, sha256)
        except HashMismatch as exc:
            log.warning(
                "blob %s from %s/%s: hash mismatch (%s)", sha256, desk.agency, desk.name, exc
            )
            raise Refused(
                400,
                "hash_mismatch",
                "Le fichier reçu ne correspond pas à son empreinte (envoi tronqué ou altéré) : "
                "il sera renvoyé.",
            ) from None
        except ClientDisconnect:
            writer.abort()
            log.info("blob %s: client went away mid-upload", sha256)
            raise
        except BaseException:
            writer.abort()
            raise
        receipt = BlobReceipt(sha256=sha256, size=writer.size, created=created)
        return JSONResponse(receipt.model_dump(), status_code=201 if created else 200)

    @v1.put(
        "/dossiers/{dossier_id}",
        status_code=201,
        response_model=DossierReceipt,
        summary="Send one version of a dossier (its pages must be uploaded first)",
        responses={
            200: {
                "model": DossierReceipt,
                "description": "updated, unchanged (replay) or superseded",
            },
            **_errors(401, 403, 409, 422, 503),
        },
    )
    def put_dossier(
        dossier_id: uuid.UUID,
        upload: DossierUpload,
        desk: CurrentDesk,
        idempotency_key: Annotated[
            str | None,
            Header(
                alias="Idempotency-Key",
                min_length=1,
                max_length=200,
                description="The desk's outbox item id: a replay returns the first answer.",
            ),
        ] = None,
    ) -> JSONResponse:
        code, body = service.receive_dossier(
            db, blobs, desk, str(dossier_id), upload, idempotency_key
        )
        return JSONResponse(body, status_code=code)

    @v1.get(
        "/dossiers/{dossier_id}",
        response_model=DossierOut,
        summary="A dossier of the desk's agency, with its status history",
        responses=_errors(401, 403, 404),
    )
    def get_dossier(dossier_id: uuid.UUID, desk: CurrentDesk) -> DossierOut:
        return service.get_dossier(db, str(dossier_id), desk.agency)

    @v1.get(
        "/events",
        response_model=EventPage,
        summary="Status changes of the agency's dossiers after the cursor `after`",
        responses=_errors(401),
    )
    def events(
        desk: CurrentDesk,
        after: Annotated[int, Query(ge=0, description="Last event id already applied")] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    ) -> EventPage:
        rows, more = service.events_after(db, desk.agency, after, limit)
        return EventPage(events=rows, next_after=rows[-1].id if rows else after, has_more=more)

    app.include_router(v1)

    @app.middleware("http")
    async def limit_documents(request: Request, call_next: Any) -> Response:
        # Page files have their own, larger limit (checked while streaming); a dossier
        # document is small JSON, so anything bigger is refused before it is read.
        declared = request.headers.get("content-length", "")
        if (
            request.url.path.startswith("/v1/dossiers/")
            and declared.isdigit()
            and int(declared) > MAX_DOCUMENT_BYTES
        ):
            return JSONResponse(
                {"error": "too_large", "message": "Document de dossier trop gros (plus de 2 Mo)."},
                status_code=413,
            )
        response: Response = await call_next(request)
        return response

    @app.exception_handler(Refused)
    async def on_refused(_request: Request, exc: Refused) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse(exc.body(), status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return JSONResponse(
            {
                "error": "invalid_request",
                "message": f"Requête invalide ({where} : {first.get('msg', '?')}).",
                "detail": [
                    {"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in errors
                ],
            },
            status_code=422,
        )

    @app.exception_handler(DatabaseUnavailable)
    async def on_unavailable(_request: Request, exc: DatabaseUnavailable) -> JSONResponse:
        return JSONResponse(
            {"error": "unavailable", "message": str(exc)},
            status_code=503,
            headers={"Retry-After": "2"},
        )

    log.info("permis-server %s ready (database %s)", __version__, db.dialect)
    return app


def _too_large(limit: int) -> Refused:
    return Refused(
        413, "too_large", f"Fichier de page trop gros (plus de {limit // (1024 * 1024)} Mo)."
    )


def app_from_env() -> FastAPI:
    """uvicorn factory (`permis-server serve` passes its options through the environment,
    so that each worker process builds the same app)."""
    data_dir = config.data_dir_from(None)
    db = open_database(config.database_url_from(data_dir, None))
    return create_app(db, FileBlobStore(data_dir / "blobs"), config.max_blob_bytes_from_env())
