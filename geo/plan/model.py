"""The field-visit routing problem in plain terms: teams, candidate villages, the stops of a
route, a team's trip and a whole plan (with its ``rute.json`` layout), and the rules every step
counts by.

Each team makes one trip from its depot and back, of at most ``min(days available,
settings.MAX_TRIP_DAYS)`` working days (``trip_days``). Time is counted in working minutes: a day
runs from ``settings.WORK_START`` to ``settings.WORK_END`` (``day_minutes``). Visiting a village
earns its prize (its priority score); service time = fixed minutes + minutes per unrealized KPM
(``service_minutes``). Villages can be required, excluded, or locked to a team.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from geo import fmt, settings
from geo._errors import JangkauError
from geo.plan.calendar import count_working_days


class RoutingError(JangkauError):
    """The request cannot be planned (no teams, no days, required villages that cannot fit)."""


@dataclass(frozen=True)
class Team:
    """A joint Dinsos+BRI field team.

    Attributes
    ----------
    nama
        Team name shown on sheets (``Tim 1``).
    depot
        Depot id (a BRI branch office or the Dinsos office).
    hari
        Working days available for this trip.
    perahu
        Whether the team may take boat legs.
    anggota
        Members (names as the planner typed them).
    """

    nama: str
    depot: str
    hari: int = 1
    perahu: bool = True
    anggota: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.hari < 1:
            raise RoutingError(f"{self.nama}: jumlah hari harus 1 atau lebih.")


@dataclass(frozen=True)
class Candidate:
    """A village that may be visited."""

    kode_desa: str
    desa: str
    kecamatan: str
    hadiah: float  # prize: the priority score (0–100)
    kpm_belum: int
    wajib: bool = False
    kunci_tim: str | None = None  # locked to this team


@dataclass(frozen=True)
class Stop:
    """One visit on a route. Times are local (WITA) and naive."""

    urutan: int
    kode_desa: str
    desa: str
    kecamatan: str
    hari: int
    tiba: datetime
    berangkat: datetime
    menit_tempuh: int
    moda: str
    sumber: str
    kpm_belum: int
    menginap: bool = False  # the team stays overnight here after this visit
    #: Minutes of the drive back to the depot for the night after this visit (0: no such
    #: drive). A team near its office sleeps at home; the next leg then starts from the depot.
    pulang_malam: int = 0
    #: Landings (dermaga) the leg into this village passes, in order ("" when none).
    dermaga: str = ""
    #: The team arrived too late for the visit after a long leg and spent the night here
    #: before it (the visit starts the next morning).
    menginap_sebelum: bool = False


@dataclass(frozen=True)
class TeamRoute:
    """A team's trip: its stops in order and the way back to the depot."""

    tim: str
    depot: str
    depot_nama: str
    anggota: tuple[str, ...]
    stops: tuple[Stop, ...]
    berangkat: datetime
    kembali: datetime
    menit_pulang: int
    moda_pulang: str
    sumber_pulang: str
    dermaga_pulang: str = ""  # landings on the way back to the depot

    @property
    def hari(self) -> int:
        """Working days the trip takes, departure and return included (weekends and holidays
        in between do not count: the calendar lays trips on working days only)."""
        return count_working_days(self.berangkat.date(), self.kembali.date())

    def summary(self) -> dict:
        return {
            "tim": self.tim,
            "depot": self.depot,
            "desa": len(self.stops),
            "hari": self.hari,
            "kpm_belum": sum(s.kpm_belum for s in self.stops),
        }


@dataclass(frozen=True)
class RoutePlan:
    """A solved plan: routes per team and the villages left out, each with a reason."""

    params: dict
    routes: tuple[TeamRoute, ...]
    tidak_dikunjungi: tuple[tuple[str, str, str], ...]  # (kode_desa, desa, alasan)
    is_demo: bool = False
    dibuat: datetime = field(default_factory=lambda: fmt.now_wita())  # local (WITA) time

    def __post_init__(self) -> None:
        visited = [s.kode_desa for r in self.routes for s in r.stops]
        if len(visited) != len(set(visited)):
            raise ValueError("a village appears on two routes")
        if set(visited) & {k for k, _, _ in self.tidak_dikunjungi}:
            raise ValueError("a village is both visited and left out")

    def summary(self) -> dict:
        return {
            "tim": len(self.routes),
            "desa_dikunjungi": sum(len(r.stops) for r in self.routes),
            "desa_tidak_dikunjungi": len(self.tidak_dikunjungi),
            "kpm_belum_dijangkau": sum(s.kpm_belum for r in self.routes for s in r.stops),
        }

    @classmethod
    def from_json(cls, data: dict) -> RoutePlan:
        """The plan back from ``to_json()`` (a saved plan, a ``rute.json``)."""

        def when(text: str) -> datetime:
            return datetime.fromisoformat(text)

        routes = tuple(
            TeamRoute(
                tim=r["tim"],
                depot=r["depot"],
                depot_nama=r.get("depot_nama", r["depot"]),
                anggota=tuple(r.get("anggota", ())),
                stops=tuple(
                    Stop(**{**s, "tiba": when(s["tiba"]), "berangkat": when(s["berangkat"])})
                    for s in r["stops"]
                ),
                berangkat=when(r["berangkat"]),
                kembali=when(r["kembali"]),
                menit_pulang=r["pulang"]["menit_tempuh"],
                moda_pulang=r["pulang"]["moda"],
                sumber_pulang=r["pulang"]["sumber"],
                dermaga_pulang=r["pulang"].get("dermaga", ""),
            )
            for r in data["routes"]
        )
        left = tuple((x["kode_desa"], x["desa"], x["alasan"]) for x in data["tidak_dikunjungi"])
        return cls(
            params=data["params"],
            routes=routes,
            tidak_dikunjungi=left,
            is_demo=bool(data.get("data_contoh", False)),
            dibuat=when(data["dibuat"]) if "dibuat" in data else fmt.now_wita(),
        )

    def to_json(self) -> dict:
        """The CLI's ``rute.json`` layout."""
        return {
            "params": self.params,
            "data_contoh": self.is_demo,
            "dibuat": self.dibuat.isoformat(),
            "routes": [
                {
                    "tim": r.tim,
                    "depot": r.depot,
                    "depot_nama": r.depot_nama,
                    "anggota": list(r.anggota),
                    "berangkat": r.berangkat.isoformat(),
                    "kembali": r.kembali.isoformat(),
                    "pulang": {
                        "menit_tempuh": r.menit_pulang,
                        "moda": r.moda_pulang,
                        "sumber": r.sumber_pulang,
                        "dermaga": r.dermaga_pulang,
                    },
                    "stops": [
                        {
                            "urutan": s.urutan,
                            "kode_desa": s.kode_desa,
                            "desa": s.desa,
                            "kecamatan": s.kecamatan,
                            "hari": s.hari,
                            "tiba": s.tiba.isoformat(),
                            "berangkat": s.berangkat.isoformat(),
                            "menit_tempuh": s.menit_tempuh,
                            "moda": s.moda,
                            "sumber": s.sumber,
                            "kpm_belum": s.kpm_belum,
                            "menginap": s.menginap,
                            "pulang_malam": s.pulang_malam,
                            "dermaga": s.dermaga,
                            "menginap_sebelum": s.menginap_sebelum,
                        }
                        for s in r.stops
                    ],
                }
                for r in self.routes
            ],
            "tidak_dikunjungi": [
                {"kode_desa": k, "desa": d, "alasan": a} for k, d, a in self.tidak_dikunjungi
            ],
        }


# -- the rules every step counts by ----------------------------------------------------------


def service_minutes(kpm_belum: int) -> int:
    """Minutes spent in a village: fixed time plus time per unrealized KPM, capped."""
    minutes = settings.SERVICE_FIXED_MIN + settings.SERVICE_PER_KPM_MIN * kpm_belum
    return int(round(min(minutes, settings.SERVICE_MAX_MIN)))


def day_minutes() -> int:
    """Working minutes in a day, ``settings.WORK_START`` to ``settings.WORK_END``."""
    start = datetime.combine(date.today(), settings.WORK_START)
    end = datetime.combine(date.today(), settings.WORK_END)
    return int((end - start).total_seconds() // 60)


def trip_days(team: Team) -> int:
    """Working days the team's trip may take: its days, at most ``settings.MAX_TRIP_DAYS``."""
    return max(1, min(team.hari, settings.MAX_TRIP_DAYS))


def nights_away(route: TeamRoute) -> int:
    """Nights the team spends away from home on the trip."""
    return sum(s.menginap + s.menginap_sebelum for s in route.stops)


def nights_over_break(route: TeamRoute) -> bool:
    """Whether the team would wait out a weekend or holiday in the field: between two moments
    of a trip that fall on different dates, with no night at home between them, the later one
    must be on the next calendar day."""
    moments: list[tuple[date, bool]] = [(route.berangkat.date(), False)]  # (date, home after)
    for s in route.stops:
        moments += [(s.tiba.date(), False), (s.berangkat.date(), bool(s.pulang_malam))]
    moments.append((route.kembali.date(), False))
    return any(
        later - earlier > timedelta(days=1) and not home
        for (earlier, home), (later, _) in itertools.pairwise(moments)
    )
