"""Fixtures shared by the plan tests: the demo data set (loaded once for the package: the tests
only read it), the holidays."""

import pytest

from geo.datasets import load_demo
from geo.plan import calendar
from geo.store.database import Store


@pytest.fixture(scope="package")
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


@pytest.fixture(scope="module")
def libur():
    return calendar.indonesian_holidays([2026, 2027])
