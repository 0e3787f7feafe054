"""Read a BRI realisation file: per KPM and programme, whether the aid was drawn, and why not.

Fields recognised but not needed by the reconciliation (name, No. KK and KKS number) are not
copied anywhere: the roster decides who a KPM is, and personal data is kept only where the work
needs it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.areas.lookup import VillageIndex
from geo.intake._rows import _map_unique, _prepare, _villages
from geo.intake.problems import REALISASI_COLUMNS, ImportResult
from geo.intake.values import _parse_nominal, _parse_programs, _parse_status, normalise_reason
from geo.safety.privacy import mask_value

__all__ = ["read_realisasi"]


def read_realisasi(
    data: bytes,
    *,
    filename: str,
    index: VillageIndex,
    mapping: dict[str, str] | None = None,
    sheet: str | None = None,
) -> ImportResult:
    """Read a BRI realization file.

    Parameters
    ----------
    data
        The file's bytes (CSV or XLSX).
    filename
        The file's name as shown to the user.
    index
        Village lookup. The village of a BRI row is informational (the roster decides a KPM's
        village): an unresolvable one is reported and the row kept with ``kode_desa`` missing.
    mapping
        Field -> header, overriding detection (see ``FIELDS_REALISASI``).
    sheet
        XLSX sheet; the first when ``None``.

    Returns
    -------
    ImportResult
        One frame row per accepted source row. Rows with an invalid NIK, an unknown programme or
        an unknown status are skipped and reported. ``alasan`` holds the normalised KETERANGAN
        (or a reason written in the status cell) for ``tidak_transaksi`` and
        ``belum_transaksi`` rows, ``""`` for ``terealisasi``.

    Raises
    ------
    InputFileError
        The file cannot be used: unreadable, empty, no NIK, programme, status or village column.
    """
    rows, extra_columns, demo, live, nik, extra, rows_read = _prepare(
        data, filename=filename, kind="realisasi", mapping=mapping, sheet=sheet
    )
    report = rows.report
    n = len(rows.body)

    program_raw = rows.raw("program")
    codes, parsed = _map_unique(program_raw, _parse_programs)
    single = [k[0] if len(k) == 1 and not u else None for k, u in parsed]
    program = pd.Series(np.array(single, dtype=object)[codes], index=rows.body.index, dtype="str")
    bad = np.flatnonzero(rows.read & program.isna().to_numpy())
    if len(bad):
        report.add_many(
            rows.row[bad],
            rows.header("program"),
            [mask_value("program", v) for v in program_raw.iloc[bad].tolist()],
            [
                "Program kosong; baris dilewati."
                if not parsed[c][0] and not parsed[c][1]
                else "Program tidak dikenal atau lebih dari satu; satu baris realisasi harus "
                "PKH atau BPNT/SEMBAKO. Baris dilewati."
                for c in codes[bad]
            ],
        )
    live &= program.notna().to_numpy()

    status_raw = rows.raw("status")
    codes, parsed_status = _map_unique(status_raw, _parse_status)
    status = pd.Series(
        np.array([s for s, _ in parsed_status], dtype=object)[codes],
        index=rows.body.index,
        dtype="str",
    )
    status_reason = pd.Series(
        np.array([r for _, r in parsed_status], dtype=object)[codes] if n else [],
        index=rows.body.index,
        dtype="str",
    )
    bad = np.flatnonzero(rows.read & status.isna().to_numpy())
    if len(bad):
        report.add_many(
            rows.row[bad],
            rows.header("status"),
            [mask_value("status", v) for v in status_raw.iloc[bad].tolist()],
            [
                "Status transaksi tidak dikenal; gunakan SUDAH TRANSAKSI, BELUM TRANSAKSI atau "
                "TIDAK TRANSAKSI (dengan alasan di KETERANGAN). Baris dilewati."
            ]
            * len(bad),
        )
    live &= status.notna().to_numpy()

    keterangan = rows.text("keterangan")
    reason_text = keterangan.where(keterangan.ne(""), status_reason)
    codes, reasons = _map_unique(reason_text, normalise_reason)
    alasan = pd.Series(
        np.array(reasons, dtype=object)[codes] if n else [], index=rows.body.index, dtype="str"
    )
    alasan = alasan.where(status.ne("terealisasi"), "")

    nominal_text = rows.text("nominal")
    codes, values = _map_unique(nominal_text, _parse_nominal)
    nominal_ok = np.array([v is not None for v in values], dtype=bool)[codes]
    nominal = np.array([np.nan if v is None else v for v in values], dtype=float)[codes]
    bad = np.flatnonzero(rows.read & ~nominal_ok)
    if len(bad):
        report.add_many(
            rows.row[bad],
            rows.header("nominal"),
            [mask_value("nominal", v) for v in nominal_text.iloc[bad].tolist()],
            ["Nominal bukan angka; dikosongkan (masalah ini sendiri tidak membuat baris dilewati)."]
            * len(bad),
        )

    kode_desa = _villages(rows, index, live, kind="realisasi")
    frame = pd.DataFrame(
        {
            "nik": nik,
            "program": program,
            "status": status,
            "alasan": alasan,
            "tahap": rows.text("tahap"),
            "nominal": nominal,
            "kode_desa": kode_desa,
            "id_agen": rows.text("id_agen"),
            "tanggal_transaksi": rows.text("tanggal_transaksi"),
            "row": rows.row,
        }
    )[live].reset_index(drop=True)
    return ImportResult(
        kind="realisasi",
        file=report.file,
        frame=frame[REALISASI_COLUMNS],
        problems=report.problems(),
        headers=list(rows.body.columns),
        mapping=dict(rows.mapping),
        extra_columns=extra_columns,
        is_demo=demo,
        rows_read=rows_read,
        extra=extra,
    )
