"""Shared fixtures: the real boundaries from ../shared/boundaries and an isolated data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo import settings
from geo.areas import boundaries
from tests.paths import SHARED_BOUNDARIES


@pytest.fixture(scope="session")
def boundaries_dir() -> Path:
    if not (SHARED_BOUNDARIES / "wilayah_boundaries_kel_64.02.sql").is_file():
        pytest.fail(f"the real boundary files are expected in {SHARED_BOUNDARIES}")
    return SHARED_BOUNDARIES


@pytest.fixture(scope="session")
def boundaries_cache(tmp_path_factory, boundaries_dir) -> Path:
    cache = tmp_path_factory.mktemp("boundaries-cache")
    boundaries.prepare(str(boundaries_dir), cache_dir=cache)
    return cache


@pytest.fixture(scope="session")
def bounds(boundaries_cache) -> boundaries.Boundaries:
    return boundaries.load(cache_dir=boundaries_cache)


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch, boundaries_dir, boundaries_cache):
    """Every test gets its own data folder and database; boundaries come from ../shared."""
    monkeypatch.setattr(settings, "DATA_DIR", tmp_path / "data")
    monkeypatch.setattr(settings, "DATABASE_URL", None)
    monkeypatch.setattr(settings, "BOUNDARIES_SOURCE", str(boundaries_dir))
    monkeypatch.setattr(settings, "BOUNDARIES_CACHE", boundaries_cache)
    return tmp_path
