import pandas as pd
import pytest

from geo.realization import coverage


def _counts(bounds):
    codes = bounds.villages["kode"]
    return pd.DataFrame(
        {
            "kode_desa": list(codes[:3]) * 2,
            "program": ["PKH"] * 3 + ["BPNT"] * 3,
            "kpm": [10, 20, 0, 5, 5, 5],
            "terealisasi": [5, 20, 0, 1, 0, 5],
            "belum_transaksi": [3, 0, 0, 2, 5, 0],
            "tidak_transaksi": [2, 0, 0, 0, 0, 0],
            "tanpa_data_bri": [0, 0, 0, 2, 0, 0],
        }
    )


def test_all_villages_and_totals(bounds):
    cov = coverage.compute(bounds.villages, _counts(bounds))
    assert len(cov.villages) == 237
    totals = cov.totals()
    assert totals["kpm"] == 45 and totals["terealisasi"] == 31 and totals["belum"] == 14
    assert totals["persen_terealisasi"] == pytest.approx(100 * 31 / 45)
    first = cov.villages.set_index("kode").loc[bounds.villages["kode"].iloc[0]]
    assert first["belum"] == 9 and first["persen_belum"] == 60.0
    no_kpm = cov.villages[cov.villages["kpm"] == 0]
    assert no_kpm["persen_belum"].isna().all()


def test_program_filter(bounds):
    pkh = coverage.compute(bounds.villages, _counts(bounds), program="PKH").totals()
    bpnt = coverage.compute(bounds.villages, _counts(bounds), program="BPNT").totals()
    assert pkh["kpm"] == 30 and bpnt["kpm"] == 15
    with pytest.raises(ValueError):
        coverage.compute(bounds.villages, _counts(bounds), program="BLT")


def test_kecamatan_and_branch_filters(bounds):
    cov = coverage.compute(bounds.villages, _counts(bounds), kecamatan=["64.02.12"])
    assert set(cov.villages["kecamatan"]) == {"Tabang"}
    assert set(cov.villages["cabang"]) == {"KC Kutai Barat"}
    bontang = coverage.compute(bounds.villages, _counts(bounds), cabang=["KC Bontang"])
    assert set(bontang.villages["kecamatan"]) == {"Muara Badak", "Marang Kayu"}


def test_by_kecamatan_sorted_by_unrealized(bounds):
    table = coverage.compute(bounds.villages, _counts(bounds)).by_kecamatan()
    assert len(table) == 20
    assert table["belum"].is_monotonic_decreasing
    assert table["kpm"].sum() == 45


def test_counts_must_add_up(bounds):
    bad = _counts(bounds)
    bad.loc[0, "terealisasi"] = 9
    with pytest.raises(ValueError, match="add up"):
        coverage.compute(bounds.villages, bad)


def test_empty_round(bounds):
    cov = coverage.compute(bounds.villages, coverage.empty_counts())
    assert cov.totals()["kpm"] == 0 and len(cov.villages) == 237


def test_read_village_counts_reports_bad_rows():
    table = pd.DataFrame(
        {
            "kode_desa": ["64.02.06.1003", "64.02.06.1004", "64.02.06.1005"],
            "program": ["PKH", "pkh", "BPNT"],
            "kpm": ["10", "x", "4"],
            "terealisasi": ["4", "1", "9"],
        }
    )
    counts, problems = coverage.read_village_counts(table, filename="desa.csv")
    assert counts["kode_desa"].tolist() == ["64.02.06.1003"]
    assert counts.loc[0, "belum_transaksi"] == 6
    assert any("baris 3" in p for p in problems) and any("baris 4" in p for p in problems)


def test_overview_units_add_up(bounds):
    view = coverage.overview(
        bounds.villages, _counts(bounds), program="SEMUA", round_summary={"nik": 40}
    )
    assert view.families == 40
    assert view.totals["kpm"] == 45
    assert view.totals["terealisasi"] + view.totals["belum"] == view.totals["kpm"]
    assert view.per_program["PKH"]["kpm"] + view.per_program["BPNT"]["kpm"] == 45
    pkh = coverage.overview(bounds.villages, _counts(bounds), program="PKH")
    assert pkh.totals == pkh.per_program["PKH"] and pkh.families is None


def test_village_detail(bounds):
    cov = coverage.compute(bounds.villages, _counts(bounds))
    first = bounds.villages["kode"].iloc[0]
    points = pd.DataFrame(
        {"id": ["EW-1"], "nama": ["A"], "jenis": ["e-warong"], "kode_desa": [first]}
    )
    detail = coverage.village_detail(cov, _counts(bounds), points, first)
    assert detail.kpm == 15 and detail.belum == 9 and len(detail.per_program) == 2
    assert detail.service_points["id"].tolist() == ["EW-1"]
    assert coverage.village_detail(cov, _counts(bounds), points, "64.02.99.9999") is None


def test_layer_keeps_polygons_and_figures_without_the_reference_source(bounds):
    cov = coverage.compute(bounds.villages, _counts(bounds))
    layer = cov.layer()
    assert "ref_sumber" in cov.villages and "ref_sumber" not in layer
    assert len(layer) == 237 and layer.geometry.notna().all() and layer.crs == "EPSG:4326"
    assert layer["belum"].sum() == cov.totals()["belum"]
