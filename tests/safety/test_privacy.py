"""Masking of NIK and other personal values (geo.safety.privacy)."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.safety.privacy import is_personal_column, mask_nik, mask_nik_series, mask_value
from tests.intake.builders import (
    nik,
)


def test_mask_nik_shows_only_four_and_two():
    assert mask_nik("6402011234567834") == "6402**********34"
    assert mask_nik(" '6402 0112 3456 7834") == "6402**********34"
    assert mask_nik('="6402011234567834"') == "6402**********34"


@pytest.mark.parametrize("value", ["6.40201E+15", "640201123456783", "64020112345678345", "abc"])
def test_mask_nik_masks_anything_else_wholesale(value):
    masked = mask_nik(value)
    assert set(masked) == {"*"}
    assert len(masked) == len(value)


def test_mask_nik_caps_long_values_and_handles_empty():
    masked = mask_nik("9" * 10_000)
    assert "10000 karakter" in masked
    assert sum(ch.isdigit() for ch in masked.replace("10000", "")) == 0
    assert mask_nik(None) == "" and mask_nik(float("nan")) == "" and mask_nik("") == ""


def test_mask_value_by_column():
    assert mask_value("NIK_KPM", nik(1)) == mask_nik(nik(1))
    assert mask_value("NOMOR KK", nik(2)) == mask_nik(nik(2))
    assert mask_value("NO KKS", "5221840322414624").startswith("5221**")
    assert mask_value("no_rekening", "123456789012345") == "*" * 15
    assert mask_value("DESA", "Bukit Biru") == "Bukit Biru"
    assert "karakter" in mask_value("ALAMAT", "x" * 10_000)
    assert is_personal_column("nik") and not is_personal_column("KECAMATAN")


def test_mask_nik_series_matches_scalar():
    values = pd.Series([nik(1), "6.40201E+15", "", "'" + nik(2)], dtype="str")
    assert mask_nik_series(values).tolist() == [mask_nik(v) for v in values]
