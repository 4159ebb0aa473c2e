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
    ax.legend(handles, shown, fontsize="small", loc="best")
    return ax


def templates_for_leadership(plans, *, min_cell: int = MIN_CELL, heading_level: int = 3) -> str:
    """The plan templates as Markdown, one per profile, with no student in them.

    Parameters
    ----------
    plans : PlanSet
        From :func:`toolkit.plans.draft_plans`; only ``templates`` are used.
    min_cell : int, default=10
        Profile sizes under it (and their complements) are replaced by "hidden".
    heading_level : int, default=3
        Level of the templates' own headings, so they sit under a report section.

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
        ``hours a week per teacher``, ``fidelity`` (share of students' needs the plans address).
    """
    names = {"none": "no plans", "individual": "a full plan for every student",
             "templated": "profile templates", "hybrid": "profile templates + full plans for flagged students"}
    out = pd.DataFrame({
        "way of planning": [names.get(w, w) for w in costs["way"]],
        "templates": costs["n_profiles"].astype(int).astype(str).to_numpy(),
        "hours a term": [f"{h:,.0f} ({lo:,.0f} to {hi:,.0f})" for h, lo, hi in
                         zip(costs["hours_per_term"], costs["hours_per_term_p05"], costs["hours_per_term_p95"])],
        "hours a week per teacher": costs["hours_per_week_per_teacher"].round(1).to_numpy(),
        "fidelity": [f"{100 * f:.0f}%" for f in costs["fidelity"]],
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


