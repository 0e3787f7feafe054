"""Service points (e-warong, BRILink agents, BRI offices) and depots from CSV/XLSX.

Each bad row is reported (file, row as seen in the file with the header on row 1, or as seen in
the page's editor for a table edited there, column, value, reason in Indonesian) and skipped; good
rows are always kept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
import shapely

from geo import settings
from geo._errors import InputFileError
from geo.geometry import kukar_area, position_problem
from geo.intake.headers import shown_headers
from geo.intake.limits import base_name
from geo.intake.problems import Problem
from geo.intake.tables import has_demo_marker, read_table

JENIS = ("e-warong", "agen_brilink", "kantor_bri")
_JENIS_ALIASES = {
    "EWARONG": "e-warong",
    "EWARUNG": "e-warong",
    "AGENBRILINK": "agen_brilink",
    "BRILINK": "agen_brilink",
    "AGEN": "agen_brilink",
    "KANTORBRI": "kantor_bri",
    "BRI": "kantor_bri",
    "UNITBRI": "kantor_bri",
}
JENIS_BRI = ("agen_brilink", "kantor_bri")
#: Service-point types as a planner reads them; files, the store and the CLI keep the codes.
JENIS_LABELS = {"e-warong": "e-Warong", "agen_brilink": "Agen BRILink", "kantor_bri": "Kantor BRI"}


def jenis_filter(choice: str) -> tuple[str, ...]:
    """``e-warong``, ``bri`` or ``semua`` as the service-point types they mean."""
    return {
        "e-warong": ("e-warong",),
        "bri": JENIS_BRI,
        "semua": ("e-warong", *JENIS_BRI),
    }[choice]


@dataclass
class PointsResult:
    """Validated points and the problems found."""

    file: str
    frame: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    is_demo: bool = False

    def active(self) -> pd.DataFrame:
        """The points that are active (``aktif``); all of them for depots."""
        if "aktif" not in self.frame:
            return self.frame
        return self.frame[self.frame["aktif"].astype(bool)].reset_index(drop=True)

    def summary(self) -> dict:
        out = {"berkas": self.file, "titik": len(self.frame), "masalah": len(self.problems)}
        if "jenis" in self.frame:
            out.update({str(k): int(v) for k, v in self.frame["jenis"].value_counts().items()})
        return out


def _norm_jenis(value: str) -> str | None:
    key = "".join(ch for ch in str(value).upper() if ch.isalnum())
    if str(value).strip().lower() in JENIS:
        return str(value).strip().lower()
    return _JENIS_ALIASES.get(key)


def _to_float(text: str) -> float | None:
    text = str(text).strip().replace(" ", "")
    if not text:
        return None
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def read_points(
    data: bytes,
    *,
    filename: str,
    kabupaten: shapely.Geometry,
    villages: pd.DataFrame | None = None,
    depots: bool = False,
    first_row: int = 2,
) -> PointsResult:
    """Read service points (``id,nama,jenis,lat,lon`` at least) or depots (``id,nama,lat,lon``).

    Parameters
    ----------
    data
        The file's bytes (CSV or XLSX).
    filename
        Shown in messages; never used as a path.
    kabupaten
        Kukar's polygon (EPSG:4326, (lon, lat)); points beyond it and a 2 km buffer are refused.
    villages
        ``Boundaries.villages``: a point with no coordinates but a known ``kode_desa`` is placed
        at the village's reference point and marked ``posisi = "titik desa"``.
    depots
        Read depots: no ``jenis`` and no Kukar check (branch offices lie outside Kukar).
    first_row
        The number messages give the first data row: 2 in a file (the header is row 1), 1 for a
        table edited on a page, whose editor numbers its rows from 1.

    Raises
    ------
    InputFileError
        The file cannot be read or lacks a required column.
    """
    filename = base_name(filename)
    table, headers = read_table(data, filename=filename)
    lower = {h.strip().lower(): h for h in headers}
    required = ["id", "nama", "lat", "lon"] + ([] if depots else ["jenis"])
    missing = [c for c in required if c not in lower]
    if missing:
        raise InputFileError(
            f"Berkas {filename}: kolom {', '.join(missing)} tidak ada. Kolom yang ditemukan: "
            f"{shown_headers(headers)}. Kolom wajib: {', '.join(required)}."
        )
    col = {c: lower[c] for c in lower}
    is_demo = has_demo_marker(table, headers)
    area = kukar_area(kabupaten)
    ref = {}
    if villages is not None:
        ref = {
            k: (lat, lon)
            for k, lat, lon in zip(
                villages["kode"], villages["ref_lat"], villages["ref_lon"], strict=True
            )
        }
    problems: list[Problem] = []
    rows = []
    seen: dict[str, int] = {}

    def bad(row_no: int, column: str, value: object, reason: str) -> None:
        problems.append(Problem(filename, row_no, column, str(value)[:200], reason))

    for i, rec in enumerate(table.to_dict("records")):
        row_no = i + first_row
        if all(not str(v).strip() for v in rec.values()):
            continue
        pid = str(rec[col["id"]]).strip()
        nama = str(rec[col["nama"]]).strip()
        if not pid:
            bad(row_no, col["id"], "", "id kosong; isi id unik untuk titik ini.")
            continue
        if pid in seen:
            bad(row_no, col["id"], pid, f"id duplikat (sudah dipakai di baris {seen[pid]}).")
            continue
        if not nama:
            bad(row_no, col["nama"], "", "nama kosong; isi nama titik layanan.")
            continue
        jenis = None
        if not depots:
            jenis = _norm_jenis(rec[col["jenis"]])
            if jenis is None:
                bad(
                    row_no,
                    col["jenis"],
                    rec[col["jenis"]],
                    f"jenis tidak dikenal; gunakan salah satu: {', '.join(JENIS)}.",
                )
                continue
        lat, lon = _to_float(rec[col["lat"]]), _to_float(rec[col["lon"]])
        lat, lon = (v if v is not None and math.isfinite(v) else None for v in (lat, lon))
        kode_desa = str(rec.get(col.get("kode_desa", ""), "") or "").strip() or None
        posisi = "koordinat"
        if lat is None and lon is None and kode_desa in ref:
            lat, lon = ref[kode_desa]
            posisi = "titik desa"
        if lat is None or lon is None:
            bad(
                row_no,
                col["lat"] if lat is None else col["lon"],
                rec[col["lat"]] if lat is None else rec[col["lon"]],
                "koordinat kosong atau bukan angka; isi lat dan lon dalam derajat desimal "
                "(contoh -0.44 dan 116.98), atau isi kode_desa.",
            )
            continue
        if depots and not (-90 <= lat <= 90 and -180 <= lon <= 180):
            bad(row_no, col["lat"], f"{lat}, {lon}", "koordinat tidak sah; periksa lat/lon.")
            continue
        reason = None if depots else position_problem(lat, lon, area)
        if reason:
            bad(row_no, col["lat"], f"{lat}, {lon}", reason)
            continue
        kap = _to_float(rec.get(col.get("kapasitas", ""), "") or "")
        if kap is not None and not (math.isfinite(kap) and kap >= 0):
            bad(
                row_no,
                col["kapasitas"],
                rec[col["kapasitas"]],
                "kapasitas harus bilangan bulat nol atau lebih (jumlah KPM); kosongkan bila "
                "mengikuti pedoman 250 KPM.",
            )
            continue
        seen[pid] = row_no
        aktif_text = str(rec.get(col.get("aktif", ""), "") or "").strip().upper()
        rows.append(
            {
                "id": pid,
                "nama": nama,
                "jenis": jenis,
                "lat": lat,
                "lon": lon,
                "kode_desa": kode_desa,
                "kapasitas": int(kap) if kap is not None else None,
                "aktif": aktif_text not in ("0", "TIDAK", "NONAKTIF", "FALSE", "N"),
                "posisi": posisi,
            }
        )
    frame = pd.DataFrame(
        rows,
        columns=["id", "nama", "jenis", "lat", "lon", "kode_desa", "kapasitas", "aktif", "posisi"],
    )
    if depots:
        frame = frame.drop(columns=["jenis", "kapasitas", "aktif", "kode_desa"])
    return PointsResult(file=filename, frame=frame, problems=problems, is_demo=is_demo)


def validate_table(
    table: pd.DataFrame,
    *,
    label: str,
    kabupaten: shapely.Geometry,
    villages: pd.DataFrame | None = None,
    previous: pd.DataFrame | None = None,
) -> PointsResult:
    """Check a table of points edited on a page, by the same rules as a file.

    ``aktif`` may be booleans. A point that ``previous`` (the saved points) shows placed at its
    village's reference point (``posisi == "titik desa"``) keeps that mark while its coordinates
    are unchanged. Problems number rows as the editor shows them (first row = 1).
    """
    data = table.copy()
    if "aktif" in data:
        active = data["aktif"].astype(object).where(data["aktif"].notna(), True)
        data["aktif"] = ["ya" if bool(v) else "tidak" for v in active]
    result = read_points(
        data.to_csv(index=False).encode(),
        filename=label,
        kabupaten=kabupaten,
        villages=villages,
        first_row=1,
    )
    if previous is not None and "posisi" in previous and len(result.frame):
        before = previous.set_index("id")[["posisi", "lat", "lon"]].add_suffix("_lama")
        frame = result.frame.join(before, on="id")
        same = (frame["lat"] == frame["lat_lama"]) & (frame["lon"] == frame["lon_lama"])
        keep = same & (frame["posisi_lama"] == "titik desa")
        result.frame["posisi"] = frame["posisi"].where(~keep, "titik desa").to_numpy()
    return result


def of_kind(points: pd.DataFrame, jenis: tuple[str, ...]) -> pd.DataFrame:
    """The points of the given types (``jenis_filter``), in their order."""
    return points[points["jenis"].isin(jenis)]


def mark_known(
    found: pd.DataFrame, current: pd.DataFrame, *, within_m: float = 100
) -> pd.DataFrame:
    """Points found elsewhere (OpenStreetMap) marked against the table of points.

    Returns
    -------
    DataFrame
        ``found`` with ``sudah_ada`` (its ``id`` is in ``current``) and, when both tables have
        rows, ``dekat_titik``: the id of the nearest point of ``current`` within ``within_m``
        metres and that distance (``"BRI-1 (42 m)"``; often the same place entered twice, to
        deactivate if so), else NaN.
    """
    found = found.copy()
    if len(found) and len(current):

        def as_gdf(frame: pd.DataFrame) -> gpd.GeoDataFrame:
            geometry = gpd.points_from_xy(frame["lon"], frame["lat"])
            gdf = gpd.GeoDataFrame(frame, geometry=geometry, crs=settings.CRS_GEO)
            return gdf.to_crs(settings.CRS_METRIC)

        near_pairs = gpd.sjoin_nearest(
            as_gdf(found[["id", "lat", "lon"]]),
            as_gdf(current[["id", "lat", "lon"]].rename(columns={"id": "ada"})),
            max_distance=within_m,
            distance_col="jarak_m",
        ).drop_duplicates("id")
        metres = near_pairs["jarak_m"].round().astype(int).astype(str)
        label = (near_pairs["ada"] + " (" + metres + " m)").to_numpy()
        found["dekat_titik"] = found["id"].map(pd.Series(label, index=near_pairs["id"].to_numpy()))
    found["sudah_ada"] = found["id"].isin(current["id"])
    return found


def add_points(current: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """The table of points with the ``new`` ones whose ``id`` it lacks added at the end."""
    return pd.concat([current, new[~new["id"].isin(current["id"])]], ignore_index=True)
