"""Problems of an import (geo.intake.problems): the table of problems, masked throughout."""

from __future__ import annotations

from geo.intake.problems import problems_to_frame
from geo.intake.realisasi import read_realisasi
from geo.intake.roster import read_roster
from tests.intake.builders import (
    DATA,
    ROSTER_HEADER,
    assert_no_full_nik,
    csv_bytes,
    roster_row,
)


def test_problems_frame_and_masking_through_the_whole_roster(index):
    rows = [ROSTER_HEADER, roster_row(1, NIK="6.40201E+15"), roster_row(2, KECAMATAN="Atlantis")]
    result = read_roster(csv_bytes(rows), filename="r.csv", index=index)
    frame = problems_to_frame(result.problems)
    assert list(frame.columns) == ["file", "row", "column", "value", "reason"]
    assert frame["row"].tolist() == [2, 3]
    assert not frame.astype(str).apply(lambda c: c.str.contains(r"\d{16}")).any().any()


def test_checked_in_messy_fixtures(index):
    """The small files under tests/data/messy import with their problems reported."""
    roster = read_roster(
        (DATA / "roster_messy.csv").read_bytes(), filename="roster_messy.csv", index=index
    )
    real = read_realisasi(
        (DATA / "realisasi_messy.csv").read_bytes(), filename="realisasi_messy.csv", index=index
    )
    assert roster.rows_imported > 0 and real.rows_imported > 0
    assert roster.problems and real.problems
    assert_no_full_nik(roster.problems + real.problems)
