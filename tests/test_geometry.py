"""Lon/lat checks and the projection to metres (``geo.geometry``)."""

from __future__ import annotations

import numpy as np
import pytest

from geo._errors import CoordinateError, JangkauError
from geo.geometry import check_lonlat, project_lonlat


def test_project_lonlat_lands_on_utm_50s():
    # 117° E is the central meridian of UTM zone 50; the equator sits at the 10,000 km false
    # northing of the southern zones.
    xy = project_lonlat([117.0, 116.99], [0.0, -0.42])  # the second: Tenggarong
    assert xy.shape == (2, 2)
    assert xy[0] == pytest.approx([500_000.0, 10_000_000.0], abs=1e-3)
    assert 490_000 < xy[1, 0] < 500_000 and 9_950_000 < xy[1, 1] < 9_960_000


def test_swapped_lonlat_is_refused():
    lon = np.array([116.99, 117.15, 115.9])
    lat = np.array([-0.42, 0.3, -1.1])
    check_lonlat(lon, lat)  # the right way round passes
    with pytest.raises(CoordinateError, match="tertukar") as err:
        project_lonlat(lat, lon)
    assert isinstance(err.value, JangkauError) and isinstance(err.value, ValueError)
    assert "titik ke-1, 2, 3" in str(err.value)
    with pytest.raises(CoordinateError, match="tertukar"):
        check_lonlat(lat, lon)


def test_outside_kukar_is_refused_all_problems_at_once():
    lon = [106.8, 116.99, -0.5, np.nan]  # Jakarta, Tenggarong, swapped, missing
    lat = [-6.2, -0.42, 117.0, 1.0]
    with pytest.raises(CoordinateError) as err:
        check_lonlat(lon, lat)
    message = str(err.value)
    assert "di luar Kutai Kartanegara (titik ke-1)" in message
    assert "tertukar (titik ke-3)" in message
    assert "tanpa koordinat yang sah (titik ke-4)" in message
    with pytest.raises(CoordinateError, match="berbeda"):
        check_lonlat([117.0], [0.0, 0.1])
    # Outside Kukar can still be projected on purpose (depots at a branch office).
    assert project_lonlat([106.8], [-6.2], check=False).shape == (1, 2)
