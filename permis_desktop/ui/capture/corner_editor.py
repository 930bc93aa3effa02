"""Re-cropping by hand: the original page with the four document corners to drag.

While a corner is dragged, a magnifier shows the area under it at 3x with a cross-hair, so
the corner can be set on the document's edge precisely even when a finger (or the mouse
pointer) hides it; OSS-DocumentScanner and Genius Scan do the same
(reference/capture-and-sync.md §2.1). Corners are kept in the original's upright pixels,
the unit `PageParams.corners` stores; the widget only converts them to screen positions.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

HANDLE_RADIUS = 9
GRAB_DISTANCE = 24
LOUPE_RADIUS = 70
LOUPE_ZOOM = 3.0


class CornerEditor(QWidget):
    corners_changed = Signal(list)  # [[x, y] x4] in source pixels, after a drag

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("corner_editor")
        self.setMinimumSize(360, 360)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)
        self._image = QImage()
        self._scale = 1.0  # source pixels per image pixel
        self.corners: list[list[float]] = []
        self.dragging: int | None = None
        self.setAccessibleName(self.tr("Recadrage : faites glisser les quatre coins"))

    def set_page(
        self, image: QImage, source_per_image_px: float, corners: list[list[float]]
    ) -> None:
        self._image = image
        self._scale = source_per_image_px
        self.corners = [list(map(float, c)) for c in corners]
        self.dragging = None
        self.update()

    def clear(self) -> None:
        self._image = QImage()
        self.corners = []
        self.update()

    # -- geometry -------------------------------------------------------------------------

    def image_rect(self) -> QRectF:
        if self._image.isNull():
            return QRectF(self.rect())
        w, h = self._image.width(), self._image.height()
        k = min((self.width() - 20) / w, (self.height() - 20) / h)
        return QRectF((self.width() - w * k) / 2, (self.height() - h * k) / 2, w * k, h * k)

    def to_screen(self, point: list[float]) -> QPointF:
        rect = self.image_rect()
        k = rect.width() / max(self._image.width(), 1)
        return QPointF(rect.x() + point[0] / self._scale * k, rect.y() + point[1] / self._scale * k)

    def to_source(self, pos: QPointF) -> list[float]:
        rect = self.image_rect()
        k = rect.width() / max(self._image.width(), 1)
        x = (pos.x() - rect.x()) / k * self._scale
        y = (pos.y() - rect.y()) / k * self._scale
        max_x = self._image.width() * self._scale
        max_y = self._image.height() * self._scale
        return [min(max(x, 0.0), max_x), min(max(y, 0.0), max_y)]

    # -- mouse ------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if len(self.corners) != 4 or event.button() != Qt.MouseButton.LeftButton:
            return
        pos = event.position()
        distances = [(self.to_screen(c) - pos).manhattanLength() for c in self.corners]
        best = min(range(4), key=lambda i: distances[i])
        if distances[best] <= GRAB_DISTANCE * 1.5:
            self.dragging = best
            self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self.dragging is None:
            return
        self.corners[self.dragging] = self.to_source(event.position())
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self.dragging is None:
            return
        self.corners[self.dragging] = self.to_source(event.position())
        self.dragging = None
        self.update()
        self.corners_changed.emit([list(c) for c in self.corners])

    # -- painting ---------------------------------------------------------------------------

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#303134"))
        if self._image.isNull():
            painter.end()
            return
        rect = self.image_rect()
        painter.drawImage(rect, self._image)
        if len(self.corners) == 4:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            points = [self.to_screen(c) for c in self.corners]
            outline = QPainterPath()
            outline.moveTo(points[0])
            for p in points[1:]:
                outline.lineTo(p)
            outline.closeSubpath()
            # Dim what is cut away.
            outside = QPainterPath()
            outside.addRect(rect)
            painter.fillPath(outside.subtracted(outline), QColor(0, 0, 0, 110))
            painter.setPen(QPen(QColor("#1e88e5"), 2))
            painter.drawPath(outline)
            for i, p in enumerate(points):
                painter.setBrush(QColor("#ffffff") if i != self.dragging else QColor("#1e88e5"))
                painter.setPen(QPen(QColor("#1e88e5"), 3))
                painter.drawEllipse(p, HANDLE_RADIUS, HANDLE_RADIUS)
            if self.dragging is not None:
                self._paint_loupe(painter, points[self.dragging])
        painter.end()

    def _paint_loupe(self, painter: QPainter, at: QPointF) -> None:
        """A round 3x view of the image under the dragged corner, away from the finger."""
        rect = self.image_rect()
        k = rect.width() / max(self._image.width(), 1)
        centre_img = QPointF((at.x() - rect.x()) / k, (at.y() - rect.y()) / k)
        half = LOUPE_RADIUS / (LOUPE_ZOOM * k) if k else LOUPE_RADIUS
        source = QRectF(centre_img.x() - half, centre_img.y() - half, 2 * half, 2 * half)
        # Opposite corner of the widget from the handle, so the loupe never hides it.
        x = 12 if at.x() > self.width() / 2 else self.width() - 2 * LOUPE_RADIUS - 12
        y = 12 if at.y() > self.height() / 2 else self.height() - 2 * LOUPE_RADIUS - 12
        target = QRectF(x, y, 2 * LOUPE_RADIUS, 2 * LOUPE_RADIUS)
        clip = QPainterPath()
        clip.addEllipse(target)
        painter.save()
        painter.setClipPath(clip)
        painter.fillRect(target, QColor("#000000"))
        painter.drawImage(target, self._image, source)
        painter.setPen(QPen(QColor("#e53935"), 1))
        c = target.center()
        painter.drawLine(QPointF(c.x() - 14, c.y()), QPointF(c.x() + 14, c.y()))
        painter.drawLine(QPointF(c.x(), c.y() - 14), QPointF(c.x(), c.y() + 14))
        painter.restore()
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor("#ffffff"), 3))
        painter.drawEllipse(target)
        self.loupe_rect = target

    loupe_rect = QRectF()
