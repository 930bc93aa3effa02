"""The camera screen with the file-backed frame source: the real preview, detection,
auto-capture, verdict and attach code runs; only the webcam is replaced by images."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from permis_desktop.ui.capture.frames import CameraState, FileFrameSource, classify_camera_error

from .conftest import bad_card_scene, card_scene, empty_desk, piece_pages

pytest.importorskip(
    "PySide6.QtMultimedia", reason="QtMultimedia absent (PySide6-Addons, libpulse0)"
)


def open_dialog(qtbot, desk, worker, dossier, kind, source):  # type: ignore[no-untyped-def]
    from permis_desktop.ui.capture.camera_dialog import CameraDialog

    dialog = CameraDialog(desk, worker, dossier, kind, source=source)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_auto_capture_of_a_card_recto_then_verso(qtbot, desk, worker, dossier) -> None:  # type: ignore[no-untyped-def]
    source = FileFrameSource([card_scene(0)], fps=30)
    assert source.uses_frame_input  # frames flow through QVideoFrameInput like a camera's
    dialog = open_dialog(qtbot, desk, worker, dossier, "identity", source)
    assert "Recto" in dialog.instruction.text()
    # No click: the steady outline triggers the shot, the verdict is ok, the page is kept.
    qtbot.waitUntil(lambda: dialog.side_index == 1, timeout=20000)
    assert dialog.shots == 1 and dialog.last_verdict == "ok"
    assert "Retournez la carte" in dialog.instruction.text()
    assert dialog.analyses >= 3 and dialog.phase == "live"
    # The user lifts the card and turns it over.
    source.play([empty_desk()])
    qtbot.waitUntil(lambda: not dialog._rearm, timeout=10000)
    source.play([card_scene(1, side="verso")])

    def verso_taken() -> None:
        last = dialog.last_analysis
        assert dialog.phase == "done", (
            dialog.phase,
            dialog.shots,
            dialog.last_verdict,
            dialog._rearm,
            last and (last.found, last.sharp, last.tracked, last.corners),
            dialog.status.text(),
        )

    qtbot.waitUntil(verso_taken, timeout=20000)
    qtbot.waitUntil(lambda: not dialog.attacher.busy, timeout=30000)
    pages = piece_pages(desk, dossier, "identity")
    assert len(pages) == 2
    # Both sides are composed on one processed page, from two kept originals.
    assert pages[0].processed_sha256 == pages[1].processed_sha256
    assert pages[0].original_sha256 != pages[1].original_sha256
    assert all(p.params["verdict"] == "ok" for p in pages)
    assert dialog.shots == 2


def test_outline_drawn_while_frames_keep_flowing(qtbot, desk, worker, dossier) -> None:  # type: ignore[no-untyped-def]
    source = FileFrameSource([card_scene(2)], fps=30)
    dialog = open_dialog(qtbot, desk, worker, dossier, "identity", source)
    dialog.auto_capture.setChecked(False)
    qtbot.waitUntil(lambda: len(dialog.preview.outline) == 4, timeout=10000)
    shown = dialog.preview.frames_shown
    qtbot.waitUntil(lambda: dialog.preview.frames_shown >= shown + 10, timeout=5000)
    # Analyses run on some frames only: the rest were dropped, not queued.
    assert dialog.analyses < dialog.frames_received
    assert dialog.shots == 0  # auto-capture off: nothing taken without the shutter
    xs = [x for x, _y in dialog.preview.outline]
    assert 0.0 < min(xs) < max(xs) < 1.0


def test_bad_photo_shows_reasons_and_retake(qtbot, desk, worker, dossier) -> None:  # type: ignore[no-untyped-def]
    source = FileFrameSource([bad_card_scene(0)], fps=30)
    dialog = open_dialog(qtbot, desk, worker, dossier, "identity", source)
    dialog.auto_capture.setChecked(False)
    qtbot.waitUntil(lambda: dialog.frames_received > 0, timeout=5000)
    dialog.shutter.click()
    qtbot.waitUntil(lambda: dialog.phase == "verdict", timeout=20000)
    assert dialog.last_verdict != "ok"
    assert dialog.retake.isVisible() and dialog.keep_anyway.isVisible()
    assert "Reprendre" in dialog.verdict_text.text()
    # Nothing was attached: the verdict blocks the page until the user decides.
    assert piece_pages(desk, dossier, "identity") == []
    dialog.retake.click()
    assert dialog.phase == "live" and dialog.stack.currentWidget() is dialog.preview
    dialog.shutter.click()
    qtbot.waitUntil(lambda: dialog.phase == "verdict", timeout=20000)
    with qtbot.waitSignal(dialog.attacher.attached, timeout=30000):
        dialog.keep_anyway.click()  # explicit override
    (page,) = piece_pages(desk, dossier, "identity")
    assert page.params["verdict"] != "ok" and page.params.get("accepted") is True


def test_no_camera_state(qtbot, desk, worker, dossier) -> None:  # type: ignore[no-untyped-def]
    from permis_desktop.ui.capture.camera_dialog import CameraDialog
    from permis_desktop.ui.capture.frames import list_cameras

    if list_cameras():
        pytest.skip("a real camera is connected to this machine")
    dialog = CameraDialog(desk, worker, dossier, "proof_of_address")
    qtbot.addWidget(dialog)
    assert dialog.camera_state is CameraState.NO_CAMERA
    assert dialog.stack.currentWidget() is dialog.state_label
    assert "Aucune caméra" in dialog.state_label.text()
    assert not dialog.shutter.isEnabled()


def test_missing_multimedia_backend_state(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # A process whose Qt finds no media backend, as on a workstation missing the plugin.
    script = textwrap.dedent(
        """
        import os, sys
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        from permis_desktop.paths import resolve_paths
        from permis_desktop.services.context import DeskContext
        from permis_desktop.services.dossiers import DossierService
        from permis_desktop.ui.worker import Worker
        from permis_desktop.ui.capture.camera_dialog import CameraDialog
        ctx = DeskContext.open(resolve_paths(sys.argv[1]))
        dossier = DossierService(ctx.db).create({"procedure": "exam_registration_first"})
        dialog = CameraDialog(ctx, Worker(), dossier, "identity")
        print(dialog.camera_state.value)
        print(dialog.state_label.text())
        print(dialog.shutter.isEnabled())
        """
    )
    env = {**__import__("os").environ, "QT_MEDIA_BACKEND": "absent", "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "data")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    lines = out.stdout.splitlines()
    assert out.returncode == 0, out.stderr
    assert lines[0] == "no_backend"
    assert "capture vidéo n'est pas disponible" in lines[1]
    assert lines[2] == "False"


@pytest.mark.parametrize(
    ("message", "state"),
    [
        ("Camera is in use by another application", CameraState.BUSY),
        ("Device or resource busy", CameraState.BUSY),
        ("Permission denied", CameraState.PERMISSION_DENIED),
        ("No camera detected", CameraState.NO_CAMERA),
        ("Camera is not supported on the platform", CameraState.NO_BACKEND),
        ("Unexpected failure", CameraState.ERROR),
    ],
)
def test_camera_errors_map_to_clear_states(message: str, state: CameraState) -> None:
    assert classify_camera_error(message) is state


def test_busy_and_refused_states_are_shown(qtbot, desk, worker, dossier) -> None:  # type: ignore[no-untyped-def]
    source = FileFrameSource([card_scene(3)], fps=30)
    dialog = open_dialog(qtbot, desk, worker, dossier, "identity", source)
    source._set_state(CameraState.BUSY)
    assert dialog.stack.currentWidget() is dialog.state_label
    assert "utilisée par une autre application" in dialog.state_label.text()
    assert not dialog.shutter.isEnabled()
    source._set_state(CameraState.PERMISSION_DENIED)
    assert "refusé" in dialog.state_label.text()
    source._set_state(CameraState.ACTIVE)
    assert dialog.stack.currentWidget() is dialog.preview and dialog.shutter.isEnabled()


def test_frame_conversion_owns_its_pixels(qapp) -> None:  # type: ignore[no-untyped-def]
    import gc

    import numpy as np

    from permis_desktop.ui.capture.images import bgr_to_qimage, qimage_to_bgr

    scene = card_scene(1, side="verso")
    first = qimage_to_bgr(bgr_to_qimage(scene), 320)
    gc.collect()
    junk = [bytearray(first.nbytes) for _ in range(50)]  # reuse of any freed buffer
    second = qimage_to_bgr(bgr_to_qimage(scene), 320)
    assert np.array_equal(first, second) and len(junk) == 50
