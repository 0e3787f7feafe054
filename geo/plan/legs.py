"""Travel between the places of a routing request: the network with the depots joined to it,
and the matrix of shortest legs (minutes, km, sources, modes, landings) between depots and
candidate villages, from ``geo.reach.network``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra

from geo.reach.graph import SUMBER
from geo.reach.network import PlaceNetwork


def network_with_depots(
    villages: pd.DataFrame,
    points: pd.DataFrame,
    depots: pd.DataFrame,
    *,
    boats: pd.DataFrame | None = None,
    jaringan: str | None = None,
) -> tuple[PlaceNetwork, np.ndarray]:
    """The travel network with the depots joined to it; returns it and the depots' nodes.

    Depots (branch offices, some outside Kukar) join like service points, by estimate legs.
    """
    from geo.reach.network import load_network

    extra = pd.DataFrame(
        {
            "id": "DEPOT:" + depots["id"].astype(str),
            "nama": depots["nama"],
            "jenis": "depot",
            "lat": depots["lat"].astype(float),
            "lon": depots["lon"].astype(float),
            "kode_desa": None,
        }
    )
    both = pd.concat([points, extra], ignore_index=True)
    net = load_network(villages, both, jaringan=jaringan, boats=boats)
    # The returned network's point_node covers the service points only, as geo.reach.per_village
    # expects.
    points_only = PlaceNetwork(
        graph=net.graph,
        village_node=net.village_node,
        point_node=net.point_node[: len(points)],
        sources=net.sources,
    )
    return points_only, net.point_node[len(points) :]


@dataclass(frozen=True)
class LegMatrix:
    """Travel between locations (depots first, then candidates): minutes, km, sources, modes."""

    minutes: np.ndarray
    km: np.ndarray
    sumber: np.ndarray  # object: "jalan+perahu"
    moda: np.ndarray  # object: "mobil+longboat"
    dermaga: np.ndarray | None = None  # object: landings on the path, "Dermaga Anggana"

    def landings(self, i: int, j: int) -> str:
        return "" if self.dermaga is None else str(self.dermaga[i, j])

    def uses_boat(self) -> np.ndarray:
        return np.vectorize(lambda s: "perahu" in s, otypes=[bool])(self.sumber)


def leg_matrix(net: PlaceNetwork, nodes: np.ndarray) -> LegMatrix:
    """Shortest travel times between the given graph nodes, with the km, sources and modes of
    each chosen path (walked back along the predecessors)."""
    graph = net.graph
    dist, pred = dijkstra(graph.matrix(), indices=nodes, return_predecessors=True)
    edges = graph.best_edges()
    best = {
        (u, v): (k, s, m)
        for u, v, k, s, m in zip(
            edges["u"], edges["v"], edges["km"], edges["sumber"], edges["moda"], strict=True
        )
    }
    n = len(nodes)
    minutes = dist[:, nodes]
    km = np.full((n, n), np.nan)
    sumber = np.full((n, n), "", dtype=object)
    moda = np.full((n, n), "", dtype=object)
    dermaga = np.full((n, n), "", dtype=object)
    landing = dict(
        zip(
            np.flatnonzero(graph.nodes["kind"].to_numpy() == "dermaga"),
            graph.nodes.loc[graph.nodes["kind"] == "dermaga", "ref"].astype(str),
            strict=True,
        )
    )
    for i in range(n):
        for j in range(n):
            if i == j:
                km[i, j] = 0.0
                continue
            if not np.isfinite(minutes[i, j]):
                continue
            total, used, modes, passed = 0.0, set(), [], []
            node = nodes[j]
            while node != nodes[i]:
                if node in landing and landing[node] not in passed:
                    passed.append(landing[node])
                prev = pred[i, node]
                leg_km, leg_sumber, leg_moda = best[(prev, node)]
                total += float(leg_km)
                used.add(leg_sumber)
                if leg_moda not in modes:
                    modes.append(leg_moda)
                node = prev
            km[i, j] = total
            sumber[i, j] = "+".join(s for s in SUMBER if s in used)
            moda[i, j] = "+".join(reversed(modes))
            dermaga[i, j] = ", ".join(reversed(passed))
    return LegMatrix(minutes=minutes, km=km, sumber=sumber, moda=moda, dermaga=dermaga)
