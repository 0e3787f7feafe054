"""Reconciliation rounds: import both files, reconcile, save the result as a round in the store."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from geo import fmt
from geo.areas.lookup import VillageIndex
from geo.intake.problems import problems_to_frame
from geo.intake.realisasi import read_realisasi
from geo.intake.roster import read_roster
from geo.realization.reconcile import Reconciliation, reconcile
from geo.safety.privacy import mask_preview
from geo.store.database import RoundInfo, Store


@dataclass(frozen=True)
class InputFile:
    """A user's file: its name as shown (never used as a path) and its bytes."""

    name: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


#: What an import keeps of its files; raised when it keeps more (2: KPM coordinates).
IMPORT_FORMAT = 2


def fingerprint(
    roster: InputFile,
    realisasi: InputFile,
    *,
    mapping_roster: dict | None = None,
    mapping_realisasi: dict | None = None,
    sheet_roster: str | None = None,
    sheet_realisasi: str | None = None,
) -> str:
    """Identifies an input: the same files, sheets and column mapping give the same value.

    ``IMPORT_FORMAT`` is part of it, so that a file saved before the import kept more of it (KPM
    coordinates) makes a new round when it is reconciled again instead of returning the old one.
    """
    key = json.dumps(
        [
            IMPORT_FORMAT,
            roster.sha256,
            realisasi.sha256,
            mapping_roster or {},
            mapping_realisasi or {},
            (sheet_roster or "").strip().upper(),
            (sheet_realisasi or "").strip().upper(),
        ],
        sort_keys=True,
    )
    return hashlib.sha256(key.encode()).hexdigest()


def run_round(
    store: Store,
    *,
    roster: InputFile,
    realisasi: InputFile,
    villages: pd.DataFrame,
    label: str | None = None,
    mapping_roster: dict | None = None,
    mapping_realisasi: dict | None = None,
    sheet_roster: str | None = None,
    sheet_realisasi: str | None = None,
) -> tuple[RoundInfo, Reconciliation]:
    """Import, reconcile and save one round.

    Importing the same files (and mapping) again returns the round already saved, not a copy.

    Raises
    ------
    InputFileError
        One of the files cannot be used at all; nothing is saved.
    """
    index = VillageIndex(villages)
    imp_roster = read_roster(
        roster.data, filename=roster.name, index=index, mapping=mapping_roster, sheet=sheet_roster
    )
    imp_real = read_realisasi(
        realisasi.data,
        filename=realisasi.name,
        index=index,
        mapping=mapping_realisasi,
        sheet=sheet_realisasi,
    )
    result = reconcile(imp_roster, imp_real, villages=villages)
    is_demo = imp_roster.is_demo or imp_real.is_demo
    info = store.save_round(
        label=label or f"Rekonsiliasi {fmt.tanggal(date.today())}",
        fingerprint=fingerprint(
            roster,
            realisasi,
            mapping_roster=mapping_roster,
            mapping_realisasi=mapping_realisasi,
            sheet_roster=sheet_roster,
            sheet_realisasi=sheet_realisasi,
        ),
        sources=[
            {"peran": "roster", "nama": roster.name, "sha256": roster.sha256},
            {"peran": "realisasi", "nama": realisasi.name, "sha256": realisasi.sha256},
        ],
        summary=result.summary(),
        villages=result.villages,
        kpm=result.kpm,
        problems=problems_to_frame(result.problems),
        is_demo=is_demo,
    )
    return info, result


def rounds_table(rounds: list[RoundInfo]) -> pd.DataFrame:
    """One row per saved round for a page: number, label, date, files and headline counts."""
    rows = []
    for r in rounds:
        status = r.summary.get("status", {})
        kpm = int(r.summary.get("kpm", 0))
        done = int(status.get("terealisasi", 0))
        rows.append(
            {
                "putaran": r.id,
                "label": r.label,
                "tanggal": fmt.tanggal(r.created_at),
                "berkas": ", ".join(s.get("nama", "?") for s in r.sources),
                "kpm": kpm,
                "terealisasi": done,
                "belum": kpm - done,
                "persen_terealisasi": round(100.0 * done / kpm, 1) if kpm else None,
                "masalah": int(r.summary.get("masalah", 0)),
                "data_contoh": r.is_demo,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "putaran",
            "label",
            "tanggal",
            "berkas",
            "kpm",
            "terealisasi",
            "belum",
            "persen_terealisasi",
            "masalah",
            "data_contoh",
        ],
    )


def compare(
    before: pd.DataFrame,
    after: pd.DataFrame,
    villages: pd.DataFrame,
    *,
    program: str = "SEMUA",
    threshold_pp: float = 1.0,
) -> pd.DataFrame:
    """Compare two rounds' per-village results.

    Parameters
    ----------
    before, after
        ``Store.round_villages()`` of the earlier and the later round.
    villages
        ``Boundaries.villages`` (names and kecamatan).
    program
        ``SEMUA``, ``PKH`` or ``BPNT``.
    threshold_pp
        A change in the share realized smaller than this many percentage points is ``tetap``.

    Returns
    -------
    DataFrame
        One row per village with KPM in either round: ``kode_desa``, ``desa``, ``kecamatan``,
        ``kpm_sebelum``, ``belum_sebelum``, ``persen_sebelum``, the same ``_sesudah``,
        ``selisih_pp`` (percentage points realized, after minus before) and ``perubahan``
        (``membaik``, ``memburuk``, ``tetap``, ``baru`` or ``hilang``), sorted with the largest
        worsening first.
    """

    def per_village(frame: pd.DataFrame) -> pd.DataFrame:
        if program != "SEMUA":
            frame = frame[frame["program"] == program]
        out = frame.groupby("kode_desa")[["kpm", "terealisasi"]].sum()
        out["belum"] = out["kpm"] - out["terealisasi"]
        out["persen"] = (100.0 * out["terealisasi"] / out["kpm"].where(out["kpm"] > 0)).round(1)
        return out[["kpm", "belum", "persen"]]

    table = (
        per_village(before)
        .add_suffix("_sebelum")
        .join(per_village(after).add_suffix("_sesudah"), how="outer")
    )
    table["selisih_pp"] = (table["persen_sesudah"] - table["persen_sebelum"]).round(1)
    change = pd.Series("tetap", index=table.index)
    change[table["selisih_pp"] >= threshold_pp] = "membaik"
    change[table["selisih_pp"] <= -threshold_pp] = "memburuk"
    change[table["kpm_sebelum"].isna()] = "baru"
    change[table["kpm_sesudah"].isna()] = "hilang"
    table["perubahan"] = change
    names = villages.set_index("kode")[["nama", "kecamatan"]].rename(columns={"nama": "desa"})
    table = table.join(names).reset_index().rename(columns={"index": "kode_desa"})
    for col in ("kpm_sebelum", "belum_sebelum", "kpm_sesudah", "belum_sesudah"):
        table[col] = table[col].astype("Int64")
    columns = [
        "kode_desa",
        "desa",
        "kecamatan",
        "kpm_sebelum",
        "belum_sebelum",
        "persen_sebelum",
        "kpm_sesudah",
        "belum_sesudah",
        "persen_sesudah",
        "selisih_pp",
        "perubahan",
    ]
    return (
        table[columns]
        .sort_values(["selisih_pp", "kode_desa"], na_position="last")
        .reset_index(drop=True)
    )


def village_result(round_villages: pd.DataFrame, villages: pd.DataFrame) -> pd.DataFrame:
    """A round's per-village table with names, in the CLI's ``desa.csv`` layout."""
    names = villages.set_index("kode")[["nama", "kecamatan"]].rename(columns={"nama": "desa"})
    table = round_villages.join(names, on="kode_desa")
    columns = [
        "kode_desa",
        "desa",
        "kecamatan",
        "program",
        "kpm",
        "terealisasi",
        "belum_transaksi",
        "tidak_transaksi",
        "tanpa_data_bri",
    ]
    return table[columns].reset_index(drop=True)


#: The kinds of change ``compare`` names, as the page counts them.
CHANGES = ("membaik", "memburuk", "tetap", "baru", "hilang")


def change_counts(diff: pd.DataFrame) -> dict[str, int]:
    """Villages of each kind of change in ``compare(...)``: every kind of ``CHANGES``, 0 for
    none."""
    counts = diff["perubahan"].value_counts()
    return {key: int(counts.get(key, 0)) for key in CHANGES}


def changed(diff: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The villages of one kind of change in ``compare(...)``, the largest change first (for
    ``membaik`` the largest gain; the others keep ``compare``'s order, largest worsening first)."""
    part = diff[diff["perubahan"] == kind]
    if kind == "membaik":
        part = part.sort_values("selisih_pp", ascending=False)
    return part


def mapping_changes(mapping: dict[str, str], detected: dict[str, str]) -> dict[str, str] | None:
    """A column mapping chosen on the page, or None when it is the one detected (the import
    then detects it again)."""
    changed_fields = {k: v for k, v in mapping.items() if v != detected.get(k, "")}
    return mapping if changed_fields else None


def masked_preview(table: pd.DataFrame, detected: dict[str, str]) -> pd.DataFrame:
    """The first rows of an uploaded table with NIK, No. KK, KKS and names masked, the
    columns to mask known from the detected mapping (``privacy.mask_preview``)."""
    names = [detected[f] for f in ("nama",) if f in detected]
    numbers = [detected[f] for f in ("nik", "no_kk", "no_kks") if f in detected]
    return mask_preview(table, name_columns=names, number_columns=numbers)


def pick_round(
    ids: Sequence[int],
    *,
    asked: object = None,
    shown: object = None,
    linked: object = None,
    kept: object = None,
) -> int | None:
    """The round a page shows, from what the planner chose where.

    The first of these that is one of ``ids`` wins: ``asked`` (a page's "open this round"),
    ``shown`` (the sidebar's choice in this run), ``linked`` (the page address, ``?putaran=N``:
    a reload or a link a colleague sent), ``kept`` (the session's last choice, which survives a
    page change). Otherwise the newest round, ``ids[0]``; None when there is no round.
    """
    for choice in (asked, shown, linked, kept):
        try:
            number = int(str(choice).strip()) if choice is not None else None
        except ValueError:
            continue
        if number in ids:
            return number
    return ids[0] if len(ids) else None
