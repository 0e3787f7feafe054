"""Importer tests on a corpus of messy inputs made here (CSV dialects, XLSX, mangled NIK, ...)."""

from __future__ import annotations

import io
import re
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest

from geo._errors import InputFileError, JangkauError
from geo.areas import boundaries
from geo.areas.lookup import VillageIndex
from geo.intake import importer
from geo.intake.importer import (
    FIELDS_REALISASI,
    FIELDS_ROSTER,
    Problem,
    detect_mapping,
    normalise_reason,
    problems_to_frame,
    read_realisasi,
    read_roster,
    read_table,
)
from geo.safety.privacy import is_personal_column, mask_nik, mask_nik_series, mask_value
from tests.paths import SHARED_BOUNDARIES, TEST_DATA

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


@pytest.fixture(scope="module")
def bounds_module() -> boundaries.Boundaries:
    return boundaries.build(boundaries.fetch_sources(str(SHARED_BOUNDARIES)))


@pytest.fixture(scope="module")
def index(bounds_module) -> VillageIndex:
    return VillageIndex(bounds_module.villages)


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


# -- privacy -----------------------------------------------------------------------------------


def test_mask_nik_shows_only_four_and_two():
    assert mask_nik("6402011234567834") == "6402**********34"
    assert mask_nik(" '6402 0112 3456 7834") == "6402**********34"
    assert mask_nik('="6402011234567834"') == "6402**********34"


@pytest.mark.parametrize("value", ["6.40201E+15", "640201123456783", "64020112345678345", "abc"])
def test_mask_nik_masks_anything_else_wholesale(value):
    masked = mask_nik(value)
    assert set(masked) == {"*"}
    assert len(masked) == len(value)


def test_mask_nik_caps_long_values_and_handles_empty():
    masked = mask_nik("9" * 10_000)
    assert "10000 karakter" in masked
    assert sum(ch.isdigit() for ch in masked.replace("10000", "")) == 0
    assert mask_nik(None) == "" and mask_nik(float("nan")) == "" and mask_nik("") == ""


def test_mask_value_by_column():
    assert mask_value("NIK_KPM", nik(1)) == mask_nik(nik(1))
    assert mask_value("NOMOR KK", nik(2)) == mask_nik(nik(2))
    assert mask_value("NO KKS", "5221840322414624").startswith("5221**")
    assert mask_value("no_rekening", "123456789012345") == "*" * 15
    assert mask_value("DESA", "Bukit Biru") == "Bukit Biru"
    assert "karakter" in mask_value("ALAMAT", "x" * 10_000)
    assert is_personal_column("nik") and not is_personal_column("KECAMATAN")


def test_mask_nik_series_matches_scalar():
    values = pd.Series([nik(1), "6.40201E+15", "", "'" + nik(2)], dtype="str")
    assert mask_nik_series(values).tolist() == [mask_nik(v) for v in values]


# -- reading tables ----------------------------------------------------------------------------


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
    monkeypatch.setattr(importer, "XLSX_ENGINES", (engine,))
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


# -- mapping -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("nik", "nik"),
        ("NIK_KPM", "nik"),
        (" Nik  Ktp ", "nik"),
        ("NIK PENGURUS", "nik"),
        ("Nama Penerima", "nama"),
        ("NAMA_KPM", "nama"),
        ("No. KK", "no_kk"),
        ("NOMOR_KK", "no_kk"),
        ("nm kec", "kecamatan"),
        ("Nama Kecamatan", "kecamatan"),
        ("Desa / Kelurahan", "desa"),
        ("NM_KEL", "desa"),
        ("kelurahan", "desa"),
        ("Kode Desa", "kode_wilayah"),
        ("KD_WILAYAH", "kode_wilayah"),
        ("Program", "program"),
    ],
)
def test_detect_mapping_roster_synonyms(header, field):
    assert detect_mapping([header], "roster") == {field: header}


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("BANSOS", "program"),
        ("Status Transaksi", "status"),
        ("NO KKS", "no_kks"),
        ("Nomor Rekening", "no_kks"),
        ("Periode", "tahap"),
        ("TAHAP", "tahap"),
        ("Nominal", "nominal"),
        ("Keterangan", "keterangan"),
        ("Tanggal_Transaksi", "tanggal_transaksi"),
        ("ID Agen", "id_agen"),
        ("NAMA PENGURUS", "nama"),
    ],
)
def test_detect_mapping_realisasi_synonyms(header, field):
    assert detect_mapping([header], "realisasi") == {field: header}


def test_detect_mapping_prefers_earlier_synonyms_and_uses_a_header_once():
    mapping = detect_mapping(["NIK PENGURUS", "NIK", "NAMA PENGURUS", "NAMA"], "realisasi")
    assert mapping["nik"] == "NIK" and mapping["nama"] == "NAMA"
    assert set(FIELDS_ROSTER) >= {"nik", "pkh", "bpnt", "sembako"}
    assert FIELDS_REALISASI["status"].required and FIELDS_ROSTER["nik"].required


def test_explicit_mapping_overrides_detection(index):
    rows = [
        ["NOMOR INDUK", "NIK", "KEC", "NAMA DESA", "JENIS"],
        [nik(1), "bukan nik", "Tenggarong", "Bukit Biru", "PKH"],
    ]
    result = read_roster(
        csv_bytes(rows),
        filename="r.csv",
        index=index,
        mapping={"nik": "nomor induk", "program": "JENIS"},
    )
    assert result.mapping["nik"] == "NOMOR INDUK"
    assert result.frame["nik"].tolist() == [nik(1)]
    assert "NIK" in result.extra_columns
    with pytest.raises(InputFileError, match="'TIDAK ADA' yang dipetakan ke NIK tidak ada"):
        read_roster(csv_bytes(rows), filename="r.csv", index=index, mapping={"nik": "TIDAK ADA"})
    with pytest.raises(InputFileError, match="bidang yang tidak dikenal: warna"):
        read_roster(csv_bytes(rows), filename="r.csv", index=index, mapping={"warna": "NIK"})


def test_missing_nik_column_lists_the_headers_found(index):
    rows = [
        ["NO", "NAMA", "KECAMATAN", "DESA", "PKH"],
        [1, "Siti", "Tenggarong", "Bukit Biru", "Ya"],
    ]
    with pytest.raises(InputFileError) as info:
        read_roster(csv_bytes(rows), filename="tanpa_nik.csv", index=index)
    message = str(info.value)
    assert "tanpa_nik.csv" in message and "kolom NIK" in message
    assert "NO, NAMA, KECAMATAN, DESA, PKH" in message
    assert "Siti" not in message


def test_missing_village_and_programme_columns_are_named(index):
    rows = [["NIK", "NAMA"], [nik(1), "Siti"]]
    with pytest.raises(InputFileError, match=r"kolom desa.*kolom program") as info:
        read_roster(csv_bytes(rows), filename="r.csv", index=index)
    assert "NIK, NAMA" in str(info.value)
    real = [["NIK", "DESA", "PROGRAM"], [nik(1), "Bukit Biru", "PKH"]]
    with pytest.raises(InputFileError, match="kolom status"):
        read_realisasi(csv_bytes(real), filename="b.csv", index=index)


def test_headerless_file_does_not_echo_personal_data(index):
    rows = [[nik(1), "Siti Aminah", "Tenggarong"], [nik(2), "Budi", "Tenggarong"]]
    with pytest.raises(InputFileError) as info:
        read_roster(csv_bytes(rows), filename="r.csv", index=index)
    message = str(info.value)
    assert not SIXTEEN.search(message) and "Siti" not in message
    assert "baris 1 tampaknya berisi data" in message


def test_header_only_file_is_refused(index):
    with pytest.raises(InputFileError, match="tidak ada baris data"):
        read_roster(csv_bytes([ROSTER_HEADER]), filename="r.csv", index=index)


# -- roster cleaning ---------------------------------------------------------------------------


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
    monkeypatch.setattr(importer, "XLSX_ENGINES", (engine,))
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
    assert result.frame["nama"].str.len().max() == importer.MAX_NAMA
    [problem] = result.problems
    assert problem.row == 3 and problem.column == "NAMA" and problem.value == "(10000 karakter)"


def test_problems_frame_and_masking_through_the_whole_roster(index):
    rows = [ROSTER_HEADER, roster_row(1, NIK="6.40201E+15"), roster_row(2, KECAMATAN="Atlantis")]
    result = read_roster(csv_bytes(rows), filename="r.csv", index=index)
    frame = problems_to_frame(result.problems)
    assert list(frame.columns) == ["file", "row", "column", "value", "reason"]
    assert frame["row"].tolist() == [2, 3]
    assert not frame.astype(str).apply(lambda c: c.str.contains(r"\d{16}")).any().any()


# -- realisasi cleaning ------------------------------------------------------------------------

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


def test_realisasi_statuses_reasons_programmes_nominal_and_villages(index):
    rows = [
        REAL_HEADER,
        real_row(1, PROGRAM="Program Sembako", NOMINAL="Rp 200.000,00"),
        real_row(2, STATUS="TIDAK TRANSAKSI", KETERANGAN="Meninggal dunia", NOMINAL="200.000"),
        real_row(3, STATUS="BELUM TRANSAKSI", KETERANGAN="kartu hilang", NOMINAL="200,000"),
        real_row(4, STATUS="TIDAK TRANSAKSI - PINDAH", NOMINAL=""),
        real_row(5, **{"KODE WILAYAH": "", "KECAMATAN": "Tenggarong", "DESA": "Atlantis"}),
        real_row(6, STATUS="??"),
        real_row(7, PROGRAM="PBI"),
        real_row(8, NOMINAL="dua ratus"),
        real_row(9, STATUS="SUDAH TRANSAKSI", KETERANGAN="MENINGGAL"),
    ]
    result = read_realisasi(csv_bytes(rows), filename="bri.csv", index=index)
    frame = result.frame
    assert list(frame.columns) == [
        "nik",
        "program",
        "status",
        "alasan",
        "tahap",
        "nominal",
        "kode_desa",
        "id_agen",
        "tanggal_transaksi",
        "row",
    ]
    assert frame["row"].tolist() == [2, 3, 4, 5, 6, 9, 10]
    assert frame["program"].tolist() == ["BPNT"] + ["PKH"] * 6
    assert frame["status"].tolist() == [
        "terealisasi",
        "tidak_transaksi",
        "belum_transaksi",
        "tidak_transaksi",
        "terealisasi",
        "terealisasi",
        "terealisasi",
    ]
    assert frame["alasan"].tolist() == [
        "",
        "MENINGGAL",
        "KARTU HILANG",
        "PINDAH DOMISILI",
        "",
        "",
        "",
    ]
    assert frame["nominal"].iloc[:3].tolist() == [200000.0, 200000.0, 200000.0]
    assert np.isnan(frame["nominal"].iloc[3]) and np.isnan(frame["nominal"].iloc[5])
    assert frame["kode_desa"].isna().tolist() == [False, False, False, False, True, False, False]
    by_row = {p.row: p for p in result.problems}
    assert sorted(by_row) == [6, 7, 8, 9]
    assert by_row[6].column == "DESA" and "hanya keterangan" in by_row[6].reason
    assert by_row[7].column == "STATUS" and "Baris dilewati" in by_row[7].reason
    assert by_row[8].column == "PROGRAM" and by_row[8].value == "PBI"
    assert by_row[9].column == "NOMINAL"
    assert result.extra_columns == ["TANGGAL KREDIT", "CATATAN"]
    assert_no_full_nik(result.problems)


def test_realisasi_xlsx_demo_marker_in_keterangan_sheet(index):
    rows = [REAL_HEADER, real_row(1)]
    data = xlsx_bytes(rows, title="Realisasi", notes="Semua isi berkas ini DATA CONTOH.")
    result = read_realisasi(data, filename="b.xlsx", index=index)
    assert result.is_demo and result.frame["nik"].tolist() == [nik(1)]
    plain = read_realisasi(xlsx_bytes(rows), filename="b.xlsx", index=index)
    assert not plain.is_demo


def test_checked_in_messy_fixtures(index):
    """The small files under tests/data/messy import with their problems reported."""
    roster = read_roster(
        (DATA / "roster_messy.csv").read_bytes(), filename="roster_messy.csv", index=index
    )
    real = read_realisasi(
        (DATA / "realisasi_messy.csv").read_bytes(), filename="realisasi_messy.csv", index=index
    )
    assert roster.rows_imported > 0 and real.rows_imported > 0
    assert roster.problems and real.problems
    assert_no_full_nik(roster.problems + real.problems)


# -- demo files and speed ----------------------------------------------------------------------


def test_demo_files_import_and_reconcile(tmp_path, bounds_module, index):
    demo = pytest.importorskip("geo.intake.demo")
    from geo.realization.reconcile import reconcile

    files = demo.write(demo.generate(bounds_module.villages, seed=7), tmp_path)
    roster = read_roster(files.roster.read_bytes(), filename=files.roster.name, index=index)
    real = read_realisasi(files.realisasi.read_bytes(), filename=files.realisasi.name, index=index)
    assert roster.is_demo and real.is_demo
    assert roster.rows_imported > 0.99 * roster.rows_read
    assert real.rows_imported > 0.99 * real.rows_read
    result = reconcile(roster, real, villages=bounds_module.villages)
    summary = result.summary()
    assert summary["kpm"] == len(roster.frame.drop_duplicates(["nik", "program"]))
    assert summary["cocok"] > 0.9 * summary["kpm"]
    assert_no_full_nik(result.problems)


@pytest.mark.slow
def test_hundred_thousand_rows_reconcile(index, bounds_module):
    # Speed is measured in bench/, not here; this checks the vectorised paths at scale.
    n = 100_000
    rng = np.random.default_rng(3)
    villages = bounds_module.villages
    pick = rng.integers(0, len(villages), n)
    niks = np.array([nik(i) for i in range(n)])
    roster = pd.DataFrame(
        {
            "NIK": niks,
            "NAMA": "Nama",
            "KECAMATAN": villages["kecamatan"].to_numpy()[pick],
            "DESA": villages["nama"].to_numpy()[pick],
            "PKH": np.where(rng.random(n) < 0.5, "Ya", ""),
            "BPNT": "Ya",
        }
    ).to_csv(sep=";", index=False)
    real = pd.DataFrame(
        {
            "KODE WILAYAH": villages["kode"].to_numpy()[pick],
            "NIK": niks,
            "PROGRAM": "BPNT",
            "STATUS": rng.choice(["SUDAH TRANSAKSI", "BELUM TRANSAKSI"], n),
        }
    ).to_csv(index=False)
    from geo.realization.reconcile import reconcile

    r = read_roster(roster.encode(), filename="r.csv", index=index)
    b = read_realisasi(real.encode(), filename="b.csv", index=index)
    result = reconcile(r, b, villages=villages)
    assert result.summary()["kpm"] == len(r.frame)
    assert result.summary()["cocok"] == n  # every BPNT KPM matched


def test_sheet_names(tmp_path):
    from openpyxl import Workbook

    from geo.intake.importer import sheet_names

    wb = Workbook()
    wb.active.title = "Realisasi"
    wb.create_sheet("KETERANGAN")
    path = tmp_path / "b.xlsx"
    wb.save(path)
    assert sheet_names(path.read_bytes(), filename="b.xlsx") == ["Realisasi", "KETERANGAN"]
    assert sheet_names(b"NIK;NAMA\n", filename="r.csv") == []
    with pytest.raises(InputFileError, match="XLSX rusak"):
        sheet_names(b"PK\x03\x04garbage", filename="x.xlsx")
