import pytest

from geo._errors import VillageLookupError
from geo.areas.lookup import VillageIndex, normalise, normalise_code


@pytest.fixture(scope="module")
def index(bounds):
    return VillageIndex(bounds.villages)


@pytest.mark.parametrize(
    ("kecamatan", "desa", "kode"),
    [
        ("Tenggarong", "Bukit Biru", "64.02.06.1003"),
        ("  TENGGARONG ", "kel.  bukit   biru", "64.02.06.1003"),
        ("KECAMATAN TENGGARONG", "KELURAHAN BUKIT BIRU", "64.02.06.1003"),
        ("Sanga-Sanga", "Sanga Sanga Dalam", "64.02.15.1003"),
        ("sanga sanga", "KEL. SANGA-SANGA DALAM", "64.02.15.1003"),
        ("Marangkayu", "DESA SEBUNTAL", "64.02.17.2001"),
        ("Marang Kayu", "Sebuntal", "64.02.17.2001"),
        ("Semboja", "Tanjung Harapan", "64.02.13.1009"),
        ("Sebulu", "Tanjung Harapan", "64.02.07.2002"),
        ("Loa Kulu", "Sumber Sari", "64.02.02.2014"),
        ("Sebulu", "sumber sari", "64.02.07.2007"),
        ("Kota Bangun Darat", "DESA SUMBER SARI", "64.02.19.2007"),
        ("64.02.04", "Sepatin", None),
    ],
)
def test_resolve_variants(index, kecamatan, desa, kode):
    village = index.resolve(kecamatan=kecamatan, desa=desa)
    if kode:
        assert village.kode == kode
    else:
        assert village.nama == "Sepatin"


def test_resolve_by_code_takes_precedence(index):
    assert index.resolve(kode="64.02.06.1003", kecamatan="Tabang", desa="x").nama == "Bukit Biru"
    assert index.resolve(kode="6402061003").kode == "64.02.06.1003"
    assert index.by_code("64.02.99.9999") is None


def test_duplicate_name_without_kecamatan_is_ambiguous(index):
    with pytest.raises(VillageLookupError) as err:
        index.resolve(desa="Sumber Sari")
    assert len(err.value.candidates) == 3
    assert {c[2] for c in err.value.candidates} == {"Loa Kulu", "Sebulu", "Kota Bangun Darat"}
    assert "kecamatan" in str(err.value)


def test_unique_name_without_kecamatan_resolves(index):
    assert index.resolve(desa="Muara Enggelam").kode_kec == "64.02.18"


def test_name_in_wrong_kecamatan_names_the_right_one(index):
    with pytest.raises(VillageLookupError) as err:
        index.resolve(kecamatan="Tenggarong", desa="Sumber Sari")
    assert "Loa Kulu" in str(err.value)


def test_typo_gives_closest_candidates(index):
    with pytest.raises(VillageLookupError) as err:
        index.resolve(kecamatan="Anggana", desa="Sepatinn")
    assert err.value.candidates[0][1] == "Sepatin"
    assert "Mungkin maksudnya" in str(err.value)


def test_unknown_kecamatan(index):
    with pytest.raises(VillageLookupError) as err:
        index.resolve(kecamatan="Tengarong", desa="Bukit Biru")
    assert "Tenggarong" in str(err.value)


def test_empty_name_and_bad_code(index):
    with pytest.raises(VillageLookupError, match="kosong"):
        index.resolve(kecamatan="Tenggarong", desa="  ")
    with pytest.raises(VillageLookupError, match=r"64\.02\.99\.9999"):
        index.resolve(kode="64.02.99.9999")


def test_normalise_helpers():
    assert normalise("Desa  Sanga-Sanga Muara") == normalise("SANGA SANGA MUARA")
    assert normalise("Marangkayu") == normalise("Marang Kayu")
    assert normalise("Semboja") == normalise("Samboja")
    assert normalise("DESA SEMBOJA KUALA") == normalise("Samboja Kuala")
    assert normalise(None) == ""
    assert normalise_code("64.02.06.1003") == "64.02.06.1003"
    assert normalise_code(" 6402061003 ") == "64.02.06.1003"
    assert normalise_code("abc") is None


def test_kampung_is_part_of_the_name(index):
    assert index.resolve(kecamatan="Tenggarong", desa="KEL. KAMPUNG BARU").kode == "64.02.06.1008"
    with pytest.raises(VillageLookupError):
        index.resolve(kecamatan="Tenggarong", desa="Baru")
