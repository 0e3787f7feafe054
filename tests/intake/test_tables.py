"""Reading CSV and XLSX files as text tables (geo.intake.tables) on messy inputs."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

from geo._errors import InputFileError, JangkauError
from geo.intake import tables
from geo.intake.roster import read_roster
from geo.intake.tables import read_table
from tests.intake.builders import (
    assert_no_full_nik,
    csv_bytes,
    nik,
    xlsx_bytes,
)


def test_read_table_semicolon_bom_keeps_row_numbers():
    rows = [["A", "B"], ["1", "2"], ["", ""], ["3", "4"]]
    frame, headers = read_table(csv_bytes(rows), filename="x.csv")
    assert headers == ["A", "B"]
    assert list(frame.index) == [0, 1, 2]  # file row = index + 2, blank rows kept
    assert frame.loc[2, "A"] == "3"


def test_read_table_comma_quoted_and_crlf():
    data = b'NIK,NAMA,ALAMAT\r\n"6402011234560001","Siti, Aminah","Jl. A; RT 1"\r\n'
    frame, headers = read_table(data, filename="x.csv")
    assert headers == ["NIK", "NAMA", "ALAMAT"]
    assert frame.iloc[0].tolist() == ["6402011234560001", "Siti, Aminah", "Jl. A; RT 1"]


def test_read_table_utf16_tab_text():
    data = "NIK\tNAMA\r\n6402011234560001\tRé\r\n".encode("utf-16")
    frame, _ = read_table(data, filename="x.txt")
    assert frame.iloc[0].tolist() == ["6402011234560001", "Ré"]


def test_read_table_names_blank_and_repeated_headers():
    frame, headers = read_table(
        csv_bytes([["NIK", "", "NAMA", "NAMA"], [1, 2, 3, 4]]), filename="x"
    )
    assert headers == ["NIK", "Kolom B", "NAMA", "NAMA (2)"]
    assert list(frame.columns) == headers


def test_read_table_drops_blank_unnamed_trailing_columns():
    _, headers = read_table(csv_bytes([["NIK", "NAMA", "", ""], [1, 2, "", ""]]), filename="x")
    assert headers == ["NIK", "NAMA"]


def test_read_table_line_with_too_many_fields_is_reported_and_rows_stay_aligned():
    data = b"A;B;C\n1;2;3\n4;5;6;7\n8;9;10;;\n11;12;13\n"
    frame, _ = read_table(data, filename="x.csv")
    assert frame.attrs["bad_lines"] == [3]
    assert frame.loc[1].tolist() == ["", "", ""]
    assert frame.loc[2].tolist() == ["8", "9", "10"]  # trailing empty fields are harmless
    assert frame.loc[3, "A"] == "11"


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_read_table_xlsx_numbers_dates_and_sheets(monkeypatch, engine):
    if engine == "calamine":
        pytest.importorskip("python_calamine")
    monkeypatch.setattr(tables, "XLSX_ENGINES", (engine,))
    import datetime as dt

    rows = [
        ["NIK", "ANGKA", "TANGGAL", "FLAG", "TEKS"],
        [6402011234567890, 200000.0, dt.datetime(2022, 1, 5), True, "'6402011234560001"],
        [6.40201e15, 1.5, dt.datetime(2022, 1, 5, 10, 30), False, None],
    ]
    data = xlsx_bytes(rows, title="Realisasi", notes="DATA CONTOH (sintetis)")
    frame, headers = read_table(data, filename="x.xlsx")
    assert headers == ["NIK", "ANGKA", "TANGGAL", "FLAG", "TEKS"]
    assert frame.iloc[0].tolist() == [
        "6402011234567890",
        "200000",
        "2022-01-05",
        "TRUE",
        "'6402011234560001",
    ]
    assert frame.iloc[1, 0] == "6402010000000000"  # and _valid_id rejects it (serial 0000)
    assert frame.iloc[1, 1] == "1.5"
    assert frame.iloc[1, 2].startswith("2022-01-05 10:30")
    other, _ = read_table(data, filename="x.xlsx", sheet="keterangan")
    assert other.columns.tolist() == ["DATA CONTOH (sintetis)"]
    with pytest.raises(InputFileError, match=r"lembar 'Tidak Ada' tidak ada.*Realisasi"):
        read_table(data, filename="x.xlsx", sheet="Tidak Ada")


@pytest.mark.parametrize(
    ("data", "filename", "match"),
    [
        (b"", "kosong.csv", "kosong"),
        (b"  \r\n \r\n", "spasi.csv", "kosong"),
        (bytes(range(256)) * 40, "acak.csv", "bukan teks CSV maupun XLSX"),
        (np.random.default_rng(1).bytes(5000), "acak.bin", "bukan teks CSV maupun XLSX"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "lama.xls", r"\.xls"),
        (b"PK\x03\x04" + bytes(600), "rusak.xlsx", "XLSX rusak"),
        (b"bukan zip", "nama.xlsx", "XLSX rusak"),
        (b'NIK;NAMA\n"6402;x\n', "kutip.csv", "CSV tidak dapat dibaca"),
    ],
)
def test_unreadable_files_are_refused_with_the_file_name(data, filename, match):
    with pytest.raises(InputFileError, match=match) as info:
        read_table(data, filename=filename)
    assert filename in str(info.value)
    assert isinstance(info.value, JangkauError) and isinstance(info.value, ValueError)


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "x")
    with pytest.raises(InputFileError, match="XLSX rusak"):
        read_table(buffer.getvalue(), filename="a.xlsx")


def test_windows_1252_names_with_accents(index):
    rows = [
        ["NIK", "NAMA", "KECAMATAN", "DESA", "PKH"],
        [nik(1), "Siti Aïsyah Müller", "Tenggarong", "Bukit Biru", "Ya"],
        [nik(2), "José Ñoño", "Tenggarong", "Bukit Biru", "Ya"],
    ]
    data = csv_bytes(rows, encoding="cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    result = read_roster(data, filename="r.csv", index=index)
    assert result.frame["nama"].tolist() == ["Siti Aïsyah Müller", "José Ñoño"]


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_xlsx_roster_nik_as_text_and_as_numbers(monkeypatch, index, engine):
    if engine == "calamine":
        pytest.importorskip("python_calamine")
    monkeypatch.setattr(tables, "XLSX_ENGINES", (engine,))
    rows = [
        ["NIK", "NAMA", "KODE WILAYAH", "BANSOS"],
        [nik(1), "A", "64.02.06.1003", "PKH"],  # text cell
        [int(nik(2)), "B", "6402061003", "BPNT"],  # a number cell, exact
        [float(nik(3)), "C", "64.02.06.1003", "PKH"],  # a float cell, still exact
        [6.40201e15, "D", "64.02.06.1003", "PKH"],  # what is left of 6.40201E+15
        [None, None, None, None],
        [int(nik(5)[1:]), "E", "64.02.06.1003", "PKH"],  # leading digit lost
    ]
    result = read_roster(xlsx_bytes(rows), filename="roster.xlsx", index=index)
    assert result.frame["nik"].tolist() == [nik(1), nik(2), nik(3)]
    assert [p.row for p in result.problems] == [5, 7]
    assert_no_full_nik(result.problems)


def test_sheet_names(tmp_path):
    from openpyxl import Workbook

    from geo.intake.tables import sheet_names

    wb = Workbook()
    wb.active.title = "Realisasi"
    wb.create_sheet("KETERANGAN")
    path = tmp_path / "b.xlsx"
    wb.save(path)
    assert sheet_names(path.read_bytes(), filename="b.xlsx") == ["Realisasi", "KETERANGAN"]
    assert sheet_names(b"NIK;NAMA\n", filename="r.csv") == []
    with pytest.raises(InputFileError, match="XLSX rusak"):
        sheet_names(b"PK\x03\x04garbage", filename="x.xlsx")
