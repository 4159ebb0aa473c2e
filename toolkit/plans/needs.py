"""Needs: scale scores turned into "how much support this student or profile needs, and where".

Plans and the scaling study both ask the same question of a score table: which constructs are a
student's largest growth areas, and which ones does a profile's template focus on? The answer
lives here so both stages use one definition.

A need score is a standardised score oriented so that higher means more need::

    need = -(x - mean) / sd   for constructs where a high score is good (interest, self-efficacy)
    need = +(x - mean) / sd   for constructs where a high score is a need (test anxiety)

with mean and sd (ddof=1) taken over a reference group, by default all students scored.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..codebook import Codebook
from ..errors import ToolkitError

__all__ = ["need_scores", "growth_areas", "profile_focus", "profile_strengths", "mask_preferences", "voice_tags",
           "VOICE_TAGS"]


def need_scores(scores: pd.DataFrame, codebook: Codebook, *, reference: pd.DataFrame | None = None) -> pd.DataFrame:
    """Standardise scale scores so that higher means more need.

    Parameters
    ----------
    scores : DataFrame
        One row per student, one column per construct key (other columns are ignored).
    codebook : Codebook
        Says which constructs are "higher is better".
    reference : DataFrame, optional
        Whose mean and standard deviation define the standard; default ``scores``.

    Returns
    -------
    DataFrame
        Same index as ``scores``, one column per construct in codebook order.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sample import SAMPLE_CODEBOOK
    >>> from toolkit.codebook import parse_codebook
    >>> cb = parse_codebook(SAMPLE_CODEBOOK)
    >>> s = pd.DataFrame({k: [1.0, 3.0, 5.0] for k in cb.construct_keys})
    >>> need_scores(s, cb)[["interest", "test_anxiety"]].round(1).to_numpy().tolist()
    [[1.0, -1.0], [-0.0, 0.0], [-1.0, 1.0]]
    """
    keys = list(codebook.construct_keys)
    missing = [k for k in keys if k not in scores.columns]
    if missing:
        raise ToolkitError(
            f"the score table has no column for construct(s) {', '.join(missing)}. "
            f"Score the responses with the same codebook (toolkit score) and try again."
        )
    ref = scores if reference is None else reference
    x = scores[keys].astype(float)
    mean = ref[keys].astype(float).mean()
    sd = ref[keys].astype(float).std(ddof=1).replace(0.0, np.nan)
    sign = pd.Series({c.key: (-1.0 if c.higher_is_better else 1.0) for c in codebook.constructs})
    return (x - mean) / sd * sign[keys]


def growth_areas(needs: pd.DataFrame, n: int = 2, *, min_need: float = 0.0) -> pd.Series:
    """Each student's ``n`` largest needs, largest first.

    Parameters
    ----------
    needs : DataFrame
        From :func:`need_scores`.
    n : int, default=2
        How many growth areas per student.
    min_need : float, default=0.0
        Only constructs with a need above this count (0 = below the average student).

    Returns
    -------
    Series of tuple of str
        Indexed like ``needs``; a student with no need above ``min_need`` gets an empty tuple.
        Ties are broken by codebook (column) order, so the result is deterministic.
    """
    values = needs.to_numpy(dtype=float)
    cols = np.array(needs.columns)
    # argsort of the negated values with a stable sort keeps column order among ties;
    # NaN (a construct the student did not answer) sorts last and never counts as a need.
    filled = np.where(np.isnan(values), -np.inf, values)
    order = np.argsort(-filled, axis=1, kind="stable")[:, :n]
    top = np.take_along_axis(filled, order, axis=1)
    out = [tuple(cols[o][t > min_need]) for o, t in zip(order, top)]
    return pd.Series(out, index=needs.index, name="growth_areas", dtype=object)


def profile_focus(needs: pd.DataFrame, profile: pd.Series, n_focus: int = 3, *, min_need: float = 0.0) -> dict[int, tuple[str, ...]]:
    """The focus areas of each profile's template: its largest mean needs.

    Parameters
    ----------
    needs : DataFrame
        From :func:`need_scores`, one row per student.
    profile : Series
        Each student's profile (same index as ``needs``).
    n_focus : int, default=3
        At most this many focus areas per profile.
    min_need : float, default=0.0
        A construct is a focus area only if the profile's mean need is above this.

    Returns
    -------
    dict
        Profile -> tuple of construct keys, largest need first.
    """
    means = needs.groupby(profile.reindex(needs.index)).mean()
    return {int(k): tuple(row.sort_values(ascending=False, kind="stable").loc[lambda r: r > min_need].index[:n_focus])
            for k, row in means.iterrows()}


def profile_strengths(needs: pd.DataFrame, profile: pd.Series, n_strengths: int = 2) -> dict[int, tuple[str, ...]]:
    """Each profile's strengths: its lowest mean needs below zero (at most ``n_strengths``)."""
    means = needs.groupby(profile.reindex(needs.index)).mean()
    return {int(k): tuple(row.sort_values(kind="stable").loc[lambda r: r < 0].index[:n_strengths])
            for k, row in means.iterrows()}


def mask_preferences(needs: pd.DataFrame, codebook: Codebook, preference_tags) -> pd.DataFrame:
    """Need scores with preferences kept as strengths only: a low preference is not a need.

    For each construct whose tag is in ``preference_tags`` (``StrategyLibrary.preference_tags``,
    e.g. collaboration), positive needs (a preference below the average) are set to 0; negative
    ones (a strong preference, something to build on) are kept. A stated preference is not a
    "learning style" to match, and preferring to work alone is not a deficit.

    Parameters
    ----------
    needs : DataFrame
        From :func:`need_scores`.
    codebook : Codebook
    preference_tags : iterable of str

    Returns
    -------
    DataFrame
        A copy of ``needs``; NaN stays NaN.
    """
    prefs = set(preference_tags)
    out = needs.copy()
    for c in codebook.constructs:
        if c.tag in prefs and c.key in out.columns:
            col = out[c.key]
            out[c.key] = col.where(col.isna() | (col <= 0), 0.0)
    return out


#: What a student's own words say about a tag, for linking their goal (and what helps them) to
#: strategies. Lower-case word stems, matched on word starts; the first tags are the main ones.
VOICE_TAGS = (
    (("nervous", "anxi", "worr", "calm", "stress", "panic", "scared", "relax"), ("test_anxiety",)),
    (("ask for help", "ask questions", "ask a question", "ask the teacher", "asking", "help when",
      "without everyone watching", "stuck"), ("help_seeking",)),
    (("on time", "deadline", "hand in", "every assignment", "homework", "organis", "organiz", "plan my",
      "every day", "a little each", "cramming", "schedule"), ("time_management", "effort_regulation")),
    (("keep going", "focus", "concentrat", "give up", "effort", "work harder", "try harder", "study more",
      "revis", "study a little"), ("effort_regulation",)),
    (("grade", "a b ", "b or better", "pass", "marks", "score", "unit test", "get better at", "do well",
      "improve"), ("effort_regulation", "self_efficacy")),
    (("confiden", "believe in", "sure i can", "i can do", "good at"), ("self_efficacy",)),
    (("group", "partner", "classmate", "with others", "speak up", "together", "team"), ("collaboration",)),
    (("understand", "not just memoris", "not just memoriz", "make sense"), ("metacognition",)),
    (("interest", "enjoy", "fun", "why the topic matters", "matters", "useful", "boring"), ("interest",)),
    (("read",), ("reading",)),
    (("belong", "fit in", "friends", "lonely"), ("belonging",)),
)


def voice_tags(text: str) -> tuple[str, ...]:
    """The tags a student's own words speak to, in :data:`VOICE_TAGS` order (may be empty).

    Examples
    --------
    >>> voice_tags("Feel less nervous in tests")
    ('test_anxiety',)
    >>> voice_tags("Hand in every assignment on time")
    ('time_management', 'effort_regulation')
    """
    low = " " + " ".join(str(text or "").casefold().split()) + " "
    out: list[str] = []
    for stems, tags in VOICE_TAGS:
        if any((" " + s) in low or (s.startswith(" ") and s in low) for s in stems):
            out += [t for t in tags if t not in out]
    return tuple(out)
