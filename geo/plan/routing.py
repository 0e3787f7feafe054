"""Field-visit routes for joint Dinsos+BRI teams: a prize-collecting, multi-depot routing problem
with duration limits, solved with PyVRP on a travel-time matrix from ``geo.reach.network``.

Model. Each team makes one trip from its depot and back, of at most ``min(days available,
settings.MAX_TRIP_DAYS)`` working days. Time is counted in working minutes: a day runs from
``settings.WORK_START`` to ``settings.WORK_END``, and a team that cannot finish the next leg and
visit within the day stays overnight where it is and goes on the next morning (Tabang, the delta).
Visiting a village earns its prize (its priority score); the solver maximises prizes collected minus
minutes travelled. Service time = fixed minutes + minutes per unrealized KPM. Villages can be
required, excluded, or locked to a team; a team without boat legs cannot use a path that needs a
boat. Integers (minutes) are rounded once, here, and the solver gets an explicit seed.
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra

from geo import fmt, settings
from geo._errors import JangkauError
from geo.plan.calendar import count_working_days, working_days
from geo.reach.graph import SUMBER
from geo.reach.network import PlaceNetwork

FORBIDDEN = 10**7  # minutes: an edge a team must not use


class RoutingError(JangkauError):
    """The request cannot be planned (no teams, no days, required villages that cannot fit)."""


@dataclass(frozen=True)
class Team:
    """A joint Dinsos+BRI field team.

    Attributes
    ----------
    nama
        Team name shown on sheets (``Tim 1``).
    depot
        Depot id (a BRI branch office or the Dinsos office).
    hari
        Working days available for this trip.
    perahu
        Whether the team may take boat legs.
    anggota
        Members (names as the planner typed them).
    """

    nama: str
    depot: str
    hari: int = 1
    perahu: bool = True
    anggota: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.hari < 1:
            raise RoutingError(f"{self.nama}: jumlah hari harus 1 atau lebih.")


@dataclass(frozen=True)
class Candidate:
    """A village that may be visited."""

    kode_desa: str
    desa: str
    kecamatan: str
    hadiah: float  # prize: the priority score (0–100)
    kpm_belum: int
    wajib: bool = False
    kunci_tim: str | None = None  # locked to this team


@dataclass(frozen=True)
class Stop:
    """One visit on a route. Times are local (WITA) and naive."""

    urutan: int
    kode_desa: str
    desa: str
    kecamatan: str
    hari: int
    tiba: datetime
    berangkat: datetime
    menit_tempuh: int
    moda: str
    sumber: str
    kpm_belum: int
    menginap: bool = False  # the team stays overnight here after this visit
    #: Minutes of the drive back to the depot for the night after this visit (0: no such
    #: drive). A team near its office sleeps at home; the next leg then starts from the depot.
    pulang_malam: int = 0
    #: Landings (dermaga) the leg into this village passes, in order ("" when none).
    dermaga: str = ""
    #: The team arrived too late for the visit after a long leg and spent the night here
    #: before it (the visit starts the next morning).
    menginap_sebelum: bool = False


@dataclass(frozen=True)
class TeamRoute:
    """A team's trip: its stops in order and the way back to the depot."""

    tim: str
    depot: str
    depot_nama: str
    anggota: tuple[str, ...]
    stops: tuple[Stop, ...]
    berangkat: datetime
    kembali: datetime
    menit_pulang: int
    moda_pulang: str
    sumber_pulang: str
    dermaga_pulang: str = ""  # landings on the way back to the depot

    @property
    def hari(self) -> int:
        """Working days the trip takes, departure and return included (weekends and holidays
        in between do not count: the calendar lays trips on working days only)."""
        return count_working_days(self.berangkat.date(), self.kembali.date())

    def summary(self) -> dict:
        return {
            "tim": self.tim,
            "depot": self.depot,
            "desa": len(self.stops),
            "hari": self.hari,
            "kpm_belum": sum(s.kpm_belum for s in self.stops),
        }


@dataclass(frozen=True)
class RoutePlan:
    """A solved plan: routes per team and the villages left out, each with a reason."""

    params: dict
    routes: tuple[TeamRoute, ...]
    tidak_dikunjungi: tuple[tuple[str, str, str], ...]  # (kode_desa, desa, alasan)
    is_demo: bool = False
    dibuat: datetime = field(default_factory=lambda: fmt.now_wita())  # local (WITA) time

    def __post_init__(self) -> None:
        visited = [s.kode_desa for r in self.routes for s in r.stops]
        if len(visited) != len(set(visited)):
            raise ValueError("a village appears on two routes")
        if set(visited) & {k for k, _, _ in self.tidak_dikunjungi}:
            raise ValueError("a village is both visited and left out")

    def summary(self) -> dict:
        return {
            "tim": len(self.routes),
            "desa_dikunjungi": sum(len(r.stops) for r in self.routes),
            "desa_tidak_dikunjungi": len(self.tidak_dikunjungi),
            "kpm_belum_dijangkau": sum(s.kpm_belum for r in self.routes for s in r.stops),
        }

    @classmethod
    def from_json(cls, data: dict) -> RoutePlan:
        """The plan back from ``to_json()`` (a saved plan, a ``rute.json``)."""

        def when(text: str) -> datetime:
            return datetime.fromisoformat(text)

        routes = tuple(
            TeamRoute(
                tim=r["tim"],
                depot=r["depot"],
                depot_nama=r.get("depot_nama", r["depot"]),
                anggota=tuple(r.get("anggota", ())),
                stops=tuple(
                    Stop(**{**s, "tiba": when(s["tiba"]), "berangkat": when(s["berangkat"])})
                    for s in r["stops"]
                ),
                berangkat=when(r["berangkat"]),
                kembali=when(r["kembali"]),
                menit_pulang=r["pulang"]["menit_tempuh"],
                moda_pulang=r["pulang"]["moda"],
                sumber_pulang=r["pulang"]["sumber"],
                dermaga_pulang=r["pulang"].get("dermaga", ""),
            )
            for r in data["routes"]
        )
        left = tuple((x["kode_desa"], x["desa"], x["alasan"]) for x in data["tidak_dikunjungi"])
        return cls(
            params=data["params"],
            routes=routes,
            tidak_dikunjungi=left,
            is_demo=bool(data.get("data_contoh", False)),
            dibuat=when(data["dibuat"]) if "dibuat" in data else fmt.now_wita(),
        )

    def to_json(self) -> dict:
        """The CLI's ``rute.json`` layout."""
        return {
            "params": self.params,
            "data_contoh": self.is_demo,
            "dibuat": self.dibuat.isoformat(),
            "routes": [
                {
                    "tim": r.tim,
                    "depot": r.depot,
                    "depot_nama": r.depot_nama,
                    "anggota": list(r.anggota),
                    "berangkat": r.berangkat.isoformat(),
                    "kembali": r.kembali.isoformat(),
                    "pulang": {
                        "menit_tempuh": r.menit_pulang,
                        "moda": r.moda_pulang,
                        "sumber": r.sumber_pulang,
                        "dermaga": r.dermaga_pulang,
                    },
                    "stops": [
                        {
                            "urutan": s.urutan,
                            "kode_desa": s.kode_desa,
                            "desa": s.desa,
                            "kecamatan": s.kecamatan,
                            "hari": s.hari,
                            "tiba": s.tiba.isoformat(),
                            "berangkat": s.berangkat.isoformat(),
                            "menit_tempuh": s.menit_tempuh,
                            "moda": s.moda,
                            "sumber": s.sumber,
                            "kpm_belum": s.kpm_belum,
                            "menginap": s.menginap,
                            "pulang_malam": s.pulang_malam,
                            "dermaga": s.dermaga,
                            "menginap_sebelum": s.menginap_sebelum,
                        }
                        for s in r.stops
                    ],
                }
                for r in self.routes
            ],
            "tidak_dikunjungi": [
                {"kode_desa": k, "desa": d, "alasan": a} for k, d, a in self.tidak_dikunjungi
            ],
        }


# -- travel matrix ---------------------------------------------------------------------------


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


# -- solving ---------------------------------------------------------------------------------


def service_minutes(kpm_belum: int) -> int:
    """Minutes spent in a village: fixed time plus time per unrealized KPM, capped."""
    minutes = settings.SERVICE_FIXED_MIN + settings.SERVICE_PER_KPM_MIN * kpm_belum
    return int(round(min(minutes, settings.SERVICE_MAX_MIN)))


def _day_minutes() -> int:
    start = datetime.combine(date.today(), settings.WORK_START)
    end = datetime.combine(date.today(), settings.WORK_END)
    return int((end - start).total_seconds() // 60)


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
    from pyvrp import Model
    from pyvrp.exceptions import PenaltyBoundWarning
    from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria

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

    nodes = np.concatenate([np.asarray(depot_nodes), np.asarray(candidate_nodes)])
    legs = leg_matrix(net, nodes)
    n_dep = len(depot_ids)
    day = _day_minutes()
    boat = legs.uses_boat()
    service = np.array([service_minutes(c.kpm_belum) for c in candidates])
    # A village's prize in travel minutes, as the solver and the fill below weigh it.
    prize_min = [int(round(c.hadiah * settings.PRIZE_MINUTES_PER_POINT)) for c in candidates]

    def trip_days(team: Team) -> int:
        return max(1, min(team.hari, settings.MAX_TRIP_DAYS))

    # Villages no team can visit within its trip (out and back, with the visit).
    reach_ok = np.zeros(len(candidates), dtype=bool)
    for team in teams:
        d = depot_ids.index(team.depot)
        limit = trip_days(team) * day
        out = legs.minutes[d, n_dep:] + legs.minutes[n_dep:, d].T
        allowed = np.isfinite(out) & (out + service <= limit)
        if not team.perahu:
            allowed &= ~boat[d, n_dep:] & ~boat[n_dep:, d]
        locked = np.array([c.kunci_tim in (None, team.nama) for c in candidates])
        reach_ok |= allowed & locked
    unfit = [c.desa for c, ok in zip(candidates, reach_ok, strict=True) if c.wajib and not ok]
    if unfit:
        raise RoutingError(
            "Desa wajib ini tidak dapat dicapai dan kembali dalam batas hari tim mana pun: "
            f"{', '.join(unfit)}. Tambah hari, pilih depot yang lebih dekat, izinkan perahu, "
            "atau lepaskan status wajibnya."
        )

    model = Model()
    locations = [model.add_location(x=0, y=0) for _ in range(len(nodes))]
    vrp_depots = [model.add_depot(locations[i], name=str(depot_ids[i])) for i in range(n_dep)]
    clients = []
    for k, c in enumerate(candidates):
        if c.wajib or reach_ok[k]:
            clients.append(
                model.add_client(
                    locations[n_dep + k],
                    service_duration=int(service[k]),
                    prize=prize_min[k],
                    required=bool(c.wajib),
                    name=c.kode_desa,
                )
            )
        else:
            clients.append(None)
    minutes_int = np.where(np.isfinite(legs.minutes), np.rint(legs.minutes), FORBIDDEN)
    minutes_int = minutes_int.astype(np.int64)
    # Teams that may use the same legs share one travel profile: fewer profiles, faster search.
    profiles: dict[tuple, object] = {}
    for team in teams:
        blocked = np.zeros(len(nodes), dtype=bool)
        for k, c in enumerate(candidates):
            if c.kunci_tim not in (None, team.nama):
                blocked[n_dep + k] = True
        key = (team.perahu, blocked.tobytes())
        if key not in profiles:
            profile = model.add_profile(name=f"profil {len(profiles) + 1}")
            profiles[key] = profile
            for i in range(len(nodes)):
                for j in range(len(nodes)):
                    if i == j:
                        continue
                    value = int(minutes_int[i, j])
                    if blocked[i] or blocked[j] or (not team.perahu and boat[i, j]):
                        value = FORBIDDEN
                    model.add_edge(
                        locations[i], locations[j], distance=value, duration=value, profile=profile
                    )
        d = depot_ids.index(team.depot)
        model.add_vehicle_type(
            num_available=1,
            start_depot=vrp_depots[d],
            end_depot=vrp_depots[d],
            # Overnight stops waste the end of a day, so a multi-day trip gets a little less.
            shift_duration=trip_days(team) * day
            - (trip_days(team) - 1) * settings.OVERNIGHT_LOSS_MIN,
            # The cost is travel minutes (edge "distance"); service time only uses up the shift.
            unit_distance_cost=1,
            unit_duration_cost=0,
            profile=profiles[key],
            name=team.nama,
        )
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

    def lay_out_from(team: Team, d: int, order: list[int], start: date) -> TeamRoute:
        # Nights at home where the office is near, unless the extra driving makes the trip
        # longer than the team's days; then the team stays out.
        args = (team, d, depots, order, candidates, legs, n_dep, service, start)
        laid = _schedule(*args, home_nights=True)
        if laid.hari > trip_days(team):
            laid = _schedule(*args, home_nights=False)
        return laid

    def lay_out(team: Team, d: int, order: list[int]) -> TeamRoute:
        # A trip with a night away starts late enough that no weekend or holiday falls inside.
        start, first = mulai, None
        for _ in range(31):
            laid = lay_out_from(team, d, order, start)
            first = first or laid
            if not nights_over_break(laid):
                return laid
            start = working_days(start + timedelta(days=1), 1)[0]
        return first

    client_index = [k for k, c in enumerate(clients) if c is not None]
    team_depot = [depot_ids.index(t.depot) for t in teams]
    orders: dict[int, list[int]] = {}  # per team sent out: its villages in visiting order
    laid: dict[int, TeamRoute] = {}
    trimmed: set[int] = set()
    for route in best.routes():
        t = route.vehicle_type()
        # A route's client activities number the clients in the order they were added.
        order = [client_index[a.idx] for a in route if a.is_client()]
        scheduled = lay_out(teams[t], team_depot[t], order)
        # The calendar (overnight stops) may need more days than the solver's working time:
        # drop the last optional visits until the trip fits the team's days.
        while scheduled.hari > trip_days(teams[t]):
            optional = [k for k in order if not candidates[k].wajib]
            if not optional:
                break
            order.remove(optional[-1])
            trimmed.add(optional[-1])
            scheduled = lay_out(teams[t], team_depot[t], order)
        orders[t], laid[t] = order, scheduled

    def trip_paths() -> list[list[int]]:
        # Every team's trip as graph nodes, depot to depot ([d, d] for a team not sent out).
        return [
            [team_depot[t], *(n_dep + k for k in orders.get(t, [])), team_depot[t]]
            for t in range(len(teams))
        ]

    # The solver sees a trip as one block of working minutes, less a loss per night; on the
    # calendar the last day often ends early. Fill that time: the village whose prize most
    # outweighs its extra travel goes in where it costs least, as long as the trip, laid on the
    # calendar, keeps its days and its start; again until no village fits.
    tried: set[tuple[int, tuple[int, ...]]] = set()  # (team, order) laid out already
    for _ in range(len(candidates)):
        visited = {k for order in orders.values() for k in order}
        left_k = [k for k in range(len(candidates)) if reach_ok[k] and k not in visited]
        if not left_k:
            break
        options = _insertions(
            legs.minutes, boat, trip_paths(), teams, candidates, left_k, prize_min, n_dep
        )
        for _gain, k, t, pos in options:
            order = [*orders.get(t, [])]
            order.insert(pos, k)
            if (t, tuple(order)) in tried:
                continue
            start = laid[t].berangkat.date() if t in laid else working_days(mulai, 1)[0]
            scheduled = lay_out_from(teams[t], team_depot[t], order, start)
            tried.add((t, tuple(order)))
            if scheduled.hari <= trip_days(teams[t]) and not nights_over_break(scheduled):
                orders[t], laid[t] = order, scheduled
                trimmed.discard(k)
                break
        else:
            break

    routes = [laid[t] for t in sorted(laid)]
    visited = {k for order in orders.values() for k in order}
    paths = trip_paths()  # for the cheapest detour to a village left out
    left = []
    for k, c in enumerate(candidates):
        if k in visited:
            continue
        if not reach_ok[k]:
            reason = "tidak dapat dicapai dan kembali dalam satu perjalanan dari depot tim mana pun"
        elif k in trimmed:
            reason = "tidak muat dalam hari kerja tim (waktu habis karena menginap di jalan)"
        else:
            reason = _left_out_reason(c, _cheapest_detour(legs.minutes, paths, n_dep + k))
        left.append((c.kode_desa, c.desa, reason))
    params = {
        "jam_kerja_menit": day,
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
            {"nama": t.nama, "depot": t.depot, "hari": t.hari, "perahu": t.perahu} for t in teams
        ],
    }
    return RoutePlan(
        params=params,
        routes=tuple(sorted(routes, key=lambda r: names.index(r.tim))),
        tidak_dikunjungi=tuple(left),
        is_demo=is_demo,
    )










def _schedule(
    team, d, depots, order, candidates, legs, n_dep, service, mulai, *, home_nights: bool = False
) -> TeamRoute:
    """Lay a route's visits on the calendar, day by day, with overnight stays.

    A working day runs ``WORK_START``–``WORK_END``; legs and visits may run
    ``settings.DAY_SLACK_MIN`` past its end. A leg that would end later but fits in a day starts
    the next morning (the team stays overnight where it is). A longer leg (a boat trip to the
    delta) runs on into the next working day. A visit that would end later starts the next
    morning. With ``home_nights``, a team whose last visit of the day and next visit are both
    within ``settings.HOME_NIGHT_MAX_MIN`` of its depot drives home for the night (after the
    working day, if need be) and sets off from the depot the next morning.
    """
    day, slack = _day_minutes(), settings.DAY_SLACK_MIN
    days = working_days(mulai, 2 * (len(order) + 2) + settings.MAX_TRIP_DAYS)

    def clock(di: int, minute: int) -> datetime:
        return datetime.combine(days[di], settings.WORK_START) + timedelta(minutes=minute)

    def travel_from(di: int, minute: int, travel: int) -> tuple[int, int]:
        """Day and minute of arrival after ``travel`` working minutes."""
        if minute + travel <= day + slack:
            return di, minute + travel
        if travel <= day:
            return di + 1, travel  # leave the next morning
        rest = travel - (day - minute)
        return di + 1 + rest // day, rest % day  # a long leg runs on over the next day(s)

    def home_from(di: int, minute: int, travel: int) -> tuple[int, int]:
        """Day and minute back at the depot: a drive home that fits a day with its slack
        starts the next morning rather than running on into the night."""
        if minute + travel > day + slack and travel <= day + slack:
            return di + 1, travel
        return travel_from(di, minute, travel)

    def minutes(a: int, b: int) -> int:
        return int(round(legs.minutes[a, b]))

    near = settings.HOME_NIGHT_MAX_MIN
    stops: list[Stop] = []
    here, di, minute = d, 0, 0
    for pos, k in enumerate(order, start=1):
        there = n_dep + k
        travel = minutes(here, there)
        arrive_day, arrive = travel_from(di, minute, travel)
        before = False
        if arrive + int(service[k]) > day + slack:
            # No time left for the visit today: stay overnight and set off the next morning
            # (after a leg longer than a day: arrive, sleep there, visit in the morning).
            before = travel > day
            arrive_day, arrive = (arrive_day + 1, 0) if before else (di + 1, travel)
        # A night between the last visit and this one (on a leg that runs on over days, the
        # night is shown at the village the team left).
        night = arrive_day > di and stops
        if night and home_nights and minutes(here, d) <= near and minutes(d, there) <= near:
            # Home for the night: the evening drive back, and tomorrow's leg from the depot.
            stops[-1] = Stop(**{**stops[-1].__dict__, "pulang_malam": minutes(here, d)})
            here, travel = d, minutes(d, there)
            arrive_day, arrive = di + 1, travel
        elif night:
            stops[-1] = _with_overnight(stops[-1])
        leave = arrive + int(service[k])
        stops.append(
            Stop(
                urutan=pos,
                kode_desa=candidates[k].kode_desa,
                desa=candidates[k].desa,
                kecamatan=candidates[k].kecamatan,
                hari=arrive_day + 1,
                tiba=clock(arrive_day, arrive),
                berangkat=clock(arrive_day, leave),
                menit_tempuh=travel,
                moda=str(legs.moda[here, there]),
                sumber=str(legs.sumber[here, there]),
                kpm_belum=candidates[k].kpm_belum,
                dermaga=legs.landings(here, there),
                menginap_sebelum=before,
            )
        )
        here, di, minute = there, arrive_day, leave
    back = int(round(legs.minutes[here, d])) if order else 0
    end_day, end = home_from(di, minute, back)
    if end_day > di and stops:
        stops[-1] = _with_overnight(stops[-1])
    return TeamRoute(
        tim=team.nama,
        depot=str(depots["id"].iloc[d]),
        depot_nama=str(depots["nama"].iloc[d]),
        anggota=team.anggota,
        stops=tuple(stops),
        berangkat=clock(0, 0),
        kembali=clock(end_day, end),
        menit_pulang=back,
        moda_pulang=str(legs.moda[here, d]) if order else "",
        sumber_pulang=str(legs.sumber[here, d]) if order else "",
        dermaga_pulang=legs.landings(here, d) if order else "",
    )


def _insertions(
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


def _cheapest_detour(minutes: np.ndarray, paths: list[list[int]], node: int) -> float:
    """Extra travel minutes to fit ``node`` into the cheapest place of any path."""
    best = np.inf
    for path in paths:
        a, b = np.array(path[:-1]), np.array(path[1:])
        extra = minutes[a, node] + minutes[node, b] - minutes[a, b]
        best = min(best, float(np.min(extra)))
    return best


def _left_out_reason(candidate: Candidate, detour: float) -> str:
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


def nights_away(route: TeamRoute) -> int:
    """Nights the team spends away from home on the trip."""
    return sum(s.menginap + s.menginap_sebelum for s in route.stops)


def nights_over_break(route: TeamRoute) -> bool:
    """Whether the team would wait out a weekend or holiday in the field: between two moments
    of a trip that fall on different dates, with no night at home between them, the later one
    must be on the next calendar day."""
    moments: list[tuple[date, bool]] = [(route.berangkat.date(), False)]  # (date, home after)
    for s in route.stops:
        moments += [(s.tiba.date(), False), (s.berangkat.date(), bool(s.pulang_malam))]
    moments.append((route.kembali.date(), False))
    return any(
        later - earlier > timedelta(days=1) and not home
        for (earlier, home), (later, _) in itertools.pairwise(moments)
    )


def _with_overnight(stop: Stop) -> Stop:
    return Stop(**{**stop.__dict__, "menginap": True})


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
    # The returned network's point_node covers the service points only, as geo.reach.access expects.
    points_only = PlaceNetwork(
        graph=net.graph,
        village_node=net.village_node,
        point_node=net.point_node[: len(points)],
        sources=net.sources,
    )
    return points_only, net.point_node[len(points) :]


def candidates_from(
    ranked: pd.DataFrame,
    *,
    wajib: tuple[str, ...] = (),
    kecuali: tuple[str, ...] = (),
    kunci: dict[str, str] | None = None,
) -> list[Candidate]:
    """Candidates from ``geo.reach.access.priority`` rows (``kode_desa``, ``desa``, ``kecamatan``,
    ``skor``, ``belum``), minus the excluded villages; required and locked ones marked."""
    kunci = kunci or {}
    rows = ranked[~ranked["kode_desa"].isin(kecuali)]
    return [
        Candidate(
            kode_desa=r.kode_desa,
            desa=r.desa,
            kecamatan=r.kecamatan,
            hadiah=float(r.skor),
            kpm_belum=int(r.belum),
            wajib=r.kode_desa in wajib,
            kunci_tim=kunci.get(r.kode_desa),
        )
        for r in rows.itertuples()
    ]


def plan_routes(
    villages: pd.DataFrame,
    points: pd.DataFrame,
    depots: pd.DataFrame,
    counts: pd.DataFrame,
    *,
    teams: list[Team],
    mulai: date,
    pilihan: list[str] | None = None,
    wajib: tuple[str, ...] = (),
    kecuali: tuple[str, ...] = (),
    kunci: dict[str, str] | None = None,
    boats: pd.DataFrame | None = None,
    jaringan: str | None = None,
    seed: int = 1,
    batas_detik: float = 5.0,
    iterasi: int | None = None,
    is_demo: bool = False,
) -> RoutePlan:
    """From data to a plan: network, priority scores, candidates, solve. Page and CLI use this.

    Parameters
    ----------
    counts
        Per-village counts of a round (``Store.round_villages()`` or the CLI's ``desa.csv``).
    pilihan
        Candidate village codes; ``None``: every village with unrealized KPM. Required and
        locked villages are always candidates.
    """
    from geo.reach import access
    from geo.realization import coverage

    net, depot_nodes = network_with_depots(villages, points, depots, boats=boats, jaringan=jaringan)
    near = access.nearest(net, villages, points)
    cov = coverage.compute(villages, counts)
    ranked = access.priority(near, cov.villages)
    keep = set(wajib) | set((kunci or {}).keys())
    if pilihan is None:
        keep |= set(ranked.loc[ranked["belum"] > 0, "kode_desa"])
    else:
        keep |= set(pilihan)
    candidates = candidates_from(
        ranked[ranked["kode_desa"].isin(keep)], wajib=wajib, kecuali=kecuali, kunci=kunci
    )
    position = {code: i for i, code in enumerate(villages["kode"])}
    candidate_nodes = net.village_node[[position[c.kode_desa] for c in candidates]]
    return solve(
        net,
        depots.reset_index(drop=True),
        depot_nodes,
        candidates,
        candidate_nodes,
        teams,
        mulai=mulai,
        seed=seed,
        batas_detik=batas_detik,
        iterasi=iterasi,
        is_demo=is_demo,
    )


def default_teams(
    depots: pd.DataFrame, counts: pd.DataFrame, villages: pd.DataFrame, *, n: int, hari: int
) -> list[Team]:
    """``n`` teams of ``hari`` days at the BRI branch offices, the branch whose area holds the
    most unrealized KPM first (round-robin after that); the Dinsos office when no branch matches.
    """
    from geo.realization import coverage

    if n < 1:
        raise RoutingError("Jumlah tim harus 1 atau lebih.")
    cov = coverage.compute(villages, counts)
    need = cov.villages.groupby("cabang")["belum"].sum().sort_values(ascending=False)
    order = []
    for branch in need.index:
        match = depots[depots["nama"].str.contains(branch, case=False, regex=False)]
        if len(match):
            order.append(str(match["id"].iloc[0]))
    if not order:
        order = [str(depots["id"].iloc[0])]
    return [Team(nama=f"Tim {i + 1}", depot=order[i % len(order)], hari=hari) for i in range(n)]
