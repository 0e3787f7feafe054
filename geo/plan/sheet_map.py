"""The overview map on a route sheet: one team's route as a static PNG drawn with matplotlib.

The map is drawn from the village polygons alone (no tile server): villages lightly, the route's
kecamatan a little darker and the visited villages tinted; the route runs depot -> stops -> depot
as straight lines between the village reference points (boat legs dashed), with numbered stops,
the depot as a square, a scale bar, a north arrow, a legend and, for demo data, DATA CONTOH.
:mod:`geo.plan.sheets` places the image on the PDF.
"""

from __future__ import annotations

import io
import math
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.path import Path as MplPath
from matplotlib.patheffects import withStroke
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.polygon import orient

from geo import fmt
from geo.fmt import DEMO_LABEL

if TYPE_CHECKING:
    import geopandas as gpd
    from matplotlib.axes import Axes

    from geo.plan.model import Stop, TeamRoute

#: Map image: size in inches at print size and resolution.
MAP_SIZE_IN = (7.0, 4.4)
MAP_DPI = 150

_ROUTE_COLOUR = "#1f5fa8"
_DEPOT_COLOUR = "#8a1c1c"
_BOAT_DASHES = (0, (4, 2.5))

#: A map's extent: ``(x0, y0, x1, y1)`` in degrees.
_Box = tuple[float, float, float, float]


def route_map_png(
    route: TeamRoute,
    villages: gpd.GeoDataFrame,
    *,
    depot_lonlat: tuple[float, float] | None = None,
    demo: bool = False,
    dpi: int = MAP_DPI,
) -> bytes:
    """The overview map of one route as PNG bytes.

    Village polygons are drawn lightly, the kecamatan of the route a little darker and the visited
    villages tinted; the route runs depot -> stops -> depot as straight lines between the village
    reference points (boat legs dashed), with numbered stops and the depot as a square.

    Parameters
    ----------
    route
        The team's route.
    villages
        Village polygons (``kode``, ``kecamatan`` or ``kode_kec``, ``ref_lon``, ``ref_lat``), with a
        CRS; drawn in EPSG:4326.
    depot_lonlat
        The depot as (lon, lat) in degrees; without it the line starts and ends at the first and
        last stop.
    demo
        Write DATA CONTOH on the image too.
    dpi
        Resolution of the PNG.
    """
    villages = _village_frame(villages)
    stops_xy = _stop_points(route, villages)
    box, cx = _extent(stops_xy, depot_lonlat, villages)
    fig, ax = _blank_map(dpi)
    _draw_villages(ax, villages, route, box)
    _draw_legs(ax, _leg_chain(route, stops_xy, depot_lonlat))
    halo = [withStroke(linewidth=2.5, foreground="white")]
    _draw_stops(ax, stops_xy, cx, halo)
    if depot_lonlat is not None:
        _draw_depot(ax, route, depot_lonlat, cx, halo)
    x0, y0, x1, y1 = box
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    _draw_scale_bar(ax, box, halo)
    _draw_marks(ax, box, halo, demo=demo)
    _draw_legend(ax, has_depot=depot_lonlat is not None)
    return _png(fig, dpi)


def depot_lonlat(route: TeamRoute, depots: pd.DataFrame | None) -> tuple[float, float] | None:
    """The route's depot as (lon, lat) from ``depots`` (``id``, ``lon``, ``lat``), or None."""
    if depots is None or depots.empty:
        return None
    rows = depots[depots["id"].astype(str) == str(route.depot)]
    if rows.empty:
        return None
    lon, lat = float(rows["lon"].iloc[0]), float(rows["lat"].iloc[0])
    return (lon, lat) if np.isfinite(lon) and np.isfinite(lat) else None


# -- frame and extent ------------------------------------------------------------------------


def _village_frame(villages: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Villages in EPSG:4326 with a point per village: ``ref_lon``/``ref_lat`` when present."""
    if villages.crs is None:
        raise ValueError("villages has no CRS; expected the boundaries in EPSG:4326")
    if villages.crs.to_epsg() != 4326:
        villages = villages.to_crs(4326)
    if not {"ref_lon", "ref_lat"} <= set(villages.columns):
        points = villages.geometry.representative_point()
        villages = villages.assign(ref_lon=points.x, ref_lat=points.y)
    return villages


def _stop_points(route: TeamRoute, villages: gpd.GeoDataFrame) -> list[tuple[Stop, float, float]]:
    """Each stop whose village is known, with its village's reference point (lon, lat)."""
    by_code = villages.set_index(villages["kode"].astype(str))
    return [
        (s, float(by_code.at[s.kode_desa, "ref_lon"]), float(by_code.at[s.kode_desa, "ref_lat"]))
        for s in route.stops
        if s.kode_desa in by_code.index
    ]


def _extent(
    stops_xy: list[tuple[Stop, float, float]],
    depot_lonlat: tuple[float, float] | None,
    villages: gpd.GeoDataFrame,
) -> tuple[_Box, float]:
    """The map's extent around the stops and the depot, and the x of the route's centre."""
    points = [(x, y) for _, x, y in stops_xy]
    if depot_lonlat is not None:
        points.append(depot_lonlat)
    if not points:
        points = [tuple(villages.total_bounds[[0, 1]]), tuple(villages.total_bounds[[2, 3]])]
    xs, ys = np.array([p[0] for p in points]), np.array([p[1] for p in points])
    cx, cy = (xs.max() + xs.min()) / 2, (ys.max() + ys.min()) / 2
    # Limits with the image's aspect ratio, so a degree is as long across as up: degrees are
    # nearly square this close to the equator (cos 1.5° > 0.999).
    ratio = MAP_SIZE_IN[0] / MAP_SIZE_IN[1]
    half_y = max((ys.max() - ys.min()) / 2, (xs.max() - xs.min()) / 2 / ratio, 0.1) * 1.3
    half_x = half_y * ratio
    # The route sits a little low, leaving the top strip to the DATA CONTOH mark and the arrow.
    cy += 0.12 * half_y
    return (cx - half_x, cy - half_y, cx + half_x, cy + half_y), cx


def _blank_map(dpi: int) -> tuple[Figure, Axes]:
    """A figure of the print size whose axes fill it, without ticks, on a water-blue ground."""
    fig = Figure(figsize=MAP_SIZE_IN, dpi=dpi)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor("#eef4f8")
    return fig, ax


# -- village polygons ------------------------------------------------------------------------


def _polygon_paths(geom) -> list[MplPath]:
    polys = [geom] if isinstance(geom, Polygon) else list(getattr(geom, "geoms", []))
    out = []
    for poly in polys:
        if not isinstance(poly, Polygon) or poly.is_empty:
            continue
        poly = orient(poly, 1.0)  # exterior counter-clockwise, holes clockwise: holes stay holes
        rings = [poly.exterior, *poly.interiors]
        out.append(
            MplPath.make_compound_path(
                *[MplPath(np.asarray(r.coords)[:, :2], closed=True) for r in rings]
            )
        )
    return out


def _draw_villages(ax: Axes, villages: gpd.GeoDataFrame, route: TeamRoute, box: _Box) -> None:
    """Background polygons: all villages lightly, the route's kecamatan darker, visited tinted."""
    stop_codes = {s.kode_desa for s in route.stops}
    kec_col = "kode_kec" if "kode_kec" in villages.columns else "kecamatan"
    route_kec = set(villages.loc[villages["kode"].astype(str).isin(stop_codes), kec_col])
    near = villages.cx[box[0] : box[2], box[1] : box[3]]
    for colour, rows in (
        ("#f7f7f4", near[~near[kec_col].isin(route_kec)]),
        ("#e2e0d8", near[near[kec_col].isin(route_kec)]),
        ("#c9dbef", near[near["kode"].astype(str).isin(stop_codes)]),
    ):
        paths = [
            p
            for g in rows.geometry.simplify(0.0005, preserve_topology=True)
            if isinstance(g, Polygon | MultiPolygon)
            for p in _polygon_paths(g)
        ]
        if paths:
            ax.add_collection(
                PathCollection(
                    paths, facecolors=colour, edgecolors="#a8a8a0", linewidths=0.3, zorder=1
                )
            )


# -- route lines and legs --------------------------------------------------------------------


def _leg_chain(
    route: TeamRoute,
    stops_xy: list[tuple[Stop, float, float]],
    depot_lonlat: tuple[float, float] | None,
) -> list[tuple[float, float, str]]:
    """The points the route passes, in order; each with the source of the leg into it."""
    chain: list[tuple[float, float, str]] = []
    if depot_lonlat is not None:
        chain.append((depot_lonlat[0], depot_lonlat[1], ""))
    for stop, x, y in stops_xy:
        chain.append((x, y, stop.sumber))
        if stop.pulang_malam and depot_lonlat is not None:
            chain.append((depot_lonlat[0], depot_lonlat[1], ""))  # home for the night
    if depot_lonlat is not None and stops_xy:
        chain.append((depot_lonlat[0], depot_lonlat[1], route.sumber_pulang))
    return chain


def _draw_legs(ax: Axes, chain: list[tuple[float, float, str]]) -> None:
    """The route line, leg by leg: the leg into a stop carries that stop's source (boat dashed)."""
    for (x0, y0, _), (x1, y1, sumber) in pairwise(chain):
        boat = "perahu" in (sumber or "")
        ax.plot(
            [x0, x1],
            [y0, y1],
            color=_ROUTE_COLOUR,
            linewidth=1.8,
            linestyle=_BOAT_DASHES if boat else "-",
            zorder=3,
        )


# -- stop markers and labels -----------------------------------------------------------------


def _draw_stops(ax: Axes, stops_xy: list[tuple[Stop, float, float]], cx: float, halo: list) -> None:
    """Each stop as a numbered circle with the village's name beside it."""
    for stop, x, y in stops_xy:
        ax.plot(
            x,
            y,
            "o",
            markersize=12,
            markerfacecolor="white",
            markeredgecolor=_ROUTE_COLOUR,
            markeredgewidth=1.6,
            zorder=5,
        )
        ax.text(
            x,
            y,
            str(stop.urutan),
            ha="center",
            va="center",
            fontsize=7,
            fontweight="bold",
            color=_ROUTE_COLOUR,
            zorder=6,
        )
        right = x > cx  # labels point inwards, so none runs off the image
        ax.annotate(
            stop.desa,
            (x, y),
            xytext=(-8 if right else 8, 6),
            textcoords="offset points",
            ha="right" if right else "left",
            fontsize=6.5,
            path_effects=halo,
            zorder=6,
        )


def _draw_depot(
    ax: Axes, route: TeamRoute, depot_lonlat: tuple[float, float], cx: float, halo: list
) -> None:
    """The depot as a square with its name."""
    ax.plot(
        *depot_lonlat,
        "s",
        markersize=10,
        color=_DEPOT_COLOUR,
        markeredgecolor="white",
        zorder=7,
    )
    right = depot_lonlat[0] > cx
    ax.annotate(
        route.depot_nama or route.depot,
        depot_lonlat,
        xytext=(-8 if right else 8, -10),
        textcoords="offset points",
        ha="right" if right else "left",
        fontsize=6.5,
        fontweight="bold",
        color=_DEPOT_COLOUR,
        path_effects=halo,
        zorder=7,
    )


# -- scale bar, marks and legend -------------------------------------------------------------


def _nice_km(span_km: float) -> float:
    target = span_km / 5
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200):
        if step >= target:
            return float(step)
    return 200.0


def _draw_scale_bar(ax: Axes, box: _Box, halo: list) -> None:
    """Scale bar in the lower left, kilometres at the map's latitude."""
    x0, y0, x1, y1 = box
    km_per_deg = 111.32 * math.cos(math.radians((y0 + y1) / 2))
    bar_km = _nice_km((x1 - x0) * km_per_deg)
    bx, by = x0 + 0.03 * (x1 - x0), y0 + 0.05 * (y1 - y0)
    ax.plot([bx, bx + bar_km / km_per_deg], [by, by], color="black", linewidth=2.5, zorder=8)
    ax.text(
        bx,
        by + 0.015 * (y1 - y0),
        f"{fmt.number(bar_km)} km",
        fontsize=7,
        zorder=8,
        path_effects=halo,
    )


def _draw_marks(ax: Axes, box: _Box, halo: list, *, demo: bool) -> None:
    """The north arrow in the top right and, for demo data, DATA CONTOH in the top left."""
    x0, y0, x1, y1 = box
    ax.text(
        x1 - 0.02 * (x1 - x0),
        y1 - 0.04 * (y1 - y0),
        "U \u2191",
        fontsize=9,
        ha="right",
        va="top",
        fontweight="bold",
        zorder=8,
        path_effects=halo,
    )
    if demo:
        ax.text(
            x0 + 0.02 * (x1 - x0),
            y1 - 0.04 * (y1 - y0),
            DEMO_LABEL,
            fontsize=10,
            va="top",
            fontweight="bold",
            color="#b00020",
            zorder=8,
            path_effects=halo,
        )


def _draw_legend(ax: Axes, *, has_depot: bool) -> None:
    """The legend of lines and markers, in the corner that covers the fewest stops and legs."""
    handles = [
        Line2D([], [], color=_ROUTE_COLOUR, linewidth=1.8, label="jalan / perkiraan"),
        Line2D([], [], color=_ROUTE_COLOUR, linewidth=1.8, linestyle=_BOAT_DASHES, label="perahu"),
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markerfacecolor="white",
            markeredgecolor=_ROUTE_COLOUR,
            markersize=8,
            label="desa (urutan kunjungan)",
        ),
    ]
    if has_depot:
        handles.append(
            Line2D(
                [], [], marker="s", linestyle="", color=_DEPOT_COLOUR, markersize=7, label="depot"
            )
        )
    ax.legend(handles=handles, loc="best", fontsize=6.5, framealpha=0.9)


# -- saving ----------------------------------------------------------------------------------


def _png(fig: Figure, dpi: int) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
