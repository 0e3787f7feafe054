"""The road part of the travel network: OpenStreetMap roads through osmnx.

Roads come from the Overpass API when online (``source="overpass"``) or from a ``.osm``/``.pbf``
file the user supplies. Either way the same road classes are kept (drivable roads plus tracks a
motorbike can use, never areas or private ways), the network is clipped to an area (by default
Kutai Kartanegara with a margin), every segment gets a speed (its ``maxspeed`` where OSM has one,
else ``SPEEDS_KMH`` by road class) and a travel time, and the graph is simplified. One-way roads
stay one-way and parallel roads stay parallel.

The result is cached as parquet under ``settings.DATA_DIR / "jaringan"``, keyed by the input (the
file's sha256, or the Overpass area) and the filter and speeds, so it is built once; a later call
reads the cache without osmnx. To refresh roads from Overpass, delete that folder: osmnx's own copy
of the Overpass responses is kept beside the cache so an interrupted download can resume.

``fetch_bri_points`` imports BRI offices and BRILink agents mapped in OpenStreetMap (osmnx's
features API, online only) as service-point rows for ``geo.reach.service_points.read_points``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import socket
import tempfile
import xml.sax
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import geopandas as gpd
import networkx as nx
import numpy as np
import osmium
import osmnx as ox
import pandas as pd
import requests
import shapely
from osmnx._errors import InsufficientResponseError, ResponseStatusCodeError
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Polygon

from geo import settings
from geo._errors import JangkauError
from geo.areas import boundaries
from geo.geometry import OUTSIDE_BUFFER_M
from geo.reach.graph import TravelGraph

# --- Settings. They belong in geo/settings.py and will move there; read at call time. ---------

#: Travel speed in km/h by OSM ``highway`` class, used where a road has no ``maxspeed``. Rural
#: Kukar roads are driven at 30–50 km/h (domain.md); tracks turn to mud in rain.
SPEEDS_KMH: dict[str, float] = {
    "motorway": 80.0,  # the Balikpapan–Samarinda toll road crosses Samboja
    "motorway_link": 40.0,
    "trunk": 50.0,
    "trunk_link": 30.0,
    "primary": 45.0,
    "primary_link": 30.0,
    "secondary": 40.0,
    "secondary_link": 30.0,
    "tertiary": 35.0,
    "tertiary_link": 25.0,
    "unclassified": 30.0,
    "road": 25.0,
    "residential": 25.0,
    "living_street": 15.0,
    "service": 15.0,
    "track": 15.0,
}

#: Speed (km/h) for a class missing from ``SPEEDS_KMH``.
FALLBACK_KMH: float = 25.0

#: Travel mode written on every road leg.
MODA: str = "mobil"

#: Margin around Kukar for the default area, km: Kukar surrounds Samarinda on land, and the roads
#: from Tenggarong to Anggana or Muara Badak run through Samarinda, so they must stay in.
AREA_BUFFER_KM: float = 15.0

#: Simplification of the default area's outline, metres (keeps Overpass queries short).
AREA_SIMPLIFY_M: float = 250.0

#: Seconds to wait when checking that the Overpass server can be reached at all.
OVERPASS_CONNECT_TIMEOUT_S: float = 10.0

#: What ``fetch_bri_points`` asks Overpass for (osmnx ``tags``: a feature matching any one is
#: sent). Banks and ATMs; every shop, because BRILink agents are mostly small shops known only by
#: their name ("Agen BRILink …"), which Overpass cannot be asked for through osmnx; money-transfer
#: and payment points; anything whose brand or operator is BRI. Only features whose name, brand or
#: operator mentions BRI are kept (``mentions_bri``).
BRI_TAGS: dict[str, bool | list[str]] = {
    "amenity": ["bank", "atm", "money_transfer", "payment_centre"],
    "shop": True,
    "brand": ["BRI", "Bank BRI", "BRILink", "BRI Link", "Bank Rakyat Indonesia"],
    "operator": ["BRI", "Bank BRI", "BRILink", "BRI Link", "Bank Rakyat Indonesia"],
}

#: Margin around Kukar for the default BRI import area, km. Smaller than the 2 km that
#: ``read_points`` allows beyond Kukar, less the outline's simplification, so every imported point
#: passes that check.
BRI_AREA_BUFFER_KM: float = (OUTSIDE_BUFFER_M - 2 * AREA_SIMPLIFY_M) / 1000

# --- End of settings. ---------------------------------------------------------------------------

#: Road classes kept: drivable roads plus tracks usable by motorbike.
ROAD_CLASSES: tuple[str, ...] = (
    *(
        f"{c}{link}"
        for c in ("motorway", "trunk", "primary", "secondary", "tertiary")
        for link in ("", "_link")
    ),
    "unclassified",
    "residential",
    "service",
    "track",
    "living_street",
    "road",
)

_HIGHWAY_RE = "^(" + "|".join(ROAD_CLASSES) + ")$"

#: The osmnx ``custom_filter`` sent to Overpass. ``keep_way`` applies the same rule to files.
OVERPASS_FILTER: str = f'["highway"~"{_HIGHWAY_RE}"]["area"!~"yes"]["access"!~"private"]'

# Bump when the cached layout or the build changes, so an old cache is rebuilt, not misread.
CACHE_VERSION = 1

NODE_COLUMNS = ["osmid", "x", "y", "lon", "lat"]
EDGE_COLUMNS = ["u", "v", "km", "menit", "highway", "moda"]

HOW_TO_SUPPLY = (
    "Sediakan berkas OpenStreetMap (.osm atau .pbf) yang mencakup Kutai Kartanegara, misalnya "
    "ekstrak Kalimantan dari download.geofabrik.de, lalu isikan jalurnya di pengaturan "
    "JANGKAU_JARINGAN; atau sambungkan komputer ke internet agar jaringan jalan diunduh dari "
    "Overpass API."
)

# File suffixes -> the format name osmium expects.
_FORMATS = {
    ".osm": "osm",
    ".xml": "osm",
    ".pbf": "pbf",
    ".osm.pbf": "pbf",
    ".osm.gz": "osm.gz",
    ".osm.bz2": "osm.bz2",
}


class RoadNetworkError(JangkauError):
    """The road network cannot be built: a missing, unreadable or empty file, or no Overpass."""


@dataclass(frozen=True)
class RoadNetwork:
    """A directed road network, nodes in the metric CRS.

    Attributes
    ----------
    nodes
        One row per node: ``osmid`` (OSM node id), ``x``, ``y`` (metres, ``settings.CRS_METRIC``,
        EPSG:32750), ``lon``, ``lat`` (degrees, for maps).
    edges
        One row per directed road leg: ``u``, ``v`` (OSM node ids), ``km``, ``menit`` (minutes at
        the leg's speed), ``highway`` (OSM road class), ``moda``. A two-way road is two legs; a
        one-way road is one; parallel legs between the same nodes are kept.
    sumber
        Where the roads came from (a file name or ``overpass``).
    """

    nodes: pd.DataFrame
    edges: pd.DataFrame
    sumber: str = ""

    def __post_init__(self) -> None:
        missing = [c for c in NODE_COLUMNS if c not in self.nodes]
        missing += [c for c in EDGE_COLUMNS if c not in self.edges]
        if missing:
            raise ValueError(f"road network lacks columns: {missing}")
        if self.nodes["osmid"].duplicated().any():
            raise ValueError("duplicate node osmid")
        if not np.isfinite(self.nodes[["x", "y"]].to_numpy(dtype=float)).all():
            raise ValueError("node coordinates must be finite metres")
        known = self.nodes["osmid"]
        if not (self.edges["u"].isin(known).all() and self.edges["v"].isin(known).all()):
            raise ValueError("edge endpoints outside the node table")
        values = self.edges[["km", "menit"]].to_numpy(dtype=float)
        if not np.isfinite(values).all() or (values < 0).any():
            raise ValueError("travel distance and time must be finite and not negative")

    def summary(self) -> dict:
        """Counts and lengths for a page.

        ``ruas_satu_arah`` counts node pairs joined in one direction only. Road length counts a
        two-way road once (its two legs have the same ends, class and km).
        """
        e = self.edges
        pairs = set(zip(e["u"], e["v"], strict=True))
        one_way = sum((v, u) not in pairs for u, v in pairs)
        ends = pd.DataFrame({"a": np.minimum(e["u"], e["v"]), "b": np.maximum(e["u"], e["v"])})
        roads = pd.concat([ends, e[["highway", "km"]].round({"km": 6})], axis=1).drop_duplicates()
        by_class = roads.groupby("highway")["km"].sum().sort_values(ascending=False)
        return {
            "sumber": self.sumber,
            "simpul": len(self.nodes),
            "ruas": len(e),
            "ruas_satu_arah": int(one_way),
            "panjang_km": round(float(roads["km"].sum()), 1),
            "panjang_km_per_kelas": {k: round(float(v), 1) for k, v in by_class.items()},
        }

    def to_travel_graph(self) -> TravelGraph:
        """The roads as a ``TravelGraph``: nodes ``kind="jalan"``, ``ref`` = OSM id, legs
        ``sumber="jalan"`` with ``u``/``v`` as node positions."""
        index = pd.Index(self.nodes["osmid"])
        nodes = pd.DataFrame(
            {
                "x": self.nodes["x"].to_numpy(dtype=float),
                "y": self.nodes["y"].to_numpy(dtype=float),
                "kind": "jalan",
                "ref": self.nodes["osmid"].to_numpy(),
            }
        )
        edges = pd.DataFrame(
            {
                "u": index.get_indexer(self.edges["u"]),
                "v": index.get_indexer(self.edges["v"]),
                "km": self.edges["km"].to_numpy(dtype=float),
                "menit": self.edges["menit"].to_numpy(dtype=float),
                "sumber": "jalan",
                "moda": self.edges["moda"].to_numpy(),
            }
        )
        return TravelGraph(nodes=nodes, edges=edges)


def keep_way(tags) -> bool:
    """Whether an OSM way with these tags belongs in the road network.

    The same rule as ``OVERPASS_FILTER``: a kept road class, not an area, not private.

    Parameters
    ----------
    tags
        A mapping of tag keys to values (a dict or an osmium tag list).
    """
    highway = tags.get("highway")
    if highway is None or not re.search(_HIGHWAY_RE, highway):
        return False
    return not (
        re.search("yes", tags.get("area", "")) or re.search("private", tags.get("access", ""))
    )


def kukar_area(*, buffer_km: float | None = None) -> Polygon | MultiPolygon:
    """Kutai Kartanegara with a margin, in EPSG:4326 (lon, lat): the default road area.

    Parameters
    ----------
    buffer_km
        Margin around the kabupaten, kilometres; default ``AREA_BUFFER_KM``.

    Raises
    ------
    BoundarySourceError
        The boundaries are not available (see ``geo.areas.boundaries.load``).
    """
    buffer_km = AREA_BUFFER_KM if buffer_km is None else buffer_km
    kab = boundaries.load().kabupaten.to_crs(settings.CRS_METRIC)
    area = kab.geometry.union_all().buffer(buffer_km * 1000).simplify(AREA_SIMPLIFY_M)
    return gpd.GeoSeries([area], crs=settings.CRS_METRIC).to_crs(settings.CRS_GEO).iloc[0]


def load_road_graph(
    *,
    source: str,
    polygon: Polygon | MultiPolygon | gpd.GeoSeries | gpd.GeoDataFrame | None = None,
    cache_dir: Path | None = None,
) -> RoadNetwork:
    """The road network from Overpass or a local OSM file, built once and cached.

    Parameters
    ----------
    source
        ``"overpass"`` to download from the Overpass API at ``osmnx.settings.overpass_url``, or
        the path of a ``.osm`` (also ``.osm.gz``, ``.osm.bz2``) or ``.pbf`` file.
    polygon
        The area to keep: a shapely (Multi)Polygon in (lon, lat), or a GeoSeries/GeoDataFrame with
        a CRS. Roads with at least one node inside are kept whole. Default ``kukar_area()``.
    cache_dir
        Folder of the parquet cache; default ``settings.DATA_DIR / "jaringan"``.

    Returns
    -------
    RoadNetwork

    Raises
    ------
    RoadNetworkError
        The file is missing, unreadable or holds no usable road; or Overpass cannot be reached or
        answers with an error. The message says what to do.
    """
    area = kukar_area() if polygon is None else _as_polygon(polygon)
    cache_dir = Path(cache_dir) if cache_dir is not None else settings.DATA_DIR / "jaringan"
    if source == "overpass":
        origin, label = "overpass", "overpass"
    else:
        path = _check_file(source)
        origin, label = f"berkas:{_sha256_file(path)}", path.name
    key = _cache_key(origin, area)
    cached = _read_cache(cache_dir, key)
    if cached is not None:
        return cached

    graph = _download_overpass(area, cache_dir) if source == "overpass" else _read_file(path, area)
    network = _to_network(_with_travel_times(graph), sumber=label)
    _write_cache(network, cache_dir, key)
    return network


# --- Input ----------------------------------------------------------------------------------


def _as_polygon(polygon) -> Polygon | MultiPolygon:
    """A valid (Multi)Polygon in EPSG:4326 from a shapely geometry or a GeoSeries/GeoDataFrame."""
    if hasattr(polygon, "to_crs"):
        if polygon.crs is None:
            raise ValueError("the area has no CRS; set one (for example EPSG:4326)")
        polygon = polygon.to_crs(settings.CRS_GEO).geometry.union_all()
    if not isinstance(polygon, Polygon | MultiPolygon) or polygon.is_empty:
        raise ValueError(f"the area must be a Polygon or MultiPolygon, got {polygon.geom_type}")
    minx, miny, maxx, maxy = polygon.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ValueError("the area must be in degrees (lon, lat), EPSG:4326")
    return shapely.make_valid(polygon) if not polygon.is_valid else polygon


def _file_format(path: Path) -> str | None:
    name = path.name.lower()
    for suffix in sorted(_FORMATS, key=len, reverse=True):
        if name.endswith(suffix):
            return _FORMATS[suffix]
    return None


def _check_file(source: str) -> Path:
    path = Path(source).expanduser()
    if not path.is_file():
        raise RoadNetworkError(f"Berkas jaringan jalan {path} tidak ditemukan. {HOW_TO_SUPPLY}")
    if _file_format(path) is None:
        raise RoadNetworkError(
            f"Berkas jaringan jalan {path.name} bukan berkas OpenStreetMap yang dikenali "
            f"(akhiran .osm, .osm.pbf, .pbf, .osm.gz atau .osm.bz2). {HOW_TO_SUPPLY}"
        )
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _unreadable(path, exc) from None
    if size == 0:
        raise RoadNetworkError(f"Berkas jaringan jalan {path} kosong. {HOW_TO_SUPPLY}")
    return path


def _unreadable(path: Path, exc: Exception) -> RoadNetworkError:
    return RoadNetworkError(
        f"Berkas jaringan jalan {path} tidak dapat dibaca sebagai data OpenStreetMap ({exc}). "
        f"Periksa bahwa berkas tidak rusak dan memang berformat .osm (XML) atau .pbf. "
        f"{HOW_TO_SUPPLY}"
    )


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise _unreadable(path, exc) from None
    return digest.hexdigest()


def _read_file(path: Path, area: Polygon | MultiPolygon) -> nx.MultiDiGraph:
    """Keep the road ways inside ``area`` with pyosmium, then build the graph with osmnx."""
    fmt = _file_format(path)
    with tempfile.TemporaryDirectory(prefix="jangkau-osm-") as tmp:
        roads_xml = Path(tmp) / "jalan.osm"
        try:
            kept = _filter_roads(osmium.io.File(str(path), fmt), roads_xml, area)
        except RuntimeError as exc:  # osmium reports every read or parse error as RuntimeError
            raise _unreadable(path, exc) from None
        if kept == 0:
            raise RoadNetworkError(
                f"Berkas jaringan jalan {path} tidak berisi ruas jalan yang dapat dilalui "
                f"kendaraan di dalam wilayah yang diminta. {HOW_TO_SUPPLY}"
            )
        try:
            return ox.graph_from_xml(roads_xml, simplify=False, retain_all=True)
        except (xml.sax.SAXException, OSError, ValueError, KeyError) as exc:
            raise _unreadable(path, exc) from None


def _filter_roads(src: osmium.io.File, out: Path, area: Polygon | MultiPolygon) -> int:
    """Write the kept road ways of ``src`` and their nodes to OSM XML; return the ways kept.

    Two passes, so memory holds only ids: the first keeps ways by tags and area (node locations
    from the file), the second writes the kept ways and the nodes they use. A way's nodes missing
    from the file (a clipped extract) are dropped from it, because osmnx cannot place them.
    """
    shapely.prepare(area)
    minx, miny, maxx, maxy = area.bounds
    tracker = osmium.IdTracker()
    shortened: dict[int, list[int]] = {}
    kept = 0
    # Nodes pass through the location store but stop before Python; so do untagged ways.
    ways = (
        osmium.FileProcessor(src, osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    for way in ways:
        if not keep_way(way.tags):
            continue
        refs, lons, lats = [], [], []
        for node in way.nodes:
            if node.location.valid():
                refs.append(node.ref)
                lons.append(node.location.lon)
                lats.append(node.location.lat)
        if len(refs) < 2:
            continue
        lon, lat = np.asarray(lons), np.asarray(lats)
        near = (lon >= minx) & (lon <= maxx) & (lat >= miny) & (lat <= maxy)
        if not near.any() or not shapely.contains_xy(area, lon[near], lat[near]).any():
            continue
        if len(refs) < len(way.nodes):
            shortened[way.id] = refs
        tracker.add_way(way.id)
        for ref in refs:
            tracker.add_node(ref)
        kept += 1
    if kept == 0:
        return 0
    with osmium.SimpleWriter(str(out), overwrite=True) as writer:
        selected = osmium.FileProcessor(src, osmium.osm.NODE | osmium.osm.WAY)
        for obj in selected.with_filter(tracker.id_filter()):
            if obj.is_way() and obj.id in shortened:
                writer.add(obj.replace(nodes=shortened[obj.id]))
            else:
                writer.add(obj)
    return kept


# --- Overpass -------------------------------------------------------------------------------


@contextlib.contextmanager
def _overpass_session(cache_dir: Path | None) -> Iterator[None]:
    """Keep osmnx's response cache beside ours, and undo osmnx's global DNS patch afterwards.

    osmnx pins the Overpass host to one IP by replacing ``socket.getaddrinfo`` for the whole
    process; the app keeps running other requests, so the original is put back. With
    ``cache_dir=None`` osmnx keeps no copy of the responses (every call asks the server again).
    """
    saved_folder, saved_getaddrinfo = ox.settings.cache_folder, socket.getaddrinfo
    saved_use_cache = ox.settings.use_cache
    if cache_dir is None:
        ox.settings.use_cache = False
    else:
        ox.settings.cache_folder = cache_dir / "overpass"
    try:
        yield
    finally:
        ox.settings.cache_folder = saved_folder
        ox.settings.use_cache = saved_use_cache
        socket.getaddrinfo = saved_getaddrinfo


def _overpass_failed(url: str, reason: str) -> RoadNetworkError:
    return RoadNetworkError(
        f"Jaringan jalan tidak dapat diunduh dari Overpass API ({url}): {reason}. Sambungkan "
        f"komputer ke internet lalu coba lagi, atau sediakan berkas OpenStreetMap (.osm atau "
        f".pbf) yang mencakup Kutai Kartanegara, misalnya ekstrak Kalimantan dari "
        f"download.geofabrik.de, dan isikan jalurnya di pengaturan JANGKAU_JARINGAN."
    )


def _check_reachable(
    url: str, failed: Callable[[str, str], JangkauError] = _overpass_failed
) -> None:
    # Offline, osmnx would wait a minute for the rate-limit status before failing: fail fast.
    parts = urlparse(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname, port), OVERPASS_CONNECT_TIMEOUT_S):
            pass
    except OSError:
        raise failed(url, "server tidak dapat dihubungi") from None


def _download_overpass(area: Polygon | MultiPolygon, cache_dir: Path) -> nx.MultiDiGraph:
    url = ox.settings.overpass_url
    _check_reachable(url)
    try:
        with _overpass_session(cache_dir):
            return ox.graph_from_polygon(
                area,
                network_type="drive",  # only decides that one-way roads stay one-way
                custom_filter=OVERPASS_FILTER,
                simplify=False,
                retain_all=True,
                truncate_by_edge=True,
            )
    except ResponseStatusCodeError as exc:
        code = re.search(r"responded: (\d{3})", str(exc))
        reason = f"server menjawab dengan kode {code[1]}" if code else "server menolak permintaan"
        raise _overpass_failed(url, reason) from None
    except requests.RequestException:
        raise _overpass_failed(url, "sambungan ke server gagal atau terputus") from None
    except (InsufficientResponseError, ValueError):
        # ValueError: osmnx found no road node inside the area.
        raise _overpass_failed(
            url, "server tidak mengembalikan ruas jalan untuk wilayah ini"
        ) from None


# --- BRI service points from OpenStreetMap features ------------------------------------------

#: Columns of ``fetch_bri_points``: those of a service-point file plus ``catatan``.
BRI_POINT_COLUMNS = [
    "id",
    "nama",
    "jenis",
    "lat",
    "lon",
    "kode_desa",
    "kapasitas",
    "aktif",
    "catatan",
]

# "BRI" as a word ("BRI Unit", "Agen BRI", "BRI-Link", "BRILink"), or the bank's full name; never
# inside a word ("Fabrik", "Bristol", "BRIS") and never BRI Syariah, now Bank Syariah Indonesia.
_BRI_RE = re.compile(
    r"\b(?:bank\s+rakyat\s+indonesia|bri(?![\s-]*syariah\b)(?:[\s-]*link)?)\b", re.IGNORECASE
)
_BRILINK_RE = re.compile(r"\bbri[\s-]*link\b", re.IGNORECASE)
_TEXT_TAGS = ("name", "brand", "operator")
_ELEMENT_LETTER = {"node": "n", "way": "w", "relation": "r"}


class OsmImportError(JangkauError):
    """Features cannot be downloaded from Overpass (no connection, or the server refused)."""


def _bri_import_failed(url: str, reason: str) -> OsmImportError:
    return OsmImportError(
        f"Titik layanan BRI tidak dapat diunduh dari OpenStreetMap (Overpass API, {url}): "
        f"{reason}. Sambungkan komputer ke internet lalu coba lagi, atau tambahkan titik layanan "
        f"lewat tabel titik layanan atau berkas CSV/XLSX."
    )


def mentions_bri(text: object) -> bool:
    """Whether a name, brand or operator names BRI: the word "BRI" (also "BRILink", "BRI Link"),
    or "Bank Rakyat Indonesia", in any case. "Fabrik Roti" and "BRI Syariah" do not."""
    return isinstance(text, str) and _BRI_RE.search(text) is not None


def fetch_bri_points(
    *,
    polygon: Polygon | MultiPolygon | gpd.GeoSeries | gpd.GeoDataFrame | None = None,
    include_atm: bool = False,
) -> pd.DataFrame:
    """BRI offices and BRILink agents mapped in OpenStreetMap, as service-point rows.

    Asks the Overpass API (``osmnx.settings.overpass_url``) through osmnx's features API for the
    features in ``BRI_TAGS`` and keeps those whose ``name``, ``brand`` or ``operator`` mentions
    BRI (``mentions_bri``) and whose point lies inside the area. Nothing is cached: every call
    asks the server, so the result is as current as OpenStreetMap.

    The type (``jenis``) of a kept feature:

    - BRILink in its name, brand or operator, or a shop or payment point that names BRI:
      ``agen_brilink``;
    - ``amenity=bank``, or an ``office`` found by its BRI brand or operator: ``kantor_bri``;
    - ``amenity=atm``: skipped unless ``include_atm``, then ``kantor_bri``. An ATM has no staff to
      unblock a KKS card or help a KPM, most BRI ATMs in Kukar stand at a BRI unit already
      imported as a bank, and the service-point table has no ATM type; with ``include_atm`` an
      ATM counts as a BRI facility (``kantor_bri``) rather than as an agent run by a shopkeeper.

    Parameters
    ----------
    polygon
        The area: a shapely (Multi)Polygon in (lon, lat), or a GeoSeries/GeoDataFrame with a CRS.
        Default Kukar with a ``BRI_AREA_BUFFER_KM`` margin, so every point passes
        ``read_points``'s Kukar check.
    include_atm
        Keep BRI ATMs (as ``kantor_bri``).

    Returns
    -------
    pandas.DataFrame
        ``BRI_POINT_COLUMNS``, one row per feature, sorted by ``id``: ``id`` ``OSM-`` + ``n``/
        ``w``/``r`` (node, way, relation) + the OSM id; ``nama`` the name (else
        ``"BRI (tanpa nama)"``); ``jenis``; ``lat``/``lon`` (EPSG:4326, the node or the centroid of
        a way or relation, 6 decimals); ``kode_desa`` and ``kapasitas`` empty; ``aktif`` True;
        ``catatan`` ``"OpenStreetMap"``. Empty (with those columns) when nothing matches. Ready for
        ``read_points(frame.to_csv(index=False).encode(), ...)``.

    Raises
    ------
    OsmImportError
        Overpass cannot be reached or answers with an error; the message says what to do.
    """
    area = kukar_area(buffer_km=BRI_AREA_BUFFER_KM) if polygon is None else _as_polygon(polygon)
    url = ox.settings.overpass_url
    _check_reachable(url, _bri_import_failed)
    try:
        with _overpass_session(None):
            features = ox.features_from_polygon(area, tags=BRI_TAGS)
    except InsufficientResponseError:
        # osmnx's "no matching features": nothing of the kind is mapped in the area.
        return pd.DataFrame(columns=BRI_POINT_COLUMNS)
    except ResponseStatusCodeError as exc:
        code = re.search(r"responded: (\d{3})", str(exc))
        reason = f"server menjawab dengan kode {code[1]}" if code else "server menolak permintaan"
        raise _bri_import_failed(url, reason) from None
    except requests.RequestException:
        raise _bri_import_failed(url, "sambungan ke server gagal atau terputus") from None
    return _bri_rows(features, area, include_atm=include_atm)


def _bri_rows(
    features: gpd.GeoDataFrame, area: Polygon | MultiPolygon, *, include_atm: bool
) -> pd.DataFrame:
    """Keep the BRI features of an osmnx features frame and map them to service-point rows."""
    # Sub-queries of a large area overlap at their edges: the same feature may come twice.
    features = features[~features.index.duplicated()]

    def text(tag: str) -> pd.Series:
        column = features[tag] if tag in features else pd.Series(None, index=features.index)
        return column.where(column.map(lambda v: isinstance(v, str)), "")

    texts = pd.concat([text(tag) for tag in _TEXT_TAGS], axis=1).agg(" | ".join, axis=1)
    amenity, shop = text("amenity"), text("shop")
    brilink = texts.str.contains(_BRILINK_RE)
    jenis = pd.Series(None, index=features.index, dtype=object)
    jenis[(amenity == "bank") | (text("office") != "")] = "kantor_bri"
    if include_atm:
        jenis[amenity == "atm"] = "kantor_bri"
    agent = (shop != "") | amenity.isin(["money_transfer", "payment_centre"])
    jenis[agent & ~amenity.isin(["bank", "atm"])] = "agen_brilink"
    jenis[brilink] = "agen_brilink"
    keep = texts.map(mentions_bri) & jenis.notna()
    if not keep.any():
        return pd.DataFrame(columns=BRI_POINT_COLUMNS)
    kept = features[keep]

    # Centroids in metres (a centroid in degrees is skewed), then back to degrees.
    points = gpd.GeoSeries(kept.geometry, crs=kept.crs).to_crs(settings.CRS_METRIC).centroid
    points = points.to_crs(settings.CRS_GEO)
    lon, lat = points.x.to_numpy(), points.y.to_numpy()
    inside = shapely.contains_xy(area, lon, lat)
    element = kept.index.get_level_values("element").map(_ELEMENT_LETTER)
    osmid = kept.index.get_level_values("id").astype("int64").astype(str)
    names = text("name")[keep].str.strip()
    frame = pd.DataFrame(
        {
            "id": "OSM-" + element + osmid,
            "nama": names.where(names != "", "BRI (tanpa nama)").to_numpy(),
            "jenis": jenis[keep].to_numpy(),
            "lat": np.round(lat, 6),
            "lon": np.round(lon, 6),
            "kode_desa": None,
            "kapasitas": None,
            "aktif": True,
            "catatan": "OpenStreetMap",
        },
        columns=BRI_POINT_COLUMNS,
    )
    return frame[inside].sort_values("id", ignore_index=True)


# --- Speeds, travel times, tables -------------------------------------------------------------


def _with_travel_times(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Speeds and minutes on the unsimplified segments, then simplify (summing length and time).

    Timing each segment before simplification keeps a merged edge's time exact even when its
    segments have different speed limits; ``edge_attrs_differ`` keeps each edge to one class.
    """
    if graph.number_of_edges() == 0:
        raise RoadNetworkError(f"Data jalan tidak berisi ruas yang dapat dilalui. {HOW_TO_SUPPLY}")
    graph = ox.add_edge_speeds(graph, hwy_speeds=SPEEDS_KMH, fallback=FALLBACK_KMH)
    graph = ox.add_edge_travel_times(graph)
    return ox.simplify_graph(graph, edge_attrs_differ=["highway"], remove_rings=False)


def _first(value):
    return value[0] if isinstance(value, list) else value


def _to_network(graph: nx.MultiDiGraph, *, sumber: str) -> RoadNetwork:
    node_data = sorted(graph.nodes(data=True))
    osmid = np.array([n for n, _ in node_data], dtype="int64")
    lon = np.array([d["x"] for _, d in node_data], dtype=float)
    lat = np.array([d["y"] for _, d in node_data], dtype=float)
    to_metric = Transformer.from_crs(settings.CRS_GEO, settings.CRS_METRIC, always_xy=True)
    x, y = to_metric.transform(lon, lat)
    nodes = pd.DataFrame({"osmid": osmid, "x": x, "y": y, "lon": lon, "lat": lat})

    rows = [
        (u, v, d["length"] / 1000.0, d["travel_time"] / 60.0, str(_first(d.get("highway", ""))))
        for u, v, d in graph.edges(data=True)
    ]
    edges = pd.DataFrame(rows, columns=["u", "v", "km", "menit", "highway"])
    edges = edges.astype({"u": "int64", "v": "int64", "km": float, "menit": float})
    edges["moda"] = MODA
    edges = edges.sort_values(["u", "v", "menit", "highway"], kind="stable", ignore_index=True)
    return RoadNetwork(nodes=nodes, edges=edges, sumber=sumber)


# --- Cache ----------------------------------------------------------------------------------


def _cache_key(origin: str, area: Polygon | MultiPolygon) -> str:
    parts = {
        "versi": CACHE_VERSION,
        "asal": origin,
        "wilayah": shapely.to_wkt(area, rounding_precision=6),
        "filter": OVERPASS_FILTER,
        "kecepatan": SPEEDS_KMH,
        "cadangan": FALLBACK_KMH,
        "moda": MODA,
        "crs": settings.CRS_METRIC,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _cache_paths(cache_dir: Path, key: str) -> dict[str, Path]:
    stem = f"jalan_{key[:24]}"
    return {
        "nodes": cache_dir / f"{stem}_simpul.parquet",
        "edges": cache_dir / f"{stem}_ruas.parquet",
        "info": cache_dir / f"{stem}.json",
    }


def _read_cache(cache_dir: Path, key: str) -> RoadNetwork | None:
    paths = _cache_paths(cache_dir, key)
    if not all(p.is_file() for p in paths.values()):
        return None
    info = json.loads(paths["info"].read_text(encoding="utf-8"))
    return RoadNetwork(
        nodes=pd.read_parquet(paths["nodes"]),
        edges=pd.read_parquet(paths["edges"]),
        sumber=info["sumber"],
    )


def _write_cache(network: RoadNetwork, cache_dir: Path, key: str) -> None:
    paths = _cache_paths(cache_dir, key)
    cache_dir.mkdir(parents=True, exist_ok=True)
    # The info file goes last: its presence marks a complete cache entry.
    for name in ("nodes", "edges"):
        tmp = paths[name].with_suffix(".tmp")
        getattr(network, name).to_parquet(tmp, index=False)
        tmp.replace(paths[name])
    tmp = paths["info"].with_suffix(".tmp")
    tmp.write_text(json.dumps({"kunci": key, "sumber": network.sumber}), encoding="utf-8")
    tmp.replace(paths["info"])
