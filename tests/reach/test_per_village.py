"""The nearest service point for every village (``geo.reach.per_village``)."""

import pandas as pd

from geo.reach import per_village


def test_nearest_table_on_demo(bounds, demo):
    net, points, _ = demo
    near = per_village.nearest(net, bounds.villages, points)
    assert len(near) == 237 and list(near.columns[:10]) == per_village.NEAREST_COLUMNS
    ok = near[near["terjangkau"]]
    assert (ok["jarak_tempuh_km"] >= ok["jarak_lurus_km"] - 1e-6).all()
    assert ok["waktu_menit"].notna().all() and (ok["waktu_menit"] >= 0).all()
    boat = set(near.loc[near["perahu"], "desa"])
    assert {"Sepatin", "Muara Pantuan", "Tani Baru", "Muara Enggelam"} <= boat
    ew = per_village.nearest(net, bounds.villages, points, jenis=("e-warong",))
    assert set(ew.loc[ew["terjangkau"], "layanan_jenis"]) == {"e-warong"}
    assert (ew["waktu_menit"].fillna(1e9) >= near["waktu_menit"].fillna(1e9) - 1e-9).all()


def test_unreachable_villages_by_name():
    near = pd.DataFrame({"desa": ["A", "B", "C"], "terjangkau": [True, False, False]})
    assert per_village.unreachable(near) == ["B", "C"]
    assert per_village.unreachable(near.assign(terjangkau=True)) == []
