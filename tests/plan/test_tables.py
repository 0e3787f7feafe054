"""Tables of the plan pages: teams from the editor, stop rows, saved plans, schedule, outcomes."""

from datetime import date, datetime

import pandas as pd

from geo.plan import schedule, tables
from geo.plan.model import RoutePlan, Stop, Team, TeamRoute


def _stop(urutan, kode, desa, tiba, berangkat, **kw) -> Stop:
    return Stop(
        urutan=urutan,
        kode_desa=kode,
        desa=desa,
        kecamatan="Tenggarong",
        hari=tiba.day - 6,
        tiba=tiba,
        berangkat=berangkat,
        menit_tempuh=1250,
        moda="mobil",
        sumber="jalan",
        kpm_belum=1234,
        **kw,
    )


def _route(tim="Tim 1", stops=None) -> TeamRoute:
    d = datetime
    stops = stops or (
        _stop(1, "64.02.01.2001", "Loa Ipuh", d(2026, 12, 7, 9, 0), d(2026, 12, 7, 11, 0)),
        _stop(
            2,
            "64.02.01.2002",
            "Bukit Biru",
            d(2026, 12, 7, 13, 0),
            d(2026, 12, 7, 15, 0),
            menginap=True,
            dermaga="Dermaga Anggana",
        ),
    )
    return TeamRoute(
        tim=tim,
        depot="KC-TGR",
        depot_nama="BRI KC Tenggarong",
        anggota=("Budi",),
        stops=tuple(stops),
        berangkat=d(2026, 12, 7, 8, 0),
        kembali=d(2026, 12, 8, 9, 30),
        menit_pulang=90,
        moda_pulang="mobil",
        sumber_pulang="jalan",
    )


def _plan() -> RoutePlan:
    return RoutePlan(
        params={"tim": [{"nama": "Tim 1"}, {"nama": "Tim 2"}]},
        routes=(_route(),),
        tidak_dikunjungi=(("64.02.01.2003", "Jauh", "tidak terpilih"),),
        dibuat=datetime(2026, 11, 30, 9, 0),
    )


def test_team_editor_rows_and_back():
    teams = [Team("Tim 1", "KC-TGR", hari=2), Team("Tim 2", "DINSOS", perahu=False, anggota=("A",))]
    rows = tables.team_rows(teams)
    assert list(rows.columns) == tables.TEAM_COLUMNS
    assert rows.to_dict("records")[0] == {
        "nama": "Tim 1",
        "depot": "KC-TGR",
        "hari": 2,
        "perahu": True,
        "anggota": "",
    }
    assert tables.teams_from_table(rows) == teams


def test_teams_from_the_editor_fill_blanks_and_skip_incomplete_rows():
    table = pd.DataFrame(
        [
            {"nama": " Tim A ", "depot": "KC-TGR", "hari": None, "perahu": None, "anggota": None},
            {"nama": "Tim B", "depot": "KC-SMD", "hari": 3.0, "perahu": False, "anggota": "X, ,Y"},
            {"nama": None, "depot": "KC-SMD", "hari": 1, "perahu": True, "anggota": ""},
            {"nama": "Tim C", "depot": None, "hari": 1, "perahu": True, "anggota": ""},
        ]
    )
    assert tables.teams_from_table(table) == [
        Team("Tim A", "KC-TGR", hari=1, perahu=True),
        Team("Tim B", "KC-SMD", hari=3, perahu=False, anggota=("X", "Y")),
    ]


def test_night_notes():
    d = datetime(2026, 12, 7, 9, 0)
    assert tables.night_note(_stop(1, "k", "A", d, d)) == ""
    assert tables.night_note(_stop(1, "k", "A", d, d, menginap=True)) == "menginap"
    assert tables.night_note(_stop(1, "k", "A", d, d, pulang_malam=25)) == "pulang (25 mnt)"
    before = _stop(1, "k", "A", d, d, menginap_sebelum=True)
    assert tables.night_note(before) == "menginap sebelum kunjungan"
    both = _stop(1, "k", "A", d, d, menginap_sebelum=True, menginap=True)
    assert tables.night_note(both) == "menginap sebelum & sesudah"


def test_stop_table_lists_the_stops_and_the_way_back():
    table = tables.stop_table(_route())
    assert list(table.columns) == [
        "No",
        "Desa",
        "Kecamatan",
        "Hari",
        "Tiba",
        "Berangkat",
        "KPM belum",
        "Malam",
        "Menit tempuh",
        "Moda",
        "Sumber",
        "Lewat dermaga",
    ]
    first, second, back = table.to_dict("records")
    assert first["No"] == "1" and first["Tiba"] == "07/12 09:00" and first["Hari"] == "1"
    assert first["KPM belum"] == "1.234" and first["Menit tempuh"] == "1.250"
    assert second["Malam"] == "menginap" and second["Lewat dermaga"] == "Dermaga Anggana"
    assert back["Desa"] == "Kembali ke depot" and back["Tiba"] == "08/12 09:30"
    assert back["No"] == "" and back["Kecamatan"] == "" and back["KPM belum"] == ""
    assert back["Menit tempuh"] == "90" and back["Malam"] == ""


def test_plan_summaries_for_the_page():
    plan = _plan()
    assert tables.idle_teams(plan) == ["Tim 2"]
    assert tables.team_of_village(plan) == {"64.02.01.2001": "Tim 1", "64.02.01.2002": "Tim 1"}
    left = tables.left_out_table(plan)
    assert left.index.name == "Kode desa" and list(left.columns) == ["Desa", "Alasan"]
    assert left.loc["64.02.01.2003", "Alasan"] == "tidak terpilih"
    assert tables.plan_name(plan, date(2026, 12, 1)) == "Kunjungan 7 Desember 2026"
    empty = RoutePlan(params={}, routes=(), tidak_dikunjungi=())
    assert tables.plan_name(empty, date(2026, 12, 1)) == "Kunjungan 1 Desember 2026"


def test_saved_plans_and_their_labels():
    saved = pd.DataFrame(
        {
            "id": [2, 1],
            "nama": ["Kedua", "Pertama"],
            "created_at": ["2026-11-29T03:35:00+00:00", "2026-11-28T01:00:00+00:00"],
            "is_demo": [True, False],
        }
    )
    shown = tables.saved_plans_table(saved)
    assert list(shown.columns) == ["No", "Nama", "Dibuat", "Data contoh"]
    assert shown["Dibuat"].iloc[0] == "29 November 2026 11:35 WITA"
    assert shown["Data contoh"].tolist() == ["ya", "tidak"]
    assert tables.plan_labels(saved) == {2: "#2 · Kedua", 1: "#1 · Pertama"}


def test_short_dates():
    assert tables.short_date("2026-12-07") == "07/12/2026"
    assert tables.short_date(None) == "-"
    assert tables.short_date("") == "-"


def test_schedule_table_names_the_depot():
    plan = _plan()
    sched = schedule.assign(plan, date(2026, 12, 7), holidays={})
    shown = tables.schedule_table(sched, plan)
    assert list(shown.columns) == [
        "Tim",
        "Tanggal",
        "Hari ke-",
        "Depot",
        "Desa",
        "Menginap di",
        "Anggota",
    ]
    assert set(shown["Depot"]) == {"BRI KC Tenggarong"}
    assert shown["Tanggal"].iloc[0] == "7 Desember 2026"
    assert shown["Desa"].iloc[0] == "Loa Ipuh, Bukit Biru"
    assert shown["Anggota"].iloc[0] == "Budi"


def test_plan_stops_for_the_outcome_template():
    stops = tables.plan_stops(_plan())
    assert stops.to_dict("records") == [
        {"kode_desa": "64.02.01.2001", "desa": "Loa Ipuh", "tanggal": "2026-12-07"},
        {"kode_desa": "64.02.01.2002", "desa": "Bukit Biru", "tanggal": "2026-12-07"},
    ]
    empty = tables.plan_stops(RoutePlan(params={}, routes=(), tidak_dikunjungi=()))
    assert list(empty.columns) == ["kode_desa", "desa", "tanggal"] and empty.empty


def test_outcome_form_row():
    counts = {name: i for i, (name, _) in enumerate(tables.OUTCOME_COUNTS)}
    row = tables.outcome_row("64.02.01.2001", date(2026, 12, 7), False, counts, "jalan putus")
    assert row.to_dict("records") == [
        {
            "kode_desa": "64.02.01.2001",
            "tanggal": "2026-12-07",
            "dikunjungi": "tidak",
            "kpm_ditemui": "0",
            "kpm_dilayani": "1",
            "kartu_hilang": "2",
            "kartu_blokir": "3",
            "pindah": "4",
            "meninggal": "5",
            "lainnya": "jalan putus",
        }
    ]
    assert tables.outcome_row("k", date(2026, 12, 7), True, {}, "")["dikunjungi"].iloc[0] == "ya"
