"""Reading a BRI realisation file (geo.intake.realisasi); both readers on demo and large files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.intake.realisasi import read_realisasi
from geo.intake.roster import read_roster
from tests.intake.builders import (
    REAL_HEADER,
    assert_no_full_nik,
    csv_bytes,
    nik,
    real_row,
    xlsx_bytes,
)


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
