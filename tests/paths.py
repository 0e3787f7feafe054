"""Where the tests find their files: the project, ../shared/boundaries and tests/data."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_BOUNDARIES = ROOT.parent / "shared" / "boundaries"
TEST_DATA = ROOT / "tests" / "data"
