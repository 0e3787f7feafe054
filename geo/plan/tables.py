"""Tables the plan pages read and show, as plain data (no Streamlit): teams from the team
editor, a route's stops and the villages left out as shown on Rute Kunjungan, the saved plans,
the calendar of a schedule, the stops a visit-outcome template lists and a row of the outcome
form on Jadwal. Texts and headings are the ones the planner reads, in Indonesian.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pandas as pd

from geo import fmt
from geo.plan.model import RoutePlan, Stop, Team, TeamRoute
from geo.plan.schedule import Schedule

#: The team editor's columns.
TEAM_COLUMNS = ["nama", "depot", "hari", "perahu", "anggota"]

#: The counts on the outcome form: column and label.
OUTCOME_COUNTS = (
    ("kpm_ditemui", "KPM ditemui"),
    ("kpm_dilayani", "KPM dilayani"),
    ("kartu_hilang", "Kartu hilang"),
    ("kartu_blokir", "Kartu blokir"),
    ("pindah", "Pindah"),
    ("meninggal", "Meninggal"),
)


# -- Rute Kunjungan --------------------------------------------------------------------------


def team_rows(teams: list[Team]) -> pd.DataFrame:
    """The team editor's table for ``teams`` (members joined with commas)."""
    return pd.DataFrame(
        [
            {
                "nama": t.nama,
                "depot": t.depot,
                "hari": t.hari,
                "perahu": t.perahu,
                "anggota": ", ".join(t.anggota),
            }
            for t in teams
        ],
        columns=TEAM_COLUMNS,
    )


def teams_from_table(table: pd.DataFrame) -> list[Team]:
    """The teams of the team editor's table: rows without a name or depot skipped, one day and
    boats allowed when left empty, members split at commas.

    Raises
    ------
    RoutingError
        A team with fewer than one day.
    """
    rows = table.dropna(subset=["nama", "depot"])
    return [
        Team(
            nama=str(r.nama).strip(),
            depot=str(r.depot),
            hari=int(r.hari) if pd.notna(r.hari) else 1,
            perahu=bool(r.perahu) if pd.notna(r.perahu) else True,
            anggota=tuple(
                a.strip()
                for a in (str(r.anggota) if pd.notna(r.anggota) else "").split(",")
                if a.strip()
            ),
        )
        for r in rows.itertuples()
    ]


def night_note(stop: Stop) -> str:
    """Where the team spends the night around a visit, in a few words."""
    if stop.menginap_sebelum:
        return "menginap sebelum & sesudah" if stop.menginap else "menginap sebelum kunjungan"
    if stop.menginap:
        return "menginap"
    return f"pulang ({stop.pulang_malam} mnt)" if stop.pulang_malam else ""


def stop_table(route: TeamRoute) -> pd.DataFrame:
    """A team's stops as shown under its heading, the way back to the depot last; numbers in
    Indonesian format, empty cells blank."""
    rows = [
        {
            "No": s.urutan,
            "Desa": s.desa,
            "Kecamatan": s.kecamatan,
            "Hari": s.hari,
            "Tiba": s.tiba.strftime("%d/%m %H:%M"),
            "Berangkat": s.berangkat.strftime("%d/%m %H:%M"),
            "KPM belum": s.kpm_belum,
            "Malam": night_note(s),
            "Menit tempuh": s.menit_tempuh,
            "Moda": s.moda,
            "Sumber": s.sumber,
            "Lewat dermaga": s.dermaga,
        }
        for s in route.stops
    ]
    rows.append(
        {
            "No": None,
            "Desa": "Kembali ke depot",
            "Tiba": route.kembali.strftime("%d/%m %H:%M"),
            "Menit tempuh": route.menit_pulang,
            "Moda": route.moda_pulang,
            "Sumber": route.sumber_pulang,
            "Lewat dermaga": route.dermaga_pulang,
        }
    )
    table = pd.DataFrame(rows)
    for col in ("No", "Hari", "Menit tempuh", "KPM belum"):
        table[col] = [fmt.number(v) if pd.notna(v) else "" for v in table[col]]
    return table.fillna("")


def idle_teams(plan: RoutePlan) -> list[str]:
    """Names of the plan's teams that are not sent out."""
    sent = {r.tim for r in plan.routes}
    return [t["nama"] for t in plan.params.get("tim", []) if t["nama"] not in sent]


def left_out_table(plan: RoutePlan) -> pd.DataFrame:
    """The villages left out with their reasons, by village code."""
    return pd.DataFrame(plan.tidak_dikunjungi, columns=["Kode desa", "Desa", "Alasan"]).set_index(
        "Kode desa"
    )


def team_of_village(plan: RoutePlan) -> dict[str, str]:
    """The team visiting each village of the plan, in route and visiting order."""
    return {s.kode_desa: r.tim for r in plan.routes for s in r.stops}


def plan_name(plan: RoutePlan, mulai: date) -> str:
    """A plan's default name, after the first day a team sets out (a trip may start after a
    weekend or holiday); ``mulai`` when no team is sent out."""
    first_day = min((r.berangkat for r in plan.routes), default=None)
    return f"Kunjungan {fmt.tanggal(first_day or mulai)}"


def saved_plans_table(saved: pd.DataFrame) -> pd.DataFrame:
    """The store's saved plans (``Store.plans()``) as listed: WITA times, ``ya``/``tidak`` for
    demo data, Indonesian headings."""
    shown = saved.assign(
        created_at=[fmt.waktu(t) for t in saved["created_at"]],
        is_demo=saved["is_demo"].map({True: "ya", False: "tidak"}),
    )
    return shown.rename(
        columns={"id": "No", "nama": "Nama", "created_at": "Dibuat", "is_demo": "Data contoh"}
    )


# -- Jadwal ----------------------------------------------------------------------------------


def plan_labels(plans: pd.DataFrame) -> dict[int, str]:
    """Saved plans (``Store.plans()``) by number, labelled ``#number · name``."""
    return {int(r.id): f"#{r.id} · {r.nama}" for r in plans.itertuples()}


def short_date(text: str | None) -> str:
    """An ISO date as ``dd/mm/yyyy``; ``-`` when there is none."""
    return date.fromisoformat(text).strftime("%d/%m/%Y") if text else "-"


def schedule_table(sched: Schedule, plan: RoutePlan) -> pd.DataFrame:
    """The schedule's team days as listed: dates in words, villages and members joined, the
    depot's name rather than its code, Indonesian headings."""
    depot_names = {r.depot: r.depot_nama for r in plan.routes}
    shown = sched.days.assign(
        tanggal=sched.days["tanggal"].map(fmt.tanggal),
        desa=sched.days["desa"].map(", ".join),
        anggota=sched.days["anggota"].map(", ".join),
        depot=[depot_names.get(d, d) for d in sched.days["depot"]],
    )[["tim", "tanggal", "hari_ke", "depot", "desa", "menginap", "anggota"]]
    return shown.rename(
        columns={
            "tim": "Tim",
            "tanggal": "Tanggal",
            "hari_ke": "Hari ke-",
            "depot": "Depot",
            "desa": "Desa",
            "menginap": "Menginap di",
            "anggota": "Anggota",
        }
    )


def plan_stops(plan: RoutePlan) -> pd.DataFrame:
    """The plan's visits for the outcome template: ``kode_desa``, ``desa`` and the ISO date of
    arrival (``tanggal``)."""
    return pd.DataFrame(
        [
            {"kode_desa": s.kode_desa, "desa": s.desa, "tanggal": s.tiba.date().isoformat()}
            for r in plan.routes
            for s in r.stops
        ],
        columns=["kode_desa", "desa", "tanggal"],
    )


def outcome_row(
    kode_desa: str, tanggal: date, dikunjungi: bool, counts: Mapping[str, int], lainnya: str
) -> pd.DataFrame:
    """The outcome form's entry as a one-row table, in the columns (and text values) of an
    uploaded outcome file, for ``geo.realization.outcomes.validate``."""
    return pd.DataFrame(
        [
            {
                "kode_desa": kode_desa,
                "tanggal": tanggal.isoformat(),
                "dikunjungi": "ya" if dikunjungi else "tidak",
                **{k: str(v) for k, v in counts.items()},
                "lainnya": lainnya,
            }
        ]
    )
