"""The plans a cycle drafts: what a profile's template and a student's plan hold, and what they cost.

:class:`PlanSet` is what :func:`~toolkit.plans.draft_plans` returns: a :class:`ProfileTemplate`
per profile and a :class:`StudentPlan` per student, with the teacher minutes of the one cost
model (:class:`PlanCosts`), and the tables and pages made from them.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

import numpy as np
import pandas as pd

from ..codebook import Codebook
from ..errors import ToolkitError
from .strategies import StrategyLibrary
from .wording import _md, _phrase, _text

__all__ = ["TALK_FIRST", "PlanCosts", "ProfileTemplate", "StudentPlan", "PlanSet"]


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
