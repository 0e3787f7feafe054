import numpy as np
import pandas as pd
import pytest

from geo import settings
from geo.geometry import project_lonlat
from geo.reach import graph, network
from geo.reach.graph import TravelGraph
from geo.reach.nearest import network_nearest


def _points(rows):
    return pd.DataFrame(rows, columns=["id", "nama", "jenis", "lon", "lat", "kode_desa"])


@pytest.fixture(scope="module")
def points():
    return _points(
        [
            ("EW-1", "E-Warong Tenggarong", "e-warong", 116.99, -0.43, "64.02.06.1003"),
            ("AG-1", "Agen Anggana", "agen_brilink", 117.26, -0.57, "64.02.04.2005"),
            ("AG-2", "Agen Kota Bangun", "agen_brilink", 116.58, -0.27, "64.02.08.2005"),
        ]
    )


def test_parallel_legs_take_the_fastest():
    nodes = pd.DataFrame({"x": [0, 1], "y": [0, 0], "kind": "jalan", "ref": ["a", "b"]})
    edges = pd.DataFrame(
        {
            "u": [0, 0],
            "v": [1, 1],
            "km": [5.0, 3.0],
            "menit": [10.0, 4.0],
            "sumber": ["jalan", "perkiraan"],
            "moda": ["mobil", "mobil"],
        }
    )
    graph = TravelGraph(nodes=nodes, edges=edges)
    assert graph.matrix()[0, 1] == 4.0
    assert len(graph.best_edges()) == 1 and graph.best_edges()["km"].iloc[0] == 3.0
    with pytest.raises(ValueError):
        TravelGraph(nodes=nodes, edges=edges.assign(sumber="kapal"))


def test_estimate_network_connects_everything(bounds, points):
    net = network.build(bounds.villages, points, no_road=())
    assert net.sources == ("perkiraan",)
    result = network_nearest(net.graph, facilities=net.point_node, demand=net.village_node)
    assert result.reachable.all()
    assert set(graph.SUMBER) >= set(net.graph.edges["sumber"])


def test_boat_only_villages_need_their_boat_legs(bounds, points):
    boats = pd.DataFrame(
        {
            "dari": ["64.02.04.2005"],
            "ke": ["64.02.04.2001"],
            "moda": ["longboat"],
            "menit": [240.0],
            "tunggu_menit": [60.0],
        }
    )
    no_road = ("64.02.04.2001", "64.02.04.2002")
    net = network.build(bounds.villages, points, boats=boats, no_road=no_road)
    result = network_nearest(net.graph, facilities=net.point_node, demand=net.village_node)
    codes = list(bounds.villages["kode"])
    sepatin, pantuan = codes.index("64.02.04.2001"), codes.index("64.02.04.2002")
    assert result.reachable[sepatin] and "perahu" in result.sumber[sepatin]
    assert result.minutes[sepatin] >= 300  # the boat's 240 minutes plus 60 waiting
    assert not result.reachable[pantuan]  # no road and no boat leg: unreachable, not 0
    assert np.isnan(result.minutes[pantuan])


def test_load_network_perkiraan_ignores_boats(bounds, points):
    boats = pd.DataFrame(
        {
            "dari": ["64.02.04.2005"],
            "ke": ["64.02.04.2001"],
            "moda": ["longboat"],
            "menit": [240.0],
            "tunggu_menit": [60.0],
        }
    )
    net = network.load_network(bounds.villages, points, jaringan="perkiraan", boats=boats)
    assert "perahu" not in set(net.graph.edges["sumber"])
    assert network.load_network(bounds.villages, points, jaringan="", boats=boats).sources == (
        "perahu",
        "perkiraan",
    )


def test_osm_road_network_joins_villages_near_it(bounds, points):
    from tests.paths import ROOT

    osm_file = ROOT / "tests" / "data" / "osm" / "tenggarong.osm"
    net = network.load_network(bounds.villages, points, jaringan=f"osm:{osm_file}", boats=None)
    assert net.sources == ("jalan", "perkiraan")
    edges = net.graph.edges
    assert (edges["sumber"] == "jalan").any()
    # Places near the fixture's roads join it by a short access leg to a road node; the rest of
    # Kukar falls back to estimates.
    kind = net.graph.nodes["kind"].to_numpy()
    access_legs = edges[
        (edges["sumber"] == "perkiraan")
        & edges["u"].isin(net.village_node)
        & (kind[edges["v"].to_numpy()] == "jalan")
    ]
    assert len(access_legs) and (access_legs["km"] <= settings.ROAD_SNAP_MAX_KM * 1.5).all()
    result = network_nearest(net.graph, facilities=net.point_node, demand=net.village_node)
    boat_only = bounds.villages["kode"].isin(settings.NO_ROAD_VILLAGES).to_numpy()
    assert result.reachable[~boat_only].all()
    assert not result.reachable[boat_only].any()  # no boat legs given: unreachable, not 0
    # From a road node the way out runs along the road.
    road_nodes = np.flatnonzero(net.graph.nodes["kind"].to_numpy() == "jalan")
    from_road = network_nearest(net.graph, facilities=net.point_node, demand=road_nodes)
    assert from_road.reachable.any()
    assert any("jalan" in s for s in from_road.sumber)


# -- landings (dermaga) ---------------------------------------------------------------------

ANGGANA, SEPATIN = "64.02.04.2005", "64.02.04.2001"
PORT = (117.2880, -0.5625)  # (lon, lat) of a landing at Anggana's port


def _two_villages(bounds):
    """Anggana (on land) and Sepatin (delta island), at their reference points."""
    return bounds.villages[bounds.villages["kode"].isin([ANGGANA, SEPATIN])].reset_index(drop=True)


def _port_leg(**end):
    return pd.DataFrame(
        {
            "dari": ["Dermaga Anggana"],
            "ke": [SEPATIN],
            "moda": ["longboat"],
            "menit": [240.0],
            "tunggu_menit": [60.0],
            "dari_jenis": ["dermaga"],
            "dari_lon": [end.get("lon", PORT[0])],
            "dari_lat": [end.get("lat", PORT[1])],
            "dari_kode_desa": [end.get("kode_desa", ANGGANA)],
            "ke_jenis": ["desa"],
        }
    )


def _metres(a, b) -> float:

    xy = project_lonlat([a[0], b[0]], [a[1], b[1]])
    return float(np.hypot(*(xy[0] - xy[1])))


def _by_estimate(km: float) -> float:
    return km / settings.ESTIMATE_SPEED_KMH * 60


def test_road_to_a_landing_then_boat_matches_a_hand_computation(bounds):

    villages = _two_villages(bounds)
    agent = (117.2700, -0.5700)
    points = _points([("AG-1", "Agen", "agen_brilink", *agent, ANGGANA)])
    # Two road nodes: one by the agent, one by the port, 6 minutes apart by road.
    r1, r2 = (117.2710, -0.5690), (117.2870, -0.5630)
    xy = project_lonlat([r1[0], r2[0]], [r1[1], r2[1]])
    road = TravelGraph(
        nodes=pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "kind": "jalan", "ref": ["r1", "r2"]}),
        edges=pd.DataFrame(
            {
                "u": [0, 1],
                "v": [1, 0],
                "km": [2.5, 2.5],
                "menit": [6.0, 6.0],
                "sumber": "jalan",
                "moda": "mobil",
            }
        ),
    )
    net = network.build(villages, points, boats=_port_leg(), road=road, no_road=(SEPATIN,))
    nodes = net.graph.nodes
    assert nodes["kind"].tolist() == ["jalan", "jalan", "desa", "desa", "layanan", "dermaga"]
    assert nodes["ref"].iloc[-1] == "Dermaga Anggana"
    sepatin = int(np.flatnonzero(villages["kode"] == SEPATIN)[0])
    result = network_nearest(net.graph, facilities=net.point_node, demand=net.village_node)
    # agent -> r1 (snap, estimate), r1 -> r2 (road), r2 -> port (snap), port -> Sepatin (boat)
    snap_1 = _metres(agent, r1) / 1000 * settings.DETOUR_FACTOR
    snap_2 = _metres(r2, PORT) / 1000 * settings.DETOUR_FACTOR
    boat = _metres(PORT, (villages["ref_lon"][sepatin], villages["ref_lat"][sepatin]))
    assert result.minutes[sepatin] == pytest.approx(
        _by_estimate(snap_1) + 6.0 + _by_estimate(snap_2) + 240 + 60
    )
    assert result.km[sepatin] == pytest.approx(
        snap_1 + 2.5 + snap_2 + boat / 1000 * settings.BOAT_DETOUR_FACTOR
    )
    assert result.sumber[sepatin] == ("jalan", "perahu", "perkiraan")
    frame = result.to_frame()
    assert set(frame["moda"].iloc[sepatin].split("+")) == {"mobil", "longboat"}
    # The landing joins the road like a village (one snap leg each way), plus its boat leg.
    port = net.graph.n - 1
    legs = net.graph.edges[net.graph.edges["u"] == port]
    assert sorted(legs["sumber"]) == ["perahu", "perkiraan"]
    assert nodes["ref"].iloc[legs.loc[legs["sumber"] == "perkiraan", "v"].iloc[0]] == "r2"


def test_landing_without_a_road_network_joins_by_estimate(bounds):
    villages = _two_villages(bounds)
    agent = (117.2700, -0.5700)
    points = _points([("AG-1", "Agen", "agen_brilink", *agent, ANGGANA)])
    net = network.build(villages, points, boats=_port_leg(), no_road=(SEPATIN,))
    sepatin = int(np.flatnonzero(villages["kode"] == SEPATIN)[0])
    result = network_nearest(net.graph, facilities=net.point_node, demand=net.village_node)
    direct = _metres(agent, PORT) / 1000 * settings.DETOUR_FACTOR
    assert result.minutes[sepatin] == pytest.approx(_by_estimate(direct) + 300)
    assert result.sumber[sepatin] == ("perahu", "perkiraan")


def test_landing_in_a_boat_only_village_joins_only_that_village(bounds):
    villages = _two_villages(bounds)
    sepatin = int(np.flatnonzero(villages["kode"] == SEPATIN)[0])
    anggana = 1 - sepatin
    island = (117.4500, -0.7600)  # a landing on Sepatin's shore
    agent = (117.2700, -0.5700)
    points = _points([("AG-1", "Agen", "agen_brilink", *agent, ANGGANA)])
    boats = pd.DataFrame(
        {
            "dari": [ANGGANA],
            "ke": ["Dermaga Sepatin"],
            "moda": ["longboat"],
            "menit": [240.0],
            "tunggu_menit": [60.0],
            "dari_jenis": ["desa"],
            "ke_jenis": ["dermaga"],
            "ke_lon": [island[0]],
            "ke_lat": [island[1]],
            "ke_kode_desa": [SEPATIN],
        }
    )
    net = network.build(villages, points, boats=boats, no_road=(SEPATIN,))
    landing = net.graph.n - 1
    edges = net.graph.edges
    out = edges[edges["u"] == landing]
    assert sorted(zip(out["v"], out["sumber"], strict=True)) == sorted(
        [(net.village_node[anggana], "perahu"), (net.village_node[sepatin], "perkiraan")]
    )
    result = network_nearest(net.graph, facilities=net.point_node, demand=net.village_node)
    ref = (villages["ref_lon"][anggana], villages["ref_lat"][anggana])
    sep = (villages["ref_lon"][sepatin], villages["ref_lat"][sepatin])
    to_village = _metres(agent, ref) / 1000 * settings.DETOUR_FACTOR
    local = _metres(island, sep) / 1000 * settings.DETOUR_FACTOR
    assert result.minutes[sepatin] == pytest.approx(
        _by_estimate(to_village) + 300 + _by_estimate(local)
    )
    assert result.sumber[sepatin] == ("perahu", "perkiraan")
    # A landing gone from the table (no position) takes its legs with it.
    gone = boats.assign(ke_lon=[np.nan], ke_lat=[np.nan])
    net = network.build(villages, points, boats=gone, no_road=(SEPATIN,))
    assert "dermaga" not in set(net.graph.nodes["kind"])
    assert not network_nearest(
        net.graph, facilities=net.point_node, demand=net.village_node
    ).reachable[sepatin]
