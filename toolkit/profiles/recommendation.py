"""Which solution to report, and why: the recommendation in sentences.

:func:`recommend` reads a fit table (:attr:`~toolkit.profiles.grid.ProfileResults.fit_table`)
and returns a :class:`Recommendation`: the chosen (model, K), the reasons and the warnings, in
sentences a teacher can read aloud.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..config import MIN_CELL
from .._words import count
from ..errors import user_error
from .model import MODEL_NAMES

__all__ = ["ENTROPY_GOOD", "ENTROPY_POOR", "MIN_SHARE", "Recommendation", "recommend"]

#: Smallest profile accepted by :func:`recommend`, as a share of the students.
MIN_SHARE = 0.05
#: Relative entropy from which classification is called clear (Clark & Muthen 2009 use 0.8).
ENTROPY_GOOD = 0.8
#: Relative entropy under which classification is called poor (a warning).
ENTROPY_POOR = 0.6


@dataclass(frozen=True, eq=False)
class Recommendation:
    """The solution :meth:`ProfileResults.recommend` chooses, with its reasons.

    Attributes
    ----------
    model : int
        tidyLPA model number.
    n_profiles : int
    reasons : list of str
        Sentences: why this solution.
    warnings : list of str
        Sentences: what to be careful about.
    """

    model: int
    n_profiles: int
    reasons: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    def __str__(self):
        head = f"Recommended: model {self.model} ({MODEL_NAMES[self.model]}) with {count(self.n_profiles, 'profile')}."
        parts = [head, *self.reasons]
        if self.warnings:
            parts.append("Be careful: " + " ".join(self.warnings))
        return " ".join(parts)


def _elbow(ks, values):
    """K at the elbow of a criterion plotted against K, or None with fewer than 3 points.

    The elbow is the point of the curve farthest below the chord from its first to its last
    point, both axes scaled to [0, 1] (the "Kneedle" rule of Satopaa et al. 2011): where the
    gains from more profiles level off.
    """
    ks = np.asarray(list(ks), dtype=float)
    v = np.asarray(values, dtype=float)
    if len(ks) < 3 or not np.isfinite(v).all() or np.ptp(v) == 0:
        return None
    x = (ks - ks[0]) / (ks[-1] - ks[0])
    y = (v - v.min()) / np.ptp(v)
    chord = y[0] + (y[-1] - y[0]) * x
    gap = chord - y
    j = int(np.argmax(gap))
    return int(ks[j]) if gap[j] > 0 else None


def recommend(fit_table, *, n, min_cell=MIN_CELL, min_share=MIN_SHARE, n_dropped=0, diagnostics=None):
    """Choose a solution from a fit table and say why.

    Parameters
    ----------
    fit_table : DataFrame
        ``ProfileResults.fit_table``.
    n : int
        Students the models were fitted on.
    min_cell : int, default=config.MIN_CELL
    min_share : float, default=0.05
    n_dropped : int, default=0
        Rows dropped before fitting (mentioned in the reasons).
    diagnostics : DataFrame, optional
        ``ProfileResults.diagnostics`` (convergence, rejected starts).

    Returns
    -------
    Recommendation

    Notes
    -----
    Rule: among the solutions whose smallest profile (by modal assignment) has at least
    ``max(min_share * n, min_cell)`` students, take the lowest BIC (Nylund, Asparouhov and
    Muthen 2007 found BIC the most reliable information criterion, and the BLRT the most
    reliable test). The sentences then report SABIC, the BIC elbow, the smallest profile,
    entropy (>= 0.8 clear, < 0.6 poor), BLRT/VLMR when computed, replication, and warn when
    the choice is at the edge of the grid. The elbow of a criterion is the K farthest below
    the chord of its curve (both axes scaled to [0, 1]; Satopaa et al. 2011).

    References
    ----------
    .. [1] Nylund, K. L., Asparouhov, T., & Muthen, B. O. (2007). Deciding on the number of
       classes in latent class analysis and growth mixture modeling: A Monte Carlo simulation
       study. Structural Equation Modeling, 14, 535-569.
    .. [2] Masyn, K. E. (2013). Latent class analysis and finite mixture modeling. In The Oxford
       Handbook of Quantitative Methods (Vol. 2, pp. 551-611).
    .. [3] Satopaa, V., Albrecht, J., Irwin, D., & Raghavan, B. (2011). Finding a "kneedle" in a
       haystack: Detecting knee points in system behavior. ICDCS Workshops, 166-171.
    """
    ft = fit_table.dropna(subset=["log_lik"]).reset_index(drop=True)
    if ft.empty:
        raise user_error("no solution of the grid could be fitted", fix="check the scores and the grid")
    collapsed = []
    if diagnostics is not None and "degenerate" in diagnostics.columns:
        bad = {(int(r.model), int(r.n_profiles)) for r in diagnostics.itertuples() if bool(r.degenerate)}
        keep = [(int(m), int(k)) not in bad for m, k in zip(ft["model"], ft["n_profiles"])]
        collapsed = [f"model {int(m)} with {int(k)}" for (m, k), kp in zip(zip(ft["model"], ft["n_profiles"]), keep)
                     if not kp]
        if not any(keep):
            # A degenerate solution (every start collapsed) must never be recommended.
            raise user_error(
                f"every solution of the grid collapsed (a profile with almost no students or no spread), for "
                f"{n} students, so none can be recommended",
                value=", ".join(collapsed[:6]) + (" ..." if len(collapsed) > 6 else ""),
                fix="use fewer profiles (--k 1-3) or a model with shared spreads (--models 1), or survey more students",
            )
        ft = ft[keep].reset_index(drop=True)
    floor = max(min_share * n, float(min_cell))
    smallest = np.floor(ft["n_min"].to_numpy() * n + 0.5)
    ok = smallest >= floor - 1e-9
    reasons, warns = [], []
    if collapsed:
        reasons.append(f"{len(collapsed)} solution(s) set aside because every start collapsed "
                       f"({', '.join(collapsed[:4])}{' ...' if len(collapsed) > 4 else ''} profiles).")
    if n_dropped:
        reasons.append(
            f"{n_dropped} student(s) with every score missing were left out; {n} students were analysed."
        )
    if ok.any():
        cand = ft[ok]
    else:
        cand = ft
        warns.append(
            f"Every solution has a profile smaller than {floor:.0f} students "
            f"(max of {min_share:.0%} of {n} and the minimum cell {min_cell}); the choice below "
            "ignores that rule."
        )
    best = cand.loc[cand["bic"].idxmin()]
    m, K = int(best["model"]), int(best["n_profiles"])
    excluded = int((~ok).sum()) if ok.any() else 0
    reasons.append(
        f"Model {m} with {count(K, 'profile')} has the lowest BIC ({best['bic']:.1f})"
        + (
            f" of the {len(cand)} solutions whose smallest profile has at least {floor:.0f} students"
            f" ({count(excluded, 'solution')} with a smaller profile set aside)."
            if excluded
            else f" of the {len(cand)} solutions fitted."
        )
    )
    sab = cand.loc[cand["sabic"].idxmin()]
    if int(sab["model"]) == m and int(sab["n_profiles"]) == K:
        reasons.append(f"SABIC agrees ({best['sabic']:.1f}).")
    else:
        reasons.append(
            f"SABIC prefers model {int(sab['model'])} with {int(sab['n_profiles'])} profiles "
            f"({sab['sabic']:.1f} against {best['sabic']:.1f}); BIC is followed because it "
            "penalises extra parameters more and picks the number of profiles more reliably in "
            "simulations."
        )
    rows_m = ft[ft["model"] == m].sort_values("n_profiles")
    e_bic = _elbow(rows_m["n_profiles"], rows_m["bic"])
    e_sab = _elbow(rows_m["n_profiles"], rows_m["sabic"])
    if e_bic is not None:
        same = "agrees" if e_bic == K else "differs"
        txt = f"The elbow of BIC against the number of profiles (model {m}) is at {e_bic} profiles"
        if e_sab is not None:
            txt += f" and of SABIC at {e_sab}"
        reasons.append(txt + f"; the choice {same}" + ("." if same == "agrees" else f" ({K})."))
    n_small = int(round(float(best["n_min"]) * n))
    if K > 1:
        sentence = (
            f"The smallest profile has {n_small} students ({best['n_min']:.0%}), against a minimum of "
            f"{floor:.0f} (the larger of {min_share:.0%} of students and the minimum reporting cell of {min_cell})."
        )
        (reasons if n_small >= floor else warns).append(sentence)
        ent = float(best["entropy"])
        if ent >= ENTROPY_GOOD:
            reasons.append(f"Relative entropy is {ent:.2f}: students are classified clearly (>= {ENTROPY_GOOD}).")
        elif ent >= ENTROPY_POOR:
            reasons.append(
                f"Relative entropy is {ent:.2f}: classification is moderately certain "
                f"({ENTROPY_POOR}-{ENTROPY_GOOD}); read individual assignments with their certainty."
            )
        else:
            warns.append(
                f"Relative entropy is only {ent:.2f} (< {ENTROPY_POOR}): many students sit between "
                "profiles, so individual assignments are uncertain."
            )
    for col, label in (("blrt_p", "The bootstrap likelihood-ratio test (BLRT)"), ("vlmr_p", "The Vuong-Lo-Mendell-Rubin test")):
        if col not in ft.columns:
            continue
        row_k = ft[(ft["model"] == m) & (ft["n_profiles"] == K)]
        row_next = ft[(ft["model"] == m) & (ft["n_profiles"] == K + 1)]
        if K > 1 and len(row_k) and np.isfinite(row_k[col].iloc[0]):
            p = float(row_k[col].iloc[0])
            if p < 0.05:
                reasons.append(f"{label} finds {K} profiles fit better than {K - 1} (p = {p:.3g}).")
            else:
                warns.append(f"{label} does not find {K} profiles better than {K - 1} (p = {p:.3g}).")
        if len(row_next) and np.isfinite(row_next[col].iloc[0]):
            p = float(row_next[col].iloc[0])
            if p >= 0.05:
                reasons.append(f"{label} finds no gain from {K + 1} profiles (p = {p:.3g}).")
            else:
                warns.append(f"{label} still favours {K + 1} profiles over {K} (p = {p:.3g}).")
    if K > 1:
        if bool(best["replicated"]):
            reasons.append("The best log-likelihood was replicated: reached from at least two kinds of start.")
        else:
            warns.append(
                "The best log-likelihood was not replicated (not reached from two kinds of start, even "
                "after the search was widened); it may be a local optimum: refit with more starts "
                "(--n-starts)."
            )
    if diagnostics is not None:
        d = diagnostics[(diagnostics["model"] == m) & (diagnostics["n_profiles"] == K)]
        if len(d) and not bool(d["converged"].iloc[0]):
            warns.append("The chosen solution did not converge within the iteration limit.")
    ks_m = sorted(ft.loc[ft["model"] == m, "n_profiles"].astype(int))
    if K == ks_m[-1] and len(ks_m) > 1:
        warns.append(
            f"{K} profiles is the largest number fitted for model {m}: fit more profiles to check "
            "that the criteria do not keep improving."
        )
    elif K == ks_m[0] and K > 1:
        warns.append(f"{K} profiles is the smallest number fitted for model {m}: fit fewer to check.")
    return Recommendation(model=m, n_profiles=K, reasons=reasons, warnings=warns)
