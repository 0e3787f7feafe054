"""Typed, module-level settings for Jangkau.

Every value can be overridden by an environment variable (named beside it) and by tests, which
assign to the module attribute directly. Functions read these values at call time, never at import
time, so an override takes effect at once.
"""

from __future__ import annotations

import os
from pathlib import Path


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else default


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


#: Project root (the folder holding ``geo/``).
ROOT: Path = Path(__file__).resolve().parent.parent

#: Folder for the database, caches and generated demo files (``JANGKAU_DATA_DIR``).
DATA_DIR: Path = _env_path("JANGKAU_DATA_DIR", ROOT / "data")

#: Pinned upstream commit of ``cahyadsn/wilayah_boundaries`` (Kepmendagri 300.2.2-2430/2025).
BOUNDARIES_COMMIT: str = "3c5a7960f4d227a38489094d84252bdbb3f978a5"

#: Default boundary source: the raw-file base of the pinned commit.
BOUNDARIES_URL: str = (
    f"https://raw.githubusercontent.com/cahyadsn/wilayah_boundaries/{BOUNDARIES_COMMIT}/"
)

#: Boundary source (``JANGKAU_BOUNDARIES``): a folder holding the three SQL files, or a URL base.
BOUNDARIES_SOURCE: str = os.environ.get("JANGKAU_BOUNDARIES") or BOUNDARIES_URL

#: Where parsed boundaries are cached (``JANGKAU_BOUNDARIES_CACHE``).
BOUNDARIES_CACHE: Path = _env_path("JANGKAU_BOUNDARIES_CACHE", ROOT / "data" / "boundaries")

#: SQLAlchemy database URL (``JANGKAU_DATABASE_URL``); ``None`` means ``DATA_DIR/jangkau.db``.
DATABASE_URL: str | None = os.environ.get("JANGKAU_DATABASE_URL") or None

#: Kabupaten code of Kutai Kartanegara.
KODE_KAB: str = "64.02"

#: Geographic CRS for storage and maps.
CRS_GEO: str = "EPSG:4326"

#: Metric CRS for distances, areas and buffers (UTM zone 50S).
CRS_METRIC: str = "EPSG:32750"

#: Seconds to wait for a boundary download.
DOWNLOAD_TIMEOUT_S: float = _env_float("JANGKAU_DOWNLOAD_TIMEOUT", 30.0)

#: Simplification tolerance for map layers, metres (``shapely.coverage_simplify``).
MAP_SIMPLIFY_M: float = _env_float("JANGKAU_MAP_SIMPLIFY_M", 120.0)

#: Decimals kept in map coordinates (5 decimals is about 1 m).
MAP_DECIMALS: int = 5

#: Seed of the demo data set loaded by ``make run``.
DEMO_SEED: int = int(os.environ.get("JANGKAU_DEMO_SEED", "2022"))

#: National e-warong guidance: at most this many KPM per e-warong.
EWARONG_MAX_KPM: int = 250


def database_url() -> str:
    """The database URL in force: the setting, or a SQLite file under ``DATA_DIR``."""
    if DATABASE_URL:
        return DATABASE_URL
    return f"sqlite:///{DATA_DIR / 'jangkau.db'}"


#: Leaflet files installed by ``make`` (from the npm registry) so maps draw offline.
VENDOR_DIR: Path = _env_path("JANGKAU_VENDOR_DIR", ROOT / "static" / "vendor")
