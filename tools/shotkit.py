"""What the screenshot scripts share: waiting on Qt's event loop, and saving a widget as PNG.

The scripts run the real window on a virtual X screen (xvfb-run). They wait by running a
nested event loop (never a processEvents loop), and keep the images small with a
256-colour palette so the repository stays light.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QWidget

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"


def wait(seconds: float) -> None:
    """Let the event loop run for `seconds`."""
    loop = QEventLoop()
    QTimer.singleShot(round(seconds * 1000), loop.quit)
    loop.exec()


def wait_until(condition: Callable[[], object], timeout: float = 60.0) -> bool:
    """Run the event loop until `condition()` holds or `timeout` seconds have passed."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        wait(0.05)
    return bool(condition())


def quantize_png(path: Path) -> None:
    """Rewrite the PNG at `path` with a 256-colour palette: legible, a third of the size."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def save_png(widget: QWidget, path: Path, settle: float = 0.2) -> None:
    """Repaint `widget`, let it settle, grab it into `path` (palette PNG) and say so."""
    widget.repaint()
    wait(settle)
    widget.grab().save(str(path))
    quantize_png(path)
    print(path.relative_to(ROOT), path.stat().st_size // 1024, "KB")
