"""The one cost model of a plan: minutes by kind, used by the plans stage and the scaling study.

A plan's minutes are split by kind, because they are paid from different budgets:

planning
    The owner writing or reviewing a plan outside lessons (a template's share, the personal layer).
class
    Minutes inside lessons: check-ins and the delivery of a strategy added for one student.
student
    The student's own time (drafting a co-written personal layer in a lesson).
meeting
    One-to-one time outside lessons: the conversation with a flagged student, the conference that
    agrees a co-written plan.

Per student per term (one cycle), for a plan drawn from its profile's template::

    planning = personalise_minutes            (the owner writes the personal layer)
    class    = check_ins_per_term * check_in_minutes + added_minutes_per_week * term_weeks
    meeting  = conversation_minutes if flagged
    student  = 0

The co-written way replaces the owner's ``personalise_minutes`` with the student's
``cowrite_lesson_minutes`` (student time) and the owner's ``conference_minutes`` (meeting time).
:func:`plan_minutes` computes both; ``toolkit.plans.draft_plans`` (the drafted plans' ``minutes``
column, their total over the kinds) and ``toolkit.scaling`` (the owner model) both call it, so
the hours a leader reads are the hours the drafted plans imply.
"""

from __future__ import annotations

from typing import Mapping

import pandas as pd

__all__ = ["MINUTE_KINDS", "RHYTHMS", "check_ins_per_term", "plan_minutes", "template_class_minutes",
           "plan_set_minutes"]

#: The kinds of minutes, in the order tables show them.
MINUTE_KINDS = ("planning", "class", "student", "meeting")
#: Check-in rhythms a template prescribes -> weeks between check-ins.
RHYTHMS = {"weekly": 1, "every two weeks": 2, "every four weeks": 4}


def check_ins_per_term(rhythm: str, term_weeks: int) -> int:
    """Check-ins per student per term for a template's rhythm.

    Parameters
    ----------
    rhythm : {"weekly", "every two weeks", "every four weeks"}
    term_weeks : int

    Returns
    -------
    int
        ``term_weeks // weeks between check-ins``, at least 1.

    Examples
    --------
    >>> check_ins_per_term("every two weeks", 12)
    6
    """
    try:
        per = RHYTHMS[rhythm]
    except KeyError:
        raise ValueError(f"rhythm={rhythm!r} should be one of {', '.join(RHYTHMS)}") from None
    return max(1, int(term_weeks) // per)


def plan_minutes(*, check_ins: float, check_in_minutes: float, personalise_minutes: float,
                 conversation_minutes: float, term_weeks: float, added_minutes_per_week: float = 0.0,
                 flagged: bool | float = False, cowritten: bool = False, cowrite_lesson_minutes: float = 0.0,
                 conference_minutes: float = 0.0) -> dict[str, float]:
    """Minutes of one student's plan in one cycle (a term), by kind, beyond the shared template.

    Parameters
    ----------
    check_ins : float
        Check-ins per term (the template's rhythm, :func:`check_ins_per_term`).
    check_in_minutes, personalise_minutes, conversation_minutes : float
    term_weeks : float
    added_minutes_per_week : float, default=0
        The weekly minutes of a strategy added for this student alone (0 when none).
    flagged : bool or float, default=False
        Flagged for a conversation (a share between 0 and 1 gives the expected minutes).
    cowritten : bool, default=False
        The student drafts the personal layer in a lesson and the owner agrees it in a conference.
    cowrite_lesson_minutes, conference_minutes : float
        Used when ``cowritten``.

    Returns
    -------
    dict
        ``{"planning", "class", "student", "meeting"}`` -> minutes. Works on arrays of draws too.

    Examples
    --------
    >>> m = plan_minutes(check_ins=6, check_in_minutes=2, personalise_minutes=20,
    ...                  conversation_minutes=10, term_weeks=12, flagged=True)
    >>> [float(m[k]) for k in MINUTE_KINDS]
    [20.0, 12.0, 0.0, 10.0]
    """
    flag = float(flagged)
    return {
        "planning": 0.0 * personalise_minutes if cowritten else personalise_minutes,
        "class": check_ins * check_in_minutes + added_minutes_per_week * term_weeks,
        "student": cowrite_lesson_minutes if cowritten else 0.0 * personalise_minutes,
        "meeting": flag * conversation_minutes + (conference_minutes if cowritten else 0.0),
    }


def template_class_minutes(strategy_minutes_per_week: float, term_weeks: float) -> float:
    """Class minutes a term of a template's strategies (run with the whole group in lessons)."""
    return float(strategy_minutes_per_week) * float(term_weeks)


def plan_set_minutes(plan_set, costs: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Per student, the minutes by kind of a drafted plan set, from :func:`plan_minutes`.

    Parameters
    ----------
    plan_set : PlanSet
        From :func:`toolkit.plans.draft_plans`.
    costs : mapping, optional
        ``check_in_minutes, personalise_minutes, conversation_minutes, term_weeks``; default the
        plan set's own :class:`PlanCosts`.

    Returns
    -------
    DataFrame
        Index pseudonym; ``profile, check_ins, added_minutes_per_week, flagged`` and one column per
        kind, plus ``total`` (the drafted plans' ``minutes``).
    """
    c = plan_set.costs
    v = {"check_in_minutes": c.check_in_minutes, "personalise_minutes": c.personalise_minutes,
         "conversation_minutes": c.conversation_minutes, "term_weeks": c.term_weeks}
    v.update(dict(costs or {}))
    by_profile = {t.profile: t for t in plan_set.templates}
    rows = []
    for p in plan_set.plans:
        t = by_profile[p.profile]
        added = plan_set.library.get(p.added_strategy).minutes_per_week if p.added_strategy else 0.0
        m = plan_minutes(check_ins=t.check_ins_per_term, added_minutes_per_week=added, flagged=p.flagged, **v)
        rows.append({"pseudonym": p.pseudonym, "profile": p.profile, "check_ins": t.check_ins_per_term,
                     "added_minutes_per_week": float(added), "flagged": bool(p.flagged),
                     **{k: float(m[k]) for k in MINUTE_KINDS}})
    out = pd.DataFrame(rows).set_index("pseudonym")
    out["total"] = out[list(MINUTE_KINDS)].sum(axis=1)
    return out
