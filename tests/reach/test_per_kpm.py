"""Nearest service point for every KPM with roster coordinates: import, store, library, page, CLI.

The library is checked against a brute force computed independently: per service point one scipy
Dijkstra, each KPM's own join leg found by a scan of the candidate nodes (the main strongly
connected part of the road found with networkx), then the minimum over points.
"""

from __future__ import annotations

import json
import re
import time

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from geo import cli, geometry, settings
from geo._errors import JangkauError
from geo.areas.lookup import VillageIndex
from geo.intake.problems import ImportResult
from geo.intake.roster import read_roster
from geo.reach import nearest as reach
from geo.reach import network, per_kpm
from geo.reach.graph import SUMBER, TravelGraph
from geo.reach.per_kpm import KPM_COLUMNS, kpm_by_time, nearest_kpm, villages_by_time
from geo.reach.service_points import JENIS_BRI
from geo.realization.reconcile import location_problems, reconcile
from geo.store import database as store
from geo.store.database import Store

NIK_RUN = re.compile(r"\d{16}")
KODE = "64.02.06.1003"  # Kelurahan Bukit Biru, Tenggarong


def nik(i: int) -> str:
    return f"640201{i:06d}{i % 9000 + 1:04d}"


@pytest.fixture(scope="module")
def index(boundaries_cache):
    from geo.areas import boundaries

    return VillageIndex(boundaries.load(cache_dir=boundaries_cache).villages)


def roster_bytes(header: list[str], rows: list[list[str]], sep: str = ";") -> bytes:
    lines = [sep.join(header), *(sep.join(r) for r in rows)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


# -- importer ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lat_header", "lon_header"),
    [
        ("LAT", "LON"),
        ("LINTANG", "BUJUR"),
        ("Latitude", "Longitude"),
        ("KOORDINAT Y", "KOORDINAT X"),
        ("lat", "lng"),
        ("Koordinat_Lintang", "Koordinat_Bujur"),
    ],
)
def test_roster_coordinate_headers_are_recognised(index, lat_header, lon_header):
    data = roster_bytes(
        ["NIK", "KODE WILAYAH", "PKH", lat_header, lon_header],
        [[nik(1), KODE, "Ya", "-0.4412", "116.9876"]],
    )
    result = read_roster(data, filename="r.csv", index=index)
    assert result.mapping["lat"] == lat_header and result.mapping["lon"] == lon_header
    assert result.problems == []
    row = result.frame.iloc[0]
    assert row["lat"] == pytest.approx(-0.4412) and row["lon"] == pytest.approx(116.9876)
    assert result.summary()["baris_berkoordinat"] == 1


def test_decimal_comma_and_both_programmes_keep_one_point(index):
    data = roster_bytes(
        ["NIK", "KODE WILAYAH", "PKH", "BPNT", "LINTANG", "BUJUR"],
        [
            [nik(1), KODE, "Ya", "Ya", "-0,4412", "116,9876"],
            [nik(2), KODE, "Ya", "", " -0,44 ", "116,98°"],
            [nik(3), KODE, "Ya", "", "", ""],  # no coordinates: no problem, imported
        ],
    )
    result = read_roster(data, filename="r.csv", index=index)
    assert result.problems == []
    frame = result.frame
    assert len(frame) == 4
    both = frame[frame["nik"] == nik(1)]
    assert both["lat"].tolist() == [-0.4412, -0.4412] and both["lon"].tolist() == [116.9876] * 2
    assert frame.loc[frame["nik"] == nik(2), ["lat", "lon"]].values.tolist() == [[-0.44, 116.98]]
    assert frame.loc[frame["nik"] == nik(3), ["lat", "lon"]].isna().all(axis=None)


def test_bad_coordinates_are_reported_and_the_kpm_still_imported(index):
    rows = [
        [nik(1), KODE, "Ya", "116,98", "-0,44"],  # swapped: fixed and reported
        [nik(2), KODE, "Ya", "-0,44", "11698"],  # decimal point lost: outside Kukar
        [nik(3), KODE, "Ya", "0°26'LS", "116,98"],  # not a decimal number
        [nik(4), KODE, "Ya", "-0,44", ""],  # half given
        [nik(5), KODE, "Ya", "-0.44,1", "116.98"],  # comma and point: not a number
        [nik(6), KODE, "Ya", "nan", "inf"],
        [nik(7), KODE, "Ya", "-3,2", "110,1"],  # Java: outside
        [nik(8), KODE, "Ya", "-0,44", "116,98"],  # fine
    ]
    data = roster_bytes(["NIK", "KODE WILAYAH", "PKH", "LINTANG", "BUJUR"], rows)
    result = read_roster(data, filename="dinsos.csv", index=index)
    frame = result.frame.set_index("row")
    assert sorted(frame.index) == list(range(2, 10))  # every KPM imported
    by_row: dict[int, list] = {}
    for p in result.problems:
        assert p.file == "dinsos.csv"
        assert not NIK_RUN.search(p.value + p.reason)
        by_row.setdefault(p.row, []).append(p)
    assert sorted(by_row) == [2, 3, 4, 5, 6, 7, 8]
    (swap,) = by_row[2]
    assert (
        swap.column == "LINTANG" and "tertukar" in swap.reason and "ditukar kembali" in swap.reason
    )
    assert swap.value == "116,98; -0,44"
    assert frame.loc[2, ["lat", "lon"]].tolist() == [-0.44, 116.98]
    (lost,) = by_row[3]
    assert "di luar Kutai Kartanegara" in lost.reason and "tetap diimpor" in lost.reason
    (text,) = by_row[4]
    assert text.column == "LINTANG" and text.value == "0°26'LS" and "bukan angka" in text.reason
    (half,) = by_row[5]
    assert half.column == "BUJUR" and half.value == "" and "kosong" in half.reason
    assert by_row[6][0].column == "LINTANG"
    assert {p.column for p in by_row[7]} == {"LINTANG", "BUJUR"}
    assert "di luar Kutai Kartanegara" in by_row[8][0].reason
    for row in range(3, 9):
        assert frame.loc[row, ["lat", "lon"]].isna().all(), row
    assert frame.loc[9, ["lat", "lon"]].tolist() == [-0.44, 116.98]


def test_only_one_coordinate_column_is_one_file_problem(index):
    data = roster_bytes(
        ["NIK", "KODE WILAYAH", "PKH", "LATITUDE"],
        [[nik(1), KODE, "Ya", "-0.44"], [nik(2), KODE, "Ya", "-0.45"]],
    )
    result = read_roster(data, filename="r.csv", index=index)
    (problem,) = result.problems
    assert problem.row is None and problem.column == "LATITUDE"
    assert "bujur" in problem.reason and "BUJUR" in problem.reason
    assert len(result.frame) == 2 and result.frame["lat"].isna().all()


def test_point_far_outside_its_village_is_a_warning_and_kept(index, bounds):
    villages = bounds.villages
    inside = villages.set_index("kode").geometry[KODE].representative_point()
    far = villages.set_index("kode").geometry["64.02.12.2013"].representative_point()  # Tabang
    data = roster_bytes(
        ["NIK", "KODE WILAYAH", "PKH", "LAT", "LON"],
        [
            [nik(1), KODE, "Ya", f"{inside.y:.5f}", f"{inside.x:.5f}"],
            [nik(2), KODE, "Ya", f"{far.y:.5f}", f"{far.x:.5f}"],
        ],
    )
    roster = read_roster(data, filename="r.csv", index=index)
    (warning,) = location_problems(roster, villages)
    assert warning.row == 3 and warning.column == "LAT"
    assert (
        "di luar batas desanya (Bukit Biru)" in warning.reason and "tetap dipakai" in warning.reason
    )
    assert not NIK_RUN.search(warning.value + warning.reason)
    km = geometry.outside_village_km(
        roster.frame["lon"], roster.frame["lat"], roster.frame["kode_desa"], villages
    )
    assert km[0] == 0 and km[1] > 100
    # Nothing without polygons (a plain frame), and the reconciliation carries the warning.
    assert location_problems(roster, pd.DataFrame(villages[["kode", "nama"]])) == []
    real = pd.DataFrame(
        {
            "nik": [nik(1)],
            "program": ["PKH"],
            "status": ["terealisasi"],
            "alasan": [""],
            "tahap": ["1"],
            "nominal": [np.nan],
            "kode_desa": [KODE],
            "id_agen": [""],
            "tanggal_transaksi": [""],
            "row": np.array([2]),
        }
    )
    realisasi = ImportResult("realisasi", "b.csv", real, [], [], {"nik": "NIK"}, [], False, 1)
    result = reconcile(roster, realisasi, villages=villages)
    assert result.kpm[["lat", "lon"]].notna().all(axis=None)
    assert any("di luar batas desanya" in p.reason for p in result.problems)
    assert result.summary()["nik_berkoordinat"] == 2


# -- store ------------------------------------------------------------------------------------


def _save(st: Store, kpm: pd.DataFrame, fingerprint: str):
    villages = kpm.groupby(["kode_desa", "program"]).size().rename("kpm").reset_index()
    for column in ("terealisasi", "belum_transaksi", "tidak_transaksi"):
        villages[column] = 0
    villages["tanpa_data_bri"] = villages["kpm"]
    return st.save_round(
        label="uji",
        fingerprint=fingerprint,
        sources=[],
        summary={},
        villages=villages,
        kpm=kpm,
        problems=pd.DataFrame(columns=["file", "row", "column", "value", "reason"]),
        is_demo=False,
    )


def _kpm(n: int, *, coordinates: bool) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "nik": [nik(i) for i in range(n)],
            "program": "PKH",
            "nama": "UJI",
            "no_kk": "",
            "kode_desa": KODE,
            "status": "tanpa_data_bri",
            "alasan": "",
        }
    )
    if coordinates:
        frame["lat"] = [-0.44 - i / 1000 if i % 3 else np.nan for i in range(n)]
        frame["lon"] = [116.98 + i / 1000 if i % 3 else np.nan for i in range(n)]
    return frame


def test_store_round_trip_of_coordinates():
    st = Store()
    kpm = _kpm(6, coordinates=True)
    info = _save(st, kpm, "f1")
    back = st.round_kpm(info.id).set_index("nik").loc[kpm["nik"]]
    assert back["lat"].dtype == float and back["lon"].dtype == float
    np.testing.assert_array_equal(back["lat"].to_numpy(), kpm["lat"].to_numpy())
    np.testing.assert_array_equal(back["lon"].to_numpy(), kpm["lon"].to_numpy())
    # A frame without coordinates (an older caller) saves NULLs.
    old = _save(st, _kpm(2, coordinates=False), "f2")
    assert st.round_kpm(old.id)[["lat", "lon"]].isna().all(axis=None)


def test_old_database_migrates_and_its_rounds_still_load(monkeypatch):
    url = settings.database_url()
    before_7 = [m for m in store.MIGRATIONS if m[0] < 7]
    monkeypatch.setattr(store, "MIGRATIONS", before_7)
    old_store = Store(url)
    assert old_store.version == 6
    # A round as the version before coordinates saved it (its columns only).
    with old_store.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO rounds (id, label, created_at, is_demo, fingerprint, sources, "
                "summary) VALUES (1, 'lama', '2022-01-01T00:00:00+00:00', 0, 'lama', '[]', '{}')"
            )
        )
        for i in range(3):
            conn.execute(
                sa.text(
                    "INSERT INTO round_kpm (round_id, nik, program, nama, no_kk, kode_desa, "
                    "status, alasan) VALUES (1, :n, 'PKH', 'UJI', '', :k, 'terealisasi', '')"
                ),
                {"n": nik(i), "k": KODE},
            )
    old_store.dispose()
    monkeypatch.undo()

    st = Store(url)
    assert st.version == store.MIGRATIONS[-1][0]
    old = st.round_kpm(1)
    assert len(old) == 3 and old[["lat", "lon"]].isna().all(axis=None)
    new = _save(st, _kpm(4, coordinates=True), "baru")
    assert st.round_kpm(new.id)["lat"].notna().sum() == 2


def test_a_lower_migration_merged_after_a_higher_one_is_still_applied(monkeypatch):
    url = settings.database_url()
    without_7 = [m for m in store.MIGRATIONS if m[0] != 7]
    monkeypatch.setattr(store, "MIGRATIONS", without_7)
    Store(url).dispose()
    monkeypatch.undo()
    st = Store(url)
    with st.engine.connect() as conn:
        versions = conn.execute(sa.text("SELECT version FROM schema_version")).scalars().all()
        columns = [r[1] for r in conn.execute(sa.text("PRAGMA table_info(round_kpm)"))]
    assert 7 in versions and {"lat", "lon"} <= set(columns)
    assert st.version == max(m[0] for m in store.MIGRATIONS)


# -- library against brute force --------------------------------------------------------------

LAND = [f"64.02.99.20{i:02d}" for i in range(1, 6)]
BOAT, CUT_OFF = "64.02.99.2101", "64.02.99.2102"  # boat-only; the second has no boat leg


def _lonlat(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Transformer

    t = Transformer.from_crs(settings.CRS_METRIC, settings.CRS_GEO, always_xy=True)
    return t.transform(xy[:, 0], xy[:, 1])


def _scenario(seed: int, *, road: bool):
    """A random road graph (one-way legs, a dead end, an isolated piece of road), villages,
    service points, a boat leg and KPM, built with ``network.build``."""
    rng = np.random.default_rng(seed)
    origin = geometry.project_lonlat([117.0], [-0.45])[0]
    n = 70
    xy = origin + rng.uniform(-9_000, 9_000, size=(n, 2))
    # Three nodes of road far from the rest (never in the main strongly connected part).
    xy[n - 3 :] = origin + np.array([[8_500.0, 8_500.0], [8_900.0, 8_700.0], [8_700.0, 9_000.0]])
    _, tree_i = cKDTree(xy[: n - 3]).query(xy[: n - 3], k=4)
    pairs = {tuple(sorted((i, int(j)))) for i in range(n - 3) for j in tree_i[i, 1:]}
    u, v = np.array(sorted(pairs)).T
    one_way = rng.random(u.size) < 0.15
    flip = rng.random(u.size) < 0.5
    fu = np.concatenate([np.where(flip, v, u), v[~one_way]])
    fv = np.concatenate([np.where(flip, u, v), u[~one_way]])
    fu = np.concatenate([fu, [n - 3, n - 2, n - 2, n - 1]])
    fv = np.concatenate([fv, [n - 2, n - 3, n - 1, n - 2]])
    km = np.hypot(*(xy[fu] - xy[fv]).T) / 1000 * rng.uniform(1.05, 1.4, fu.size)
    speed = rng.choice([20.0, 30.0, 45.0], size=fu.size)
    road_graph = TravelGraph(
        nodes=pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "kind": "jalan", "ref": range(n)}),
        edges=pd.DataFrame(
            {
                "u": fu,
                "v": fv,
                "km": km,
                "menit": km / speed * 60,
                "sumber": "jalan",
                "moda": "mobil",
            }
        ),
    )
    v_xy = np.vstack(
        [
            origin + rng.uniform(-7_000, 7_000, size=(len(LAND), 2)),
            origin + np.array([[16_000.0, -2_000.0], [-15_000.0, 12_000.0]]),
        ]
    )
    v_lon, v_lat = _lonlat(v_xy)
    villages = pd.DataFrame(
        {
            "kode": [*LAND, BOAT, CUT_OFF],
            "nama": [f"Desa {i}" for i in range(len(LAND) + 2)],
            "kecamatan": "Uji",
            "ref_lon": v_lon,
            "ref_lat": v_lat,
        }
    )
    p_xy = np.vstack([origin + rng.uniform(-8_000, 8_000, size=(8, 2)), v_xy[len(LAND)] + 300])
    p_lon, p_lat = _lonlat(p_xy)
    points = pd.DataFrame(
        {
            "id": [f"P{i}" for i in range(9)],
            "nama": [f"Titik {i}" for i in range(9)],
            "jenis": ["e-warong"] * 4 + ["agen_brilink"] * 3 + ["kantor_bri", "agen_brilink"],
            "lon": p_lon,
            "lat": p_lat,
            "kode_desa": [LAND[i % len(LAND)] for i in range(8)] + [BOAT],
        }
    )
    boats = pd.DataFrame(
        {
            "dari": [LAND[0]],
            "ke": [BOAT],
            "moda": ["longboat"],
            "menit": [80.0],
            "tunggu_menit": [25.0],
        }
    )
    net = network.build(
        villages, points, boats=boats, road=road_graph if road else None, no_road=(BOAT, CUT_OFF)
    )
    # KPM: on land within 4 km of the road (so the 5 km rule is not what is tested here),
    # around the boat-only villages, and beside the isolated piece of road.
    land_xy = origin + rng.uniform(-8_000, 8_000, size=(40, 2))
    k_xy = np.vstack(
        [
            land_xy,
            v_xy[len(LAND)] + rng.normal(0, 400, size=(6, 2)),
            v_xy[len(LAND) + 1] + rng.normal(0, 400, size=(3, 2)),
            xy[n - 2] + rng.normal(0, 200, size=(3, 2)),
        ]
    )
    k_lon, k_lat = _lonlat(k_xy)
    codes = [LAND[i % len(LAND)] for i in range(40)] + [BOAT] * 6 + [CUT_OFF] * 3 + [LAND[1]] * 3
    kpm = pd.DataFrame(
        {
            "nik": [nik(i) for i in range(len(codes))],
            "program": "BPNT",
            "kode_desa": codes,
            "status": "belum_transaksi",
            "lat": k_lat,
            "lon": k_lon,
        }
    )
    # A family in two programmes, and a KPM without coordinates (left out, counted).
    extra = kpm.iloc[[0]].assign(program="PKH")
    missing = kpm.iloc[[1]].assign(nik=nik(999), lat=np.nan, lon=np.nan)
    kpm = pd.concat([kpm, extra, missing], ignore_index=True)
    return net, villages, points, kpm, road_graph


def _main_road_nx(road_graph: TravelGraph) -> set[int]:
    g = nx.DiGraph()
    g.add_edges_from(zip(road_graph.edges["u"], road_graph.edges["v"], strict=True))
    return max(nx.strongly_connected_components(g), key=len)


def brute_force(net, villages, points, kpm, jenis, *, road_graph=None) -> pd.DataFrame:
    graph = net.graph
    xy = graph.nodes[["x", "y"]].to_numpy()
    transposed = graph.matrix().T.tocsr()
    best = graph.best_edges().set_index(["u", "v"])
    village_node = dict(zip(villages["kode"], net.village_node, strict=True))
    land_villages = [village_node[c] for c in LAND]
    land_points = net.point_node[points["kode_desa"].isin(LAND).to_numpy()]
    places = np.array(land_villages + list(land_points))
    roads = np.array(sorted(_main_road_nx(road_graph))) if road_graph is not None else None
    runs = {}
    for i in np.flatnonzero(points["jenis"].isin(jenis).to_numpy()):
        dist, pred = dijkstra(transposed, indices=int(net.point_node[i]), return_predecessors=True)
        runs[i] = (dist, pred)
    rows = []
    located = kpm[kpm["lat"].notna()]
    k_xy = geometry.project_lonlat(located["lon"], located["lat"])
    for (_, k), here in zip(located.iterrows(), k_xy, strict=True):
        if k["kode_desa"] in (BOAT, CUT_OFF):
            join = village_node[k["kode_desa"]]
        else:
            to_place = np.hypot(*(xy[places] - here).T)
            join, metres = int(places[np.argmin(to_place)]), to_place.min()
            if roads is not None:
                to_road = np.hypot(*(xy[roads] - here).T)
                # Beyond the snap distance of the road, a nearer place on land is joined.
                if to_road.min() <= settings.ROAD_SNAP_MAX_KM * 1000 or to_road.min() <= metres:
                    join = int(roads[np.argmin(to_road)])
        leg_km = np.hypot(*(xy[join] - here)) / 1000 * settings.DETOUR_FACTOR
        leg_min = leg_km / settings.ESTIMATE_SPEED_KMH * 60
        options = [(leg_min + d[join], i) for i, (d, _) in runs.items() if np.isfinite(d[join])]
        if not options:
            rows.append({"terjangkau": False})
            continue
        minutes, i = min(options)
        pred = runs[i][1]
        node, km, used = join, leg_km, {"perkiraan"}
        while pred[node] >= 0:
            leg = best.loc[(node, int(pred[node]))]
            km += leg["km"]
            used.add(leg["sumber"])
            node = int(pred[node])
        facility = xy[net.point_node[i]]
        rows.append(
            {
                "terjangkau": True,
                "layanan_id": points["id"].iloc[i],
                "waktu_menit": minutes,
                "jarak_tempuh_km": km,
                "jarak_lurus_km": np.hypot(*(facility - here)) / 1000,
                "sumber": "+".join(s for s in SUMBER if s in used),
            }
        )
    return pd.DataFrame(rows)


JENIS_CASES = [("e-warong", "agen_brilink", "kantor_bri"), ("e-warong",), JENIS_BRI]


@pytest.mark.parametrize("road", [True, False])
@pytest.mark.parametrize("jenis", JENIS_CASES)
@pytest.mark.parametrize("seed", [1, 2])
def test_per_kpm_equals_brute_force(seed, jenis, road):
    net, villages, points, kpm, road_graph = _scenario(seed, road=road)
    result = nearest_kpm(net, villages, points, kpm, jenis=jenis)
    table = result.table
    expected = brute_force(
        net, villages, points, kpm, jenis, road_graph=road_graph if road else None
    )
    assert len(table) == len(expected) == len(kpm) - 1
    assert table["terjangkau"].tolist() == expected["terjangkau"].tolist()
    ok = expected["terjangkau"].to_numpy(bool)
    assert ok.sum() >= len(kpm) - 5  # only the cut-off village's three
    assert table.loc[ok, "layanan_id"].tolist() == expected.loc[ok, "layanan_id"].tolist()
    assert table.loc[ok, "sumber"].tolist() == expected.loc[ok, "sumber"].tolist()
    for column, tolerance in (
        ("waktu_menit", 0.051),
        ("jarak_tempuh_km", 0.0051),
        ("jarak_lurus_km", 0.0051),
    ):
        np.testing.assert_allclose(
            table.loc[ok, column].to_numpy(float),
            expected.loc[ok, column].to_numpy(float),
            atol=tolerance,
            err_msg=column,
        )
    assert set(table.loc[ok, "layanan_jenis"]) <= set(jenis)


def test_boat_only_and_unreachable_kpm():
    net, villages, points, kpm, _ = _scenario(3, road=True)
    result = nearest_kpm(net, villages, points, kpm, jenis=("e-warong",))
    table = result.table
    boat = table[table["kode_desa"] == BOAT]
    # The boat village's own point is an agent: to an e-warong the path takes the boat.
    assert len(boat) == 6 and boat["terjangkau"].all()
    assert (boat["sumber"] == "jalan+perahu+perkiraan").all()
    assert (boat["waktu_menit"] > 80 + 25).all()
    cut = table[table["kode_desa"] == CUT_OFF]
    assert len(cut) == 3 and not cut["terjangkau"].any()
    assert cut[["jarak_lurus_km", "jarak_tempuh_km", "waktu_menit"]].isna().all(axis=None)
    assert (cut[["layanan_id", "layanan_nama", "layanan_jenis", "sumber"]] == "").all(axis=None)
    # Any point: the boat village's KPM reach its own agent without a boat.
    anyone = nearest_kpm(net, villages, points, kpm).table
    assert (anyone.loc[anyone["kode_desa"] == BOAT, "layanan_id"] == "P8").all()
    assert (anyone.loc[anyone["kode_desa"] == BOAT, "sumber"] == "perkiraan").all()
    # No point of the type at all: every KPM unreachable, never 0.
    none = nearest_kpm(net, villages, points, kpm, jenis=("tidak-ada",))
    assert not none.table["terjangkau"].any() and none.table["waktu_menit"].isna().all()
    assert none.summary()["median_menit"] is None


def test_village_summary_counts_families_once():
    net, villages, points, kpm, _ = _scenario(4, road=True)
    result = nearest_kpm(net, villages, points, kpm)
    summary = result.villages.set_index("kode_desa")
    located = kpm[kpm["lat"].notna()]
    families = located.drop_duplicates("nik")
    assert (
        summary["kpm_berkoordinat"].sum()
        == len(families)
        == result.summary()["keluarga_berkoordinat"]
    )
    assert result.summary()["keluarga_tanpa_koordinat"] == 1
    assert summary.loc[CUT_OFF, "kpm_tak_terjangkau"] == 3
    assert np.isnan(summary.loc[CUT_OFF, "median_menit"])
    table = result.table.assign(nik=located["nik"].to_numpy())
    first = table.drop_duplicates("nik")
    by_hand = first.groupby("kode_desa")["waktu_menit"].median()
    np.testing.assert_allclose(
        summary.loc[by_hand.index, "median_menit"], by_hand.to_numpy(), atol=0.06
    )
    assert result.table["nik_samaran"].str.fullmatch(r"6402\*{10}\d{2}").all()
    assert not NIK_RUN.search(result.table.to_csv() + result.villages.to_csv())


def test_path_totals_agree_with_walking_every_node():
    net, *_ = _scenario(5, road=True)
    graph = net.graph
    minutes, next_hop, source = reach.multi_source(graph, net.point_node[:4])
    km, bits, hops = reach.path_totals(graph, minutes, next_hop)
    walked = reach.walk_paths(graph, np.arange(graph.n), minutes, next_hop, source)
    np.testing.assert_allclose(km, walked.km, equal_nan=True)
    np.testing.assert_array_equal(hops, walked.hops)
    labels = [tuple(s for i, s in enumerate(SUMBER) if b >> i & 1) for b in bits]
    assert [lab if ok else () for lab, ok in zip(labels, walked.reachable, strict=True)] == list(
        walked.sumber
    )
    assert (~walked.reachable).any()  # the isolated road piece


def test_a_million_kpm_take_seconds():
    net, villages, points, kpm, _ = _scenario(6, road=True)
    rng = np.random.default_rng(0)
    big = kpm.iloc[rng.integers(0, len(kpm) - 1, 200_000)].reset_index(drop=True)
    big["lat"] += rng.normal(0, 0.005, len(big))
    big["nik"] = [f"6402{i:012d}" for i in range(len(big))]
    start = time.perf_counter()
    result = nearest_kpm(net, villages, points, big)
    assert time.perf_counter() - start < 10  # 200,000 here; the bench times a million
    assert len(result.table) == len(big)


# -- page and CLI -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory, boundaries_cache):
    from geo.areas import boundaries
    from geo.datasets import load_demo

    folder = tmp_path_factory.mktemp("demo-kpm")
    st = Store(f"sqlite:///{folder / 'jangkau.db'}")
    load_demo(st, boundaries.load(cache_dir=boundaries_cache), out_dir=folder / "demo")
    st.dispose()
    return folder


@pytest.fixture
def with_demo(demo_dir, monkeypatch, isolated_settings):
    monkeypatch.setattr(settings, "DATA_DIR", demo_dir)
    return demo_dir


@pytest.fixture
def clean_caches():
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def _rendered(at) -> str:
    parts = [
        str(e.value)
        for kind in ("markdown", "caption", "info", "warning", "error")
        for e in getattr(at, kind)
    ]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [df.value.to_csv() for df in at.dataframe]
    return "\n".join(parts)


def _kpm_frame(at):
    return next((df.value for df in at.dataframe if "NIK (disamarkan)" in df.value.columns), None)


def test_page_shows_masked_per_kpm_table(with_demo, clean_caches):
    from tests.test_pages import app

    at = app("pages/jarak_layanan.py", role="perencana").run()
    assert not at.exception, at.exception
    table = _kpm_frame(at)
    assert table is not None and len(table) == 2000
    assert table["NIK (disamarkan)"].str.fullmatch(r"6402\*{10}\d{2}").all()
    assert {
        "Desa",
        "Kecamatan",
        "Titik terdekat",
        "Jarak lurus (km)",
        "Waktu (menit)",
        "Sumber",
    } <= set(table.columns)
    assert "Nama" not in table.columns and "nama" not in table.columns
    text = _rendered(at)
    assert not NIK_RUN.search(text)
    assert "KPM berkoordinat" in text and "Ringkasan per desa" in text
    metrics = {m.label: int(m.value.replace(".", "")) for m in at.metric if "KPM" in m.label}
    # DTKS geotagging is partial: about 70 % of the demo families have coordinates.
    located, missing = metrics["KPM berkoordinat"], metrics["KPM tanpa koordinat"]
    assert 0.6 < located / (located + missing) < 0.8
    assert set(table["Status"]) <= {
        "Terealisasi",
        "Belum transaksi",
        "Tidak transaksi",
        "Tanpa data BRI",
    }
    labels = [b.label for b in at.get("download_button")]
    assert "Jarak per KPM (CSV)" in labels and "Jarak per KPM (XLSX)" in labels
    # Same figures as the library on the store's data, and the e-warong filter applies.
    at.segmented_control(key="reach_jenis").set_value("e-warong").run()
    assert not at.exception
    assert set(_kpm_frame(at)["Jenis titik"]) <= {"e-Warong", ""}  # a label, not the code


def test_per_kpm_tab_says_what_a_row_is_and_who_is_left_out(with_demo, clean_caches):
    from tests.test_pages import app

    at = app("pages/jarak_layanan.py", role="perencana").run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric if "KPM" in m.label}
    families, missing = metrics["KPM berkoordinat"], metrics["KPM tanpa koordinat"]
    heading = next(m.value for m in at.markdown if "Per KPM dan program" in m.value)
    # The heading counts rows (family × programme) and families, the latter as the metric does.
    assert f"untuk {families} KPM berkoordinat" in heading and "satu program" in heading
    rows = int(re.search(r"([\d.]+) baris untuk", heading).group(1).replace(".", ""))
    assert rows > int(families.replace(".", ""))  # some families receive PKH and BPNT
    assert f"{missing} KPM tanpa koordinat rumah tidak ada di tabel per KPM" in _rendered(at)


def test_viewer_sees_only_the_village_summary(with_demo, clean_caches):
    from tests.test_pages import app

    at = app("pages/jarak_layanan.py", role="pengamat").run()
    assert not at.exception, at.exception
    assert _kpm_frame(at) is None
    text = _rendered(at)
    assert "hanya untuk perencana" in text and "Ringkasan per desa" in text
    assert not NIK_RUN.search(text)


def test_page_without_coordinates_says_which_columns(clean_caches, bounds):
    from tests.test_pages import app

    st = Store()
    st.replace_service_points(
        pd.DataFrame(
            {
                "id": ["EW-1"],
                "nama": ["E-Warong A"],
                "jenis": ["e-warong"],
                "lat": [-0.44],
                "lon": [116.98],
                "kode_desa": [KODE],
                "kapasitas": [None],
                "aktif": [True],
            }
        ),
        is_demo=False,
    )
    _save(st, _kpm(3, coordinates=False), "tanpa-koordinat")
    at = app("pages/jarak_layanan.py", role="perencana").run()
    assert not at.exception, at.exception
    note = " ".join(i.value for i in at.info)
    assert "tidak memuat koordinat" in note and "LINTANG" in note and "BUJUR" in note
    assert _kpm_frame(at) is None


def test_cli_per_kpm_equals_the_library(with_demo, tmp_path, capsys, bounds):
    layanan = settings.DATA_DIR / "demo" / "layanan.csv"
    out, per_kpm = tmp_path / "near.csv", tmp_path / "kpm.csv"
    args = ["nearest", "--layanan", str(layanan), "--out", str(out), "--per-kpm", str(per_kpm)]
    assert cli.main(args) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["per_kpm"]["keluarga_berkoordinat"] > 20_000
    written = pd.read_csv(
        per_kpm, dtype={"kode_desa": str, "layanan_id": str}, keep_default_na=False
    )
    assert list(written.columns[: len(KPM_COLUMNS)]) == KPM_COLUMNS
    assert (written["catatan"] != "").all()  # DATA CONTOH
    assert not NIK_RUN.search(per_kpm.read_text(encoding="utf-8"))
    st = Store()
    points = st.service_points()
    net = network.load_network(bounds.villages, points, jaringan="", boats=st.boat_legs())
    kpm = st.round_kpm(st.latest_round().id)
    page = nearest_kpm(net, bounds.villages, points, kpm).table
    assert written["nik_samaran"].tolist() == page["nik_samaran"].tolist()
    assert written["layanan_id"].tolist() == page["layanan_id"].tolist()
    assert written["sumber"].tolist() == page["sumber"].tolist()
    np.testing.assert_allclose(written["waktu_menit"], page["waktu_menit"])
    np.testing.assert_allclose(written["jarak_tempuh_km"], page["jarak_tempuh_km"])


def test_cli_per_kpm_from_a_roster_file(tmp_path, capsys, bounds):
    layanan = tmp_path / "layanan.csv"
    layanan.write_text(
        "id,nama,jenis,lat,lon,kode_desa\nEW-1,E-Warong A,e-warong,-0.44,116.98,64.02.06.1003\n",
        encoding="utf-8",
    )
    roster = tmp_path / "roster.csv"
    roster.write_bytes(
        roster_bytes(
            ["NIK", "NAMA", "KODE WILAYAH", "PKH", "LINTANG", "BUJUR"],
            [
                [nik(1), "SITI AMINAH", KODE, "Ya", "-0,45", "116,99"],
                [nik(2), "BUDI", KODE, "Ya", "116,99", "-0,45"],
                [nik(3), "ANI", KODE, "Ya", "", ""],
            ],
        )
    )
    out, per_kpm = tmp_path / "near.csv", tmp_path / "kpm.csv"
    base = ["nearest", "--layanan", str(layanan), "--jaringan", "perkiraan", "--out", str(out)]
    assert cli.main([*base, "--per-kpm", str(per_kpm), "--roster", str(roster)]) == 0
    captured = capsys.readouterr()
    assert "tertukar" in captured.err and "-0,45" not in captured.err  # no coordinates echoed
    assert "SITI" not in captured.err and not NIK_RUN.search(captured.err)
    written = pd.read_csv(per_kpm, keep_default_na=False)
    assert len(written) == 2 and (written["layanan_id"] == "EW-1").all()
    assert "SITI" not in per_kpm.read_text(encoding="utf-8")
    assert written["waktu_menit"].iloc[0] == pytest.approx(written["waktu_menit"].iloc[1])
    # --roster alone, and a roster without coordinates, are clear errors.
    assert cli.main([*base, "--roster", str(roster)]) == 2
    assert "--per-kpm" in capsys.readouterr().err
    plain = tmp_path / "plain.csv"
    plain.write_bytes(roster_bytes(["NIK", "KODE WILAYAH", "PKH"], [[nik(1), KODE, "Ya"]]))
    assert cli.main([*base, "--per-kpm", str(per_kpm), "--roster", str(plain)]) == 2
    assert "LINTANG" in capsys.readouterr().err


def test_tables_longest_first_unreached_at_the_top():
    villages = pd.DataFrame(
        {"kode_desa": ["b", "a", "c", "d"], "median_menit": [10.0, 10.0, np.nan, 30.0]}
    )
    assert villages_by_time(villages)["kode_desa"].tolist() == ["c", "d", "a", "b"]
    table = pd.DataFrame({"nik_samaran": ["1", "2", "3"], "waktu_menit": [5.0, np.nan, 50.0]})
    assert kpm_by_time(table)["nik_samaran"].tolist() == ["2", "3", "1"]


def test_roster_homes_keep_the_first_row_of_each_nik_and_programme():
    roster = pd.DataFrame(
        {
            "nik": ["1", "1", "1", "2"],
            "program": ["PKH", "PKH", "BPNT", "PKH"],
            "kode_desa": [KODE] * 4,
            "lat": [-0.4, -0.5, -0.4, np.nan],
            "lon": [117.0, 117.1, 117.0, np.nan],
        }
    )
    homes = per_kpm.roster_homes(roster)
    assert homes[["nik", "program"]].values.tolist() == [["1", "PKH"], ["1", "BPNT"], ["2", "PKH"]]
    assert homes["lat"].iloc[0] == -0.4 and set(homes["status"]) == {""}


def test_located_homes_refuse_a_frame_without_coordinates_naming_its_source():
    kpm = pd.DataFrame(
        {"nik": ["1"], "program": ["PKH"], "kode_desa": [KODE], "status": [""]}
    ).assign(lat=np.nan, lon=np.nan, nama="X")
    with pytest.raises(JangkauError, match=r"Putaran #3 tidak memuat koordinat.*LINTANG"):
        per_kpm.located_homes(kpm, source="Putaran #3")
    kpm.loc[0, ["lat", "lon"]] = [-0.4, 117.0]
    homes = per_kpm.located_homes(kpm, source="Putaran #3")
    assert list(homes.columns) == per_kpm.HOME_COLUMNS  # no name goes on
