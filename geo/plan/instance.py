"""One routing request in numbers, as the solver, the calendar, the fill and the reasons read it:
the request checked, the legs between its places, service minutes and prizes, which villages
each team can reach, and the trips as they are built.

Places are numbered depots first (``0 .. n_dep - 1``), then the candidates (candidate ``k`` at
``n_dep + k``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geo import settings
from geo.plan.legs import LegMatrix, leg_matrix
from geo.plan.model import (
    Candidate,
    RoutingError,
    Team,
    TeamRoute,
    day_minutes,
    service_minutes,
    trip_days,
)
from geo.reach.network import PlaceNetwork


def check_request(depots: pd.DataFrame, candidates: list[Candidate], teams: list[Team]) -> None:
    """Refuse a request that cannot be planned: no teams, no candidates, a team at an unknown
    depot, a village locked to a team that does not exist."""
    if not teams:
        raise RoutingError("Belum ada tim. Tambahkan sedikitnya satu tim dengan depotnya.")
    if not candidates:
        raise RoutingError("Belum ada desa calon. Pilih desa yang akan dikunjungi.")
    depot_ids = list(depots["id"])
    for team in teams:
        if team.depot not in depot_ids:
            raise RoutingError(f"{team.nama}: depot {team.depot} tidak dikenal.")
    names = [t.nama for t in teams]
    for c in candidates:
        if c.kunci_tim and c.kunci_tim not in names:
            raise RoutingError(f"Desa {c.desa} dikunci ke {c.kunci_tim}, tetapi tim itu tidak ada.")


@dataclass(frozen=True)
class Instance:
    """A checked request with the numbers every step shares.

    Attributes
    ----------
    depots
        ``id``, ``nama`` of the depots, in place order.
    candidates, teams
        The request's villages and teams.
    legs
        Travel between every pair of places.
    boat
        Whether each leg needs a boat.
    service
        Minutes of each candidate's visit.
    prize_min
        Each candidate's prize in travel minutes, as the solver and the fill weigh it.
    team_depot
        Each team's depot, as a place number.
    day
        Working minutes in a day.
    """

    depots: pd.DataFrame
    candidates: list[Candidate]
    teams: list[Team]
    legs: LegMatrix
    boat: np.ndarray
    service: np.ndarray
    prize_min: list[int]
    team_depot: list[int]
    day: int

    @classmethod
    def build(
        cls,
        net: PlaceNetwork,
        depots: pd.DataFrame,
        depot_nodes: np.ndarray,
        candidates: list[Candidate],
        candidate_nodes: np.ndarray,
        teams: list[Team],
    ) -> Instance:
        """The numbers of a request: legs between the depots' and candidates' graph nodes."""
        nodes = np.concatenate([np.asarray(depot_nodes), np.asarray(candidate_nodes)])
        legs = leg_matrix(net, nodes)
        depot_ids = list(depots["id"])
        return cls(
            depots=depots,
            candidates=candidates,
            teams=teams,
            legs=legs,
            boat=legs.uses_boat(),
            service=np.array([service_minutes(c.kpm_belum) for c in candidates]),
            prize_min=[int(round(c.hadiah * settings.PRIZE_MINUTES_PER_POINT)) for c in candidates],
            team_depot=[depot_ids.index(t.depot) for t in teams],
            day=day_minutes(),
        )

    @property
    def n_dep(self) -> int:
        """Number of depots (the first places)."""
        return len(self.depots)

    @property
    def depot_ids(self) -> list[str]:
        """Depot ids, in place order."""
        return list(self.depots["id"])

    @property
    def n_places(self) -> int:
        """Number of places: depots and candidates."""
        return len(self.legs.minutes)

    def paths(self, orders: dict[int, list[int]]) -> list[list[int]]:
        """Every team's trip as places, depot to depot (``[d, d]`` for a team not sent out)."""
        return [
            [self.team_depot[t], *(self.n_dep + k for k in orders.get(t, [])), self.team_depot[t]]
            for t in range(len(self.teams))
        ]


def reachable(instance: Instance) -> np.ndarray:
    """Which villages some team can visit within its trip: out from its depot and back, with the
    visit, in its days' working minutes, by legs it may use, and not locked to another team."""
    n_dep, minutes, boat = instance.n_dep, instance.legs.minutes, instance.boat
    reach_ok = np.zeros(len(instance.candidates), dtype=bool)
    for team, d in zip(instance.teams, instance.team_depot, strict=True):
        limit = trip_days(team) * instance.day
        out = minutes[d, n_dep:] + minutes[n_dep:, d].T
        allowed = np.isfinite(out) & (out + instance.service <= limit)
        if not team.perahu:
            allowed &= ~boat[d, n_dep:] & ~boat[n_dep:, d]
        locked = np.array([c.kunci_tim in (None, team.nama) for c in instance.candidates])
        reach_ok |= allowed & locked
    return reach_ok


def check_required(instance: Instance, reach_ok: np.ndarray) -> None:
    """Refuse required villages that no team can reach and come back from within its days."""
    unfit = [
        c.desa for c, ok in zip(instance.candidates, reach_ok, strict=True) if c.wajib and not ok
    ]
    if unfit:
        raise RoutingError(
            "Desa wajib ini tidak dapat dicapai dan kembali dalam batas hari tim mana pun: "
            f"{', '.join(unfit)}. Tambah hari, pilih depot yang lebih dekat, izinkan perahu, "
            "atau lepaskan status wajibnya."
        )


@dataclass
class Trips:
    """The teams' trips as they are built, by team position: each sent-out team's villages
    (candidate positions) in visiting order and its trip laid on the calendar, and the villages
    dropped because the calendar had no room for them."""

    orders: dict[int, list[int]] = field(default_factory=dict)
    laid: dict[int, TeamRoute] = field(default_factory=dict)
    trimmed: set[int] = field(default_factory=set)

    def visited(self) -> set[int]:
        """Candidate positions on some trip."""
        return {k for order in self.orders.values() for k in order}

    def routes(self) -> list[TeamRoute]:
        """The laid trips, in team order."""
        return [self.laid[t] for t in sorted(self.laid)]
