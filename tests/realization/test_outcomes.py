import pandas as pd
import pytest

from geo.areas.lookup import VillageIndex
from geo.outputs import maps
from geo.realization import coverage, outcomes
from geo.store.database import RoundInfo, Store


@pytest.fixture(scope="module")
def index(bounds):
    return VillageIndex(bounds.villages)


def _table(rows):
    cols = ["kode_desa", "tanggal", "dikunjungi", "kpm_ditemui", "kpm_dilayani", "kartu_hilang"]
    return pd.DataFrame(rows, columns=cols).astype(str)


def test_validate_keeps_good_rows_and_reports_bad_ones(index):
    result = outcomes.validate(
        _table(
            [
                ("64.02.04.2001", "2026-12-08", "ya", "40", "25", "3"),
                ("64.02.04.2002", "08/12/2026", "tidak", "", "", ""),
                ("64.02.99.9999", "2026-12-08", "ya", "1", "1", "0"),
                ("64.02.04.2003", "kemarin", "ya", "1", "1", "0"),
                ("64.02.04.2003", "2026-12-08", "mungkin", "1", "1", "0"),
                ("64.02.04.2003", "2026-12-08", "ya", "5", "9", "0"),
                ("64.02.04.2003", "2026-12-08", "ya", "-2", "0", "0"),
            ]
        ),
        filename="hasil.xlsx",
        index=index,
    )
    assert result.frame["kode_desa"].tolist() == ["64.02.04.2001", "64.02.04.2002"]
    assert result.frame.loc[1, "tanggal"] == "2026-12-08" and not result.frame.loc[1, "dikunjungi"]
    assert sorted(p.row for p in result.problems) == [4, 5, 6, 7, 8]


def test_outcomes_round_trip_and_visit_status(index):
    store = Store()
    ok = outcomes.validate(
        _table(
            [
                ("64.02.04.2001", "2026-12-08", "ya", "40", "25", "3"),
                ("64.02.04.2001", "2027-02-02", "ya", "10", "10", "0"),
                ("64.02.04.2002", "2026-12-08", "tidak", "", "", ""),
            ]
        ),
        filename="hasil.csv",
        index=index,
    )
    assert store.add_outcomes(ok.frame) == 3
    status = outcomes.visit_status(store.table("outcomes")).set_index("kode_desa")
    assert list(status.index) == ["64.02.04.2001"]  # a village not visited is not counted
    assert status.loc["64.02.04.2001", "kunjungan"] == 2
    assert status.loc["64.02.04.2001", "kunjungan_terakhir"] == "2027-02-02"
    assert status.loc["64.02.04.2001", "kpm_dilayani"] == 35


def test_visited_villages_are_marked_on_the_map(bounds):
    cov = coverage.compute(bounds.villages, coverage.empty_counts())
    visits = pd.DataFrame(
        {"kode_desa": ["64.02.04.2001"], "kunjungan_terakhir": ["2026-12-08"], "kunjungan": [1]}
    )
    page = (
        maps.coverage_map(
            cov, kecamatan=bounds.kecamatan, service_points=pd.DataFrame(), visits=visits
        )
        .get_root()
        .render()
    )
    assert "8 Desember 2026" in page and "sudah dikunjungi" in page
    assert page.count('"dikunjungi": true') == 1


def _round(i, day):
    return RoundInfo(
        id=i,
        label=f"P{i}",
        created_at=f"{day}T00:00:00+00:00",
        is_demo=False,
        sources=[],
        summary={},
        created=False,
    )


def _counts(done):
    return pd.DataFrame(
        {
            "kode_desa": ["64.02.04.2001", "64.02.04.2002"],
            "program": "BPNT",
            "kpm": [100, 100],
            "terealisasi": done,
            "belum_transaksi": [100 - d for d in done],
            "tidak_transaksi": 0,
            "tanpa_data_bri": 0,
        }
    )


def test_progress_and_villages_not_improved(bounds):
    rounds = [_round(1, "2026-11-01"), _round(2, "2027-02-01")]
    counts = {1: _counts([40, 40]), 2: _counts([40, 70])}
    table = outcomes.progress(rounds, counts, bounds.villages)
    anggana = table[table["wilayah"] == "Anggana"]
    assert anggana["persen_terealisasi"].tolist() == [40.0, 55.0]
    status = pd.DataFrame(
        {
            "kode_desa": ["64.02.04.2001", "64.02.04.2002"],
            "kunjungan_terakhir": ["2026-12-08", "2026-12-08"],
        }
    )
    stuck = outcomes.not_improved(status, rounds, counts, bounds.villages)
    assert stuck["kode_desa"].tolist() == ["64.02.04.2001"]
    assert stuck["persen_sebelum"].iloc[0] == 40.0


def test_visit_of_one_village():
    visits = pd.DataFrame({"kode_desa": ["a", "b"], "kunjungan": [2, 1]})
    assert outcomes.visit_of(visits, "b")["kunjungan"] == 1
    assert outcomes.visit_of(visits, "c") is None
    assert outcomes.visit_of(outcomes.visit_status(pd.DataFrame()), "a") is None
