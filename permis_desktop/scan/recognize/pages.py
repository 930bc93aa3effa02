"""Turn what the user gave (a path or bytes: an image, a photo, a PDF) into grayscale pages.

Recognition works on grayscale numpy arrays. PDF pages are rendered with pdfium at 300 dpi:
the 2D-Doc specification asks readers for at least 300 dpi, and the MRZ's OCR-B characters
are about 2.4 mm tall, i.e. ~28 pixels at that resolution.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from permis_desktop.errors import BadInput, PermisError

log = logging.getLogger(__name__)

Gray = npt.NDArray[Any]  # uint8, 2-D (OpenCV's stubs type images loosely)
Progress = Callable[[float, str], None]
Cancel = Callable[[], bool]

PDF_DPI = 300
MAX_PDF_PAGES = 20
MAX_PIXELS = 80_000_000  # a 300 dpi A3 page is ~17 Mpx; beyond this is a mistake or a bomb


class Cancelled(PermisError):
    """The caller asked to stop (its cancel callback returned True)."""

    exit_code = 1

    def __init__(self) -> None:
        super().__init__("Lecture annulée.")


def check_cancel(cancel: Cancel | None) -> None:
    if cancel is not None and cancel():
        raise Cancelled()


def read_source(source: str | Path | bytes) -> tuple[bytes, str]:
    """The bytes of `source` and a name for messages."""
    if isinstance(source, bytes):
        return source, "le document"
    path = Path(source)
    try:
        return path.read_bytes(), path.name
    except FileNotFoundError:
        raise BadInput(f"Fichier introuvable : {path}.") from None
    except IsADirectoryError:
        raise BadInput(f"{path} est un dossier : indiquez un fichier image ou PDF.") from None
    except OSError as exc:
        raise BadInput(f"Impossible de lire {path} : {exc.strerror or exc}.") from None


def is_pdf(data: bytes) -> bool:
    return data[:1024].lstrip().startswith(b"%PDF")


def iter_pages(
    source: str | Path | bytes, *, dpi: int = PDF_DPI, max_pages: int = MAX_PDF_PAGES
) -> Iterator[Gray]:
    """Grayscale pages of an image file (one page) or a PDF (each page rendered at `dpi`)."""
    data, name = read_source(source)
    if not data:
        raise BadInput(f"{name} est vide.")
    if is_pdf(data):
        yield from _pdf_pages(data, name, dpi, max_pages)
    else:
        yield load_image(data, name)


def load_image(data: bytes, name: str = "l'image") -> Gray:
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as opened:
            upright = ImageOps.exif_transpose(opened)
            gray = np.asarray(upright.convert("L"), dtype=np.uint8)
    except UnidentifiedImageError:
        raise BadInput(f"{name} n'est ni une image ni un PDF lisible.") from None
    except Image.DecompressionBombError:
        raise BadInput(f"{name} est une image beaucoup trop grande.") from None
    except (OSError, ValueError, SyntaxError) as exc:
        log.warning("cannot decode image %s: %s", name, exc)
        raise BadInput(f"{name} est une image abîmée ou incomplète.") from None
    return gray


def _pdf_pages(data: bytes, name: str, dpi: int, max_pages: int) -> Iterator[Gray]:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        log.warning("cannot open PDF %s: %s", name, exc)
        if "password" in str(exc).lower():
            raise BadInput(
                f"{name} est un PDF protégé par mot de passe : "
                "enregistrez-en une copie sans protection."
            ) from None
        raise BadInput(f"{name} est un PDF abîmé ou illisible.") from None
    try:
        count = min(len(pdf), max_pages)
        for index in range(count):
            page = pdf[index]
            try:
                width, height = page.get_size()
                scale = dpi / 72.0
                if width * height * scale * scale > MAX_PIXELS:
                    scale = (MAX_PIXELS / (width * height)) ** 0.5
                bitmap = page.render(scale=scale, grayscale=True)
                array = np.asarray(bitmap.to_numpy())
                if array.ndim == 3:
                    array = array[..., 0]
                yield np.ascontiguousarray(array, dtype=np.uint8)
            finally:
                page.close()
    finally:
        pdf.close()
