"""Tests of geo.intake.demo: determinism, sizes, layouts, demo marks, the remote pattern."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely

from geo import settings
from geo.areas import boundaries
from geo.intake import demo
from tests.paths import SHARED_BOUNDARIES

SEED = 2022
DELTA = ("Muara Pantuan", "Sepatin", "Tani Baru")


@pytest.fixture(scope="module")
def kukar(tmp_path_factory) -> boundaries.Boundaries:
    cache = tmp_path_factory.mktemp("demo-boundaries")
    return boundaries.load(source=str(SHARED_BOUNDARIES), cache_dir=cache)


@pytest.fixture(scope="module")
def villages(kukar) -> gpd.GeoDataFrame:
    return kukar.villages


@pytest.fixture(scope="module")
def kabupaten(kukar) -> gpd.GeoDataFrame:
    return kukar.kabupaten


@pytest.fixture(scope="module")
def data(villages) -> demo.DemoData:
    return demo.generate(villages, seed=SEED)


@pytest.fixture(scope="module")
def files(data, tmp_path_factory) -> demo.DemoFiles:
    return demo.write(data, tmp_path_factory.mktemp("demo-a"))


@pytest.fixture(scope="module")
def roster_file(files) -> pd.DataFrame:
    return pd.read_csv(
        files.roster, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )


@pytest.fixture(scope="module")
def layanan_file(files) -> pd.DataFrame:
    return pd.read_csv(files.layanan, dtype={"id": str, "kode_desa": str}, keep_default_na=False)


@pytest.fixture(scope="module")
def workbook_rows(files) -> dict[str, list[tuple]]:
    """Every sheet as rows of (value, data_type, number_format), read once with openpyxl."""
    wb = openpyxl.load_workbook(files.realisasi, read_only=True)
    try:
        return {
            ws.title: [
                tuple((c.value, c.data_type, c.number_format) for c in row)
                for row in ws.iter_rows()
            ]
            for ws in wb.worksheets
        }
    finally:
        wb.close()


def _bytes(f: demo.DemoFiles) -> dict[str, bytes]:
    return {name: getattr(f, name).read_bytes() for name in demo.FILE_NAMES}


# --- Determinism ------------------------------------------------------------------------------


def test_same_seed_gives_identical_bytes(villages, files, tmp_path):
    again = demo.write(demo.generate(villages, seed=SEED), tmp_path / "b")
    assert _bytes(again) == _bytes(files)


def test_different_seed_gives_different_data(villages, files, tmp_path):
    other = _bytes(demo.write(demo.generate(villages, seed=SEED + 1), tmp_path / "c"))
    first = _bytes(files)
    for name in ("roster", "realisasi", "layanan"):
        assert other[name] != first[name], name
    # The depots are real offices at fixed places.
    assert other["depot"] == first["depot"]


def test_write_names_the_files(files):
    for key, name in demo.FILE_NAMES.items():
        path = getattr(files, key)
        assert path.name == name and path.is_file()
    assert not list(files.roster.parent.glob("*.tmp"))


# --- Sizes and summaries ----------------------------------------------------------------------


def test_sizes_in_range(data):
    s = data.summary()
    assert 14_000 <= s["kpm_pkh"] <= 15_200
    assert 20_000 <= s["kpm_bpnt"] <= 26_000
    assert 32_000 <= s["kpm_distinct"] <= 38_000
    assert s["kpm_distinct"] < s["kpm_pkh"] + s["kpm_bpnt"]  # some families hold both
    assert 100 <= s["e_warong"] <= 130
    assert 250 <= s["agen_brilink"] <= 350
    assert 10 <= s["kantor_bri"] <= 20
    assert s["depots"] == 6
    assert 0.25 <= s["not_realized_share"] <= 0.40
    assert s["seed"] == SEED


def test_file_summary_matches_memory(data, files):
    in_memory = data.summary()
    from_files = files.summary()
    assert from_files == {k: in_memory[k] for k in from_files}


def test_every_village_has_families(data, villages):
    coded = data.roster.loc[data.roster["KODE WILAYAH"] != "", "KODE WILAYAH"]
    assert set(coded) == set(villages["kode"])


# --- Layouts ----------------------------------------------------------------------------------


def test_roster_layout(files, roster_file, data):
    raw = files.roster.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf" + ";".join(demo.ROSTER_COLUMNS).encode() + b"\r\n")
    assert list(roster_file.columns) == demo.ROSTER_COLUMNS
    expected = data.roster.astype(str)
    pd.testing.assert_frame_equal(roster_file, expected, check_dtype=False)
    assert set(roster_file["PKH"]) == {"Ya", ""}
    assert set(roster_file["BPNT"]) == {"Ya", ""}
    assert ((roster_file["PKH"] == "Ya") | (roster_file["BPNT"] == "Ya")).all()
    assert (roster_file["PERIODE"] == demo.PERIODE).all()


def test_layanan_and_depot_layout(files, layanan_file):
    assert files.layanan.read_text(encoding="utf-8").splitlines()[0] == ",".join(
        demo.LAYANAN_COLUMNS
    )
    assert list(layanan_file.columns) == demo.LAYANAN_COLUMNS
    depot = pd.read_csv(files.depot)
    assert list(depot.columns) == demo.DEPOT_COLUMNS
    assert list(depot["id"]) == [d[0] for d in demo.DEPOTS]
    assert set(layanan_file["jenis"]) == set(demo.JENIS_LAYANAN)
    patterns = {"e-warong": r"EW-\d{4}", "agen_brilink": r"AG-\d{4}", "kantor_bri": r"BRI-\d{2}"}
    for jenis, pattern in patterns.items():
        ids = layanan_file.loc[layanan_file["jenis"] == jenis, "id"]
        assert ids.str.fullmatch(pattern).all(), jenis
    assert layanan_file["id"].is_unique
    ewarong = layanan_file["jenis"] == "e-warong"
    kapasitas = pd.to_numeric(layanan_file.loc[ewarong, "kapasitas"])
    assert kapasitas.between(150, 300).all() and (kapasitas == 250).mean() > 0.5
    assert (layanan_file.loc[~ewarong, "kapasitas"] == "").all()
    for column in ("lat", "lon"):
        decimals = layanan_file[column].astype(str).str.split(".").str[1].str.len()
        assert (decimals <= 6).all()


def test_realisasi_layout(workbook_rows):
    assert list(workbook_rows) == [demo.REALISASI_SHEET, demo.KETERANGAN_SHEET]
    header = [v for v, _, _ in workbook_rows[demo.REALISASI_SHEET][0]]
    assert header == demo.REALISASI_COLUMNS


def test_realisasi_ids_are_text_cells(workbook_rows):
    rows = workbook_rows[demo.REALISASI_SHEET][1:]
    for name in ("NIK", "NO KK", "NO KKS"):
        j = demo.REALISASI_COLUMNS.index(name)
        cells = [row[j] for row in rows]
        assert all(t == "s" for _, t, _ in cells), name
        assert all(f == "@" for _, _, f in cells), name
        assert all(re.fullmatch(r"\d{16}", v) for v, _, _ in cells), name


def test_realisasi_file_matches_memory(workbook_rows, data):
    rows = workbook_rows[demo.REALISASI_SHEET]
    frame = pd.DataFrame(
        [[v for v, _, _ in row] for row in rows[1:]], columns=demo.REALISASI_COLUMNS
    )
    expected = data.realisasi
    assert len(frame) == len(expected)
    for name in ("NIK", "STATUS", "PROGRAM", "ID AGEN", "KETERANGAN"):
        assert list(frame[name].fillna("")) == list(expected[name]), name
    assert list(frame["NOMINAL"]) == list(expected["NOMINAL"])
    j = demo.REALISASI_COLUMNS.index("TANGGAL TRANSAKSI")
    written = [row[j][0].date() if row[j][0] is not None else None for row in rows[1:]]
    assert written == list(expected["TANGGAL TRANSAKSI"])
    assert {row[j][2] for row in rows[1:] if row[j][0] is not None} == {"dd/mm/yyyy"}


# --- Demo marks -------------------------------------------------------------------------------


def test_every_file_is_marked_as_demo(roster_file, layanan_file, files, workbook_rows):
    assert (roster_file["CATATAN"] == demo.DEMO_MARK).all()
    assert layanan_file["catatan"].str.startswith("DATA CONTOH").all()
    assert pd.read_csv(files.depot)["catatan"].str.startswith("DATA CONTOH").all()
    j = demo.REALISASI_COLUMNS.index("CATATAN")
    assert all(row[j][0] == demo.DEMO_MARK for row in workbook_rows[demo.REALISASI_SHEET][1:])
    note = [row[0][0] for row in workbook_rows[demo.KETERANGAN_SHEET]]
    assert note[0] == demo.KETERANGAN_TEXT
    assert f"Seed: {SEED}" in note


# --- Roster contents --------------------------------------------------------------------------


def test_roster_nik_and_kk(roster_file):
    nik = roster_file["NIK"]
    apostrophe = nik.str.startswith("'")
    assert 0.003 < apostrophe.mean() < 0.02
    clean = nik.str.lstrip("'")
    assert clean.str.fullmatch(r"6402\d{12}").all()
    assert clean.is_unique
    day = clean.str[6:8].astype(int)
    month = clean.str[8:10].astype(int)
    assert (day.between(1, 31) | day.between(41, 71)).all()
    assert month.between(1, 12).all()
    assert 0.5 < (day > 40).mean() < 0.95  # mostly mothers
    assert clean.str[4:6].isin([f"{k:02d}" for k in range(1, 21)]).all()
    assert roster_file["NO KK"].str.fullmatch(r"6402\d{12}").all()
    assert roster_file["NO KK"].is_unique


def test_roster_names_are_varied_upper_case(roster_file):
    names = roster_file["NAMA"]
    assert (names == names.str.upper()).all()
    assert names.nunique() > 2_000
    assert names.str.fullmatch(r"[A-Z. ]+").all()


def _norm(name: str) -> str:
    text = re.sub(r"^(DESA|KEL\.|KELURAHAN)\s+", "", name.upper().strip())
    text = re.sub(r"[^A-Z0-9]", "", text)
    return re.sub(r"^SEMBOJA", "SAMBOJA", text)


def test_roster_codes_and_clerk_spellings(roster_file, villages):
    with_code = roster_file["KODE WILAYAH"] != ""
    assert 0.65 < with_code.mean() < 0.75
    by_name = {
        (_norm(k), _norm(n)): c for c, k, n in villages[["kode", "kecamatan", "nama"]].values
    }
    resolved = [
        by_name.get((_norm(k), _norm(d)))
        for k, d in zip(roster_file["KECAMATAN"], roster_file["DESA/KELURAHAN"], strict=True)
    ]
    # Every row resolves by names alone, and to its code when it has one.
    assert None not in resolved
    coded = roster_file["KODE WILAYAH"].where(with_code)
    assert (coded[with_code] == pd.Series(resolved)[with_code]).all()
    canonical = set(villages["kecamatan"])
    variant = ~roster_file["KECAMATAN"].isin(canonical) | ~roster_file["DESA/KELURAHAN"].isin(
        set(villages["nama"])
    )
    assert 0.10 < variant.mean() < 0.20
    spellings = set(roster_file["KECAMATAN"])
    for typed in ("Sanga-Sanga", "Marangkayu", "Semboja", "TENGGARONG"):
        assert any(typed in s for s in spellings), typed
    desa = roster_file["DESA/KELURAHAN"]
    assert desa.str.startswith("DESA ").any() and desa.str.startswith("KEL. ").any()


# --- Service points ---------------------------------------------------------------------------


def test_layanan_inside_kukar_and_its_village(layanan_file, villages, kabupaten):
    metric = kabupaten.to_crs(settings.CRS_METRIC).geometry.iloc[0].buffer(1000)
    points = gpd.GeoSeries(
        gpd.points_from_xy(layanan_file["lon"], layanan_file["lat"]), crs=settings.CRS_GEO
    ).to_crs(settings.CRS_METRIC)
    assert points.within(metric).all()
    assert layanan_file["kode_desa"].isin(set(villages["kode"])).all()
    polygons = villages.set_index("kode").geometry.to_crs(settings.CRS_METRIC)
    own = polygons.loc[layanan_file["kode_desa"]].buffer(5).to_numpy()
    assert shapely.contains(own, points.to_numpy()).all()


def test_service_points_avoid_remote_villages(layanan_file, villages):
    remote = {
        kode
        for kode, kec, nama in villages[["kode", "kecamatan", "nama"]].values
        if any((kec, nama) in group for group in demo.REMOTE_VILLAGES.values())
    }
    assert len(remote) == sum(len(g) for g in demo.REMOTE_VILLAGES.values())
    assert not layanan_file["kode_desa"].isin(remote).any()
    tenggarong = layanan_file["kode_desa"].str.startswith("64.02.06.")
    assert tenggarong.sum() > 30


# --- Realization ------------------------------------------------------------------------------


def test_realisasi_statuses_are_consistent(data):
    r = data.realisasi
    statuses = {demo.STATUS_SUDAH, demo.STATUS_BELUM, demo.STATUS_TIDAK}
    assert set(r["STATUS"]) == statuses
    sudah = r["STATUS"] == demo.STATUS_SUDAH
    assert r.loc[sudah, "TANGGAL TRANSAKSI"].notna().all()
    assert r.loc[~sudah, "TANGGAL TRANSAKSI"].isna().all()
    assert (r.loc[sudah, "TANGGAL TRANSAKSI"] >= r.loc[sudah, "TANGGAL KREDIT"]).all()
    assert (r.loc[sudah, "TANGGAL TRANSAKSI"] <= demo.DATA_DATE).all()
    assert (r.loc[~sudah, "ID AGEN"] == "").all()
    tidak = r["STATUS"] == demo.STATUS_TIDAK
    assert r.loc[tidak, "KETERANGAN"].isin(list(demo.KETERANGAN_TIDAK)).all()
    assert (r.loc[~tidak, "KETERANGAN"] == "").all()
    assert set(r["PROGRAM"]) == {"PKH", "SEMBAKO", "BPNT"}
    bpnt = r["PROGRAM"] != "PKH"
    assert (r.loc[bpnt, "NOMINAL"] % 200_000 == 0).all()
    assert (r.loc[bpnt, "NOMINAL"] == 600_000).mean() > 0.9
    assert r.loc[~bpnt, "NOMINAL"].between(225_000, 3_000_000).all()


def test_realisasi_agents_exist(data):
    ids = set(data.layanan["id"])
    used = data.realisasi.loc[data.realisasi["ID AGEN"] != "", "ID AGEN"]
    assert used.isin(ids).all()
    bpnt = data.realisasi["PROGRAM"] != "PKH"
    assert used[bpnt].str.startswith("EW-").mean() > 0.6


def test_realisasi_mismatches_with_roster(data):
    r, roster = data.realisasi, data.roster
    nik = roster["NIK"].str.lstrip("'")
    expected = {(n, "PKH") for n in nik[roster["PKH"] == "Ya"]} | {
        (n, "BPNT") for n in nik[roster["BPNT"] == "Ya"]
    }
    program = np.where(r["PROGRAM"] == "PKH", "PKH", "BPNT")
    pairs = list(zip(r["NIK"], program, strict=True))
    present = set(pairs)
    missing = len(expected - present) / len(expected)
    assert 0.01 < missing < 0.03
    unknown = ~r["NIK"].isin(set(nik))
    assert 0.003 < unknown.mean() < 0.008
    dup = pd.Series(pairs).duplicated()
    assert 0.001 < dup.mean() < 0.006
    # Duplicates are the same NIK and programme twice, some of them with another status.
    twice = r[pd.Series(pairs).duplicated(keep=False).to_numpy()]
    statuses = twice.groupby([twice["NIK"], twice["PROGRAM"]])["STATUS"].nunique()
    assert (statuses > 1).any()


def test_realization_lower_far_from_service_points(data, villages):
    r = data.realisasi
    sudah = (r["STATUS"] == demo.STATUS_SUDAH).groupby(r["KODE WILAYAH"]).mean()
    anggana = villages[villages["kecamatan"] == "Anggana"]
    delta = anggana.loc[anggana["nama"].isin(DELTA), "kode"]
    assert len(delta) == 3
    kel = villages.loc[(villages["kecamatan"] == "Tenggarong") & (villages["jenis"] == "kelurahan")]
    assert sudah[delta].mean() < sudah[kel["kode"]].mean() - 0.2
    assert sudah[kel["kode"]].mean() > 0.7
    assert 0.3 < sudah[delta].mean() < 0.6
    pkh = r["PROGRAM"] == "PKH"
    done = r["STATUS"] == demo.STATUS_SUDAH
    assert done[pkh].mean() > done[~pkh].mean() + 0.05


def test_generate_rejects_bad_villages(villages):
    with pytest.raises(ValueError, match="CRS"):
        no_crs = gpd.GeoDataFrame(
            villages.drop(columns="geometry"), geometry=list(villages.geometry)
        )
        demo.generate(no_crs, seed=1)
    with pytest.raises(ValueError, match="columns"):
        demo.generate(villages.drop(columns="ref_lon"), seed=1)
