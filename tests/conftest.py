"""Shared test fixtures: paths of the project, the bundled sample and the shared reference data."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "data" / "sample"
#: Real reference data lives beside the project (../shared/data), never copied into it.
SHARED_DATA = ROOT.parent / "shared" / "data"
#: The shared helper modules (``_sample_data``, ``_plans_sample``, ...) and test data sit beside this
#: file; the tests themselves are in one folder per pipeline stage (tests/privacy/, tests/profiles/, ...).
TESTS = ROOT / "tests"
#: Small public data sets copied into the project, each with its source (tests/data/*/README.md).
TEST_DATA = TESTS / "data"
#: The R scripts and their outputs the pinned numbers came from (tests/r_reference/README.md).
R_REFERENCE = TESTS / "r_reference"
#: The public Mplus anchor of ../shared/data (see its README).
PISA = SHARED_DATA / "pisaUSA15.csv"


@pytest.fixture(scope="session")
def pisa_all():
    """The public Mplus anchor, "NA" read as missing (shared by the tests: do not modify it)."""
    import pandas as pd

    if not PISA.is_file():
        pytest.skip(f"reference data {PISA} not found (CI clones shared/ beside the repo)")
    return pd.read_csv(PISA, na_values="NA")


@pytest.fixture(scope="session")
def pisa500(pisa_all):
    """Rows 1-500 of the anchor, as ../shared/data/README.md's Mplus runs read them."""
    return pisa_all.iloc[:500]


@pytest.fixture(scope="session")
def pisa488(pisa500):
    """Rows 1-500 without the rows missing all four values: the Mplus sample (n = 488)."""
    df = pisa500.dropna(how="all")
    assert len(df) == 488
    return df


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return SAMPLE_DIR


@pytest.fixture(scope="session")
def sample_codebook():
    from toolkit import load_codebook

    return load_codebook(SAMPLE_DIR / "codebook.yml")


@pytest.fixture(autouse=True)
def _isolated_key_file(tmp_path_factory, monkeypatch):
    """Never touch the developer's real pseudonym key: every test gets its own key location."""
    monkeypatch.setenv("TOOLKIT_KEY_FILE", str(tmp_path_factory.mktemp("key") / "pseudonym.key"))
