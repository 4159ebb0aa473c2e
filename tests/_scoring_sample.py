"""The sample's ``responses`` table for the scoring tests (see tests/_sample_data.py)."""

from __future__ import annotations

import pandas as pd

from _sample_data import SAMPLE_CODEBOOK_PATH, SAMPLE_EXPORT_PATH, responses_from_export
from _sample_data import sample_responses as _wave1_responses


def sample_codebook_text() -> str:
    return SAMPLE_CODEBOOK_PATH.read_text(encoding="utf-8")


def sample_responses(codebook=None) -> pd.DataFrame:
    """The sample export as a ``responses`` DataFrame, read with ``codebook`` (default the sample's)."""
    if codebook is None:
        return _wave1_responses()
    raw = pd.read_csv(SAMPLE_EXPORT_PATH, dtype=str, keep_default_na=False)
    return responses_from_export(raw, codebook)
