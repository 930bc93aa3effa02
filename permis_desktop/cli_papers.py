"""`permis dossier export|assistant|pdf|ants-import|ants-pdf|papers|filed|mandate` and
`permis mandates`: papers and filing without a window (DESIGN.md, "Headless interface").

Reports are JSON on stdout; warnings (a kit file over budget, a piece without pages) go to
stderr in French; refusals follow the usual exit statuses (2 bad input, 1 failed operation,
e.g. exporting the kit of a dossier that is not validated).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from permis_desktop.errors import BadInput, OperationFailed
from permis_desktop.paths import AppPaths

DOCUMENTS = {
    "checklist": "client_checklist_pdf",
    "mandate": "mandate_pdf",
    "hosting": "hosting_attestation_pdf",
    "summary": "summary_pdf",
}


def _emit(data: Any) -> None:
    import json

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def _date(text: str | None, what: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"Date invalide pour {what} : « {text} » (format AAAA-MM-JJ).") from None


def _papers(paths: AppPaths) -> Any:
    from permis_desktop.services.context import DeskContext
    from permis_desktop.services.papers import PapersService

    ctx = DeskContext.open(paths)
    return ctx, PapersService.from_context(ctx)


def cmd_export(args: argparse.Namespace, paths: AppPaths) -> int:
    if not args.kit:
        raise BadInput("Indiquez le dossier où écrire le kit : --kit DOSSIER.")
    ctx, papers = _papers(paths)
    try:
        kit = papers.export_kit(args.id, Path(args.kit))
    finally:
        ctx.close()
    for warning in kit.warnings:
        sys.stderr.write(f"permis : attention : {warning}\n")
    _emit(kit.to_json())
    return 0


def cmd_assistant(args: argparse.Namespace, paths: AppPaths) -> int:
    ctx, papers = _papers(paths)
    try:
        kit = papers.export_kit(args.id, Path(args.kit)) if args.kit else None
        assistant = papers.filing_assistant(args.id, kit)
    finally:
        ctx.close()
    _emit(assistant.to_json())
    return 0


def cmd_pdf(args: argparse.Namespace, paths: AppPaths) -> int:
    from permis_desktop.fileutil import atomic_write_bytes

    ctx, papers = _papers(paths)
    try:
        data = getattr(papers, DOCUMENTS[args.document])(args.id)
    finally:
        ctx.close()
    try:
        atomic_write_bytes(Path(args.output), data)
    except OSError as exc:
        raise OperationFailed(
            f"Impossible d'écrire {args.output} : {exc.strerror or exc}."
        ) from None
    _emit({"document": args.document, "output": args.output, "bytes": len(data)})
    return 0


def cmd_ants_import(args: argparse.Namespace, paths: AppPaths) -> int:
    ctx, papers = _papers(paths)
    try:
        docs = [papers.import_document(args.id, Path(f), kind=args.kind) for f in args.files]
        receipt = papers.receipt_status(args.id)
    finally:
        ctx.close()
    _emit({"documents": [d.to_json() for d in docs], "receipt": receipt.to_json()})
    return 0


def cmd_ants_pdf(args: argparse.Namespace, paths: AppPaths) -> int:
    from permis_desktop.fileutil import atomic_write_bytes

    ctx, papers = _papers(paths)
    try:
        ids = {d.id: d for d in papers.documents(args.id)}
        if args.document not in ids:
            raise BadInput(
                f"Le dossier n'a pas de document ANTS n° {args.document} : voyez « permis "
                "dossier papers »."
            )
        data = papers.document_bytes(args.document)
    finally:
        ctx.close()
    if args.two_up:
        from permis_desktop.outputs.imposition import two_up

        data = two_up(data)
    try:
        atomic_write_bytes(Path(args.output), data)
    except OSError as exc:
        raise OperationFailed(
            f"Impossible d'écrire {args.output} : {exc.strerror or exc}."
        ) from None
    doc = ids[args.document]
    _emit(
        {
            "document": doc.id,
            "kind": doc.kind,
            "output": args.output,
            "bytes": len(data),
            "two_up": args.two_up,
            "duplex_required": doc.duplex_required,
        }
    )
    return 0


def cmd_papers(args: argparse.Namespace, paths: AppPaths) -> int:
    ctx, papers = _papers(paths)
    try:
        report = {
            "documents": [d.to_json() for d in papers.documents(args.id)],
            "receipt": papers.receipt_status(args.id).to_json(),
            "filing": papers.filing(args.id).to_json(),
            "mandate": papers.mandate(args.id).to_json(),
        }
    finally:
        ctx.close()
    _emit(report)
    return 0


def cmd_filed(args: argparse.Namespace, paths: AppPaths) -> int:
    ctx, papers = _papers(paths)
    try:
        info = papers.record_filing(
            args.id, args.number, _date(args.date, "la date de dépôt"), source="cli"
        )
    finally:
        ctx.close()
    _emit(info.to_json())
    return 0


def cmd_mandate(args: argparse.Namespace, paths: AppPaths) -> int:
    signed = None if args.unsigned else _date(args.signed, "la signature du mandat")
    if signed is None and not args.unsigned:
        raise BadInput("Indiquez --signed AAAA-MM-JJ ou --unsigned.")
    ctx, papers = _papers(paths)
    try:
        info = papers.record_mandate_signed(args.id, signed, source="cli")
    finally:
        ctx.close()
    _emit(info.to_json())
    return 0


def cmd_mandates(args: argparse.Namespace, paths: AppPaths) -> int:
    ctx, papers = _papers(paths)
    try:
        rows = papers.mandates_in_retention(_date(args.on, "--on"))
    finally:
        ctx.close()
    _emit([r.to_json() for r in rows])
    return 0


def add_commands(dossier_sub: Any, top_sub: Any) -> None:
    """Register the subcommands under `permis dossier` and `permis`."""
    p = dossier_sub.add_parser("export", help="kit de dépôt ANTS (pièces ordonnées + fiche)")
    p.add_argument("id")
    p.add_argument("--kit", required=True, metavar="DOSSIER", help="où écrire le kit et son zip")
    p.set_defaults(handler=cmd_export)
    p = dossier_sub.add_parser("assistant", help="champs du formulaire ANTS dans l'ordre (JSON)")
    p.add_argument("id")
    p.add_argument(
        "--kit", metavar="DOSSIER", help="préparer aussi le kit ici (chemins des pièces)"
    )
    p.set_defaults(handler=cmd_assistant)
    p = dossier_sub.add_parser("pdf", help="document PDF : pièces à fournir, mandat…")
    p.add_argument("id")
    p.add_argument("document", choices=list(DOCUMENTS))
    p.add_argument("-o", "--output", required=True, help="fichier PDF à écrire")
    p.set_defaults(handler=cmd_pdf)
    p = dossier_sub.add_parser("ants-import", help="importer des PDF de l'ANTS (récépissé…)")
    p.add_argument("id")
    p.add_argument("files", nargs="+", metavar="FICHIER")
    p.add_argument("--kind", help="type imposé (receipt, registration_attestation…)")
    p.set_defaults(handler=cmd_ants_import)
    p = dossier_sub.add_parser("ants-pdf", help="écrire un document ANTS importé (PDF)")
    p.add_argument("id")
    p.add_argument("document", type=int, help="numéro du document (voir « dossier papers »)")
    p.add_argument("-o", "--output", required=True, help="fichier PDF à écrire")
    p.add_argument(
        "--two-up", action="store_true", help="recto et verso côte à côte sur une feuille"
    )
    p.set_defaults(handler=cmd_ants_pdf)
    p = dossier_sub.add_parser("papers", help="documents ANTS, dépôt et mandat du dossier (JSON)")
    p.add_argument("id")
    p.set_defaults(handler=cmd_papers)
    p = dossier_sub.add_parser("filed", help="enregistrer le numéro de demande ANTS")
    p.add_argument("id")
    p.add_argument("number", help="numéro de la demande sur le site de l'ANTS")
    p.add_argument("--date", help="date du dépôt (AAAA-MM-JJ, aujourd'hui par défaut)")
    p.set_defaults(handler=cmd_filed)
    p = dossier_sub.add_parser("mandate", help="enregistrer la signature du mandat papier")
    p.add_argument("id")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--signed", metavar="AAAA-MM-JJ")
    group.add_argument("--unsigned", action="store_true")
    p.set_defaults(handler=cmd_mandate)
    p = top_sub.add_parser("mandates", help="mandats signés à conserver encore (JSON)")
    p.add_argument("--on", help="à cette date (AAAA-MM-JJ, aujourd'hui par défaut)")
    p.set_defaults(handler=cmd_mandates)
