"""`permis`: the desk's jobs without a window (DESIGN.md, "Headless interface").

Outputs are JSON on stdout where the contract says so; errors go to stderr in French, with
exit status 2 for bad input and 1 for a failed operation. Heavy modules (OpenCV, the rules
engine, the capture pipeline) are imported inside the commands that need them, so that
`permis --help` and quick commands stay fast.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from permis_desktop import __version__
from permis_desktop.errors import BadInput, OperationFailed, PermisError
from permis_desktop.frenchargs import FrenchArgumentParser
from permis_desktop.logsetup import setup_logging
from permis_desktop.paths import AppPaths, resolve_paths

log = logging.getLogger(__name__)


def _emit(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def _read_json(source: str) -> Any:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInput(f"Fichier introuvable : {source}.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"Impossible de lire {source} : {exc}.") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(
            f"{source} n'est pas un JSON valide (ligne {exc.lineno}, colonne {exc.colno})."
        ) from None


def _context(paths: AppPaths) -> Any:
    from permis_desktop.services.context import DeskContext

    return DeskContext.open(paths)


# -- commands -----------------------------------------------------------------------------


def cmd_db_upgrade(args: argparse.Namespace, paths: AppPaths) -> int:
    from permis_desktop.models.db import current_revision, open_database

    paths.ensure()
    db = open_database(paths.database, paths.backups, migrate=True)
    try:
        sys.stdout.write(
            f"Base de données à jour ({current_revision(db.engine)}) : {paths.database}\n"
        )
    finally:
        db.close()
    return 0


def _rule_options(paths: AppPaths) -> Any:
    from permis_desktop.procedures.checklist import RuleOptions
    from permis_desktop.settings import Settings

    length = Settings(paths.settings_file).get("rules.photo_code_length")
    return RuleOptions(photo_code_length=int(length))


def cmd_checklist(args: argparse.Namespace, paths: AppPaths) -> int:
    from permis_desktop.procedures.checklist import evaluate
    from permis_desktop.procedures.facts import parse_facts

    facts = parse_facts(_read_json(args.facts))
    _emit(evaluate(facts, options=_rule_options(paths)).to_json())
    return 0


def cmd_dossier_list(args: argparse.Namespace, paths: AppPaths) -> int:
    from permis_desktop.services.dossiers import DossierService

    ctx = _context(paths)
    try:
        rows = DossierService(ctx.db).list(status=args.status, search=args.search)
    finally:
        ctx.close()
    if args.json:
        _emit(
            [
                {
                    "id": r.id,
                    "applicant": r.applicant,
                    "birth_date": r.birth_date,
                    "procedure": r.procedure,
                    "categories": r.categories,
                    "status": r.status,
                    "updated_at": r.updated_at.isoformat(timespec="seconds") + "Z",
                    "version": r.version,
                }
                for r in rows
            ]
        )
        return 0
    if not rows:
        sys.stdout.write("Aucun dossier.\n")
    for r in rows:
        sys.stdout.write(
            f"{r.id}  {r.status:<22} {r.procedure:<30} {','.join(r.categories):<8} {r.applicant}\n"
        )
    return 0


def cmd_dossier_new(args: argparse.Namespace, paths: AppPaths) -> int:
    from permis_desktop.procedures.facts import parse_facts
    from permis_desktop.services.dossiers import DossierService

    facts = _read_json(args.facts)
    # Unknown fields, bad dates, unknown procedure: refused (exit 2) before the store opens.
    parse_facts(facts)
    ctx = _context(paths)
    try:
        dossier_id = DossierService(ctx.db).create(facts, source="cli")
    finally:
        ctx.close()
    sys.stdout.write(dossier_id + "\n")
    return 0


def cmd_dossier_show(args: argparse.Namespace, paths: AppPaths) -> int:
    from permis_desktop.services.dossiers import DossierService, display_name

    ctx = _context(paths)
    try:
        detail = DossierService(ctx.db).get(args.id)
    finally:
        ctx.close()
    if args.json:
        _emit(detail.to_json())
        return 0
    a = detail.facts.get("applicant", {})
    name = display_name(a.get("birth_name", ""), a.get("usage_name", ""), a.get("given_names", []))
    sys.stdout.write(
        f"Dossier {detail.id}\n  Demandeur : {name}\n  Démarche : {detail.facts['procedure']}\n"
        f"  Statut : {detail.status} (version {detail.version})\n"
    )
    for piece in detail.pieces:
        sys.stdout.write(f"  Pièce {piece.kind} : {piece.status}, {len(piece.pages)} page(s)\n")
    return 0


def cmd_dossier_delete(args: argparse.Namespace, paths: AppPaths) -> int:

    ctx = _context(paths)
    try:
        ctx.delete_dossier(args.id)
    finally:
        ctx.close()
    return 0


def cmd_dossier_validate(args: argparse.Namespace, paths: AppPaths) -> int:
    """Mark the dossier ready and queue it; refused: exit 1, the obstacles on stderr (and
    as JSON on stdout with --json)."""
    from permis_desktop.services.workflow import ValidationRefused, WorkflowService

    ctx = _context(paths)
    try:
        workflow = WorkflowService(ctx.db)
        try:
            version = workflow.validate(args.id, source="cli")
        except ValidationRefused as refused:
            if args.json:
                _emit(
                    {
                        "id": args.id,
                        "validated": False,
                        "obstacles": [o.to_json() for o in refused.obstacles],
                    }
                )
            raise
        detail = workflow.dossiers.get(args.id)
    finally:
        ctx.close()
    if args.json:
        _emit({"id": detail.id, "validated": True, "status": detail.status, "version": version})
    else:
        sys.stdout.write(f"Dossier {detail.id} validé : prêt à envoyer (version {version}).\n")
    return 0


def cmd_dossier_reopen(args: argparse.Namespace, paths: AppPaths) -> int:
    from permis_desktop.services.workflow import WorkflowService

    ctx = _context(paths)
    try:
        WorkflowService(ctx.db).reopen(args.id, source="cli")
    finally:
        ctx.close()
    sys.stdout.write("Dossier rouvert : il est de nouveau modifiable (brouillon).\n")
    return 0


def cmd_dossier_archive(args: argparse.Namespace, paths: AppPaths) -> int:
    from permis_desktop.services.workflow import WorkflowService

    ctx = _context(paths)
    try:
        WorkflowService(ctx.db).archive(args.id, archived=not args.restore, source="cli")
    finally:
        ctx.close()
    sys.stdout.write("Dossier sorti des archives.\n" if args.restore else "Dossier archivé.\n")
    return 0


def cmd_gc(args: argparse.Namespace, paths: AppPaths) -> int:
    from permis_desktop.services.dossiers import DossierService

    ctx = _context(paths)
    try:
        removed = ctx.blobs.gc(DossierService(ctx.db).referenced_blobs())
    finally:
        ctx.close()
    sys.stdout.write(f"{removed} fichier(s) de page inutilisé(s) supprimé(s).\n")
    return 0


def cmd_config(args: argparse.Namespace, paths: AppPaths) -> int:
    from permis_desktop.settings import REGISTRY, Settings, SettingsError

    settings = Settings(paths.settings_file)
    try:
        if args.action == "list":
            for key, setting in REGISTRY.items():
                value = settings.get(key)
                shown = "********" if setting.secret and value else value
                sys.stdout.write(f"{key} = {shown}    # {setting.label}\n")
            return 0
        if not args.key:
            raise BadInput("Indiquez le nom du réglage, par exemple sync.server_url.")
        if args.action == "get":
            value = settings.get(args.key)
            sys.stdout.write(
                ("true" if value else "false") if isinstance(value, bool) else f"{value}"
            )
            sys.stdout.write("\n")
            return 0
        if args.value is None:
            raise BadInput(f"Indiquez la valeur à donner à {args.key}.")
        paths.config.mkdir(parents=True, exist_ok=True)
        settings.set(args.key, args.value)
        return 0
    except SettingsError as exc:
        raise BadInput(str(exc)) from None
    except OSError as exc:
        raise OperationFailed(
            f"Impossible d'enregistrer les réglages : {exc.strerror or exc}."
        ) from None


def cmd_read_mrz(args: argparse.Namespace, paths: AppPaths) -> int:
    from permis_desktop.scan.recognize import read_mrz

    result = read_mrz(args.file)
    _emit(result.to_json())
    return 0


def cmd_read_2ddoc(args: argparse.Namespace, paths: AppPaths) -> int:
    from permis_desktop.scan.recognize import read_2ddoc

    if args.trust_store and not Path(args.trust_store).is_dir():
        raise BadInput(
            f"Magasin de certificats introuvable : {args.trust_store} n'est pas un dossier."
        )
    result = read_2ddoc(args.file, trust_dir=args.trust_store, cache_dir=paths.cache / "2ddoc")
    _emit(result.to_json())
    return 0


def cmd_scan(args: argparse.Namespace, paths: AppPaths) -> int:
    from permis_desktop.scan.devices.cli_scan import run_scan

    return run_scan(args, paths)


def _write_output(path: Path, data: bytes) -> None:
    from permis_desktop.fileutil import atomic_write_bytes

    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise OperationFailed(f"Impossible d'écrire {path} : {exc.strerror or exc}.") from None


def cmd_process(args: argparse.Namespace, paths: AppPaths) -> int:
    from permis_desktop.scan.formats import WATERMARK_KINDS, format_for
    from permis_desktop.scan.pipeline import process_files
    from permis_desktop.settings import Settings

    out = Path(args.output)
    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".jpg", ".jpeg"):
        raise BadInput("Le fichier de sortie doit finir par .pdf, .jpg ou .jpeg.")
    fmt = format_for(args.piece, args.document_type)
    settings = Settings(paths.settings_file)
    budget_key = "capture.budget_card_kb" if fmt.identity else "capture.budget_a4_kb"
    watermark_on = bool(settings.get("capture.watermark_identity")) and not args.no_watermark
    result = process_files(
        args.files,
        args.piece,
        args.filter,
        document_type=args.document_type,
        budget_bytes=int(settings.get(budget_key)) * 1000,
        watermark_identity=watermark_on and args.piece in WATERMARK_KINDS,
        raster_output=suffix != ".pdf",
    )
    if suffix == ".pdf":
        data = result.pdf()
        _write_output(out, data)
        report = result.report(str(out), total_bytes=len(data))
    else:
        written: list[str] = []
        for index, page in enumerate(result.outputs, start=1):
            target = (
                out
                if len(result.outputs) == 1
                else out.with_name(f"{out.stem}-{index}{out.suffix}")
            )
            assert page.jpeg is not None
            _write_output(target, page.jpeg)
            written.append(str(target))
        report = result.report(str(out))
        report["outputs"] = written
    _emit(report)
    return 0


def cmd_dossier_attach(args: argparse.Namespace, paths: AppPaths) -> int:
    from permis_desktop.services.pieces import PieceService

    ctx = _context(paths)
    try:
        result = PieceService(ctx).attach_files(
            args.id,
            args.piece,
            args.files,
            args.filter,
            document_type=args.document_type,
            replace=args.replace,
        )
    finally:
        ctx.close()
    _emit(result.to_json())
    return 0


# -- parser -------------------------------------------------------------------------------

Handler = Callable[[argparse.Namespace, AppPaths], int]


def build_parser() -> argparse.ArgumentParser:
    parser = FrenchArgumentParser(prog="permis", description="permis-desktop sans fenêtre.")
    parser.add_argument(
        "--data-dir", help="dossier de données (sinon PERMIS_DATA_DIR ou le dossier habituel)"
    )
    parser.add_argument("--debug", action="store_true", help="journal détaillé")
    parser.add_argument(
        "--version",
        action="version",
        version=f"permis {__version__}",
        help="affiche la version et quitte",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=FrenchArgumentParser)

    p = sub.add_parser("checklist", help="éligibilité et pièces à fournir d'un dossier (JSON)")
    p.add_argument("facts", help="document de faits JSON, ou - pour l'entrée standard")
    p.set_defaults(handler=cmd_checklist)

    db = sub.add_parser("db", help="base de données locale")
    db_sub = db.add_subparsers(dest="db_command", required=True, parser_class=FrenchArgumentParser)
    db_sub.add_parser("upgrade", help="appliquer les migrations").set_defaults(
        handler=cmd_db_upgrade
    )

    dossier = sub.add_parser("dossier", help="dossiers")
    d_sub = dossier.add_subparsers(
        dest="dossier_command", required=True, parser_class=FrenchArgumentParser
    )
    p = d_sub.add_parser("list", help="lister les dossiers")
    p.add_argument("--status")
    p.add_argument("--search")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_dossier_list)
    p = d_sub.add_parser("new", help="créer un brouillon à partir d'un document de faits")
    p.add_argument("facts", help="fichier JSON, ou - pour l'entrée standard")
    p.set_defaults(handler=cmd_dossier_new)
    p = d_sub.add_parser("show", help="afficher un dossier")
    p.add_argument("id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_dossier_show)
    p = d_sub.add_parser("delete", help="supprimer un dossier et ses pages")
    p.add_argument("id")
    p.set_defaults(handler=cmd_dossier_delete)
    p = d_sub.add_parser(
        "validate", help="valider le dossier et le mettre en file d'envoi (code 1 si refusé)"
    )
    p.add_argument("id")
    p.add_argument("--json", action="store_true", help="résultat et obstacles en JSON")
    p.set_defaults(handler=cmd_dossier_validate)
    p = d_sub.add_parser("reopen", help="rouvrir un dossier validé pour le modifier")
    p.add_argument("id")
    p.set_defaults(handler=cmd_dossier_reopen)
    p = d_sub.add_parser("archive", help="archiver un dossier (il quitte la liste)")
    p.add_argument("id")
    p.add_argument("--restore", action="store_true", help="le sortir des archives")
    p.set_defaults(handler=cmd_dossier_archive)
    p = d_sub.add_parser("attach", help="joindre des fichiers à une pièce (traités, vérifiés)")
    p.add_argument("id")
    p.add_argument("--piece", required=True, help="nature de la pièce, par exemple identity")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--filter", default="auto", choices=["auto", "color", "gray", "bw"])
    p.add_argument("--document-type", help="type de document (par exemple passport)")
    p.add_argument("--replace", action="store_true", help="remplacer les pages existantes")
    p.set_defaults(handler=cmd_dossier_attach)

    p = sub.add_parser("process", help="traiter des photos, numérisations ou PDF (rapport JSON)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument(
        "--piece", required=True, help="nature de la pièce, par exemple proof_of_address"
    )
    p.add_argument("-o", "--output", required=True, help="fichier de sortie .pdf ou .jpg")
    p.add_argument("--filter", default="auto", choices=["auto", "color", "gray", "bw"])
    p.add_argument("--document-type", help="type de document (par exemple passport)")
    p.add_argument("--no-watermark", action="store_true", help="sans filigrane sur l'identité")
    p.set_defaults(handler=cmd_process)

    p = sub.add_parser("gc", help="supprimer les fichiers de page qu'aucun dossier n'utilise")
    p.set_defaults(handler=cmd_gc)

    from permis_desktop.sync.command import add_parser as add_sync_parser

    add_sync_parser(sub)

    p = sub.add_parser("config", help="réglages")
    p.add_argument("action", choices=["get", "set", "list"])
    p.add_argument("key", nargs="?")
    p.add_argument("value", nargs="?")
    p.set_defaults(handler=cmd_config)

    p = sub.add_parser("read-mrz", help="lire la bande MRZ d'une pièce d'identité (JSON)")
    p.add_argument("file", help="image ou PDF de la pièce")
    p.set_defaults(handler=cmd_read_mrz)
    p = sub.add_parser("read-2ddoc", help="lire et vérifier le 2D-Doc d'un justificatif (JSON)")
    p.add_argument("file", help="image ou PDF du justificatif")
    p.add_argument("--trust-store", help="dossier de certificats : CAID.pem, CAID-CERTID.pem")
    p.set_defaults(handler=cmd_read_2ddoc)

    p = sub.add_parser("scan", help="numériser depuis un scanner (SANE, eSCL, WIA)")
    from permis_desktop.scan.devices.cli_scan import add_arguments as add_scan_arguments

    add_scan_arguments(p)
    p.set_defaults(handler=cmd_scan)

    from permis_desktop.cli_papers import add_commands as add_papers_commands

    add_papers_commands(d_sub, sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    paths = resolve_paths(args.data_dir)
    setup_logging(paths, debug=args.debug)
    handler: Handler = args.handler
    try:
        return handler(args, paths)
    except PermisError as exc:
        log.error("permis %s failed: %s", args.command, exc)
        sys.stderr.write(f"permis : {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("permis : interrompu.\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())
