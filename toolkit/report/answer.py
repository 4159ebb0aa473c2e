"""The answer for a principal and what it costs: the answer box, one owner's time, what would change it.

Everything here is built from the scaling study's owner model (``study.owner``,
``study.owner_settings``): one plan owner per student with a caseload, medians with 90% intervals
of the Monte Carlo over the workload assumptions, the same numbers as ``answer.md`` of
``toolkit scaling``. No table here holds a count of students.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import user_error
from ..scaling.owners import SCOPE_WORDS, WAY_WORDS, owners_needed

__all__ = ["answer_box", "owner_overview", "owner_projection_overview", "plot_what_changes"]

def _minutes(hours) -> str:
    return f"{60 * float(hours):,.0f}"


def _way_words(way: str) -> str:
    # One vocabulary for the ways of planning: the scaling study's own words.
    return WAY_WORDS.get(way, way)


def _scope_words(scope: str) -> str:
    return SCOPE_WORDS.get(scope, scope)


def _described(study, key: str) -> str:
    """An assumption's description in plain words (its key when it has none)."""
    try:
        desc = study.workload[key].description
    except (KeyError, AttributeError, TypeError):
        desc = None
    return str(desc or key.replace("_", " ")).strip().rstrip(".")


def _range_words(study, row) -> str:
    """'3 to 20 minutes': an assumption's low and high values with its unit."""
    try:
        unit = str(study.workload[str(row.assumption)].unit or "")
    except (KeyError, AttributeError, TypeError):
        unit = ""
    unit = "" if unit in ("", "share", "fraction", "ratio") else " " + unit
    return f"{float(row.low):g} to {float(row.high):g}{unit}"


def answer_box(study, *, title: str = "Can every student have a plan?") -> str:
    """The report's verdict as an HTML box: can every student have a plan, at what cost, for whom.

    Built only from the scaling study's owner model (``study.owner``, ``study.owner_settings``,
    the same tables as ``answer.md`` of ``toolkit scaling``): one plan owner per student with a
    caseload, medians with 90% intervals of the Monte Carlo over the workload assumptions. The
    verdict word is the study's own (:func:`toolkit.scaling.answer`), so the page and the
    scaling study cannot disagree.

    Parameters
    ----------
    study : ScalingStudy
        With its owner model (``scaling_study`` fills it).
    title : str, default="Can every student have a plan?"

    Returns
    -------
    str
        HTML: a ``<section id="answer">`` with the verdict in one bold sentence and a short list
        (the other ways, time inside lessons and students' own time, what the plans reach, what
        would change the answer, which figures are assumptions). Every text is escaped. It ends
        with the marker ``<!-- toolkit:after-answer -->``, where :func:`toolkit.report.render_html`
        puts the table of contents.
    """
    import html as _html

    if getattr(study, "owner", None) is None or not len(study.owner):
        raise user_error("the scaling study has no owner model to answer from",
                         fix="run the scaling study with its defaults (toolkit.scaling_study)")
    o = study.owner.set_index("way")
    s = study.owner_settings
    missing = [w for w in ("individual", "templated") if w not in o.index]
    if missing:
        raise user_error("the scaling study has no cost for a way of planning", value=", ".join(missing),
                         fix="run the scaling study with its default ways of planning")
    best = o.drop(index="individual")["hours_per_week_p50"].idxmin()
    b, ind = o.loc[best], o.loc["individual"]
    # The study's verdict word ("Yes", "Probably", "Not at these assumptions"): the first clause of its answer.
    word = str(study.answer).split(",", 1)[0].strip() or "Not at these assumptions"
    kind = str(s.get("owner_kind", "plan owner"))
    planning = float(s.get("planning_minutes_per_week", np.nan))
    caseload = float(s.get("students_per_owner", b.get("students_per_owner", np.nan)))
    how = {"cowritten": f"students drafting their own part and the {kind} agreeing it with them",
           "templated": f"profile templates that the {kind} personalises",
           "hybrid": "profile templates, and full plans for students who fit no profile well"}.get(best, _way_words(best))
    verdict = (f"{word}. A plan for every student takes one {kind} about {_minutes(b['hours_per_week_p50'])} minutes "
               f"a week outside lessons (likely {_minutes(b['hours_per_week_p05'])} to "
               f"{_minutes(b['hours_per_week_p95'])}), {100 * float(b['share_of_planning_p50']):.0f}% of their "
               f"planning time, when each {kind} has about {caseload:.0f} students, "
               f"{_scope_words(str(s.get('template_scope', b.get('template_scope', ''))))} are used, and with {how}.")
    if np.isfinite(planning):
        verdict = verdict.replace("of their planning time", f"of their {planning:.0f} minutes of planning time")
    points = []
    p_cheaper = b.get("p_cheaper_than_individual")
    if p_cheaper is not None and pd.notna(p_cheaper):
        points.append(f"In {100 * float(p_cheaper):.0f}% of {int(s.get('n_draws', 0)):,} simulations that vary the "
                      f"workload assumptions, this costs the {kind} less time than fully individual plans (it saves "
                      f"about {_minutes(b['saving_hours_p50'])} minutes a week, likely {_minutes(b['saving_hours_p05'])} "
                      f"to {_minutes(b['saving_hours_p95'])}).")
    points += [
        f"Fully individual plans written by the {kind}: about {_minutes(ind['hours_per_week_p50'])} minutes a week "
        f"(likely {_minutes(ind['hours_per_week_p05'])} to {_minutes(ind['hours_per_week_p95'])}), "
        f"{100 * float(ind['share_of_planning_p50']):.0f}% of planning time.",
    ]
    for way in ("templated", "hybrid", "cowritten"):
        if way in o.index and way != best:
            r = o.loc[way]
            points.append(f"{_way_words(way)[0].upper() + _way_words(way)[1:]}: about {_minutes(r['hours_per_week_p50'])} "
                          f"minutes a week (likely {_minutes(r['hours_per_week_p05'])} to {_minutes(r['hours_per_week_p95'])}).")
    inside = f"Inside lessons, check-ins and strategies take about {_minutes(b['class_hours_per_week_p50'])} minutes a week"
    if float(b.get("student_minutes_per_cycle_p50", 0) or 0) > 0:
        inside += (f"; each student spends about {float(b['student_minutes_per_cycle_p50']):.0f} minutes of lesson "
                   f"time each cycle drafting their own part")
    points.append(inside + ".")
    if "benefit_recall" in o.columns and pd.notna(b.get("benefit_recall")):
        points.append(f"What the plans reach: allowing for the survey's measurement error, these plans address about "
                      f"{100 * float(b['benefit_recall']):.0f}% of each student's two main needs; fully individual "
                      f"plans written from the same survey, about {100 * float(ind['benefit_recall']):.0f}%.")
    sens = s.get("owner_sensitivity")
    if sens is not None and len(sens):
        top = sens.iloc[0]
        desc = _described(study, str(top["assumption"]))
        points.append(f"What would change the answer most: {desc[:1].lower() + desc[1:]} "
                      f"(from {_range_words(study, top)}, one {kind}'s time goes from "
                      f"{float(top['at_low']):.0f} to {float(top['at_high']):.0f} minutes a week).")
    unsourced = list(s.get("unsourced", []))
    if unsourced:
        n_un = len(unsourced)
        points.append(f"{n_un} of the times behind these figures {'is an assumption' if n_un == 1 else 'are assumptions'} "
                      "with no published source (listed in the appendix); a school can replace them with its own "
                      "timings.")
    items = "\n".join(f"<li>{_html.escape(p)}</li>" for p in points)
    return (f'<section id="answer" class="answer-box" aria-label="{_html.escape(title, quote=True)}">\n'
            f"<h2>{_html.escape(title)}</h2>\n<p class=\"verdict\"><strong>{_html.escape(verdict)}</strong></p>\n"
            f"<ul>\n{items}\n</ul>\n</section>\n<!-- toolkit:after-answer -->")


def owner_overview(study) -> pd.DataFrame:
    """One plan owner's time for each way of planning, in minutes a week, for leaders.

    Parameters
    ----------
    study : ScalingStudy
        With its owner model.

    Returns
    -------
    DataFrame
        Index the way of planning; ``outside lessons (minutes a week)`` (median and 90% range),
        ``share of planning time``, ``inside lessons (minutes a week)``, ``student's lesson time
        a cycle (minutes)``, ``costs less than individual plans`` (share of the simulations) and,
        with reliabilities, ``needs reached``. No counts of students: nothing to suppress.
    """
    from ..scaling.plots import WAY_LABELS

    o = study.owner
    out = pd.DataFrame({
        "way of planning": [WAY_LABELS.get(w, w) for w in o["way"]],
        "outside lessons (minutes a week)": [f"{_minutes(m)} ({_minutes(lo)} to {_minutes(hi)})" for m, lo, hi in
                                             zip(o["hours_per_week_p50"], o["hours_per_week_p05"], o["hours_per_week_p95"])],
        "share of planning time": [f"{100 * x:.0f}%" for x in o["share_of_planning_p50"]],
        "inside lessons (minutes a week)": [_minutes(x) for x in o["class_hours_per_week_p50"]],
        "student's lesson time a cycle (minutes)": [f"{x:.0f}" for x in o["student_minutes_per_cycle_p50"]],
        "costs less than individual plans": ["" if pd.isna(p) else f"{100 * p:.0f}% of simulations"
                                             for p in o["p_cheaper_than_individual"]],
    })
    if "benefit_recall" in o.columns:
        out["needs reached"] = ["" if pd.isna(x) else f"{100 * x:.0f}%" for x in o["benefit_recall"]]
    return out.set_index("way of planning")


def owner_projection_overview(study) -> pd.DataFrame:
    """The same owner model from one class to a district: owners needed and hours a year in all.

    Parameters
    ----------
    study : ScalingStudy

    Returns
    -------
    DataFrame
        Index ``students``; one column per way of planning: hours a year in all (median and 90%
        range), and ``plan owners`` (whole people, each a teacher giving part of their week:
        :func:`toolkit.scaling.owners.owners_needed`, as the statements count them).
    """
    from ..scaling.plots import WAY_LABELS

    proj = study.owner_settings.get("projection")
    if proj is None or not len(proj):
        return pd.DataFrame()
    rows = {}
    for n, part in proj.groupby("n_students", sort=True):
        row = {"plan owners": f"{owners_needed(float(part['n_owners'].iloc[0])):,}"}
        for r in part.itertuples():
            row[f"{WAY_LABELS.get(r.way, r.way)} (hours a year)"] = (f"{r.hours_per_year_p50:,.0f} "
                                                        f"({r.hours_per_year_p05:,.0f} to {r.hours_per_year_p95:,.0f})")
        rows[f"{int(n):,}"] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("students")


def plot_what_changes(study, *, top: int = 8, ax=None):
    """How far each workload assumption, from its low to its high value, moves one owner's minutes a week.

    Parameters
    ----------
    study : ScalingStudy
        With its owner model (``owner_settings['owner_sensitivity']``).
    top : int, default=8
        How many assumptions to show (the ones that move the answer most).
    ax : matplotlib Axes, optional
        Drawn on a new figure of 8 x 3.8 inches when None.

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    s = study.owner_settings
    sens = s.get("owner_sensitivity")
    if sens is None or not len(sens):
        raise user_error("the scaling study has no sensitivity table", fix="run the scaling study with its defaults")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.6))
    t = sens[sens["swing"] > 0].head(top).iloc[::-1]
    y = np.arange(len(t))
    base = float(t["base"].iloc[0]) if len(t) else 0.0
    lo = np.minimum(t["at_low"], t["at_high"]).to_numpy(dtype=float)
    hi = np.maximum(t["at_low"], t["at_high"]).to_numpy(dtype=float)
    colors = ["#0072B2" if k == "public" else "#E69F00" for k in t["kind"]]  # Okabe-Ito blue / orange
    ax.barh(y, hi - lo, left=lo, color=colors, height=0.6)
    ax.axvline(base, color="k", lw=1)
    import textwrap

    labels = [textwrap.fill(f"{_described(study, str(r.assumption))} ({_range_words(study, r)})", 48)
              for r in t.itertuples()]
    ax.set_yticks(y, labels, fontsize=7.5)
    ax.set_xlabel(f"minutes a week for one {s.get('owner_kind', 'owner')} with "
                  f"{float(s.get('students_per_owner', 0)):.0f} students (the other assumptions at their most "
                  "likely value)")
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color="#0072B2", label="published figure"), Patch(color="#E69F00", label="assumption")],
              loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    ax.set_title("What would change the answer most", loc="left")
    return ax
