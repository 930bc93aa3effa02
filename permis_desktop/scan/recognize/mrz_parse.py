"""Parse machine-readable zones (TD1, TD3, the 1988 French identity card) and repair OCR slips.

The OCR gives, for every character cell, a few candidate characters with their probability.
Each MRZ position has a known type (digit, letter, either, name letter or filler, sex), so the
best candidate allowed at that position is kept; when no candidate is allowed, the usual
OCR-B look-alikes are swapped (O/0, I/1, B/8, S/5, Z/2, G/6). A field whose ICAO check digit
fails is then retried with the runner-up candidates, one substitution at a time, and only when
the runner-up is a plausible reading: a check digit is mod 10, so trying many guesses would
sooner or later make a wrong field "pass".

Layouts and verified specimens: shared reference domain-ants.md §3.1 (ICAO Doc 9303 parts 4-5;
the 2×36 "IDFRA" card is France-specific and has no expiry date).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from permis_desktop.procedures.identifiers import icao_check_digit

# A character cell: candidates (char, probability), best first.
Cell = Sequence[tuple[str, float]]

DIGITS = frozenset("0123456789")
LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
FILLER = "<"
ALNUM = DIGITS | LETTERS | {FILLER}
ALPHA = LETTERS | {FILLER}
NUMERIC = DIGITS | {FILLER}  # a check digit or a date position may be a filler
SEX = frozenset("MFX<")

# OCR-B look-alikes, used when no candidate of the right type was offered.
_TO_DIGIT = {
    "O": "0",
    "Q": "0",
    "D": "0",
    "U": "0",
    "I": "1",
    "L": "1",
    "T": "1",
    "Z": "2",
    "B": "8",
    "S": "5",
    "G": "6",
    "A": "4",
    "E": "8",
}
_TO_LETTER = {
    v: k for k, v in {"O": "0", "I": "1", "Z": "2", "B": "8", "S": "5", "G": "6", "A": "4"}.items()
}

# ISO 3166-1 alpha-3 codes and the ICAO 9303-3 §5 additions (D = Germany, British classes,
# United Nations, stateless and refugee codes, EU, Kosovo, the specimen state UTO). The
# issuing state and nationality are under no check digit: a known code is what keeps an OCR
# slip out of them.
_COUNTRY_CODES_TEXT = """
AFG ALA ALB DZA ASM AND AGO AIA ATA ATG ARG ARM ABW AUS AUT AZE BHS BHR BGD BRB BLR BEL
BLZ BEN BMU BTN BOL BES BIH BWA BVT BRA IOT BRN BGR BFA BDI CPV KHM CMR CAN CYM CAF TCD
CHL CHN CXR CCK COL COM COG COD COK CRI CIV HRV CUB CUW CYP CZE DNK DJI DMA DOM ECU EGY
SLV GNQ ERI EST SWZ ETH FLK FRO FJI FIN FRA GUF PYF ATF GAB GMB GEO DEU GHA GIB GRC GRL
GRD GLP GUM GTM GGY GIN GNB GUY HTI HMD VAT HND HKG HUN ISL IND IDN IRN IRQ IRL IMN ISR
ITA JAM JPN JEY JOR KAZ KEN KIR PRK KOR KWT KGZ LAO LVA LBN LSO LBR LBY LIE LTU LUX MAC
MDG MWI MYS MDV MLI MLT MHL MTQ MRT MUS MYT MEX FSM MDA MCO MNG MNE MSR MAR MOZ MMR NAM
NRU NPL NLD NCL NZL NIC NER NGA NIU NFK MKD MNP NOR OMN PAK PLW PSE PAN PNG PRY PER PHL
PCN POL PRT PRI QAT REU ROU RUS RWA BLM SHN KNA LCA MAF SPM VCT WSM SMR STP SAU SEN SRB
SYC SLE SGP SXM SVK SVN SLB SOM ZAF SGS SSD ESP LKA SDN SUR SJM SWE CHE SYR TWN TJK TZA
THA TLS TGO TKL TON TTO TUN TUR TKM TCA TUV UGA UKR ARE GBR USA UMI URY UZB VUT VEN VNM
VGB VIR WLF ESH YEM ZMB ZWE D<< GBD GBN GBO GBP GBS UNO UNA UNK XXA XXB XXC XXX EUE RKS
XOM XPO XES XMP XCC XBT XDC XIM UTO
"""
COUNTRY_CODES = frozenset(_COUNTRY_CODES_TEXT.split())

# Below this probability a character is doubtful (see _confident).
CONFIDENT_P = 0.85

# A runner-up candidate is tried for a failing check only above this probability.
MIN_ALTERNATIVE_P = 0.02


@dataclass(frozen=True)
class MrzResult:
    """What a machine-readable zone says, in the `permis read-mrz` report shape (DESIGN.md).

    `checks` holds one entry per ICAO check digit of the layout (`document_number`,
    `birth_date`, `expiry_date`, `personal_number` on TD3, `composite`), plus
    `country_code` / `nationality_code` (known ICAO codes) and `confident` (the OCR was sure
    enough for the check digits to vouch for every field, see `_confident`). `valid` is
    all of them. `uncertain` lists the (line, column) cells read with probability < 0.6.
    """

    format: str  # TD1 | TD3 | FR_ID_1988
    document_type: str
    country: str
    document_number: str
    surname: str
    given_names: list[str]
    nationality: str
    birth_date: str | None  # ISO date, None when unreadable
    sex: str
    expiry_date: str | None  # None on the 1988 French card (no expiry in its MRZ)
    checks: dict[str, bool]
    valid: bool
    lines: list[str] = field(default_factory=list)
    optional_data: str = ""
    corrections: int = 0  # characters changed from the OCR's first choice
    uncertain: list[tuple[int, int]] = field(
        default_factory=list
    )  # (line, column) of doubtful cells

    def to_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "document_type": self.document_type,
            "country": self.country,
            "document_number": self.document_number,
            "surname": self.surname,
            "given_names": list(self.given_names),
            "nationality": self.nationality,
            "birth_date": self.birth_date,
            "sex": self.sex,
            "expiry_date": self.expiry_date,
            "checks": dict(self.checks),
            "valid": self.valid,
            "lines": list(self.lines),
            "optional_data": self.optional_data,
            "corrections": self.corrections,
            "uncertain": [list(u) for u in self.uncertain],
        }


@dataclass(frozen=True)
class _Check:
    name: str
    ranges: tuple[tuple[int, int, int], ...]  # (line, start, end) of the checked text
    digit: tuple[int, int]  # (line, column) of the check digit
    may_be_filler: bool = False  # ICAO: unused optional field may carry '<' as its check


@dataclass(frozen=True)
class _Layout:
    name: str
    line_lengths: tuple[int, ...]
    types: tuple[str, ...]  # one type string per line: d=digit, a=alpha, x=alnum, n=name, s=sex
    checks: tuple[_Check, ...]
    codes: tuple[tuple[int, int], ...] = ()  # (line, start) of 3-letter country codes


def _types(*spans: tuple[str, int]) -> str:
    return "".join(kind * count for kind, count in spans)


# Position types per line.  'c' = check digit (digit or filler).
TD1 = _Layout(
    "TD1",
    (30, 30, 30),
    (
        _types(("a", 2), ("a", 3), ("x", 9), ("c", 1), ("x", 15)),
        _types(("d", 6), ("c", 1), ("s", 1), ("d", 6), ("c", 1), ("a", 3), ("x", 11), ("c", 1)),
        _types(("n", 30)),
    ),
    (
        _Check("document_number", ((0, 5, 14),), (0, 14)),
        _Check("birth_date", ((1, 0, 6),), (1, 6)),
        _Check("expiry_date", ((1, 8, 14),), (1, 14)),
        _Check("composite", ((0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29)), (1, 29)),
    ),
    ((0, 2), (1, 15)),
)
TD3 = _Layout(
    "TD3",
    (44, 44),
    (
        _types(("a", 2), ("a", 3), ("n", 39)),
        _types(
            ("x", 9),
            ("c", 1),
            ("a", 3),
            ("d", 6),
            ("c", 1),
            ("s", 1),
            ("d", 6),
            ("c", 1),
            ("x", 14),
            ("c", 1),
            ("c", 1),
        ),
    ),
    (
        _Check("document_number", ((1, 0, 9),), (1, 9)),
        _Check("birth_date", ((1, 13, 19),), (1, 19)),
        _Check("expiry_date", ((1, 21, 27),), (1, 27)),
        _Check("personal_number", ((1, 28, 42),), (1, 42), may_be_filler=True),
        _Check("composite", ((1, 0, 10), (1, 13, 20), (1, 21, 43)), (1, 43)),
    ),
    ((0, 2), (1, 10)),
)
FR_ID_1988 = _Layout(
    "FR_ID_1988",
    (36, 36),
    (
        _types(("a", 2), ("a", 3), ("n", 25), ("x", 3), ("d", 3)),
        # card number: YYMM + issuing code (3 alnum) + 5-digit sequence
        _types(
            ("d", 4),
            ("x", 3),
            ("d", 5),
            ("c", 1),
            ("n", 14),
            ("d", 6),
            ("c", 1),
            ("s", 1),
            ("c", 1),
        ),
    ),
    (
        _Check("document_number", ((1, 0, 12),), (1, 12)),
        _Check("birth_date", ((1, 27, 33),), (1, 33)),
        _Check("composite", ((0, 0, 36), (1, 0, 35)), (1, 35)),
    ),
    ((0, 2),),
)
LAYOUTS = (TD1, TD3, FR_ID_1988)

_ALLOWED = {"d": NUMERIC, "c": NUMERIC, "a": ALPHA, "x": ALNUM, "n": ALPHA, "s": SEX}


def layout_for(line_lengths: Sequence[int], first_line: str = "") -> _Layout | None:
    """The layout whose line count and lengths match, or None."""
    lengths = tuple(line_lengths)
    if lengths == TD1.line_lengths:
        return TD1
    if lengths == TD3.line_lengths:
        return TD3
    if lengths == FR_ID_1988.line_lengths:
        return FR_ID_1988
    return None


def _pick(cell: Cell, kind: str) -> tuple[str, bool]:
    """Best allowed character for a cell, and whether it differs from the OCR's first choice."""
    allowed = _ALLOWED[kind]
    top = cell[0][0] if cell else FILLER
    for char, _p in cell:
        if char in allowed:
            return char, char != top
    fixed = _TO_DIGIT.get(top) if kind in "dc" else _TO_LETTER.get(top)
    if fixed is not None and fixed in allowed:
        return fixed, True
    return top, False


def _confidence(cell: Cell, char: str) -> float:
    """Probability the OCR gave `char`; a look-alike forced by the field type (O read in a
    digit field) inherits the probability of the shape that was read."""
    for c, p in cell:
        if c == char:
            return p
    if cell and char in (_TO_DIGIT.get(cell[0][0]), _TO_LETTER.get(cell[0][0])):
        return cell[0][1]
    return 0.0


def _confident(layout: _Layout, cells: list[list[Cell]], chosen: list[list[str]]) -> bool:
    """Whether the check digits can vouch for what was read.

    A check digit catches one wrong character in its field, not two (two slips can cancel
    out modulo 10), and nothing outside its field. So: at most one doubtful character per
    checked field, and none in the characters no field check covers (names, sex, issuing
    state, nationality; on TD1/TD3 the composite check skips these too).
    """
    doubtful = {
        (li, col)
        for li, line in enumerate(cells)
        for col, cell in enumerate(line)
        if _confidence(cell, chosen[li][col]) < CONFIDENT_P
    }
    covered: set[tuple[int, int]] = set()
    composite: set[tuple[int, int]] = set()
    for check in layout.checks:
        positions = {(li, c) for li, a, b in check.ranges for c in range(a, b)} | {check.digit}
        if check.name == "composite":
            composite = positions
            continue
        covered |= positions
        if len(doubtful & positions) > 1:
            return False
    # The composite check vouches for one doubtful character among those only it covers
    # (its own digit, TD1 optional data, the names of the 1988 card).
    only_composite = (doubtful & composite) - covered
    if len(only_composite) > 1:
        return False
    return not (doubtful - covered - only_composite)


def _alternatives(cell: Cell, kind: str, current: str) -> list[tuple[str, float]]:
    allowed = _ALLOWED[kind]
    return [(c, p) for c, p in cell if c in allowed and c != current and p >= MIN_ALTERNATIVE_P]


def _check_ok(lines: list[list[str]], check: _Check, layout: _Layout) -> bool:
    """The check digit matches, and every checked character has its position's type."""
    for li, a, b in check.ranges:
        kinds = layout.types[li]
        if any(lines[li][c] not in _ALLOWED[kinds[c]] for c in range(a, b)):
            return False
    text = "".join("".join(lines[li][a:b]) for li, a, b in check.ranges)
    li, col = check.digit
    char = lines[li][col]
    if check.may_be_filler and char == FILLER and set(text) <= {FILLER}:
        return True
    if char not in DIGITS:
        return False
    try:
        return icao_check_digit(text) == int(char)
    except ValueError:
        return False


def _repair(lines: list[list[str]], cells: list[list[Cell]], layout: _Layout, check: _Check) -> int:
    """Try single substitutions with plausible runner-ups until `check` passes. Returns changes."""
    positions: list[tuple[int, int]] = [(li, c) for li, a, b in check.ranges for c in range(a, b)]
    positions.append(check.digit)
    trials: list[tuple[float, int, int, str]] = []
    for li, col in positions:
        kind = layout.types[li][col]
        current = lines[li][col]
        current_p = next((p for c, p in cells[li][col] if c == current), 0.0)
        for char, p in _alternatives(cells[li][col], kind, current):
            trials.append((current_p - p, li, col, char))
    trials.sort()
    for _cost, li, col, char in trials:
        before = lines[li][col]
        lines[li][col] = char
        if _check_ok(lines, check, layout):
            return 1
        lines[li][col] = before
    return 0


def _fix_codes(lines: list[list[str]], cells: list[list[Cell]], layout: _Layout) -> int:
    """Replace an unknown country code by the most probable known one among the candidates."""
    changes = 0
    for li, start in layout.codes:
        current = "".join(lines[li][start : start + 3])
        if current in COUNTRY_CODES:
            continue
        options = []
        for col in range(start, start + 3):
            opts = [(c, p) for c, p in cells[li][col] if c in ALPHA and p >= MIN_ALTERNATIVE_P]
            if lines[li][col] not in {c for c, _p in opts}:
                opts.append((lines[li][col], 0.5))
            options.append(opts)
        best, best_p = None, 0.0
        for a, pa in options[0]:
            for b, pb in options[1]:
                for c, pc in options[2]:
                    if a + b + c in COUNTRY_CODES and pa * pb * pc > best_p:
                        best, best_p = a + b + c, pa * pb * pc
        if best is not None:
            changes += sum(x != y for x, y in zip(best, current, strict=True))
            lines[li][start : start + 3] = list(best)
    return changes


def _clean_name_tails(lines: list[list[str]], layout: _Layout) -> int:
    """In a name field, a letter after three or more fillers is noise: names are separated
    by one filler (parts) or two (surname / given names), then padded with fillers."""
    changes = 0
    for li, kinds in enumerate(layout.types):
        run = 0
        for col, kind in enumerate(kinds):
            if kind != "n":
                run = 0
                continue
            if lines[li][col] == FILLER:
                run += 1
            elif run >= 3:
                lines[li][col] = FILLER
                changes += 1
            else:
                run = 0
    return changes


def _date(text: str, *, future: bool) -> str | None:
    """YYMMDD to ISO. Birth dates lie in the past (century chosen so); expiry dates after 2000."""
    if len(text) != 6 or not text.isdigit():
        return None
    yy, mm, dd = int(text[:2]), int(text[2:4]), int(text[4:6])
    if future:
        year = 2000 + yy if yy < 70 else 1900 + yy
    else:
        this_year = dt.date.today().year % 100
        year = 2000 + yy if yy <= this_year else 1900 + yy
    try:
        return dt.date(year, mm, dd).isoformat()
    except ValueError:
        return None


def _clean(text: str) -> str:
    return text.strip(FILLER).replace(FILLER, " ").strip()


def _names(text: str) -> tuple[str, list[str]]:
    """ICAO 9303-3 §4.6: surname, '<<', then the given names separated by single fillers."""
    surname, _sep, given = text.partition("<<")
    names = [g for g in given.rstrip(FILLER).split(FILLER) if g]
    return _clean(surname), names


def _as_cells(line: str) -> list[Cell]:
    return [((c, 1.0),) for c in line]


def parse_mrz(
    lines: Sequence[str] | Sequence[Sequence[Cell]], uncertain_below: float = 0.6
) -> MrzResult | None:
    """Parse MRZ lines (plain strings or OCR cells). None when no known layout matches."""
    cells: list[list[Cell]] = [
        _as_cells(line) if isinstance(line, str) else [tuple(c) for c in line] for line in lines
    ]
    layout = layout_for([len(c) for c in cells])
    if layout is None:
        return None
    chosen: list[list[str]] = []
    changes = 0
    for li, line_cells in enumerate(cells):
        row = []
        for col, cell in enumerate(line_cells):
            char, changed = _pick(cell, layout.types[li][col])
            row.append(char)
            changes += changed
        chosen.append(row)
    changes += _clean_name_tails(chosen, layout)
    changes += _fix_codes(chosen, cells, layout)
    checks: dict[str, bool] = {}
    for check in layout.checks:
        ok = _check_ok(chosen, check, layout)
        if not ok:
            changes += _repair(chosen, cells, layout, check)
            ok = _check_ok(chosen, check, layout)
        checks[check.name] = ok
    # A repair made for the composite may not undo a field check: recompute all at the end.
    checks = {check.name: _check_ok(chosen, check, layout) for check in layout.checks}
    # Not check digits: the issuing state and nationality must be known codes, since no
    # check digit covers them and a misread one would otherwise pass as valid.
    for (li, start), name in zip(layout.codes, ("country_code", "nationality_code"), strict=False):
        checks[name] = "".join(chosen[li][start : start + 3]) in COUNTRY_CODES
    checks["confident"] = _confident(layout, cells, chosen)
    text = ["".join(row) for row in chosen]
    uncertain = [
        (li, col)
        for li, line_cells in enumerate(cells)
        for col, cell in enumerate(line_cells)
        if cell and next((p for c, p in cell if c == chosen[li][col]), 0.0) < uncertain_below
    ]
    return _build(layout, text, checks, changes, uncertain)


def _build(
    layout: _Layout,
    text: list[str],
    checks: dict[str, bool],
    changes: int,
    uncertain: list[tuple[int, int]],
) -> MrzResult:
    if layout is TD1:
        l1, l2, l3 = text
        number, optional = l1[5:14], l1[15:30]
        if l1[14] == FILLER and optional.strip(FILLER):
            # ICAO 9303-5 §4.2.2: a number longer than 9 characters continues in the optional
            # data, followed by its check digit; the check-digit position holds a filler.
            extra = optional.split(FILLER, 1)[0]
            number, optional = number + extra[:-1], optional[len(extra) :]
            full = l1[5:14] + extra[:-1]
            checks["document_number"] = extra[-1:].isdigit() and icao_check_digit(full) == int(
                extra[-1]
            )
        surname, given = _names(l3)
        return MrzResult(
            format="TD1",
            document_type=_clean(l1[0:2]),
            country=l1[2:5],
            document_number=number.replace(FILLER, ""),
            surname=surname,
            given_names=given,
            nationality=l2[15:18],
            birth_date=_date(l2[0:6], future=False),
            sex=_sex(l2[7]),
            expiry_date=_date(l2[8:14], future=True),
            checks=checks,
            valid=all(checks.values()),
            lines=text,
            optional_data=(optional + l2[18:29]).strip(FILLER),
            corrections=changes,
            uncertain=uncertain,
        )
    if layout is TD3:
        l1, l2 = text
        surname, given = _names(l1[5:44])
        return MrzResult(
            format="TD3",
            document_type=_clean(l1[0:2]),
            country=l1[2:5],
            document_number=l2[0:9].replace(FILLER, ""),
            surname=surname,
            given_names=given,
            nationality=l2[10:13],
            birth_date=_date(l2[13:19], future=False),
            sex=_sex(l2[20]),
            expiry_date=_date(l2[21:27], future=True),
            checks=checks,
            valid=all(checks.values()),
            lines=text,
            optional_data=l2[28:42].strip(FILLER),
            corrections=changes,
            uncertain=uncertain,
        )
    l1, l2 = text
    given = [_clean(g) for g in l2[13:27].split("<<")]
    return MrzResult(
        format="FR_ID_1988",
        document_type=_clean(l1[0:2]),
        country=l1[2:5],
        document_number=l2[0:12],
        surname=_clean(l1[5:30]),
        given_names=[g for g in given if g],
        nationality="FRA",
        birth_date=_date(l2[27:33], future=False),
        sex=_sex(l2[34]),
        expiry_date=None,
        checks=checks,
        valid=all(checks.values()),
        lines=text,
        optional_data=l1[30:36].strip(FILLER),
        corrections=changes,
        uncertain=uncertain,
    )


def _sex(char: str) -> str:
    return char if char in "MF" else "X"
