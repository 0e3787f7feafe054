"""Access to aid: nearest service point per village, hard-to-reach ranking, e-warong load, and
where new service points would help most.

Times are minutes and distances kilometres. The nearest point is the one with the shortest
travel time over the network (``geo.network``); the straight-line distance is to that same point.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra

from geo import settings
from geo.network import PlaceNetwork
from geo.reach import network_nearest

JENIS_BRI = ("agen_brilink", "kantor_bri")
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
        ``geo.coverage.Coverage.villages`` of the round: ``kode``, ``kpm``, ``terealisasi``,
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
