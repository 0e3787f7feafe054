"""Kutai Kartanegara boundaries from the Kemendagri SQL dumps of ``cahyadsn/wilayah_boundaries``.

The source is three SQL files (kabupaten and kecamatan of the province, villages of Kukar) holding
``INSERT INTO wilayah_boundaries(kode,nama,lat,lng,path)`` rows whose ``path`` is JSON rings with
**latitude first**. They are read from a folder or downloaded from a URL base, checked against their
pinned sha256, parsed into GeoDataFrames in EPSG:4326 with valid polygonal geometry, and cached as
GeoParquet under ``settings.BOUNDARIES_CACHE``.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon

from geo import settings
from geo._errors import BoundarySourceError

#: The three source files: name -> (upstream path at the pinned commit, sha256).
SOURCE_FILES: dict[str, tuple[str, str]] = {
    "wilayah_boundaries_kab_64.sql": (
        "db/kab/wilayah_boundaries_kab_64.sql",
        "790d76b3770671f2515ebec73e2c5bf4847e1f1be78449128dc70aca87379b52",
    ),
    "wilayah_boundaries_kec_64.sql": (
        "db/kec/wilayah_boundaries_kec_64.sql",
        "3024a11733a6b06ab39e000a9a08214a1594f2bdf19242bd296ac83900ef09ee",
    ),
    "wilayah_boundaries_kel_64.02.sql": (
        "db/kel/64/wilayah_boundaries_kel_64.02.sql",
        "795627c3c160cb67ea5416c4e4e64e803d11dc07b7f37b9b5475b9b4b0b6e893",
    ),
}

# Bump when the parsed layout changes, so an old cache is rebuilt rather than misread.
CACHE_VERSION = 1

HOW_TO_SUPPLY = (
    "Sediakan sumber batas wilayah dengan salah satu cara: (1) set JANGKAU_BOUNDARIES ke folder "
    "berisi tiga berkas wilayah_boundaries_kab_64.sql, wilayah_boundaries_kec_64.sql dan "
    "wilayah_boundaries_kel_64.02.sql (misalnya ../shared/boundaries), lalu jalankan "
    "`python -m geo boundaries prepare`; atau (2) sambungkan ke internet agar berkas diunduh dari "
    f"{settings.BOUNDARIES_URL}"
)

_ROW = re.compile(
    r"\('(?P<kode>[0-9.]+)','(?P<nama>(?:[^']|'')*)',"
    r"(?P<lat>-?[0-9.eE+-]+),(?P<lng>-?[0-9.eE+-]+),'(?P<path>[^']*)'\)"
)


@dataclass(frozen=True)
class Boundaries:
    """The parsed Kukar boundaries, all in EPSG:4326.

    Attributes
    ----------
    kabupaten
        One row: ``kode``, ``nama``, ``geometry``.
    kecamatan
        20 rows: ``kode``, ``nama``, ``geometry``.
    villages
        237 rows: ``kode``, ``nama``, ``kode_kec``, ``kecamatan``, ``jenis`` (``desa`` or
        ``kelurahan``), ``ref_lon``, ``ref_lat`` (the reference point distances start from),
        ``ref_sumber`` (``sumber`` when the source's point lies inside, else ``dalam_poligon``),
        ``geometry``.
    """

    kabupaten: gpd.GeoDataFrame
    kecamatan: gpd.GeoDataFrame
    villages: gpd.GeoDataFrame

    def __post_init__(self) -> None:
        for name in ("kabupaten", "kecamatan", "villages"):
            frame = getattr(self, name)
            if frame.crs is None or frame.crs.to_epsg() != 4326:
                raise ValueError(f"{name} must be in EPSG:4326, got {frame.crs}")
            if not frame.geometry.is_valid.all():
                raise ValueError(f"{name} has invalid geometry")

    def summary(self) -> dict:
        """Counts and total area (km², computed in ``settings.CRS_METRIC``)."""
        area = self.villages.to_crs(settings.CRS_METRIC).area.sum() / 1e6
        return {
            "kabupaten": len(self.kabupaten),
            "kecamatan": len(self.kecamatan),
            "villages": len(self.villages),
            "desa": int((self.villages["jenis"] == "desa").sum()),
            "kelurahan": int((self.villages["jenis"] == "kelurahan").sum()),
            "area_km2": round(float(area), 1),
        }


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://", "file://"))


def fetch_sources(source: str | None = None) -> dict[str, bytes]:
    """Read the three SQL files from a folder or a URL base and check their sha256.

    Parameters
    ----------
    source
        A folder holding the three files, or a URL base under which the upstream paths lie.
        Default ``settings.BOUNDARIES_SOURCE``.

    Returns
    -------
    dict
        File name -> bytes, every file checked.

    Raises
    ------
    BoundarySourceError
        A file is missing or unreachable, or its sha256 differs from the pinned one.
    """
    source = source or settings.BOUNDARIES_SOURCE
    out: dict[str, bytes] = {}
    for name, (upstream, expected) in SOURCE_FILES.items():
        if _is_url(source):
            url = source.rstrip("/") + "/" + upstream
            try:
                with urllib.request.urlopen(url, timeout=settings.DOWNLOAD_TIMEOUT_S) as resp:
                    data = resp.read()
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                raise BoundarySourceError(
                    f"Berkas batas wilayah {name} tidak dapat diunduh dari {url} ({exc}). "
                    + HOW_TO_SUPPLY
                ) from None
        else:
            path = Path(source).expanduser() / name
            if not path.is_file():
                raise BoundarySourceError(
                    f"Berkas batas wilayah {name} tidak ada di folder {Path(source).expanduser()}. "
                    + HOW_TO_SUPPLY
                )
            data = path.read_bytes()
        actual = sha256_bytes(data)
        if actual != expected:
            raise BoundarySourceError(
                f"Berkas {name} dari {source} ditolak: sha256 {actual} tidak sama dengan yang "
                f"ditetapkan ({expected}). Berkas mungkin rusak atau versi lain; gunakan berkas "
                f"dari commit {settings.BOUNDARIES_COMMIT}."
            )
        out[name] = data
    return out


def _rings_to_polygon(rings: list) -> Polygon:
    # Source rings are [lat, lng]; shapely wants (lon, lat).
    swapped = [[(pt[1], pt[0]) for pt in ring] for ring in rings if len(ring) >= 4]
    return Polygon(swapped[0], swapped[1:])


def parse_path(path_json: str) -> MultiPolygon:
    """Turn a source ``path`` (JSON rings, latitude first) into a valid (lon, lat) MultiPolygon.

    Both layouts occur: ``[[[lat, lng], ...], ...]`` (one polygon: outer ring then holes) and
    ``[[[[lat, lng], ...], ...], ...]`` (several polygons). Invalid rings are repaired with
    ``shapely.make_valid`` and only polygonal parts are kept.
    """
    data = json.loads(path_json)
    if data and data[0] and isinstance(data[0][0][0], (int, float)):
        polygons = [_rings_to_polygon(data)]
    else:
        polygons = [_rings_to_polygon(p) for p in data if p]
    geom = shapely.make_valid(MultiPolygon([p for p in polygons if not p.is_empty]))
    return _polygonal(geom)


def _polygonal(geom) -> MultiPolygon:
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    flat: list[Polygon] = []
    for part in parts:
        flat.extend(shapely.get_parts(part) if part.geom_type == "MultiPolygon" else [part])
    return MultiPolygon([p for p in flat if p.area > 0])


def parse_sql(text: str, *, prefix: str) -> pd.DataFrame:
    """Parse the ``INSERT`` rows of one dump, keeping codes that start with ``prefix``.

    Returns
    -------
    DataFrame
        ``kode``, ``nama``, ``lat``, ``lng`` (the source's point) and ``geometry`` (shapely,
        (lon, lat)).
    """
    rows = []
    for match in _ROW.finditer(text):
        kode = match["kode"]
        if kode != prefix and not kode.startswith(prefix + "."):
            continue
        rows.append(
            {
                "kode": kode,
                "nama": match["nama"].replace("''", "'"),
                "lat": float(match["lat"]),
                "lng": float(match["lng"]),
                "geometry": parse_path(match["path"]),
            }
        )
    return pd.DataFrame(rows, columns=["kode", "nama", "lat", "lng", "geometry"])


def build(sources: dict[str, bytes]) -> Boundaries:
    """Build the kabupaten, kecamatan and villages of Kukar from the three checked files."""
    kab_code = settings.KODE_KAB
    kab = parse_sql(sources["wilayah_boundaries_kab_64.sql"].decode("utf-8"), prefix=kab_code)
    kab = kab[kab["kode"] == kab_code]
    kec = parse_sql(sources["wilayah_boundaries_kec_64.sql"].decode("utf-8"), prefix=kab_code)
    kec = kec[kec["kode"].str.len() == len(kab_code) + 3]
    kel = parse_sql(sources["wilayah_boundaries_kel_64.02.sql"].decode("utf-8"), prefix=kab_code)
    kel = kel[kel["kode"].str.len() == len(kab_code) + 8]

    kec_names = dict(zip(kec["kode"], kec["nama"], strict=True))
    kel = kel.assign(
        kode_kec=kel["kode"].str[: len(kab_code) + 3],
        jenis=kel["kode"].str[len(kab_code) + 4].map({"1": "kelurahan", "2": "desa"}),
    )
    kel["kecamatan"] = kel["kode_kec"].map(kec_names)
    source_points = [Point(lng, lat) for lng, lat in zip(kel["lng"], kel["lat"], strict=True)]
    inside = [geom.contains(pt) for geom, pt in zip(kel["geometry"], source_points, strict=True)]
    ref = [
        pt if ok else geom.representative_point()
        for geom, pt, ok in zip(kel["geometry"], source_points, inside, strict=True)
    ]
    kel["ref_lon"] = [p.x for p in ref]
    kel["ref_lat"] = [p.y for p in ref]
    kel["ref_sumber"] = ["sumber" if ok else "dalam_poligon" for ok in inside]

    def frame(df: pd.DataFrame, columns: list[str]) -> gpd.GeoDataFrame:
        out = gpd.GeoDataFrame(df[[*columns, "geometry"]], geometry="geometry", crs="EPSG:4326")
        return out.sort_values("kode").reset_index(drop=True)

    return Boundaries(
        kabupaten=frame(kab, ["kode", "nama"]),
        kecamatan=frame(kec, ["kode", "nama"]),
        villages=frame(
            kel,
            ["kode", "nama", "kode_kec", "kecamatan", "jenis", "ref_lon", "ref_lat", "ref_sumber"],
        ),
    )


def _cache_paths(cache_dir: Path) -> dict[str, Path]:
    return {
        name: cache_dir / f"kukar_{name}_v{CACHE_VERSION}.parquet"
        for name in ("kabupaten", "kecamatan", "villages")
    }


def prepare(source: str | None = None, *, cache_dir: Path | None = None) -> Boundaries:
    """Fetch, check, parse and cache the boundaries; returns them.

    Raises
    ------
    BoundarySourceError
        No usable source (see ``fetch_sources``).
    """
    result = build(fetch_sources(source))
    cache_dir = cache_dir or settings.BOUNDARIES_CACHE
    cache_dir.mkdir(parents=True, exist_ok=True)
    for name, path in _cache_paths(cache_dir).items():
        tmp = path.with_suffix(".tmp")
        getattr(result, name).to_parquet(tmp)
        tmp.replace(path)
    return result


def is_cached(cache_dir: Path | None = None) -> bool:
    """Whether a parsed cache exists."""
    paths = _cache_paths(cache_dir or settings.BOUNDARIES_CACHE)
    return all(p.is_file() for p in paths.values())


def load(*, cache_dir: Path | None = None, source: str | None = None) -> Boundaries:
    """The boundaries: from the cache when present, else prepared from the source.

    Raises
    ------
    BoundarySourceError
        No cache and no usable source; the message says how to supply one.
    """
    cache_dir = cache_dir or settings.BOUNDARIES_CACHE
    paths = _cache_paths(cache_dir)
    if all(p.is_file() for p in paths.values()):
        return Boundaries(**{name: gpd.read_parquet(p) for name, p in paths.items()})
    return prepare(source, cache_dir=cache_dir)
