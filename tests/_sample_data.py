"""The bundled sample as the later stages see it, built by hand for the tests.

A stage's tests must not depend on the stages before it, so these tables are made here directly
from ``data/sample``: answer labels become numbers through the codebook, a duplicated Student ID
keeps its last submission, and the Student ID stands in for the pseudonym. Scale scores are the
mean of the answered items after reverse keying (``min + max - x``), computed here and not
through ``toolkit.scoring``.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from toolkit.codebook import Codebook, load_codebook
from toolkit.config import SAMPLE_DIR

SAMPLE_CODEBOOK_PATH = SAMPLE_DIR / "codebook.yml"
SAMPLE_EXPORT_PATH = SAMPLE_DIR / "survey_export.csv"
EXPORTS = {1: SAMPLE_EXPORT_PATH, 2: SAMPLE_DIR / "survey_export_wave2.csv"}


def responses_from_export(raw: pd.DataFrame, cb: Codebook) -> pd.DataFrame:
    """A de-identified-like ``responses`` table (index ``pseudonym``) from an export's text."""
    raw = raw.drop_duplicates(subset=[cb.id_column], keep="last")
    out = pd.DataFrame(index=pd.Index(raw[cb.id_column].to_numpy(dtype=object), name="pseudonym"))
    for col in cb.group_columns:
        out[col] = raw[col].to_numpy(dtype=object)
    for item in cb.items:
        codes = {label: float(v) for label, v in zip(item.scale.labels, item.scale.values)}
        out[item.id] = raw[item.column].map(lambda s: codes.get(s, np.nan)).to_numpy(dtype=float)
    for key, col in cb.voice_columns.items():
        out[key] = raw[col].to_numpy(dtype=object)
    return out


def scale_scores(responses: pd.DataFrame, cb: Codebook, *, groups: bool = False) -> pd.DataFrame:
    """Mean of the answered items per construct (reverse keyed); group columns first if asked."""
    out = responses[list(cb.group_columns)].copy() if groups else pd.DataFrame(index=responses.index)
    for c in cb.constructs:
        block = np.column_stack(
            [item.scale.reverse(responses[item.id]) if item.reverse else responses[item.id] for item in c.items]
        ).astype(float)
        answered = (~np.isnan(block)).sum(axis=1)
        out[c.key] = np.where(answered > 0, np.nansum(block, axis=1) / np.maximum(answered, 1), np.nan)
    return out


@functools.lru_cache(maxsize=1)
def sample_codebook() -> Codebook:
    return load_codebook(SAMPLE_CODEBOOK_PATH)


@functools.lru_cache(maxsize=2)
def _responses(wave: int) -> pd.DataFrame:
    raw = pd.read_csv(EXPORTS[wave], dtype=str, keep_default_na=False)
    return responses_from_export(raw, sample_codebook())


def sample_responses(wave: int = 1) -> pd.DataFrame:
    """The sample's ``responses`` table of one wave (a copy)."""
    return _responses(wave).copy()


def sample_scale_scores(wave: int = 1, *, groups: bool = False) -> pd.DataFrame:
    """The sample's scale scores of one wave (index ``pseudonym``; group columns if asked)."""
    return scale_scores(_responses(wave), sample_codebook(), groups=groups)


@functools.lru_cache(maxsize=1)
def _truth() -> pd.DataFrame:
    return pd.read_csv(SAMPLE_DIR / "truth.csv").set_index("student_id")


def sample_true_profile(index: pd.Index, wave: int = 1) -> pd.Series:
    """The true profile of each student in ``index`` (Student IDs)."""
    column = "profile" if wave == 1 else "profile_wave2"
    return _truth().loc[index, column].copy()
