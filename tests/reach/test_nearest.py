"""Nearest service point: multi-source results against brute force, edge cases."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from geo._errors import ReachError
from geo.reach.graph import SUMBER, TravelGraph
from geo.reach.nearest import NetworkNearest, network_nearest, straight_nearest

MODA = ("mobil", "motor", "ketinting", "longboat", "speedboat")


def make_graph(edges: list[tuple], n: int) -> TravelGraph:
    """Edges as (u, v, km, menit, sumber, moda)."""
    nodes = pd.DataFrame(
        {"x": np.arange(n) * 100.0, "y": 0.0, "kind": "jalan", "ref": [str(i) for i in range(n)]}
    )
    frame = pd.DataFrame(edges, columns=["u", "v", "km", "menit", "sumber", "moda"])
    return TravelGraph(nodes, frame.astype({"u": int, "v": int, "km": float, "menit": float}))


def random_graph(seed: int, n: int = 40) -> TravelGraph:
    """A sparse random directed graph: one-way legs, two-way legs with different times each way,
    parallel legs with different times, and some isolated nodes."""
    rng = np.random.default_rng(seed)
    edges = []
    isolated = set(rng.choice(n, size=3, replace=False).tolist())
    for _ in range(int(n * 1.6)):
        u, v = rng.choice(n, size=2, replace=False).tolist()
        if u in isolated or v in isolated:
            continue
        for _ in range(1 + int(rng.random() < 0.3)):  # parallel legs
            edges.append(
                (
                    u,
                    v,
                    rng.uniform(0.5, 20.0),
                    rng.uniform(1.0, 60.0),
                    SUMBER[rng.integers(3)],
                    MODA[rng.integers(len(MODA))],
                )
            )
        if rng.random() < 0.5:  # the way back, at another time
            edges.append((v, u, rng.uniform(0.5, 20.0), rng.uniform(1.0, 60.0), "jalan", "motor"))
    return make_graph(edges, n)


def brute_force(graph: TravelGraph, facilities, demand) -> list[dict]:
    """Per demand node, one shortest path to each facility (networkx on a MultiDiGraph of the raw
    legs); the minimum wins. Legs are re-chosen here from the raw table, not best_edges()."""
    g = nx.MultiDiGraph()
    g.add_nodes_from(range(graph.n))
    for row in graph.edges.itertuples(index=False):
        g.add_edge(row.u, row.v, menit=row.menit, km=row.km, sumber=row.sumber, moda=row.moda)
    out = []
    for d in demand:
        times = {}
        for f in facilities:
            try:
                times[f] = nx.shortest_path_length(g, d, f, weight="menit")
            except nx.NetworkXNoPath:
                continue
        if not times:
            out.append({"reachable": False})
            continue
        ranked = sorted(times.items(), key=lambda kv: kv[1])
        best_f, best_t = ranked[0]
        unique_f = len(ranked) == 1 or ranked[1][1] - best_t > 1e-9
        paths = list(nx.all_shortest_paths(g, d, best_f, weight="menit"))
        legs = []
        for a, b in zip(paths[0], paths[0][1:], strict=False):
            legs.append(min(g[a][b].values(), key=lambda e: (e["menit"], e["km"])))
        out.append(
            {
                "reachable": True,
                "facility": best_f,
                "minutes": best_t,
                "unique": unique_f and len(paths) == 1,
                "km": sum(e["km"] for e in legs),
                "sumber": tuple(s for s in SUMBER if any(e["sumber"] == s for e in legs)),
                "moda": tuple(dict.fromkeys(e["moda"] for e in legs)),
                "hops": len(legs),
            }
        )
    return out


@pytest.mark.parametrize("seed", range(12))
def test_multi_source_equals_brute_force(seed):
    graph = random_graph(seed)
    rng = np.random.default_rng(1000 + seed)
    facilities = rng.choice(graph.n, size=4, replace=False)
    demand = np.arange(graph.n)
    result = network_nearest(graph, facilities=facilities, demand=demand)
    expected = brute_force(graph, facilities.tolist(), demand.tolist())
    checked_paths = 0
    for i, exp in enumerate(expected):
        assert bool(result.reachable[i]) == exp["reachable"], i
        if not exp["reachable"]:
            assert result.facility[i] == -1 and result.hops[i] == -1
            assert math.isnan(result.minutes[i]) and math.isnan(result.km[i])
            assert result.sumber[i] == () and result.moda[i] == ()
            continue
        assert result.minutes[i] == pytest.approx(exp["minutes"], rel=1e-12, abs=1e-9)
        if exp["unique"]:
            checked_paths += 1
            assert result.facility[i] == exp["facility"]
            assert result.km[i] == pytest.approx(exp["km"], rel=1e-12, abs=1e-12)
            assert result.sumber[i] == exp["sumber"]
            assert result.moda[i] == exp["moda"]
            assert result.hops[i] == exp["hops"]
    assert checked_paths >= graph.n // 4  # the comparison of paths is not vacuous


@pytest.mark.parametrize("seed", range(4))
def test_multi_source_equals_per_pair_scipy(seed):
    from scipy.sparse.csgraph import dijkstra

    graph = random_graph(seed, n=120)
    rng = np.random.default_rng(seed)
    facilities = rng.choice(graph.n, size=9, replace=False)
    demand = rng.choice(graph.n, size=50, replace=False)
    result = network_nearest(graph, facilities=facilities, demand=demand)
    from_each = dijkstra(graph.matrix(), indices=demand)  # one pass per demand node
    best = from_each[:, facilities].min(axis=1)
    assert np.array_equal(np.isfinite(best), result.reachable)
    np.testing.assert_allclose(result.minutes[result.reachable], best[np.isfinite(best)])


def test_unreachable_is_reported_not_zero_or_inf():
    graph = make_graph([(0, 1, 2.0, 5.0, "jalan", "motor")], n=3)  # node 2 has no legs
    result = network_nearest(graph, facilities=np.array([1]), demand=np.array([0, 2]))
    assert result.reachable.tolist() == [True, False]
    assert result.facility[1] == -1
    assert math.isnan(result.minutes[1]) and math.isnan(result.km[1])
    assert not np.isinf(result.minutes).any()
    frame = result.to_frame()
    assert frame["simpul_layanan"].isna().tolist() == [False, True]
    assert pd.isna(frame.loc[1, "sumber"])
    assert result.summary()["tidak_terjangkau"] == 1


def test_facility_as_demand_is_zero():
    graph = make_graph([(0, 1, 2.0, 5.0, "jalan", "motor")], n=2)
    result = network_nearest(graph, facilities=np.array([0, 1]), demand=np.array([1, 0]))
    assert result.minutes.tolist() == [0.0, 0.0]
    assert result.km.tolist() == [0.0, 0.0]
    assert result.facility.tolist() == [1, 0]
    assert result.hops.tolist() == [0, 0]
    assert result.reachable.all()
    assert result.sumber == ((), ())


def test_parallel_legs_take_the_fastest_not_the_sum():
    graph = make_graph(
        [
            (0, 1, 5.0, 40.0, "jalan", "mobil"),  # a long way round by road
            (0, 1, 6.0, 15.0, "perahu", "speedboat"),
        ],
        n=2,
    )
    result = network_nearest(graph, facilities=np.array([1]), demand=np.array([0]))
    assert result.minutes[0] == pytest.approx(15.0)  # the sum would be 55
    assert result.km[0] == pytest.approx(6.0)  # the boat leg's km, not the road's or the sum
    assert result.sumber[0] == ("perahu",)
    assert result.moda[0] == ("speedboat",)


def test_direction_matters_on_one_way_legs():
    # Downstream 20 minutes, upstream 90: the time that counts is village -> service point.
    # Without the transpose the pass would return 90 (service point -> village) for node 0.
    graph = make_graph(
        [(0, 1, 10.0, 20.0, "perahu", "longboat"), (1, 0, 10.0, 90.0, "perahu", "longboat")],
        n=2,
    )
    to_point = network_nearest(graph, facilities=np.array([1]), demand=np.array([0]))
    assert to_point.minutes[0] == pytest.approx(20.0)
    upstream = network_nearest(graph, facilities=np.array([0]), demand=np.array([1]))
    assert upstream.minutes[0] == pytest.approx(90.0)
    # A strictly one-way leg: the point is reachable from 0, but 1 cannot reach it.
    one_way = make_graph([(0, 1, 3.0, 7.0, "jalan", "motor")], n=2)
    there = network_nearest(one_way, facilities=np.array([1]), demand=np.array([0]))
    assert there.reachable[0] and there.minutes[0] == pytest.approx(7.0)
    back = network_nearest(one_way, facilities=np.array([0]), demand=np.array([1]))
    assert not back.reachable[0]


def test_path_sources_in_canonical_order_and_modes_in_travel_order():
    graph = make_graph(
        [
            (0, 1, 1.0, 1.0, "perkiraan", "motor"),
            (1, 2, 1.0, 1.0, "perahu", "ketinting"),
            (2, 3, 1.0, 1.0, "jalan", "motor"),
        ],
        n=4,
    )
    result = network_nearest(graph, facilities=np.array([3]), demand=np.array([0]))
    assert result.sumber[0] == ("jalan", "perahu", "perkiraan")
    assert result.moda[0] == ("motor", "ketinting")
    assert result.km[0] == pytest.approx(3.0) and result.hops[0] == 3
    assert result.to_frame().loc[0, "sumber"] == "jalan+perahu+perkiraan"


def test_zero_minute_leg_is_a_leg():
    # csgraph reads an explicit 0 as "no edge"; the matrix stores a tiny time instead.
    graph = make_graph([(0, 1, 0.1, 0.0, "jalan", "motor")], n=2)
    result = network_nearest(graph, facilities=np.array([1]), demand=np.array([0]))
    assert result.reachable[0] and result.minutes[0] == pytest.approx(0.0, abs=1e-6)
    assert result.km[0] == pytest.approx(0.1)


def test_bad_network_inputs():
    graph = make_graph([(0, 1, 1.0, 1.0, "jalan", "motor")], n=2)
    with pytest.raises(ReachError, match="Tidak ada titik layanan"):
        network_nearest(graph, facilities=np.array([], dtype=int), demand=np.array([0]))
    with pytest.raises(ReachError, match="di luar jaringan"):
        network_nearest(graph, facilities=np.array([5]), demand=np.array([0]))
    with pytest.raises(ReachError, match="bilangan bulat"):
        network_nearest(graph, facilities=np.array([1.5]), demand=np.array([0]))
    empty = network_nearest(graph, facilities=np.array([1]), demand=np.array([], dtype=int))
    assert len(empty) == 0 and empty.summary()["median_menit"] is None


def test_result_checks_itself():
    ok = dict(
        demand=[0, 1],
        facility=[1, -1],
        minutes=[3.0, np.nan],
        km=[1.0, np.nan],
        reachable=[True, False],
        sumber=[("jalan",), ()],
        moda=[("motor",), ()],
        hops=[1, -1],
    )
    result = NetworkNearest(**ok)
    assert not result.minutes.flags.writeable
    with pytest.raises(ValueError, match="expected"):
        NetworkNearest(**{**ok, "km": [1.0]})
    with pytest.raises(ValueError, match="entries"):
        NetworkNearest(**{**ok, "sumber": [()]})
    with pytest.raises(ValueError, match="reachable"):
        NetworkNearest(**{**ok, "minutes": [3.0, 0.0]})  # unreachable shown as 0
    with pytest.raises(ValueError, match="reachable"):
        NetworkNearest(**{**ok, "minutes": [3.0, np.inf], "reachable": [True, True]})


@pytest.mark.parametrize("seed", range(5))
def test_straight_nearest_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    src = rng.uniform([400_000, 9_850_000], [600_000, 10_100_000], size=(500, 2))
    dst = rng.uniform([400_000, 9_850_000], [600_000, 10_100_000], size=(37, 2))
    index, km = straight_nearest(src, dst)
    dist = np.hypot(*(src[:, None, :] - dst[None, :, :]).transpose(2, 0, 1))
    assert index.tolist() == dist.argmin(axis=1).tolist()
    np.testing.assert_allclose(km, dist.min(axis=1) / 1000.0, rtol=1e-12)


def test_straight_nearest_rejects_bad_input():
    pts = np.zeros((3, 2))
    with pytest.raises(ReachError, match="kosong"):
        straight_nearest(np.empty((0, 2)), pts)
    with pytest.raises(ReachError, match="kosong"):
        straight_nearest(pts, np.empty((0, 2)))
    with pytest.raises(ReachError, match=r"\(n, 2\)"):
        straight_nearest(np.zeros((3, 3)), pts)
    with pytest.raises(ReachError, match="titik ke-2"):
        straight_nearest(np.array([[0.0, 0.0], [np.nan, 1.0]]), pts)
