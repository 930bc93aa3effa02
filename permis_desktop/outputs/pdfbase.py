"""The common page of every document the desk prints: fonts, school letterhead, footer.

fpdf2 draws the pages (pure Python, TrueType fonts, embeds JPEG pages untouched); the fonts
are the DejaVu Sans subset shipped in `resources/fonts`, so accents render identically on
Windows, macOS and Linux whatever fonts the workstation has. Text is normalised to NFC and
any character the font lacks is replaced by "?" (logged), never silently dropped.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from permis_desktop.resources.fonts import BOLD, REGULAR

log = logging.getLogger(__name__)

FAMILY = "DejaVu"
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
GREY = (110, 110, 110)
BLACK = (0, 0, 0)
RED = (176, 0, 32)
LIGHT = (242, 242, 242)
WARN_FILL = (255, 236, 236)


@dataclass(frozen=True)
class SchoolInfo:
    """The school's details as the settings hold them (`school.*`)."""

    name: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    approval_number: str = ""

    @classmethod
    def from_settings(cls, settings: Any) -> SchoolInfo:
        return cls(
            name=str(settings.get("school.name") or "").strip(),
            address=str(settings.get("school.address") or "").strip(),
            phone=str(settings.get("school.phone") or "").strip(),
            email=str(settings.get("school.email") or "").strip(),
            approval_number=str(settings.get("school.approval_number") or "").strip(),
        )

    @property
    def display_name(self) -> str:
        return self.name or "École de conduite"

    def contact_line(self) -> str:
        parts = []
        if self.phone:
            parts.append(f"Tél. {self.phone}")
        if self.email:
            parts.append(self.email)
        return " · ".join(parts)


def long_date(day: dt.date) -> str:
    """27 novembre 2026 (1er for the first day of the month, as French usage writes it)."""
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {MONTHS[day.month - 1]} {day.year}"


def short_date(day: dt.date | str | None) -> str:
    """dd/mm/yyyy from a date or an ISO text (partial birth dates keep their 00)."""
    if day is None or day == "":
        return ""
    if isinstance(day, dt.date):
        return day.strftime("%d/%m/%Y")
    parts = str(day).split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return f"{parts[2]}/{parts[1]}/{parts[0]}"
    return str(day)


@functools.lru_cache(maxsize=1)
def _covered() -> frozenset[int]:
    """Code points both the regular and the bold font can draw."""
    from fontTools.ttLib import TTFont

    maps = []
    for path in (REGULAR, BOLD):
        font = TTFont(str(path), lazy=True)
        try:
            maps.append(frozenset(font.getBestCmap()))
        finally:
            font.close()
    return maps[0] & maps[1]


def clean(text: object) -> str:
    """NFC text the embedded font can draw; unknown characters become "?"."""
    value = unicodedata.normalize("NFC", "" if text is None else str(text))
    covered = _covered()
    out = []
    for ch in value:
        if ch in "\n\t" or ord(ch) in covered:
            out.append(ch)
        else:
            out.append("?")
    result = "".join(out)
    if "?" in result and "?" not in value:
        log.warning("characters outside the PDF font replaced in %r", value[:80])
    return result


class Document(FPDF):
    """An A4 page with the school's letterhead at the top and a dated footer."""

    def __init__(
        self,
        title: str,
        school: SchoolInfo,
        issued_on: dt.date,
        *,
        letterhead: bool = True,
        footer_note: str = "",
    ) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.doc_title = title
        self.school = school
        self.issued_on = issued_on
        self.letterhead = letterhead
        self.footer_note = footer_note
        self.base_size = 10.0
        self.add_font(FAMILY, "", str(REGULAR))
        self.add_font(FAMILY, "B", str(BOLD))
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=18)
        self.set_title(clean(title))
        self.set_author(clean(school.display_name))
        self.set_creator("permis-desktop")
        # Reproducible output: the same dossier on the same day gives the same bytes.
        self.set_creation_date(dt.datetime.combine(issued_on, dt.time(12, 0), dt.UTC))
        self.alias_nb_pages()
        self.set_font(FAMILY, "", self.base_size)

    def multi_cell(self, *args: Any, **kwargs: Any) -> Any:
        # Left-aligned by default: justified short columns stretch words apart.
        kwargs.setdefault("align", "L")
        return super().multi_cell(*args, **kwargs)

    # -- page furniture ------------------------------------------------------------------

    def header(self) -> None:
        if not self.letterhead:
            return
        top = self.get_y()
        width = self.epw * 0.62
        self.set_font(FAMILY, "B", 11)
        self.multi_cell(width, 5, clean(self.school.display_name), new_x=XPos.LMARGIN)
        self.set_font(FAMILY, "", 8.5)
        self.set_text_color(*GREY)
        for line in (
            self.school.address,
            self.school.contact_line(),
            f"Agrément n° {self.school.approval_number}" if self.school.approval_number else "",
        ):
            if line:
                self.multi_cell(width, 4, clean(line), new_x=XPos.LMARGIN)
        bottom = self.get_y()
        self.set_xy(self.l_margin + width, top)
        self.cell(
            self.epw - width,
            5,
            clean(f"Le {long_date(self.issued_on)}"),
            align="R",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.set_text_color(*BLACK)
        self.set_y(max(bottom, self.get_y()) + 2)
        self.set_draw_color(*GREY)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(4)
        self.set_font(FAMILY, "", self.base_size)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FAMILY, "", 7.5)
        self.set_text_color(*GREY)
        left = self.footer_note or f"{self.doc_title} – établi le {short_date(self.issued_on)}"
        self.cell(self.epw * 0.8, 5, clean(left))
        self.cell(self.epw * 0.2, 5, f"Page {self.page_no()}/{{nb}}", align="R")
        self.set_text_color(*BLACK)

    # -- building blocks -----------------------------------------------------------------

    def title_block(self, title: str, subtitle: str = "") -> None:
        self.set_font(FAMILY, "B", self.base_size + 6)
        self.multi_cell(0, 8, clean(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if subtitle:
            self.set_font(FAMILY, "", self.base_size)
            self.set_text_color(*GREY)
            self.multi_cell(0, 5, clean(subtitle), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_text_color(*BLACK)
        self.ln(2)
        self.set_font(FAMILY, "", self.base_size)

    def heading(self, text: str) -> None:
        if self.will_page_break(16):
            self.add_page()
        self.ln(2)
        self.set_font(FAMILY, "B", self.base_size + 1.5)
        self.multi_cell(0, 6, clean(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(200, 200, 200)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(1.5)
        self.set_font(FAMILY, "", self.base_size)

    def paragraph(self, text: str, *, bold: bool = False, size: float | None = None) -> None:
        self.set_font(FAMILY, "B" if bold else "", size or self.base_size)
        self.multi_cell(
            0,
            self.line_height(size),
            clean(text),
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.set_font(FAMILY, "", self.base_size)

    def line_height(self, size: float | None = None) -> float:
        return (size or self.base_size) * 0.5

    def notice(self, text: str) -> None:
        """A framed red warning (e.g. mandate not allowed)."""
        self.set_fill_color(*WARN_FILL)
        self.set_draw_color(*RED)
        self.set_text_color(*RED)
        self.set_font(FAMILY, "B", self.base_size)
        self.multi_cell(
            0,
            self.line_height() + 0.5,
            clean(text),
            border=1,
            fill=True,
            padding=2,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.set_text_color(*BLACK)
        self.set_draw_color(*GREY)
        self.set_font(FAMILY, "", self.base_size)
        self.ln(2)

    def rows(self, pairs: Iterable[tuple[str, str]], label_width: float = 55) -> None:
        """Label/value lines; long labels and values wrap within their column."""
        lh = self.line_height()
        value_x = self.l_margin + label_width
        for label, value in pairs:
            label_text, value_text = clean(label), clean(value) or "—"
            self.set_font(FAMILY, "", self.base_size - 0.5)
            label_lines = self.multi_cell(
                label_width - 2, lh, label_text, dry_run=True, output="LINES"
            )
            self.set_font(FAMILY, "", self.base_size)
            value_lines = self.multi_cell(
                self.epw - label_width, lh, value_text, dry_run=True, output="LINES"
            )
            height = max(len(label_lines), len(value_lines)) * lh
            if self.will_page_break(height):
                self.add_page()
            y = self.get_y()
            self.set_font(FAMILY, "", self.base_size - 0.5)
            self.set_text_color(*GREY)
            self.multi_cell(label_width - 2, lh, label_text, align="L", new_x=XPos.LMARGIN)
            self.set_text_color(*BLACK)
            self.set_font(FAMILY, "", self.base_size)
            self.set_xy(value_x, y)
            self.multi_cell(self.epw - label_width, lh, value_text, align="L", new_x=XPos.LMARGIN)
            self.set_y(y + height + 0.8)

    def signature_boxes(
        self, left: tuple[str, str], right: tuple[str, str], height: float = 32
    ) -> None:
        """Two framed signature areas side by side: (title, hint) each."""
        if self.will_page_break(height + 12):
            self.add_page()
        gap = 8
        width = (self.epw - gap) / 2
        y = self.get_y()
        for i, (title, hint) in enumerate((left, right)):
            x = self.l_margin + i * (width + gap)
            self.set_xy(x, y)
            self.set_font(FAMILY, "B", self.base_size - 0.5)
            self.multi_cell(width, 5, clean(title), new_x=XPos.LEFT, new_y=YPos.NEXT)
            if hint:
                self.set_font(FAMILY, "", self.base_size - 2)
                self.set_text_color(*GREY)
                self.multi_cell(width, 4, clean(hint), new_x=XPos.LEFT, new_y=YPos.NEXT)
                self.set_text_color(*BLACK)
            self.set_draw_color(*GREY)
            self.rect(x, self.get_y() + 1, width, height)
        self.set_y(self.get_y() + height + 4)
        self.set_font(FAMILY, "", self.base_size)

    def render(self) -> bytes:
        return bytes(self.output())
