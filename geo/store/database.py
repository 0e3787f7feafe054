"""The embedded store: SQLite (WAL) by default, any SQLAlchemy URL (PostgreSQL) by setting.

The schema is versioned: ``MIGRATIONS`` is an ordered list of SQL steps, each applied once in its
own transaction and recorded in ``schema_version``. Add a new step at the end; never edit one that
has shipped. Every write runs in one transaction, so a failure leaves the previous state intact.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from geo import settings
from geo._errors import StoreError
from geo.areas.lookup import name_key
from geo.store.migrations import MIGRATIONS
from geo.store.schema import OUTCOME_COLUMNS, VILLAGE_COUNTS


@dataclass(frozen=True)
class RoundInfo:
    """A saved reconciliation round."""

    id: int
    label: str
    created_at: str
    is_demo: bool
    sources: list[dict]
    summary: dict
    created: bool  # False when the same files had already been saved as this round

    def __post_init__(self) -> None:
        if self.id < 1:
            raise ValueError("round id must be positive")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


class Store:
    """Access to the Jangkau database.

    Parameters
    ----------
    url
        SQLAlchemy URL; default ``settings.database_url()``. The schema is migrated on open.

    Raises
    ------
    StoreError
        The database cannot be opened or migrated.
    """

    def __init__(self, url: str | None = None):
        self.url = url or settings.database_url()
        try:
            if self.url.startswith("sqlite:///"):
                Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            # hide_parameters: a failed INSERT must not echo NIK or names into an error.
            self.engine: Engine = sa.create_engine(self.url, hide_parameters=True)
            if self.engine.dialect.name == "sqlite":
                sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            self.version = self.migrate()
        except (sa.exc.SQLAlchemyError, OSError) as exc:
            shown = sa.engine.make_url(self.url).render_as_string(hide_password=True)
            raise StoreError(
                f"Basis data {shown} tidak dapat dibuka ({type(exc).__name__}). Periksa "
                "JANGKAU_DATABASE_URL dan izin folder data."
            ) from None

    # -- schema -----------------------------------------------------------------------------
    def migrate(self) -> int:
        """Apply pending migrations; returns the schema version."""
        with self.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "CREATE TABLE IF NOT EXISTS schema_version "
                    "(version INTEGER PRIMARY KEY, description TEXT, applied_at VARCHAR(32))"
                )
            )
        current = self.schema_version()
        with self.engine.connect() as conn:
            applied = set(conn.execute(sa.text("SELECT version FROM schema_version")).scalars())
        for version, description, steps in MIGRATIONS:
            # By the set applied, not the highest: a step merged with a lower number than one
            # a database already has (two branches at once) is still applied.
            if version in applied:
                continue
            with self.engine.begin() as conn:
                for step in steps:
                    conn.execute(sa.text(step))
                conn.execute(
                    sa.text("INSERT INTO schema_version VALUES (:v, :d, :t)"),
                    {"v": version, "d": description, "t": _now()},
                )
            current = max(current, version)
        return current

    def schema_version(self) -> int:
        with self.engine.connect() as conn:
            value = conn.execute(sa.text("SELECT MAX(version) FROM schema_version")).scalar()
        return int(value or 0)

    def dispose(self) -> None:
        self.engine.dispose()

    # -- meta -------------------------------------------------------------------------------
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        with self.engine.connect() as conn:
            value = conn.execute(
                sa.text("SELECT value FROM meta WHERE key = :k"), {"k": key}
            ).scalar()
        return default if value is None else value

    def set_meta(self, key: str, value: str) -> None:
        with self.engine.begin() as conn:
            _set_meta(conn, key, value)

    # -- rounds -----------------------------------------------------------------------------
    def save_round(
        self,
        *,
        label: str,
        fingerprint: str,
        sources: list[dict],
        summary: dict,
        villages: pd.DataFrame,
        kpm: pd.DataFrame,
        problems: pd.DataFrame,
        is_demo: bool,
    ) -> RoundInfo:
        """Save a reconciliation round in one transaction.

        Parameters
        ----------
        fingerprint
            Identifies the input (sha256 of the source files and mapping): saving the same input
            again returns the existing round instead of doubling it.
        villages
            One row per village and program: ``kode_desa``, ``program`` and ``VILLAGE_COUNTS``.
        kpm
            One row per KPM and program: ``nik``, ``program``, ``nama``, ``no_kk``, ``kode_desa``,
            ``status``, ``alasan``, and optionally ``lat``, ``lon`` (degrees; NaN when none).
        problems
            ``file``, ``row``, ``column``, ``value`` (already masked), ``reason``.
        """
        existing = self._round_by_fingerprint(fingerprint)
        if existing is not None:
            return existing
        try:
            with _write_errors("putaran rekonsiliasi"), self.engine.begin() as conn:
                round_id = conn.execute(
                    sa.text(
                        "INSERT INTO rounds (label, created_at, is_demo, fingerprint, sources, "
                        "summary) VALUES (:l, :c, :d, :f, :s, :m) RETURNING id"
                    ),
                    {
                        "l": label,
                        "c": _now(),
                        "d": bool(is_demo),
                        "f": fingerprint,
                        "s": json.dumps(sources, ensure_ascii=False),
                        "m": json.dumps(summary, ensure_ascii=False),
                    },
                ).scalar_one()
                village_rows = villages[["kode_desa", "program", *VILLAGE_COUNTS]].assign(
                    round_id=round_id
                )
                _insert(conn, "round_villages", village_rows)
                kpm_cols = ["nik", "program", "nama", "no_kk", "kode_desa", "status", "alasan"]
                # Coordinates are optional (a frame without them saves NULL).
                kpm_rows = kpm.reindex(columns=[*kpm_cols, "lat", "lon"])
                _insert(conn, "round_kpm", kpm_rows.assign(round_id=round_id))
                prob = problems.rename(columns={"row": "row_number", "column": "column_name"})
                prob = prob[["file", "row_number", "column_name", "value", "reason"]].assign(
                    round_id=round_id, seq=range(1, len(prob) + 1)
                )
                _insert(conn, "round_problems", prob)
        except StoreError:
            # Two planners saving the same files at once: the second one's insert hits the
            # fingerprint's unique key; the round the first one saved is the answer.
            existing = self._round_by_fingerprint(fingerprint)
            if existing is not None:
                return existing
            raise
        info = self.round(round_id)
        return RoundInfo(**{**info.__dict__, "created": True})

    def _round_by_fingerprint(self, fingerprint: str) -> RoundInfo | None:
        with self.engine.connect() as conn:
            rid = conn.execute(
                sa.text("SELECT id FROM rounds WHERE fingerprint = :f"), {"f": fingerprint}
            ).scalar()
        return None if rid is None else self.round(rid)

    def round(self, round_id: int) -> RoundInfo:
        """One saved round.

        Raises
        ------
        StoreError
            No such round.
        """
        with self.engine.connect() as conn:
            row = (
                conn.execute(sa.text("SELECT * FROM rounds WHERE id = :i"), {"i": round_id})
                .mappings()
                .first()
            )
        if row is None:
            raise StoreError(f"Putaran rekonsiliasi nomor {round_id} tidak ada di basis data.")
        return RoundInfo(
            id=row["id"],
            label=row["label"],
            created_at=row["created_at"],
            is_demo=bool(row["is_demo"]),
            sources=json.loads(row["sources"]),
            summary=json.loads(row["summary"]),
            created=False,
        )

    def rounds(self) -> list[RoundInfo]:
        """All saved rounds, newest first."""
        with self.engine.connect() as conn:
            ids = conn.execute(sa.text("SELECT id FROM rounds ORDER BY id DESC")).scalars().all()
        return [self.round(i) for i in ids]

    def latest_round(self) -> RoundInfo | None:
        with self.engine.connect() as conn:
            rid = conn.execute(sa.text("SELECT MAX(id) FROM rounds")).scalar()
        return None if rid is None else self.round(rid)

    def round_villages(self, round_id: int) -> pd.DataFrame:
        """Per village and program counts of a round (no personal data)."""
        return self._frame(
            "SELECT kode_desa, program, kpm, terealisasi, belum_transaksi, tidak_transaksi, "
            "tanpa_data_bri FROM round_villages WHERE round_id = :r ORDER BY kode_desa, program",
            r=round_id,
        )

    def round_kpm(self, round_id: int, *, kode_desa: list[str] | None = None) -> pd.DataFrame:
        """Per KPM and program status of a round, with ``lat``/``lon`` (float degrees, NaN when
        the roster had none, as in rounds saved before coordinates were kept). Personal data
        (names, NIK, home coordinates): callers mask what they show."""
        sql = (
            "SELECT nik, program, nama, no_kk, kode_desa, status, alasan, lat, lon FROM round_kpm "
            "WHERE round_id = :r"
        )
        frame = self._frame(sql + " ORDER BY kode_desa, nik, program", r=round_id)
        frame[["lat", "lon"]] = frame[["lat", "lon"]].astype(float)
        if kode_desa is not None:
            frame = frame[frame["kode_desa"].isin(kode_desa)].reset_index(drop=True)
        return frame

    def round_problems(self, round_id: int) -> pd.DataFrame:
        frame = self._frame(
            'SELECT file, row_number AS row, column_name AS "column", value, reason '
            "FROM round_problems WHERE round_id = :r ORDER BY seq",
            r=round_id,
        )
        return frame

    # -- service points and depots ------------------------------------------------------------
    def replace_service_points(self, points: pd.DataFrame, *, is_demo: bool) -> int:
        """Replace all service points (one transaction); returns how many were saved."""
        cols = ["id", "nama", "jenis", "lat", "lon", "kode_desa", "kapasitas", "aktif", "posisi"]
        frame = points.reindex(columns=cols).assign(is_demo=bool(is_demo))
        frame["posisi"] = frame["posisi"].astype(object).where(frame["posisi"].notna(), "koordinat")
        frame["aktif"] = frame["aktif"].fillna(True).astype(bool)
        with _write_errors("titik layanan"), self.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM service_points"))
            _insert(conn, "service_points", frame)
            _set_meta(conn, "points_version", uuid.uuid4().hex)
        return len(frame)

    def service_points(self, *, active_only: bool = True) -> pd.DataFrame:
        sql = "SELECT id, nama, jenis, lat, lon, kode_desa, kapasitas, aktif, posisi, is_demo FROM "
        sql += "service_points" + (" WHERE aktif" if active_only else "") + " ORDER BY id"
        frame = self._frame(sql)
        for col in ("aktif", "is_demo"):
            frame[col] = frame[col].astype(bool)
        return frame

    def replace_depots(self, depots: pd.DataFrame, *, is_demo: bool) -> int:
        frame = depots.reindex(columns=["id", "nama", "lat", "lon"]).assign(is_demo=bool(is_demo))
        with _write_errors("depot"), self.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM depots"))
            _insert(conn, "depots", frame)
        return len(frame)

    def depots(self) -> pd.DataFrame:
        frame = self._frame("SELECT id, nama, lat, lon, is_demo FROM depots ORDER BY id")
        frame["is_demo"] = frame["is_demo"].astype(bool)
        return frame

    def replace_boat_legs(self, legs: pd.DataFrame, *, is_demo: bool) -> int:
        """Replace the boat-leg table (``geo.reach.boats.BoatLegs.frame``).

        ``dari``/``ke`` are village codes, or landing names where ``dari_jenis``/``ke_jenis`` is
        ``dermaga`` (a missing kind means a village).
        """
        cols = ["dari", "dari_jenis", "ke", "ke_jenis", "moda", "menit", "tunggu_menit", "biaya"]
        frame = legs.reindex(columns=cols).assign(is_demo=bool(is_demo))
        frame = frame.astype({"dari_jenis": object, "ke_jenis": object, "moda": object})
        frame = frame.fillna(
            {
                "tunggu_menit": 0.0,
                "biaya": 0.0,
                "moda": "perahu",
                "dari_jenis": "desa",
                "ke_jenis": "desa",
            }
        )
        frame.insert(0, "seq", range(1, len(frame) + 1))
        with _write_errors("ruas perahu"), self.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM boat_legs"))
            _insert(conn, "boat_legs", frame)
            _set_meta(conn, "boats_version", uuid.uuid4().hex)
        return len(frame)

    def boat_legs(self) -> pd.DataFrame:
        """Boat legs with each end's kind and, for a landing, its ``lat``, ``lon``, ``kode_desa``.

        The columns of ``geo.reach.boats.BoatLegs.frame`` but the names, plus ``is_demo``; a leg
        naming
        a landing no longer in the table has no position for that end (the network skips it).
        """
        frame = self._frame(
            "SELECT b.dari, b.ke, b.moda, b.menit, b.tunggu_menit, b.biaya, b.is_demo, "
            "b.dari_jenis, d1.lat AS dari_lat, d1.lon AS dari_lon, d1.kode_desa AS dari_kode_desa, "
            "b.ke_jenis, d2.lat AS ke_lat, d2.lon AS ke_lon, d2.kode_desa AS ke_kode_desa "
            "FROM boat_legs b "
            "LEFT JOIN dermaga d1 ON b.dari_jenis = 'dermaga' AND d1.nama = b.dari "
            "LEFT JOIN dermaga d2 ON b.ke_jenis = 'dermaga' AND d2.nama = b.ke "
            "ORDER BY b.seq"
        )
        frame["is_demo"] = frame["is_demo"].astype(bool)
        for col in ("dari_lat", "dari_lon", "ke_lat", "ke_lon"):
            frame[col] = frame[col].astype(float)
        return frame

    def replace_landings(self, landings: pd.DataFrame, *, is_demo: bool) -> int:
        """Replace the landings (``geo.reach.landings.Landings.frame``); returns how many were
        saved.

        Boat legs read their landings' positions, so their version changes too. A leg naming a
        landing that is now spelt differently (case, spaces) is renamed with it, in the same
        transaction, so that it keeps its position.
        """

        cols = ["nama", "lat", "lon", "kode_desa", "keterangan"]
        frame = landings.reindex(columns=cols).assign(is_demo=bool(is_demo))
        frame.insert(0, "seq", range(1, len(frame) + 1))
        spelling = {name_key(n): n for n in frame["nama"]}
        with _write_errors("dermaga"), self.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM dermaga"))
            _insert(conn, "dermaga", frame)
            for end in ("dari", "ke"):
                rows = conn.execute(
                    sa.text(f"SELECT seq, {end} FROM boat_legs WHERE {end}_jenis = 'dermaga'")
                ).all()
                for seq, name in rows:
                    new = spelling.get(name_key(name))
                    if new is not None and new != name:
                        conn.execute(
                            sa.text(f"UPDATE boat_legs SET {end} = :n WHERE seq = :s"),
                            {"n": new, "s": seq},
                        )
            _set_meta(conn, "boats_version", uuid.uuid4().hex)
        return len(frame)

    def landings(self) -> pd.DataFrame:
        """Landings in table order: ``nama``, ``lat``, ``lon``, ``kode_desa``, ``keterangan``,
        ``is_demo``."""
        frame = self._frame(
            "SELECT nama, lat, lon, kode_desa, keterangan, is_demo FROM dermaga ORDER BY seq"
        )
        return frame.astype({"lat": float, "lon": float, "is_demo": bool})

    def save_plan(self, nama: str, plan: dict, *, is_demo: bool) -> int:
        """Save a route plan (``RoutePlan.to_json()``); returns its number."""
        with _write_errors("rencana rute"), self.engine.begin() as conn:
            return int(
                conn.execute(
                    sa.text(
                        "INSERT INTO route_plans (nama, created_at, is_demo, plan) "
                        "VALUES (:n, :c, :d, :p) RETURNING id"
                    ),
                    {
                        "n": nama,
                        "c": _now(),
                        "d": bool(is_demo),
                        "p": json.dumps(plan, ensure_ascii=False),
                    },
                ).scalar_one()
            )

    def plans(self) -> pd.DataFrame:
        """Saved plans, newest first: ``id``, ``nama``, ``created_at``, ``is_demo``."""
        frame = self._frame(
            "SELECT id, nama, created_at, is_demo FROM route_plans ORDER BY id DESC"
        )
        frame["is_demo"] = frame["is_demo"].astype(bool)
        return frame

    def plan(self, plan_id: int) -> dict:
        """A saved plan's JSON.

        Raises
        ------
        StoreError
            No such plan.
        """
        with self.engine.connect() as conn:
            text = conn.execute(
                sa.text("SELECT plan FROM route_plans WHERE id = :i"), {"i": plan_id}
            ).scalar()
        if text is None:
            raise StoreError(f"Rencana rute nomor {plan_id} tidak ada di basis data.")
        return json.loads(text)

    # -- schedules, people, deadlines, outcomes ------------------------------------------------
    def replace_table(self, table: str, frame: pd.DataFrame, columns: list[str]) -> int:
        """Replace all rows of ``people`` or ``deadlines`` (one transaction)."""
        if table not in ("people", "deadlines"):
            raise ValueError(f"replace_table is for people and deadlines, not {table}")
        rows = frame.reindex(columns=columns)
        with _write_errors(table), self.engine.begin() as conn:
            conn.execute(sa.text(f"DELETE FROM {table}"))
            _insert(conn, table, rows)
        return len(rows)

    def table(self, table: str) -> pd.DataFrame:
        """All rows of ``people``, ``deadlines`` or ``outcomes``."""
        if table not in ("people", "deadlines", "outcomes"):
            raise ValueError(f"unknown table {table}")
        return self._frame(f"SELECT * FROM {table} ORDER BY id")

    def save_schedule(self, plan_id: int, mulai: str, days: pd.DataFrame, *, is_demo: bool) -> int:
        """Save a plan's calendar (one row per team-day, as JSON); returns its number."""
        with _write_errors("jadwal"), self.engine.begin() as conn:
            return int(
                conn.execute(
                    sa.text(
                        "INSERT INTO schedules (plan_id, mulai, created_at, is_demo, days) "
                        "VALUES (:p, :m, :c, :d, :j) RETURNING id"
                    ),
                    {
                        "p": plan_id,
                        "m": mulai,
                        "c": _now(),
                        "d": bool(is_demo),
                        "j": days.to_json(orient="records", date_format="iso", force_ascii=False),
                    },
                ).scalar_one()
            )

    def schedules(self) -> pd.DataFrame:
        return self._frame(
            "SELECT s.id, s.plan_id, p.nama AS rencana, s.mulai, s.created_at, s.is_demo, s.days "
            "FROM schedules s JOIN route_plans p ON p.id = s.plan_id ORDER BY s.id DESC"
        )

    def add_outcomes(self, outcomes: pd.DataFrame) -> int:
        """Append field outcomes (``geo.store.schema.OUTCOME_COLUMNS``) in one transaction."""

        rows = outcomes.reindex(columns=OUTCOME_COLUMNS).assign(created_at=_now())
        with _write_errors("hasil kunjungan"), self.engine.begin() as conn:
            _insert(conn, "outcomes", rows)
        return len(rows)

    def audit(self, pengguna: str, aksi: str, rincian: str = "") -> None:
        """Record who exported what (no personal data in ``rincian``: counts and file names)."""
        with _write_errors("catatan audit"), self.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO audit_log (waktu, pengguna, aksi, rincian) VALUES (:w, :p, :a, :r)"
                ),
                {"w": _now(), "p": pengguna, "a": aksi, "r": rincian},
            )

    def audit_log(self) -> pd.DataFrame:
        return self._frame("SELECT waktu, pengguna, aksi, rincian FROM audit_log ORDER BY id DESC")

    def has_demo_points(self) -> bool:
        """Whether any active service point comes from the demo set."""
        with self.engine.connect() as conn:
            return bool(
                conn.execute(
                    sa.text("SELECT COUNT(*) FROM service_points WHERE aktif AND is_demo")
                ).scalar()
            )

    def is_empty(self) -> bool:
        """True when there is no round and no service point yet (first run)."""
        with self.engine.connect() as conn:
            rounds = conn.execute(sa.text("SELECT COUNT(*) FROM rounds")).scalar()
            points = conn.execute(sa.text("SELECT COUNT(*) FROM service_points")).scalar()
        return not rounds and not points

    def _frame(self, sql: str, **params) -> pd.DataFrame:
        with self.engine.connect() as conn:
            result = conn.execute(sa.text(sql), params)
            return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


@contextlib.contextmanager
def _write_errors(what: str):
    """Turn a database failure during a write into a StoreError without the row values."""
    try:
        yield
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(
            f"Gagal menyimpan {what} ({type(exc).__name__}); tidak ada yang berubah. Coba lagi; "
            "bila terulang, laporkan ke pengelola aplikasi."
        ) from None


def _set_meta(conn, key: str, value: str) -> None:
    conn.execute(sa.text("DELETE FROM meta WHERE key = :k"), {"k": key})
    conn.execute(sa.text("INSERT INTO meta VALUES (:k, :v)"), {"k": key, "v": value})


def _insert(conn, table: str, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    columns = list(frame.columns)
    sql = sa.text(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"
    )
    conn.execute(sql, records)
