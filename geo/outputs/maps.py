"""The coverage map: a folium choropleth of unrealized KPM per village, with service points.

The village layer is simplified as a coverage (``shapely.coverage_simplify``: shared borders stay
identical) in the metric CRS and its coordinates rounded to ``settings.MAP_DECIMALS``. Leaflet and
its cluster plug-in come from ``settings.VENDOR_DIR`` (installed by ``make``), so the outlines draw
with no tile server and no CDN reachable; a standalone HTML file carries them inline. Every text
that comes from a user's file is HTML-escaped before it reaches the map.
"""

from __future__ import annotations

import base64
import html
import itertools
import json
import re
from dataclasses import dataclass
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from folium.plugins import FastMarkerCluster
from folium.utilities import JsCode
from jinja2 import Template

from geo import fmt, settings
from geo.fmt import DEMO_LABEL
from geo.reach.service_points import JENIS_LABELS
from geo.realization.coverage import Coverage

# Vendor assets: file under VENDOR_DIR -> CDN fallback (same versions).
ASSETS_JS = {
    "leaflet": ("leaflet/leaflet.js", "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.js"),
    "markercluster": (
        "leaflet.markercluster/leaflet.markercluster.js",
        "https://cdn.jsdelivr.net/npm/leaflet.markercluster@1.5.3/dist/leaflet.markercluster.js",
    ),
}
ASSETS_CSS = {
    "leaflet_css": (
        "leaflet/leaflet.css",
        "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.css",
    ),
    "markercluster_css": (
        "leaflet.markercluster/MarkerCluster.css",
        "https://cdn.jsdelivr.net/npm/leaflet.markercluster@1.5.3/dist/MarkerCluster.css",
    ),
    "markercluster_default_css": (
        "leaflet.markercluster/MarkerCluster.Default.css",
        "https://cdn.jsdelivr.net/npm/leaflet.markercluster@1.5.3/dist/MarkerCluster.Default.css",
    ),
}

#: Colours per service-point type and their labels.
JENIS_STYLE = {
    "e-warong": ("#1b7837", JENIS_LABELS["e-warong"]),
    "agen_brilink": ("#2166ac", JENIS_LABELS["agen_brilink"]),
    "kantor_bri": ("#762a83", JENIS_LABELS["kantor_bri"]),
}

# ColorBrewer YlOrRd, 6 classes.
PALETTE = ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"]
NO_DATA = "#d9d9d9"
PERCENT_BREAKS = [0, 10, 20, 30, 40, 50]

METRICS = {"jumlah": "KPM belum terealisasi", "persen": "% KPM belum terealisasi"}


def vendor_available(vendor_dir: Path | None = None) -> bool:
    """Whether the Leaflet files are installed under ``settings.VENDOR_DIR``."""
    base = vendor_dir or settings.VENDOR_DIR
    return all((base / path).is_file() for path, _ in [*ASSETS_JS.values(), *ASSETS_CSS.values()])


def simplify_layer(
    frame: gpd.GeoDataFrame,
    *,
    tolerance_m: float | None = None,
    decimals: int | None = None,
) -> gpd.GeoDataFrame:
    """Simplify polygons as a coverage (shared borders kept identical) and round coordinates.

    Parameters
    ----------
    frame
        Polygons in any CRS (not ``None``).
    tolerance_m
        Simplification tolerance in metres (default ``settings.MAP_SIMPLIFY_M``).
    decimals
        Decimals kept in the EPSG:4326 coordinates (default ``settings.MAP_DECIMALS``).

    Returns
    -------
    GeoDataFrame
        Same rows, EPSG:4326, valid geometry.
    """
    if frame.crs is None:
        raise ValueError("frame has no CRS; set one before simplifying")
    tolerance_m = settings.MAP_SIMPLIFY_M if tolerance_m is None else tolerance_m
    decimals = settings.MAP_DECIMALS if decimals is None else decimals
    metric = frame.geometry.to_crs(settings.CRS_METRIC)
    simplified = shapely.coverage_simplify(metric.values, tolerance_m)
    geo = gpd.GeoSeries(simplified, crs=settings.CRS_METRIC).to_crs(settings.CRS_GEO)
    # Rounding the same vertex gives the same result, so shared borders stay shared.
    rounded = shapely.transform(geo.values, lambda xy: np.round(xy, decimals))
    invalid = ~shapely.is_valid(rounded)
    rounded[invalid] = shapely.make_valid(rounded[invalid])
    out = frame.copy()
    out = out.set_geometry(gpd.GeoSeries(rounded, index=frame.index, crs=settings.CRS_GEO))
    return out


def color_breaks(values: pd.Series, *, metric: str) -> list[float]:
    """Lower bounds of the six colour classes: fixed for shares, rounded quantiles for counts."""
    if metric == "persen":
        return PERCENT_BREAKS
    positive = values[values > 0]
    if positive.empty:
        return [0, 1, 2, 3, 4, 5]
    qs = np.quantile(positive, [0, 0.2, 0.4, 0.6, 0.8, 0.95])
    breaks = [0]
    for q in qs[1:]:
        step = 10 ** max(0, int(np.log10(max(q, 1))) - 1)
        nice = int(round(q / step) * step)
        breaks.append(max(nice, breaks[-1] + 1))
    return breaks


def color_for(value: float, breaks: list[float]) -> str:
    if value is None or pd.isna(value):
        return NO_DATA
    index = int(np.searchsorted(breaks, value, side="right")) - 1
    return PALETTE[max(0, min(index, len(PALETTE) - 1))]


class _Control(MacroElement):
    """A Leaflet control holding fixed HTML (legend, demo banner); HTML is built escaped."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var ctl = L.control({position: {{ this.position|tojson }}});
            ctl.onAdd = function() {
                var div = L.DomUtil.create('div', {{ this.css_class|tojson }});
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            ctl.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html_text: str, *, position: str, css_class: str):
        super().__init__()
        self._name = "JangkauControl"
        self.html = html_text
        self.position = position
        self.css_class = css_class


_BOX = (
    "background:rgba(255,255,255,0.9);padding:4px 6px;border-radius:4px;"
    "box-shadow:0 0 4px rgba(0,0,0,0.3);font:11px/1.3 sans-serif;color:#222;"
)


def _swatch(color: str, label: str, *, round_: bool = False) -> str:
    shape = (
        "width:10px;height:10px;border-radius:5px;margin:0 6px 0 2px"
        if round_
        else ("width:14px;height:10px;border:1px solid #999;margin-right:4px")
    )
    return (
        f'<div><span style="display:inline-block;{shape};background:{color}"></span>{label}</div>'
    )


def _class_labels(breaks: list[float], unit: str = "") -> list[str]:
    labels = []
    for i, lower in enumerate(breaks):
        upper = breaks[i + 1] if i + 1 < len(breaks) else None
        labels.append(
            f"{fmt.number(lower)}{unit} – &lt;{fmt.number(upper)}{unit}"
            if upper is not None
            else f"≥ {fmt.number(lower)}{unit}"
        )
    return labels


def _legend_html(title: str, classes: list[tuple[str, str]], jenis: list[str]) -> str:
    """A legend box: ``classes`` as (colour, label HTML), then the service-point types."""
    rows = [_swatch(color, label) for color, label in classes]
    rows += [
        _swatch(JENIS_STYLE[key][0], html.escape(JENIS_STYLE[key][1]), round_=True) for key in jenis
    ]
    return f'<div style="{_BOX}"><b>{html.escape(title)}</b>{"".join(rows)}</div>'


def _demo_banner_html() -> str:
    return (
        '<div style="background:#b00020;color:#fff;padding:4px 10px;border-radius:4px;'
        f'font:bold 13px sans-serif;letter-spacing:1px">{DEMO_LABEL}</div>'
    )


def _village_features(
    cov: Coverage,
    *,
    metric: str,
    breaks: list[float],
    simplify: bool,
    visits: pd.DataFrame | None = None,
) -> dict:
    geometry = _layer_geometry(cov.villages, simplify)
    v = cov.villages
    last_visit = (
        v["kode"].map(visits.set_index("kode_desa")["kunjungan_terakhir"])
        if visits is not None and len(visits)
        else pd.Series(None, index=v.index, dtype=object)
    )
    value = v["belum"] if metric == "jumlah" else v["persen_belum"]
    props = pd.DataFrame(
        {
            "kode": v["kode"],
            "nama": v["nama"].map(html.escape),
            "kecamatan": v["kecamatan"].map(html.escape),
            "kpm": v["kpm"].map(fmt.number),
            "terealisasi": v["terealisasi"].map(fmt.number),
            "belum": v["belum"].map(fmt.number),
            "persen": v["persen_belum"].map(fmt.percent),
            "fill": [
                color_for(val, breaks) if kpm > 0 else NO_DATA
                for val, kpm in zip(value, v["kpm"], strict=True)
            ],
            "kunjungan": [
                fmt.tanggal(d) if isinstance(d, str) and d else "belum dikunjungi"
                for d in last_visit
            ],
            "dikunjungi": [isinstance(d, str) and bool(d) for d in last_visit],
        }
    )
    frame = gpd.GeoDataFrame(props, geometry=geometry.values, crs=settings.CRS_GEO)
    return json.loads(frame.to_json(drop_id=True))


@dataclass(frozen=True)
class MapOptions:
    """How to draw the coverage map."""

    metric: str = "jumlah"
    tiles: bool = True
    assets: str = "cdn"  # "cdn", "streamlit" (served from /app/static/vendor) or "inline"
    demo: bool = False
    height: int = 620
    simplify: bool = True  # False: the layers are drawn as given (already simplified, or raw)

    def __post_init__(self) -> None:
        if self.metric not in METRICS:
            raise ValueError(f"metric must be one of {list(METRICS)}")
        if self.assets not in ("cdn", "streamlit", "inline"):
            raise ValueError("assets must be cdn, streamlit or inline")


def _asset_url(path: str, cdn: str, mode: str) -> str:
    if mode == "streamlit" and vendor_available():
        return "/app/static/vendor/" + path
    if mode == "inline":
        return "jangkau-vendor:" + path
    return cdn


def _base_map(bounds, options: MapOptions) -> folium.Map:
    fmap = folium.Map(
        location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2],
        zoom_start=8,
        tiles=None,
        control_scale=True,
        # A standalone file fills the browser window; inside the app the page sets the height.
        height="100%" if options.assets == "inline" else options.height,
    )
    fmap.default_js = [("leaflet", _asset_url(*ASSETS_JS["leaflet"], options.assets))]
    fmap.default_css = [
        (name, _asset_url(*ASSETS_CSS[name], options.assets)) for name in ("leaflet_css",)
    ]
    if options.tiles:
        folium.TileLayer("OpenStreetMap", name="Peta dasar (OSM)", control=True).add_to(fmap)
    return fmap


def _village_layer(fmap: folium.Map, features: dict, fields: list[str], aliases: list[str]):
    folium.GeoJson(
        features,
        name="Desa/kelurahan",
        # Villages a field team has visited get a thick blue outline.
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "className": "jangkau-desa",
            "color": "#08519c" if f["properties"].get("dikunjungi") else "#555555",
            "weight": 2.2 if f["properties"].get("dikunjungi") else 0.6,
            "fillOpacity": 0.75,
        },
        # Highlight without folium's highlight_function: its handlers refer to the layer's
        # variable name, which streamlit-folium renames, so mouseout raised "not defined".
        on_each_feature=JsCode(
            "function (feature, layer) { layer.on({"
            " mouseover: function (e) { e.target.setStyle({weight: 2.5, color: '#000000'}); },"
            " mouseout: function (e) { e.target.setStyle({weight: 0.6, color: '#555555'}); }"
            " }); }"
        ),
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases, sticky=True),
        zoom_on_click=False,
    ).add_to(fmap)


def _kecamatan_layer(fmap: folium.Map, kecamatan: gpd.GeoDataFrame, options: MapOptions):
    kec_layer = kecamatan[["kode", "nama", "geometry"]]
    if kec_layer.crs is None:
        raise ValueError("the kecamatan have no CRS; set one before drawing the map")
    kec_layer = (
        simplify_layer(kec_layer) if options.simplify else kec_layer.to_crs(settings.CRS_GEO)
    )
    kec_group = folium.FeatureGroup(name="Batas & nama kecamatan")
    folium.GeoJson(
        json.loads(kec_layer[["kode", "geometry"]].to_json(drop_id=True)),
        style_function=lambda f: {"fill": False, "color": "#222222", "weight": 1.6},
        interactive=False,
    ).add_to(kec_group)
    for row in kec_layer.itertuples():
        point = row.geometry.representative_point()
        folium.Marker(
            [point.y, point.x],
            icon=folium.DivIcon(
                html=(
                    '<div style="font:bold 11px sans-serif;color:#111;white-space:nowrap;'
                    'text-shadow:0 0 3px #fff,0 0 3px #fff;transform:translate(-50%,-50%)">'
                    f"{html.escape(row.nama)}</div>"
                ),
                icon_size=(0, 0),
            ),
            interactive=False,
        ).add_to(kec_group)
    kec_group.add_to(fmap)


def _point_layers(fmap: folium.Map, service_points: pd.DataFrame, options: MapOptions) -> list:
    """Clustered markers per service-point type; returns the types drawn."""
    jenis_present = [j for j in JENIS_STYLE if j in set(service_points.get("jenis", []))]
    for jenis in jenis_present:
        color, label = JENIS_STYLE[jenis]
        pts = service_points[service_points["jenis"] == jenis]
        data = [
            [round(lat, 5), round(lon, 5), html.escape(f"{label}: {nama} ({pid})")]
            for lat, lon, nama, pid in zip(
                pts["lat"], pts["lon"], pts["nama"], pts["id"], strict=True
            )
        ]
        cluster = FastMarkerCluster(
            data,
            name=f"{label} ({fmt.number(len(pts))})",
            callback=(
                "function (row) {"
                f" var m = L.circleMarker(new L.LatLng(row[0], row[1]), {{radius: 6, color: '#fff',"
                f" weight: 1, fillColor: '{color}', fillOpacity: 0.95}});"
                " m.bindTooltip(row[2]); return m; }"
            ),
            options={"maxClusterRadius": 40, "disableClusteringAtZoom": 11},
            icon_create_function=(
                "function (cluster) { var n = cluster.getChildCount();"
                " return L.divIcon({html: '<div style=\"background:" + color + ";color:#fff;"
                "border:2px solid #fff;border-radius:14px;width:26px;height:26px;"
                "line-height:22px;text-align:center;font:bold 11px sans-serif;"
                "box-shadow:0 0 3px rgba(0,0,0,.5)\">' + n + '</div>',"
                " className: 'jangkau-cluster', iconSize: L.point(26, 26)}); }"
            ),
        )
        cluster.default_js = [
            ("markercluster", _asset_url(*ASSETS_JS["markercluster"], options.assets))
        ]
        cluster.default_css = [
            (name, _asset_url(*ASSETS_CSS[name], options.assets))
            for name in ("markercluster_css", "markercluster_default_css")
        ]
        cluster.add_to(fmap)
    return jenis_present


def _landing_layer(fmap: folium.Map, landings: pd.DataFrame) -> None:
    """Landings as small squares with their names beside them, in one toggleable layer."""
    group = folium.FeatureGroup(name=f"Dermaga ({fmt.number(len(landings))})")
    for row in landings.itertuples():
        name = html.escape(str(row.nama))
        folium.Marker(
            [round(row.lat, 5), round(row.lon, 5)],
            icon=folium.DivIcon(
                html=(
                    f'<div style="width:8px;height:8px;background:{LANDING_COLOR};'
                    'border:1px solid #fff;transform:translate(-50%,-50%)"></div>'
                    '<div style="font:10px sans-serif;color:#08306b;white-space:nowrap;'
                    'text-shadow:0 0 3px #fff,0 0 3px #fff;transform:translate(6px,-110%)">'
                    f"{name}</div>"
                ),
                icon_size=(0, 0),
            ),
            tooltip=f"Dermaga: {name}",
        ).add_to(group)
    group.add_to(fmap)


def _finish(fmap: folium.Map, legend: str, bounds, options: MapOptions) -> folium.Map:
    _Control(legend, position="bottomleft", css_class="jangkau-legend").add_to(fmap)
    if options.demo:
        _Control(_demo_banner_html(), position="topright", css_class="jangkau-demo").add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    return fmap


def _layer_geometry(villages: gpd.GeoDataFrame, simplify: bool) -> gpd.GeoSeries:
    if villages.crs is None:
        raise ValueError("the villages have no CRS; set one before drawing the map")
    layer = villages[["kode", "geometry"]]
    return (simplify_layer(layer) if simplify else layer.to_crs(settings.CRS_GEO)).geometry


def coverage_map(
    cov: Coverage,
    *,
    kecamatan: gpd.GeoDataFrame,
    service_points: pd.DataFrame,
    options: MapOptions | None = None,
    visits: pd.DataFrame | None = None,
) -> folium.Map:
    """Build the coverage map.

    Parameters
    ----------
    cov
        ``geo.realization.coverage.compute(...)`` for the chosen round, programme and filters.
    kecamatan
        ``Boundaries.kecamatan`` (outlines and name labels).
    service_points
        ``id``, ``nama``, ``jenis``, ``lat``, ``lon`` (degrees, EPSG:4326).
    options
        Metric (``jumlah`` or ``persen``), tiles, asset mode, demo banner.
    visits
        ``geo.realization.outcomes.visit_status(...)``: visited villages are outlined, with the
        date.
    """
    options = options or MapOptions()
    bounds = cov.villages.total_bounds if len(cov.villages) else kecamatan.total_bounds
    fmap = _base_map(bounds, options)
    value = cov.villages["belum"] if options.metric == "jumlah" else cov.villages["persen_belum"]
    breaks = color_breaks(value.dropna(), metric=options.metric)
    _village_layer(
        fmap,
        _village_features(
            cov, metric=options.metric, breaks=breaks, simplify=options.simplify, visits=visits
        ),
        ["nama", "kecamatan", "kode", "kpm", "terealisasi", "belum", "persen", "kunjungan"],
        ["Desa", "Kecamatan", "Kode", "KPM", "Terealisasi", "Belum", "% belum", "Kunjungan"],
    )
    _kecamatan_layer(fmap, kecamatan, options)
    jenis = _point_layers(fmap, service_points, options)
    unit = "%" if options.metric == "persen" else ""
    classes = list(zip(PALETTE, _class_labels(breaks, unit), strict=True))
    program = "semua program" if cov.program == "SEMUA" else cov.program
    extra = [(NO_DATA, "tanpa KPM")]
    if visits is not None and len(visits):
        extra.append(("#08519c", "garis biru tebal: sudah dikunjungi tim"))
    legend = _legend_html(f"{METRICS[options.metric]} ({program})", [*classes, *extra], jenis)
    return _finish(fmap, legend, bounds, options)


#: Travel-time classes (minutes) of the reach map.
MINUTE_BREAKS = [0, 15, 30, 60, 120, 240]
UNREACHABLE = "#6a3d9a"
#: Landings (dermaga) on the reach map.
LANDING_COLOR = "#08519c"


def travel_time_map(
    villages: gpd.GeoDataFrame,
    near: pd.DataFrame,
    *,
    kecamatan: gpd.GeoDataFrame,
    service_points: pd.DataFrame,
    landings: pd.DataFrame | None = None,
    options: MapOptions | None = None,
) -> folium.Map:
    """Travel time from each village to its nearest service point, with a line to that point.

    Parameters
    ----------
    villages
        Village polygons with ``kode``, ``nama``, ``kecamatan``, ``ref_lon``, ``ref_lat``.
    near
        ``geo.reach.per_village.nearest(...)`` for the same villages (``kode_desa`` joins them).
    service_points
        The points ``near`` chose from (``id``, ``nama``, ``jenis``, ``lat``, ``lon``).
    landings
        Landings (``geo.reach.landings``: ``nama``, ``lat``, ``lon``), drawn as small labelled
        squares; ``None`` or empty for none.
    """
    options = options or MapOptions()
    bounds = villages.total_bounds
    fmap = _base_map(bounds, options)
    table = villages[["kode", "nama", "kecamatan", "ref_lon", "ref_lat"]].merge(
        near.drop(columns=["desa", "kecamatan"]), left_on="kode", right_on="kode_desa", how="left"
    )
    fill = [
        color_for(m, MINUTE_BREAKS) if ok else UNREACHABLE
        for m, ok in zip(table["waktu_menit"], table["terjangkau"].fillna(False), strict=True)
    ]
    props = pd.DataFrame(
        {
            "kode": table["kode"],
            "nama": table["nama"].map(html.escape),
            "kecamatan": table["kecamatan"].map(html.escape),
            "layanan": [
                html.escape(f"{n} ({JENIS_LABELS.get(j, j)})") if ok else "tidak terjangkau"
                for n, j, ok in zip(
                    table["layanan_nama"], table["layanan_jenis"], table["terjangkau"], strict=True
                )
            ],
            "waktu": [
                f"{fmt.number(m)} menit" if ok else "-"
                for m, ok in zip(table["waktu_menit"], table["terjangkau"], strict=True)
            ],
            "jarak": [
                f"{fmt.number(k, 1)} km" if ok else "-"
                for k, ok in zip(table["jarak_tempuh_km"], table["terjangkau"], strict=True)
            ],
            "sumber": table["sumber"].fillna("").map(html.escape),
            "fill": fill,
        }
    )
    geometry = _layer_geometry(villages, options.simplify)
    features = json.loads(
        gpd.GeoDataFrame(props, geometry=geometry.values, crs=settings.CRS_GEO).to_json(
            drop_id=True
        )
    )
    _village_layer(
        fmap,
        features,
        ["nama", "kecamatan", "layanan", "waktu", "jarak", "sumber"],
        ["Desa", "Kecamatan", "Titik terdekat", "Waktu tempuh", "Jarak tempuh", "Sumber"],
    )
    by_id = service_points.set_index("id")[["lat", "lon"]]
    lines = folium.FeatureGroup(name="Garis ke titik terdekat")
    for row in table[table["terjangkau"].fillna(False)].itertuples():
        if row.layanan_id not in by_id.index:
            continue
        lat, lon = by_id.loc[row.layanan_id]
        folium.PolyLine(
            [[round(row.ref_lat, 5), round(row.ref_lon, 5)], [round(lat, 5), round(lon, 5)]],
            color="#1f78b4" if "perahu" in row.sumber else "#333333",
            weight=1.5,
            dash_array="6 4" if "perahu" in row.sumber else None,
            opacity=0.8,
            interactive=False,
        ).add_to(lines)
    lines.add_to(fmap)
    _kecamatan_layer(fmap, kecamatan, options)
    jenis = _point_layers(fmap, service_points, options)
    classes = list(zip(PALETTE, _class_labels(MINUTE_BREAKS, " mnt"), strict=True))
    classes += [
        (UNREACHABLE, "tidak terjangkau"),
        ("#1f78b4", "garis biru putus-putus: lewat perahu"),
    ]
    if landings is not None and len(landings):
        _landing_layer(fmap, landings)
        classes.append((LANDING_COLOR, "dermaga"))
    legend = _legend_html("Waktu tempuh ke titik layanan terdekat", classes, jenis)
    return _finish(fmap, legend, bounds, options)


def _data_uri_images(css: str, base: Path) -> str:
    def repl(match: re.Match) -> str:
        target = base / match.group(1)
        if not target.is_file():
            return match.group(0)
        data = base64.b64encode(target.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return re.sub(r"url\((images/[^)]+\.png)\)", repl, css)


def standalone_html(fmap: folium.Map, *, title: str, demo: bool) -> str:
    """The map as one HTML file that works offline: vendor JS/CSS inlined when installed.

    Build ``fmap`` with ``MapOptions(assets="inline")``. Where the vendor files are missing, the
    CDN addresses are used instead (the file then needs internet to draw).
    """
    page = fmap.get_root().render()
    vendor = settings.VENDOR_DIR
    lookup = {path: cdn for path, cdn in [*ASSETS_JS.values(), *ASSETS_CSS.values()]}

    def script(match: re.Match) -> str:
        path = match.group(1)
        file = vendor / path
        if file.is_file():
            return "<script>" + file.read_text(encoding="utf-8") + "</script>"
        return f'<script src="{lookup[path]}"></script>'

    def style(match: re.Match) -> str:
        path = match.group(1)
        file = vendor / path
        if file.is_file():
            css = _data_uri_images(file.read_text(encoding="utf-8"), file.parent)
            return "<style>" + css + "</style>"
        return f'<link rel="stylesheet" href="{lookup[path]}"/>'

    page = re.sub(r'<script src="jangkau-vendor:([^"]+)"></script>', script, page)
    page = re.sub(r'<link rel="stylesheet" href="jangkau-vendor:([^"]+)"/>', style, page)
    head = f"<title>{html.escape(title)}</title>"
    if demo:
        head += f'<meta name="jangkau-data" content="{DEMO_LABEL}">'
    return page.replace("<head>", "<head>" + head, 1)


#: Route colours per team (ColorBrewer Dark2).
TEAM_COLORS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d"]


def route_map(
    plan_routes: list,
    *,
    villages: gpd.GeoDataFrame,
    kecamatan: gpd.GeoDataFrame,
    depots: pd.DataFrame,
    options: MapOptions | None = None,
) -> folium.Map:
    """Each team's route in its own colour with numbered stops (``geo.plan.model.TeamRoute``).

    Lines join village reference points in visiting order (straight, for overview); legs that
    need a boat are dashed.
    """
    options = options or MapOptions()
    bounds = villages.total_bounds
    fmap = _base_map(bounds, options)
    geometry = _layer_geometry(villages, options.simplify)
    outline = gpd.GeoDataFrame(
        {"kode": villages["kode"].to_numpy()}, geometry=geometry.values, crs=settings.CRS_GEO
    )
    folium.GeoJson(
        json.loads(outline.to_json(drop_id=True)),
        name="Desa/kelurahan",
        style_function=lambda f: {"color": "#999999", "weight": 0.4, "fillOpacity": 0.05},
        interactive=False,
    ).add_to(fmap)
    _kecamatan_layer(fmap, kecamatan, options)
    ref = villages.set_index("kode")[["ref_lat", "ref_lon", "nama"]]
    dep = depots.set_index("id")[["lat", "lon", "nama"]]
    classes = []
    for i, route in enumerate(plan_routes):
        color = TEAM_COLORS[i % len(TEAM_COLORS)]
        classes.append((color, html.escape(f"{route.tim} ({route.depot_nama})")))
        group = folium.FeatureGroup(name=f"{route.tim}")
        start = dep.loc[route.depot] if route.depot in dep.index else None
        points = []
        if start is not None:
            points.append((float(start["lat"]), float(start["lon"]), ""))
        for stop in route.stops:
            row = ref.loc[stop.kode_desa]
            points.append((float(row["ref_lat"]), float(row["ref_lon"]), stop.sumber))
            if stop.pulang_malam and start is not None:  # home for the night
                points.append((float(start["lat"]), float(start["lon"]), ""))
        if start is not None:
            points.append((float(start["lat"]), float(start["lon"]), route.sumber_pulang))
        for (lat0, lon0, _), (lat1, lon1, sumber) in itertools.pairwise(points):
            folium.PolyLine(
                [[round(lat0, 5), round(lon0, 5)], [round(lat1, 5), round(lon1, 5)]],
                color=color,
                weight=3,
                opacity=0.9,
                dash_array="8 6" if "perahu" in sumber else None,
                interactive=False,
            ).add_to(group)
        for stop in route.stops:
            row = ref.loc[stop.kode_desa]
            folium.Marker(
                [round(float(row["ref_lat"]), 5), round(float(row["ref_lon"]), 5)],
                icon=folium.DivIcon(
                    html=(
                        f'<div class="jangkau-stop" style="background:{color};color:#fff;'
                        "border:2px solid #fff;border-radius:11px;width:22px;height:22px;"
                        "line-height:18px;text-align:center;font:bold 11px sans-serif;"
                        'transform:translate(-50%,-50%)">'
                        f"{stop.urutan}</div>"
                    ),
                    icon_size=(0, 0),
                ),
                tooltip=html.escape(
                    f"{route.tim} · {stop.urutan}. {stop.desa} (hari {stop.hari}, "
                    f"tiba {stop.tiba:%H:%M})"
                ),
            ).add_to(group)
        if start is not None:
            # A square drawn with a DivIcon (folium's polygon markers need an extra plug-in).
            folium.Marker(
                [float(start["lat"]), float(start["lon"])],
                icon=folium.DivIcon(
                    html=(
                        f'<div style="background:{color};border:2px solid #000;width:14px;'
                        'height:14px;transform:translate(-50%,-50%)"></div>'
                    ),
                    icon_size=(0, 0),
                ),
                tooltip=html.escape(f"Depot: {start['nama']}"),
            ).add_to(group)
        group.add_to(fmap)
    classes.append(("#ffffff", "garis putus-putus: lewat perahu; kotak: depot"))
    legend = _legend_html("Rute kunjungan", classes, [])
    return _finish(fmap, legend, bounds, options)
