"""Typed, module-level settings for Jangkau.

Every value can be overridden by an environment variable (named beside it) and by tests, which
assign to the module attribute directly. Functions read these values at call time, never at import
time, so an override takes effect at once.
"""

from __future__ import annotations

import os
from datetime import time
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

# -- travel network and access (geo.reach: network, per_village, per_kpm, ranking, placement) ------

#: Road network source (``JANGKAU_JARINGAN``): a local ``.osm``/``.pbf`` file, ``overpass`` to
#: download the Kukar network when online, or empty for straight-line estimates only.
JARINGAN: str = os.environ.get("JANGKAU_JARINGAN", "")

#: Straight-line estimate: distance × detour factor ÷ speed. Rural roads in Kukar: 30–50 km/h.
DETOUR_FACTOR: float = _env_float("JANGKAU_DETOUR", 1.4)
ESTIMATE_SPEED_KMH: float = _env_float("JANGKAU_KECEPATAN_PERKIRAAN", 35.0)
#: Each place joins the estimate network through its nearest neighbours.
ESTIMATE_NEIGHBOURS: int = 6
#: A village farther than this from any road node is not covered by the road network.
ROAD_SNAP_MAX_KM: float = 5.0
#: Rivers wind: a boat leg's distance is the straight line × this factor.
BOAT_DETOUR_FACTOR: float = 1.3
#: A KPM's roster coordinates farther than this outside its own village's polygon get a warning
#: (the point is kept): kilometres (``JANGKAU_KPM_LUAR_DESA_KM``).
KPM_OUTSIDE_VILLAGE_KM: float = _env_float("JANGKAU_KPM_LUAR_DESA_KM", 5.0)

#: Villages with no road (reached only by boat). Demo assumption from domain.md: Muara
#: Enggelam (lake), Melintang (lake), Sepatin, Muara Pantuan and Tani Baru (delta islands),
#: Muara Siran (upriver). ``JANGKAU_DESA_TANPA_JALAN``: comma-separated codes.
NO_ROAD_VILLAGES: tuple[str, ...] = tuple(
    c.strip()
    for c in os.environ.get(
        "JANGKAU_DESA_TANPA_JALAN",
        "64.02.18.2007,64.02.18.2003,64.02.04.2001,64.02.04.2002,64.02.04.2003,64.02.11.2007",
    ).split(",")
    if c.strip()
)

#: Hard-to-reach priority: weights of unrealized KPM, travel time and boat dependence.
PRIORITY_WEIGHTS: dict[str, float] = {"belum": 0.5, "waktu": 0.35, "perahu": 0.15}
#: Travel time at which the time component of the score is full (minutes).
PRIORITY_FULL_MINUTES: float = 240.0
#: "Far": more than this many minutes to the nearest service point.
FAR_MINUTES: float = 60.0
#: "Low realization": less than this share (percent) of KPM realized.
LOW_REALIZATION_PERCENT: float = 70.0
#: Cost of an unreachable village in the placement model (minutes): a full day.
UNREACHABLE_MINUTES: float = 24 * 60.0

# -- field-visit routes (geo.plan: routing, model, solve, timeline) --------------------------------

#: Working hours of a field day (local time, WITA).
WORK_START: time = time(8, 0)
WORK_END: time = time(16, 0)
#: A leg or a visit may run this many minutes past the end of the working day before the team
#: stops for the night (and the drive home on the last day as well).
DAY_SLACK_MIN: int = 60
#: Working minutes a multi-day trip loses at each overnight stop (the end of a day unused).
OVERNIGHT_LOSS_MIN: int = 90
#: The longest trip, in working days (Tabang and the delta take two or three).
MAX_TRIP_DAYS: int = int(os.environ.get("JANGKAU_MAKS_HARI", "3"))
#: Time in a village: fixed minutes (meeting the kepala desa) plus minutes per unrealized KPM,
#: at most ``SERVICE_MAX_MIN`` (a team serves at most half a day in one village per trip).
SERVICE_FIXED_MIN: float = 45.0
SERVICE_PER_KPM_MIN: float = 0.5
SERVICE_MAX_MIN: float = 240.0
#: A team whose day ends, and whose next visit lies, within this many minutes of its office
#: drives home for the night instead of staying in the village.
HOME_NIGHT_MAX_MIN: int = 60
#: Solver iterations per plan: with a seed, this (not the clock) makes plans repeatable. 6,000
#: take about 2 s for 150 villages and 5 teams; on that bench instance they gain about 2 % of the
#: objective (prize - travel) over 3,000, and are as good as a 2-s search (``bench_routing``).
ROUTING_MAX_ITERATIONS: int = int(os.environ.get("JANGKAU_ITERASI_RUTE", "6000"))
#: A priority point is worth this many minutes of travel to the solver.
PRIZE_MINUTES_PER_POINT: float = 10.0
#: PyVRP penalty management (``solve.solver_params``). Trips are bound by working time, mostly
#: spent in villages, so moving a village from one team to another passes through a trip that is
#: a little too long. PyVRP's defaults start that penalty at 50,000 per minute over and adjust it
#: every 500 iterations, which in a short search (2 s: about 7,000 iterations) never lets it
#: through. Starting at 500 per minute (half the maximum) and adjusting every 50 iterations does:
#: measured in ``bench/bench_routing.py``.
ROUTING_PENALTY_UPDATE_EVERY: int = 50
ROUTING_MAX_PENALTY: float = 1000.0

# -- accounts (geo.safety.auth) --------------------------------------------------------------------

#: Accounts file (``JANGKAU_AKUN``); default ``DATA_DIR/akun.json`` (outside git).
ACCOUNTS_FILE: Path | None = (
    _env_path("JANGKAU_AKUN", None) if os.environ.get("JANGKAU_AKUN") else None
)
#: A signed-in session ends after this many minutes without use (``JANGKAU_SESI_MENIT``).
SESSION_TIMEOUT_MIN: float = _env_float("JANGKAU_SESI_MENIT", 60.0)

# -- upload limits (geo.intake.limits) -------------------------------------------------------------

#: Largest file accepted for import, in MB (``JANGKAU_MAKS_UNGGAH_MB``).
MAX_UPLOAD_MB: float = _env_float("JANGKAU_MAKS_UNGGAH_MB", 50.0)
#: Most rows accepted in one table (``JANGKAU_MAKS_BARIS``).
MAX_ROWS: int = int(os.environ.get("JANGKAU_MAKS_BARIS") or 2_000_000)
#: Most columns accepted in one table.
MAX_COLUMNS: int = 500
