"""The hard-to-reach ranking and the access-vs-realization classes (``geo.reach.ranking``)."""

import numpy as np
import pandas as pd

from geo.reach import per_village, ranking
from geo.realization import coverage


def test_delta_and_lake_villages_rank_as_hard_to_reach(bounds, demo):
    net, points, counts = demo
    near = per_village.nearest(net, bounds.villages, points)
    cov = coverage.compute(bounds.villages, counts)
    ranked = ranking.priority(near, cov.villages)
    top = set(ranked.head(15)["desa"])
    assert {"Sepatin", "Muara Pantuan", "Tani Baru", "Muara Enggelam"} <= top
    assert ranked["peringkat"].tolist() == list(range(1, 238))
    assert ranked["skor"].is_monotonic_decreasing
    assert set(ranked["akses"]) <= set(ranking.ACCESS_CLASSES)
    # With all weight on time, the slowest village comes first.
    by_time = ranking.priority(near, cov.villages, weights={"belum": 0, "waktu": 1, "perahu": 0})
    assert by_time["waktu_menit"].iloc[0] == near["waktu_menit"].max()
    assert "0,50" in ranking.priority_formula()


def _ranked():
    return pd.DataFrame(
        {
            **{c: ["x", "y", "z"] for c in ranking.RANKING_COLUMNS},
            "peringkat": [1, 2, 3],
            "waktu_menit": [90.0, 10.0, np.nan],
            "akses": ["jauh_rendah", "dekat_baik", "jauh_rendah"],
            "extra": [0, 0, 0],
        }
    )


def test_ranking_table_as_shown_and_downloaded():
    table = ranking.ranking_table(_ranked())
    assert list(table.columns) == ranking.RANKING_COLUMNS
    assert table["akses"].tolist() == [
        ranking.ACCESS_CLASSES["jauh_rendah"],
        ranking.ACCESS_CLASSES["dekat_baik"],
        ranking.ACCESS_CLASSES["jauh_rendah"],
    ]
    assert table["peringkat"].tolist() == [1, 2, 3]


def test_villages_per_access_class():
    ranked = _ranked()
    counts = ranking.class_counts(ranked)
    assert list(counts) == list(ranking.ACCESS_CLASSES)
    assert counts == {
        "jauh_rendah": 2,
        "dekat_rendah": 0,
        "jauh_baik": 0,
        "dekat_baik": 1,
        "tanpa_kpm": 0,
    }
    part = ranking.in_class(ranked, "jauh_rendah")
    assert list(part.columns) == ranking.CLASS_COLUMNS
    assert part["waktu_menit"].tolist()[0] == 90.0 and len(part) == 2
    assert ranking.in_class(ranked, None).empty
