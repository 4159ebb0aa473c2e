"""Do the templates travel? Profiles carried across groups (transfer) and across waves (transitions).

Transfer compares, for a held-out group, the profiles of a model fitted on everyone else with
the group's own fit: the adjusted Rand index (label-free), the agreement after aligning the two
solutions' profiles (Hungarian matching on the distance between profile means), the mean
log-likelihood per student of the group under the transferred model and under its own model,
and the mean distance between matched profile means (in score units).

Transitions join a second wave to the first by pseudonym, after
:func:`toolkit.privacy.check_wave_link` has checked that the two waves were de-identified with the
same key (a mostly unmatched second wave is an error naming the counts and what to do).

Small groups
------------
The group-level tables pass through :func:`toolkit.suppression.suppress` (the one gate for what
leadership sees): in ``transfer`` a held-out group under ``min_cell`` students is not fitted and
its statistics are blank, and the counts ``n``/``n_train`` are suppressed; in ``transitions``
the K x K counts with their margins are suppressed (counts become text, hidden cells read
"hidden"), and ``stayed``/``changed`` are hidden with the diagonal cell they come from. Notes
never name a small group or give its size. ``min_cell=0`` turns suppression off, for a teacher's
own use only.

References
----------
.. [1] Hubert, L., & Arabie, P. (1985). Comparing partitions. Journal of Classification, 2,
   193-218.
"""

from __future__ import annotations

import warnings
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score
from sklearn.utils import check_random_state

from ..config import MIN_CELL
from ..errors import user_error
from ..profiles import align_profiles
from ..suppression import HIDDEN as _HIDDEN, suppress

__all__ = ["ProfileFit", "fit_lpa", "transfer_table", "transition_table", "link_waves"]


@dataclass(frozen=True)
class ProfileFit:
    """A fitted profile solution in the shape the study reads (that of ``ProfileSolution``).

    For a ``fit`` callable built on another estimator (k-means, a scikit-learn mixture):
    ``ProfileFit.from_model(estimator, data)``.

    Attributes
    ----------
    assignments : DataFrame
        Index as the data; ``profile`` (1..K), ``certainty`` (largest posterior), ``p1..pK``.
    means : DataFrame
        Index profile 1..K, one column per construct.
    model : estimator
        Fitted, with ``predict_proba``, ``score_samples`` and ``means_``.
    """

    assignments: pd.DataFrame
    means: pd.DataFrame
    model: object

    @classmethod
    def from_model(cls, model, data: pd.DataFrame) -> "ProfileFit":
        """Assignments and means of a fitted estimator with ``predict_proba`` and ``means_``."""
        proba = np.asarray(model.predict_proba(data), dtype=float)
        k = proba.shape[1]
        assignments = pd.DataFrame(proba, index=data.index, columns=[f"p{j}" for j in range(1, k + 1)])
        assignments.insert(0, "certainty", proba.max(axis=1))
        assignments.insert(0, "profile", proba.argmax(axis=1) + 1)
        means = pd.DataFrame(np.asarray(model.means_, dtype=float), index=pd.RangeIndex(1, k + 1, name="profile"),
                             columns=list(data.columns))
        return cls(assignments, means, model)


def fit_lpa(data: pd.DataFrame, n_profiles: int, *, model: int = 1, random_state=None,
            n_starts: int = 20, n_final: int = 4):
    """Fit one latent profile solution with the profile engine, :func:`toolkit.profiles.fit_profiles`.

    The default ``fit`` of :func:`scaling_study`. Missing values are handled by FIML.

    Parameters
    ----------
    data : DataFrame
        One row per student, one column per construct.
    n_profiles : int
    model : int, default=1
        tidyLPA's model number.
    random_state : int, RandomState instance or None
    n_starts, n_final : int
        Random starts, and starts run to convergence (fewer than the engine's defaults: the
        study fits dozens of models, and profiles on a few scales replicate with 20 starts).

    Returns
    -------
    ProfileSolution
        ``.assignments``, ``.means`` and ``.model`` (a fitted ``LatentProfileModel``).
    """
    from ..profiles import fit_profiles  # imported here: the engine is a separate stage

    grid = fit_profiles(data, n_profiles=[int(n_profiles)], models=(int(model),), n_starts=n_starts,
                        n_final=n_final, random_state=random_state)
    return grid.solution(int(model), int(n_profiles))


def _fit_quietly(fit, data, k, model, seed, counter: Counter):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sol = fit(data, k, model=model, random_state=seed)
    for w in caught:
        counter[w.category.__name__] += 1
    return sol


def _align(means_a: pd.DataFrame, means_b: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """A's profiles matched to B's by :func:`toolkit.profiles.align_profiles` (the one alignment rule).

    Returns ``mapping`` (A index -> B index, -1 when unmatched) and the matched distances.
    """
    pairs = align_profiles(means_a.reset_index(drop=True).set_axis(range(1, len(means_a) + 1)),
                           means_b.reset_index(drop=True).set_axis(range(1, len(means_b) + 1)))
    mapping = np.full(len(means_a), -1)
    mapping[pairs["profile_a"].to_numpy() - 1] = pairs["profile_b"].to_numpy() - 1
    return mapping, pairs["distance"].to_numpy()


def _compare(train, own, X_held: pd.DataFrame) -> dict:
    """Compare the transferred solution with the held-out group's own fit."""
    proba = np.asarray(train.model.predict_proba(X_held), dtype=float)
    a = proba.argmax(axis=1)
    b = own.assignments["profile"].reindex(X_held.index).to_numpy() - 1
    mapping, dists = _align(train.means.astype(float), own.means.astype(float))
    return {
        "ari": float(adjusted_rand_score(b, a)),
        "agreement": float(np.mean(mapping[a] == b)),
        "ll_transfer": float(np.mean(train.model.score_samples(X_held))),
        "ll_own": float(np.mean(own.model.score_samples(X_held))),
        "mean_distance": float(np.mean(dists)),
        "max_distance": float(np.max(dists)),
    }


_TRANSFER_STATS = ("ari", "agreement", "ll_transfer", "ll_own", "ll_gap", "mean_distance", "max_distance")


def transfer_table(scores: pd.DataFrame, constructs: Sequence[str], group: str, n_profiles: int, *,
                   fit: Callable, random_state=None, min_cell: int = MIN_CELL, min_per_profile: int = 3,
                   notes: list | None = None, label: str | None = None) -> pd.DataFrame:
    """Leave-one-group-out transfer of a K-profile solution over the groups of one column.

    For each group g (for example a section): fit K profiles on every other student, assign g's
    students with that model, fit g's own K profiles, and compare (see the module docstring).

    Parameters
    ----------
    scores : DataFrame
        Construct columns and the ``group`` column.
    constructs : sequence of str
    group : str
        The grouping column (``"Section"``, ``"Grade"``).
    n_profiles : int
    fit : callable
        ``fit(data, n_profiles, model=..., random_state=...)`` -> solution; see
        :func:`scaling_study`. Pass a ``functools.partial`` to fix the model.
    random_state : int, RandomState instance or None
    min_cell : int, default=10
        Groups with fewer students are not fitted; their statistics are blank.
    min_per_profile : int, default=3
        Nor are groups with fewer than this many students per profile: a group's own K-profile
        fit on a handful of students is noise, not a reference.
    notes : list, optional
        Receives one sentence per reason groups were left blank, with how many: never a group's
        name or its number of students (a small group's label and size stay out of every text).
    label : str, optional
        The grouping's name for the notes (the codebook's label); default the column's name.

    Returns
    -------
    DataFrame
        One row per group: ``grouping, group, n, n_train, ari, agreement, ll_transfer, ll_own,
        ll_gap`` (own minus transfer, per student), ``mean_distance, max_distance``.
    """
    rng = check_random_state(random_state)
    notes = notes if notes is not None else []
    if group not in scores.columns:
        raise user_error("the score table has no such group column", column=group,
                         fix=f"use one of the columns {', '.join(map(str, scores.columns))}")
    labels = scores[group].astype("string")
    name = label or str(group)
    blanks: Counter = Counter()
    rows = []
    for g in sorted(labels.dropna().unique(), key=str):
        held = (labels == g).fillna(False).to_numpy()
        X_held = scores.loc[held, list(constructs)]
        X_rest = scores.loc[~held, list(constructs)]
        row = {"grouping": group, "group": str(g), "n": int(held.sum()), "n_train": int((~held).sum())}
        seeds = rng.randint(0, 2**31 - 1, size=2)
        blank = None
        need = max(min_cell, min_per_profile * n_profiles, n_profiles + 1)
        if row["n"] < need:
            blank = (f"{name}: {{m}} group(s) with fewer than the {need} students needed to fit a group's own "
                     f"{n_profiles} profiles (min_cell={min_cell}, {min_per_profile} per profile) not fitted")
        elif row["n_train"] < n_profiles + 1:
            blank = f"{name}: {{m}} group(s) not fitted, too few students in the other groups"
        if blank is None:
            try:
                train = fit(X_rest, n_profiles, random_state=int(seeds[0]))
                own = fit(X_held, n_profiles, random_state=int(seeds[1]))
                row.update(_compare(train, own, X_held))
                row["ll_gap"] = row["ll_own"] - row["ll_transfer"]
            except (ValueError, np.linalg.LinAlgError) as exc:
                blank = f"{name}: {{m}} group(s) where the profile fit failed ({type(exc).__name__})"
        if blank is not None:
            blanks[blank] += 1
            row.update({s: np.nan for s in _TRANSFER_STATS})
        rows.append(row)
    notes.extend(text.format(m=m) for text, m in blanks.items())
    cols = ["grouping", "group", "n", "n_train", *_TRANSFER_STATS]
    return pd.DataFrame(rows, columns=cols)


def transition_table(wave1: pd.Series, wave2: pd.Series, n_profiles: int) -> pd.DataFrame:
    """Profile transitions from wave 1 to wave 2, joined by pseudonym.

    Parameters
    ----------
    wave1, wave2 : Series
        Profile (1..K) per pseudonym; only students in both are counted.
    n_profiles : int

    Returns
    -------
    DataFrame
        One row per wave-1 profile: ``wave1_profile, n, to_1 .. to_K, stayed, changed,
        share_changed``, then a row ``all``. ``changed`` is the number of plans that would need
        rewriting from another profile's template.

    Examples
    --------
    >>> import pandas as pd
    >>> t = transition_table(pd.Series([1, 1, 2], index=list("abc")), pd.Series([1, 2, 2], index=list("abc")), 2)
    >>> t[["wave1_profile", "n", "to_1", "to_2", "changed"]].to_numpy().tolist()
    [['1', 2, 1, 1, 1], ['2', 1, 0, 1, 0], ['all', 3, 1, 2, 1]]
    """
    joined = pd.concat([wave1.rename("w1"), wave2.rename("w2")], axis=1, join="inner").dropna()
    ks = list(range(1, n_profiles + 1))
    counts = pd.crosstab(joined["w1"].astype(int), joined["w2"].astype(int)).reindex(index=ks, columns=ks, fill_value=0)
    rows = []
    for k in ks:
        r = counts.loc[k]
        rows.append({"wave1_profile": str(k), "n": int(r.sum()),
                     **{f"to_{j}": int(r[j]) for j in ks}, "stayed": int(r[k]), "changed": int(r.sum() - r[k])})
    total = {"wave1_profile": "all", "n": int(counts.to_numpy().sum()),
             **{f"to_{j}": int(counts[j].sum()) for j in ks},
             "stayed": int(np.trace(counts.to_numpy())), "changed": int(counts.to_numpy().sum() - np.trace(counts.to_numpy()))}
    rows.append(total)
    out = pd.DataFrame(rows)
    out["share_changed"] = out["changed"] / out["n"].where(out["n"] > 0)
    return out


def _suppress_counts(table: pd.DataFrame, count_columns: Sequence[str], min_cell: int, **kwargs) -> pd.DataFrame:
    """Pass counts through :func:`toolkit.suppression.suppress`, the one suppression function (counts become text)."""
    return suppress(table, count_columns=list(count_columns), min_cell=min_cell, **kwargs)


def _suppress_transfer(transfer: pd.DataFrame, min_cell: int, notes: list) -> pd.DataFrame:
    """Blank the statistics of held-out groups under ``min_cell`` and suppress the counts."""
    if min_cell <= 0 or transfer.empty:
        return transfer
    out = transfer.copy()
    small = out["n"] < min_cell
    if small.any():
        out.loc[small, list(_TRANSFER_STATS)] = np.nan
        notes.append(f"transfer: {int(small.sum())} group(s) under {min_cell} students have blank statistics")
    out.index = out["grouping"].astype(str) + " " + out["group"].astype(str)
    # One grouping at a time: within a grouping the groups' sizes add up to all students.
    blocks = [_suppress_counts(block, ["n", "n_train"], min_cell) for _, block in out.groupby("grouping", sort=False)]
    return pd.concat(blocks).reset_index(drop=True)


def _suppress_transitions(transitions: pd.DataFrame, k: int, min_cell: int, notes: list) -> pd.DataFrame:
    """Suppress the transition counts (a K x K table with margins), and what derives from them.

    The K x K cells with the row total ``n`` and the row ``all`` go through suppression;
    ``stayed``, ``changed`` and ``share_changed`` are hidden when the row's diagonal cell or its
    total is hidden (either would give them back).
    """
    if min_cell <= 0 or transitions.empty:
        return transitions
    cells = [f"to_{j}" for j in range(1, k + 1)]
    t = transitions.set_index("wave1_profile")
    shown = _suppress_counts(t[cells + ["n"]], cells + ["n"], min_cell, total_row="all", total_column="n")
    out = t.copy().astype({c: object for c in ["n", *cells, "stayed", "changed", "share_changed"]})
    out[cells + ["n"]] = shown[cells + ["n"]]
    any_diag_hidden = any(out.loc[str(j), f"to_{j}"] == _HIDDEN for j in range(1, k + 1))
    for label in out.index:
        # stayed is the diagonal cell (for "all", the sum of the diagonal) and changed = n - stayed,
        # so both are hidden when the diagonal cell or the row total is.
        if label == "all":
            gone = out.loc[label, "n"] == _HIDDEN or any_diag_hidden
        else:
            gone = _HIDDEN in (out.loc[label, "n"], out.loc[label, f"to_{label}"])
        values = [int(t.loc[label, "stayed"]), int(t.loc[label, "changed"])]
        gone = gone or any(0 < v < min_cell for v in values)
        if gone:
            out.loc[label, ["stayed", "changed", "share_changed"]] = _HIDDEN
        else:
            out.loc[label, "stayed"], out.loc[label, "changed"] = str(values[0]), str(values[1])
            out.loc[label, "share_changed"] = round(float(t.loc[label, "share_changed"]), 3)
    n_hidden = int((out[cells] == _HIDDEN).to_numpy().sum())
    if n_hidden:
        notes.append(f"transitions: {n_hidden} cell(s) hidden (counts under {min_cell} and their complements)")
    return out.reset_index()


def link_waves(wave1_profiles: pd.Series, wave2_ids, notes: list | None = None) -> int:
    """Check that a second wave links to the first (:func:`toolkit.privacy.check_wave_link`).

    Parameters
    ----------
    wave1_profiles : Series
        Wave-1 profile per pseudonym.
    wave2_ids : iterable
        The wave-2 pseudonyms.
    notes : list, optional
        Receives one sentence on a partial link (as a share, never a small count).

    Returns
    -------
    int
        The number of wave-2 students linked.

    Raises
    ------
    ToolkitError
        When fewer than half of the wave-2 students match wave 1: the waves were de-identified
        with different key files (the message gives the counts and what to do).
    """
    from ..privacy import WaveLinkWarning, check_wave_link

    w1 = [str(x) for x in wave1_profiles.index]
    w2 = [str(x) for x in wave2_ids]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", WaveLinkWarning)
        linked = check_wave_link(w1, w2)
    for w in caught:
        if issubclass(w.category, WaveLinkWarning):
            warnings.warn(str(w.message), WaveLinkWarning, stacklevel=3)
            if notes is not None:
                notes.append(f"waves: {100 * linked / max(len(set(w2)), 1):.0f}% of the wave-2 students are linked to "
                             f"wave 1; the transitions are computed on the linked students only")
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return linked
