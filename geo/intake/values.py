"""Clean and parse single cells: NIK and No. KK, programmes, flags, statuses, reasons, amounts.

Each parser takes one cell's text and is applied once per distinct value of a column (see
``_map_unique`` in :mod:`geo.intake._rows`), so these stay plain Python; the id cleaning works
on whole columns with vectorised pandas string operations.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from geo.intake.headers import _key

__all__ = ["MAX_ALASAN", "PROGRAMS", "normalise_reason"]


#: The two programmes reconciled; every other spelling maps onto one of these.
PROGRAMS = ("PKH", "BPNT")


#: Longest ``alasan`` kept.
MAX_ALASAN = 200


# Literal characters, not ``\s``: pandas then runs the regex in pyarrow, ~6x faster.
_NIK_DECORATION = "[ \t\r\n\u00a0'\u2018\u2019`\"=]+"


_SCIENTIFIC = re.compile(r"[0-9]+(?:[.,][0-9]+)?[eE][+-]?[0-9]+")


_FIX_AT_SOURCE = "Perbaiki di berkas sumber, simpan kolom NIK sebagai Teks."


def _clean_id(raw: pd.Series) -> pd.Series:
    """Digits of a NIK or No. KK: spaces, apostrophes, ``="..."`` and a trailing ``.0`` dropped."""
    fine = raw.str.fullmatch("[0-9]{16}").to_numpy(dtype=bool)
    if fine.all():
        return raw
    messy = raw[~fine]
    cleaned = messy.str.replace(_NIK_DECORATION, "", regex=True).str.replace(
        r"\.0+$", "", regex=True
    )
    out = raw.copy()
    out[~fine] = cleaned
    return out


def _valid_id(clean: pd.Series) -> pd.Series:
    # A NIK's last four digits are a registration number starting at 0001; "0000" is what
    # Excel leaves after rounding a long number (6.40201E+15 -> 6402010000000000).
    return clean.str.fullmatch("[0-9]{16}") & ~clean.str.endswith("0000")


def _id_defect(clean: str) -> str:
    """What is wrong with a NIK-like number that failed :func:`_valid_id` (not empty)."""
    if _SCIENTIFIC.fullmatch(clean):
        return (
            "tertulis dalam notasi ilmiah (seperti 6,40201E+15), digit terakhirnya sudah hilang "
            "dan tidak dapat dipulihkan"
        )
    if not re.fullmatch("[0-9]+", clean):
        return "berisi karakter selain angka"
    if len(clean) != 16:
        return f"{len(clean)} digit, seharusnya 16 (digit bisa hilang saat dibuka di Excel)"
    return "empat digit terakhir 0000, tanda angka dibulatkan Excel; digit aslinya hilang"


def _nik_reason(clean: str) -> str:
    if not clean:
        return "NIK kosong; baris dilewati."
    return f"NIK tidak valid: {_id_defect(clean)}. Baris dilewati. {_FIX_AT_SOURCE}"


_PROGRAM_NAMES = {
    "PKH": "PKH",
    "PROGRAMKELUARGAHARAPAN": "PKH",
    "BPNT": "BPNT",
    "SEMBAKO": "BPNT",
    "PROGRAMSEMBAKO": "BPNT",
    "BPNTSEMBAKO": "BPNT",
    "SEMBAKOBPNT": "BPNT",
    "BANSOSSEMBAKO": "BPNT",
    "KARTUSEMBAKO": "BPNT",
    "BANTUANPANGANNONTUNAI": "BPNT",
    "BANTUANSEMBAKO": "BPNT",
}


def _parse_programs(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Programmes named in a cell: (known, unknown tokens as typed)."""
    text = " ".join(str(text).split())
    if not text:
        return (), ()
    whole = _PROGRAM_NAMES.get(_key(text))
    if whole:
        return (whole,), ()
    known: list[str] = []
    unknown: list[str] = []
    for token in re.split(r"[,;/+&|]|\bDAN\b", text, flags=re.IGNORECASE):
        token = token.strip()
        if not token:
            continue
        program = _PROGRAM_NAMES.get(_key(token))
        if program is None:
            unknown.append(token)
        elif program not in known:
            known.append(program)
    return tuple(known), tuple(unknown)


_FLAG_YES = {"YA", "Y", "1", "V", "TRUE", "X", "YES", "✓", "√", "ADA", "BENAR", "PENERIMA"}


_FLAG_NO = {"", "TIDAK", "TDK", "T", "0", "N", "NO", "FALSE", "-", "BUKAN", "SALAH"}


def _parse_flag(text: str) -> bool | None:
    key = " ".join(str(text).upper().split())
    if key in _FLAG_YES or _key(key) in _PROGRAM_NAMES:
        return True
    if key in _FLAG_NO:
        return False
    return None


_STATUS_WORDS = {
    "terealisasi": (
        "TRANSAKSI",
        "SUDAH",
        "SUDAH TRANSAKSI",
        "TELAH TRANSAKSI",
        "SALUR",
        "SUDAH SALUR",
        "TERSALUR",
        "SUDAH TERSALUR",
        "TEREALISASI",
        "SUDAH TEREALISASI",
        "REALISASI",
        "SUDAH DITARIK",
        "SUDAH BELANJA",
        "SUKSES",
        "BERHASIL",
    ),
    "belum_transaksi": (
        "BELUM",
        "BELUM TRANSAKSI",
        "BELUM SALUR",
        "BELUM TERSALUR",
        "BELUM TEREALISASI",
        "BELUM DITARIK",
        "BELUM BELANJA",
    ),
    "tidak_transaksi": (
        "TIDAK TRANSAKSI",
        "TIDAK",
        "TIDAK SALUR",
        "TIDAK TERSALUR",
        "TIDAK TEREALISASI",
        "GAGAL",
        "GAGAL TRANSAKSI",
        "GAGAL SALUR",
    ),
}


_STATUS_LOOKUP = {w: s for s, words in _STATUS_WORDS.items() for w in words}


# A reason written into the status cell ("TIDAK TRANSAKSI - MENINGGAL") follows these.
_STATUS_PREFIXES = sorted(
    (w for s, words in _STATUS_WORDS.items() if s != "terealisasi" for w in words if " " in w),
    key=len,
    reverse=True,
)


def _parse_status(text: str) -> tuple[str | None, str]:
    """(status or None when unknown, a reason written after the status)."""
    words = " ".join(re.sub(r"[^A-Z0-9]+", " ", str(text).upper()).split())
    if words in _STATUS_LOOKUP:
        return _STATUS_LOOKUP[words], ""
    for prefix in _STATUS_PREFIXES:
        if words.startswith(prefix + " "):
            rest = re.sub(
                r"^[\s\-:(/,]+|[\s)]+$", "", str(text).upper().split(prefix.split()[-1], 1)[-1]
            )
            return _STATUS_LOOKUP[prefix], rest
    return None, ""


_REASONS = (
    ("MENINGGAL", re.compile(r"MENINGGAL|WAFAT|ALMARHUM|\bALM\b|\bMD\b")),
    ("PINDAH DOMISILI", re.compile(r"PINDAH")),
    ("KARTU BLOKIR", re.compile(r"BLOKIR")),
    ("KARTU HILANG", re.compile(r"HILANG")),
    ("MAMPU", re.compile(r"(?<!TIDAK )(?<!KURANG )\bMAMPU\b")),
)


def normalise_reason(text: object) -> str:
    """A reason from KETERANGAN: MENINGGAL, PINDAH DOMISILI, MAMPU, KARTU HILANG, KARTU BLOKIR,
    or the free text as typed (spaces tidied, cut to 200 characters)."""
    shown = " ".join(str(text).split()) if text is not None else ""
    upper = shown.upper()
    for reason, pattern in _REASONS:
        if pattern.search(upper):
            return reason
    return shown[:MAX_ALASAN]


_IDR_DOTS = re.compile(r"-?\d{1,3}(?:\.\d{3})+(?:,\d+)?")


_IDR_COMMAS = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def _parse_nominal(text: str) -> float | None:
    """Rupiah as typed (``200000``, ``200.000``, ``Rp 200.000,00``, ``200,000``); None if not."""
    t = re.sub(r"(?i)^rp\.?|\s|\u00a0", "", str(text))
    if t in ("", "-"):
        return float("nan")
    if _IDR_DOTS.fullmatch(t):
        return float(t.replace(".", "").replace(",", "."))
    if _IDR_COMMAS.fullmatch(t):
        return float(t.replace(",", ""))
    if re.fullmatch(r"-?\d+,\d+", t):
        return float(t.replace(",", "."))
    try:
        value = float(t)
    except ValueError:
        return None
    return value if np.isfinite(value) else None
