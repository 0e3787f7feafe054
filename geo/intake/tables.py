"""Read a CSV or XLSX file as a table of text cells, with the headers on row 1.

Files come as CSV (comma, semicolon, tab or pipe, UTF-8 with or without BOM, Windows-1252, or
Excel's UTF-16 "Unicode text") or XLSX (python-calamine when installed, else openpyxl; see
``XLSX_ENGINES``). Every cell is read as text so a NIK keeps its digits. Binary, empty, old
``.xls`` and broken files are refused with a message naming the file. This module also spots the
``DATA CONTOH`` marker of the synthetic demo files (:func:`has_demo_marker`, and a KETERANGAN
sheet in a workbook).
"""

from __future__ import annotations

import codecs
import io
import re
import warnings
import zipfile
from datetime import date, datetime, time
from pathlib import PurePath

import numpy as np
import pandas as pd

from geo._errors import InputFileError
from geo.intake.headers import _key
from geo.intake.limits import base_name, check_upload
from geo.intake.problems import _refuse

__all__ = [
    "DEMO_MARKER",
    "XLSX_ENGINES",
    "has_demo_marker",
    "read_table",
    "sheet_names",
]


DEMO_MARKER = "DATA CONTOH"


_SNIFF_BYTES = 1 << 16


_DECODE_CHUNK = 1 << 22


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


_NOTE_KEYS = ("CATATAN", "KETERANGAN", "KET", "NOTE", "NOTES", "SUMBER")


def has_demo_marker(body: pd.DataFrame, headers: list[str]) -> bool:
    """Whether a note column (CATATAN, KETERANGAN, ...) says ``DATA CONTOH``."""
    for header in headers:
        if _key(header) in _NOTE_KEYS and (
            body[header].str.upper().str.contains(DEMO_MARKER, regex=False).any()
        ):
            return True
    return False
