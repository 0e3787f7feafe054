"""Masking of personal numbers (NIK, No. KK, KKS card and account numbers).

NIK and names are personal data under UU 27/2022. Tables, exports and messages show a NIK as
``6402**********34``: enough for a clerk to recognise the row, not enough to identify anyone. A
value that is not a clean 16-digit number is masked wholesale (only its length is kept as a hint),
so a mangled NIK never leaks more than a valid one would.
"""

from __future__ import annotations

import re

import pandas as pd

#: Characters revealed at the start and end of a 16-digit number.
KEEP_HEAD = 4
KEEP_TAIL = 2

# Longer values are shown as a capped run of stars plus their length.
_MAX_STARS = 24

# What clerks and Excel add around a number typed as text.
_DECORATION = re.compile(r"[\s\u00a0'\u2018\u2019`\"=]+")
_SIXTEEN = re.compile(r"\d{16}")

# Header keys (upper case, letters and digits only) of columns whose values are masked.
_MASKED_KEYS = re.compile(r"NIK|NOKK|NOMORKK|NKK|KARTUKELUARGA|KKS|REKENING|NOKARTU|NOMORKARTU")


def _stars(text: str) -> str:
    if len(text) <= _MAX_STARS:
        return "*" * len(text)
    return f"{'*' * _MAX_STARS}… ({len(text)} karakter)"


def mask_nik(nik: object) -> str:
    """Mask a NIK (or any 16-digit personal number) for display.

    Parameters
    ----------
    nik
        The value as found; spaces, apostrophes and ``="..."`` decoration are ignored.

    Returns
    -------
    str
        ``6402**********34`` for a 16-digit number; for anything else a run of stars of the
        same length (capped, with the length spelled out), so at most 6 characters are ever
        revealed. An empty value gives ``""``.

    Examples
    --------
    >>> mask_nik("6402011234567834")
    '6402**********34'
    >>> mask_nik("6.40201E+15")
    '***********'
    """
    if nik is None or (isinstance(nik, float) and pd.isna(nik)):
        return ""
    text = str(nik).strip()
    compact = _DECORATION.sub("", text)
    if _SIXTEEN.fullmatch(compact):
        hidden = len(compact) - KEEP_HEAD - KEEP_TAIL
        return compact[:KEEP_HEAD] + "*" * hidden + compact[-KEEP_TAIL:]
    return _stars(text)


def mask_nik_series(values: pd.Series) -> pd.Series:
    """:func:`mask_nik` over a column, vectorised for the usual case of clean 16-digit values."""
    text = values.astype("str").fillna("")
    clean = text.str.fullmatch(r"[0-9]{16}").fillna(False).to_numpy(dtype=bool)
    out = (
        text.str.slice(0, KEEP_HEAD)
        + "*" * (16 - KEEP_HEAD - KEEP_TAIL)
        + text.str.slice(16 - KEEP_TAIL)
    )
    if not clean.all():
        out = out.astype(object)
        out[~clean] = [mask_nik(v) for v in values[~clean].tolist()]
        out = out.astype("str")
    return out


def is_personal_column(column: object) -> bool:
    """Whether values of this column (a header as found, or a canonical field) are masked."""
    if column is None:
        return False
    key = re.sub(r"[^A-Z0-9]", "", str(column).upper())
    return bool(_MASKED_KEYS.search(key))


def mask_value(column: object, value: object, *, max_chars: int = 80) -> str:
    """A cell value fit for a problem report: masked if the column holds personal numbers.

    Parameters
    ----------
    column
        The header as found in the file, or a canonical field name (``nik``, ``no_kk``,
        ``no_kks``). NIK, No. KK, KKS and account-number columns are masked with
        :func:`mask_nik`.
    value
        The cell value as found.
    max_chars
        Other values longer than this are cut, so a 10,000-character cell does not flood a
        report.

    Returns
    -------
    str
        The value to show.
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if is_personal_column(column):
        return mask_nik(value)
    text = " ".join(str(value).split())
    if len(text) > max_chars:
        return f"{text[:max_chars]}… ({len(text)} karakter)"
    return text


def mask_name(name: object) -> str:
    """Initials only: ``SITI AMINAH`` -> ``S*** A***``."""
    if name is None or (isinstance(name, float) and pd.isna(name)):
        return ""
    return " ".join(word[0] + "***" for word in str(name).split())


_LONG_NUMBER = re.compile(r"\d{8,}")


def mask_preview(
    table: pd.DataFrame,
    *,
    name_columns: list[str] = (),
    number_columns: list[str] = (),
    rows: int = 10,
) -> pd.DataFrame:
    """The first ``rows`` rows of an uploaded table with NIK-like columns and names masked.

    Parameters
    ----------
    table
        Text cells as ``geo.intake.tables.read_table`` returns them.
    name_columns
        Headers holding names (from the column mapping); shown as initials.
    number_columns
        Headers mapped to NIK, No. KK or KKS whatever they are called; masked. Besides these,
        any cell holding a run of 8 or more digits is masked, whatever its column.
    """
    head = table.head(rows).copy()
    for column in head.columns:
        if is_personal_column(column) or column in number_columns:
            head[column] = [mask_nik(v) if str(v).strip() else "" for v in head[column]]
        elif head[column].astype(str).str.contains(_LONG_NUMBER).any():
            head[column] = [
                _LONG_NUMBER.sub(lambda m: mask_nik(m.group(0)), str(v)) for v in head[column]
            ]
        elif column in name_columns:
            head[column] = head[column].map(mask_name)
        else:
            head[column] = [mask_value(column, v, max_chars=60) for v in head[column]]
    return head
