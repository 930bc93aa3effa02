"""Thumbnails of pages and the French words of the pipeline's verdicts and reasons."""

from __future__ import annotations

import io

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QImage

THUMB_PX = 140

VERDICT_LABELS = {
    "ok": "lisible",
    "blurry": "floue",
    "glare": "reflet",
    "dark": "trop sombre",
    "overexposed": "surexposée",
    "cut_off": "coupée",
    "too_small": "trop petite",
    "blank": "page vide",
}

# What the user can do about each problem.
_REASON_TEXT = {
    "blurry": "Image floue : tenez le document immobile et faites la mise au point.",
    "glare": "Reflet sur le document : inclinez-le légèrement ou éloignez la lampe.",
    "dark": "Image trop sombre : éclairez davantage le document.",
    "overexposed": "Image surexposée : réduisez l'éclairage ou évitez le soleil direct.",
    "cut_off": "Document coupé ou contour introuvable : cadrez-le en entier, les quatre coins "
    "visibles.",
    "too_small": "Résolution insuffisante : rapprochez le document ou numérisez à 300 ppp.",
    "blank": "Page vide : vérifiez le sens de la feuille.",
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("capture", text)


def verdict_label(verdict: str) -> str:
    label = VERDICT_LABELS.get(verdict, verdict)
    return ("✔ " if verdict == "ok" else "✖ ") + _tr(label)


def reason_texts(reasons: list[str]) -> list[str]:
    """French sentences for the pipeline's reasons (`code: detail`), one per problem."""
    seen: list[str] = []
    for reason in reasons:
        code = reason.split(":", 1)[0].strip()
        text = _tr(_REASON_TEXT.get(code, reason))
        if text not in seen:
            seen.append(text)
    return seen


def thumbnail(data: bytes, size: int = THUMB_PX) -> QImage:
    """A small image of the first page of an image or PDF file (runs on worker threads)."""
    from PIL import Image

    if data[:5] == b"%PDF-":
        import pypdfium2

        pdf = pypdfium2.PdfDocument(data)
        try:
            page = pdf[0]
            image = page.render(scale=size * 2 / (page.get_width() or 1)).to_pil()
        finally:
            pdf.close()
    else:
        image = Image.open(io.BytesIO(data))
        image.draft("RGB", (size * 2, size * 2))  # JPEG: decode at 1/2..1/8, much faster
    image = image.convert("RGB")
    image.thumbnail((size, size))
    raw = image.tobytes()
    qimage = QImage(raw, image.width, image.height, 3 * image.width, QImage.Format.Format_RGB888)
    return qimage.copy()


def fit(image: QImage, size: int = THUMB_PX) -> QImage:
    return image.scaled(
        size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )
