"""Reconciliation at scale: Jangkau's import + reconcile path against a plain pandas merge.

Run: ``.venv/bin/python bench/bench_reconcile.py [--rows N]`` (default 1,000,000 rows in each
file; ``--rows 10000`` for a quick check). Generates, deterministically, a Dinsos roster CSV and a
BRI realization CSV of ``N`` rows each in a temporary folder, then measures each path in its own
subprocess, started by a driver that stays small (generation too runs in a subprocess), so that
each peak RSS (``ru_maxrss``, cross-checked with ``VmHWM``) belongs to one path only:

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
import os
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

from geo.areas import boundaries
from geo.areas.lookup import VillageIndex
from geo.intake.realisasi import read_realisasi
from geo.intake.roster import read_roster
from geo.realization.reconcile import STATUSES, reconcile

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
STATUS_WORDS = (  # terealisasi (3 spellings), belum_transaksi (2), tidak_transaksi (1)
    "SUDAH TRANSAKSI",
    "SUDAH",
    "TRANSAKSI",
    "BELUM TRANSAKSI",
    "BELUM",
    "TIDAK TRANSAKSI",
)
RANK = np.array([3, 1, 2])  # of status codes, as in geo.realization.reconcile.STATUS_RANK


# -- generator ---------------------------------------------------------------------------------
# Per-row values are small integer codes; strings are made once, by Arrow, from small tables
# (``_pick``) or from integers (``_digits``), in the final row order. Only the values of the ~1 %
# messy rows are made separately (pandas string ops on a few thousand values).


def _count(n: int, share: float) -> int:
    return max(1, round(n * share))


def _pick(table, codes: np.ndarray) -> pa.Array:
    """``table[codes]`` as an Arrow string array (``table`` is small)."""
    values = pa.array([str(v) for v in table], type=pa.string())
    return values.take(pa.array(np.asarray(codes, dtype=np.int64)))


def _digits(numbers: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(numbers, dtype=np.int64)).cast(pa.string())


def _replace(values: pa.Array, mask: np.ndarray, new) -> pa.Array:
    """``values`` with the rows where ``mask`` holds replaced by ``new``, in row order."""
    if not mask.any():
        return values
    return pc.replace_with_mask(values, pa.array(mask), pa.array(list(new), type=pa.string()))


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
        order = np.argsort(nik, kind="stable")
        again = order[1:][nik[order][1:] == nik[order][:-1]]
        if not len(again):
            return nik
        nik[again] = stem[again] + rng.integers(1, 10_000, len(again))


def _break_nik(rng: np.random.Generator, nik: np.ndarray) -> np.ndarray:
    """Invalid NIK as Excel and typists leave them; every one fails Jangkau's check."""
    s = pd.Series(np.asarray(nik).astype(str), dtype="str")
    kind = rng.integers(0, 5, len(s))
    out = s.copy()
    out[kind == 0] = s.str[0] + "." + s.str[1:6] + "E+15"  # scientific notation
    out[kind == 1] = s.str[:15]  # a digit lost
    out[kind == 2] = s.str[:6] + "0000000000"  # rounded by Excel
    out[kind == 3] = s.str[:10] + "O" + s.str[11:]  # a letter
    out[kind == 4] = ""  # empty
    return out.to_numpy(dtype=str)


def _csv_field(values: pa.Array, sep: str) -> pa.Array:
    """Values as CSV fields, quoted only where needed (as Excel writes them)."""
    needs = pc.match_substring_regex(values, f'[{sep}"\\r\\n]')
    if not pc.any(needs).as_py():
        return values
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(values, '"', '""'), '"', "")
    return pc.if_else(needs, quoted, values)


def _write_csv(path: Path, columns: dict[str, pa.Array], *, sep: str, bom: bool) -> None:
    """A CSV with CRLF line ends, joined by Arrow string kernels in batches (no row loop)."""
    n = len(next(iter(columns.values())))
    batch = 250_000
    with open(path, "wb") as fh:
        fh.write((b"\xef\xbb\xbf" if bom else b"") + (sep.join(columns) + "\r\n").encode())
        for start in range(0, n, batch):
            parts = [_csv_field(v.slice(start, batch), sep) for v in columns.values()]
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
    nv = len(v_kode)
    v_kec_num = np.array([int(k[6:8]) for k in v_kode])
    v_prefix = np.where(villages["jenis"].to_numpy(dtype=str) == "kelurahan", "KEL. ", "DESA ")
    weight = rng.lognormal(0, 0.6, nv)
    names = [f"{first} {last}" for first in FIRST for last in LAST]

    # Families: village, NIK, name, programmes (bit 1 PKH, bit 2 BPNT). The last
    # ``n_new_orphans`` are not in the roster: BRI rows for NIK that Dinsos does not list.
    n_dup_r = _count(n, R_DUPLICATE)
    families = int((n - n_dup_r) / (1 + P_BOTH / 2))
    u = rng.random(families)
    progs = np.where(u < P_BOTH, 3, np.where(u < P_BOTH + P_PKH_ONLY, 1, 2))
    split = rng.choice(np.flatnonzero(progs == 3), n - n_dup_r - families, replace=False)
    n_orphan = _count(n, B_ORPHAN)
    n_new_orphans = n_orphan - n_orphan // 2
    fam_village = rng.choice(nv, families + n_new_orphans, p=weight / weight.sum())
    nik_num = _nik_numbers(rng, v_kec_num[fam_village])
    fam_name = rng.integers(0, len(names), families + n_new_orphans)

    # Roster records: one per family, a second for split families, then the duplicates.
    is_split = np.zeros(families, dtype=bool)
    is_split[split] = True
    rec_fam = np.r_[np.arange(families), split]
    rec_prog = np.r_[np.where(is_split, 1, progs), np.full(len(split), 2)]
    rec_village = fam_village[rec_fam]
    base = len(rec_fam)
    n_bad_r, n_unknown_r = _count(n, R_BAD_NIK), _count(n, R_UNKNOWN_VILLAGE)
    messy = rng.choice(base, n_bad_r + n_unknown_r, replace=False)
    clean = np.ones(base, dtype=bool)
    clean[messy] = False
    dup_src = rng.choice(np.flatnonzero(clean), n_dup_r, replace=False)
    moved = rng.random(n_dup_r) < 0.2  # a duplicate giving another village
    shifted = (rec_village[dup_src] + rng.integers(1, nv, n_dup_r)) % nv
    rec_fam = np.r_[rec_fam, rec_fam[dup_src]]
    rec_prog = np.r_[rec_prog, rec_prog[dup_src]]
    rec_village = np.r_[rec_village, np.where(moved, shifted, rec_village[dup_src])]
    assert len(rec_fam) == n
    bad_nik_r = np.zeros(n, dtype=bool)
    bad_nik_r[messy[:n_bad_r]] = True
    unknown_r = np.zeros(n, dtype=bool)
    unknown_r[messy[n_bad_r:]] = True

    # Row choices. Village: code dotted (0), undotted (1) or none (2); names as in the boundary
    # file (0), upper case (1) or with a DESA/KEL./KEC. prefix (2), for name-only rows.
    code_kind = np.where(rng.random(n) < 0.7, (rng.random(n) < 0.15).astype(int), 2)
    style = np.where(code_kind == 2, rng.integers(0, 3, n), 0)
    # Unknown villages: a made-up name (0), a misspelled kecamatan (1), an unknown code alone (2).
    unknown_kind = rng.integers(0, 3, n)
    bogus = rng.integers(0, len(BOGUS_DESA), n)
    variant = rng.random(n)
    cell = np.select(
        [rec_prog == 1, (rec_prog == 2) & (variant < 0.3), (rec_prog == 2) & (variant > 0.9)],
        [0, 3, 4],
        np.where(rec_prog == 2, 1, np.where(variant < 0.5, 5, 2)),
    )
    apostrophe = rng.random(n) < 0.01
    no_kk = (
        6402 * 10**12
        + v_kec_num[rec_village].astype(np.int64) * 10**10
        + rng.integers(10**5, 10**6, n) * 10**4
        + rng.integers(1, 10_000, n)
    )
    alamat = rng.integers(0, 39 * len(DUSUN), n)

    o = rng.permutation(n)
    fam, vil, bad, unk = rec_fam[o], rec_village[o], bad_nik_r[o], unknown_r[o]
    kind, vil_unk = unknown_kind[o][unk], vil[unk]
    kode = _pick(
        np.r_[v_kode, np.strings.replace(v_kode, ".", ""), [""] * nv], code_kind[o] * nv + vil
    )
    kec_upper = np.strings.upper(v_kec)
    kec = _pick(np.r_[v_kec, kec_upper, np.strings.add("KEC. ", kec_upper)], style[o] * nv + vil)
    desa_tab = np.r_[v_nama, np.strings.upper(v_nama), np.strings.add(v_prefix, v_nama)]
    desa = _pick(desa_tab, style[o] * nv + vil)
    kode = _replace(kode, unk, np.where(kind == 2, "64.02.99.2999", ""))
    kec = _replace(
        kec, unk, np.where(kind == 0, v_kec[vil_unk], np.where(kind == 1, "Tenggarang Sebrang", ""))
    )
    desa = _replace(desa, unk, np.where(kind == 2, "", BOGUS_DESA[bogus[o][unk]]))
    nik = _digits(nik_num[fam])
    nik = pc.if_else(pa.array(apostrophe[o] & ~bad), pc.binary_join_element_wise("'", nik, ""), nik)
    nik = _replace(nik, bad, _break_nik(rng, nik_num[fam[bad]]))
    roster = {
        "NO": _digits(np.arange(1, n + 1)),
        "NIK": nik,
        "NO KK": _digits(no_kk[o]),
        "NAMA": _pick(names, fam_name[fam]),
        "ALAMAT": _pick([f"RT {rt:03d} {d}" for rt in range(1, 40) for d in DUSUN], alamat[o]),
        "KODE WILAYAH": kode,
        "KECAMATAN": kec,
        "DESA/KELURAHAN": desa,
        "PROGRAM": _pick(
            ["PKH", "BPNT", "PKH, BPNT", "SEMBAKO", "Program Sembako", "PKH;SEMBAKO"], cell[o]
        ),
        "PERIODE": _pick(["2022-01"], np.zeros(n)),
    }
    _write_csv(out / ROSTER_FILE, roster, sep=",", bom=False)
    del roster, kode, kec, desa, nik

    # BRI rows: true (family, programme) pairs, then orphans, then duplicates.
    pair_fam = np.r_[np.flatnonzero(progs & 1), np.flatnonzero(progs & 2)]
    pair_prog = np.r_[np.zeros(((progs & 1) > 0).sum(), int), np.ones(((progs & 2) > 0).sum(), int)]
    n_dup_b = _count(n, B_DUPLICATE)
    pick = rng.choice(len(pair_fam), n - n_orphan - n_dup_b, replace=False)
    other = rng.choice(np.flatnonzero(progs != 3), n_orphan - n_new_orphans, replace=False)
    new = np.arange(families, families + n_new_orphans)
    b_fam = np.r_[pair_fam[pick], other, new]
    b_prog = np.r_[pair_prog[pick], np.where(progs[other] == 1, 1, 0), rng.integers(0, 2, len(new))]
    base_b = len(b_fam)
    p_done = np.where(b_prog == 0, 0.85, 0.70)
    p_not_yet = np.where(b_prog == 0, 0.10, 0.24)
    u = rng.random(base_b)
    b_status = np.where(u < p_done, 0, np.where(u < p_done + p_not_yet, 1, 2))
    dup_src = rng.choice(base_b - n_orphan, n_dup_b, replace=False)
    disagree = rng.random(n_dup_b) < 0.4  # a duplicate with another status
    other_status = (b_status[dup_src] + rng.integers(1, 3, n_dup_b)) % 3
    b_fam = np.r_[b_fam, b_fam[dup_src]]
    b_prog = np.r_[b_prog, b_prog[dup_src]]
    b_status = np.r_[b_status, np.where(disagree, other_status, b_status[dup_src])]
    assert len(b_fam) == n
    spoil = np.ones(base_b - n_orphan, dtype=bool)
    spoil[dup_src] = False
    sizes = np.array([_count(n, B_BAD_NIK), _count(n, B_UNKNOWN_VILLAGE), _count(n, B_BAD_STATUS)])
    messy = rng.choice(np.flatnonzero(spoil), sizes.sum(), replace=False)
    masks = []
    for part in np.split(messy, np.cumsum(sizes)[:-1]):
        mask = np.zeros(n, dtype=bool)
        mask[part] = True
        masks.append(mask)
    bad_nik_b, unknown_b, bad_status_b = masks

    # Status spellings: codes 0-2 terealisasi, 3-4 belum, 5 tidak, 6-8 unknown.
    first, count = np.array([0, 3, 5]), np.array([3, 2, 1])
    spelling = first[b_status] + rng.integers(0, 6, n) % count[b_status]
    spelling = np.where(bad_status_b, 6 + rng.integers(0, 3, n), spelling)
    done = b_status == 0
    ket = np.where(b_status == 2, 1 + rng.integers(0, len(KETERANGAN), n), 0)
    rp = (rng.random(n) < 0.5).astype(int)
    tanggal = np.where(done, rng.integers(5, 29, n) - 4, 0)
    agen = np.where(done, rng.integers(1, 5000, n), 0)
    kks = 5049 * 10**12 + rng.integers(0, 10**12, n)

    o = rng.permutation(n)
    fam, vil, bad, unk = b_fam[o], fam_village[b_fam[o]], bad_nik_b[o], unknown_b[o]
    unknown_codes = [f"64.02.99.99{i % 90:02d}" for i in range(int(unk.sum()))]
    realisasi = {
        "KODE WILAYAH": _replace(_pick(v_kode, vil), unk, unknown_codes),
        "KECAMATAN": _replace(_pick(kec_upper, vil), unk, [""] * len(unknown_codes)),
        "DESA": _replace(_pick(np.strings.upper(v_nama), vil), unk, [""] * len(unknown_codes)),
        "NAMA PENGURUS": _pick(names, fam_name[fam]),
        "NIK": _replace(_digits(nik_num[fam]), bad, _break_nik(rng, nik_num[fam[bad]])),
        "NO KKS": _digits(kks[o]),
        "PROGRAM": _pick(["PKH", "BPNT", "SEMBAKO"], np.where(b_prog == 0, 0, 1 + rp)[o]),
        "TAHAP": _pick(["1"], np.zeros(n)),
        "NOMINAL": _pick(["750000", "Rp 750.000", "200000", "Rp 200.000,00"], (b_prog * 2 + rp)[o]),
        "STATUS": _pick([*STATUS_WORDS, "PROSES", "GAGAL PROSES", "?"], spelling[o]),
        "TANGGAL TRANSAKSI": _pick(["", *(f"2022-01-{d:02d}" for d in range(5, 29))], tanggal[o]),
        "ID AGEN": _pick(["", *(f"AGN{i:05d}" for i in range(1, 5000))], agen[o]),
        "KETERANGAN": _pick(["", *KETERANGAN], ket[o]),
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
                "nik_tidak_valid": int(bad_nik_r.sum()),
                "desa_tidak_dikenal": int(unknown_r.sum()),
                "duplikat": n_dup_r,
            },
            "realisasi": {
                "nik_tidak_valid": int(bad_nik_b.sum()),
                "desa_tidak_dikenal": int(unknown_b.sum()),
                "status_tidak_dikenal": int(bad_status_b.sum()),
                "duplikat": n_dup_b,
                "bri_tanpa_roster": n_orphan,
            },
        },
        "expected_problems": {
            "roster": {
                "nik_tidak_valid": int(bad_nik_r.sum()),
                "desa_tidak_dikenal": int(unknown_r.sum()),
                "duplikat": len(r_keys) - len(kpm_keys),
            },
            "realisasi": {
                "nik_tidak_valid": int(bad_nik_b.sum()),
                "desa_tidak_dikenal": int(unknown_b.sum()),
                "status_tidak_dikenal": int(bad_status_b.sum()),
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
    """Seconds per stage, and the peak RSS reached by the end of each stage."""

    def __init__(self) -> None:
        self.stages: dict[str, float] = {}
        self.peak_by_stage: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.stages[name] = round(now - self._last, 3)
        self.peak_by_stage[name] = _peak_mb()
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
        "peak_rss_by_end_of_stage_mb": clock.peak_by_stage,
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
        "peak_rss_by_end_of_stage_mb": clock.peak_by_stage,
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
    # The page's upload limit (50 MB by default) guards the server; a million-row roster is about
    # 116 MB, so the bench raises it, as an admin would for a national file.
    env = {**os.environ, "JANGKAU_MAKS_UNGGAH_MB": "1024"}
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
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
    load_before = round(os.getloadavg()[0], 2)
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
        "machine": {"cpus": os.cpu_count(), "load_avg_1m_at_start": load_before},
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
