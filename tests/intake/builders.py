"""Builders of small messy inputs for the intake tests: CSV dialects, XLSX, roster and BRI rows."""

from __future__ import annotations

import io
import re

import openpyxl

from geo.intake.problems import Problem
from tests.paths import TEST_DATA

DATA = TEST_DATA / "messy"
SIXTEEN = re.compile(r"\d{16}")

ROSTER_HEADER = [
    "NO",
    "NIK",
    "NO KK",
    "NAMA",
    "ALAMAT",
    "KODE WILAYAH",
    "KECAMATAN",
    "DESA/KELURAHAN",
    "PKH",
    "BPNT",
    "PERIODE",
    "CATATAN",
]


def nik(i: int) -> str:
    """A synthetic, valid-looking 16-digit NIK (serial never 0000)."""
    return f"640201{i:06d}{i % 9000 + 1:04d}"


def csv_bytes(rows: list[list[object]], *, sep: str = ";", encoding: str = "utf-8-sig") -> bytes:
    text = "\r\n".join(sep.join(str(c) for c in row) for row in rows) + "\r\n"
    return text.encode(encoding)


def xlsx_bytes(rows: list[list[object]], *, title: str = "Data", notes: str | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    if notes is not None:
        workbook.create_sheet("KETERANGAN")["A1"] = notes
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def roster_row(i: int, **over: object) -> list[object]:
    values = {
        "NO": i,
        "NIK": nik(i),
        "NO KK": nik(10_000 + i),
        "NAMA": f"Nama {i}",
        "ALAMAT": f"RT {i % 9 + 1}",
        "KODE WILAYAH": "",
        "KECAMATAN": "Tenggarong",
        "DESA/KELURAHAN": "Bukit Biru",
        "PKH": "Ya",
        "BPNT": "",
        "PERIODE": "2022",
        "CATATAN": "",
    }
    values.update(over)
    return [values[h] for h in ROSTER_HEADER]


def assert_no_full_nik(problems: list[Problem]) -> None:
    for p in problems:
        assert not SIXTEEN.search(f"{p.value} {p.reason} {p.column}"), p


REAL_HEADER = [
    "KODE WILAYAH",
    "KECAMATAN",
    "DESA",
    "NAMA PENGURUS",
    "NIK",
    "NO KK",
    "NO KKS",
    "PROGRAM",
    "TAHAP",
    "NOMINAL",
    "TANGGAL KREDIT",
    "STATUS",
    "TANGGAL TRANSAKSI",
    "ID AGEN",
    "KETERANGAN",
    "CATATAN",
]


def real_row(i: int, **over: object) -> list[object]:
    values = dict.fromkeys(REAL_HEADER, "")
    values.update(
        {
            "KODE WILAYAH": "64.02.06.1003",
            "NAMA PENGURUS": f"Nama {i}",
            "NIK": nik(i),
            "NO KK": nik(10_000 + i),
            "NO KKS": f"522184{i:010d}",
            "PROGRAM": "PKH",
            "TAHAP": "1",
            "NOMINAL": "600000",
            "STATUS": "SUDAH TRANSAKSI",
        }
    )
    values.update(over)
    return [values[h] for h in REAL_HEADER]
