"""Solving with PyVRP: determinism, limits, the solver's parameters, infeasible requests."""

import json

import pytest

from geo import settings
from geo.plan import model
from tests.plan.helpers import _plan


def test_plan_respects_days_hours_and_is_deterministic(bounds, data):
    teams = [
        model.Team("Tim 1", "KC-TGR", hari=2),
        model.Team("Tim 2", "KC-SMD", hari=1, perahu=False),
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


def test_required_villages_that_fit_alone_but_not_together(bounds, data):
    # Each village fits a day's trip, twelve visits (45 min or more each) do not: PyVRP finds
    # no feasible plan, and the planner reads why (PyVRP's penalty warning stays out of the log:
    # tests turn warnings into errors).
    teams = [model.Team("Tim 1", "KC-TGR", hari=1)]
    codes = [c for c in bounds.villages["kode"] if c.startswith("64.02.06.")][:12]
    assert len(codes) == 12
    with pytest.raises(model.RoutingError, match="Tidak ditemukan rencana"):
        _plan(bounds, data, teams, pilihan=[], wajib=tuple(codes), iterasi=1000)


def test_the_solver_gets_the_tuned_penalty_management(bounds, data, monkeypatch):
    import pyvrp

    seen = {}

    def capture(self, *args, **kwargs):
        seen["params"] = kwargs["params"]
        raise RuntimeError("captured")

    monkeypatch.setattr(pyvrp.Model, "solve", capture)
    with pytest.raises(RuntimeError, match="captured"):
        _plan(bounds, data, [model.Team("Tim 1", "KC-TGR", hari=1)], pilihan=["64.02.06.1003"])
    penalty = seen["params"].penalty
    assert penalty.solutions_between_updates == settings.ROUTING_PENALTY_UPDATE_EVERY == 50
    assert penalty.max_penalty == settings.ROUTING_MAX_PENALTY == 1000
