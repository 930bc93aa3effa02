"""The typed settings registry: every user-adjustable setting, in one place.

Each setting has a dotted key, a Python type, a default and a French label for the settings
dialog. Values live in `settings.json` in the config folder, written atomically; unknown keys
in the file are kept (a newer version may have written them) but never used. Upgrade steps
rename or convert keys when a release changes them. Window geometry is not here: Qt's
QSettings keeps it, in the UI layer.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from permis_desktop.fileutil import atomic_write_text

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Setting:
    key: str
    type: type
    default: Any
    label: str
    secret: bool = False


REGISTRY: dict[str, Setting] = {
    s.key: s
    for s in [
        Setting("school.name", str, "", "Nom de l'école de conduite"),
        Setting("school.address", str, "", "Adresse de l'école"),
        Setting("school.phone", str, "", "Téléphone de l'école"),
        Setting("school.email", str, "", "Adresse électronique de l'école"),
        Setting("school.approval_number", str, "", "Numéro d'agrément de l'école"),
        Setting("sync.server_url", str, "", "Adresse du serveur de dossiers"),
        Setting("sync.token", str, "", "Jeton d'accès du poste", secret=True),
        Setting("sync.verify_tls", bool, True, "Vérifier le certificat du serveur"),
        Setting("sync.ca_file", str, "", "Fichier d'autorité de certification (facultatif)"),
        Setting("sync.poll_seconds", int, 60, "Intervalle de synchronisation (secondes)"),
        Setting("capture.watch_folder", str, "", "Dossier surveillé (numérisation vers dossier)"),
        Setting("capture.watermark_identity", bool, True, "Filigrane sur les copies d'identité"),
        Setting("capture.budget_a4_kb", int, 300, "Taille maximale d'une page A4 (Ko)"),
        Setting("capture.budget_card_kb", int, 500, "Taille maximale d'une carte recto/verso (Ko)"),
        Setting("capture.last_device", str, "", "Dernier scanner utilisé"),
        Setting("capture.scan_profiles", str, "", "Réglages de numérisation par pièce (JSON)"),
        Setting("capture.last_camera", str, "", "Dernière caméra utilisée"),
        Setting("capture.escl_addresses", str, "", "Adresses des scanners réseau (eSCL)"),
        Setting("capture.escl_trusted_certs", str, "", "Certificats de scanners réseau confirmés"),
        Setting("rules.photo_code_length", int, 22, "Longueur attendue du code photo-signature"),
        Setting(
            "recognition.trust_store",
            str,
            "",
            "Dossier de certificats 2D-Doc supplémentaires (CAID.pem, CAID-CERTID.pem)",
        ),
    ]
}


class SettingsError(ValueError):
    """A bad key or value; the message is French and meant for the user."""


def _coerce(setting: Setting, value: Any) -> Any:
    if setting.type is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"1", "true", "vrai", "oui", "yes", "on"}:
            return True
        if text in {"0", "false", "faux", "non", "no", "off"}:
            return False
        raise SettingsError(f"« {value} » n'est pas une valeur oui/non pour {setting.key}.")
    if setting.type is int:
        try:
            return int(value)
        except (TypeError, ValueError):
            raise SettingsError(
                f"« {value} » n'est pas un nombre entier pour {setting.key}."
            ) from None
    return str(value)


# Upgrade steps: each takes the raw dict of version N and returns version N+1.
UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


class Settings:
    """Typed access to the settings file. Not thread-safe: use from one thread at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._values: dict[str, Any] = {}
        self._load()

    def _load(self) -> None:
        if not self.path.exists():
            return
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            # A damaged settings file must not stop the desk: fall back to defaults, keep the
            # bad file aside so nothing is lost.
            log.error("settings file %s unreadable (%s); using defaults", self.path, exc)
            aside = self.path.with_suffix(".json.damaged")
            with contextlib.suppress(OSError):
                self.path.replace(aside)
            return
        version = int(raw.pop("_version", 1)) if isinstance(raw, dict) else 1
        while version < SCHEMA_VERSION:
            raw = UPGRADES[version](raw)
            version += 1
        self._values = raw if isinstance(raw, dict) else {}

    @staticmethod
    def setting(key: str) -> Setting:
        try:
            return REGISTRY[key]
        except KeyError:
            raise SettingsError(f"Réglage inconnu : {key}.") from None

    def get(self, key: str) -> Any:
        setting = self.setting(key)
        if key not in self._values:
            return setting.default
        try:
            return _coerce(setting, self._values[key])
        except SettingsError:
            log.warning(
                "setting %s has a bad stored value %r; using default", key, self._values[key]
            )
            return setting.default

    def set(self, key: str, value: Any) -> None:
        setting = self.setting(key)
        self._values[key] = _coerce(setting, value)
        self.save()

    def save(self) -> None:
        data = {"_version": SCHEMA_VERSION, **self._values}
        atomic_write_text(self.path, json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True))
