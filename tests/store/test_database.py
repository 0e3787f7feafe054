import subprocess
import sys

import pandas as pd
import pytest
import sqlalchemy as sa

from geo import settings
from geo._errors import StoreError
from geo.store.database import MIGRATIONS, Store
from tests.paths import ROOT


def _round(store, fingerprint="f1", label="Putaran uji"):
    villages = pd.DataFrame(
        {
            "kode_desa": ["64.02.06.1003", "64.02.04.2004"],
            "program": ["PKH", "BPNT"],
            "kpm": [10, 5],
            "terealisasi": [7, 1],
            "belum_transaksi": [2, 2],
            "tidak_transaksi": [1, 0],
            "tanpa_data_bri": [0, 2],
        }
    )
    kpm = pd.DataFrame(
        {
            "nik": ["6402010101010001"],
            "program": ["PKH"],
            "nama": ["UJI"],
            "no_kk": ["6402010101010002"],
            "kode_desa": ["64.02.06.1003"],
            "status": ["terealisasi"],
            "alasan": [None],
        }
    )
    problems = pd.DataFrame(
        [("a.csv", 3, "NIK", "6402**********01", "NIK tidak valid")],
        columns=["file", "row", "column", "value", "reason"],
    )
    return store.save_round(
        label=label,
        fingerprint=fingerprint,
        sources=[{"nama": "a.csv", "sha256": "x"}],
        summary={"kpm": 15},
        villages=villages,
        kpm=kpm,
        problems=problems,
        is_demo=False,
    )


def test_default_is_sqlite_file_in_wal_mode():
    store = Store()
    assert store.url == f"sqlite:///{settings.DATA_DIR / 'jangkau.db'}"
    assert (settings.DATA_DIR / "jangkau.db").is_file()
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
    assert store.version == MIGRATIONS[-1][0]


def test_migrations_are_applied_once():
    first = Store()
    second = Store()
    assert first.version == second.version == MIGRATIONS[-1][0]
    with second.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT COUNT(*) FROM schema_version")).scalar()
    assert rows == len(MIGRATIONS)


def test_round_survives_a_restart_in_another_process():
    store = Store()
    info = _round(store)
    assert info.created and info.id == 1
    store.dispose()
    code = (
        "from geo.store.database import Store; s = Store(); r = s.latest_round(); "
        "print(r.id, r.label, len(s.round_villages(r.id)), len(s.round_problems(r.id)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"JANGKAU_DATA_DIR": str(settings.DATA_DIR), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["1", "Putaran", "uji", "2", "1"]


def test_same_input_is_not_saved_twice():
    store = Store()
    first = _round(store)
    again = _round(store, label="lagi")
    assert not again.created and again.id == first.id
    assert len(store.rounds()) == 1
    other = _round(store, fingerprint="f2")
    assert other.id == 2 and [r.id for r in store.rounds()] == [2, 1]


def test_round_tables_round_trip():
    store = Store()
    info = _round(store)
    villages = store.round_villages(info.id)
    assert villages["kpm"].tolist() == [5, 10]  # ordered by kode_desa
    kpm = store.round_kpm(info.id, kode_desa=["64.02.06.1003"])
    assert kpm.loc[0, "nik"] == "6402010101010001"
    problems = store.round_problems(info.id)
    assert problems.loc[0, "row"] == 3 and problems.loc[0, "column"] == "NIK"
    with pytest.raises(StoreError):
        store.round(99)


def test_failed_write_leaves_previous_state():
    store = Store()
    _round(store)
    bad = pd.DataFrame({"kode_desa": ["x"], "program": ["PKH"]})  # counts missing
    with pytest.raises(KeyError):
        store.save_round(
            label="rusak",
            fingerprint="f9",
            sources=[],
            summary={},
            villages=bad,
            kpm=pd.DataFrame(),
            problems=pd.DataFrame(),
            is_demo=False,
        )
    assert len(store.rounds()) == 1


def test_service_points_and_depots():
    store = Store()
    assert store.is_empty()
    pts = pd.DataFrame(
        {
            "id": ["EW-1", "AG-1"],
            "nama": ["E-Warong A", "Agen B"],
            "jenis": ["e-warong", "agen_brilink"],
            "lat": [-0.44, -0.45],
            "lon": [116.98, 116.99],
            "kode_desa": ["64.02.06.1003", None],
            "kapasitas": [250, None],
            "aktif": [True, False],
        }
    )
    assert store.replace_service_points(pts, is_demo=True) == 2
    assert store.service_points()["id"].tolist() == ["EW-1"]
    assert len(store.service_points(active_only=False)) == 2
    assert store.service_points()["is_demo"].all()
    assert not store.is_empty()
    version = store.get_meta("points_version")
    store.replace_service_points(pts.iloc[:1], is_demo=True)
    assert store.get_meta("points_version") != version
    store.replace_depots(
        pd.DataFrame({"id": ["D1"], "nama": ["KC"], "lat": [0.1], "lon": [117.5]}), is_demo=False
    )
    assert store.depots()["nama"].tolist() == ["KC"]


def test_unopenable_database_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="tidak dapat"):
        Store(f"sqlite:///{blocker}/sub/jangkau.db")


def test_failed_save_names_no_personal_data():
    store = Store()
    villages = pd.DataFrame(
        [("64.02.06.1003", "PKH", 2, 2, 0, 0, 0)],
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
    row = ("6402010101010001", "PKH", "SITI AMINAH", "", "64.02.06.1003", "terealisasi", None)
    kpm = pd.DataFrame(
        [row, row],  # the same NIK and programme twice: the primary key refuses it
        columns=["nik", "program", "nama", "no_kk", "kode_desa", "status", "alasan"],
    )
    with pytest.raises(StoreError) as err:
        store.save_round(
            label="x",
            fingerprint="dup",
            sources=[],
            summary={},
            villages=villages,
            kpm=kpm,
            problems=pd.DataFrame(columns=["file", "row", "column", "value", "reason"]),
            is_demo=False,
        )
    text = str(err.value) + repr(err.value.__cause__) + repr(err.value.__context__)
    assert "6402010101010001" not in text and "SITI" not in text
    assert store.rounds() == []
