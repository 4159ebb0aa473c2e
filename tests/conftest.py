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
