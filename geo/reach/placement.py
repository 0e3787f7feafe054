"""Where new service points would help most: a greedy p-median with Teitz-Bart swaps.

The demand is unrealized KPM per village and the cost the travel minutes to the nearest point;
every village is a candidate. ``exact_placement`` enumerates small instances to measure the gap.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra

from geo import settings
from geo.reach.network import PlaceNetwork


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
