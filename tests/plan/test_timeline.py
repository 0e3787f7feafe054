"""Routes on the calendar: times from the matrix, nights away or at home, weekends and holidays."""

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from geo import settings
from geo.plan import model, timeline
from geo.plan.legs import LegMatrix, leg_matrix, network_with_depots
from tests.plan.helpers import MONDAY, _plan


def test_times_follow_the_matrix_and_service_times(bounds, data):
    teams = [model.Team("Tim 1", "KC-TGR", hari=3), model.Team("Tim 2", "KC-BTG", hari=2)]
    plan = _plan(bounds, data, teams, seed=2)
    net, depot_nodes = network_with_depots(
        bounds.villages, data["points"], data["depots"], boats=data["boats"]
    )
    position = {c: i for i, c in enumerate(bounds.villages["kode"])}
    depot_ids = list(data["depots"]["id"])
    seen = set()
    for route in plan.routes:
        nodes = [depot_nodes[depot_ids.index(route.depot)]]
        nodes += [net.village_node[position[s.kode_desa]] for s in route.stops]
        legs = leg_matrix(net, np.array(nodes))
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
            assert service == model.service_minutes(stop.kpm_belum)
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


def test_trip_over_a_weekend_and_holiday_keeps_its_working_days(bounds, data):
    # Wednesday 23 December 2026: then cuti bersama, Christmas and a weekend. A three-day trip
    # runs 23, 28 and 29 December and is not cut to one day for the break.
    teams = [model.Team("Tim 1", "KC-TGR", hari=3)]
    plan = _plan(
        bounds, data, teams, seed=1, iterasi=400, batas_detik=120, mulai=date(2026, 12, 23)
    )
    (route,) = plan.routes
    dates = sorted({s.tiba.date() for s in route.stops} | {route.kembali.date()})
    assert dates[0] == date(2026, 12, 23)
    assert set(dates) <= {date(2026, 12, 23), date(2026, 12, 28), date(2026, 12, 29)}
    assert route.hari == len(dates) <= 3
    assert max(s.hari for s in route.stops) == 3


def test_a_trip_with_nights_away_does_not_wait_out_a_weekend(bounds, data):
    # Friday 4 December 2026, a three-day trip to Sepatin (a night away at least): it starts on
    # Monday 7 December so that its nights are followed by working days, not by a weekend.
    teams = [model.Team("Tim Delta", "KC-TGR", hari=3)]
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
    assert not model.nights_over_break(route)
    assert route.berangkat.date() == date(2026, 12, 7)
    assert (route.kembali.date() - route.berangkat.date()).days + 1 == route.hari


def test_the_night_before_a_long_way_home_is_shown(bounds, data):
    # The way back from the delta is longer than what is left of the day: the team stays the
    # night and sets off in the morning, and the sheet says so.
    teams = [model.Team("Tim Delta", "KC-TGR", hari=3)]
    plan = _plan(bounds, data, teams, pilihan=[], wajib=("64.02.04.2001",), iterasi=400)
    (route,) = plan.routes
    assert model.nights_away(route) == route.hari - 1  # every night is spent somewhere
    assert route.stops[-1].menginap  # the long way home starts the next morning
    assert route.kembali.date() > route.stops[-1].berangkat.date()
    # Arriving too late for the visit after the long way out: a night before it, too.
    assert route.stops[0].menginap_sebelum == (route.stops[0].tiba.date() > route.berangkat.date())


def _legs(minutes: list[list[float]]) -> LegMatrix:
    m = np.array(minutes, dtype=float)
    return LegMatrix(
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
        model.Candidate(f"64.02.01.200{i}", f"Desa {i}", "Tenggarong", 50.0, 480)
        for i in range(1, 5)
    ]
    service = np.array([model.service_minutes(c.kpm_belum) for c in candidates])
    assert service.tolist() == [240] * 4
    team = model.Team("Tim 1", "KC-TGR", hari=3)

    def lay_out(order, home_nights):
        return timeline.lay_out_days(
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
    plan = model.RoutePlan(params={}, routes=(home,), tidak_dikunjungi=())
    assert model.RoutePlan.from_json(plan.to_json()).routes[0].stops[1].pulang_malam == 30
