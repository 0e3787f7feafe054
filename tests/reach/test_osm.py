"""Road network from OpenStreetMap: a hand-made .osm file read by osmnx, a .pbf written by
pyosmium, and Overpass answered by a local HTTP server (never the internet)."""

from __future__ import annotations

import json
import math
import socket
import threading
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import numpy as np
import osmium
import osmnx as ox
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from geo import settings
from geo._errors import JangkauError
from geo.reach import osm
from tests.paths import ROOT, TEST_DATA

OSM_FILE = TEST_DATA / "osm" / "tenggarong.osm"

#: A box around the test roads near Tenggarong, (lon, lat).
AREA = shapely.box(116.95, -0.47, 117.03, -0.39)

#: Graph nodes after filtering and simplification: 4, 6, 9, 10 are mid-way bends, 12 is only on
#: the footway and 13 only on the private road.
EXPECTED_NODES = {1, 2, 3, 5, 7, 8, 11}


def haversine_km(lon1, lat1, lon2, lat2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def fixture_coords() -> dict[int, tuple[float, float]]:
    root = ET.parse(OSM_FILE).getroot()
    return {int(n.get("id")): (float(n.get("lon")), float(n.get("lat"))) for n in root.iter("node")}


@pytest.fixture
def cache(tmp_path) -> Path:
    return tmp_path / "jaringan"


@pytest.fixture
def roads(cache) -> osm.RoadNetwork:
    return osm.load_road_graph(source=str(OSM_FILE), polygon=AREA, cache_dir=cache)


def pairs(network: osm.RoadNetwork) -> list[tuple[int, int]]:
    return list(zip(network.edges["u"], network.edges["v"], strict=True))


# --- Reading a .osm file through osmnx --------------------------------------------------------


def test_counts_and_filter(roads):
    assert set(roads.nodes["osmid"]) == EXPECTED_NODES
    # primary 1-2-3 (4 legs), residential 3->5 (1), track 2-7 (2), tertiary and unclassified
    # 7-8 (2 + 2), service 8-11 (2)
    assert len(roads.edges) == 13
    assert set(roads.edges["highway"]) == {
        "primary",
        "residential",
        "track",
        "tertiary",
        "unclassified",
        "service",
    }
    assert (roads.edges["moda"] == "mobil").all()
    assert roads.sumber == "tenggarong.osm"


def test_one_way_street_stays_one_way(roads):
    legs = pairs(roads)
    assert (3, 5) in legs
    assert (5, 3) not in legs
    # two-way roads have both legs
    assert (1, 2) in legs and (2, 1) in legs


def test_parallel_ways_are_kept(roads):
    parallel = roads.edges[(roads.edges["u"] == 7) & (roads.edges["v"] == 8)]
    assert sorted(parallel["highway"]) == ["tertiary", "unclassified"]
    # the travel graph keeps both legs, and its matrix takes the faster one
    graph = roads.to_travel_graph()
    best = graph.best_edges()
    pos = {ref: i for i, ref in enumerate(graph.nodes["ref"])}
    leg = best[(best["u"] == pos[7]) & (best["v"] == pos[8])]
    assert len(leg) == 1
    tertiary = parallel[parallel["highway"] == "tertiary"].iloc[0]
    assert leg["menit"].iloc[0] == pytest.approx(tertiary["menit"])
    assert graph.matrix()[pos[7], pos[8]] == pytest.approx(tertiary["menit"])


def test_speeds_from_class_or_maxspeed(roads):
    speed = roads.edges["km"] / (roads.edges["menit"] / 60)
    expected = roads.edges["highway"].map(osm.SPEEDS_KMH)
    # the primary road carries maxspeed=60, which wins over the class speed
    expected[roads.edges["highway"] == "primary"] = 60.0
    np.testing.assert_allclose(speed, expected, rtol=1e-9)
    assert osm.SPEEDS_KMH["primary"] != 60.0


def test_lengths_follow_the_way(roads):
    coords = fixture_coords()
    # the residential street 3 -> 4 -> 5 was merged into one leg of both segments' length
    leg = roads.edges[(roads.edges["u"] == 3) & (roads.edges["v"] == 5)].iloc[0]
    expected = haversine_km(*coords[3], *coords[4]) + haversine_km(*coords[4], *coords[5])
    assert leg["km"] == pytest.approx(expected, rel=1e-3)
    assert leg["menit"] == pytest.approx(expected / 25 * 60, rel=1e-3)


def test_nodes_projected_to_metres(roads):
    coords = fixture_coords()
    nodes = roads.nodes.set_index("osmid")
    geod = Geod(ellps="WGS84")
    for a, b in [(1, 3), (1, 11), (5, 7)]:
        metres = math.dist(nodes.loc[a, ["x", "y"]], nodes.loc[b, ["x", "y"]])
        # the sphere differs from the ellipsoid by up to 0.6 % near the equator
        assert metres / 1000 == pytest.approx(haversine_km(*coords[a], *coords[b]), rel=1e-2)
        # on the ellipsoid, UTM near its central meridian is 0.9996 of the true distance
        true_m = geod.inv(*coords[a], *coords[b])[2]
        assert metres == pytest.approx(true_m * 0.9996, rel=1e-4)
    # UTM 50S: 117° E is the central meridian (x = 500 km); just south of the equator y is
    # 10,000 km minus the distance to the equator
    assert nodes.loc[5, "x"] == pytest.approx(500_000, abs=1)
    assert nodes.loc[5, "y"] == pytest.approx(10_000_000 - 49_750, abs=100)
    assert nodes.loc[5, ["lon", "lat"]].tolist() == pytest.approx([117.0, -0.45])


def test_travel_graph_contract(roads):
    graph = roads.to_travel_graph()
    assert graph.n == len(roads.nodes)
    assert (graph.nodes["kind"] == "jalan").all()
    assert list(graph.nodes["ref"]) == list(roads.nodes["osmid"])
    assert (graph.edges["sumber"] == "jalan").all()
    refs = graph.nodes["ref"].to_numpy()
    assert list(refs[graph.edges["u"]]) == list(roads.edges["u"])
    assert list(refs[graph.edges["v"]]) == list(roads.edges["v"])
    np.testing.assert_allclose(graph.edges["menit"], roads.edges["menit"])
    assert graph.summary()["ruas_jalan"] == 13


def test_summary(roads):
    summary = roads.summary()
    assert summary["simpul"] == 7
    assert summary["ruas"] == 13
    assert summary["ruas_satu_arah"] == 1
    # each road counted once: a two-way road's two legs are not doubled
    one_way_km = roads.edges.loc[roads.edges["highway"] == "residential", "km"].sum()
    assert summary["panjang_km"] == pytest.approx(
        (roads.edges["km"].sum() + one_way_km) / 2, abs=0.05
    )
    assert set(summary["panjang_km_per_kelas"]) == set(roads.edges["highway"])


def test_area_clips_roads(cache):
    # only node 1 lies west of 116.975: the primary road 1-2-3 is kept whole, nothing else
    west = shapely.box(116.96, -0.45, 116.975, -0.43)
    network = osm.load_road_graph(source=str(OSM_FILE), polygon=west, cache_dir=cache)
    assert set(network.nodes["osmid"]) == {1, 3}
    assert set(pairs(network)) == {(1, 3), (3, 1)}
    assert network.edges["km"].iloc[0] == pytest.approx(2.2238, rel=1e-3)


def test_default_area_is_kukar(cache, roads):
    area = osm.kukar_area()
    assert area.contains(shapely.Point(116.98, -0.44))  # Tenggarong
    assert area.contains(shapely.Point(117.15, -0.50))  # Samarinda, inside the margin
    network = osm.load_road_graph(source=str(OSM_FILE), cache_dir=cache)
    pd.testing.assert_frame_equal(network.edges, roads.edges)


def test_area_as_geoseries(cache, roads):
    import geopandas as gpd

    metric = gpd.GeoSeries([AREA], crs="EPSG:4326").to_crs(settings.CRS_METRIC)
    network = osm.load_road_graph(source=str(OSM_FILE), polygon=metric, cache_dir=cache)
    pd.testing.assert_frame_equal(network.edges, roads.edges)
    with pytest.raises(ValueError, match="CRS"):
        osm.load_road_graph(source=str(OSM_FILE), polygon=gpd.GeoSeries([AREA]), cache_dir=cache)


# --- Cache ----------------------------------------------------------------------------------


def _forbid_building(monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("the cache should have been used")

    monkeypatch.setattr(ox, "graph_from_xml", boom)
    monkeypatch.setattr(ox, "graph_from_polygon", boom)
    monkeypatch.setattr(osmium, "FileProcessor", boom)


def test_second_load_reads_the_cache(monkeypatch):
    first = osm.load_road_graph(source=str(OSM_FILE), polygon=AREA)
    cache_dir = settings.DATA_DIR / "jaringan"
    assert len(list(cache_dir.glob("jalan_*_ruas.parquet"))) == 1
    _forbid_building(monkeypatch)
    second = osm.load_road_graph(source=str(OSM_FILE), polygon=AREA)
    pd.testing.assert_frame_equal(second.nodes, first.nodes)
    pd.testing.assert_frame_equal(second.edges, first.edges)
    assert second.sumber == first.sumber


def test_changed_speeds_rebuild(cache, roads, monkeypatch):
    monkeypatch.setitem(osm.SPEEDS_KMH, "track", 20.0)
    network = osm.load_road_graph(source=str(OSM_FILE), polygon=AREA, cache_dir=cache)
    track = network.edges[network.edges["highway"] == "track"].iloc[0]
    assert track["km"] / (track["menit"] / 60) == pytest.approx(20.0)


def test_changed_file_rebuilds(tmp_path, cache, roads):
    copy = tmp_path / "jalan.osm"
    copy.write_text(
        OSM_FILE.read_text(encoding="utf-8").replace('v="track"', 'v="footway"'), encoding="utf-8"
    )
    network = osm.load_road_graph(source=str(copy), polygon=AREA, cache_dir=cache)
    assert "track" not in set(network.edges["highway"])
    # without the track, node 2 is a bend of the primary road: 13 - 2 track legs - 2 merged
    assert len(network.edges) == 9
    assert 2 not in set(network.nodes["osmid"])


# --- .pbf -----------------------------------------------------------------------------------


def test_pbf_file(tmp_path, cache, roads):
    pbf = tmp_path / "tenggarong.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(OSM_FILE)):
            writer.add(obj)
    network = osm.load_road_graph(source=str(pbf), polygon=AREA, cache_dir=cache)
    assert network.sumber == "tenggarong.osm.pbf"
    pd.testing.assert_frame_equal(network.nodes, roads.nodes)
    pd.testing.assert_frame_equal(network.edges, roads.edges)


def test_way_with_missing_nodes(tmp_path, cache):
    # a clipped extract: way 103 still lists node 6, which the file no longer holds
    text = OSM_FILE.read_text(encoding="utf-8")
    text = text.replace('<node id="6" lat="-0.4300" lon="116.9800" version="1"/>', "")
    clipped = tmp_path / "terpotong.osm"
    clipped.write_text(text, encoding="utf-8")
    network = osm.load_road_graph(source=str(clipped), polygon=AREA, cache_dir=cache)
    assert 6 not in set(network.nodes["osmid"])
    assert (2, 7) in pairs(network)


# --- Bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("rusak.osm", b"garbage \x00\x01\xff not xml", "tidak dapat dibaca"),
        ("rusak.osm.pbf", b"garbage \x00\x01\xff not a pbf", "tidak dapat dibaca"),
        ("kosong.osm", b"", "kosong"),
        ("kosong.pbf", b"", "kosong"),
        ("jalan.txt", b"<osm/>", "bukan berkas OpenStreetMap"),
        (
            "trotoar.osm",
            b'<osm version="0.6"><node id="1" lat="-0.44" lon="116.98"/>'
            b'<node id="2" lat="-0.44" lon="116.99"/><way id="1"><nd ref="1"/><nd ref="2"/>'
            b'<tag k="highway" v="footway"/></way></osm>',
            "tidak berisi ruas jalan",
        ),
    ],
)
def test_bad_file(tmp_path, cache, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(osm.RoadNetworkError, match=words) as info:
        osm.load_road_graph(source=str(path), polygon=AREA, cache_dir=cache)
    assert isinstance(info.value, JangkauError)
    assert "JANGKAU_JARINGAN" in str(info.value)
    assert not cache.exists() or not list(cache.glob("jalan_*"))


def test_missing_file(tmp_path, cache):
    with pytest.raises(osm.RoadNetworkError, match=r"tidak ditemukan.*JANGKAU_JARINGAN"):
        osm.load_road_graph(source=str(tmp_path / "tidak_ada.osm"), polygon=AREA, cache_dir=cache)


def test_bad_area(cache):
    with pytest.raises(ValueError, match="Polygon"):
        osm.load_road_graph(source=str(OSM_FILE), polygon=shapely.Point(117, -0.4), cache_dir=cache)
    with pytest.raises(ValueError, match="degrees"):
        osm.load_road_graph(
            source=str(OSM_FILE), polygon=shapely.box(490_000, 9e6, 510_000, 1e7), cache_dir=cache
        )


@pytest.mark.parametrize(
    ("tags", "kept"),
    [
        ({"highway": "primary"}, True),
        ({"highway": "primary_link"}, True),
        ({"highway": "track"}, True),
        ({"highway": "living_street"}, True),
        ({"highway": "unclassified_link"}, False),
        ({"highway": "footway"}, False),
        ({"highway": "path"}, False),
        ({"highway": "cycleway"}, False),
        ({"highway": "service", "access": "private"}, False),
        ({"highway": "service", "area": "yes"}, False),
        ({"highway": "residential", "access": "yes"}, True),
        ({"building": "yes"}, False),
    ],
)
def test_keep_way(tags, kept):
    assert osm.keep_way(tags) is kept


def test_every_kept_class_has_a_speed():
    assert set(osm.SPEEDS_KMH) == set(osm.ROAD_CLASSES)
    assert all(osm.keep_way({"highway": c}) for c in osm.ROAD_CLASSES)


def test_road_network_checks(roads):
    with pytest.raises(ValueError, match="columns"):
        osm.RoadNetwork(nodes=roads.nodes.drop(columns="x"), edges=roads.edges)
    with pytest.raises(ValueError, match="endpoints"):
        osm.RoadNetwork(nodes=roads.nodes[roads.nodes["osmid"] != 5], edges=roads.edges)
    with pytest.raises(ValueError, match="negative"):
        osm.RoadNetwork(nodes=roads.nodes, edges=roads.edges.assign(menit=-1.0))
    with pytest.raises(ValueError, match="duplicate"):
        osm.RoadNetwork(nodes=pd.concat([roads.nodes, roads.nodes.head(1)]), edges=roads.edges)


# --- Overpass, answered by a local server ---------------------------------------------------


def overpass_json() -> dict:
    """What Overpass returns for the road filter: the fixture without the footway and the
    private road, and without the nodes only those two use."""
    root = ET.parse(OSM_FILE).getroot()
    ways = [w for w in root.iter("way") if w.get("id") not in {"107", "108"}]
    used = {int(nd.get("ref")) for w in ways for nd in w.iter("nd")}
    elements = [
        {
            "type": "node",
            "id": int(n.get("id")),
            "lat": float(n.get("lat")),
            "lon": float(n.get("lon")),
        }
        for n in root.iter("node")
        if int(n.get("id")) in used
    ]
    elements += [
        {
            "type": "way",
            "id": int(w.get("id")),
            "nodes": [int(nd.get("ref")) for nd in w.iter("nd")],
            "tags": {t.get("k"): t.get("v") for t in w.iter("tag")},
        }
        for w in ways
    ]
    return {"version": 0.6, "generator": "Overpass API (test)", "elements": elements}


class OverpassServer:
    """A canned Overpass API on 127.0.0.1 that records the queries it receives."""

    def __init__(self, status: int, body: bytes, content_type: str):
        self.queries: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = parse_qs(self.rfile.read(length).decode("utf-8"))
                owner.queries.append(form.get("data", [""])[0])
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/api"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def overpass(monkeypatch):
    """Start a canned server and point osmnx at it; osmnx settings are restored afterwards."""
    servers: list[OverpassServer] = []
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setattr(ox.settings, "overpass_rate_limit", False)
    monkeypatch.setattr(ox.settings, "requests_timeout", 10)
    # osmnx replaces socket.getaddrinfo to pin the host; restore it even if load_road_graph fails
    monkeypatch.setattr(socket, "getaddrinfo", socket.getaddrinfo)

    def start(status: int = 200, body: bytes | None = None, content_type="application/json"):
        if body is None:
            body = json.dumps(overpass_json()).encode("utf-8")
        server = OverpassServer(status, body, content_type)
        servers.append(server)
        monkeypatch.setattr(ox.settings, "overpass_url", server.url)
        return server

    yield start
    for server in servers:
        server.close()


def test_overpass(overpass, cache, roads):
    server = overpass()
    folder_before, getaddrinfo_before = ox.settings.cache_folder, socket.getaddrinfo
    network = osm.load_road_graph(source="overpass", polygon=AREA, cache_dir=cache)
    assert network.sumber == "overpass"
    pd.testing.assert_frame_equal(network.nodes, roads.nodes)
    pd.testing.assert_frame_equal(network.edges, roads.edges)
    # the road filter went to the server
    assert len(server.queries) == 1
    assert osm.OVERPASS_FILTER in server.queries[0]
    # osmnx's settings and the DNS patch are undone; its response copy sits beside our cache
    assert ox.settings.cache_folder == folder_before
    assert socket.getaddrinfo is getaddrinfo_before
    assert list((cache / "overpass").glob("*.json"))
    # a second load comes from our cache without asking the server again
    again = osm.load_road_graph(source="overpass", polygon=AREA, cache_dir=cache)
    pd.testing.assert_frame_equal(again.edges, network.edges)
    assert len(server.queries) == 1


def test_overpass_server_error(overpass, cache):
    overpass(status=500, body=b"Internal Server Error", content_type="text/plain")
    with pytest.raises(osm.RoadNetworkError, match="kode 500") as info:
        osm.load_road_graph(source="overpass", polygon=AREA, cache_dir=cache)
    message = str(info.value)
    assert "internet" in message and "JANGKAU_JARINGAN" in message
    assert not list(cache.glob("jalan_*"))


def test_overpass_empty_answer(overpass, cache):
    overpass(body=json.dumps({"elements": []}).encode("utf-8"))
    with pytest.raises(osm.RoadNetworkError, match="tidak mengembalikan ruas jalan"):
        osm.load_road_graph(source="overpass", polygon=AREA, cache_dir=cache)


def test_overpass_unreachable(overpass, cache, monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setattr(ox.settings, "overpass_url", f"http://127.0.0.1:{port}/api")
    with pytest.raises(osm.RoadNetworkError, match=r"tidak dapat dihubungi.*internet"):
        osm.load_road_graph(source="overpass", polygon=AREA, cache_dir=cache)


# --- BRI service points from OpenStreetMap features, answered by a local server -------------

#: A closed way (the bank's building) around (116.9800, -0.4400).
BANK_WAY_NODES = {
    9001: (116.9795, -0.4405),
    9002: (116.9805, -0.4405),
    9003: (116.9805, -0.4395),
    9004: (116.9795, -0.4395),
}


def bri_overpass_json() -> dict:
    """What Overpass returns for ``BRI_TAGS`` near Tenggarong: two BRI points, an ATM and two
    features that must not be kept."""

    def node(osmid, lon, lat, **tags):
        element = {"type": "node", "id": osmid, "lat": lat, "lon": lon}
        return element | ({"tags": tags} if tags else {})

    elements = [node(i, lon, lat) for i, (lon, lat) in BANK_WAY_NODES.items()]
    elements += [
        {
            "type": "way",
            "id": 500,
            "nodes": [9001, 9002, 9003, 9004, 9001],
            "tags": {
                "amenity": "bank",
                "building": "yes",
                "name": "BRI Unit Tenggarong",
                "brand": "BRI",
            },
        },
        node(
            123,
            116.9900,
            -0.4300,
            shop="convenience",
            name="BRILink Pak Amir",
            brand="BRILink",
        ),
        node(124, 116.9810, -0.4402, amenity="atm", name="ATM BRI", operator="BRI"),
        node(125, 116.9850, -0.4350, amenity="bank", name="Bank Mandiri", brand="Mandiri"),
        node(126, 116.9700, -0.4200, shop="bakery", name="Fabrik Roti"),
    ]
    return {"version": 0.6, "generator": "Overpass API (test)", "elements": elements}


@pytest.fixture
def bri_overpass(overpass):
    return lambda **kwargs: overpass(
        body=kwargs.pop("body", json.dumps(bri_overpass_json()).encode("utf-8")), **kwargs
    )


def test_fetch_bri_points(bri_overpass):
    server = bri_overpass()
    folder_before, use_cache_before = ox.settings.cache_folder, ox.settings.use_cache
    getaddrinfo_before = socket.getaddrinfo
    frame = osm.fetch_bri_points(polygon=AREA)
    assert list(frame.columns) == osm.BRI_POINT_COLUMNS
    assert frame[["id", "nama", "jenis"]].values.tolist() == [
        ["OSM-n123", "BRILink Pak Amir", "agen_brilink"],
        ["OSM-w500", "BRI Unit Tenggarong", "kantor_bri"],
    ]
    rows = frame.set_index("id")
    assert rows.loc["OSM-n123", ["lat", "lon"]].tolist() == [-0.43, 116.99]
    # the way's centroid, the middle of its square
    assert rows.loc["OSM-w500", ["lat", "lon"]].tolist() == pytest.approx([-0.44, 116.98], abs=1e-6)
    assert (frame["catatan"] == "OpenStreetMap").all()
    assert frame["aktif"].all()
    assert frame["kode_desa"].isna().all() and frame["kapasitas"].isna().all()
    # the query asked for banks, ATMs, shops and BRI brands; nothing is cached, settings restored
    assert len(server.queries) == 1
    for part in ("['amenity'='bank']", "['amenity'='atm']", "['shop']", "['brand'='BRILink']"):
        assert part in server.queries[0]
    assert ox.settings.cache_folder == folder_before
    assert ox.settings.use_cache == use_cache_before
    assert socket.getaddrinfo is getaddrinfo_before
    osm.fetch_bri_points(polygon=AREA)
    assert len(server.queries) == 2


def test_fetch_bri_points_with_atm(bri_overpass):
    bri_overpass()
    frame = osm.fetch_bri_points(polygon=AREA, include_atm=True)
    assert frame.set_index("id")["jenis"].to_dict() == {
        "OSM-n123": "agen_brilink",
        "OSM-n124": "kantor_bri",
        "OSM-w500": "kantor_bri",
    }
    assert frame.set_index("id").loc["OSM-n124", "nama"] == "ATM BRI"


def test_bri_points_pass_read_points(bri_overpass, bounds):
    from geo.reach.service_points import read_points

    bri_overpass()
    frame = osm.fetch_bri_points(polygon=AREA, include_atm=True)
    result = read_points(
        frame.to_csv(index=False).encode(),
        filename="openstreetmap.csv",
        kabupaten=bounds.kabupaten.geometry.iloc[0],
        villages=bounds.villages,
    )
    assert result.problems == []
    assert list(result.frame["id"]) == list(frame["id"])
    assert list(result.frame["jenis"]) == list(frame["jenis"])
    assert result.frame["aktif"].all()
    assert (result.frame["posisi"] == "koordinat").all()
    np.testing.assert_allclose(result.frame[["lat", "lon"]], frame[["lat", "lon"]])


# osmnx warns that Kukar takes several sub-queries; that is expected here
@pytest.mark.filterwarnings("ignore:This area is .* times your configured Overpass")
def test_bri_points_default_area_is_kukar(bri_overpass, bounds):
    from geo.reach.service_points import read_points

    server = bri_overpass()
    frame = osm.fetch_bri_points()
    # the large area is asked for in several parts, each answered with the same features:
    # each feature is kept once
    assert len(server.queries) > 1
    assert list(frame["id"]) == ["OSM-n123", "OSM-w500"]
    result = read_points(
        frame.to_csv(index=False).encode(),
        filename="openstreetmap.csv",
        kabupaten=bounds.kabupaten.geometry.iloc[0],
    )
    assert result.problems == []


def test_bri_points_outside_the_area_are_dropped(bri_overpass):
    bri_overpass()
    # only the shop at (116.99, -0.43) lies in this box; the bank's way does not reach it
    frame = osm.fetch_bri_points(polygon=shapely.box(116.985, -0.435, 116.995, -0.425))
    assert list(frame["id"]) == ["OSM-n123"]


def test_bri_points_unnamed_and_nothing_found(bri_overpass):
    answer = {
        "elements": [
            {"type": "node", "id": 7, "lat": -0.43, "lon": 116.99, "tags": {"brand": "BRI"}},
            {"type": "node", "id": 8, "lat": -0.43, "lon": 116.98, "tags": {"shop": "kiosk"}},
        ]
    }
    bri_overpass(body=json.dumps(answer).encode("utf-8"))
    frame = osm.fetch_bri_points(polygon=AREA)
    # a feature known only by its BRI brand, neither a bank nor a shop, has no type: dropped
    assert frame.empty and list(frame.columns) == osm.BRI_POINT_COLUMNS
    answer["elements"][0]["tags"] = {"shop": "convenience", "operator": "Bank Rakyat Indonesia"}
    bri_overpass(body=json.dumps(answer).encode("utf-8"))
    frame = osm.fetch_bri_points(polygon=AREA)
    assert frame[["id", "nama", "jenis"]].values.tolist() == [
        ["OSM-n7", "BRI (tanpa nama)", "agen_brilink"]
    ]
    # an office known by its BRI brand is a BRI office
    answer["elements"][0]["tags"] = {"office": "financial", "brand": "BRI", "name": "BRI KCP"}
    bri_overpass(body=json.dumps(answer).encode("utf-8"))
    frame = osm.fetch_bri_points(polygon=AREA)
    assert frame[["id", "nama", "jenis"]].values.tolist() == [["OSM-n7", "BRI KCP", "kantor_bri"]]
    bri_overpass(body=json.dumps({"elements": []}).encode("utf-8"))
    frame = osm.fetch_bri_points(polygon=AREA)
    assert frame.empty and list(frame.columns) == osm.BRI_POINT_COLUMNS


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("BRI Unit Tenggarong", True),
        ("Agen BRILink Bu Sari", True),
        ("agen bri-link", True),
        ("BRI Link", True),
        ("ATM BRI", True),
        ("PT Bank Rakyat Indonesia (Persero) Tbk", True),
        ("Kantor Cabang BRI.", True),
        ("Fabrik Roti", False),
        ("FABRIK", False),
        ("Bristol", False),
        ("BRIS", False),
        ("BRI Syariah", False),
        ("Bank Mandiri", False),
        ("", False),
        (None, False),
    ],
)
def test_mentions_bri(text, kept):
    assert osm.mentions_bri(text) is kept


def test_bri_points_server_error(bri_overpass):
    bri_overpass(status=500, body=b"Internal Server Error", content_type="text/plain")
    folder_before, use_cache_before = ox.settings.cache_folder, ox.settings.use_cache
    with pytest.raises(osm.OsmImportError, match="kode 500") as info:
        osm.fetch_bri_points(polygon=AREA)
    assert isinstance(info.value, JangkauError)
    message = str(info.value)
    assert "Titik layanan BRI tidak dapat diunduh" in message and "internet" in message
    assert ox.settings.cache_folder == folder_before
    assert ox.settings.use_cache == use_cache_before


def test_bri_points_unreachable(overpass, monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setattr(ox.settings, "overpass_url", f"http://127.0.0.1:{port}/api")
    with pytest.raises(osm.OsmImportError, match=r"tidak dapat dihubungi.*internet"):
        osm.fetch_bri_points(polygon=AREA)


# --- The import on the page "Jarak Layanan", tab "Titik layanan" ------------------------------


@pytest.fixture
def demo_store(bounds):
    """The demo set in this test's own data folder (the page writes to it)."""
    import streamlit as st

    from geo.datasets import load_demo
    from geo.store.database import Store

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    store = Store(f"sqlite:///{settings.DATA_DIR / 'jangkau.db'}")
    load_demo(store, bounds, out_dir=settings.DATA_DIR / "demo")
    st.cache_data.clear()
    st.cache_resource.clear()
    yield store
    store.dispose()
    st.cache_data.clear()
    st.cache_resource.clear()


def _page():
    from streamlit.testing.v1 import AppTest

    root = ROOT
    import time

    from pages.common import Keys

    at = AppTest.from_file(str(root / "pages" / "jarak_layanan.py"), default_timeout=180)
    at.session_state[Keys.USER] = {"username": "uji", "peran": "perencana", "nama": "Uji"}
    at.session_state[Keys.LAST_ACTIVE] = time.time()
    return at


@pytest.mark.filterwarnings("ignore:This area is .* times your configured Overpass")
def test_page_imports_bri_points(bri_overpass, demo_store):
    bri_overpass()
    before = demo_store.service_points(active_only=False)
    at = _page().run()
    assert not at.exception, at.exception
    at.button(key="osm_fetch").click().run()
    assert not at.exception, at.exception
    shown = [df.value for df in at.dataframe if "sudah_ada" in df.value.columns]
    assert len(shown) == 1
    assert list(shown[0]["id"]) == ["OSM-n123", "OSM-w500"]
    at.button(key="osm_add").click().run()
    assert not at.exception, at.exception
    after = demo_store.service_points(active_only=False)
    assert len(after) == len(before) + 2
    added = after.set_index("id").loc[["OSM-n123", "OSM-w500"]]
    assert list(added["jenis"]) == ["agen_brilink", "kantor_bri"]
    assert added["aktif"].all()
    # the points already in the table are unchanged
    pd.testing.assert_frame_equal(
        after[after["id"].isin(before["id"])].reset_index(drop=True),
        before.reset_index(drop=True),
        check_dtype=False,
    )
    # a second search finds both already in the table: nothing more to add
    at.button(key="osm_fetch").click().run()
    assert not at.exception, at.exception
    assert not [b for b in at.button if b.key == "osm_add"]


@pytest.mark.filterwarnings("ignore:This area is .* times your configured Overpass")
def test_page_import_error_is_shown(bri_overpass, demo_store):
    bri_overpass(status=500, body=b"Internal Server Error", content_type="text/plain")
    at = _page().run()
    at.button(key="osm_fetch").click().run()
    assert not at.exception, at.exception
    assert any("Titik layanan BRI tidak dapat diunduh" in e.value for e in at.error)
