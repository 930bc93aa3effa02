"""`permis sync [--once]`: the sync worker without a window.

`--once` sends what is queued, applies the status feed and exits 0 when nothing failed or
is left waiting, 1 otherwise; without it the worker runs until interrupted, like the desk's.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from typing import Any

from permis_desktop.errors import OperationFailed
from permis_desktop.paths import AppPaths

log = logging.getLogger(__name__)


def add_parser(sub: Any) -> None:
    p = sub.add_parser("sync", help="envoyer les dossiers validés, recevoir les statuts")
    p.add_argument(
        "--once", action="store_true", help="une seule passe (code 0 si rien n'a échoué, 1 sinon)"
    )
    p.set_defaults(handler=cmd_sync)


def cmd_sync(args: argparse.Namespace, paths: AppPaths) -> int:
    from permis_desktop.services.context import DeskContext
    from permis_desktop.sync.setup import client_factory, cursor_path, server_url
    from permis_desktop.sync.worker import SyncStatus, SyncWorker

    ctx = DeskContext.open(paths)
    try:
        make_client = client_factory(ctx.settings)
        worker = SyncWorker(
            ctx.db,
            ctx.blobs,
            make_client,
            cursor_path(paths),
            server_url(ctx.settings),
            poll_seconds=float(ctx.settings.get("sync.poll_seconds") or 60),
        )
        if args.once:
            report = worker.run_once()
            _print(report)
            return 0 if report.ok else 1
        done = threading.Event()

        def show(status: SyncStatus) -> None:
            sys.stdout.write(
                f"{'en ligne' if status.online else 'hors ligne'} : {status.waiting} en attente, "
                f"{status.failed} en échec\n"
            )
            sys.stdout.flush()

        worker.on_status = show
        worker.start()
        try:
            done.wait()
        except KeyboardInterrupt:
            pass
        finally:
            worker.stop()
        return 0
    except OSError as exc:
        raise OperationFailed(f"Synchronisation impossible : {exc.strerror or exc}.") from None
    finally:
        ctx.close()


def _print(report: Any) -> None:
    from permis_desktop.sync.worker import RoundReport

    assert isinstance(report, RoundReport)
    sys.stdout.write(
        f"{report.sent} dossier(s) envoyé(s), {report.uploaded_pages} fichier(s) de page, "
        f"{len(report.applied)} statut(s) reçu(s).\n"
    )
    if report.retrying:
        sys.stdout.write(f"{report.retrying} dossier(s) en attente d'un nouvel essai.\n")
    if report.failed:
        sys.stdout.write(f"{report.failed} dossier(s) refusé(s) par le serveur.\n")
    for error in dict.fromkeys(report.errors):
        sys.stderr.write(f"permis : {error}\n")
