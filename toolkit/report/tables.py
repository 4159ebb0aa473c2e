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
    "costs_overview",
    "transfer_overview",
    "transitions_overview",
    "assumptions_table",
    "answer_box",
    "figure",
    "plain_assumption_labels",
]



# ---------------------------------------------------------------------------------------------
# Tables for the report
# ---------------------------------------------------------------------------------------------
def who_responded(responses: pd.DataFrame, column: str, *, min_cell: int = MIN_CELL) -> pd.DataFrame:
    """Students kept for analysis by one group column, small groups hidden.

    Parameters
    ----------
    responses : DataFrame
        De-identified responses (``Deidentified.responses``).
    column : str
        A group column (``"Grade"``, ``"Section"``).
    min_cell : int, default=10

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
    return suppress(table, ["students"], min_cell=min_cell, percent_columns={"share": "students"},
                    total_row="All students")


def exclusions(deidentified, *, min_cell: int = MIN_CELL) -> pd.DataFrame:
    """Rows of the export kept or left out, by reason, small counts hidden.

    Parameters
    ----------
    deidentified : Deidentified
        From :func:`toolkit.deidentify`; its disclosure holds the ledger's counts by reason
        (the ledger itself names rows and pseudonyms, which the report never shows).
    min_cell : int, default=10

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


def profile_overview(solution, codebook, *, min_cell: int = MIN_CELL) -> pd.DataFrame:
    """One row per profile: its name, size (small sizes hidden) and mean score on each scale.

    Parameters
    ----------
    solution : ProfileSolution
    codebook : Codebook
    min_cell : int, default=10

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
    shown = suppress(table, ["students"], min_cell=min_cell, percent_columns={"share": "students"})
    means = solution.means.round(2).rename(columns=labels).astype(object)
    # A profile of fewer than min_cell students is a small group: its averages describe those few
    # students, so they are hidden with its size.
    means.loc[sizes.index[sizes.to_numpy() < min_cell]] = "hidden"
    return shown.join(means)


#: Okabe, M. and Ito, K. (2008), Color Universal Design: distinguishable with every common colour
#: vision deficiency.
_OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


def plot_profiles(solution, codebook, *, min_cell: int = MIN_CELL, ax=None):
    """The profile plot (means with 95% intervals) without profiles under ``min_cell``, sizes suppressed.

    Parameters
    ----------
    solution : ProfileSolution
    codebook : Codebook
    min_cell : int, default=10
    ax : matplotlib Axes, optional

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
                             tables: str = "first") -> str:
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

    Returns
    -------
    str
        Markdown.
    """
    text = plans.templates_markdown()
    sizes = [int(t.n_students) for t in plans.templates]
    shown = suppress(pd.DataFrame({"n": sizes}), ["n"], min_cell=min_cell)["n"].tolist()
    for t, s in zip(plans.templates, shown):
        if s == HIDDEN:
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


def costs_overview(costs: pd.DataFrame) -> pd.DataFrame:
    """Teacher hours of each way of planning, for the students surveyed.

    Parameters
    ----------
    costs : DataFrame
        ``ScalingStudy.costs``.

    Returns
    -------
    DataFrame
        Index the way of planning; ``templates``, ``hours a term`` (with the 90% range),
        ``hours a week per teacher``, ``needs addressed`` (share of students' main needs the plans
        address).
    """
    names = {"none": "no plans", "individual": "a full plan for every student",
             "templated": "profile templates", "hybrid": "profile templates + full plans for flagged students"}
    out = pd.DataFrame({
        "way of planning": [names.get(w, w) for w in costs["way"]],
        "templates": costs["n_profiles"].astype(int).astype(str).to_numpy(),
        "hours a term": [f"{h:,.0f} ({lo:,.0f} to {hi:,.0f})" for h, lo, hi in
                         zip(costs["hours_per_term"], costs["hours_per_term_p05"], costs["hours_per_term_p95"])],
        "hours a week per teacher": costs["hours_per_week_per_teacher"].round(1).to_numpy(),
        "needs addressed": [f"{100 * f:.0f}%" for f in costs["fidelity"]],
    })
    return out.set_index("way of planning")


def transfer_overview(transfer: pd.DataFrame) -> pd.DataFrame:
    """Do profiles found in the other groups fit a held-out group? One row per held-out group.

    Parameters
    ----------
    transfer : DataFrame
        ``ScalingStudy.transfer`` (its counts already suppressed by the scaling stage).

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
        "students": transfer["n"].astype(str).to_numpy(),
        "agreement (ARI)": [("too small to test" if pd.isna(a) else f"{a:.2f}")
                            for a in pd.to_numeric(transfer["ari"], errors="coerce")],
        "same profile": [("" if pd.isna(a) else f"{100 * a:.0f}%")
                         for a in pd.to_numeric(transfer["agreement"], errors="coerce")],
    })
    return out.set_index(["grouping", "group"])


def transitions_overview(transitions: pd.DataFrame) -> pd.DataFrame:
    """Profile changes between two waves, as counts of students (already suppressed).

    Parameters
    ----------
    transitions : DataFrame
        ``ScalingStudy.transitions``.

    Returns
    -------
    DataFrame
        Index the wave-1 profile; ``students in wave 1``, ``to profile 1`` ..., ``stayed``,
        ``changed``. Empty without a second wave.
    """
    if transitions.empty:
        return pd.DataFrame()
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
        "source": t["source"].to_numpy(),
    })
    return out.set_index("assumption")




# ---------------------------------------------------------------------------------------------
# The answer box and figures with alt text
# ---------------------------------------------------------------------------------------------
_WAY_WORDS = {"individual": "writing a full plan for every student",
              "templated": "profile templates alone",
              "hybrid": "profile templates, with a full plan for students who fit no profile well"}


def _hours(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 10 else f"{x:,.1f}"


def answer_box(study, *, title: str = "The answer") -> str:
    """The report's verdict as an HTML box: can every student have a plan, and at what cost.

    Built only from what :class:`toolkit.scaling.ScalingStudy` gives (``costs`` at the number of
    students surveyed, ``sensitivity``), so that a verdict written by the scaling study itself can
    replace it here, in one place.

    Parameters
    ----------
    study : ScalingStudy
    title : str, default="The answer"

    Returns
    -------
    str
        HTML: a ``<section id="answer">`` with the verdict in one bold sentence, the hours a week
        per teacher of each way of planning, and the assumption that would change the answer
        most. Every text is escaped. It ends with the marker ``<!-- toolkit:after-answer -->``,
        where :func:`toolkit.report.render_html` puts the table of contents.
    """
    import html as _html

    costs = study.costs.set_index("way")
    missing = [w for w in ("individual", "hybrid") if w not in costs.index]
    if missing:
        raise user_error("the scaling study has no cost for a way of planning", value=", ".join(missing),
                         fix="run the scaling study with its default ways of planning")
    ind, hyb = costs.loc["individual"], costs.loc["hybrid"]
    saves = float(hyb["hours_per_week_per_teacher"]) < float(ind["hours_per_week_per_teacher"])
    share = 100 * float(hyb["share_of_planning"]) if "share_of_planning" in costs else None
    if saves and share is not None and share > 100:
        verdict = (f"Not within teachers' planning time: profile templates cut the work to about "
                   f"{_hours(hyb['hours_per_week_per_teacher'])} hours a week per teacher, from "
                   f"{_hours(ind['hours_per_week_per_teacher'])} hours for {_WAY_WORDS['individual']}, but that is "
                   f"still {share:.0f}% of the planning time teachers have.")
    elif saves:
        verdict = (f"Yes: every student can have a plan for about {_hours(hyb['hours_per_week_per_teacher'])} "
                   f"hours a week per teacher"
                   + (f" ({share:.0f}% of planning time)" if share is not None else "")
                   + f", against {_hours(ind['hours_per_week_per_teacher'])} hours a week for "
                   f"{_WAY_WORDS['individual']}.")
    else:
        verdict = (f"Not at these assumptions: profile templates take {_hours(hyb['hours_per_week_per_teacher'])} "
                   f"hours a week per teacher, no less than the {_hours(ind['hours_per_week_per_teacher'])} hours "
                   f"of {_WAY_WORDS['individual']}.")
    points = [
        f"The plan: {_WAY_WORDS['hybrid']}. It covers {100 * float(hyb['fidelity']):.0f}% of students' main needs "
        f"(a full plan for everyone covers {100 * float(ind['fidelity']):.0f}%).",
        f"For a term: {_hours(hyb['hours_per_term'])} teacher hours (likely between "
        f"{_hours(hyb['hours_per_term_p05'])} and {_hours(hyb['hours_per_term_p95'])}), against "
        f"{_hours(ind['hours_per_term'])} for a full plan for every student.",
    ]
    sens = study.sensitivity
    if sens is not None and not sens.empty:
        top = sens[(sens["way"] == "hybrid") & (sens["metric"] == "hours_per_term")]
        if len(top):
            top = top.iloc[0]
            desc = top["assumption"]
            try:
                desc = study.workload[top["assumption"]].description or desc
            except Exception:  # an assumption without a description keeps its plain key
                pass
            points.append(
                f"What would change the answer most: {str(desc).rstrip('.').lower()} "
                f"(from {top['low']:g} to {top['high']:g} it moves a term's hours for {int(top['n_students']):,} "
                f"students from {_hours(top['at_low'])} to {_hours(top['at_high'])}).")
    points.append("Hours are estimates from stated assumptions, several without a published source; "
                  "the section on costs shows how much they matter.")
    items = "\n".join(f"<li>{_html.escape(p)}</li>" for p in points)
    return (f'<section id="answer" class="answer-box" aria-label="{_html.escape(title, quote=True)}">\n'
            f"<h2>{_html.escape(title)}</h2>\n<p class=\"verdict\"><strong>{_html.escape(verdict)}</strong></p>\n"
            f"<ul>\n{items}\n</ul>\n</section>\n<!-- toolkit:after-answer -->")


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


def plain_assumption_labels(ax, workload, axis: str = "y"):
    """Replace workload-assumption keys in a figure's tick labels by their descriptions.

    Parameters
    ----------
    ax : matplotlib Axes
        For example the sensitivity chart of :meth:`ScalingStudy.plot_sensitivity`.
    workload : Workload
    axis : {"y", "x"}, default="y"

    Returns
    -------
    matplotlib Axes
    """
    words = {}
    for _, row in workload.to_frame().iterrows():
        text = str(row.get("description") or "").strip().rstrip(".")
        if text:
            words[str(row["assumption"])] = text if len(text) <= 60 else text[:57].rstrip() + "..."
    get = ax.get_yticklabels if axis == "y" else ax.get_xticklabels
    ticks = ax.get_yticks() if axis == "y" else ax.get_xticks()
    new = []
    for label in get():
        key = label.get_text()
        base = key.split(" (")[0].strip()
        new.append(words[base] + key[len(base):] if base in words else key)
    (ax.set_yticks if axis == "y" else ax.set_xticks)(ticks)
    (ax.set_yticklabels if axis == "y" else ax.set_xticklabels)(new)
    return ax
