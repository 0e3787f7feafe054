"""No lost work (issue 7): a killed write, two writers at once, a failure inside a transaction."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

import geo.store.database as store_module
from geo import settings
from geo._errors import StoreError
from geo.store.database import Store
from tests.paths import ROOT

# Builds the frames of a round in a child process and in the tests alike.
HELPERS = r"""
import pandas as pd

def frames(prefix, n_kpm):
    villages = pd.DataFrame({
        "kode_desa": ["64.02.06.1003", "64.02.04.2004"], "program": ["PKH", "BPNT"],
        "kpm": [n_kpm, 0], "terealisasi": [n_kpm, 0], "belum_transaksi": [0, 0],
        "tidak_transaksi": [0, 0], "tanpa_data_bri": [0, 0],
    })
    kpm = pd.DataFrame({
        "nik": [f"{prefix}{i:010d}"[-16:] for i in range(n_kpm)], "program": "PKH",
        "nama": "NAMA UJI", "no_kk": "6402010101010002", "kode_desa": "64.02.06.1003",
        "status": "terealisasi", "alasan": None,
    })
    problems = pd.DataFrame(
        [("roster.csv", 2, "NIK", "6402**********01", "NIK tidak valid")],
        columns=["file", "row", "column", "value", "reason"],
    )
    return villages, kpm, problems

def save(store, fingerprint, prefix, n_kpm):
    villages, kpm, problems = frames(prefix, n_kpm)
    return store.save_round(
        label="Putaran " + fingerprint, fingerprint=fingerprint, sources=[],
        summary={"kpm": n_kpm}, villages=villages, kpm=kpm, problems=problems, is_demo=False,
    )

def points(prefix, n):
    return pd.DataFrame({
        "id": [f"{prefix}-{i}" for i in range(n)], "nama": [f"Agen {prefix} {i}" for i in range(n)],
        "jenis": "agen_brilink", "lat": -0.5, "lon": 117.0, "kode_desa": "64.02.06.1003",
        "kapasitas": 100, "aktif": True, "posisi": "koordinat",
    })
"""
_helpers: dict = {}
exec(HELPERS, _helpers)
save_round = _helpers["save"]
points_frame = _helpers["points"]

# Child process that starts a big write and stops inside the transaction, before the commit.
KILLED = (
    HELPERS
    + r"""
import sys, time
import geo.store.database as gs
from geo.store.database import Store

what, pause_after = sys.argv[1], sys.argv[2]
store = Store()
original = gs._insert

def paused(conn, table, frame):
    if table != pause_after:
        return original(conn, table, frame)
    print("mulai", flush=True)
    original(conn, table, frame)
    print("tertulis", flush=True)
    time.sleep(300)  # never gets to the commit

gs._insert = paused
if what == "putaran":
    save(store, "terbunuh", "7777", 100_000)
else:
    store.replace_service_points(points("BARU", 50_000), is_demo=False)
print("selesai", flush=True)
"""
)

# Child process: one planner saving rounds and plans as fast as it can.
WRITER = (
    HELPERS
    + r"""
import json, sys, time
from geo._errors import StoreError
from geo.store.database import Store

who, n = sys.argv[1], int(sys.argv[2])
store = Store()
out = {"rounds": [], "plans": [], "shared": [], "errors": [], "tried": 0}
print("siap", flush=True)
sys.stdin.readline()
out["start"] = time.time()
for i in range(n):
    for kind, call in (
        ("rounds", lambda: [save(store, f"{who}-{i}", who, 40).id, f"Putaran {who}-{i}"]),
        ("shared", lambda: [save(store, f"bersama-{i}", "5555", 40).id, f"Putaran bersama-{i}"]),
        ("plans", lambda: [store.save_plan(f"{who}-{i}", {"i": i}, is_demo=False), f"{who}-{i}"]),
    ):
        out["tried"] += 1
        try:
            out[kind].append(call())
        except StoreError as exc:
            out["errors"].append([kind, i, str(exc)])
out["end"] = time.time()
print(json.dumps(out), flush=True)
"""
)


def _env() -> dict:
    env = {**os.environ, "JANGKAU_DATA_DIR": str(settings.DATA_DIR)}
    env.pop("JANGKAU_DATABASE_URL", None)
    return env


class _Child:
    """A ``python -c`` child whose output lines arrive on a queue (so waits can time out)."""

    def __init__(self, script: str, *args: str):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", script, *args],
            cwd=ROOT,
            env=_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.err: list[str] = []
        self.seen: list[str] = []
        self._threads = [
            threading.Thread(target=self._pump, daemon=True),
            threading.Thread(target=lambda: self.err.append(self.proc.stderr.read()), daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _pump(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def wait_for(self, word: str | None, timeout: float = 60.0) -> str:
        """The first line equal to ``word`` (``None``: the last line before the end)."""
        deadline = time.monotonic() + timeout
        last = ""
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                if word is None:
                    return last
                break
            self.seen.append(line)
            last = line
            if line == word:
                return line
        self.close()
        pytest.fail(f"child never printed {word!r}: {''.join(self.err)[-2000:]}")

    def send(self, text: str) -> None:
        self.proc.stdin.write(text)
        self.proc.stdin.flush()

    def close(self) -> int:
        if self.proc.poll() is None:
            self.proc.kill()
        code = self.proc.wait(60)
        for thread in self._threads:
            thread.join(30)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            stream.close()
        while True:  # what the child printed after the last wait
            try:
                line = self.lines.get_nowait()
            except queue.Empty:
                break
            if line is not None:
                self.seen.append(line)
        return code


def _integrity(store: Store) -> str:
    with store.engine.connect() as conn:
        return conn.execute(sa.text("PRAGMA integrity_check")).scalar()


def _count(store: Store, sql: str) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(sa.text(sql)).scalar())


# -- (a) the process is killed in the middle of a write -------------------------------------
@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
@pytest.mark.parametrize(
    ("what", "table", "wait_for"),
    [
        ("putaran", "round_kpm", "mulai"),  # killed while the 100,000 rows are being inserted
        ("putaran", "round_kpm", "tertulis"),  # killed after the rows are written, before commit
        ("titik", "service_points", "tertulis"),  # a replace: old rows deleted, new ones written
    ],
    ids=["putaran-saat-insert", "putaran-sebelum-commit", "titik-layanan-ganti"],
)
def test_killed_mid_write_leaves_the_previous_state(what, table, wait_for):
    store = Store()
    before = save_round(store, "sebelum", "1111", 500)
    store.replace_service_points(points_frame("LAMA", 30), is_demo=False)
    kpm_before = store.round_kpm(before.id)
    points_before = store.service_points()
    store.dispose()  # the child is the only process with the database open when it dies

    child = _Child(KILLED, what, table)
    try:
        child.wait_for(wait_for)
        if wait_for == "mulai":
            time.sleep(0.3)
        if wait_for == "tertulis":
            # The uncommitted rows spilled into the WAL: recovery has real work to do.
            assert (settings.DATA_DIR / "jangkau.db-wal").stat().st_size > 1_000_000
    finally:
        code = child.close()  # SIGKILL
    assert code == -signal.SIGKILL
    assert "selesai" not in child.seen

    after = Store()
    assert _integrity(after) == "ok"
    assert [r.id for r in after.rounds()] == [before.id]
    assert after.round_kpm(before.id).equals(kpm_before)
    assert _count(after, "SELECT COUNT(*) FROM round_kpm") == len(kpm_before)
    assert _count(after, "SELECT COUNT(*) FROM round_villages") == 2
    assert _count(after, "SELECT COUNT(*) FROM round_problems") == 1
    assert after.service_points().equals(points_before)
    # The store keeps working, and the killed round can simply be saved again.
    again = save_round(after, "terbunuh", "7777", 1000)
    assert again.created and len(after.round_kpm(again.id)) == 1000
    assert _integrity(after) == "ok"


# -- (b) two planners saving at the same time ---------------------------------------------
def test_two_writers_at_once_keep_all_their_work():
    store = Store()
    base = save_round(store, "dasar", "1111", 40)
    n = 25
    children = [_Child(WRITER, who, str(n)) for who in ("A", "B")]
    try:
        for child in children:
            child.wait_for("siap")
        for child in children:  # both start together
            child.send("mulai\n")
        results = [json.loads(child.wait_for(None, timeout=120)) for child in children]
    finally:
        codes = [child.close() for child in children]
    assert codes == [0, 0], [child.err for child in children]
    a, b = results
    assert a["start"] < b["end"] and b["start"] < a["end"], "the writers did not overlap"

    for result in results:
        # Every attempt either saved or said so clearly: nothing vanished silently.
        saved = len(result["rounds"]) + len(result["shared"]) + len(result["plans"])
        assert saved + len(result["errors"]) == result["tried"] == 3 * n
        for _kind, _i, message in result["errors"]:
            assert "Gagal menyimpan" in message and "tidak ada yang berubah" in message
            assert "5555" not in message and "NAMA UJI" not in message

    after = Store()
    assert _integrity(after) == "ok"
    # Each writer's own rounds and plans are all there, under the number it was given, and every
    # round and plan in the database was reported saved by a writer: none lost, none invented.
    expected_rounds = {base.id: "Putaran dasar"}
    expected_plans: dict[int, str] = {}
    for result in results:
        for rid, label in result["rounds"] + result["shared"]:
            # A shared input saved by both at once is one round; both got its number.
            assert expected_rounds.setdefault(rid, label) == label
        for pid, name in result["plans"]:
            assert pid not in expected_plans  # no one's plan overwritten by the other's
            expected_plans[pid] = name
    assert {r.id: r.label for r in after.rounds()} == expected_rounds
    own = [rid for result in results for rid, _ in result["rounds"]]
    assert len(own) == len(set(own)) == len(results[0]["rounds"]) + len(results[1]["rounds"])
    shared_labels = [label for label in expected_rounds.values() if "bersama" in label]
    assert len(shared_labels) == len(set(shared_labels))  # never saved twice
    for rid in expected_rounds:  # every saved round is whole
        assert len(after.round_kpm(rid)) == 40 and len(after.round_villages(rid)) == 2
    plans = after.plans()
    assert dict(zip(plans["id"], plans["nama"], strict=True)) == expected_plans


# -- (c) a failure inside a transaction ----------------------------------------------------
def _failing_insert(monkeypatch, *, fail_on: int, error: Exception) -> list[str]:
    calls: list[str] = []
    original = store_module._insert

    def insert(conn, table, frame):
        calls.append(table)
        if len(calls) == fail_on:
            raise error
        return original(conn, table, frame)

    monkeypatch.setattr(store_module, "_insert", insert)
    return calls


def _db_error() -> Exception:
    return sa.exc.OperationalError("INSERT INTO round_problems", {}, Exception("disk I/O error"))


@pytest.mark.parametrize(
    ("error", "raised"),
    [(_db_error(), StoreError), (RuntimeError("uji"), RuntimeError)],
    ids=["galat-basis-data", "galat-lain"],
)
def test_failure_on_the_third_table_leaves_the_previous_round(monkeypatch, error, raised):
    store = Store()
    before = save_round(store, "sebelum", "1111", 200)
    kpm_before = store.round_kpm(before.id)
    calls = _failing_insert(monkeypatch, fail_on=3, error=error)

    with pytest.raises(raised) as caught:
        save_round(store, "gagal", "2222", 300)

    assert calls == ["round_villages", "round_kpm", "round_problems"]
    if raised is StoreError:
        assert "tidak ada yang berubah" in str(caught.value)
        assert "2222" not in str(caught.value)  # no NIK in the message
    assert [r.id for r in store.rounds()] == [before.id]
    assert store.round_kpm(before.id).equals(kpm_before)
    assert _count(store, "SELECT COUNT(*) FROM round_kpm") == 200
    assert _count(store, "SELECT COUNT(*) FROM round_villages") == 2
    assert _count(store, "SELECT COUNT(*) FROM round_problems") == 1
    monkeypatch.undo()
    again = save_round(store, "gagal", "2222", 300)  # nothing half-saved blocks a retry
    assert again.created and len(store.round_kpm(again.id)) == 300


def test_failed_replace_keeps_the_old_rows(monkeypatch):
    store = Store()
    store.replace_service_points(points_frame("LAMA", 10), is_demo=False)
    old = store.service_points()
    _failing_insert(monkeypatch, fail_on=1, error=_db_error())
    with pytest.raises(StoreError, match="tidak ada yang berubah"):
        store.replace_service_points(points_frame("BARU", 20), is_demo=False)
    assert store.service_points().equals(old)


def test_failure_after_the_rows_keeps_boat_legs_and_their_version(monkeypatch):
    store = Store()
    legs = pd.DataFrame(
        {"dari": ["64.02.18.2007"], "ke": ["64.02.18.2003"], "moda": ["perahu"], "menit": [30.0]}
    )
    store.replace_boat_legs(legs, is_demo=False)
    old_legs, old_version = store.boat_legs(), store.get_meta("boats_version")

    def failing_meta(conn, key, value):
        raise _db_error()

    monkeypatch.setattr(store_module, "_set_meta", failing_meta)
    with pytest.raises(StoreError, match="tidak ada yang berubah"):
        store.replace_boat_legs(pd.concat([legs, legs.assign(menit=45.0)]), is_demo=False)
    assert store.boat_legs().equals(old_legs)
    assert store.get_meta("boats_version") == old_version


def test_store_opens_after_a_crash_left_a_hot_wal(tmp_path):
    """A WAL file left by a dead process (committed and uncommitted frames) is recovered."""
    store = Store()
    save_round(store, "sebelum", "1111", 50)
    store.dispose()
    child = (
        HELPERS
        + r"""
import os, sqlite3
from geo import settings
from geo.store.database import Store
store = Store()
save(store, "komit", "3333", 50)          # committed, only in the WAL (no checkpoint)
conn = sqlite3.connect(settings.DATA_DIR / "jangkau.db", isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO meta VALUES ('tidak-komit', 'x')")
os._exit(0)                                # no close, no checkpoint, no rollback
"""
    )
    done = subprocess.run(
        [sys.executable, "-c", child], cwd=ROOT, env=_env(), capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert Path(str(settings.DATA_DIR / "jangkau.db") + "-wal").stat().st_size > 0

    after = Store()
    assert _integrity(after) == "ok"
    assert [r.label for r in after.rounds()] == ["Putaran komit", "Putaran sebelum"]
    assert after.get_meta("tidak-komit") is None
