"""The request checked: unknown teams and depots, required villages out of reach."""

import pytest

from geo.plan import model
from tests.plan.helpers import _plan


def test_required_village_beyond_reach_is_a_clear_error(bounds, data):
    teams = [model.Team("Tim 1", "KC-TGR", hari=1, perahu=False)]
    with pytest.raises(model.RoutingError, match="Sepatin"):
        _plan(bounds, data, teams, pilihan=[], wajib=("64.02.04.2001",))


def test_no_teams_and_unknown_depot(bounds, data):
    with pytest.raises(model.RoutingError, match="tim"):
        _plan(bounds, data, [], pilihan=["64.02.06.1003"])
    with pytest.raises(model.RoutingError, match="depot"):
        _plan(bounds, data, [model.Team("Tim X", "NOPE")], pilihan=["64.02.06.1003"])
