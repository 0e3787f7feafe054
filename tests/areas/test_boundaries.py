import json
import shutil
import subprocess
import sys

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Point

from geo import settings
from geo._errors import BoundarySourceError
from geo.areas import boundaries
from tests.paths import ROOT


def test_counts_and_kinds(bounds):
    summary = bounds.summary()
    assert summary["kabupaten"] == 1
    assert summary["kecamatan"] == 20
    assert summary["villages"] == 237
    assert summary["desa"] == 193
    assert summary["kelurahan"] == 44
    assert set(bounds.villages["kode_kec"]) == set(bounds.kecamatan["kode"])
    assert bounds.villages["kecamatan"].notna().all()
    assert bounds.villages["kode"].is_unique


def test_geometry_valid_and_area(bounds):
    for frame in (bounds.kabupaten, bounds.kecamatan, bounds.villages):
        assert frame.crs.to_epsg() == 4326
        assert frame.geometry.is_valid.all()
        assert set(frame.geom_type) == {"MultiPolygon"}
    area = bounds.summary()["area_km2"]
    assert 26_500 < area < 27_300  # official figure 27,263 km²


def test_coordinates_are_lon_lat(bounds):
    minx, miny, maxx, maxy = bounds.villages.total_bounds
    assert 115.0 < minx < maxx < 118.0  # longitudes east
    assert -1.8 < miny < maxy < 1.7  # latitudes about the equator


def test_hole_where_samarinda_lies(bounds):
    # Kota Samarinda (about 718 km²) is enclosed by Kukar but for the Mahakam's channel, so the
    # hole shows once that narrow gap is closed (1 km buffer in and out).
    samarinda = Point(117.15, -0.50)
    assert not bounds.villages.contains(samarinda).any()
    kab = bounds.kabupaten.to_crs(settings.CRS_METRIC).geometry.iloc[0]
    closed = kab.buffer(1000).buffer(-1000)
    sam = gpd.GeoSeries([samarinda], crs=4326).to_crs(settings.CRS_METRIC).iloc[0]
    holes = [shapely.Polygon(r) for p in shapely.get_parts(closed) for r in p.interiors]
    hole = next(h for h in holes if h.contains(sam))
    assert 500 < hole.area / 1e6 < 900


def test_reference_point_inside_each_village(bounds):
    v = bounds.villages
    points = shapely.points(v["ref_lon"], v["ref_lat"])
    assert shapely.contains(v.geometry.values, points).all()
    assert set(v["ref_sumber"]) <= {"sumber", "dalam_poligon"}
    assert (v["ref_sumber"] == "sumber").sum() > 200


def test_parse_path_swaps_and_repairs():
    one = "[[[-0.5,116.0],[-0.5,116.1],[-0.4,116.1],[-0.4,116.0],[-0.5,116.0]]]"
    geom = boundaries.parse_path(one)
    assert geom.is_valid
    assert geom.bounds == (116.0, -0.5, 116.1, -0.4)
    several = f"[{one},[[[-0.3,116.0],[-0.3,116.1],[-0.2,116.1],[-0.2,116.0],[-0.3,116.0]]]]"
    assert len(boundaries.parse_path(several).geoms) == 2
    bowtie = "[[[0,116],[1,117],[1,116],[0,117],[0,116]]]"  # self-intersecting ring
    repaired = boundaries.parse_path(bowtie)
    assert repaired.is_valid and repaired.area > 0


def test_sha256_mismatch_is_refused(tmp_path, boundaries_dir):
    for name in boundaries.SOURCE_FILES:
        shutil.copy(boundaries_dir / name, tmp_path / name)
    target = tmp_path / "wilayah_boundaries_kec_64.sql"
    target.write_bytes(target.read_bytes().replace(b"Tenggarong", b"Tenggarung", 1))
    with pytest.raises(BoundarySourceError) as err:
        boundaries.fetch_sources(str(tmp_path))
    assert "wilayah_boundaries_kec_64.sql" in str(err.value)
    assert "sha256" in str(err.value)


def test_missing_file_says_how_to_supply(tmp_path):
    with pytest.raises(BoundarySourceError) as err:
        boundaries.fetch_sources(str(tmp_path))
    assert "JANGKAU_BOUNDARIES" in str(err.value)


def test_url_source_with_upstream_layout(tmp_path, boundaries_dir):
    for name, (upstream, _) in boundaries.SOURCE_FILES.items():
        (tmp_path / upstream).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(boundaries_dir / name, tmp_path / upstream)
    data = boundaries.fetch_sources(tmp_path.as_uri() + "/")
    assert set(data) == set(boundaries.SOURCE_FILES)


def test_unreachable_url_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(settings, "DOWNLOAD_TIMEOUT_S", 2.0)
    with pytest.raises(BoundarySourceError) as err:
        boundaries.fetch_sources("http://127.0.0.1:9/nothing/")
    assert "tidak dapat diunduh" in str(err.value)
    assert "JANGKAU_BOUNDARIES" in str(err.value)


def test_cache_is_used_without_source(tmp_path, boundaries_dir):
    cache = tmp_path / "cache"
    boundaries.prepare(str(boundaries_dir), cache_dir=cache)
    assert boundaries.is_cached(cache)
    again = boundaries.load(cache_dir=cache, source=str(tmp_path / "nowhere"))
    assert len(again.villages) == 237
    with pytest.raises(BoundarySourceError):
        boundaries.load(cache_dir=tmp_path / "empty", source=str(tmp_path / "nowhere"))


def test_cli_info_prints_one_json_line(tmp_path, boundaries_dir):
    env = {
        "JANGKAU_BOUNDARIES": str(boundaries_dir),
        "JANGKAU_BOUNDARIES_CACHE": str(tmp_path / "cache"),
        "JANGKAU_DATA_DIR": str(tmp_path / "data"),
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run(
        [sys.executable, "-m", "geo", "boundaries", "info"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 1
    info = json.loads(lines[0])
    assert list(info) == ["kabupaten", "kecamatan", "villages", "desa", "kelurahan", "area_km2"]
    assert info["villages"] == 237 and info["desa"] == 193 and info["kelurahan"] == 44


def test_cli_without_source_exits_2_with_message(tmp_path):
    env = {
        "JANGKAU_BOUNDARIES": str(tmp_path / "missing"),
        "JANGKAU_BOUNDARIES_CACHE": str(tmp_path / "cache"),
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run(
        [sys.executable, "-m", "geo", "boundaries", "info"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert "JANGKAU_BOUNDARIES" in out.stderr
