"""A roster's home coordinates: decimal degrees as typed, checked against the Kukar box.

A bad coordinate never costs the KPM: the row is imported without coordinates and a problem says
why. Swapped latitude and longitude are swapped back and reported.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.geometry import KUKAR_LAT, KUKAR_LON
from geo.intake._rows import _Rows
from geo.intake.headers import FIELDS_ROSTER
from geo.safety.privacy import mask_value

_DEGREES = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)"


def _parse_degrees(text: pd.Series) -> np.ndarray:
    """Decimal degrees as typed (``-0.4412``, ``-0,4412``, ``116,98°``); NaN when blank or not a
    plain number (``1e5``, ``nan``, ``0°26'S`` are not accepted)."""
    t = text.str.replace("[ \u00a0\u00b0]", "", regex=True).str.replace("\u2212", "-", regex=False)
    # Indonesian Excel writes a decimal comma; a value with both a comma and a point is refused.
    comma = t.str.count(",").eq(1) & ~t.str.contains(".", regex=False)
    t = t.where(~comma, t.str.replace(",", ".", regex=False))
    plain = t.str.fullmatch(_DEGREES).fillna(False).to_numpy(dtype=bool)
    out = np.full(len(t), np.nan)
    if plain.any():
        out[plain] = t[plain].astype(float).to_numpy()
    return out


def _deg(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _in_box(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return (
            (lon >= KUKAR_LON[0])
            & (lon <= KUKAR_LON[1])
            & (lat >= KUKAR_LAT[0])
            & (lat <= KUKAR_LAT[1])
        )


def _coordinates(rows: _Rows) -> tuple[np.ndarray, np.ndarray]:
    """Each row's (lat, lon) in degrees, NaN where the roster has none or they cannot be used.

    A bad coordinate never costs the KPM: the row is imported without coordinates and a problem
    says why. Swapped columns (a latitude that looks like a Kukar longitude and the other way
    round) are unambiguous in Kukar, so they are swapped back and reported. Values are the
    family's home: they appear only in the problem's value cell, never beside a NIK or a name.
    """
    n = len(rows.body)
    lat, lon = np.full(n, np.nan), np.full(n, np.nan)
    have = [f for f in ("lat", "lon") if rows.header(f)]
    if not have:
        return lat, lon
    if len(have) == 1:
        present, missing = have[0], "lon" if have[0] == "lat" else "lat"
        spec = FIELDS_ROSTER[missing]
        rows.report.add(
            None,
            rows.header(present),
            "",
            f"Ada kolom {FIELDS_ROSTER[present].label} tetapi tidak ada kolom {spec.label}, jadi "
            f"koordinat KPM tidak dipakai (semua KPM tetap diimpor). Tambahkan kolom {spec.label} "
            f"(judul yang dikenali: {', '.join(spec.synonyms)}) atau atur pemetaan kolom.",
        )
        return lat, lon
    lat_text, lon_text = rows.text("lat"), rows.text("lon")
    lat, lon = _parse_degrees(lat_text), _parse_degrees(lon_text)
    lat_filled = lat_text.ne("").to_numpy()
    lon_filled = lon_text.ne("").to_numpy()
    kept = "KPM tetap diimpor tanpa koordinat"
    for name, text, values, filled in (
        ("lat", lat_text, lat, lat_filled),
        ("lon", lon_text, lon, lon_filled),
    ):
        bad = np.flatnonzero(rows.read & filled & ~np.isfinite(values))
        if len(bad):
            rows.report.add_many(
                rows.row[bad],
                rows.header(name),
                [mask_value(name, v) for v in text.iloc[bad].tolist()],
                [
                    f"{FIELDS_ROSTER[name].label.capitalize()} bukan angka derajat desimal "
                    f"(contoh: lintang -0,4412, bujur 116,9876). {kept}; perbaiki di berkas "
                    "sumber."
                ]
                * len(bad),
            )
    lat_bad = lat_filled & ~np.isfinite(lat)
    lon_bad = lon_filled & ~np.isfinite(lon)
    for name, other, empty in (
        ("lat", "lon", ~lat_filled & lon_filled & ~lon_bad),
        ("lon", "lat", ~lon_filled & lat_filled & ~lat_bad),
    ):
        hit = np.flatnonzero(rows.read & empty)
        if len(hit):
            rows.report.add_many(
                rows.row[hit],
                rows.header(name),
                [""] * len(hit),
                [
                    f"{FIELDS_ROSTER[name].label.capitalize()} kosong padahal "
                    f"{FIELDS_ROSTER[other].label} terisi. {kept}; isi keduanya atau kosongkan "
                    "keduanya."
                ]
                * len(hit),
            )
    both = np.isfinite(lat) & np.isfinite(lon)
    swapped = both & _in_box(lat, lon) & ~_in_box(lon, lat)
    lat, lon = np.where(swapped, lon, lat), np.where(swapped, lat, lon)
    outside = both & ~_in_box(lon, lat)
    pair = (lat_text + "; " + lon_text).str.slice(0, 80)
    lat_header, lon_header = rows.header("lat"), rows.header("lon")
    for mask, reason in (
        (
            swapped,
            f"Lintang ({lat_header}) dan bujur ({lon_header}) tertukar: di Kukar bujur sekitar "
            "116 dan lintang sekitar -0,4. Koordinat sudah ditukar kembali dan KPM diimpor; "
            "tukar kedua kolom di berkas sumber.",
        ),
        (
            outside,
            f"Koordinat di luar Kutai Kartanegara (bujur harus {_deg(KUKAR_LON[0])}–"
            f"{_deg(KUKAR_LON[1])}° BT, lintang {_deg(-KUKAR_LAT[0])}° LS – "
            f"{_deg(KUKAR_LAT[1])}° LU, dalam derajat desimal). {kept}; periksa {lat_header} dan "
            f"{lon_header} di berkas sumber.",
        ),
    ):
        hit = np.flatnonzero(rows.read & mask)
        if len(hit):
            rows.report.add_many(
                rows.row[hit], lat_header, pair.iloc[hit].tolist(), [reason] * len(hit)
            )
    usable = both & ~outside
    return np.where(usable, lat, np.nan), np.where(usable, lon, np.nan)
