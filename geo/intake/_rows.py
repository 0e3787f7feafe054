"""The working state shared by the roster and realisation readers.

``_prepare`` reads the table, resolves the column mapping, finds blank and unreadable rows and
checks the NIK; ``_Rows`` carries the raw columns, row numbers and problem report through the rest
of one import; ``_villages`` resolves each row's village through a
:class:`~geo.areas.lookup.VillageIndex`.

Everything that runs per row is vectorised (pandas string ops, ``factorize`` over the few distinct
values of a column, see ``_map_unique``), so a file of a million rows imports in seconds; Python
loops run only over distinct values and problem rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo._errors import VillageLookupError
from geo.areas.lookup import VillageIndex, normalise
from geo.intake.headers import _resolve_mapping
from geo.intake.limits import base_name
from geo.intake.problems import _refuse, _Report
from geo.intake.tables import _read, has_demo_marker
from geo.intake.values import _clean_id, _id_defect, _nik_reason, _valid_id
from geo.safety.privacy import mask_nik, mask_value


def _map_unique(values: pd.Series, func) -> tuple[np.ndarray, list]:
    """Apply ``func`` once per distinct value; returns the codes and the per-value results."""
    codes, uniques = pd.factorize(values, sort=False)
    return codes, [func(u) for u in uniques]


@dataclass(frozen=True)
class _Resolved:
    kode: str | None
    error: str | None = None
    warning: str | None = None


def _resolve_one(index: VillageIndex, kode: str, kecamatan: str, desa: str) -> _Resolved:
    try:
        village = index.resolve(kode=kode or None, kecamatan=kecamatan or None, desa=desa or None)
    except VillageLookupError as exc:
        reason = str(exc)
        codes = [c[0] for c in exc.candidates if c[0] not in reason]
        if codes:
            reason += f" Kode kandidat: {', '.join(codes)}."
        return _Resolved(None, error=reason)
    warning = None
    if kode and index.by_code(kode) is None:
        warning = (
            f"Kode wilayah '{kode}' tidak dikenal; desa ditentukan dari nama: {village.nama} "
            f"(Kecamatan {village.kecamatan}, {village.kode}). Perbaiki kode di berkas sumber."
        )
    elif kode and desa and normalise(desa) != normalise(village.nama):
        warning = (
            f"Kode wilayah {village.kode} adalah {village.nama} (Kecamatan {village.kecamatan}), "
            f"tetapi nama desa tertulis '{' '.join(desa.split())[:60]}'. Dipakai kode wilayah; "
            "periksa berkas sumber."
        )
    return _Resolved(village.kode, warning=warning)


class _Rows:
    """The working state of one import: raw columns, row numbers, rows read, the report."""

    def __init__(self, body: pd.DataFrame, mapping: dict[str, str], report: _Report):
        self.body = body
        self.mapping = mapping
        self.report = report
        self.row = np.arange(2, len(body) + 2, dtype=np.int64)
        # Rows that are not blank: every problem found on them is reported, even on a row
        # already rejected for another reason, so that one pass over the report fixes the file.
        self.read = np.ones(len(body), dtype=bool)

    def raw(self, name: str) -> pd.Series | None:
        header = self.mapping.get(name)
        return None if header is None else self.body[header]

    def text(self, name: str) -> pd.Series:
        column = self.raw(name)
        if column is None:
            return pd.Series("", index=self.body.index, dtype="str")
        return column.str.strip()

    def header(self, name: str) -> str | None:
        return self.mapping.get(name)


def _blank_rows(body: pd.DataFrame, mapping: dict[str, str], nik: pd.Series) -> np.ndarray:
    """Rows whose mapped fields are all blank (extra columns such as a running number ignored)."""
    blank = nik.eq("").to_numpy(copy=True)
    candidates = np.flatnonzero(blank)
    if len(candidates):
        sub = body.iloc[candidates][list(dict.fromkeys(mapping.values()))]
        filled = np.zeros(len(candidates), dtype=bool)
        for column in sub.columns:
            filled |= sub[column].str.strip().ne("").to_numpy()
        blank[candidates[filled]] = False
    return blank


def _check_nik(rows: _Rows, live: np.ndarray) -> pd.Series:
    """The cleaned NIK; rows with an invalid one are reported and taken out of ``live``."""
    raw = rows.raw("nik")
    clean = _clean_id(raw)
    valid = _valid_id(clean).to_numpy()
    bad = np.flatnonzero(rows.read & ~valid)
    if len(bad):
        raws = raw.iloc[bad].tolist()
        cleans = clean.iloc[bad].tolist()
        rows.report.add_many(
            rows.row[bad],
            rows.header("nik"),
            [mask_nik(v) for v in raws],
            [_nik_reason(c) for c in cleans],
        )
    live &= valid
    return clean


def _optional_id(rows: _Rows, name: str, label: str) -> pd.Series:
    """A No. KK-like number: kept when valid, emptied and reported (row kept) otherwise."""
    raw = rows.raw(name)
    if raw is None:
        return pd.Series("", index=rows.body.index, dtype="str")
    clean = _clean_id(raw)
    ok = _valid_id(clean).to_numpy() | clean.eq("").to_numpy()
    bad = np.flatnonzero(rows.read & ~ok)
    if len(bad):
        rows.report.add_many(
            rows.row[bad],
            rows.header(name),
            [mask_value(name, v) for v in raw.iloc[bad].tolist()],
            [
                f"{label} tidak valid: {_id_defect(c)}. {label} dikosongkan (masalah ini sendiri "
                "tidak membuat baris dilewati); perbaiki di berkas sumber."
                for c in clean.iloc[bad].tolist()
            ],
        )
    return clean.where(ok, "")


def _villages(rows: _Rows, index: VillageIndex, live: np.ndarray, *, kind: str) -> pd.Series:
    """``kode_desa`` per row (NaN where unresolved); a roster row that fails is no longer live."""
    # "\x1f" joins the three below; one typed into a cell would split them wrongly.
    kode, kec, desa = (
        rows.text(f).str.replace("\x1f", " ", regex=False)
        for f in ("kode_wilayah", "kecamatan", "desa")
    )
    combined = kode + "\x1f" + kec + "\x1f" + desa
    codes, resolved = _map_unique(combined, lambda k: _resolve_one(index, *k.split("\x1f")))
    kode_desa = pd.Series(
        np.array([r.kode for r in resolved], dtype=object)[codes] if len(codes) else [],
        index=rows.body.index,
        dtype="str",
    )
    failed = np.array([r.error is not None for r in resolved], dtype=bool)[codes]
    warned = np.array([r.warning is not None for r in resolved], dtype=bool)[codes]
    column = rows.header("desa") or rows.header("kode_wilayah")
    value_source = desa.where(desa.ne(""), kode)
    if kind == "roster":
        outcome = "Baris dilewati."
    else:
        outcome = (
            "Desa di data BRI hanya keterangan (desa KPM diambil dari data Dinsos), jadi "
            "masalah ini sendiri tidak membuat baris dilewati."
        )
    for mask, attr, prefix, tail in (
        (failed, "error", "Desa tidak dapat ditentukan: ", " " + outcome),
        (warned, "warning", "", ""),
    ):
        hit = np.flatnonzero(rows.read & mask)
        if len(hit):
            rows.report.add_many(
                rows.row[hit],
                column,
                [mask_value(column, v) for v in value_source.iloc[hit].tolist()],
                [prefix + getattr(resolved[c], attr) + tail for c in codes[hit]],
            )
    if kind == "roster":
        live &= ~failed
    return kode_desa


def _prepare(
    data: bytes,
    *,
    filename: str,
    kind: str,
    mapping: dict[str, str] | None,
    sheet: str | None,
) -> tuple[_Rows, list[str], bool, np.ndarray, pd.Series, pd.DataFrame, int]:
    name = base_name(filename)
    body, headers, demo = _read(data, name, sheet)
    resolved = _resolve_mapping(headers, kind, mapping, name)
    report = _Report(name)
    rows = _Rows(body, resolved, report)
    for line in body.attrs.get("bad_lines", []):
        report.add(
            int(line),
            None,
            "",
            "Baris ini berisi lebih banyak kolom daripada baris judul (mungkin ada pemisah "
            "kolom di dalam isian tanpa tanda kutip); baris dilewati. Perbaiki di berkas sumber.",
        )
    nik_text = rows.text("nik")
    blank = _blank_rows(body, resolved, nik_text)
    bad_lines = np.asarray(body.attrs.get("bad_lines", []), dtype=np.int64)
    if len(bad_lines):
        blank |= np.isin(rows.row, bad_lines)
    live = ~blank
    rows.read = live.copy()
    rows_read = int(live.sum()) + len(bad_lines)
    if rows_read == 0:
        raise _refuse(name, "tidak ada baris data di bawah baris judul.")
    nik = _check_nik(rows, live)
    extra_columns = [h for h in headers if h not in set(resolved.values())]
    extra = body.loc[~blank, extra_columns].copy()
    extra.insert(0, "row", rows.row[~blank])
    extra = extra.reset_index(drop=True)
    demo = demo or has_demo_marker(body, headers)
    return rows, extra_columns, demo, live, nik, extra, rows_read
