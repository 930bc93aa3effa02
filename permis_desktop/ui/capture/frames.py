"""Where preview frames and stills come from: a camera through QtMultimedia, or files.

Every source exposes the same things to the capture screen: a `QVideoSink` whose
`videoFrameChanged` carries the preview frames, `capture_still()` answered by
`still_captured(QImage)` at full resolution, and `state_changed(state, message)` for what
to tell the user. The screen never knows which source it has, so the file-backed source
runs the real preview, detection and auto-capture code in tests and in the benchmark.

QtMultimedia lives in the PySide6-Addons wheel and needs a media backend (FFmpeg plugin,
and on Linux libpulse) at run time; without them the import fails or Qt prints "No
QtMultimedia backends found" (reference/capture-and-sync.md §6.1: fk-desktop #87, Nuitka
#3279). `multimedia_status()` checks both, so the screen shows a French message instead.
The file-backed source pushes frames through a `QMediaCaptureSession` with a
`QVideoFrameInput` (Qt >= 6.8) when that works, as a camera's frames would flow, and
straight into the sink otherwise.
"""

from __future__ import annotations

import enum
import importlib
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage

from permis_desktop.ui.capture.images import Image8, bgr_to_qimage

log = logging.getLogger(__name__)


class CameraState(enum.Enum):
    STARTING = "starting"
    ACTIVE = "active"
    NO_BACKEND = "no_backend"
    NO_CAMERA = "no_camera"
    BUSY = "busy"
    PERMISSION_DENIED = "permission_denied"
    ERROR = "error"


STATE_MESSAGES = {
    CameraState.STARTING: "Ouverture de la caméra…",
    CameraState.ACTIVE: "",
    CameraState.NO_BACKEND: (
        "La capture vidéo n'est pas disponible sur ce poste (composant multimédia de Qt "
        "absent). Utilisez le scanner ou « Importer », ou réinstallez l'application."
    ),
    CameraState.NO_CAMERA: (
        "Aucune caméra détectée. Branchez une webcam puis cliquez sur « Actualiser », ou "
        "utilisez le scanner ou « Importer »."
    ),
    CameraState.BUSY: (
        "La caméra est utilisée par une autre application. Fermez-la (visioconférence…) "
        "puis cliquez sur « Actualiser »."
    ),
    CameraState.PERMISSION_DENIED: (
        "L'accès à la caméra est refusé. Autorisez-le dans les réglages de confidentialité "
        "du système puis rouvrez cette fenêtre."
    ),
    CameraState.ERROR: "La caméra a signalé une erreur. Débranchez-la, rebranchez-la puis "
    "cliquez sur « Actualiser ».",
}


def multimedia_module() -> Any | None:
    """PySide6.QtMultimedia, or None when the module cannot load on this workstation."""
    try:
        return importlib.import_module("PySide6.QtMultimedia")
    except ImportError as exc:
        log.warning("QtMultimedia unavailable: %s", exc)
        return None


def multimedia_status() -> tuple[bool, str]:
    """(usable, reason for the log): the module imports and a media backend is loaded."""
    mm = multimedia_module()
    if mm is None:
        return False, "PySide6.QtMultimedia does not import"
    # Without a backend plugin Qt still builds the objects but can do nothing with them;
    # every backend (FFmpeg, Windows Media, AVFoundation, GStreamer) encodes some format.
    fmt = mm.QMediaFormat()
    ok = bool(fmt.supportedFileFormats(mm.QMediaFormat.ConversionMode.Encode))
    return ok, "" if ok else "no QtMultimedia backend"


def classify_camera_error(message: str) -> CameraState:
    """The state to show for a QCamera error string (backends word them differently)."""
    text = message.lower()
    if any(w in text for w in ("permission", "denied", "not authorized", "access")):
        return CameraState.PERMISSION_DENIED
    if any(w in text for w in ("busy", "in use", "used by another", "resource")):
        return CameraState.BUSY
    if any(w in text for w in ("no camera", "not found", "no such device")):
        return CameraState.NO_CAMERA
    if "not supported on the platform" in text or "not available" in text:
        return CameraState.NO_BACKEND
    return CameraState.ERROR


class FrameSource(QObject):
    """The interface of the capture screen's frame sources."""

    still_captured = Signal(QImage)
    state_changed = Signal(object, str)  # CameraState, French message

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = CameraState.STARTING
        self.video_sink: Any = None

    @property
    def label(self) -> str:
        return ""

    def start(self) -> None:
        raise NotImplementedError  # abstract: each frame source implements it

    def stop(self) -> None:
        raise NotImplementedError  # abstract: each frame source implements it

    def capture_still(self) -> None:
        raise NotImplementedError  # abstract: each frame source implements it

    def _set_state(self, state: CameraState, message: str | None = None) -> None:
        self.state = state
        text = STATE_MESSAGES[state] if message is None else message
        if state not in (CameraState.ACTIVE, CameraState.STARTING):
            log.warning("camera state %s: %s", state.value, text)
        self.state_changed.emit(state, text)


def list_cameras() -> list[tuple[str, str]]:
    """(id, name) of each camera; empty when there is none or no multimedia backend."""
    mm = multimedia_module()
    if mm is None:
        return []
    return [
        (bytes(d.id().data()).decode("utf-8", "replace"), d.description())
        for d in mm.QMediaDevices.videoInputs()
    ]


class CameraFrameSource(FrameSource):
    """A webcam: QCamera → QMediaCaptureSession → QVideoSink (preview) + QImageCapture (still)."""

    def __init__(self, camera_id: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        mm = multimedia_module()
        self._mm = mm
        self.camera: Any = None
        self._name = ""
        if mm is None:
            return
        self.session = mm.QMediaCaptureSession(self)
        self.video_sink = mm.QVideoSink(self)
        self.image_capture = mm.QImageCapture(self)
        self.session.setVideoSink(self.video_sink)
        self.session.setImageCapture(self.image_capture)
        self.image_capture.imageCaptured.connect(lambda _id, image: self.still_captured.emit(image))
        self.image_capture.errorOccurred.connect(self._on_capture_error)
        devices = mm.QMediaDevices.videoInputs()
        chosen = next(
            (d for d in devices if bytes(d.id().data()).decode("utf-8", "replace") == camera_id),
            devices[0] if devices else None,
        )
        if chosen is not None:
            self._name = chosen.description()
            self.camera = mm.QCamera(chosen, self)
            self.session.setCamera(self.camera)
            self.camera.errorOccurred.connect(self._on_camera_error)
            self.camera.activeChanged.connect(self._on_active)

    @property
    def label(self) -> str:
        return self._name

    def start(self) -> None:
        usable, reason = multimedia_status() if self._mm is not None else (False, "import")
        if not usable:
            log.warning("camera unavailable: %s", reason)
            self._set_state(CameraState.NO_BACKEND)
            return
        if self.camera is None:
            self._set_state(CameraState.NO_CAMERA)
            return
        if not _camera_permission_granted():
            self._set_state(CameraState.PERMISSION_DENIED)
            return
        self._set_state(CameraState.STARTING)
        self.camera.start()

    def stop(self) -> None:
        if self.camera is not None:
            self.camera.stop()

    def capture_still(self) -> None:
        if self.camera is None or not self.image_capture.isReadyForCapture():
            # Some backends are never "ready" for stills: the last preview frame then serves.
            frame = self.video_sink.videoFrame() if self.video_sink is not None else None
            if frame is not None and frame.isValid():
                self.still_captured.emit(frame.toImage())
            return
        self.image_capture.capture()

    def _on_active(self, active: bool) -> None:
        if active:
            self._set_state(CameraState.ACTIVE)

    def _on_camera_error(self, _error: Any, message: str) -> None:
        self._set_state(classify_camera_error(message))

    def _on_capture_error(self, _id: int, _error: Any, message: str) -> None:
        log.warning("still capture failed: %s", message)
        frame = self.video_sink.videoFrame()
        if frame.isValid():
            self.still_captured.emit(frame.toImage())


def _camera_permission_granted() -> bool:
    """macOS and Windows ask the user; Qt >= 6.5 reports the answer (Linux: always granted)."""
    try:
        from PySide6.QtCore import QCameraPermission, QCoreApplication, Qt
    except ImportError:
        return True
    app = QCoreApplication.instance()
    if app is None:
        return True
    status = app.checkPermission(QCameraPermission())
    if status == Qt.PermissionStatus.Undetermined:
        app.requestPermission(QCameraPermission(), app, lambda _p: None)
        return True
    return bool(status != Qt.PermissionStatus.Denied)


class FileFrameSource(FrameSource):
    """Frames from images, played at `fps` like a camera (tests, benchmark, demonstrations).

    `frames` are BGR arrays or image paths; frame k is shown from k / fps seconds after
    `start()`, the last one stays. `still` (default: the frame on screen) is what the
    shutter returns, at full resolution.
    """

    def __init__(
        self,
        frames: Sequence[Image8 | Path | str],
        fps: float = 30.0,
        still: Image8 | None = None,
        loop: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._images = [_as_qimage(f) for f in frames]
        if not self._images:
            raise ValueError("a file frame source needs at least one frame")
        self._still = bgr_to_qimage(still) if still is not None else None
        self.fps = fps
        self.loop = loop
        self.frames_sent = 0
        self._started = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(max(1, round(1000 / fps)))
        self._timer.timeout.connect(self._tick)
        self._current = 0
        self._mm = multimedia_module()
        self._input: Any = None
        if self._mm is not None:
            self.video_sink = self._mm.QVideoSink(self)
            self.session = self._mm.QMediaCaptureSession(self)
            if hasattr(self._mm, "QVideoFrameInput"):
                self._input = self._mm.QVideoFrameInput(self)
                self.session.setVideoFrameInput(self._input)
            self.session.setVideoSink(self.video_sink)
        self.uses_frame_input = self._input is not None

    @property
    def label(self) -> str:
        return "Images de test"

    def start(self) -> None:
        if self._mm is None:
            self._set_state(CameraState.NO_BACKEND)
            return
        self._started = time.monotonic()
        self._set_state(CameraState.ACTIVE)
        self._timer.start()
        self._tick()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        if self._mm is None:
            return
        index = int((time.monotonic() - self._started) * self.fps)
        if self.loop:
            index %= len(self._images)
        self._current = min(index, len(self._images) - 1)
        frame = self._mm.QVideoFrame(self._images[self._current])
        if self._input is not None and self._input.sendVideoFrame(frame):
            pass
        else:
            self.video_sink.setVideoFrame(frame)
        self.frames_sent += 1

    def play(self, frames: Sequence[Image8 | Path | str], still: Image8 | None = None) -> None:
        """Replace the frames (the user turned the card over), from now on."""
        self._images = [_as_qimage(f) for f in frames]
        self._still = bgr_to_qimage(still) if still is not None else None
        self._started = time.monotonic()

    def capture_still(self) -> None:
        image = self._still if self._still is not None else self._images[self._current]
        # Asynchronous like QImageCapture: the answer comes after the call returns.
        QTimer.singleShot(0, lambda: self.still_captured.emit(image))


def _as_qimage(frame: Image8 | Path | str) -> QImage:
    if isinstance(frame, np.ndarray):
        return bgr_to_qimage(frame).convertToFormat(QImage.Format.Format_RGB32)
    image = QImage(str(frame))
    if image.isNull():
        raise ValueError(f"unreadable frame image: {frame}")
    return image.convertToFormat(QImage.Format.Format_RGB32)
