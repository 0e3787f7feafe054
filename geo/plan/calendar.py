"""Working days: Monday to Friday, Indonesian holidays and cuti bersama skipped.

One calendar for the routes (how many working days a trip takes), the schedule (which dates it
runs on) and the sheets (the days printed). Holidays come from the ``holidays`` package, in
Indonesian; a planner's extra holidays are passed in as a mapping of date to name.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

import numpy as np


def indonesian_holidays(
    years: int | Iterable[int], *, cuti_bersama: bool = True
) -> dict[date, str]:
    """Indonesian holidays (names in Indonesian) from the ``holidays`` package.

    Parameters
    ----------
    years
        A year or years.
    cuti_bersama
        Include the joint leave days decreed for civil servants (Dinsos staff do not travel).

    Returns
    -------
    dict
        Date → name; a date with two holidays carries both names.
    """
    import holidays

    years = [years] if isinstance(years, int) else sorted(set(years))
    categories = ("public", "government") if cuti_bersama else ("public",)
    found = holidays.country_holidays("ID", years=years, language="id", categories=categories)
    return {d: found.get(d) for d in sorted(found)}


def is_working_day(day: date, *, holidays: Mapping[date, str]) -> bool:
    """Monday to Friday and not a holiday."""
    return day.weekday() < 5 and day not in holidays


def working_days(start: date, n: int, *, holidays: Mapping[date, str] | None = None) -> list[date]:
    """The first ``n`` working days on or after ``start`` (weekends and holidays skipped).

    ``holidays`` None: Indonesian holidays, cuti bersama included (cached, as trips ask often).
    """
    if holidays is None:
        return list(_indonesian_working_days(start, n))
    days, current = [], start
    while len(days) < n:
        if is_working_day(current, holidays=holidays):
            days.append(current)
        current += timedelta(days=1)
    return days


@functools.lru_cache(maxsize=16)
def _holidays(first_year: int, last_year: int) -> frozenset[date]:
    """Indonesian holidays, cuti bersama included, of ``first_year`` to ``last_year``."""
    return frozenset(indonesian_holidays(range(first_year, last_year + 1)))


@functools.lru_cache(maxsize=256)
def _indonesian_working_days(start: date, count: int) -> tuple[date, ...]:
    # ``count`` is at most a few weeks of days, so two calendar years always cover it.
    holidays = dict.fromkeys(_holidays(start.year, start.year + 1), "")
    return tuple(working_days(start, count, holidays=holidays))


def count_working_days(start: date, end: date) -> int:
    """Working days from ``start`` to ``end`` inclusive (weekends and Indonesian holidays, cuti
    bersama included, not counted); 0 when ``end`` is before ``start``."""
    if end < start:
        return 0
    holidays = sorted(_holidays(start.year, end.year))
    return int(np.busday_count(start, end + timedelta(days=1), holidays=holidays))
