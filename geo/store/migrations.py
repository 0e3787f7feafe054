"""The schema's history: an ordered list of portable SQL steps (SQLite and PostgreSQL).

Each step is applied once, in its own transaction, and recorded in ``schema_version``. Add a new
step at the end; never edit one that has shipped.
"""

from __future__ import annotations

# Portable SQL (SQLite and PostgreSQL). Personal data (names, NIK) lives only in round_kpm.
MIGRATIONS: list[tuple[int, str, list[str]]] = [
    (
        1,
        "rounds, per-village results, service points, depots",
        [
            """CREATE TABLE meta (key VARCHAR(64) PRIMARY KEY, value TEXT NOT NULL)""",
            """CREATE TABLE rounds (
                id INTEGER PRIMARY KEY,
                label VARCHAR(200) NOT NULL,
                created_at VARCHAR(32) NOT NULL,
                is_demo BOOLEAN NOT NULL,
                fingerprint VARCHAR(64) NOT NULL UNIQUE,
                sources TEXT NOT NULL,
                summary TEXT NOT NULL
            )""",
            """CREATE TABLE round_villages (
                round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
                kode_desa VARCHAR(13) NOT NULL,
                program VARCHAR(8) NOT NULL,
                kpm INTEGER NOT NULL,
                terealisasi INTEGER NOT NULL,
                belum_transaksi INTEGER NOT NULL,
                tidak_transaksi INTEGER NOT NULL,
                tanpa_data_bri INTEGER NOT NULL,
                PRIMARY KEY (round_id, kode_desa, program)
            )""",
            """CREATE TABLE round_kpm (
                round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
                nik VARCHAR(16) NOT NULL,
                program VARCHAR(8) NOT NULL,
                nama VARCHAR(200),
                no_kk VARCHAR(32),
                kode_desa VARCHAR(13) NOT NULL,
                status VARCHAR(20) NOT NULL,
                alasan VARCHAR(200),
                PRIMARY KEY (round_id, nik, program)
            )""",
            """CREATE INDEX ix_round_kpm_desa ON round_kpm (round_id, kode_desa)""",
            """CREATE TABLE round_problems (
                round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
                seq INTEGER NOT NULL,
                file VARCHAR(255) NOT NULL,
                row_number INTEGER,
                column_name VARCHAR(255),
                value TEXT,
                reason TEXT NOT NULL,
                PRIMARY KEY (round_id, seq)
            )""",
            """CREATE TABLE service_points (
                id VARCHAR(64) PRIMARY KEY,
                nama VARCHAR(200) NOT NULL,
                jenis VARCHAR(20) NOT NULL,
                lat DOUBLE PRECISION NOT NULL,
                lon DOUBLE PRECISION NOT NULL,
                kode_desa VARCHAR(13),
                kapasitas INTEGER,
                aktif BOOLEAN NOT NULL,
                is_demo BOOLEAN NOT NULL
            )""",
            """CREATE TABLE depots (
                id VARCHAR(64) PRIMARY KEY,
                nama VARCHAR(200) NOT NULL,
                lat DOUBLE PRECISION NOT NULL,
                lon DOUBLE PRECISION NOT NULL,
                is_demo BOOLEAN NOT NULL
            )""",
        ],
    ),
    (
        2,
        "boat legs",
        [
            """CREATE TABLE boat_legs (
                seq INTEGER PRIMARY KEY,
                dari VARCHAR(13) NOT NULL,
                ke VARCHAR(13) NOT NULL,
                moda VARCHAR(20) NOT NULL,
                menit DOUBLE PRECISION NOT NULL,
                tunggu_menit DOUBLE PRECISION NOT NULL,
                biaya DOUBLE PRECISION NOT NULL,
                is_demo BOOLEAN NOT NULL
            )""",
        ],
    ),
    (
        3,
        "where a service point's position comes from",
        ["ALTER TABLE service_points ADD COLUMN posisi VARCHAR(20)"],
    ),
    (
        4,
        "saved route plans",
        [
            """CREATE TABLE route_plans (
                id INTEGER PRIMARY KEY,
                nama VARCHAR(200) NOT NULL,
                created_at VARCHAR(32) NOT NULL,
                is_demo BOOLEAN NOT NULL,
                plan TEXT NOT NULL
            )""",
        ],
    ),
    (
        5,
        "people, deadlines, schedules and field outcomes",
        [
            """CREATE TABLE people (
                id INTEGER PRIMARY KEY,
                nama VARCHAR(200) NOT NULL,
                peran VARCHAR(40) NOT NULL,
                tidak_tersedia TEXT NOT NULL
            )""",
            """CREATE TABLE deadlines (
                id INTEGER PRIMARY KEY,
                program VARCHAR(8) NOT NULL,
                tahap VARCHAR(40) NOT NULL,
                tanggal_tutup VARCHAR(10) NOT NULL
            )""",
            """CREATE TABLE schedules (
                id INTEGER PRIMARY KEY,
                plan_id INTEGER NOT NULL REFERENCES route_plans(id) ON DELETE CASCADE,
                mulai VARCHAR(10) NOT NULL,
                created_at VARCHAR(32) NOT NULL,
                is_demo BOOLEAN NOT NULL,
                days TEXT NOT NULL
            )""",
            """CREATE TABLE outcomes (
                id INTEGER PRIMARY KEY,
                kode_desa VARCHAR(13) NOT NULL,
                tanggal VARCHAR(10) NOT NULL,
                plan_id INTEGER,
                dikunjungi BOOLEAN NOT NULL,
                kpm_ditemui INTEGER NOT NULL,
                kpm_dilayani INTEGER NOT NULL,
                kartu_hilang INTEGER NOT NULL,
                kartu_blokir INTEGER NOT NULL,
                pindah INTEGER NOT NULL,
                meninggal INTEGER NOT NULL,
                lainnya TEXT,
                created_at VARCHAR(32) NOT NULL
            )""",
            """CREATE INDEX ix_outcomes_desa ON outcomes (kode_desa, tanggal)""",
        ],
    ),
    (
        6,
        "audit log of exports holding names or NIK",
        [
            """CREATE TABLE audit_log (
                id INTEGER PRIMARY KEY,
                waktu VARCHAR(32) NOT NULL,
                pengguna VARCHAR(200) NOT NULL,
                aksi VARCHAR(100) NOT NULL,
                rincian TEXT
            )""",
        ],
    ),
    (
        7,
        "KPM coordinates from the roster (nullable: older rounds have none)",
        [
            "ALTER TABLE round_kpm ADD COLUMN lat DOUBLE PRECISION",
            "ALTER TABLE round_kpm ADD COLUMN lon DOUBLE PRECISION",
        ],
    ),
    (
        8,
        "named landings (dermaga); boat legs between villages or landings",
        [
            # The CREATEs are re-runnable: on SQLite a CREATE TABLE commits by itself, so an
            # upgrade that stops midway leaves them behind while boat_legs is untouched.
            """CREATE TABLE IF NOT EXISTS dermaga (
                seq INTEGER PRIMARY KEY,
                nama VARCHAR(200) NOT NULL UNIQUE,
                lat DOUBLE PRECISION NOT NULL,
                lon DOUBLE PRECISION NOT NULL,
                kode_desa VARCHAR(13),
                keterangan TEXT,
                is_demo BOOLEAN NOT NULL
            )""",
            # dari/ke now hold a landing's name too. Rebuilt rather than altered: SQLite cannot
            # change a column's type, and this copy-and-rename runs the same on PostgreSQL.
            """DROP TABLE IF EXISTS boat_legs_v8""",
            """CREATE TABLE boat_legs_v8 (
                seq INTEGER PRIMARY KEY,
                dari VARCHAR(200) NOT NULL,
                dari_jenis VARCHAR(10) NOT NULL,
                ke VARCHAR(200) NOT NULL,
                ke_jenis VARCHAR(10) NOT NULL,
                moda VARCHAR(20) NOT NULL,
                menit DOUBLE PRECISION NOT NULL,
                tunggu_menit DOUBLE PRECISION NOT NULL,
                biaya DOUBLE PRECISION NOT NULL,
                is_demo BOOLEAN NOT NULL
            )""",
            """INSERT INTO boat_legs_v8 (seq, dari, dari_jenis, ke, ke_jenis, moda, menit,
                tunggu_menit, biaya, is_demo)
            SELECT seq, dari, 'desa', ke, 'desa', moda, menit, tunggu_menit, biaya, is_demo
            FROM boat_legs""",
            """DROP TABLE boat_legs""",
            """ALTER TABLE boat_legs_v8 RENAME TO boat_legs""",
        ],
    ),
]
