"""`permis scan`: list scanners, or scan pages to a PDF or image files, without a window.

    permis scan --list [--json] [--timeout S]
    permis scan --device ID --capabilities [--json]
    permis scan --device ID [--source flatbed|feeder|duplex] [--dpi N] [--mode color|gray|bw]
                [--max-pages N] [--trust-certificate SHA256] [--json] -o OUT

OUT ending in .pdf gets all pages in one PDF; otherwise it is an image path pattern
(`page-{n}.jpg`). Pages already received are written even when the device fails later
(exit 1 with the reason); bad options or ids exit 2. Ctrl-C cancels and keeps the pages.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from permis_desktop.errors import BadInput
from permis_desktop.paths import AppPaths
from permis_desktop.scan.devices.base import (
    SOURCE_LABELS,
    CancelToken,
    DeviceError,
    ScannedPage,
    ScanOutcome,
    ScanProgress,
    ScanRequest,
    collect_pages,
)

if TYPE_CHECKING:
    from permis_desktop.scan.devices.registry import DeviceRegistry

log = logging.getLogger(__name__)


def _emit(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _settings(paths: AppPaths) -> Any:
    from permis_desktop.settings import Settings

    return Settings(paths.settings_file)


def run_scan(args: argparse.Namespace, paths: AppPaths) -> int:
    # Imported here: httpx and the drivers are not needed for `permis --help`.
    from permis_desktop.scan.devices.output import check_output
    from permis_desktop.scan.devices.registry import DeviceRegistry, confirm_certificate

    settings = _settings(paths)
    if args.list:
        return _list(args, DeviceRegistry.for_platform(settings))
    if args.capabilities:
        return _capabilities(args, DeviceRegistry.for_platform(settings))
    if not args.output:
        raise BadInput(
            "Indiquez le fichier de sortie avec -o (par exemple -o pages.pdf ou -o page-{n}.jpg)."
        )
    check_output(args.output)
    request = ScanRequest(
        source=args.source, dpi=args.dpi, color_mode=args.mode, max_pages=args.max_pages
    )
    if args.trust_certificate:
        from permis_desktop.scan.devices.escl_driver import endpoint_from_id

        endpoint = endpoint_from_id(args.device)
        if endpoint.scheme != "https":
            raise BadInput("--trust-certificate ne concerne que les scanners en https.")
        paths.config.mkdir(parents=True, exist_ok=True)
        confirm_certificate(settings, endpoint.netloc, args.trust_certificate)
    registry = DeviceRegistry.for_platform(settings)
    return _scan(args, registry, request)


def _list(args: argparse.Namespace, registry: DeviceRegistry) -> int:
    devices = registry.list_devices(timeout=args.timeout)
    if args.json:
        _emit({"devices": [d.to_json() for d in devices]})
        return 0
    if not devices:
        sys.stdout.write(
            "Aucun scanner trouvé. Vérifiez qu'il est allumé ; pour un scanner réseau, indiquez "
            "son adresse : --device escl:http://ADRESSE:PORT/eSCL\n"
        )
    for device in devices:
        sys.stdout.write(f"{device.id}\t{device.label}\n")
    return 0


def _capabilities(args: argparse.Namespace, registry: DeviceRegistry) -> int:
    caps = registry.capabilities(args.device)
    if args.json:
        _emit({"device": args.device, **caps.to_json()})
        return 0
    sources = ", ".join(f"{s} ({SOURCE_LABELS[s]})" for s in caps.sources)
    sys.stdout.write(
        f"Sources : {sources}\n"
        f"Résolutions : {', '.join(str(r) for r in caps.resolutions)} ppp\n"
        f"Modes : {', '.join(caps.color_modes)}\n"
        f"Formats : {', '.join(caps.formats)}\n"
    )
    return 0


def _scan(args: argparse.Namespace, registry: DeviceRegistry, request: ScanRequest) -> int:
    from permis_desktop.scan.devices.output import write_pages

    cancel = CancelToken()

    def on_progress(report: ScanProgress) -> None:
        if report.fraction == 1.0:
            sys.stderr.write(f"Page {report.page} reçue.\n")

    scan = registry.scan(args.device, request, progress=on_progress, cancel=cancel)
    received: list[ScannedPage] = []
    try:
        outcome = collect_pages(scan, received.append)
    except KeyboardInterrupt:
        cancel.cancel()
        scan.close()
        outcome = ScanOutcome(
            pages=received,
            error=DeviceError("Numérisation interrompue.", pages_received=len(received)),
        )
    pages, failure = outcome.pages, outcome.error
    if failure is not None and not pages:
        raise failure
    written = write_pages(pages, args.output)
    if args.json:
        files = [str(p) for p in written]
        _emit(
            {
                "device": args.device,
                "source": request.source,
                "dpi": request.dpi,
                "color_mode": request.color_mode,
                "output": files[0] if len(files) == 1 else files,
                "pages": [
                    {
                        "page": p.index,
                        "media_type": p.media_type,
                        "width": p.width,
                        "height": p.height,
                        "dpi": p.dpi,
                        "color_mode": p.color_mode,
                        "bytes": len(p.data),
                        "file": str(written[i]) if len(written) == len(pages) else str(written[0]),
                    }
                    for i, p in enumerate(pages)
                ],
                "error": str(failure) if failure else None,
            }
        )
    else:
        where = written[0] if len(written) == 1 else Path(written[0]).parent
        sys.stdout.write(
            f"{len(pages)} page(s) reçue(s) ({SOURCE_LABELS[request.source]}, {pages[0].dpi} ppp) "
            f"→ {where}\n"
        )
    if failure is not None:
        raise failure
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The `scan` options, shared by `permis scan` and its tests."""
    from permis_desktop.scan.devices.base import COLOR_MODES, SOURCES

    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--list", action="store_true", help="lister les scanners trouvés")
    what.add_argument("--device", metavar="ID", help="sane:NOM, escl:URL ou wia:ID (voir --list)")
    parser.add_argument(
        "--source",
        choices=SOURCES,
        default="flatbed",
        help="vitre (flatbed), chargeur (feeder) ou recto verso (duplex)",
    )
    parser.add_argument("--dpi", type=int, default=300, help="résolution en points par pouce (300)")
    parser.add_argument(
        "--mode",
        choices=COLOR_MODES,
        default="color",
        help="couleur (color), gris (gray) ou noir et blanc (bw)",
    )
    parser.add_argument("--max-pages", type=int, help="arrêter le chargeur après N pages")
    parser.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="fichier .pdf (toutes les pages) ou modèle d'images, ex. page-{n}.jpg",
    )
    parser.add_argument(
        "--capabilities",
        action="store_true",
        help="avec --device : sources, résolutions et modes du scanner, sans numériser",
    )
    parser.add_argument("--json", action="store_true", help="résultat en JSON")
    parser.add_argument(
        "--timeout",
        type=float,
        default=3.0,
        help="durée de la recherche des scanners réseau en secondes (0 : aucune)",
    )
    parser.add_argument(
        "--trust-certificate",
        metavar="SHA256",
        help="confirmer le certificat d'un scanner https (empreinte affichée par l'erreur)",
    )
