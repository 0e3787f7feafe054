"""Named landings (dermaga): reading and checking, the store, the CLI, and the demo set."""

import json

import pandas as pd
import pytest
import sqlalchemy as sa
from shapely.geometry import Point

from geo import cli, settings
from geo._errors import InputFileError
from geo.areas.lookup import VillageIndex
from geo.datasets import load_demo
from geo.geometry import project_lonlat
from geo.reach import network
from geo.reach.boats import read_boat_legs
from geo.reach.landings import read_landings, validate_table
from geo.reach.nearest import network_nearest
from geo.store.database import MIGRATIONS, Store

ANGGANA, SEPATIN = "64.02.04.2005", "64.02.04.2001"


def _read(bounds, text: str, filename: str = "dermaga.csv"):
    return read_landings(
        text.encode(),
        filename=filename,
        kabupaten=bounds.kabupaten.geometry.iloc[0],
        villages=bounds.villages,
    )


# -- reading and checking ---------------------------------------------------------------------


def test_landings_are_read_and_bad_rows_reported(bounds):
    found = _read(
        bounds,
        "nama,lat,lon,kode_desa,keterangan\n"
        "Dermaga  Anggana,-0.5625,117.2880,,Pelabuhan Anggana\n"  # 2: good, village from map
        "Dermaga Sepatin,-0.7653,117.4562,Sepatin (Anggana),\n"  # 3: good, village by name
        "Dermaga Jauh,-1.27,116.83,,\n"  # 4: Balikpapan, outside Kukar
        "Dermaga Tukar,117.29,-0.56,,\n"  # 5: lat and lon swapped
        "dermaga anggana,-0.57,117.30,,\n"  # 6: duplicate of row 2 (case, spaces)
        "Dermaga Kosong,,117.30,,\n"  # 7: no latitude
        "Dermaga Laut,-0.56,1.2e3,,\n"  # 8: longitude far outside
        "Sepatin,-0.7653,117.4562,,\n"  # 9: a village's name
        "Sumber Sari,-0.45,117.0,,\n"  # 10: a name three kecamatan share
        "64.02.04.2003,-0.50,117.53,,\n"  # 11: a village code
        "Dermaga X,-0.56,117.29,Atlantis,\n"  # 12: unknown village
        ",,,,\n"  # 13: blank, skipped silently
        "Dermaga Kota Bangun,-0.2600,116.5905,64.02.08.2005,\n",  # 14: good
    )
    assert found.frame["nama"].tolist() == [
        "Dermaga Anggana",
        "Dermaga Sepatin",
        "Dermaga Kota Bangun",
    ]
    assert found.frame["kode_desa"].tolist() == [ANGGANA, SEPATIN, "64.02.08.2005"]
    assert found.frame["lat"].tolist() == [-0.5625, -0.7653, -0.26]
    by_row = {p.row: p for p in found.problems}
    assert sorted(by_row) == [4, 5, 6, 7, 8, 9, 10, 11, 12]
    assert all(p.file == "dermaga.csv" for p in found.problems)
    assert by_row[4].column == "lat" and "di luar batas Kutai Kartanegara" in by_row[4].reason
    assert by_row[5].column == "lat" and "tertukar" in by_row[5].reason
    assert by_row[6].column == "nama" and "duplikat" in by_row[6].reason
    assert "baris 2" in by_row[6].reason
    assert by_row[7].column == "lat" and "koordinat kosong" in by_row[7].reason
    assert "di luar Kutai Kartanegara" in by_row[8].reason
    assert by_row[9].column == "nama" and "Sepatin (Anggana)" in by_row[9].reason
    assert "Dermaga Sepatin" in by_row[9].reason  # what to write instead
    assert by_row[10].column == "nama" and "sama dengan desa" in by_row[10].reason
    assert "sama dengan desa Tani Baru" in by_row[11].reason
    assert by_row[12].column == "kode_desa" and "Atlantis" in by_row[12].reason


def test_landing_kode_desa_is_where_it_lies(bounds):
    # Anggana's port with the village it serves (Sepatin, no road) typed in: the landing keeps
    # Anggana, where its point lies, so it stays joined to the road; the change is reported.
    found = _read(
        bounds,
        "nama,lat,lon,kode_desa\n"
        "Dermaga Anggana,-0.5625,117.2880,Sepatin (Anggana)\n"
        "Dermaga Tepi,-0.5625,117.2880,Anggana\n",
    )
    assert found.frame["kode_desa"].tolist() == [ANGGANA, ANGGANA]
    (problem,) = found.problems
    assert (problem.row, problem.column, problem.value) == (2, "kode_desa", "Sepatin (Anggana)")
    assert "di luar desa itu" in problem.reason and "Anggana" in problem.reason


def test_landings_missing_column_and_page_table(bounds):
    with pytest.raises(InputFileError, match="lon"):
        _read(bounds, "nama,lat\nDermaga A,-0.5\n")
    table = pd.DataFrame(
        {
            "nama": ["Dermaga Anggana", "Dermaga Anggana"],
            "lat": [-0.5625, -0.56],
            "lon": [117.288, 117.29],
            "kode_desa": [None, None],
            "keterangan": [None, None],
            "is_demo": [True, True],
        }
    )
    checked = validate_table(
        table,
        label="tabel dermaga",
        kabupaten=bounds.kabupaten.geometry.iloc[0],
        villages=bounds.villages,
    )
    assert len(checked.frame) == 1 and checked.frame["kode_desa"].iloc[0] == ANGGANA
    # Rows as the editor numbers them (first row = 1), not as a file would (header = row 1).
    assert [(p.file, p.row, p.column) for p in checked.problems] == [("tabel dermaga", 2, "nama")]
    assert "baris 1" in checked.problems[0].reason


def test_page_table_rows_are_the_editors_and_a_files_rows_count_the_header(bounds):
    table = pd.DataFrame(
        {
            "nama": ["Dermaga Anggana", "Dermaga Sepatin", "Dermaga Muara Muntai", ""],
            "lat": [-0.5625, -0.7653, -0.339, -0.5],
            "lon": [117.288, 117.4562, 116.3985, 117.0],
            "kode_desa": [None, None, None, None],
            "keterangan": [None, None, None, None],
        }
    )
    kab = bounds.kabupaten.geometry.iloc[0]
    checked = validate_table(table, label="tabel dermaga", kabupaten=kab, villages=bounds.villages)
    assert [(p.row, p.column) for p in checked.problems] == [(4, "nama")]  # the 4th landing
    from_file = _read(bounds, table.to_csv(index=False))
    assert [(p.row, p.column) for p in from_file.problems] == [(5, "nama")]


# -- store ------------------------------------------------------------------------------------


def _landings_frame():
    return pd.DataFrame(
        {
            "nama": ["Dermaga Anggana", "Dermaga Sepatin"],
            "lat": [-0.5625, -0.7653],
            "lon": [117.288, 117.4562],
            "kode_desa": [ANGGANA, SEPATIN],
            "keterangan": ["Pelabuhan", None],
        }
    )


def test_store_keeps_landings_and_gives_legs_their_positions():
    store = Store()
    store.replace_landings(_landings_frame(), is_demo=False)
    version = store.get_meta("boats_version")
    landings = store.landings()
    assert landings.drop(columns=["is_demo"]).equals(_landings_frame())
    legs = pd.DataFrame(
        {
            "dari": ["Dermaga Anggana", "64.02.18.2007"],
            "dari_jenis": ["dermaga", "desa"],
            "ke": [SEPATIN, "Dermaga Hilang"],
            "ke_jenis": ["desa", "dermaga"],
            "moda": ["longboat", "ketinting"],
            "menit": [240.0, 60.0],
            "tunggu_menit": [60.0, 0.0],
            "biaya": [0.0, 0.0],
        }
    )
    store.replace_boat_legs(legs, is_demo=False)
    back = store.boat_legs()
    assert back[["dari", "dari_jenis", "ke", "ke_jenis"]].equals(
        legs[["dari", "dari_jenis", "ke", "ke_jenis"]]
    )
    assert back[["dari_lat", "dari_lon"]].iloc[0].tolist() == [-0.5625, 117.288]
    assert back["dari_kode_desa"].iloc[0] == ANGGANA
    assert back[["ke_lat", "dari_lat"]].iloc[1].isna().all()  # a landing no longer in the table
    # Moving a landing moves the legs: the boats version changes with it.
    store.replace_landings(_landings_frame().assign(lat=[-0.56, -0.7653]), is_demo=False)
    assert store.get_meta("boats_version") != version
    assert store.boat_legs()["dari_lat"].iloc[0] == -0.56


def test_renaming_a_landing_by_case_keeps_its_legs():
    store = Store()
    store.replace_landings(_landings_frame(), is_demo=False)
    legs = pd.DataFrame(
        {
            "dari": ["Dermaga Anggana"],
            "dari_jenis": ["dermaga"],
            "ke": [SEPATIN],
            "ke_jenis": ["desa"],
            "moda": ["longboat"],
            "menit": [240.0],
        }
    )
    store.replace_boat_legs(legs, is_demo=False)
    renamed = _landings_frame().assign(nama=["DERMAGA  ANGGANA", "Dermaga Sepatin"])
    store.replace_landings(renamed, is_demo=False)
    back = store.boat_legs()
    assert back["dari"].tolist() == ["DERMAGA  ANGGANA"]
    assert back[["dari_lat", "dari_lon"]].iloc[0].tolist() == [-0.5625, 117.288]


def _old_database(url: str, *, upto: int) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description TEXT, "
                "applied_at VARCHAR(32))"
            )
        )
        for version, description, steps in MIGRATIONS:
            if version > upto:
                continue
            for step in steps:
                conn.execute(sa.text(step))
            conn.execute(
                sa.text("INSERT INTO schema_version VALUES (:v, :d, 'x')"),
                {"v": version, "d": description},
            )
        conn.execute(
            sa.text(
                "INSERT INTO boat_legs VALUES "
                "(1, '64.02.04.2005', '64.02.04.2001', 'longboat', 240, 60, 750000, 1)"
            )
        )
    engine.dispose()


def test_migration_8_stopped_midway_runs_again(tmp_path):
    # SQLite commits each CREATE TABLE by itself: an upgrade stopped after them leaves the new
    # tables behind. The next start must still upgrade, with the boat legs kept.
    url = f"sqlite:///{tmp_path / 'half.db'}"
    _old_database(url, upto=7)
    (steps,) = [steps for version, _, steps in MIGRATIONS if version == 8]
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for step in steps:
            if step.lstrip().startswith(("CREATE TABLE", "DROP TABLE IF")):
                conn.execute(sa.text(step))
    engine.dispose()
    store = Store(url)
    assert store.version >= 8
    assert store.boat_legs()[["dari", "ke", "dari_jenis"]].values.tolist() == [
        [ANGGANA, SEPATIN, "desa"]
    ]
    store.dispose()


def test_old_database_migrates_and_keeps_its_boat_legs(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _old_database(url, upto=6)
    store = Store(url)
    assert store.version >= 8
    legs = store.boat_legs()
    assert legs[["dari", "ke", "dari_jenis", "ke_jenis", "menit"]].values.tolist() == [
        [ANGGANA, SEPATIN, "desa", "desa", 240.0]
    ]
    assert legs["is_demo"].tolist() == [True]
    assert store.landings().empty
    # The widened columns take a landing's name.
    long_name = "Dermaga " + "Sungai Mahakam " * 8
    store.replace_boat_legs(
        pd.DataFrame(
            {
                "dari": [long_name],
                "dari_jenis": ["dermaga"],
                "ke": [SEPATIN],
                "moda": ["longboat"],
                "menit": [240.0],
            }
        ),
        is_demo=False,
    )
    assert store.boat_legs()["dari"].tolist() == [long_name]
    assert store.boat_legs()["ke_jenis"].tolist() == ["desa"]
    store.dispose()


def test_migration_numbers_are_unique():
    numbers = [version for version, _, _ in MIGRATIONS]
    assert len(numbers) == len(set(numbers)) and 8 in numbers


# -- network through a landing, from files to the CLI -----------------------------------------


def test_cli_nearest_goes_by_road_to_a_landing_then_by_boat(tmp_path, capsys, bounds):
    layanan = tmp_path / "layanan.csv"
    layanan.write_text("id,nama,jenis,lat,lon\nAG-1,Agen Anggana,agen_brilink,-0.57,117.27\n")
    dermaga = tmp_path / "dermaga.csv"
    dermaga.write_text("nama,lat,lon\nDermaga Uji,-0.5625,117.288\n")
    perahu = tmp_path / "perahu.csv"
    perahu.write_text(
        "dari,ke,moda,menit,tunggu_menit\n"
        "dermaga uji,Sepatin (Anggana),longboat,240,60\n"
        "Dermaga Tidak Ada,Tani Baru (Anggana),longboat,120,45\n"
    )
    out = tmp_path / "near.csv"
    args = ["nearest", "--layanan", str(layanan), "--jaringan", "", "--out", str(out)]
    assert cli.main([*args, "--perahu", str(perahu), "--dermaga", str(dermaga)]) == 0
    captured = capsys.readouterr()
    assert "perahu.csv baris 3 kolom dari" in captured.err and "tabel dermaga" in captured.err
    info = json.loads(captured.out)
    assert info["jaringan"]["ruas_perahu"] == 2  # one leg, both ways
    table = pd.read_csv(out, dtype={"kode_desa": str}).set_index("kode_desa")
    sepatin = table.loc[SEPATIN]
    assert sepatin["sumber"] == "perahu+perkiraan"
    # Straight line agent -> landing × detour at the estimate speed, then 240 + 60 by boat.
    xy = project_lonlat([117.27, 117.288], [-0.57, -0.5625])
    by_road = float(((xy[0] - xy[1]) ** 2).sum() ** 0.5) / 1000 * settings.DETOUR_FACTOR
    expected = by_road / settings.ESTIMATE_SPEED_KMH * 60 + 300
    assert sepatin["waktu_menit"] == pytest.approx(expected, abs=0.05)
    assert "64.02.04.2003" in info["tak_terjangkau"]  # Tani Baru: its leg named no landing
    # Without --dermaga the store's landings are used: there are none, so the leg is refused.
    assert cli.main([*args, "--perahu", str(perahu)]) == 0
    captured = capsys.readouterr()
    assert "perahu.csv baris 2 kolom dari" in captured.err
    assert SEPATIN in json.loads(captured.out)["tak_terjangkau"]


# -- the demo set ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory, bounds):
    folder = tmp_path_factory.mktemp("landings-demo")
    store = Store(f"sqlite:///{folder / 'db.sqlite'}")
    loaded = load_demo(store, bounds, out_dir=folder / "demo")
    yield store, loaded
    store.dispose()


def test_demo_landings_lie_in_their_villages(bounds, demo_store):
    store, loaded = demo_store
    landings = store.landings()
    assert loaded.landings == len(landings) == 3 and landings["is_demo"].all()
    assert set(landings["nama"]) == {
        "Dermaga Anggana",
        "Dermaga Muara Muntai",
        "Dermaga Kota Bangun",
    }
    polygons = bounds.villages.set_index("kode").geometry
    for row in landings.itertuples():
        assert polygons[row.kode_desa].contains(Point(row.lon, row.lat)), row.nama
    text = loaded.files.dermaga.read_text(encoding="utf-8")
    assert all("DATA CONTOH" in line for line in text.splitlines()[1:])


def test_demo_delta_is_reached_through_anggana_landing(bounds, demo_store):
    store, _ = demo_store
    legs = store.boat_legs()
    from_port = legs[legs["dari"] == "Dermaga Anggana"]
    assert set(from_port["ke"]) == {SEPATIN, "64.02.04.2002", "64.02.04.2003"}
    enggelam = legs[legs["ke"] == "64.02.18.2007"]
    assert set(enggelam["dari"]) == {"Dermaga Muara Muntai", "Dermaga Kota Bangun"}
    assert enggelam.set_index("dari")["menit"].to_dict() == {
        "Dermaga Muara Muntai": 60.0,
        "Dermaga Kota Bangun": 90.0,
    }
    points = store.service_points()
    net = network.load_network(bounds.villages, points, jaringan="", boats=legs)
    nodes = net.graph.nodes
    port = int(nodes.index[(nodes["kind"] == "dermaga") & (nodes["ref"] == "Dermaga Anggana")][0])
    sepatin = list(bounds.villages["kode"]).index(SEPATIN)
    result = network_nearest(
        net.graph, facilities=net.point_node, demand=net.village_node[[sepatin]]
    )
    # Every way to Sepatin passes the port: the boat is its only leg, and it leaves from there.
    edges = net.graph.edges
    into = edges[edges["v"] == net.village_node[sepatin]]
    assert set(into["u"]) == {port} and set(into["sumber"]) == {"perahu"}
    assert result.minutes[0] > 300 and result.sumber[0] == ("perahu", "perkiraan")


def test_boat_leg_to_a_landing_needs_the_landing(bounds):
    index = VillageIndex(bounds.villages)
    legs = read_boat_legs(
        b"dari,ke,menit\nDermaga Anggana,Sepatin,240\n", filename="perahu.csv", index=index
    )
    assert legs.frame.empty
    assert "tabel dermaga" in legs.problems[0].reason


def test_reach_map_shows_landings_by_name(bounds, demo_store):
    from geo.outputs import maps
    from geo.reach import per_village

    store, _ = demo_store
    points = store.service_points()
    net = network.load_network(bounds.villages, points, jaringan="", boats=store.boat_legs())
    near = per_village.nearest(net, bounds.villages, points)
    landings = store.landings()
    landings.loc[0, "nama"] = "Dermaga <img src=x onerror=alert(1)>"
    page = (
        maps.travel_time_map(
            bounds.villages,
            near,
            kecamatan=bounds.kecamatan,
            service_points=points,
            landings=landings,
        )
        .get_root()
        .render()
    )
    assert "Dermaga (3)" in page and "Dermaga Kota Bangun" in page
    assert "<img src=x" not in page and "Dermaga &lt;img src=x" in page
    without = maps.travel_time_map(
        bounds.villages, near, kecamatan=bounds.kecamatan, service_points=points
    )
    assert "Dermaga Kota Bangun" not in without.get_root().render()
