"""Field-visit routes: PyVRP (as ``geo.plan.solve.solve`` models it) against OR-Tools guided local
search, on one shared instance, at the same time limits in the same run.

Run: ``.venv/bin/python bench/bench_routing.py`` (needs ``ortools``, not a project dependency:
``.venv/bin/pip install ortools``). Uses the demo data set, built in a temporary folder.

Instance. The 150 highest-priority villages with unrealized KPM (``geo.reach.ranking.priority`` on
the demo round) are the candidates; the 5 BRI branch offices of the demo are the depots. 8 team-days
are split over 5 teams, one per depot so that every depot starts a trip: the three branches with
the most unrealized KPM (``routing.default_teams`` order: KC-TGR, KC-SMD, KC-BTG) get 2-day
teams, KC-BPN and KC-KBR 1-day teams (3 × 2 + 2 × 1 = 8). The PyVRP model is the one
``solve.solve`` builds: the bench calls ``solve.solve``, captures its ``pyvrp.Model`` and the
solver parameters it passes (``solve.solver_params``: PyVRP's defaults with its penalty
management tuned, see ``settings.ROUTING_PENALTY_UPDATE_EVERY``) at ``Model.solve``, and solves
that model itself with those parameters, so the plan's calendar post-processing does not blur
the solver comparison. The same instance is built independently here (integer
travel minutes of ``legs.leg_matrix``, prize = round(score × ``PRIZE_MINUTES_PER_POINT``),
``model.service_minutes``, shift = days × working minutes − (days − 1) ×
``OVERNIGHT_LOSS_MIN``, villages no team can reach and return from dropped as ``solve`` does),
checked entry by entry against the captured model, and given to OR-Tools: per-vehicle start/end
depots, a time dimension (travel + service at the origin) capped at each vehicle's shift,
optional villages as disjunctions with penalty = prize, arc cost = travel minutes,
PATH_CHEAPEST_ARC then GUIDED_LOCAL_SEARCH. Both minimise travel + uncollected prizes, i.e.
maximise prize − travel. Every solution is checked here against the instance (start/end at the
team's depot, shift respected, each village at most once, no forbidden leg).

Target (issue 5, item 7): at each limit, PyVRP's prize ≥ OR-Tools' prize and PyVRP's travel ≤
OR-Tools' travel. Two comparisons, PyVRP with seeds 1–5 (the plan uses seed 1):
- free: the plan's model as is. Both solvers maximise prize − travel, so each may settle on a
  different trade-off (more villages for more travel); the objective is compared too.
- capped: the same instance with each team's travel capped at the minutes OR-Tools' team
  travelled (PyVRP's ``max_distance``), prizes weighted ``CAPPED_PRIZE_WEIGHT``× so that the most
  prize within those minutes comes first: "at least the prize with no more travel", asked
  directly. Same time limit.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from datetime import date
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import pyvrp
from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.stop import MaxRuntime

from geo import settings
from geo.areas import boundaries
from geo.datasets import load_demo
from geo.plan import routing
from geo.plan.legs import leg_matrix, network_with_depots
from geo.plan.model import Team, service_minutes
from geo.plan.solve import FORBIDDEN, solve
from geo.reach import per_village, ranking
from geo.realization import coverage
from geo.store.database import Store

ROOT = Path(__file__).resolve().parent.parent
N_CANDIDATES = 150
DEPOT_IDS = ("KC-TGR", "KC-SMD", "KC-BTG", "KC-BPN", "KC-KBR")
TEAM_DAYS = {"KC-TGR": 2, "KC-SMD": 2, "KC-BTG": 2, "KC-BPN": 1, "KC-KBR": 1}
LIMITS_S = (2, 10)
CAPPED_PRIZE_WEIGHT = 100
SEEDS = (1, 2, 3, 4, 5)  # PyVRP seeds; seed 1 is the plan's default


@dataclass(frozen=True)
class Instance:
    """Nodes: depots first, then the clients (candidates some team can reach and return from)."""

    minutes: np.ndarray  # int64, (n, n), FORBIDDEN where no path
    prize: np.ndarray  # per node (0 at depots)
    service: np.ndarray  # per node (0 at depots)
    vehicle_depot: list[int]  # node of each vehicle's depot (start and end)
    shift: list[int]  # per vehicle
    kode: list[str]  # per node: depot id or village code

    @property
    def n_depots(self) -> int:
        return len(set(self.vehicle_depot))

    @property
    def total_prize(self) -> int:
        return int(self.prize.sum())


class _Captured(Exception):
    def __init__(self, model, params) -> None:
        self.model = model
        self.params = params


def boundary_source() -> str | None:
    """``JANGKAU_BOUNDARIES`` when set, else ``../shared/boundaries`` beside the repo if present
    (``None``: the project's default source)."""
    if os.environ.get("JANGKAU_BOUNDARIES"):
        return os.environ["JANGKAU_BOUNDARIES"]
    shared = ROOT.parent / "shared" / "boundaries"
    return str(shared) if shared.is_dir() else None


def build_demo():
    bounds = boundaries.load(source=boundary_source())
    with tempfile.TemporaryDirectory() as tmp:
        settings.DATA_DIR = Path(tmp)
        store = Store(f"sqlite:///{tmp}/bench.db")
        loaded = load_demo(store, bounds, out_dir=Path(tmp) / "demo")
        counts = store.round_villages(loaded.round.id)
        points = store.service_points()
        depots = store.depots()
        boats = store.boat_legs()
        store.dispose()
    depots = depots.set_index("id").loc[list(DEPOT_IDS)].reset_index()[["id", "nama", "lat", "lon"]]
    return bounds, counts, points, depots, boats


def candidates_and_teams(bounds, counts, points, depots, boats):
    net, depot_nodes = network_with_depots(bounds.villages, points, depots, boats=boats)
    near = per_village.nearest(net, bounds.villages, points)
    cov = coverage.compute(bounds.villages, counts)
    ranked = ranking.priority(near, cov.villages)
    top = ranked[ranked["belum"] > 0].head(N_CANDIDATES)
    candidates = routing.candidates_from(top)
    position = {code: i for i, code in enumerate(bounds.villages["kode"])}
    candidate_nodes = net.village_node[[position[c.kode_desa] for c in candidates]]
    teams = [Team(nama=f"Tim {i + 1}", depot=d, hari=TEAM_DAYS[d]) for i, d in enumerate(DEPOT_IDS)]
    return net, depot_nodes, candidates, candidate_nodes, teams


def capture_pyvrp_model(net, depots, depot_nodes, candidates, candidate_nodes, teams):
    """The ``pyvrp.Model`` that ``solve.solve`` builds and the solver parameters it passes,
    taken at ``Model.solve``."""
    original = pyvrp.Model.solve

    def grab(self, *args, **kwargs):
        raise _Captured(self, kwargs["params"])

    pyvrp.Model.solve = grab
    try:
        solve(net, depots, depot_nodes, candidates, candidate_nodes, teams, mulai=date(2025, 1, 6))
    except _Captured as captured:
        return captured.model, captured.params
    finally:
        pyvrp.Model.solve = original
    raise RuntimeError("solve.solve did not reach Model.solve")


def build_instance(net, depot_nodes, candidates, candidate_nodes, teams) -> Instance:
    """The same instance, built here from the model's ingredients (not from PyVRP's data)."""
    nodes = np.concatenate([np.asarray(depot_nodes), np.asarray(candidate_nodes)])
    legs = leg_matrix(net, nodes)
    n_dep = len(DEPOT_IDS)
    day = (settings.WORK_END.hour * 60 + settings.WORK_END.minute) - (
        settings.WORK_START.hour * 60 + settings.WORK_START.minute
    )
    service = np.array([service_minutes(c.kpm_belum) for c in candidates])
    trip = [max(1, min(t.hari, settings.MAX_TRIP_DAYS)) for t in teams]
    keep = np.zeros(len(candidates), dtype=bool)
    for team, days in zip(teams, trip, strict=True):
        d = DEPOT_IDS.index(team.depot)
        out = legs.minutes[d, n_dep:] + legs.minutes[n_dep:, d]
        keep |= np.isfinite(out) & (out + service <= days * day)
    kept = np.flatnonzero(keep)
    sel = np.concatenate([np.arange(n_dep), n_dep + kept])
    minutes = np.where(np.isfinite(legs.minutes), np.rint(legs.minutes), FORBIDDEN)
    minutes = minutes.astype(np.int64)[np.ix_(sel, sel)]
    np.fill_diagonal(minutes, 0)
    prize = np.array(
        [0] * n_dep
        + [int(round(candidates[k].hadiah * settings.PRIZE_MINUTES_PER_POINT)) for k in kept]
    )
    return Instance(
        minutes=minutes,
        prize=prize,
        service=np.concatenate([np.zeros(n_dep, dtype=int), service[kept]]),
        vehicle_depot=[DEPOT_IDS.index(t.depot) for t in teams],
        shift=[days * day - (days - 1) * settings.OVERNIGHT_LOSS_MIN for days in trip],
        kode=list(DEPOT_IDS) + [candidates[k].kode_desa for k in kept],
    )


def same_instance(model: pyvrp.Model, inst: Instance) -> dict:
    """Compare the captured PyVRP model with the instance, entry by entry."""
    data = model.data()
    clients = data.clients()
    depots = data.depots()
    names = [d.name for d in depots] + [c.name for c in clients]
    locs = [d.location for d in depots] + [c.location for c in clients]
    off = ~np.eye(len(locs), dtype=bool)
    matrices = all(
        np.array_equal(
            np.asarray(data.distance_matrix(p))[np.ix_(locs, locs)][off], inst.minutes[off]
        )
        and np.array_equal(
            np.asarray(data.duration_matrix(p))[np.ix_(locs, locs)][off], inst.minutes[off]
        )
        for p in range(data.num_profiles)
    )
    vtypes = data.vehicle_types()
    checks = {
        "nodes": names == inst.kode,
        "travel_matrix": matrices,
        "prizes": [c.prize for c in clients] == inst.prize[inst.n_depots :].tolist(),
        "service": [c.service_duration for c in clients] == inst.service[inst.n_depots :].tolist(),
        "optional": not any(c.required for c in clients),
        "shifts": [v.shift_duration for v in vtypes] == inst.shift,
        "depots": [(v.start_depot, v.end_depot) for v in vtypes]
        == [(d, d) for d in inst.vehicle_depot],
        "one_vehicle_each": all(v.num_available == 1 for v in vtypes),
        "cost_is_travel": all(
            v.unit_distance_cost == 1 and v.unit_duration_cost == 0 for v in vtypes
        ),
    }
    return {"all": all(checks.values()), **checks}


def evaluate(inst: Instance, routes: list[list[int]], travel_caps: list[int] | None = None) -> dict:
    """Prize, travel and feasibility of routes (client nodes per vehicle), from the instance
    (and each vehicle's travel cap, when given)."""
    problems, seen, prize, travel, per_vehicle = [], set(), 0, 0, []
    for v, stops in enumerate(routes):
        depot = inst.vehicle_depot[v]
        path = [depot, *stops, depot]
        legs = [int(inst.minutes[a, b]) for a, b in itertools.pairwise(path)]
        if any(leg >= FORBIDDEN for leg in legs):
            problems.append(f"vehicle {v}: forbidden leg")
        duration = sum(legs) + int(inst.service[stops].sum()) if stops else 0
        if duration > inst.shift[v]:
            problems.append(f"vehicle {v}: {duration} min > shift {inst.shift[v]}")
        if travel_caps is not None and stops and sum(legs) > travel_caps[v]:
            problems.append(f"vehicle {v}: travel {sum(legs)} min > cap {travel_caps[v]}")
        for s in stops:
            if s < inst.n_depots:
                problems.append(f"vehicle {v}: visits depot node {s}")
            if s in seen:
                problems.append(f"village {inst.kode[s]} visited twice")
            seen.add(s)
        prize += int(inst.prize[stops].sum()) if stops else 0
        travel += sum(legs) if stops else 0
        per_vehicle.append(
            {
                "depot": inst.kode[depot],
                "villages": len(stops),
                "minutes": duration,
                "travel_min": sum(legs) if stops else 0,
            }
        )
    return {
        "prize": prize,
        "travel_min": travel,
        "objective_prize_minus_travel": prize - travel,
        "villages_visited": len(seen),
        "feasible": not problems,
        "problems": problems,
        "routes": per_vehicle,
    }


def solve_pyvrp(
    model: pyvrp.Model,
    params: pyvrp.SolveParams,
    inst: Instance,
    seconds: float,
    seed: int,
    travel_caps: list[int] | None = None,
) -> dict:
    """Solve the captured model; with ``travel_caps``, each team's travel minutes are capped
    (PyVRP's ``max_distance``: the model's distance is travel minutes)."""
    data = model.data()
    if travel_caps is not None:
        # Most prize within the caps first, then least travel: prizes weigh CAPPED_PRIZE_WEIGHT
        # times more than in the plan's model (an epsilon-constraint on travel).
        types = [
            vt.replace(max_distance=int(cap))
            for vt, cap in zip(data.vehicle_types(), travel_caps, strict=True)
        ]
        clients = [
            pyvrp.Client(
                location=c.location,
                delivery=c.delivery,
                pickup=c.pickup,
                service_duration=c.service_duration,
                tw_early=c.tw_early,
                tw_late=c.tw_late,
                release_time=c.release_time,
                prize=c.prize * CAPPED_PRIZE_WEIGHT,
                required=c.required,
                group=c.group,
                name=c.name,
            )
            for c in data.clients()
        ]
        data = data.replace(vehicle_types=types, clients=clients)
    start = time.perf_counter()
    with warnings.catch_warnings():
        # With prizes 100x the plan's, the capped model drives the penalty on going over a cap to
        # the plan's maximum (PyVRP warns); every solution is checked against its caps below.
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        result = pyvrp.solve(
            data, stop=MaxRuntime(seconds), seed=seed, display=False, params=params
        )
    wall = time.perf_counter() - start
    index = {k: i for i, k in enumerate(inst.kode)}
    routes: list[list[int]] = [[] for _ in inst.shift]
    for route in result.best.routes():
        routes[route.vehicle_type()] = [
            index[data.client(a.idx).name] for a in route if a.is_client()
        ]
    out = evaluate(inst, routes, travel_caps)
    out["solver_feasible"] = bool(result.best.is_feasible())
    out["solver_cost"] = int(result.cost())
    out["recomputed_cost"] = out["travel_min"] + inst.total_prize - out["prize"]
    out["iterations"] = int(result.num_iterations)
    out["runtime_s"] = round(wall, 2)
    return out


def solve_ortools(inst: Instance, seconds: int) -> dict:
    start = time.perf_counter()
    n, n_veh = len(inst.kode), len(inst.shift)
    manager = pywrapcp.RoutingIndexManager(n, n_veh, inst.vehicle_depot, inst.vehicle_depot)
    model = pywrapcp.RoutingModel(manager)
    arc = model.RegisterTransitMatrix(inst.minutes.tolist())
    model.SetArcCostEvaluatorOfAllVehicles(arc)
    # Time spent leaving node i for j: the visit at i, then the leg.
    timing = model.RegisterTransitMatrix((inst.minutes + inst.service[:, None]).tolist())
    model.AddDimensionWithVehicleCapacity(timing, 0, inst.shift, True, "time")
    for node in range(inst.n_depots, n):
        model.AddDisjunction([manager.NodeToIndex(node)], int(inst.prize[node]))
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.seconds = seconds
    solution = model.SolveWithParameters(params)
    wall = time.perf_counter() - start
    if solution is None:
        return {"status": int(model.status()), "feasible": False, "runtime_s": round(wall, 2)}
    routes = []
    for v in range(n_veh):
        index, stops = model.NextVar(model.Start(v)), []
        index = solution.Value(index)
        while not model.IsEnd(index):
            stops.append(manager.IndexToNode(index))
            index = solution.Value(model.NextVar(index))
        routes.append(stops)
    out = evaluate(inst, routes)
    out["solver_cost"] = int(solution.ObjectiveValue())
    out["recomputed_cost"] = out["travel_min"] + inst.total_prize - out["prize"]
    out["runtime_s"] = round(wall, 2)
    return out


def main() -> None:
    t0 = time.perf_counter()
    bounds, counts, points, depots, boats = build_demo()
    net, depot_nodes, candidates, candidate_nodes, teams = candidates_and_teams(
        bounds, counts, points, depots, boats
    )
    model, params = capture_pyvrp_model(
        net, depots, depot_nodes, candidates, candidate_nodes, teams
    )
    inst = build_instance(net, depot_nodes, candidates, candidate_nodes, teams)
    check = same_instance(model, inst)
    if not check["all"]:
        raise SystemExit(f"PyVRP model and the shared instance differ: {check}")
    setup_s = time.perf_counter() - t0

    runs = {}
    for seconds in LIMITS_S:
        ot = solve_ortools(inst, seconds)
        # No more travel than the baseline: each team's travel capped at the minutes the
        # baseline's team travelled (0 for a team it kept home), most prize first.
        caps = [r["travel_min"] for r in ot["routes"]]
        per_seed = []
        for seed in SEEDS:
            free = solve_pyvrp(model, params, inst, seconds, seed)
            capped = solve_pyvrp(model, params, inst, seconds, seed, travel_caps=caps)
            per_seed.append(
                {
                    "seed": seed,
                    "pyvrp": free,
                    "pyvrp_travel_capped_at_ortools": capped,
                    "target_met_free": free["prize"] >= ot["prize"]
                    and free["travel_min"] <= ot["travel_min"],
                    "target_met_capped": capped["feasible"]
                    and capped["solver_feasible"]
                    and capped["prize"] >= ot["prize"]
                    and capped["travel_min"] <= ot["travel_min"],
                    "objective_at_least_ortools": free["objective_prize_minus_travel"]
                    >= ot["objective_prize_minus_travel"],
                }
            )
        runs[f"{seconds}s"] = {
            "ortools_gls": ot,
            "pyvrp_by_seed": per_seed,
            "summary": {
                "ortools": [ot["prize"], ot["travel_min"], ot["objective_prize_minus_travel"]],
                "pyvrp_free_prize_travel_objective": [
                    [
                        r["pyvrp"]["prize"],
                        r["pyvrp"]["travel_min"],
                        r["pyvrp"]["objective_prize_minus_travel"],
                    ]
                    for r in per_seed
                ],
                "pyvrp_capped_prize_travel": [
                    [
                        r["pyvrp_travel_capped_at_ortools"]["prize"],
                        r["pyvrp_travel_capped_at_ortools"]["travel_min"],
                    ]
                    for r in per_seed
                ],
                "seeds_objective_at_least_ortools": sum(
                    r["objective_at_least_ortools"] for r in per_seed
                ),
                "seeds_target_met_free": sum(r["target_met_free"] for r in per_seed),
                "seeds_target_met_capped": sum(r["target_met_capped"] for r in per_seed),
                "seeds": len(per_seed),
            },
        }

    result = {
        "instance": {
            "candidates": len(candidates),
            "candidates_reachable": len(inst.kode) - inst.n_depots,
            "candidates_dropped_unreachable": len(candidates) - (len(inst.kode) - inst.n_depots),
            "depots": list(DEPOT_IDS),
            "teams": [
                {"tim": t.nama, "depot": t.depot, "hari": t.hari, "shift_min": s}
                for t, s in zip(teams, inst.shift, strict=True)
            ],
            "team_days": sum(t.hari for t in teams),
            "total_prize_available": inst.total_prize,
            "prize_minutes_per_point": settings.PRIZE_MINUTES_PER_POINT,
            "pyvrp_model_matches_instance": check,
        },
        "solvers": {
            "pyvrp": f"{version('pyvrp')} (solve.solve model, seeds {list(SEEDS)}, MaxRuntime)",
            "pyvrp_params": {
                "penalty": vars(params.penalty),
                "ils": {k: v for k, v in vars(params.ils).items() if k != "callbacks"},
                "perturbation": {
                    "min_perturbations": params.perturbation.min_perturbations,
                    "max_perturbations": params.perturbation.max_perturbations,
                },
                "num_neighbours": params.neighbourhood.num_neighbours,
            },
            "ortools": f"{version('ortools')} (PATH_CHEAPEST_ARC + GUIDED_LOCAL_SEARCH)",
        },
        "setup_s": round(setup_s, 2),
        "runs": runs,
        "target": "PyVRP prize >= OR-Tools prize and travel <= OR-Tools travel at equal limits",
        "target_met_all_limits_all_seeds_capped": all(
            r["summary"]["seeds_target_met_capped"] == r["summary"]["seeds"] for r in runs.values()
        ),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
