"""Reconcile the Dinsos roster with BRI's realization data: one status per KPM and programme.

A KPM is matched by NIK and programme. The roster decides who is a KPM and in which village; BRI's
file only says what happened to the money. Per KPM and programme the status is one of
:data:`STATUSES`; the per-village table counts them, and the four counts add up to the number of
distinct roster NIK of that village and programme.

Duplicates (the same NIK and programme twice in one file) are counted once and each extra row is
reported. Of roster duplicates the first row (lowest row number) is kept, and with it its village.
Of BRI duplicates the most advanced status wins, in the order ``terealisasi`` >
``tidak_transaksi`` > ``belum_transaksi``: money spent is the strongest evidence, a verdict that it
will not be spent (died, moved) is final, and "not yet" is what is left; ties go to the lowest row.
Every choice depends on row numbers and contents only, never on the order of the frames, so
shuffling rows changes nothing.

All of it is vectorised: NIK are factorised once over both files into integer keys, and the
matching is done with integer sorts, group-bys and one merge, so a million rows on each side
reconcile in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geo.geometry import outside_village_km
from geo.intake.problems import ImportResult, Problem
from geo.safety.privacy import mask_nik_series
from geo.store.schema import STATUSES

#: Precedence of BRI statuses among duplicates: higher wins.
STATUS_RANK = {"belum_transaksi": 1, "tidak_transaksi": 2, "terealisasi": 3}

KPM_COLUMNS = ["nik", "nama", "no_kk", "kode_desa", "program", "status", "alasan"]
#: The KPM frame also carries the roster's coordinates (degrees; NaN when it has none).
COORDINATE_COLUMNS = ["lat", "lon"]
VILLAGE_COLUMNS = ["kode_desa", "desa", "kecamatan", "program", "kpm", *STATUSES]


@dataclass
class Reconciliation:
    """The result of one reconciliation.

    Attributes
    ----------
    kpm
        One row per roster (NIK, programme), in roster row order: ``nik, nama, no_kk, kode_desa,
        program, status, alasan, lat, lon``. ``status`` is one of :data:`STATUSES`; ``alasan`` is
        BRI's normalised reason (``""`` when none); ``lat``/``lon`` the roster's coordinates of
        the family's home (degrees, NaN when the roster has none).
    villages
        One row per (village, programme) with at least one roster KPM, sorted by code and
        programme: ``kode_desa, desa, kecamatan, program, kpm`` and the four status counts, which
        add up to ``kpm`` (distinct roster NIK).
    problems
        The roster's problems, then BRI's, each in row order: those of the imports and those of
        the reconciliation (duplicates, BRI rows with no roster KPM).
    bri_tanpa_roster
        Distinct (NIK, programme) in BRI's file that are not in the roster.
    duplicates
        Extra rows dropped as duplicates, per file role (``roster``, ``realisasi``).
    sources
        Per file role: the file name, rows read and rows imported.
    """

    kpm: pd.DataFrame
    villages: pd.DataFrame
    problems: list[Problem]
    bri_tanpa_roster: int = 0
    duplicates: dict[str, int] = field(default_factory=lambda: {"roster": 0, "realisasi": 0})
    sources: dict[str, dict] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = [c for c in KPM_COLUMNS if c not in self.kpm.columns]
        missing += [c for c in VILLAGE_COLUMNS if c not in self.villages.columns]
        if missing:
            raise ValueError(f"Hasil rekonsiliasi kurang kolom: {', '.join(missing)}")
        unknown = ~self.kpm["status"].isin(STATUSES)
        if unknown.any():
            raise ValueError(f"Status tidak dikenal pada {int(unknown.sum())} KPM.")
        counts = self.villages[list(STATUSES)].sum(axis=1)
        if not counts.eq(self.villages["kpm"]).all():
            raise ValueError("Jumlah keempat status per desa tidak sama dengan jumlah KPM.")
        if int(self.villages["kpm"].sum()) != len(self.kpm):
            raise ValueError("Jumlah KPM per desa tidak sama dengan jumlah KPM hasil rekonsiliasi.")

    def summary(self) -> dict:
        """Totals for a page or the CLI (JSON-serialisable, nothing personal).

        Returns
        -------
        dict
            ``kpm`` (roster KPM-programme pairs), ``nik`` (distinct roster NIK), ``status``
            (count per status), ``program`` (per programme: ``kpm`` and per status),
            ``cocok`` (pairs with a BRI record), ``nik_berkoordinat`` (distinct roster NIK
            with coordinates), ``desa`` (villages with at least one KPM),
            ``masalah`` (problems), ``bri_tanpa_roster``, ``duplikat`` (per file role) and
            ``berkas`` (per file role: name, rows read, rows imported).
        """
        status = self.kpm["status"].value_counts()
        per_status = {s: int(status.get(s, 0)) for s in STATUSES}
        per_program = {}
        for program, group in self.villages.groupby("program", sort=True):
            per_program[str(program)] = {
                "kpm": int(group["kpm"].sum()),
                **{s: int(group[s].sum()) for s in STATUSES},
            }
        return {
            "kpm": len(self.kpm),
            "nik": int(self.kpm["nik"].nunique()),
            "status": per_status,
            "program": per_program,
            "cocok": len(self.kpm) - per_status["tanpa_data_bri"],
            "nik_berkoordinat": int(
                self.kpm.loc[self.kpm["lat"].notna(), "nik"].nunique() if "lat" in self.kpm else 0
            ),
            "desa": int(self.villages["kode_desa"].nunique()),
            "masalah": len(self.problems),
            "bri_tanpa_roster": int(self.bri_tanpa_roster),
            "duplikat": {k: int(v) for k, v in self.duplicates.items()},
            "berkas": self.sources,
        }


def _by_row(problem: Problem) -> int:
    return problem.row or 0


def _problems(file: str, rows: np.ndarray, column: str, nik: pd.Series, reasons) -> list[Problem]:
    masked = mask_nik_series(nik).tolist()
    return [
        Problem(file, r, column, m, why)
        for r, m, why in zip(rows.tolist(), masked, reasons, strict=True)
    ]


def _duplicate_reasons(first_rows: np.ndarray, programs: pd.Series, notes: list[str]) -> list[str]:
    return [
        f"Duplikat dari baris {f}: NIK dan program ({p}) sama, dihitung sekali.{note}"
        for f, p, note in zip(first_rows.tolist(), programs.tolist(), notes, strict=True)
    ]


def location_problems(roster: ImportResult, villages: pd.DataFrame) -> list[Problem]:
    """Warnings for roster coordinates far outside the KPM's own village (the point is kept).

    A point more than ``settings.KPM_OUTSIDE_VILLAGE_KM`` outside its village's polygon means
    either the coordinates or the village column is wrong; the planner decides which.

    Parameters
    ----------
    roster
        :func:`geo.intake.roster.read_roster`'s result (with ``lat``/``lon``).
    villages
        ``Boundaries.villages`` (``kode``, ``nama``, ``geometry``). Without polygons (a plain
        frame) nothing is checked.

    Returns
    -------
    list of Problem
        One per source row, in row order; the value is the coordinate pair, never a NIK.
    """
    from geo import fmt, settings

    frame = roster.frame
    if "lat" not in frame or "geometry" not in villages or not frame["lat"].notna().any():
        return []
    rows = frame.drop_duplicates("row")
    km = outside_village_km(rows["lon"], rows["lat"], rows["kode_desa"], villages)
    with np.errstate(invalid="ignore"):
        far = np.flatnonzero(km > settings.KPM_OUTSIDE_VILLAGE_KM)
    if not len(far):
        return []
    names = villages.set_index("kode")["nama"]
    column = roster.mapping.get("lat", "lat")
    out = []
    for i in far.tolist():
        row = rows.iloc[i]
        pair = f"{row['lat']:.5f}; {row['lon']:.5f}".replace(".", ",")
        out.append(
            Problem(
                roster.file,
                int(row["row"]),
                column,
                pair,
                f"Titik KPM berada {fmt.number(km[i], 1)} km di luar batas desanya "
                f"({names.get(row['kode_desa'], row['kode_desa'])}). Koordinat tetap dipakai; "
                "periksa apakah koordinat atau kolom desa/kode wilayahnya yang keliru.",
            )
        )
    return out


@dataclass(frozen=True)
class _Keys:
    """Integer keys shared by both files: NIK code * number of programmes + programme code."""

    nik: np.ndarray  # NIK code per row: the roster's rows, then BRI's
    program: np.ndarray  # programme code per row, in the same order
    programs: pd.Index  # programme names, by code
    roster: np.ndarray  # key per roster row
    bri: np.ndarray  # key per BRI row


@dataclass(frozen=True)
class _RosterPick:
    """The roster row kept for each (NIK, programme): the first one."""

    row: np.ndarray  # row number per roster position
    keep: np.ndarray  # positions kept, in roster row order (then programme name)
    dup: np.ndarray  # positions dropped as duplicates
    of: np.ndarray  # per dropped position, the position kept in its place


@dataclass(frozen=True)
class _BriPick:
    """The BRI row that decides each (NIK, programme): the most advanced status."""

    row: np.ndarray  # row number per BRI position
    order: np.ndarray  # positions sorted by key, then status (most advanced first), then row
    rank: np.ndarray  # status rank per sorted position
    group: np.ndarray  # (NIK, programme) group per sorted position, groups in key order
    is_win: np.ndarray  # per sorted position: the winner of its group
    first_row: np.ndarray  # per group: the lowest row number
    win: np.ndarray  # per group: the winning position
    key: np.ndarray  # per group: its key (ascending)


def _shared_keys(ros: pd.DataFrame, bri: pd.DataFrame) -> _Keys:
    """Factorise NIK and programme once over both files into integer keys."""
    nik_code, _ = pd.factorize(pd.concat([ros["nik"], bri["nik"]], ignore_index=True))
    prog_code, programs = pd.factorize(
        pd.concat([ros["program"], bri["program"]], ignore_index=True)
    )
    key = nik_code.astype(np.int64) * max(len(programs), 1) + prog_code
    return _Keys(nik_code, prog_code, programs, key[: len(ros)], key[len(ros) :])


def _first_roster_rows(ros: pd.DataFrame, ros_key: np.ndarray) -> _RosterPick:
    """Of each (NIK, programme) in the roster keep the first row (lowest row number)."""
    ros_row = ros["row"].to_numpy(dtype=np.int64)
    order = np.lexsort((ros_row, ros_key))
    sorted_key = ros_key[order]
    is_first = np.ones(len(order), dtype=bool)
    is_first[1:] = sorted_key[1:] != sorted_key[:-1]
    first_pos = order[np.maximum.accumulate(np.where(is_first, np.arange(len(order)), 0))]
    keep = order[is_first]
    # Back to roster row order (then programme name), whatever the order of the frame.
    keep = keep[np.lexsort((ros["program"].to_numpy(dtype=object)[keep], ros_row[keep]))]
    return _RosterPick(row=ros_row, keep=keep, dup=order[~is_first], of=first_pos[~is_first])


def _winning_bri_rows(bri: pd.DataFrame, bri_key: np.ndarray) -> _BriPick:
    """Per (NIK, programme) in BRI's file the most advanced status, ties to the lowest row."""
    bri_row = bri["row"].to_numpy(dtype=np.int64)
    rank = bri["status"].map(STATUS_RANK).to_numpy(dtype=np.int64)
    order = np.lexsort((bri_row, -rank, bri_key))
    sorted_key = bri_key[order]
    is_win = np.ones(len(order), dtype=bool)
    is_win[1:] = sorted_key[1:] != sorted_key[:-1]
    group = np.cumsum(is_win) - 1
    first_row = np.full(int(is_win.sum()), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_row, group, bri_row[order])
    win_pos = order[is_win]
    return _BriPick(
        row=bri_row,
        order=order,
        rank=rank[order],
        group=group,
        is_win=is_win,
        first_row=first_row,
        win=win_pos,
        key=bri_key[win_pos],  # sorted ascending
    )


def _roster_duplicates(roster: ImportResult, pick: _RosterPick) -> list[Problem]:
    """One problem per extra roster row of a (NIK, programme), naming the row kept."""
    if not len(pick.dup):
        return []
    ros = roster.frame
    kode = ros["kode_desa"].to_numpy(dtype=object)
    differs = (kode[pick.dup] != kode[pick.of]).tolist()
    notes = [
        f" Desanya berbeda; dipakai desa dari baris {f}." if d else ""
        for f, d in zip(pick.row[pick.of].tolist(), differs, strict=True)
    ]
    return _problems(
        roster.file,
        pick.row[pick.dup],
        roster.mapping.get("nik", "NIK"),
        ros["nik"].iloc[pick.dup],
        _duplicate_reasons(pick.row[pick.of], ros["program"].iloc[pick.dup], notes),
    )


def _bri_duplicates(realisasi: ImportResult, pick: _BriPick) -> list[Problem]:
    """One problem per BRI row of a (NIK, programme) but its first, naming the status used."""
    extra = pick.row[pick.order] != pick.first_row[pick.group]
    dup_pos = pick.order[extra]
    if not len(dup_pos):
        return []
    bri = realisasi.frame
    g = pick.group[extra]
    lowest = np.full(len(pick.win), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(lowest, pick.group, pick.rank)
    disagree = (lowest != pick.rank[pick.is_win])[g].tolist()
    status = bri["status"].to_numpy(dtype=object)[pick.win][g].tolist()
    at_row = pick.row[pick.win][g].tolist()
    notes = [
        f" Statusnya berbeda; dipakai status paling maju: {st} (baris {r})." if d else ""
        for d, st, r in zip(disagree, status, at_row, strict=True)
    ]
    return _problems(
        realisasi.file,
        pick.row[dup_pos],
        realisasi.mapping.get("nik", "NIK"),
        bri["nik"].iloc[dup_pos],
        _duplicate_reasons(pick.first_row[g], bri["program"].iloc[dup_pos], notes),
    )


def _orphans(
    roster: ImportResult,
    realisasi: ImportResult,
    keys: _Keys,
    kept: _RosterPick,
    pick: _BriPick,
    orphan: np.ndarray,
) -> list[Problem]:
    """BRI records with no roster KPM: one report per (NIK, programme), on its first row."""
    if not orphan.any():
        return []
    n_ros = len(roster.frame)
    bri = realisasi.frame
    programs = keys.programs
    at = pd.Index(pick.row).get_indexer(pick.first_row[orphan])
    # Which programmes the roster has for an orphan's NIK: one membership test each.
    kpm_nik = keys.nik[:n_ros][kept.keep]
    kpm_prog = keys.program[:n_ros][kept.keep]
    orphan_nik = keys.nik[n_ros:][at]
    combo = np.zeros(len(at), dtype=np.int64)
    for i in range(len(programs)):
        combo |= np.isin(orphan_nik, kpm_nik[kpm_prog == i]).astype(np.int64) << i
    elsewhere = {
        c: ", ".join(str(programs[i]) for i in range(len(programs)) if c >> i & 1)
        for c in np.unique(combo).tolist()
    }
    reasons = [
        f"NIK dengan program {p} tidak ada di data Dinsos ({roster.file}); tidak dihitung "
        "di desa mana pun."
        + (f" NIK ini terdaftar di data Dinsos untuk program {elsewhere[c]}." if c else "")
        for p, c in zip(bri["program"].iloc[at].tolist(), combo.tolist(), strict=True)
    ]
    return _problems(
        realisasi.file,
        pick.row[at],
        realisasi.mapping.get("nik", "NIK"),
        bri["nik"].iloc[at],
        reasons,
    )


def _with_statuses(
    kpm: pd.DataFrame, kpm_key: np.ndarray, bri: pd.DataFrame, pick: _BriPick
) -> pd.DataFrame:
    """Per KPM BRI's status and reason (``tanpa_data_bri`` when none), with coordinates."""
    win_key = pick.key
    where = np.searchsorted(win_key, kpm_key)
    where = np.minimum(where, max(len(win_key) - 1, 0))
    found = (win_key[where] == kpm_key) if len(win_key) else np.zeros(len(kpm_key), dtype=bool)
    status = np.full(len(kpm_key), "tanpa_data_bri", dtype=object)
    alasan = np.full(len(kpm_key), "", dtype=object)
    status[found] = bri["status"].to_numpy(dtype=object)[pick.win][where[found]]
    alasan[found] = bri["alasan"].to_numpy(dtype=object)[pick.win][where[found]]
    kpm = kpm.assign(status=pd.array(status, dtype="str"), alasan=pd.array(alasan, dtype="str"))
    for column in COORDINATE_COLUMNS:
        # A roster read before coordinates were imported has none.
        kpm[column] = kpm[column].astype(float) if column in kpm else np.nan
    return kpm[KPM_COLUMNS + COORDINATE_COLUMNS]


def _village_counts(kpm: pd.DataFrame, villages: pd.DataFrame) -> pd.DataFrame:
    """Per (village, programme): village names, KPM and the count of each status."""
    counts = (
        kpm.groupby(["kode_desa", "program", "status"], sort=True)
        .size()
        .unstack("status", fill_value=0)
        .reindex(columns=list(STATUSES), fill_value=0)
        .astype(np.int64)
        .reset_index()
    )
    counts.columns.name = None
    counts.insert(2, "kpm", counts[list(STATUSES)].sum(axis=1).astype(np.int64))
    names = pd.DataFrame(
        {
            "kode_desa": villages["kode"].astype("str").to_numpy(),
            "desa": villages["nama"].astype("str").to_numpy(),
            "kecamatan": villages["kecamatan"].astype("str").to_numpy(),
        }
    )
    table = counts.merge(names, on="kode_desa", how="left", validate="many_to_one")
    return table[VILLAGE_COLUMNS].sort_values(["kode_desa", "program"], ignore_index=True)


def _sources(roster: ImportResult, realisasi: ImportResult) -> dict[str, dict]:
    """Per file role: the file name, rows read and imported, and whether it is demo data."""
    return {
        role: {
            "berkas": imp.file,
            "baris_dibaca": int(imp.rows_read),
            "baris_diimpor": imp.rows_imported,
            "data_contoh": bool(imp.is_demo),
        }
        for role, imp in (("roster", roster), ("realisasi", realisasi))
    }


def reconcile(
    roster: ImportResult, realisasi: ImportResult, *, villages: pd.DataFrame
) -> Reconciliation:
    """Match the roster's KPM with BRI's realization rows by NIK and programme.

    Parameters
    ----------
    roster
        :func:`geo.intake.roster.read_roster`'s result.
    realisasi
        :func:`geo.intake.realisasi.read_realisasi`'s result.
    villages
        The villages frame of ``geo.areas.boundaries.Boundaries`` (``kode``, ``nama``,
        ``kecamatan``), for the names in the per-village table. With polygons (``geometry``),
        roster coordinates far outside their own village are reported (:func:`location_problems`).

    Returns
    -------
    Reconciliation
        Per KPM, per village, and every problem.

    Raises
    ------
    ValueError
        The two results are not a roster and a realization file.
    """
    if roster.kind != "roster" or realisasi.kind != "realisasi":
        raise ValueError("reconcile() butuh hasil read_roster() lalu hasil read_realisasi().")
    ros = roster.frame
    bri = realisasi.frame

    keys = _shared_keys(ros, bri)
    kept = _first_roster_rows(ros, keys.roster)
    won = _winning_bri_rows(bri, keys.bri)
    kpm_key = keys.roster[kept.keep]
    orphan = ~np.isin(won.key, kpm_key)

    ros_problems: list[Problem] = list(roster.problems) + location_problems(roster, villages)
    ros_problems += _roster_duplicates(roster, kept)
    bri_problems: list[Problem] = list(realisasi.problems)
    bri_problems += _bri_duplicates(realisasi, won)
    bri_problems += _orphans(roster, realisasi, keys, kept, won, orphan)

    kpm = _with_statuses(ros.iloc[kept.keep].reset_index(drop=True), kpm_key, bri, won)
    return Reconciliation(
        kpm=kpm,
        villages=_village_counts(kpm, villages),
        # Per file, in row order; on one row the import's problems come first (stable sort).
        problems=sorted(ros_problems, key=_by_row) + sorted(bri_problems, key=_by_row),
        bri_tanpa_roster=int(orphan.sum()),
        duplicates={
            "roster": int(len(ros) - len(kept.keep)),
            "realisasi": int(len(bri) - len(won.win)),
        },
        sources=_sources(roster, realisasi),
    )
