"""Building the sync worker from the desk's settings (`sync.server_url`, `sync.token`…)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from permis_desktop.errors import BadInput
from permis_desktop.paths import AppPaths
from permis_desktop.settings import Settings
from permis_desktop.sync.client import ServiceClient, tls_verification

CURSOR_FILE = "sync-feed.json"


def server_url(settings: Settings) -> str:
    url = str(settings.get("sync.server_url") or "").strip()
    if not url:
        raise BadInput(
            "Adresse du serveur non réglée : permis config set sync.server_url https://…"
        )
    if not url.startswith(("http://", "https://")):
        raise BadInput(f"Adresse du serveur invalide : {url} (elle commence par https://).")
    return url.rstrip("/")


def client_factory(settings: Settings) -> Callable[[], ServiceClient]:
    url = server_url(settings)
    from permis_desktop.sync.credentials import load_token

    token = load_token(settings).strip()
    if not token:
        raise BadInput("Jeton d'accès non réglé : permis config set sync.token JETON")
    ca_file = str(settings.get("sync.ca_file") or "").strip()
    # Read the CA file now: a wrong path is reported when sync starts, not once per round.
    verify = tls_verification(ca_file if ca_file else bool(settings.get("sync.verify_tls")))

    def make() -> ServiceClient:
        return ServiceClient(url, token, verify=verify)

    return make


def cursor_path(paths: AppPaths) -> Path:
    return paths.data / CURSOR_FILE
