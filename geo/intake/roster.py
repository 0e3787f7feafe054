"""Read a Dinsos roster (DTKS / SIKS-NG export): who the KPM are, their programmes and villages.

Extra columns (headers not mapped to any field) are kept aside in
:attr:`~geo.intake.problems.ImportResult.extra`, a separate frame with the file's ``row`` and
those columns as text.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.areas.lookup import VillageIndex
from geo.intake._rows import _map_unique, _optional_id, _prepare, _Rows, _villages
from geo.intake.coordinates import _coordinates
from geo.intake.problems import COORDINATE_COLUMNS, ROSTER_COLUMNS, ImportResult
from geo.intake.values import PROGRAMS, _parse_flag, _parse_programs
from geo.safety.privacy import mask_value

__all__ = ["MAX_NAMA", "read_roster"]


#: Longest ``nama`` kept (the store's column width); longer values are cut and reported.
MAX_NAMA = 200


def _programmes(rows: _Rows) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Per programme, the rows that receive it, and the rows that receive any; problems reported.

    Programmes come from the PROGRAM cell (possibly naming several) and/or one flag column each.
    """
    report = rows.report
    n = len(rows.body)
    member = {p: np.zeros(n, dtype=bool) for p in PROGRAMS}
    unknown_program = np.zeros(n, dtype=bool)
    program_raw = rows.raw("program")
    if program_raw is not None:
        codes, parsed = _map_unique(program_raw, _parse_programs)
        for program in PROGRAMS:
            member[program] |= np.array([program in k for k, _ in parsed], dtype=bool)[codes]
        unknown_program = np.array([bool(u) for _, u in parsed], dtype=bool)[codes]
        hit = np.flatnonzero(rows.read & unknown_program)
        if len(hit):
            report.add_many(
                rows.row[hit],
                rows.header("program"),
                [mask_value("program", v) for v in program_raw.iloc[hit].tolist()],
                [
                    f"Program tidak dikenal: {', '.join(parsed[c][1])}. Yang direkonsiliasi hanya "
                    "PKH dan BPNT/SEMBAKO; "
                    + (
                        "program lain di baris ini tetap diimpor."
                        if parsed[c][0]
                        else "baris dilewati."
                    )
                    for c in codes[hit]
                ],
            )
    for flag, program in (("pkh", "PKH"), ("bpnt", "BPNT"), ("sembako", "BPNT")):
        column = rows.raw(flag)
        if column is None:
            continue
        codes, parsed = _map_unique(column, _parse_flag)
        member[program] |= np.array([v is True for v in parsed], dtype=bool)[codes]
        unknown = np.array([v is None for v in parsed], dtype=bool)[codes]
        hit = np.flatnonzero(rows.read & unknown)
        if len(hit):
            report.add_many(
                rows.row[hit],
                rows.header(flag),
                [mask_value(flag, v) for v in column.iloc[hit].tolist()],
                [
                    f"Isi kolom {rows.header(flag)} tidak dikenal; isi 'Ya' untuk penerima atau "
                    "kosongkan. Dianggap bukan penerima program ini."
                ]
                * len(hit),
            )
    any_program = np.logical_or.reduce([member[p] for p in PROGRAMS])
    # Rows whose programme cell was unknown already have a problem; the rest say "none".
    rest = np.flatnonzero(rows.read & ~any_program & ~unknown_program)
    if len(rest):
        column = next(
            (rows.header(f) for f in ("program", "pkh", "bpnt", "sembako") if rows.header(f)),
            None,
        )
        report.add_many(
            rows.row[rest],
            column,
            [""] * len(rest),
            ["Tidak ada program PKH atau BPNT/SEMBAKO di baris ini; baris dilewati."] * len(rest),
        )
    return member, any_program


def read_roster(
    data: bytes,
    *,
    filename: str,
    index: VillageIndex,
    mapping: dict[str, str] | None = None,
    sheet: str | None = None,
) -> ImportResult:
    """Read a Dinsos roster (DTKS / SIKS-NG export).

    Parameters
    ----------
    data
        The file's bytes (CSV or XLSX).
    filename
        The file's name as shown to the user.
    index
        Village lookup; villages are resolved by code first, then kecamatan and name.
    mapping
        Field -> header, overriding detection (see ``FIELDS_ROSTER``); a field mapped to ``""``
        or ``None`` is left unmapped.
    sheet
        XLSX sheet; the first when ``None``.

    Returns
    -------
    ImportResult
        One frame row per (source row, programme). Rows with an invalid NIK, no known programme
        or an unresolvable village are skipped and reported. A bad coordinate (not a number,
        only one of the two, outside Kukar) is reported and left empty; the KPM is imported.
        Swapped latitude and longitude are swapped back and reported.

    Raises
    ------
    InputFileError
        The file cannot be used: unreadable, empty, no NIK column, no village column, no
        programme column.
    """
    rows, extra_columns, demo, live, nik, extra, rows_read = _prepare(
        data, filename=filename, kind="roster", mapping=mapping, sheet=sheet
    )
    report = rows.report
    member, any_program = _programmes(rows)
    live &= any_program

    kode_desa = _villages(rows, index, live, kind="roster")
    no_kk = _optional_id(rows, "no_kk", "No. KK")
    nama = rows.text("nama")
    too_long = np.flatnonzero(rows.read & nama.str.len().gt(MAX_NAMA).to_numpy())
    if len(too_long):
        report.add_many(
            rows.row[too_long],
            rows.header("nama"),
            [f"({length} karakter)" for length in nama.iloc[too_long].str.len().tolist()],
            [f"Nama lebih dari {MAX_NAMA} karakter; dipotong. Periksa berkas sumber."]
            * len(too_long),
        )
        nama = nama.str.slice(0, MAX_NAMA)

    lat, lon = _coordinates(rows)
    base = pd.DataFrame(
        {
            "nik": nik,
            "no_kk": no_kk,
            "nama": nama,
            "alamat": rows.text("alamat"),
            "kode_desa": kode_desa,
            "row": rows.row,
            "lat": lat,
            "lon": lon,
        }
    )
    frame = pd.concat(
        [base[live & member[p]].assign(program=p) for p in PROGRAMS], ignore_index=True
    )
    frame = frame.sort_values(["row", "program"], kind="stable", ignore_index=True)
    frame["program"] = frame["program"].astype("str")
    return ImportResult(
        kind="roster",
        file=report.file,
        frame=frame[ROSTER_COLUMNS + COORDINATE_COLUMNS],
        problems=report.problems(),
        headers=list(rows.body.columns),
        mapping=dict(rows.mapping),
        extra_columns=extra_columns,
        is_demo=demo,
        rows_read=rows_read,
        extra=extra,
    )
