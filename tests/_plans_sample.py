"""Shared pieces of the plans tests: the bundled sample's scores and a stand-in profile solution.

The plans stage must not depend on the profile analysis landing, so the tests build the solution
from the sample's TRUE profiles (data/sample/truth.csv) in :class:`TrueSolution`, a frozen
dataclass with the attributes plans read (``assignments``, ``means``, ``names``, ``n_profiles``).
Scores are computed here by hand from the export (labels -> 1..5, reverse keying, item means, the
last submission of a duplicated student), not through ``toolkit.scoring``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from toolkit.codebook import load_codebook
from toolkit.config import SAMPLE_DIR
from toolkit.sample import PROFILES


@dataclass(frozen=True)
class TrueSolution:
    """A profile solution made from the sample's true profiles."""

    assignments: pd.DataFrame
    means: pd.DataFrame
    names: dict
    n_profiles: int


def true_solution(scores: pd.DataFrame, profile: pd.Series, certainty: float | pd.Series = 0.95) -> TrueSolution:
    """Assignments (profile, certainty, p1..p4) and means of the true profiles of ``scores``' students."""
    profile = profile.reindex(scores.index).astype(int)
    a = pd.DataFrame({"profile": profile, "certainty": certainty}, index=scores.index.copy())
    for k in sorted(PROFILES):
        a[f"p{k}"] = np.where(profile == k, a["certainty"], (1 - a["certainty"]) / (len(PROFILES) - 1))
    means = scores.groupby(profile).mean()
    return TrueSolution(a, means, {k: PROFILES[k][0] for k in PROFILES}, len(PROFILES))


@functools.lru_cache(maxsize=1)
def _sample():
    cb = load_codebook(SAMPLE_DIR / "codebook.yml")
    raw = pd.read_csv(SAMPLE_DIR / "survey_export.csv", dtype=str, keep_default_na=False)
    raw = raw.drop_duplicates(subset=[cb.id_column], keep="last")
    scores = {}
    for construct in cb.constructs:
        cols = []
        for item in construct.items:
            codes = dict(zip(item.scale.labels, item.scale.values))
            x = raw[item.column].map(lambda s: codes.get(s, np.nan)).astype(float)
            cols.append(item.scale.reverse(x) if item.reverse else x)
        scores[construct.key] = pd.concat(cols, axis=1).mean(axis=1, skipna=True)
    index = pd.Index([f"S-{i:03d}" for i in range(len(raw))], name="pseudonym")  # stand-in pseudonyms
    out = pd.DataFrame(scores).set_axis(index)
    voice = pd.DataFrame({k: raw[q].to_numpy() for k, q in cb.voice_columns.items()}, index=index)
    truth = pd.read_csv(SAMPLE_DIR / "truth.csv").set_index("student_id")
    profile = pd.Series(truth.loc[raw[cb.id_column], "profile"].to_numpy(), index=index, name="profile")
    return out, profile, voice, cb


def sample_inputs():
    """``(scores, true_profile, voice, codebook)`` of wave 1 of the bundled sample (copies).

    The index is a stand-in pseudonym ``S-000``...; ``voice`` holds the raw free text (with the
    planted identifiers: scrub it before it goes into a file).
    """
    scores, profile, voice, cb = _sample()
    return scores.copy(), profile.copy(), voice.copy(), cb
