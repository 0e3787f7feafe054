"""Backup and restore of the whole store (issue 7, "no lost work")."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from geo import cli, settings
from geo._errors import JangkauError, StoreError
from geo.datasets import load_demo
from geo.store.backup import BackupInfo, backup, newest_version, restore
from geo.store.database import MIGRATIONS, Store
from tests.paths import ROOT

KPM_PER_ROUND = 3


def _small_round(store: Store, fingerprint: str, *, n_kpm: int = KPM_PER_ROUND):
    villages = pd.DataFrame(
        {
            "kode_desa": ["64.02.06.1003", "64.02.04.2004"],
            "program": ["PKH", "BPNT"],
            "kpm": [n_kpm, 0],
            "terealisasi": [n_kpm, 0],
            "belum_transaksi": [0, 0],
            "tidak_transaksi": [0, 0],
            "tanpa_data_bri": [0, 0],
        }
    )
    kpm = pd.DataFrame(
        {
            "nik": [f"64020101{i:08d}" for i in range(n_kpm)],
            "program": "PKH",
            "nama": "UJI",
            "no_kk": "6402010101010002",
            "kode_desa": "64.02.06.1003",
            "status": "terealisasi",
            "alasan": None,
        }
    )
    problems = pd.DataFrame(columns=["file", "row", "column", "value", "reason"])
    return store.save_round(
        label=f"Putaran {fingerprint}",
        fingerprint=fingerprint,
        sources=[],
        summary={"kpm": n_kpm},
        villages=villages,
        kpm=kpm,
        problems=problems,
        is_demo=False,
    )


def _snapshot(store: Store) -> dict:
    """Everything a planner would miss if it were lost (compared after refused restores)."""
    rounds = store.rounds()
    return {
        "rounds": [(r.id, r.label, r.created_at) for r in rounds],
        "kpm": {r.id: store.round_kpm(r.id).to_json(orient="records") for r in rounds},
        "villages": {r.id: store.round_villages(r.id).to_json(orient="records") for r in rounds},
        "plans": store.plans().to_json(orient="records"),
        "points": store.service_points().to_json(orient="records"),
        "meta": store.get_meta("uji"),
    }


def _sqlite_check(path: Path) -> tuple[str, int, int, int]:
    """integrity_check, rounds, KPM rows and rounds whose KPM rows are incomplete."""
    conn = sqlite3.connect(path)
    try:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        rounds = conn.execute("SELECT COUNT(*) FROM rounds").fetchone()[0]
        kpm = conn.execute("SELECT COUNT(*) FROM round_kpm").fetchone()[0]
        partial = conn.execute(
            "SELECT COUNT(*) FROM rounds r WHERE r.fingerprint LIKE 'tulis-%' AND "
            f"(SELECT COUNT(*) FROM round_kpm k WHERE k.round_id = r.id) != {KPM_PER_ROUND}"
        ).fetchone()[0]
    finally:
        conn.close()
    return check, rounds, kpm, partial


@pytest.fixture
def demo_store(bounds) -> Store:
    store = Store()
    load_demo(store, bounds)
    store.save_plan("Rencana uji", {"tim": []}, is_demo=True)
    store.set_meta("uji", "sebelum")
    return store


def test_backup_restore_round_trip(demo_store, tmp_path):
    store = demo_store
    before = _snapshot(store)
    out = tmp_path / "cadangan" / "jangkau-cadangan.db"

    info = backup(store, out)

    assert isinstance(info, BackupInfo)
    round_id = store.latest_round().id
    assert info.path == out and out.is_file() and info.bytes == out.stat().st_size
    assert info.schema_version == newest_version() == MIGRATIONS[-1][0]
    assert info.rounds == 1 and info.plans == 1 and info.outcomes == 0
    assert info.kpm_rows == len(store.round_kpm(round_id)) > 1000
    summary = info.summary()
    assert summary["putaran"] == 1 and summary["baris_kpm"] == info.kpm_rows
    assert json.loads(json.dumps(summary)) == summary
    # One self-contained file: no temp file, no -wal beside it; it opens on its own.
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]
    conn = sqlite3.connect(out)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
    if os.name == "posix":  # names and NIK inside: owner only
        assert out.stat().st_mode & 0o077 == 0

    # Work after the backup ...
    _small_round(store, "setelah-cadangan")
    store.save_plan("Rencana kedua", {"tim": []}, is_demo=False)
    store.set_meta("uji", "sesudah")
    other = Store()  # another session of the running app, open before the restore
    assert len(other.rounds()) == 2

    restored = restore(out, store)

    # ... is gone from the live database, which is exactly the backup again,
    assert _snapshot(store) == before
    assert len(other.rounds()) == 1 and len(other.plans()) == 1  # open connections see it
    assert restored.path == Path(settings.DATA_DIR / "jangkau.db")
    assert restored.source == out
    assert (restored.rounds, restored.kpm_rows, restored.plans) == (1, info.kpm_rows, 1)
    assert restored.summary()["dipulihkan_dari"] == str(out)
    # ... but kept in the copy made before the restore.
    assert restored.safety_copy is not None and restored.safety_copy.is_file()
    assert restored.safety_copy.parent == settings.DATA_DIR / "cadangan"
    if os.name == "posix":
        assert restored.safety_copy.stat().st_mode & 0o077 == 0
    assert restored.summary()["salinan_sebelum_pulih"] == str(restored.safety_copy)
    saved = Store(f"sqlite:///{restored.safety_copy}")
    assert len(saved.rounds()) == 2 and saved.get_meta("uji") == "sesudah"
    saved.dispose()
    # The store still works and the restored data still passes the checks.
    assert store.schema_version() == newest_version()
    _small_round(store, "setelah-pulih")
    assert len(store.rounds()) == 2
    assert not list(settings.DATA_DIR.glob(".jangkau-pulih-*"))
    other.dispose()


def test_backup_replaces_an_old_file_atomically_and_never_half(tmp_path, monkeypatch):
    store = Store()
    _small_round(store, "satu")
    out = tmp_path / "c.db"
    out.write_bytes(b"cadangan lama")
    assert backup(store, out).rounds == 1

    # A copy that fails its check leaves the previous backup file as it was, and no temp file.
    good = out.read_bytes()
    _small_round(store, "dua")
    import geo.store.backup as gb

    def failing_inspect(conn, *, name, restoring):
        raise JangkauError("uji: pemeriksaan gagal.")

    monkeypatch.setattr(gb, "_inspect", failing_inspect)
    with pytest.raises(StoreError, match="tidak dibuat"):
        backup(store, out)
    assert out.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "data") == ["c.db"]


def test_backup_is_consistent_while_the_app_keeps_writing(tmp_path):
    store = Store()
    _small_round(store, "awal")
    stop = threading.Event()
    written: list[int] = []
    errors: list[BaseException] = []

    def writer():
        app = Store()  # its own engine, as another planner's session
        try:
            i = 0
            while not stop.is_set():
                _small_round(app, f"tulis-{i}")
                app.set_meta("penulis", str(i))
                app.save_plan(f"rencana {i}", {"i": i}, is_demo=False)
                written.append(i)
                i += 1
        except BaseException as exc:
            errors.append(exc)
        finally:
            app.dispose()

    thread = threading.Thread(target=writer)
    thread.start()
    infos = []
    try:
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            infos.append(backup(store, tmp_path / f"c{len(infos)}.db"))
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(30)
    assert not errors and not thread.is_alive()
    assert len(infos) >= 5 and len(written) >= 20

    for info in infos:
        check, rounds, kpm, partial = _sqlite_check(info.path)
        assert check == "ok" and partial == 0
        assert (rounds, kpm) == (info.rounds, info.kpm_rows)
        # Every round is whole: the counts agree with each other in every copy.
        assert info.kpm_rows == KPM_PER_ROUND * info.rounds
        # A plan is saved right after its round: at most one round ahead of the plans.
        assert info.rounds - 1 - info.plans in (0, 1)
    rounds_seen = [i.rounds for i in infos]
    assert rounds_seen == sorted(rounds_seen) and rounds_seen[0] < rounds_seen[-1]

    final = backup(store, tmp_path / "akhir.db")
    assert final.rounds == 1 + len(written) == len(store.rounds())
    assert final.plans == len(written)


def _foreign_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE pelanggan (id INTEGER PRIMARY KEY, nama TEXT)")
    conn.execute("INSERT INTO pelanggan (nama) VALUES ('bukan jangkau')")
    conn.commit()
    conn.close()


def _truncated(path: Path, good: Path) -> None:
    data = good.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _page_zeroed(path: Path, good: Path) -> None:
    data = bytearray(good.read_bytes())
    middle = (len(data) // 4096 // 2) * 4096
    data[middle : middle + 4096] = bytes(4096)
    path.write_bytes(bytes(data))


def _schema_too_new(path: Path, good: Path) -> None:
    path.write_bytes(good.read_bytes())
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO schema_version VALUES (999, 'masa depan', '2099-01-01')")
    conn.commit()
    conn.close()


def _no_schema_version(path: Path, good: Path) -> None:
    path.write_bytes(good.read_bytes())
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE schema_version")
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p, g: p.write_bytes(os.urandom(64) + bytes(range(256)) * 40), "bukan cadangan"),
        (lambda p, g: p.write_bytes(b""), "bukan cadangan Jangkau"),
        (lambda p, g: p.write_text("nik,nama\n6402010101010001,UJI\n"), "bukan cadangan"),
        (lambda p, g: _foreign_sqlite(p), "bukan cadangan Jangkau"),
        (_truncated, "rusak"),
        (_page_zeroed, "rusak"),
        (_schema_too_new, "lebih baru"),
        (_no_schema_version, "bukan cadangan Jangkau"),
    ],
    ids=["acak", "kosong", "csv", "sqlite-lain", "terpotong", "halaman-nol", "skema-baru", "tanpa"],
)
def test_restore_refuses_a_bad_file_and_leaves_the_store_alone(tmp_path, make, message):
    store = Store()
    _small_round(store, "satu", n_kpm=2000)  # several pages, so a zeroed page hits data
    store.save_plan("Rencana", {"tim": []}, is_demo=False)
    store.set_meta("uji", "asli")
    good = backup(store, tmp_path / "baik.db").path
    _small_round(store, "dua")
    before = _snapshot(store)
    bad = tmp_path / "buruk.db"
    make(bad, good)
    bad_bytes = bad.read_bytes()

    with pytest.raises(JangkauError, match=message) as caught:
        restore(bad, store)

    assert "tidak diubah" in str(caught.value)
    assert _snapshot(store) == before
    assert bad.read_bytes() == bad_bytes  # the user's file is only read
    assert not (settings.DATA_DIR / "cadangan").exists()  # refused before anything was copied
    assert not list(settings.DATA_DIR.glob(".jangkau-pulih-*"))
    check, *_ = _sqlite_check(settings.DATA_DIR / "jangkau.db")
    assert check == "ok"


def test_restore_brings_an_older_backup_up_to_date(tmp_path):
    old = tmp_path / "lama.db"
    conn = sqlite3.connect(old)
    conn.execute(
        "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description TEXT, "
        "applied_at VARCHAR(32))"
    )
    for version, description, steps in MIGRATIONS[:3]:
        for step in steps:
            conn.execute(step)
        conn.execute(
            "INSERT INTO schema_version VALUES (?, ?, '2024-01-01')", (version, description)
        )
    conn.execute(
        "INSERT INTO rounds VALUES (1, 'Putaran lama', '2024-01-01', 0, 'lama', '[]', '{}')"
    )
    conn.commit()
    conn.close()
    Store()  # a live database already exists

    info = restore(old, None)

    assert info.schema_version == newest_version()
    store = Store()
    assert [r.label for r in store.rounds()] == ["Putaran lama"]
    assert store.plans().empty  # tables of later migrations exist
    assert store.schema_version() == newest_version()


def test_restore_into_a_new_installation(tmp_path, monkeypatch):
    store = Store()
    _small_round(store, "satu")
    out = backup(store, tmp_path / "c.db").path
    store.dispose()
    monkeypatch.setattr(settings, "DATA_DIR", tmp_path / "laptop-baru")

    info = restore(out, None)

    assert info.safety_copy is None and info.rounds == 1
    assert [r.label for r in Store().rounds()] == ["Putaran satu"]


def test_restore_over_a_damaged_database(tmp_path):
    store = Store()
    _small_round(store, "satu")
    out = backup(store, tmp_path / "c.db").path
    store.dispose()
    live = settings.DATA_DIR / "jangkau.db"
    damaged = b"bukan basis data lagi " * 500
    live.write_bytes(damaged)
    with pytest.raises(StoreError):
        Store()

    info = restore(out, None)

    assert info.rounds == 1 and [r.label for r in Store().rounds()] == ["Putaran satu"]
    assert info.safety_copy.name.startswith("rusak-")
    assert info.safety_copy.read_bytes() == damaged  # kept as it was, for whoever investigates


def test_not_sqlite_is_refused_with_pg_tools(tmp_path):
    url = "postgresql://jangkau:rahasia@db.example/jangkau"
    with pytest.raises(JangkauError, match="pg_dump") as caught:
        backup(url, tmp_path / "c.db")
    assert "rahasia" not in str(caught.value)
    (tmp_path / "c.db").write_bytes(b"x")
    with pytest.raises(JangkauError, match="pg_restore"):
        restore(tmp_path / "c.db", url)


def test_backup_refuses_the_live_file_and_a_missing_database(tmp_path):
    with pytest.raises(StoreError, match="belum ada"):
        backup(None, tmp_path / "c.db")
    assert not (settings.DATA_DIR / "jangkau.db").exists()  # not created by the attempt
    store = Store()
    live = settings.DATA_DIR / "jangkau.db"
    with pytest.raises(JangkauError, match="sedang dipakai"):
        backup(store, live)
    with pytest.raises(JangkauError, match="sedang dipakai"):
        restore(live, store)
    with pytest.raises(JangkauError, match="tidak ada"):
        restore(tmp_path / "tidak-ada.db", store)
    assert store.is_empty() and store.schema_version() == newest_version()


def test_cli_backup_and_restore(tmp_path, capsys):
    store = Store()
    _small_round(store, "satu")
    out = tmp_path / "c.db"

    assert cli.main(["backup", str(out)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["putaran"] == 1

    _small_round(store, "dua")
    assert cli.main(["restore", str(out)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    result = json.loads(lines[0])
    assert len(lines) == 1 and result["putaran"] == 1 and result["salinan_sebelum_pulih"]
    assert len(store.rounds()) == 1

    garbage = tmp_path / "sampah.db"
    garbage.write_bytes(b"\x00\xff" * 3000)
    assert cli.main(["restore", str(garbage)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "Kesalahan:" in captured.err and "bukan cadangan" in captured.err
    assert cli.main(["restore", str(tmp_path / "tidak-ada.db")]) == 2
    blocker = tmp_path / "berkas"
    blocker.write_text("bukan folder")
    assert cli.main(["backup", str(blocker / "c.db")]) == 2
    assert "Kesalahan:" in capsys.readouterr().err
    assert len(store.rounds()) == 1


def test_python_m_geo_backup(tmp_path):
    store = Store()
    _small_round(store, "satu")
    env = {**os.environ, "JANGKAU_DATA_DIR": str(settings.DATA_DIR)}
    env.pop("JANGKAU_DATABASE_URL", None)
    out = tmp_path / "c.db"
    done = subprocess.run(
        [sys.executable, "-m", "geo", "backup", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["putaran"] == 1 and out.is_file()
    done = subprocess.run(
        [sys.executable, "-m", "geo", "restore", str(tmp_path / "tidak-ada.db")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "Kesalahan:" in done.stderr
