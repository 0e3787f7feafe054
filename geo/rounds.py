"""Reconciliation rounds: import both files, reconcile, save the result as a round in the store."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

import pandas as pd

from geo import fmt
from geo.importer import Problem, read_realisasi, read_roster
from geo.lookup import VillageIndex
from geo.reconcile import Reconciliation, reconcile
from geo.store import RoundInfo, Store


@dataclass(frozen=True)
class InputFile:
    """A user's file: its name as shown (never used as a path) and its bytes."""

    name: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """Problems as a table: ``file, row, column, value, reason`` (values already masked)."""
    return pd.DataFrame(
        [(p.file, p.row, p.column, p.value, p.reason) for p in problems],
        columns=["file", "row", "column", "value", "reason"],
    )


def fingerprint(
    roster: InputFile,
    realisasi: InputFile,
    *,
    mapping_roster: dict | None = None,
    mapping_realisasi: dict | None = None,
) -> str:
    """Identifies an input: the same files with the same column mapping give the same value."""
    key = json.dumps(
        [roster.sha256, realisasi.sha256, mapping_roster or {}, mapping_realisasi or {}],
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
        ),
        sources=[
            {"peran": "roster", "nama": roster.name, "sha256": roster.sha256},
            {"peran": "realisasi", "nama": realisasi.name, "sha256": realisasi.sha256},
        ],
        summary=result.summary(),
        villages=result.villages,
        kpm=result.kpm,
        problems=problems_frame(result.problems),
        is_demo=is_demo,
    )
    return info, result
