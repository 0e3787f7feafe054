"""Access to aid: nearest service point per village and per KPM (when the roster carries home
coordinates), hard-to-reach ranking, e-warong load, and where new service points would help most.

Times are minutes and distances kilometres. The nearest point is the one with the shortest
travel time over the network (``geo.reach.network``); the straight-line distance is to that same point.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from geo import settings
from geo.geometry import project_lonlat
from geo.reach.graph import SUMBER, TravelGraph
from geo.reach.nearest import multi_source, network_nearest, path_totals
from geo.reach.network import PlaceNetwork
from geo.safety.privacy import mask_nik_series

JENIS_BRI = ("agen_brilink", "kantor_bri")
#: Service-point types as a planner reads them; files, the store and the CLI keep the codes.
JENIS_LABELS = {"e-warong": "e-Warong", "agen_brilink": "Agen BRILink", "kantor_bri": "Kantor BRI"}
NEAREST_COLUMNS = [
    "kode_desa",
    "desa",
    "kecamatan",
    "layanan_id",
    "layanan_nama",
    "layanan_jenis",
    "jarak_lurus_km",
    "jarak_tempuh_km",
    "waktu_menit",
    "sumber",
]


def jenis_filter(choice: str) -> tuple[str, ...]:
    """``e-warong``, ``bri`` or ``semua`` as the service-point types they mean."""
    return {
        "e-warong": ("e-warong",),
        "bri": JENIS_BRI,
        "semua": ("e-warong", *JENIS_BRI),
    }[choice]


def nearest(
    net: PlaceNetwork,
    villages: pd.DataFrame,
    points: pd.DataFrame,
    *,
    jenis: tuple[str, ...] = ("e-warong", *JENIS_BRI),
) -> pd.DataFrame:
    """The nearest service point of the given types for every village, by travel time.

    Returns
    -------
    DataFrame
        ``NEAREST_COLUMNS`` plus ``terjangkau`` (False: no path to any point; the point and the
        figures are then empty, never 0), ``moda`` and ``perahu`` (the path needs a boat).
        ``sumber`` joins the leg sources the path used with ``+`` (``jalan+perahu``).
    """
    chosen = points["jenis"].isin(jenis).to_numpy()
    out = pd.DataFrame(
        {
            "kode_desa": villages["kode"].to_numpy(),
            "desa": villages["nama"].to_numpy(),
            "kecamatan": villages["kecamatan"].to_numpy(),
        }
    )
    if not chosen.any():
        for col in NEAREST_COLUMNS[3:]:
            out[col] = np.nan if col.endswith(("_km", "_menit")) else ""
        return out.assign(terjangkau=False, moda="", perahu=False)
    facilities = net.point_node[chosen]
    result = network_nearest(net.graph, facilities=facilities, demand=net.village_node)
    chosen_points = points[chosen].reset_index(drop=True)
    node_to_point = {int(n): i for i, n in enumerate(facilities)}
    idx = np.array([node_to_point.get(int(f), -1) for f in result.facility])
    ok = result.reachable & (idx >= 0)
    pick = chosen_points.iloc[np.where(ok, idx, 0)].reset_index(drop=True)
    xy = net.graph.nodes[["x", "y"]].to_numpy()
    straight = np.hypot(*(xy[net.village_node] - xy[np.where(ok, result.facility, 0)]).T) / 1000
    out["layanan_id"] = np.where(ok, pick["id"], "")
    out["layanan_nama"] = np.where(ok, pick["nama"], "")
    out["layanan_jenis"] = np.where(ok, pick["jenis"], "")
    out["jarak_lurus_km"] = np.where(ok, straight, np.nan).round(2)
    out["jarak_tempuh_km"] = np.where(ok, result.km, np.nan).round(2)
    out["waktu_menit"] = np.where(ok, result.minutes, np.nan).round(1)
    out["sumber"] = ["+".join(s) if r else "" for s, r in zip(result.sumber, ok, strict=True)]
    out["terjangkau"] = ok
    out["moda"] = ["+".join(m) if r else "" for m, r in zip(result.moda, ok, strict=True)]
    out["perahu"] = ["perahu" in s for s in result.sumber]
    return out


# -- per KPM -------------------------------------------------------------------------------

KPM_COLUMNS = [
    "nik_samaran",
    "program",
    "kode_desa",
    "desa",
    "kecamatan",
    "status",
    "layanan_id",
    "layanan_nama",
    "layanan_jenis",
    "jarak_lurus_km",
    "jarak_tempuh_km",
    "waktu_menit",
    "sumber",
    "terjangkau",
]
KPM_VILLAGE_COLUMNS = [
    "kode_desa",
    "desa",
    "kecamatan",
    "kpm_berkoordinat",
    "kpm_tak_terjangkau",
    "median_menit",
    "maks_menit",
    "median_km",
    "menit_titik_desa",
]
# "jalan+perkiraan" for bits 0b101: every set of sources as the per-village table writes it.
_SOURCE_LABELS = np.array(
    ["+".join(s for i, s in enumerate(SUMBER) if bits >> i & 1) for bits in range(8)],
    dtype=object,
)
_ESTIMATE_BIT = 1 << SUMBER.index("perkiraan")


@dataclass(frozen=True, eq=False)
class KpmNearest:
    """The nearest service point for every KPM whose roster row has coordinates.

    Attributes
    ----------
    table
        ``KPM_COLUMNS``, one row per KPM and programme with coordinates, in the order given.
        ``nik_samaran`` is the masked NIK (``6402**********34``); there is no name and no
        coordinate. An unreachable KPM has ``terjangkau`` False, empty point columns and NaN
        figures, never 0 or infinity.
    villages
        ``KPM_VILLAGE_COLUMNS``, one row per village with located KPM, by code: families
        (distinct NIK) with coordinates, how many cannot reach any point, median and longest
        minutes and median travel km over the reachable ones, and the village reference point's
        own minutes for comparison.
    totals
        Families with coordinates, without them, unreachable, median and longest minutes.
    """

    table: pd.DataFrame
    villages: pd.DataFrame
    totals: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = [c for c in KPM_COLUMNS if c not in self.table]
        missing += [c for c in KPM_VILLAGE_COLUMNS if c not in self.villages]
        if missing:
            raise ValueError(f"per-KPM result lacks columns: {missing}")
        figures = self.table[["jarak_lurus_km", "jarak_tempuh_km", "waktu_menit"]].to_numpy()
        reached = self.table["terjangkau"].to_numpy(bool)
        if np.isinf(figures).any():
            raise ValueError("per-KPM figures must be finite or NaN, never infinite")
        if np.isnan(figures[reached]).any() or not np.isnan(figures[~reached]).all():
            raise ValueError("terjangkau must match finite figures")

    def summary(self) -> dict:
        """Counts and typical minutes for a page (keys in Indonesian, nothing personal)."""
        return dict(self.totals)


def _land_nodes(graph: TravelGraph) -> np.ndarray:
    """Nodes with a land leg out: a road, or an estimate leg by car (boat-only villages have
    only boat legs and the short local legs to their own points)."""
    e = graph.edges
    land = (e["sumber"] == "jalan") | ((e["sumber"] == "perkiraan") & (e["moda"] == "mobil"))
    out = np.zeros(graph.n, dtype=bool)
    out[e["u"].to_numpy()[land.to_numpy()]] = True
    return out


def _main_road_nodes(graph: TravelGraph) -> np.ndarray:
    """Road nodes of the largest strongly connected part of the road graph, as ``build`` joins
    villages to (never a one-way dead end or an isolated piece of road)."""
    road = np.flatnonzero(graph.nodes["kind"].to_numpy() == "jalan")
    if road.size == 0:
        return road
    sub = graph.matrix()[road][:, road]
    _, labels = connected_components(sub, directed=True, connection="strong")
    return road[labels == np.bincount(labels).argmax()]


def join_kpm(
    net: PlaceNetwork, villages: pd.DataFrame, kode_desa, xy: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The node each KPM joins the network at, and the straight-line metres to it.

    A KPM joins the nearest of the land nodes the villages use: the road nodes of the main
    strongly connected part when there is a road graph (or, farther than
    ``settings.ROAD_SNAP_MAX_KM`` from any, the nearest village, service point or landing on
    land, as ``build`` does for places), else the village, service point and landing nodes on
    land. A KPM of a boat-only village (its village node has no land leg) joins its own village.

    Parameters
    ----------
    kode_desa
        Each KPM's village code.
    xy
        Shape (m, 2): the KPM in metres (``settings.CRS_METRIC``).

    Returns
    -------
    node : numpy.ndarray
        Shape (m,): node position, -1 when there is no land node to join.
    metres : numpy.ndarray
        Shape (m,): straight-line distance to it (NaN with no node).
    """
    graph = net.graph
    nodes_xy = graph.nodes[["x", "y"]].to_numpy(float)
    land = _land_nodes(graph)
    kinds = graph.nodes["kind"].to_numpy()
    places = np.flatnonzero(land & (kinds != "jalan"))
    m = len(xy)
    node = np.full(m, -1, dtype=np.intp)
    metres = np.full(m, np.nan)
    village = pd.Index(villages["kode"]).get_indexer(np.asarray(kode_desa, dtype=object))
    village_node = np.where(village >= 0, net.village_node[np.maximum(village, 0)], -1)
    boat_only = (village_node >= 0) & ~land[np.maximum(village_node, 0)]
    on_land = np.flatnonzero(~boat_only)
    road = _main_road_nodes(graph)
    if on_land.size and road.size:
        dist, pick = cKDTree(nodes_xy[road]).query(xy[on_land], workers=-1)
        node[on_land], metres[on_land] = road[pick], dist
        far = on_land[dist > settings.ROAD_SNAP_MAX_KM * 1000]
        if far.size and places.size:
            dist, pick = cKDTree(nodes_xy[places]).query(xy[far], workers=-1)
            closer = dist < metres[far]
            node[far[closer]], metres[far[closer]] = places[pick[closer]], dist[closer]
    elif on_land.size and places.size:
        dist, pick = cKDTree(nodes_xy[places]).query(xy[on_land], workers=-1)
        node[on_land], metres[on_land] = places[pick], dist
    boat = np.flatnonzero(boat_only)
    node[boat] = village_node[boat]
    metres[boat] = np.hypot(*(xy[boat] - nodes_xy[village_node[boat]]).T)
    return node, metres


def nearest_kpm(
    net: PlaceNetwork,
    villages: pd.DataFrame,
    points: pd.DataFrame,
    kpm: pd.DataFrame,
    *,
    jenis: tuple[str, ...] = ("e-warong", *JENIS_BRI),
) -> KpmNearest:
    """The nearest service point of the given types for every KPM with coordinates.

    ONE multi-source shortest-path pass from the chosen points gives every node's minutes to
    its nearest point (``reach.multi_source``) and ``reach.path_totals`` the km and sources of
    those paths; each KPM then adds its own leg to the node it joins (``join_kpm``): straight
    line × ``settings.DETOUR_FACTOR`` at ``settings.ESTIMATE_SPEED_KMH``, source
    ``perkiraan``. A KPM is a leaf with one leg, so this is its exact shortest path over the
    network plus that leg. Nothing loops over KPM in Python: a million KPM take seconds.

    Parameters
    ----------
    net
        The network the per-village table uses (``network.load_network``).
    villages
        ``kode``, ``nama``, ``kecamatan``, in the order ``net`` was built with.
    points
        The service points ``net`` was built with (``id``, ``nama``, ``jenis``).
    kpm
        ``nik``, ``program``, ``kode_desa``, ``lat``, ``lon`` (degrees; NaN without) and
        optionally ``status`` (``Store.round_kpm`` or a roster's frame). Rows without
        coordinates are counted and left out.
    jenis
        Service-point types that count (``jenis_filter``).

    Returns
    -------
    KpmNearest
    """
    lat = pd.to_numeric(kpm["lat"], errors="coerce").to_numpy(float)
    lon = pd.to_numeric(kpm["lon"], errors="coerce").to_numpy(float)
    located = np.isfinite(lat) & np.isfinite(lon)
    rows = kpm.loc[located].reset_index(drop=True)
    graph = net.graph
    nodes_xy = graph.nodes[["x", "y"]].to_numpy(float)

    chosen = points["jenis"].isin(jenis).to_numpy() if len(points) else np.zeros(0, bool)
    if chosen.any():
        minutes, next_hop, source = multi_source(graph, net.point_node[chosen])
    else:
        minutes = np.full(graph.n, np.inf)
        next_hop = source = np.full(graph.n, -9999)
    path_km, path_bits, _ = path_totals(graph, minutes, next_hop)

    xy = project_lonlat(lon[located], lat[located], check=False) if len(rows) else np.empty((0, 2))
    node, metres = join_kpm(net, villages, rows["kode_desa"], xy)
    joined = node >= 0
    at = np.maximum(node, 0)
    reached = joined & np.isfinite(minutes[at])
    leg_km = metres / 1000 * settings.DETOUR_FACTOR
    total_minutes = np.where(
        reached, leg_km / settings.ESTIMATE_SPEED_KMH * 60 + minutes[at], np.nan
    )
    total_km = np.where(reached, leg_km + path_km[at], np.nan)
    facility = np.where(reached, source[at], -1)

    # Service point of each reached facility node.
    node_to_point = np.full(graph.n, -1, dtype=np.intp)
    chosen_pos = np.flatnonzero(chosen)
    node_to_point[net.point_node[chosen_pos]] = chosen_pos
    point = np.where(reached, node_to_point[np.maximum(facility, 0)], -1)
    if (reached & (point < 0)).any():
        raise RuntimeError("a path ends at a node that is no chosen service point")
    straight = np.hypot(*(xy - nodes_xy[np.maximum(facility, 0)]).T) / 1000
    sumber = _SOURCE_LABELS[path_bits[at] | _ESTIMATE_BIT]

    def point_column(name: str) -> np.ndarray:
        values = points[name].astype(str).to_numpy(dtype=object) if len(points) else []
        out = np.full(len(rows), "", dtype=object)
        out[reached] = np.asarray(values, dtype=object)[point[reached]]
        return out

    village = pd.Index(villages["kode"]).get_indexer(rows["kode_desa"].to_numpy(dtype=object))
    names = villages["nama"].astype(str).to_numpy(dtype=object)
    kecamatan = villages["kecamatan"].astype(str).to_numpy(dtype=object)
    status = rows["status"] if "status" in rows else pd.Series("", index=rows.index)
    table = pd.DataFrame(
        {
            "nik_samaran": mask_nik_series(rows["nik"].astype(str)).to_numpy(dtype=object),
            "program": rows["program"].astype(str).to_numpy(dtype=object),
            "kode_desa": rows["kode_desa"].astype(str).to_numpy(dtype=object),
            "desa": np.where(village >= 0, names[np.maximum(village, 0)], ""),
            "kecamatan": np.where(village >= 0, kecamatan[np.maximum(village, 0)], ""),
            "status": status.fillna("").astype(str).to_numpy(dtype=object),
            "layanan_id": point_column("id"),
            "layanan_nama": point_column("nama"),
            "layanan_jenis": point_column("jenis"),
            "jarak_lurus_km": np.where(reached, straight, np.nan).round(2),
            "jarak_tempuh_km": total_km.round(2),
            "waktu_menit": total_minutes.round(1),
            "sumber": np.where(reached, sumber, ""),
            "terjangkau": reached,
        }
    )

    # Per village, per family (a NIK in two programmes has the same home and figures).
    families = pd.DataFrame(
        {
            "kode_desa": table["kode_desa"],
            "nik": rows["nik"].astype(str),
            "menit": total_minutes,
            "km": total_km,
            "tak": ~reached,
        }
    ).drop_duplicates(["kode_desa", "nik"])
    by_village = families.groupby("kode_desa", sort=True).agg(
        kpm_berkoordinat=("nik", "size"),
        kpm_tak_terjangkau=("tak", "sum"),
        median_menit=("menit", "median"),
        maks_menit=("menit", "max"),
        median_km=("km", "median"),
    )
    village_minutes = pd.Series(
        np.where(np.isfinite(minutes[net.village_node]), minutes[net.village_node], np.nan),
        index=villages["kode"].to_numpy(),
    )
    summary = by_village.reset_index()
    summary["kpm_tak_terjangkau"] = summary["kpm_tak_terjangkau"].astype(int)
    ref = villages.set_index("kode")
    summary["desa"] = summary["kode_desa"].map(ref["nama"]).fillna("")
    summary["kecamatan"] = summary["kode_desa"].map(ref["kecamatan"]).fillna("")
    summary["menit_titik_desa"] = summary["kode_desa"].map(village_minutes)
    for column in ("median_menit", "maks_menit", "menit_titik_desa"):
        summary[column] = summary[column].round(1)
    summary["median_km"] = summary["median_km"].round(2)

    minutes_ok = families["menit"].dropna()
    without = kpm.loc[~located, "nik"].astype(str).nunique() if (~located).any() else 0
    totals = {
        "keluarga_berkoordinat": len(families),
        "keluarga_tanpa_koordinat": int(without),
        "tak_terjangkau": int(families["tak"].sum()),
        "median_menit": round(float(minutes_ok.median()), 1) if len(minutes_ok) else None,
        "maks_menit": round(float(minutes_ok.max()), 1) if len(minutes_ok) else None,
    }
    return KpmNearest(table=table, villages=summary[KPM_VILLAGE_COLUMNS], totals=totals)


def priority_formula(weights: dict[str, float] | None = None) -> str:
    """The priority score in plain Indonesian words."""
    w = weights or settings.PRIORITY_WEIGHTS
    full = settings.PRIORITY_FULL_MINUTES

    def pct(x: float) -> str:
        return f"{x:.2f}".replace(".", ",")

    return (
        f"Skor (0–100) = 100 × ({pct(w['belum'])} × KPM belum terealisasi ÷ KPM belum terbanyak "
        f"di antara desa + {pct(w['waktu'])} × waktu tempuh ke titik layanan terdekat ÷ "
        f"{full:.0f} menit (paling banyak 1; desa yang tak terjangkau dihitung 1) + "
        f"{pct(w['perahu'])} × 1 bila perjalanan memerlukan perahu). Skor tertinggi = paling "
        "perlu dikunjungi."
    )


def priority(
    near: pd.DataFrame,
    coverage_villages: pd.DataFrame,
    *,
    weights: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Rank villages by the hard-to-reach priority score (highest first).

    Parameters
    ----------
    near
        ``nearest(...)``.
    coverage_villages
        ``geo.realization.coverage.Coverage.villages`` of the round: ``kode``, ``kpm``, ``terealisasi``,
        ``belum``.
    weights
        ``belum``, ``waktu`` and ``perahu`` (default ``settings.PRIORITY_WEIGHTS``).

    Returns
    -------
    DataFrame
        ``near`` joined with ``kpm``, ``belum``, ``persen_terealisasi``, the three components,
        ``skor``, ``peringkat`` and ``akses`` (the access-vs-realization class).
    """
    w = weights or settings.PRIORITY_WEIGHTS
    counts = coverage_villages.set_index("kode")[["kpm", "terealisasi", "belum"]]
    table = near.join(counts, on="kode_desa")
    table[["kpm", "terealisasi", "belum"]] = table[["kpm", "terealisasi", "belum"]].fillna(0)
    top = max(float(table["belum"].max()), 1.0)
    minutes = table["waktu_menit"].where(table["terjangkau"], np.inf)
    table["komponen_belum"] = table["belum"] / top
    table["komponen_waktu"] = np.minimum(minutes / settings.PRIORITY_FULL_MINUTES, 1.0)
    table["komponen_perahu"] = table["perahu"].astype(float)
    table["skor"] = (
        100
        * (
            w["belum"] * table["komponen_belum"]
            + w["waktu"] * table["komponen_waktu"]
            + w["perahu"] * table["komponen_perahu"]
        )
    ).round(1)
    share = 100 * table["terealisasi"] / table["kpm"].where(table["kpm"] > 0)
    table["persen_terealisasi"] = share.round(1)
    table["akses"] = access_class(minutes, share)
    table = table.sort_values(["skor", "kode_desa"], ascending=[False, True]).reset_index(drop=True)
    table["peringkat"] = np.arange(1, len(table) + 1)
    return table


ACCESS_CLASSES = {
    "jauh_rendah": "Jauh & realisasi rendah: jarak menjelaskan",
    "dekat_rendah": "Dekat tetapi realisasi rendah: periksa kartu/data",
    "jauh_baik": "Jauh tetapi realisasi baik",
    "dekat_baik": "Dekat & realisasi baik",
    "tanpa_kpm": "Tanpa KPM",
}


def access_class(minutes: pd.Series, share: pd.Series) -> pd.Series:
    """Separate villages where distance explains low realization from those where it does not."""
    far = minutes > settings.FAR_MINUTES
    low = share < settings.LOW_REALIZATION_PERCENT
    out = np.select(
        [share.isna(), far & low, ~far & low, far & ~low],
        ["tanpa_kpm", "jauh_rendah", "dekat_rendah", "jauh_baik"],
        default="dekat_baik",
    )
    return pd.Series(out, index=minutes.index)


def capacity(near_ewarong: pd.DataFrame, bpnt_kpm: pd.Series, points: pd.DataFrame) -> pd.DataFrame:
    """KPM assigned to each e-warong (every village to its nearest by travel time).

    Parameters
    ----------
    near_ewarong
        ``nearest(..., jenis=("e-warong",))``.
    bpnt_kpm
        BPNT KPM per village code (e-warong serve BPNT/Sembako).
    points
        Service points with ``id``, ``nama``, ``jenis``, ``kapasitas``.

    Returns
    -------
    DataFrame
        One row per e-warong: ``id``, ``nama``, ``desa_dilayani``, ``kpm``, ``kapasitas`` (its
        own, else ``settings.EWARONG_MAX_KPM``), ``beban_persen`` and ``kelebihan`` (True when
        over capacity), most loaded first. A village with e-warong of its own divides its KPM
        among them by capacity; other villages go to their nearest e-warong.
    """
    ew = points[points["jenis"] == "e-warong"][["id", "nama", "kapasitas", "kode_desa"]].copy()
    cap = pd.to_numeric(ew["kapasitas"], errors="coerce")
    ew["kapasitas"] = cap.where(cap > 0, settings.EWARONG_MAX_KPM).astype(int)
    reached = near_ewarong[near_ewarong["terjangkau"]]
    kpm = reached["kode_desa"].map(bpnt_kpm).fillna(0).to_numpy(float)
    # A village with e-warong of its own shares its KPM among them by capacity; any other
    # village goes to its nearest e-warong by travel time.
    own = ew[ew["kode_desa"].isin(reached["kode_desa"])]
    share_rows = []
    for code, k in zip(reached["kode_desa"], kpm, strict=True):
        local = own[own["kode_desa"] == code]
        if len(local):
            weights = local["kapasitas"] / local["kapasitas"].sum()
            share_rows += [(pid, code, k * w) for pid, w in zip(local["id"], weights, strict=True)]
    shares = pd.DataFrame(share_rows, columns=["id", "kode_desa", "kpm"])
    nearest_only = reached[~reached["kode_desa"].isin(own["kode_desa"])]
    shares = pd.concat(
        [
            shares,
            pd.DataFrame(
                {
                    "id": nearest_only["layanan_id"],
                    "kode_desa": nearest_only["kode_desa"],
                    "kpm": nearest_only["kode_desa"].map(bpnt_kpm).fillna(0).astype(float),
                }
            ),
        ],
        ignore_index=True,
    )
    load = shares.groupby("id").agg(desa_dilayani=("kode_desa", "size"), kpm=("kpm", "sum"))
    ew = ew.drop(columns=["kode_desa"]).join(load, on="id")
    ew["desa_dilayani"] = ew["desa_dilayani"].fillna(0).astype(int)
    ew["kpm"] = ew["kpm"].fillna(0).round().astype(int)
    ew["beban_persen"] = (100 * ew["kpm"] / ew["kapasitas"]).round(1)
    ew["kelebihan"] = ew["kpm"] > ew["kapasitas"]
    return ew.sort_values(["beban_persen", "id"], ascending=[False, True]).reset_index(drop=True)


@dataclass(frozen=True)
class Placement:
    """Villages recommended for new service points.

    Attributes
    ----------
    villages
        Codes chosen, in the order the greedy method added them.
    cost_before, cost_after
        Σ unrealized KPM × minutes to the nearest point (unreachable counted as
        ``settings.UNREACHABLE_MINUTES``), before and after.
    gains
        Cost saved by each added village.
    """

    villages: tuple[str, ...]
    cost_before: float
    cost_after: float
    gains: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.villages) != len(self.gains):
            raise ValueError("one gain per chosen village")
        if self.cost_after > self.cost_before + 1e-6:
            raise ValueError("adding service points cannot raise the cost")

    def summary(self) -> dict:
        saved = self.cost_before - self.cost_after
        return {
            "desa": list(self.villages),
            "biaya_sebelum": round(self.cost_before),
            "biaya_sesudah": round(self.cost_after),
            "turun_persen": round(100 * saved / self.cost_before, 1) if self.cost_before else 0.0,
        }


def village_times(net: PlaceNetwork, candidates: np.ndarray) -> np.ndarray:
    """Minutes from every village to each candidate village (rows: villages; inf: no path).

    One multi-source pass per candidate on the transposed graph (demand → candidate).
    """
    nodes = net.village_node[candidates]
    dist = dijkstra(net.graph.matrix().T, indices=nodes)
    return dist[:, net.village_node].T


def greedy_placement(
    weights: np.ndarray, current: np.ndarray, times: np.ndarray, k: int, codes: list[str]
) -> Placement:
    """Add ``k`` candidates one at a time, each the one that most lowers Σ weight × minutes,
    then swap chosen for unchosen candidates while that lowers the cost (Teitz–Bart).

    Parameters
    ----------
    weights
        Unrealized KPM per village.
    current
        Minutes from each village to its nearest existing point (inf when unreachable).
    times
        Minutes from each village (rows) to each candidate (columns).
    codes
        Candidate village codes (columns of ``times``).
    """
    cap = settings.UNREACHABLE_MINUTES
    best = np.minimum(np.nan_to_num(current, nan=cap, posinf=cap), cap)
    t = np.minimum(np.nan_to_num(times, nan=cap, posinf=cap), cap)
    before = float(weights @ best)
    chosen, gains = [], []
    for _ in range(min(k, t.shape[1])):
        saving = (weights[:, None] * np.maximum(best[:, None] - t, 0)).sum(axis=0)
        saving[chosen] = -1
        j = int(np.argmax(saving))
        if saving[j] <= 0:
            break
        chosen.append(j)
        gains.append(float(saving[j]))
        best = np.minimum(best, t[:, j])
    base = np.minimum(np.nan_to_num(current, nan=cap, posinf=cap), cap)
    chosen = _by_gain(weights, base, t, _swap_improve(weights, base, t, chosen))
    best = np.minimum(base, t[:, chosen].min(axis=1)) if chosen else base
    return Placement(
        villages=tuple(codes[j] for j in chosen),
        cost_before=before,
        cost_after=float(weights @ best),
        gains=tuple(_gains(weights, base, t, chosen)),
    )


def _cost(weights: np.ndarray, base: np.ndarray, t: np.ndarray, chosen: list[int]) -> float:
    return float(weights @ (np.minimum(base, t[:, chosen].min(axis=1)) if chosen else base))


def _swap_improve(
    weights: np.ndarray, base: np.ndarray, t: np.ndarray, chosen: list[int]
) -> list[int]:
    """Teitz–Bart interchange: swap a chosen candidate for another while that lowers the cost."""
    chosen = list(chosen)
    cost = _cost(weights, base, t, chosen)
    improved = True
    while improved:
        improved = False
        for pos in range(len(chosen)):
            for j in range(t.shape[1]):
                if j in chosen:
                    continue
                trial = [*chosen[:pos], j, *chosen[pos + 1 :]]
                trial_cost = _cost(weights, base, t, trial)
                if trial_cost < cost - 1e-9:
                    chosen, cost, improved = trial, trial_cost, True
    return chosen


def _by_gain(weights, base, t, chosen: list[int]) -> list[int]:
    """The chosen candidates ordered as a planner would add them: largest saving first."""
    left, order, current = list(chosen), [], base
    while left:
        savings = [float(weights @ (current - np.minimum(current, t[:, j]))) for j in left]
        j = left.pop(int(np.argmax(savings)))
        order.append(j)
        current = np.minimum(current, t[:, j])
    return order


def _gains(weights, base, t, chosen: list[int]) -> list[float]:
    """The cost each chosen candidate saves, added in order."""
    out, current = [], base
    for j in chosen:
        nxt = np.minimum(current, t[:, j])
        out.append(float(weights @ (current - nxt)))
        current = nxt
    return out


def exact_placement(
    weights: np.ndarray, current: np.ndarray, times: np.ndarray, k: int, codes: list[str]
) -> Placement:
    """The optimal ``k`` candidates by enumeration (small instances only: to measure the gap)."""
    cap = settings.UNREACHABLE_MINUTES
    base = np.minimum(np.nan_to_num(current, nan=cap, posinf=cap), cap)
    t = np.minimum(np.nan_to_num(times, nan=cap, posinf=cap), cap)
    n = t.shape[1]
    if n > 40 or k > 4:
        raise ValueError("exact placement is for small instances (≤ 40 candidates, k ≤ 4)")
    best_cost, best_set = float(weights @ base), ()
    for combo in itertools.combinations(range(n), min(k, n)):
        cost = float(weights @ np.minimum(base, t[:, list(combo)].min(axis=1)))
        if cost < best_cost - 1e-9:
            best_cost, best_set = cost, combo
    return Placement(
        villages=tuple(codes[j] for j in best_set),
        cost_before=float(weights @ base),
        cost_after=best_cost,
        gains=tuple(0.0 for _ in best_set),
    )


def recommend(
    net: PlaceNetwork,
    villages: pd.DataFrame,
    near: pd.DataFrame,
    belum: pd.Series,
    *,
    k: int = 5,
) -> tuple[Placement, pd.DataFrame]:
    """Recommend ``k`` villages for new agents or e-warong (greedy p-median).

    Every village is a candidate; the demand is unrealized KPM per village and the cost the
    travel minutes to the nearest point. Returns the placement and a table of the chosen
    villages with the KPM-minutes each saves.
    """
    codes = list(villages["kode"])
    weights = villages["kode"].map(belum).fillna(0).to_numpy(float)
    current = near.set_index("kode_desa")["waktu_menit"].reindex(codes).to_numpy(float)
    times = village_times(net, np.arange(len(codes)))
    placement = greedy_placement(weights, current, times, k, codes)
    names = villages.set_index("kode")
    table = pd.DataFrame(
        {
            "urutan": np.arange(1, len(placement.villages) + 1),
            "kode_desa": list(placement.villages),
            "desa": [names.loc[c, "nama"] for c in placement.villages],
            "kecamatan": [names.loc[c, "kecamatan"] for c in placement.villages],
            "kpm_menit_dihemat": np.round(placement.gains).astype(int),
        }
    )
    return placement, table
