import io

import pandas as pd
import pytest

from geo._errors import InputFileError
from geo.reach.service_points import (
    JENIS,
    JENIS_BRI,
    JENIS_LABELS,
    add_points,
    jenis_filter,
    mark_known,
    of_kind,
    read_points,
)


def _read(bounds, text: str, **kw):
    return read_points(
        text.encode(),
        filename="layanan.csv",
        kabupaten=bounds.kabupaten.geometry.iloc[0],
        villages=bounds.villages,
        **kw,
    )


def test_valid_swapped_outside_duplicate_and_unknown_rows(bounds):
    result = _read(
        bounds,
        "id,nama,jenis,lat,lon,kode_desa,kapasitas,aktif\n"
        "EW-1,E-Warong A,e-warong,-0.44,116.98,,250,ya\n"
        "EW-2,E-Warong B,E-Warong,116.98,-0.44,,,\n"  # swapped
        "EW-3,E-Warong C,e-warong,-6.2,106.8,,,\n"  # Jakarta
        "EW-1,E-Warong D,e-warong,-0.45,116.99,,,\n"  # duplicate id
        "AG-1,Agen E,warung,-0.45,116.99,,,\n"  # unknown jenis
        "AG-2,Agen F,BRILink,,,64.02.04.2001,,tidak\n"  # no coordinates: the village's point
        'BRI-1,BRI Unit,kantor bri,"-0,43","116,99",,,\n'  # decimal commas
        "AG-3,Agen G,agen_brilink,-0.05,117.70,,,\n",  # in the sea, beyond the 2 km buffer
    )
    reasons = {p.row: p.reason for p in result.problems}
    assert "tertukar" in reasons[3]
    assert "di luar Kutai Kartanegara" in reasons[4]
    assert "duplikat" in reasons[5]
    assert "jenis tidak dikenal" in reasons[6]
    assert 9 in reasons
    frame = result.frame.set_index("id")
    assert list(frame.index) == ["EW-1", "AG-2", "BRI-1"]
    assert frame.loc["AG-2", "posisi"] == "titik desa" and not frame.loc["AG-2", "aktif"]
    sepatin = bounds.villages.set_index("kode").loc["64.02.04.2001"]
    assert frame.loc["AG-2", "lat"] == sepatin["ref_lat"]
    assert frame.loc["BRI-1", "jenis"] == "kantor_bri" and frame.loc["BRI-1", "lat"] == -0.43
    assert result.active()["id"].tolist() == ["EW-1", "BRI-1"]


def test_missing_columns_are_refused(bounds):
    with pytest.raises(InputFileError, match="jenis"):
        _read(bounds, "id,nama,lat,lon\nA,B,-0.4,116.9\n")


def test_depots_may_lie_outside_kukar(bounds):
    result = _read(bounds, "id,nama,lat,lon\nKC-BPN,KC Balikpapan,-1.27,116.83\n", depots=True)
    assert result.frame["id"].tolist() == ["KC-BPN"] and not result.problems


def test_edited_table_keeps_village_position_mark(bounds):
    from geo.reach.service_points import validate_table

    first = _read(
        bounds, "id,nama,jenis,lat,lon,kode_desa\nAG-2,Agen F,agen_brilink,,,64.02.04.2001\n"
    )
    table = first.frame.assign(aktif=[True])
    kab = bounds.kabupaten.geometry.iloc[0]
    again = validate_table(
        table, label="tabel", kabupaten=kab, villages=bounds.villages, previous=first.frame
    )
    assert again.frame.loc[0, "posisi"] == "titik desa"
    moved = table.assign(lat=[-0.57], lon=[117.26], aktif=[False])
    result = validate_table(
        moved, label="tabel", kabupaten=kab, villages=bounds.villages, previous=first.frame
    )
    assert result.frame.loc[0, "posisi"] == "koordinat" and not result.frame.loc[0, "aktif"]


def test_page_table_rows_are_the_editors_and_a_files_rows_count_the_header(bounds):
    from geo.reach.service_points import validate_table

    text = (
        "id,nama,jenis,lat,lon,kode_desa,kapasitas,aktif\n"
        "EW-1,E-Warong A,e-warong,-0.44,116.98,,,ya\n"
        "EW-1,E-Warong B,e-warong,-0.45,116.99,,,ya\n"
    )
    from_file = _read(bounds, text)
    assert [p.row for p in from_file.problems] == [3]
    assert "baris 2" in from_file.problems[0].reason
    table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    kab = bounds.kabupaten.geometry.iloc[0]
    edited = validate_table(table, label="tabel titik layanan", kabupaten=kab)
    assert [p.row for p in edited.problems] == [2]  # the 2nd row of the editor
    assert "baris 1" in edited.problems[0].reason


def _found(rows):
    return pd.DataFrame(rows, columns=["id", "nama", "jenis", "lat", "lon"])


def test_point_types_and_points_of_a_kind():
    assert jenis_filter("e-warong") == ("e-warong",)
    assert jenis_filter("bri") == JENIS_BRI == ("agen_brilink", "kantor_bri")
    assert set(jenis_filter("semua")) == set(JENIS) == set(JENIS_LABELS)
    points = _found([["A", "a", "e-warong", 0, 0], ["B", "b", "kantor_bri", 0, 0]])
    assert of_kind(points, jenis_filter("bri"))["id"].tolist() == ["B"]
    assert of_kind(points, jenis_filter("semua"))["id"].tolist() == ["A", "B"]


def test_found_points_near_or_equal_to_saved_ones_are_marked():
    current = _found([["BRI-1", "Unit", "kantor_bri", -0.42, 116.99]])
    # 0.0005 degrees of latitude are about 55 m; 0.01 about 1.1 km.
    found = _found(
        [
            ["osm-1", "Agen dekat", "agen_brilink", -0.4205, 116.99],
            ["osm-2", "Agen jauh", "agen_brilink", -0.43, 116.99],
            ["BRI-1", "Unit", "kantor_bri", -0.42, 116.99],
        ]
    )
    marked = mark_known(found, current)
    assert marked["sudah_ada"].tolist() == [False, False, True]
    near = marked.set_index("id")["dekat_titik"]
    assert near["osm-1"] == "BRI-1 (55 m)" and pd.isna(near["osm-2"])
    assert near["BRI-1"] == "BRI-1 (0 m)"
    assert "dekat_titik" not in found  # the input is left as it was
    # Nothing saved yet: nothing is near, nothing is already there.
    alone = mark_known(found, current.iloc[0:0])
    assert "dekat_titik" not in alone and not alone["sudah_ada"].any()


def test_found_points_are_added_once():
    current = _found([["BRI-1", "Unit", "kantor_bri", -0.42, 116.99]])
    new = _found(
        [
            ["BRI-1", "Lain", "kantor_bri", -0.5, 117.0],
            ["osm-1", "Agen", "agen_brilink", -0.4, 117.0],
        ]
    )
    merged = add_points(current, new)
    assert merged["id"].tolist() == ["BRI-1", "osm-1"]
    assert merged["nama"].tolist() == ["Unit", "Agen"] and merged.index.tolist() == [0, 1]
