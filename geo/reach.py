"""Nearest service point: straight-line (k-d tree) and over the travel network (one Dijkstra pass).

Straight-line distances are taken in the metric CRS (``settings.CRS_METRIC``, metres, (x, y));
results are in kilometres. Network results come from ONE multi-source shortest-path pass from all
service points over the transpose of ``TravelGraph.matrix()``, so each value is the time *from* a
demand node *to* its nearest service point on a directed graph (one-way roads, upstream and
downstream boat legs), never pair by pair. Travel times are in minutes, distances in kilometres.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from geo import settings
from geo._errors import JangkauError
from geo.network import SUMBER, TravelGraph
from geo.service_points import LAT_RANGE, LON_RANGE

#: Joins the sources or modes of one path in ``NetworkNearest.to_frame`` ("jalan+perahu").
JOIN = "+"

# scipy marks "no predecessor" (a source, or an unreachable node) with this value.
_NO_PRED = -9999
_EXAMPLES = 5


class ReachError(JangkauError):
    """The inputs of a nearest-point computation cannot be used (empty, not numbers, bad shape)."""


class CoordinateError(ReachError):
    """Longitudes and latitudes look swapped, or lie outside Kutai Kartanegara."""


# --------------------------------------------------------------------------------------------
# Coordinates


def _as_vector(values, name: str) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(values, dtype=float))
    if arr.ndim != 1:
        raise ReachError(
            f"{name} harus berupa satu deret angka, bukan tabel berdimensi {arr.ndim}."
        )
    return arr


def _positions(mask: np.ndarray) -> str:
    """'1, 4, 9 dan 12 lainnya': 1-based positions for a planner, a few of them."""
    where = np.flatnonzero(mask) + 1
    text = ", ".join(str(i) for i in where[:_EXAMPLES])
    if where.size > _EXAMPLES:
        text += f" dan {where.size - _EXAMPLES} lainnya"
    return text


def check_lonlat(lon, lat) -> None:
    """Refuse coordinates that are swapped or lie outside Kutai Kartanegara.

    Kukar lies about 115–118° E and 1.7° S – 1.6° N (``service_points.LON_RANGE`` and
    ``LAT_RANGE``, with a small margin), so a longitude that looks like a Kukar latitude and a
    latitude that looks like a Kukar longitude are a swap. All problems are reported at once.

    Parameters
    ----------
    lon, lat
        Longitudes and latitudes in decimal degrees (EPSG:4326), same length.

    Raises
    ------
    CoordinateError
        Lengths differ, a value is empty or not a number, a pair looks swapped, or a pair lies
        outside Kukar. The message names the 1-based positions of the first few bad points.
    """
    lon, lat = _as_vector(lon, "Bujur (lon)"), _as_vector(lat, "Lintang (lat)")
    if lon.size != lat.size:
        raise CoordinateError(
            f"Jumlah bujur ({lon.size}) dan lintang ({lat.size}) berbeda; setiap titik perlu "
            "keduanya."
        )
    problems = []
    missing = ~(np.isfinite(lon) & np.isfinite(lat))
    if missing.any():
        problems.append(
            f"{int(missing.sum())} titik tanpa koordinat yang sah "
            f"(titik ke-{_positions(missing)}); isi lat dan lon dalam derajat desimal."
        )
    with np.errstate(invalid="ignore"):
        lon_ok = (lon >= LON_RANGE[0]) & (lon <= LON_RANGE[1])
        lat_ok = (lat >= LAT_RANGE[0]) & (lat <= LAT_RANGE[1])
        swapped = (lat >= LON_RANGE[0]) & (lat <= LON_RANGE[1])
        swapped &= (lon >= LAT_RANGE[0]) & (lon <= LAT_RANGE[1])
    outside = ~missing & ~(lon_ok & lat_ok) & ~swapped
    if swapped.any():
        problems.append(
            f"{int(swapped.sum())} titik dengan lintang dan bujur tertukar "
            f"(titik ke-{_positions(swapped)}): Kukar berada sekitar 115–118° BT dan "
            "1,7° LS – 1,6° LU, jadi bujur bernilai sekitar 116 dan lintang sekitar -0,4; "
            "tukar kedua kolom."
        )
    if outside.any():
        problems.append(
            f"{int(outside.sum())} titik di luar Kutai Kartanegara "
            f"(titik ke-{_positions(outside)}); periksa lat dan lon."
        )
    if problems:
        raise CoordinateError(" ".join(problems))


@lru_cache(maxsize=4)
def _transformer(src: str, dst: str) -> Transformer:
    return Transformer.from_crs(src, dst, always_xy=True)


def project_lonlat(lon, lat, *, check: bool = True) -> np.ndarray:
    """Project (lon, lat) degrees to the metric CRS (``settings.CRS_METRIC``, EPSG:32750).

    Parameters
    ----------
    lon, lat
        Longitudes and latitudes in decimal degrees (EPSG:4326), same length.
    check
        Run ``check_lonlat`` first (default), so swapped columns or points outside Kukar are
        refused rather than projected hundreds of kilometres away.

    Returns
    -------
    numpy.ndarray
        Shape (n, 2): (x, y) in metres.

    Raises
    ------
    CoordinateError
        See ``check_lonlat`` (only when ``check`` is true).
    ReachError
        No points, or the two inputs differ in length.
    """
    lon, lat = _as_vector(lon, "Bujur (lon)"), _as_vector(lat, "Lintang (lat)")
    if lon.size == 0:
        raise ReachError("Tidak ada titik untuk diproyeksikan; isi minimal satu pasang lat/lon.")
    if lon.size != lat.size:
        raise ReachError(f"Jumlah bujur ({lon.size}) dan lintang ({lat.size}) berbeda.")
    if check:
        check_lonlat(lon, lat)
    x, y = _transformer(settings.CRS_GEO, settings.CRS_METRIC).transform(lon, lat)
    return np.column_stack([x, y])


def outside_village_km(lon, lat, kode_desa, villages: pd.DataFrame) -> np.ndarray:
    """How far each point lies outside its own village's polygon, in kilometres.

    Parameters
    ----------
    lon, lat
        Decimal degrees (EPSG:4326), same length; NaN where a point has no coordinates.
    kode_desa
        Each point's village code.
    villages
        ``kode`` and ``geometry`` (a GeoDataFrame with a CRS, e.g. ``Boundaries.villages``).

    Returns
    -------
    numpy.ndarray
        0 inside (or on the edge of) the polygon, the distance to it outside; NaN without
        coordinates or for an unknown village. The loop runs over villages, never over points.
    """
    lon, lat = _as_vector(lon, "Bujur (lon)"), _as_vector(lat, "Lintang (lat)")
    codes = np.asarray(kode_desa, dtype=object)
    out = np.full(lon.size, np.nan)
    known = np.isfinite(lon) & np.isfinite(lat)
    if not known.any():
        return out
    if getattr(villages, "crs", None) is None:
        raise ReachError("Batas desa tanpa CRS; pakai Boundaries.villages (EPSG:4326).")
    geoms = villages.geometry.to_crs(settings.CRS_METRIC).to_numpy()
    where = np.flatnonzero(known)
    village = pd.Index(villages["kode"]).get_indexer(codes[known])
    xy = project_lonlat(lon[known], lat[known], check=False)
    order = np.argsort(village, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(village[order]) != 0])
    for chunk in np.split(order, starts[1:]):
        if village[chunk[0]] < 0:
            continue
        geom = geoms[village[chunk[0]]]
        shapely.prepare(geom)
        x, y = xy[chunk, 0], xy[chunk, 1]
        km = np.zeros(chunk.size)
        outside = ~shapely.contains_xy(geom, x, y)
        if outside.any():
            km[outside] = shapely.distance(geom, shapely.points(x[outside], y[outside])) / 1000
        out[where[chunk]] = km
    return out


# --------------------------------------------------------------------------------------------
# Straight line


def _as_xy(points, name: str) -> np.ndarray:
    arr = np.asarray(points, dtype=float)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ReachError(
            f"{name} harus berbentuk (n, 2) berisi (x, y) dalam meter; diterima {arr.shape}."
        )
    if arr.shape[0] == 0:
        raise ReachError(f"{name} kosong; perlu minimal satu titik.")
    bad = ~np.isfinite(arr).all(axis=1)
    if bad.any():
        raise ReachError(
            f"{name}: {int(bad.sum())} titik tanpa koordinat yang sah (titik ke-{_positions(bad)})."
        )
    return arr


def straight_nearest(from_xy: np.ndarray, to_xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The nearest point of ``to_xy`` for every point of ``from_xy``, in a straight line.

    Parameters
    ----------
    from_xy
        Shape (n, 2): (x, y) in metres in a metric CRS, e.g. villages or KPM.
    to_xy
        Shape (m, 2): (x, y) in metres in the same CRS, e.g. service points.

    Returns
    -------
    index : numpy.ndarray
        Shape (n,): position in ``to_xy`` of the nearest point (ties: either).
    km : numpy.ndarray
        Shape (n,): straight-line distance to it, kilometres.

    Raises
    ------
    ReachError
        Either input is empty, not (n, 2), or holds a non-finite coordinate.
    """
    src = _as_xy(from_xy, "Titik asal")
    dst = _as_xy(to_xy, "Titik layanan")
    dist, index = cKDTree(dst).query(src, k=1, workers=-1)
    return index.astype(np.intp, copy=False), dist / 1000.0


# --------------------------------------------------------------------------------------------
# Over the network


@dataclass(frozen=True, eq=False)
class NetworkNearest:
    """The nearest service point over the travel network, for each demand node.

    Arrays are read-only and aligned with ``demand``. An unreachable demand node has
    ``reachable`` False, ``facility`` and ``hops`` -1, ``minutes`` and ``km`` NaN, and empty
    ``sumber`` and ``moda``: never 0 or infinity.

    Attributes
    ----------
    demand
        Demand node positions in the graph.
    facility
        Node position of the nearest service point (by travel time), -1 when unreachable.
    minutes
        Travel time to it, minutes.
    km
        Travel distance along the same path, kilometres (the legs the time was computed on).
    reachable
        Whether any service point can be reached.
    sumber
        Per demand node, the leg sources the path uses, in ``SUMBER`` order (``("jalan",
        "perahu")``); ``()`` at a service point or when unreachable.
    moda
        Per demand node, the modes the path uses, in order of first use from the demand node.
    hops
        Number of legs on the path (0 at a service point).
    """

    demand: np.ndarray
    facility: np.ndarray
    minutes: np.ndarray
    km: np.ndarray
    reachable: np.ndarray
    sumber: tuple[tuple[str, ...], ...]
    moda: tuple[tuple[str, ...], ...]
    hops: np.ndarray

    def __post_init__(self) -> None:
        arrays = {
            "demand": (self.demand, np.intp),
            "facility": (self.facility, np.intp),
            "minutes": (self.minutes, float),
            "km": (self.km, float),
            "reachable": (self.reachable, bool),
            "hops": (self.hops, np.intp),
        }
        n = len(self.demand)
        for name, (values, dtype) in arrays.items():
            arr = np.array(values, dtype=dtype)
            if arr.ndim != 1 or arr.size != n:
                raise ValueError(f"{name} has shape {arr.shape}, expected ({n},)")
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        for name in ("sumber", "moda"):
            values = tuple(tuple(v) for v in getattr(self, name))
            if len(values) != n:
                raise ValueError(f"{name} has {len(values)} entries, expected {n}")
            object.__setattr__(self, name, values)
        r = self.reachable
        if (
            np.isnan(self.minutes[r]).any()
            or np.isnan(self.km[r]).any()
            or (self.facility[r] < 0).any()
            or not np.isnan(self.minutes[~r]).all()
            or not np.isnan(self.km[~r]).all()
            or (self.facility[~r] != -1).any()
        ):
            raise ValueError("reachable must match facility >= 0 and finite minutes and km")
        if np.isinf(self.minutes).any() or np.isinf(self.km).any():
            raise ValueError("minutes and km must be finite or NaN, never infinite")

    def __len__(self) -> int:
        return len(self.demand)

    def summary(self) -> dict:
        """Counts and typical times, for a page to show (keys in Indonesian)."""
        r = self.reachable
        minutes, km = self.minutes[r], self.km[r]

        def stat(values: np.ndarray, fn) -> float | None:
            return round(float(fn(values)), 1) if values.size else None

        return {
            "titik": len(self),
            "terjangkau": int(r.sum()),
            "tidak_terjangkau": int((~r).sum()),
            "median_menit": stat(minutes, np.median),
            "maks_menit": stat(minutes, np.max),
            "median_km": stat(km, np.median),
            **{f"lewat_{s}": sum(s in path for path in self.sumber) for s in SUMBER},
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per demand node, in the order given.

        Columns: ``simpul`` (demand node), ``simpul_layanan`` (nearest service point's node, <NA>
        when unreachable), ``waktu_menit``, ``jarak_tempuh_km``, ``terjangkau``, ``jumlah_ruas``,
        ``sumber`` and ``moda`` (joined with ``JOIN``, e.g. ``jalan+perahu``; empty when the
        demand node is itself a service point, missing when unreachable).
        """
        r = self.reachable

        def joined(paths: tuple[tuple[str, ...], ...]) -> list[str | None]:
            return [JOIN.join(p) if ok else None for p, ok in zip(paths, r, strict=True)]

        return pd.DataFrame(
            {
                "simpul": self.demand,
                "simpul_layanan": pd.Series(self.facility, dtype="Int64").mask(~r),
                "waktu_menit": self.minutes,
                "jarak_tempuh_km": self.km,
                "terjangkau": r,
                "jumlah_ruas": pd.Series(self.hops, dtype="Int64").mask(~r),
                "sumber": joined(self.sumber),
                "moda": joined(self.moda),
            }
        )


def _node_indices(values, n: int, name: str) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(values))
    if arr.ndim != 1:
        raise ReachError(f"{name} harus berupa satu deret nomor simpul.")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise ReachError(f"{name} harus berisi nomor simpul (bilangan bulat), bukan {arr.dtype}.")
    arr = arr.astype(np.intp, copy=False)
    bad = (arr < 0) | (arr >= n)
    if bad.any():
        raise ReachError(
            f"{name}: {int(bad.sum())} nomor simpul di luar jaringan (0..{n - 1}), "
            f"posisi ke-{_positions(bad)}."
        )
    return arr


def multi_source(graph: TravelGraph, facilities) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One Dijkstra pass from all service points on the transposed minutes matrix.

    Parameters
    ----------
    graph
        The travel network.
    facilities
        Node positions of the service points.

    Returns
    -------
    minutes : numpy.ndarray
        Shape (n,): minutes from each node TO its nearest service point (inf if none).
    next_hop : numpy.ndarray
        Shape (n,): the next node on that path toward the service point (-9999 at a service
        point or when unreachable). On the transpose, scipy's predecessor is the next hop.
    source : numpy.ndarray
        Shape (n,): the service point node reached (-9999 when unreachable).

    Raises
    ------
    ReachError
        No service points, or a node position outside the graph.
    """
    facilities = _node_indices(facilities, graph.n, "Titik layanan")
    if facilities.size == 0:
        raise ReachError(
            "Tidak ada titik layanan untuk dihitung; pilih jenis layanan lain atau tambahkan titik."
        )
    # The transpose turns "from the service points" into "to the service points": the matrix
    # holds u -> v, and people travel from the village to the point along one-way legs.
    return dijkstra(
        graph.matrix().T.tocsr(),
        directed=True,
        indices=np.unique(facilities),
        return_predecessors=True,
        min_only=True,
    )


def walk_paths(
    graph: TravelGraph,
    demand: np.ndarray,
    minutes: np.ndarray,
    next_hop: np.ndarray,
    source: np.ndarray,
) -> NetworkNearest:
    """Follow each demand node's path to its service point and total the legs it uses.

    The walk advances all demand nodes one leg per step, so it costs the longest path's number of
    legs in numpy steps, never a scan of the graph per node. Legs are looked up in
    ``graph.best_edges()`` (the fastest of parallel legs, as ``matrix()`` used) in their travel
    direction, demand -> service point.

    Parameters
    ----------
    graph
        The travel network the pass ran on.
    demand
        Demand node positions.
    minutes, next_hop, source
        The outputs of ``multi_source``.

    Returns
    -------
    NetworkNearest
    """
    demand = _node_indices(demand, graph.n, "Titik permintaan")
    m = demand.size
    t = minutes[demand]
    reachable = np.isfinite(t)

    pos_steps, u_steps, v_steps = [], [], []
    pos = np.flatnonzero(reachable & (next_hop[demand] >= 0))
    cur = demand[pos]
    while pos.size:
        nxt = next_hop[cur].astype(np.intp)
        pos_steps.append(pos)
        u_steps.append(cur)
        v_steps.append(nxt)
        going = next_hop[nxt] >= 0
        pos, cur = pos[going], nxt[going]

    km = np.zeros(m)
    hops = np.zeros(m, dtype=np.intp)
    sumber: list[tuple[str, ...]] = [()] * m
    moda: list[tuple[str, ...]] = [()] * m
    if pos_steps:
        leg_pos = np.concatenate(pos_steps)
        leg = _lookup_legs(graph, np.concatenate(u_steps), np.concatenate(v_steps))
        km = np.bincount(leg_pos, weights=leg["km"], minlength=m)
        hops = np.bincount(leg_pos, minlength=m).astype(np.intp)
        sumber = _sources_used(leg_pos, leg["sumber"], m)
        moda = _modes_used(leg_pos, leg["moda"], leg["moda_names"], m)

    return NetworkNearest(
        demand=demand,
        facility=np.where(reachable, source[demand], -1),
        minutes=np.where(reachable, t, np.nan),
        km=np.where(reachable, km, np.nan),
        reachable=reachable,
        sumber=tuple(s if ok else () for s, ok in zip(sumber, reachable, strict=True)),
        moda=tuple(s if ok else () for s, ok in zip(moda, reachable, strict=True)),
        hops=np.where(reachable, hops, -1),
    )


def _lookup_legs(graph: TravelGraph, u: np.ndarray, v: np.ndarray) -> dict:
    """km, source code and mode code of the best (u, v) leg, for each pair (u, v)."""
    best = graph.best_edges()
    n = np.int64(graph.n)
    keys = best["u"].to_numpy(np.int64) * n + best["v"].to_numpy(np.int64)
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    wanted = u.astype(np.int64) * n + v.astype(np.int64)
    at = np.minimum(np.searchsorted(keys, wanted), keys.size - 1)
    if (keys[at] != wanted).any():
        raise RuntimeError("a path uses a leg missing from best_edges(); the graph changed?")
    rows = order[at]
    moda_codes, moda_names = pd.factorize(best["moda"].astype(str))
    sumber_codes = pd.Categorical(best["sumber"], categories=SUMBER).codes
    return {
        "km": best["km"].to_numpy(float)[rows],
        "sumber": np.asarray(sumber_codes)[rows],
        "moda": np.asarray(moda_codes)[rows],
        "moda_names": list(moda_names),
    }


def _sources_used(leg_pos: np.ndarray, codes: np.ndarray, m: int) -> list[tuple[str, ...]]:
    # A bit per source; eight possible sets, each turned into its tuple once.
    mask = np.zeros(m, dtype=np.int64)
    np.bitwise_or.at(mask, leg_pos, np.left_shift(1, codes.astype(np.int64)))
    label = [tuple(s for i, s in enumerate(SUMBER) if bits >> i & 1) for bits in range(8)]
    return [label[b] for b in mask.tolist()]


def _modes_used(
    leg_pos: np.ndarray, codes: np.ndarray, names: list[str], m: int
) -> list[tuple[str, ...]]:
    # Legs are stored step by step from the demand node, so the first occurrence of a
    # (demand, mode) pair is its first use along the path.
    k = max(len(names), 1)
    _, first = np.unique(leg_pos.astype(np.int64) * k + codes, return_index=True)
    first = first[np.lexsort((first, leg_pos[first]))]
    groups = np.split(codes[first], np.flatnonzero(np.diff(leg_pos[first])) + 1)
    out: list[tuple[str, ...]] = [()] * m
    for p, group in zip(np.unique(leg_pos[first]).tolist(), groups, strict=True):
        out[p] = tuple(names[c] for c in group.tolist())
    return out


def path_totals(
    graph: TravelGraph, minutes: np.ndarray, next_hop: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distance, sources and legs of every node's path to its nearest service point.

    ``walk_paths`` follows the paths of a few demand nodes; this totals the whole shortest-path
    tree of ``multi_source`` at once by pointer jumping (each round doubles the span every node
    has added up), so it costs log2(longest path) numpy steps over the nodes, whatever the
    number of KPM later joined to them.

    Parameters
    ----------
    graph
        The travel network the pass ran on.
    minutes, next_hop
        ``multi_source``'s outputs.

    Returns
    -------
    km : numpy.ndarray
        Shape (n,): kilometres along the path (0 at a service point; NaN when unreachable).
    sources : numpy.ndarray
        Shape (n,): bit ``i`` set when the path uses a leg of source ``SUMBER[i]``.
    hops : numpy.ndarray
        Shape (n,): legs on the path (-1 when unreachable).
    """
    n = graph.n
    reachable = np.isfinite(minutes)
    ptr = np.where(reachable & (next_hop >= 0), next_hop, -1).astype(np.intp)
    km = np.zeros(n)
    bits = np.zeros(n, dtype=np.int64)
    hops = (ptr >= 0).astype(np.intp)
    live = np.flatnonzero(ptr >= 0)
    if live.size:
        leg = _lookup_legs(graph, live, ptr[live])
        km[live] = leg["km"]
        bits[live] = np.left_shift(1, leg["sumber"].astype(np.int64))
    while live.size:
        # Read everything at the pointed-to nodes before writing: one synchronous round.
        ahead = ptr[live]
        km_ahead, bits_ahead, hops_ahead, ptr_ahead = (
            km[ahead],
            bits[ahead],
            hops[ahead],
            ptr[ahead],
        )
        km[live] += km_ahead
        bits[live] |= bits_ahead
        hops[live] += hops_ahead
        ptr[live] = ptr_ahead
        live = live[ptr_ahead >= 0]
    return np.where(reachable, km, np.nan), bits, np.where(reachable, hops, -1)


def network_nearest(
    graph: TravelGraph, *, facilities: np.ndarray, demand: np.ndarray
) -> NetworkNearest:
    """The nearest service point by travel time for each demand node, in one shortest-path pass.

    Parameters
    ----------
    graph
        The travel network (minutes on each leg; the fastest of parallel legs counts).
    facilities
        Node positions of the service points (e.g. the e-warong only, for a type filter).
    demand
        Node positions of the villages or KPM to serve. A demand node that is a service point
        gets 0 minutes and 0 km.

    Returns
    -------
    NetworkNearest
        Per demand node: nearest service point, minutes, km, sources and modes used.

    Raises
    ------
    ReachError
        No service points, or a node position outside the graph.
    """
    minutes, next_hop, source = multi_source(graph, facilities)
    return walk_paths(graph, demand, minutes, next_hop, source)
