"""Why each village left out of a plan is left out, in the planner's words: out of reach of
every team, no room on the calendar, worth less than its detour, or no time left.
"""

from __future__ import annotations

import numpy as np

from geo import fmt, settings
from geo.plan.instance import Instance, Trips
from geo.plan.model import Candidate


def left_out(instance: Instance, reach_ok: np.ndarray, trips: Trips) -> list[tuple[str, str, str]]:
    """The villages on no trip, in candidate order: ``(kode_desa, desa, alasan)``."""
    visited = trips.visited()
    paths = instance.paths(trips.orders)  # for the cheapest detour to a village left out
    left = []
    for k, c in enumerate(instance.candidates):
        if k in visited:
            continue
        if not reach_ok[k]:
            reason = "tidak dapat dicapai dan kembali dalam satu perjalanan dari depot tim mana pun"
        elif k in trips.trimmed:
            reason = "tidak muat dalam hari kerja tim (waktu habis karena menginap di jalan)"
        else:
            reason = left_out_reason(
                c, cheapest_detour(instance.legs.minutes, paths, instance.n_dep + k)
            )
        left.append((c.kode_desa, c.desa, reason))
    return left


def cheapest_detour(minutes: np.ndarray, paths: list[list[int]], node: int) -> float:
    """Extra travel minutes to fit ``node`` into the cheapest place of any path."""
    best = np.inf
    for path in paths:
        a, b = np.array(path[:-1]), np.array(path[1:])
        extra = minutes[a, node] + minutes[node, b] - minutes[a, b]
        best = min(best, float(np.min(extra)))
    return best


def left_out_reason(candidate: Candidate, detour: float) -> str:
    """Why the solver left out a village it could reach: worth less than its detour, or no
    time left in the teams' trips."""
    worth = candidate.hadiah * settings.PRIZE_MINUTES_PER_POINT
    if np.isfinite(detour) and detour > worth:
        return (
            f"tidak terpilih: menambah sedikitnya {fmt.number(detour)} menit perjalanan, lebih "
            f"dari nilai skor prioritasnya ({fmt.number(candidate.hadiah, 1)} poin = "
            f"{fmt.number(worth)} menit); tandai wajib bila tetap harus dikunjungi"
        )
    return (
        "tidak terpilih: waktu tim habis untuk desa lain yang lebih bernilai; tambah tim atau "
        "hari, atau tandai wajib"
    )
