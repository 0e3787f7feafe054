import pytest

from geo.plan import sheet_map
from tests.plan.test_sheets import _plan


@pytest.fixture(scope="module")
def plan(bounds):
    return _plan(bounds.villages)


def test_map_png(plan, bounds):
    png = sheet_map.route_map_png(
        plan.routes[0], bounds.villages, depot_lonlat=(116.99, -0.43), demo=True
    )
    assert png.startswith(b"\x89PNG")
