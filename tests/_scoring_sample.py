"""Build the de-identified ``responses`` table from the committed sample, for the scoring tests.

The io and privacy stages make this table in the pipeline; the scoring tests build it here on
their own so they do not depend on those stages: answer labels -> 1..5 with the codebook, export
headers -> item ids, duplicate Student IDs dropped keeping the last submission, the Student ID as
the index renamed ``pseudonym``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.codebook import load_codebook
from toolkit.config import SAMPLE_DIR

SAMPLE_CODEBOOK_PATH = SAMPLE_DIR / "codebook.yml"
SAMPLE_EXPORT_PATH = SAMPLE_DIR / "survey_export.csv"


def sample_codebook_text() -> str:
    return SAMPLE_CODEBOOK_PATH.read_text(encoding="utf-8")


def sample_responses(codebook=None) -> pd.DataFrame:
    """The sample export as a ``responses`` DataFrame (index ``pseudonym``)."""
    cb = codebook if codebook is not None else load_codebook(SAMPLE_CODEBOOK_PATH)
    raw = pd.read_csv(SAMPLE_EXPORT_PATH, dtype=str, keep_default_na=False)
    raw = raw.drop_duplicates(subset=cb.id_column, keep="last")
    out = pd.DataFrame(index=pd.Index(raw[cb.id_column].to_numpy(dtype=object), name="pseudonym"))
    for col in cb.group_columns:
        out[col] = raw[col].to_numpy()
    for item in cb.items:
        codes = {label: float(item.scale.min + k) for k, label in enumerate(item.scale.labels)}
        answers = raw[item.column].map(lambda s: codes.get(s, np.nan))
        out[item.id] = answers.to_numpy(dtype=float)
    for key, col in cb.voice_columns.items():
        out[key] = raw[col].to_numpy()
    return out
