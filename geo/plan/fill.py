"""Filling the free time the calendar leaves: the solver sees a trip as one block of working
minutes, less a loss per night; on the calendar the last day often ends early. Villages left out
whose prize outweighs their extra travel go into a trip where, laid on the calendar from its
start, it keeps its days.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from geo.plan.calendar import working_days
from geo.plan.instance import Instance, Trips
from geo.plan.model import Candidate, Team, nights_over_break, trip_days
from geo.plan.timeline import lay_out_trip


def fill_free_time(instance: Instance, reach_ok: np.ndarray, trips: Trips, mulai: date) -> None:
    """Fill the teams' free time, in place: the village whose prize most outweighs its extra
    travel goes in where it costs least, as long as the trip, laid on the calendar, keeps its
    days and its start (a team not sent out starts on the first working day from ``mulai``);
    again until no village fits."""
    tried: set[tuple[int, tuple[int, ...]]] = set()  # (team, order) laid out already
    for _ in range(len(instance.candidates)):
        visited = trips.visited()
        left = [k for k in range(len(instance.candidates)) if reach_ok[k] and k not in visited]
        if not left:
            break
        options = insertions(
            instance.legs.minutes,
            instance.boat,
            instance.paths(trips.orders),
            instance.teams,
            instance.candidates,
            left,
            instance.prize_min,
            instance.n_dep,
        )
        if not _insert_first_fit(instance, trips, options, tried, mulai):
            break


def _insert_first_fit(
    instance: Instance,
    trips: Trips,
    options: list[tuple[float, int, int, int]],
    tried: set[tuple[int, tuple[int, ...]]],
    mulai: date,
) -> bool:
    """Make the first of ``options`` (best first) whose trip fits the calendar; whether one did.
    Orders laid out once are remembered in ``tried`` and not laid out again."""
    for _gain, k, t, pos in options:
        order = [*trips.orders.get(t, [])]
        order.insert(pos, k)
        if (t, tuple(order)) in tried:
            continue
        start = trips.laid[t].berangkat.date() if t in trips.laid else working_days(mulai, 1)[0]
        scheduled = lay_out_trip(instance, t, order, start)
        tried.add((t, tuple(order)))
        if scheduled.hari <= trip_days(instance.teams[t]) and not nights_over_break(scheduled):
            trips.orders[t], trips.laid[t] = order, scheduled
            trips.trimmed.discard(k)
            return True
    return False


def insertions(
    minutes: np.ndarray,
    boat: np.ndarray,
    paths: list[list[int]],
    teams: list[Team],
    candidates: list[Candidate],
    left: list[int],
    prize_min: list[int],
    n_dep: int,
) -> list[tuple[float, int, int, int]]:
    """Every place in the teams' trips (``paths``, graph nodes per team) where a village left
    out (candidate positions ``left``; node ``n_dep + k``) gains more prize minutes than it adds
    travel, best first: ``(-gain, village, team, position)``. Legs a team may not use (a boat leg
    for a team without boats, a village locked to another team) are never offered."""
    nodes = n_dep + np.asarray(left)
    prize = np.asarray(prize_min)[left]
    options = []
    for t, (team, path) in enumerate(zip(teams, paths, strict=True)):
        a, b = np.asarray(path[:-1]), np.asarray(path[1:])
        into = minutes[np.ix_(a, nodes)]  # (positions, villages)
        out = minutes[np.ix_(nodes, b)].T
        if not team.perahu:
            into = np.where(boat[np.ix_(a, nodes)], np.inf, into)
            out = np.where(boat[np.ix_(nodes, b)].T, np.inf, out)
        gain = prize - (into + out - minutes[a, b][:, None])
        for j, k in enumerate(left):
            if candidates[k].kunci_tim not in (None, team.nama):
                continue
            for pos in np.flatnonzero(gain[:, j] > 0):
                options.append((-float(gain[pos, j]), int(k), t, int(pos)))
    return sorted(options)
