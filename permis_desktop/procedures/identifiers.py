"""Validators for the identifiers typed at the desk or read from documents."""

from __future__ import annotations

_ICAO_WEIGHTS = (7, 3, 1)


def _icao_value(char: str) -> int:
    if char.isdigit():
        return int(char)
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    if char == "<":
        return 0
    raise ValueError(f"character {char!r} is not allowed in a machine-readable zone")


def icao_check_digit(text: str) -> int:
    """ICAO Doc 9303 part 3 §4.9: weights 7-3-1 repeated, letters A=10…Z=35, filler '<' = 0."""
    return sum(_icao_value(c) * _ICAO_WEIGHTS[i % 3] for i, c in enumerate(text)) % 10
