"""Lightweight individual plans: a template per profile, a personal layer per student.

A profile gives the teacher one plan template for a group of students; each student then gets a
light personal layer where they differ from their profile, with their own words and goal.
Students whose answers fit no profile well are flagged for a real conversation instead.

:func:`draft_plans` takes scale scores, a profile solution (anything with ``.assignments`` and
``.names``) and the codebook, and returns a :class:`PlanSet`. How each part is chosen:

Template of a profile
    Need scores (:func:`toolkit.needs.need_scores`, standardised over all scored students and
    oriented so that higher means more need) are averaged over the profile's students.
    *Focus areas* are the profile's largest mean needs above ``focus_min_need`` (at most 3,
    :func:`toolkit.needs.profile_focus`); *strengths* its lowest mean needs below zero (at most 2,
    :func:`toolkit.needs.profile_strengths`). For each focus area not yet served, the best
    strategy is added that serves its tag for a low score and can be run for a group (whole class,
    small group, pairs; an individual one only when the library has no group strategy for the
    tag); a template has at least 2 strategies where the library allows (the next
    best for the first focus areas), plus one that stretches the first strength it can, at most 4
    in all. A profile with no focus area gets up to 2 strategies that build on its strengths.
    "Best" is, in order: lists the tag first (its main purpose); serves more of the template's
    focus areas; supports exactly that kind of need (``low`` before ``both``, or ``high`` before
    ``both`` for a stretch); stronger evidence mark; earlier in the library file. So a teacher's
    own library decides between equals by the order of its entries.

Preferences are not needs
    Constructs whose tag the library lists under ``preference_tags`` (collaboration in the
    shipped library) never become a focus area or a personal growth area: a low preference for
    working with others is not a deficit (:func:`toolkit.plans.needs.mask_preferences`). A high
    one can still be a strength to build on.

Attention by need
    The neediest profile (largest sum of positive mean needs) gets at least as many targeted
    minutes a week (small group, pairs, individual; whole-class items reach everyone and do not
    count as differentiation) as any other template: while it has fewer, the best small-group or
    pairs strategy for one of its focus areas is added, one that builds a relationship first
    (the library's ``check-and-connect``), up to 6 strategies. It is checked in with weekly.

Check-in rhythm
    *weekly* when the profile's largest mean need is at least ``high_need`` (0.75 standard units
    by default) or it is the neediest profile, *every two weeks* when it has any focus area,
    *every four weeks* otherwise.

Personal layer of a student
    The student's own choices first: what they ticked, crossed or wrote on their co-writing sheet
    (``answers=``, or carried from ``previous=``). Their goal (from the sheet, else the survey's
    ``goal`` answer, else last cycle's) is linked to the plan: the tags it speaks to
    (:func:`toolkit.plans.needs.voice_tags`, e.g. a goal about nerves -> test anxiety) are
    matched to the first of the plan's strategies that serves one of them (``goal_strategy``);
    when none does, one strategy is added for the goal (an individual one first). Otherwise own
    growth areas: :func:`toolkit.needs.growth_areas` with ``n=2`` and
    ``min_need=personal_min_need`` (0.5 by default), kept where they are not already a focus of
    the template; own strengths likewise from the negated needs; when a personal growth area's
    tag is served by none of the template's strategies, one strategy is added for it. At most one
    strategy is added (``added_strategy``), so the minutes below stay those of the one cost
    model. The student's scrubbed free-text answers are quoted as "In my words". The sheet
    offers two or three strategies to tick (``offered``): the student's own choices, the goal's,
    the added one, then the template's (small-group and individual before whole-class), never
    one they crossed.

Fit flag
    A student is flagged, with "Talk with this student before using the template", when the
    certainty of their profile (the largest posterior probability) is below ``fit_threshold``, or
    their answers are atypical for the profile: the largest absolute difference between their need
    and the profile's mean need, over the constructs, exceeds ``atypical_z`` standard units. The
    largest single difference is used rather than a Mahalanobis distance because it names the
    construct a teacher should ask about, and it needs no covariance estimate in small profiles.
    A plan is also flagged when the student says it does not describe them, when they crossed
    every strategy offered, or when what they wrote helps them contradicts the plan (group work
    helps them but the plan supports a preference as a need; quiet time or working alone helps
    them but the template's stretch builds on group work).

Teacher minutes (see :class:`~toolkit.plans.plan_set.PlanCosts`)
    template per week = the sum of its strategies' ``minutes_per_week``; per term = that times
    ``term_weeks``. A student's plan per term = ``personalise_minutes`` + check-ins per term times
    ``check_in_minutes`` + the added strategy's ``minutes_per_week`` times ``term_weeks`` (when
    there is one) + ``conversation_minutes`` when flagged. Check-ins per term: ``term_weeks``
    (weekly), ``term_weeks // 2`` (every two weeks) or ``term_weeks // 4`` (every four weeks).
    The template's own minutes are shared by its students and reported separately
    (``template_minutes_share``).
"""


from __future__ import annotations

import datetime
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from ..codebook import Codebook
from ..errors import user_error
from .choice import _attend_by_need, _contradictions, _individual_strategy, _offer, _targeted, _template_strategies
from .inputs import _answers_table, _as_date, _assignments, _change, _groups, _ids, _match_profiles, _previous_table, _voice
from .needs import growth_areas, mask_preferences, need_scores, profile_focus, profile_strengths, voice_tags
from .plan_set import TALK_FIRST, PlanCosts, PlanSet, ProfileTemplate, StudentPlan
from .strategies import StrategyLibrary, load_strategy_library
from .wording import _describe

__all__ = ["draft_plans"]


def draft_plans(
    scores: pd.DataFrame,
    solution: Any,
    codebook: Codebook,
    *,
    voice: pd.DataFrame | None = None,
    library: StrategyLibrary | None = None,
    fit_threshold: float = 0.7,
    atypical_z: float = 2.0,
    focus_min_need: float = 0.2,
    personal_min_need: float = 0.5,
    high_need: float = 0.75,
    costs: PlanCosts | None = None,
    goal_key: str = "goal",
    groups: pd.DataFrame | None = None,
    answers: pd.DataFrame | None = None,
    previous: pd.DataFrame | None = None,
    start: datetime.date | str | None = None,
) -> PlanSet:
    """Draft a plan template per profile and a plan per student.

    Parameters
    ----------
    scores : DataFrame
        Scale scores, index pseudonym, one column per construct of ``codebook`` (other columns,
        such as group columns, are ignored). Need scores are standardised over all its rows.
    solution : ProfileSolution or any object with ``.assignments`` and ``.names``
        ``.assignments``: index pseudonym, ``profile`` (int 1..K) and ``certainty`` (or p1..pK
        columns to take it from). ``.names``: profile -> plain-language name (optional).
    codebook : Codebook
        Constructs, their tags (linking to the library) and ``higher_is_better``.
    voice : DataFrame, optional
        The students' scrubbed free text, index pseudonym, columns the codebook's voice keys.
    library : StrategyLibrary, optional
        Default: the library shipped with the toolkit.
    fit_threshold : float, default=0.7
        A certainty below this flags the plan.
    atypical_z : float, default=2.0
        A need differing from the profile's mean need by more than this (standard units) flags it.
    focus_min_need : float, default=0.2
        A profile's construct is a focus area only when its mean need is above this.
    personal_min_need : float, default=0.5
        A student's construct is a personal growth area (or, negated, strength) beyond this.
    high_need : float, default=0.75
        Profiles whose largest mean need reaches this get weekly check-ins.
    costs : PlanCosts, optional
        Teacher minutes behind the estimates.
    goal_key : str, default="goal"
        The voice key holding the student's goal; the other voice keys are quoted as their words.
    groups : DataFrame, optional
        Index pseudonym; the group columns each plan carries (e.g. Section, Grade) for the class pack.
    answers : DataFrame, optional
        What students wrote back on their sheets (:func:`toolkit.plans.read_answers`): index
        pseudonym; columns goal, chosen, crossed (strategy ids joined with ";"), own_idea,
        how_i_know, who_can_help, describes_me, goal_progress. A goal here replaces the survey's.
    previous : DataFrame, optional
        The previous cycle's plans.csv (index or column pseudonym): goals, choices and notes are
        carried forward where this cycle gives none, and each plan is marked same, changed,
        "changed (uncertain)" (either certainty below ``fit_threshold``: maybe classification
        noise) or new. Profile numbers are not stable between fits, so the previous cycle's
        profiles are matched to this cycle's by their mean scores (its ``score_<construct>``
        columns; by name, else number, when it has none).
    start : date or "YYYY-MM-DD", optional
        First day of the cycle; the review date is ``costs.term_weeks`` weeks later.

    Returns
    -------
    PlanSet

    Raises
    ------
    ToolkitError
        The solution lacks assignments or profiles, a student with a profile has no scores, a
        construct's tag has no strategy in the library, or a threshold is out of range.

    Notes
    -----
    The rules and the minutes formula are in the module docstring (``help(toolkit.plans)``). The
    result depends only on the inputs: the same inputs give identical plans.

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> from toolkit import parse_codebook
    >>> from toolkit.sample import SAMPLE_CODEBOOK
    >>> cb = parse_codebook(SAMPLE_CODEBOOK)
    >>> ids = pd.Index([f"P-{i}" for i in range(6)], name="pseudonym")
    >>> scores = pd.DataFrame({k: [4, 4, 4, 2, 2, 2] for k in cb.construct_keys}, index=ids, dtype=float)
    >>> scores["test_anxiety"] = [2.0, 2, 2, 4, 4, 4]
    >>> solution = SimpleNamespace(
    ...     assignments=pd.DataFrame({"profile": [1, 1, 1, 2, 2, 2], "certainty": 0.9}, index=ids),
    ...     names={1: "Confident", 2: "Needs support"})
    >>> plans = draft_plans(scores, solution, cb)
    >>> [len(t.focus) for t in plans.templates], len(plans.plans)
    ([0, 3], 6)
    """
    library = library if library is not None else load_strategy_library()
    costs = costs if costs is not None else PlanCosts()
    for name, value, lo, hi in (("fit_threshold", fit_threshold, 0.0, 1.0), ("atypical_z", atypical_z, 0.0, np.inf),
                                ("high_need", high_need, 0.0, np.inf)):
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not lo <= value <= hi:
            raise user_error(f"{name}={value!r} is out of range", fix=f"give a number between {lo:g} and {hi:g}")
    library.check_covers(codebook)
    assignments = _assignments(solution)
    names = dict(getattr(solution, "names", None) or {})
    keys = list(codebook.construct_keys)

    if not isinstance(scores, pd.DataFrame):
        raise user_error("scores should be a DataFrame of scale scores (index pseudonym, one column per construct)")
    if scores.index.has_duplicates:
        dup = scores.index[scores.index.duplicated()][0]
        raise user_error("a pseudonym appears twice in the score table", row=str(dup),
                         fix="keep one row per student (de-identification keeps the last submission)")
    needs_all = need_scores(scores, codebook)
    missing = [p for p in assignments.index if p not in scores.index]
    if missing:
        raise user_error(
            f"{len(missing)} student(s) with a profile have no scores (first: {', '.join(map(str, missing[:3]))})",
            fix="use the score table the profiles were fitted on",
        )
    order = sorted(assignments.index, key=str)
    assignments = assignments.loc[order]
    planned_scores = scores.loc[order, keys].astype(float)
    needs = needs_all.loc[order]
    profile = assignments["profile"]
    unassigned = tuple(sorted((str(p) for p in scores.index if p not in assignments.index)))

    planning_needs = mask_preferences(needs, codebook, library.preference_tags)
    mean_needs = needs.groupby(profile).mean()
    mean_planning = planning_needs.groupby(profile).mean()
    focus = profile_focus(planning_needs, profile, n_focus=3, min_need=focus_min_need)
    strengths = profile_strengths(needs, profile, n_strengths=2)
    tag_of = {c.key: c.tag for c in codebook.constructs}
    better = {c.key: c.higher_is_better for c in codebook.constructs}
    labels = {c.key: c.label for c in codebook.constructs}
    counts = profile.value_counts()

    chosen_ids = {}
    for k in sorted(int(x) for x in counts.index):
        chosen_ids[k] = _template_strategies(library, focus[k], strengths[k], tag_of, mean_planning.loc[k])
    neediest = _attend_by_need(library, chosen_ids, focus, mean_planning, tag_of)
    templates = {}
    for k in sorted(int(x) for x in counts.index):
        f, s = focus[k], strengths[k]
        ids, stretch = chosen_ids[k]
        top = float(mean_planning.loc[k].max(skipna=True)) if mean_planning.loc[k].notna().any() else 0.0
        rhythm = "weekly" if (f and (top >= high_need or k == neediest)) else ("every two weeks" if f else "every four weeks")
        per_week = float(sum(library.get(i).minutes_per_week for i in ids))
        templates[k] = ProfileTemplate(
            profile=k,
            name=str(names.get(k, names.get(str(k), f"Profile {k}"))),
            description=_describe(int(counts[k]), f, s, labels, better),
            n_students=int(counts[k]),
            focus=f,
            strengths=s,
            strategies=ids,
            stretch_strategy=stretch,
            check_in=rhythm,
            check_ins_per_term=costs.check_ins_per_term(rhythm),
            minutes_per_week=per_week,
            minutes_per_term=per_week * costs.term_weeks,
            mean_needs=MappingProxyType({c: float(v) for c, v in mean_needs.loc[k].items()}),
            targeted_minutes_per_week=_targeted(library, ids),
        )

    own_growth = growth_areas(planning_needs, n=2, min_need=personal_min_need)
    own_strength = growth_areas(-needs, n=2, min_need=personal_min_need)
    words, goals, helps = _voice(voice, order, codebook, goal_key)
    certainty = assignments["certainty"]
    group_cols, group_values = _groups(groups, order)
    answers_of = _answers_table(answers, order)
    prev_of, previous_only = _previous_table(previous, order)
    start_date = _as_date(start)
    matched = _match_profiles(prev_of, planned_scores, profile) if prev_of else None

    plans = []
    for pid in order:
        k = int(profile[pid])
        t = templates[k]
        ans, prev = answers_of.get(pid, {}), prev_of.get(pid)
        growth = tuple(c for c in own_growth[pid] if c not in t.focus)
        strong = tuple(c for c in own_strength[pid] if c not in t.strengths)
        goal = ans.get("goal") or goals.get(pid, "") or (prev or {}).get("goal", "")
        previous_goal = (prev or {}).get("goal", "")
        gtags = tuple(g for g in voice_tags(goal) if g in library.tags)
        htags = tuple(g for g in voice_tags(helps.get(pid, "")) if g in library.tags)

        # the goal first: a strategy of the plan that serves it, or one added for it
        def serving(tag, ids):
            return next((i for i in ids if library.get(i).serves(tag, need="low")), "")

        goal_strategy, added = "", ""
        for g in gtags:
            goal_strategy = serving(g, t.strategies)
            if goal_strategy:
                break
        if gtags and not goal_strategy:
            for g in gtags:
                added = _individual_strategy(library, g, exclude=t.strategies)
                if added:
                    goal_strategy = added
                    break
        if not added:  # then a personal growth area the template does not serve
            served = {tag for sid in t.strategies for tag in library.get(sid).tags if library.get(sid).supports in ("low", "both")}
            for c in growth:
                if tag_of[c] not in served:
                    added = _individual_strategy(library, tag_of[c], exclude=t.strategies)
                    if added:
                        break
        strategies = t.strategies + ((added,) if added else ())
        chosen = tuple(i for i in _ids(ans.get("chosen")) or _ids((prev or {}).get("chosen")) if i in library)
        crossed = tuple(i for i in _ids(ans.get("crossed")) or _ids((prev or {}).get("crossed")) if i in library and i not in chosen)
        offered = _offer(library, chosen, goal_strategy, added, t.strategies, crossed)

        reasons = []
        cert = float(certainty[pid])
        if np.isfinite(cert) and cert < fit_threshold:
            reasons.append(f"the profile fits with certainty {cert:.2f}, below {fit_threshold:.2f}")
        diff = (needs.loc[pid] - mean_needs.loc[k]).abs()
        if diff.notna().any():
            worst = diff.idxmax(skipna=True)
            if diff[worst] > atypical_z:
                reasons.append(f"answers differ from the profile on {labels[worst]} by {diff[worst]:.1f} standard units")
        else:
            reasons.append("no scale scores to compare with the profile")
        describes = ans.get("describes_me", "")
        if describes == "no":
            reasons.append("the student says the plan does not describe them")
        reasons += _contradictions(library, helps.get(pid, ""), htags, t, growth, tag_of)
        if offered and crossed and set(offered) <= set(crossed):
            reasons.append("the student crossed out every strategy offered")
        flagged = bool(reasons)

        change, moved = "", {}
        if previous is not None:
            change, moved = _change(prev, k, t.name, cert, planned_scores.loc[pid], fit_threshold, matched)
        from .costs import plan_minutes  # the one cost model (plans/costs.py), shared with the scaling study

        kinds = plan_minutes(
            check_ins=t.check_ins_per_term, check_in_minutes=costs.check_in_minutes,
            personalise_minutes=costs.personalise_minutes, conversation_minutes=costs.conversation_minutes,
            term_weeks=costs.term_weeks, added_minutes_per_week=library.get(added).minutes_per_week if added else 0.0,
            flagged=flagged)
        plans.append(
            StudentPlan(
                pseudonym=str(pid),
                profile=k,
                profile_name=t.name,
                certainty=cert,
                focus=t.focus,
                personal_growth_areas=growth,
                personal_strengths=strong,
                template_strategies=t.strategies,
                added_strategy=added,
                flagged=flagged,
                flag_reason=(TALK_FIRST + ": " + "; ".join(reasons) + ".") if flagged else "",
                in_my_words=words.get(pid, ""),
                goal=goal,
                check_in=t.check_in,
                minutes=float(sum(kinds.values())),
                template_minutes_share=round(t.minutes_per_term / t.n_students, 2),
                groups=MappingProxyType(group_values.get(pid, {})),
                goal_tags=gtags,
                goal_strategy=goal_strategy,
                helps_tags=htags,
                offered=offered,
                chosen=chosen,
                crossed=crossed,
                own_idea=ans.get("own_idea", "") or (prev or {}).get("own_idea", ""),
                how_i_know=ans.get("how_i_know", "") or (prev or {}).get("how_i_know", ""),
                who_can_help=ans.get("who_can_help", "") or (prev or {}).get("who_can_help", ""),
                describes_me=describes,
                goal_progress=ans.get("goal_progress", ""),
                previous_goal=previous_goal,
                profile_change=change,
                moved=MappingProxyType(moved),
                minutes_by_kind=MappingProxyType({kk: float(v) for kk, v in kinds.items()}),
            )
        )

    return PlanSet(
        templates=tuple(templates[k] for k in sorted(templates)),
        plans=tuple(plans),
        library=library,
        codebook=codebook,
        scores=planned_scores,
        needs=needs,
        unassigned=unassigned,
        costs=costs,
        settings=MappingProxyType({"fit_threshold": fit_threshold, "atypical_z": atypical_z,
                                   "focus_min_need": focus_min_need, "personal_min_need": personal_min_need,
                                   "high_need": high_need}),
        start=start_date,
        group_columns=group_cols,
        previous_only=previous_only,
    )
