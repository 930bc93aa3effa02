"""The camera screen: live preview with the document outline, auto-capture, manual shutter,
the pipeline's verdict right after the shot, and the guided recto/verso of identity cards.

Frames flow from a `FrameSource` (a webcam, or files in tests and the benchmark) through
its QVideoSink. Each frame is painted at once; one frame at a time is analysed on the
background helper, on a small copy. Frames arriving while an analysis runs are simply not
analysed (dropped, never queued), so the preview never lags behind the camera whatever
the analysis costs. When the outline has held still and sharp for about a second
(`analysis.StabilityTracker`), the still is taken; the shutter button does the same by hand.

The still goes through the capture pipeline before it is kept: a page whose verdict is not
"ok" is shown with its reasons and "Reprendre"; keeping it anyway is an explicit choice
("Garder quand même", recorded by `PieceService.accept_page`). Kept stills are attached
through `PageAttacher`, one batch at a time, while the user goes on (turns the card over).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from permis_desktop.ui.capture.analysis import (
    FULL_DETECTION_EVERY,
    PREVIEW_ANALYSIS_SIDE,
    PreviewAnalysis,
    StabilityTracker,
    analyse_preview,
)
from permis_desktop.ui.capture.attach import french_error
from permis_desktop.ui.capture.frames import (
    STATE_MESSAGES,
    CameraFrameSource,
    CameraState,
    FrameSource,
    list_cameras,
    multimedia_status,
)
from permis_desktop.ui.capture.images import bgr_to_qimage, jpeg_bytes, qimage_to_bgr
from permis_desktop.ui.capture.piece_dialog import PieceCaptureDialog
from permis_desktop.ui.capture.preview import PreviewView
from permis_desktop.ui.capture.thumbs import reason_texts, verdict_label
from permis_desktop.ui.worker import Worker

log = logging.getLogger(__name__)

LIVE, SHOOTING, CHECKING, VERDICT, DONE = "live", "shooting", "checking", "verdict", "done"


class CameraDialog(PieceCaptureDialog):
    """Photograph the pages of one piece. `source` replaces the webcam (tests, benchmark)."""

    def __init__(
        self,
        ctx: Any,
        worker: Worker,
        dossier_id: str,
        kind: str,
        source: FrameSource | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, worker, dossier_id, kind, parent)
        from permis_desktop.scan.formats import format_for

        self.format = format_for(kind)
        self.sides = ["recto", "verso"] if self.format.identity else []
        self.side_index = 0
        self.setObjectName("camera_dialog")
        self.setWindowTitle(self.tr("Photo : {piece}").format(piece=self.piece_label))
        self.resize(960, 720)

        self.tracker = StabilityTracker()
        self.phase = LIVE
        self.analysing = False
        self.analyses = 0
        self.frames_received = 0
        self.last_analysis: PreviewAnalysis | None = None
        self.shots = 0
        self.kept = 0
        self._pending_still: tuple[Path, str, list[str]] | None = None
        self._fixed_source = source is not None

        # -- widgets
        self.camera_picker = QComboBox()
        self.camera_picker.setObjectName("camera_picker")
        self.camera_picker.setAccessibleName(self.tr("Caméra"))
        self.refresh_button = QPushButton(self.tr("Actualiser"))
        self.refresh_button.setObjectName("camera_refresh")
        self.refresh_button.clicked.connect(self.refresh_cameras)
        self.auto_capture = QCheckBox(self.tr("Déclenchement automatique"))
        self.auto_capture.setObjectName("auto_capture")
        self.auto_capture.setChecked(True)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Caméra :")))
        top.addWidget(self.camera_picker, 1)
        top.addWidget(self.refresh_button)
        top.addWidget(self.auto_capture)

        self.preview = PreviewView()
        self.state_label = QLabel()
        self.state_label.setObjectName("camera_state")
        self.state_label.setWordWrap(True)
        self.state_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.state_label.setStyleSheet("font-size: 15px; padding: 24px;")
        self.verdict_image = QLabel()
        self.verdict_image.setObjectName("verdict_image")
        self.verdict_image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.verdict_image.setMinimumSize(480, 300)
        self.verdict_text = QLabel()
        self.verdict_text.setObjectName("verdict_text")
        self.verdict_text.setWordWrap(True)
        self.verdict_text.setTextFormat(Qt.TextFormat.RichText)
        verdict_page = QWidget()
        vlayout = QVBoxLayout(verdict_page)
        vlayout.addWidget(self.verdict_image, 1)
        vlayout.addWidget(self.verdict_text)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.preview)
        self.stack.addWidget(self.state_label)
        self.stack.addWidget(verdict_page)

        self.instruction = QLabel()
        self.instruction.setObjectName("camera_instruction")
        self.instruction.setWordWrap(True)
        self.instruction.setStyleSheet("font-size: 14px; font-weight: bold;")
        self.status.setObjectName("camera_status")

        self.shutter = QPushButton(self.tr("Prendre la photo"))
        self.shutter.setObjectName("shutter")
        self.shutter.setDefault(True)
        self.shutter.clicked.connect(self.shoot)
        self.retake = QPushButton(self.tr("Reprendre"))
        self.retake.setObjectName("retake")
        self.retake.clicked.connect(self.retake_photo)
        self.keep_anyway = QPushButton(self.tr("Garder quand même"))
        self.keep_anyway.setObjectName("keep_anyway")
        self.keep_anyway.setToolTip(
            self.tr("Ajouter cette page malgré le problème signalé (à vos risques).")
        )
        self.keep_anyway.clicked.connect(lambda: self._keep(accept=True))
        buttons = self._button_row(
            self.tr("Terminer"), "camera_close", self.shutter, self.retake, self.keep_anyway
        )

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.instruction)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

        self.source: FrameSource | None = None
        if source is not None:
            self.camera_picker.addItem(source.label or self.tr("Source de test"), None)
            self.camera_picker.setEnabled(False)
            self.refresh_button.setEnabled(False)
            self._use_source(source)
        else:
            self.refresh_cameras()
            self.camera_picker.currentIndexChanged.connect(self._on_camera_chosen)
        self._show_instruction()
        self._set_phase(LIVE)

    # -- sources ------------------------------------------------------------------------

    def refresh_cameras(self) -> None:
        if self._fixed_source:
            return
        usable, reason = multimedia_status()
        self.camera_picker.blockSignals(True)
        self.camera_picker.clear()
        cameras = list_cameras() if usable else []
        for camera_id, name in cameras:
            self.camera_picker.addItem(name, camera_id)
        self.camera_picker.blockSignals(False)
        if not usable:
            log.warning("camera screen without multimedia: %s", reason)
            self.show_state(CameraState.NO_BACKEND, STATE_MESSAGES[CameraState.NO_BACKEND])
            return
        if not cameras:
            self.show_state(CameraState.NO_CAMERA, STATE_MESSAGES[CameraState.NO_CAMERA])
            return
        # The camera last used on this workstation, when it is still connected.
        last = str(self.ctx.settings.get("capture.last_camera") or "")
        index = max(0, self.camera_picker.findData(last)) if last else 0
        self.camera_picker.blockSignals(True)
        self.camera_picker.setCurrentIndex(index)
        self.camera_picker.blockSignals(False)
        self._on_camera_chosen(index)

    def _on_camera_chosen(self, index: int) -> None:
        camera_id = self.camera_picker.itemData(index)
        if camera_id:
            self.ctx.settings.set("capture.last_camera", camera_id)
        self._use_source(CameraFrameSource(camera_id, self))

    def _use_source(self, source: FrameSource) -> None:
        if self.source is not None:
            self.source.stop()
            self.source.deleteLater()
        self.source = source
        source.state_changed.connect(self.show_state)
        source.still_captured.connect(self._on_still)
        if source.video_sink is not None:
            source.video_sink.videoFrameChanged.connect(self._on_frame)
        source.start()

    def show_state(self, state: CameraState, message: str) -> None:
        """Show what the camera is doing; anything but "active" replaces the preview."""
        self.camera_state = state
        if state in (CameraState.ACTIVE, CameraState.STARTING) and self.phase == LIVE:
            self.stack.setCurrentWidget(self.preview)
            self.status.setText(message)
        elif state not in (CameraState.ACTIVE, CameraState.STARTING):
            self.state_label.setText(message)
            self.stack.setCurrentWidget(self.state_label)
        self._update_buttons()

    camera_state = CameraState.STARTING

    # -- live preview -----------------------------------------------------------------------

    def _on_frame(self, frame: Any) -> None:
        if self.phase != LIVE:
            return
        image = frame.toImage()
        if image.isNull():
            return
        self.frames_received += 1
        self.preview.set_image(image)
        if self.analysing:
            return  # dropped: the preview keeps its pace, the outline catches up
        self.analysing = True
        aspect_hint = self.format.aspect if self.format.known else None
        last = self.last_analysis
        previous = (
            last.corners
            if last is not None and last.found and self.analyses % FULL_DETECTION_EVERY
            else None
        )

        def analyse(_state: Any) -> PreviewAnalysis:
            return analyse_preview(
                qimage_to_bgr(image, PREVIEW_ANALYSIS_SIDE), aspect_hint, previous
            )

        aspect = image.width() / max(image.height(), 1)
        self.worker.run_task(
            analyse,
            on_success=lambda result: self._on_analysis(result, aspect),
            on_error=self._on_analysis_failed,
            owner=self,
            pool="io",
        )

    def _on_analysis(self, result: PreviewAnalysis, aspect: float) -> None:
        self.analysing = False
        self.analyses += 1
        self.last_analysis = result
        if self.phase != LIVE:
            return
        now = time.monotonic()
        if self._rearm and (not result.found or self._moved_away(result)):
            self._rearm = False
        trigger = self.tracker.feed(result, now, aspect) and not self._rearm
        steady = self.tracker.progress(now) if result.sharp else 0.0
        self.preview.set_outline(result.corners if result.found else (), steady)
        if not result.found:
            self.status.setText(self.tr("Cadrez le document en entier sur un fond uni."))
        elif not result.sharp:
            self.status.setText(self.tr("Image floue : tenez le document immobile."))
        elif self.auto_capture.isChecked():
            self.status.setText(self.tr("Ne bougez plus…"))
        else:
            self.status.setText(self.tr("Document détecté : appuyez sur « Prendre la photo »."))
        if trigger and self.auto_capture.isChecked():
            log.info("auto-capture after a steady outline (%d analyses)", self.analyses)
            self.shoot()

    def _moved_away(self, result: PreviewAnalysis) -> bool:
        before = self._kept_corners
        if not before:
            return True
        return (
            max(
                max(abs(a - c), abs(b - d))
                for (a, b), (c, d) in zip(before, result.corners, strict=True)
            )
            > 0.15
        )

    _kept_corners: tuple[tuple[float, float], ...] = ()

    def _on_analysis_failed(self, exc: BaseException) -> None:
        self.analysing = False
        log.warning("preview analysis failed: %s", exc)

    # -- the still ----------------------------------------------------------------------------

    def shoot(self) -> None:
        if self.phase != LIVE or self.source is None:
            return
        last = self.last_analysis
        self._kept_corners = last.corners if last is not None and last.found else ()
        if self.camera_state not in (CameraState.ACTIVE, CameraState.STARTING):
            return
        self._set_phase(SHOOTING)
        self.shots += 1
        self.status.setText(self.tr("Photo prise, vérification…"))
        self.source.capture_still()

    def _on_still(self, image: QImage) -> None:
        if self.phase != SHOOTING:
            return
        self._set_phase(CHECKING)
        ctx, kind = self.ctx, self.kind

        def check(_state: Any) -> tuple[Path, str, list[str], QImage]:
            from permis_desktop.fileutil import atomic_write_bytes
            from permis_desktop.scan.pipeline import process_files
            from permis_desktop.ui.capture.attach import spool_dir

            folder = spool_dir(ctx.paths.data)
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"photo-{kind}-{time.strftime('%Y%m%d-%H%M%S')}-{id(image):x}.jpg"
            atomic_write_bytes(path, jpeg_bytes(image))
            result = process_files([path], kind, watermark_identity=False)
            page = result.pages[0]
            shown = bgr_to_qimage(page.image) if page.image is not None else image
            return path, page.verdict, list(page.reasons), shown

        self.worker.run_task(
            check, on_success=self._on_checked, on_error=self._on_check_failed, owner=self
        )

    def _on_checked(self, outcome: tuple[Path, str, list[str], QImage]) -> None:
        path, verdict, reasons, shown = outcome
        self._pending_still = (path, verdict, reasons)
        self.last_verdict = verdict
        self.verdict_image.setPixmap(
            QPixmap.fromImage(shown).scaled(
                self.verdict_image.size(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
        if verdict == "ok":
            self.verdict_text.setText(
                f"<b style='color:#2e7d32'>{verdict_label(verdict)}</b> — "
                + self.tr("la page est ajoutée à la pièce.")
            )
            self.status.setText(
                verdict_label(verdict) + " — " + self.tr("page ajoutée à la pièce.")
            )
            self._keep(accept=False)
            return
        self.status.setText("")
        items = "".join(f"<li>{t}</li>" for t in reason_texts(reasons))
        self.verdict_text.setText(
            f"<b style='color:#c62828'>{verdict_label(verdict)}</b> — "
            + self.tr("cette photo ne convient pas :")
            + f"<ul>{items}</ul>"
            + self.tr("Cliquez sur « Reprendre » pour refaire la photo.")
        )
        self._set_phase(VERDICT)

    last_verdict = ""

    def _on_check_failed(self, exc: BaseException) -> None:
        self.status.setText(
            french_error(exc, self.tr("La photo n'a pas pu être traitée. Reprenez-la."))
        )
        self._set_phase(LIVE)

    def retake_photo(self) -> None:
        if self._pending_still is not None:
            self._pending_still[0].unlink(missing_ok=True)
            self._pending_still = None
        self._set_phase(LIVE)

    def _keep(self, accept: bool) -> None:
        if self._pending_still is None:
            return
        path = self._pending_still[0]
        self._pending_still = None
        self.attacher.add_file(path, accept=accept)
        self.kept += 1
        # The same document must leave (or move) before the next automatic shot: the card
        # is still on the desk while the user reaches for it to turn it over.
        self._rearm = True
        if self.sides:
            self.side_index += 1
            if self.side_index >= len(self.sides):
                self._set_phase(DONE)
                self.status.setText(self.tr("Recto et verso photographiés."))
                return
        self._show_instruction()
        self._set_phase(LIVE)

    _rearm = False

    def _on_attached(self, result: Any) -> None:
        pages = len(result.pages)
        self.status.setText(self.tr("{n} page(s) dans la pièce.").format(n=pages))
        super()._on_attached(result)

    # -- state ---------------------------------------------------------------------------------

    def _show_instruction(self) -> None:
        if self.sides and self.side_index < len(self.sides):
            side = self.sides[self.side_index]
            if side == "recto":
                text = self.tr("Recto : posez la carte à plat sur un fond uni, face avant visible.")
            else:
                text = self.tr("Retournez la carte : photographiez maintenant le verso.")
        else:
            text = self.tr(
                "Posez la page à plat sur un fond uni, bien éclairée ; la photo se prend toute "
                "seule quand le cadre vert est stable."
            )
        self.instruction.setText(text)

    def _set_phase(self, phase: str) -> None:
        self.phase = phase
        self.tracker.reset()
        if phase == LIVE:
            self.preview.set_outline((), 0.0)
            # Back to live after a shot: the document has moved (turned over, next page),
            # so the next analysis detects afresh instead of tracking the old outline.
            if self.last_analysis is not None and self.last_analysis.found:
                self._kept_corners = self.last_analysis.corners
            self.last_analysis = None
            if self.camera_state in (CameraState.ACTIVE, CameraState.STARTING):
                self.stack.setCurrentIndex(0)
        elif phase in (VERDICT, DONE):
            self.stack.setCurrentIndex(2)
        self._update_buttons()

    def _update_buttons(self) -> None:
        live_ok = self.camera_state in (CameraState.ACTIVE, CameraState.STARTING)
        self.shutter.setVisible(self.phase in (LIVE, SHOOTING, CHECKING))
        self.shutter.setEnabled(self.phase == LIVE and live_ok)
        bad = self.phase == VERDICT and self._pending_still is not None
        self.retake.setVisible(bad)
        self.keep_anyway.setVisible(bad)
        self.auto_capture.setEnabled(live_ok)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self.source is not None:
            self.source.stop()
        if self._pending_still is not None:
            self._pending_still[0].unlink(missing_ok=True)
            self._pending_still = None
        super().closeEvent(event)
