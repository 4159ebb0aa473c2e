"""Plain-language profile names from standardised profile means.

A profile is described by the constructs on which its mean stands out from the whole sample:
"High interest, low self-efficacy". Standing out is measured in standard units of the whole
sample (z = (profile mean - sample mean) / sample SD), with fixed, documented thresholds:

===============  ===================  ==========================================
 z               word                 meaning
===============  ===================  ==========================================
 z >= 1.0        "very high"          at least one sample SD above the mean
 0.5 <= z < 1.0  "high"               half an SD or more above the mean
 -0.5 < z < 0.5  (not named)          within half an SD: average
 -1.0 < z <= -.5 "low"                half an SD or more below the mean
 z <= -1.0       "very low"           at least one sample SD below the mean
===============  ===================  ==========================================

Half a standard deviation is Cohen's (1988) "medium" standardised difference, the usual
threshold for describing a profile indicator as high or low in the LPA literature; one SD marks
"very". At most ``max_terms`` constructs (default 2), the most extreme first, are named. A
profile with no construct beyond +/-0.5 SD is "Average on all constructs". When two profiles
would get the same name, the next most extreme construct is added, and if they still clash the
profile number is appended, so names are always unique.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["HIGH", "VERY_HIGH", "profile_names", "standardised_means"]

#: |z| at or above which a construct is called "high"/"low".
HIGH = 0.5
#: |z| at or above which a construct is called "very high"/"very low".
VERY_HIGH = 1.0


def standardised_means(means, data):
    """Profile means in standard units of the whole sample.

    Parameters
    ----------
    means : DataFrame of shape (n_profiles, n_constructs)
        Profile means, index the profile number, columns the constructs.
    data : DataFrame
        The students' scores the profiles were fitted on (same columns); its observed values
        give the sample mean and SD (ddof=1) of each construct.

    Returns
    -------
    DataFrame
        ``(means - sample mean) / sample SD``, same shape as ``means``; a construct with SD 0
        gets z = 0.
    """
    cols = list(means.columns)
    ref = pd.DataFrame(data)[cols].astype(float)
    mu = ref.mean(axis=0, skipna=True)
    sd = ref.std(axis=0, skipna=True, ddof=1)
    sd = sd.where(sd > 0)
    z = (means[cols].astype(float) - mu) / sd
    return z.fillna(0.0)


def _label(column, labels):
    if labels and column in labels:
        text = str(labels[column])
    else:
        text = str(column).replace("_", " ")
    return text[:1].lower() + text[1:] if not text[:2].isupper() else text


def _word(z):
    if z >= VERY_HIGH:
        return "very high"
    if z >= HIGH:
        return "high"
    if z <= -VERY_HIGH:
        return "very low"
    if z <= -HIGH:
        return "low"
    return None


def _terms(zrow, labels):
    """(word, label) of every construct beyond the threshold, most extreme first."""
    order = np.argsort(-np.abs(zrow.to_numpy()), kind="stable")
    out = []
    for j in order:
        w = _word(float(zrow.iloc[j]))
        if w is not None:
            out.append(f"{w} {_label(zrow.index[j], labels)}")
    return out


def _sentence(terms):
    if not terms:
        return "Average on all constructs"
    text = ", ".join(terms)
    return text[:1].upper() + text[1:]


def profile_names(means, data, *, labels=None, max_terms=2):
    """Name each profile by the constructs on which it is high or low.

    Parameters
    ----------
    means : DataFrame of shape (n_profiles, n_constructs)
        Profile means (index profile 1..K, columns constructs), e.g. ``ProfileSolution.means``.
    data : DataFrame
        The scores the profiles were fitted on; z-scores are relative to the whole sample.
    labels : dict, optional
        Construct column -> readable label (e.g. from the codebook: ``{c.key: c.label}``);
        without it, underscores become spaces.
    max_terms : int, default=2
        Most constructs named per profile (more are added only to break a tie).

    Returns
    -------
    dict
        Profile -> name, e.g. ``{1: "High interest, low self-efficacy", ...}``; names are unique.

    Notes
    -----
    Thresholds (module docstring): ``|z| >= 0.5`` high/low, ``|z| >= 1.0`` very high/very low,
    with z relative to the whole sample's mean and SD.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"interest": [1.0, 2, 3, 4, 5], "self_efficacy": [5.0, 4, 3, 2, 1]})
    >>> means = pd.DataFrame({"interest": [5.0, 2.0], "self_efficacy": [3.5, 4.0]}, index=[1, 2])
    >>> profile_names(means, data, labels={"self_efficacy": "Self-efficacy"})
    {1: 'Very high interest', 2: 'Low interest, high self-efficacy'}
    """
    if max_terms < 1:
        raise ValueError(f"max_terms={max_terms} should be >= 1")
    z = standardised_means(means, data)
    all_terms = {p: _terms(z.loc[p], labels) for p in z.index}
    n_used = {p: min(max_terms, len(t)) for p, t in all_terms.items()}
    names = {p: _sentence(all_terms[p][: n_used[p]]) for p in z.index}
    # break ties: add the next most extreme construct while it helps, then the profile number
    for _ in range(len(means.columns)):
        seen = {}
        for p, nm in names.items():
            seen.setdefault(nm, []).append(p)
        clashes = [ps for ps in seen.values() if len(ps) > 1]
        if not clashes:
            break
        grew = False
        for ps in clashes:
            for p in ps:
                if n_used[p] < len(all_terms[p]):
                    n_used[p] += 1
                    names[p] = _sentence(all_terms[p][: n_used[p]])
                    grew = True
        if not grew:
            break
    seen = {}
    for p, nm in names.items():
        seen.setdefault(nm, []).append(p)
    for nm, ps in seen.items():
        if len(ps) > 1:
            for p in ps:
                names[p] = f"{nm} (profile {p})"
    return {int(p): nm for p, nm in names.items()}
