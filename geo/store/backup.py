"""Backup and restore of the whole SQLite store, safe while the app is running.

``backup`` copies the live database with SQLite's online backup API in one step, so the copy is
one consistent snapshot even while planners keep saving (WAL: the app's writers are not blocked).
The copy is written to a temporary file beside the target, checked (``PRAGMA integrity_check``,
``schema_version``), made a self-contained single file (journal mode DELETE) and only then renamed
over the target, so an interrupted backup never leaves a half-written file under the given name.

``restore`` checks that a file is a Jangkau backup before touching anything, keeps a copy of the
database as it was (``cadangan/sebelum-pulih-*.db`` beside it), then writes the backup into the live
database with the same backup API: one write transaction, so the app's open connections see either
all the old data or all the restored data, never a mix. Migrations run afterwards, so a backup made
by an older version is brought up to date.

PostgreSQL stores are not handled here: use ``pg_dump`` / ``pg_restore``.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from geo import settings
from geo._errors import JangkauError, StoreError
from geo.store.database import MIGRATIONS, Store

#: Seconds to wait for the app's writers to release the database lock.
LOCK_TIMEOUT_S: float = 30.0

# Tables every Jangkau database has (migration 1) besides ``schema_version``.
_CORE_TABLES = ("meta", "rounds", "round_villages", "round_kpm")

# What the summary counts: (field, table).
_COUNTED = (
    ("rounds", "rounds"),
    ("kpm_rows", "round_kpm"),
    ("plans", "route_plans"),
    ("outcomes", "outcomes"),
)


@dataclass(frozen=True)
class BackupInfo:
    """A checked backup file, or the live database after a restore.

    ``path`` is the backup file (``backup``) or the live database (``restore``); ``source`` is the
    backup file a restore came from and ``safety_copy`` the database as it was before it.
    """

    path: Path
    bytes: int
    schema_version: int
    rounds: int
    kpm_rows: int
    plans: int
    outcomes: int
    source: Path | None = None
    safety_copy: Path | None = None

    def summary(self) -> dict:
        out: dict = {"berkas": str(self.path)}
        if self.source is not None:
            out = {"basis_data": str(self.path), "dipulihkan_dari": str(self.source)}
            out["salinan_sebelum_pulih"] = str(self.safety_copy) if self.safety_copy else None
        return {
            **out,
            "ukuran_byte": self.bytes,
            "versi_skema": self.schema_version,
            "putaran": self.rounds,
            "baris_kpm": self.kpm_rows,
            "rencana": self.plans,
            "hasil_kunjungan": self.outcomes,
        }


def newest_version() -> int:
    """The schema version this version of the app migrates to."""
    return MIGRATIONS[-1][0]


def backup(store_or_url: Store | str | None, out: Path) -> BackupInfo:
    """Copy the whole store to ``out`` as one consistent, checked SQLite file.

    Parameters
    ----------
    store_or_url
        A ``Store``, a SQLAlchemy URL, or ``None`` for ``settings.database_url()``.
    out
        The backup file; replaced atomically if it exists. Holds names and NIK: it is made
        readable by its owner only (POSIX); keep it as safe as the database itself.

    Raises
    ------
    JangkauError
        Not a SQLite store (use ``pg_dump``), no database yet, ``out`` is the live database, the
        copy cannot be written, or the copy fails its check (nothing is left under ``out``).
    """
    live = _sqlite_path(store_or_url, "pg_dump")
    out = Path(out)
    if not live.is_file():
        raise StoreError(f"Basis data {live} belum ada; tidak ada yang dapat dicadangkan.")
    if _same_file(out, live) or out.name in (live.name + "-wal", live.name + "-shm"):
        raise JangkauError(
            f"Berkas cadangan {out} adalah basis data yang sedang dipakai; pilih nama berkas lain."
        )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise JangkauError(
            f"Folder {out.parent} tidak dapat dibuat ({exc.strerror}); periksa jalur dan izinnya."
        ) from None
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex}.tmp")
    try:
        try:
            with _connect(live) as src, _connect(tmp) as dst:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
                version, counts = _inspect(dst, name=out.name, restoring=False)
        except sqlite3.Error as exc:
            raise StoreError(
                f"Pencadangan gagal ({type(exc).__name__}); berkas {out.name} tidak dibuat. Coba "
                "lagi; bila terulang, laporkan ke pengelola aplikasi."
            ) from None
        except JangkauError as exc:
            raise StoreError(
                f"Salinan basis data aktif gagal diperiksa: {exc} Berkas {out.name} tidak dibuat. "
                "Bila basis data aktif rusak, pulihkan dari cadangan terakhir yang baik "
                "('python -m geo restore BERKAS')."
            ) from None
        _private(tmp)
        _fsync(tmp)
        os.replace(tmp, out)
        _fsync_dir(out.parent)
    except OSError as exc:
        raise JangkauError(
            f"Berkas cadangan {out} tidak dapat ditulis ({exc.strerror}); periksa ruang disk dan "
            "izin folder."
        ) from None
    finally:
        _remove(tmp)
    return BackupInfo(path=out, bytes=out.stat().st_size, schema_version=version, **counts)


def restore(backup_file: Path, store_or_url: Store | str | None) -> BackupInfo:
    """Replace the whole store with a Jangkau backup, after checking it.

    The live database is first copied to ``cadangan/sebelum-pulih-<time>.db`` in its folder, then
    overwritten in one transaction; open connections of a running app see the restored data. A
    live file that is not readable as a database at all is moved to ``cadangan/rusak-<time>.db``
    and the backup restored into a new file.

    Parameters
    ----------
    backup_file
        A file written by ``backup`` (or any consistent copy of a Jangkau SQLite database).
    store_or_url
        A ``Store``, a SQLAlchemy URL, or ``None`` for ``settings.database_url()``.

    Raises
    ------
    JangkauError
        The file is missing, not SQLite, damaged, not a Jangkau database, or from a newer version
        of the app; or the store is not SQLite (use ``pg_restore``). The live database is then
        unchanged.
    """
    live = _sqlite_path(store_or_url, "pg_restore")
    backup_file = Path(backup_file)
    name = backup_file.name
    if not backup_file.is_file():
        raise JangkauError(f"Berkas cadangan {backup_file} tidak ada atau bukan berkas.")
    if _same_file(backup_file, live):
        raise JangkauError(
            f"Berkas {name} adalah basis data yang sedang dipakai; pilih berkas cadangan."
        )
    try:
        live.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise JangkauError(
            f"Folder {live.parent} tidak dapat dibuat ({exc.strerror}); periksa izinnya."
        ) from None
    staged = live.parent / f".jangkau-pulih-{uuid.uuid4().hex}.db"
    safety = None
    try:
        # 1. A private copy of the backup (read-only open: the user's file is never modified),
        #    checked before the live database is touched.
        try:
            with _connect_ro(backup_file) as src, _connect(staged) as stage:
                src.backup(stage)
                stage.execute("PRAGMA journal_mode=DELETE")
                _inspect(stage, name=name, restoring=True)
        except JangkauError as exc:
            raise JangkauError(f"{exc} Basis data tidak diubah.") from None
        except sqlite3.Error:
            raise JangkauError(
                f"Berkas {name} bukan cadangan Jangkau: bukan basis data SQLite atau rusak. "
                "Basis data tidak diubah; pakai berkas hasil 'python -m geo backup'."
            ) from None
        # 2. Keep the database as it was, then 3. write the backup into it in one transaction.
        safety = _safety_copy(live)
        try:
            with _connect(staged) as stage, _connect(live) as dst:
                # A WAL database cannot change its page size: match the copy to it first.
                size = int(dst.execute("PRAGMA page_size").fetchone()[0])
                if int(stage.execute("PRAGMA page_size").fetchone()[0]) != size:
                    stage.execute(f"PRAGMA page_size={size}")
                    stage.execute("VACUUM")
                stage.backup(dst)
        except sqlite3.Error as exc:
            raise StoreError(
                f"Pemulihan gagal ({type(exc).__name__}); basis data tidak diubah. Coba lagi "
                "saat tidak ada yang sedang menyimpan."
            ) from None
    except OSError as exc:
        raise JangkauError(
            f"Berkas sementara di {live.parent} tidak dapat ditulis ({exc.strerror}); periksa "
            "ruang disk dan izin folder. Basis data tidak diubah."
        ) from None
    finally:
        _remove(staged)
    # 4. Bring an older backup's schema up to date (the app's own migrations).
    if isinstance(store_or_url, Store):
        store_or_url.version = store_or_url.migrate()
    else:
        Store(_url(store_or_url)).dispose()
    with _connect(live) as conn:
        version, counts = _inspect(conn, name=live.name, restoring=False)
    return BackupInfo(
        path=live,
        bytes=live.stat().st_size,
        schema_version=version,
        source=backup_file,
        safety_copy=safety,
        **counts,
    )


# -- helpers -------------------------------------------------------------------------------------
def _url(store_or_url: Store | str | None) -> str:
    if isinstance(store_or_url, Store):
        return store_or_url.url
    return store_or_url or settings.database_url()


def _sqlite_path(store_or_url: Store | str | None, tool: str) -> Path:
    url = sa.engine.make_url(_url(store_or_url))
    if url.get_backend_name() != "sqlite":
        raise JangkauError(
            f"Basis data {url.render_as_string(hide_password=True)} bukan SQLite; cadangkan dan "
            f"pulihkan dengan alat PostgreSQL ({tool})."
        )
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise JangkauError(
            "Hanya basis data SQLite berupa berkas (sqlite:///jalur/berkas.db) yang dapat "
            "dicadangkan atau dipulihkan dengan perintah ini."
        )
    return Path(url.database)


@contextlib.contextmanager
def _connect(path: Path):
    conn = sqlite3.connect(path, timeout=LOCK_TIMEOUT_S, isolation_level=None)
    try:
        yield conn
    finally:
        conn.close()


@contextlib.contextmanager
def _connect_ro(path: Path):
    uri = path.resolve().as_uri() + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=LOCK_TIMEOUT_S, isolation_level=None)
    try:
        yield conn
    finally:
        conn.close()


def _inspect(conn: sqlite3.Connection, *, name: str, restoring: bool) -> tuple[int, dict[str, int]]:
    """Check a database is a sound Jangkau store; returns its schema version and counts.

    Raises ``JangkauError`` (never holding row values) when it is not. ``restoring``: also refuse
    a schema newer than this app knows.
    """
    problems = [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]
    if problems != ["ok"]:
        raise JangkauError(
            f"Berkas {name} rusak (pemeriksaan integritas SQLite gagal, {len(problems)} masalah); "
            "pakai cadangan lain."
        )
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "schema_version" not in tables or not set(_CORE_TABLES) <= tables:
        raise JangkauError(
            f"Berkas {name} adalah basis data SQLite, tetapi bukan cadangan Jangkau (tidak ada "
            "tabel schema_version atau tabel putaran)."
        )
    version = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
    if not isinstance(version, int) or version < 1:
        raise JangkauError(
            f"Berkas {name} tidak mencatat versi skema Jangkau; bukan cadangan yang sah."
        )
    if restoring and version > newest_version():
        raise JangkauError(
            f"Berkas {name} dibuat oleh versi Jangkau yang lebih baru (skema {version}, aplikasi "
            f"ini sampai {newest_version()}). Perbarui aplikasi dulu."
        )
    bad_refs = conn.execute("PRAGMA foreign_key_check").fetchall() if restoring else []
    if bad_refs:
        raise JangkauError(
            f"Berkas {name} berisi {len(bad_refs)} baris yang merujuk data yang tidak ada; "
            "cadangan tidak utuh, pakai cadangan lain."
        )
    counts = {
        field: (
            int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
            if table in tables
            else 0
        )
        for field, table in _COUNTED
    }
    return int(version), counts


def _safety_copy(live: Path) -> Path | None:
    """Copy the live database before a restore overwrites it (None when there is none).

    A file SQLite cannot read at all is moved aside instead (``cadangan/rusak-*.db``).
    """
    if not live.is_file() or live.stat().st_size == 0:
        return None
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    folder = live.parent / "cadangan"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"sebelum-pulih-{stamp}-{uuid.uuid4().hex[:6]}.db"
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        with _connect(live) as src, _connect(tmp) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.OperationalError as exc:  # locked, disk full, I/O: stop, change nothing
        _remove(tmp)
        raise StoreError(
            f"Salinan basis data sebelum pemulihan gagal dibuat ({type(exc).__name__}); basis "
            "data tidak diubah. Coba lagi saat tidak ada yang sedang menyimpan."
        ) from None
    except sqlite3.DatabaseError:
        # Not a database at all (damaged beyond reading): SQLite cannot write into it either.
        # Move it aside, as it is, and restore into a new file.
        _remove(tmp)
        damaged = folder / f"rusak-{stamp}-{uuid.uuid4().hex[:6]}.db"
        os.replace(live, damaged)
        for extra in ("-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.replace(str(live) + extra, str(damaged) + extra)
        return damaged
    _private(tmp)
    _fsync(tmp)
    os.replace(tmp, target)
    return target


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def _private(path: Path) -> None:
    """Names and NIK inside: readable by the owner only (POSIX)."""
    if os.name == "posix":
        os.chmod(path, 0o600)


def _fsync(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    for extra in ("", "-journal", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            Path(str(path) + extra).unlink()
