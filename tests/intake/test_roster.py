"""Reading a Dinsos roster (geo.intake.roster): programmes, villages, blank and long rows."""

from __future__ import annotations

import pytest

from geo._errors import InputFileError
from geo.intake.roster import MAX_NAMA, read_roster
from tests.intake.builders import (
    ROSTER_HEADER,
    csv_bytes,
    nik,
    roster_row,
)


def test_header_only_file_is_refused(index):
    with pytest.raises(InputFileError, match="tidak ada baris data"):
        read_roster(csv_bytes([ROSTER_HEADER]), filename="r.csv", index=index)


def test_roster_semicolon_bom_with_flags_both_programmes_and_extra_columns(index):
    rows = [
        ROSTER_HEADER,
        roster_row(1, PKH="Ya", BPNT="Ya", CATATAN="DATA CONTOH (sintetis, bukan data nyata)"),
        roster_row(2, PKH="", BPNT="y"),
        roster_row(3, PKH="1", BPNT="0"),
        roster_row(4, PKH="V", BPNT="x"),
        roster_row(5, PKH="TRUE", BPNT="-"),
    ]
    result = read_roster(csv_bytes(rows), filename="folder/roster.csv", index=index)
    assert result.file == "roster.csv" and result.kind == "roster"
    assert result.is_demo
    assert result.problems == []
    frame = result.frame
    assert list(frame.columns) == [
        "nik",
        "no_kk",
        "nama",
        "alamat",
        "kode_desa",
        "program",
        "row",
        "lat",
        "lon",
    ]
    assert frame[["lat", "lon"]].isna().all(axis=None)  # this roster has no coordinates
    assert frame[["row", "program"]].values.tolist() == [
        [2, "BPNT"],
        [2, "PKH"],
        [3, "BPNT"],
        [4, "PKH"],
        [5, "BPNT"],
        [5, "PKH"],
        [6, "PKH"],
    ]
    assert set(frame["kode_desa"]) == {"64.02.06.1003"}
    assert result.extra_columns == ["NO", "PERIODE", "CATATAN"]
    assert result.extra["row"].tolist() == [2, 3, 4, 5, 6]
    assert result.extra.loc[0, "CATATAN"].startswith("DATA CONTOH")
    summary = result.summary()
    assert summary["baris_dibaca"] == 5 and summary["baris_diimpor"] == 5
    assert summary["program"] == {"BPNT": 3, "PKH": 4}


def test_roster_programme_column_with_several_and_unknown_names(index):
    rows = [
        ["NIK", "KECAMATAN", "DESA", "PROGRAM"],
        [nik(1), "Tenggarong", "Bukit Biru", "PKH, BPNT"],
        [nik(2), "Tenggarong", "Bukit Biru", "Program Sembako"],
        [nik(3), "Tenggarong", "Bukit Biru", "sembako"],
        [nik(4), "Tenggarong", "Bukit Biru", "PKH/PBI"],
        [nik(5), "Tenggarong", "Bukit Biru", "PBI"],
        [nik(6), "Tenggarong", "Bukit Biru", ""],
    ]
    result = read_roster(csv_bytes(rows), filename="r.csv", index=index)
    assert result.frame[["row", "program"]].values.tolist() == [
        [2, "BPNT"],
        [2, "PKH"],
        [3, "BPNT"],
        [4, "BPNT"],
        [5, "PKH"],
    ]
    by_row = {p.row: p for p in result.problems}
    assert set(by_row) == {5, 6, 7}
    assert "PBI" in by_row[5].reason and "tetap diimpor" in by_row[5].reason
    assert "baris dilewati" in by_row[6].reason
    assert "Tidak ada program" in by_row[7].reason


def test_unknown_flag_value_is_reported(index):
    rows = [ROSTER_HEADER, roster_row(1, PKH="Ya", BPNT="mungkin")]
    result = read_roster(csv_bytes(rows), filename="r.csv", index=index)
    assert result.frame["program"].tolist() == ["PKH"]
    [problem] = result.problems
    assert (problem.row, problem.column, problem.value) == (2, "BPNT", "mungkin")


def test_name_variants_resolve(index):
    rows = [
        ["NIK", "KECAMATAN", "DESA/KELURAHAN", "PKH"],
        [nik(1), "TENGGARONG", "KEL. BUKIT BIRU", "Ya"],
        [nik(2), "Sanga-Sanga", "Sanga Sanga Dalam", "Ya"],
        [nik(3), "Marangkayu", "DESA SEBUNTAL", "Ya"],
        [nik(4), "Semboja", "Tanjung Harapan", "Ya"],
        [nik(5), "Loa Kulu", "Sumber Sari", "Ya"],
        [nik(6), "Sebulu", "SUMBER SARI", "Ya"],
        [nik(7), "Kota Bangun Darat", "Desa Sumber Sari", "Ya"],
    ]
    result = read_roster(csv_bytes(rows), filename="r.csv", index=index)
    assert result.problems == []
    assert result.frame["kode_desa"].tolist() == [
        "64.02.06.1003",
        "64.02.15.1003",
        "64.02.17.2001",
        "64.02.13.1009",
        "64.02.02.2014",
        "64.02.07.2007",
        "64.02.19.2007",
    ]


def test_unknown_and_ambiguous_villages_are_reported_and_skipped(index):
    rows = [
        ["NIK", "KODE WILAYAH", "KECAMATAN", "DESA", "PKH"],
        [nik(1), "", "", "Sumber Sari", "Ya"],  # in three kecamatan
        [nik(2), "", "Tenggarong", "Bukit Biruu", "Ya"],  # typo
        [nik(3), "", "Atlantis", "Bukit Biru", "Ya"],
        [nik(4), "64.02.99.9999", "", "", "Ya"],
        [nik(5), "64.02.06.1003", "", "", "Ya"],  # code alone: fine
        [nik(6), "64.02.99.9999", "Tenggarong", "Bukit Biru", "Ya"],  # bad code, name decides
        [nik(7), "64.02.06.1003", "Tabang", "Sepatin", "Ya"],  # code wins, mismatch reported
    ]
    result = read_roster(csv_bytes(rows), filename="r.csv", index=index)
    assert result.frame["row"].tolist() == [6, 7, 8]
    assert result.frame["kode_desa"].tolist() == ["64.02.06.1003"] * 3
    by_row = {p.row: p for p in result.problems}
    assert sorted(by_row) == [2, 3, 4, 5, 7, 8]
    assert "3 kecamatan" in by_row[2].reason and "64.02.02.2014" in by_row[2].reason
    assert "Bukit Biru" in by_row[3].reason and "Baris dilewati" in by_row[3].reason
    assert by_row[3].column == "DESA" and by_row[3].value == "Bukit Biruu"
    assert "Atlantis" in by_row[4].reason
    assert "64.02.99.9999" in by_row[5].reason and by_row[5].column == "DESA"
    assert "tidak dikenal" in by_row[7].reason and "dari nama" in by_row[7].reason
    assert "Sepatin" in by_row[8].reason and "Dipakai kode wilayah" in by_row[8].reason


def test_blank_rows_are_skipped_silently_and_row_numbers_hold(index):
    rows = [
        ROSTER_HEADER,
        roster_row(1),
        [""] * len(ROSTER_HEADER),
        ["7"] + [""] * (len(ROSTER_HEADER) - 1),  # a numbered template row, otherwise blank
        roster_row(4, NIK="123"),
    ]
    data = csv_bytes(rows) + b"\r\n\r\n"
    result = read_roster(data, filename="r.csv", index=index)
    assert result.rows_read == 2
    assert result.frame["row"].tolist() == [2]
    assert [(p.row, p.column) for p in result.problems] == [(5, "NIK")]


def test_ten_thousand_character_fields(index):
    long = "panjang " * 1250
    rows = [
        [*ROSTER_HEADER, "LAINNYA"],
        [*roster_row(1, ALAMAT=long), long],
        [*roster_row(2, NAMA="N" * 10_000), ""],
    ]
    result = read_roster(csv_bytes(rows), filename="r.csv", index=index)
    assert result.frame["alamat"].iloc[0] == long.strip()
    assert result.extra.loc[0, "LAINNYA"] == long
    assert result.frame["nama"].str.len().max() == MAX_NAMA
    [problem] = result.problems
    assert problem.row == 3 and problem.column == "NAMA" and problem.value == "(10000 karakter)"
