"""Opening the files staff bring: photos, scans and PDFs, refused fast when they are unsafe.

Every input is first opened *lazily*: only the header is read, so that an encrypted PDF, a
corrupt file, an unsupported format or a decompression bomb (> 100 megapixels, a few hundred
bytes of PNG can claim gigapixels) is refused before any pixel is decoded. What comes out is
a list of `SourcePage`s; each decodes on demand, at a reduced scale when that is enough
(JPEG DCT scaling decodes a 12-megapixel photo at 1/8 in ~10 ms, which is what live
detection and the first pass of the pipeline need).

Coordinates: "source pixels" are the pixels of the page as it is meant to be seen, i.e.
after the EXIF orientation of a phone photo is applied. JPEGs are decoded *without* applying
it (rotating 12 megapixels costs ~30 ms); `SourcePage.orient` maps between the stored and the
upright frame, and the rectification folds that mapping into its one warp.

A PDF page with text or vector content (an e-bill) is a vector page: it is kept as a PDF
page, never rasterised. A page whose only content is an image covering it (a scan saved as
PDF) is rendered with pdfium at the image's own resolution and processed as a photo.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from permis_desktop.errors import BadInput

log = logging.getLogger(__name__)

Image8 = npt.NDArray[np.uint8]

MAX_PIXELS = 100_000_000
# Rendering a scanned PDF page never goes above this, whatever its image claims.
MAX_RENDER_DPI = 400
_PDF_MAGIC = b"%PDF-"
# Pillow format names we accept (MPO: the JPEG variant many phones write).
_RASTER_FORMATS = {"JPEG", "MPO", "PNG", "TIFF", "BMP", "WEBP", "HEIF", "AVIF"}
_JPEG_FORMATS = {"JPEG", "MPO"}


def _heif_registered() -> bool:
    try:
        import pillow_heif  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # pragma: no cover - optional on exotic platforms
        return False
    pillow_heif.register_heif_opener()
    return True


@dataclass
class Orientation:
    """EXIF orientation as a transform from the stored frame to the upright frame."""

    code: int = 1
    stored_size: tuple[int, int] = (0, 0)  # (w, h) as stored

    @property
    def transposed(self) -> bool:
        return self.code in (5, 6, 7, 8)

    def upright_size(self, w: int, h: int) -> tuple[int, int]:
        return (h, w) if self.transposed else (w, h)

    def matrix(self, w: float, h: float) -> npt.NDArray[np.float64]:
        """3x3 matrix mapping stored pixel coords (image of size w x h) to upright coords."""
        # Pixel centres sit on integers (OpenCV's convention): a flip maps x to w - 1 - x.
        w, h = w - 1, h - 1
        m = {
            1: ((1, 0, 0), (0, 1, 0)),
            2: ((-1, 0, w), (0, 1, 0)),
            3: ((-1, 0, w), (0, -1, h)),
            4: ((1, 0, 0), (0, -1, h)),
            5: ((0, 1, 0), (1, 0, 0)),
            6: ((0, -1, h), (1, 0, 0)),
            7: ((0, -1, h), (-1, 0, w)),
            8: ((0, 1, 0), (-1, 0, w)),
        }.get(self.code, ((1, 0, 0), (0, 1, 0)))
        return np.array([*m, (0, 0, 1)], dtype=np.float64)

    def apply(self, image: Image8) -> Image8:
        """The upright version of a stored-frame image (any scale)."""
        import cv2

        code = self.code
        if code == 1:
            return image
        ops: dict[int, Callable[[Image8], Any]] = {
            2: lambda a: cv2.flip(a, 1),
            3: lambda a: cv2.rotate(a, cv2.ROTATE_180),
            4: lambda a: cv2.flip(a, 0),
            5: lambda a: cv2.transpose(a),
            6: lambda a: cv2.rotate(a, cv2.ROTATE_90_CLOCKWISE),
            7: lambda a: cv2.rotate(cv2.transpose(a), cv2.ROTATE_180),
            8: lambda a: cv2.rotate(a, cv2.ROTATE_90_COUNTERCLOCKWISE),
        }
        return np.ascontiguousarray(ops[code](image)) if code in ops else image


@dataclass
class SourcePage:
    """One page of an input file, not yet decoded."""

    source: str
    page: int  # 1-based
    kind: str  # "raster" or "vector"
    width: int = 0  # upright source pixels (raster); points (vector)
    height: int = 0
    # Resolution the file claims (scanner metadata, PDF image), None for camera photos.
    dpi: float | None = None
    # True when the page comes from a flatbed/feeder (PDF scan, TIFF, dpi metadata).
    scanned: bool = False
    # Decoding at 1/2, 1/4, 1/8 is cheaper than at full size (JPEG DCT scaling, PDF render).
    fast_reduce: bool = False
    orient: Orientation = field(default_factory=Orientation)
    # The original file bytes, shared by its pages (kept for the blob store).
    data: bytes = b""
    pdf_page_index: int = 0
    _decode: Callable[[int], Image8] | None = field(default=None, repr=False)

    @property
    def megapixels(self) -> float:
        return self.width * self.height / 1e6

    def decode_stored(self, reduce: int = 1) -> Image8:
        """BGR pixels in the *stored* frame, at 1/`reduce` scale (1, 2, 4 or 8)."""
        if self._decode is None:
            raise ValueError("a vector page has no pixels")
        return self._decode(reduce)

    def decode(self, reduce: int = 1) -> Image8:
        """BGR pixels, upright, at 1/`reduce` scale."""
        return self.orient.apply(self.decode_stored(reduce))


def _fr_size(w: int, h: int) -> str:
    return f"{w} × {h} pixels ({w * h / 1e6:.0f} mégapixels)"


def _check_pixels(name: str, w: int, h: int) -> None:
    if w <= 0 or h <= 0:
        raise BadInput(f"{name} : image vide ou illisible. Vérifiez le fichier ou recapturez.")
    if w * h > MAX_PIXELS:
        log.warning("refused %s: %d x %d exceeds %d pixels", name, w, h, MAX_PIXELS)
        raise BadInput(
            f"{name} : image trop grande ({_fr_size(w, h)}, maximum {MAX_PIXELS // 1_000_000} "
            "mégapixels). Numérisez à une résolution plus basse (300 ppp suffisent)."
        )


def open_source(path: Path | str, data: bytes | None = None) -> list[SourcePage]:
    """Open `path` lazily and return its pages; refuses unsafe or unsupported files."""
    path = Path(path)
    name = path.name
    if data is None:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise BadInput(f"Fichier introuvable : {path}.") from None
        except OSError as exc:
            raise BadInput(f"Impossible de lire {path} : {exc.strerror or exc}.") from None
    if not data:
        raise BadInput(f"{name} : le fichier est vide.")
    if data[:1024].lstrip().startswith(_PDF_MAGIC) or _PDF_MAGIC in data[:1024]:
        from permis_desktop.scan.pdfinput import open_pdf

        return open_pdf(str(path), data)
    return _open_raster(str(path), data)


def _open_raster(source: str, data: bytes) -> list[SourcePage]:
    from PIL import Image, UnidentifiedImageError

    name = Path(source).name
    _heif_registered()
    # The explicit size check below runs first; this is Pillow's own guard as a backstop.
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        img = Image.open(io.BytesIO(data))
        fmt = (img.format or "").upper()
        w, h = img.size
    except UnidentifiedImageError:
        log.warning("refused %s: unknown or corrupt image", source)
        raise BadInput(
            f"{name} : format non reconnu ou fichier endommagé. Formats acceptés : JPEG, PNG, "
            "TIFF, BMP, WebP, HEIC et PDF."
        ) from None
    except Image.DecompressionBombError:
        raise BadInput(
            f"{name} : image trop grande (plus de {MAX_PIXELS // 1_000_000} mégapixels). "
            "Numérisez à une résolution plus basse (300 ppp suffisent)."
        ) from None
    except (OSError, ValueError, SyntaxError) as exc:
        log.warning("refused %s: %s", source, exc)
        raise BadInput(
            f"{name} : fichier image endommagé. Recapturez ou exportez-le à nouveau."
        ) from None
    if fmt not in _RASTER_FORMATS:
        log.warning("refused %s: unsupported format %s", source, fmt)
        raise BadInput(
            f"{name} : format {fmt or 'inconnu'} non pris en charge. Formats acceptés : JPEG, "
            "PNG, TIFF, BMP, WebP, HEIC et PDF."
        )
    frames = int(getattr(img, "n_frames", 1) or 1)
    if fmt in _JPEG_FORMATS:
        frames = 1  # MPO: the first frame is the photo, the others are previews/depth.
    pages: list[SourcePage] = []
    for index in range(frames):
        if index:
            img.seek(index)
        fw, fh = img.size
        _check_pixels(name, fw, fh)
        orient = Orientation(_exif_orientation(img), (fw, fh))
        dpi = _dpi_of(img)
        scanned = fmt == "TIFF" or (dpi is not None and not _has_camera_exif(img))
        uw, uh = orient.upright_size(fw, fh)
        decode = (
            _jpeg_decoder(source, data)
            if fmt in _JPEG_FORMATS
            else _pil_decoder(source, data, index)
        )
        pages.append(
            SourcePage(
                source=source,
                page=index + 1,
                kind="raster",
                width=uw,
                height=uh,
                dpi=dpi,
                scanned=scanned,
                fast_reduce=fmt in _JPEG_FORMATS,
                orient=orient,
                data=data,
                _decode=decode,
            )
        )
    log.debug("opened %s: %s, %d page(s), %dx%d", source, fmt, len(pages), w, h)
    return pages


def _exif_orientation(img: Any) -> int:
    try:
        value = int(img.getexif().get(0x0112, 1))
    except Exception:  # a damaged EXIF block must not stop the photo
        return 1
    return value if 1 <= value <= 8 else 1


def _has_camera_exif(img: Any) -> bool:
    try:
        exif = img.getexif()
    except Exception:
        return False
    return bool(exif.get(0x010F) or exif.get(0x0110))  # Make / Model


def _dpi_of(img: Any) -> float | None:
    dpi = img.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        return None
    # 72/96 are what cameras and editors write by default: they mean "unknown".
    if value < 100 or value > 2400:
        return None
    return value


def _corrupt(source: str) -> BadInput:
    return BadInput(
        f"{Path(source).name} : fichier image endommagé ou tronqué. Recapturez ou exportez-le à "
        "nouveau."
    )


def _jpeg_decoder(source: str, data: bytes) -> Callable[[int], Image8]:
    def decode(reduce: int) -> Image8:
        import cv2

        flags = {
            1: cv2.IMREAD_COLOR,
            2: cv2.IMREAD_REDUCED_COLOR_2,
            4: cv2.IMREAD_REDUCED_COLOR_4,
            8: cv2.IMREAD_REDUCED_COLOR_8,
        }[reduce] | cv2.IMREAD_IGNORE_ORIENTATION
        out = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
        if out is None:
            # OpenCV gives up on some valid-but-odd JPEGs (e.g. CMYK): Pillow as fallback.
            return _pil_decoder(source, data, 0)(reduce)
        return np.asarray(out, dtype=np.uint8)

    return decode


def _pil_decoder(source: str, data: bytes, frame: int) -> Callable[[int], Image8]:
    def decode(reduce: int) -> Image8:
        import cv2
        from PIL import Image

        try:
            img = Image.open(io.BytesIO(data))
            if frame:
                img.seek(frame)
            if reduce > 1 and (img.format or "").upper() in _JPEG_FORMATS:
                img.draft("RGB", (img.width // reduce, img.height // reduce))
            img.load()
            arr = _to_bgr(img)
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
            log.warning("could not decode %s frame %d: %s", source, frame, exc)
            raise _corrupt(source) from None
        if reduce > 1:
            h, w = arr.shape[:2]
            arr = np.asarray(
                cv2.resize(
                    arr, (max(1, w // reduce), max(1, h // reduce)), interpolation=cv2.INTER_AREA
                ),
                dtype=np.uint8,
            )
        return np.asarray(arr, dtype=np.uint8)

    return decode


def _to_bgr(img: Any) -> Image8:
    import cv2

    mode = img.mode
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(img, dtype=np.float64)
        top = float(arr.max()) or 1.0
        gray = np.clip(arr * (255.0 / (65535.0 if top > 255 else 255.0)), 0, 255).astype(np.uint8)
        return np.asarray(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR), dtype=np.uint8)
    if mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in img.info):
        # Transparent areas become white paper, not black.
        from PIL import Image

        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        white.alpha_composite(rgba)
        img = white
    if img.mode != "RGB":
        img = img.convert("RGB")
    rgb = np.asarray(img, dtype=np.uint8)
    return np.asarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), dtype=np.uint8)
