"""Read a Dinsos roster and a BRI realization file as clerks and banks send them.

Files come as CSV (comma or semicolon, UTF-8 with or without BOM, Windows-1252, or Excel's UTF-16
"Unicode text") or XLSX. Headers are recognised through synonyms (``FIELDS_ROSTER``,
``FIELDS_REALISASI``), case-, space- and punctuation-insensitive; an explicit mapping overrides
them. Every cell is read as text so a NIK keeps its digits.

Nothing aborts on a bad row: each rejected or doubtful row becomes a :class:`Problem` (file, row as
the user sees it with the header on row 1, column as found, masked value, reason in Indonesian)
and the good rows are imported. Only a file that cannot be used at all raises
:class:`~geo._errors.InputFileError`.

Everything that runs per row is vectorised (pandas string ops, ``factorize`` over the few distinct
values of programme, status, nominal and village columns), so a file of a million rows imports in
seconds; Python loops run only over distinct values and problem rows.

Extra columns (headers not mapped to any field) are kept aside in :attr:`ImportResult.extra`, a
separate frame with the file's ``row`` and those columns as text. Fields recognised but not needed
by the reconciliation (name, No. KK and KKS number in a BRI file) are not copied anywhere: the
roster decides who a KPM is, and personal data is kept only where the work needs it.
"""

from __future__ import annotations

import codecs
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePath

import numpy as np
import pandas as pd

from geo._errors import InputFileError, VillageLookupError
from geo.areas.lookup import VillageIndex, normalise
from geo.geometry import KUKAR_LAT, KUKAR_LON
from geo.intake.limits import base_name, check_upload
from geo.safety.privacy import mask_nik, mask_value

__all__ = [
    "FIELDS_REALISASI",
    "FIELDS_ROSTER",
    "Field",
    "ImportResult",
    "Problem",
    "detect_mapping",
    "problems_to_frame",
    "read_realisasi",
    "read_roster",
    "read_table",
]

#: The two programmes reconciled; every other spelling maps onto one of these.
PROGRAMS = ("PKH", "BPNT")

#: Longest ``nama`` kept (the store's column width); longer values are cut and reported.
MAX_NAMA = 200
#: Longest ``alasan`` kept.
MAX_ALASAN = 200

DEMO_MARKER = "DATA CONTOH"


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


@dataclass(frozen=True)
class Field:
    """A canonical field: an Indonesian label for messages and the headers that mean it."""

    label: str
    synonyms: tuple[str, ...]
    required: bool = False


_NIK = Field(
    "NIK",
    (
        "NIK",
        "NIK KTP",
        "NIK_KPM",
        "NIK PENGURUS",
        "NIK PENERIMA",
        "NIK KPM",
        "NO NIK",
        "NOMOR NIK",
        "NOMOR INDUK KEPENDUDUKAN",
    ),
    required=True,
)
_NAMA = Field(
    "nama",
    ("NAMA", "NAMA PENERIMA", "NAMA PENGURUS", "NAMA KPM", "NAMA LENGKAP", "NAMA PENERIMA MANFAAT"),
)
_NO_KK = Field(
    "No. KK", ("NO KK", "NOMOR KK", "NO_KK", "NKK", "NOMOR KARTU KELUARGA", "NO KARTU KELUARGA")
)
_ALAMAT = Field("alamat", ("ALAMAT", "ALAMAT KPM", "ALAMAT LENGKAP", "ALAMAT RUMAH"))
_KECAMATAN = Field("kecamatan", ("KECAMATAN", "NM KEC", "NAMA KECAMATAN", "NM KECAMATAN", "KEC"))
_DESA = Field(
    "desa/kelurahan",
    (
        "DESA",
        "KELURAHAN",
        "DESA/KELURAHAN",
        "KELURAHAN/DESA",
        "NM KEL",
        "NAMA DESA",
        "NAMA KELURAHAN",
        "NAMA DESA/KELURAHAN",
        "NM DESA",
    ),
)
_KODE = Field(
    "kode wilayah",
    (
        "KODE WILAYAH",
        "KODE DESA",
        "KD WILAYAH",
        "KODE DESA/KELURAHAN",
        "KODE KELURAHAN",
        "KODE KEMENDAGRI",
        "KD DESA",
    ),
)
_PROGRAM = Field(
    "program",
    ("PROGRAM", "BANSOS", "JENIS BANSOS", "PROGRAM BANSOS", "JENIS BANTUAN", "PROGRAM BANTUAN"),
)

_LAT = Field(
    "lintang (lat)",
    (
        "LATITUDE",
        "LAT",
        "LINTANG",
        "KOORDINAT Y",
        "KOORDINAT LINTANG",
        "TITIK LINTANG",
        "LAT KPM",
        "LATITUDE KPM",
        "LATITUDE RUMAH",
        "GEOTAG LAT",
        "GEOTAGGING LAT",
    ),
)
_LON = Field(
    "bujur (lon)",
    (
        "LONGITUDE",
        "LON",
        "LNG",
        "LONG",
        "BUJUR",
        "KOORDINAT X",
        "KOORDINAT BUJUR",
        "TITIK BUJUR",
        "LON KPM",
        "LONGITUDE KPM",
        "LONGITUDE RUMAH",
        "GEOTAG LON",
        "GEOTAGGING LON",
    ),
)

#: Roster fields. Besides ``nik``, a roster needs a village (``kode_wilayah`` or ``desa``) and a
#: programme (``program``, or at least one of the flag columns ``pkh``, ``bpnt``, ``sembako``).
#: ``lat``/``lon`` (the family's home, decimal degrees, from DTKS geotagging) are optional.
FIELDS_ROSTER: dict[str, Field] = {
    "nik": _NIK,
    "no_kk": _NO_KK,
    "nama": _NAMA,
    "alamat": _ALAMAT,
    "kode_wilayah": _KODE,
    "kecamatan": _KECAMATAN,
    "desa": _DESA,
    "program": _PROGRAM,
    "pkh": Field("kolom PKH", ("PKH", "PENERIMA PKH", "FLAG PKH")),
    "bpnt": Field("kolom BPNT", ("BPNT", "BPNT/SEMBAKO", "PENERIMA BPNT", "FLAG BPNT")),
    "sembako": Field("kolom SEMBAKO", ("SEMBAKO", "PROGRAM SEMBAKO", "PENERIMA SEMBAKO")),
    "lat": _LAT,
    "lon": _LON,
}

#: BRI realization fields. Besides ``nik``, ``program`` and ``status`` are required, and a village
#: (``kode_wilayah`` or ``desa``).
FIELDS_REALISASI: dict[str, Field] = {
    "nik": _NIK,
    "nama": _NAMA,
    "no_kk": _NO_KK,
    "no_kks": Field(
        "No. KKS",
        ("NO KKS", "NOMOR KKS", "NO REKENING", "NOMOR REKENING", "NO KARTU", "NOMOR KARTU"),
    ),
    "kode_wilayah": _KODE,
    "kecamatan": _KECAMATAN,
    "desa": _DESA,
    "program": Field(_PROGRAM.label, _PROGRAM.synonyms, required=True),
    "status": Field(
        "status",
        ("STATUS", "STATUS TRANSAKSI", "STATUS REALISASI", "STATUS SALUR", "STATUS PENYALURAN"),
        required=True,
    ),
    "keterangan": Field(
        "keterangan", ("KETERANGAN", "ALASAN", "KET", "KETERANGAN TIDAK TRANSAKSI")
    ),
    "tahap": Field("tahap", ("TAHAP", "PERIODE", "TAHAP PENYALURAN", "TAHAP/PERIODE")),
    "nominal": Field("nominal", ("NOMINAL", "JUMLAH", "NILAI", "NOMINAL BANTUAN", "NILAI BANTUAN")),
    "tanggal_transaksi": Field("tanggal transaksi", ("TANGGAL TRANSAKSI", "TGL TRANSAKSI")),
    "id_agen": Field(
        "ID agen",
        ("ID AGEN", "KODE AGEN", "ID E-WARONG", "ID EWARONG", "KODE E-WARONG", "ID AGEN/E-WARONG"),
    ),
}

# Groups of which at least one field must be present, besides the required fields.
_NEED_ANY: dict[str, list[tuple[tuple[str, ...], str]]] = {
    "roster": [
        (("kode_wilayah", "desa"), "kolom desa (KODE WILAYAH atau DESA/KELURAHAN)"),
        (
            ("program", "pkh", "bpnt", "sembako"),
            "kolom program (PROGRAM, atau kolom PKH/BPNT/SEMBAKO)",
        ),
    ],
    "realisasi": [
        (("kode_wilayah", "desa"), "kolom desa (KODE WILAYAH atau DESA/KELURAHAN)"),
    ],
}

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


def _fields(kind: str) -> dict[str, Field]:
    if kind == "roster":
        return FIELDS_ROSTER
    if kind == "realisasi":
        return FIELDS_REALISASI
    raise ValueError(f"Jenis berkas tidak dikenal: {kind!r} (harus 'roster' atau 'realisasi').")


def _key(text: object) -> str:
    """Header comparison key: upper case, letters and digits only."""
    return re.sub(r"[^A-Z0-9]", "", str(text).upper())


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


# -- reading a table ---------------------------------------------------------------------------

_SNIFF_BYTES = 1 << 16
_DECODE_CHUNK = 1 << 22


def _refuse(filename: str, what: str) -> InputFileError:
    return InputFileError(f"Berkas {filename} tidak dapat dipakai: {what}")


def _decodes_as_utf8(data: bytes) -> bool:
    # Incremental, so a 100 MB file is checked without a second 100 MB copy in memory.
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(view), _DECODE_CHUNK):
            decoder.decode(view[start : start + _DECODE_CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _looks_binary(text: str) -> bool:
    if "\x00" in text:
        return True
    if not text:
        return False
    control = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\r\n") or ch == "\ufffd")
    return control > max(2, len(text) // 100)


def _sniff_separator(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    unquoted = re.sub(r'"[^"]*"', "", first)
    counts = {sep: unquoted.count(sep) for sep in (";", ",", "\t", "|")}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] > 0 else ","


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _name_headers(raw: list[str]) -> list[str]:
    """Headers as found, made usable as column names: blanks named, repeats numbered."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for i, value in enumerate(raw):
        name = " ".join(str(value).split()) or f"Kolom {_column_letter(i)}"
        count = seen.get(name.upper(), 0) + 1
        seen[name.upper()] = count
        names.append(name if count == 1 else f"{name} ({count})")
    return names


def _finish_table(records: pd.DataFrame, filename: str) -> tuple[pd.DataFrame, list[str]]:
    """Split record 0 off as the header, name the columns, drop blank unnamed trailing columns."""
    if len(records) == 0:
        raise _refuse(filename, "berkas kosong (tidak ada baris judul kolom).")
    raw_headers = [str(v) for v in records.iloc[0].tolist()]
    body = records.iloc[1:].reset_index(drop=True)
    body.columns = range(body.shape[1])
    keep = [
        i
        for i, h in enumerate(raw_headers)
        if h.strip() or (len(body) and body[i].str.strip().ne("").any())
    ]
    if not keep:
        raise _refuse(filename, "baris 1 tidak berisi judul kolom.")
    headers = _name_headers([raw_headers[i] for i in keep])
    body = body[keep]
    body.columns = headers
    return body, headers


def _read_csv(data: bytes, filename: str) -> pd.DataFrame:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise _refuse(filename, "berkas teks UTF-16 rusak.") from exc
        source: io.IOBase = io.StringIO(text)
        encoding = None
        sample = text[:_SNIFF_BYTES]
    else:
        encoding = "utf-8-sig" if _decodes_as_utf8(data) else "cp1252"
        sample = data[:_SNIFF_BYTES].decode(encoding, errors="replace")
        source = io.BytesIO(data)
    if _looks_binary(sample):
        raise _refuse(
            filename,
            "isinya bukan teks CSV maupun XLSX (mungkin berkas rusak atau format lain). "
            "Simpan ulang dari Excel sebagai CSV atau XLSX.",
        )
    if not sample.strip():
        raise _refuse(filename, "berkas kosong.")
    sep = _sniff_separator(sample)
    records, skipped = _parse_csv(source, filename, sep=sep, encoding=encoding)
    if skipped:
        # Some lines have more fields than the header. Read again wide enough for all of them:
        # trailing empty fields are harmless, a line with text beyond the header's last column
        # cannot be split reliably and is reported as a whole.
        header_width = records.shape[1]
        source.seek(0)
        records, skipped = _parse_csv(
            source,
            filename,
            sep=sep,
            encoding=encoding,
            names=list(range(max(saw for _, saw in skipped))),
        )
        beyond = records.iloc[:, header_width:].ne("").any(axis=1).to_numpy()
        records = records.iloc[:, :header_width].copy()
        records.iloc[np.flatnonzero(beyond), :] = ""
        bad = set((np.flatnonzero(beyond) + 1).tolist())
        if skipped:  # pragma: no cover - the wide read leaves none; keep rows aligned anyway
            lines = np.array(sorted({line for line, _ in skipped}), dtype=np.int64)
            total = len(records) + len(lines)
            kept = np.setdiff1d(np.arange(1, total + 1), lines)[: len(records)]
            records.index = kept - 1
            records = records.reindex(range(total), fill_value="")
            bad |= set(lines.tolist())
        records.attrs["bad_lines"] = sorted(bad)
    return records


def _parse_csv(
    source: io.IOBase,
    filename: str,
    *,
    sep: str,
    encoding: str | None,
    names: list[int] | None = None,
) -> tuple[pd.DataFrame, list[tuple[int, int]]]:
    """All records as text (blank lines kept), and the (line, fields seen) of skipped lines."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        try:
            records = pd.read_csv(
                source,
                sep=sep,
                header=None,
                names=names,
                dtype=str,
                na_filter=False,
                skip_blank_lines=False,
                on_bad_lines="warn",
                encoding=encoding,
                encoding_errors="replace",
                engine="c",
            )
        except pd.errors.EmptyDataError as exc:
            raise _refuse(filename, "berkas kosong.") from exc
        except (pd.errors.ParserError, ValueError, UnicodeError) as exc:
            detail = re.sub(r"\d{6,}", "…", str(exc).splitlines()[0] if str(exc) else "")
            raise _refuse(
                filename,
                f"CSV tidak dapat dibaca ({detail}). Periksa tanda kutip dan pemisah kolom, "
                "atau simpan ulang dari Excel.",
            ) from exc
    skipped = [
        (int(line), int(saw))
        for w in caught
        for line, saw in re.findall(
            r"Skipping line (\d+): expected \d+ fields, saw (\d+)", str(w.message)
        )
    ]
    return records.fillna("").astype(str), skipped


def _cell_text(value: object) -> str:
    """An XLSX cell as text, with numbers written back exactly when they are exact."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # A float holds integers exactly up to 2**53 (a 16-digit NIK fits); beyond that, or
        # with a fraction, the value is written as Python prints it and later checks reject it
        # where digits matter.
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


#: XLSX readers, tried in this order: python-calamine (Rust, ~10x faster on a 40,000-row BRI
#: sheet) when it is installed, else openpyxl. Both yield the same cell values.
XLSX_ENGINES: tuple[str, ...] = ("calamine", "openpyxl")


def _pick_sheet(names: list[str], sheet: str | None, filename: str) -> str:
    if not names:
        raise _refuse(filename, "buku kerja XLSX tidak berisi lembar kerja.")
    if sheet is None:
        return names[0]
    match = [n for n in names if n.strip().upper() == sheet.strip().upper()]
    if not match:
        raise _refuse(filename, f"lembar '{sheet}' tidak ada. Lembar yang ada: {', '.join(names)}.")
    return match[0]


def _notes_sheet(names: list[str], chosen: str) -> str | None:
    return next((n for n in names if _key(n) == "KETERANGAN" and n != chosen), None)


def _xlsx_calamine(data: bytes, filename: str, sheet: str | None) -> tuple[list, list]:
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(workbook.sheet_names)
        chosen = _pick_sheet(names, sheet, filename)
        rows = workbook.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
        notes_name = _notes_sheet(names, chosen)
        notes = (
            workbook.get_sheet_by_name(notes_name).to_python(skip_empty_area=False)
            if notes_name
            else []
        )
    except python_calamine.CalamineError as exc:
        raise _refuse(
            filename, "XLSX rusak atau bukan buku kerja Excel. Simpan ulang dari Excel."
        ) from exc
    return rows, notes


def _xlsx_openpyxl(data: bytes, filename: str, sheet: str | None) -> tuple[list, list]:
    import openpyxl

    # SyntaxError: xml.etree's ParseError on broken XML inside the ZIP.
    broken = (zipfile.BadZipFile, LookupError, OSError, ValueError, TypeError, SyntaxError)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except broken as exc:
        raise _refuse(
            filename, "XLSX rusak atau bukan buku kerja Excel. Simpan ulang dari Excel."
        ) from exc
    try:
        names = list(workbook.sheetnames)
        chosen = _pick_sheet(names, sheet, filename)
        out = []
        for name in (chosen, _notes_sheet(names, chosen)):
            if name is None:
                out.append([])
                continue
            worksheet = workbook[name]
            worksheet.reset_dimensions()  # some writers store a wrong sheet size
            out.append([list(row) for row in worksheet.iter_rows(values_only=True)])
    except InputFileError:
        raise
    except broken as exc:  # the sheet's XML is read lazily, row by row
        raise _refuse(
            filename, "XLSX rusak atau bukan buku kerja Excel. Simpan ulang dari Excel."
        ) from exc
    finally:
        workbook.close()
    return out[0], out[1]


def _read_xlsx(data: bytes, filename: str, sheet: str | None) -> tuple[pd.DataFrame, bool]:
    """Cells of one sheet as text, and whether a KETERANGAN sheet carries the demo marker."""
    for engine in XLSX_ENGINES:
        if engine == "calamine":
            try:
                import python_calamine  # noqa: F401
            except ImportError:
                continue
            rows, notes = _xlsx_calamine(data, filename, sheet)
        else:
            rows, notes = _xlsx_openpyxl(data, filename, sheet)
        break
    else:  # pragma: no cover - openpyxl is a requirement
        raise _refuse(filename, "tidak ada pembaca XLSX yang terpasang.")
    demo = any(DEMO_MARKER in str(v).upper() for row in notes for v in row if v is not None)
    texts = [[_cell_text(v) for v in row] for row in rows]
    width = max((len(r) for r in texts), default=0)
    records = pd.DataFrame(
        [r + [""] * (width - len(r)) for r in texts], columns=range(width), dtype=str
    )
    return records, demo


def _read(data: bytes, filename: str, sheet: str | None) -> tuple[pd.DataFrame, list[str], bool]:
    name = base_name(filename)
    check_upload(data, filename=name)
    if not data or not data.strip():
        raise _refuse(name, "berkas kosong.")
    suffix = PurePath(name).suffix.lower()
    if data[:4] == b"PK\x03\x04":
        records, demo = _read_xlsx(data, name, sheet)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _refuse(
            name,
            "format Excel lama (.xls) tidak didukung. Buka di Excel lalu simpan sebagai "
            "Excel Workbook (.xlsx) atau CSV.",
        )
    elif suffix in (".xlsx", ".xlsm"):
        raise _refuse(name, "XLSX rusak atau bukan buku kerja Excel. Simpan ulang dari Excel.")
    else:
        records, demo = _read_csv(data, name), False
    bad_lines = records.attrs.get("bad_lines", [])
    body, headers = _finish_table(records, name)
    body.attrs["bad_lines"] = bad_lines
    return body, headers, demo


def sheet_names(data: bytes, *, filename: str) -> list[str]:
    """The sheets of an XLSX workbook, in order; ``[]`` for anything else (CSV).

    Raises
    ------
    InputFileError
        The file looks like XLSX but cannot be opened.
    """
    if data[:4] != b"PK\x03\x04":
        return []
    check_upload(data, filename=filename)
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    except (zipfile.BadZipFile, LookupError, OSError, ValueError, TypeError, SyntaxError) as exc:
        raise _refuse(
            PurePath(str(filename)).name,
            "XLSX rusak atau bukan buku kerja Excel. Simpan ulang dari Excel.",
        ) from exc
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def read_table(
    data: bytes, *, filename: str, sheet: str | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Read a CSV or XLSX file as text cells, with the headers on row 1.

    Parameters
    ----------
    data
        The file's bytes.
    filename
        The file's name as shown to the user (only its extension and name are used).
    sheet
        XLSX sheet to read (case-insensitive); the first sheet when ``None``. Ignored for CSV.

    Returns
    -------
    tuple
        A frame of ``str`` cells (``""`` when empty) with one column per header and a
        ``RangeIndex``: file row = index + 2. Blank rows are kept (as empty strings) so that
        the numbering holds. CSV lines with more fields than the header are unreadable; they
        appear as empty rows and their row numbers are listed in ``frame.attrs["bad_lines"]``.
        And the headers as found.

    Raises
    ------
    InputFileError
        Empty file, not CSV/XLSX, old ``.xls``, broken quoting, unknown sheet.
    """
    body, headers, _ = _read(data, filename, sheet)
    return body, headers


# -- column mapping ----------------------------------------------------------------------------


def detect_mapping(headers: list[str], kind: str) -> dict[str, str]:
    """Map canonical fields to headers through their synonyms.

    Parameters
    ----------
    headers
        Headers as found.
    kind
        ``"roster"`` or ``"realisasi"``.

    Returns
    -------
    dict
        Field -> header, for the fields found. Matching ignores case, spaces and punctuation;
        synonyms earlier in a field's list win, and a header is used for one field only.
    """
    fields = _fields(kind)
    by_key: dict[str, str] = {}
    for header in headers:
        by_key.setdefault(_key(header), header)
    used: set[str] = set()
    mapping: dict[str, str] = {}
    for name, spec in fields.items():
        for synonym in spec.synonyms:
            header = by_key.get(_key(synonym))
            if header is not None and header not in used:
                mapping[name] = header
                used.add(header)
                break
    return mapping


def _shown_headers(headers: list[str]) -> str:
    if not headers:
        return "(tidak ada)"
    # A headerless file puts data on row 1; never echo a NIK or a long number.
    if any(re.search(r"\d{8,}", h) for h in headers):
        return (
            "(baris 1 tampaknya berisi data, bukan judul kolom; isinya tidak ditampilkan untuk "
            "melindungi data pribadi)"
        )
    shown = [h if len(h) <= 40 else h[:40] + "…" for h in headers[:40]]
    more = f" dan {len(headers) - 40} kolom lain" if len(headers) > 40 else ""
    return ", ".join(shown) + more


def _resolve_mapping(
    headers: list[str], kind: str, override: dict[str, str] | None, filename: str
) -> dict[str, str]:
    fields = _fields(kind)
    override = dict(override or {})
    unknown = [f for f in override if f not in fields]
    if unknown:
        raise _refuse(
            filename,
            f"pemetaan kolom menyebut bidang yang tidak dikenal: {', '.join(map(str, unknown))}. "
            f"Bidang yang dikenal: {', '.join(fields)}.",
        )
    by_key = {_key(h): h for h in reversed(headers)}
    mapping: dict[str, str] = {}
    for name, header in override.items():
        if header is None or not str(header).strip():
            continue
        found = header if header in headers else by_key.get(_key(header))
        if found is None:
            raise _refuse(
                filename,
                f"kolom '{header}' yang dipetakan ke {fields[name].label} tidak ada. "
                f"Kolom yang ditemukan: {_shown_headers(headers)}.",
            )
        mapping[name] = found
    taken = set(mapping.values())
    detected = detect_mapping([h for h in headers if h not in taken], kind)
    for name, header in detected.items():
        if name not in override:
            mapping[name] = header
    missing = [spec for name, spec in fields.items() if spec.required and name not in mapping]
    what = [
        f"kolom {spec.label} (judul yang dikenali: {', '.join(spec.synonyms)})" for spec in missing
    ]
    what += [label for group, label in _NEED_ANY[kind] if not any(f in mapping for f in group)]
    if what:
        raise _refuse(
            filename,
            f"tidak ada {'; tidak ada '.join(what)}. Kolom yang ditemukan: "
            f"{_shown_headers(headers)}. Ganti judul kolom di baris 1 atau atur pemetaan kolom.",
        )
    return {name: mapping[name] for name in fields if name in mapping}


# -- cleaning ----------------------------------------------------------------------------------


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


def _map_unique(values: pd.Series, func) -> tuple[np.ndarray, list]:
    """Apply ``func`` once per distinct value; returns the codes and the per-value results."""
    codes, uniques = pd.factorize(values, sort=False)
    return codes, [func(u) for u in uniques]


# Literal characters, not ``\s``: pandas then runs the regex in pyarrow, ~6x faster.
_NIK_DECORATION = "[ \t\r\n\u00a0'\u2018\u2019`\"=]+"
_SCIENTIFIC = re.compile(r"[0-9]+(?:[.,][0-9]+)?[eE][+-]?[0-9]+")
_FIX_AT_SOURCE = "Perbaiki di berkas sumber, simpan kolom NIK sebagai Teks."


def _clean_id(raw: pd.Series) -> pd.Series:
    """Digits of a NIK or No. KK: spaces, apostrophes, ``="..."`` and a trailing ``.0`` dropped."""
    fine = raw.str.fullmatch("[0-9]{16}").to_numpy(dtype=bool)
    if fine.all():
        return raw
    messy = raw[~fine]
    cleaned = messy.str.replace(_NIK_DECORATION, "", regex=True).str.replace(
        r"\.0+$", "", regex=True
    )
    out = raw.copy()
    out[~fine] = cleaned
    return out


def _valid_id(clean: pd.Series) -> pd.Series:
    # A NIK's last four digits are a registration number starting at 0001; "0000" is what
    # Excel leaves after rounding a long number (6.40201E+15 -> 6402010000000000).
    return clean.str.fullmatch("[0-9]{16}") & ~clean.str.endswith("0000")


def _id_defect(clean: str) -> str:
    """What is wrong with a NIK-like number that failed :func:`_valid_id` (not empty)."""
    if _SCIENTIFIC.fullmatch(clean):
        return (
            "tertulis dalam notasi ilmiah (seperti 6,40201E+15), digit terakhirnya sudah hilang "
            "dan tidak dapat dipulihkan"
        )
    if not re.fullmatch("[0-9]+", clean):
        return "berisi karakter selain angka"
    if len(clean) != 16:
        return f"{len(clean)} digit, seharusnya 16 (digit bisa hilang saat dibuka di Excel)"
    return "empat digit terakhir 0000, tanda angka dibulatkan Excel; digit aslinya hilang"


def _nik_reason(clean: str) -> str:
    if not clean:
        return "NIK kosong; baris dilewati."
    return f"NIK tidak valid: {_id_defect(clean)}. Baris dilewati. {_FIX_AT_SOURCE}"


_PROGRAM_NAMES = {
    "PKH": "PKH",
    "PROGRAMKELUARGAHARAPAN": "PKH",
    "BPNT": "BPNT",
    "SEMBAKO": "BPNT",
    "PROGRAMSEMBAKO": "BPNT",
    "BPNTSEMBAKO": "BPNT",
    "SEMBAKOBPNT": "BPNT",
    "BANSOSSEMBAKO": "BPNT",
    "KARTUSEMBAKO": "BPNT",
    "BANTUANPANGANNONTUNAI": "BPNT",
    "BANTUANSEMBAKO": "BPNT",
}


def _parse_programs(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Programmes named in a cell: (known, unknown tokens as typed)."""
    text = " ".join(str(text).split())
    if not text:
        return (), ()
    whole = _PROGRAM_NAMES.get(_key(text))
    if whole:
        return (whole,), ()
    known: list[str] = []
    unknown: list[str] = []
    for token in re.split(r"[,;/+&|]|\bDAN\b", text, flags=re.IGNORECASE):
        token = token.strip()
        if not token:
            continue
        program = _PROGRAM_NAMES.get(_key(token))
        if program is None:
            unknown.append(token)
        elif program not in known:
            known.append(program)
    return tuple(known), tuple(unknown)


_FLAG_YES = {"YA", "Y", "1", "V", "TRUE", "X", "YES", "✓", "√", "ADA", "BENAR", "PENERIMA"}
_FLAG_NO = {"", "TIDAK", "TDK", "T", "0", "N", "NO", "FALSE", "-", "BUKAN", "SALAH"}


def _parse_flag(text: str) -> bool | None:
    key = " ".join(str(text).upper().split())
    if key in _FLAG_YES or _key(key) in _PROGRAM_NAMES:
        return True
    if key in _FLAG_NO:
        return False
    return None


_STATUS_WORDS = {
    "terealisasi": (
        "TRANSAKSI",
        "SUDAH",
        "SUDAH TRANSAKSI",
        "TELAH TRANSAKSI",
        "SALUR",
        "SUDAH SALUR",
        "TERSALUR",
        "SUDAH TERSALUR",
        "TEREALISASI",
        "SUDAH TEREALISASI",
        "REALISASI",
        "SUDAH DITARIK",
        "SUDAH BELANJA",
        "SUKSES",
        "BERHASIL",
    ),
    "belum_transaksi": (
        "BELUM",
        "BELUM TRANSAKSI",
        "BELUM SALUR",
        "BELUM TERSALUR",
        "BELUM TEREALISASI",
        "BELUM DITARIK",
        "BELUM BELANJA",
    ),
    "tidak_transaksi": (
        "TIDAK TRANSAKSI",
        "TIDAK",
        "TIDAK SALUR",
        "TIDAK TERSALUR",
        "TIDAK TEREALISASI",
        "GAGAL",
        "GAGAL TRANSAKSI",
        "GAGAL SALUR",
    ),
}
_STATUS_LOOKUP = {w: s for s, words in _STATUS_WORDS.items() for w in words}
# A reason written into the status cell ("TIDAK TRANSAKSI - MENINGGAL") follows these.
_STATUS_PREFIXES = sorted(
    (w for s, words in _STATUS_WORDS.items() if s != "terealisasi" for w in words if " " in w),
    key=len,
    reverse=True,
)


def _parse_status(text: str) -> tuple[str | None, str]:
    """(status or None when unknown, a reason written after the status)."""
    words = " ".join(re.sub(r"[^A-Z0-9]+", " ", str(text).upper()).split())
    if words in _STATUS_LOOKUP:
        return _STATUS_LOOKUP[words], ""
    for prefix in _STATUS_PREFIXES:
        if words.startswith(prefix + " "):
            rest = re.sub(
                r"^[\s\-:(/,]+|[\s)]+$", "", str(text).upper().split(prefix.split()[-1], 1)[-1]
            )
            return _STATUS_LOOKUP[prefix], rest
    return None, ""


_REASONS = (
    ("MENINGGAL", re.compile(r"MENINGGAL|WAFAT|ALMARHUM|\bALM\b|\bMD\b")),
    ("PINDAH DOMISILI", re.compile(r"PINDAH")),
    ("KARTU BLOKIR", re.compile(r"BLOKIR")),
    ("KARTU HILANG", re.compile(r"HILANG")),
    ("MAMPU", re.compile(r"(?<!TIDAK )(?<!KURANG )\bMAMPU\b")),
)


def normalise_reason(text: object) -> str:
    """A reason from KETERANGAN: MENINGGAL, PINDAH DOMISILI, MAMPU, KARTU HILANG, KARTU BLOKIR,
    or the free text as typed (spaces tidied, cut to 200 characters)."""
    shown = " ".join(str(text).split()) if text is not None else ""
    upper = shown.upper()
    for reason, pattern in _REASONS:
        if pattern.search(upper):
            return reason
    return shown[:MAX_ALASAN]


_IDR_DOTS = re.compile(r"-?\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_IDR_COMMAS = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def _parse_nominal(text: str) -> float | None:
    """Rupiah as typed (``200000``, ``200.000``, ``Rp 200.000,00``, ``200,000``); None if not."""
    t = re.sub(r"(?i)^rp\.?|\s|\u00a0", "", str(text))
    if t in ("", "-"):
        return float("nan")
    if _IDR_DOTS.fullmatch(t):
        return float(t.replace(".", "").replace(",", "."))
    if _IDR_COMMAS.fullmatch(t):
        return float(t.replace(",", ""))
    if re.fullmatch(r"-?\d+,\d+", t):
        return float(t.replace(",", "."))
    try:
        value = float(t)
    except ValueError:
        return None
    return value if np.isfinite(value) else None


_DEGREES = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)"


def _parse_degrees(text: pd.Series) -> np.ndarray:
    """Decimal degrees as typed (``-0.4412``, ``-0,4412``, ``116,98°``); NaN when blank or not a
    plain number (``1e5``, ``nan``, ``0°26'S`` are not accepted)."""
    t = text.str.replace("[ \u00a0\u00b0]", "", regex=True).str.replace("\u2212", "-", regex=False)
    # Indonesian Excel writes a decimal comma; a value with both a comma and a point is refused.
    comma = t.str.count(",").eq(1) & ~t.str.contains(".", regex=False)
    t = t.where(~comma, t.str.replace(",", ".", regex=False))
    plain = t.str.fullmatch(_DEGREES).fillna(False).to_numpy(dtype=bool)
    out = np.full(len(t), np.nan)
    if plain.any():
        out[plain] = t[plain].astype(float).to_numpy()
    return out


def _deg(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _in_box(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return (
            (lon >= KUKAR_LON[0])
            & (lon <= KUKAR_LON[1])
            & (lat >= KUKAR_LAT[0])
            & (lat <= KUKAR_LAT[1])
        )


def _coordinates(rows: _Rows) -> tuple[np.ndarray, np.ndarray]:
    """Each row's (lat, lon) in degrees, NaN where the roster has none or they cannot be used.

    A bad coordinate never costs the KPM: the row is imported without coordinates and a problem
    says why. Swapped columns (a latitude that looks like a Kukar longitude and the other way
    round) are unambiguous in Kukar, so they are swapped back and reported. Values are the
    family's home: they appear only in the problem's value cell, never beside a NIK or a name.
    """
    n = len(rows.body)
    lat, lon = np.full(n, np.nan), np.full(n, np.nan)
    have = [f for f in ("lat", "lon") if rows.header(f)]
    if not have:
        return lat, lon
    if len(have) == 1:
        present, missing = have[0], "lon" if have[0] == "lat" else "lat"
        spec = FIELDS_ROSTER[missing]
        rows.report.add(
            None,
            rows.header(present),
            "",
            f"Ada kolom {FIELDS_ROSTER[present].label} tetapi tidak ada kolom {spec.label}, jadi "
            f"koordinat KPM tidak dipakai (semua KPM tetap diimpor). Tambahkan kolom {spec.label} "
            f"(judul yang dikenali: {', '.join(spec.synonyms)}) atau atur pemetaan kolom.",
        )
        return lat, lon
    lat_text, lon_text = rows.text("lat"), rows.text("lon")
    lat, lon = _parse_degrees(lat_text), _parse_degrees(lon_text)
    lat_filled = lat_text.ne("").to_numpy()
    lon_filled = lon_text.ne("").to_numpy()
    kept = "KPM tetap diimpor tanpa koordinat"
    for name, text, values, filled in (
        ("lat", lat_text, lat, lat_filled),
        ("lon", lon_text, lon, lon_filled),
    ):
        bad = np.flatnonzero(rows.read & filled & ~np.isfinite(values))
        if len(bad):
            rows.report.add_many(
                rows.row[bad],
                rows.header(name),
                [mask_value(name, v) for v in text.iloc[bad].tolist()],
                [
                    f"{FIELDS_ROSTER[name].label.capitalize()} bukan angka derajat desimal "
                    f"(contoh: lintang -0,4412, bujur 116,9876). {kept}; perbaiki di berkas "
                    "sumber."
                ]
                * len(bad),
            )
    lat_bad = lat_filled & ~np.isfinite(lat)
    lon_bad = lon_filled & ~np.isfinite(lon)
    for name, other, empty in (
        ("lat", "lon", ~lat_filled & lon_filled & ~lon_bad),
        ("lon", "lat", ~lon_filled & lat_filled & ~lat_bad),
    ):
        hit = np.flatnonzero(rows.read & empty)
        if len(hit):
            rows.report.add_many(
                rows.row[hit],
                rows.header(name),
                [""] * len(hit),
                [
                    f"{FIELDS_ROSTER[name].label.capitalize()} kosong padahal "
                    f"{FIELDS_ROSTER[other].label} terisi. {kept}; isi keduanya atau kosongkan "
                    "keduanya."
                ]
                * len(hit),
            )
    both = np.isfinite(lat) & np.isfinite(lon)
    swapped = both & _in_box(lat, lon) & ~_in_box(lon, lat)
    lat, lon = np.where(swapped, lon, lat), np.where(swapped, lat, lon)
    outside = both & ~_in_box(lon, lat)
    pair = (lat_text + "; " + lon_text).str.slice(0, 80)
    lat_header, lon_header = rows.header("lat"), rows.header("lon")
    for mask, reason in (
        (
            swapped,
            f"Lintang ({lat_header}) dan bujur ({lon_header}) tertukar: di Kukar bujur sekitar "
            "116 dan lintang sekitar -0,4. Koordinat sudah ditukar kembali dan KPM diimpor; "
            "tukar kedua kolom di berkas sumber.",
        ),
        (
            outside,
            f"Koordinat di luar Kutai Kartanegara (bujur harus {_deg(KUKAR_LON[0])}–"
            f"{_deg(KUKAR_LON[1])}° BT, lintang {_deg(-KUKAR_LAT[0])}° LS – "
            f"{_deg(KUKAR_LAT[1])}° LU, dalam derajat desimal). {kept}; periksa {lat_header} dan "
            f"{lon_header} di berkas sumber.",
        ),
    ):
        hit = np.flatnonzero(rows.read & mask)
        if len(hit):
            rows.report.add_many(
                rows.row[hit], lat_header, pair.iloc[hit].tolist(), [reason] * len(hit)
            )
    usable = both & ~outside
    return np.where(usable, lat, np.nan), np.where(usable, lon, np.nan)


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


_NOTE_KEYS = ("CATATAN", "KETERANGAN", "KET", "NOTE", "NOTES", "SUMBER")


def has_demo_marker(body: pd.DataFrame, headers: list[str]) -> bool:
    """Whether a note column (CATATAN, KETERANGAN, ...) says ``DATA CONTOH``."""
    for header in headers:
        if _key(header) in _NOTE_KEYS and (
            body[header].str.upper().str.contains(DEMO_MARKER, regex=False).any()
        ):
            return True
    return False


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
    n = len(rows.body)

    # Programmes: the PROGRAM cell (possibly naming several) and/or one flag column each.
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
