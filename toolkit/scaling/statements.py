"""Sentences a leader can quote, built from the study's tables, with one denominator and no small counts.

Every per-person figure is one owner's time a week outside lessons with the stated caseload
(the answer's denominator), as a Monte Carlo median with its 90% interval; totals are said to be
totals. Groups are named by the codebook's labels (:func:`group_label`), never by raw headers, and
no sentence gives a count the tables hide: a small group is neither named nor counted, and a
number of changed students hidden in the transition table is given only as a share rounded to
steps that each span at least ``min_cell`` students. A figure resting on an assumption with no
public source says so in words.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import pandas as pd

from .owners import SCOPE_WORDS, WAY_WORDS, owners_needed

__all__ = ["group_label", "study_statements", "transition_statement", "WAY_WORDS", "SCOPE_WORDS"]




def _owners(n_owners: float, kind: str) -> str:
    people = owners_needed(n_owners)
    return f"{people:,} {kind}{'s' if people > 1 else ''}, each a teacher giving part of their week"


def group_label(codebook, column: str) -> str:
    """The name of a group column in sentences: the codebook's label, else a tidied header.

    Parameters
    ----------
    codebook : Codebook or None
        Its ``group_labels`` (column -> label) when it has them.
    column : str

    Returns
    -------
    str
        The label, or the header without surrounding punctuation and underscores, first letter
        capitalised.

    Examples
    --------
    >>> group_label(None, "which maths class are you in?")
    'Which maths class are you in'
    >>> group_label(None, "year_group")
    'Year group'
    """
    labels = getattr(codebook, "group_labels", None) or {}
    if column in labels and str(labels[column]).strip():
        return str(labels[column]).strip()
    text = " ".join(str(column).replace("_", " ").split()).strip(" ?:.;,")
    return (text[:1].upper() + text[1:]) if text else str(column)


def _m(hours: float) -> str:
    """Hours as whole minutes."""
    return f"{60 * float(hours):,.0f}"


def _assumption_words(a) -> str:
    if a.kind == "assumption":
        return "an assumption with no public source"
    if a.kind == "local":
        return "your own figure"
    return "a public figure"


def transition_statement(transitions: pd.DataFrame, *, min_cell: int, changed_hidden: bool = False,
                         n_wave1: int | None = None, uncertain_moves: tuple | None = None) -> str | None:
    """One sentence on how many students moved profile between the waves, without a hidden count.

    Parameters
    ----------
    transitions : DataFrame
        The raw :func:`toolkit.scaling.transfer.transition_table` (its ``all`` row is used).
    min_cell : int
    changed_hidden : bool, default=False
        The suppressed table hides the number changed: give only a rounded share.
    n_wave1 : int, optional
        Students in wave 1; when fewer than ``min_cell`` (but some) of them are missing from wave
        2, the number in both waves would give that small difference away, so it is rounded too.
    uncertain_moves : (int, float), optional
        Moves of students whose profile was uncertain in one wave, and the certainty threshold.
    """
    if transitions is None or transitions.empty:
        return None
    allrow = transitions.set_index("wave1_profile").loc["all"]
    changed, total = int(allrow["changed"]), int(allrow["n"])
    if total <= 0:
        return None
    missing = (int(n_wave1) - total) if n_wave1 is not None else 0
    if min_cell > 0 and (changed_hidden or 0 < missing < min_cell):
        # Round to steps of 5% that each span at least min_cell students: with a step of 5% of 30
        # students (1.5), "roughly 10%" would give back the hidden count exactly.
        step = 5 * max(1, math.ceil(20 * min_cell / total))
        both = "the students in both waves" if 0 < missing < min_cell else f"the {total:,} students in both waves"
        return (f"Between the waves, roughly {step * round(100 * changed / total / step)}% of {both} moved to another "
                f"profile, and their plans would need re-personalising from a new template (the exact count is hidden "
                f"because a count is under {min_cell}).")
    text = (f"Between the waves, {changed:,} of {total:,} students ({100 * changed / total:.0f}%) moved to another "
            f"profile: their plans would need re-personalising from a new template; the other {total - changed:,} "
            f"keep theirs. The owner model uses this share as the rate of movers between cycles.")
    if uncertain_moves is not None and uncertain_moves[0] >= min_cell:
        text += (f" {uncertain_moves[0]:,} of the moves are of students whose profile was uncertain (certainty under "
                 f"{uncertain_moves[1]:g}) in one of the waves, so part of the change is classification noise rather "
                 f"than a changed student.")
    return text


def study_statements(*, costs: pd.DataFrame, projection: pd.DataFrame, workload, k: int, owner_kind: str,
                     caseload: float, scope: str, best_way: str, breakeven: Mapping | None, knee_text: str | None,
                     sensitivity: pd.DataFrame | None, transfer: pd.DataFrame | None, labels: Mapping[str, str],
                     transitions: pd.DataFrame | None, min_cell: int, changed_hidden: bool = False,
                     n_wave1: int | None = None, uncertain_moves: tuple | None = None,
                     unsourced: Sequence[str] = (), dropped_sizes: Sequence[int] = ()) -> list[str]:
    """The study's sentences, in the order a leader reads them.

    Parameters
    ----------
    costs, projection, sensitivity, transfer, transitions : DataFrame
        The study's tables (``transfer`` and ``transitions`` raw, before suppression: only what
        the suppressed tables show is quoted).
    workload : Workload
    k, owner_kind, caseload, scope, best_way
        The design the answer speaks of.
    breakeven : mapping, optional
        From :func:`toolkit.scaling.projection.breakeven_caseload`.
    knee_text : str, optional
    labels : mapping
        Group column -> label for sentences (:func:`group_label`).
    min_cell : int
    unsourced : sequence of str
        Assumption keys the figures rest on that have no public source.
    dropped_sizes : sequence of int
        Projection sizes left out (too far beyond the surveyed group).

    Returns
    -------
    list of str
    """
    out = []
    kind = owner_kind
    c = costs.set_index("way")
    n = int(c["n_students"].iloc[0])
    b, i = c.loc[best_way], c.loc["individual"]
    others = [w for w in ("templated", "hybrid", "cowritten") if w != best_way and w in c.index]
    out.append(
        f"For the {n:,} students surveyed, with {kind}s of about {caseload:.0f} students ({_owners(n / caseload, kind)}) and {SCOPE_WORDS[scope]} (K={k}), {WAY_WORDS[best_way]} take one {kind} a median of "
        f"{_m(b['hours_per_week_p50'])} minutes a week outside lessons (90% interval {_m(b['hours_per_week_p05'])}-"
        f"{_m(b['hours_per_week_p95'])}; {_m(b['hours_per_week_mode'])} at the mode), against "
        f"{_m(i['hours_per_week_p50'])} ({_m(i['hours_per_week_p05'])}-{_m(i['hours_per_week_p95'])}) for fully "
        f"individual plans; "
        + "; ".join(f"{WAY_WORDS[w]} {_m(c.loc[w, 'hours_per_week_p50'])} ({_m(c.loc[w, 'hours_per_week_p05'])}-"
                    f"{_m(c.loc[w, 'hours_per_week_p95'])})" for w in others)
        + f". Inside lessons, check-ins and strategies add about {_m(b['class_hours_per_week_p50'])} minutes a week. "
        f"In all, the group's {kind}s would give {b['hours_per_year_in_all_p50']:,.0f} hours a year outside lessons "
        f"({b['hours_per_year_in_all_p05']:,.0f}-{b['hours_per_year_in_all_p95']:,.0f}), against "
        f"{i['hours_per_year_in_all_p50']:,.0f} for fully individual plans."
    )
    for size, grp in projection.groupby("n_students", sort=True):
        if int(size) == n:
            continue
        g = grp.set_index("way")
        name = str(g["size_name"].iloc[0]) if "size_name" in g else ""
        pb, pi = g.loc[best_way], g.loc["individual"]
        out.append(
            f"At {size:,} students{f' ({name})' if name else ''}, {_owners(pb['n_owners'], kind)}: one {kind}'s time stays about {_m(pb['hours_per_week_p50'])} minutes a week "
            f"({_m(pb['hours_per_week_p05'])}-{_m(pb['hours_per_week_p95'])}), {_m(pi['hours_per_week_p50'])} for fully "
            f"individual plans; in all {pb['hours_per_year_in_all_p50']:,.0f} hours a year "
            f"({pb['hours_per_year_in_all_p05']:,.0f}-{pb['hours_per_year_in_all_p95']:,.0f}) against "
            f"{pi['hours_per_year_in_all_p50']:,.0f}."
        )
    if dropped_sizes:
        out.append(f"No projection beyond {max(int(projection['n_students'].max()), n):,} students: "
                   f"{', '.join(f'{s:,}' for s in dropped_sizes)} would be more than 100 times the {n:,} students "
                   f"surveyed, whose profiles say little about so many.")
    if breakeven is not None:
        cstar = breakeven["caseload"]
        if math.isinf(cstar):
            out.append(f"At these assumptions, {WAY_WORDS[best_way]} never cost one {kind} less time than fully "
                       f"individual plans, at any caseload.")
        elif cstar < 1:
            out.append(f"{WAY_WORDS[best_way].capitalize()} cost one {kind} less time than fully individual plans at "
                       f"any caseload: they save {breakeven['saving_per_student']:.0f} minutes a year per student.")
        else:
            out.append(f"{WAY_WORDS[best_way].capitalize()} cost one {kind} less time than fully individual plans once "
                       f"the {kind} has more than {math.floor(cstar)} students: the templates' share of "
                       f"{breakeven['fixed_minutes']:.0f} minutes a year is paid back at "
                       f"{breakeven['saving_per_student']:.0f} minutes a year saved per student.")
    if knee_text:
        out.append(knee_text)
    if sensitivity is not None and not sensitivity.empty:
        s = sensitivity[(sensitivity["way"] == best_way) & (sensitivity["metric"] == "minutes_per_week")]
        if len(s):
            top = s.iloc[0]
            a = workload[top["assumption"]]
            desc = (a.description or top["assumption"]).rstrip(".")
            out.append(
                f"The assumption that moves one {kind}'s time most is {desc} ({top['assumption']}, "
                f"{_assumption_words(a)}): from {top['low']:g} to {top['high']:g} it moves the time from "
                f"{top['at_low']:.0f} to {top['at_high']:.0f} minutes a week.")
    if transfer is not None and not transfer.empty:
        for grouping, grp in transfer.groupby("grouping", sort=False):
            ari = grp.loc[grp["n"] >= min_cell, "ari"].dropna()
            if len(ari):
                label = labels.get(grouping, group_label(None, grouping))
                out.append(
                    f"Profiles fitted on the students outside one group of \u201c{label}\u201d and used for that group "
                    f"agree with the group's own profiles at a mean adjusted Rand index of {ari.mean():.2f} (lowest "
                    f"{ari.min():.2f}, over {len(ari)} groups of at least {min_cell} students)."
                )
    t = transition_statement(transitions, min_cell=min_cell, changed_hidden=changed_hidden, n_wave1=n_wave1,
                             uncertain_moves=uncertain_moves) if transitions is not None else None
    if t:
        out.append(t)
    local = [a for a in workload.assumptions.values() if a.kind == "local"]
    if local:
        out.append("Your own figures replace these assumptions: "
                   + "; ".join(f"{(a.description or a.key).rstrip('.')} ({a.key}: {a.source})" for a in local) + ".")
    if unsourced:
        words = [(workload[key].description or key).rstrip(".") for key in unsourced]
        out.append("These figures rest on assumptions with no public source, which your own timings should replace "
                   "(toolkit scaling --time-log): " + "; ".join(words) + ".")
    return out
