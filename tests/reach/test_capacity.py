"""E-warong load against capacity (``geo.reach.capacity``)."""

from geo.reach import per_village
from geo.reach.capacity import capacity
from geo.realization import coverage


def test_capacity_flags_overloaded_ewarong(bounds, demo):
    net, points, counts = demo
    near_ew = per_village.nearest(net, bounds.villages, points, jenis=("e-warong",))
    bpnt = coverage.compute(bounds.villages, counts, program="BPNT").villages
    load = capacity(near_ew, bpnt.set_index("kode")["kpm"], points)
    assert len(load) == (points["jenis"] == "e-warong").sum()
    total = bpnt.loc[bpnt["kode"].isin(near_ew["kode_desa"]), "kpm"].sum()
    assert abs(load["kpm"].sum() - total) <= len(load)  # shares are rounded per e-warong
    # E-warong in the same village share its KPM: none of them is left at 0 while another
    # one there is flagged.
    ew = points[points["jenis"] == "e-warong"]
    shared = ew.groupby("kode_desa")["id"].apply(list)
    for ids in shared[shared.map(len) > 1]:
        part = load.set_index("id").loc[ids]
        assert (part["kpm"] > 0).all() or (part["kpm"] == 0).all()
    assert (load["kelebihan"] == (load["kpm"] > load["kapasitas"])).all()
    assert load["beban_persen"].is_monotonic_decreasing
