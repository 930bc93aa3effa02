"""The live preview: the latest frame, scaled to fit, with the detected outline over it.

Painting a QImage ourselves (rather than a QVideoWidget) keeps the overlay in the same
widget as the picture (a native video surface hides widgets drawn over it on some
platforms) and renders the same way offscreen, under Xvfb and on a desk.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

SEARCHING = QColor("#f9a825")  # outline seen, not yet steady
STEADY = QColor("#2e7d32")


class PreviewView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("camera_preview")
        self.setMinimumSize(480, 300)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._image = QImage()
        self.outline: tuple[tuple[float, float], ...] = ()
        self.steady = 0.0  # 0..1 of the hold before auto-capture
        self.frames_shown = 0
        self.frames_painted = 0

    def set_image(self, image: QImage) -> None:
        self._image = image
        self.frames_shown += 1
        self.update()

    def set_outline(self, corners: tuple[tuple[float, float], ...], steady: float) -> None:
        self.outline = corners
        self.steady = steady
        self.update()

    def image_rect(self) -> QRectF:
        if self._image.isNull():
            return QRectF(self.rect())
        w, h = self._image.width(), self._image.height()
        scale = min(self.width() / w, self.height() / h)
        dw, dh = w * scale, h * scale
        return QRectF((self.width() - dw) / 2, (self.height() - dh) / 2, dw, dh)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#202124"))
        if self._image.isNull():
            return
        target = self.image_rect()
        painter.drawImage(target, self._image)
        self.frames_painted += 1
        if len(self.outline) == 4:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            colour = STEADY if self.steady > 0 else SEARCHING
            fill = QColor(colour)
            fill.setAlpha(40 + round(60 * self.steady))
            pen = QPen(colour, 3 + 2 * self.steady)
            painter.setPen(pen)
            painter.setBrush(fill)
            polygon = QPolygonF(
                [
                    QPointF(target.x() + x * target.width(), target.y() + y * target.height())
                    for x, y in self.outline
                ]
            )
            painter.drawPolygon(polygon)
            if self.steady > 0:
                # The hold before auto-capture, as a filling ring in the outline's centre.
                centre = polygon.boundingRect().center()
                ring = QRectF(centre.x() - 22, centre.y() - 22, 44, 44)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.setPen(QPen(QColor("white"), 6))
                painter.drawArc(ring, 90 * 16, -round(360 * 16 * self.steady))
        painter.end()
