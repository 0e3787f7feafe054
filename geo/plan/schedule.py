"""The calendar ("Jadwal"): saved route plans on working days, conflicts, cadence and exports.

Rules
-----
Working days. Saturdays, Sundays and holidays are not working days. Holidays come from the
maintained ``holidays`` package (Indonesia: national holidays and, by default, the *cuti bersama*
days that bind Dinsos staff as civil servants) plus any regional days from the planner's file.

Trips. A team's trip of *d* working days occupies *d* working days from its start date: days
that are not working days (a weekend, a holiday) are skipped, never worked. A trip whose team
spends a night away (``Stop.menginap``, ``Stop.menginap_sebelum``) starts on the first working day
from which every night away is followed by the next calendar day, so that no team waits out a
weekend or a holiday in the field: a two-day trip to Tabang asked for a Friday runs Monday and
Tuesday. A trip with nights at home only keeps its start (Friday, then Monday). The number of days
of a trip is the largest working-day index (``Stop.hari``) of its stops or of its return, and every
stop's date is recomputed from its ``hari``; its time of day is kept.

Conflicts are collected, never raised: a person on two teams the same day, a person on a trip on
a day they are unavailable, a trip on a weekend or holiday (only when the planner forces it, with
``allow_holidays=True`` or by editing dates), a trip whose days are not consecutive working days,
and a trip after a programme stage's closing date. Each message says what to do.

Calendar files (``.ics``) hold timed events, 08:00–16:00 WITA by default (``settings.WORK_START``
and ``WORK_END``; the return time on a trip's last day), with ``TZID=Asia/Makassar`` and a
``VTIMEZONE`` so Google Calendar and Outlook place them right. UIDs are derived from the plan id,
team and day of the trip (not its date), so a re-export after moving a trip updates the events
rather than duplicating them.
"""

from __future__ import annotations

import calendar as _calendar
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import pandas as pd

from geo import settings
from geo._errors import InputFileError, JangkauError
from geo.fmt import DEMO_LABEL, DEMO_NOTE, WITA, tanggal
from geo.plan.calendar import working_days
from geo.plan.model import RoutePlan, TeamRoute

#: Months between reconciliation rounds. Dinsos and BRI reconcile every 2–3 months, after each
#: disbursement stage; 2 keeps the next round ahead of the stage's closing date.
RECONCILE_EVERY_MONTHS = 2

#: Roles of the people on a team.
PERAN = ("Dinsos", "pendamping", "BRI")
#: Programmes with disbursement stages.
PROGRAM = ("PKH", "BPNT")
#: Kinds of conflict, with what they mean.
JENIS_KONFLIK = {
    "ganda": "orang yang sama di dua tim pada hari yang sama",
    "tidak_tersedia": "anggota tim tidak tersedia pada hari perjalanan",
    "libur": "perjalanan pada hari libur",
    "akhir_pekan": "perjalanan pada hari Sabtu atau Minggu",
    "terpisah": "hari perjalanan tidak berurutan",
    "tenggat": "perjalanan sesudah tanggal tutup tahap penyaluran",
}
HARI = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")

DAY_COLUMNS = [
    "tim",
    "tanggal",
    "hari_ke",
    "jumlah_hari",
    "desa",
    "kode_desa",
    "tiba",
    "menginap",
    "depot",
    "depot_nama",
    "anggota",
    "mulai",
    "selesai",
]
DEADLINE_COLUMNS = ["program", "tahap", "tanggal_tutup"]
PEOPLE_COLUMNS = ["nama", "peran", "tidak_tersedia"]

_UID_DOMAIN = "jangkau.kukar"
# SEQUENCE counts minutes since this moment, so a newer export of a plan outranks an older one.
_SEQUENCE_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


class ScheduleError(JangkauError):
    """The schedule cannot be made (unknown team, unusable people or deadline table)."""


@dataclass(frozen=True)
class Conflict:
    """Something on the calendar the planner must resolve.

    Attributes
    ----------
    jenis
        One of ``JENIS_KONFLIK``.
    tim
        The team (teams, comma-separated, for a person on two teams).
    tanggal
        The day concerned.
    pesan
        What is wrong and what to do, in Indonesian.
    """

    jenis: str
    tim: str
    tanggal: date
    pesan: str

    def __post_init__(self) -> None:
        if self.jenis not in JENIS_KONFLIK:
            raise ValueError(f"unknown conflict kind {self.jenis!r}")


def empty_deadlines() -> pd.DataFrame:
    """A deadline table with no rows: ``program``, ``tahap``, ``tanggal_tutup``."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in DEADLINE_COLUMNS})


def empty_people() -> pd.DataFrame:
    """A people table with no rows: ``nama``, ``peran``, ``tidak_tersedia``."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in PEOPLE_COLUMNS})


def _text(value: object) -> str:
    """A cell as stripped text; ``""`` for an empty or missing cell."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


@dataclass(frozen=True, eq=False)
class Schedule:
    """Route plans on the calendar.

    Attributes
    ----------
    days
        One row per team-day (``DAY_COLUMNS``): ``tanggal`` a date, ``hari_ke`` the day of the
        trip (1-based), ``desa``/``kode_desa``/``tiba`` lists in visiting order (arrival times
        ``HH:MM`` WITA), ``menginap`` the village where the team stays overnight (``""`` when
        none), ``anggota`` a list of names, ``mulai``/``selesai`` ``HH:MM``.
    conflicts
        What the planner must resolve.
    is_demo
        Whether the plan holds demo data.
    plan_id
        Identifies the plan; calendar UIDs are derived from it.
    created
        When the schedule was made (zoned); the calendar's DTSTAMP.
    holidays
        The holidays (date → name) the schedule was made with.
    deadlines
        Programme stages with closing dates (``DEADLINE_COLUMNS``).
    reconciliations
        The next reconciliation dates shown on the calendar.
    people
        The people table the schedule was checked against (``PEOPLE_COLUMNS``).
    """

    days: pd.DataFrame
    conflicts: tuple[Conflict, ...]
    is_demo: bool
    plan_id: str
    created: datetime
    holidays: Mapping[date, str] = field(default_factory=dict)
    deadlines: pd.DataFrame = field(default_factory=empty_deadlines)
    reconciliations: tuple[date, ...] = ()
    people: pd.DataFrame = field(default_factory=empty_people)

    def __post_init__(self) -> None:
        missing = [c for c in DAY_COLUMNS if c not in self.days.columns]
        if missing:
            raise ValueError(f"schedule days lack columns {missing}")
        if self.days.duplicated(["tim", "hari_ke"]).any():
            raise ValueError("a team's trip day appears twice")
        if not all(isinstance(d, date) for d in self.days["tanggal"]):
            raise ValueError("every tanggal must be a date")
        if not all(isinstance(c, Conflict) for c in self.conflicts):
            raise ValueError("conflicts must be Conflict objects")
        if not self.plan_id:
            raise ValueError("plan_id must not be empty")
        if self.created.tzinfo is None:
            raise ValueError("created must carry a time zone")
        if [c for c in DEADLINE_COLUMNS if c not in self.deadlines.columns]:
            raise ValueError(f"deadlines need columns {DEADLINE_COLUMNS}")

    def teams(self) -> list[str]:
        """Team names in plan order."""
        return list(dict.fromkeys(self.days["tim"]))

    def skipped_holidays(self) -> dict[date, str]:
        """Holidays on weekdays between the first and last trip day that no trip uses."""
        if self.days.empty:
            return {}
        first, last = min(self.days["tanggal"]), max(self.days["tanggal"])
        used = set(self.days["tanggal"])
        return {
            d: n
            for d, n in sorted(self.holidays.items())
            if first <= d <= last and d.weekday() < 5 and d not in used
        }

    def summary(self) -> dict:
        """Counts for a page or the CLI: teams, team-days, span, conflicts, holidays skipped."""
        kinds: dict[str, int] = {}
        for c in self.conflicts:
            kinds[c.jenis] = kinds.get(c.jenis, 0) + 1
        dates = list(self.days["tanggal"])
        return {
            "rencana": self.plan_id,
            "tim": len(self.teams()),
            "hari_tim": len(self.days),
            "mulai": min(dates).isoformat() if dates else None,
            "selesai": max(dates).isoformat() if dates else None,
            "konflik": len(self.conflicts),
            "konflik_per_jenis": kinds,
            "libur_dilewati": [d.isoformat() for d in self.skipped_holidays()],
            "rekonsiliasi": [d.isoformat() for d in self.reconciliations],
            "tenggat": len(self.deadlines),
            "data_contoh": self.is_demo,
        }


# -- holidays and working days -----------------------------------------------------------------


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_DATE_TOKEN = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{4}")
_RANGE_GLUE = re.compile(r"^\s*(?:\.\.|-|–|—|s\.?\s?d\.?|s/d|sampai(?: dengan)?|hingga)\s*$", re.I)


def parse_date(text: object) -> date | None:
    """A date written ``YYYY-MM-DD`` or ``DD/MM/YYYY`` (or a date value); ``None`` otherwise."""
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    if isinstance(text, pd.Timestamp):
        return None if pd.isna(text) else text.date()
    value = str(text).strip()
    if m := _ISO.match(value):
        y, mo, d = (int(g) for g in m.groups())
    elif m := _DMY.match(value):
        d, mo, y = (int(g) for g in m.groups())
    else:
        return None
    try:
        return date(y, mo, d)
    except ValueError:
        return None


def parse_unavailable(text: object) -> tuple[set[date], list[str]]:
    """Dates from a ``tidak_tersedia`` cell: comma- or semicolon-separated dates or ranges.

    A range is two dates joined by ``..``, `` - ``, ``s.d.``, ``s/d`` or ``sampai``:
    ``2026-12-01..2026-12-03, 10/12/2026``.

    Returns
    -------
    tuple
        The dates, and the parts that could not be read (as problem texts).
    """
    dates: set[date] = set()
    problems: list[str] = []
    for part in re.split(r"[,;]", _text(text)):
        part = part.strip()
        if not part:
            continue
        tokens = _DATE_TOKEN.findall(part)
        rest = _DATE_TOKEN.sub("", part)
        parsed = [parse_date(t) for t in tokens]
        if len(tokens) == 1 and not rest.strip() and parsed[0]:
            dates.add(parsed[0])
        elif len(tokens) == 2 and _RANGE_GLUE.match(rest) and all(parsed):
            first, last = parsed
            if last < first:
                problems.append(f"rentang '{part}' berakhir sebelum mulai; tukar kedua tanggalnya")
                continue
            if (last - first).days > 366:  # 0001-01-01..9999-12-31 would be 3.6 million dates
                problems.append(
                    f"rentang '{part}' lebih dari setahun; tulis rentang yang lebih pendek"
                )
                continue
            dates.update(first + timedelta(days=k) for k in range((last - first).days + 1))
        else:
            problems.append(
                f"'{part}' bukan tanggal atau rentang tanggal; tulis YYYY-MM-DD atau DD/MM/YYYY, "
                "rentang dengan '..' (2026-12-01..2026-12-03), dipisah koma"
            )
    return dates, problems


def _key(text: object) -> str:
    return re.sub(r"[\s_]+", " ", str(text)).strip().casefold()


def _columns(headers: list[str], wanted: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Canonical field → header as found (case, spaces and underscores ignored)."""
    found = {}
    for fieldname, names in wanted.items():
        for header in headers:
            if _key(header) in names:
                found[fieldname] = header
                break
    return found


def _read_rows(
    data: bytes, filename: str, wanted: dict[str, tuple[str, ...]], required: tuple[str, ...]
) -> tuple[pd.DataFrame, dict[str, str], list[str], str]:
    from geo.intake.headers import shown_headers
    from geo.intake.limits import base_name
    from geo.intake.tables import read_table

    name = base_name(filename)
    body, headers = read_table(data, filename=name)
    cols = _columns(headers, wanted)
    missing = [f for f in required if f not in cols]
    if missing:
        raise InputFileError(
            f"Berkas {name}: kolom {', '.join(missing)} tidak ditemukan (ada: "
            f"{shown_headers(headers)}). Baris 1 harus berisi judul kolom "
            f"{', '.join(wanted)}."
        )
    problems = [
        f"{name} baris {int(line) + 1}: baris tidak dapat dibaca (kolom lebih banyak dari "
        "judulnya); baris dilewati."
        for line in body.attrs.get("bad_lines", [])
    ]
    return body, cols, problems, name


def read_holiday_file(data: bytes, filename: str) -> tuple[dict[date, str], list[str]]:
    """Extra holidays (regional days, a Bupati's decree) from a CSV/XLSX with ``tanggal, nama``.

    Parameters
    ----------
    data
        The file's bytes.
    filename
        Its name as the user sees it.

    Returns
    -------
    tuple
        Date → name of the good rows, and one Indonesian problem text per bad row (bad rows
        are left out; good rows are kept).

    Raises
    ------
    InputFileError
        Unreadable file, or no ``tanggal`` column.
    """
    wanted = {"tanggal": ("tanggal", "tgl", "date"), "nama": ("nama", "keterangan", "nama libur")}
    body, cols, problems, name = _read_rows(data, filename, wanted, ("tanggal",))
    out: dict[date, str] = {}
    for i, row in body.iterrows():
        line = int(i) + 2
        raw = str(row[cols["tanggal"]]).strip()
        label = str(row[cols["nama"]]).strip() if "nama" in cols else ""
        if not raw and not label:
            continue
        day = parse_date(raw)
        if day is None:
            problems.append(
                f"{name} baris {line} kolom tanggal: '{raw}' bukan tanggal; tulis YYYY-MM-DD "
                "atau DD/MM/YYYY. Baris dilewati."
            )
            continue
        label = label or "Libur tambahan"
        out[day] = f"{out[day]}; {label}" if day in out else label
    return out, problems


def read_people(data: bytes, *, filename: str) -> tuple[pd.DataFrame, list[str]]:
    """People who go on trips, from a CSV/XLSX with ``nama, peran, tidak_tersedia``.

    Returns
    -------
    tuple
        The good rows (``PEOPLE_COLUMNS``; ``peran`` spelled as in ``PERAN``, ``tidak_tersedia``
        rewritten as ISO dates and ranges) and one problem text per bad row or cell.

    Raises
    ------
    InputFileError
        Unreadable file, or no ``nama`` column.
    """
    wanted = {
        "nama": ("nama",),
        "peran": ("peran", "instansi", "jabatan"),
        "tidak_tersedia": ("tidak tersedia", "tidak hadir", "cuti"),
    }
    body, cols, problems, name = _read_rows(data, filename, wanted, ("nama",))
    roles = {r.casefold(): r for r in PERAN}
    rows, seen = [], set()
    for i, row in body.iterrows():
        line = int(i) + 2
        values = {f: str(row[h]).strip() for f, h in cols.items()}
        if not any(values.values()):
            continue
        who = values.get("nama", "")
        if not who:
            problems.append(f"{name} baris {line} kolom nama: kosong; baris dilewati.")
            continue
        if _key(who) in seen:
            problems.append(
                f"{name} baris {line}: {who} sudah tercantum di baris sebelumnya; baris dilewati. "
                "Gabungkan tanggal tidak tersedianya dalam satu baris."
            )
            continue
        role = values.get("peran", "")
        if role and role.casefold() not in roles:
            problems.append(
                f"{name} baris {line} kolom peran: '{role}' tidak dikenal; pilih "
                f"{', '.join(PERAN)}. Baris dilewati."
            )
            continue
        dates, bad = parse_unavailable(values.get("tidak_tersedia", ""))
        if bad:
            problems.extend(
                f"{name} baris {line} kolom tidak_tersedia: {b}. Baris dilewati." for b in bad
            )
            continue
        seen.add(_key(who))
        rows.append(
            {
                "nama": who,
                "peran": roles.get(role.casefold(), ""),
                "tidak_tersedia": _ranges_text(dates),
            }
        )
    return pd.DataFrame(rows, columns=PEOPLE_COLUMNS), problems


def _ranges_text(dates: Iterable[date]) -> str:
    """``2026-12-01..2026-12-03, 2026-12-10``."""
    out: list[list[date]] = []
    for d in sorted(dates):
        if out and d == out[-1][1] + timedelta(days=1):
            out[-1][1] = d
        else:
            out.append([d, d])
    return ", ".join(a.isoformat() if a == b else f"{a}..{b}" for a, b in out)


def read_deadlines(data: bytes, *, filename: str) -> tuple[pd.DataFrame, list[str]]:
    """Programme stages with closing dates, from a CSV/XLSX with ``program, tahap, tanggal_tutup``.

    Returns
    -------
    tuple
        The good rows (``DEADLINE_COLUMNS``, ``tanggal_tutup`` as dates) and one problem text per
        bad row.

    Raises
    ------
    InputFileError
        Unreadable file, or a required column missing.
    """
    wanted = {
        "program": ("program",),
        "tahap": ("tahap",),
        "tanggal_tutup": ("tanggal tutup", "tutup", "batas", "tanggal"),
    }
    body, cols, problems, name = _read_rows(data, filename, wanted, tuple(wanted))
    frame = body.rename(columns={h: f for f, h in cols.items()})[DEADLINE_COLUMNS]
    frame = frame.assign(_baris=frame.index + 2)
    good, bad = _normalise_deadlines(frame, where=name)
    return good, problems + bad


def _normalise_deadlines(frame: pd.DataFrame, *, where: str) -> tuple[pd.DataFrame, list[str]]:
    rows, problems = [], []
    programs = {p.casefold(): p for p in PROGRAM}
    for i, row in frame.iterrows():
        line = int(row["_baris"]) if "_baris" in frame.columns else int(i) + 1
        program, tahap = _text(row["program"]), _text(row["tahap"])
        raw = row["tanggal_tutup"]
        if not program and not tahap and not _text(raw):
            continue
        if program.casefold() not in programs:
            problems.append(
                f"{where} baris {line} kolom program: '{program}' bukan {' atau '.join(PROGRAM)}; "
                "baris dilewati."
            )
            continue
        if not tahap:
            problems.append(f"{where} baris {line} kolom tahap: kosong; baris dilewati.")
            continue
        day = parse_date(raw)
        if day is None:
            problems.append(
                f"{where} baris {line} kolom tanggal_tutup: '{raw}' bukan tanggal; tulis "
                "YYYY-MM-DD atau DD/MM/YYYY. Baris dilewati."
            )
            continue
        rows.append({"program": programs[program.casefold()], "tahap": tahap, "tanggal_tutup": day})
    out = pd.DataFrame(rows, columns=DEADLINE_COLUMNS) if rows else empty_deadlines()
    return out, problems


def _deadlines(deadlines: pd.DataFrame | None) -> pd.DataFrame:
    if deadlines is None:
        return empty_deadlines()
    missing = [c for c in DEADLINE_COLUMNS if c not in deadlines.columns]
    if missing:
        raise ScheduleError(
            f"Tabel tahap penyaluran tidak berisi kolom {', '.join(missing)}; kolomnya harus "
            f"{', '.join(DEADLINE_COLUMNS)}."
        )
    frame = deadlines.reset_index(drop=True)
    good, problems = _normalise_deadlines(frame, where="Tabel tahap penyaluran")
    if problems:
        raise ScheduleError(" ".join(problems))
    return good


def _people(people: pd.DataFrame | None) -> dict[str, tuple[str, set[date]]]:
    """Person key → (name as written, unavailable dates)."""
    if people is None:
        return {}
    if "nama" not in people.columns:
        raise ScheduleError(
            "Tabel petugas tidak berisi kolom nama; kolomnya harus nama, peran, tidak_tersedia."
        )
    out, problems = {}, []
    for i, row in people.reset_index(drop=True).iterrows():
        who = _text(row["nama"])
        if not who:
            continue
        dates, bad = parse_unavailable(row.get("tidak_tersedia"))
        problems.extend(f"Tabel petugas baris {int(i) + 1} ({who}): {b}." for b in bad)
        known = out.get(_key(who), (who, set()))
        out[_key(who)] = (known[0], known[1] | dates)
    if problems:
        raise ScheduleError(" ".join(problems))
    return out


# -- cadence -----------------------------------------------------------------------------------


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


def reconciliation_dates(
    last: date,
    *,
    every_months: int = RECONCILE_EVERY_MONTHS,
    until: date,
    holidays: Mapping[date, str] | None = None,
) -> list[date]:
    """The next reconciliation rounds after ``last``, every ``every_months`` months.

    Each date is counted from ``last`` (31 January + 1 month is 28 February, + 2 months is
    31 March), so dates do not drift.

    Parameters
    ----------
    last
        The last reconciliation.
    every_months
        Months between rounds (1–12).
    until
        The last date shown.
    holidays
        When given, a date on a weekend or holiday moves to the next working day.

    Raises
    ------
    ScheduleError
        ``every_months`` outside 1–12.
    """
    if not 1 <= every_months <= 12:
        raise ScheduleError(
            f"Jarak rekonsiliasi {every_months} bulan tidak sah; pilih 1 sampai 12 bulan."
        )
    out, k = [], 1
    while (day := _add_months(last, k * every_months)) <= until:
        if holidays is not None:
            day = working_days(day, 1, holidays=holidays)[0]
        if day <= until:
            out.append(day)
        k += 1
    return out


# -- assigning trips to days -------------------------------------------------------------------


def _trip_length(route: TeamRoute) -> int:
    """Working days of a trip: its last stop's ``hari`` or its return, whichever is later.

    The routes are laid on working days (weekends and holidays skipped), so the return's index
    is the number of working days from departure to return (``TeamRoute.hari``).
    """
    return max([1, route.hari, *(s.hari for s in route.stops)])


def _away_nights(route: TeamRoute) -> set[int]:
    """Days of a trip (1 = the first) after which the team spends the night away from home."""
    return {s.hari for s in route.stops if s.menginap} | {
        s.hari - 1 for s in route.stops if s.menginap_sebelum
    }


def _trip_dates(first: date, route: TeamRoute, holidays: Mapping[date, str]) -> list[date]:
    """The trip's working days from ``first``; a trip with nights away starts on the first
    working day from which each night away is followed by the next calendar day (a team does
    not wait out a weekend or holiday in the field)."""
    n, away = _trip_length(route), _away_nights(route)
    day = first
    for _ in range(31):
        dates = working_days(day, n, holidays=holidays)
        if all(dates[k] - dates[k - 1] == timedelta(days=1) for k in away if 0 < k < n):
            return dates
        day = dates[0] + timedelta(days=1)
    return working_days(first, n, holidays=holidays)


def _hhmm(value: time | datetime) -> str:
    return value.strftime("%H:%M")


def _route_days(route: TeamRoute, dates: list[date]) -> list[dict]:
    rows = []
    n = len(dates)
    for k, day in enumerate(dates, start=1):
        stops = [s for s in route.stops if s.hari == k]
        overnight = [s.desa for s in stops if s.menginap] + [
            s.desa for s in route.stops if s.menginap_sebelum and s.hari == k + 1
        ]
        if k == n:
            end = route.kembali.time()
        else:
            latest = max((s.berangkat.time() for s in stops), default=settings.WORK_END)
            end = max(settings.WORK_END, latest)
        start = route.berangkat.time() if k == 1 else settings.WORK_START
        if end <= start:
            end = settings.WORK_END
        rows.append(
            {
                "tim": route.tim,
                "tanggal": day,
                "hari_ke": k,
                "jumlah_hari": n,
                "desa": [s.desa for s in stops],
                "kode_desa": [s.kode_desa for s in stops],
                "tiba": [_hhmm(s.tiba) for s in stops],
                "menginap": overnight[-1] if overnight and k < n else "",
                "depot": route.depot,
                "depot_nama": route.depot_nama,
                "anggota": list(route.anggota),
                "mulai": _hhmm(start),
                "selesai": _hhmm(end),
            }
        )
    return rows


def default_plan_id(plan: RoutePlan) -> str:
    """A plan's id from its creation time: the same plan file gives the same calendar UIDs."""
    return "rute-" + plan.dibuat.strftime("%Y%m%dT%H%M%S")


def assign(
    plan: RoutePlan,
    start: date,
    *,
    holidays: Mapping[date, str],
    people: pd.DataFrame | None = None,
    deadlines: pd.DataFrame | None = None,
    allow_holidays: bool = False,
    team_start: Mapping[str, date] | None = None,
    reconciliations: Sequence[date] = (),
    plan_id: str | None = None,
    created: datetime | None = None,
) -> Schedule:
    """Put each team's trip on the calendar: its *d* days on the next *d* working days.

    Parameters
    ----------
    plan
        A route plan (``RoutePlan.from_json`` of a saved plan or a ``rute.json``).
    start
        The first day any trip may use; a weekend or holiday moves on to the next working day.
    holidays
        Date → name (``indonesian_holidays`` and the planner's own days); it must cover the
        years the trips fall in.
    people
        ``nama``, ``peran``, ``tidak_tersedia`` (comma-separated dates or ranges). Team members
        are the routes' ``anggota``, matched by name (case and spacing ignored).
    deadlines
        ``program``, ``tahap``, ``tanggal_tutup``.
    allow_holidays
        Let trips run on holidays (still not on weekends); each such day is reported.
    team_start
        A different start date for some teams (team name → date).
    reconciliations
        The next reconciliation dates to show (``reconciliation_dates``).
    plan_id
        Identifies the plan in calendar UIDs; default ``default_plan_id(plan)``.
    created
        When the schedule is made (default now); a naive time is read as WITA.

    Raises
    ------
    ScheduleError
        A ``team_start`` for a team not in the plan, or an unusable people or deadline table.
    """
    names = [r.tim for r in plan.routes]
    team_start = dict(team_start or {})
    unknown = [t for t in team_start if t not in names]
    if unknown:
        raise ScheduleError(
            f"Tim {', '.join(unknown)} tidak ada dalam rencana rute; pilih dari {', '.join(names)}."
        )
    deadline_frame = _deadlines(deadlines)
    person_index = _people(people)
    skip = {} if allow_holidays else holidays
    rows: list[dict] = []
    for route in plan.routes:
        if not route.stops:
            continue  # a team with no village to visit has no trip
        first = team_start.get(route.tim, start)
        rows.extend(_route_days(route, _trip_dates(first, route, skip)))
    days = pd.DataFrame(rows, columns=DAY_COLUMNS)
    if created is None:
        created = datetime.now(UTC).replace(microsecond=0)
    elif created.tzinfo is None:
        created = created.replace(tzinfo=WITA)
    conflicts = _conflicts(days, holidays, deadline_frame, person_index)
    return Schedule(
        days=days,
        conflicts=tuple(conflicts),
        is_demo=plan.is_demo,
        plan_id=plan_id or default_plan_id(plan),
        created=created,
        holidays=dict(sorted(holidays.items())),
        deadlines=deadline_frame,
        reconciliations=tuple(sorted(reconciliations)),
        people=empty_people() if people is None else people.reset_index(drop=True),
    )


# -- conflicts ---------------------------------------------------------------------------------


def _hari(day: date) -> str:
    return f"{HARI[day.weekday()]}, {tanggal(day)}"


def check(
    schedule: Schedule | pd.DataFrame,
    *,
    holidays: Mapping[date, str] | None = None,
    deadlines: pd.DataFrame | None = None,
    people: pd.DataFrame | None = None,
) -> list[Conflict]:
    """Check an (edited) schedule again.

    Parameters
    ----------
    schedule
        A schedule, or its ``days`` table after the planner moved dates (``tanggal`` may be
        text ``YYYY-MM-DD``/``DD/MM/YYYY``).
    holidays, deadlines, people
        Default: the schedule's own (none for a bare table). ``people``: ``nama``, ``peran``,
        ``tidak_tersedia``.

    Raises
    ------
    ScheduleError
        A ``tanggal`` that is not a date, or an unusable people or deadline table.
    """
    if isinstance(schedule, Schedule):
        days = schedule.days
        holidays = schedule.holidays if holidays is None else holidays
        deadline_frame = schedule.deadlines if deadlines is None else _deadlines(deadlines)
        people = schedule.people if people is None else people
    else:
        days = schedule
        holidays = holidays or {}
        deadline_frame = _deadlines(deadlines)
    parsed = [parse_date(v) for v in days["tanggal"]]
    bad = [
        f"baris {i + 1} ('{v}')"
        for i, (v, p) in enumerate(zip(days["tanggal"], parsed, strict=True))
        if p is None
    ]
    if bad:
        raise ScheduleError(
            f"Tanggal jadwal tidak dapat dibaca: {', '.join(bad)}; tulis YYYY-MM-DD atau "
            "DD/MM/YYYY."
        )
    days = days.assign(tanggal=parsed)
    return _conflicts(days, holidays, deadline_frame, _people(people))


def _conflicts(
    days: pd.DataFrame,
    holidays: Mapping[date, str],
    deadlines: pd.DataFrame,
    people: dict[str, tuple[str, set[date]]],
) -> list[Conflict]:
    out: list[Conflict] = []
    for row in days.itertuples(index=False):
        day = row.tanggal
        if day.weekday() >= 5:
            out.append(
                Conflict(
                    "akhir_pekan",
                    row.tim,
                    day,
                    f"{row.tim} hari ke-{row.hari_ke} jatuh pada {_hari(day)}: pindahkan ke "
                    "hari kerja.",
                )
            )
        elif day in holidays:
            out.append(
                Conflict(
                    "libur",
                    row.tim,
                    day,
                    f"{row.tim} hari ke-{row.hari_ke} jatuh pada hari libur {holidays[day]} "
                    f"({_hari(day)}): geser perjalanan ke hari kerja berikutnya, atau pastikan "
                    "semua anggota bersedia bertugas hari itu.",
                )
            )
    out.extend(_split_trips(days, holidays))
    out.extend(_people_conflicts(days, people))
    out.extend(_deadline_conflicts(days, deadlines))
    return sorted(out, key=lambda c: (c.tanggal, c.tim, c.jenis))


def _split_trips(days: pd.DataFrame, holidays: Mapping[date, str]) -> list[Conflict]:
    out = []
    for tim, trip in days.groupby("tim", sort=False):
        trip = trip.sort_values("hari_ke")
        pairs = zip(trip.iloc[:-1].itertuples(), trip.iloc[1:].itertuples(), strict=True)
        for before, after in pairs:
            expected = working_days(before.tanggal + timedelta(days=1), 1, holidays=holidays)[0]
            if after.tanggal <= before.tanggal or after.tanggal > expected:
                out.append(
                    Conflict(
                        "terpisah",
                        str(tim),
                        after.tanggal,
                        f"{tim}: hari ke-{before.hari_ke} ({tanggal(before.tanggal)}) dan hari "
                        f"ke-{after.hari_ke} ({tanggal(after.tanggal)}) bukan hari kerja "
                        "berurutan, padahal tim menginap di jalan. Jadwalkan hari ke-"
                        f"{after.hari_ke} pada {_hari(expected)}, atau geser seluruh perjalanan.",
                    )
                )
    return out


def _people_conflicts(
    days: pd.DataFrame, people: dict[str, tuple[str, set[date]]]
) -> list[Conflict]:
    out = []
    teams_on: dict[tuple[str, date], list[str]] = {}
    written: dict[str, str] = {}
    for row in days.itertuples(index=False):
        members = row.anggota.split(",") if isinstance(row.anggota, str) else row.anggota
        for who in members:
            key = _key(who)
            if not key:
                continue
            written.setdefault(key, str(who).strip())
            on = teams_on.setdefault((key, row.tanggal), [])
            if row.tim not in on:
                on.append(row.tim)
            if key in people and row.tanggal in people[key][1]:
                out.append(
                    Conflict(
                        "tidak_tersedia",
                        row.tim,
                        row.tanggal,
                        f"{people[key][0]} tidak tersedia pada {_hari(row.tanggal)} tetapi ikut "
                        f"{row.tim} hari ke-{row.hari_ke}: ganti anggota itu atau geser "
                        "perjalanan.",
                    )
                )
    for (key, day), teams in teams_on.items():
        if len(teams) > 1:
            name = people[key][0] if key in people else written[key]
            out.append(
                Conflict(
                    "ganda",
                    ", ".join(teams),
                    day,
                    f"{name} dijadwalkan di {' dan '.join(teams)} pada {_hari(day)}: ganti "
                    "anggota salah satu tim atau geser salah satu perjalanan.",
                )
            )
    return out


def _deadline_conflicts(days: pd.DataFrame, deadlines: pd.DataFrame) -> list[Conflict]:
    """Trip days after the closing date of the stage that is open when the trips begin.

    For each programme the stage that matters is the one with the earliest closing date on or
    after the first trip day; when every stage has closed before it, the last one.
    """
    if days.empty or deadlines.empty:
        return []
    first = min(days["tanggal"])
    out = []
    for program, stages in deadlines.groupby("program", sort=True):
        stages = stages.sort_values("tanggal_tutup")
        open_ = stages[stages["tanggal_tutup"] >= first]
        stage = open_.iloc[0] if len(open_) else stages.iloc[-1]
        close = stage["tanggal_tutup"]
        for tim, trip in days.groupby("tim", sort=False):
            late = sorted(d for d in trip["tanggal"] if d > close)
            if not late:
                continue
            out.append(
                Conflict(
                    "tenggat",
                    str(tim),
                    late[0],
                    f"{tim}: {len(late)} hari perjalanan (mulai {tanggal(late[0])}) jatuh "
                    f"sesudah {program} tahap {stage['tahap']} ditutup ({tanggal(close)}); KPM "
                    "yang belum mencairkan tidak dapat dibantu untuk tahap itu. Majukan "
                    "perjalanan atau pastikan tanggal tutupnya.",
                )
            )
    return out


# -- exports -----------------------------------------------------------------------------------


def _uid(*parts: object) -> str:
    digest = hashlib.sha1("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return f"{digest[:24]}@{_UID_DOMAIN}"


def _clock(text: object, default: time) -> time:
    try:
        return time.fromisoformat(str(text).strip())
    except ValueError:
        return default


def _description(row, *, demo: bool, plan_id: str) -> str:
    lines = [DEMO_NOTE, ""] if demo else []
    lines.append(f"{row.tim} — hari ke-{row.hari_ke} dari {row.jumlah_hari}")
    lines.append(f"Depot: {row.depot_nama} ({row.depot})")
    if list(row.desa):
        lines.append("Urutan desa:")
        lines.extend(
            f"{i}. {d} (tiba {t})"
            for i, (d, t) in enumerate(zip(row.desa, row.tiba, strict=False), start=1)
        )
    else:
        lines.append("Tidak ada kunjungan desa hari ini (perjalanan).")
    if row.menginap:
        lines.append(f"Menginap di {row.menginap}.")
    elif row.hari_ke == row.jumlah_hari:
        lines.append(f"Kembali ke depot sekitar {row.selesai}.")
    if list(row.anggota):
        lines.append("Anggota: " + ", ".join(row.anggota))
    lines.append(f"Rencana: {plan_id}")
    return "\n".join(lines)


def ics_bytes(schedule: Schedule, *, team: str | None = None, plan_id: str | None = None) -> bytes:
    """The schedule as an iCalendar file (Google Calendar, Outlook).

    One timed event per team-day, in WITA (``TZID=Asia/Makassar`` with its ``VTIMEZONE``). The
    all-teams calendar (``team=None``) also holds the next reconciliation dates and the
    programme stages' closing dates as all-day events. UIDs come from the plan id, the team and
    the day of the trip, so importing a re-export updates the events; DTSTAMP is the schedule's
    creation time, so exporting one schedule twice gives the same bytes, and SEQUENCE grows with
    it, so a newer schedule's events replace older ones.

    Parameters
    ----------
    team
        Only this team's days; ``None``: all teams.
    plan_id
        Default: the schedule's.

    Raises
    ------
    ScheduleError
        ``team`` is not in the schedule.
    """
    import icalendar

    plan_id = plan_id or schedule.plan_id
    days = schedule.days
    if team is not None:
        if team not in schedule.teams():
            raise ScheduleError(
                f"{team} tidak ada di jadwal; pilih dari {', '.join(schedule.teams())}."
            )
        days = days[days["tim"] == team]
    stamp = schedule.created.astimezone(UTC)
    sequence = max(0, int((stamp - _SEQUENCE_EPOCH).total_seconds() // 60))
    mark = f"[{DEMO_LABEL}] " if schedule.is_demo else ""

    cal = icalendar.Calendar()
    cal.add("prodid", "-//Jangkau//Jadwal Kunjungan Kukar//ID")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{mark}Jangkau — jadwal kunjungan {team or 'semua tim'}")
    cal.add("x-wr-timezone", "Asia/Makassar")

    def event(uid: str, summary: str, description: str) -> icalendar.Event:
        ev = icalendar.Event()
        ev.add("uid", uid)
        ev.add("dtstamp", stamp)
        ev.add("sequence", sequence)
        ev.add("summary", summary)
        ev.add("description", description)
        return ev

    for row in days.sort_values(["tanggal", "tim"], kind="stable").itertuples(index=False):
        villages = ", ".join(row.desa)
        if villages:
            summary = f"{mark}Kunjungan {row.tim}: {villages}"
        elif row.hari_ke == row.jumlah_hari:
            summary = f"{mark}Perjalanan {row.tim}: pulang ke {row.depot_nama}"
        else:
            summary = f"{mark}Perjalanan {row.tim}"
        ev = event(
            _uid(plan_id, "kunjungan", row.tim, row.hari_ke),
            summary,
            _description(row, demo=schedule.is_demo, plan_id=plan_id),
        )
        begin = _clock(row.mulai, settings.WORK_START)
        end = max(_clock(row.selesai, settings.WORK_END), begin)
        ev.add("dtstart", datetime.combine(row.tanggal, begin, tzinfo=WITA))
        ev.add("dtend", datetime.combine(row.tanggal, end, tzinfo=WITA))
        cal.add_component(ev)

    if team is None:
        note = f"{DEMO_NOTE}\n\n" if schedule.is_demo else ""
        # Shared dates carry no plan id in their UIDs: calendars of two plans do not repeat them.
        for day in schedule.reconciliations:
            ev = event(
                _uid("rekonsiliasi", day.isoformat()),
                f"{mark}Rekonsiliasi data Dinsos–BRI",
                f"{note}Putaran rekonsiliasi berikutnya: cocokkan data Dinsos dengan realisasi "
                "BRI dan muat hasilnya di Jangkau.",
            )
            _all_day(ev, day)
            cal.add_component(ev)
        for stage in schedule.deadlines.sort_values("tanggal_tutup").itertuples(index=False):
            ev = event(
                _uid("tenggat", stage.program, stage.tahap),
                f"{mark}{stage.program} tahap {stage.tahap} ditutup",
                f"{note}Tanggal tutup penyaluran {stage.program} tahap {stage.tahap}. Kunjungan "
                "sesudah tanggal ini tidak dapat membantu KPM mencairkan bantuan tahap ini.",
            )
            _all_day(ev, stage.tanggal_tutup)
            cal.add_component(ev)
    cal.add_missing_timezones()
    return cal.to_ical()


def _all_day(ev, day: date) -> None:
    ev.add("dtstart", day)
    ev.add("dtend", day + timedelta(days=1))
    ev.add("transp", "TRANSPARENT")


def days_frame(schedule: Schedule) -> pd.DataFrame:
    """The team-days as a flat table for a sheet (lists joined, weekday named)."""
    days = schedule.days

    def joined(values: Iterable[object]) -> list[str]:
        return [", ".join(str(x) for x in v) for v in values]

    return pd.DataFrame(
        {
            "tim": days["tim"],
            "tanggal": days["tanggal"],
            "hari": [HARI[d.weekday()] for d in days["tanggal"]],
            "hari_ke": days["hari_ke"],
            "jumlah_hari": days["jumlah_hari"],
            "desa": joined(days["desa"]),
            "tiba": joined(days["tiba"]),
            "menginap": days["menginap"],
            "depot": days["depot_nama"],
            "anggota": joined(days["anggota"]),
            "mulai": days["mulai"],
            "selesai": days["selesai"],
        }
    )
