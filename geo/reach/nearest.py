"""Nearest service point: straight-line (k-d tree) and over the travel network (one Dijkstra pass).

Straight-line distances are taken in the metric CRS (``settings.CRS_METRIC``, metres, (x, y));
results are in kilometres. Network results come from ONE multi-source shortest-path pass from all
service points over the transpose of ``TravelGraph.matrix()``, so each value is the time *from* a
demand node *to* its nearest service point on a directed graph (one-way roads, upstream and
downstream boat legs), never pair by pair. Travel times are in minutes, distances in kilometres.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from geo._errors import ReachError
from geo.geometry import positions
from geo.reach.graph import SUMBER, TravelGraph

#: Joins the sources or modes of one path in ``NetworkNearest.to_frame`` ("jalan+perahu").
JOIN = "+"

# scipy marks "no predecessor" (a source, or an unreachable node) with this value.
_NO_PRED = -9999


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
            f"{name}: {int(bad.sum())} titik tanpa koordinat yang sah (titik ke-{positions(bad)})."
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
            f"posisi ke-{positions(bad)}."
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
