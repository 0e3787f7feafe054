import pytest

from geo._errors import InputFileError
from geo.boats import read_boat_legs
from geo.lookup import VillageIndex


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
