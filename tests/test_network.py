import numpy as np
import pandas as pd
import pytest

from geo import network, settings
from geo.network import TravelGraph
from geo.reach import network_nearest


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
    assert set(network.SUMBER) >= set(net.graph.edges["sumber"])


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
    from .conftest import ROOT

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
