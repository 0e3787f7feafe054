"""Fuzzing the importers with hypothesis.

Property: a reader either returns a result whose counts hold together and whose problems are
complete (file, row, reason) and free of any unmasked NIK, or raises a
:class:`~geo._errors.JangkauError` (an Indonesian message, free of NIK). Never another
exception: no ``UnicodeDecodeError``, ``KeyError``, ``zipfile.BadZipFile``, ``zlib.error``...

Inputs: arbitrary bytes, damaged XLSX (bytes overwritten, cut short), and structured-but-random
tables (headers drawn from the synonym lists, cells mixing NIK-like numbers, quotes,
separators, line breaks and any Unicode) written as CSV in several encodings and quotings, or as
XLSX. Warnings are silenced inside the calls (they are not errors in production; the test
configuration turns them into exceptions).
"""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
import zipfile

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from geo._errors import JangkauError
from geo.areas.lookup import VillageIndex
from geo.intake import tables as intake_tables
from geo.intake.headers import FIELDS_REALISASI, FIELDS_ROSTER, _key
from geo.intake.problems import ImportResult
from geo.intake.realisasi import read_realisasi
from geo.intake.roster import read_roster
from geo.plan import schedule
from geo.reach import boats
from geo.reach.service_points import read_points
from geo.realization import outcomes

NIK_RUN = re.compile(r"\d{16}")
FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=False,
)


@pytest.fixture(scope="module")
def index(bounds) -> VillageIndex:
    return VillageIndex(bounds.villages)


def _quiet(call, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return call(*args, **kwargs)


def _refusal_ok(exc: JangkauError) -> None:
    event("ditolak")
    message = str(exc)
    assert message.strip()
    assert not NIK_RUN.search(message), message


def _check_import(result: ImportResult, filename: str) -> None:
    assert isinstance(result, ImportResult)
    event("diimpor, ada baris" if result.rows_imported else "diimpor, tanpa baris")
    base = re.split(r"[\\/]", filename)[-1]
    assert 0 <= result.rows_imported <= result.rows_read
    assert result.rows_read >= 1
    assert result.frame["row"].ge(2).all()
    assert result.frame["nik"].str.fullmatch(r"\d{16}").all()
    for p in result.problems:
        assert p.file == base
        assert p.row is None or (isinstance(p.row, int) and p.row >= 2)
        assert p.column is None or isinstance(p.column, str)
        assert isinstance(p.reason, str) and p.reason.strip()
        assert isinstance(p.value, str)
        assert not NIK_RUN.search(p.value), p
        assert not NIK_RUN.search(p.reason), p
    summary = result.summary()
    text = json.dumps(summary, ensure_ascii=False)
    assert summary["baris_diimpor"] <= summary["baris_dibaca"]
    assert not NIK_RUN.search(text), text


# -- arbitrary bytes -----------------------------------------------------------------------

NAMES = st.sampled_from(["data.csv", "data.xlsx", "DATA.TXT", "../x/data.csv", "C:\\d\\b.xlsx"])
CSV_NAMES = st.sampled_from(["data.csv", "DATA.TXT", "../x/data.csv", "C:\\d\\b.csv"])


def _small_xlsx() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["NIK", "DESA", "PROGRAM", "STATUS"])
    ws.append(["6402011203810001", "Bukit Biru", "PKH", "SUDAH"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


SMALL_XLSX = _small_xlsx()


@st.composite
def damaged_xlsx(draw) -> bytes:
    data = bytearray(SMALL_XLSX)
    for pos, value in draw(
        st.lists(st.tuples(st.integers(0, len(data) - 1), st.integers(0, 255)), max_size=12)
    ):
        data[pos] = value
    cut = draw(st.one_of(st.none(), st.integers(4, len(data))))
    return bytes(data[:cut] if cut else data)


_SMALL_MEMBERS = {
    info.filename: zipfile.ZipFile(io.BytesIO(SMALL_XLSX)).read(info.filename)
    for info in zipfile.ZipFile(io.BytesIO(SMALL_XLSX)).infolist()
}
_XML_BITS = [
    b"<",
    b">",
    b'"',
    b"/",
    b"&#0;",
    b'<c r="ZZZ9"><v>1</v></c>',
    b'<row r="0">',
    b's="99"',
]


@st.composite
def damaged_xml_xlsx(draw) -> bytes:
    """A sound ZIP (right CRCs) around damaged XML: what the XLSX parsers themselves see."""
    members = dict(_SMALL_MEMBERS)
    name = draw(st.sampled_from(sorted(members)))
    text = bytearray(members[name])
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            del text[pos : pos + draw(st.integers(1, 30))]
        else:
            text[pos:pos] = draw(st.sampled_from(_XML_BITS))
    members[name] = bytes(text)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for member, data in members.items():
            zf.writestr(member, data)
    return buf.getvalue()


ANY_BYTES = st.one_of(
    st.binary(max_size=3000),
    st.binary(max_size=3000).map(lambda b: b"PK\x03\x04" + b),
    st.binary(max_size=300).map(lambda b: b"\xff\xfe" + b),
    damaged_xlsx(),
    damaged_xml_xlsx(),
)


@settings(FUZZ, max_examples=400)
@given(data=ANY_BYTES, filename=NAMES, engine=st.sampled_from(["calamine", "openpyxl"]))
def test_read_table_on_any_bytes(data, filename, engine):
    try:
        _quiet(intake_tables.sheet_names, data, filename=filename)
    except JangkauError as exc:
        _refusal_ok(exc)
    saved = intake_tables.XLSX_ENGINES
    intake_tables.XLSX_ENGINES = (engine,)
    try:
        body, headers = _quiet(intake_tables.read_table, data, filename=filename)
    except JangkauError as exc:
        _refusal_ok(exc)
        return
    finally:
        intake_tables.XLSX_ENGINES = saved
    assert list(body.columns) == headers
    assert len(set(headers)) == len(headers)
    assert all(isinstance(h, str) and h for h in headers)


@settings(FUZZ, max_examples=200)
@given(data=ANY_BYTES, filename=NAMES, kind=st.sampled_from(["roster", "realisasi"]))
def test_importers_on_any_bytes(index, data, filename, kind):
    reader = read_roster if kind == "roster" else read_realisasi
    try:
        result = _quiet(reader, data, filename=filename, index=index)
    except JangkauError as exc:
        _refusal_ok(exc)
        return
    _check_import(result, filename)


# -- structured tables ---------------------------------------------------------------------

NIKS = st.from_regex(r"64[0-9]{14}", fullmatch=True)
KNOWN = st.sampled_from(
    [
        "PKH",
        "BPNT",
        "SEMBAKO",
        "PKH, BPNT",
        "PKH/SEMBAKO",
        "Ya",
        "tidak",
        "",
        " ",
        "SUDAH TRANSAKSI",
        "BELUM",
        "TIDAK TRANSAKSI - MENINGGAL",
        "GAGAL",
        "Rp 200.000,00",
        "600,000",
        "-",
        "6.40201E+15",
        "'6402011203810001",
        '="6402011203810001"',
        "6402011203810000",
        "64.02.06.1003",
        "6402061003",
        "64.02.99.9999",
        "Tenggarong",
        "Bukit Biru",
        "KEL. BUKIT BIRU",
        "Sanga Sanga Dalam",
        "Muara Kaman",
        "DATA CONTOH",
        '=HYPERLINK("x")',
        "2026-01-05",
        "NaN",
        "inf",
        "1e400",
    ]
)
NASTY = st.text(alphabet="\";,\t\n\r |=+-@'\\0123456789", max_size=24)
UNICODE = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), max_codepoint=0x2FFFF), max_size=40
)
CELLS = st.one_of(
    NIKS,
    KNOWN,
    NASTY,
    UNICODE,
    st.tuples(UNICODE, NIKS, UNICODE).map("".join),  # a NIK inside free text
)


def _header_pool(fields) -> list[str]:
    pool = [s for f in fields.values() for s in f.synonyms]
    return [*pool, "CATATAN", "NO", "KETERANGAN LAIN", "", "nik", " Nama  Penerima "]


_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xlsx(rows: list[list[str]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append([_XLSX_ILLEGAL.sub("", c) for c in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


#: Values that fit a field, so that some random rows import and the row checks run.
FITTING = {
    "nik": NIKS,
    "no_kk": st.one_of(NIKS, st.just("")),
    "no_kks": NIKS,
    "kode_wilayah": st.sampled_from(["64.02.06.1003", "64.02.04.2001", "6402092002", ""]),
    "kecamatan": st.sampled_from(["Tenggarong", "Anggana", "KENOHAN", ""]),
    "desa": st.sampled_from(["Melayu", "Sepatin", "Lamin Pulut", "Loa Lepu", "Bukit Biru"]),
    "program": st.sampled_from(["PKH", "BPNT", "SEMBAKO", "PKH, BPNT", "Program Sembako"]),
    "pkh": st.sampled_from(["Ya", "", "1", "V"]),
    "bpnt": st.sampled_from(["Ya", "", "0"]),
    "sembako": st.sampled_from(["Ya", ""]),
    "status": st.sampled_from(["SUDAH TRANSAKSI", "BELUM", "TIDAK TRANSAKSI", "GAGAL"]),
    "keterangan": st.sampled_from(["MENINGGAL", "Pindah", "KKS HILANG", ""]),
    "nominal": st.sampled_from(["200000", "Rp 600.000,00", "600,000", ""]),
}


def _fitting(fields, header: str):
    key = _key(header)
    for name, spec in fields.items():
        if name in FITTING and key in {_key(s) for s in spec.synonyms}:
            return FITTING[name]
    return None


@st.composite
def tables(draw, fields) -> tuple[bytes, str]:
    pool = _header_pool(fields)
    required = [f.synonyms[0] for f in fields.values() if f.required]
    headers = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=8))
    if draw(st.integers(0, 3)):
        # Usually the required columns are there, so the rows themselves get exercised.
        headers = required + ["DESA", "PROGRAM", "PKH"][: draw(st.integers(0, 3))] + headers
    width = len(headers)
    fitting = [_fitting(fields, h) for h in headers]

    def cell(i: int) -> str:
        if i < width and fitting[i] is not None and draw(st.integers(0, 3)):
            return draw(fitting[i])
        return draw(CELLS)

    rows = [
        [cell(i) for i in range(draw(st.integers(max(0, width - 2), width + 2)))]
        for _ in range(draw(st.integers(0, 12)))
    ]
    layout = draw(st.sampled_from(["csv", "csv", "csv", "raw", "xlsx"]))
    if layout == "xlsx":
        return _xlsx([headers, *rows]), "data.xlsx"
    sep = draw(st.sampled_from([",", ";", "\t"]))
    if layout == "csv":
        buf = io.StringIO()
        quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
        writer = csv.writer(buf, delimiter=sep, quoting=quoting, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows(rows)
        text = buf.getvalue()
    else:  # no quoting at all: separators and line breaks inside cells break the rows
        text = "\n".join(sep.join(r) for r in [headers, *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    return text.encode(encoding, errors="replace"), draw(CSV_NAMES)


@settings(FUZZ, max_examples=300)
@given(table=tables(FIELDS_ROSTER))
def test_read_roster_on_random_tables(index, table):
    data, filename = table
    try:
        result = _quiet(read_roster, data, filename=filename, index=index)
    except JangkauError as exc:
        _refusal_ok(exc)
        return
    _check_import(result, filename)
    assert set(result.frame["program"]) <= {"PKH", "BPNT"}


@settings(FUZZ, max_examples=300)
@given(table=tables(FIELDS_REALISASI))
def test_read_realisasi_on_random_tables(index, table):
    data, filename = table
    try:
        result = _quiet(read_realisasi, data, filename=filename, index=index)
    except JangkauError as exc:
        _refusal_ok(exc)
        return
    _check_import(result, filename)
    assert set(result.frame["status"]) <= {"terealisasi", "belum_transaksi", "tidak_transaksi"}


# -- the other readers ---------------------------------------------------------------------

OTHER_COLUMNS = {
    "layanan": ["id", "nama", "jenis", "lat", "lon", "kode_desa", "kapasitas", "aktif"],
    "depot": ["id", "nama", "lat", "lon"],
    "perahu": ["dari", "ke", "moda", "menit", "tunggu_menit", "biaya"],
    "hasil": [
        "kode_desa",
        "desa",
        "kecamatan",
        "tanggal",
        "dikunjungi",
        "plan_id",
        "kpm_ditemui",
        "kpm_dilayani",
        "kartu_hilang",
        "lainnya",
    ],
    "libur": ["tanggal", "nama"],
    "orang": ["nama", "peran", "tidak_tersedia"],
    "tahap": ["program", "tahap", "tanggal_tutup"],
}
OTHER_CELLS = st.one_of(
    CELLS,
    st.sampled_from(
        [
            "e-warong",
            "BRILink",
            "-0.44",
            "116,98",
            "0",
            "45",
            "1.5",
            "1.2.3",
            "²",
            "Sepatin",
            "Muara Pantuan (Muara Jawa)",
            "Dinsos",
            "pendamping",
            "ya",
            "2026-12-01..2026-12-03",
            "2026-12-01 s.d. 2026-12-31",
            "31/12/2026",
        ]
    ),
)


@st.composite
def other_tables(draw, columns: list[str]) -> bytes:
    headers = draw(st.permutations(columns)) if draw(st.booleans()) else columns
    headers = (
        list(headers)[: draw(st.integers(1, len(headers)))]
        if draw(st.booleans())
        else list(headers)
    )
    rows = draw(
        st.lists(st.lists(OTHER_CELLS, min_size=len(headers), max_size=len(headers)), max_size=6)
    )
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([headers, *rows])
    return buf.getvalue().encode()


def _other(name: str, bounds, index):
    kab = bounds.kabupaten.geometry.iloc[0]
    return {
        "layanan": lambda d: read_points(
            d, filename="l.csv", kabupaten=kab, villages=bounds.villages
        ),
        "depot": lambda d: read_points(d, filename="d.csv", kabupaten=kab, depots=True),
        "perahu": lambda d: boats.read_boat_legs(d, filename="p.csv", index=index),
        "hasil": lambda d: outcomes.read_outcomes(d, filename="h.csv", index=index),
        "libur": lambda d: schedule.read_holiday_file(d, "l.csv"),
        "orang": lambda d: schedule.read_people(d, filename="o.csv"),
        "tahap": lambda d: schedule.read_deadlines(d, filename="t.csv"),
    }[name]


@pytest.mark.parametrize("name", list(OTHER_COLUMNS))
def test_other_readers_on_random_tables(bounds, index, name):
    read = _other(name, bounds, index)

    @settings(FUZZ, max_examples=60)
    @given(data=other_tables(OTHER_COLUMNS[name]))
    def run(data):
        try:
            result = _quiet(read, data)
        except JangkauError as exc:
            _refusal_ok(exc)
            return
        frame = result[0] if isinstance(result, tuple) else result.frame
        if name in ("layanan", "depot") and len(frame):
            assert frame[["lat", "lon"]].abs().le(180).all().all()
        problems = result[1] if isinstance(result, tuple) else result.problems
        for p in problems:
            assert (p if isinstance(p, str) else p.reason).strip()

    run()
