"""The non-circular benefit measure, validated against the sample generator's latent truth (issue 13)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit import parse_codebook
from toolkit import sample as gen
from toolkit.plans.needs import growth_areas, need_scores, profile_focus
from toolkit.scaling.benefit import expected_benefit, realised_benefit


def _alpha(x: np.ndarray) -> float:
    k = x.shape[1]
    return k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))


def _simulate(n=1500, seed=3):
    """Latent traits, answers and scale scores drawn as toolkit.sample draws them."""
    rng = np.random.default_rng(seed)
    shares = np.array([gen.PROFILES[k][1] for k in sorted(gen.PROFILES)])
    profile = 1 + rng.choice(len(shares), size=n, p=shares / shares.sum())
    means = np.array([gen.PROFILES[k][2] for k in sorted(gen.PROFILES)])
    traits = means[profile - 1] + rng.normal(0.0, gen._TRAIT_SD, size=(n, len(gen.CONSTRUCTS)))
    idx = pd.Index([f"S{i}" for i in range(n)], name="pseudonym")
    scores, rel = {}, {}
    for c, key in enumerate(gen.CONSTRUCTS):
        items = []
        for _, _, rev in gen.ITEMS[key]:
            latent = (-traits[:, c] if rev else traits[:, c]) + gen._ITEM_SHIFT
            a = 1 + np.searchsorted(gen._CUTS, latent + rng.normal(0.0, gen._ITEM_SD, size=n)).astype(float)
            items.append(6 - a if rev else a)
        x = np.column_stack(items)
        scores[key], rel[key] = x.mean(axis=1), _alpha(x)
    return pd.DataFrame(scores, index=idx), pd.DataFrame(traits, index=idx, columns=gen.CONSTRUCTS), rel, \
        pd.Series(profile, index=idx)


def _plans(needs, profile):
    observed = growth_areas(needs, n=2)
    focus = profile_focus(needs, profile, n_focus=3, min_need=0.2)
    personal = growth_areas(needs, n=2, min_need=0.5)
    templated = {}
    for i in needs.index:
        f = set(focus.get(int(profile[i]), ()))
        added = next((a for a in personal[i] if a not in f), None)
        templated[i] = frozenset(f | ({added} if added else set()))
    return {"none": {i: frozenset() for i in needs.index},
            "individual": {i: frozenset(observed[i]) for i in needs.index},
            "templated": templated,
            "everything": {i: frozenset(needs.columns) for i in needs.index}}


def test_expected_benefit_agrees_with_the_latent_truth_for_every_way():
    cb = parse_codebook(gen.SAMPLE_CODEBOOK)
    scores, traits, rel, profile = _simulate()
    needs = need_scores(scores, cb)
    better = {c.key: c.higher_is_better for c in cb.constructs}
    z = (traits - traits.mean()) / traits.std()
    true_needs = pd.DataFrame({c: (-z[c] if better[c] else z[c]) for c in needs.columns})
    plans = _plans(needs, profile)
    est = expected_benefit(needs, plans, rel, n_draws=60, random_state=0).set_index("way")
    real = realised_benefit(true_needs, plans).set_index("way")
    for way in ("individual", "templated", "everything"):
        assert est.loc[way, "recall"] == pytest.approx(real.loc[way, "recall"], abs=0.06), way
        assert est.loc[way, "precision"] == pytest.approx(real.loc[way, "precision"], abs=0.06), way
    assert est.loc["none", "recall"] == 0.0
    # Not circular: an individual plan written from a noisy survey does not score 1, and listing
    # everything has recall 1 but a poor precision.
    assert real.loc["individual", "recall"] < 0.95 and est.loc["individual", "recall"] < 0.95
    assert est.loc["everything", "recall"] == pytest.approx(1.0)
    assert est.loc["everything", "precision"] < est.loc["individual", "precision"]
