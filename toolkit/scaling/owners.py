"""The owner model: a year of plans for ONE plan owner with a stated caseload, by kind of minutes.

Every student has a named plan owner (an advisor or homeroom teacher by default, a subject teacher
or a counsellor) with a caseload ``c`` (``students_per_owner``). Staff are counted in fractional
FTE (``students / caseload``), never rounded up. Every per-owner figure the study states uses one
denominator: **hours a week for one owner with the stated caseload**, averaged over a school year
of ``cycles_per_year`` cycles of ``weeks_per_term`` weeks.

Per student, the minutes of a cycle come from :func:`toolkit.plans.costs.plan_minutes`, the same
function the drafted plans use, with the drafted plans' own mix: each template's check-in cadence,
the strategies added for one student, the flag rule, and the template's class minutes shared by
its students. Over a year, for one owner (K templates, C cycles, m = ``transition_rate``)::

    templates (planning, once a year)
        scope owner     K * template_minutes
        scope school    K * template_minutes * c / students_per_school + K * adapt_template_minutes
        scope district  K * template_minutes * c / district_students   + K * adapt_template_minutes
    first cycle         c * plan_minutes(way)
    each later cycle    c * (resurvey_minutes + check-ins, added strategies and flags again)
                        + m*c re-personalised (the way's personal layer again) + (1-m)*c updated

Ways: ``individual`` (every plan written from scratch, ``individual_plan_minutes``; no template),
``templated`` (template + personal layer by the owner), ``hybrid`` (flagged students get an
individual plan), ``cowritten`` (template + personal layer drafted by the student in a lesson,
agreed in a conference: student minutes and owner meeting minutes apart). The owner's
*out-of-class* time (planning + meeting) is compared with planning time; class minutes are shown
as class minutes and student minutes per student.
"""

from __future__ import annotations

import math
from typing import Mapping

import numpy as np
import pandas as pd

from ..errors import ToolkitError
from ..plans.costs import MINUTE_KINDS, plan_minutes

__all__ = ["owners_needed", "OWNER_KINDS", "SCOPES", "DESIGN_WAYS", "DISTRICT_STUDENTS", "owner_year_minutes", "owner_table",
           "budget_table", "owner_capacity", "answer", "default_mix", "mix_from_plans", "cycle_minutes",
           "owner_sensitivity", "owner_projection", "WAY_WORDS", "SCOPE_WORDS"]

#: Owner kinds -> the workload assumption that holds their caseload.
OWNER_KINDS = {"advisor": "students_per_owner", "subject teacher": "students_per_teacher",
               "counsellor": "students_per_counsellor"}
#: Who shares a set of templates.
SCOPES = ("owner", "school", "district")
#: The ways of the owner model.
DESIGN_WAYS = ("individual", "templated", "hybrid", "cowritten")
#: Students in a district, when templates are shared by one (the projection's largest size).
DISTRICT_STUDENTS = 20000
_PCT = (5, 50, 95)


def default_mix(values: Mapping[str, float], flagged_share: float) -> dict[str, float]:
    """The per-student plan mix when no drafted plans are at hand: the workload's check-ins, no added strategy."""
    return {"check_ins": float(values["checkins_per_term"]), "added_minutes_per_week": 0.0,
            "flagged": float(flagged_share), "template_class_share": 0.0}


def mix_from_plans(plan_set) -> dict[str, float]:
    """Mean per-student plan mix of drafted plans: check-ins, added strategy minutes, flag share, template class share."""
    from ..plans.costs import plan_set_minutes

    per = plan_set_minutes(plan_set)
    t_share = np.mean([next(t for t in plan_set.templates if t.profile == p.profile).minutes_per_term
                       / next(t for t in plan_set.templates if t.profile == p.profile).n_students
                       for p in plan_set.plans])
    return {"check_ins": float(per["check_ins"].mean()), "added_minutes_per_week": float(per["added_minutes_per_week"].mean()),
            "flagged": float(per["flagged"].mean()), "template_class_share": float(t_share)}


def cycle_minutes(values: Mapping, mix: Mapping[str, float], way: str = "templated") -> dict[str, float]:
    """One student's expected minutes in the first cycle, by kind, beyond writing the templates.

    For ``templated`` this is the drafted plans' ``minutes`` plus ``template_minutes_share``
    (the template's class minutes shared by its students), averaged over the students.
    """
    v = {key: np.asarray(x, dtype=float) for key, x in values.items()}
    return {kind: float(x) for kind, x in _cycle(v, mix, way).items()}


def _cycle(v, mix, way):
    """Per-student minutes of one cycle by kind (expected over the mix), from the one cost model."""
    common = dict(check_ins=mix["check_ins"], check_in_minutes=v["checkin_minutes"],
                  conversation_minutes=v["conversation_minutes"], term_weeks=v["weeks_per_term"],
                  added_minutes_per_week=mix["added_minutes_per_week"])
    f = mix["flagged"]
    if way == "individual":
        m = plan_minutes(personalise_minutes=v["individual_plan_minutes"], flagged=False, **common)
        m["class"] = m["class"] - mix["added_minutes_per_week"] * v["weeks_per_term"]  # an individual plan has no "added"
    elif way == "templated":
        m = plan_minutes(personalise_minutes=v["personalise_minutes"], flagged=f, **common)
    elif way == "hybrid":
        m = plan_minutes(personalise_minutes=(1 - f) * v["personalise_minutes"] + f * v["individual_plan_minutes"],
                         flagged=f, **common)
    elif way == "cowritten":
        m = plan_minutes(personalise_minutes=v["personalise_minutes"], flagged=f, cowritten=True,
                         cowrite_lesson_minutes=v["cowrite_lesson_minutes"], conference_minutes=v["conference_minutes"],
                         **common)
    else:
        raise ValueError(f"way={way!r} should be one of {DESIGN_WAYS}")
    if way != "individual":
        m["class"] = m["class"] + mix["template_class_share"]
    return m


def owner_year_minutes(values: Mapping, *, way: str, k: int, mix: Mapping[str, float], caseload,
                       scope: str = "school", district_students: int = DISTRICT_STUDENTS) -> dict[str, np.ndarray]:
    """Minutes in a school year, by kind, for ONE owner with ``caseload`` students.

    Parameters
    ----------
    values : mapping
        Workload assumption -> value, or -> array of Monte Carlo draws.
    way : {"individual", "templated", "hybrid", "cowritten"}
    k : int
        Templates (profiles).
    mix : mapping
        Per-student plan mix (:func:`mix_from_plans` or :func:`default_mix`).
    caseload : float or array
        Students per owner.
    scope : {"owner", "school", "district"}, default="school"
    district_students : int, default=20000

    Returns
    -------
    dict
        ``planning, class, student, meeting`` (student: minutes per student, not per owner) and
        ``out_of_class`` (planning + meeting), each per year.

    Examples
    --------
    >>> from toolkit.scaling import load_workload
    >>> v = load_workload().values
    >>> mix = default_mix(v, 0.0)
    >>> m = owner_year_minutes(v, way="individual", k=4, mix=mix, caseload=10, scope="owner")
    >>> float(m["planning"])  # 10 * 60 + 2 later cycles * 10 * (2 + 0.34*60 + 0.66*5)
    1114.0
    """
    if scope not in SCOPES:
        raise ToolkitError(f"template scope {scope!r} should be one of {', '.join(SCOPES)}.")
    v = {key: np.asarray(x, dtype=float) for key, x in values.items()}
    c = np.asarray(caseload, dtype=float)
    cycles = v["cycles_per_year"]
    later = np.maximum(cycles - 1.0, 0.0)
    rate = v["transition_rate"]
    first = _cycle(v, mix, way)
    out = {kind: c * first[kind] * (1.0 if kind != "student" else 0.0) for kind in MINUTE_KINDS}
    out["student"] = first["student"] * 1.0
    # Later cycles: everyone re-surveyed; check-ins, added strategies and flags again; movers re-personalised.
    again = _cycle(v, mix, way)
    personal_planning = again["planning"] - (mix["flagged"] * 0.0)
    out["planning"] = out["planning"] + later * c * (v["resurvey_minutes"] + rate * personal_planning
                                                     + (1 - rate) * v["update_minutes"])
    out["class"] = out["class"] + later * c * again["class"]
    conv = mix["flagged"] * v["conversation_minutes"]
    out["meeting"] = out["meeting"] + later * c * (conv + rate * (again["meeting"] - conv))
    out["student"] = out["student"] + later * rate * again["student"]
    if way != "individual":
        if scope == "owner":
            tmpl = k * v["template_minutes"] * np.ones_like(c)
        else:
            pool = v["students_per_school"] if scope == "school" else float(district_students)
            tmpl = k * v["template_minutes"] * c / pool + k * v["adapt_template_minutes"]
        out["planning"] = out["planning"] + tmpl
    out["out_of_class"] = out["planning"] + out["meeting"]
    return out


def _weeks(v):
    return np.asarray(v["cycles_per_year"], dtype=float) * np.asarray(v["weeks_per_term"], dtype=float)


def owner_table(workload, *, k: int, mix: Mapping[str, float], caseload: float, scope: str = "school",
                draws: Mapping[str, np.ndarray] | None = None, owner_kind: str = "advisor",
                fidelity: Mapping[str, float] | None = None) -> pd.DataFrame:
    """One row per way: one owner's hours a week by kind, with the Monte Carlo median and 90% interval.

    Returns
    -------
    DataFrame
        ``way, owner_kind, students_per_owner, template_scope, n_profiles``; at the defaults
        (labelled ``_mode``, the peak of every range) ``hours_per_week_mode``,
        ``class_hours_per_week_mode``, ``share_of_planning_mode``; from the draws
        ``hours_per_week_p05/_p50/_p95``, ``share_of_planning_p05/_p50/_p95``,
        ``class_hours_per_week_p50``, ``student_minutes_per_cycle_p50``, ``p_cheaper_than_individual``,
        ``saving_hours_p05/_p50/_p95`` (individual minus this way), ``fidelity``.
    """
    v0 = workload.values
    draws = draws if draws is not None else {key: np.full(1, x) for key, x in v0.items()}
    ind = owner_year_minutes(draws, way="individual", k=k, mix=mix, caseload=caseload, scope=scope)
    wk_d = _weeks(draws)
    rows = []
    for way in DESIGN_WAYS:
        pt = owner_year_minutes(v0, way=way, k=k, mix=mix, caseload=caseload, scope=scope)
        mc = owner_year_minutes(draws, way=way, k=k, mix=mix, caseload=caseload, scope=scope)
        wk0 = float(_weeks(v0))
        h = mc["out_of_class"] / 60.0 / wk_d
        share = h * 60.0 / np.asarray(draws["planning_minutes_per_week"], dtype=float)
        saving = (ind["out_of_class"] - mc["out_of_class"]) / 60.0 / wk_d
        p = lambda x: np.percentile(x, _PCT)  # noqa: E731
        hp, sp, sv = p(h), p(share), p(saving)
        rows.append({
            "way": way, "owner_kind": owner_kind, "students_per_owner": float(caseload), "template_scope": scope,
            "n_profiles": int(k) if way != "individual" else 0,
            "hours_per_week_p05": hp[0], "hours_per_week_p50": hp[1], "hours_per_week_p95": hp[2],
            "share_of_planning_p05": sp[0], "share_of_planning_p50": sp[1], "share_of_planning_p95": sp[2],
            "class_hours_per_week_p50": float(np.median(mc["class"] / 60.0 / wk_d)),
            "student_minutes_per_cycle_p50": float(np.median(mc["student"] / np.asarray(draws["cycles_per_year"]))),
            "p_cheaper_than_individual": float(np.mean(mc["out_of_class"] < ind["out_of_class"])) if way != "individual" else np.nan,
            "saving_hours_p05": sv[0] if way != "individual" else np.nan,
            "saving_hours_p50": sv[1] if way != "individual" else np.nan,
            "saving_hours_p95": sv[2] if way != "individual" else np.nan,
            "hours_per_week_mode": float(pt["out_of_class"]) / 60.0 / wk0,
            "class_hours_per_week_mode": float(pt["class"]) / 60.0 / wk0,
            "share_of_planning_mode": float(pt["out_of_class"]) / wk0 / float(v0["planning_minutes_per_week"]),
            "fidelity": float((fidelity or {}).get(way if way != "cowritten" else "templated", np.nan)),
        })
    return pd.DataFrame(rows)


def owner_projection(workload, *, k: int, mix, caseload: float, scope: str, sizes, draws) -> pd.DataFrame:
    """The owner model from a class to a district: owners in fractional FTE, and hours a year in all.

    One owner's time a week does not change with the school's size (only the template share of a
    school or district does); what grows is the number of owners, ``students / caseload``.

    Returns
    -------
    DataFrame
        One row per (students, way): ``n_students, way, n_owners`` (fractional), ``hours_per_year_p05/
        _p50/_p95`` (all owners, outside lessons), ``owner_hours_per_week_p50`` (one owner).
    """
    wk = _weeks(draws)
    rows = []
    for n in sizes:
        owners = float(n) / float(caseload)
        for way in DESIGN_WAYS:
            mc = owner_year_minutes(draws, way=way, k=k, mix=mix, caseload=caseload, scope=scope)
            total = owners * mc["out_of_class"] / 60.0
            lo, mid, hi = np.percentile(total, _PCT)
            rows.append({"n_students": int(n), "way": way, "n_owners": owners, "students_per_owner": float(caseload),
                         "template_scope": scope, "hours_per_year_p05": float(lo), "hours_per_year_p50": float(mid),
                         "hours_per_year_p95": float(hi),
                         "owner_hours_per_week_p50": float(np.median(mc["out_of_class"] / 60.0 / wk))})
    return pd.DataFrame(rows)


def owner_capacity(values, *, way: str, k: int, mix, scope: str, budget_minutes: float) -> float:
    """Students one owner can carry with ``budget_minutes`` a week of out-of-class time (at ``values``).

    The year's out-of-class minutes are linear in the caseload (a + b*c), so c = (budget * weeks - a) / b,
    floored at 0.
    """
    m1 = float(owner_year_minutes(values, way=way, k=k, mix=mix, caseload=1.0, scope=scope)["out_of_class"])
    m2 = float(owner_year_minutes(values, way=way, k=k, mix=mix, caseload=2.0, scope=scope)["out_of_class"])
    b = m2 - m1
    a = m1 - b
    if b <= 0:
        return math.inf
    return max(0.0, (float(budget_minutes) * float(_weeks(values)) - a) / b)


def budget_table(workload, *, k: int, mix, caseload: float, budget_minutes: float, draws,
                 fidelity: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Every design (way x template scope) against a weekly budget of out-of-class minutes per owner.

    Returns
    -------
    DataFrame
        One row per design: ``way, template_scope, minutes_per_week_p50, minutes_per_week_p95,
        p_fits`` (share of draws within the budget), ``fits`` (the median is within it),
        ``capacity_students`` (students one owner can carry at the budget, at the defaults),
        ``fidelity``, ``recommended`` (the fitting design with the highest fidelity, then the fewest
        minutes; templated and co-written tie on fidelity and the co-written wins when it costs the
        owner less).
    """
    rows = []
    for scope in SCOPES:
        t = owner_table(workload, k=k, mix=mix, caseload=caseload, scope=scope, draws=draws, fidelity=fidelity)
        for _, r in t.iterrows():
            if r["way"] == "individual" and scope != "owner":
                continue  # no template: the scope does not change it
            mc = owner_year_minutes(draws, way=r["way"], k=k, mix=mix, caseload=caseload, scope=scope)
            per_week = mc["out_of_class"] / _weeks(draws)
            rows.append({"way": r["way"], "template_scope": scope if r["way"] != "individual" else "none",
                         "minutes_per_week_p50": float(np.median(per_week)),
                         "minutes_per_week_p95": float(np.percentile(per_week, 95)),
                         "p_fits": float(np.mean(per_week <= budget_minutes)),
                         "fits": bool(np.median(per_week) <= budget_minutes),
                         "capacity_students": owner_capacity(workload.values, way=r["way"], k=k, mix=mix, scope=scope,
                                                             budget_minutes=budget_minutes),
                         "fidelity": r["fidelity"]})
    out = pd.DataFrame(rows)
    out.insert(0, "budget_minutes_per_week", float(budget_minutes))
    out["recommended"] = False
    fit = out[out["fits"]]
    if len(fit):
        best = fit.sort_values(["fidelity", "minutes_per_week_p50"], ascending=[False, True], kind="stable").index[0]
        out.loc[best, "recommended"] = True
    return out


def owner_sensitivity(workload, *, way: str, k: int, mix, caseload: float, scope: str) -> pd.DataFrame:
    """One-at-a-time swings of one owner's out-of-class minutes a week, every assumption low to high.

    Returns
    -------
    DataFrame
        ``assumption, kind, low, value, high, at_low, base, at_high, swing`` (minutes a week),
        largest swing first.
    """
    base_v = workload.values

    def per_week(vals):
        m = owner_year_minutes(vals, way=way, k=k, mix=mix, caseload=caseload, scope=scope)
        return float(m["out_of_class"]) / float(_weeks(vals))

    base = per_week(base_v)
    rows = []
    for key, a in workload.assumptions.items():
        lo, hi = per_week(dict(base_v, **{key: a.low})), per_week(dict(base_v, **{key: a.high}))
        rows.append({"assumption": key, "kind": a.kind, "low": a.low, "value": a.value, "high": a.high,
                     "at_low": lo, "base": base, "at_high": hi, "swing": abs(hi - lo)})
    return (pd.DataFrame(rows).sort_values(["swing", "assumption"], ascending=[False, True], kind="stable")
            .reset_index(drop=True))


#: The ways of planning in a leader's words; the report says them the same way (one vocabulary).
WAY_WORDS = {"individual": "fully individual plans", "templated": "profile templates with a personal layer the owner writes",
              "hybrid": "profile templates, with individual plans for flagged students",
              "cowritten": "co-written plans (the student drafts the personal layer in a lesson, the owner agrees it in a short conference)"}
#: Who writes the templates, in a leader's words.
SCOPE_WORDS = {"owner": "templates each owner writes", "school": "school-wide templates",
                "district": "district-wide templates", "none": "no templates"}


def owners_needed(n_owners: float) -> int:
    """The plan owners a school names for ``n_owners`` caseloads (students / caseload): whole
    people, each a teacher giving part of their week. A fraction ("12.8 advisors in full-time
    equivalents") reads to a leader as full-time posts.

    Examples
    --------
    >>> owners_needed(239 / 18.6), owners_needed(1.0), owners_needed(0.3)
    (13, 1, 1)
    """
    return max(1, math.ceil(n_owners - 1e-9))


def _a(noun: str) -> str:
    """``noun`` with its indefinite article: "an advisor", "a counsellor"."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _words(study, key: str) -> str:
    """An assumption in words: its description in the study's workload, else its key."""
    try:
        return (study.workload[key].description or key).rstrip(".")
    except (ToolkitError, AttributeError, TypeError):
        return key


def answer(study) -> str:
    """The verdict for a principal, in words: the first thing on the leadership report.

    Parameters
    ----------
    study : ScalingStudy
        With its ``owner`` and ``budget`` tables (``scaling_study`` fills them).

    Returns
    -------
    str
        A few sentences: the verdict with the caseload and scope, the median and 90% interval of
        one owner's hours a week and the share of planning time, what fully individual plans would
        take, the probability statement, the design that fits the budget, and what would change the
        answer (the assumption that moves it most), each saying where its figures are assumptions.
    """
    o = study.owner.set_index("way")
    s = study.owner_settings
    planning_h = s["planning_minutes_per_week"] / 60.0
    best_way = o.drop(index="individual")["hours_per_week_p50"].idxmin()
    b, i = o.loc[best_way], o.loc["individual"]
    fits = b["hours_per_week_p50"] <= planning_h
    verdict = "Yes" if fits and b["hours_per_week_p95"] <= planning_h else ("Probably" if fits else "Not at these assumptions")
    kind = s["owner_kind"]
    out = [
        f"{verdict}, with {kind}s of about {s['students_per_owner']:.0f} students each and {SCOPE_WORDS[s['template_scope']]}: "
        f"{WAY_WORDS[best_way]} take one {kind} about {60 * b['hours_per_week_p50']:.0f} minutes a week outside lessons "
        f"(median; 90% interval {60 * b['hours_per_week_p05']:.0f}-{60 * b['hours_per_week_p95']:.0f}; "
        f"{100 * b['share_of_planning_p50']:.0f}% of {s['planning_minutes_per_week']:.0f} minutes of planning time), "
        f"plus {60 * b['class_hours_per_week_p50']:.0f} minutes a week of check-ins and strategies inside lessons"
        + (f" and about {b['student_minutes_per_cycle_p50']:.0f} minutes of each student's lesson time a cycle; "
           if b["student_minutes_per_cycle_p50"] > 0 else "; ") +
        f"fully individual plans would take about {60 * i['hours_per_week_p50']:.0f} minutes a week "
        f"({60 * i['hours_per_week_p05']:.0f}-{60 * i['hours_per_week_p95']:.0f}, {100 * i['share_of_planning_p50']:.0f}% "
        f"of planning time). (At the single most likely value of every assumption, the mode, it would be "
        f"{60 * b['hours_per_week_mode']:.0f} minutes.)",
        f"In {100 * b['p_cheaper_than_individual']:.0f}% of the {s['n_draws']:,} simulated combinations of assumptions "
        f"(the writing times drawn together, as one writer's speed) "
        f"this way costs the {kind} less than individual plans (saving {60 * b['saving_hours_p50']:.0f} minutes a week, "
        f"90% interval {60 * b['saving_hours_p05']:.0f}-{60 * b['saving_hours_p95']:.0f}).",
    ]
    if study.budget is not None and len(study.budget):
        bt = study.budget
        rec = bt[bt["recommended"]]
        budget = float(bt["budget_minutes_per_week"].iloc[0])
        whole = abs(budget - float(s["planning_minutes_per_week"])) < 0.5  # no budget set: all planning time
        if len(rec) and whole and rec.iloc[0]["way"] != best_way:
            # The default budget is every minute of planning time, which no school gives to plans; said
            # as the recommendation it would contradict the verdict. Said as what it is, an upper bound.
            r = rec.iloc[0]
            out.append(
                f"If all {budget:.0f} minutes of {_a(kind)}'s weekly planning time went to plans, {WAY_WORDS[r['way']]} "
                f"with {SCOPE_WORDS[r['template_scope']]} would fit too (about {r['minutes_per_week_p50']:.0f} minutes "
                f"a week, within it in {100 * r['p_fits']:.0f}% of simulations) and address more of each student's "
                f"needs; {WAY_WORDS[best_way].split(' (')[0]} leave about "
                f"{budget - 60 * b['hours_per_week_p50']:.0f} of those minutes for other planning. To weigh the ways "
                f"against the time {_a(kind)} can really give, set that time (toolkit scaling --budget-minutes).")
        elif len(rec):
            r = rec.iloc[0]
            out.append(
                f"With {budget:.0f} minutes a week per {kind}, the design that fits and keeps the most of what the plans "
                f"address is {WAY_WORDS[r['way']]} with {SCOPE_WORDS[r['template_scope']]} (about "
                f"{r['minutes_per_week_p50']:.0f} minutes a week, within budget in {100 * r['p_fits']:.0f}% of simulations); "
                f"at that budget one {kind} can carry about {r['capacity_students']:.0f} students.")
        else:
            out.append(f"No design fits {budget:.0f} minutes a week per {kind} at the median; give more time or a smaller caseload.")
    local = s.get("local") or {}
    if local:
        out.append("Your own timings replace these assumptions: "
                   + "; ".join(f"{_words(study, key)} ({key}, from {source})" for key, source in local.items()) + ".")
    unsourced = s.get("unsourced", [])
    if unsourced:
        out.append("These figures rest on assumptions with no public source, to be replaced with your own timings "
                   "(toolkit scaling --time-log): " + "; ".join(f"{_words(study, key)} ({key})" for key in unsourced)
                   + ".")
    if "benefit_recall" in o.columns:
        out.append(f"Allowing for the survey's measurement error (each scale's reliability), this way's plans address "
                   f"about {100 * b['benefit_recall']:.0f}% of each student's true top two needs (precision "
                   f"{100 * b['benefit_precision']:.0f}%); fully individual plans written from the same survey, "
                   f"{100 * i['benefit_recall']:.0f}% ({100 * i['benefit_precision']:.0f}%).")
    elif best_way != "individual" and "fidelity" in o.columns:
        out.append(f"Fidelity (the share of each student's two largest survey needs the plan addresses) is "
                   f"{100 * b['fidelity']:.0f}% for this way; it counts an individual plan as 100% by definition, "
                   f"although an individual plan is written from the same noisy survey, so it favours individual plans.")
    if s.get("top_assumption"):
        top = s["top_assumption"]
        key = top.split(" ", 1)[0]
        out.append(f"What would change the answer most: {_words(study, key)}, {top}.")
    return " ".join(out)
