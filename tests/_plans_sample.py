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

from _sample_data import sample_codebook, sample_responses, sample_true_profile, scale_scores
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
    responses = sample_responses()
    cb = sample_codebook()
    index = pd.Index([f"S-{i:03d}" for i in range(len(responses))], name="pseudonym")  # stand-in pseudonyms
    out = scale_scores(responses, cb).set_axis(index)
    voice = responses[list(cb.voice_columns)].set_axis(index)
    profile = pd.Series(sample_true_profile(responses.index).to_numpy(), index=index, name="profile")
    return out, profile, voice, cb


def sample_inputs():
    """``(scores, true_profile, voice, codebook)`` of wave 1 of the bundled sample (copies).

    The index is a stand-in pseudonym ``S-000``...; ``voice`` holds the raw free text (with the
    planted identifiers: scrub it before it goes into a file).
    """
    scores, profile, voice, cb = _sample()
    return scores.copy(), profile.copy(), voice.copy(), cb
