"""Reconciliation at scale: Jangkau's import + reconcile path against a plain pandas merge.

Run: ``.venv/bin/python bench/bench_reconcile.py [--rows N]`` (default 1,000,000 rows in each
file; ``--rows 10000`` for a quick check). Generates, deterministically, a Dinsos roster CSV and a
BRI realization CSV of ``N`` rows each in a temporary folder, then measures each path in its own
subprocess (so that the peak RSS, ``ru_maxrss``, belongs to one path only):

- ``jangkau``: the files' bytes through ``read_roster``, ``read_realisasi`` and ``reconcile``;
- ``baseline``: ``pd.read_csv(dtype=str)`` of both files, minimal cleaning, ``merge`` on NIK and
  programme, group by village and status.

Prints one JSON document: per-stage and total seconds, peak RSS, the ratios Jangkau / baseline,
whether the targets hold (under 30 s and under 2 GiB peak on the 2-core machine), the problems
Jangkau reported next to those injected, and the totals both paths found next to the generator's
ground truth.

Generated data (all invented; only the villages are real): 16-digit NIK starting 6402; about 70 %
of roster rows carry a village code (some without dots), the rest only kecamatan and village
names as clerks type them; programmes PKH, BPNT/SEMBAKO, some families in both (one row naming
both, or one row each); BRI statuses SUDAH / BELUM / TIDAK TRANSAKSI with KETERANGAN. About 1 % of
the rows of each file are messy: invalid NIK (scientific notation, 15 digits, rounded by Excel, a
letter, empty), unknown villages, duplicates (some with another village or status), BRI rows with
no roster KPM (new NIK, or a roster NIK under the other programme) and unknown statuses.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import boundaries
from geo.importer import read_realisasi, read_roster
from geo.lookup import VillageIndex
from geo.reconcile import STATUSES, reconcile

TARGET_S = 30.0
TARGET_RSS_MB = 2048.0  # 2 GiB, in MiB like the figures
SEED = 20220131
ROSTER_FILE = "roster_dinsos.csv"
REALISASI_FILE = "realisasi_bri.csv"
TRUTH_FILE = "truth.json"

# Shares of the messy rows, per file.
R_BAD_NIK, R_UNKNOWN_VILLAGE, R_DUPLICATE = 0.003, 0.002, 0.003
B_ORPHAN, B_DUPLICATE, B_BAD_NIK, B_UNKNOWN_VILLAGE, B_BAD_STATUS = (
    0.003,
    0.003,
    0.002,
    0.001,
    0.0005,
)
P_BOTH = 0.05  # families in both programmes; half of them as two rows
P_PKH_ONLY = 0.30

_FIRST_NAMES = (
    "Ahmad Siti Muhammad Nur Rahmawati Budi Sri Dewi Agus Yuliana Rudi Hasanah Slamet Fitri "
    "Andi Aminah Syahrani Jumiati Abdul Rusdiansyah Masitah Darmawan Suriansyah Norhayati "
    "Irwan Mariani Hendra Rosita Bahrun Wahyuni"
)
FIRST = np.array(_FIRST_NAMES.split())
_LAST_NAMES = (
    "Saputra Lestari Hidayat Wati Rahman Sari Kurniawan Ningsih Pratama Handayani Setiawan "
    "Yanti Santoso Rahayu Effendi Aryani Hamid Syarif Hairani Gunawan Maulana Fauziah Noor "
    "Ramadhan Anwar"
)
LAST = np.array(_LAST_NAMES.split())
DUSUN = np.array(["Dusun I", "Dusun II", "Dusun III", "Jl. Poros", "Gg. Damai", "Jl. Pasar"])
BOGUS_DESA = np.array(["Sungai Antah", "Tanjung Fiktif", "Muara Entah", "Long Tiada", "Desa X"])
KETERANGAN = np.array(
    ["MENINGGAL", "PINDAH DOMISILI", "MAMPU", "KARTU HILANG", "KPM MENINGGAL DUNIA", "PINDAH"]
)
STATUS_TEXT = {  # code -> spellings; code 0 terealisasi, 1 belum, 2 tidak
    0: np.array(["SUDAH TRANSAKSI", "SUDAH", "TRANSAKSI"]),
    1: np.array(["BELUM TRANSAKSI", "BELUM"]),
    2: np.array(["TIDAK TRANSAKSI"]),
}
RANK = np.array([3, 1, 2])  # of status codes, as in geo.reconcile.STATUS_RANK
STATUS_NAME = np.array(["terealisasi", "belum_transaksi", "tidak_transaksi"])


# -- generator ---------------------------------------------------------------------------------


def _count(n: int, share: float) -> int:
    return max(1, round(n * share))


def _s(a) -> np.ndarray:
    return np.asarray(a).astype(str)


def _cat(*parts) -> np.ndarray:
    out = _s(parts[0])
    for part in parts[1:]:
        out = np.strings.add(out, _s(part))
    return out


def _nik_numbers(rng: np.random.Generator, kec: np.ndarray) -> np.ndarray:
    """Unique plausible NIK as int64: 6402 KK DDMMYY SSSS (women: day + 40; serial from 0001)."""
    n = len(kec)
    day = rng.integers(1, 29, n) + 40 * rng.integers(0, 2, n)
    month = rng.integers(1, 13, n)
    year = rng.choice(np.r_[40:100, 0:6], n)
    stem = (
        6402 * 10**12 + kec.astype(np.int64) * 10**10 + day * 10**8 + month * 10**6 + year * 10**4
    )
    nik = stem + rng.integers(1, 10_000, n)
    while True:
        _, first = np.unique(nik, return_index=True)
        again = np.setdiff1d(np.arange(n), first)
        if not len(again):
            return nik
        nik[again] = stem[again] + rng.integers(1, 10_000, len(again))


def _break_nik(rng: np.random.Generator, nik: np.ndarray) -> np.ndarray:
    """Invalid NIK as Excel and typists leave them; every one fails Jangkau's check."""
    s = pd.Series(nik, dtype="str")
    kind = rng.integers(0, 5, len(s))
    out = s.copy()
    out[kind == 0] = s.str[0] + "." + s.str[1:6] + "E+15"  # scientific notation
    out[kind == 1] = s.str[:15]  # a digit lost
    out[kind == 2] = s.str[:6] + "0000000000"  # rounded by Excel
    out[kind == 3] = s.str[:10] + "O" + s.str[11:]  # a letter
    out[kind == 4] = ""  # empty
    return out.to_numpy(dtype=str)


def _csv_field(values: np.ndarray, sep: str) -> pa.Array:
    """Values as CSV fields, quoted only where needed (as Excel writes them)."""
    arr = pa.array(values, type=pa.string())
    needs = pc.match_substring_regex(arr, f'[{sep}"\\r\\n]')
    if pc.any(needs).as_py():
        quoted = pc.binary_join_element_wise('"', pc.replace_substring(arr, '"', '""'), '"', "")
        arr = pc.if_else(needs, quoted, arr)
    return arr


def _write_csv(path: Path, columns: dict[str, np.ndarray], *, sep: str, bom: bool) -> None:
    """A CSV with CRLF line ends, built with Arrow string kernels in batches (no row loop)."""
    n = len(next(iter(columns.values())))
    with open(path, "wb") as fh:
        fh.write((b"\xef\xbb\xbf" if bom else b"") + (sep.join(columns) + "\r\n").encode())
        for start in range(0, n, 250_000):
            parts = [_csv_field(v[start : start + 250_000], sep) for v in columns.values()]
            lines = pc.binary_join_element_wise(*parts, sep)
            lines = pc.binary_join_element_wise(lines, "\r\n", "")
            _, offsets, data = lines.buffers()
            ends = np.frombuffer(offsets, dtype=np.int32)[[lines.offset, lines.offset + len(lines)]]
            fh.write(data[int(ends[0]) : int(ends[1])])


def generate(out: Path, rows: int, villages: pd.DataFrame, seed: int = SEED) -> dict:
    """Write the roster and BRI CSV (``rows`` rows each) to ``out``; returns the ground truth."""
    rng = np.random.default_rng(seed)
    n = rows
    v_kode = villages["kode"].to_numpy(dtype=str)
    v_nama = villages["nama"].to_numpy(dtype=str)
    v_kec = villages["kecamatan"].to_numpy(dtype=str)
    v_kec_num = np.array([int(k[6:8]) for k in v_kode])
    v_prefix = np.where(villages["jenis"].to_numpy(dtype=str) == "kelurahan", "KEL. ", "DESA ")
    weight = rng.lognormal(0, 0.6, len(v_kode))

    # Families: village, NIK, programmes (bit 1 PKH, bit 2 BPNT).
    n_dup_r = _count(n, R_DUPLICATE)
    families = int((n - n_dup_r) / (1 + P_BOTH / 2))
    u = rng.random(families)
    progs = np.where(u < P_BOTH, 3, np.where(u < P_BOTH + P_PKH_ONLY, 1, 2))
    both = np.flatnonzero(progs == 3)
    split = rng.choice(both, n - n_dup_r - families, replace=False)
    n_new_orphans = _count(n, B_ORPHAN) - _count(n, B_ORPHAN) // 2
    fam_village = rng.choice(len(v_kode), families + n_new_orphans, p=weight / weight.sum())
    nik_num = _nik_numbers(rng, v_kec_num[fam_village])
    nik = _s(nik_num)
    fam_first = rng.integers(0, len(FIRST), families + n_new_orphans)
    fam_last = rng.integers(0, len(LAST), families + n_new_orphans)
    nama = _cat(FIRST[fam_first], " ", LAST[fam_last])

    # Roster records: one per family, a second for split families, then the duplicates.
    is_split = np.zeros(families, dtype=bool)
    is_split[split] = True
    rec_fam = np.r_[np.arange(families), split]
    rec_prog = np.r_[np.where(is_split, 1, progs), np.full(len(split), 2)]
    rec_village = fam_village[rec_fam]
    base = len(rec_fam)
    messy = rng.choice(base, _count(n, R_BAD_NIK) + _count(n, R_UNKNOWN_VILLAGE), replace=False)
    bad_nik_r, unknown_r = messy[: _count(n, R_BAD_NIK)], messy[_count(n, R_BAD_NIK) :]
    clean = np.setdiff1d(np.arange(base), messy)
    dup_src = rng.choice(clean, n_dup_r, replace=False)
    moved = rng.random(n_dup_r) < 0.2  # a duplicate giving another village
    dup_village = np.where(
        moved, (rec_village[dup_src] + rng.integers(1, len(v_kode), n_dup_r)) % len(v_kode), -1
    )
    rec_fam = np.r_[rec_fam, rec_fam[dup_src]]
    rec_prog = np.r_[rec_prog, rec_prog[dup_src]]
    rec_village = np.r_[rec_village, np.where(moved, dup_village, rec_village[dup_src])]
    assert len(rec_fam) == n

    # Village columns: code rows (70 %, some codes without dots) and name-only rows.
    has_code = rng.random(n) < 0.7
    code_text = v_kode[rec_village]
    undotted = rng.random(n) < 0.15
    code_text = np.where(undotted, np.strings.replace(code_text, ".", ""), code_text)
    style = rng.integers(0, 3, n)
    kec_name = v_kec[rec_village]
    kec_col = np.where(
        style == 0,
        kec_name,
        np.where(style == 1, np.strings.upper(kec_name), _cat("KEC. ", np.strings.upper(kec_name))),
    )
    desa_name = v_nama[rec_village]
    desa_col = np.where(
        style == 0,
        desa_name,
        np.where(style == 1, np.strings.upper(desa_name), _cat(v_prefix[rec_village], desa_name)),
    )
    kode_col = np.where(has_code, code_text, "").astype("<U64")
    kec_col = np.where(has_code, kec_name, kec_col).astype("<U64")
    desa_col = np.where(has_code, desa_name, desa_col).astype("<U64")
    # Unknown villages: a made-up name, a misspelled kecamatan, or an unknown code alone.
    kind = rng.integers(0, 3, len(unknown_r))
    kode_col[unknown_r] = np.where(kind == 2, "64.02.99.2999", "")
    kec_col[unknown_r] = np.where(
        kind == 0, kec_name[unknown_r], np.where(kind == 1, "Tenggarang Sebrang", "")
    )
    desa_col[unknown_r] = np.where(
        kind == 2, "", BOGUS_DESA[rng.integers(0, len(BOGUS_DESA), len(unknown_r))]
    )

    cell = np.array(["", "PKH", "BPNT", "PKH, BPNT"], dtype=object)[rec_prog].astype(str)
    variant = rng.random(n)
    cell = np.where((rec_prog == 2) & (variant < 0.3), "SEMBAKO", cell)
    cell = np.where((rec_prog == 2) & (variant > 0.9), "Program Sembako", cell)
    cell = np.where((rec_prog == 3) & (variant < 0.5), "PKH;SEMBAKO", cell)

    nik_col = nik[rec_fam]
    nik_col = np.where(rng.random(n) < 0.01, np.strings.add("'", nik_col), nik_col)
    nik_col[bad_nik_r] = _break_nik(rng, nik[rec_fam[bad_nik_r]])
    no_kk = _s(
        6402 * 10**12
        + v_kec_num[rec_village].astype(np.int64) * 10**10
        + rng.integers(10**5, 10**6, n) * 10**4
        + rng.integers(1, 10_000, n)
    )
    alamat = _cat(
        "RT ", np.strings.zfill(_s(rng.integers(1, 40, n)), 3), " ", DUSUN[rng.integers(0, 6, n)]
    )
    order = rng.permutation(n)
    roster = {
        "NO": _s(np.arange(1, n + 1)),
        "NIK": nik_col[order],
        "NO KK": no_kk[order],
        "NAMA": nama[rec_fam][order],
        "ALAMAT": alamat[order],
        "KODE WILAYAH": kode_col[order],
        "KECAMATAN": kec_col[order],
        "DESA/KELURAHAN": desa_col[order],
        "PROGRAM": cell[order],
        "PERIODE": np.full(n, "2022-01"),
    }
    _write_csv(out / ROSTER_FILE, roster, sep=",", bom=False)
    del roster

    # BRI rows: true (family, programme) pairs, then orphans, then duplicates.
    pair_fam = np.r_[np.flatnonzero(progs & 1), np.flatnonzero(progs & 2)]
    pair_prog = np.r_[np.zeros(((progs & 1) > 0).sum(), int), np.ones(((progs & 2) > 0).sum(), int)]
    n_orphan, n_dup_b = _count(n, B_ORPHAN), _count(n, B_DUPLICATE)
    pick = rng.choice(len(pair_fam), n - n_orphan - n_dup_b, replace=False)
    single = np.flatnonzero(progs != 3)
    other = rng.choice(single, n_orphan - n_new_orphans, replace=False)
    new = np.arange(families, families + n_new_orphans)
    b_fam = np.r_[pair_fam[pick], other, new]
    b_prog = np.r_[pair_prog[pick], np.where(progs[other] == 1, 1, 0), rng.integers(0, 2, len(new))]
    base_b = len(b_fam)
    p_done = np.where(b_prog == 0, 0.85, 0.70)
    p_not_yet = np.where(b_prog == 0, 0.10, 0.24)
    u = rng.random(base_b)
    b_status = np.where(u < p_done, 0, np.where(u < p_done + p_not_yet, 1, 2))
    dup_src = rng.choice(base_b - n_orphan, n_dup_b, replace=False)
    dup_status = np.where(
        rng.random(n_dup_b) < 0.4, (b_status[dup_src] + rng.integers(1, 3, n_dup_b)) % 3, -1
    )
    b_fam = np.r_[b_fam, b_fam[dup_src]]
    b_prog = np.r_[b_prog, b_prog[dup_src]]
    b_status = np.r_[b_status, np.where(dup_status >= 0, dup_status, b_status[dup_src])]
    assert len(b_fam) == n
    spoil = np.setdiff1d(np.arange(base_b - n_orphan), dup_src)
    sizes = [_count(n, B_BAD_NIK), _count(n, B_UNKNOWN_VILLAGE), _count(n, B_BAD_STATUS)]
    messy = rng.choice(spoil, sum(sizes), replace=False)
    bad_nik_b = messy[: sizes[0]]
    unknown_b = messy[sizes[0] : sizes[0] + sizes[1]]
    bad_status_b = messy[sizes[0] + sizes[1] :]

    status_col = np.empty(n, dtype=STATUS_TEXT[0].dtype)
    for code, words in STATUS_TEXT.items():
        at = np.flatnonzero(b_status == code)
        status_col[at] = words[rng.integers(0, len(words), len(at))]
    status_col = status_col.astype("<U20")
    status_col[bad_status_b] = np.array(["PROSES", "GAGAL PROSES", "?"])[
        rng.integers(0, 3, len(bad_status_b))
    ]
    done = b_status == 0
    ket = np.where(b_status == 2, KETERANGAN[rng.integers(0, len(KETERANGAN), n)], "")
    b_nik = nik[b_fam].astype("<U32")
    b_nik[bad_nik_b] = _break_nik(rng, nik[b_fam[bad_nik_b]])
    b_village = fam_village[b_fam]
    b_kode = v_kode[b_village].astype("<U32")
    b_kec = np.strings.upper(v_kec[b_village])
    b_desa = np.strings.upper(v_nama[b_village])
    b_kode[unknown_b] = _cat("64.02.99.99", np.strings.zfill(_s(np.arange(len(unknown_b)) % 90), 2))
    b_kec[unknown_b] = ""
    b_desa[unknown_b] = ""
    rp = rng.random(n) < 0.5
    nominal = np.where(
        b_prog == 0,
        np.where(rp, "Rp 750.000", "750000"),
        np.where(rp, "Rp 200.000,00", "200000"),
    )
    order = rng.permutation(n)
    realisasi = {
        "KODE WILAYAH": b_kode[order],
        "KECAMATAN": b_kec[order],
        "DESA": b_desa[order],
        "NAMA PENGURUS": nama[b_fam][order],
        "NIK": b_nik[order],
        "NO KKS": _s(5049 * 10**12 + rng.integers(0, 10**12, n))[order],
        "PROGRAM": np.where(b_prog == 0, "PKH", np.where(rp, "SEMBAKO", "BPNT"))[order],
        "TAHAP": np.full(n, "1"),
        "NOMINAL": nominal[order],
        "STATUS": status_col[order],
        "TANGGAL TRANSAKSI": np.where(
            done, _cat("2022-01-", np.strings.zfill(_s(rng.integers(5, 29, n)), 2)), ""
        )[order],
        "ID AGEN": np.where(
            done, _cat("AGN", np.strings.zfill(_s(rng.integers(1, 5000, n)), 5)), ""
        )[order],
        "KETERANGAN": ket[order],
    }
    _write_csv(out / REALISASI_FILE, realisasi, sep=";", bom=True)
    del realisasi

    # Ground truth, from the generator's own integers (keys: family * 2 + programme).
    ok_r = np.ones(n, dtype=bool)
    ok_r[bad_nik_r] = False
    ok_r[unknown_r] = False
    r_keys = np.r_[
        rec_fam[ok_r & ((rec_prog & 1) > 0)] * 2, rec_fam[ok_r & ((rec_prog & 2) > 0)] * 2 + 1
    ]
    kpm_keys = np.unique(r_keys)
    ok_b = np.ones(n, dtype=bool)
    ok_b[bad_nik_b] = False
    ok_b[bad_status_b] = False
    keys_b, rank_b = b_fam[ok_b] * 2 + b_prog[ok_b], RANK[b_status[ok_b]]
    best = pd.Series(rank_b).groupby(keys_b).max()
    got = best.reindex(kpm_keys).to_numpy()
    by_rank = {3: "terealisasi", 1: "belum_transaksi", 2: "tidak_transaksi"}
    status_totals = {s: int((got == r).sum()) for r, s in by_rank.items()}
    status_totals["tanpa_data_bri"] = int(np.isnan(got).sum())
    bri_dups = int(ok_b.sum() - len(best))
    orphans = int((~np.isin(best.index.to_numpy(), kpm_keys)).sum())
    truth = {
        "kpm": len(kpm_keys),
        "status": {s: status_totals[s] for s in STATUSES},
        "bri_tanpa_roster": orphans,
        "duplikat": {"roster": len(r_keys) - len(kpm_keys), "realisasi": bri_dups},
        "injected": {
            "roster": {
                "nik_tidak_valid": len(bad_nik_r),
                "desa_tidak_dikenal": len(unknown_r),
                "duplikat": n_dup_r,
            },
            "realisasi": {
                "nik_tidak_valid": len(bad_nik_b),
                "desa_tidak_dikenal": len(unknown_b),
                "status_tidak_dikenal": len(bad_status_b),
                "duplikat": n_dup_b,
                "bri_tanpa_roster": n_orphan,
            },
        },
        "expected_problems": {
            "roster": {
                "nik_tidak_valid": len(bad_nik_r),
                "desa_tidak_dikenal": len(unknown_r),
                "duplikat": len(r_keys) - len(kpm_keys),
            },
            "realisasi": {
                "nik_tidak_valid": len(bad_nik_b),
                "desa_tidak_dikenal": len(unknown_b),
                "status_tidak_dikenal": len(bad_status_b),
                "duplikat": bri_dups,
                "bri_tanpa_roster": orphans,
            },
        },
    }
    (out / TRUTH_FILE).write_text(json.dumps(truth))
    return truth


# -- measured variants (each in its own process) -----------------------------------------------


def _peak_mb() -> float:
    """Peak RSS of this process so far, MiB (``ru_maxrss``, KiB on Linux)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _hwm_mb() -> float | None:
    """Peak RSS of this process image, MiB (``VmHWM``), as a cross-check of ``ru_maxrss``.

    On Linux ``ru_maxrss`` survives ``exec``: a child started by a process that once held more
    memory reports at least that. The driver therefore stays small (generation runs in its own
    subprocess too), and ``VmHWM``, which starts afresh at ``exec``, shows that it did.
    """
    try:
        text = Path("/proc/self/status").read_text()
    except OSError:
        return None
    kib = next((line.split()[1] for line in text.splitlines() if line.startswith("VmHWM:")), None)
    return None if kib is None else round(int(kib) / 1024, 1)


class _Clock:
    def __init__(self) -> None:
        self.stages: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.stages[name] = round(now - self._last, 3)
        self._last = now


_CATEGORIES = (
    ("NIK tidak valid", "nik_tidak_valid"),
    ("NIK kosong", "nik_tidak_valid"),
    ("Desa tidak dapat ditentukan", "desa_tidak_dikenal"),
    ("Duplikat", "duplikat"),
    ("NIK dengan program", "bri_tanpa_roster"),
    ("Status transaksi tidak dikenal", "status_tidak_dikenal"),
)


def _problem_counts(problems, files: dict[str, str]) -> dict:
    out: dict[str, dict[str, int]] = {role: {} for role in files}
    role_of = {name: role for role, name in files.items()}
    for p in problems:
        kind = next((k for prefix, k in _CATEGORIES if p.reason.startswith(prefix)), "lainnya")
        counts = out[role_of[p.file]]
        counts[kind] = counts.get(kind, 0) + 1
    return {role: dict(sorted(c.items())) for role, c in out.items()}


def run_jangkau(folder: Path) -> dict:
    bounds = boundaries.load()
    index = VillageIndex(bounds.villages)
    villages = bounds.villages
    rss_setup = _peak_mb()
    clock = _Clock()
    roster_bytes = (folder / ROSTER_FILE).read_bytes()
    realisasi_bytes = (folder / REALISASI_FILE).read_bytes()
    clock.lap("read_bytes")
    roster = read_roster(roster_bytes, filename=ROSTER_FILE, index=index)
    clock.lap("read_roster")
    realisasi = read_realisasi(realisasi_bytes, filename=REALISASI_FILE, index=index)
    clock.lap("read_realisasi")
    result = reconcile(roster, realisasi, villages=villages)
    clock.lap("reconcile")
    total = round(sum(clock.stages.values()), 3)
    peak, hwm = _peak_mb(), _hwm_mb()
    summary = result.summary()
    return {
        "stages_s": clock.stages,
        "total_s": total,
        "peak_rss_mb": peak,
        "vm_hwm_mb": hwm,
        "rss_after_setup_mb": rss_setup,
        "found": {
            "kpm": summary["kpm"],
            "status": summary["status"],
            "bri_tanpa_roster": summary["bri_tanpa_roster"],
            "duplikat": summary["duplikat"],
            "desa_rows": len(result.villages),
        },
        "problems_total": summary["masalah"],
        "problems": _problem_counts(
            result.problems, {"roster": ROSTER_FILE, "realisasi": REALISASI_FILE}
        ),
    }


def _village_key(kec: pd.Series, desa: pd.Series) -> pd.Series:
    def norm(s: pd.Series) -> pd.Series:
        s = s.str.upper().str.replace(
            r"^\s*(?:DESA|KEL|KELURAHAN|KEC|KECAMATAN)\b\.?", "", regex=True
        )
        return s.str.replace(r"[^A-Z0-9]", "", regex=True)

    return norm(kec) + "|" + norm(desa)


_BASE_STATUS = {
    "SUDAH TRANSAKSI": "terealisasi",
    "SUDAH": "terealisasi",
    "TRANSAKSI": "terealisasi",
    "BELUM TRANSAKSI": "belum_transaksi",
    "BELUM": "belum_transaksi",
    "TIDAK TRANSAKSI": "tidak_transaksi",
}


def run_baseline(folder: Path) -> dict:
    bounds = boundaries.load()
    v = bounds.villages
    by_code = dict(zip(v["kode"].str.replace(".", "", regex=False), v["kode"], strict=True))
    by_name = pd.Series(v["kode"].to_numpy(), index=_village_key(v["kecamatan"], v["nama"]))
    by_name = by_name[~by_name.index.duplicated()]
    rss_setup = _peak_mb()
    clock = _Clock()
    ros = pd.read_csv(folder / ROSTER_FILE, dtype=str, keep_default_na=False)
    clock.lap("read_csv_roster")
    bri = pd.read_csv(
        folder / REALISASI_FILE, dtype=str, sep=";", encoding="utf-8-sig", keep_default_na=False
    )
    clock.lap("read_csv_realisasi")

    # Minimal cleaning: NIK, programme, village, status; duplicates dropped.
    ros["nik"] = ros["NIK"].str.strip().str.lstrip("'")
    ros = ros[ros["nik"].str.fullmatch(r"\d{16}") & ~ros["nik"].str.endswith("0000")]
    kode = ros["KODE WILAYAH"].str.replace(".", "", regex=False).map(by_code)
    by_names = _village_key(ros["KECAMATAN"], ros["DESA/KELURAHAN"]).map(by_name)
    ros = ros.assign(kode_desa=kode.fillna(by_names))
    ros = ros[ros["kode_desa"].notna()]
    program = (
        ros["PROGRAM"]
        .str.upper()
        .str.replace("PROGRAM SEMBAKO", "BPNT", regex=False)
        .str.replace("SEMBAKO", "BPNT", regex=False)
        .str.split(r"[,;]\s*", regex=True)
    )
    ros = ros[["nik", "kode_desa"]].assign(program=program).explode("program")
    ros = ros.drop_duplicates(["nik", "program"], keep="first")
    bri["nik"] = bri["NIK"].str.strip().str.lstrip("'")
    bri["program"] = bri["PROGRAM"].str.upper().replace({"SEMBAKO": "BPNT"})
    bri["status"] = bri["STATUS"].str.strip().str.upper().map(_BASE_STATUS)
    bri = bri[
        bri["nik"].str.fullmatch(r"\d{16}")
        & ~bri["nik"].str.endswith("0000")
        & bri["status"].notna()
    ]
    bri = bri.assign(rank=bri["status"].map({"terealisasi": 3, "tidak_transaksi": 2}).fillna(1))
    bri = bri.sort_values("rank", ascending=False, kind="stable")
    bri = bri.drop_duplicates(["nik", "program"], keep="first")[["nik", "program", "status"]]
    clock.lap("clean")

    merged = ros.merge(bri, on=["nik", "program"], how="left")
    merged["status"] = merged["status"].fillna("tanpa_data_bri")
    table = merged.groupby(["kode_desa", "program", "status"]).size().unstack(fill_value=0)
    orphans = int((bri.merge(ros, on=["nik", "program"], how="left")["kode_desa"].isna()).sum())
    clock.lap("merge_groupby")
    totals = table.sum()
    return {
        "stages_s": clock.stages,
        "total_s": round(sum(clock.stages.values()), 3),
        "peak_rss_mb": _peak_mb(),
        "vm_hwm_mb": _hwm_mb(),
        "rss_after_setup_mb": rss_setup,
        "found": {
            "kpm": len(merged),
            "status": {s: int(totals.get(s, 0)) for s in STATUSES},
            "bri_tanpa_roster": orphans,
            "desa_rows": len(table),
        },
    }


# -- driver ------------------------------------------------------------------------------------


def run_generate(folder: Path, rows: int) -> dict:
    villages = pd.DataFrame(boundaries.load().villages.drop(columns="geometry"))
    start = time.perf_counter()
    truth = generate(folder, rows, villages)
    return {
        "generate_s": round(time.perf_counter() - start, 2),
        "peak_rss_mb": _peak_mb(),
        "truth": truth,
    }


def _subprocess(variant: str, folder: Path, rows: int) -> dict:
    script = str(Path(__file__).resolve())
    cmd = [sys.executable, script, "--variant", variant, "--dir", str(folder), "--rows", str(rows)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{variant} failed (exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in each file")
    variants = ("generate", "baseline", "jangkau")
    parser.add_argument("--variant", choices=variants, help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.variant == "generate":
        print(json.dumps(run_generate(args.dir, args.rows)))
        return
    if args.variant:
        run = run_jangkau if args.variant == "jangkau" else run_baseline
        print(json.dumps(run(args.dir)))
        return

    # Every step in its own process, so that each peak RSS is that step's alone.
    with tempfile.TemporaryDirectory(prefix="bench_reconcile_") as tmp:
        folder = Path(tmp)
        generated = _subprocess("generate", folder, args.rows)
        truth, generate_s = generated["truth"], generated["generate_s"]
        sizes = {
            name: round((folder / name).stat().st_size / 2**20, 1)
            for name in (ROSTER_FILE, REALISASI_FILE)
        }
        baseline = _subprocess("baseline", folder, args.rows)
        jangkau = _subprocess("jangkau", folder, args.rows)

    problems = jangkau.pop("problems")
    result = {
        "rows": {"roster": args.rows, "realisasi": args.rows},
        "file_mb": sizes,
        "generate_s": generate_s,
        "driver_peak_rss_mb": _peak_mb(),
        "jangkau": {k: v for k, v in jangkau.items() if k != "found"},
        "baseline": {k: v for k, v in baseline.items() if k != "found"},
        "ratio_jangkau_over_baseline": {
            "time": round(jangkau["total_s"] / baseline["total_s"], 2),
            "peak_rss": round(jangkau["peak_rss_mb"] / baseline["peak_rss_mb"], 2),
        },
        "targets": {
            "time_s": TARGET_S,
            "peak_rss_mb": TARGET_RSS_MB,
            "time_ok": jangkau["total_s"] < TARGET_S,
            "memory_ok": jangkau["peak_rss_mb"] < TARGET_RSS_MB,
        },
        "problems_reported": problems,
        "problems_expected": truth["expected_problems"],
        "messy_rows_injected": truth["injected"],
        "totals": {
            "expected": {k: truth[k] for k in ("kpm", "status", "bri_tanpa_roster", "duplikat")},
            "jangkau": jangkau["found"],
            "baseline": baseline["found"],
        },
    }
    result["targets"]["meets_targets"] = (
        result["targets"]["time_ok"] and result["targets"]["memory_ok"]
    )
    expected = result["totals"]["expected"]
    result["jangkau_matches_expected"] = all(
        jangkau["found"][k] == expected[k] for k in expected
    ) and all(
        problems[role].get(kind, 0) == count
        for role, kinds in truth["expected_problems"].items()
        for kind, count in kinds.items()
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
