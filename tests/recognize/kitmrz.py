"""Make identity documents with a machine-readable zone, with ground truth, for tests and benches.

Three layouts (TD1 card, TD3 passport page, 1988 French card) rendered with the OCR-B font of
Debian's `fonts-ocr-b` package, at "scan" quality (flat, slight tilt, mild blur/noise/JPEG,
any quarter turn) or "photo" quality (perspective, blur, noise, glare, uneven light, JPEG).
"""

from __future__ import annotations

import datetime as dt
import io
import random
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from permis_desktop.procedures.identifiers import icao_check_digit

OCRB_FONT = Path("/usr/share/fonts/opentype/ocr-b/OCRB.otf")
TEXT_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
DPI = 300
MM = DPI / 25.4

SURNAMES = [
    "MARTIN",
    "BERNARD",
    "DUBOIS",
    "THOMAS",
    "ROBERT",
    "RICHARD",
    "PETIT",
    "DURAND",
    "LEROY",
    "MOREAU",
    "SIMON",
    "LAURENT",
    "LEFEBVRE",
    "MICHEL",
    "GARCIA",
    "DAVID",
    "BERTRAND",
    "ROUX",
    "VINCENT",
    "FOURNIER",
    "MOREL",
    "GIRARD",
    "ANDRE",
    "MERCIER",
    "DUPONT",
    "LAMBERT",
    "BONNET",
    "FRANCOIS",
    "MARTINEZ",
    "LEGRAND",
    "GARNIER",
    "FAURE",
    "ROUSSEAU",
    "BLANC",
    "GUERIN",
    "MULLER",
    "HENRY",
    "ROUSSEL",
    "NICOLAS",
    "PERRIN",
    "DE LA TOUR",
    "NGUYEN",
    "BEN AMOR",
    "OKONKWO",
    "KOWALSKI",
    "SCHMIDT",
    "ZIEGLER",
]
GIVEN = [
    "MAELYS",
    "GAELLE",
    "MARIE",
    "JEAN",
    "PIERRE",
    "LOUISE",
    "JULES",
    "CHLOE",
    "HUGO",
    "EMMA",
    "LEO",
    "INES",
    "LUCAS",
    "ZOE",
    "GABRIEL",
    "JADE",
    "RAPHAEL",
    "ALICE",
    "ARTHUR",
    "LINA",
    "NOAH",
    "ROSE",
    "SACHA",
    "ANNA",
    "ADAM",
    "MILA",
    "YASMINE",
    "OMAR",
    "XAVIER",
    "QUENTIN",
    "BAPTISTE",
    "KEVIN",
    "WILLIAM",
    "YVES",
    "VICTOR",
    "OSCAR",
    "IBRAHIM",
]
NATIONS = ["FRA", "FRA", "FRA", "DZA", "MAR", "TUN", "PRT", "ITA", "ESP", "BEL", "SEN", "CIV"]
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@dataclass
class MrzTruth:
    format: str
    lines: list[str]
    document_number: str
    surname: str
    given_names: list[str]
    birth_date: str
    sex: str
    expiry_date: str | None
    nationality: str


def font_available() -> bool:
    return OCRB_FONT.exists()


def _name_field(surname: str, given: list[str], width: int, sep: str = "<") -> str:
    text = surname.replace(" ", "<") + "<<" + sep.join(g.replace(" ", "<") for g in given)
    return (text + "<" * width)[:width]


def _date(day: dt.date) -> str:
    return day.strftime("%y%m%d")


def make_truth(fmt: str, rng: random.Random) -> MrzTruth:
    surname = rng.choice(SURNAMES)
    given = rng.sample(GIVEN, rng.randint(1, 3))
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 58))
    expiry = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 12))
    sex = rng.choice("MF")
    cd = icao_check_digit
    if fmt == "TD1":
        nat = rng.choice(NATIONS)
        doc_type, country = ("ID", "FRA") if nat == "FRA" and rng.random() < 0.7 else ("IR", "FRA")
        number = "".join(rng.choice(ALNUM) for _ in range(9))
        l1 = f"{doc_type}{country}{number}{cd(number)}" + "<" * 15
        l2 = (
            f"{_date(birth)}{cd(_date(birth))}{sex}{_date(expiry)}{cd(_date(expiry))}{nat}"
            + "<" * 11
        )
        composite = l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]
        l2 += str(cd(composite))
        l3 = _name_field(surname, given, 30)
        lines = [l1, l2, l3]
        given_read = [g for g in l3.partition("<<")[2].rstrip("<").split("<") if g]
        surname_read = l3.partition("<<")[0].replace("<", " ")
        return MrzTruth(
            "TD1",
            lines,
            number,
            surname_read,
            given_read,
            birth.isoformat(),
            sex,
            expiry.isoformat(),
            nat,
        )
    if fmt == "TD3":
        nat = rng.choice(NATIONS)
        number = f"{rng.randint(10, 99)}{rng.choice(ALNUM[:26])}{rng.choice(ALNUM[:26])}{rng.randint(10000, 99999)}"
        l1 = "P<" + nat + _name_field(surname, given, 39)
        personal = (
            "<" * 14
            if rng.random() < 0.7
            else "".join(rng.choice(ALNUM) for _ in range(10)) + "<<<<"
        )
        pcd = "<" if set(personal) == {"<"} else str(cd(personal))
        l2 = (
            f"{number}{cd(number)}{nat}{_date(birth)}{cd(_date(birth))}{sex}"
            f"{_date(expiry)}{cd(_date(expiry))}{personal}{pcd}"
        )
        composite = l2[0:10] + l2[13:20] + l2[21:43]
        l2 += str(cd(composite))
        given_read = [g for g in l1[5:].partition("<<")[2].rstrip("<").split("<") if g]
        surname_read = l1[5:].partition("<<")[0].replace("<", " ")
        return MrzTruth(
            "TD3",
            [l1, l2],
            number,
            surname_read,
            given_read,
            birth.isoformat(),
            sex,
            expiry.isoformat(),
            nat,
        )
    # 1988 French card: number = YYMM + issuing code (3) + 5 digits; given names by '<<'
    issued = dt.date(1995, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 26))
    dept = rng.choice(["075", "092", "013", "069", "59A", "2A0", "974", "044"])
    number = f"{issued:%y%m}{dept}{rng.randint(0, 99999):05d}"
    l1 = "IDFRA" + (surname.replace(" ", "<") + "<" * 25)[:25] + dept + f"{rng.randint(0, 999):03d}"
    names = "<<".join(g.replace(" ", "<") for g in given)
    names = (names + "<" * 14)[:14]
    l2 = f"{number}{cd(number)}{names}{_date(birth)}{cd(_date(birth))}{sex}"
    l2 += str(cd(l1 + l2))
    given_read = [g.replace("<", " ").strip() for g in names.split("<<")]
    return MrzTruth(
        "FR_ID_1988",
        [l1, l2],
        number,
        surname,
        [g for g in given_read if g],
        birth.isoformat(),
        sex,
        None,
        "FRA",
    )


def _background(w: int, h: int, rng: random.Random) -> Image.Image:
    base = np.array(
        [rng.randint(200, 245), rng.randint(205, 245), rng.randint(210, 250)], dtype=np.float32
    )
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.empty((h, w, 3), np.float32)
    for c in range(3):
        img[..., c] = base[c] + 8 * np.sin(xx / rng.uniform(20, 60) + c) * np.cos(
            yy / rng.uniform(25, 70)
        )
    pil = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(pil)
    for _ in range(6):  # guilloche-like curves
        pts = []
        a, f, ph = rng.uniform(5, 25), rng.uniform(0.005, 0.03), rng.uniform(0, 6)
        y0 = rng.uniform(0, h)
        for x in range(0, w, 4):
            pts.append((x, y0 + a * np.sin(f * x + ph)))
        draw.line(pts, fill=(rng.randint(150, 210),) * 3, width=2)
    return pil


def render_document(truth: MrzTruth, rng: random.Random) -> Image.Image:
    """The upright document at 300 dpi, RGB."""
    if truth.format == "TD3":
        w_mm, h_mm, pitch_mm = 125.0, 88.0, 2.54
    elif truth.format == "TD1":
        w_mm, h_mm, pitch_mm = 85.6, 53.98, 2.54
    else:
        w_mm, h_mm, pitch_mm = 85.6, 53.98, 2.2
    w, h = round(w_mm * MM), round(h_mm * MM)
    img = _background(w, h, rng)
    draw = ImageDraw.Draw(img)
    title = ImageFont.truetype(str(TEXT_FONT), round(3.2 * MM))
    small = ImageFont.truetype(str(TEXT_FONT), round(2.2 * MM))
    draw.text(
        (round(4 * MM), round(3 * MM)),
        "PASSEPORT" if truth.format == "TD3" else "CARTE NATIONALE D'IDENTITE",
        fill=(40, 50, 110),
        font=title,
    )
    photo = (round(4 * MM), round(10 * MM), round(26 * MM), round(h_mm * MM * 0.55 + 10 * MM))
    if truth.format != "TD3":
        photo = (photo[0], photo[1], photo[2], min(photo[3], round((h_mm - 22) * MM)))
    draw.rectangle(photo, fill=(rng.randint(90, 160),) * 3)
    draw.ellipse(
        (photo[0] + 15, photo[1] + 20, photo[2] - 15, photo[3] - 10),
        fill=(rng.randint(60, 120),) * 3,
    )
    x_text = photo[2] + round(4 * MM)
    for i, (label, value) in enumerate(
        [
            ("Nom", truth.surname),
            ("Prénoms", ", ".join(truth.given_names)),
            ("Né(e) le", truth.birth_date),
            ("Sexe", truth.sex),
        ]
    ):
        y = photo[1] + i * round(5 * MM)
        draw.text((x_text, y), label, fill=(90, 90, 90), font=small)
        draw.text((x_text, y + round(2.2 * MM)), value, fill=(20, 20, 20), font=small)
    # MRZ: OCR-B, character pitch 2.54 mm (ICAO 9303-3), lines 4.2 mm apart, bottom margin.
    ocrb = ImageFont.truetype(str(OCRB_FONT), round(3.45 * MM))
    line_pitch = 4.2 * MM
    n = len(truth.lines)
    left = (w - len(truth.lines[0]) * pitch_mm * MM) / 2
    top = h - round(3.0 * MM) - n * line_pitch
    for li, line in enumerate(truth.lines):
        for ci, char in enumerate(line):
            x = left + ci * pitch_mm * MM
            draw.text((x, top + li * line_pitch), char, fill=(15, 15, 20), font=ocrb)
    return img


def _jpeg(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def scan_quality(doc: Image.Image, rng: random.Random, turns: bool = True) -> bytes:
    """A flatbed scan: white margin, tilt up to 2 degrees, mild blur/noise, JPEG, quarter turns."""
    pad = round(8 * MM)
    canvas = Image.new("RGB", (doc.width + 2 * pad, doc.height + 2 * pad), (250, 250, 250))
    canvas.paste(doc, (pad, pad))
    canvas = canvas.rotate(rng.uniform(-2, 2), resample=Image.BICUBIC, fillcolor=(250, 250, 250))
    canvas = canvas.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.9)))
    arr = np.asarray(canvas, dtype=np.float32)
    arr += np.random.default_rng(rng.randint(0, 2**31)).normal(0, rng.uniform(1, 5), arr.shape)
    canvas = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    if turns:
        canvas = canvas.rotate(90 * rng.randint(0, 3), expand=True)
    return _jpeg(canvas, rng.randint(75, 92))


def photo_quality(
    doc: Image.Image, rng: random.Random, turns: bool = True, hard: bool = False
) -> bytes:
    """A phone photo: perspective, blur, noise, glare, uneven light, JPEG.

    `hard`: farther away (characters 11-16 pixels tall), stronger tilt and perspective,
    glare on the zone itself, more blur and noise, stronger JPEG compression.
    """
    src = np.asarray(doc)
    h, w = src.shape[:2]
    out_w = round(w * (rng.uniform(1.25, 1.6) if not hard else rng.uniform(1.8, 2.4)))
    out_h = round(out_w * 0.75)
    scale = rng.uniform(0.8, 1.0) * min(out_w * 0.9 / w, out_h * 0.9 / h)
    if hard:
        scale *= rng.uniform(0.6, 0.85)
    cx, cy = (
        out_w / 2 + rng.uniform(-0.05, 0.05) * out_w,
        out_h / 2 + rng.uniform(-0.05, 0.05) * out_h,
    )
    angle = np.deg2rad(rng.uniform(-8, 8) if not hard else rng.uniform(-15, 15))
    jitter = 0.04 if not hard else 0.07
    corners = []
    for x, y in [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]:
        jx, jy = rng.uniform(-jitter, jitter) * w, rng.uniform(-jitter, jitter) * h
        x, y = (x + jx) * scale, (y + jy) * scale
        corners.append(
            (cx + x * np.cos(angle) - y * np.sin(angle), cy + x * np.sin(angle) + y * np.cos(angle))
        )
    matrix = cv2.getPerspectiveTransform(
        np.float32([[0, 0], [w, 0], [w, h], [0, h]]), np.float32(corners)
    )
    table = np.full((out_h, out_w, 3), [rng.randint(60, 140)] * 3, np.uint8)
    warped = cv2.warpPerspective(
        src,
        matrix,
        (out_w, out_h),
        dst=table,
        borderMode=cv2.BORDER_TRANSPARENT,
        flags=cv2.INTER_LINEAR,
    )
    arr = warped.astype(np.float32)
    yy, xx = np.mgrid[0:out_h, 0:out_w].astype(np.float32)
    light = 1.0 + 0.18 * ((xx / out_w - rng.random()) + (yy / out_h - rng.random()))
    arr *= light[..., None] * rng.uniform(0.8, 1.05)
    gx, gy = rng.uniform(0.2, 0.8) * out_w, rng.uniform(0.2, 0.8) * out_h
    if hard:  # on the zone: the bottom of the card
        gx, gy = np.mean([c[0] for c in corners]), np.mean([c[1] for c in corners[2:]])
    sigma = rng.uniform(0.06, 0.16) * out_w
    strength = rng.uniform(40, 110) if not hard else rng.uniform(80, 140)
    glare = strength * np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * sigma**2))
    arr += glare[..., None]
    arr = cv2.GaussianBlur(
        arr, (0, 0), rng.uniform(0.6, 1.5) if not hard else rng.uniform(1.0, 1.8)
    )
    noise = rng.uniform(3, 8) if not hard else rng.uniform(6, 12)
    arr += np.random.default_rng(rng.randint(0, 2**31)).normal(0, noise, arr.shape)
    if hard:
        arr = cv2.resize(arr, None, fx=0.6, fy=0.6, interpolation=cv2.INTER_AREA)
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    if turns and rng.random() < 0.25:
        img = img.rotate(180)
    return _jpeg(img, rng.randint(65, 88) if not hard else rng.randint(50, 70))


def make_sample(
    fmt: str, quality: str, rng: random.Random, turns: bool = True
) -> tuple[bytes, MrzTruth]:
    truth = make_truth(fmt, rng)
    doc = render_document(truth, rng)
    if quality == "scan":
        data = scan_quality(doc, rng, turns)
    else:
        data = photo_quality(doc, rng, turns, hard=quality == "hard")
    return data, truth
