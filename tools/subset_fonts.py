"""Rebuild the PDF fonts shipped in permis_desktop/resources/fonts/ from DejaVu Sans.

The generated documents (client checklist, mandate, kit data sheet…) embed DejaVu Sans so
that French accents render the same on every OS. The full fonts weigh 1.4 MB; the desk only
needs Latin scripts (names on ANTS requests are in Latin letters), so they are subset to the
Latin blocks, general punctuation and a few symbols (€, ☐, ☑, ✓). Subsetting is a
modification that the Bitstream Vera licence allows because the font is not named "Vera"
(LICENSE-DejaVu.txt beside the fonts).

Usage: python tools/subset_fonts.py [SOURCE_DIR]   (default /usr/share/fonts/truetype/dejavu)
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset

TARGET = Path(__file__).resolve().parent.parent / "permis_desktop" / "resources" / "fonts"
FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x024F),  # Latin-1 supplement, Latin extended A and B
    (0x0300, 0x036F),  # combining diacritics
    (0x1E00, 0x1EFF),  # Latin extended additional (Vietnamese…)
    (0x2000, 0x206F),  # general punctuation (’ « » – — … narrow no-break space)
    (0x20AC, 0x20AC),  # €
    (0x2116, 0x2116),  # №
    (0x2190, 0x2193),  # arrows
    (0x25A0, 0x25CF),  # squares and circles
    (0x2610, 0x2612),  # ballot boxes
    (0x2713, 0x2718),  # check marks
]


def main() -> int:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/usr/share/fonts/truetype/dejavu")
    unicodes = [cp for lo, hi in RANGES for cp in range(lo, hi + 1)]
    for name in FONTS:
        options = subset.Options()
        options.layout_features = ["kern", "liga", "ccmp", "mark", "mkmk"]
        options.name_IDs = ["*"]
        options.notdef_outline = True
        font = subset.load_font(str(source / name), options)
        sub = subset.Subsetter(options)
        sub.populate(unicodes=unicodes)
        sub.subset(font)
        out = TARGET / name
        subset.save_font(font, str(out), options)
        print(f"{out}: {out.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
