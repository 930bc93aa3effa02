"""Typing that could not be saved survives the window being closed.

Autosave keeps retrying while the editor is open, but the user may close the window (or
the application) while the database refuses writes (read-only folder, full disk). Then
the facts in memory are written, atomically, to `recovery/ID.json` in the data folder (or,
when that folder refuses too, in the system's temporary folder), and the next time the
dossier is opened they are taken back and saved (démarches-simplifiées #6356: a failed
autosave must never lose the user's work). No Qt here.
"""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path
from typing import Any

from permis_desktop.fileutil import atomic_write_text
from permis_desktop.paths import AppPaths
from permis_desktop.procedures.facts import FactsError, parse_facts

log = logging.getLogger(__name__)


def _places(paths: AppPaths, dossier_id: str) -> list[Path]:
    name = f"{dossier_id}.json"
    return [
        paths.data / "recovery" / name,
        Path(tempfile.gettempdir()) / "permis-desktop-recovery" / name,
    ]


def write(paths: AppPaths, dossier_id: str, facts: dict[str, Any], mandate: str | None) -> Path:
    """Keep the unsaved facts; returns where. OSError when no place accepts them."""
    text = json.dumps({"facts": facts, "mandate_signed_on": mandate}, ensure_ascii=False)
    error: OSError | None = None
    for place in _places(paths, dossier_id):
        try:
            place.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(place, text)
        except OSError as exc:
            error = exc
            continue
        log.warning("unsaved facts of dossier %s kept in %s", dossier_id, place)
        return place
    assert error is not None
    raise error


def read(paths: AppPaths, dossier_id: str) -> dict[str, Any] | None:
    """The kept facts, if any still parse (`facts`, `mandate_signed_on`)."""
    for place in _places(paths, dossier_id):
        try:
            data = json.loads(place.read_text(encoding="utf-8"))
            parse_facts(data["facts"])
        except FileNotFoundError:
            continue
        except (OSError, ValueError, KeyError, TypeError, FactsError) as exc:
            log.error("recovery file %s unusable: %s", place, exc)
            continue
        return dict(data)
    return None


def same_facts(a: dict[str, Any], b: dict[str, Any]) -> bool:
    try:
        return parse_facts(a) == parse_facts(b)
    except FactsError:
        return False


def drop(paths: AppPaths, dossier_id: str) -> None:
    for place in _places(paths, dossier_id):
        try:
            place.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("could not remove recovery file %s: %s", place, exc)
