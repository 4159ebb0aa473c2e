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

Check-in rhythm
    *weekly* when the profile's largest mean need is at least ``high_need`` (0.75 standard units
    by default), *every two weeks* when it has any focus area, *every four weeks* otherwise.

Personal layer of a student
    Own growth areas: :func:`toolkit.needs.growth_areas` with ``n=2`` and
    ``min_need=personal_min_need`` (0.5 by default), kept where they are not already a focus of
    the template; own strengths likewise from the negated needs. When a personal growth area's
    tag is served by none of the template's strategies, one strategy is added for it (an
    individual one first). The student's scrubbed free-text answers are quoted as "In my words";
    the ``goal`` voice answer (or a goal imported later) is their goal.

Fit flag
    A student is flagged, with "Talk with this student before using the template", when the
    certainty of their profile (the largest posterior probability) is below ``fit_threshold``, or
    their answers are atypical for the profile: the largest absolute difference between their need
    and the profile's mean need, over the constructs, exceeds ``atypical_z`` standard units. The
    largest single difference is used rather than a Mahalanobis distance because it names the
    construct a teacher should ask about, and it needs no covariance estimate in small profiles.

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
import functools
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..codebook import Codebook
from ..errors import ToolkitError, user_error
from .needs import growth_areas, need_scores, profile_focus, profile_strengths
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


@dataclass(frozen=True)
class StudentPlan:
    """One student's plan: their profile's template plus a personal layer. Pseudonym only.

    Attributes
    ----------
    pseudonym : str
    profile : int
    profile_name : str
    certainty : float
        The largest posterior probability of the student's profile (NaN if unknown).
    focus : tuple of str
        The template's focus areas.
    personal_growth_areas, personal_strengths : tuple of str
        Where the student differs from the template (construct keys).
    template_strategies : tuple of str
    added_strategy : str
        One strategy for a personal growth area the template does not serve, or "".
    flagged : bool
    flag_reason : str
        Starts with :data:`TALK_FIRST` when flagged; "" otherwise.
    in_my_words : str
        The student's scrubbed free text, quoted: ``In my words: "..."``; "" when none.
    goal : str
    check_in : str
    minutes : float
        Teacher minutes for this plan per term, beyond the shared template.
    template_minutes_share : float
        The template's minutes per term divided by its students.
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

    @property
    def strategies(self) -> tuple[str, ...]:
        """Every strategy id of the plan: the template's, then the added one."""
        return self.template_strategies + ((self.added_strategy,) if self.added_strategy else ())


_PLAN_COLUMNS = [
    "pseudonym", "profile", "profile_name", "certainty", "focus", "personal_growth_areas",
    "personal_strengths", "strategies", "added_strategy", "flagged", "flag_reason", "in_my_words",
    "goal", "check_in", "minutes", "template_minutes_share",
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

        Columns: profile, profile_name, certainty, focus, personal_growth_areas,
        personal_strengths, strategies (every strategy id of the plan), added_strategy, flagged,
        flag_reason, in_my_words, goal, check_in, minutes, template_minutes_share.
        """
        rows = [
            {
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
            }
            for p in self.plans
        ]
        frame = pd.DataFrame(rows, columns=_PLAN_COLUMNS).set_index("pseudonym")
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
            lines += ["", "| strategy | what the teacher does | grouping | minutes a week | evidence | caution |",
                      "|---|---|---|---|---|---|"]
            for sid in t.strategies:
                s = self.library.get(sid)
                title = s.title + (" (stretch)" if sid == t.stretch_strategy else "")
                cells = [title, s.description, s.grouping.replace("_", " "), f"{s.minutes_per_week:g}",
                         f"{s.evidence} [{s.mark}]", s.caution]
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

    mean_needs = needs.groupby(profile).mean()
    focus = profile_focus(needs, profile, n_focus=3, min_need=focus_min_need)
    strengths = profile_strengths(needs, profile, n_strengths=2)
    tag_of = {c.key: c.tag for c in codebook.constructs}
    better = {c.key: c.higher_is_better for c in codebook.constructs}
    labels = {c.key: c.label for c in codebook.constructs}
    counts = profile.value_counts()

    templates = {}
    for k in sorted(int(x) for x in counts.index):
        f, s = focus[k], strengths[k]
        ids, stretch = _template_strategies(library, f, s, tag_of, mean_needs.loc[k])
        top = float(mean_needs.loc[k].max(skipna=True)) if mean_needs.loc[k].notna().any() else 0.0
        rhythm = "weekly" if (f and top >= high_need) else ("every two weeks" if f else "every four weeks")
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
        )

    own_growth = growth_areas(needs, n=2, min_need=personal_min_need)
    own_strength = growth_areas(-needs, n=2, min_need=personal_min_need)
    words, goals = _voice(voice, order, codebook, goal_key)
    certainty = assignments["certainty"]

    plans = []
    for pid in order:
        k = int(profile[pid])
        t = templates[k]
        growth = tuple(c for c in own_growth[pid] if c not in t.focus)
        strong = tuple(c for c in own_strength[pid] if c not in t.strengths)
        served = {tag for sid in t.strategies for tag in library.get(sid).tags if library.get(sid).supports in ("low", "both")}
        added = ""
        for c in growth:
            if tag_of[c] not in served:
                added = _individual_strategy(library, tag_of[c], exclude=t.strategies)
                if added:
                    break
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
        flagged = bool(reasons)
        from .costs import plan_minutes  # the one cost model (plans/costs.py), shared with the scaling study

        minutes = sum(plan_minutes(
            check_ins=t.check_ins_per_term, check_in_minutes=costs.check_in_minutes,
            personalise_minutes=costs.personalise_minutes, conversation_minutes=costs.conversation_minutes,
            term_weeks=costs.term_weeks, added_minutes_per_week=library.get(added).minutes_per_week if added else 0.0,
            flagged=flagged).values())
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
                goal=goals.get(pid, ""),
                check_in=t.check_in,
                minutes=float(minutes),
                template_minutes_share=round(t.minutes_per_term / t.n_students, 2),
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
    )


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
        return {}, {}
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
    words, goals = {}, {}
    for pid, row in v.iterrows():
        said = [_text(row[k]) for k in keys if k != goal_key]
        said = [s for s in said if s]
        if said:
            words[pid] = "In my words: " + "; ".join(f'"{s}"' for s in said)
        if goal_key in keys and _text(row[goal_key]):
            goals[pid] = _text(row[goal_key])
    return words, goals


def _plain(value):
    return value.item() if hasattr(value, "item") else value


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")
