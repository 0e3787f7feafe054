"""Upload limits: refuse a file too big, too wide, too long, or a ZIP bomb, before reading it.

Every importer goes through :func:`geo.intake.tables.read_table` (or the same internal reader),
which calls :func:`check_upload` first. The checks look at the bytes only: the size, for a CSV the
number of lines and of separators on a line, for an XLSX the ZIP directory (declared sizes,
compression ratios, compression methods), an integrity pass that decompresses each member in
small chunks (so a member whose declared size lies is caught without filling memory), and the
sheets' declared dimensions. Limits come from :mod:`geo.settings` at call time (``MAX_UPLOAD_MB``,
``MAX_ROWS``, ``MAX_COLUMNS``).

Messages are in Indonesian, name the file (its base name only), the limit and what to do, and
never echo the file's content.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from pathlib import PureWindowsPath

import numpy as np

from geo import settings
from geo._errors import InputFileError

__all__ = ["base_name", "check_csv_shape", "check_upload", "check_xlsx_zip"]

MB = 1024 * 1024
#: The members of an XLSX may hold at most this many times ``MAX_UPLOAD_MB`` in total.
ZIP_EXPANSION = 20
#: A member that expands more than this many times is refused (real sheets expand 5–30 times).
MAX_ZIP_RATIO = 100
#: The ratio is only judged on members larger than this (tiny members have noisy ratios).
_RATIO_MIN_BYTES = MB
#: Most members in an XLSX (a workbook has tens; hundreds with many sheets or images).
MAX_ZIP_MEMBERS = 10_000
#: Decompressed bytes read from the start of a sheet to find its ``<dimension>``.
_DIMENSION_PEEK = 1 << 14
#: The header line is looked for in the first this-many bytes.
_HEADER_PEEK = 1 << 22
#: Bytes scanned at a time when counting separators per line.
_CHUNK = 1 << 22

_SEPARATORS = (b";", b",", b"\t", b"|")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Za-z0-9:$]+)\"")
_CELL = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")


def base_name(filename: object) -> str:
    """A file name without any folder part, whether written with ``/`` or ``\\``."""
    return PureWindowsPath(str(filename)).name or str(filename)


def _refuse(name: str, what: str) -> InputFileError:
    return InputFileError(f"Berkas {name} tidak dapat dipakai: {what}")


def _mb(value: float) -> str:
    """Megabytes as Indonesians write them: ``50 MB``, ``57,3 MB``."""
    text = f"{value:.1f}".removesuffix(".0") if value >= 0.1 else f"{value:.3g}"
    return text.replace(".", ",") + " MB"


def _n(value: float) -> str:
    """A whole number with Indonesian thousands dots: 2.000.000."""
    return f"{value:,.0f}".replace(",", ".")


def check_upload(data: bytes, *, filename: str) -> None:
    """Refuse a file over the size limit, a CSV over the row/column limits, or a bad XLSX ZIP.

    Parameters
    ----------
    data
        The file's bytes.
    filename
        The name as the user sent it; only its base name is shown, it is never used as a path.

    Raises
    ------
    InputFileError
        The file is larger than ``settings.MAX_UPLOAD_MB``, has more than ``settings.MAX_ROWS``
        data rows or ``settings.MAX_COLUMNS`` columns, or is an XLSX whose ZIP is broken,
        encrypted, uses an unsupported compression or would expand too far (a ZIP bomb).
    """
    name = base_name(filename)
    limit = float(settings.MAX_UPLOAD_MB)
    if len(data) > limit * MB:
        raise _refuse(
            name,
            f"ukurannya {_mb(len(data) / MB)}, melebihi batas {_mb(limit)}. Bagi data menjadi "
            "beberapa berkas (misalnya per kecamatan) atau simpan sebagai XLSX yang lebih "
            "ringkas; batas dapat diubah admin lewat JANGKAU_MAKS_UNGGAH_MB.",
        )
    if data[:4] == b"PK\x03\x04":
        check_xlsx_zip(data, filename=name)
    elif data[:8] != _OLE:  # an old .xls gets its own message from the reader
        check_csv_shape(data, filename=name)


def _too_many_rows(name: str, rows: int) -> InputFileError:
    return _refuse(
        name,
        f"berisi sekitar {_n(rows)} baris data, melebihi batas {_n(settings.MAX_ROWS)} baris. "
        "Bagi data menjadi beberapa berkas (misalnya per kecamatan); batas dapat diubah admin "
        "lewat JANGKAU_MAKS_BARIS.",
    )


def _too_many_columns(name: str, columns: int) -> InputFileError:
    return _refuse(
        name,
        f"berisi {_n(columns)} kolom, melebihi batas {_n(settings.MAX_COLUMNS)} kolom. "
        "Hapus kolom yang tidak diperlukan (data Dinsos dan BRI biasanya berisi kurang dari "
        "50 kolom), lalu unggah lagi.",
    )


def _header_line(data: bytes) -> bytes:
    """The first line with text (at most ``_HEADER_PEEK`` bytes), as ASCII-compatible bytes."""
    head = data[:_HEADER_PEEK]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        # UTF-16: the separators are ASCII, so a lossy re-encoding keeps them.
        text = head.decode("utf-16", errors="replace")
        head = text.encode("ascii", errors="replace")
    for line in _LINE_BREAK.split(head):
        if line.strip():
            return line
    return b""


def check_csv_shape(data: bytes, *, filename: str) -> None:
    """Refuse a text table with more than ``MAX_COLUMNS`` columns or ``MAX_ROWS`` data rows.

    The columns are counted on the header line (the first line with text) and, for the header's
    separator, on every line: a line far wider than the header would make the reader build a
    huge table. Rows are counted as line breaks, so a quoted cell holding line breaks counts
    more than once; the limit is meant for files far beyond it.

    Raises
    ------
    InputFileError
        Too many columns or rows.
    """
    name = base_name(filename)
    header = re.sub(rb'"[^"]*"', b"", _header_line(data))
    counts = {sep: header.count(sep) for sep in _SEPARATORS}
    sep = max(counts, key=lambda s: counts[s])
    if counts[sep] + 1 > settings.MAX_COLUMNS:
        raise _too_many_columns(name, counts[sep] + 1)
    if not data:
        return
    # Lines end in LF or CRLF, or in CR alone (Excel for Mac's "CSV (Macintosh)").
    end = b"\n" if b"\n" in data else b"\r"
    lines = data.count(end) + (0 if data.endswith(end) else 1)
    if lines - 1 > settings.MAX_ROWS:
        raise _too_many_rows(name, lines - 1)
    if counts[sep] == 0 and sep == b";":
        sep = b","  # no separator on the header: the reader splits on commas
    widest = _widest_line(data, sep[0])
    if widest > settings.MAX_COLUMNS:
        raise _too_many_columns(name, widest)


def _widest_line(data: bytes, sep: int) -> int:
    """Fields on the widest line, counting every ``sep`` byte (quoted or not: quoted ones only
    make the count larger). Read in chunks, so memory stays a few times ``_CHUNK``."""
    widest = carry = 0  # carry: separators on the line still open at the end of a chunk
    for start in range(0, len(data), _CHUNK):
        arr = np.frombuffer(
            data, dtype=np.uint8, count=min(_CHUNK, len(data) - start), offset=start
        )
        breaks = np.flatnonzero((arr == ord("\n")) | (arr == ord("\r")))
        seps = np.flatnonzero(arr == sep)
        if len(breaks) == 0:
            carry += len(seps)
            continue
        # Separators before each line break, differenced: separators per line ended here.
        before = np.searchsorted(seps, breaks)
        per_line = np.diff(before, prepend=0)
        widest = max(widest, carry + int(per_line[0]), int(per_line.max()))
        carry = len(seps) - int(before[-1])
    return max(widest, carry) + 1


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + (ord(ch) - 64)
    return number


def _broken(name: str) -> InputFileError:
    return _refuse(name, "XLSX rusak atau bukan buku kerja Excel. Simpan ulang dari Excel.")


def check_xlsx_zip(data: bytes, *, filename: str) -> None:
    """Inspect an XLSX's ZIP before any XLSX reader opens it.

    Refused, in this order and before anything is decompressed: an unreadable ZIP directory,
    too many members, encrypted members or compressions other than stored/deflate, a declared
    total size over ``ZIP_EXPANSION × MAX_UPLOAD_MB``, a member expanding more than
    ``MAX_ZIP_RATIO`` times. Then every member is decompressed in 1 MB chunks and checked
    against its CRC and declared size (a lying size is caught there, memory stays small), and
    each sheet's declared ``<dimension>`` is compared with ``MAX_ROWS`` and ``MAX_COLUMNS``.

    Raises
    ------
    InputFileError
        Any of the above.
    """
    name = base_name(filename)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError) as exc:
        # RuntimeError: NotImplementedError for a ZIP version or feature zipfile cannot read.
        raise _broken(name) from exc
    with archive:
        if len(members) > MAX_ZIP_MEMBERS:
            raise _refuse(
                name,
                f"arsip XLSX berisi {len(members)} bagian (batas {MAX_ZIP_MEMBERS}); ini bukan "
                "buku kerja biasa. Simpan ulang dari Excel.",
            )
        for info in members:
            if info.flag_bits & 0x1:
                raise _refuse(
                    name,
                    "XLSX dilindungi sandi (terenkripsi). Buka di Excel, hapus sandinya, simpan, "
                    "lalu unggah lagi.",
                )
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise _broken(name)
        total = sum(info.file_size for info in members)
        budget = ZIP_EXPANSION * float(settings.MAX_UPLOAD_MB) * MB
        bomb = (
            "isinya mengembang menjadi {size} MB saat dibuka ({why}); berkas seperti ini "
            "dapat melumpuhkan aplikasi (bom ZIP) dan ditolak. Bila ini memang data Anda, "
            "buka di Excel, hapus lembar dan format yang tidak perlu, lalu simpan ulang."
        )
        if total > budget:
            raise _refuse(
                name,
                bomb.format(size=_n(total / MB), why=f"batas {_n(budget / MB)} MB"),
            )
        for info in members:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > _RATIO_MIN_BYTES and ratio > MAX_ZIP_RATIO:
                raise _refuse(
                    name,
                    bomb.format(
                        size=_n(info.file_size / MB),
                        why=f"{_n(ratio)} kali ukuran terkompresinya, batas {MAX_ZIP_RATIO} kali",
                    ),
                )
        try:
            bad = archive.testzip()
        except (
            zipfile.BadZipFile,
            zlib.error,
            OSError,
            EOFError,
            ValueError,
            RuntimeError,  # NotImplementedError: an unknown ZIP version or feature
        ) as exc:
            raise _broken(name) from exc
        if bad is not None:
            raise _broken(name)
        for info in members:
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                _check_dimension(archive, info, name)


def _check_dimension(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> None:
    try:
        with archive.open(info) as member:
            head = member.read(_DIMENSION_PEEK)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, RuntimeError) as exc:
        raise _broken(name) from exc
    match = _DIMENSION.search(head)
    if match is None:
        return
    last = match.group(1).decode("ascii").split(":")[-1]
    cell = _CELL.fullmatch(last)
    if cell is None:
        return
    columns, rows = _column_number(cell.group(1)), int(cell.group(2))
    if columns > settings.MAX_COLUMNS:
        raise _too_many_columns(name, columns)
    if rows - 1 > settings.MAX_ROWS:
        raise _too_many_rows(name, rows - 1)
