"""The vocabulary the stored tables are built on, for the stages that fill and read them.

A round's KPM statuses are columns of its per-village table, and a field outcome's fields are the
columns of ``outcomes``; the reconciliation and the outcome reader take them from here.
"""

from __future__ import annotations

STATUSES = ("terealisasi", "belum_transaksi", "tidak_transaksi", "tanpa_data_bri")


OUTCOME_COLUMNS = [
    "kode_desa",
    "tanggal",
    "plan_id",
    "dikunjungi",
    "kpm_ditemui",
    "kpm_dilayani",
    "kartu_hilang",
    "kartu_blokir",
    "pindah",
    "meninggal",
    "lainnya",
]


VILLAGE_COUNTS = ["kpm", *STATUSES]
