"""Solving a routing request with PyVRP: a prize-collecting, multi-depot routing problem with
duration limits. ``solve`` reads as the outline of the algorithm; its steps are below it.

The solver maximises prizes collected minus minutes travelled. A team without boat legs cannot
use a path that needs a boat; a village locked to a team is closed to the others. The solver
gets integer minutes and an explicit seed, and an iteration budget ends its search.
"""

from __future__ import annotations

import warnings
from datetime import date

import numpy as np
import pandas as pd

from geo import settings
from geo.plan.fill import fill_free_time
from geo.plan.instance import Instance, Trips, check_request, check_required, reachable
from geo.plan.model import Candidate, RoutePlan, RoutingError, Team, trip_days
from geo.plan.reasons import left_out
from geo.plan.timeline import lay_out_clear_of_breaks
from geo.reach.network import PlaceNetwork

FORBIDDEN = 10**7  # minutes: an edge a team must not use


def solver_params():
    """PyVRP's parameters for the plan's model: its defaults, with penalty management tuned for
    trips bound by working time (see ``settings.ROUTING_PENALTY_UPDATE_EVERY``)."""
    from pyvrp import PenaltyParams, SolveParams

    return SolveParams(
        penalty=PenaltyParams(
            solutions_between_updates=settings.ROUTING_PENALTY_UPDATE_EVERY,
            max_penalty=settings.ROUTING_MAX_PENALTY,
        )
    )


def solve(
    net: PlaceNetwork,
    depots: pd.DataFrame,
    depot_nodes: np.ndarray,
    candidates: list[Candidate],
    candidate_nodes: np.ndarray,
    teams: list[Team],
    *,
    mulai: date,
    seed: int = 1,
    batas_detik: float = 5.0,
    iterasi: int | None = None,
    is_demo: bool = False,
) -> RoutePlan:
    """Plan the teams' trips.

    Parameters
    ----------
    net
        The travel network.
    depots
        ``id``, ``nama`` of the depots, in the order of ``depot_nodes``.
    depot_nodes, candidate_nodes
        Graph nodes of the depots and of the candidate villages.
    candidates
        Villages that may be visited, with prizes.
    teams
        The teams; each starts from and returns to its depot.
    mulai
        The first working day of the trips.
    seed, batas_detik, iterasi
        Solver seed, time limit (seconds) and iteration budget (default
        ``settings.ROUTING_MAX_ITERATIONS``). The same seed and budget give the same plan as
        long as the budget, not the time limit, ends the search.

    Raises
    ------
    RoutingError
        No teams, no candidates, an unknown depot, or required villages that no team can fit.
    """
    check_request(depots, candidates, teams)
    instance = Instance.build(net, depots, depot_nodes, candidates, candidate_nodes, teams)
    reach_ok = reachable(instance)
    check_required(instance, reach_ok)
    model, client_index = build_model(instance, reach_ok)
    best = run_solver(model, seed=seed, batas_detik=batas_detik, iterasi=iterasi)
    trips = read_routes(instance, best, client_index, mulai)
    fill_free_time(instance, reach_ok, trips, mulai)
    names = [t.nama for t in teams]
    return RoutePlan(
        params=plan_params(
            instance, mulai=mulai, seed=seed, batas_detik=batas_detik, iterasi=iterasi
        ),
        routes=tuple(sorted(trips.routes(), key=lambda r: names.index(r.tim))),
        tidak_dikunjungi=tuple(left_out(instance, reach_ok, trips)),
        is_demo=is_demo,
    )


def build_model(instance: Instance, reach_ok: np.ndarray):
    """The PyVRP model of the request: a location per place, the depots, a client per village
    some team can reach (or required), a travel profile per group of teams that may use the same
    legs, and a vehicle per team. Returns the model and, per client in the order added, its
    candidate position."""
    from pyvrp import Model

    model = Model()
    n_dep, depot_ids = instance.n_dep, instance.depot_ids
    locations = [model.add_location(x=0, y=0) for _ in range(instance.n_places)]
    vrp_depots = [model.add_depot(locations[i], name=str(depot_ids[i])) for i in range(n_dep)]
    client_index = []
    for k, c in enumerate(instance.candidates):
        if c.wajib or reach_ok[k]:
            model.add_client(
                locations[n_dep + k],
                service_duration=int(instance.service[k]),
                prize=instance.prize_min[k],
                required=bool(c.wajib),
                name=c.kode_desa,
            )
            client_index.append(k)
    minutes = np.where(
        np.isfinite(instance.legs.minutes), np.rint(instance.legs.minutes), FORBIDDEN
    )
    minutes = minutes.astype(np.int64)
    # Teams that may use the same legs share one travel profile: fewer profiles, faster search.
    profiles: dict[tuple, object] = {}
    for team, d in zip(instance.teams, instance.team_depot, strict=True):
        profile = _travel_profile(model, instance, locations, minutes, team, profiles)
        days = trip_days(team)
        model.add_vehicle_type(
            num_available=1,
            start_depot=vrp_depots[d],
            end_depot=vrp_depots[d],
            # Overnight stops waste the end of a day, so a multi-day trip gets a little less.
            shift_duration=days * instance.day - (days - 1) * settings.OVERNIGHT_LOSS_MIN,
            # The cost is travel minutes (edge "distance"); service time only uses up the shift.
            unit_distance_cost=1,
            unit_duration_cost=0,
            profile=profile,
            name=team.nama,
        )
    return model, client_index


def _travel_profile(
    model, instance: Instance, locations, minutes: np.ndarray, team: Team, profiles
):
    """The team's travel profile: the one of teams that may use the same legs (``profiles``,
    by boat use and blocked places), or a new one with its edges. A place locked to another team
    and, for a team without boats, a boat leg cost ``FORBIDDEN``."""
    n_places = instance.n_places
    blocked = np.zeros(n_places, dtype=bool)
    for k, c in enumerate(instance.candidates):
        if c.kunci_tim not in (None, team.nama):
            blocked[instance.n_dep + k] = True
    key = (team.perahu, blocked.tobytes())
    if key in profiles:
        return profiles[key]
    profile = model.add_profile(name=f"profil {len(profiles) + 1}")
    profiles[key] = profile
    for i in range(n_places):
        for j in range(n_places):
            if i == j:
                continue
            value = int(minutes[i, j])
            if blocked[i] or blocked[j] or (not team.perahu and instance.boat[i, j]):
                value = FORBIDDEN
            model.add_edge(
                locations[i], locations[j], distance=value, duration=value, profile=profile
            )
    return profile


def run_solver(model, *, seed: int, batas_detik: float, iterasi: int | None):
    """The solver's best solution, searched with ``seed`` until the iteration budget or the
    time limit ends the search; a plan that breaks a limit is refused."""
    from pyvrp.exceptions import PenaltyBoundWarning
    from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria

    # An iteration budget makes a seed give the same plan whatever the machine's load; the time
    # limit is a safety cap that only binds on very large requests or a very slow machine.
    stop = MultipleCriteria(
        [MaxIterations(iterasi or settings.ROUTING_MAX_ITERATIONS), MaxRuntime(batas_detik)]
    )
    with warnings.catch_warnings():
        # A penalty at its maximum means a hard or infeasible request; an infeasible result gets
        # the planner's message below, so PyVRP's English warning is not printed to the log.
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        result = model.solve(stop=stop, seed=seed, display=False, params=solver_params())
    best = result.best
    if not best.is_feasible():
        raise RoutingError(
            "Tidak ditemukan rencana yang memenuhi semua batas (hari kerja, desa wajib). Tambah "
            "tim atau hari, atau kurangi desa wajib."
        )
    return best


def read_routes(instance: Instance, best, client_index: list[int], mulai: date) -> Trips:
    """The solver's routes laid on the calendar. The calendar (overnight stops) may need more
    days than the solver's working time: the last optional visits are dropped until the trip
    fits the team's days (and remembered as trimmed)."""
    trips = Trips()
    for route in best.routes():
        t = route.vehicle_type()
        # A route's client activities number the clients in the order they were added.
        order = [client_index[a.idx] for a in route if a.is_client()]
        scheduled = lay_out_clear_of_breaks(instance, t, order, mulai)
        while scheduled.hari > trip_days(instance.teams[t]):
            optional = [k for k in order if not instance.candidates[k].wajib]
            if not optional:
                break
            order.remove(optional[-1])
            trips.trimmed.add(optional[-1])
            scheduled = lay_out_clear_of_breaks(instance, t, order, mulai)
        trips.orders[t], trips.laid[t] = order, scheduled
    return trips


def plan_params(
    instance: Instance, *, mulai: date, seed: int, batas_detik: float, iterasi: int | None
) -> dict:
    """The plan's parameters as saved with it: working hours, limits, service times, the
    solver's seed and budget, the teams."""
    return {
        "jam_kerja_menit": instance.day,
        "jam_mulai": settings.WORK_START.strftime("%H:%M"),
        "jam_selesai": settings.WORK_END.strftime("%H:%M"),
        "lebih_menit": settings.DAY_SLACK_MIN,
        "maks_hari_perjalanan": settings.MAX_TRIP_DAYS,
        "layanan_menit_tetap": settings.SERVICE_FIXED_MIN,
        "layanan_menit_per_kpm": settings.SERVICE_PER_KPM_MIN,
        "mulai": mulai.isoformat(),
        "seed": seed,
        "batas_detik": batas_detik,
        "iterasi": iterasi or settings.ROUTING_MAX_ITERATIONS,
        "tim": [
            {"nama": t.nama, "depot": t.depot, "hari": t.hari, "perahu": t.perahu}
            for t in instance.teams
        ],
    }
