"""Dates as the rules need them: partial birth dates, full years of age, month arithmetic, and
values that changed on a given day.

A partial birth date ("1990-00-00": day and month unknown, or "1990-05-00") is legal: some
foreign civil-status records have no day or month, and ANTS accepts them (its help page warns
that some code-exam operators reject "00/00/19XX"; domain-ants.md §0). The rules then reason
on the range of possible birth days.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)

T = TypeVar("T")


def parse_iso_date(text: str) -> dt.date:
    """A strict `YYYY-MM-DD` date (date.fromisoformat also takes other ISO forms we refuse)."""
    match = _ISO.match(text)
    if not match:
        raise ValueError(text)
    return dt.date(int(match[1]), int(match[2]), int(match[3]))


@dataclass(frozen=True, order=True)
class PartialDate:
    """A birth date whose month and/or day may be unknown (0 in the ISO text)."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """`YYYY-MM-DD`, `YYYY-MM-00` or `YYYY-00-00`; ValueError otherwise."""
        match = _ISO.match(text)
        if not match:
            raise ValueError(text)
        year, month, day = int(match[1]), int(match[2]), int(match[3])
        if year < 1 or (month == 0 and day != 0):
            raise ValueError(text)
        if month == 0:
            return cls(year)
        if day == 0:
            dt.date(year, month, 1)  # validates the month
            return cls(year, month)
        dt.date(year, month, day)  # validates the day
        return cls(year, month, day)

    @property
    def is_partial(self) -> bool:
        return self.day is None

    def earliest(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> dt.date:
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return dt.date(self.year, month, day)

    def iso(self) -> str:
        return f"{self.year:04d}-{self.month or 0:02d}-{self.day or 0:02d}"

    def french(self) -> str:
        return f"{self.day or 0:02d}/{self.month or 0:02d}/{self.year:04d}"


def full_years(born: dt.date, on: dt.date) -> int:
    """Age in full years on `on`. Born on 29 February: the birthday of a common year is
    1 March (the day after 28 February), the usual reading of "âge révolu" (choice: the
    sources are silent)."""
    years = on.year - born.year
    if (on.month, on.day) < (born.month, born.day):
        years -= 1
    return years


@dataclass(frozen=True)
class AgeRange:
    """The possible ages of a person whose birth date may be partial."""

    youngest: int
    oldest: int

    @classmethod
    def of(cls, birth: PartialDate, on: dt.date) -> AgeRange:
        return cls(full_years(birth.latest(), on), full_years(birth.earliest(), on))

    @property
    def exact(self) -> bool:
        return self.youngest == self.oldest


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole months, clamped to the month's end (31 Aug + 6 months = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


@dataclass(frozen=True)
class Dated(Generic[T]):
    """A rule value with the day it took effect (None: in force since before any date we use)."""

    value: T
    since: dt.date | None
    source: str


@dataclass(frozen=True)
class DatedRule(Generic[T]):
    """The successive values of a rule that changed; `at(day)` is the one in force that day."""

    name: str
    versions: Sequence[Dated[T]]

    def at(self, day: dt.date) -> Dated[T]:
        chosen = self.versions[0]
        for version in self.versions:
            if version.since is None or version.since <= day:
                chosen = version
        return chosen
