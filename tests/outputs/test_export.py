import io
import json

import geopandas as gpd
import pandas as pd
from openpyxl import load_workbook

from geo.outputs import export


def _frame():
    return pd.DataFrame(
        {"nama": ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "Biasa"], "kpm": [1, 2, 3, 4, 5]}
    )


def test_csv_neutralises_formulas_and_marks_demo():
    data = export.csv_bytes(_frame(), demo=True).decode("utf-8-sig")
    lines = data.splitlines()
    assert lines[0] == "nama;kpm;catatan"
    assert lines[1].startswith("\"'=HYPERLINK")
    assert lines[2].startswith("'+1") and lines[3].startswith("'-2") and lines[4].startswith("'@")
    assert "DATA CONTOH" in lines[5]


def test_xlsx_has_header_row_and_keterangan_sheet():
    data = export.xlsx_bytes({"Desa": _frame()}, demo=True, title="uji")
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Desa", "KETERANGAN"]
    ws = wb["Desa"]
    assert [c.value for c in ws[1]] == ["nama", "kpm", "catatan"]
    assert ws["A2"].value == '\'=HYPERLINK("x")'
    assert ws["A2"].data_type == "s"
    assert "DATA CONTOH" in wb["KETERANGAN"]["A2"].value
    plain = load_workbook(io.BytesIO(export.xlsx_bytes({"Desa": _frame()}, demo=False)))
    assert [c.value for c in plain["Desa"][1]] == ["nama", "kpm"]


def test_geojson_and_gpkg(bounds, tmp_path):
    layer = bounds.villages.head(3)[["kode", "nama", "geometry"]]
    gj = json.loads(export.geojson_bytes(layer, demo=True))
    assert gj["catatan"].startswith("DATA CONTOH") and len(gj["features"]) == 3
    path = tmp_path / "x.gpkg"
    path.write_bytes(export.gpkg_bytes(layer, layer="cakupan_desa", demo=False))
    back = gpd.read_file(path, layer="cakupan_desa")
    assert back["kode"].tolist() == layer["kode"].tolist()
    assert back.crs.to_epsg() == 4326


def test_readable_writes_yes_no_and_labels_and_keeps_the_input():
    frame = pd.DataFrame(
        {"jenis": ["e-warong", "agen_brilink", "lain"], "terjangkau": [True, False, True]}
    )
    out = export.readable(frame, codes={"jenis": {"e-warong": "e-Warong", "agen_brilink": "Agen"}})
    assert out["jenis"].tolist() == ["e-Warong", "Agen", "lain"]  # unknown codes kept
    assert out["terjangkau"].tolist() == ["ya", "tidak", "ya"]
    assert frame["terjangkau"].dtype == bool and frame["jenis"].iloc[0] == "e-warong"


def test_xlsx_notes_are_on_the_keterangan_sheet():
    data = export.xlsx_bytes({"A": _frame()}, demo=False, title="uji", notes=["satu", "=dua"])
    sheet = load_workbook(io.BytesIO(data))["KETERANGAN"]
    assert [r[0].value for r in sheet.iter_rows()] == ["Jangkau — uji", "satu", "'=dua"]


def test_village_layer_gives_a_table_its_polygons(bounds, tmp_path):
    codes = bounds.villages["kode"].iloc[:2].tolist()
    table = pd.DataFrame({"kode_desa": [codes[1], "99.99", codes[0]], "skor": [2.0, 1.0, 3.0]})
    layer = export.village_layer(bounds.villages, table)
    assert isinstance(layer, gpd.GeoDataFrame) and layer.crs == bounds.villages.crs
    assert sorted(layer["kode_desa"]) == sorted(codes)  # no polygon, no row
    assert (layer["kode"] == layer["kode_desa"]).all() and layer.geometry.notna().all()
    saved = tmp_path / "t.gpkg"
    saved.write_bytes(export.gpkg_bytes(layer, layer="t", demo=False))
    assert len(gpd.read_file(saved)) == 2
