"""Filing-assistant ticks are kept per dossier without touching the validated version."""

from __future__ import annotations

import pytest

from permis_desktop.errors import BadInput
from permis_desktop.services.dossiers import DossierService
from permis_desktop.services.filing_progress import FilingProgress
from permis_desktop.services.papers import PapersService
from tests.outputs.conftest import TODAY


def test_ticks_persist_and_leave_the_dossier_validated(school, ready_dossier, tmp_path) -> None:
    progress = FilingProgress(school.db)
    before = DossierService(school.db).get(ready_dossier)
    assert progress.ticks(ready_dossier) == []
    assert progress.set_tick(ready_dossier, "motif", True) == ["motif"]
    assert progress.set_tick(ready_dossier, "etat_civil", True) == ["motif", "etat_civil"]
    assert progress.set_tick(ready_dossier, "motif", False) == ["etat_civil"]
    # A fresh service over the same file reads the same ticks.
    assert FilingProgress(school.db).ticks(ready_dossier) == ["etat_civil"]
    after = DossierService(school.db).get(ready_dossier)
    assert after.version == before.version
    # Still the validated version: the kit can be made.
    kit = PapersService.from_context(school, today=TODAY).export_kit(ready_dossier, tmp_path)
    assert kit.files


def test_unknown_dossier_or_step_is_refused(school, ready_dossier) -> None:
    progress = FilingProgress(school.db)
    with pytest.raises(BadInput, match="Aucun dossier"):
        progress.set_tick("nope", "motif", True)
    with pytest.raises(BadInput, match="Étape"):
        progress.set_tick(ready_dossier, "", True)
