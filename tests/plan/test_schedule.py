"""The calendar: working days, trips on days, conflicts, cadence, .ics and XLSX exports, CLI."""

import io
import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import icalendar
import openpyxl
import pandas as pd
import pytest

from geo import cli
from geo._errors import InputFileError
from geo.outputs import export
from geo.plan import calendar, schedule
from geo.plan.model import RoutePlan, Stop, TeamRoute

FRI = date(2026, 12, 4)
MON = date(2026, 12, 7)
CREATED = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _stop(urutan, kode, desa, hari, tiba, berangkat, *, menginap=False) -> Stop:
    return Stop(
        urutan=urutan,
        kode_desa=kode,
        desa=desa,
        kecamatan="Contoh",
        hari=hari,
        tiba=tiba,
        berangkat=berangkat,
        menit_tempuh=30,
        moda="mobil",
        sumber="jalan",
        kpm_belum=10,
        menginap=menginap,
    )


def _plan(*, demo=False, anggota2=("Budi", "Sari")) -> RoutePlan:
    d = datetime
    team1 = TeamRoute(
        tim="Tim 1",
        depot="DINSOS",
        depot_nama="Dinas Sosial Kukar",
        anggota=("Andi", "Rina"),
        stops=(
            _stop(
                1,
                "64.02.01.2001",
                "Muara Muntai Ulu",
                1,
                d(2026, 11, 2, 9, 30),
                d(2026, 11, 2, 10, 30),
            ),
            _stop(2, "64.02.01.2002", "Batuq", 1, d(2026, 11, 2, 11, 5), d(2026, 11, 2, 12, 0)),
        ),
        berangkat=d(2026, 11, 2, 8, 0),
        kembali=d(2026, 11, 2, 15, 0),
        menit_pulang=120,
        moda_pulang="mobil",
        sumber_pulang="jalan",
    )
    team2 = TeamRoute(
        tim="Tim 2",
        depot="KC-KBR",
        depot_nama="BRI KC Kutai Barat",
        anggota=anggota2,
        stops=(
            _stop(
                1,
                "64.02.12.2001",
                "Tabang Lama",
                1,
                d(2026, 11, 2, 13, 0),
                d(2026, 11, 2, 15, 30),
                menginap=True,
            ),
            _stop(
                2, "64.02.12.2005", "Muara Salung", 2, d(2026, 11, 3, 9, 15), d(2026, 11, 3, 11, 0)
            ),
        ),
        berangkat=d(2026, 11, 2, 8, 0),
        kembali=d(2026, 11, 3, 15, 30),
        menit_pulang=240,
        moda_pulang="mobil",
        sumber_pulang="perkiraan",
    )
    return RoutePlan(
        params={"mulai": "2026-11-02"},
        routes=(team1, team2),
        tidak_dikunjungi=(),
        is_demo=demo,
        dibuat=d(2026, 10, 30, 9, 15),
    )


def _deadlines(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["program", "tahap", "tanggal_tutup"])


def _people(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["nama", "peran", "tidak_tersedia"])


# -- holidays and working days -----------------------------------------------------------------


def test_trip_starting_on_christmas_moves_to_next_working_day(libur):
    result = schedule.assign(_plan(), date(2026, 12, 25), holidays=libur, created=CREATED)
    assert set(result.days["tanggal"]) == {date(2026, 12, 28), date(2026, 12, 29)}
    assert all(calendar.is_working_day(d, holidays=libur) for d in result.days["tanggal"])
    assert result.conflicts == ()


# -- assigning ---------------------------------------------------------------------------------


def test_a_trip_with_a_night_away_from_friday_waits_for_monday(libur):
    # Tim 2 stays the night in Tabang: it does not leave on Friday to wait out the weekend
    # there, but runs Monday and Tuesday. Tim 1's one-day trip keeps Friday.
    result = schedule.assign(_plan(), FRI, holidays=libur, created=CREATED)
    days = result.days.set_index(["tim", "hari_ke"])
    assert days.loc[("Tim 1", 1), "tanggal"] == FRI
    assert days.loc[("Tim 2", 1), "tanggal"] == MON
    assert days.loc[("Tim 2", 2), "tanggal"] == MON + timedelta(days=1)
    assert days.loc[("Tim 2", 1), "desa"] == ["Tabang Lama"]
    assert days.loc[("Tim 2", 1), "menginap"] == "Tabang Lama"
    assert days.loc[("Tim 2", 2), "desa"] == ["Muara Salung"]
    assert days.loc[("Tim 2", 2), "tiba"] == ["09:15"]
    assert days.loc[("Tim 2", 2), "selesai"] == "15:30"  # back at the depot
    assert days.loc[("Tim 1", 1), "desa"] == ["Muara Muntai Ulu", "Batuq"]
    assert list(days["jumlah_hari"]) == [1, 2, 2]
    assert result.conflicts == ()
    summary = result.summary()
    assert summary["hari_tim"] == 3 and summary["tim"] == 2
    assert summary["mulai"] == "2026-12-04" and summary["selesai"] == "2026-12-08"
    assert summary["rencana"] == "rute-20261030T091500"


def test_team_start_and_skipped_holidays(libur):
    result = schedule.assign(
        _plan(), date(2026, 12, 22), holidays=libur, team_start={"Tim 2": date(2026, 12, 23)}
    )
    days = result.days.set_index(["tim", "hari_ke"])
    assert days.loc[("Tim 1", 1), "tanggal"] == date(2026, 12, 22)
    # Tim 2 stays a night away: it does not start before Christmas and wait it out in the
    # field, but runs 28 and 29 December.
    assert days.loc[("Tim 2", 1), "tanggal"] == date(2026, 12, 28)
    assert days.loc[("Tim 2", 2), "tanggal"] == date(2026, 12, 29)
    assert set(result.skipped_holidays()) == {date(2026, 12, 24), date(2026, 12, 25)}
    with pytest.raises(schedule.ScheduleError, match="Tim 9"):
        schedule.assign(_plan(), FRI, holidays=libur, team_start={"Tim 9": FRI})


def test_forced_holiday_is_a_conflict(libur):
    result = schedule.assign(
        _plan(), date(2026, 12, 24), holidays=libur, allow_holidays=True, created=CREATED
    )
    assert date(2026, 12, 24) in set(result.days["tanggal"])
    kinds = {(c.jenis, c.tim, c.tanggal) for c in result.conflicts}
    assert ("libur", "Tim 1", date(2026, 12, 24)) in kinds
    assert ("libur", "Tim 2", date(2026, 12, 25)) in kinds
    assert all("geser" in c.pesan for c in result.conflicts)


# -- conflicts ---------------------------------------------------------------------------------


def test_same_person_on_two_teams_the_same_day(libur):
    plan = _plan(anggota2=("budi", " ANDI "))
    result = schedule.assign(plan, MON, holidays=libur, created=CREATED)
    (conflict,) = result.conflicts
    assert conflict.jenis == "ganda" and conflict.tanggal == MON
    assert conflict.tim == "Tim 1, Tim 2"
    assert "Andi" in conflict.pesan and "ganti anggota" in conflict.pesan


def test_unavailable_person_and_deadline_passed(libur):
    people = _people(
        ("Sari", "BRI", "07/12/2026"),
        ("Andi", "Dinsos", "2026-12-10..2026-12-12"),
        ("Rina", "pendamping", ""),
    )
    deadlines = _deadlines(
        ("PKH", "3", date(2026, 9, 30)),  # closed before the trips: not the stage that matters
        ("PKH", "4", "2026-12-04"),
        ("BPNT", "4", date(2026, 12, 31)),
    )
    result = schedule.assign(
        _plan(), FRI, holidays=libur, people=people, deadlines=deadlines, created=CREATED
    )
    kinds = {(c.jenis, c.tim, c.tanggal) for c in result.conflicts}
    assert kinds == {("tidak_tersedia", "Tim 2", MON), ("tenggat", "Tim 2", MON)}
    late = next(c for c in result.conflicts if c.jenis == "tenggat")
    assert "PKH tahap 4" in late.pesan and "4 Desember 2026" in late.pesan
    assert "Majukan" in late.pesan
    # The schedule keeps its tables: checking it again finds the same conflicts.
    assert schedule.check(result) == list(result.conflicts)


def test_all_stages_closed_flags_the_last(libur):
    deadlines = _deadlines(("BPNT", "1", date(2026, 3, 31)), ("BPNT", "2", date(2026, 6, 30)))
    result = schedule.assign(_plan(), FRI, holidays=libur, deadlines=deadlines)
    assert {c.tim for c in result.conflicts} == {"Tim 1", "Tim 2"}
    assert all("BPNT tahap 2" in c.pesan for c in result.conflicts)


def test_check_an_edited_schedule(libur):
    result = schedule.assign(_plan(), FRI, holidays=libur, created=CREATED)
    days = result.days.copy()
    first = days.index[(days["tim"] == "Tim 1")][0]
    second = days.index[(days["tim"] == "Tim 2") & (days["hari_ke"] == 2)][0]
    days.loc[first, "tanggal"] = "25/12/2026"  # Natal
    days.loc[second, "tanggal"] = "2026-12-09"  # leaves a gap in Tim 2's trip
    found = schedule.check(
        replace(result, days=days.assign(tanggal=days["tanggal"].map(schedule.parse_date)))
    )
    kinds = {(c.jenis, c.tim, c.tanggal) for c in found}
    assert kinds == {
        ("libur", "Tim 1", date(2026, 12, 25)),
        ("terpisah", "Tim 2", date(2026, 12, 9)),
    }
    split = next(c for c in found if c.jenis == "terpisah")
    assert "Selasa, 8 Desember 2026" in split.pesan
    # A bare table with text dates, moved onto a Saturday.
    days.loc[first, "tanggal"] = "2026-12-05"
    weekend = schedule.check(days, holidays=libur)
    assert ("akhir_pekan", "Tim 1", date(2026, 12, 5)) in {
        (c.jenis, c.tim, c.tanggal) for c in weekend
    }
    days.loc[first, "tanggal"] = "besok"
    with pytest.raises(schedule.ScheduleError, match="besok"):
        schedule.check(days, holidays=libur)


def test_schedule_checks_itself(libur):
    result = schedule.assign(_plan(), FRI, holidays=libur)
    with pytest.raises(ValueError, match="twice"):
        replace(result, days=pd.concat([result.days, result.days.iloc[:1]]))
    with pytest.raises(ValueError, match="time zone"):
        replace(result, created=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="conflict kind"):
        schedule.Conflict("aneh", "Tim 1", FRI, "x")


def test_unusable_tables_are_refused(libur):
    with pytest.raises(schedule.ScheduleError, match="minggu depan"):
        schedule.assign(
            _plan(), FRI, holidays=libur, people=_people(("Sari", "BRI", "minggu depan"))
        )
    with pytest.raises(schedule.ScheduleError, match="KIS"):
        schedule.assign(_plan(), FRI, holidays=libur, deadlines=_deadlines(("KIS", "1", FRI)))
    with pytest.raises(schedule.ScheduleError, match="tanggal_tutup"):
        schedule.assign(_plan(), FRI, holidays=libur, deadlines=pd.DataFrame({"program": ["PKH"]}))


# -- files -------------------------------------------------------------------------------------


def test_unavailable_dates_and_ranges():
    dates, problems = schedule.parse_unavailable(
        "2026-12-01..2026-12-03; 10/12/2026, 14/12/2026 s.d. 15/12/2026, 2026-12-20 - 2026-12-21"
    )
    assert problems == []
    assert len(dates) == 3 + 1 + 2 + 2 and date(2026, 12, 2) in dates
    _, problems = schedule.parse_unavailable("2026-12-05..2026-12-01, 31/02/2026, cuti")
    assert len(problems) == 3 and "tukar" in problems[0]


def test_holiday_file_keeps_good_rows_and_reports_bad_ones():
    data = (
        b"Tanggal,Nama\n2026-12-10,Hari jadi daerah\n15/12/2026,Libur daerah\nbesok,X\n\n"
        b"2026-13-01,Y\n16/12/2026,\n"
    )
    extra, problems = schedule.read_holiday_file(data, "libur.csv")
    assert extra == {
        date(2026, 12, 10): "Hari jadi daerah",
        date(2026, 12, 15): "Libur daerah",
        date(2026, 12, 16): "Libur tambahan",
    }
    assert len(problems) == 2
    assert "libur.csv baris 4 kolom tanggal" in problems[0] and "besok" in problems[0]
    assert "baris 6" in problems[1]
    with pytest.raises(InputFileError, match="tanggal"):
        schedule.read_holiday_file(b"hari,nama\n1,x\n", "libur.csv")


def test_holiday_file_from_xlsx():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["tanggal", "nama"])
    ws.append([datetime(2026, 12, 10), "Hari jadi"])
    ws.append(["11/12/2026", "Libur"])
    buf = io.BytesIO()
    wb.save(buf)
    extra, problems = schedule.read_holiday_file(buf.getvalue(), "libur.xlsx")
    assert problems == [] and set(extra) == {date(2026, 12, 10), date(2026, 12, 11)}


def test_people_and_deadline_files():
    people, problems = schedule.read_people(
        b'nama,peran,tidak_tersedia\nSari,bri,"01/12/2026, 02/12/2026"\nAndi,Camat,\n'
        b"sari,BRI,\nBudi,Dinsos,kemarin\n,BRI,\n",
        filename="orang.csv",
    )
    assert list(people["nama"]) == ["Sari"]
    assert people.loc[0, "peran"] == "BRI"
    assert people.loc[0, "tidak_tersedia"] == "2026-12-01..2026-12-02"
    assert len(problems) == 4
    deadlines, problems = schedule.read_deadlines(
        b"program,tahap,tanggal_tutup\npkh,4,31/12/2026\nBPNT,,2026-12-31\nKIS,1,2026-12-31\n",
        filename="tahap.csv",
    )
    assert deadlines.to_dict("records") == [
        {"program": "PKH", "tahap": "4", "tanggal_tutup": date(2026, 12, 31)}
    ]
    assert len(problems) == 2 and "baris 3" in problems[0] and "baris 4" in problems[1]


# -- cadence -----------------------------------------------------------------------------------


def test_reconciliation_dates_every_n_months(libur):
    assert schedule.RECONCILE_EVERY_MONTHS == 2
    assert schedule.reconciliation_dates(date(2026, 1, 31), until=date(2026, 12, 31)) == [
        date(2026, 3, 31),
        date(2026, 5, 31),
        date(2026, 7, 31),
        date(2026, 9, 30),
        date(2026, 11, 30),
    ]
    assert schedule.reconciliation_dates(
        date(2026, 1, 15), every_months=3, until=date(2026, 10, 14)
    ) == [date(2026, 4, 15), date(2026, 7, 15)]
    # 31 May 2026 is a Sunday: on working days it moves to Tuesday 2 June (1 June: Pancasila).
    moved = schedule.reconciliation_dates(
        date(2026, 3, 31), until=date(2026, 6, 30), holidays=libur
    )
    assert moved == [date(2026, 6, 2)]
    with pytest.raises(schedule.ScheduleError, match="1 sampai 12"):
        schedule.reconciliation_dates(date(2026, 1, 1), every_months=0, until=date(2027, 1, 1))


# -- exports -----------------------------------------------------------------------------------


def _full(libur, *, demo=False, created=CREATED) -> schedule.Schedule:
    return schedule.assign(
        _plan(demo=demo),
        FRI,
        holidays=libur,
        deadlines=_deadlines(("PKH", "4", date(2026, 12, 31)), ("BPNT", "4", date(2026, 12, 31))),
        reconciliations=schedule.reconciliation_dates(date(2026, 10, 1), until=date(2027, 6, 30)),
        created=created,
    )


def _events(data: bytes) -> list:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def test_ics_one_event_per_team_day_plus_cadence_and_deadlines(libur):
    result = _full(libur)
    data = schedule.ics_bytes(result)
    cal = icalendar.Calendar.from_ical(data)
    events = _events(data)
    visits = [e for e in events if str(e["summary"]).startswith("Kunjungan")]
    assert len(visits) == len(result.days) == 3
    assert len(result.reconciliations) == 4  # Dec, Feb, Apr, Jun
    assert len(events) == 3 + 4 + 2
    tim2 = [e for e in visits if "Tim 2" in str(e["summary"])]
    assert [str(e["summary"]) for e in tim2] == [
        "Kunjungan Tim 2: Tabang Lama",
        "Kunjungan Tim 2: Muara Salung",
    ]
    assert str(visits[0]["summary"]) == "Kunjungan Tim 1: Muara Muntai Ulu, Batuq"
    first = tim2[0]
    start = first.decoded("dtstart")
    assert start == datetime(2026, 12, 7, 8, 0, tzinfo=start.tzinfo)  # Monday: a night away
    assert start.utcoffset().total_seconds() == 8 * 3600
    assert first["dtstart"].params["TZID"] == "Asia/Makassar"
    assert [tz["tzid"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Makassar"]
    description = str(first["description"])
    assert "1. Tabang Lama (tiba 13:00)" in description
    assert "BRI KC Kutai Barat" in description and "Budi, Sari" in description
    assert "Menginap di Tabang Lama" in description
    assert tim2[1].decoded("dtstart").date() == MON + timedelta(days=1)
    assert tim2[1].decoded("dtend").strftime("%H:%M") == "15:30"
    closing = [e for e in events if "ditutup" in str(e["summary"])]
    assert {e.decoded("dtstart") for e in closing} == {date(2026, 12, 31)}
    assert "DATA CONTOH" not in data.decode()


def test_ics_uids_stable_and_distinct(libur):
    first = _full(libur)
    again = _full(libur, created=datetime(2026, 12, 1, 10, 0, tzinfo=UTC))
    uids = [str(e["uid"]) for e in _events(schedule.ics_bytes(first))]
    assert len(uids) == len(set(uids)) and all(u.endswith("@jangkau.kukar") for u in uids)
    assert schedule.ics_bytes(first) == schedule.ics_bytes(first)
    assert uids == [str(e["uid"]) for e in _events(schedule.ics_bytes(again))]
    newer = {str(e["uid"]): int(e["sequence"]) for e in _events(schedule.ics_bytes(again))}
    older = {str(e["uid"]): int(e["sequence"]) for e in _events(schedule.ics_bytes(first))}
    assert all(newer[u] > older[u] for u in uids)
    # Moving the trip keeps each team-day's UID: a re-import updates the events.
    moved = schedule.assign(_plan(), date(2027, 1, 11), holidays=libur, created=CREATED)
    visit_uids = {str(e["uid"]) for e in _events(schedule.ics_bytes(moved))}
    assert visit_uids <= set(uids)
    # Another plan, other UIDs.
    other = schedule.assign(_plan(), FRI, holidays=libur, plan_id="rute-7")
    assert not {str(e["uid"]) for e in _events(schedule.ics_bytes(other))} & visit_uids


def test_ics_per_team_and_demo_marker(libur):
    result = _full(libur, demo=True)
    data = schedule.ics_bytes(result, team="Tim 2")
    events = _events(data)
    assert len(events) == 2
    assert all(str(e["summary"]).startswith("[DATA CONTOH] Kunjungan Tim 2") for e in events)
    assert all("DATA CONTOH" in str(e["description"]) for e in events)
    everything = _events(schedule.ics_bytes(result))
    assert all("DATA CONTOH" in str(e["summary"]) for e in everything)
    with pytest.raises(schedule.ScheduleError, match="Tim 9"):
        schedule.ics_bytes(result, team="Tim 9")


def test_xlsx_has_jadwal_konflik_libur(libur):
    result = schedule.assign(
        _plan(demo=True),
        FRI,
        holidays=libur,
        people=_people(("Sari", "BRI", "2026-12-07")),
        reconciliations=[date(2027, 2, 1)],
    )
    wb = openpyxl.load_workbook(io.BytesIO(export.schedule_xlsx_bytes(result)))
    assert wb.sheetnames == ["Jadwal", "Konflik", "Libur", "Tanggal penting", "KETERANGAN"]
    rows = list(wb["Jadwal"].iter_rows(values_only=True))
    assert rows[0][:4] == ("tim", "tanggal", "hari", "hari_ke")
    assert len(rows) == 4 and rows[1][2] == "Jumat"
    assert "Muara Muntai Ulu, Batuq" in rows[1]
    konflik = list(wb["Konflik"].iter_rows(values_only=True))
    assert len(konflik) == 2 and konflik[1][0] == "tidak_tersedia"
    libur_rows = list(wb["Libur"].iter_rows(values_only=True))
    assert any("Natal" in str(r[2]) for r in libur_rows[1:])
    assert "DATA CONTOH" in str(wb["KETERANGAN"]["A2"].value)


# -- CLI ---------------------------------------------------------------------------------------


def test_cli_jadwal_end_to_end(tmp_path, capsys):
    rute = tmp_path / "rute.json"
    rute.write_text(json.dumps(_plan(demo=True).to_json()), encoding="utf-8")
    libur = tmp_path / "libur.csv"
    libur.write_text("tanggal,nama\n2026-12-07,Libur daerah\nkapan,X\n", encoding="utf-8")
    tahap = tmp_path / "tahap.csv"
    tahap.write_text("program,tahap,tanggal_tutup\nPKH,4,2026-12-04\n", encoding="utf-8")
    out = tmp_path / "keluar"
    args = ["jadwal", "--rute", str(rute), "--mulai", "2026-12-04", "--libur", str(libur)]
    args += ["--tenggat", str(tahap), "--rekonsiliasi-terakhir", "2026-11-02"]
    args += ["--ics", str(out / "jadwal.ics"), "--xlsx", str(out / "jadwal.xlsx")]
    assert cli.main(args) == 0
    captured = capsys.readouterr()
    info = json.loads(captured.out)
    assert "kapan" in captured.err and "Konflik (tenggat)" in captured.err
    # Tim 2 stays a night away, so it waits for Monday; the regional holiday on Monday moves
    # its trip to Tuesday and Wednesday.
    assert info["hari_tim"] == 3 and info["selesai"] == "2026-12-09"
    assert info["libur_dilewati"] == ["2026-12-07"]
    assert info["konflik"] == 1 and info["data_contoh"] is True
    assert info["rekonsiliasi"][0] == "2027-01-04"  # 2 January 2027 is a Saturday
    events = _events((out / "jadwal.ics").read_bytes())
    assert len(events) == 3 + len(info["rekonsiliasi"]) + 1
    assert openpyxl.load_workbook(out / "jadwal.xlsx").sheetnames[:3] == [
        "Jadwal",
        "Konflik",
        "Libur",
    ]
    # Same plan file, same UIDs.
    assert cli.main(args) == 0
    assert [str(e["uid"]) for e in _events((out / "jadwal.ics").read_bytes())] == [
        str(e["uid"]) for e in events
    ]


@pytest.mark.parametrize(
    ("content", "mulai", "message"),
    [
        ("{not json", "2026-12-04", "bukan JSON"),
        ('{"routes": []}', "2026-12-04", "bukan rencana rute"),
        ("[1, 2]", "2026-12-04", "bukan rencana rute"),
        (None, "04-12-2026", "bukan tanggal"),
    ],
)
def test_cli_jadwal_unusable_input(tmp_path, capsys, content, mulai, message):
    rute = tmp_path / "rute.json"
    text = json.dumps(_plan().to_json()) if content is None else content
    rute.write_text(text, encoding="utf-8")
    args = ["jadwal", "--rute", str(rute), "--mulai", mulai, "--ics", str(tmp_path / "j.ics")]
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "j.ics").exists()


def test_cli_jadwal_missing_files(tmp_path, capsys):
    rute = tmp_path / "rute.json"
    args = ["jadwal", "--rute", str(rute), "--mulai", "2026-12-04", "--ics", str(tmp_path / "j")]
    assert cli.main(args) == 2
    assert "tidak dapat dibaca" in capsys.readouterr().err
    rute.write_text(json.dumps(_plan().to_json()), encoding="utf-8")
    assert cli.main([*args, "--libur", str(tmp_path / "tidak_ada.csv")]) == 2
    assert "tidak_ada.csv" in capsys.readouterr().err
    (tmp_path / "libur.csv").write_text("hari,nama\n1,x\n", encoding="utf-8")
    assert cli.main([*args, "--libur", str(tmp_path / "libur.csv")]) == 2
    assert "kolom tanggal" in capsys.readouterr().err
