#!/usr/bin/env python3
"""Screenshots of the capture screens into docs/screenshots/capture-*.png.

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python tools/capture_screenshots.py

Real devices and real screens: the SANE `test` device (when python-sane and libsane are
installed) and the eSCL simulator of the test suite for the scanner screen, the
file-backed frame source with a card rendered by the corpus generator for the camera, a
piece with pages for the editor, and files in the "À classer" inbox.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "data"))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402
from shotkit import OUT, save_png, wait, wait_until  # noqa: E402


def save(widget: QWidget, name: str) -> None:
    # 256-colour palette: the camera frames are photos, and the repository stays small.
    save_png(widget, OUT / f"capture-{name}.png", settle=0.2)


def open_desk(folder: Path):  # type: ignore[no-untyped-def]
    from permis_desktop.paths import resolve_paths
    from permis_desktop.services.context import DeskContext
    from permis_desktop.services.dossiers import DossierService

    ctx = DeskContext.open(resolve_paths(folder))
    dossier = DossierService(ctx.db).create(
        {
            "procedure": "exam_registration_first",
            "applicant": {"birth_name": "MARTIN", "given_names": ["Camille"]},
        }
    )
    return ctx, dossier


def scene(seed: int, side: str = "recto", condition: str = "ok") -> np.ndarray:
    import make_corpus as mc

    rng = np.random.default_rng([2026, seed])
    image, *_ = mc.make_photo(rng, "identity", condition, side, (2000, 1500))
    return np.asarray(image)


def bill(seed: int) -> np.ndarray:
    import make_corpus as mc

    rng = np.random.default_rng([2031, seed])
    image, *_ = mc.make_photo(rng, "proof_of_address", "ok", "page", (1500, 2000))
    return np.asarray(image)


def shot_scanner_sane(ctx, dossier, worker) -> None:  # type: ignore[no-untyped-def]
    try:
        import sane  # noqa: F401
    except ImportError:
        print("python-sane absent: no SANE screenshot")
        return
    from permis_desktop.scan.devices import DeviceRegistry, ScanRequest
    from permis_desktop.scan.devices.sane_driver import SaneDriver
    from permis_desktop.ui.capture.scan_dialog import ScanDialog

    folder = Path(tempfile.mkdtemp())
    (folder / "dll.conf").write_text("test\n", encoding="utf-8")
    os.environ["SANE_CONFIG_DIR"] = str(folder)
    driver = SaneDriver(extra_options={"test_picture": "Grid"})
    dialog = ScanDialog(ctx, worker, dossier, "identity", registry=DeviceRegistry([driver]))
    dialog.show()
    wait_until(lambda: dialog.device_picker.count() > 0, 20)
    dialog.device_picker.setCurrentIndex(max(0, dialog.device_picker.findData("sane:test:0")))
    wait_until(lambda: dialog.capabilities is not None, 20)
    dialog.dpi_box.setCurrentIndex(max(0, dialog.dpi_box.findData(150)))
    for _ in range(2):  # recto and verso from the flatbed
        dialog.scan_button.click()
        wait_until(lambda: not dialog.scanning, 60)
    wait_until(lambda: not dialog.attacher.busy, 120)
    save(dialog, "scanner-sane")
    dialog.close()
    list(
        SaneDriver(extra_options={"test_picture": "Solid black"}).scan(
            "sane:test:0", ScanRequest(dpi=25)
        )
    )


def shot_scanner_escl(ctx, dossier, worker) -> None:  # type: ignore[no-untyped-def]
    from permis_desktop.scan.devices import DeviceRegistry
    from permis_desktop.scan.devices.escl_driver import EsclDriver
    from permis_desktop.ui.capture.scan_dialog import ScanDialog
    from tests.devices.escl_sim import Simulator

    with Simulator(feeder_pages=3) as sim:
        sim.faults.drop_at_page = 3
        registry = DeviceRegistry([EsclDriver(manual_urls=(sim.base_url,))])
        dialog = ScanDialog(ctx, worker, dossier, "proof_of_address", registry=registry)
        dialog.show()
        wait_until(lambda: dialog.capabilities is not None, 20)
        dialog.scan_button.click()
        wait_until(lambda: not dialog.scanning, 60)
        wait_until(lambda: not dialog.attacher.busy, 120)
        save(dialog, "scanner-escl-error")
        dialog.close()


def shot_camera(ctx, dossier, worker) -> None:  # type: ignore[no-untyped-def]
    from permis_desktop.ui.capture.camera_dialog import CameraDialog
    from permis_desktop.ui.capture.frames import FileFrameSource

    source = FileFrameSource([scene(0)], fps=30)
    dialog = CameraDialog(ctx, worker, dossier, "identity", source=source)
    dialog.show()
    wait_until(lambda: dialog.preview.steady > 0.4, 20)
    save(dialog, "camera-outline")
    verso = scene(1, side="verso")
    wait_until(lambda: dialog.side_index == 1, 30)
    recto_outline = dialog.preview.outline
    wait(0.3)
    source.play([verso])  # the card turned over
    wait_until(
        lambda: (
            len(dialog.preview.outline) == 4
            and dialog.preview.outline != recto_outline
            and dialog.preview.steady > 0.3
        ),
        20,
    )
    save(dialog, "camera-verso")
    dialog.close()
    source.stop()

    bad = FileFrameSource([scene(3, condition="too_small")], fps=30)
    dialog = CameraDialog(ctx, worker, dossier, "residence_proof", source=bad)
    dialog.auto_capture.setChecked(False)
    dialog.show()
    wait_until(lambda: dialog.frames_received > 3, 10)
    dialog.shutter.click()
    wait_until(lambda: dialog.phase == "verdict", 30)
    save(dialog, "camera-verdict")
    dialog.close()
    bad.stop()


def shot_editor(ctx, dossier, worker, folder: Path) -> None:  # type: ignore[no-untyped-def]
    from permis_desktop.services.pieces import PieceService
    from permis_desktop.ui.capture.page_editor import PageEditor

    files = []
    for seed in (0, 1, 2):
        path = folder / f"facture-{seed}.jpg"
        cv2.imwrite(str(path), bill(seed), [cv2.IMWRITE_JPEG_QUALITY, 90])
        files.append(path)
    from permis_desktop.services.dossiers import DossierService

    dossier = DossierService(ctx.db).create({"procedure": "exam_registration_first"})
    PieceService(ctx).attach_files(dossier, "proof_of_address", files)
    dialog = PageEditor(ctx, worker, dossier, "proof_of_address")
    dialog.show()
    wait_until(lambda: dialog.list.count() == 3 and len(dialog.corners.corners) == 4, 30)
    wait(1.0)
    corner = dialog.corners.to_screen(dialog.corners.corners[1]).toPoint()
    QTest.mousePress(dialog.corners, Qt.MouseButton.LeftButton, pos=corner)
    QTest.mouseMove(dialog.corners, corner + QPoint(-12, 10))
    save(dialog, "editor")
    QTest.mouseRelease(dialog.corners, Qt.MouseButton.LeftButton, pos=corner + QPoint(-12, 10))
    dialog.close()


def shot_inbox(ctx, dossier, worker, folder: Path) -> None:  # type: ignore[no-untyped-def]
    from permis_desktop.ui.capture.inbox import InboxDialog

    # What a copier's "scan to folder" leaves in the shared folder.
    watched = folder / "scans-copieur"
    watched.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(watched / "SCAN_0012.jpg"), scene(2), [cv2.IMWRITE_JPEG_QUALITY, 85])
    cv2.imwrite(str(watched / "SCAN_0013.jpg"), bill(4), [cv2.IMWRITE_JPEG_QUALITY, 85])
    dialog = InboxDialog(ctx, worker, dossier, ["identity", "proof_of_address"])
    dialog.timer.setInterval(200)
    dialog.show()
    dialog.set_watch_folder(watched)
    wait_until(
        lambda: (
            dialog.items_view.count() == 2
            and all(not dialog.items_view.item(i).icon().isNull() for i in range(2))
        ),
        30,
    )
    dialog.items_view.item(0).setSelected(True)
    save(dialog, "inbox")
    dialog.close()
    ctx.settings.set("capture.watch_folder", "")


def shot_pieces_page(ctx, dossier, worker) -> None:  # type: ignore[no-untyped-def]
    from permis_desktop.services.dossiers import DossierService
    from permis_desktop.ui.wizard.pieces_page import PiecesPage

    detail = DossierService(ctx.db).get(dossier)
    page = PiecesPage(ctx, worker, dossier, detail.pieces)
    for kind in ("identity", "proof_of_address"):
        page.rows_layout.addWidget(page._make_row(kind))
        page.rows[kind].title.setText(f"<b>{page.rows[kind].accessibleName()}</b>")
        page._show_pages(kind)
    page.resize(1000, 640)
    page.show()
    wait(2.0)
    save(page, "pieces-page")
    page.close()


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    from permis_desktop.ui.worker import Worker

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ctx, dossier = open_desk(folder / "data")
        worker = Worker()
        shot_scanner_sane(ctx, dossier, worker)
        shot_scanner_escl(ctx, dossier, worker)
        shot_camera(ctx, dossier, worker)
        shot_editor(ctx, dossier, worker, folder)
        shot_inbox(ctx, dossier, worker, folder)
        shot_pieces_page(ctx, dossier, worker)
        worker.wait_idle()
        ctx.close()
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
