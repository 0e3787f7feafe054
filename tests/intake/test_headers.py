"""Header synonyms and the column mapping (geo.intake.headers), and files missing columns."""

from __future__ import annotations

import pytest

from geo._errors import InputFileError
from geo.intake.headers import FIELDS_REALISASI, FIELDS_ROSTER, detect_mapping
from geo.intake.realisasi import read_realisasi
from geo.intake.roster import read_roster
from tests.intake.builders import (
    SIXTEEN,
    csv_bytes,
    nik,
)


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
