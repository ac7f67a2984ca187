"""Where things are, for tests in any folder under tests/ (unit/ or functional/)."""

from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
DATA = TESTS / "data"
HELPERS = TESTS / "helpers"
