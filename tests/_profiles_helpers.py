"""Shared helpers for the profile tests: scale scores of the bundled sample, computed by hand.

The scores are computed here from ``data/sample`` directly (not through ``toolkit.scoring``), so
the profile tests do not depend on another stage: answer labels map to 1..5 through the
codebook, reverse-keyed items become ``min + max - x``, a construct's score is the mean of its
answered items, and a duplicated Student ID keeps its last submission.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from toolkit.codebook import load_codebook
from toolkit.config import SAMPLE_DIR


@functools.lru_cache(maxsize=1)
def _sample_scores_cached():
    cb = load_codebook(SAMPLE_DIR / "codebook.yml")
    raw = pd.read_csv(SAMPLE_DIR / "survey_export.csv", dtype=str, keep_default_na=False)
    raw = raw.drop_duplicates(subset=[cb.id_column], keep="last")
    scores = {}
    for construct in cb.constructs:
        cols = []
        for item in construct.items:
            codes = {label: v for label, v in zip(item.scale.labels, item.scale.values)}
            x = raw[item.column].map(lambda s: codes.get(s, np.nan)).astype(float)
            cols.append(item.scale.reverse(x) if item.reverse else x)
        scores[construct.key] = pd.concat(cols, axis=1).mean(axis=1, skipna=True)
    out = pd.DataFrame(scores)
    out.index = pd.Index(raw[cb.id_column].to_numpy(), name="pseudonym")
    truth = pd.read_csv(SAMPLE_DIR / "truth.csv").set_index("student_id")
    return out, truth.loc[out.index, "profile"], cb


def sample_scores():
    """Return ``(scores, true_profile, codebook)`` for wave 1 of the bundled sample (copies)."""
    scores, truth, cb = _sample_scores_cached()
    return scores.copy(), truth.copy(), cb
