import pandas as pd
import pytest

from geo._errors import InputFileError
from geo.areas.lookup import VillageIndex
from geo.reach.boats import read_boat_legs, unresolved_names, validate_table


@pytest.fixture(scope="module")
def index(bounds):
    return VillageIndex(bounds.villages)


def test_boat_legs_resolve_and_report(index):
    data = (
        b"dari,ke,moda,menit,tunggu_menit,biaya\n"
        b"Muara Muntai Ulu (Muara Muntai),Muara Enggelam (Muara Wis),ketinting,60,15,100.000\n"
        b'"Anggana, Anggana",64.02.04.2001,longboat,240,60,750000\n'
        b"Sumber Sari,Sepatin,longboat,30,0,0\n"
        b"Anggana (Anggana),Sepatin (Anggana),longboat,-5,0,0\n"
        b"Anggana (Anggana),Anggana (Anggana),longboat,10,0,0\n"
        b"Atlantis,Sepatin,longboat,10,0,0\n"
    )
    legs = read_boat_legs(data, filename="perahu.csv", index=index)
    assert legs.frame[["dari", "ke"]].values.tolist() == [
        ["64.02.01.2007", "64.02.18.2007"],
        ["64.02.04.2005", "64.02.04.2001"],
    ]
    assert legs.frame["biaya"].tolist() == [100000.0, 750000.0]
    rows = sorted(p.row for p in legs.problems)
    assert rows == [4, 5, 6, 7]  # ambiguous name, negative minutes, same place, unknown village
    assert "Sumber Sari" in next(p.reason for p in legs.problems if p.row == 4)


def test_boat_legs_missing_column(index):
    with pytest.raises(InputFileError, match="menit"):
        read_boat_legs(b"dari,ke\nA,B\n", filename="perahu.csv", index=index)


LANDINGS = pd.DataFrame(
    {
        "nama": ["Dermaga Anggana", "Dermaga Muara Muntai"],
        "lat": [-0.5625, -0.339],
        "lon": [117.288, 116.3985],
        "kode_desa": ["64.02.04.2005", "64.02.01.2007"],
        "keterangan": [None, None],
    }
)


def test_boat_legs_between_landings_and_villages(index):
    data = (
        b"dari,ke,moda,menit,tunggu_menit\n"
        b"  dermaga   ANGGANA ,Sepatin (Anggana),longboat,240,60\n"
        b"Muara Enggelam (Muara Wis),Dermaga Muara Muntai,ketinting,60,15\n"
        b"Dermaga Anggana,Dermaga Muara Muntai,kapal,600,0\n"
        b"Dermaga Angana,Tani Baru,longboat,120,45\n"
        b"Dermaga Anggana,dermaga anggana,longboat,10,0\n"
    )
    legs = read_boat_legs(data, filename="perahu.csv", index=index, landings=LANDINGS)
    frame = legs.frame
    assert frame[["dari", "dari_jenis", "ke", "ke_jenis"]].values.tolist() == [
        ["Dermaga Anggana", "dermaga", "64.02.04.2001", "desa"],
        ["64.02.18.2007", "desa", "Dermaga Muara Muntai", "dermaga"],
        ["Dermaga Anggana", "dermaga", "Dermaga Muara Muntai", "dermaga"],
    ]
    assert frame[["dari_lat", "dari_lon", "dari_kode_desa"]].iloc[0].tolist() == [
        -0.5625,
        117.288,
        "64.02.04.2005",
    ]
    assert frame["ke_nama"].tolist() == ["Sepatin", "Dermaga Muara Muntai", "Dermaga Muara Muntai"]
    assert pd.isna(frame["ke_lat"].iloc[0])  # a village end carries no position
    by_row = {p.row: p for p in legs.problems}
    assert sorted(by_row) == [5, 6]
    typo = by_row[5]
    assert (typo.file, typo.column, typo.value) == ("perahu.csv", "dari", "Dermaga Angana")
    assert "tabel dermaga" in typo.reason and "mungkin maksudnya: Dermaga Anggana" in typo.reason
    assert by_row[6].reason == "dari dan ke sama."


def test_page_table_with_store_columns_is_checked_again(index):
    stored = pd.DataFrame(
        {
            "dari": ["Dermaga Anggana"],
            "ke": ["64.02.04.2001"],
            "moda": ["longboat"],
            "menit": [240.0],
            "tunggu_menit": [60.0],
            "biaya": [0.0],
            "is_demo": [False],
            "dari_jenis": ["dermaga"],
            "dari_lat": [-9.0],  # stale: the landings table decides
        }
    )
    legs = validate_table(stored, label="tabel ruas perahu", index=index, landings=LANDINGS)
    assert not legs.problems and legs.frame["dari_lat"].tolist() == [-0.5625]
    gone = validate_table(stored, label="tabel ruas perahu", index=index, landings=None)
    assert gone.frame.empty and gone.problems[0].column == "dari"


def test_page_table_rows_are_the_editors_and_a_files_rows_count_the_header(index):
    table = pd.DataFrame(
        {
            "dari": ["Dermaga Anggana", "Dermaga Muara Muntai", "Atlantis"],
            "ke": ["64.02.04.2001", "Muara Enggelam (Muara Wis)", "Sepatin"],
            "moda": ["longboat", "ketinting", "longboat"],
            "menit": [240.0, 60.0, 10.0],
            "tunggu_menit": [60.0, 0.0, 0.0],
            "biaya": [0.0, 0.0, 0.0],
        }
    )
    legs = validate_table(table, label="tabel ruas perahu", index=index, landings=LANDINGS)
    assert [(p.row, p.column) for p in legs.problems] == [(3, "dari")]  # the 3rd leg
    from_file = read_boat_legs(
        table.to_csv(index=False).encode(), filename="perahu.csv", index=index, landings=LANDINGS
    )
    assert [(p.row, p.column) for p in from_file.problems] == [(4, "dari")]


def test_legs_naming_a_landing_no_longer_there_are_named_once(index):
    legs = pd.DataFrame(
        {
            "dari": ["Dermaga Anggana", "Dermaga Anggana", "Anggana"],
            "ke": ["Sepatin", "Tani Baru", "Sepatin"],
            "moda": ["speedboat"] * 3,
            "menit": [50, 60, 70],
            "tunggu_menit": [0, 0, 0],
            "biaya": [0, 0, 0],
        }
    )
    assert unresolved_names(legs, index=index, landings=LANDINGS) == []
    assert unresolved_names(legs, index=index, landings=LANDINGS.iloc[0:0]) == ["Dermaga Anggana"]
