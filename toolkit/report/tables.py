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
    "hidden_footnote",
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
    if len(table) == 1 and shown["students"].iloc[0] != "hidden":
        # one profile is every student: there is no small remainder for top-coding to protect
        shown.loc[:, "share"] = "100%"
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
    tables : {"first", "all", "none"}, default="first"
        Which templates keep their table of strategies: the first only (an example of a whole
        plan; the others name their strategies in one line, so that the printed report stays
        short), all, or none (every template names its strategies in one line; the report's
        choice, since a strategy table with its evidence and cautions takes a printed page).
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
    if tables not in ("first", "all", "none"):
        raise user_error("tables must be 'first', 'all' or 'none'", value=tables, fix="use tables='first'")
    if tables != "all":
        parts = re.split(r"(?=^## )", text, flags=re.M)
        seen = 0
        for i, part in enumerate(parts):
            if part.startswith("## "):
                seen += 1
                if seen > 1 or tables == "none":
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
# Footnotes and figures with alt text
# ---------------------------------------------------------------------------------------------
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
