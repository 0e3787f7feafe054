"""Exports: CSV, XLSX, GeoJSON and GeoPackage bytes, marked when they hold demo data.

Text cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab
or carriage return) are prefixed with an apostrophe in CSV and XLSX exports. ``readable`` turns a
frame into what a person reads (``ya``/``tidak``, labels for codes); the CLI's contract files keep
the values as they are.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from geo.fmt import DEMO_NOTE
from geo.plan.schedule import HARI, Schedule, days_frame

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Prefix text that a spreadsheet would evaluate as a formula with ``'``."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _safe(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    return out


def _mark(frame: pd.DataFrame, demo: bool) -> pd.DataFrame:
    return frame.assign(catatan=DEMO_NOTE) if demo else frame


def readable(
    frame: pd.DataFrame, *, codes: Mapping[str, Mapping[str, str]] | None = None
) -> pd.DataFrame:
    """A copy for people to read: True/False as ``ya``/``tidak``, coded columns as their labels.

    Parameters
    ----------
    codes
        Column name -> {code: label}; a code without a label is kept as it is.
    """
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].map({True: "ya", False: "tidak"})
    for col, labels in (codes or {}).items():
        if col in out:
            out[col] = out[col].map(lambda v, m=labels: m.get(v, v))
    return out


def csv_bytes(
    frame: pd.DataFrame, *, demo: bool, sep: str = ";", decimal: str = ",", bom: bool = True
) -> bytes:
    """CSV; by default as Indonesian Excel opens it: semicolon, decimal comma, UTF-8 with BOM.

    ``sep=",", decimal=".", bom=False`` gives the plain form the CLI's contract files use.
    """
    # A bare carriage return is not quoted by the CSV writer, and Excel starts a new row there
    # (so "x\r=1+1" would put a formula at the start of a cell): written as a line feed, it is
    # quoted and stays a line break inside the cell.
    safe = _safe(_mark(frame, demo)).replace(r"\r\n?", "\n", regex=True)
    text = safe.to_csv(index=False, sep=sep, decimal=decimal)
    return (("\ufeff" if bom else "") + text).encode("utf-8")


def xlsx_bytes(
    sheets: dict[str, pd.DataFrame],
    *,
    demo: bool,
    title: str | None = None,
    notes: Sequence[str] = (),
) -> bytes:
    """An XLSX workbook: one sheet per frame (header on row 1), plus a KETERANGAN sheet with the
    title, the demo mark and ``notes`` (one line each: what the sheets hold and leave out)."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, frame in sheets.items():
        ws = wb.create_sheet(name[:31])
        safe = _safe(_mark(frame, demo))
        ws.append([str(c) for c in safe.columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in safe.itertuples(index=False):
            ws.append([None if pd.isna(v) else v for v in row])
        for i, col in enumerate(safe.columns, start=1):
            width = max([len(str(col))] + [len(str(v)) for v in safe[col].head(200)])
            ws.column_dimensions[get_column_letter(i)].width = min(max(8, width + 2), 50)
        ws.freeze_panes = "A2"
    info = wb.create_sheet("KETERANGAN")
    info.append(["Jangkau — " + neutralise(title or "ekspor")])
    if demo:
        info.append([DEMO_NOTE])
        info["A2"].font = Font(bold=True, color="B00020")
    for note in notes:
        info.append([neutralise(note)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def geojson_bytes(frame: gpd.GeoDataFrame, *, demo: bool) -> bytes:
    """GeoJSON (EPSG:4326) with a top-level ``catatan`` when demo."""
    data = json.loads(_mark(frame, demo).to_crs("EPSG:4326").to_json(drop_id=True))
    if demo:
        data["catatan"] = DEMO_NOTE
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def gpkg_bytes(frame: gpd.GeoDataFrame, *, layer: str, demo: bool) -> bytes:
    """A GeoPackage file's bytes (one layer, EPSG:4326)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "layer.gpkg"
        _mark(frame, demo).to_crs("EPSG:4326").to_file(path, layer=layer, driver="GPKG")
        return path.read_bytes()


def schedule_xlsx_bytes(schedule: Schedule) -> bytes:
    """The schedule as XLSX: sheets Jadwal, Konflik, Libur (and Tanggal penting when any)."""
    conflicts = pd.DataFrame(
        [
            {"jenis": c.jenis, "tim": c.tim, "tanggal": c.tanggal, "pesan": c.pesan}
            for c in schedule.conflicts
        ],
        columns=["jenis", "tim", "tanggal", "pesan"],
    )
    skipped = schedule.skipped_holidays()
    if schedule.days.empty:
        years: set[int] = set()
    else:
        years = {d.year for d in schedule.days["tanggal"]}
    libur = pd.DataFrame(
        [
            {
                "tanggal": d,
                "hari": HARI[d.weekday()],
                "nama": n,
                "dilewati": "ya" if d in skipped else "",
            }
            for d, n in sorted(schedule.holidays.items())
            if not years or d.year in years
        ],
        columns=["tanggal", "hari", "nama", "dilewati"],
    )
    sheets = {"Jadwal": days_frame(schedule), "Konflik": conflicts, "Libur": libur}
    dates = [
        {"tanggal": d, "jenis": "rekonsiliasi", "keterangan": "Rekonsiliasi data Dinsos–BRI"}
        for d in schedule.reconciliations
    ] + [
        {
            "tanggal": s.tanggal_tutup,
            "jenis": "tenggat",
            "keterangan": f"{s.program} tahap {s.tahap} ditutup",
        }
        for s in schedule.deadlines.itertuples(index=False)
    ]
    if dates:
        sheets["Tanggal penting"] = pd.DataFrame(dates).sort_values("tanggal", kind="stable")
    return xlsx_bytes(sheets, demo=schedule.is_demo, title=f"jadwal kunjungan ({schedule.plan_id})")


def village_layer(villages: pd.DataFrame, table: pd.DataFrame) -> gpd.GeoDataFrame:
    """A per-village table with its villages' polygons, for GeoJSON or GeoPackage.

    ``table`` joins on ``kode_desa`` to ``villages.kode``; a row without a polygon is left out.
    """
    return villages[["kode", "geometry"]].merge(table, left_on="kode", right_on="kode_desa")
