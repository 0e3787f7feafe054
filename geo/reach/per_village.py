"""The nearest service point for every village, by travel time over the network.

Times are minutes and distances kilometres. The nearest point is the one with the shortest
travel time over the network (``geo.reach.network``); the straight-line distance is to that same
point. The table feeds the ranking, the e-warong load, the placement of new points and the maps.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.reach.nearest import network_nearest
from geo.reach.network import PlaceNetwork
from geo.reach.service_points import JENIS_BRI

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


def unreachable(near: pd.DataFrame) -> list[str]:
    """Names of the villages with no path to any chosen point, in the table's order."""
    return near.loc[~near["terjangkau"], "desa"].tolist()
