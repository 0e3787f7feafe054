"""Rounds: import + reconcile + save, no doubles, reload after restart, comparison."""

import numpy as np
import pandas as pd
import pytest

from geo._errors import InputFileError
from geo.intake import demo
from geo.realization.rounds import (
    InputFile,
    change_counts,
    changed,
    compare,
    mapping_changes,
    masked_preview,
    rounds_table,
    run_round,
    village_result,
)
from geo.store.database import Store


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory, bounds):
    folder = tmp_path_factory.mktemp("demo-files")
    return demo.write(demo.generate(bounds.villages, seed=11), folder)


def _inputs(files):
    return (
        InputFile(files.roster.name, files.roster.read_bytes()),
        InputFile(files.realisasi.name, files.realisasi.read_bytes()),
    )


def test_round_saved_once_and_reloaded_after_restart(bounds, demo_files):
    roster, realisasi = _inputs(demo_files)
    store = Store()
    info, result = run_round(
        store, roster=roster, realisasi=realisasi, villages=bounds.villages, label="Tahap 1"
    )
    assert info.created and info.is_demo and info.label == "Tahap 1"
    assert {s["peran"] for s in info.sources} == {"roster", "realisasi"}
    assert all(len(s["sha256"]) == 64 for s in info.sources)
    again, _ = run_round(store, roster=roster, realisasi=realisasi, villages=bounds.villages)
    assert not again.created and again.id == info.id
    store.dispose()

    reopened = Store()
    assert [r.id for r in reopened.rounds()] == [info.id]
    saved = reopened.round_villages(info.id)
    expected = result.villages[saved.columns].sort_values(["kode_desa", "program"])
    pd.testing.assert_frame_equal(
        saved.reset_index(drop=True), expected.reset_index(drop=True), check_dtype=False
    )
    assert len(reopened.round_problems(info.id)) == len(result.problems)
    assert len(reopened.round_kpm(info.id)) == len(result.kpm)


def test_other_mapping_is_another_round(bounds, demo_files):
    roster, realisasi = _inputs(demo_files)
    store = Store()
    first, _ = run_round(store, roster=roster, realisasi=realisasi, villages=bounds.villages)
    other, _ = run_round(
        store,
        roster=roster,
        realisasi=realisasi,
        villages=bounds.villages,
        mapping_roster={"alamat": ""},
    )
    assert other.created and other.id != first.id


def test_unusable_file_saves_nothing(bounds, demo_files):
    _, realisasi = _inputs(demo_files)
    store = Store()
    with pytest.raises(InputFileError):
        run_round(
            store,
            roster=InputFile("kosong.csv", b"A;B\n1;2\n"),
            realisasi=realisasi,
            villages=bounds.villages,
        )
    assert store.rounds() == []


def _counts(rows):
    return pd.DataFrame(
        rows,
        columns=[
            "kode_desa",
            "program",
            "kpm",
            "terealisasi",
            "belum_transaksi",
            "tidak_transaksi",
            "tanpa_data_bri",
        ],
    )


def test_compare_rounds(bounds):
    before = _counts(
        [
            ("64.02.04.2004", "BPNT", 100, 40, 60, 0, 0),
            ("64.02.06.1003", "PKH", 50, 45, 5, 0, 0),
            ("64.02.12.2001", "PKH", 10, 5, 5, 0, 0),
            ("64.02.01.2001", "PKH", 20, 10, 10, 0, 0),
        ]
    )
    after = _counts(
        [
            ("64.02.04.2004", "BPNT", 100, 70, 30, 0, 0),
            ("64.02.06.1003", "PKH", 50, 40, 10, 0, 0),
            ("64.02.12.2001", "PKH", 10, 5, 5, 0, 0),
            ("64.02.02.2001", "BPNT", 8, 8, 0, 0, 0),
        ]
    )
    diff = compare(before, after, bounds.villages).set_index("kode_desa")
    assert diff.loc["64.02.04.2004", "perubahan"] == "membaik"
    assert diff.loc["64.02.04.2004", "selisih_pp"] == 30.0
    assert diff.loc["64.02.04.2004", "desa"] == "Kutai Lama"
    assert diff.loc["64.02.06.1003", "perubahan"] == "memburuk"
    assert diff.loc["64.02.12.2001", "perubahan"] == "tetap"
    assert diff.loc["64.02.02.2001", "perubahan"] == "baru"
    assert diff.loc["64.02.01.2001", "perubahan"] == "hilang"
    ordered = compare(before, after, bounds.villages)
    assert ordered.loc[0, "kode_desa"] == "64.02.06.1003"  # largest worsening first
    pkh_only = compare(before, after, bounds.villages, program="PKH")
    assert "64.02.04.2004" not in set(pkh_only["kode_desa"])


def test_rounds_table_and_village_result(bounds, demo_files):
    roster, realisasi = _inputs(demo_files)
    store = Store()
    info, result = run_round(store, roster=roster, realisasi=realisasi, villages=bounds.villages)
    table = rounds_table(store.rounds())
    row = table.iloc[0]
    assert row["putaran"] == info.id and row["kpm"] == result.summary()["kpm"]
    assert row["belum"] == row["kpm"] - row["terealisasi"] and bool(row["data_contoh"])
    villages = village_result(store.round_villages(info.id), bounds.villages)
    assert list(villages.columns) == list(result.villages.columns)
    assert villages["desa"].notna().all()


def test_another_sheet_of_the_same_workbook_is_another_round(bounds, demo_files):
    from geo.realization.rounds import fingerprint

    roster, realisasi = _inputs(demo_files)
    one = fingerprint(roster, realisasi, sheet_realisasi="Tahap1")
    two = fingerprint(roster, realisasi, sheet_realisasi="Tahap2")
    assert one != two
    assert one == fingerprint(roster, realisasi, sheet_realisasi=" tahap1 ")


def test_a_file_saved_by_an_older_import_is_reconciled_again(bounds, demo_files, monkeypatch):
    # A round saved before the import kept KPM coordinates has the old format in its
    # fingerprint: the same files make a new round (with coordinates), not the old one again.
    from geo.realization import rounds

    roster, realisasi = _inputs(demo_files)
    store = Store()
    monkeypatch.setattr(rounds, "IMPORT_FORMAT", 1)
    old, _ = run_round(store, roster=roster, realisasi=realisasi, villages=bounds.villages)
    monkeypatch.setattr(rounds, "IMPORT_FORMAT", 2)
    new, _ = run_round(store, roster=roster, realisasi=realisasi, villages=bounds.villages)
    again, _ = run_round(store, roster=roster, realisasi=realisasi, villages=bounds.villages)
    assert new.id != old.id and again.id == new.id
    assert store.round_kpm(new.id)["lat"].notna().any()


def _diff():
    return pd.DataFrame(
        {
            "kode_desa": ["a", "b", "c", "d", "e"],
            "selisih_pp": [-5.0, -1.0, 2.0, 10.0, np.nan],
            "perubahan": ["memburuk", "memburuk", "membaik", "membaik", "baru"],
        }
    )


def test_changes_counted_and_listed_largest_first():
    diff = _diff()
    assert change_counts(diff) == {"membaik": 2, "memburuk": 2, "tetap": 0, "baru": 1, "hilang": 0}
    assert changed(diff, "memburuk")["kode_desa"].tolist() == ["a", "b"]
    assert changed(diff, "membaik")["kode_desa"].tolist() == ["d", "c"]
    assert changed(diff, "tetap").empty


def test_a_mapping_counts_only_when_changed_from_the_detected_one():
    detected = {"nik": "NIK", "nama": "NAMA"}
    assert mapping_changes({"nik": "NIK", "nama": "NAMA", "lat": ""}, detected) is None
    chosen = {"nik": "NIK", "nama": ""}
    assert mapping_changes(chosen, detected) is chosen


def test_preview_masks_the_mapped_columns():
    table = pd.DataFrame(
        {"No Induk": ["6402010101010001"] * 12, "Penerima": ["SITI AMINAH"] * 12, "x": ["1"] * 12}
    )
    shown = masked_preview(table, {"nik": "No Induk", "nama": "Penerima"})
    assert len(shown) == 10
    assert "6402010101010001" not in shown["No Induk"].iloc[0]
    assert "SITI" not in shown["Penerima"].iloc[0] and shown["x"].iloc[0] == "1"


def test_pick_round_prefers_what_the_planner_chose_last():
    from geo.realization.rounds import pick_round

    ids = [3, 2, 1]  # newest first, as Store.rounds() lists them
    assert pick_round(ids) == 3
    assert pick_round(ids, kept=1) == 1  # a page change: the session's choice
    assert pick_round(ids, linked="2", kept=1) == 2  # the address names a round
    assert pick_round(ids, shown=1, linked="2") == 1  # the sidebar changed in this run
    assert pick_round(ids, asked=2, shown=1) == 2  # a page's "open this round"
    assert pick_round(ids, linked="x", kept=9) == 3  # nothing usable: the newest
    assert pick_round([], kept=1) is None
