"""The plan model: a solved plan saved as JSON and read back."""

import json

from geo.plan import model
from tests.plan.helpers import _plan


def test_plan_json_round_trip(bounds, data):
    plan = _plan(bounds, data, [model.Team("Tim 1", "DINSOS", hari=1)], pilihan=None)
    again = model.RoutePlan.from_json(json.loads(json.dumps(plan.to_json())))
    assert again.to_json() == plan.to_json()
    route = plan.to_json()["routes"][0]
    assert {"tim", "depot", "stops"} <= set(route)
    assert {"kode_desa", "desa", "tiba", "berangkat", "menit_tempuh", "moda", "sumber"} <= set(
        route["stops"][0]
    )
    assert plan.to_json()["params"]["jam_kerja_menit"] == 480
