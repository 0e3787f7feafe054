"""What field teams found, and how realization moves from round to round.

Outcomes are recorded per village and visit: visited or not, KPM met, KPM served, and the problems
found (kartu hilang, kartu blokir, pindah, meninggal, other). They come from a form or from the
filled route sheet's table uploaded as XLSX/CSV; every bad row is reported and good rows kept.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from geo.areas.lookup import VillageIndex
from geo.intake.limits import base_name
from geo.intake.problems import Problem
from geo.intake.tables import read_table
from geo.store.schema import OUTCOME_COLUMNS

COUNT_COLUMNS = [
    "kpm_ditemui",
    "kpm_dilayani",
    "kartu_hilang",
    "kartu_blokir",
    "pindah",
    "meninggal",
]
_YES = {"YA", "Y", "1", "TRUE", "V", "X", "SUDAH"}
_NO = {"TIDAK", "T", "0", "FALSE", "BELUM", "N", ""}


@dataclass
class OutcomeImport:
    """Validated outcome rows and the problems found."""

    file: str
    frame: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> dict:
        return {"berkas": self.file, "baris": len(self.frame), "masalah": len(self.problems)}


def template(stops: pd.DataFrame, *, plan_id: int | None = None) -> pd.DataFrame:
    """An empty outcome table for a plan's stops (``kode_desa``, ``desa``, ``tanggal``) to fill
    in after the trip and upload back."""
    out = pd.DataFrame(
        {
            "kode_desa": stops["kode_desa"],
            "desa": stops["desa"],
            "tanggal": stops["tanggal"],
            "plan_id": plan_id,
            "dikunjungi": "",
        }
    )
    for col in [*COUNT_COLUMNS, "lainnya"]:
        out[col] = ""
    return out


def _date(text: str) -> date | None:
    text = str(text).strip()[:10]
    for fmt_ in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, fmt_).date()
        except ValueError:
            continue
    return None


def validate(table: pd.DataFrame, *, filename: str, index: VillageIndex) -> OutcomeImport:
    """Check outcome rows (text cells, header on row 1); good rows are kept, bad rows reported.

    Parameters
    ----------
    table
        Columns ``kode_desa`` (or ``desa`` with ``kecamatan``), ``tanggal``, ``dikunjungi``,
        the counts (blank = 0), optional ``plan_id`` and ``lainnya``.
    """
    cols = {str(c).strip().lower(): c for c in table.columns}
    problems: list[Problem] = []
    rows = []
    for i, rec in enumerate(table.to_dict("records")):
        row_no = i + 2

        def get(name: str, rec: dict = rec) -> str:
            return str(rec.get(cols.get(name, ""), "") or "").strip()

        if not any(str(v).strip() for v in rec.values()):
            continue
        try:
            village = index.resolve(
                kode=get("kode_desa") or None,
                kecamatan=get("kecamatan") or None,
                desa=get("desa") or None,
            )
        except ValueError as exc:
            problems.append(Problem(filename, row_no, "kode_desa", get("kode_desa"), str(exc)))
            continue
        day = _date(get("tanggal"))
        if day is None:
            problems.append(
                Problem(
                    filename,
                    row_no,
                    "tanggal",
                    get("tanggal"),
                    "tanggal kunjungan tidak sah; tulis YYYY-MM-DD atau DD/MM/YYYY.",
                )
            )
            continue
        visited_text = get("dikunjungi").upper()
        if visited_text not in _YES | _NO:
            problems.append(
                Problem(
                    filename,
                    row_no,
                    "dikunjungi",
                    get("dikunjungi"),
                    "isi dikunjungi dengan 'ya' atau 'tidak'.",
                )
            )
            continue
        counts, bad = {}, False
        for name in COUNT_COLUMNS:
            text = get(name)
            if text == "":
                counts[name] = 0
                continue
            try:
                value = float(text.replace(",", "."))
            except ValueError:
                value = -1
            if not math.isfinite(value) or value < 0 or value != int(value):
                problems.append(
                    Problem(
                        filename, row_no, name, text, f"{name} harus bilangan bulat 0 atau lebih."
                    )
                )
                bad = True
                break
            counts[name] = int(value)
        if bad:
            continue
        if counts["kpm_dilayani"] > counts["kpm_ditemui"]:
            problems.append(
                Problem(
                    filename,
                    row_no,
                    "kpm_dilayani",
                    str(counts["kpm_dilayani"]),
                    "KPM dilayani tidak boleh lebih dari KPM ditemui.",
                )
            )
            continue
        plan_text = get("plan_id")
        rows.append(
            {
                "kode_desa": village.kode,
                "tanggal": day.isoformat(),
                "plan_id": (
                    int(plan_text.split(".")[0])
                    if re.fullmatch(r"[0-9]{1,9}(\.0*)?", plan_text)
                    else None
                ),
                "dikunjungi": visited_text in _YES,
                **counts,
                "lainnya": get("lainnya")[:500] or None,
            }
        )
    return OutcomeImport(
        file=filename, frame=pd.DataFrame(rows, columns=OUTCOME_COLUMNS), problems=problems
    )


def read_outcomes(data: bytes, *, filename: str, index: VillageIndex) -> OutcomeImport:
    """Outcomes from an uploaded XLSX/CSV (the filled sheet's table).

    Raises
    ------
    InputFileError
        The file cannot be read.
    """
    filename = base_name(filename)
    table, _ = read_table(data, filename=filename)
    return validate(table, filename=filename, index=index)


def visit_status(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Per village: last visit date, visits, KPM met and served, problems found (latest first)."""
    if outcomes.empty:
        return pd.DataFrame(
            columns=["kode_desa", "kunjungan_terakhir", "kunjungan", *COUNT_COLUMNS]
        )
    visited = outcomes[outcomes["dikunjungi"].astype(bool)]
    grouped = visited.groupby("kode_desa")
    out = grouped[COUNT_COLUMNS].sum()
    out["kunjungan"] = grouped.size()
    out["kunjungan_terakhir"] = grouped["tanggal"].max()
    return out.reset_index()[["kode_desa", "kunjungan_terakhir", "kunjungan", *COUNT_COLUMNS]]


def progress(
    rounds: list,
    round_villages: dict[int, pd.DataFrame],
    villages: pd.DataFrame,
    *,
    by: str = "kecamatan",
) -> pd.DataFrame:
    """Share realized per kecamatan (or village) for each round, oldest first.

    Parameters
    ----------
    rounds
        ``Store.rounds()`` (``RoundInfo``).
    round_villages
        Round id -> ``Store.round_villages()``.
    by
        ``kecamatan`` or ``desa``.
    """
    frames = []
    names = villages.set_index("kode")[["nama", "kecamatan"]]
    for info in sorted(rounds, key=lambda r: r.id):
        counts = round_villages[info.id].groupby("kode_desa")[["kpm", "terealisasi"]].sum()
        counts = counts.join(names)
        key = "kecamatan" if by == "kecamatan" else "nama"
        agg = counts.groupby(key)[["kpm", "terealisasi"]].sum().reset_index()
        agg["persen_terealisasi"] = (
            100 * agg["terealisasi"] / agg["kpm"].where(agg["kpm"] > 0)
        ).round(1)
        agg["putaran"] = info.id
        agg["tanggal"] = info.created_at[:10]
        agg["label"] = info.label
        frames.append(agg.rename(columns={key: "wilayah"}))
    if not frames:
        return pd.DataFrame(
            columns=[
                "wilayah",
                "kpm",
                "terealisasi",
                "persen_terealisasi",
                "putaran",
                "tanggal",
                "label",
            ]
        )
    return pd.concat(frames, ignore_index=True)


def not_improved(
    status: pd.DataFrame,
    rounds: list,
    round_villages: dict[int, pd.DataFrame],
    villages: pd.DataFrame,
) -> pd.DataFrame:
    """Villages visited whose share realized has not risen since the last round before the visit.

    Compares the last round saved before a village's latest visit with the latest round.
    """
    if status.empty or len(rounds) < 2:
        return pd.DataFrame(
            columns=[
                "kode_desa",
                "desa",
                "kecamatan",
                "kunjungan_terakhir",
                "persen_sebelum",
                "persen_sekarang",
            ]
        )
    ordered = sorted(rounds, key=lambda r: r.id)
    latest = ordered[-1]

    def share(round_id: int) -> pd.Series:
        c = round_villages[round_id].groupby("kode_desa")[["kpm", "terealisasi"]].sum()
        return (100 * c["terealisasi"] / c["kpm"].where(c["kpm"] > 0)).round(1)

    now = share(latest.id)
    rows = []
    for rec in status.itertuples():
        before = [r for r in ordered if r.created_at[:10] <= rec.kunjungan_terakhir]
        if not before or before[-1].id == latest.id:
            continue
        then = share(before[-1].id).get(rec.kode_desa)
        current = now.get(rec.kode_desa)
        if then is not None and current is not None and current <= then:
            rows.append((rec.kode_desa, rec.kunjungan_terakhir, then, current))
    table = pd.DataFrame(
        rows, columns=["kode_desa", "kunjungan_terakhir", "persen_sebelum", "persen_sekarang"]
    )
    names = villages.set_index("kode")[["nama", "kecamatan"]].rename(columns={"nama": "desa"})
    table = table.join(names, on="kode_desa")
    return table[
        [
            "kode_desa",
            "desa",
            "kecamatan",
            "kunjungan_terakhir",
            "persen_sebelum",
            "persen_sekarang",
        ]
    ]


def visit_of(visits: pd.DataFrame, kode_desa: str) -> pd.Series | None:
    """One village's row of ``visit_status(...)``, or None when no team has visited it."""
    visit = visits[visits["kode_desa"] == kode_desa]
    return visit.iloc[0] if len(visit) else None
