"""The travel network: road (OpenStreetMap), boat legs, and straight-line estimates, in one graph.

Every leg keeps its source (``SUMBER``): ``jalan`` (an OSM road), ``perahu`` (a boat leg from the
planners' table) or ``perkiraan`` (straight-line distance × a detour factor ÷ a speed, where
neither covers a place). Nodes live in the metric CRS (``settings.CRS_METRIC``, metres); villages
join the graph at their reference point, service points and landings (``dermaga``, named by the
boat legs) at their own coordinates. A landing is not a place to visit, only a node that paths
pass through: a village reached by road to Anggana's port and then by boat shows ``jalan+perahu``
(or ``perkiraan+perahu``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from geo.geometry import project_lonlat
from geo.reach.graph import EDGE_COLUMNS, SUMBER, TravelGraph

# -- building the network -------------------------------------------------------------------


@dataclass(frozen=True)
class PlaceNetwork:
    """A travel graph with the nodes where villages and service points join it.

    Attributes
    ----------
    graph
        The combined graph.
    village_node
        Node position of each village, in the order of the villages frame given to ``build``.
    point_node
        Node position of each service point, in the order of the points frame. Landings, when
        the boat legs name any, follow the service points (``kind == "dermaga"``).
    sources
        Which sources went in: a subset of ``SUMBER``.
    """

    graph: TravelGraph
    village_node: np.ndarray
    point_node: np.ndarray
    sources: tuple[str, ...]

    def __post_init__(self) -> None:
        for name in ("village_node", "point_node"):
            nodes = getattr(self, name)
            if len(nodes) and (nodes.min() < 0 or nodes.max() >= self.graph.n):
                raise ValueError(f"{name} outside the graph")

    def summary(self) -> dict:
        return {"sumber": list(self.sources), **self.graph.summary()}


def _legs(u, v, km, minutes, sumber: str, moda) -> pd.DataFrame:
    """Legs both ways between u[i] and v[i]."""
    u, v = np.asarray(u), np.asarray(v)
    km, minutes = np.asarray(km, dtype=float), np.asarray(minutes, dtype=float)
    moda = np.broadcast_to(np.asarray(moda, dtype=object), u.shape)
    return pd.DataFrame(
        {
            "u": np.concatenate([u, v]),
            "v": np.concatenate([v, u]),
            "km": np.concatenate([km, km]),
            "menit": np.concatenate([minutes, minutes]),
            "sumber": sumber,
            "moda": np.concatenate([moda, moda]),
        }
    )


def estimate_legs(
    xy: np.ndarray, nodes: np.ndarray, *, neighbours: int | None = None
) -> pd.DataFrame:
    """Straight-line estimate legs among ``nodes`` (positions into ``xy``), both ways.

    Each node is joined to its ``neighbours`` nearest; separate clusters are then joined at
    their closest pair, so that every node can reach every other. Distance = straight line ×
    ``settings.DETOUR_FACTOR``; time at ``settings.ESTIMATE_SPEED_KMH``.
    """
    from scipy.sparse.csgraph import connected_components
    from scipy.spatial import cKDTree

    from geo import settings

    neighbours = neighbours or settings.ESTIMATE_NEIGHBOURS
    nodes = np.asarray(nodes)
    if len(nodes) < 2:
        return pd.DataFrame(columns=EDGE_COLUMNS)
    pts = xy[nodes]
    tree = cKDTree(pts)
    k = min(neighbours + 1, len(nodes))
    dist, idx = tree.query(pts, k=k)
    a = np.repeat(np.arange(len(nodes)), k - 1)
    b = idx[:, 1:].ravel()
    d = dist[:, 1:].ravel()
    pairs = {(min(i, j), max(i, j)): dd for i, j, dd in zip(a, b, d, strict=True)}
    # Join clusters: repeatedly link the first cluster to its nearest other node.
    while True:
        keys = np.array(list(pairs), dtype=int).reshape(-1, 2)
        adj = sp.coo_matrix(
            (np.ones(len(keys)), (keys[:, 0], keys[:, 1])), shape=(len(nodes), len(nodes))
        )
        count, labels = connected_components(adj, directed=False)
        if count == 1:
            break
        inside = np.flatnonzero(labels == labels[0])
        outside = np.flatnonzero(labels != labels[0])
        d_out, j_out = cKDTree(pts[outside]).query(pts[inside])
        best = int(np.argmin(d_out))
        i, j = int(inside[best]), int(outside[j_out[best]])
        pairs[(min(i, j), max(i, j))] = float(d_out[best])
    keys = np.array(list(pairs), dtype=int).reshape(-1, 2)
    km = np.array(list(pairs.values())) / 1000 * settings.DETOUR_FACTOR
    minutes = km / settings.ESTIMATE_SPEED_KMH * 60
    return _legs(nodes[keys[:, 0]], nodes[keys[:, 1]], km, minutes, "perkiraan", "mobil")


def _end_kind(boats: pd.DataFrame, end: str) -> pd.Series:
    """``desa`` or ``dermaga`` for one end of each leg (``desa`` where the frame does not say)."""
    column = f"{end}_jenis"
    if column not in boats:
        return pd.Series("desa", index=boats.index)
    return boats[column].fillna("desa")


def landings_of(boats: pd.DataFrame | None) -> pd.DataFrame:
    """The landings a boat-leg frame names, once each and in order of first mention.

    Returns ``nama``, ``lon``, ``lat`` (degrees) and ``kode_desa``; a landing with no position
    (gone from the landings table) is left out.
    """
    columns = ["nama", "lon", "lat", "kode_desa"]
    if boats is None or boats.empty:
        return pd.DataFrame(columns=columns)
    parts = []
    for end in ("dari", "ke"):
        part = boats[_end_kind(boats, end) == "dermaga"]
        parts.append(
            pd.DataFrame(
                {
                    "nama": part[end],
                    "lon": part.get(f"{end}_lon"),
                    "lat": part.get(f"{end}_lat"),
                    "kode_desa": part.get(f"{end}_kode_desa"),
                },
                index=part.index,
            )
        )
    # Interleave the two ends by leg, so that "first mention" follows the table's rows.
    frame = pd.concat(parts).sort_index(kind="stable")
    frame = frame.astype({"lon": float, "lat": float}).dropna(subset=["lon", "lat"])
    return frame.drop_duplicates("nama").reset_index(drop=True)[columns]


def build(
    villages: pd.DataFrame,
    points: pd.DataFrame,
    *,
    boats: pd.DataFrame | None = None,
    road: TravelGraph | None = None,
    no_road: tuple[str, ...] | None = None,
) -> PlaceNetwork:
    """Combine road, boat and estimate legs into one graph joining villages and service points.

    Parameters
    ----------
    villages
        ``kode``, ``ref_lon``, ``ref_lat`` (degrees): villages join at their reference point.
    points
        Service points: ``id``, ``lon``, ``lat`` (degrees) and ``kode_desa`` (their village).
    boats
        ``geo.reach.boats.BoatLegs.frame`` or ``Store.boat_legs()``: ``dari``, ``ke``, ``moda``,
        ``menit``, ``tunggu_menit``, and per end ``*_jenis`` (``desa``: ``dari``/``ke`` is a
        village code, the default; ``dermaga``: a landing's name, with ``*_lat``, ``*_lon`` and
        ``*_kode_desa``). Each leg goes both ways. A landing becomes a node of kind ``dermaga``
        after the service points and joins the land network like a village; a landing whose
        ``kode_desa`` has no road joins only that village, by a short local leg.
    road
        A road graph (``geo.reach.osm.RoadNetwork.to_travel_graph()``); ``None`` for estimates only.
    no_road
        Codes of villages with no road (boat only); default ``settings.NO_ROAD_VILLAGES``.
        They get no road or estimate legs: only their boat legs (and their own service points).
    """
    from scipy.spatial import cKDTree

    from geo import settings

    no_road = settings.NO_ROAD_VILLAGES if no_road is None else no_road
    base = road.nodes[["x", "y", "kind", "ref"]] if road is not None else None
    offset = 0 if base is None else len(base)
    v_xy = project_lonlat(villages["ref_lon"].to_numpy(), villages["ref_lat"].to_numpy())
    p_xy = (
        project_lonlat(points["lon"].to_numpy(float), points["lat"].to_numpy(float))
        if len(points)
        else np.empty((0, 2))
    )
    landings = landings_of(boats)
    l_xy = (
        project_lonlat(landings["lon"].to_numpy(float), landings["lat"].to_numpy(float))
        if len(landings)
        else np.empty((0, 2))
    )
    village_node = offset + np.arange(len(villages))
    point_node = offset + len(villages) + np.arange(len(points))
    landing_node = offset + len(villages) + len(points) + np.arange(len(landings))
    place_nodes = pd.DataFrame(
        {
            "x": np.concatenate([v_xy[:, 0], p_xy[:, 0], l_xy[:, 0]]),
            "y": np.concatenate([v_xy[:, 1], p_xy[:, 1], l_xy[:, 1]]),
            "kind": ["desa"] * len(villages)
            + ["layanan"] * len(points)
            + ["dermaga"] * len(landings),
            "ref": list(villages["kode"]) + list(points["id"]) + list(landings["nama"]),
        }
    )
    nodes = place_nodes if base is None else pd.concat([base, place_nodes], ignore_index=True)
    xy = nodes[["x", "y"]].to_numpy()
    boat_only = villages["kode"].isin(no_road).to_numpy()
    point_village = points["kode_desa"].fillna("").to_numpy() if len(points) else np.array([])
    point_boat_only = np.isin(point_village, list(no_road))
    landing_village = landings["kode_desa"].fillna("").to_numpy()
    landing_boat_only = np.isin(landing_village, list(no_road))

    legs = [] if road is None else [road.edges[EDGE_COLUMNS]]
    on_land = np.concatenate(
        [village_node[~boat_only], point_node[~point_boat_only], landing_node[~landing_boat_only]]
    )
    if road is None:
        legs.append(estimate_legs(xy, on_land))
    else:
        # Join places only to the largest strongly connected part of the road network, so that a
        # village never snaps to a one-way dead end or an isolated piece of road.
        from scipy.sparse.csgraph import connected_components

        _, labels = connected_components(road.matrix(), directed=True, connection="strong")
        main = np.flatnonzero(labels == np.bincount(labels).argmax())
        dist, pick = cKDTree(xy[main]).query(xy[on_land])
        nearest = main[pick]
        covered = dist / 1000 <= settings.ROAD_SNAP_MAX_KM
        km = dist[covered] / 1000 * settings.DETOUR_FACTOR
        legs.append(
            _legs(
                on_land[covered],
                nearest[covered],
                km,
                km / settings.ESTIMATE_SPEED_KMH * 60,
                "perkiraan",
                "mobil",
            )
        )
        if (~covered).any():
            # Places beyond the road network join their nearest places by estimate; legs between
            # two places the road already reaches are left out, so that estimates never compete
            # with real roads (a straight line across the Mahakam is no road).
            mesh = estimate_legs(xy, on_land)
            uncovered = set(on_land[~covered].tolist())
            keep = mesh["u"].isin(uncovered) | mesh["v"].isin(uncovered)
            legs.append(mesh[keep])
    # A service point or a landing in a boat-only village is reached from that village.
    code_to_node = dict(zip(villages["kode"], village_node, strict=True))
    local = [
        (node, code_to_node[code])
        for node, code, b in zip(
            np.concatenate([point_node, landing_node]),
            np.concatenate([point_village, landing_village]),
            np.concatenate([point_boat_only, landing_boat_only]),
            strict=True,
        )
        if b and code in code_to_node
    ]
    if local:
        a, b = np.array(local).T
        km = np.hypot(*(xy[a] - xy[b]).T) / 1000 * settings.DETOUR_FACTOR
        legs.append(_legs(a, b, km, km / settings.ESTIMATE_SPEED_KMH * 60, "perkiraan", "motor"))
    sources = ["perkiraan"] if road is None else ["jalan", "perkiraan"]
    if boats is not None and len(boats):
        # Legs naming a village or landing the graph does not hold are left out.
        landing_to_node = dict(zip(landings["nama"], landing_node, strict=True))
        ends = {}
        for end in ("dari", "ke"):
            is_landing = _end_kind(boats, end) == "dermaga"
            ends[end] = (
                boats[end].map(code_to_node).where(~is_landing, boats[end].map(landing_to_node))
            )
        known = ends["dari"].notna() & ends["ke"].notna()
        b = boats[known]
        a_nodes = ends["dari"][known].to_numpy(int)
        b_nodes = ends["ke"][known].to_numpy(int)
        km = np.hypot(*(xy[a_nodes] - xy[b_nodes]).T) / 1000 * settings.BOAT_DETOUR_FACTOR
        minutes = b["menit"].to_numpy(float) + b["tunggu_menit"].fillna(0).to_numpy(float)
        legs.append(_legs(a_nodes, b_nodes, km, minutes, "perahu", b["moda"].to_numpy()))
        sources.append("perahu")
    edges = pd.concat([leg for leg in legs if len(leg)], ignore_index=True)
    edges = edges.astype({"u": int, "v": int, "km": float, "menit": float})
    return PlaceNetwork(
        graph=TravelGraph(nodes=nodes.reset_index(drop=True), edges=edges),
        village_node=village_node,
        point_node=point_node,
        sources=tuple(s for s in SUMBER if s in sources),
    )


def load_network(
    villages: pd.DataFrame,
    points: pd.DataFrame,
    *,
    jaringan: str | None = None,
    boats: pd.DataFrame | None = None,
) -> PlaceNetwork:
    """The network from the setting: the same call for the page and the CLI.

    Parameters
    ----------
    jaringan
        ``perkiraan``: straight-line estimates alone (no road, no boat legs). ``osm:FILE`` or a
        path to an ``.osm``/``.pbf`` file, or ``overpass``: that road network, plus estimates
        where it does not reach, plus ``boats``. Empty: estimates plus ``boats``. Default
        ``settings.JARINGAN``.
    """
    from geo import settings

    jaringan = settings.JARINGAN if jaringan is None else jaringan.strip()
    if jaringan == "perkiraan":
        return build(villages, points, boats=None, no_road=())
    road = None
    if jaringan:
        from geo.reach import osm

        # polygon=None: Kukar buffered by 15 km, so that Samarinda's through-roads stay in.
        road = osm.load_road_graph(source=jaringan.removeprefix("osm:")).to_travel_graph()
    return build(villages, points, boats=boats, road=road)
