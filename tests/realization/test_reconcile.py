"""Reconciliation tests: matching, duplicates, orphans, and properties that must always hold."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.areas import boundaries
from geo.areas.lookup import VillageIndex
from geo.intake.problems import REALISASI_COLUMNS, ROSTER_COLUMNS, ImportResult
from geo.intake.realisasi import read_realisasi
from geo.intake.roster import read_roster
from geo.realization.reconcile import STATUSES, Reconciliation, reconcile
from tests.paths import SHARED_BOUNDARIES

SIXTEEN = re.compile(r"\d{16}")
CODES = ["64.02.06.1003", "64.02.02.2014", "64.02.07.2007", "64.02.15.1003", "64.02.13.1009"]
HYPOTHESIS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def bounds_module() -> boundaries.Boundaries:
    return boundaries.build(boundaries.fetch_sources(str(SHARED_BOUNDARIES)))


@pytest.fixture(scope="module")
def villages(bounds_module) -> pd.DataFrame:
    return pd.DataFrame(bounds_module.villages[["kode", "nama", "kecamatan"]])


@pytest.fixture(scope="module")
def index(bounds_module) -> VillageIndex:
    return VillageIndex(bounds_module.villages)


def nik(i: int) -> str:
    return f"640201{i:06d}{i % 9000 + 1:04d}"


def roster_result(records: list[tuple], file: str = "roster.csv") -> ImportResult:
    """records: (nik, program, kode_desa, row)."""
    frame = pd.DataFrame(
        {
            "nik": [r[0] for r in records],
            "no_kk": "",
            "nama": [f"Nama {r[3]}" for r in records],
            "alamat": "",
            "kode_desa": [r[2] for r in records],
            "program": [r[1] for r in records],
            "row": np.array([r[3] for r in records], dtype=np.int64),
        },
        columns=ROSTER_COLUMNS,
    ).astype({c: "str" for c in ROSTER_COLUMNS if c != "row"})
    rows = len({r[3] for r in records})
    return ImportResult("roster", file, frame, [], ROSTER_COLUMNS, {"nik": "NIK"}, [], False, rows)


def realisasi_result(records: list[tuple], file: str = "bri.xlsx") -> ImportResult:
    """records: (nik, program, status, alasan, row)."""
    frame = pd.DataFrame(
        {
            "nik": [r[0] for r in records],
            "program": [r[1] for r in records],
            "status": [r[2] for r in records],
            "alasan": [r[3] for r in records],
            "tahap": "1",
            "nominal": np.nan,
            "kode_desa": pd.Series([None] * len(records), dtype="str"),
            "id_agen": "",
            "tanggal_transaksi": "",
            "row": np.array([r[4] for r in records], dtype=np.int64),
        },
        columns=REALISASI_COLUMNS,
    )
    return ImportResult(
        "realisasi", file, frame, [], REALISASI_COLUMNS, {"nik": "NIK KPM"}, [], False, len(records)
    )


def status_of(result: Reconciliation, nik_value: str, program: str) -> tuple[str, str]:
    row = result.kpm[(result.kpm["nik"] == nik_value) & (result.kpm["program"] == program)]
    assert len(row) == 1
    return row["status"].iloc[0], row["alasan"].iloc[0]


def test_statuses_are_matched_by_nik_and_programme(villages):
    roster = roster_result(
        [
            (nik(1), "PKH", CODES[0], 2),
            (nik(1), "BPNT", CODES[0], 2),
            (nik(2), "BPNT", CODES[1], 3),
            (nik(3), "PKH", CODES[1], 4),
            (nik(4), "PKH", CODES[2], 5),
        ]
    )
    bri = realisasi_result(
        [
            (nik(1), "PKH", "terealisasi", "", 2),
            (nik(1), "BPNT", "belum_transaksi", "KARTU HILANG", 3),
            (nik(2), "BPNT", "tidak_transaksi", "MENINGGAL", 4),
            (nik(3), "BPNT", "terealisasi", "", 5),  # wrong programme: no roster KPM
        ]
    )
    result = reconcile(roster, bri, villages=villages)
    assert status_of(result, nik(1), "PKH") == ("terealisasi", "")
    assert status_of(result, nik(1), "BPNT") == ("belum_transaksi", "KARTU HILANG")
    assert status_of(result, nik(2), "BPNT") == ("tidak_transaksi", "MENINGGAL")
    assert status_of(result, nik(3), "PKH") == ("tanpa_data_bri", "")
    assert status_of(result, nik(4), "PKH") == ("tanpa_data_bri", "")
    assert list(result.kpm.columns) == [
        "nik",
        "nama",
        "no_kk",
        "kode_desa",
        "program",
        "status",
        "alasan",
        "lat",
        "lon",
    ]
    [orphan] = result.problems
    assert orphan.file == "bri.xlsx" and orphan.row == 5 and orphan.column == "NIK KPM"
    assert "tidak ada di data Dinsos" in orphan.reason and "untuk program PKH" in orphan.reason
    assert orphan.value == "6402**********04"
    assert result.bri_tanpa_roster == 1

    table = result.villages
    assert list(table.columns) == [
        "kode_desa",
        "desa",
        "kecamatan",
        "program",
        "kpm",
        *STATUSES,
    ]
    first = table[(table["kode_desa"] == CODES[0])].set_index("program")
    assert first.loc["PKH", "terealisasi"] == 1 and first.loc["BPNT", "belum_transaksi"] == 1
    assert (
        first.loc["PKH", "desa"] == "Bukit Biru" and first.loc["PKH", "kecamatan"] == "Tenggarong"
    )
    assert len(table) == 5

    summary = result.summary()
    json.dumps(summary)
    assert summary["kpm"] == 5 and summary["nik"] == 4 and summary["cocok"] == 3
    assert summary["status"] == {
        "terealisasi": 1,
        "belum_transaksi": 1,
        "tidak_transaksi": 1,
        "tanpa_data_bri": 2,
    }
    assert summary["program"]["PKH"]["kpm"] == 3
    assert summary["bri_tanpa_roster"] == 1 and summary["masalah"] == 1
    assert not SIXTEEN.search(json.dumps(summary))


def test_roster_duplicates_count_once_and_first_row_decides_the_village(villages):
    roster = roster_result(
        [
            (nik(1), "PKH", CODES[0], 2),
            (nik(2), "PKH", CODES[0], 3),
            (nik(1), "PKH", CODES[0], 4),
            (nik(1), "PKH", CODES[1], 6),
            (nik(1), "BPNT", CODES[1], 6),  # another programme: not a duplicate
        ]
    )
    result = reconcile(roster, realisasi_result([]), villages=villages)
    assert len(result.kpm) == 3
    assert status_of(result, nik(1), "PKH")[0] == "tanpa_data_bri"
    kode = result.kpm.set_index(["nik", "program"]).loc[(nik(1), "PKH"), "kode_desa"]
    assert kode == CODES[0]
    dups = [p for p in result.problems if "Duplikat" in p.reason]
    assert [(p.file, p.row) for p in dups] == [("roster.csv", 4), ("roster.csv", 6)]
    assert all("Duplikat dari baris 2" in p.reason for p in dups)
    assert "Desanya berbeda" in dups[1].reason and "Desanya berbeda" not in dups[0].reason
    assert result.duplicates == {"roster": 2, "realisasi": 0}
    assert result.villages["kpm"].sum() == 3


def test_bri_duplicates_most_advanced_status_wins(villages):
    roster = roster_result([(nik(i), "BPNT", CODES[0], i + 1) for i in range(1, 5)])
    bri = realisasi_result(
        [
            (nik(1), "BPNT", "belum_transaksi", "KARTU HILANG", 2),
            (nik(1), "BPNT", "terealisasi", "", 3),
            (nik(2), "BPNT", "belum_transaksi", "", 4),
            (nik(2), "BPNT", "tidak_transaksi", "MENINGGAL", 5),
            (nik(3), "BPNT", "tidak_transaksi", "PINDAH DOMISILI", 6),
            (nik(3), "BPNT", "terealisasi", "", 7),
            (nik(4), "BPNT", "belum_transaksi", "A", 8),
            (nik(4), "BPNT", "belum_transaksi", "B", 9),
        ]
    )
    result = reconcile(roster, bri, villages=villages)
    assert status_of(result, nik(1), "BPNT") == ("terealisasi", "")
    assert status_of(result, nik(2), "BPNT") == ("tidak_transaksi", "MENINGGAL")
    assert status_of(result, nik(3), "BPNT") == ("terealisasi", "")
    assert status_of(result, nik(4), "BPNT") == ("belum_transaksi", "A")  # tie: lowest row
    dups = {p.row: p.reason for p in result.problems}
    assert sorted(dups) == [3, 5, 7, 9]
    assert dups[3].startswith("Duplikat dari baris 2") and "terealisasi (baris 3)" in dups[3]
    assert dups[9].startswith("Duplikat dari baris 8") and "berbeda" not in dups[9]
    assert result.duplicates == {"roster": 0, "realisasi": 4}


def test_bri_rows_without_roster_kpm_reported_once_per_nik_programme(villages):
    roster = roster_result([(nik(1), "PKH", CODES[0], 2)])
    bri = realisasi_result(
        [
            (nik(9), "PKH", "terealisasi", "", 2),
            (nik(9), "PKH", "terealisasi", "", 3),
            (nik(9), "BPNT", "belum_transaksi", "", 4),
            (nik(1), "BPNT", "belum_transaksi", "", 5),
        ]
    )
    result = reconcile(roster, bri, villages=villages)
    orphans = [p for p in result.problems if "tidak ada di data Dinsos" in p.reason]
    assert [p.row for p in orphans] == [2, 4, 5]
    assert "terdaftar di data Dinsos untuk program PKH" in orphans[2].reason
    assert "terdaftar" not in orphans[0].reason
    assert result.bri_tanpa_roster == 3
    assert result.summary()["status"]["tanpa_data_bri"] == 1


def test_the_roster_decides_the_village(villages, index):
    roster = f"NIK;KODE WILAYAH;PROGRAM\n{nik(1)};{CODES[0]};PKH\n{nik(2)};{CODES[1]};PKH\n"
    bri = (
        "NIK;KECAMATAN;DESA;PROGRAM;STATUS\n"
        f"{nik(1)};Tabang;Sepatin;PKH;SUDAH\n"
        f"{nik(2)};Atlantis;Entah;PKH;BELUM\n"
    )
    r = read_roster(roster.encode(), filename="r.csv", index=index)
    b = read_realisasi(bri.encode(), filename="b.csv", index=index)
    assert b.frame["kode_desa"].isna().tolist() == [True, True]
    result = reconcile(r, b, villages=villages)
    assert result.kpm["kode_desa"].tolist() == CODES[:2]
    assert result.kpm["status"].tolist() == ["terealisasi", "belum_transaksi"]
    assert len(result.problems) == 2  # BRI's two doubtful villages, nothing else


def test_empty_realisasi_leaves_everyone_without_bri_data(villages):
    roster = roster_result([(nik(1), "PKH", CODES[0], 2), (nik(2), "BPNT", CODES[1], 3)])
    result = reconcile(roster, realisasi_result([]), villages=villages)
    assert set(result.kpm["status"]) == {"tanpa_data_bri"}
    assert result.summary()["cocok"] == 0


def test_problems_are_listed_per_file_in_row_order(villages, index):
    roster = "NIK;KODE WILAYAH;PKH\n6.40201E+15;64.02.06.1003;Ya\n" + f"{nik(1)};{CODES[0]};Ya\n"
    bri = f"NIK,PROGRAM,STATUS,DESA\n{nik(1)},PKH,??,x\n{nik(5)},PKH,SUDAH,\n"
    r = read_roster(roster.encode(), filename="r.csv", index=index)
    b = read_realisasi(bri.encode(), filename="b.csv", index=index)
    result = reconcile(r, b, villages=villages)
    assert [p.file for p in result.problems][:2] == ["r.csv", "b.csv"]
    assert "tidak ada di data Dinsos" in result.problems[-1].reason
    for p in result.problems:
        assert not SIXTEEN.search(f"{p.value} {p.reason}")


def test_arguments_in_the_wrong_order_are_refused(villages):
    roster = roster_result([(nik(1), "PKH", CODES[0], 2)])
    with pytest.raises(ValueError, match="read_roster"):
        reconcile(realisasi_result([]), roster, villages=villages)


def test_post_init_rejects_counts_that_do_not_add_up(villages):
    result = reconcile(
        roster_result([(nik(1), "PKH", CODES[0], 2)]), realisasi_result([]), villages=villages
    )
    broken = result.villages.copy()
    broken.loc[0, "terealisasi"] += 1
    with pytest.raises(ValueError, match="tidak sama"):
        Reconciliation(kpm=result.kpm, villages=broken, problems=[])
    kpm = result.kpm.assign(status="hilang")
    with pytest.raises(ValueError, match="Status tidak dikenal"):
        Reconciliation(kpm=kpm, villages=result.villages, problems=[])


# -- properties --------------------------------------------------------------------------------

_roster_rows = st.lists(
    st.tuples(
        st.integers(0, 40),  # NIK number: small, so duplicates happen
        st.sampled_from(["PKH", "BPNT"]),
        st.sampled_from(CODES),
    ),
    max_size=60,
)
_bri_rows = st.lists(
    st.tuples(
        st.integers(0, 50),
        st.sampled_from(["PKH", "BPNT"]),
        st.sampled_from(["terealisasi", "belum_transaksi", "tidak_transaksi"]),
        st.sampled_from(["", "MENINGGAL", "PINDAH DOMISILI", "lainnya"]),
    ),
    max_size=60,
)


def _frames(roster_rows, bri_rows):
    roster = roster_result([(nik(n), p, k, i + 2) for i, (n, p, k) in enumerate(roster_rows)])
    bri = realisasi_result([(nik(n), p, s, a, i + 2) for i, (n, p, s, a) in enumerate(bri_rows)])
    return roster, bri


def _shuffled(result: ImportResult, seed: int) -> ImportResult:
    order = np.random.default_rng(seed).permutation(len(result.frame))
    frame = result.frame.iloc[order].reset_index(drop=True)
    return ImportResult(
        result.kind,
        result.file,
        frame,
        [],
        result.headers,
        result.mapping,
        [],
        False,
        result.rows_read,
    )


@HYPOTHESIS
@given(roster_rows=_roster_rows, bri_rows=_bri_rows)
def test_property_counts_always_add_up(villages, roster_rows, bri_rows):
    roster, bri = _frames(roster_rows, bri_rows)
    result = reconcile(roster, bri, villages=villages)
    table = result.villages
    assert (table[list(STATUSES)].sum(axis=1) == table["kpm"]).all()
    distinct = roster.frame.groupby(["kode_desa", "program"])["nik"].nunique()
    first_village = roster.frame.sort_values("row").drop_duplicates(["nik", "program"])
    expected = first_village.groupby(["kode_desa", "program"])["nik"].nunique()
    got = table.set_index(["kode_desa", "program"])["kpm"]
    assert got.sort_index().tolist() == expected.sort_index().tolist()
    assert got.sum() == len(roster.frame.drop_duplicates(["nik", "program"]))
    assert distinct.sum() >= got.sum()
    summary = result.summary()
    assert sum(summary["status"].values()) == summary["kpm"]
    assert summary["duplikat"]["roster"] + summary["kpm"] == len(roster.frame)
    bri_pairs = set(zip(bri.frame["nik"], bri.frame["program"], strict=True))
    ros_pairs = set(zip(roster.frame["nik"], roster.frame["program"], strict=True))
    assert summary["cocok"] == len(bri_pairs & ros_pairs)
    assert summary["bri_tanpa_roster"] == len(bri_pairs - ros_pairs)


@HYPOTHESIS
@given(roster_rows=_roster_rows, bri_rows=_bri_rows, seed=st.integers(0, 2**32 - 1))
def test_property_shuffling_rows_changes_nothing(villages, roster_rows, bri_rows, seed):
    roster, bri = _frames(roster_rows, bri_rows)
    before = reconcile(roster, bri, villages=villages)
    after = reconcile(_shuffled(roster, seed), _shuffled(bri, seed + 1), villages=villages)
    pd.testing.assert_frame_equal(before.villages, after.villages)
    pd.testing.assert_frame_equal(before.kpm, after.kpm)
    key = lambda p: (p.file, p.row, p.reason)  # noqa: E731
    assert sorted(before.problems, key=key) == sorted(after.problems, key=key)


@HYPOTHESIS
@given(
    people=st.lists(
        st.tuples(st.sampled_from(CODES), st.booleans(), st.booleans()), min_size=1, max_size=25
    ),
    statuses=st.lists(
        st.sampled_from(["SUDAH TRANSAKSI", "BELUM", "TIDAK TRANSAKSI", "SALUR"]),
        min_size=1,
        max_size=40,
    ),
    seed=st.integers(0, 2**32 - 1),
)
def test_property_shuffled_files_give_the_same_villages_table(
    villages, index, people, statuses, seed
):
    """End to end through CSV files: reordering the lines of both files changes nothing."""
    rng = np.random.default_rng(seed)
    roster_lines = [
        f"{nik(i)};{kode};{'Ya' if pkh else ''};{'Ya' if bpnt or not pkh else ''}"
        for i, (kode, pkh, bpnt) in enumerate(people)
    ]
    roster_lines += roster_lines[: len(roster_lines) // 3]  # duplicates, same village
    bri_lines = [
        f"{nik(int(rng.integers(0, len(people) + 3)))},{rng.choice(['PKH', 'SEMBAKO'])},{s}"
        for s in statuses
    ]

    def run(r_lines, b_lines):
        r = read_roster(
            ("NIK;KODE WILAYAH;PKH;BPNT\n" + "\n".join(r_lines) + "\n").encode(),
            filename="r.csv",
            index=index,
        )
        b = read_realisasi(
            (
                "NIK,PROGRAM,STATUS,KODE WILAYAH\n" + "\n".join(f"{x}," for x in b_lines) + "\n"
            ).encode(),
            filename="b.csv",
            index=index,
        )
        return reconcile(r, b, villages=villages)

    before = run(roster_lines, bri_lines)
    after = run(list(rng.permutation(roster_lines)), list(rng.permutation(bri_lines)))
    pd.testing.assert_frame_equal(before.villages, after.villages)
    assert before.summary()["status"] == after.summary()["status"]


def test_mask_preview_hides_nik_and_names():
    from geo.safety.privacy import mask_name, mask_preview

    table = pd.DataFrame(
        {
            "NIK KTP": ["6402011234567890"],
            "NAMA PENERIMA": ["SITI AMINAH"],
            "NO KK": ["6402019876543210"],
            "DESA": ["Sepatin"],
            "CATATAN": ["x" * 500],
        }
    )
    shown = mask_preview(table, name_columns=["NAMA PENERIMA"])
    assert shown.loc[0, "NIK KTP"] == "6402**********90"
    assert shown.loc[0, "NO KK"] == "6402**********10"
    assert shown.loc[0, "NAMA PENERIMA"] == "S*** A***"
    assert shown.loc[0, "DESA"] == "Sepatin"
    assert len(shown.loc[0, "CATATAN"]) < 100
    assert mask_name(None) == ""


def test_preview_masks_nik_under_any_header():
    from geo.safety.privacy import mask_preview

    table = pd.DataFrame(
        {
            "NOMOR INDUK KEPENDUDUKAN": ["6402011234567890"],
            "ID PENERIMA": ["6402011234567891"],
            "CATATAN": ["hubungi 6402011234567892 besok"],
        }
    )
    shown = mask_preview(table, number_columns=["ID PENERIMA"])
    text = " ".join(shown.iloc[0].astype(str))
    assert not re.search(r"\d{16}", text)
    assert "6402**********92" in text
