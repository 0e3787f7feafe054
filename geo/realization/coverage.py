"""Coverage figures: KPM, realized and not yet realized per village, kecamatan and programme.

``belum`` (not yet realized) is every roster KPM-programme not ``terealisasi``: money not yet
spent or withdrawn (belum transaksi), not transacted with a reason (tidak transaksi), or no BRI
record at all. Counts are per programme; with ``program="SEMUA"`` a family in both PKH and BPNT
counts once per programme.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from geo.realization.reconcile import STATUSES

PROGRAMS = ("SEMUA", "PKH", "BPNT")
COUNTS = ["kpm", *STATUSES]

# Which BRI branch office serves each kecamatan. From domain.md: Muara Badak and Marang Kayu bank
# in Bontang, Samboja in Balikpapan, Tabang with BRI Kutai Barat. The rest is an assumption
# (nearest branch by road) that a planner can correct here.
BRANCH_BY_KECAMATAN: dict[str, str] = {
    "64.02.05": "KC Bontang",
    "64.02.17": "KC Bontang",
    "64.02.13": "KC Balikpapan",
    "64.02.20": "KC Balikpapan",
    "64.02.12": "KC Kutai Barat",
    "64.02.03": "KC Samarinda",
    "64.02.04": "KC Samarinda",
    "64.02.14": "KC Samarinda",
    "64.02.15": "KC Samarinda",
}
DEFAULT_BRANCH = "KC Tenggarong"


def branch_of(kode_kec: str) -> str:
    """The BRI branch office (``KC ...``) serving a kecamatan."""
    return BRANCH_BY_KECAMATAN.get(kode_kec, DEFAULT_BRANCH)


def branches() -> list[str]:
    return sorted({DEFAULT_BRANCH, *BRANCH_BY_KECAMATAN.values()})


@dataclass(frozen=True)
class Coverage:
    """Coverage of one round for one programme filter.

    Attributes
    ----------
    villages
        All 237 villages (a GeoDataFrame, EPSG:4326) with ``kode``, ``nama``, ``kecamatan``,
        ``kode_kec``, ``cabang``, the ``COUNTS``, ``belum`` and ``persen_belum`` (0–100, NaN where
        a village has no KPM).
    program
        ``SEMUA``, ``PKH`` or ``BPNT``.
    """

    villages: gpd.GeoDataFrame
    program: str

    def __post_init__(self) -> None:
        if self.program not in PROGRAMS:
            raise ValueError(f"program must be one of {PROGRAMS}")
        v = self.villages
        parts = v["terealisasi"] + v["belum_transaksi"] + v["tidak_transaksi"] + v["tanpa_data_bri"]
        if not (parts == v["kpm"]).all():
            raise ValueError("status counts do not add up to kpm")

    def totals(self) -> dict:
        """KPM, terealisasi, belum and its parts, and the share realized (0–100)."""
        sums = {c: int(self.villages[c].sum()) for c in [*COUNTS, "belum"]}
        sums["persen_terealisasi"] = (
            100.0 * sums["terealisasi"] / sums["kpm"] if sums["kpm"] else float("nan")
        )
        return sums

    def by_kecamatan(self) -> pd.DataFrame:
        """One row per kecamatan, sorted by ``belum`` descending."""
        table = (
            self.villages.groupby(["kode_kec", "kecamatan", "cabang"], as_index=False)[
                [*COUNTS, "belum"]
            ]
            .sum()
            .sort_values(["belum", "kecamatan"], ascending=[False, True])
            .reset_index(drop=True)
        )
        table["persen_belum"] = _share(table["belum"], table["kpm"])
        return table

    def table(self) -> pd.DataFrame:
        """The village table without geometry, sorted by ``belum`` descending."""
        cols = ["kode", "nama", "jenis", "kecamatan", "cabang", *COUNTS, "belum", "persen_belum"]
        return (
            pd.DataFrame(self.villages[cols])
            .sort_values(["belum", "kode"], ascending=[False, True])
            .reset_index(drop=True)
        )

    def layer(self) -> gpd.GeoDataFrame:
        """The villages with their polygons for a GeoJSON or GeoPackage download, without the
        reference point's source (``ref_sumber``)."""
        return self.villages.drop(columns=["ref_sumber"], errors="ignore")


def _share(part: pd.Series, whole: pd.Series) -> pd.Series:
    return (100.0 * part / whole.where(whole > 0)).round(1)


def compute(
    villages: gpd.GeoDataFrame,
    round_villages: pd.DataFrame,
    *,
    program: str = "SEMUA",
    kecamatan: list[str] | None = None,
    cabang: list[str] | None = None,
) -> Coverage:
    """Join a round's per-village counts to the village polygons.

    Parameters
    ----------
    villages
        ``Boundaries.villages``.
    round_villages
        ``Store.round_villages()``: ``kode_desa``, ``program`` and the ``COUNTS``. May be empty
        (no round yet): every village then has zero KPM.
    program
        ``SEMUA`` (PKH and BPNT added), ``PKH`` or ``BPNT``.
    kecamatan, cabang
        Keep only these kecamatan codes / BRI branch names (``None``: all).
    """
    if program not in PROGRAMS:
        raise ValueError(f"program harus salah satu dari {', '.join(PROGRAMS)}")
    rv = round_villages
    if program != "SEMUA":
        rv = rv[rv["program"] == program]
    per_village = rv.groupby("kode_desa")[COUNTS].sum()
    out = villages.drop(columns=[c for c in COUNTS if c in villages.columns]).copy()
    out["cabang"] = out["kode_kec"].map(branch_of)
    out = out.join(per_village, on="kode")
    out[COUNTS] = out[COUNTS].fillna(0).astype(int)
    out["belum"] = out["kpm"] - out["terealisasi"]
    out["persen_belum"] = _share(out["belum"], out["kpm"])
    if kecamatan:
        out = out[out["kode_kec"].isin(kecamatan)]
    if cabang:
        out = out[out["cabang"].isin(cabang)]
    return Coverage(villages=out.reset_index(drop=True), program=program)


def read_village_counts(table: pd.DataFrame, *, filename: str) -> tuple[pd.DataFrame, list[str]]:
    """Per-village counts from a table like ``reconcile``'s ``desa.csv``.

    Parameters
    ----------
    table
        Text cells with at least ``kode_desa``, ``kpm`` and ``terealisasi``; ``program`` and the
        three other status counts are optional (missing parts count as ``belum_transaksi``).

    Returns
    -------
    tuple
        A frame shaped like ``Store.round_villages()`` and a list of problems (Indonesian).
    """
    from geo._errors import InputFileError  # local: keeps this module's imports light

    columns = {c.strip().lower(): c for c in table.columns}
    missing = [c for c in ("kode_desa", "kpm", "terealisasi") if c not in columns]
    if missing:
        raise InputFileError(
            f"Berkas {filename}: kolom {', '.join(missing)} tidak ada. Kolom yang ditemukan: "
            f"{', '.join(map(str, table.columns))}. "
            "Gunakan desa.csv hasil `python -m geo reconcile`."
        )
    out = pd.DataFrame({"kode_desa": table[columns["kode_desa"]].astype(str).str.strip()})
    out["program"] = (
        table[columns["program"]].astype(str).str.strip().str.upper()
        if "program" in columns
        else "SEMUA"
    )
    problems: list[str] = []
    numeric = {}
    for name in COUNTS:
        if name in columns:
            numeric[name] = pd.to_numeric(table[columns[name]], errors="coerce")
        else:
            numeric[name] = pd.Series(0, index=table.index, dtype=float)
    bad = pd.concat([numeric[n].isna() | (numeric[n] < 0) for n in COUNTS], axis=1).any(axis=1)
    for row in bad[bad].index:
        problems.append(f"{filename} baris {row + 2}: jumlah kosong, negatif atau bukan angka.")
    for name in COUNTS:
        out[name] = numeric[name].fillna(0).clip(lower=0).astype(int)
    rest = out["kpm"] - out["terealisasi"] - out["tidak_transaksi"] - out["tanpa_data_bri"]
    if "belum_transaksi" not in columns:
        out["belum_transaksi"] = rest.clip(lower=0)
    over = (
        out["terealisasi"] + out["belum_transaksi"] + out["tidak_transaksi"] + out["tanpa_data_bri"]
    ) != out["kpm"]
    for row in over[over & ~bad].index:
        problems.append(f"{filename} baris {row + 2}: jumlah status tidak sama dengan kpm.")
    keep = ~(bad | over)
    return out[keep].reset_index(drop=True), problems


def empty_counts() -> pd.DataFrame:
    """A per-village counts frame with no rows (no round saved yet)."""
    return pd.DataFrame(columns=["kode_desa", "program", *COUNTS]).astype({c: int for c in COUNTS})


@dataclass(frozen=True)
class Overview:
    """The headline figures of a round for the overview page.

    Attributes
    ----------
    program
        ``SEMUA``, ``PKH`` or ``BPNT``.
    families
        Distinct families (NIK) in the roster, when the round says; ``None`` otherwise.
    totals
        ``Coverage.totals()`` for ``program`` (counted per programme).
    per_program
        ``PKH`` and ``BPNT`` -> their ``totals()``.
    """

    program: str
    families: int | None
    totals: dict
    per_program: dict[str, dict]

    def __post_init__(self) -> None:
        if self.program not in PROGRAMS:
            raise ValueError(f"program must be one of {PROGRAMS}")

    def summary(self) -> dict:
        return {
            "program": self.program,
            "keluarga": self.families,
            **self.totals,
            "per_program": self.per_program,
        }


def overview(
    villages: gpd.GeoDataFrame,
    round_villages: pd.DataFrame,
    *,
    program: str = "SEMUA",
    round_summary: dict | None = None,
) -> Overview:
    """Headline figures of a round: totals for ``program`` and for each programme."""
    per_program = {
        name: compute(villages, round_villages, program=name).totals() for name in ("PKH", "BPNT")
    }
    if program == "SEMUA":
        keys = per_program["PKH"].keys() - {"persen_terealisasi"}
        totals = {k: per_program["PKH"][k] + per_program["BPNT"][k] for k in keys}
        totals["persen_terealisasi"] = (
            100.0 * totals["terealisasi"] / totals["kpm"] if totals["kpm"] else float("nan")
        )
    else:
        totals = per_program[program]
    families = (round_summary or {}).get("nik")
    return Overview(
        program=program,
        families=int(families) if families is not None else None,
        totals=totals,
        per_program=per_program,
    )


@dataclass(frozen=True)
class VillageDetail:
    """One village's figures for the panel beside the map."""

    kode: str
    nama: str
    jenis: str
    kecamatan: str
    cabang: str
    kpm: int
    belum: int
    persen_belum: float
    per_program: pd.DataFrame
    service_points: pd.DataFrame

    def summary(self) -> dict:
        return {
            "kode": self.kode,
            "nama": self.nama,
            "kecamatan": self.kecamatan,
            "kpm": self.kpm,
            "belum": self.belum,
            "persen_belum": self.persen_belum,
            "titik_layanan": len(self.service_points),
        }


def village_detail(
    cov: Coverage, round_villages: pd.DataFrame, service_points: pd.DataFrame, kode: str
) -> VillageDetail | None:
    """Details of village ``kode`` within ``cov`` (``None`` when it is filtered out)."""
    rows = cov.villages[cov.villages["kode"] == kode]
    if rows.empty:
        return None
    v = rows.iloc[0]
    per_program = round_villages[round_villages["kode_desa"] == kode]
    if cov.program != "SEMUA":
        per_program = per_program[per_program["program"] == cov.program]
    points = service_points[service_points["kode_desa"] == kode]
    return VillageDetail(
        kode=str(v["kode"]),
        nama=str(v["nama"]),
        jenis=str(v["jenis"]),
        kecamatan=str(v["kecamatan"]),
        cabang=str(v["cabang"]),
        kpm=int(v["kpm"]),
        belum=int(v["belum"]),
        persen_belum=float(v["persen_belum"]),
        per_program=per_program.drop(columns=["kode_desa"]).reset_index(drop=True),
        service_points=points[["id", "nama", "jenis"]].reset_index(drop=True),
    )
