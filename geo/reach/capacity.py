"""E-warong load: the BPNT KPM each e-warong serves against its capacity."""

from __future__ import annotations

import pandas as pd

from geo import settings


def capacity(near_ewarong: pd.DataFrame, bpnt_kpm: pd.Series, points: pd.DataFrame) -> pd.DataFrame:
    """KPM assigned to each e-warong (every village to its nearest by travel time).

    Parameters
    ----------
    near_ewarong
        ``nearest(..., jenis=("e-warong",))``.
    bpnt_kpm
        BPNT KPM per village code (e-warong serve BPNT/Sembako).
    points
        Service points with ``id``, ``nama``, ``jenis``, ``kapasitas``.

    Returns
    -------
    DataFrame
        One row per e-warong: ``id``, ``nama``, ``desa_dilayani``, ``kpm``, ``kapasitas`` (its
        own, else ``settings.EWARONG_MAX_KPM``), ``beban_persen`` and ``kelebihan`` (True when
        over capacity), most loaded first. A village with e-warong of its own divides its KPM
        among them by capacity; other villages go to their nearest e-warong.
    """
    ew = points[points["jenis"] == "e-warong"][["id", "nama", "kapasitas", "kode_desa"]].copy()
    cap = pd.to_numeric(ew["kapasitas"], errors="coerce")
    ew["kapasitas"] = cap.where(cap > 0, settings.EWARONG_MAX_KPM).astype(int)
    reached = near_ewarong[near_ewarong["terjangkau"]]
    kpm = reached["kode_desa"].map(bpnt_kpm).fillna(0).to_numpy(float)
    # A village with e-warong of its own shares its KPM among them by capacity; any other
    # village goes to its nearest e-warong by travel time.
    own = ew[ew["kode_desa"].isin(reached["kode_desa"])]
    share_rows = []
    for code, k in zip(reached["kode_desa"], kpm, strict=True):
        local = own[own["kode_desa"] == code]
        if len(local):
            weights = local["kapasitas"] / local["kapasitas"].sum()
            share_rows += [(pid, code, k * w) for pid, w in zip(local["id"], weights, strict=True)]
    shares = pd.DataFrame(share_rows, columns=["id", "kode_desa", "kpm"])
    nearest_only = reached[~reached["kode_desa"].isin(own["kode_desa"])]
    shares = pd.concat(
        [
            shares,
            pd.DataFrame(
                {
                    "id": nearest_only["layanan_id"],
                    "kode_desa": nearest_only["kode_desa"],
                    "kpm": nearest_only["kode_desa"].map(bpnt_kpm).fillna(0).astype(float),
                }
            ),
        ],
        ignore_index=True,
    )
    load = shares.groupby("id").agg(desa_dilayani=("kode_desa", "size"), kpm=("kpm", "sum"))
    ew = ew.drop(columns=["kode_desa"]).join(load, on="id")
    ew["desa_dilayani"] = ew["desa_dilayani"].fillna(0).astype(int)
    ew["kpm"] = ew["kpm"].fillna(0).round().astype(int)
    ew["beban_persen"] = (100 * ew["kpm"] / ew["kapasitas"]).round(1)
    ew["kelebihan"] = ew["kpm"] > ew["kapasitas"]
    return ew.sort_values(["beban_persen", "id"], ascending=[False, True]).reset_index(drop=True)
