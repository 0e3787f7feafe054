"""Indonesian number and date formatting: ``1.234,5``; ``29 November 2026``."""

from __future__ import annotations

import math
from datetime import date, datetime
from zoneinfo import ZoneInfo

MONTHS = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]


def number(value: float | int | None, decimals: int = 0) -> str:
    """``1234.5`` -> ``1.234,5`` (thousands with a dot, decimals with a comma); ``-`` for NaN.

    >>> number(1234567)
    '1.234.567'
    >>> number(1234.56, 1)
    '1.234,6'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def percent(value: float | None, decimals: int = 1) -> str:
    """``12.345`` -> ``12,3%``."""
    text = number(value, decimals)
    return text if text == "-" else text + "%"


#: Kutai Kartanegara keeps Central Indonesian Time (WITA, UTC+8).
WITA = ZoneInfo("Asia/Makassar")


def tanggal(value: date | datetime | str) -> str:
    """A date in Indonesian words: ``29 November 2026``; a zoned time is first put in WITA."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(WITA)
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def now_wita() -> datetime:
    """The current time in WITA, naive (plans keep local times), to the second."""
    return datetime.now(WITA).replace(tzinfo=None, microsecond=0)


def waktu(value: datetime | str) -> str:
    """A date and time: ``29 November 2026 11:35 WITA``; a zoned time is first put in WITA.

    >>> waktu("2026-11-29T03:35:00+00:00")
    '29 November 2026 11:35 WITA'
    """
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(WITA)
    return f"{tanggal(value)} {value:%H:%M} WITA"


#: The mark every screen, file and sheet showing demo data carries.
DEMO_LABEL = "DATA CONTOH"
DEMO_NOTE = f"{DEMO_LABEL} (sintetis, bukan data nyata)"
DEMO_BANNER = f"{DEMO_LABEL} — data sintetis untuk demonstrasi, bukan data penerima nyata."
