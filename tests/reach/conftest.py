"""Fixtures shared by the reach tests: the demo data set's network, points and counts."""

import pytest

from geo.datasets import load_demo
from geo.reach import network
from geo.store.database import Store


@pytest.fixture(scope="package")
def demo(tmp_path_factory, bounds):
    folder = tmp_path_factory.mktemp("reach_demo")
    store = Store(f"sqlite:///{folder / 'db.sqlite'}")
    loaded = load_demo(store, bounds, out_dir=folder / "demo")
    points = store.service_points()
    net = network.load_network(bounds.villages, points, jaringan="", boats=store.boat_legs())
    counts = store.round_villages(loaded.round.id)
    yield net, points, counts
    store.dispose()
