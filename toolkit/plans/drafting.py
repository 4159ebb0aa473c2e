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

Teacher minutes (see :class:`PlanCosts`)
    template per week = the sum of its strategies' ``minutes_per_week``; per term = that times
    ``term_weeks``. A student's plan per term = ``personalise_minutes`` + check-ins per term times
    ``check_in_minutes`` + the added strategy's ``minutes_per_week`` times ``term_weeks`` (when
    there is one) + ``conversation_minutes`` when flagged. Check-ins per term: ``term_weeks``
    (weekly), ``term_weeks // 2`` (every two weeks) or ``term_weeks // 4`` (every four weeks).
    The template's own minutes are shared by its students and reported separately
    (``template_minutes_share``).
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..codebook import Codebook
from ..errors import ToolkitError, user_error
from .needs import growth_areas, mask_preferences, need_scores, profile_focus, profile_strengths, voice_tags
from .strategies import GROUP_GROUPINGS, MARKS, Strategy, StrategyLibrary, load_strategy_library

__all__ = [
    "TALK_FIRST",
    "PlanCosts",
    "ProfileTemplate",
    "StudentPlan",
    "PlanSet",
    "draft_plans",
]

#: What a flagged plan tells the teacher.
TALK_FIRST = "Talk with this student before using the template"
_CHECK_INS = ("weekly", "every two weeks", "every four weeks")
_KINDS = ("planning", "class", "student", "meeting")  # toolkit.plans.costs.MINUTE_KINDS


@dataclass(frozen=True)
class PlanCosts:
    """Teacher minutes behind the plan estimates.

    The defaults are those of the scaling study's workload model (``toolkit/data/workload.yml``:
    ``weeks_per_term``, ``checkin_minutes``, ``personalise_minutes``, ``conversation_minutes``);
    replace them with your own timings.

    Attributes
    ----------
    term_weeks : int, default=12
        Teaching weeks in a term.
    check_in_minutes : float, default=2
        One short check-in with a student on their plan.
    personalise_minutes : float, default=20
        Reviewing a drafted plan and its personal layer, once a term per student.
    conversation_minutes : float, default=10
        The one-to-one conversation a flagged student gets before the template is used.
    """

    term_weeks: int = 12
    check_in_minutes: float = 2.0
    personalise_minutes: float = 20.0
    conversation_minutes: float = 10.0

    def check_ins_per_term(self, rhythm: str) -> int:
        """Check-ins per student per term for a rhythm ("weekly", "every two weeks", "every four weeks")."""
        per = {"weekly": 1, "every two weeks": 2, "every four weeks": 4}[rhythm]
        return max(1, int(self.term_weeks) // per)


@dataclass(frozen=True)
class ProfileTemplate:
    """The plan template of one profile.

    Attributes
    ----------
    profile : int
    name, description : str
        Plain-language name (from the solution) and what sets the group apart.
    n_students : int
    focus : tuple of str
        Construct keys, largest need first (0 to 3).
    strengths : tuple of str
        Construct keys, strongest first (0 to 2).
    strategies : tuple of str
        Strategy ids, the stretch strategy (if any) last.
    stretch_strategy : str
        The id of the strategy that builds on a strength, or "".
    check_in : str
        "weekly", "every two weeks" or "every four weeks".
    check_ins_per_term : int
    minutes_per_week, minutes_per_term : float
        Teacher minutes the template's strategies cost (see the module notes).
    mean_needs : Mapping
        Construct -> the profile's mean need (standard units, higher = more need).
    targeted_minutes_per_week : float
        Minutes a week of its strategies that are not whole-class (small group, pairs,
        individual): the differentiation. Whole-class items reach everyone and do not count.
    """

    profile: int
    name: str
    description: str
    n_students: int
    focus: tuple[str, ...]
    strengths: tuple[str, ...]
    strategies: tuple[str, ...]
    stretch_strategy: str
    check_in: str
    check_ins_per_term: int
    minutes_per_week: float
    minutes_per_term: float
    mean_needs: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}), repr=False)
    targeted_minutes_per_week: float = 0.0


@dataclass(frozen=True)
class StudentPlan:
    """One student's plan: their profile's template plus a personal layer. Pseudonym only.

    Attributes
    ----------
    pseudonym : str
    profile : int
    profile_name : str
        For the teacher only: never printed on anything a student receives.
    certainty : float
        The largest posterior probability of the student's profile (NaN if unknown).
    focus : tuple of str
        The template's focus areas.
    personal_growth_areas, personal_strengths : tuple of str
        Where the student differs from the template (construct keys). Preferences (the library's
        ``preference_tags``) are never growth areas.
    template_strategies : tuple of str
    added_strategy : str
        One strategy added for this student, or "": for their goal when the plan serves none of
        its tags, else for a personal growth area the template does not serve.
    flagged : bool
    flag_reason : str
        Starts with :data:`TALK_FIRST` when flagged; "" otherwise.
    in_my_words : str
        The student's scrubbed free text, quoted: ``In my words: "..."``; "" when none.
    goal : str
    check_in : str
    minutes : float
        Teacher minutes for this plan per term, beyond the shared template (the total of
        ``minutes_by_kind``).
    template_minutes_share : float
        The template's minutes per term divided by its students.
    groups : Mapping
        Group column -> value (e.g. Section, Grade), for the class pack.
    goal_tags : tuple of str
        The tags the goal speaks to (:func:`toolkit.plans.needs.voice_tags`).
    goal_strategy : str
        The strategy of the plan that serves the goal ("" when the goal names no tag the library
        serves).
    helps_tags : tuple of str
        Tags the student's "what helps me" words speak to.
    offered : tuple of str
        The two or three strategies the student's sheet offers to tick, cross or replace, in
        the order printed (numbered 1, 2, 3 on the sheet and in the form).
    chosen, crossed : tuple of str
        Strategies the student ticked / crossed (from their sheet or the previous cycle).
    own_idea, how_i_know, who_can_help : str
        What the student wrote on their sheet (scrubbed).
    describes_me : str
        The student's answer to "does this describe you?": "yes", "partly", "no" or "".
    goal_progress : str
        At a re-survey, how the last goal went: "yes", "partly", "not yet" or "".
    previous_goal : str
        The goal of the previous cycle, when there was one.
    profile_change : str
        After ``previous=``: "same", "changed", "changed (uncertain)" or "new"; "" otherwise.
    moved : Mapping
        Construct -> change of the scale score since the previous survey, where it moved by at
        least half a scale point.
    minutes_by_kind : Mapping
        Planning, class, student and meeting minutes a term (:func:`toolkit.plans.costs.plan_minutes`).
    """

    pseudonym: str
    profile: int
    profile_name: str
    certainty: float
    focus: tuple[str, ...]
    personal_growth_areas: tuple[str, ...]
    personal_strengths: tuple[str, ...]
    template_strategies: tuple[str, ...]
    added_strategy: str
    flagged: bool
    flag_reason: str
    in_my_words: str
    goal: str
    check_in: str
    minutes: float
    template_minutes_share: float
    groups: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    goal_tags: tuple[str, ...] = ()
    goal_strategy: str = ""
    helps_tags: tuple[str, ...] = ()
    offered: tuple[str, ...] = ()
    chosen: tuple[str, ...] = ()
    crossed: tuple[str, ...] = ()
    own_idea: str = ""
    how_i_know: str = ""
    who_can_help: str = ""
    describes_me: str = ""
    goal_progress: str = ""
    previous_goal: str = ""
    profile_change: str = ""
    moved: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    minutes_by_kind: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def strategies(self) -> tuple[str, ...]:
        """Every strategy id of the plan: the template's, then the added one."""
        return self.template_strategies + ((self.added_strategy,) if self.added_strategy else ())

    @property
    def has_personal_layer(self) -> bool:
        """True when something in the plan is this student's own (a goal, a choice, an idea, an
        added strategy, a growth area or strength of their own)."""
        return bool(self.goal or self.chosen or self.crossed or self.own_idea or self.how_i_know or self.added_strategy
                    or self.personal_growth_areas or self.personal_strengths)


_PLAN_COLUMNS = [
    "pseudonym", "profile", "profile_name", "certainty", "focus", "personal_growth_areas",
    "personal_strengths", "strategies", "added_strategy", "flagged", "flag_reason", "in_my_words",
    "goal", "check_in", "minutes", "template_minutes_share",
    # the co-written layer and the cycle (after the original columns, so old readers keep working)
    "personal_layer", "strategy_titles", "goal_tags", "goal_strategy", "offered", "chosen", "crossed", "own_idea",
    "how_i_know", "who_can_help", "describes_me", "goal_progress", "previous_goal", "profile_change", "moved",
    "start_date", "review_date",
    "minutes_planning", "minutes_class", "minutes_student", "minutes_meeting",
]


@dataclass(frozen=True)
class PlanSet:
    """Templates and plans drafted by :func:`draft_plans`.

    Attributes
    ----------
    templates : tuple of ProfileTemplate
        One per profile with students, by profile number.
    plans : tuple of StudentPlan
        Exactly one per assigned student, sorted by pseudonym.
    library : StrategyLibrary
    codebook : Codebook
    scores : DataFrame
        The construct scores of the planned students (index pseudonym).
    needs : DataFrame
        Their need scores (standardised over all scored students).
    unassigned : tuple of str
        Pseudonyms that had scores but no profile assignment, so no plan.
    costs : PlanCosts
    settings : Mapping
        The thresholds used (fit_threshold, atypical_z, focus_min_need, personal_min_need, high_need).
    start : datetime.date or None
        First day of the plans' cycle; the review is ``costs.term_weeks`` weeks later.
    group_columns : tuple of str
        The group columns each plan carries (e.g. Section, Grade), in this order in ``to_frame``.
    previous_only : tuple of str
        After ``previous=``: pseudonyms with a plan last cycle but none now (not re-surveyed).
    """

    templates: tuple[ProfileTemplate, ...]
    plans: tuple[StudentPlan, ...]
    library: StrategyLibrary = field(repr=False)
    codebook: Codebook = field(repr=False)
    scores: pd.DataFrame = field(repr=False)
    needs: pd.DataFrame = field(repr=False)
    unassigned: tuple[str, ...] = ()
    costs: PlanCosts = PlanCosts()
    settings: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    start: datetime.date | None = None
    group_columns: tuple[str, ...] = ()
    previous_only: tuple[str, ...] = ()

    @property
    def review(self) -> datetime.date | None:
        """The review date: ``term_weeks`` weeks after :attr:`start` (None without a start)."""
        return self.start + datetime.timedelta(weeks=int(self.costs.term_weeks)) if self.start else None

    def check_in_dates(self, rhythm: str) -> tuple[datetime.date, ...]:
        """The check-in dates of a rhythm over the cycle (empty without a start)."""
        if self.start is None:
            return ()
        from .costs import RHYTHMS

        step = RHYTHMS[rhythm]
        return tuple(self.start + datetime.timedelta(weeks=w) for w in range(step, int(self.costs.term_weeks) + 1, step))

    def title(self, strategy_id: str) -> str:
        """The teacher title of a strategy."""
        return self.library.get(strategy_id).title

    def personal_layer(self, pseudonym: str) -> list[str]:
        """The personal layer of a plan in plain lines for the teacher, the student's own choices first.

        Empty only when the student gave no goal, no choice and no idea, and differs from their
        profile nowhere.
        """
        p = self.plan(pseudonym)
        out = []
        if p.chosen:
            out.append("Chose: " + "; ".join(self.title(i) for i in p.chosen))
        if p.own_idea:
            out.append(f'Own idea: "{p.own_idea}"')
        if p.crossed:
            out.append("Crossed out: " + "; ".join(self.title(i) for i in p.crossed))
        if p.goal:
            served = f" - served by: {self.title(p.goal_strategy)}" if p.goal_strategy else ""
            out.append(f'Goal: "{p.goal}"{served}')
        if p.how_i_know:
            out.append(f'How they will know it works: "{p.how_i_know}"')
        if p.added_strategy and p.added_strategy != p.goal_strategy:
            out.append(f"Added: {self.title(p.added_strategy)}")
        if p.personal_growth_areas:
            out.append("Own growth areas: " + ", ".join(self.describe(c, need=True) for c in p.personal_growth_areas))
        if p.personal_strengths:
            out.append("Own strengths: " + ", ".join(self.describe(c, need=False) for c in p.personal_strengths))
        return out

    @functools.cached_property
    def _by_pseudonym(self) -> dict:
        return {p.pseudonym: p for p in self.plans}

    def template(self, profile: int) -> ProfileTemplate:
        """The template of ``profile``."""
        for t in self.templates:
            if t.profile == int(profile):
                return t
        raise ToolkitError(f"no template for profile {profile!r}. Profiles with a template: "
                           f"{', '.join(str(t.profile) for t in self.templates)}.")

    def plan(self, pseudonym: str) -> StudentPlan:
        """The plan of the student ``pseudonym``."""
        if pseudonym in self._by_pseudonym:
            return self._by_pseudonym[pseudonym]
        raise ToolkitError(f"no plan for pseudonym '{pseudonym}'. Check the pseudonym (plans.csv lists them).")

    def label(self, construct: str) -> str:
        """The codebook label of a construct key."""
        for c in self.codebook.constructs:
            if c.key == construct:
                return c.label
        return construct.replace("_", " ")

    def describe(self, construct: str, *, need: bool) -> str:
        """A construct as a need ("lower interest", "higher test anxiety") or a strength."""
        better = {c.key: c.higher_is_better for c in self.codebook.constructs}
        return _phrase(construct, {construct: self.label(construct)}, {construct: better.get(construct, True)}, need=need)

    @property
    def profile_means(self) -> pd.DataFrame:
        """Mean construct scores of each profile (index profile), from the planned students."""
        prof = pd.Series({p.pseudonym: p.profile for p in self.plans}, name="profile")
        return self.scores.groupby(prof.reindex(self.scores.index)).mean()

    def to_frame(self) -> pd.DataFrame:
        """One row per student, index ``pseudonym``; tuples joined with ``;``.

        Columns: the group columns (e.g. Section, Grade) first; then profile, profile_name,
        certainty, focus, personal_growth_areas, personal_strengths, strategies (every strategy id
        of the plan), added_strategy, flagged, flag_reason, in_my_words, goal, check_in, minutes,
        template_minutes_share; then the readable and co-written columns (personal_layer,
        strategy_titles, goal_tags, goal_strategy, offered, chosen, crossed, own_idea, how_i_know,
        who_can_help, describes_me, goal_progress, previous_goal, profile_change, moved), the
        cycle's start_date and review_date (ISO dates, "" without a start), the minutes by kind
        (minutes_planning, minutes_class, minutes_student, minutes_meeting), and the scale scores
        the plan was drafted from (score_<construct>, read back by ``previous=``).
        """
        start = self.start.isoformat() if self.start else ""
        review = self.review.isoformat() if self.review else ""
        rows = []
        for p in self.plans:
            kinds = dict(p.minutes_by_kind)
            row = {g: p.groups.get(g, "") for g in self.group_columns}
            row.update({
                "pseudonym": p.pseudonym,
                "profile": p.profile,
                "profile_name": p.profile_name,
                "certainty": p.certainty,
                "focus": ";".join(p.focus),
                "personal_growth_areas": ";".join(p.personal_growth_areas),
                "personal_strengths": ";".join(p.personal_strengths),
                "strategies": ";".join(p.strategies),
                "added_strategy": p.added_strategy,
                "flagged": p.flagged,
                "flag_reason": p.flag_reason,
                "in_my_words": p.in_my_words,
                "goal": p.goal,
                "check_in": p.check_in,
                "minutes": p.minutes,
                "template_minutes_share": p.template_minutes_share,
                "personal_layer": " | ".join(self.personal_layer(p.pseudonym)),
                "strategy_titles": " | ".join(self.title(i) for i in p.strategies),
                "goal_tags": ";".join(p.goal_tags),
                "goal_strategy": p.goal_strategy,
                "offered": ";".join(p.offered),
                "chosen": ";".join(p.chosen),
                "crossed": ";".join(p.crossed),
                "own_idea": p.own_idea,
                "how_i_know": p.how_i_know,
                "who_can_help": p.who_can_help,
                "describes_me": p.describes_me,
                "goal_progress": p.goal_progress,
                "previous_goal": p.previous_goal,
                "profile_change": p.profile_change,
                "moved": ";".join(f"{k}:{v:+.2f}" for k, v in p.moved.items()),
                "start_date": start,
                "review_date": review,
                **{f"minutes_{k}": float(kinds.get(k, 0.0)) for k in _KINDS},
            })
            for c in self.scores.columns:
                v = self.scores.at[p.pseudonym, c] if p.pseudonym in self.scores.index else np.nan
                row[f"score_{c}"] = round(float(v), 4) if pd.notna(v) else np.nan
            rows.append(row)
        columns = list(self.group_columns) + _PLAN_COLUMNS + [f"score_{c}" for c in self.scores.columns]
        frame = pd.DataFrame(rows, columns=columns).set_index("pseudonym")
        return frame.astype({"profile": "int64", "flagged": "bool", "certainty": "float64",
                             "minutes": "float64", "template_minutes_share": "float64"})

    def templates_frame(self) -> pd.DataFrame:
        """One row per template, index ``profile``; tuples joined with ``;``."""
        rows = [
            {
                "profile": t.profile,
                "name": t.name,
                "n_students": t.n_students,
                "focus": ";".join(t.focus),
                "strengths": ";".join(t.strengths),
                "strategies": ";".join(t.strategies),
                "stretch_strategy": t.stretch_strategy,
                "check_in": t.check_in,
                "check_ins_per_term": t.check_ins_per_term,
                "minutes_per_week": t.minutes_per_week,
                "minutes_per_term": t.minutes_per_term,
                "targeted_minutes_per_week": t.targeted_minutes_per_week,
                "description": t.description,
            }
            for t in self.templates
        ]
        return pd.DataFrame(rows).set_index("profile")

    def templates_markdown(self) -> str:
        """The templates as a Markdown document for teachers (no student-level data)."""
        lines = ["# Plan templates", "",
                 f"One template per profile, drafted from the survey. Minutes are teacher minutes for the "
                 f"whole group, over a {self.costs.term_weeks}-week term.", ""]
        for t in self.templates:
            lines += [f"## Profile {t.profile}: {t.name}", "", t.description, ""]
            lines.append(f"- Students: {t.n_students}")
            lines.append("- Focus areas: " + (", ".join(self.describe(c, need=True) for c in t.focus) or "none stands out"))
            lines.append("- Strengths to build on: " + (", ".join(self.describe(c, need=False) for c in t.strengths) or "none stands out"))
            lines.append(f"- Check-in: {t.check_in} ({t.check_ins_per_term} a term)")
            lines.append(f"- Teacher time: {t.minutes_per_week:g} minutes a week, {t.minutes_per_term:g} a term")
            lines.append(f"- Of which in small groups, pairs or one to one: {t.targeted_minutes_per_week:g} minutes a week "
                         f"(whole-class items reach everyone and are not differentiation)")
            lines += ["", "| strategy | what the teacher does | who | minutes a week | how we will know it works | evidence | caution |",
                      "|---|---|---|---|---|---|---|"]
            for sid in t.strategies:
                s = self.library.get(sid)
                title = s.title + (" (stretch)" if sid == t.stretch_strategy else "")
                who = "whole class: everyone" if s.grouping == "whole_class" else s.grouping.replace("_", " ")
                cells = [title, s.description, who, f"{s.minutes_per_week:g}", s.success,
                         f"{s.evidence} [{s.mark}]" + (f"; dose in the studies: {s.dose}" if s.dose else ""), s.caution]
                lines.append("| " + " | ".join(_md(c) for c in cells) + " |")
            lines.append("")
        lines += ["Evidence figures (EEF months of progress) are average attainment effects of a whole approach "
                  "across studies, not effects on a survey trait and not a prediction for one student.", ""]
        return "\n".join(lines)

    def with_goals(self, goals: Mapping[str, str] | pd.Series) -> "PlanSet":
        """A copy whose plans carry the goals students wrote back (pseudonym -> goal).

        Blank goals leave a plan's goal as it was. Unknown pseudonyms raise; use
        :func:`import_goals` to have them reported instead.
        """
        goals = dict(pd.Series(goals).items())
        known = {p.pseudonym for p in self.plans}
        unknown = sorted(str(k) for k in goals if k not in known)
        if unknown:
            raise ToolkitError(f"{len(unknown)} goal(s) for unknown pseudonyms (first: {', '.join(unknown[:3])}). "
                               f"Check the pseudonyms against plans.csv.")
        plans = tuple(
            dataclasses.replace(p, goal=_text(goals[p.pseudonym])) if _text(goals.get(p.pseudonym)) else p
            for p in self.plans
        )
        return dataclasses.replace(self, plans=plans)


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


def _targeted(library: StrategyLibrary, ids) -> float:
    """Teacher minutes a week of a template's strategies that are not whole-class (the differentiation)."""
    return float(sum(library.get(i).minutes_per_week for i in ids if library.get(i).grouping != "whole_class"))


def _attend_by_need(library, chosen: dict, focus: dict, mean_need: pd.DataFrame, tag_of: dict):
    """Give the neediest profile at least as much small-group and relational time as any other.

    The neediest profile is the one with the largest sum of positive mean needs. While its
    targeted (not whole-class) minutes a week are below another template's, the best small-group
    or pairs strategy serving one of its focus areas is added (one that builds relationships, tag
    ``belonging``, first), up to 6 strategies. ``chosen`` is updated in place; returns the profile.
    """
    if len(chosen) < 2:
        return None
    total = mean_need.clip(lower=0).sum(axis=1)
    neediest = int(total.idxmax())
    if not focus[neediest]:
        return None
    ids, stretch = chosen[neediest]
    others = max(_targeted(library, chosen[k][0]) for k in chosen if k != neediest)
    focus_tags = {tag_of[c] for c in focus[neediest]}
    pos = {s.id: i for i, s in enumerate(library.strategies)}
    while _targeted(library, ids) < others and len(ids) < 6:
        cands = [s for s in library if s.id not in ids and s.supports in ("low", "both")
                 and s.grouping in ("small_group", "pairs") and any(t in focus_tags for t in s.tags)]
        if not cands:
            break
        pick = min(cands, key=lambda s: ("belonging" not in s.tags, -sum(t in focus_tags for t in s.tags),
                                         MARKS.index(s.mark), pos[s.id]))
        ids = tuple(i for i in ids if i != stretch) + (pick.id,) + ((stretch,) if stretch else ())
    chosen[neediest] = (ids, stretch)
    return neediest


def _ids(value) -> tuple[str, ...]:
    if value is None or (not isinstance(value, (str, tuple, list)) and pd.isna(value)):
        return ()
    if isinstance(value, str):
        value = value.split(";")
    return tuple(dict.fromkeys(str(v).strip() for v in value if str(v).strip()))


def _offer(library, chosen, goal_strategy, added, template, crossed, n=3) -> tuple[str, ...]:
    """The strategies the student's sheet offers: theirs first, then their goal's, the added one, then
    the template's (small-group and individual before whole-class); none they crossed; at most n."""
    order = list(chosen) + [goal_strategy, added]
    order += [i for i in template if library.get(i).grouping != "whole_class"]
    order += [i for i in template if library.get(i).grouping == "whole_class"]
    out = [i for i in dict.fromkeys(order) if i and i not in crossed]
    return tuple(out[:n])


_ALONE = ("quiet", "alone", "on my own", "by myself")


def _contradictions(library, helps: str, htags, template, growth, tag_of) -> list[str]:
    """Where what the student wrote helps them contradicts what the plan assumes."""
    out = []
    need_tags = {tag_of[c] for c in tuple(template.focus) + tuple(growth)}
    for tag in htags:
        if tag not in library.preference_tags:
            continue
        low_only = [i for i in template.strategies if tag in library.get(i).tags and library.get(i).supports == "low"]
        if tag in need_tags or low_only:
            out.append(f"they wrote that \"{helps}\" helps them, but the plan treats "
                       f"{library.student_label(tag).lower()} as something to support")
    low = helps.casefold()
    if template.stretch_strategy and any(w in low for w in _ALONE):
        stretch = library.get(template.stretch_strategy)
        if any(t in library.preference_tags for t in stretch.tags):
            out.append(f"they wrote that \"{helps}\" helps them, and the template builds on "
                       f"{library.student_label(next(t for t in stretch.tags if t in library.preference_tags)).lower()}")
    return out


def _match_profiles(prev_of: dict, scores: pd.DataFrame, profile: pd.Series) -> dict | None:
    """Previous profile number -> this cycle's profile, matched by their mean scale scores.

    Profile numbers (and names drawn from the means) are not stable between two fits, so the
    previous cycle's profiles are matched to this cycle's by the smallest total distance between
    their mean scores (the Hungarian algorithm; a previous profile left over goes to the nearest).
    None when the previous plans carry no scores (an older plans.csv): then names, else numbers.
    """
    from ..profiles import align_profiles

    cols = [c for c in scores.columns]
    rows = [(d.get("profile"), [d.get(f"score_{c}", np.nan) for c in cols]) for d in prev_of.values()]
    rows = [(k, v) for k, v in rows if k is not None and np.isfinite(np.asarray(v, dtype=float)).any()]
    if not rows:
        return None
    prev = pd.DataFrame([v for _, v in rows], columns=cols, index=[k for k, _ in rows]).groupby(level=0).mean()
    cur = scores.groupby(profile.reindex(scores.index)).mean()
    pairs = align_profiles(prev, cur[cols], unmatched="nearest")  # the one alignment rule of the toolkit
    return {int(a): int(b) for a, b in zip(pairs["profile_a"], pairs["profile_b"])}


def _change(prev, k: int, name: str, cert: float, scores_row: pd.Series, fit_threshold: float, matched=None):
    """(profile_change, moved) of one student against the previous cycle's row."""
    if prev is None:
        return "new", {}
    pname = str(prev.get("profile_name") or "")
    if matched is not None and prev.get("profile") in matched:
        same = matched[prev["profile"]] == k
    elif pname and name:
        same = pname == name
    else:
        same = prev.get("profile") == k
    pcert = prev.get("certainty", np.nan)
    uncertain = (np.isfinite(cert) and cert < fit_threshold) or (np.isfinite(pcert) and pcert < fit_threshold)
    change = "same" if same else ("changed (uncertain)" if uncertain else "changed")
    moved = {}
    for c, now in scores_row.items():
        before = prev.get(f"score_{c}", np.nan)
        if np.isfinite(now) and np.isfinite(before) and abs(now - before) >= 0.5:
            moved[c] = round(float(now - before), 2)
    return change, moved


def _frame_by_pseudonym(table, what: str) -> pd.DataFrame:
    if not isinstance(table, pd.DataFrame):
        raise user_error(f"{what} should be a DataFrame (index pseudonym)")
    if "pseudonym" in table.columns:
        table = table.set_index("pseudonym")
    table = table.copy()
    table.index = table.index.astype(str)
    if table.index.has_duplicates:
        raise user_error(f"a pseudonym appears twice in {what}", row=str(table.index[table.index.duplicated()][0]),
                         fix="keep one row per student")
    return table


def _answers_table(answers, order) -> dict:
    if answers is None:
        return {}
    table = _frame_by_pseudonym(answers, "the students' answers")
    keys = ("goal", "chosen", "crossed", "own_idea", "how_i_know", "who_can_help", "describes_me", "goal_progress")
    out = {}
    for pid, row in table.iterrows():
        out[pid] = {k: (_ids(row[k]) if k in ("chosen", "crossed") else _text(row[k])) for k in keys if k in table.columns}
    return out


def _previous_table(previous, order) -> tuple[dict, tuple[str, ...]]:
    if previous is None:
        return {}, ()
    table = _frame_by_pseudonym(previous, "the previous plans")
    if "profile" not in table.columns:
        raise user_error("the previous plans have no 'profile' column", column="profile",
                         fix="give the plans.csv written by toolkit plans in the previous cycle")
    out = {}
    for pid, row in table.iterrows():
        d = {}
        for c, v in row.items():
            if c in ("profile",):
                num = pd.to_numeric(v, errors="coerce")
                d[c] = int(num) if pd.notna(num) else None
            elif c == "certainty" or str(c).startswith("score_"):
                num = pd.to_numeric(v, errors="coerce")
                d[c] = float(num) if pd.notna(num) else np.nan
            elif c in ("chosen", "crossed"):
                d[c] = _ids(v)
            else:
                d[c] = _text(v)
        out[pid] = d
    return out, tuple(sorted(p for p in table.index if p not in set(order)))


def _groups(groups, order) -> tuple[tuple[str, ...], dict]:
    if groups is None:
        return (), {}
    table = _frame_by_pseudonym(groups, "the group table")
    cols = tuple(str(c) for c in table.columns)
    return cols, {pid: {c: _text(table.at[pid, c]) for c in cols} for pid in order if pid in table.index}


def _as_date(start):
    if start is None or start == "":
        return None
    if isinstance(start, datetime.datetime):
        return start.date()
    if isinstance(start, datetime.date):
        return start
    try:
        return datetime.date.fromisoformat(str(start).strip())
    except ValueError:
        raise user_error("the start date is not a date", value=str(start), fix="give it as YYYY-MM-DD, e.g. 2026-09-28") from None


def _assignments(solution: Any) -> pd.DataFrame:
    a = getattr(solution, "assignments", None)
    if not isinstance(a, pd.DataFrame):
        raise user_error("the profile solution has no assignments table",
                         fix="pass a ProfileSolution, or any object whose .assignments is a DataFrame "
                             "(index pseudonym; columns profile and certainty)")
    if "profile" not in a.columns:
        raise user_error("the profile assignments have no 'profile' column", column="profile",
                         fix="give each student's profile number (1..K)")
    if a.index.has_duplicates:
        dup = a.index[a.index.duplicated()][0]
        raise user_error("a pseudonym has two profile assignments", row=str(dup), column="profile",
                         fix="keep one assignment per student")
    prof = pd.to_numeric(a["profile"], errors="coerce")
    bad = prof.isna() | (prof < 1) | (prof != prof.round())
    if bad.any():
        pid = a.index[bad.to_numpy()][0]
        raise user_error("a profile should be a whole number 1..K", row=str(pid), column="profile",
                         value=_plain(a.loc[pid, "profile"]), fix="correct the assignments table")
    out = pd.DataFrame({"profile": prof.astype("int64")}, index=a.index.copy())
    if "certainty" in a.columns:
        out["certainty"] = pd.to_numeric(a["certainty"], errors="coerce").astype(float)
    else:
        pcols = [c for c in a.columns if isinstance(c, str) and c[:1] == "p" and c[1:].isdigit()]
        if not pcols:
            raise user_error("the profile assignments have neither 'certainty' nor posterior columns p1..pK",
                             column="certainty", fix="add the largest posterior probability of each student as 'certainty'")
        out["certainty"] = a[pcols].apply(pd.to_numeric, errors="coerce").max(axis=1).astype(float)
    return out


def _rank(s: Strategy, tag: str, need: str, focus_tags: set[str], position: int) -> tuple:
    covers = sum(1 for t in s.tags if t in focus_tags) if need == "low" else 0
    return (s.tags[0] != tag, -covers, s.supports != need, MARKS.index(s.mark), position)


def _best(library: StrategyLibrary, tag: str, need: str, *, exclude, groupings=GROUP_GROUPINGS, focus_tags=frozenset()) -> str:
    pos = {s.id: i for i, s in enumerate(library.strategies)}
    cands = [s for s in library.with_tag(tag, need=need, groupings=groupings) if s.id not in exclude]
    if not cands:
        return ""
    return min(cands, key=lambda s: _rank(s, tag, need, set(focus_tags), pos[s.id])).id


def _template_strategies(library, focus, strengths, tag_of, mean_need) -> tuple[tuple[str, ...], str]:
    chosen: list[str] = []
    focus_tags = {tag_of[c] for c in focus}

    def served(tag):
        return any(library.get(i).serves(tag, need="low") for i in chosen)

    for c in focus:
        if not served(tag_of[c]):
            sid = _best(library, tag_of[c], "low", exclude=chosen, focus_tags=focus_tags) or \
                _best(library, tag_of[c], "low", exclude=chosen, groupings=None, focus_tags=focus_tags)
            if sid:
                chosen.append(sid)
    for c in focus:  # at least two strategies where the library allows
        if len(chosen) >= 2:
            break
        sid = _best(library, tag_of[c], "low", exclude=chosen, focus_tags=focus_tags)
        if sid:
            chosen.append(sid)
    stretch = ""
    n_stretch = 1 if focus else 2
    for c in strengths:
        if len(chosen) >= 4 or n_stretch == 0:
            break
        sid = _best(library, tag_of[c], "high", exclude=chosen)
        if sid:
            chosen.append(sid)
            stretch = stretch or sid
            n_stretch -= 1
    if len(chosen) < 2:  # no focus and too few strengths: support the relatively largest needs
        for c in mean_need.sort_values(ascending=False, kind="stable").index:
            if len(chosen) >= 2:
                break
            if tag_of[c] in library.preference_tags:  # a preference is not a need
                continue
            sid = _best(library, tag_of[c], "low", exclude=chosen)
            if sid:
                chosen.append(sid)
    if stretch:  # the stretch strategy goes last
        chosen = [i for i in chosen if i != stretch] + [stretch]
    return tuple(chosen), stretch


def _individual_strategy(library: StrategyLibrary, tag: str, *, exclude) -> str:
    return (_best(library, tag, "low", exclude=exclude, groupings=("individual",))
            or _best(library, tag, "low", exclude=exclude, groupings=None))


def _phrase(key: str, labels, better, *, need: bool) -> str:
    label = labels[key]
    label = label[0].lower() + label[1:] if label[:2] != label[:2].upper() else label
    higher = better[key] != need
    return ("higher " if higher else "lower ") + label


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _describe(n: int, focus, strengths, labels, better) -> str:
    who = f"{n} student{'s' if n != 1 else ''}."
    if focus:
        text = (f"{who} Compared with all the students surveyed, they report "
                f"{_join([_phrase(c, labels, better, need=True) for c in focus])}: the focus of this template.")
    else:
        text = f"{who} No area stands out as a need compared with all the students surveyed."
    if strengths:
        text += f" They bring {_join([_phrase(c, labels, better, need=False) for c in strengths])} to build on."
    return text


def _text(x) -> str:
    if x is None or (not isinstance(x, str) and pd.isna(x)):
        return ""
    return " ".join(str(x).split())


def _voice(voice, order, codebook: Codebook, goal_key: str) -> tuple[dict, dict]:
    if voice is None:
        return {}, {}, {}
    if not isinstance(voice, pd.DataFrame):
        raise user_error("voice should be a DataFrame (index pseudonym; columns the codebook's voice keys)")
    keys = [k for k in codebook.voice_columns if k in voice.columns] or [
        c for c in voice.columns if c == goal_key]
    if not keys:
        raise user_error(f"the voice table has none of the codebook's voice keys ({', '.join(codebook.voice_columns)})",
                         fix="pass the de-identified responses, whose voice columns are named by their keys")
    v = voice.loc[voice.index.isin(order), keys]
    if v.index.has_duplicates:
        raise user_error("a pseudonym appears twice in the voice table", row=str(v.index[v.index.duplicated()][0]),
                         fix="keep one row per student")
    words, goals, helps = {}, {}, {}
    for pid, row in v.iterrows():
        said = [_text(row[k]) for k in keys if k != goal_key]
        said = [s for s in said if s]
        if said:
            words[pid] = "In my words: " + "; ".join(f'"{s}"' for s in said)
            helps[pid] = "; ".join(said)
        if goal_key in keys and _text(row[goal_key]):
            goals[pid] = _text(row[goal_key])
    return words, goals, helps


def _plain(value):
    return value.item() if hasattr(value, "item") else value


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")
