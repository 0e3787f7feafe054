"""Bad and hostile input: every reader answers with a message, writes nothing, leaks no NIK.

The corpus is generated here (nothing binary is committed): a truncated XLSX, a ZIP bomb renamed
``.xlsx``, binary garbage named ``.csv``, empty files, 100,000 columns, wrong encodings, a CSV
with only a header, an XLSX whose first sheet is empty, files over the upload limits. Every
reader (roster, realisasi, service points, depots, boat legs, outcomes, holidays, people,
deadlines) must answer each with an Indonesian :class:`~geo._errors.JangkauError` naming the
file, or with a result that imports nothing bad; never with a traceback of another exception
type. No 16-digit run (a NIK) may appear in a message.

Also here, item 3 of the security issue: text from a user's file reaches map HTML escaped,
exports neutralise formulas, and an uploaded file's name is never used as a path.
"""

from __future__ import annotations

import csv
import io
import random
import re
import struct
import sys
import tracemalloc
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from geo import settings
from geo._errors import InputFileError, JangkauError
from geo.areas.lookup import VillageIndex
from geo.intake import limits, tables
from geo.intake.problems import problems_to_frame
from geo.intake.realisasi import read_realisasi
from geo.intake.roster import read_roster
from geo.outputs import export, maps
from geo.plan import schedule
from geo.reach import boats, network, per_village
from geo.reach.service_points import read_points
from geo.realization import coverage, outcomes
from geo.realization.rounds import InputFile, run_round
from geo.store.database import Store

NIK = "6402011203810001"
NIK_RUN = re.compile(r"\d{16}")
EVIL = "<img src=x onerror=alert(1)>"

# -- readers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    """One importer, with a small valid file for it (``{teks}`` is free text kept as read)."""

    name: str
    call: Callable  # (data, filename, bounds) -> result
    header: str
    row: str
    text_of: Callable  # result -> the free text read back
    #: ``False``: a table with a header and no rows is a valid empty table (the page's table
    #: editor saves one when every row is deleted); ``True``: refused.
    refuses_header_only: bool = False


def _index(bounds) -> VillageIndex:
    return VillageIndex(bounds.villages)


READERS = [
    Reader(
        "roster",
        lambda d, f, b: read_roster(d, filename=f, index=_index(b)),
        "NIK;NAMA;KECAMATAN;DESA;PROGRAM",
        NIK + ";{teks};Tenggarong;Bukit Biru;PKH",
        lambda r: r.frame["nama"].iloc[0],
        refuses_header_only=True,
    ),
    Reader(
        "realisasi",
        lambda d, f, b: read_realisasi(d, filename=f, index=_index(b)),
        "NIK,KECAMATAN,DESA,PROGRAM,STATUS,KETERANGAN",
        NIK + ",Tenggarong,Bukit Biru,PKH,TIDAK TRANSAKSI,{teks}",
        lambda r: r.frame["alasan"].iloc[0],
        refuses_header_only=True,
    ),
    Reader(
        "layanan",
        lambda d, f, b: read_points(
            d, filename=f, kabupaten=b.kabupaten.geometry.iloc[0], villages=b.villages
        ),
        "id,nama,jenis,lat,lon",
        "EW-1,{teks},e-warong,-0.44,116.98",
        lambda r: r.frame["nama"].iloc[0],
    ),
    Reader(
        "depot",
        lambda d, f, b: read_points(
            d, filename=f, kabupaten=b.kabupaten.geometry.iloc[0], depots=True
        ),
        "id,nama,lat,lon",
        "KC-1,{teks},-1.27,116.83",
        lambda r: r.frame["nama"].iloc[0],
    ),
    Reader(
        "perahu",
        lambda d, f, b: boats.read_boat_legs(d, filename=f, index=_index(b)),
        "dari,ke,moda,menit,catatan",
        "Sepatin,Muara Pantuan,longboat,45,{teks}",
        lambda r: None,  # the extra column is not kept
    ),
    Reader(
        "hasil",
        lambda d, f, b: outcomes.read_outcomes(d, filename=f, index=_index(b)),
        "kode_desa,tanggal,dikunjungi,kpm_ditemui,lainnya",
        "64.02.06.1003,2026-01-05,ya,3,{teks}",
        lambda r: r.frame["lainnya"].iloc[0],
    ),
    Reader(
        "libur",
        lambda d, f, b: schedule.read_holiday_file(d, f),
        "tanggal,nama",
        "2026-12-24,{teks}",
        lambda r: next(iter(r[0].values())),
    ),
    Reader(
        "orang",
        lambda d, f, b: schedule.read_people(d, filename=f),
        "nama,peran",
        "{teks},Dinsos",
        lambda r: r[0]["nama"].iloc[0],
    ),
    Reader(
        "tahap",
        lambda d, f, b: schedule.read_deadlines(d, filename=f),
        "program,tahap,tanggal_tutup",
        "PKH,{teks},2026-12-15",
        lambda r: r[0]["tahap"].iloc[0],
    ),
]
READER_IDS = [r.name for r in READERS]


def _problems(result) -> list[str]:
    """Every problem text of a result (reasons and values of ``Problem``s, or plain strings)."""
    if isinstance(result, tuple):
        return [str(p) for p in result[1]]
    return [f"{p.value} {p.reason}" for p in result.problems]


def _rows(result) -> int:
    if isinstance(result, tuple):
        return len(result[0])
    return len(result.frame)


def _text_file(reader: Reader, teks: str = "Teks biasa", rows: int = 1) -> str:
    body = "\n".join(reader.row.format(teks=teks) for _ in range(rows))
    return f"{reader.header}\n{body}\n"


# -- the corpus ----------------------------------------------------------------------------


def _xlsx(sheets: dict[str, list[list]]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _roster_rows(n: int = 40) -> list[list]:
    rows = [["NIK", "NAMA", "KECAMATAN", "DESA", "PROGRAM"]]
    rows += [
        [f"640201120381{i:04d}", f"Warga {i}", "Tenggarong", "Bukit Biru", "PKH"]
        for i in range(1, n + 1)
    ]
    return rows


def zip_bomb(megabytes: int = 200) -> bytes:
    """An XLSX-looking ZIP whose sheet is ``megabytes`` MB of zeros, written in 1 MB chunks."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        zf.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = bytes(1 << 20)
            for _ in range(megabytes):
                member.write(chunk)
    return buf.getvalue()


def _central_entries(data: bytes) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(b"PK\x01\x02"), data)]


def lying_zip() -> bytes:
    """A member that says it holds 100 kB but expands to 8 MB (the ratio check cannot see it)."""
    buf = io.BytesIO()
    rng = np.random.default_rng(5)
    # Low-entropy text: compresses about 4x, so 100 kB declared over ~2 MB compressed is no
    # suspicious ratio.
    text = rng.choice(list(b"0123"), size=8 << 20).astype(np.uint8).tobytes()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", text)
    data = bytearray(buf.getvalue())
    for pos in _central_entries(bytes(data)):
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46 : pos + 46 + name_len]).endswith(b"sheet1.xml"):
            struct.pack_into("<I", data, pos + 24, 100_000)  # uncompressed size
    return bytes(data)


def encrypted_xlsx() -> bytes:
    data = bytearray(_xlsx({"Data": _roster_rows(3)}))
    for pos in _central_entries(bytes(data)):
        data[pos + 8] |= 0x01  # "encrypted" flag
    return bytes(data)


def broken_deflate() -> bytes:
    """A valid ZIP directory whose members' compressed bytes are garbage (zlib.error on read)."""
    data = bytearray(_xlsx({"Data": _roster_rows(3)}))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        for info in zf.infolist():
            start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
            data[start : start + min(info.compress_size, 8)] = b"\xff" * min(info.compress_size, 8)
    return bytes(data)


def broken_xml(member: str) -> bytes:
    """A valid ZIP (CRCs right) whose ``member`` is cut mid-way: not well-formed XML."""
    source = zipfile.ZipFile(io.BytesIO(_xlsx({"Data": _roster_rows(30)})))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in source.infolist():
            data = source.read(info)
            zf.writestr(info.filename, data[: len(data) // 2] if info.filename == member else data)
    return buf.getvalue()


def _garbage(size: int = 4096) -> bytes:
    return random.Random(0).randbytes(size)


@dataclass(frozen=True)
class Bad:
    name: str
    filename: str
    make: Callable[[], bytes]
    #: Words of which at least one must be in the message (besides the file name).
    words: tuple[str, ...] = ()


_VALID_XLSX = _xlsx({"Data": _roster_rows()})
_BOMB: list[bytes] = []


def _bomb() -> bytes:
    if not _BOMB:
        _BOMB.append(zip_bomb())
    return _BOMB[0]


BAD_FILES = [
    Bad("terpotong", "roster.xlsx", lambda: _VALID_XLSX[: len(_VALID_XLSX) // 2], ("rusak",)),
    Bad("bom-zip", "roster.xlsx", _bomb, ("bom ZIP",)),
    Bad("ukuran-palsu", "roster.xlsx", lying_zip, ("rusak",)),
    Bad("terenkripsi", "roster.xlsx", encrypted_xlsx, ("sandi",)),
    Bad("inflate-rusak", "roster.xlsx", broken_deflate, ("rusak",)),
    Bad("workbook-xml-rusak", "roster.xlsx", lambda: broken_xml("xl/workbook.xml"), ("rusak",)),
    Bad(
        "lembar-xml-rusak",
        "roster.xlsx",
        lambda: broken_xml("xl/worksheets/sheet1.xml"),
        ("rusak",),
    ),
    Bad("sampah", "roster.csv", _garbage, ("bukan teks",)),
    Bad("sampah-xlsx", "roster.xlsx", _garbage, ("rusak",)),
    Bad("sampah-zip", "roster.xlsx", lambda: b"PK\x03\x04" + _garbage(), ("rusak",)),
    Bad("kosong", "roster.csv", lambda: b"", ("kosong",)),
    Bad("spasi", "roster.csv", lambda: b" \r\n\t\n\n", ("kosong",)),
    Bad(
        "seratus-ribu-kolom",
        "roster.csv",
        lambda: ",".join(f"k{i}" for i in range(100_000)).encode() + b"\n" + b"1,2\n",
        ("100.000 kolom",),
    ),
    Bad(
        "baris-selebar-seratus-ribu",
        "roster.csv",
        lambda: b"NIK,DESA,PROGRAM\n" + NIK.encode() + b"," * 100_000 + b"\n",
        ("100.001 kolom",),
    ),
    Bad(
        "utf16-tanpa-bom",
        "roster.csv",
        lambda: "NIK;DESA;PROGRAM\n6402011203810001;Bukit Biru;PKH\n".encode("utf-16-le"),
        ("bukan teks",),
    ),
    Bad("nul", "roster.csv", lambda: b"NIK,DESA\x00\x00\x00\x00\x00\n1,\x00\x00\x00\n", ()),
    Bad(
        "xls-lama",
        "roster.xls",
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024),
        (".xls",),
    ),
    Bad(
        "lembar-pertama-kosong",
        "roster.xlsx",
        lambda: _xlsx({"Kosong": [], "Data": _roster_rows(3)}),
        ("kosong",),
    ),
    Bad(
        "bukan-xlsx",
        "roster.xlsx",
        lambda: _zip_of({"word/document.xml": b"<w:document/>"}),
        ("rusak", "kosong"),
    ),
    Bad(
        # Row 1 holds data, not headers: the message must not echo the NIK it found there.
        "tanpa-judul",
        "roster.csv",
        lambda: (
            f"{NIK};Siti;Tenggarong;Bukit Biru;PKH\n{NIK[:-1]}2;Budi;Tenggarong;Bukit Biru;PKH\n"
        ).encode(),
        (),
    ),
    Bad(
        "kutip-terbuka",
        "roster.csv",
        lambda: f'NIK,DESA,PROGRAM\n"{NIK},Bukit Biru,PKH\n'.encode(),
        (),
    ),
]
BAD_IDS = [b.name for b in BAD_FILES]


def _zip_of(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _files_under(folder) -> set[str]:
    return {str(p) for p in folder.rglob("*")}


def _check_message(exc: BaseException, filename: str, words: tuple[str, ...] = ()) -> str:
    """An Indonesian JangkauError naming the file (base name only), with no NIK in it."""
    message = str(exc)
    assert isinstance(exc, JangkauError), f"{type(exc).__name__}: {message}"
    assert not NIK_RUN.search(message), f"NIK in the message: {message}"
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    assert base in message, message
    assert re.search(r"\b(tidak|kosong|batas|rusak|kolom|bukan|ditolak)\b", message), message
    if words:
        assert any(w in message for w in words), message
    return message


# -- every reader, every bad file ----------------------------------------------------------


@pytest.mark.parametrize("bad", BAD_FILES, ids=BAD_IDS)
@pytest.mark.parametrize("reader", READERS, ids=READER_IDS)
def test_bad_file_answered_with_a_message(bounds, reader, bad, tmp_path):
    data = bad.make()
    before = _files_under(tmp_path)
    try:
        result = reader.call(data, bad.filename, bounds)
    except JangkauError as exc:
        _check_message(exc, bad.filename, bad.words)
    else:
        # Only the malformed-but-readable files may come back as a result, and then nothing
        # from them is imported unflagged.
        assert bad.name in ("tanpa-judul", "kutip-terbuka", "nul"), bad.name
        assert _rows(result) == 0 or _problems(result)
        for text in _problems(result):
            assert not NIK_RUN.search(text), text
    assert _files_under(tmp_path) == before


XLSX_BAD = [b for b in BAD_FILES if b.filename.endswith(".xlsx")]


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
@pytest.mark.parametrize("bad", XLSX_BAD, ids=[b.name for b in XLSX_BAD])
def test_bad_xlsx_refused_by_either_engine(monkeypatch, bad, engine):
    monkeypatch.setattr(tables, "XLSX_ENGINES", (engine,))
    with pytest.raises(InputFileError) as caught:
        tables.read_table(bad.make(), filename=bad.filename)
    _check_message(caught.value, bad.filename, bad.words)


def test_zip_bomb_refused_before_anything_is_decompressed(monkeypatch):
    bomb = _bomb()
    assert len(bomb) < 1_000_000
    with zipfile.ZipFile(io.BytesIO(bomb)) as zf:
        assert sum(i.file_size for i in zf.infolist()) > 200 * limits.MB

    def no_open(*args, **kwargs):
        raise AssertionError("a member was opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_open)
    monkeypatch.setattr(tables, "_xlsx_calamine", no_open)
    monkeypatch.setattr(tables, "_xlsx_openpyxl", no_open)
    tracemalloc.start()
    try:
        with pytest.raises(InputFileError, match="bom ZIP") as caught:
            tables.read_table(bomb, filename="data_bri.xlsx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * limits.MB
    assert "kali ukuran terkompresinya" in str(caught.value)


def test_zip_bomb_over_the_total_budget(monkeypatch):
    # Many members of plausible ratio, together far more than 20 x the upload limit.
    monkeypatch.setattr(settings, "MAX_UPLOAD_MB", 0.5)  # budget 10 MB
    members = {f"xl/worksheets/sheet{i}.xml": bytes(800_000) for i in range(20)}
    with pytest.raises(InputFileError, match="bom ZIP"):
        limits.check_xlsx_zip(_zip_of(members), filename="b.xlsx")


def test_lying_member_size_caught_by_the_integrity_pass():
    data = lying_zip()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
        assert info.file_size == 100_000 and info.compress_size > 1000
    tracemalloc.start()
    try:
        with pytest.raises(InputFileError, match="rusak"):
            limits.check_xlsx_zip(data, filename="x.xlsx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * limits.MB


# -- limits --------------------------------------------------------------------------------


@pytest.mark.parametrize("reader", READERS, ids=READER_IDS)
def test_over_the_upload_limit(bounds, reader, monkeypatch):
    data = _text_file(reader, rows=100).encode()
    assert len(data) > 0.001 * limits.MB
    reader.call(data, "besar.csv", bounds)  # fine under the default limit
    monkeypatch.setattr(settings, "MAX_UPLOAD_MB", 0.001)
    with pytest.raises(InputFileError) as caught:
        reader.call(data, "besar.csv", bounds)
    message = _check_message(caught.value, "besar.csv", ("batas 0,001 MB",))
    assert "JANGKAU_MAKS_UNGGAH_MB" in message


@pytest.mark.parametrize("reader", READERS, ids=READER_IDS)
def test_row_and_column_limits(bounds, reader, monkeypatch):
    monkeypatch.setattr(settings, "MAX_ROWS", 5)
    reader.call(_text_file(reader, rows=5).encode(), "pas.csv", bounds)
    with pytest.raises(InputFileError) as caught:
        reader.call(_text_file(reader, rows=6).encode(), "panjang.csv", bounds)
    _check_message(caught.value, "panjang.csv", ("6 baris data", "batas 5 baris"))
    monkeypatch.setattr(settings, "MAX_COLUMNS", 1)
    with pytest.raises(InputFileError) as caught:
        reader.call(_text_file(reader).encode(), "lebar.csv", bounds)
    _check_message(caught.value, "lebar.csv", ("batas 1 kolom",))


def test_xlsx_dimension_limits(monkeypatch):
    data = _xlsx({"Data": _roster_rows(10)})
    tables.read_table(data, filename="r.xlsx")
    monkeypatch.setattr(settings, "MAX_ROWS", 9)
    with pytest.raises(InputFileError, match="10 baris data"):
        tables.read_table(data, filename="r.xlsx")
    monkeypatch.setattr(settings, "MAX_ROWS", 10)
    tables.read_table(data, filename="r.xlsx")
    monkeypatch.setattr(settings, "MAX_COLUMNS", 4)
    with pytest.raises(InputFileError, match="5 kolom"):
        tables.read_table(data, filename="r.xlsx")


def test_real_xlsx_passes_the_zip_inspection():
    # A workbook of 20,000 repeated rows: sheets expand ~25x, far from the ratio limit.
    rows = [["NIK", "DESA", "PROGRAM"]] + [[NIK, "Bukit Biru", "PKH"]] * 20_000
    limits.check_upload(_xlsx({"Data": rows}), filename="besar.xlsx")
    limits.check_upload(export.xlsx_bytes({"A": pd.DataFrame(rows[1:])}, demo=True), filename="e")


def test_limits_come_from_settings():
    assert settings.MAX_UPLOAD_MB == 50
    assert settings.MAX_ROWS == 2_000_000
    assert settings.MAX_COLUMNS == 500


# -- wrong encodings -----------------------------------------------------------------------

ENCODINGS = [
    # (encoding, text that survives it)
    ("utf-16", "Siti Aïsyah – Désa ’Ujung’"),  # Excel's "Unicode text": BOM + UTF-16 LE
    ("cp1252", "Siti Aïsyah – Désa ’Ujung’"),  # Windows-1252: en dash and curly quotes
    ("latin-1", "Siti Aïsyah Désa Ñ"),
    ("utf-8-sig", "Siti Aïsyah – Désa 漢字"),
]


@pytest.mark.parametrize(("encoding", "teks"), ENCODINGS, ids=[e for e, _ in ENCODINGS])
@pytest.mark.parametrize("reader", READERS, ids=READER_IDS)
def test_encodings_are_decoded(bounds, reader, encoding, teks):
    data = _text_file(reader, teks).encode(encoding)
    result = reader.call(data, "teks.csv", bounds)
    assert not _problems(result), _problems(result)
    assert _rows(result) == 1
    if reader.name != "perahu":
        assert reader.text_of(result) == teks


@pytest.mark.parametrize("reader", READERS, ids=READER_IDS)
def test_header_only(bounds, reader, tmp_path):
    data = f"{reader.header}\n".encode()
    if reader.refuses_header_only:
        with pytest.raises(InputFileError) as caught:
            reader.call(data, "judul.csv", bounds)
        _check_message(caught.value, "judul.csv", ("tidak ada baris data",))
    else:
        result = reader.call(data, "judul.csv", bounds)
        assert _rows(result) == 0 and not _problems(result)


# -- nothing saved after a refusal ---------------------------------------------------------


def _good_pair() -> tuple[InputFile, InputFile]:
    roster = "NIK;NAMA;KECAMATAN;DESA;PROGRAM\n" + "\n".join(
        f"640201120381{i:04d};Warga {i};Tenggarong;Bukit Biru;PKH" for i in range(1, 6)
    )
    realisasi = "NIK,KECAMATAN,DESA,PROGRAM,STATUS\n" + "\n".join(
        f"640201120381{i:04d},Tenggarong,Bukit Biru,PKH,SUDAH TRANSAKSI" for i in range(1, 6)
    )
    return InputFile("dtks.csv", roster.encode()), InputFile("bri.csv", realisasi.encode())


@pytest.mark.parametrize("side", ["roster", "realisasi"])
@pytest.mark.parametrize("bad", BAD_FILES, ids=BAD_IDS)
def test_refused_file_saves_no_round(bounds, bad, side):
    roster, realisasi = _good_pair()
    broken = InputFile(bad.filename, bad.make())
    store = Store()
    try:
        with pytest.raises(InputFileError) as caught:
            run_round(
                store,
                roster=broken if side == "roster" else roster,
                realisasi=broken if side == "realisasi" else realisasi,
                villages=bounds.villages,
            )
        _check_message(caught.value, bad.filename)
        assert store.rounds() == [] and store.is_empty()
    finally:
        store.dispose()


def test_good_pair_does_save_a_round(bounds):
    roster, realisasi = _good_pair()
    store = Store()
    try:
        info, _ = run_round(store, roster=roster, realisasi=realisasi, villages=bounds.villages)
        assert [r.id for r in store.rounds()] == [info.id]
    finally:
        store.dispose()


# -- injection: HTML -----------------------------------------------------------------------

EVIL_ID = 'EW-1"><svg onload=alert(2)>'
LAYANAN = (
    "id,nama,jenis,lat,lon\n"
    f'"{EVIL_ID.replace(chr(34), chr(34) * 2)}",{EVIL},e-warong,-0.44,116.98\n'
    "AG-1,Agen Bu Aminah,agen_brilink,-0.27,116.58\n"
    "BRI-1,BRI Unit Tenggarong,kantor_bri,-0.43,116.99\n"
)


def _assert_escaped(page: str) -> None:
    # JSON in the page encodes "<" as \u003c, which the browser turns back into a tag; an
    # escaped "&lt;" (\u0026lt; inside JSON) shows as text.
    assert "<img src=x" not in page and "\\u003cimg" not in page
    assert "<svg onload" not in page and "\\u003csvg" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page or "\\u0026lt;img src=x" in page


@pytest.fixture(scope="module")
def evil_points(bounds):
    result = read_points(
        LAYANAN.encode(),
        filename="layanan.csv",
        kabupaten=bounds.kabupaten.geometry.iloc[0],
        villages=bounds.villages,
    )
    assert not result.problems and result.frame["nama"].iloc[0] == EVIL
    assert result.frame["id"].iloc[0] == EVIL_ID
    return result.frame


def test_point_name_from_layanan_csv_is_escaped_on_the_coverage_map(bounds, evil_points):
    villages = bounds.villages.copy()
    villages.loc[villages.index[0], "nama"] = EVIL
    counts = pd.DataFrame(
        {
            "kode_desa": villages["kode"],
            "program": "PKH",
            "kpm": 10,
            "terealisasi": 4,
            "belum_transaksi": 6,
            "tidak_transaksi": 0,
            "tanpa_data_bri": 0,
        }
    )
    cov = coverage.compute(villages, counts)
    fmap = maps.coverage_map(cov, kecamatan=bounds.kecamatan, service_points=evil_points)
    _assert_escaped(fmap.get_root().render())
    _assert_escaped(maps.standalone_html(fmap, title=EVIL, demo=True))


def test_point_and_village_names_are_escaped_on_the_travel_time_map(bounds, evil_points):
    villages = bounds.villages.copy()
    villages["nama"] = villages["nama"].astype(object)
    tenggarong = villages["kecamatan"].str.upper().eq("TENGGARONG").to_numpy()
    villages.loc[tenggarong, "nama"] = EVIL  # the villages nearest the evil e-warong
    net = network.load_network(villages, evil_points, jaringan="perkiraan")
    near = per_village.nearest(net, villages, evil_points)
    assert (near["layanan_nama"] == EVIL).any()
    fmap = maps.travel_time_map(
        villages, near, kecamatan=bounds.kecamatan, service_points=evil_points
    )
    page = fmap.get_root().render()
    _assert_escaped(page)
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt; (e-Warong)" in page


# -- injection: formulas in exports --------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://x","klik")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def test_formulas_from_a_users_file_are_neutralised_in_exports(bounds):
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";")
    writer.writerow(["NIK", "NAMA", "KECAMATAN", "DESA", "PROGRAM"])
    for i, formula in enumerate(FORMULAS, start=1):
        writer.writerow([f"640201120381{i:04d}", formula, "Tenggarong", "Bukit Biru", formula])
    result = read_roster(buf.getvalue().encode(), filename="r.csv", index=_index(bounds))
    problems = problems_to_frame(result.problems)
    assert len(problems) == len(FORMULAS)
    names = pd.DataFrame({"nama": FORMULAS, "kpm": range(len(FORMULAS))})
    for frame, column in ((names, "nama"), (problems, "value")):
        data = export.csv_bytes(frame, demo=False)
        back = pd.read_csv(io.BytesIO(data), sep=";", dtype=str, keep_default_na=False)
        cells = back[column].tolist()
        assert cells and all(c.startswith("'") for c in cells), cells
        book = load_workbook(io.BytesIO(export.xlsx_bytes({"A": frame}, demo=False, title="=1")))
        sheet = book["A"]
        col = list(frame.columns).index(column) + 1
        values = [sheet.cell(row=r, column=col) for r in range(2, len(frame) + 2)]
        assert all(c.data_type == "s" and c.value.startswith("'") for c in values)
        assert book["KETERANGAN"]["A1"].value == "Jangkau — '=1"


def test_numbers_and_plain_text_are_left_alone():
    frame = pd.DataFrame({"a": ["Biasa", "", "1-2"], "b": [-1.5, 2.0, 3.0]})
    text = export.csv_bytes(frame, demo=False).decode("utf-8-sig")
    assert text.splitlines()[1:] == ["Biasa;-1,5", ";2,0", "1-2;3,0"]


# -- file names are never paths ------------------------------------------------------------

PATH_NAMES = [
    "../../etc/passwd_jangkau.csv",
    "C:\\x\\jangkau_y.csv",
    "/tmp/jangkau-bukan-di-sini/jangkau_z.csv",
    "..\\..\\windows\\jangkau_win.csv",
]


@pytest.fixture()
def opened_paths():
    """Every path the process opens, stats, creates or removes while the list is being kept."""
    seen: list[str] = []
    _AUDIT.append(seen)
    yield seen
    _AUDIT.remove(seen)


_AUDIT: list[list[str]] = []
_WATCHED = (
    "open",
    "os.mkdir",
    "os.rename",
    "os.remove",
    "os.listdir",
    "os.scandir",
    "shutil.copyfile",
    "os.chmod",
    "os.truncate",
    "os.link",
    "os.symlink",
)


def _audit_hook(event: str, args: tuple) -> None:
    if not _AUDIT or event not in _WATCHED:
        return
    for arg in args:
        if isinstance(arg, (str, bytes)):
            for seen in _AUDIT:
                seen.append(arg if isinstance(arg, str) else arg.decode(errors="replace"))


sys.addaudithook(_audit_hook)


@pytest.mark.parametrize("filename", PATH_NAMES)
@pytest.mark.parametrize("reader", READERS, ids=READER_IDS)
def test_file_names_are_never_paths(bounds, reader, filename, tmp_path, monkeypatch, opened_paths):
    work = tmp_path / "kerja"
    work.mkdir()
    monkeypatch.chdir(work)
    base = re.split(r"[\\/]", filename)[-1]
    before = _files_under(tmp_path)
    # A file with a bad row (its problems carry the name) and one refused (its message does).
    bad_row = _text_file(reader).replace("\n", "\n" + ",".join(["?"] * 5) + "\n", 1)
    result = reader.call(bad_row.encode(), filename, bounds)
    shown = [p.file for p in getattr(result, "problems", [])] + _problems(result)
    with pytest.raises(InputFileError) as caught:
        reader.call(b"", filename, bounds)
    shown.append(str(caught.value))
    assert base in str(caught.value)
    for text in shown:
        assert "etc" not in text and "x\\" not in text and "windows" not in text, text
        assert "jangkau-bukan-di-sini" not in text, text
    assert _files_under(tmp_path) == before
    assert not any(base in p or "passwd" in p for p in opened_paths), opened_paths


# -- regressions: bugs the corpus and the fuzzers found -----------------------------------


@pytest.mark.parametrize("column", ["DESA", "KECAMATAN", "PROGRAM", "KODE WILAYAH"])
def test_nik_in_the_wrong_column_is_masked_in_problems(bounds, column):
    # Shifted cells put a NIK where a village or programme belongs; the lookup's message used
    # to echo it whole.
    cells = {"DESA": "Bukit Biru", "KECAMATAN": "Tenggarong", "PROGRAM": "PKH"}
    cells[column] = f"x {NIK}"
    header = ";".join(["NIK", *cells])
    data = f"{header}\n{NIK};{';'.join(cells.values())}\n".encode()
    result = read_roster(data, filename="r.csv", index=_index(bounds))
    assert result.problems
    for p in result.problems:
        assert not NIK_RUN.search(p.value) and not NIK_RUN.search(p.reason), p


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400", "2.5"])
def test_outcome_counts_that_are_not_whole_numbers(bounds, value):
    data = f"kode_desa,tanggal,dikunjungi,kpm_ditemui\n64.02.06.1003,2026-01-05,ya,{value}\n"
    result = outcomes.read_outcomes(data.encode(), filename="h.csv", index=_index(bounds))
    assert len(result.frame) == 0 and "bilangan bulat" in result.problems[0].reason


@pytest.mark.parametrize(("value", "plan"), [("1.2.3", None), ("²", None), ("7", 7), ("7.0", 7)])
def test_outcome_plan_id_that_is_no_number(bounds, value, plan):
    data = f"kode_desa,tanggal,dikunjungi,plan_id\n64.02.06.1003,2026-01-05,ya,{value}\n"
    result = outcomes.read_outcomes(data.encode(), filename="h.csv", index=_index(bounds))
    assert result.frame["plan_id"].tolist() == [plan]


@pytest.mark.parametrize("lat", ["nan", "inf", "6400000000000000", "-91"])
def test_depot_coordinates_must_be_degrees(bounds, lat):
    data = f"id,nama,lat,lon\nKC-1,Kantor Cabang,{lat},116.83\n".encode()
    kabupaten = bounds.kabupaten.geometry.iloc[0]
    result = read_points(data, filename="d.csv", kabupaten=kabupaten, depots=True)
    assert len(result.frame) == 0 and result.problems


def test_unavailable_range_of_millennia_is_refused_quickly():
    data = b"nama,peran,tidak_tersedia\nSiti,Dinsos,0001-01-01..9999-12-31\n"
    people, problems = schedule.read_people(data, filename="o.csv")
    assert len(people) == 0 and "lebih dari setahun" in problems[0]


@pytest.mark.parametrize("bad", XLSX_BAD, ids=[b.name for b in XLSX_BAD])
def test_sheet_names_of_a_bad_xlsx(bad):
    # The mapping page lists the sheets before reading; it used to let zlib.error through.
    data = bad.make()
    if data[:4] != b"PK\x03\x04":
        assert tables.sheet_names(data, filename=bad.filename) == []
        return
    try:
        tables.sheet_names(data, filename=bad.filename)
    except InputFileError as exc:
        _check_message(exc, bad.filename)


def test_mac_line_endings_are_not_one_wide_line(bounds):
    # Excel for Mac's "CSV (Macintosh)" ends lines in CR alone: 300 rows x 4 commas must not
    # look like one line of 1,200 columns.
    rows = [f"640201120381{i:04d},Tenggarong,Bukit Biru,PKH" for i in range(1, 301)]
    data = "\r".join(["NIK,KECAMATAN,DESA,PROGRAM", *rows]).encode()
    result = read_roster(data, filename="mac.csv", index=_index(bounds))
    assert result.rows_imported == 300 and not result.problems


@pytest.mark.parametrize("kind", ["roster", "realisasi"])
def test_unit_separator_in_a_village_cell(bounds, kind):
    # The importer joins code, kecamatan and village with "\x1f"; one typed into a cell made
    # it raise TypeError (found by the fuzzer).
    read = read_roster if kind == "roster" else read_realisasi
    data = f"NIK,PROGRAM,STATUS,KECAMATAN,DESA\n{NIK},PKH,SUDAH,Teng\x1fgarong,0\x1f0\n".encode()
    result = read(data, filename="r.csv", index=_index(bounds))
    assert any("Desa" in p.reason or "Kecamatan" in p.reason for p in result.problems)
