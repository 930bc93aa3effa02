"""Conversions between Qt images and the numpy arrays of the capture pipeline (BGR, uint8).

QImage is reentrant, so these run on worker threads too (a frame is handed over by value;
Qt's implicit sharing makes that a reference-count bump, not a copy).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

Image8 = npt.NDArray[np.uint8]


def qimage_to_bgr(image: QImage, max_side: int | None = None) -> Image8:
    """BGR pixels of `image`, first scaled down to `max_side` on its long side if given."""
    if max_side and max(image.width(), image.height()) > max_side:
        image = image.scaled(
            max_side,
            max_side,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    image = image.convertToFormat(QImage.Format.Format_BGR888)
    w, h, stride = image.width(), image.height(), image.bytesPerLine()
    raw = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * h)
    # Always a copy: a view would point into `image`'s buffer, freed when it goes away.
    return raw.reshape(h, stride)[:, : w * 3].reshape(h, w, 3).copy()


def bgr_to_qimage(array: Image8) -> QImage:
    """A QImage owning a copy of `array` (BGR or gray)."""
    array = np.ascontiguousarray(array)
    h, w = array.shape[:2]
    if array.ndim == 2:
        return QImage(array.data, w, h, w, QImage.Format.Format_Grayscale8).copy()
    return QImage(array.data, w, h, 3 * w, QImage.Format.Format_BGR888).copy()


def jpeg_bytes(image: QImage, quality: int = 95) -> bytes:
    """The still as the pipeline's input file: a high-quality JPEG (encoded with OpenCV)."""
    import cv2

    ok, buf = cv2.imencode(".jpg", qimage_to_bgr(image), [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return bytes(buf)
