"""What an import reports: rejected rows, the imported result, a refused file.

Nothing aborts on a bad row: each rejected or doubtful row becomes a :class:`Problem` (file, row as
the user sees it with the header on row 1, column as found, masked value, reason in Indonesian)
and the good rows are imported. Only a file that cannot be used at all raises
:class:`~geo._errors.InputFileError` (built by ``_refuse``).

:class:`ImportResult` is what :func:`geo.intake.roster.read_roster` and
:func:`geo.intake.realisasi.read_realisasi` return; ``_Report`` collects the problems of one file
while it is read, masking any run of 16 or more digits on the way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from geo._errors import InputFileError
from geo.safety.privacy import mask_nik

__all__ = [
    "COORDINATE_COLUMNS",
    "REALISASI_COLUMNS",
    "ROSTER_COLUMNS",
    "ImportResult",
    "Problem",
    "problems_to_frame",
]


@dataclass(frozen=True)
class Problem:
    """One rejected or doubtful row.

    Attributes
    ----------
    file
        The input's file name (no folder).
    row
        Row number as the user sees it in the file (header = row 1), or ``None`` for a problem
        about the whole file.
    column
        The header as found in the file, or ``None``.
    value
        The cell value, already masked when it is personal (NIK, No. KK, KKS).
    reason
        What is wrong and what to do, in Indonesian.
    """

    file: str
    row: int | None
    column: str | None
    value: str
    reason: str


ROSTER_COLUMNS = ["nik", "no_kk", "nama", "alamat", "kode_desa", "program", "row"]


#: A roster frame also carries these (float degrees, NaN when the roster has none for the row).
COORDINATE_COLUMNS = ["lat", "lon"]


REALISASI_COLUMNS = [
    "nik",
    "program",
    "status",
    "alasan",
    "tahap",
    "nominal",
    "kode_desa",
    "id_agen",
    "tanggal_transaksi",
    "row",
]


@dataclass
class ImportResult:
    """One imported file.

    Attributes
    ----------
    kind
        ``"roster"`` or ``"realisasi"``.
    file
        The input's file name.
    frame
        The clean rows. Roster: ``nik, no_kk, nama, alamat, kode_desa, program, row, lat, lon``,
        one row per (source row, programme), so a row naming both PKH and BPNT gives two;
        ``lat``/``lon`` are float degrees, NaN when the row has no usable coordinates.
        Realisasi: ``nik, program, status, alasan, tahap, nominal, kode_desa, id_agen,
        tanggal_transaksi, row``;
        ``nominal`` is a float (NaN when blank), ``kode_desa`` is missing (NaN) when the village
        could not be resolved. Text fields are ``""`` when absent. ``row`` is the row in the file.
    problems
        Rejected and doubtful rows, ordered by row.
    headers
        The headers as found (a blank header is named ``Kolom <letter>``; a repeated one gets
        `` (2)``).
    mapping
        Canonical field -> header used.
    extra_columns
        Headers not mapped to any field.
    is_demo
        The file carries the ``DATA CONTOH`` marker (a CATATAN/KETERANGAN column containing it,
        or an XLSX sheet named KETERANGAN containing it).
    rows_read
        Data rows that were not blank.
    extra
        The extra columns, kept aside: ``row`` plus one text column per extra header, for every
        non-blank row read.
    """

    kind: str
    file: str
    frame: pd.DataFrame
    problems: list[Problem]
    headers: list[str]
    mapping: dict[str, str]
    extra_columns: list[str]
    is_demo: bool
    rows_read: int
    extra: pd.DataFrame = field(default_factory=pd.DataFrame)

    def __post_init__(self) -> None:
        expected = ROSTER_COLUMNS if self.kind == "roster" else REALISASI_COLUMNS
        if self.kind not in ("roster", "realisasi"):
            raise ValueError(f"kind harus 'roster' atau 'realisasi', bukan {self.kind!r}")
        missing = [c for c in expected if c not in self.frame.columns]
        if missing:
            raise ValueError(f"Tabel hasil impor kurang kolom: {', '.join(missing)}")

    @property
    def rows_imported(self) -> int:
        """Source rows that made it into :attr:`frame`."""
        return int(self.frame["row"].nunique())

    def summary(self) -> dict:
        """Counts for a page or the CLI (JSON-serialisable, nothing personal)."""
        rows_with_problems = {p.row for p in self.problems if p.row is not None}
        out = {
            "jenis": self.kind,
            "berkas": self.file,
            "baris_dibaca": int(self.rows_read),
            "baris_diimpor": self.rows_imported,
            "baris_dilewati": int(self.rows_read - self.rows_imported),
            "baris_bermasalah": len(rows_with_problems),
            "masalah": len(self.problems),
            "data_contoh": bool(self.is_demo),
            "pemetaan_kolom": dict(self.mapping),
            "kolom_tambahan": list(self.extra_columns),
        }
        if self.kind == "roster":
            out["program"] = {
                str(k): int(v) for k, v in self.frame["program"].value_counts().sort_index().items()
            }
            if "lat" in self.frame:
                located = self.frame.drop_duplicates("row")["lat"].notna()
                out["baris_berkoordinat"] = int(located.sum())
        else:
            out["status"] = {
                str(k): int(v) for k, v in self.frame["status"].value_counts().sort_index().items()
            }
        return out


def problems_to_frame(problems: list[Problem]) -> pd.DataFrame:
    """Problems as a table with columns ``file, row, column, value, reason`` (values masked)."""
    return pd.DataFrame(
        {
            "file": [p.file for p in problems],
            "row": pd.array([p.row for p in problems], dtype="Int64"),
            "column": [p.column for p in problems],
            "value": [p.value for p in problems],
            "reason": [p.reason for p in problems],
        }
    )


def _refuse(filename: str, what: str) -> InputFileError:
    return InputFileError(f"Berkas {filename} tidak dapat dipakai: {what}")


_DIGIT_RUN = re.compile(r"\d{16,}")


def _mask_runs(text: str) -> str:
    """Text with every run of 16 or more digits masked like a NIK."""
    return _DIGIT_RUN.sub(lambda m: mask_nik(m.group(0)), text)


class _Report:
    """Collects problems; :meth:`problems` returns them by row, then in the order found."""

    def __init__(self, filename: str):
        self.file = filename
        self._items: list[tuple[int, int, Problem]] = []

    def add(self, row: int | None, column: str | None, value: str, reason: str) -> None:
        # A NIK in the wrong column (shifted cells) would be echoed unmasked: mask any run.
        value, reason = _mask_runs(value), _mask_runs(reason)
        self._items.append(
            (row or 0, len(self._items), Problem(self.file, row, column, value, reason))
        )

    def add_many(self, rows, column: str | None, values, reasons) -> None:
        for row, value, reason in zip(rows, values, reasons, strict=True):
            self.add(int(row), column, value, reason)

    def problems(self) -> list[Problem]:
        return [p for _, _, p in sorted(self._items, key=lambda t: (t[0], t[1]))]
