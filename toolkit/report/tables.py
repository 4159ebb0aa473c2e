"""The leadership report: a parameterised notebook, executed, turned into one self-contained page.

:func:`build_report` runs ``notebooks/report.ipynb`` with papermill (which records the
parameters in the executed notebook's metadata), converts the result to one HTML file with
nbconvert (no code, figures embedded as base64, no scripts loaded from the internet, a table of
contents), and writes a provenance block (toolkit version, SHA-256 of every input, parameters,
seed, date) into the page and into ``provenance.json``. The executed notebook is kept beside the
page as ``report.ipynb``.

The other functions here build the report's tables. Every table with a count of students passes
through :func:`toolkit.suppression.suppress`; every figure label with a group size through
:func:`toolkit.suppression.suppress_labels`. Nothing here returns student-level rows.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..config import MIN_CELL
from ..errors import user_error
from ..suppression import HIDDEN, suppress, suppress_labels

__all__ = [
    "who_responded",
    "exclusions",
    "protection_summary",
    "scale_reliability",
    "fit_overview",
    "profile_overview",
    "plot_profiles",
    "templates_for_leadership",
    "transfer_overview",
    "transitions_overview",
    "assumptions_table",
    "answer_box",
    "hidden_footnote",
    "owner_overview",
    "owner_projection_overview",
    "plot_what_changes",
    "figure",
]



# ---------------------------------------------------------------------------------------------
# Tables for the report
# ---------------------------------------------------------------------------------------------
def _with_plan(table: pd.DataFrame, keys: dict, plan, *, percent: str | None = None, of: str = "students",
               total_label=None) -> pd.DataFrame:
    """Show ``table``'s counts as the page's suppression plan decides (:mod:`toolkit.report.disclosure`).

    ``keys`` maps each row label to the plan's cell key; a percentage column is hidden with its
    count and top/bottom coded, except in the total row.
    """
    from ..suppression import _fmt_percent

    out = table.copy().astype({of: object})
    if percent is not None:
        out[percent] = out[percent].astype(object)
    for label, key in keys.items():
        hidden = plan.is_hidden(key)
        out.loc[label, of] = HIDDEN if hidden else f"{int(table.loc[label, of]):d}"
        if percent is not None:
            value = float(table.loc[label, percent])
            out.loc[label, percent] = (HIDDEN if hidden else
                                       (f"{value:.0f}%" if label == total_label else _fmt_percent(value, (2, 98), 0)))
    return out


def who_responded(responses: pd.DataFrame, column: str, *, min_cell: int = MIN_CELL, plan=None) -> pd.DataFrame:
    """Students kept for analysis by one group column, small groups hidden.

    Parameters
    ----------
    responses : DataFrame
        De-identified responses (``Deidentified.responses``).
    column : str
        A group column (``"Grade"``, ``"Section"``).
    min_cell : int, default=10
    plan : PagePlan, optional
        The page's suppression plan (:func:`toolkit.report.disclosure.plan_page`): hidden cells
        are those it hides, the same in every table. Without it, this table is suppressed alone.

    Returns
    -------
    DataFrame
        Index: the groups and ``"All students"``; columns ``students`` and ``share``, as text.

    Examples
    --------
    >>> r = pd.DataFrame({"Grade": ["9"] * 30 + ["10"] * 25 + ["11"] * 4})
    >>> who_responded(r, "Grade")["students"].tolist()
    ['30', 'hidden', 'hidden', '59']
    """
    if column not in responses.columns:
        raise user_error("the responses have no such group column", column=column,
                         fix=f"use one of {', '.join(map(str, responses.columns[:10]))}")
    values = responses[column].astype("string").fillna("(not answered)")
    counts = values.value_counts()
    numeric = pd.to_numeric(pd.Series(counts.index), errors="coerce")
    order = np.lexsort((counts.index.astype(str), numeric.fillna(np.inf).to_numpy()))
    counts = counts.iloc[order]  # grades 9, 10, 11 in number order; names in alphabetical order
    table = pd.DataFrame({"students": counts.astype(int)})
    table.index = table.index.astype(str)
    table.index.name = column
    total = int(counts.sum())
    table.loc["All students"] = total
    table["share"] = 100.0 * table["students"] / max(total, 1)
    if plan is not None:
        keys = {v: ("kept", column, v) for v in table.index if v != "All students"}
        keys["All students"] = ("kept",)
        return _with_plan(table, keys, plan, percent="share", total_label="All students")
    return suppress(table, ["students"], min_cell=min_cell, percent_columns={"share": "students"},
                    total_row="All students")


def exclusions(deidentified, *, min_cell: int = MIN_CELL, plan=None) -> pd.DataFrame:
    """Rows of the export kept or left out, by reason, small counts hidden.

    Parameters
    ----------
    deidentified : Deidentified
        From :func:`toolkit.deidentify`; its disclosure holds the ledger's counts by reason
        (the ledger itself names rows and pseudonyms, which the report never shows).
    min_cell : int, default=10
    plan : PagePlan, optional
        The page's suppression plan; without it, this table is suppressed alone.

    Returns
    -------
    DataFrame
        Index: ``"kept for analysis"``, one row per exclusion reason, ``"rows read"``; column
        ``students`` (rows of the export), as text.
    """
    disc = deidentified.disclosure
    rows = {"kept for analysis": int(disc.rows["kept"])}
    rows.update({f"left out: {r}": int(n) for r, n in sorted(dict(disc.exclusions).items())})
    rows["rows read"] = int(disc.rows["read"])
    table = pd.DataFrame({"students": pd.Series(rows, dtype="int64")})
    table.index.name = "rows of the export"
    if plan is not None:
        keys = {"kept for analysis": ("kept",), "rows read": ("read",)}
        keys.update({f"left out: {r}": ("left out", str(r)) for r in dict(disc.exclusions)})
        return _with_plan(table, keys, plan)
    return suppress(table, ["students"], min_cell=min_cell, total_row="rows read")


def protection_summary(deidentified, *, min_cell: int = MIN_CELL) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What was removed to protect students: columns dropped, free-text details scrubbed.

    Parameters
    ----------
    deidentified : Deidentified
        From :func:`toolkit.deidentify`.
    min_cell : int, default=10

    Returns
    -------
    columns : DataFrame
        One row per removed column of the export: ``column`` (its header) and ``why``.
    scrubbed : DataFrame
        One row per kind of detail removed from free text (email, phone, name, ...) with
        ``answers changed``, small counts hidden.
    """
    disc = deidentified.disclosure
    columns = pd.DataFrame(
        [(d["column"], d["reason"]) if isinstance(d, dict) else (str(d), "") for d in disc.to_dict()["dropped_columns"]],
        columns=["column", "why"],
    )
    # In plain words for a principal: a pseudonym is a code name only the school's key can link back.
    columns["why"] = columns["why"].astype(str).str.replace(
        "replaced by a keyed pseudonym", "replaced by a code name that only the school's key links back", regex=False)
    scrub = {str(k): int(v) for k, v in dict(disc.scrubbed).items()}
    table = pd.DataFrame({"answers changed": pd.Series(scrub, dtype="int64")})
    table.index.name = "detail removed from free text"
    if len(table):
        table = suppress(table, ["answers changed"], min_cell=min_cell)
    return columns, table


def scale_reliability(rel: pd.DataFrame, codebook) -> pd.DataFrame:
    """The reliability table in plain words: one row per scale.

    Parameters
    ----------
    rel : DataFrame
        From :func:`toolkit.reliability` (columns ``construct``, ``n_items``, ``alpha``,
        ``alpha_lower``, ``alpha_upper``, ``omega_total``).
    codebook : Codebook

    Returns
    -------
    DataFrame
        Index the scale's label; ``questions``, ``alpha``, ``95% interval``, ``omega`` and
        ``reading`` (excellent >= 0.9, good >= 0.8, acceptable >= 0.7, questionable >= 0.6,
        else poor; George and Mallery's rule of thumb).
    """
    labels = {c.key: c.label for c in codebook.constructs}

    def reading(a):
        if pd.isna(a):
            return "not computed"
        for cut, word in ((0.9, "excellent"), (0.8, "good"), (0.7, "acceptable"), (0.6, "questionable")):
            if a >= cut:
                return word
        return "poor"

    out = pd.DataFrame({
        "scale": [labels.get(k, k) for k in rel["construct"]],
        "questions": rel["n_items"].astype(int).astype(str).to_numpy(),
        "alpha": rel["alpha"].round(2).to_numpy(),
        "95% interval": [f"{lo:.2f} to {hi:.2f}" for lo, hi in zip(rel["alpha_lower"], rel["alpha_upper"])],
        "omega": rel["omega_total"].round(2).to_numpy() if "omega_total" in rel else np.nan,
        "reading": [reading(a) for a in rel["alpha"]],
    })
    return out.set_index("scale")


_FIT_NAMES = {
    "model": "model",
    "n_profiles": "profiles",
    "bic": "BIC",
    "sabic": "SABIC",
    "entropy": "entropy",
    "n_min": "smallest profile (share)",
    "replicated": "replicated",
}


def fit_overview(fit_table: pd.DataFrame, *, n: int | None = None, min_cell: int = MIN_CELL) -> pd.DataFrame:
    """The fit table with the columns a reader needs, rounded.

    Parameters
    ----------
    fit_table : DataFrame
        ``ProfileResults.fit_table``.
    n : int, optional
        Students analysed. With it, a smallest-profile share that stands for fewer than
        ``min_cell`` students is shown as "under 10 students" instead of a percentage from which
        the count could be worked out.
    min_cell : int, default=10

    Returns
    -------
    DataFrame
        One row per (model, number of profiles): BIC, SABIC (lower is better), entropy (closer to
        1 is clearer), the smallest profile as a percentage of students, whether the best
        solution was found twice.
    """
    cols = [c for c in _FIT_NAMES if c in fit_table.columns]
    out = fit_table[cols].copy()
    for c in ("bic", "sabic"):
        if c in out:
            out[c] = out[c].round(1)
    if "entropy" in out:
        out["entropy"] = out["entropy"].round(2)
    if "n_min" in out:
        out["n_min"] = [
            "" if pd.isna(v)
            else f"under {min_cell} students" if n is not None and 0 < round(v * n) < min_cell
            else f"{100 * v:.0f}%"
            for v in out["n_min"]
        ]
    if "replicated" in out:
        out["replicated"] = out["replicated"].map({True: "yes", False: "no"})
    return out.rename(columns=_FIT_NAMES).set_index(["model", "profiles"])


def _hidden_profiles(sizes: pd.Series, min_cell: int, plan) -> set:
    """Profiles whose size the page hides: the plan's decision, else this table's own suppression."""
    if plan is not None:
        return {int(k) for k in sizes.index if plan.is_hidden(("scored", "profile", int(k)))}
    shown = suppress(pd.DataFrame({"n": sizes.astype(int).to_numpy()}, index=sizes.index), ["n"], min_cell=min_cell)
    return {int(k) for k, v in shown["n"].items() if v == HIDDEN}


def profile_overview(solution, codebook, *, min_cell: int = MIN_CELL, plan=None) -> pd.DataFrame:
    """One row per profile: its name, size (small sizes hidden) and mean score on each scale.

    Parameters
    ----------
    solution : ProfileSolution
    codebook : Codebook
    min_cell : int, default=10
    plan : PagePlan, optional
        The page's suppression plan; without it, this table is suppressed alone.

    Returns
    -------
    DataFrame
        Index ``profile`` 1..K; ``name``, ``students``, ``share`` (text), one column per scale
        label (mean on the answer scale, 2 decimals; "hidden" for a profile under ``min_cell``).
    """
    labels = {c.key: c.label for c in codebook.constructs}
    sizes = solution.sizes.astype(int)
    table = pd.DataFrame({"name": [solution.names.get(int(k), "") for k in sizes.index],
                          "students": sizes.to_numpy(),
                          "share": 100.0 * sizes.to_numpy() / max(int(sizes.sum()), 1)},
                         index=pd.Index(sizes.index, name="profile"))
    if plan is not None:
        shown = _with_plan(table, {k: ("scored", "profile", int(k)) for k in table.index}, plan, percent="share")
    else:
        shown = suppress(table, ["students"], min_cell=min_cell, percent_columns={"share": "students"})
    means = solution.means.round(2).rename(columns=labels).astype(object)
    # A profile of fewer than min_cell students is a small group: its averages describe those few
    # students, so they are hidden with its size.
    means.loc[sizes.index[sizes.to_numpy() < min_cell]] = "hidden"
    return shown.join(means)


#: Okabe, M. and Ito, K. (2008), Color Universal Design: distinguishable with every common colour
#: vision deficiency.
_OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


def plot_profiles(solution, codebook, *, min_cell: int = MIN_CELL, ax=None, plan=None):
    """The profile plot (means with 95% intervals) without profiles under ``min_cell``, sizes suppressed.

    Parameters
    ----------
    solution : ProfileSolution
    codebook : Codebook
    min_cell : int, default=10
    ax : matplotlib Axes, optional
    plan : PagePlan, optional
        The page's suppression plan: the legend's sizes are hidden where the tables hide them.

    Returns
    -------
    matplotlib Axes
    """
    from ..profiles.plots import plot_profile_means

    labels = {c.key: c.label for c in codebook.constructs}
    sizes = solution.sizes.astype(int)
    # A profile under min_cell students is not drawn: its line would describe those few students.
    drawn = [int(k) for k in sizes.index if sizes[k] >= min_cell]
    ax = plot_profile_means(solution, ax=ax, labels=labels, profiles=drawn)
    handles, _ = ax.get_legend_handles_labels()
    names = [f"{k}: {solution.names.get(k, '')}" for k in drawn]
    if plan is not None:  # the sizes as the page's tables show them
        shown = [f"{name} (size hidden)" if plan.is_hidden(("scored", "profile", k)) else f"{name} (n = {int(sizes[k])})"
                 for name, k in zip(names, drawn)]
    else:
        shown = suppress_labels(names, [int(sizes[k]) for k in drawn], min_cell)
    if len(drawn) < len(sizes):
        ax.text(0.01, 0.01, f"profiles under {min_cell} students are not drawn", transform=ax.transAxes,
                fontsize="x-small", color="grey")
    # Okabe and Ito's colour-blind-safe palette (no red/green pair), and the legend outside the
    # data, to the right of the axes, so that no line or interval is hidden under it.
    for container, colour in zip(ax.containers, _OKABE_ITO):
        for artist in container.get_children():
            artist.set_color(colour)
    handles, _ = ax.get_legend_handles_labels()
    ax.legend(handles, shown, fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0,
              title="profile")
    return ax


def _strategy_names(section: str) -> str:
    """A template section with its strategy table replaced by one line naming the strategies."""
    lines, names, out = section.split("\n"), [], []
    in_table = False
    for line in lines:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if not in_table:
                in_table = True  # the header row
                continue
            if cells and not set(cells[0]) <= set("-: "):
                names.append(cells[0])
            continue
        if in_table:
            out.append("- Strategies: " + "; ".join(names) + ".")
            in_table, names = False, []
        out.append(line)
    if in_table:
        out.append("- Strategies: " + "; ".join(names) + ".")
    return "\n".join(out)


def templates_for_leadership(plans, *, min_cell: int = MIN_CELL, heading_level: int = 3,
                             tables: str = "first", plan=None) -> str:
    """The plan templates as Markdown, one per profile, with no student in them.

    Parameters
    ----------
    plans : PlanSet
        From :func:`toolkit.plans.draft_plans`; only ``templates`` are used.
    min_cell : int, default=10
        Profile sizes under it (and their complements) are replaced by "hidden".
    heading_level : int, default=3
        Level of the templates' own headings, so they sit under a report section.
    tables : {"first", "all"}, default="first"
        Which templates keep their table of strategies: the first only (an example of a whole
        plan; the others name their strategies in one line, so that the printed report stays
        short), or all.
    plan : PagePlan, optional
        The page's suppression plan; without it, the sizes are suppressed on their own.

    Returns
    -------
    str
        Markdown.
    """
    import html as _html

    # Labels come from the codebook and strategy names from a library: shown as text, never run as HTML.
    text = _html.escape(plans.templates_markdown(), quote=False)
    sizes = pd.Series([int(t.n_students) for t in plans.templates], index=[int(t.profile) for t in plans.templates])
    hidden = _hidden_profiles(sizes, min_cell, plan)
    for t in plans.templates:
        if int(t.profile) in hidden:
            n = int(t.n_students)
            text = text.replace(f"- Students: {n}\n", "- Students: hidden (a small group)\n")
            text = re.sub(rf"(^|\n){n} students?\.", r"\1A small group of students.", text)
    if tables not in ("first", "all"):
        raise user_error("tables must be 'first' or 'all'", value=tables, fix="use tables='first'")
    if tables == "first":
        parts = re.split(r"(?=^## )", text, flags=re.M)
        seen = 0
        for i, part in enumerate(parts):
            if part.startswith("## "):
                seen += 1
                if seen > 1:
                    parts[i] = _strategy_names(part)
        text = "".join(parts)
    shift = heading_level - 1
    lines = []
    for line in text.splitlines():
        m = re.match(r"^(#+) ", line)
        if m:
            if len(m.group(1)) == 1:
                continue  # the document title; the report section has its own heading
            line = "#" * min(len(m.group(1)) + shift - 1, 6) + line[len(m.group(1)):]
        lines.append(line)
    return "\n".join(lines).strip() + "\n"


def transfer_overview(transfer: pd.DataFrame, *, plan=None) -> pd.DataFrame:
    """Do profiles found in the other groups fit a held-out group? One row per held-out group.

    Parameters
    ----------
    transfer : DataFrame
        ``ScalingStudy.transfer`` (its counts already suppressed by the scaling stage).
    plan : PagePlan, optional
        The page's suppression plan: each group's size is shown exactly as "Who responded"
        shows it (the same students), so no table undoes another.

    Returns
    -------
    DataFrame
        ``students``, ``agreement (ARI)`` (adjusted Rand index: 1 = the same profiles, 0 = no
        better than chance; "too small to test" for groups the scaling stage did not fit) and
        ``same profile`` (share of students placed alike), as text.
    """
    if transfer.empty:
        return pd.DataFrame(columns=["students", "agreement (ARI)", "same profile"])
    out = pd.DataFrame({
        "grouping": transfer["grouping"].astype(str).to_numpy(),
        "group": transfer["group"].astype(str).to_numpy(),
        "students": ([plan.text(("kept", str(g), str(v))) if ("kept", str(g), str(v)) in plan.values else HIDDEN
                      for g, v in zip(transfer["grouping"], transfer["group"])] if plan is not None
                     else transfer["n"].astype(str).to_numpy()),
        "agreement (ARI)": [("too small to test" if pd.isna(a) else f"{a:.2f}")
                            for a in pd.to_numeric(transfer["ari"], errors="coerce")],
        "same profile": [("" if pd.isna(a) else f"{100 * a:.0f}%")
                         for a in pd.to_numeric(transfer["agreement"], errors="coerce")],
    })
    return out.set_index(["grouping", "group"])


def transitions_overview(transitions: pd.DataFrame, *, plan=None) -> pd.DataFrame:
    """Profile changes between two waves, as counts of students (already suppressed).

    Parameters
    ----------
    transitions : DataFrame
        ``ScalingStudy.transitions``.
    plan : PagePlan, optional
        The page's suppression plan; with it, students who stayed and moved per profile.

    Returns
    -------
    DataFrame
        Index the wave-1 profile; ``students in wave 1``, ``to profile 1`` ..., ``stayed``,
        ``changed``. Empty without a second wave.
    """
    if transitions is None or transitions.empty:
        return pd.DataFrame()
    if plan is not None and ("both",) in plan.values:
        # Stayed / moved per profile: the level that keeps most cells (the full matrix of moves
        # would be mostly hidden), from the page's plan.
        ks = sorted(k[2] for k in plan.values if len(k) == 3 and k[:2] == ("both", "profile"))
        rows = {str(k): {"students in both waves": plan.text(("both", "profile", k)),
                         "students who stayed": plan.text(("both", "stayed", k)),
                         "students who moved": plan.text(("both", "moved", k))} for k in ks}
        rows["all"] = {"students in both waves": plan.text(("both",)),
                       "students who stayed": plan.text(("both", "stayed")),
                       "students who moved": plan.text(("both", "moved"))}
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("profile in wave 1")
    out = transitions.drop(columns=[c for c in ("share_changed",) if c in transitions.columns]).copy()
    out = out.rename(columns=lambda c: "students in wave 1" if c == "n" else
                     (f"students to profile {c[3:]}" if str(c).startswith("to_") else
                      {"stayed": "students who stayed", "changed": "students who changed"}.get(c, c)))
    return out.set_index("wave1_profile").rename_axis("profile in wave 1").astype(str)


def assumptions_table(workload) -> pd.DataFrame:
    """The workload assumptions behind the hours, with their range and source.

    Parameters
    ----------
    workload : Workload
        From :func:`toolkit.load_workload`.

    Returns
    -------
    DataFrame
        Index the assumption; ``value``, ``range``, ``unit``, ``confidence``, ``source``.
    """
    t = workload.to_frame()
    out = pd.DataFrame({
        "assumption": t["description"].where(t["description"].astype(str) != "", t["assumption"]).to_numpy(),
        "value": [f"{v:g}" for v in t["value"]],
        "range": [f"{lo:g} to {hi:g}" for lo, hi in zip(t["low"], t["high"])],
        "unit": t["unit"].to_numpy(),
        "confidence": t["confidence"].to_numpy(),
        # A zero-width space after each "/" and "_" lets a long web address wrap on a printed page.
        "source": [re.sub(r"([/_])", "\\1\u200b", str(x)) for x in t["source"]],
    })
    return out.set_index("assumption")




# ---------------------------------------------------------------------------------------------
# The answer box and figures with alt text
# ---------------------------------------------------------------------------------------------
def _minutes(hours) -> str:
    return f"{60 * float(hours):,.0f}"


def _way_words(way: str) -> str:
    # One vocabulary for the ways of planning: the scaling study's own words.
    from ..scaling.owners import _WAY_WORDS

    return _WAY_WORDS.get(way, way)


def _scope_words(scope: str) -> str:
    from ..scaling.owners import _SCOPE_WORDS

    return _SCOPE_WORDS.get(scope, scope)


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


def hidden_footnote(table: pd.DataFrame, min_cell: int = MIN_CELL) -> str:
    """A footnote for a table with hidden cells, saying why they are hidden (empty when none is).

    Parameters
    ----------
    table : DataFrame
        A table as the report shows it.
    min_cell : int, default=10

    Returns
    -------
    str
        Markdown (an empty string when nothing in ``table`` is hidden).
    """
    if not (table.astype(str) == HIDDEN).to_numpy().any():
        return ""
    return (f"<small>*hidden*: fewer than {int(min_cell)} students, or a number that, with the others on this page, "
            "would give such a small number away.</small>")


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
        range), and ``plan owners`` (fractional: the share of a person's time).
    """
    from ..scaling.plots import WAY_LABELS

    proj = study.owner_settings.get("projection")
    if proj is None or not len(proj):
        return pd.DataFrame()
    rows = {}
    for n, part in proj.groupby("n_students", sort=True):
        row = {"plan owners": f"{float(part['n_owners'].iloc[0]):,.1f}"}
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


def figure(fig, alt: str, *, dpi: int = 110):
    """A matplotlib figure as a PNG image for the page, with its alt text, and the figure closed.

    Parameters
    ----------
    fig : matplotlib Figure
    alt : str
        One sentence saying what the figure shows (for screen readers and when images are off).
    dpi : int, default=110

    Returns
    -------
    IPython.display.Image
        Displayed by the notebook; the report's template writes ``alt`` into the ``<img>``.
    """
    import io

    import matplotlib.pyplot as plt
    from IPython.display import Image

    if not str(alt).strip():
        raise user_error("a figure needs alt text that says what it shows", fix="pass one sentence as alt")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return Image(data=buf.getvalue(), format="png", metadata={"alt": str(alt).strip()})
