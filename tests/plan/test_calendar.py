"""Working days: weekends, Indonesian holidays and cuti bersama skipped."""

from datetime import date

from geo.plan import calendar

MON = date(2026, 12, 7)


def test_working_days_skip_weekends():
    days = calendar.working_days(date(2026, 12, 4), 3)  # a Friday
    assert [d.isoformat() for d in days] == ["2026-12-04", "2026-12-07", "2026-12-08"]


def test_working_days_skip_holidays_and_cuti_bersama():
    # 2025-03-28 is cuti bersama (Nyepi); 03-31 and 04-01 Idul Fitri; 04-02..04 and 04-07 cuti
    # bersama: the first working day is 04-08.
    days = calendar.working_days(date(2025, 3, 28), 3)
    assert [d.isoformat() for d in days] == ["2025-04-08", "2025-04-09", "2025-04-10"]
    # Christmas 2026 (24 cuti bersama, 25 Natal) and New Year 2027 across the year boundary.
    days = calendar.working_days(date(2026, 12, 24), 5)
    assert [d.isoformat() for d in days] == [
        "2026-12-28",
        "2026-12-29",
        "2026-12-30",
        "2026-12-31",
        "2027-01-04",
    ]


def test_holidays_package_knows_christmas_and_cuti_bersama(libur):
    assert "Natal" in libur[date(2026, 12, 25)]
    assert date(2026, 8, 17) in libur  # Hari Kemerdekaan
    assert "Cuti Bersama" in libur[date(2026, 12, 24)]
    assert date(2026, 12, 24) not in calendar.indonesian_holidays(2026, cuti_bersama=False)


def test_working_days_skip_weekends_and_holidays(libur):
    # Thu 24 Dec (cuti bersama), Fri 25 (Natal), Sat 26, Sun 27 are skipped.
    assert calendar.working_days(date(2026, 12, 23), 3, holidays=libur) == [
        date(2026, 12, 23),
        date(2026, 12, 28),
        date(2026, 12, 29),
    ]
    assert calendar.working_days(date(2026, 12, 5), 1, holidays={}) == [MON]
