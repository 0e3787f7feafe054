import re

import numpy as np
import pandas as pd
import pytest
import shapely

from geo import settings
from geo.outputs import maps
from geo.realization import coverage

EVIL = "<img src=x onerror=alert(1)>"
EVIL_VILLAGE = "<img src=x onerror=alert('desa')>"


@pytest.fixture(scope="module")
def cov(bounds):
    rng = np.random.default_rng(7)
    kpm = rng.integers(0, 300, len(bounds.villages))
    done = (kpm * rng.uniform(0.3, 1.0, len(kpm))).astype(int)
    counts = pd.DataFrame(
        {
            "kode_desa": bounds.villages["kode"],
            "program": "PKH",
            "kpm": kpm,
            "terealisasi": done,
            "belum_transaksi": kpm - done,
            "tidak_transaksi": 0,
            "tanpa_data_bri": 0,
        }
    )
    return coverage.compute(bounds.villages, counts)


@pytest.fixture(scope="module")
def points():
    return pd.DataFrame(
        {
            "id": ["EW-1", "AG-1", "BRI-1"],
            "nama": [EVIL, "Agen Bu Aminah", "BRI Unit Tenggarong"],
            "jenis": ["e-warong", "agen_brilink", "kantor_bri"],
            "lat": [-0.44, -0.27, -0.43],
            "lon": [116.98, 116.58, 116.99],
        }
    )


def test_simplified_layer_keeps_shared_borders(bounds):
    raw = bounds.villages.to_crs(settings.CRS_METRIC)
    simple = maps.simplify_layer(bounds.villages)
    assert simple.crs.to_epsg() == 4326
    assert simple.geometry.is_valid.all() and len(simple) == 237
    metric = simple.to_crs(settings.CRS_METRIC)
    assert abs(metric.area.sum() / raw.area.sum() - 1) < 0.005
    # Neighbours still touch without gaps or new overlaps: the union has no more area than the
    # sum of parts (no overlap), and the outline of the whole barely changes.
    union = shapely.union_all(metric.geometry.values)
    assert metric.area.sum() - union.area < 0.001 * union.area
    coords = shapely.get_coordinates(simple.geometry.values)
    assert np.allclose(coords, np.round(coords, 5))
    assert len(coords) < len(shapely.get_coordinates(bounds.villages.geometry.values)) / 2


def test_simplify_rejects_missing_crs(bounds):
    with pytest.raises(ValueError, match="CRS"):
        maps.simplify_layer(bounds.villages.set_crs(None, allow_override=True))


def test_map_has_all_villages_escaped_names_and_demo_banner(cov, bounds, points):
    evil_villages = cov.villages.copy()
    evil_villages.loc[0, "nama"] = EVIL_VILLAGE
    evil = coverage.Coverage(villages=evil_villages, program="SEMUA")
    fmap = maps.coverage_map(
        evil,
        kecamatan=bounds.kecamatan,
        service_points=points,
        options=maps.MapOptions(assets="inline", demo=True),
    )
    page = maps.standalone_html(fmap, title="uji", demo=True)
    features = re.findall(r'"kode": ?"64\.02\.\d{2}\.\d{4}"', page)
    assert len(set(features)) == 237
    # JSON in the page encodes "<" as \u003c, which the browser decodes back into a tag; only
    # an escaped "&lt;" (\u0026lt; once in JSON) shows as text. Each source is checked alone.
    assert "\\u0026lt;img src=x onerror=alert(\\u0026#x27;desa\\u0026#x27;)" in page
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt; (EW-1)" in page
    assert "\\u003cimg" not in page and "<img src=x" not in page
    assert "DATA CONTOH" in page
    assert len(page.encode()) < 1_500_000


def test_standalone_html_inlines_vendor_assets(cov, bounds, points):
    if not maps.vendor_available():
        pytest.fail("Leaflet is not installed under static/vendor; run `make vendor`")
    fmap = maps.coverage_map(
        cov,
        kecamatan=bounds.kecamatan,
        service_points=points,
        options=maps.MapOptions(assets="inline"),
    )
    page = maps.standalone_html(fmap, title="Peta", demo=False)
    assert "cdn.jsdelivr" not in page and "jangkau-vendor:" not in page
    assert "<script src=" not in page
    assert "DATA CONTOH" not in page
    assert "data:image/png;base64" in page  # layer-control icon inlined


def test_streamlit_asset_urls_point_at_static_server(cov, bounds, points):
    fmap = maps.coverage_map(
        cov,
        kecamatan=bounds.kecamatan,
        service_points=points,
        options=maps.MapOptions(assets="streamlit"),
    )
    assert fmap.default_js[0][1] == "/app/static/vendor/leaflet/leaflet.js"


def test_color_breaks():
    assert maps.color_breaks(pd.Series([5.0, 50.0]), metric="persen") == maps.PERCENT_BREAKS
    breaks = maps.color_breaks(pd.Series(range(1, 500)), metric="jumlah")
    assert breaks[0] == 0 and breaks == sorted(set(breaks)) and len(breaks) == 6
    assert maps.color_for(float("nan"), breaks) == maps.NO_DATA
    assert maps.color_for(10_000, breaks) == maps.PALETTE[-1]


def test_tooltip_numbers_are_indonesian(cov, bounds, points):
    fmap = maps.coverage_map(
        cov,
        kecamatan=bounds.kecamatan,
        service_points=points,
        options=maps.MapOptions(metric="persen"),
    )
    page = fmap.get_root().render()
    assert re.search(r'"persen": ?"\d+,\d%"', page)
    assert not re.search(r'"persen": ?"\d+\.\d%"', page)


def test_travel_time_tooltip_names_the_point_type_in_words(bounds, points):
    from geo.reach import network, per_village

    points = points.assign(kode_desa=None)
    net = network.load_network(bounds.villages, points, jaringan="perkiraan")
    near = per_village.nearest(net, bounds.villages, points)
    assert {"agen_brilink", "kantor_bri"} <= set(near["layanan_jenis"])
    page = (
        maps.travel_time_map(
            bounds.villages, near, kecamatan=bounds.kecamatan, service_points=points
        )
        .get_root()
        .render()
    )
    assert "Agen Bu Aminah (Agen BRILink)" in page and "(Kantor BRI)" in page
    assert not re.search(r"\((e-warong|agen_brilink|kantor_bri)\)", page)
