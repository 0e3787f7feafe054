"""Cleaning single cells (geo.intake.values): mangled NIK and No. KK, statuses, reasons."""

from __future__ import annotations

import pytest

from geo.intake.realisasi import read_realisasi
from geo.intake.roster import read_roster
from geo.intake.values import normalise_reason
from tests.intake.builders import (
    REAL_HEADER,
    ROSTER_HEADER,
    assert_no_full_nik,
    csv_bytes,
    nik,
    real_row,
    roster_row,
)


def test_excel_mangled_niks(index):
    rows = [
        ROSTER_HEADER,
        roster_row(1, NIK="'" + nik(1)),  # apostrophe: fine
        roster_row(2, NIK=" " + nik(2)[:8] + " " + nik(2)[8:] + " "),  # spaces: fine
        roster_row(3, NIK="6.40201E+15"),
        roster_row(4, NIK="6,40201E+15"),
        roster_row(5, NIK=nik(5)[1:]),  # 15 digits: a leading digit lost
        roster_row(6, NIK="6402010000000000"),  # an Excel-rounded number
        roster_row(7, NIK=nik(7) + "1"),
        roster_row(8, NIK="640201ABC4567890"),
        roster_row(9, NIK=""),
        roster_row(10, NIK=nik(10) + ".0"),  # written back by a float round trip: fine
        roster_row(11, NIK=f'="{nik(11)}"'),  # Excel text formula: fine
    ]
    result = read_roster(csv_bytes(rows), filename="roster.csv", index=index)
    assert result.frame["nik"].tolist() == [nik(1), nik(2), nik(10), nik(11)]
    problems = {p.row: p for p in result.problems}
    assert sorted(problems) == [4, 5, 6, 7, 8, 9, 10]
    for p in problems.values():
        assert p.file == "roster.csv" and p.column == "NIK"
        assert "NIK" in p.reason
    assert (
        "notasi ilmiah" in problems[4].reason
        and "simpan kolom NIK sebagai Teks" in problems[4].reason
    )
    assert "notasi ilmiah" in problems[5].reason
    assert "15 digit" in problems[6].reason and problems[6].value == "*" * 15
    assert "0000" in problems[7].reason
    assert "17 digit" in problems[8].reason
    assert "selain angka" in problems[9].reason
    assert "kosong" in problems[10].reason
    assert_no_full_nik(result.problems)


def test_invalid_no_kk_is_dropped_but_the_row_kept(index):
    rows = [ROSTER_HEADER, roster_row(1, **{"NO KK": "123"}), roster_row(2, **{"NO KK": ""})]
    result = read_roster(csv_bytes(rows), filename="r.csv", index=index)
    assert result.frame["no_kk"].tolist() == ["", ""]
    [problem] = result.problems
    assert (problem.row, problem.column, problem.value) == (2, "NO KK", "***")
    assert "dikosongkan" in problem.reason


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("TRANSAKSI", "terealisasi"),
        ("Sudah", "terealisasi"),
        ("sudah transaksi", "terealisasi"),
        ("SALUR", "terealisasi"),
        ("SUDAH SALUR", "terealisasi"),
        ("BELUM", "belum_transaksi"),
        ("Belum Transaksi", "belum_transaksi"),
        ("BELUM_TRANSAKSI", "belum_transaksi"),
        ("TIDAK TRANSAKSI", "tidak_transaksi"),
        (" tidak  transaksi ", "tidak_transaksi"),
    ],
)
def test_status_synonyms(index, status, expected):
    rows = [REAL_HEADER, real_row(1, STATUS=status)]
    result = read_realisasi(csv_bytes(rows), filename="b.csv", index=index)
    assert result.frame["status"].tolist() == [expected]
    assert result.problems == []


@pytest.mark.parametrize(
    ("keterangan", "alasan"),
    [
        ("MENINGGAL", "MENINGGAL"),
        ("meninggal dunia", "MENINGGAL"),
        ("KPM Pindah Domisili", "PINDAH DOMISILI"),
        ("PINDAH", "PINDAH DOMISILI"),
        ("sudah mampu", "MAMPU"),
        ("TIDAK MAMPU", "TIDAK MAMPU"),
        ("KKS HILANG", "KARTU HILANG"),
        ("kartu terblokir", "KARTU BLOKIR"),
        ("rumah kosong  lama", "rumah kosong lama"),
        ("", ""),
    ],
)
def test_reasons_are_normalised(keterangan, alasan):
    assert normalise_reason(keterangan) == alasan
