"""Legs: paths with their modes, sources and landings (a boat trip to the delta)."""

from geo.plan import model
from tests.plan.helpers import _plan


def test_multi_day_trip_to_the_delta_with_a_boat(bounds, data):
    teams = [model.Team("Tim Delta", "KC-TGR", hari=3)]
    plan = _plan(bounds, data, teams, pilihan=[], wajib=("64.02.04.2001",), batas_detik=1.0)
    route = plan.routes[0]
    sepatin = next(s for s in route.stops if s.desa == "Sepatin")
    assert "perahu" in sepatin.sumber and "longboat" in sepatin.moda
    assert "Dermaga Anggana" in sepatin.dermaga  # where the team takes the boat
    assert "Dermaga Anggana" in route.dermaga_pulang or route.stops[-1].desa != "Sepatin"
    saved = model.RoutePlan.from_json(plan.to_json())
    assert [s.dermaga for s in saved.routes[0].stops] == [s.dermaga for s in route.stops]
    assert route.hari >= 2  # the delta is a trip with a night away
    assert any(s.menginap for s in route.stops) or route.kembali.date() > route.berangkat.date()
