"""Hard-to-reach ranking: the priority score of every village and its access-vs-realization class.

The score weighs unrealized KPM, travel minutes to the nearest service point and the need for a
boat (``settings.PRIORITY_WEIGHTS``); the class tells villages where distance explains low
realization from those where it does not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo import settings


def priority_formula(weights: dict[str, float] | None = None) -> str:
    """The priority score in plain Indonesian words."""
    w = weights or settings.PRIORITY_WEIGHTS
    full = settings.PRIORITY_FULL_MINUTES

    def pct(x: float) -> str:
        return f"{x:.2f}".replace(".", ",")

    return (
        f"Skor (0–100) = 100 × ({pct(w['belum'])} × KPM belum terealisasi ÷ KPM belum terbanyak "
        f"di antara desa + {pct(w['waktu'])} × waktu tempuh ke titik layanan terdekat ÷ "
        f"{full:.0f} menit (paling banyak 1; desa yang tak terjangkau dihitung 1) + "
        f"{pct(w['perahu'])} × 1 bila perjalanan memerlukan perahu). Skor tertinggi = paling "
        "perlu dikunjungi."
    )


def priority(
    near: pd.DataFrame,
    coverage_villages: pd.DataFrame,
    *,
    weights: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Rank villages by the hard-to-reach priority score (highest first).

    Parameters
    ----------
    near
        ``nearest(...)``.
    coverage_villages
        ``geo.realization.coverage.Coverage.villages`` of the round: ``kode``, ``kpm``,
        ``terealisasi``, ``belum``.
    weights
        ``belum``, ``waktu`` and ``perahu`` (default ``settings.PRIORITY_WEIGHTS``).

    Returns
    -------
    DataFrame
        ``near`` joined with ``kpm``, ``belum``, ``persen_terealisasi``, the three components,
        ``skor``, ``peringkat`` and ``akses`` (the access-vs-realization class).
    """
    w = weights or settings.PRIORITY_WEIGHTS
    counts = coverage_villages.set_index("kode")[["kpm", "terealisasi", "belum"]]
    table = near.join(counts, on="kode_desa")
    table[["kpm", "terealisasi", "belum"]] = table[["kpm", "terealisasi", "belum"]].fillna(0)
    top = max(float(table["belum"].max()), 1.0)
    minutes = table["waktu_menit"].where(table["terjangkau"], np.inf)
    table["komponen_belum"] = table["belum"] / top
    table["komponen_waktu"] = np.minimum(minutes / settings.PRIORITY_FULL_MINUTES, 1.0)
    table["komponen_perahu"] = table["perahu"].astype(float)
    table["skor"] = (
        100
        * (
            w["belum"] * table["komponen_belum"]
            + w["waktu"] * table["komponen_waktu"]
            + w["perahu"] * table["komponen_perahu"]
        )
    ).round(1)
    share = 100 * table["terealisasi"] / table["kpm"].where(table["kpm"] > 0)
    table["persen_terealisasi"] = share.round(1)
    table["akses"] = access_class(minutes, share)
    table = table.sort_values(["skor", "kode_desa"], ascending=[False, True]).reset_index(drop=True)
    table["peringkat"] = np.arange(1, len(table) + 1)
    return table


ACCESS_CLASSES = {
    "jauh_rendah": "Jauh & realisasi rendah: jarak menjelaskan",
    "dekat_rendah": "Dekat tetapi realisasi rendah: periksa kartu/data",
    "jauh_baik": "Jauh tetapi realisasi baik",
    "dekat_baik": "Dekat & realisasi baik",
    "tanpa_kpm": "Tanpa KPM",
}


def access_class(minutes: pd.Series, share: pd.Series) -> pd.Series:
    """Separate villages where distance explains low realization from those where it does not."""
    far = minutes > settings.FAR_MINUTES
    low = share < settings.LOW_REALIZATION_PERCENT
    out = np.select(
        [share.isna(), far & low, ~far & low, far & ~low],
        ["tanpa_kpm", "jauh_rendah", "dekat_rendah", "jauh_baik"],
        default="dekat_baik",
    )
    return pd.Series(out, index=minutes.index)


#: The columns of the ranking as the page shows and downloads it, in order.
RANKING_COLUMNS = [
    "peringkat",
    "kode_desa",
    "desa",
    "kecamatan",
    "skor",
    "belum",
    "kpm",
    "persen_terealisasi",
    "waktu_menit",
    "jarak_tempuh_km",
    "jarak_lurus_km",
    "layanan_nama",
    "layanan_jenis",
    "sumber",
    "moda",
    "akses",
]
#: The columns shown for the villages of one access class.
CLASS_COLUMNS = ["desa", "kecamatan", "kpm", "belum", "persen_terealisasi", "waktu_menit", "sumber"]


def ranking_table(ranked: pd.DataFrame) -> pd.DataFrame:
    """``priority(...)`` as a planner reads it: ``RANKING_COLUMNS``, the class as its words."""
    return ranked[RANKING_COLUMNS].assign(akses=ranked["akses"].map(ACCESS_CLASSES))


def class_counts(ranked: pd.DataFrame) -> dict[str, int]:
    """Villages in each access class, in the order of ``ACCESS_CLASSES`` (0 for none)."""
    counts = ranked["akses"].value_counts()
    return {key: int(counts.get(key, 0)) for key in ACCESS_CLASSES}


def in_class(ranked: pd.DataFrame, key: str | None) -> pd.DataFrame:
    """The villages of one access class (``CLASS_COLUMNS``), in ranking order."""
    return ranked[ranked["akses"] == key][CLASS_COLUMNS]
