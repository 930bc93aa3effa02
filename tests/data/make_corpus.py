#!/usr/bin/env python3
"""Generate capture test images with ground truth: `python tests/data/make_corpus.py OUT [-n N]`.

Each sample is a flat document rendering (an ID-1 card with an MRZ-like zone, or an A4 bill
with text), placed into a scene: a photo on a desk, a hand-held card, a white sheet on a white
table, a flatbed scan. Perspective, rotation, blur, glare, darkness, overexposure, shadows,
partial occlusion, framing and JPEG noise are applied with known parameters, so every check of
the pipeline has ground truth:

- `corners`: the document's four corners in image pixels, clockwise from the document's own
  top-left corner (for a rounded card, the corners of its bounding rectangle);
- `expected`: the verdict the pipeline must give (`ok`, `blurry`, `glare`, `dark`,
  `overexposed`, `cut_off`, `too_small`, `blank`);
- `flat`: the flat rendering, for legibility (SSIM) checks.

Everything is deterministic from the seed. Conditions are built with a clear margin from the
decision limits (for instance a `too_small` card is at most 0.8x the minimum resolution and an
`ok` card at least 1.15x), so the verdict a sample should get is unambiguous. Scenes that are
physically indistinguishable are not generated: an overexposed white sheet on a white table
has no visible edge at all, so overexposure is only rendered on darker surfaces.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

CARD_MM = (85.6, 53.98)
A4_MM = (210.0, 297.0)
CARD_PX_PER_MM = 12.0  # flat card rendering, ~305 dpi
A4_PX_PER_MM = 8.0  # flat A4 rendering, ~203 dpi
MIN_DPI = {"identity": 300.0, "proof_of_address": 150.0}

PHOTO_CONDITIONS = (
    "ok",
    "shadow",
    "white_table",
    "blurry",
    "glare",
    "dark",
    "overexposed",
    "cut_off",
    "occluded",
    "too_small",
    "blank",
)
SCAN_CONDITIONS = ("ok", "too_small", "blank")
EXPECTED = {
    "ok": "ok",
    "shadow": "ok",
    "white_table": "ok",
    "blurry": "blurry",
    "glare": "glare",
    "dark": "dark",
    "overexposed": "overexposed",
    "cut_off": "cut_off",
    "occluded": "cut_off",
    "too_small": "too_small",
    "blank": "blank",
}

WORDS = [
    "Facture",
    "électricité",
    "gaz",
    "abonnement",
    "consommation",
    "période",
    "relevé",
    "compteur",
    "montant",
    "total",
    "échéance",
    "prélèvement",
    "client",
    "référence",
    "adresse",
    "logement",
    "service",
    "énergie",
    "tarif",
    "option",
    "base",
    "heures",
    "pleines",
    "creuses",
    "puissance",
    "souscrite",
    "taxes",
    "contributions",
    "acheminement",
    "fourniture",
    "kilowattheure",
    "mensualité",
    "règlement",
    "paiement",
    "détail",
    "votre",
    "contrat",
    "numéro",
    "date",
    "émission",
    "Madame",
    "Monsieur",
    "rue",
    "avenue",
    "boulevard",
    "chemin",
    "place",
    "Paris",
    "Lyon",
    "Marseille",
    "Toulouse",
    "Bordeaux",
]
SURNAMES = ("MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND")
GIVEN = ("Camille", "Lucas", "Léa", "Hugo", "Chloé", "Louis", "Manon", "Jules")


@dataclass
class Sample:
    name: str
    kind: str  # piece kind: identity or proof_of_address
    capture: str  # photo or scan
    condition: str
    expected: str
    side: str  # recto, verso or page
    corners: list[list[float]]
    dpi: float
    image: np.ndarray = field(repr=False)
    flat: np.ndarray = field(repr=False)
    in_frame: bool = True  # all four corners visible and unoccluded

    def truth(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "capture": self.capture,
            "condition": self.condition,
            "expected": self.expected,
            "side": self.side,
            "corners": [[round(x, 2), round(y, 2)] for x, y in self.corners],
            "dpi": round(self.dpi, 1),
            "in_frame": self.in_frame,
        }


# -- flat documents ---------------------------------------------------------------------------

_FONTS = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_COMPLEX)


def _ascii(text: str) -> str:
    table = str.maketrans("éèêàçôûîÉ", "eeeacouiE")
    return text.translate(table)


def _text(
    img: np.ndarray,
    text: str,
    org: tuple[int, int],
    height_px: float,
    color: tuple[int, int, int] = (20, 20, 20),
    font: int = cv2.FONT_HERSHEY_SIMPLEX,
    thick: int | None = None,
) -> None:
    scale = height_px / 22.0  # Hershey cap height is ~22 px at scale 1
    thickness = thick or max(1, round(height_px / 9))
    cv2.putText(img, _ascii(text), org, font, scale, color, thickness, cv2.LINE_AA)


def _sentence(rng: np.random.Generator, n: int) -> str:
    return " ".join(str(rng.choice(WORDS)) for _ in range(n))


def render_card(rng: np.random.Generator, side: str) -> np.ndarray:
    k = CARD_PX_PER_MM
    w, h = round(CARD_MM[0] * k), round(CARD_MM[1] * k)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.array([rng.uniform(215, 240), rng.uniform(205, 235), rng.uniform(200, 235)])
    tint = np.array([rng.uniform(-20, 5), rng.uniform(-10, 10), rng.uniform(-5, 20)])
    img = base[None, None, :] + tint[None, None, :] * (xx / w)[..., None]
    guilloche = 6 * np.sin(xx / rng.uniform(9, 15) + 3 * np.sin(yy / rng.uniform(20, 40)))
    img = np.clip(img + guilloche[..., None], 0, 255).astype(np.uint8)
    font = _FONTS[int(rng.integers(0, 2))]
    surname, given = str(rng.choice(SURNAMES)), str(rng.choice(GIVEN))
    if side == "recto":
        _text(img, "REPUBLIQUE FRANCAISE", (int(4 * k), int(6 * k)), 2.6 * k, (90, 40, 20), font)
        _text(
            img,
            "Carte nationale d'identite",
            (int(34 * k), int(11 * k)),
            2.2 * k,
            (60, 60, 60),
            font,
        )
        x0, y0, x1, y1 = int(4 * k), int(13 * k), int(30 * k), int(47 * k)
        cv2.rectangle(img, (x0, y0), (x1, y1), (200, 200, 205), -1)
        cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
        cv2.ellipse(
            img, (cx, cy - int(3 * k)), (int(7 * k), int(9 * k)), 0, 0, 360, (110, 130, 160), -1
        )
        cv2.ellipse(img, (cx, y1), (int(12 * k), int(9 * k)), 0, 180, 360, (70, 60, 60), -1)
        rows = [
            ("Nom / Surname", surname),
            ("Prenoms / Given names", given),
            ("Sexe / Sex", "F"),
            ("Date de naissance", f"{rng.integers(1, 28):02d} 0{rng.integers(1, 9)} 2007"),
            ("Lieu de naissance", str(rng.choice(WORDS)).capitalize()),
        ]
        y = 17 * k
        for label, value in rows:
            _text(img, label, (int(34 * k), int(y)), 1.5 * k, (90, 90, 90), font)
            _text(img, value, (int(34 * k), int(y + 3.4 * k)), 2.3 * k, (15, 15, 15), font)
            y += 6.6 * k
    else:
        for i in range(4):
            _text(
                img,
                _sentence(rng, 4).capitalize(),
                (int(4 * k), int((7 + 5 * i) * k)),
                2.0 * k,
                (40, 40, 40),
                font,
            )
        cv2.rectangle(img, (0, int(35 * k)), (w, h), (238, 238, 238), -1)
        num = "".join(str(d) for d in rng.integers(0, 10, 9))
        lines = [
            f"IDFRA{num}<<<<<<<<<<<<<<<<",
            f"0701015F3201019FRA<<<<<<<<<<{rng.integers(0, 10)}",
            f"{surname}<<{given.upper()}<<<<<<<<<<<<<<"[:30],
        ]
        pitch = (w - 8 * k) / 30
        for i, line in enumerate(lines):
            y = int((40.5 + 5.2 * i) * k)
            for j, ch in enumerate(line.ljust(30, "<")[:30]):
                _text(
                    img,
                    ch,
                    (int(4 * k + j * pitch), y),
                    2.4 * k,
                    (10, 10, 10),
                    cv2.FONT_HERSHEY_SIMPLEX,
                    thick=max(2, round(0.25 * k)),
                )
    return img


def render_bill(rng: np.random.Generator, blank: bool = False) -> np.ndarray:
    k = A4_PX_PER_MM
    w, h = round(A4_MM[0] * k), round(A4_MM[1] * k)
    paper = rng.uniform(242, 252)
    img = np.full((h, w, 3), paper, np.float32)
    img += rng.normal(0, 1.2, (h, w, 1)).astype(np.float32)
    img = np.clip(img, 0, 255).astype(np.uint8)
    if blank:
        return img
    font = _FONTS[int(rng.integers(0, 3))]
    color = tuple(int(c) for c in rng.integers(30, 200, 3))
    cv2.rectangle(img, (int(15 * k), int(12 * k)), (int(45 * k), int(30 * k)), color, -1)
    _text(
        img,
        str(rng.choice(["Energie", "Eau", "Telecom", "Gaz"])) + " de France",
        (int(50 * k), int(22 * k)),
        6 * k,
        color,
        font,
        thick=max(2, round(0.7 * k)),
    )
    for i in range(4):
        _text(
            img,
            _sentence(rng, 3).capitalize(),
            (int(120 * k), int((40 + 6 * i) * k)),
            3.2 * k,
            (30, 30, 30),
            font,
        )
    _text(
        img,
        f"Facture du {rng.integers(1, 28):02d}/0{rng.integers(1, 9)}/2026",
        (int(15 * k), int(75 * k)),
        5 * k,
        (20, 20, 20),
        font,
        thick=max(2, round(0.5 * k)),
    )
    y = 88.0
    for _ in range(int(rng.integers(5, 9))):
        _text(
            img,
            _sentence(rng, int(rng.integers(7, 11))).capitalize(),
            (int(15 * k), int(y * k)),
            3.0 * k,
            (25, 25, 25),
            font,
        )
        y += 6.5
    y += 4
    cv2.rectangle(
        img, (int(15 * k), int(y * k)), (int(195 * k), int((y + 60) * k)), (60, 60, 60), 2
    )
    for r in range(1, 8):
        yy = y + r * 7.5
        cv2.line(img, (int(15 * k), int(yy * k)), (int(195 * k), int(yy * k)), (150, 150, 150), 1)
        _text(
            img,
            _sentence(rng, 3).capitalize(),
            (int(18 * k), int((yy - 2) * k)),
            2.8 * k,
            (30, 30, 30),
            font,
        )
        _text(
            img,
            f"{rng.uniform(1, 500):8.2f} EUR",
            (int(150 * k), int((yy - 2) * k)),
            2.8 * k,
            (30, 30, 30),
            font,
        )
    y += 72
    for _ in range(int(rng.integers(6, 12))):
        if y > 280:
            break
        _text(
            img,
            _sentence(rng, int(rng.integers(8, 12))).capitalize(),
            (int(15 * k), int(y * k)),
            2.6 * k,
            (40, 40, 40),
            font,
        )
        y += 5.5
    return img


def _card_mask(w: int, h: int) -> np.ndarray:
    """ID-1 cards have 3.18 mm corner radii (ISO/IEC 7810)."""
    r = round(3.18 * CARD_PX_PER_MM)
    mask = np.zeros((h, w), np.uint8)
    cv2.rectangle(mask, (r, 0), (w - 1 - r, h - 1), 255, -1)
    cv2.rectangle(mask, (0, r), (w - 1, h - 1 - r), 255, -1)
    for cx, cy in ((r, r), (w - 1 - r, r), (w - 1 - r, h - 1 - r), (r, h - 1 - r)):
        cv2.circle(mask, (cx, cy), r, 255, -1, cv2.LINE_AA)
    return mask


# -- scenes -----------------------------------------------------------------------------------


def _background(rng: np.random.Generator, w: int, h: int, style: str) -> np.ndarray:
    if style == "white_table":
        level = rng.uniform(205, 228)
        img = np.full((h, w, 3), level, np.float32) + np.array(rng.uniform(-6, 6, 3), np.float32)
        grain = cv2.resize(rng.normal(0, 3, (h // 8 + 1, w // 8 + 1)).astype(np.float32), (w, h))
        img += grain[..., None]
    elif style == "wood":
        base = np.array(
            [rng.uniform(40, 80), rng.uniform(80, 120), rng.uniform(120, 170)], np.float32
        )
        stripes = cv2.resize(rng.normal(0, 18, (h // 4 + 1, 8)).astype(np.float32), (w, h))
        img = base[None, None, :] + stripes[..., None]
    elif style == "dark":
        base = np.array(rng.uniform(20, 70, 3), np.float32)
        noise = cv2.resize(rng.normal(0, 8, (h // 16 + 1, w // 16 + 1)).astype(np.float32), (w, h))
        img = base[None, None, :] + noise[..., None]
    elif style == "clutter":
        img = np.zeros((h, w, 3), np.float32) + np.array(rng.uniform(60, 150, 3), np.float32)
        for _ in range(14):
            c = tuple(float(v) for v in rng.uniform(30, 200, 3))
            center = (int(rng.uniform(0, w)), int(rng.uniform(0, h)))
            axes = (int(rng.uniform(0.03, 0.2) * w), int(rng.uniform(0.03, 0.2) * h))
            cv2.ellipse(img, center, axes, float(rng.uniform(0, 180)), 0, 360, c, -1)
        img = cv2.GaussianBlur(img, (0, 0), 2)
    else:  # gray desk
        level = rng.uniform(90, 160)
        img = np.full((h, w, 3), level, np.float32) + np.array(rng.uniform(-15, 15, 3), np.float32)
    return img


def _illumination(rng: np.random.Generator, w: int, h: int, strength: float) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    a, b = rng.uniform(-1, 1, 2)
    ramp = (a * (xx / w - 0.5) + b * (yy / h - 0.5)) * strength
    return (1.0 + ramp).astype(np.float32)


def _place(
    rng: np.random.Generator,
    frame: tuple[int, int],
    doc_wh_px: tuple[float, float],
    angle_deg: float,
    persp: float,
    shift: tuple[float, float] = (0.0, 0.0),
) -> np.ndarray:
    fw, fh = frame
    dw, dh = doc_wh_px
    rect = np.array([[-dw / 2, -dh / 2], [dw / 2, -dh / 2], [dw / 2, dh / 2], [-dw / 2, dh / 2]])
    t = math.radians(angle_deg)
    rot = np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]])
    pts = rect @ rot.T
    pts += rng.uniform(-persp, persp, (4, 2)) * np.array([dw, dh]).max()
    span = pts.max(axis=0) - pts.min(axis=0)
    slack = np.maximum(np.array([fw, fh]) - span, 0) / 2
    center = np.array([fw / 2, fh / 2]) + rng.uniform(-0.8, 0.8, 2) * slack * 0.8
    center += np.array(shift)
    return (pts + center).astype(np.float64)


def _effective_dpi(corners: np.ndarray, mm: tuple[float, float]) -> float:
    c = corners
    top, bottom = np.linalg.norm(c[1] - c[0]), np.linalg.norm(c[2] - c[3])
    left, right = np.linalg.norm(c[3] - c[0]), np.linalg.norm(c[2] - c[1])
    return float(min(min(top, bottom) / mm[0], min(left, right) / mm[1]) * 25.4)


def _composite(
    scene: np.ndarray,
    doc: np.ndarray,
    mask: np.ndarray | None,
    corners: np.ndarray,
    shadow: bool,
    rng: np.random.Generator,
) -> None:
    h, w = scene.shape[:2]
    dh, dw = doc.shape[:2]
    src = np.array([[0, 0], [dw - 1, 0], [dw - 1, dh - 1], [0, dh - 1]], np.float32)
    m = cv2.getPerspectiveTransform(src, corners.astype(np.float32))
    # Flat doc pixel (i, j) covers [i-0.5, i+0.5]: map its outer edges onto the corners.
    m = cv2.getPerspectiveTransform(
        np.array(
            [[-0.5, -0.5], [dw - 0.5, -0.5], [dw - 0.5, dh - 0.5], [-0.5, dh - 0.5]], np.float32
        ),
        corners.astype(np.float32),
    )
    if mask is None:
        mask = np.full((dh, dw), 255, np.uint8)
    warped = cv2.warpPerspective(
        doc, m, (w, h), flags=cv2.INTER_AREA if dw > w else cv2.INTER_LINEAR
    )
    alpha = cv2.warpPerspective(mask, m, (w, h), flags=cv2.INTER_LINEAR).astype(np.float32) / 255.0
    if shadow:
        off = rng.uniform(2, 8, 2) * (w / 2000)
        sh = cv2.warpAffine(alpha, np.float32([[1, 0, off[0]], [0, 1, off[1]]]), (w, h))
        sh = cv2.GaussianBlur(sh, (0, 0), 6 * w / 2000 + 1)
        scene *= (1.0 - 0.35 * sh)[..., None]
    scene[:] = scene * (1 - alpha[..., None]) + warped.astype(np.float32) * alpha[..., None]
    _ = m


def _finish(rng: np.random.Generator, img: np.ndarray, noise: float) -> np.ndarray:
    img = img + rng.standard_normal(img.shape, dtype=np.float32) * np.float32(noise)
    out = np.clip(img, 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(72, 95))])
    return np.asarray(cv2.imdecode(buf, cv2.IMREAD_COLOR), np.uint8)


def make_photo(
    rng: np.random.Generator, kind: str, condition: str, side: str, frame: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, bool]:
    fw, fh = frame
    card = kind == "identity"
    mm = CARD_MM if card else A4_MM
    flat = render_card(rng, side) if card else render_bill(rng, blank=condition == "blank")
    mask = _card_mask(flat.shape[1], flat.shape[0]) if card else None
    min_dpi = MIN_DPI[kind]
    if condition == "white_table":
        style = "white_table"
    elif condition == "overexposed":
        style = str(rng.choice(["dark", "wood"]))
    else:
        style = str(
            rng.choice(
                ["white_table", "wood", "dark", "clutter", "gray"], p=[0.2, 0.2, 0.2, 0.2, 0.2]
            )
        )
    scene = _background(rng, fw, fh, style)
    # Size: dpi factor relative to the minimum, bounded by what fits in the frame.
    angle = (
        float(rng.uniform(0, 360))
        if card
        else float(rng.uniform(-15, 15) + 180 * (rng.random() < 0.15))
    )
    persp = float(rng.uniform(0.0, 0.05))
    rad = math.radians(angle)

    def fits(dpi: float) -> bool:
        dw, dh = mm[0] * dpi / 25.4, mm[1] * dpi / 25.4
        bw = abs(dw * math.cos(rad)) + abs(dh * math.sin(rad))
        bh = abs(dw * math.sin(rad)) + abs(dh * math.cos(rad))
        return bw * (1 + 2 * persp) < fw * 0.9 and bh * (1 + 2 * persp) < fh * 0.9

    if condition == "too_small":
        factor = float(rng.uniform(0.45, 0.78))
    else:
        factor = float(rng.uniform(1.2, 2.2))
    dpi = min_dpi * factor
    while not fits(dpi) and dpi > min_dpi * 1.18 and condition != "too_small":
        dpi *= 0.97
    if not fits(dpi) and condition != "too_small":
        angle = float(round(angle / 90) * 90)
        rad = math.radians(angle)
    # Small frames (a 720p preview) cannot hold the document at a good resolution: shrink it
    # to fit; `generate` then expects `too_small`.
    while not fits(dpi) and dpi > min_dpi * 0.2:
        dpi *= 0.95
    dpi_used = dpi / (1 + persp)  # perspective shrinks some sides
    dw, dh = mm[0] * dpi_used / 25.4, mm[1] * dpi_used / 25.4
    shift = (0.0, 0.0)
    if condition == "cut_off":
        direction = rng.choice([-1, 1], 2) * rng.uniform(0.5, 1.0, 2)
        shift = (float(direction[0] * fw * 0.35), float(direction[1] * fh * 0.35))
    corners = _place(rng, (fw, fh), (dw, dh), angle, persp, shift)
    if condition != "cut_off":
        lo = np.array([fw, fh]) * 0.03
        hi = np.array([fw, fh]) * 0.97
        corners += np.maximum(lo - corners.min(axis=0), 0) - np.maximum(corners.max(axis=0) - hi, 0)
    else:
        # Make sure the document really leaves the frame by a clear margin.
        inside = np.all((corners >= 0) & (corners < [fw, fh]), axis=1)
        if inside.all():
            corners += np.array(shift) * 0.6
    _composite(scene, flat, mask, corners, shadow=True, rng=rng)
    # Auto-exposure puts white paper below clipping; the light falls off across the frame.
    light = _illumination(rng, fw, fh, float(rng.uniform(0.05, 0.25))) * float(
        rng.uniform(0.78, 0.88)
    )
    scene *= light[..., None]
    if condition == "shadow":
        poly = np.array(
            [[0, 0], [fw, 0], [fw, fh * rng.uniform(0.2, 0.8)], [0, fh * rng.uniform(0.2, 0.8)]]
        )
        if rng.random() < 0.5:
            poly = poly[:, ::-1] * np.array([fw / fh, fh / fw])
        sm = np.zeros((fh, fw), np.float32)
        cv2.fillPoly(sm, [poly.astype(np.int32)], 1.0)
        sm = cv2.GaussianBlur(sm, (0, 0), fw / 100)
        scene *= (1 - rng.uniform(0.3, 0.45) * sm)[..., None]
    if condition == "glare":
        c = corners.mean(axis=0) + rng.uniform(-0.25, 0.25, 2) * (corners.max(0) - corners.min(0))
        r = float(rng.uniform(0.07, 0.14)) * max(dw, dh)
        yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
        blob = np.exp(-(((xx - c[0]) ** 2 + (yy - c[1]) ** 2) / (2 * r * r)))
        scene += (blob * 600)[..., None]
    occluded = False
    if condition == "occluded":
        i = int(rng.integers(0, 4))
        corner = corners[i]
        center = corners.mean(axis=0)
        out = corner + (corner - center) * 0.25
        thumb_len = float(np.linalg.norm(corner - center)) * 0.55
        ang = math.degrees(math.atan2(*(corner - center)[::-1]))
        skin = (
            float(rng.uniform(90, 140)),
            float(rng.uniform(130, 170)),
            float(rng.uniform(180, 225)),
        )
        mid = (out + corner) / 2
        cv2.ellipse(
            scene,
            (int(mid[0]), int(mid[1])),
            (int(thumb_len), int(thumb_len * 0.45)),
            ang,
            0,
            360,
            skin,
            -1,
            cv2.LINE_AA,
        )
        occluded = True
    if condition in ("blurry",):
        px_per_mm = dpi_used / 25.4
        if rng.random() < 0.5:
            scene = cv2.GaussianBlur(scene, (0, 0), float(rng.uniform(0.3, 0.55)) * px_per_mm)
        else:
            length = max(5, int(float(rng.uniform(0.8, 1.4)) * px_per_mm))
            kernel = np.zeros((length, length), np.float32)
            kernel[length // 2, :] = 1.0 / length
            rot = cv2.getRotationMatrix2D(
                (length / 2 - 0.5, length / 2 - 0.5), float(rng.uniform(0, 180)), 1
            )
            kernel = cv2.warpAffine(kernel, rot, (length, length))
            kernel /= kernel.sum()
            scene = cv2.filter2D(scene, -1, kernel)
    else:
        # Lens softness of a normal capture.
        scene = cv2.GaussianBlur(scene, (0, 0), float(rng.uniform(0.3, 0.7)))
    noise = float(rng.uniform(1.0, 2.5))
    if condition == "dark":
        scene *= float(rng.uniform(0.12, 0.22))
        noise = float(rng.uniform(1.5, 3.0))
    elif condition == "overexposed":
        scene = scene * float(rng.uniform(1.7, 2.2)) + 10
    image = _finish(rng, scene, noise)
    in_frame = condition not in ("cut_off", "occluded")
    return image, flat, corners, _effective_dpi(corners, mm), in_frame and not occluded


def make_scan(
    rng: np.random.Generator, kind: str, condition: str, side: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, bool]:
    card = kind == "identity"
    mm = CARD_MM if card else A4_MM
    flat = render_card(rng, side) if card else render_bill(rng, blank=condition == "blank")
    mask = _card_mask(flat.shape[1], flat.shape[0]) if card else None
    min_dpi = MIN_DPI[kind]
    dpi = min_dpi * (
        float(rng.uniform(0.45, 0.75))
        if condition == "too_small"
        else float(rng.choice([1.0, 1.33])) * 1.02
    )
    if card:
        dpi = 300.0 if condition != "too_small" else 150.0
    else:
        dpi = 200.0 if condition != "too_small" else 100.0
    platen = (216.0, 305.0)
    fw, fh = round(platen[0] * dpi / 25.4), round(platen[1] * dpi / 25.4)
    lid = float(rng.uniform(228, 242))
    scene = np.full((fh, fw, 3), lid, np.float32)
    px = dpi / 25.4
    if card:
        angle = float(rng.uniform(-4, 4) + 90 * int(rng.integers(0, 4)))
        w_, h_ = mm[0] * px, mm[1] * px
        corners = _place(rng, (fw, fh), (w_, h_), angle, 0.0)
        corners += (np.array([rng.uniform(8, 40), rng.uniform(8, 60)]) * px) - corners.min(axis=0)
    else:
        angle = float(rng.uniform(-0.8, 0.8))
        corners = _place(rng, (fw, fh), (mm[0] * px, mm[1] * px), angle, 0.0)
        corners += (np.array([rng.uniform(2, 4), rng.uniform(2, 4)]) * px) - corners.min(axis=0)
    # The paper's edge casts a thin shadow line under the scanner's lamp.
    h, w = scene.shape[:2]
    edge = np.zeros((h, w), np.float32)
    cv2.polylines(
        edge, [corners.astype(np.int32)], True, 1.0, max(1, round(px * 0.25)), cv2.LINE_AA
    )
    scene *= (1 - 0.18 * edge)[..., None]
    _composite(scene, flat, mask, corners, shadow=False, rng=rng)
    scene = cv2.GaussianBlur(scene, (0, 0), 0.5)
    image = _finish(rng, scene, 1.0)
    return image, flat, corners, _effective_dpi(corners, mm), True


def generate(
    seed: int,
    n: int,
    *,
    photo_frames: dict[str, tuple[int, int]] | None = None,
    scan_share: float = 0.2,
    conditions: tuple[str, ...] | None = None,
    kinds: tuple[str, ...] | None = None,
) -> Iterator[Sample]:
    """`n` samples, cycling through the conditions, deterministic from `seed`."""
    frames = photo_frames or {"identity": (2000, 1500), "proof_of_address": (2250, 3000)}
    for index in range(n):
        rng = np.random.default_rng([seed, index])
        kind = "identity" if rng.random() < 0.55 else "proof_of_address"
        if kinds and kind not in kinds:
            kind = kinds[0]
        scan = rng.random() < scan_share
        pool = SCAN_CONDITIONS if scan else PHOTO_CONDITIONS
        if conditions:
            pool = tuple(c for c in pool if c in conditions) or pool
        condition = pool[index % len(pool)]
        if condition == "blank" and kind == "identity":
            kind = "proof_of_address"
        side = str(rng.choice(["recto", "verso"])) if kind == "identity" else "page"
        if scan:
            image, flat, corners, dpi, in_frame = make_scan(rng, kind, condition, side)
        else:
            image, flat, corners, dpi, in_frame = make_photo(
                rng, kind, condition, side, frames[kind]
            )
        if EXPECTED[condition] == "ok" and dpi < MIN_DPI[kind] * 0.95:
            condition_expected = "too_small"
        else:
            condition_expected = EXPECTED[condition]
        yield Sample(
            name=f"{index:04d}-{'scan' if scan else 'photo'}-{kind}-{condition}",
            kind=kind,
            capture="scan" if scan else "photo",
            condition=condition,
            expected=condition_expected,
            side=side,
            corners=corners.tolist(),
            dpi=dpi,
            image=image,
            flat=flat,
            in_frame=in_frame,
        )


def scan_dpi(sample: Sample) -> int | None:
    """The resolution a scanner would have written in the file, None for photos."""
    if sample.capture != "scan":
        return None
    mm = CARD_MM if sample.kind == "identity" else A4_MM
    px = np.linalg.norm(np.array(sample.corners[1]) - np.array(sample.corners[0]))
    return int(round(px / mm[0] * 25.4 / 50) * 50)


def save_jpeg(sample: Sample, path: Path, quality: int = 92) -> Path:
    """Write the sample as a JPEG; scans carry their resolution, as scanners write it."""
    from PIL import Image

    rgb = cv2.cvtColor(sample.image, cv2.COLOR_BGR2RGB)
    dpi = scan_dpi(sample)
    options: dict[str, Any] = {"quality": quality}
    if dpi:
        options["dpi"] = (dpi, dpi)
    Image.fromarray(rgb).save(path, "JPEG", **options)
    return path


def write(samples: Iterator[Sample], out: Path) -> list[dict[str, Any]]:
    out.mkdir(parents=True, exist_ok=True)
    truth = []
    for s in samples:
        save_jpeg(s, out / f"{s.name}.jpg")
        cv2.imwrite(str(out / f"{s.name}.flat.png"), s.flat)
        truth.append(s.truth())
    (out / "truth.json").write_text(json.dumps(truth, indent=1), encoding="utf-8")
    return truth


def write_fixtures(out: Path) -> None:
    """The small fixed set committed in `tests/data/fixtures` (CLI and service tests)."""
    out.mkdir(parents=True, exist_ok=True)
    picks = [
        (
            "card-photo.jpg",
            next(generate(3, 1, scan_share=0.0, conditions=("ok",), kinds=("identity",))),
        ),
        (
            "bill-scan.jpg",
            next(
                generate(
                    4, 1, scan_share=1.0, conditions=("too_small",), kinds=("proof_of_address",)
                )
            ),
        ),
    ]
    truth = {}
    for name, sample in picks:
        save_jpeg(sample, out / name, quality=80)
        truth[name] = sample.truth()
    (out / "truth.json").write_text(json.dumps(truth, indent=1), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("-n", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fixtures", action="store_true", help="write the fixed fixture set")
    args = parser.parse_args()
    if args.fixtures:
        write_fixtures(args.out)
        print(f"fixtures written to {args.out}")
        return
    truth = write(generate(args.seed, args.n), args.out)
    print(f"{len(truth)} samples written to {args.out}")


if __name__ == "__main__":
    main()
