"""`permis-server`: run the dossier service and do the back office's jobs from a terminal.

    permis-server [--data-dir DIR] [--database-url URL] serve [--host H] [--port P] [--workers N]
    permis-server token create --agency A --desk D | token revoke … | token list
    permis-server dossier list [--agency A] [--status S] [--json]
    permis-server dossier show ID [--json]
    permis-server dossier set-status ID STATUS [--message M] [--pieces K,...]
    permis-server db upgrade | openapi

Errors go to stderr in French, exit status 2 for bad input and 1 for a failed operation.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from permis_desktop.errors import PermisError
from permis_desktop.frenchargs import FrenchArgumentParser
from permis_server import __version__

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Where:
    data_dir: Path
    database_url: str


def _emit(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _open(where: Where) -> Any:
    from permis_server.db import open_database

    return open_database(where.database_url)


def cmd_serve(args: argparse.Namespace, where: Where) -> int:
    import uvicorn

    from permis_server import config
    from permis_server.db import open_database

    where.data_dir.mkdir(parents=True, exist_ok=True)
    from permis_server.service import prune_idempotency_keys

    # Migrate once here, before the workers start (they would each take the lock in turn).
    db = open_database(where.database_url)
    try:
        prune_idempotency_keys(db)
    finally:
        db.close()
    from permis_server.blobs import FileBlobStore

    FileBlobStore(where.data_dir / "blobs").clean_tmp()
    os.environ[config.ENV_DATA_DIR] = str(where.data_dir)
    os.environ[config.ENV_DATABASE_URL] = where.database_url
    if args.max_blob_mb:
        os.environ[config.ENV_MAX_BLOB_BYTES] = str(args.max_blob_mb * 1024 * 1024)
    uvicorn.run(
        "permis_server.app:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="debug" if args.debug else "info",
        proxy_headers=True,
        timeout_graceful_shutdown=10,
    )
    return 0


def cmd_token_create(args: argparse.Namespace, where: Where) -> int:
    from permis_server.service import create_token

    db = _open(where)
    try:
        token, existed = create_token(db, args.agency, args.desk)
    finally:
        db.close()
    if existed:
        sys.stderr.write("Ce poste avait déjà un jeton : l'ancien ne fonctionne plus.\n")
    sys.stderr.write("Notez ce jeton maintenant, il ne sera plus affiché :\n")
    sys.stdout.write(token + "\n")
    return 0


def cmd_token_revoke(args: argparse.Namespace, where: Where) -> int:
    from permis_server.service import revoke_token

    db = _open(where)
    try:
        revoke_token(db, args.agency, args.desk)
    finally:
        db.close()
    return 0


def cmd_token_list(args: argparse.Namespace, where: Where) -> int:
    from permis_server.service import list_desks

    db = _open(where)
    try:
        rows = list_desks(db)
    finally:
        db.close()
    if args.json:
        _emit(rows)
        return 0
    for row in rows:
        state = "révoqué" if row["revoked"] else "actif"
        sys.stdout.write(f"{row['agency']:<24} {row['desk']:<24} {state}\n")
    return 0


def cmd_dossier_list(args: argparse.Namespace, where: Where) -> int:
    from permis_server.service import list_dossiers

    db = _open(where)
    try:
        rows = list_dossiers(db, agency=args.agency, status=args.status)
    finally:
        db.close()
    if args.json:
        _emit(rows)
        return 0
    if not rows:
        sys.stdout.write("Aucun dossier.\n")
    for r in rows:
        sys.stdout.write(
            f"{r['id']}  {r['status']:<22} v{r['version']:<3} {r['procedure']:<30} "
            f"{r['agency']}/{r['desk']}  {len(r['pages'])} page(s)\n"
        )
    return 0


def cmd_dossier_show(args: argparse.Namespace, where: Where) -> int:
    from permis_server.service import Refused, get_dossier

    db = _open(where)
    try:
        try:
            detail = get_dossier(db, args.id, agency=None)
        except Refused as exc:
            from permis_desktop.errors import BadInput

            raise BadInput(f"Dossier introuvable sur le serveur : {args.id}.") from exc
    finally:
        db.close()
    if args.json:
        _emit(detail.model_dump(mode="json"))
        return 0
    sys.stdout.write(
        f"Dossier {detail.id} ({detail.agency}/{detail.desk})\n"
        f"  Démarche : {detail.procedure}\n  Statut : {detail.status} (version {detail.version})\n"
    )
    if detail.status_message:
        sys.stdout.write(f"  Message : {detail.status_message}\n")
    for piece in detail.pieces:
        mark = "  (à refaire)" if piece.kind in detail.requested_pieces else ""
        sys.stdout.write(f"  Pièce {piece.kind} : {len(piece.pages)} page(s){mark}\n")
    for e in detail.history:
        sys.stdout.write(f"  {e.at}  {e.from_status or '-'} -> {e.to_status}  {e.message}\n")
    return 0


def cmd_dossier_set_status(args: argparse.Namespace, where: Where) -> int:
    from permis_server.service import set_status

    pieces = [p for p in (args.pieces or "").split(",") if p.strip()]
    db = _open(where)
    try:
        event = set_status(db, args.id, args.status, args.message or "", pieces)
    finally:
        db.close()
    sys.stdout.write(
        f"Dossier {event.dossier_id} : {event.from_status} -> {event.to_status} "
        f"(événement {event.id}).\n"
    )
    return 0


def cmd_db_upgrade(args: argparse.Namespace, where: Where) -> int:
    from permis_server.db import current_revision

    db = _open(where)
    try:
        sys.stdout.write(f"Base de données à jour ({current_revision(db.engine)}).\n")
    finally:
        db.close()
    return 0


def openapi_document() -> dict[str, Any]:
    """The API's OpenAPI document, independent of any database (for docs/openapi.json)."""
    from permis_server.app import create_app
    from permis_server.blobs import FileBlobStore
    from permis_server.db import Database, make_engine

    engine = make_engine("sqlite://")
    try:
        app = create_app(Database("sqlite://", engine, None), FileBlobStore(Path(".")))  # type: ignore[arg-type]
        return app.openapi()
    finally:
        engine.dispose()


def cmd_openapi(args: argparse.Namespace, where: Where) -> int:
    sys.stdout.write(json.dumps(openapi_document(), ensure_ascii=False, indent=2) + "\n")
    return 0


Handler = Callable[[argparse.Namespace, Where], int]


def build_parser() -> argparse.ArgumentParser:
    parser = FrenchArgumentParser(
        prog="permis-server", description="Serveur de dossiers de l'agence."
    )
    parser.add_argument(
        "--data-dir",
        help="dossier de données (base SQLite, fichiers de pages) ; "
        "sinon PERMIS_SERVER_DATA_DIR ou le dossier habituel",
    )
    parser.add_argument(
        "--database-url",
        help="base PostgreSQL, p. ex. "
        "postgresql://user:mdp@hôte/base (sinon PERMIS_SERVER_DATABASE_URL, "
        "ou SQLite dans le dossier de données)",
    )
    parser.add_argument("--debug", action="store_true", help="journal détaillé")
    parser.add_argument("--version", action="version", version=f"permis-server {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=FrenchArgumentParser)

    p = sub.add_parser("serve", help="lancer le service HTTP")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--workers", type=int, default=1, help="nombre de processus")
    p.add_argument("--max-blob-mb", type=int, default=0, help="taille maximale d'une page (Mo)")
    p.set_defaults(handler=cmd_serve)

    token = sub.add_parser("token", help="jetons d'accès des postes")
    t_sub = token.add_subparsers(
        dest="token_command", required=True, parser_class=FrenchArgumentParser
    )
    for name, handler, text in (
        ("create", cmd_token_create, "créer (ou remplacer) un jeton"),
        ("revoke", cmd_token_revoke, "révoquer le jeton d'un poste"),
    ):
        p = t_sub.add_parser(name, help=text)
        p.add_argument("--agency", required=True)
        p.add_argument("--desk", required=True)
        p.set_defaults(handler=handler)
    p = t_sub.add_parser("list", help="lister les postes")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_token_list)

    dossier = sub.add_parser("dossier", help="dossiers reçus")
    d_sub = dossier.add_subparsers(
        dest="dossier_command", required=True, parser_class=FrenchArgumentParser
    )
    p = d_sub.add_parser("list", help="lister les dossiers")
    p.add_argument("--agency")
    p.add_argument("--status")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_dossier_list)
    p = d_sub.add_parser("show", help="afficher un dossier")
    p.add_argument("id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_dossier_show)
    p = d_sub.add_parser("set-status", help="enregistrer la réponse de l'ANTS")
    p.add_argument("id")
    p.add_argument("status")
    p.add_argument("--message", help="message pour le poste")
    p.add_argument("--pieces", help="pièces à refaire (complément), séparées par des virgules")
    p.set_defaults(handler=cmd_dossier_set_status)

    db = sub.add_parser("db", help="base de données")
    db_sub = db.add_subparsers(dest="db_command", required=True, parser_class=FrenchArgumentParser)
    db_sub.add_parser("upgrade", help="appliquer les migrations").set_defaults(
        handler=cmd_db_upgrade
    )

    sub.add_parser("openapi", help="afficher le document OpenAPI").set_defaults(handler=cmd_openapi)
    return parser


def resolve(args: argparse.Namespace) -> Where:
    from permis_server import config
    from permis_server.db import normalise_url

    data_dir = config.data_dir_from(args.data_dir)
    return Where(data_dir, normalise_url(config.database_url_from(data_dir, args.database_url)))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG
        if args.debug
        else logging.INFO
        if args.command == "serve"
        else logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    handler: Handler = args.handler
    try:
        where = resolve(args)
        if args.command != "openapi":
            where.data_dir.mkdir(parents=True, exist_ok=True)
        return handler(args, where)
    except PermisError as exc:
        log.debug("permis-server %s failed: %s", args.command, exc)
        sys.stderr.write(f"permis-server : {exc}\n")
        return exc.exit_code
    except OSError as exc:
        sys.stderr.write(f"permis-server : erreur du système : {exc.strerror or exc}.\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("permis-server : interrompu.\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())
