"""The nearest service point for every KPM whose roster row carries home coordinates.

One multi-source shortest-path pass from the chosen points gives every node's minutes to its
nearest point; each KPM then adds its own estimated leg to the node it joins. The result holds
masked NIK only, never a name or a coordinate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from geo import settings
from geo._errors import JangkauError
from geo.geometry import project_lonlat
from geo.intake.headers import FIELDS_ROSTER
from geo.reach.graph import SUMBER, TravelGraph
from geo.reach.nearest import multi_source, path_totals
from geo.reach.network import PlaceNetwork
from geo.reach.service_points import JENIS_BRI
from geo.safety.privacy import mask_nik_series

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
    its nearest point (``nearest.multi_source``) and ``nearest.path_totals`` the km and sources of
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
        Service-point types that count (``service_points.jenis_filter``).

    Returns
    -------
    KpmNearest
    """
    lat = pd.to_numeric(kpm["lat"], errors="coerce").to_numpy(float)
    lon = pd.to_numeric(kpm["lon"], errors="coerce").to_numpy(float)
    located = np.isfinite(lat) & np.isfinite(lon)
    rows = kpm.loc[located].reset_index(drop=True)
    reach = _reach_field(net, points, jenis)
    xy = project_lonlat(lon[located], lat[located], check=False) if len(rows) else np.empty((0, 2))
    paths = _kpm_paths(net, villages, rows["kode_desa"], xy, reach)
    table = _kpm_table(rows, villages, points, paths)
    families = pd.DataFrame(
        {
            "kode_desa": table["kode_desa"],
            "nik": rows["nik"].astype(str),
            "menit": paths.minutes,
            "km": paths.km,
            "tak": ~paths.reached,
        }
    ).drop_duplicates(["kode_desa", "nik"])
    minutes = reach.minutes[net.village_node]
    village_minutes = pd.Series(
        np.where(np.isfinite(minutes), minutes, np.nan), index=villages["kode"].to_numpy()
    )
    return KpmNearest(
        table=table,
        villages=_village_summary(families, villages, village_minutes),
        totals=_totals(families, kpm.loc[~located, "nik"]),
    )


@dataclass(frozen=True, eq=False)
class _ReachField:
    """Every node's way to its nearest chosen service point (arrays over the graph's nodes)."""

    chosen: np.ndarray  # per service point: of a type that counts
    minutes: np.ndarray  # inf: no path
    source: np.ndarray  # the chosen point's node the path ends at
    km: np.ndarray
    bits: np.ndarray  # the leg sources the path uses, bit i for ``SUMBER[i]``


def _reach_field(net: PlaceNetwork, points: pd.DataFrame, jenis: tuple[str, ...]) -> _ReachField:
    """ONE multi-source pass from the chosen points, and the km and sources of its paths."""
    graph = net.graph
    chosen = points["jenis"].isin(jenis).to_numpy() if len(points) else np.zeros(0, bool)
    if chosen.any():
        minutes, next_hop, source = multi_source(graph, net.point_node[chosen])
    else:
        minutes = np.full(graph.n, np.inf)
        next_hop = source = np.full(graph.n, -9999)
    path_km, path_bits, _ = path_totals(graph, minutes, next_hop)
    return _ReachField(chosen=chosen, minutes=minutes, source=source, km=path_km, bits=path_bits)


@dataclass(frozen=True, eq=False)
class _KpmPaths:
    """Each located KPM's path to its nearest chosen point (arrays, one entry per KPM)."""

    reached: np.ndarray
    minutes: np.ndarray  # NaN when not reached
    km: np.ndarray  # NaN when not reached
    point: np.ndarray  # position in the service points, -1 when not reached
    straight_km: np.ndarray  # straight line to the point reached
    sumber: np.ndarray  # the path's sources as the table writes them


def _kpm_paths(
    net: PlaceNetwork, villages: pd.DataFrame, kode_desa, xy: np.ndarray, reach: _ReachField
) -> _KpmPaths:
    """Each KPM's own leg to the node it joins (``join_kpm``), added to that node's path."""
    graph = net.graph
    nodes_xy = graph.nodes[["x", "y"]].to_numpy(float)
    node, metres = join_kpm(net, villages, kode_desa, xy)
    joined = node >= 0
    at = np.maximum(node, 0)
    reached = joined & np.isfinite(reach.minutes[at])
    leg_km = metres / 1000 * settings.DETOUR_FACTOR
    total_minutes = np.where(
        reached, leg_km / settings.ESTIMATE_SPEED_KMH * 60 + reach.minutes[at], np.nan
    )
    total_km = np.where(reached, leg_km + reach.km[at], np.nan)
    facility = np.where(reached, reach.source[at], -1)

    # Service point of each reached facility node.
    node_to_point = np.full(graph.n, -1, dtype=np.intp)
    chosen_pos = np.flatnonzero(reach.chosen)
    node_to_point[net.point_node[chosen_pos]] = chosen_pos
    point = np.where(reached, node_to_point[np.maximum(facility, 0)], -1)
    if (reached & (point < 0)).any():
        raise RuntimeError("a path ends at a node that is no chosen service point")
    return _KpmPaths(
        reached=reached,
        minutes=total_minutes,
        km=total_km,
        point=point,
        straight_km=np.hypot(*(xy - nodes_xy[np.maximum(facility, 0)]).T) / 1000,
        sumber=_SOURCE_LABELS[reach.bits[at] | _ESTIMATE_BIT],
    )


def _kpm_table(
    rows: pd.DataFrame, villages: pd.DataFrame, points: pd.DataFrame, paths: _KpmPaths
) -> pd.DataFrame:
    """``KPM_COLUMNS`` for the located KPM: masked NIK, village, the point reached, figures."""
    reached = paths.reached

    def point_column(name: str) -> np.ndarray:
        values = points[name].astype(str).to_numpy(dtype=object) if len(points) else []
        out = np.full(len(rows), "", dtype=object)
        out[reached] = np.asarray(values, dtype=object)[paths.point[reached]]
        return out

    village = pd.Index(villages["kode"]).get_indexer(rows["kode_desa"].to_numpy(dtype=object))
    names = villages["nama"].astype(str).to_numpy(dtype=object)
    kecamatan = villages["kecamatan"].astype(str).to_numpy(dtype=object)
    status = rows["status"] if "status" in rows else pd.Series("", index=rows.index)
    return pd.DataFrame(
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
            "jarak_lurus_km": np.where(reached, paths.straight_km, np.nan).round(2),
            "jarak_tempuh_km": paths.km.round(2),
            "waktu_menit": paths.minutes.round(1),
            "sumber": np.where(reached, paths.sumber, ""),
            "terjangkau": reached,
        }
    )


def _village_summary(
    families: pd.DataFrame, villages: pd.DataFrame, village_minutes: pd.Series
) -> pd.DataFrame:
    """``KPM_VILLAGE_COLUMNS``: per village, per family (a NIK in two programmes has the same
    home and figures), with the village reference point's own minutes beside."""
    by_village = families.groupby("kode_desa", sort=True).agg(
        kpm_berkoordinat=("nik", "size"),
        kpm_tak_terjangkau=("tak", "sum"),
        median_menit=("menit", "median"),
        maks_menit=("menit", "max"),
        median_km=("km", "median"),
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
    return summary[KPM_VILLAGE_COLUMNS]


def _totals(families: pd.DataFrame, nik_without: pd.Series) -> dict:
    """Families with and without coordinates, unreachable, median and longest minutes."""
    minutes_ok = families["menit"].dropna()
    without = nik_without.astype(str).nunique() if len(nik_without) else 0
    return {
        "keluarga_berkoordinat": len(families),
        "keluarga_tanpa_koordinat": int(without),
        "tak_terjangkau": int(families["tak"].sum()),
        "median_menit": round(float(minutes_ok.median()), 1) if len(minutes_ok) else None,
        "maks_menit": round(float(minutes_ok.max()), 1) if len(minutes_ok) else None,
    }


def villages_by_time(villages: pd.DataFrame) -> pd.DataFrame:
    """``KpmNearest.villages`` longest median first (villages without a figure at the top)."""
    return villages.sort_values(
        ["median_menit", "kode_desa"], ascending=[False, True], na_position="first"
    )


def kpm_by_time(table: pd.DataFrame) -> pd.DataFrame:
    """A per-KPM table longest first (unreachable KPM, without minutes, at the top)."""
    return table.sort_values("waktu_menit", ascending=False, na_position="first")


#: The columns a frame of KPM homes needs for ``nearest_kpm``.
HOME_COLUMNS = ["nik", "program", "kode_desa", "status", "lat", "lon"]


def roster_homes(roster: pd.DataFrame) -> pd.DataFrame:
    """KPM homes from a roster frame (``geo.intake.roster.read_roster``), as the reconciliation
    counts them: one row per (NIK, programme), the first in the file, with no status yet."""
    return roster.drop_duplicates(["nik", "program"]).assign(status="")


def located_homes(kpm: pd.DataFrame, *, source: str) -> pd.DataFrame:
    """``HOME_COLUMNS`` of ``kpm`` (a roster's homes or a round's KPM), renumbered.

    Raises
    ------
    JangkauError
        No row has coordinates; the message names ``source`` ("Berkas X", "Putaran #2") and the
        headers a roster's coordinates are read from.
    """
    kpm = kpm[HOME_COLUMNS]
    if not kpm["lat"].notna().any():
        raise JangkauError(
            f"{source} tidak memuat koordinat KPM yang sah. Kolom yang dikenali: lintang "
            f"({', '.join(FIELDS_ROSTER['lat'].synonyms)}) dan bujur "
            f"({', '.join(FIELDS_ROSTER['lon'].synonyms)}), dalam derajat desimal."
        )
    return kpm.reset_index(drop=True)
