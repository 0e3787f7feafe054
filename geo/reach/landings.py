"""Named landings (dermaga) where boat legs start or end: ``nama,lat,lon[,kode_desa,keterangan]``.

A landing is a node of the travel network (``geo.reach.network``). It joins the road network like a
village does, and a boat leg (``geo.reach.boats``) may start or end there, so that the boat to
Sepatin leaves from Anggana's port rather than from Anggana's village centre. ``kode_desa`` is the
village the landing lies in: a code, or a name as a boat leg writes it (``Sepatin (Anggana)``);
empty means the village whose boundary holds the landing. A ``kode_desa`` more than
``IN_VILLAGE_KM`` from the landing's point is replaced by the village that holds it, and reported
(a planner may type the village a port serves; it would cut a road-side port off the road). A
landing in a village with no road (``settings.NO_ROAD_VILLAGES``) is reached only from that
village and by boat.

Names. A boat leg's ``dari``/``ke`` is matched against the landing names first (case and spaces
ignored), then read as a village. So that a cell never names two places, a landing name that a
boat leg could read as a village is refused: a village code, a village name (also one that
several kecamatan share), or ``Name (Kecamatan)``. Call it "Dermaga Anggana", not "Anggana".

Bad rows are reported (file, row as seen in the file with the header on row 1, or as seen in the
page's editor for a table edited there, column, value, reason in Indonesian) and skipped; good rows
are always kept.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import Point

from geo import fmt, settings
from geo._errors import InputFileError, VillageLookupError
from geo.areas.lookup import VillageIndex, name_key, normalise, resolve_place
from geo.geometry import kukar_area, position_problem, project_lonlat
from geo.intake.headers import shown_headers
from geo.intake.limits import base_name
from geo.intake.problems import Problem
from geo.intake.tables import has_demo_marker, read_table
from geo.reach.service_points import _to_float

COLUMNS = ["nama", "lat", "lon", "kode_desa", "keterangan"]
REQUIRED = ["nama", "lat", "lon"]
#: A landing on a river that is a village border may sit just outside the polygon of its village.
IN_VILLAGE_KM = 1.0


@dataclass
class Landings:
    """Validated landings: ``nama``, ``lat``, ``lon`` (degrees), ``kode_desa``, ``keterangan``."""

    file: str
    frame: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    is_demo: bool = False

    def __post_init__(self) -> None:
        missing = [c for c in COLUMNS if c not in self.frame]
        if missing:
            raise ValueError(f"landings lack columns {missing}")

    def summary(self) -> dict:
        return {"berkas": self.file, "dermaga": len(self.frame), "masalah": len(self.problems)}


def village_reading(index: VillageIndex, text: str) -> str | None:
    """The village a boat-leg cell holding ``text`` could name (``Nama (Kecamatan)``), or ``None``.

    A name that several kecamatan share counts too: the cell would be ambiguous.
    """
    try:
        village = resolve_place(index, text)
    except VillageLookupError as exc:
        same = [c for c in exc.candidates if normalise(c[1]) == normalise(text)]
        return ", ".join(f"{nama} ({kec})" for _, nama, kec in same) or None
    return f"{village.nama} ({village.kecamatan})"


def by_name(frame: pd.DataFrame | None) -> dict[str, dict]:
    """Landing records (``nama``, ``lat``, ``lon``, ``kode_desa``) by ``name_key`` of the name."""
    if frame is None or frame.empty:
        return {}
    records = frame[["nama", "lat", "lon", "kode_desa"]].to_dict("records")
    return {name_key(r["nama"]): r for r in records}


def close_names(text: str, frame: pd.DataFrame | None) -> list[str]:
    """Up to three landing names close to ``text`` (for a "did you mean" hint)."""
    if frame is None or frame.empty:
        return []
    names = {name_key(n): n for n in frame["nama"]}
    return [names[k] for k in difflib.get_close_matches(name_key(text), list(names), 3, 0.6)]


def read_landings(
    data: bytes,
    *,
    filename: str,
    kabupaten: shapely.Geometry,
    villages: gpd.GeoDataFrame,
    first_row: int = 2,
) -> Landings:
    """Read and check a table of landings (CSV or XLSX).

    Parameters
    ----------
    data
        The file's bytes.
    filename
        Shown in messages; never used as a path.
    kabupaten
        Kukar's polygon (EPSG:4326, (lon, lat)); landings beyond it and a 2 km buffer are
        refused, as service points are.
    villages
        ``Boundaries.villages``: resolves ``kode_desa``, fills it in from the boundaries when it is
        empty, and names the villages a landing name must not repeat.
    first_row
        The number messages give the first data row: 2 in a file (the header is row 1), 1 for a
        table edited on a page, whose editor numbers its rows from 1.

    Raises
    ------
    InputFileError
        The file cannot be read or lacks ``nama``, ``lat`` or ``lon``.
    """
    filename = base_name(filename)
    table, headers = read_table(data, filename=filename)
    col = {h.strip().lower(): h for h in headers}
    missing = [c for c in REQUIRED if c not in col]
    if missing:
        raise InputFileError(
            f"Berkas {filename}: kolom {', '.join(missing)} tidak ada. Kolom yang ditemukan: "
            f"{shown_headers(headers)}. Kolom wajib: {', '.join(REQUIRED)} (boleh juga "
            "kode_desa dan keterangan)."
        )
    index = VillageIndex(villages)
    area = kukar_area(kabupaten)
    village_shapes = villages.to_crs("EPSG:4326") if villages.crs else villages
    problems: list[Problem] = []
    rows = []
    seen: dict[str, int] = {}

    def bad(row_no: int, column: str, value: object, reason: str) -> None:
        problems.append(Problem(filename, row_no, column, str(value)[:200], reason))

    for i, rec in enumerate(table.to_dict("records")):
        row_no = i + first_row
        if all(not str(v).strip() for v in rec.values()):
            continue
        nama = " ".join(str(rec[col["nama"]]).split())
        if not nama:
            bad(row_no, col["nama"], "", "nama kosong; isi nama dermaga, mis. Dermaga Anggana.")
            continue
        key = name_key(nama)
        if key in seen:
            bad(
                row_no,
                col["nama"],
                nama,
                f"nama dermaga duplikat (sudah dipakai di baris {seen[key]}); beri nama lain atau "
                "hapus baris ini.",
            )
            continue
        village = village_reading(index, nama)
        if village:
            bad(
                row_no,
                col["nama"],
                nama,
                f"nama dermaga sama dengan desa {village}, sehingga ruas perahu tidak bisa "
                f"membedakan keduanya; beri nama lain, mis. Dermaga {nama}.",
            )
            continue
        lat, lon = _to_float(rec[col["lat"]]), _to_float(rec[col["lon"]])
        lat, lon = (v if v is not None and math.isfinite(v) else None for v in (lat, lon))
        if lat is None or lon is None:
            column = col["lat"] if lat is None else col["lon"]
            bad(
                row_no,
                column,
                rec[column],
                "koordinat kosong atau bukan angka; isi lat dan lon dalam derajat desimal "
                "(contoh -0.56 dan 117.29).",
            )
            continue
        reason = position_problem(lat, lon, area)
        if reason:
            bad(row_no, col["lat"], f"{lat}, {lon}", reason)
            continue
        typed = " ".join(str(rec.get(col.get("kode_desa", ""), "") or "").split())
        hits = village_shapes.sindex.query(Point(lon, lat), predicate="intersects")
        holder = str(village_shapes["kode"].iloc[min(hits)]) if len(hits) else None
        kode_desa = holder
        if typed:
            try:
                kode_desa = resolve_place(index, typed).kode
            except VillageLookupError as exc:
                bad(row_no, col["kode_desa"], typed, f"kode_desa: {exc} Kosongkan bila ragu.")
                continue
            if kode_desa != holder and holder is not None:
                shape = village_shapes.loc[village_shapes["kode"] == kode_desa, "geometry"]
                gap_km = _distance_km(shape.iloc[0], lon, lat)
                if gap_km > IN_VILLAGE_KM:
                    bad(
                        row_no,
                        col["kode_desa"],
                        typed,
                        f"titik dermaga {fmt.number(gap_km, 1)} km di luar desa itu; kode_desa "
                        "diisi dengan desa tempat titik berada "
                        f"({index.by_code(holder).nama}). kode_desa adalah desa tempat dermaga "
                        "berada, bukan desa yang dilayani; periksa koordinat bila keliru.",
                    )
                    kode_desa = holder
        keterangan = " ".join(str(rec.get(col.get("keterangan", ""), "") or "").split())
        seen[key] = row_no
        rows.append(
            {
                "nama": nama,
                "lat": lat,
                "lon": lon,
                "kode_desa": kode_desa,
                "keterangan": keterangan or None,
            }
        )
    return Landings(
        file=filename,
        frame=pd.DataFrame(rows, columns=COLUMNS),
        problems=problems,
        is_demo=has_demo_marker(table, headers),
    )


def _distance_km(shape: shapely.Geometry, lon: float, lat: float) -> float:
    """Distance from a point to a village polygon (degrees in), in km in the metric CRS."""

    metric = gpd.GeoSeries([shape], crs="EPSG:4326").to_crs(settings.CRS_METRIC).iloc[0]
    x, y = project_lonlat([lon], [lat])[0]
    return float(metric.distance(Point(x, y))) / 1000


def validate_table(
    table: pd.DataFrame, *, label: str, kabupaten: shapely.Geometry, villages: gpd.GeoDataFrame
) -> Landings:
    """Check a table of landings edited on a page, by the same rules as a file; problems number
    rows as the editor shows them (first row = 1)."""
    data = table.reindex(columns=[c for c in table.columns if c != "is_demo"])
    return read_landings(
        data.to_csv(index=False).encode(),
        filename=label,
        kabupaten=kabupaten,
        villages=villages,
        first_row=1,
    )
