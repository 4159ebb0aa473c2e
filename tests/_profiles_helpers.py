"""Shared helpers for the profile tests: scale scores of the bundled sample, computed by hand.

The scores come from tests/_sample_data.py (not through ``toolkit.scoring``), so the profile tests
do not depend on another stage.
"""

from __future__ import annotations

from _sample_data import sample_codebook, sample_scale_scores, sample_true_profile


def sample_scores():
    """Return ``(scores, true_profile, codebook)`` for wave 1 of the bundled sample (copies)."""
    scores = sample_scale_scores()
    return scores, sample_true_profile(scores.index), sample_codebook()
