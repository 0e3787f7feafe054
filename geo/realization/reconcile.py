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
from geo.intake.importer import ImportResult, Problem
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
        :func:`geo.intake.importer.read_roster`'s result (with ``lat``/``lon``).
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


def reconcile(
    roster: ImportResult, realisasi: ImportResult, *, villages: pd.DataFrame
) -> Reconciliation:
    """Match the roster's KPM with BRI's realization rows by NIK and programme.

    Parameters
    ----------
    roster
        :func:`geo.intake.importer.read_roster`'s result.
    realisasi
        :func:`geo.intake.importer.read_realisasi`'s result.
    villages
        The villages frame of ``geo.areas.boundaries.Boundaries`` (``kode``, ``nama``, ``kecamatan``),
        for the names in the per-village table. With polygons (``geometry``), roster
        coordinates far outside their own village are reported (:func:`location_problems`).

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

    # Integer keys shared by both files: NIK code * number of programmes + programme code.
    nik_code, _ = pd.factorize(pd.concat([ros["nik"], bri["nik"]], ignore_index=True))
    prog_code, programs = pd.factorize(
        pd.concat([ros["program"], bri["program"]], ignore_index=True)
    )
    key = nik_code.astype(np.int64) * max(len(programs), 1) + prog_code
    ros_key, bri_key = key[: len(ros)], key[len(ros) :]
    ros_row = ros["row"].to_numpy(dtype=np.int64)
    bri_row = bri["row"].to_numpy(dtype=np.int64)

    ros_problems: list[Problem] = list(roster.problems) + location_problems(roster, villages)
    bri_problems: list[Problem] = list(realisasi.problems)
    ros_nik_col = roster.mapping.get("nik", "NIK")
    bri_nik_col = realisasi.mapping.get("nik", "NIK")

    # Roster: keep the first row of each (NIK, programme).
    order = np.lexsort((ros_row, ros_key))
    sorted_key = ros_key[order]
    is_first = np.ones(len(order), dtype=bool)
    is_first[1:] = sorted_key[1:] != sorted_key[:-1]
    first_pos = order[np.maximum.accumulate(np.where(is_first, np.arange(len(order)), 0))]
    dup_pos = order[~is_first]
    if len(dup_pos):
        of = first_pos[~is_first]
        kode = ros["kode_desa"].to_numpy(dtype=object)
        differs = (kode[dup_pos] != kode[of]).tolist()
        notes = [
            f" Desanya berbeda; dipakai desa dari baris {f}." if d else ""
            for f, d in zip(ros_row[of].tolist(), differs, strict=True)
        ]
        ros_problems += _problems(
            roster.file,
            ros_row[dup_pos],
            ros_nik_col,
            ros["nik"].iloc[dup_pos],
            _duplicate_reasons(ros_row[of], ros["program"].iloc[dup_pos], notes),
        )
    keep = order[is_first]
    # Back to roster row order (then programme name), whatever the order of the frame.
    keep = keep[np.lexsort((ros["program"].to_numpy(dtype=object)[keep], ros_row[keep]))]
    kpm = ros.iloc[keep].reset_index(drop=True)
    kpm_key = ros_key[keep]

    # BRI: per (NIK, programme) the most advanced status, ties to the lowest row.
    rank = bri["status"].map(STATUS_RANK).to_numpy(dtype=np.int64)
    order = np.lexsort((bri_row, -rank, bri_key))
    sorted_key = bri_key[order]
    sorted_rank = rank[order]
    is_win = np.ones(len(order), dtype=bool)
    is_win[1:] = sorted_key[1:] != sorted_key[:-1]
    group = np.cumsum(is_win) - 1
    n_groups = int(is_win.sum())
    first_row = np.full(n_groups, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_row, group, bri_row[order])
    win_pos = order[is_win]
    win_key = bri_key[win_pos]  # sorted ascending
    extra = bri_row[order] != first_row[group]
    dup_pos = order[extra]
    if len(dup_pos):
        g = group[extra]
        lowest = np.full(n_groups, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(lowest, group, sorted_rank)
        disagree = (lowest != sorted_rank[is_win])[g].tolist()
        status = bri["status"].to_numpy(dtype=object)[win_pos][g].tolist()
        at_row = bri_row[win_pos][g].tolist()
        notes = [
            f" Statusnya berbeda; dipakai status paling maju: {st} (baris {r})." if d else ""
            for d, st, r in zip(disagree, status, at_row, strict=True)
        ]
        bri_problems += _problems(
            realisasi.file,
            bri_row[dup_pos],
            bri_nik_col,
            bri["nik"].iloc[dup_pos],
            _duplicate_reasons(first_row[g], bri["program"].iloc[dup_pos], notes),
        )

    # BRI records with no roster KPM: one report per (NIK, programme), on its first row.
    orphan = ~np.isin(win_key, kpm_key)
    if orphan.any():
        at = pd.Index(bri_row).get_indexer(first_row[orphan])
        # Which programmes the roster has for an orphan's NIK: one membership test each.
        kpm_nik = nik_code[: len(ros)][keep]
        kpm_prog = prog_code[: len(ros)][keep]
        orphan_nik = nik_code[len(ros) :][at]
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
        bri_problems += _problems(
            realisasi.file, bri_row[at], bri_nik_col, bri["nik"].iloc[at], reasons
        )

    # Per KPM: BRI's status, or none.
    where = np.searchsorted(win_key, kpm_key)
    where = np.minimum(where, max(len(win_key) - 1, 0))
    found = (win_key[where] == kpm_key) if len(win_key) else np.zeros(len(kpm_key), dtype=bool)
    status = np.full(len(kpm_key), "tanpa_data_bri", dtype=object)
    alasan = np.full(len(kpm_key), "", dtype=object)
    status[found] = bri["status"].to_numpy(dtype=object)[win_pos][where[found]]
    alasan[found] = bri["alasan"].to_numpy(dtype=object)[win_pos][where[found]]
    kpm = kpm.assign(status=pd.array(status, dtype="str"), alasan=pd.array(alasan, dtype="str"))
    for column in COORDINATE_COLUMNS:
        # A roster read before coordinates were imported has none.
        kpm[column] = kpm[column].astype(float) if column in kpm else np.nan
    kpm = kpm[KPM_COLUMNS + COORDINATE_COLUMNS]

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
    table = table[VILLAGE_COLUMNS].sort_values(["kode_desa", "program"], ignore_index=True)

    return Reconciliation(
        kpm=kpm,
        villages=table,
        # Per file, in row order; on one row the import's problems come first (stable sort).
        problems=sorted(ros_problems, key=_by_row) + sorted(bri_problems, key=_by_row),
        bri_tanpa_roster=int(orphan.sum()),
        duplicates={
            "roster": int(len(ros) - len(keep)),
            "realisasi": int(len(bri) - len(win_pos)),
        },
        sources={
            role: {
                "berkas": imp.file,
                "baris_dibaca": int(imp.rows_read),
                "baris_diimpor": imp.rows_imported,
                "data_contoh": bool(imp.is_demo),
            }
            for role, imp in (("roster", roster), ("realisasi", realisasi))
        },
    )
