"""Killing the desk in the middle of typing loses at most the last half-second."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from permis_desktop.paths import resolve_paths
from permis_desktop.procedures.facts import skeleton
from permis_desktop.services.context import DeskContext
from permis_desktop.services.dossiers import DossierService

ROOT = Path(__file__).resolve().parents[2]
TEXT = "12 avenue Jean Jaures batiment C escalier 4 etage 2 porte gauche chez Madame Dupont"
# The promise: at most the last half-second of typing is lost.
ALLOWED_LOSS_S = 0.5


@pytest.mark.slow  # a real process for ~7 s, and the half-second promise is timing-bound
def test_killing_the_process_mid_typing_keeps_what_was_typed_before(tmp_path: Path) -> None:
    data = tmp_path / "data"
    ctx = DeskContext.open(resolve_paths(data))
    facts = skeleton("exam_registration_first")
    facts["applicant"]["birth_name"] = "Martin"
    dossier_id = DossierService(ctx.db).create(facts)
    ctx.close()
    log = tmp_path / "typed.log"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.ui.typing_app", str(data), dossier_id, str(log), TEXT],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            lines = log.read_text().splitlines() if log.exists() else []
            if len(lines) >= 40 or process.poll() is not None:
                break
            time.sleep(0.02)
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        killed_at = time.time()
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
    keystrokes = [line.split() for line in log.read_text().splitlines()]
    assert len(keystrokes) >= 40
    must_have = max(
        (int(n) for n, at in keystrokes if float(at) <= killed_at - ALLOWED_LOSS_S), default=0
    )
    assert must_have >= 20  # the typing ran long enough for the check to mean something

    ctx = DeskContext.open(resolve_paths(data))
    try:
        stored = DossierService(ctx.db).get(dossier_id).facts["applicant"]["address"]["line1"]
    finally:
        ctx.close()
    assert TEXT.startswith(stored), stored
    assert len(stored) >= must_have, (len(stored), must_have, len(keystrokes))
