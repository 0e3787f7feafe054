"""Fixtures of the intake tests: the real Kukar boundaries and their village lookup."""

from __future__ import annotations

import pytest

from geo.areas import boundaries
from geo.areas.lookup import VillageIndex
from tests.paths import SHARED_BOUNDARIES


@pytest.fixture(scope="module")
def bounds_module() -> boundaries.Boundaries:
    return boundaries.build(boundaries.fetch_sources(str(SHARED_BOUNDARIES)))


@pytest.fixture(scope="module")
def index(bounds_module) -> VillageIndex:
    return VillageIndex(bounds_module.villages)
