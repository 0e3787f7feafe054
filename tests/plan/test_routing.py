"""Routing: PyVRP on the demo network; determinism, limits, reasons, clear errors."""

import json
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from geo import settings
from geo.datasets import load_demo
from geo.plan import calendar, routing
from geo.store.database import Store

MONDAY = date(2026, 12, 7)


@pytest.fixture(scope="module")
def data(tmp_path_factory, bounds):
    folder = tmp_path_factory.mktemp("routing")
    store = Store(f"sqlite:///{folder / 'db.sqlite'}")
    loaded = load_demo(store, bounds, out_dir=folder / "demo")
    out = {
        "points": store.service_points(),
        "depots": store.depots(),
        "counts": store.round_villages(loaded.round.id),
        "boats": store.boat_legs(),
    }
    store.dispose()
    return out


def _plan(bounds, data, teams, **kw):
    return routing.plan_routes(
        bounds.villages,
        data["points"],
        data["depots"],
        data["counts"],
        teams=teams,
        mulai=kw.pop("mulai", MONDAY),
        boats=data["boats"],
        batas_detik=kw.pop("batas_detik", 1.0),
        **kw,
    )


def test_plan_respects_days_hours_and_is_deterministic(bounds, data):
    teams = [
        routing.Team("Tim 1", "KC-TGR", hari=2),
        routing.Team("Tim 2", "KC-SMD", hari=1, perahu=False),
    ]
    # A small iteration budget and a generous time limit: the budget ends the search, so the
    # plan is the same whatever the machine's load.
    first = _plan(bounds, data, teams, seed=3, iterasi=400, batas_detik=120)
    second = _plan(bounds, data, teams, seed=3, iterasi=400, batas_detik=120)
    assert json.dumps(first.to_json()["routes"]) == json.dumps(second.to_json()["routes"])
    assert first.summary()["desa_dikunjungi"] > 0
    for route in first.routes:
        assert route.tim in ("Tim 1", "Tim 2")
        limit = {"Tim 1": 2, "Tim 2": 1}[route.tim]
        assert route.hari <= limit
        for stop in route.stops:
            assert stop.tiba.date().weekday() < 5  # no weekend visits
            assert stop.tiba.time() >= settings.WORK_START
            assert stop.sumber and set(stop.sumber.split("+")) <= {"jalan", "perahu", "perkiraan"}
        if route.tim == "Tim 2":
            assert all("perahu" not in s.sumber for s in route.stops)
    visited = {s.kode_desa for r in first.routes for s in r.stops}
    left = {k for k, _, _ in first.tidak_dikunjungi}
    assert not visited & left
    assert all(reason for _, _, reason in first.tidak_dikunjungi)


def test_multi_day_trip_to_the_delta_with_a_boat(bounds, data):
    teams = [routing.Team("Tim Delta", "KC-TGR", hari=3)]
    plan = _plan(bounds, data, teams, pilihan=[], wajib=("64.02.04.2001",), batas_detik=1.0)
    route = plan.routes[0]
    sepatin = next(s for s in route.stops if s.desa == "Sepatin")
    assert "perahu" in sepatin.sumber and "longboat" in sepatin.moda
    assert "Dermaga Anggana" in sepatin.dermaga  # where the team takes the boat
    assert "Dermaga Anggana" in route.dermaga_pulang or route.stops[-1].desa != "Sepatin"
    saved = routing.RoutePlan.from_json(plan.to_json())
    assert [s.dermaga for s in saved.routes[0].stops] == [s.dermaga for s in route.stops]
    assert route.hari >= 2  # the delta is a trip with a night away
    assert any(s.menginap for s in route.stops) or route.kembali.date() > route.berangkat.date()


def test_required_village_beyond_reach_is_a_clear_error(bounds, data):
    teams = [routing.Team("Tim 1", "KC-TGR", hari=1, perahu=False)]
    with pytest.raises(routing.RoutingError, match="Sepatin"):
        _plan(bounds, data, teams, pilihan=[], wajib=("64.02.04.2001",))


def test_required_villages_that_fit_alone_but_not_together(bounds, data):
    # Each village fits a day's trip, twelve visits (45 min or more each) do not: PyVRP finds
    # no feasible plan, and the planner reads why (PyVRP's penalty warning stays out of the log:
    # tests turn warnings into errors).
    teams = [routing.Team("Tim 1", "KC-TGR", hari=1)]
    codes = [c for c in bounds.villages["kode"] if c.startswith("64.02.06.")][:12]
    assert len(codes) == 12
    with pytest.raises(routing.RoutingError, match="Tidak ditemukan rencana"):
        _plan(bounds, data, teams, pilihan=[], wajib=tuple(codes), iterasi=1000)


def test_the_solver_gets_the_tuned_penalty_management(bounds, data, monkeypatch):
    import pyvrp

    seen = {}

    def capture(self, *args, **kwargs):
        seen["params"] = kwargs["params"]
        raise RuntimeError("captured")

    monkeypatch.setattr(pyvrp.Model, "solve", capture)
    with pytest.raises(RuntimeError, match="captured"):
        _plan(bounds, data, [routing.Team("Tim 1", "KC-TGR", hari=1)], pilihan=["64.02.06.1003"])
    penalty = seen["params"].penalty
    assert penalty.solutions_between_updates == settings.ROUTING_PENALTY_UPDATE_EVERY == 50
    assert penalty.max_penalty == settings.ROUTING_MAX_PENALTY == 1000


def test_no_teams_and_unknown_depot(bounds, data):
    with pytest.raises(routing.RoutingError, match="tim"):
        _plan(bounds, data, [], pilihan=["64.02.06.1003"])
    with pytest.raises(routing.RoutingError, match="depot"):
        _plan(bounds, data, [routing.Team("Tim X", "NOPE")], pilihan=["64.02.06.1003"])


def test_excluded_and_locked_villages(bounds, data):
    teams = [routing.Team("Tim A", "KC-TGR", hari=1), routing.Team("Tim B", "KC-SMD", hari=1)]
    pick = ["64.02.06.1003", "64.02.06.1004", "64.02.06.1005"]
    plan = _plan(
        bounds,
        data,
        teams,
        pilihan=pick,
        kecuali=("64.02.06.1005",),
        kunci={"64.02.06.1003": "Tim B"},
        wajib=("64.02.06.1003",),
    )
    where = {s.kode_desa: r.tim for r in plan.routes for s in r.stops}
    assert where.get("64.02.06.1003") == "Tim B"
    assert "64.02.06.1005" not in where
    assert "64.02.06.1005" not in {k for k, _, _ in plan.tidak_dikunjungi}


def test_plan_json_round_trip(bounds, data):
    plan = _plan(bounds, data, [routing.Team("Tim 1", "DINSOS", hari=1)], pilihan=None)
    again = routing.RoutePlan.from_json(json.loads(json.dumps(plan.to_json())))
    assert again.to_json() == plan.to_json()
    route = plan.to_json()["routes"][0]
    assert {"tim", "depot", "stops"} <= set(route)
    assert {"kode_desa", "desa", "tiba", "berangkat", "menit_tempuh", "moda", "sumber"} <= set(
        route["stops"][0]
    )
    assert plan.to_json()["params"]["jam_kerja_menit"] == 480


def test_working_days_skip_weekends():
    days = calendar.working_days(date(2026, 12, 4), 3)  # a Friday
    assert [d.isoformat() for d in days] == ["2026-12-04", "2026-12-07", "2026-12-08"]


def test_working_days_skip_holidays_and_cuti_bersama():
    # 2025-03-28 is cuti bersama (Nyepi); 03-31 and 04-01 Idul Fitri; 04-02..04 and 04-07 cuti
    # bersama: the first working day is 04-08.
    days = calendar.working_days(date(2025, 3, 28), 3)
    assert [d.isoformat() for d in days] == ["2025-04-08", "2025-04-09", "2025-04-10"]
    # Christmas 2026 (24 cuti bersama, 25 Natal) and New Year 2027 across the year boundary.
    days = calendar.working_days(date(2026, 12, 24), 5)
    assert [d.isoformat() for d in days] == [
        "2026-12-28",
        "2026-12-29",
        "2026-12-30",
        "2026-12-31",
        "2027-01-04",
    ]


def test_times_follow_the_matrix_and_service_times(bounds, data):
    teams = [routing.Team("Tim 1", "KC-TGR", hari=3), routing.Team("Tim 2", "KC-BTG", hari=2)]
    plan = _plan(bounds, data, teams, seed=2)
    net, depot_nodes = routing.network_with_depots(
        bounds.villages, data["points"], data["depots"], boats=data["boats"]
    )
    position = {c: i for i, c in enumerate(bounds.villages["kode"])}
    depot_ids = list(data["depots"]["id"])
    seen = set()
    for route in plan.routes:
        nodes = [depot_nodes[depot_ids.index(route.depot)]]
        nodes += [net.village_node[position[s.kode_desa]] for s in route.stops]
        legs = routing.leg_matrix(net, np.array(nodes))
        for i, stop in enumerate(route.stops):
            assert stop.kode_desa not in seen
            seen.add(stop.kode_desa)
            # After a night at home the next leg starts from the depot (node 0).
            src = 0 if i == 0 or route.stops[i - 1].pulang_malam else i
            assert stop.menit_tempuh == round(legs.minutes[src, i + 1])
            assert stop.sumber == legs.sumber[src, i + 1]
            if stop.pulang_malam:
                assert not stop.menginap
                assert stop.pulang_malam == round(legs.minutes[i + 1, 0])
                assert stop.pulang_malam <= settings.HOME_NIGHT_MAX_MIN
            service = (stop.berangkat - stop.tiba).total_seconds() / 60
            assert service == routing.service_minutes(stop.kpm_belum)
            assert (
                stop.berangkat.time()
                <= (
                    datetime.combine(stop.tiba.date(), settings.WORK_END)
                    + timedelta(minutes=settings.DAY_SLACK_MIN)
                ).time()
            )
            if i and stop.tiba.date() == route.stops[i - 1].berangkat.date():
                gap = (stop.tiba - route.stops[i - 1].berangkat).total_seconds() / 60
                assert gap == stop.menit_tempuh  # same day: arrival = departure + travel


def test_cli_routes_writes_json_and_readable_pdfs(tmp_path, capsys, bounds):
    from pypdf import PdfReader

    from geo import cli

    assert cli.main(["load-demo"]) == 0
    demo_dir = settings.DATA_DIR / "demo" / f"seed-{settings.DEMO_SEED}"
    args = ["reconcile", "--roster", str(demo_dir / "roster_dinsos.csv")]
    args += ["--realisasi", str(demo_dir / "realisasi_bri.xlsx"), "--out", str(tmp_path / "r")]
    assert cli.main(args) == 0
    capsys.readouterr()
    out = tmp_path / "routes"
    args = ["routes", "--desa", str(tmp_path / "r" / "desa.csv")]
    args += ["--layanan", str(demo_dir / "layanan.csv"), "--tim", "4", "--hari", "3"]
    args += ["--mulai", "2026-12-07", "--batas-detik", "2", "--out", str(out)]
    assert cli.main(args) == 0
    summary = json.loads(capsys.readouterr().out)
    data = json.loads((out / "rute.json").read_text(encoding="utf-8"))
    assert data["params"]["jam_kerja_menit"] == 480
    assert summary["desa_dikunjungi"] == sum(len(r["stops"]) for r in data["routes"])
    assert all("alasan" in x and "kode_desa" in x for x in data["tidak_dikunjungi"])
    assert any(
        (r["stops"] and r["stops"][-1]["tiba"][:10] != r["berangkat"][:10])
        or any(s["menginap"] for s in r["stops"])
        for r in data["routes"]
    )  # multi-day
    text = "\n".join(p.extract_text() for p in PdfReader(out / "lembar_rute.pdf").pages)
    for route in data["routes"]:
        assert route["tim"] in text
        for stop in route["stops"]:
            assert stop["desa"] in text
        assert (out / f"lembar_rute_{route['tim'].lower().replace(' ', '_')}.pdf").is_file()
    assert "DATA CONTOH" in text


def test_trip_over_a_weekend_and_holiday_keeps_its_working_days(bounds, data):
    # Wednesday 23 December 2026: then cuti bersama, Christmas and a weekend. A three-day trip
    # runs 23, 28 and 29 December and is not cut to one day for the break.
    teams = [routing.Team("Tim 1", "KC-TGR", hari=3)]
    plan = _plan(
        bounds, data, teams, seed=1, iterasi=400, batas_detik=120, mulai=date(2026, 12, 23)
    )
    (route,) = plan.routes
    dates = sorted({s.tiba.date() for s in route.stops} | {route.kembali.date()})
    assert dates[0] == date(2026, 12, 23)
    assert set(dates) <= {date(2026, 12, 23), date(2026, 12, 28), date(2026, 12, 29)}
    assert route.hari == len(dates) <= 3
    assert max(s.hari for s in route.stops) == 3
    # (Which villages fill the last day may differ from a trip starting on a Monday: a night
    # away that would span the break is not allowed.)


def test_a_trip_with_nights_away_does_not_wait_out_a_weekend(bounds, data):
    # Friday 4 December 2026, a three-day trip to Sepatin (a night away at least): it starts on
    # Monday 7 December so that its nights are followed by working days, not by a weekend.
    teams = [routing.Team("Tim Delta", "KC-TGR", hari=3)]
    plan = _plan(
        bounds,
        data,
        teams,
        pilihan=[],
        wajib=("64.02.04.2001",),
        iterasi=400,
        batas_detik=120,
        mulai=date(2026, 12, 4),
    )
    (route,) = plan.routes
    assert any(s.menginap for s in route.stops)
    assert not routing.nights_over_break(route)
    assert route.berangkat.date() == date(2026, 12, 7)
    assert (route.kembali.date() - route.berangkat.date()).days + 1 == route.hari


def test_the_night_before_a_long_way_home_is_shown(bounds, data):
    # The way back from the delta is longer than what is left of the day: the team stays the
    # night and sets off in the morning, and the sheet says so.
    teams = [routing.Team("Tim Delta", "KC-TGR", hari=3)]
    plan = _plan(bounds, data, teams, pilihan=[], wajib=("64.02.04.2001",), iterasi=400)
    (route,) = plan.routes
    assert routing.nights_away(route) == route.hari - 1  # every night is spent somewhere
    assert route.stops[-1].menginap  # the long way home starts the next morning
    assert route.kembali.date() > route.stops[-1].berangkat.date()
    # Arriving too late for the visit after the long way out: a night before it, too.
    assert route.stops[0].menginap_sebelum == (route.stops[0].tiba.date() > route.berangkat.date())


def _legs(minutes: list[list[float]]) -> routing.LegMatrix:
    m = np.array(minutes, dtype=float)
    return routing.LegMatrix(
        minutes=m,
        km=m / 2,
        sumber=np.full(m.shape, "jalan", dtype=object),
        moda=np.full(m.shape, "mobil", dtype=object),
    )


def test_a_team_near_its_office_sleeps_at_home():
    # Depot (node 0) and four villages; a visit takes 4 h, so a day holds two. Villages 1-3 lie
    # 20-30 min from the office: after day 1 the team drives home and sets off from the office
    # on day 2. Village 4 lies 100 min out: the night before it is spent in the village.
    legs = _legs(
        [
            [0, 20, 30, 25, 100],
            [20, 0, 15, 20, 90],
            [30, 15, 0, 10, 80],
            [25, 20, 10, 0, 85],
            [100, 90, 80, 85, 0],
        ]
    )
    depots = pd.DataFrame({"id": ["KC-TGR"], "nama": ["BRI Tenggarong"]})
    candidates = [
        routing.Candidate(f"64.02.01.200{i}", f"Desa {i}", "Tenggarong", 50.0, 480)
        for i in range(1, 5)
    ]
    service = np.array([routing.service_minutes(c.kpm_belum) for c in candidates])
    assert service.tolist() == [240] * 4
    team = routing.Team("Tim 1", "KC-TGR", hari=3)

    def lay_out(order, home_nights):
        return routing._schedule(
            team, 0, depots, order, candidates, legs, 1, service, MONDAY, home_nights=home_nights
        )

    home = lay_out([0, 1, 2], True)
    assert [s.hari for s in home.stops] == [1, 1, 2]
    assert home.stops[1].pulang_malam == 30 and not home.stops[1].menginap
    assert home.stops[2].menit_tempuh == 25  # from the office, not the 10 min from village 2
    day2 = datetime.combine(MONDAY + timedelta(days=1), settings.WORK_START)
    assert home.stops[2].tiba == day2 + timedelta(minutes=25)
    away = lay_out([0, 1, 2], False)
    assert away.stops[1].menginap and away.stops[1].pulang_malam == 0
    assert away.stops[2].menit_tempuh == 10
    far = lay_out([0, 1, 3], True)
    assert far.stops[1].menginap and far.stops[1].pulang_malam == 0
    # Saved and read back (rute.json, a saved plan).
    plan = routing.RoutePlan(params={}, routes=(home,), tidak_dikunjungi=())
    assert routing.RoutePlan.from_json(plan.to_json()).routes[0].stops[1].pulang_malam == 30


def test_a_village_left_out_says_why():
    # Depot 0, a trip 0 -> 1 -> 0; village 2 lies 50 min off the way (cheapest detour 2*50 -
    # the 0-1 leg shortcut), village 3 right beside village 1.
    minutes = np.array(
        [
            [0, 30, 60, 31],
            [30, 0, 50, 2],
            [60, 50, 0, 52],
            [31, 2, 52, 0],
        ],
        dtype=float,
    )
    paths = [[0, 1, 0]]
    assert routing._cheapest_detour(minutes, paths, 2) == 60 + 50 - 30
    assert routing._cheapest_detour(minutes, paths, 3) == 2 + 31 - 30
    far = routing.Candidate("64.02.01.2002", "Jauh", "Tenggarong", 5.0, 10)  # worth 50 min
    near = routing.Candidate("64.02.01.2003", "Dekat", "Tenggarong", 5.0, 10)
    reason = routing._left_out_reason(far, routing._cheapest_detour(minutes, paths, 2))
    assert "80 menit" in reason and "5,0 poin = 50 menit" in reason and "wajib" in reason
    reason = routing._left_out_reason(near, routing._cheapest_detour(minutes, paths, 3))
    assert "waktu tim habis" in reason


def test_no_village_left_out_for_time_fits_the_calendar(bounds, data):
    # The solver counts a trip as one block of minutes; on the calendar the last day may end
    # early. Any village left out "for want of time" must truly not fit: inserted anywhere in
    # any team's trip where its prize outweighs the extra travel, the trip laid on the calendar
    # from its start date needs more than its days or waits out a weekend in the field.
    from geo.reach import access
    from geo.realization import coverage

    net, depot_nodes = routing.network_with_depots(
        bounds.villages, data["points"], data["depots"], boats=data["boats"]
    )
    ranked = access.priority(
        access.nearest(net, bounds.villages, data["points"]),
        coverage.compute(bounds.villages, data["counts"]).villages,
    )
    top = ranked[ranked["belum"] > 0].head(40)
    teams = [
        *routing.default_teams(data["depots"], data["counts"], bounds.villages, n=3, hari=3),
        routing.Team("Tim 4", "KC-KBR", hari=3),
    ]
    plan = _plan(bounds, data, teams, pilihan=list(top["kode_desa"]), batas_detik=60)
    candidates = routing.candidates_from(top)
    position = {code: i for i, code in enumerate(bounds.villages["kode"])}
    nodes = np.concatenate(
        [depot_nodes, net.village_node[[position[c.kode_desa] for c in candidates]]]
    )
    legs = routing.leg_matrix(net, nodes)
    depots = data["depots"].reset_index(drop=True)
    depot_ids = list(depots["id"])
    n_dep = len(depot_ids)
    service = np.array([routing.service_minutes(c.kpm_belum) for c in candidates])
    index = {c.kode_desa: k for k, c in enumerate(candidates)}
    by_team = {r.tim: r for r in plan.routes}
    for_time = [code for code, _, why in plan.tidak_dikunjungi if "waktu tim habis" in why]
    assert plan.routes and plan.summary()["desa_dikunjungi"] > 0
    tried = 0
    for code in for_time:
        k = index[code]
        worth = round(candidates[k].hadiah * settings.PRIZE_MINUTES_PER_POINT)
        for team in teams:
            d = depot_ids.index(team.depot)
            route = by_team.get(team.nama)
            order = [index[s.kode_desa] for s in route.stops] if route else []
            start = route.berangkat.date() if route else calendar.working_days(MONDAY, 1)[0]
            path = [d, *(n_dep + j for j in order), d]
            for pos in range(len(order) + 1):
                a, b = path[pos], path[pos + 1]
                detour = (
                    legs.minutes[a, n_dep + k] + legs.minutes[n_dep + k, b] - legs.minutes[a, b]
                )
                if not worth > detour:
                    continue
                tried += 1
                new = [*order[:pos], k, *order[pos:]]
                args = (team, d, depots, new, candidates, legs, n_dep, service, start)
                fits = [
                    laid.hari <= team.hari and not routing.nights_over_break(laid)
                    for laid in (
                        routing._schedule(*args, home_nights=True),
                        routing._schedule(*args, home_nights=False),
                    )
                ]
                assert not any(fits), f"{candidates[k].desa} fits {team.nama} at {pos}"
    assert tried > 0  # the check ran on real insertions
