"""The travel graph every reach computation walks: nodes in metres, directed legs with their source.

Below the road import, the network builder and the nearest-point search, so that none of them
imports another for the graph's shape.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

#: Leg sources, in the order their codes are stored (``TravelGraph.edges["sumber"]``).
SUMBER = ("jalan", "perahu", "perkiraan")


#: Node kinds.
KINDS = ("jalan", "desa", "layanan", "dermaga")


EDGE_COLUMNS = ["u", "v", "km", "menit", "sumber", "moda"]


@dataclass(frozen=True)
class TravelGraph:
    """A directed travel network.

    Attributes
    ----------
    nodes
        One row per node, indexed 0..n-1: ``x``, ``y`` (metres, EPSG:32750), ``kind`` (one of
        ``KINDS``), ``ref`` (OSM id, village code, service point id or landing name).
    edges
        One row per directed leg: ``u``, ``v`` (node positions), ``km``, ``menit`` (minutes,
        waiting included), ``sumber`` (one of ``SUMBER``), ``moda`` (``mobil``, ``motor``,
        ``ketinting``, ``longboat``, ``speedboat``, ...). Parallel legs are allowed.
    """

    nodes: pd.DataFrame
    edges: pd.DataFrame

    def __post_init__(self) -> None:
        missing = [c for c in ("x", "y", "kind", "ref") if c not in self.nodes]
        missing += [c for c in EDGE_COLUMNS if c not in self.edges]
        if missing:
            raise ValueError(f"travel graph lacks columns: {missing}")
        n = len(self.nodes)
        if len(self.edges) and (
            self.edges["u"].min() < 0 or max(self.edges["u"].max(), self.edges["v"].max()) >= n
        ):
            raise ValueError("edge endpoints outside the node table")
        if not self.edges["sumber"].isin(SUMBER).all():
            raise ValueError(f"edge sources must be among {SUMBER}")
        if (self.edges["menit"] < 0).any() or (self.edges["km"] < 0).any():
            raise ValueError("negative travel time or distance")

    @property
    def n(self) -> int:
        return len(self.nodes)

    @functools.cached_property
    def _best(self) -> pd.DataFrame:
        order = self.edges.sort_values(["u", "v", "menit", "km"], kind="stable")
        return order.drop_duplicates(["u", "v"], keep="first").reset_index(drop=True)

    @functools.cached_property
    def _matrix(self) -> sp.csr_matrix:
        best = self._best
        minutes = np.maximum(best["menit"].to_numpy(dtype=float), 1e-9)
        return sp.csr_matrix(
            (minutes, (best["u"].to_numpy(), best["v"].to_numpy())), shape=(self.n, self.n)
        )

    def best_edges(self) -> pd.DataFrame:
        """One leg per (u, v): the fastest of any parallel legs (ties: the shorter). Cached."""
        return self._best

    def matrix(self) -> sp.csr_matrix:
        """Minutes as a CSR matrix, the minimum over parallel legs.

        ``to_scipy_sparse_array`` would add parallel legs up; this keeps the fastest. A leg of
        0 minutes is stored as a tiny positive value, because csgraph reads an explicit 0 as
        "no edge". Cached: the graph is not to be changed after it is built.
        """
        return self._matrix

    def summary(self) -> dict:
        by_source = self.edges["sumber"].value_counts().to_dict()
        return {
            "simpul": self.n,
            "ruas": len(self.edges),
            **{f"ruas_{k}": int(by_source.get(k, 0)) for k in SUMBER},
        }
