"""Coordinates below every stage: lon/lat checks, projection to the metric CRS, Kukar's extent.

Degrees are EPSG:4326 (lon, lat); metres are ``settings.CRS_METRIC`` (UTM 50S, EPSG:32750, (x, y));
distances returned are kilometres. Stages that check, project or measure points call these, so
that no stage imports another one for a projection.
"""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry import Point

from geo import settings
from geo._errors import CoordinateError, ReachError

_EXAMPLES = 5


# Kukar lies about 115–118° E and 1.7° S – 1.6° N.
LON_RANGE = (114.5, 118.5)


LAT_RANGE = (-2.0, 2.0)


OUTSIDE_BUFFER_M = 2_000


#: A coarse box around Kukar (about 115.2–117.7° E, 1.2° S – 1.6° N) with a margin. A roster
#: coordinate outside it is refused; whether a point lies in its own village is checked later,
#: against the polygons (``geo.realization.reconcile.location_problems``).
KUKAR_LON = (115.0, 118.5)


KUKAR_LAT = (-1.8, 1.7)


def _as_vector(values, name: str) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(values, dtype=float))
    if arr.ndim != 1:
        raise ReachError(
            f"{name} harus berupa satu deret angka, bukan tabel berdimensi {arr.ndim}."
        )
    return arr


def positions(mask: np.ndarray) -> str:
    """'1, 4, 9 dan 12 lainnya': 1-based positions for a planner, a few of them."""
    where = np.flatnonzero(mask) + 1
    text = ", ".join(str(i) for i in where[:_EXAMPLES])
    if where.size > _EXAMPLES:
        text += f" dan {where.size - _EXAMPLES} lainnya"
    return text


def check_lonlat(lon, lat) -> None:
    """Refuse coordinates that are swapped or lie outside Kutai Kartanegara.

    Kukar lies about 115–118° E and 1.7° S – 1.6° N (``service_points.LON_RANGE`` and
    ``LAT_RANGE``, with a small margin), so a longitude that looks like a Kukar latitude and a
    latitude that looks like a Kukar longitude are a swap. All problems are reported at once.

    Parameters
    ----------
    lon, lat
        Longitudes and latitudes in decimal degrees (EPSG:4326), same length.

    Raises
    ------
    CoordinateError
        Lengths differ, a value is empty or not a number, a pair looks swapped, or a pair lies
        outside Kukar. The message names the 1-based positions of the first few bad points.
    """
    lon, lat = _as_vector(lon, "Bujur (lon)"), _as_vector(lat, "Lintang (lat)")
    if lon.size != lat.size:
        raise CoordinateError(
            f"Jumlah bujur ({lon.size}) dan lintang ({lat.size}) berbeda; setiap titik perlu "
            "keduanya."
        )
    problems = []
    missing = ~(np.isfinite(lon) & np.isfinite(lat))
    if missing.any():
        problems.append(
            f"{int(missing.sum())} titik tanpa koordinat yang sah "
            f"(titik ke-{positions(missing)}); isi lat dan lon dalam derajat desimal."
        )
    with np.errstate(invalid="ignore"):
        lon_ok = (lon >= LON_RANGE[0]) & (lon <= LON_RANGE[1])
        lat_ok = (lat >= LAT_RANGE[0]) & (lat <= LAT_RANGE[1])
        swapped = (lat >= LON_RANGE[0]) & (lat <= LON_RANGE[1])
        swapped &= (lon >= LAT_RANGE[0]) & (lon <= LAT_RANGE[1])
    outside = ~missing & ~(lon_ok & lat_ok) & ~swapped
    if swapped.any():
        problems.append(
            f"{int(swapped.sum())} titik dengan lintang dan bujur tertukar "
            f"(titik ke-{positions(swapped)}): Kukar berada sekitar 115–118° BT dan "
            "1,7° LS – 1,6° LU, jadi bujur bernilai sekitar 116 dan lintang sekitar -0,4; "
            "tukar kedua kolom."
        )
    if outside.any():
        problems.append(
            f"{int(outside.sum())} titik di luar Kutai Kartanegara "
            f"(titik ke-{positions(outside)}); periksa lat dan lon."
        )
    if problems:
        raise CoordinateError(" ".join(problems))


@lru_cache(maxsize=4)
def transformer(src: str, dst: str) -> Transformer:
    return Transformer.from_crs(src, dst, always_xy=True)


def project_lonlat(lon, lat, *, check: bool = True) -> np.ndarray:
    """Project (lon, lat) degrees to the metric CRS (``settings.CRS_METRIC``, EPSG:32750).

    Parameters
    ----------
    lon, lat
        Longitudes and latitudes in decimal degrees (EPSG:4326), same length.
    check
        Run ``check_lonlat`` first (default), so swapped columns or points outside Kukar are
        refused rather than projected hundreds of kilometres away.

    Returns
    -------
    numpy.ndarray
        Shape (n, 2): (x, y) in metres.

    Raises
    ------
    CoordinateError
        See ``check_lonlat`` (only when ``check`` is true).
    ReachError
        No points, or the two inputs differ in length.
    """
    lon, lat = _as_vector(lon, "Bujur (lon)"), _as_vector(lat, "Lintang (lat)")
    if lon.size == 0:
        raise ReachError("Tidak ada titik untuk diproyeksikan; isi minimal satu pasang lat/lon.")
    if lon.size != lat.size:
        raise ReachError(f"Jumlah bujur ({lon.size}) dan lintang ({lat.size}) berbeda.")
    if check:
        check_lonlat(lon, lat)
    x, y = transformer(settings.CRS_GEO, settings.CRS_METRIC).transform(lon, lat)
    return np.column_stack([x, y])


def outside_village_km(lon, lat, kode_desa, villages: pd.DataFrame) -> np.ndarray:
    """How far each point lies outside its own village's polygon, in kilometres.

    Parameters
    ----------
    lon, lat
        Decimal degrees (EPSG:4326), same length; NaN where a point has no coordinates.
    kode_desa
        Each point's village code.
    villages
        ``kode`` and ``geometry`` (a GeoDataFrame with a CRS, e.g. ``Boundaries.villages``).

    Returns
    -------
    numpy.ndarray
        0 inside (or on the edge of) the polygon, the distance to it outside; NaN without
        coordinates or for an unknown village. The loop runs over villages, never over points.
    """
    lon, lat = _as_vector(lon, "Bujur (lon)"), _as_vector(lat, "Lintang (lat)")
    codes = np.asarray(kode_desa, dtype=object)
    out = np.full(lon.size, np.nan)
    known = np.isfinite(lon) & np.isfinite(lat)
    if not known.any():
        return out
    if getattr(villages, "crs", None) is None:
        raise ReachError("Batas desa tanpa CRS; pakai Boundaries.villages (EPSG:4326).")
    geoms = villages.geometry.to_crs(settings.CRS_METRIC).to_numpy()
    where = np.flatnonzero(known)
    village = pd.Index(villages["kode"]).get_indexer(codes[known])
    xy = project_lonlat(lon[known], lat[known], check=False)
    order = np.argsort(village, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(village[order]) != 0])
    for chunk in np.split(order, starts[1:]):
        if village[chunk[0]] < 0:
            continue
        geom = geoms[village[chunk[0]]]
        shapely.prepare(geom)
        x, y = xy[chunk, 0], xy[chunk, 1]
        km = np.zeros(chunk.size)
        outside = ~shapely.contains_xy(geom, x, y)
        if outside.any():
            km[outside] = shapely.distance(geom, shapely.points(x[outside], y[outside])) / 1000
        out[where[chunk]] = km
    return out


def kukar_area(kabupaten: shapely.Geometry) -> shapely.Geometry:
    """Kukar (EPSG:4326 polygon) buffered by ``OUTSIDE_BUFFER_M``, in the metric CRS, prepared."""
    kab_metric = gpd.GeoSeries([kabupaten], crs=settings.CRS_GEO).to_crs(settings.CRS_METRIC)
    area = kab_metric.iloc[0].buffer(OUTSIDE_BUFFER_M)
    shapely.prepare(area)
    return area


def position_problem(lat: float, lon: float, area: shapely.Geometry) -> str | None:
    """Why a place at (lat, lon) (degrees) cannot lie in Kukar, in Indonesian; ``None`` if it can.

    ``area`` is ``kukar_area(...)``. Swapped lat/lon is named as such, so that the planner knows
    the fix.
    """
    in_lon = LON_RANGE[0] <= lon <= LON_RANGE[1]
    in_lat = LAT_RANGE[0] <= lat <= LAT_RANGE[1]
    if not (in_lon and in_lat):
        swapped = LON_RANGE[0] <= lat <= LON_RANGE[1] and LAT_RANGE[0] <= lon <= LAT_RANGE[1]
        if swapped:
            return (
                "lat dan lon tertukar (Kukar sekitar 115–118° BT dan 1,7° LS – 1,6° LU); "
                "tukar kedua kolom."
            )
        return "koordinat di luar Kutai Kartanegara; periksa lat/lon."
    x, y = transformer(settings.CRS_GEO, settings.CRS_METRIC).transform(lon, lat)
    if not area.contains(Point(x, y)):
        return "titik di luar batas Kutai Kartanegara (lebih dari 2 km); periksa lat/lon."
    return None
