from datetime import date

from geo import fmt


def test_numbers_in_indonesian_format():
    assert fmt.number(1234567) == "1.234.567"
    assert fmt.number(1234.56, 1) == "1.234,6"
    assert fmt.number(0) == "0"
    assert fmt.number(float("nan")) == "-"
    assert fmt.percent(12.345) == "12,3%"
    assert fmt.tanggal(date(2026, 11, 29)) == "29 November 2026"
    assert fmt.tanggal("2022-01-05T10:00:00+00:00") == "5 Januari 2022"


def test_stored_utc_time_is_shown_as_a_wita_date():
    assert fmt.tanggal("2026-11-28T17:30:00+00:00") == "29 November 2026"  # 01:30 WITA
