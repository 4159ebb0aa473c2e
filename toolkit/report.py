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

import datetime as _dt
import hashlib
import html
import json
import os
import platform
import re
import shutil
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from ._atomic import atomic_output_dir
from .config import DEFAULT_SEED, MIN_CELL, PACKAGE_DATA, PROJECT_ROOT, default_key_file
from .errors import ToolkitError, user_error
from .suppression import HIDDEN, suppress, suppress_labels

__all__ = [
    "ReportResult",
    "build_report",
    "report_notebook",
    "provenance",
    "render_html",
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

#: Where the report notebook lives: the project's notebooks/ folder (one source, found through
#: the editable install), or a copy shipped as package data in a regular install.
NOTEBOOK_CANDIDATES = (
    PROJECT_ROOT / "notebooks" / "report.ipynb",
    PACKAGE_DATA.parent / "notebooks" / "report.ipynb",
)


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
    from .profiles.plots import plot_profile_means

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


# ---------------------------------------------------------------------------------------------
# Provenance and HTML
# ---------------------------------------------------------------------------------------------
def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def _run_date() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            when = _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc)
        except ValueError:
            raise user_error("SOURCE_DATE_EPOCH must be whole seconds since 1970", value=epoch,
                             fix="unset it, or set it to a number such as 1767225600") from None
    else:
        when = _dt.datetime.now(_dt.timezone.utc)
    return when.replace(microsecond=0).isoformat()


def provenance(inputs: dict, parameters: dict, *, seed: int, date: str | None = None) -> dict:
    """What a reader needs to reproduce the report.

    Parameters
    ----------
    inputs : dict
        Role -> path of each input file (``export``, ``codebook``, ``wave2``, ``workload``); None
        values are left out.
    parameters : dict
        The notebook's parameters (plain values).
    seed : int
    date : str, optional
        ISO 8601 UTC time of the run. Default: ``$SOURCE_DATE_EPOCH`` when set (the
        reproducible-builds convention, so that the same inputs give a byte-identical
        ``provenance.json``), else now.

    Returns
    -------
    dict
        ``toolkit_version``, ``python``, ``date``, ``seed``, ``inputs`` (role -> file name and
        SHA-256; never the folder, which may name a person), ``parameters``.
    """
    from . import __version__

    files = {}
    for role, path in inputs.items():
        if path is None:
            continue
        path = Path(path)
        files[role] = {"file": path.name, "sha256": _sha256(path)}
    return {
        "toolkit_version": __version__,
        "python": platform.python_version(),
        "date": date or _run_date(),
        "seed": int(seed),
        "inputs": files,
        "parameters": parameters,
    }


class _Headings(HTMLParser):
    """Collect (id, text) of the <h2> headings of an nbconvert page."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self._id = None
        self._text: list[str] = []
        self._in_anchor = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "h2":
            self._id, self._text = a.get("id"), []
        elif tag == "a" and self._id is not None and "anchor-link" in (a.get("class") or ""):
            self._in_anchor = True

    def handle_endtag(self, tag):
        if tag == "a":
            self._in_anchor = False
        elif tag == "h2" and self._id is not None:
            self.found.append((self._id, "".join(self._text).strip()))
            self._id = None

    def handle_data(self, data):
        if self._id is not None and not self._in_anchor:
            self._text.append(data)


_TEMPLATE = r"""{%- extends 'lab/index.html.j2' -%}
{#- No script is loaded from the internet: the page is read offline, and it holds no code. -#}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}
<style type="text/css">
  body { max-width: 62rem; margin: 0 auto; padding: 0 1.5rem; }
  nav#toc, section#provenance { font-family: var(--jp-ui-font-family, system-ui, sans-serif); }
  nav#toc { border: 1px solid #ccc; border-radius: 4px; padding: 0.5rem 1.5rem; margin: 1rem 0; }
  nav#toc h2 { font-size: 1.1rem; margin: 0.3rem 0; }
  section#provenance { border-top: 2px solid #888; margin-top: 2rem; padding-top: 0.5rem; font-size: 0.9rem; }
  section#provenance td, section#provenance th { text-align: left; padding: 0.1rem 0.6rem; vertical-align: top; }
  .jp-OutputArea-output table { font-size: 0.9rem; }
</style>
{%- endblock extra_css -%}
{%- block body_header -%}
{{ super() }}
<!-- toolkit:toc -->
{%- endblock body_header -%}
{%- block body_footer -%}
<!-- toolkit:provenance -->
{{ super() }}
{%- endblock body_footer -%}
"""


def _provenance_html(prov: dict) -> str:
    def row(k, v):
        return f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"

    rows = [row("toolkit version", prov["toolkit_version"]), row("Python", prov["python"]),
            row("date (UTC)", prov["date"]), row("seed", prov["seed"])]
    for role, f in prov["inputs"].items():
        rows.append(row(f"{role} file", f"{f['file']} (SHA-256 {f['sha256']})"))
    for k, v in prov["parameters"].items():
        rows.append(row(f"parameter {k}", json.dumps(v) if not isinstance(v, str) else v))
    return (
        '<section id="provenance">\n<h2 id="Provenance">Provenance</h2>\n'
        "<p>How this report was made. Anyone with the same files (same SHA-256), the same toolkit "
        "version, parameters and seed gets the same numbers.</p>\n"
        "<table>\n" + "\n".join(rows) + "\n</table>\n</section>"
    )


def render_html(notebook, prov: dict | None = None) -> str:
    """Convert an executed report notebook to one self-contained HTML page.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        The executed notebook.
    prov : dict, optional
        From :func:`provenance`; shown at the end of the page.

    Returns
    -------
    str
        HTML with no code cells and no prompts, figures as ``data:`` URIs, no external scripts,
        a table of contents built from the second-level headings, and the provenance block.
    """
    import copy

    from jinja2 import DictLoader
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = copy.deepcopy(notebook)
    for cell in nb.cells:  # warnings and progress bars are for the person running it, not the page
        if cell.get("cell_type") == "code":
            cell["outputs"] = [o for o in cell.get("outputs", [])
                               if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    exporter = HTMLExporter(
        extra_loaders=[DictLoader({"toolkit_report.html.j2": _TEMPLATE})],
        template_file="toolkit_report.html.j2",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    tags = TagRemovePreprocessor(remove_cell_tags={"remove-cell"}, remove_all_outputs_tags={"remove-output"})
    exporter.register_preprocessor(tags, enabled=True)
    body, _ = exporter.from_notebook_node(nb)
    if prov is not None:
        body = body.replace("<!-- toolkit:provenance -->", _provenance_html(prov), 1)
    parser = _Headings()
    parser.feed(body)
    items = "\n".join(f'<li><a href="#{html.escape(i, quote=True)}">{html.escape(t)}</a></li>'
                      for i, t in parser.found if i)
    toc = f'<nav id="toc" aria-label="Contents">\n<h2>Contents</h2>\n<ol>\n{items}\n</ol>\n</nav>'
    return body.replace("<!-- toolkit:toc -->", toc, 1)


# ---------------------------------------------------------------------------------------------
# The whole report
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReportResult:
    """Where :func:`build_report` wrote its files.

    Attributes
    ----------
    out_dir : Path
    html : Path
        ``report.html``: the page for leadership.
    notebook : Path
        ``report.ipynb``: the executed notebook, parameters in ``metadata.papermill``.
    provenance : Path
        ``provenance.json``.
    parameters : dict
        The parameters the notebook ran with.
    """

    out_dir: Path
    html: Path
    notebook: Path
    provenance: Path
    parameters: dict


def report_notebook() -> Path:
    """The report notebook that :func:`build_report` executes.

    Returns
    -------
    Path
        ``notebooks/report.ipynb`` of the project (editable install), else the copy shipped in
        the package.
    """
    for path in NOTEBOOK_CANDIDATES:
        if path.is_file():
            return path
    raise user_error(
        "the report notebook is missing",
        file=NOTEBOOK_CANDIDATES[0],
        fix="install the toolkit from its source folder (pip install -e .) so that notebooks/ is found",
    )


def _k_range(k) -> list[int]:
    ks = [int(k)] if isinstance(k, (int, np.integer)) else [int(x) for x in k]
    if not ks or min(ks) < 1:
        raise user_error("the numbers of profiles must be whole numbers of 1 or more", value=str(ks),
                         fix="give a range such as 1-6")
    if ks != list(range(ks[0], ks[-1] + 1)):
        raise user_error("the numbers of profiles must be a range without gaps", value=str(ks),
                         fix="give a range such as 1-6")
    return ks


def _existing(path, what: str, option: str) -> Path:
    p = Path(path).expanduser()
    if not p.is_file():
        raise user_error(f"the {what} does not exist", file=p, fix=f"check the path given to {option}")
    return p.resolve()


def _without_local_paths(nb, parameters: dict, source: Path, executed: Path):
    """The executed notebook with local folders removed from what papermill recorded.

    papermill writes the parameters into the notebook's metadata and an injected cell, with full
    paths: the key file's location and folders that may carry a user's or a school's name. The
    kept notebook names input files by their file name only (their SHA-256 is in the provenance)
    and the key file not at all.
    """
    import nbformat

    replace = {str(source): source.name, str(executed): executed.name}
    for name, value in parameters.items():
        if name == "key_file":
            replace[str(value)] = "(the pseudonym key file)"
        elif name.endswith("_path") and value:
            replace[str(value)] = Path(value).name
    # Longest first, so that a folder never replaces part of a longer path before it is seen.
    text = nbformat.writes(nb)
    for old in sorted(replace, key=len, reverse=True):
        text = text.replace(json.dumps(old)[1:-1], json.dumps(replace[old])[1:-1])
    return nbformat.reads(text, as_version=4)


def build_report(
    export: str | os.PathLike,
    codebook: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    key_file: str | os.PathLike | None = None,
    min_cell: int = MIN_CELL,
    models: Sequence[int] = (1, 2, 3, 6),
    k: Iterable[int] = range(1, 7),
    seed: int = DEFAULT_SEED,
    wave2: str | os.PathLike | None = None,
    workload: str | os.PathLike | None = None,
    n_starts: int | None = None,
    progress: bool = True,
    date: str | None = None,
) -> ReportResult:
    """Run the whole pipeline on an export and write the leadership report.

    Parameters
    ----------
    export : path
        The survey export (Google Forms, Microsoft Forms, Qualtrics, CSV, Excel). Never changed.
    codebook : path
        Its codebook (YAML).
    out_dir : path
        Folder for ``report.html``, ``report.ipynb`` and ``provenance.json``; written all at
        once or not at all. It must not be the export's folder.
    key_file : path, optional
        The pseudonym key (created if missing). Default: ``$TOOLKIT_KEY_FILE`` or the user's
        configuration folder, outside the project.
    min_cell : int, default=10
        Smallest group shown; smaller counts are hidden (with complements).
    models : sequence of int, default=(1, 2, 3, 6)
        tidyLPA model numbers to compare.
    k : iterable of int, default=range(1, 7)
        Numbers of profiles to compare (a range without gaps).
    seed : int, default=2024
    wave2 : path, optional
        A later wave of the same survey (profile changes between waves).
    workload : path, optional
        Workload assumptions (YAML); default the shipped ones.
    n_starts : int, optional
        Random starts of each profile fit (the estimator's default when None).
    progress : bool, default=True
        Show papermill's progress bar over the notebook's cells.
    date : str, optional
        Date recorded in the provenance (ISO 8601); now when None.

    Returns
    -------
    ReportResult

    Raises
    ------
    ToolkitError
        For a missing input, a bad option, or any user mistake found while running the pipeline
        (the message of the stage that found it).
    """
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    export = _existing(export, "export", "EXPORT")
    codebook = _existing(codebook, "codebook", "--codebook")
    wave2 = _existing(wave2, "second-wave export", "--wave2") if wave2 else None
    workload = _existing(workload, "workload file", "--workload") if workload else None
    if not isinstance(min_cell, (int, np.integer)) or min_cell < 1:
        raise user_error("the minimum cell size must be a whole number of 1 or more", value=min_cell,
                         fix="use --min-cell 10 unless your school's rule says otherwise")
    ks = _k_range(k)
    models = [int(m) for m in ([models] if isinstance(models, (int, np.integer)) else models)]
    if not models or any(m not in (1, 2, 3, 4, 5, 6) for m in models):
        raise user_error("models are tidyLPA's numbers 1 to 6", value=str(models), fix="for example --models 1,2,3,6")
    key_path = Path(key_file).expanduser().resolve() if key_file else default_key_file()
    if Path(out_dir).resolve() in key_path.resolve().parents:
        raise user_error("the key file is inside the output folder, where it would be shared with the report",
                         file=key_path, fix="keep the key outside the project and the output folders")
    parameters = {
        "export_path": str(export),
        "codebook_path": str(codebook),
        "wave2_path": str(wave2) if wave2 else "",
        "workload_path": str(workload) if workload else "",
        "key_file": str(key_path),
        "min_cell": int(min_cell),
        "models": models,
        "k_min": ks[0],
        "k_max": ks[-1],
        "n_starts": int(n_starts or 0),
        "seed": int(seed),
    }
    source = report_notebook()
    with atomic_output_dir(out_dir, protect=[p for p in (export, codebook, wave2, workload) if p]) as tmp:
        executed = tmp / "report.ipynb"
        try:
            pm.execute_notebook(
                str(source), str(executed), parameters=parameters, cwd=str(tmp),
                progress_bar=progress, kernel_name="python3", log_output=False,
                extra_arguments=["--IPKernelApp.log_level=ERROR"],  # no kernel start-up chatter in the terminal
            )
        except PapermillExecutionError as exc:
            if exc.ename == "ToolkitError":
                raise ToolkitError(exc.evalue) from None
            raise
        nb = _without_local_paths(nbformat.read(executed, as_version=4), parameters, source, executed)
        shown = {k: v for k, v in parameters.items() if k not in ("key_file",) and not k.endswith("_path")}
        prov = provenance({"export": export, "codebook": codebook, "wave2": wave2, "workload": workload},
                          shown, seed=seed, date=date)
        nb.metadata["toolkit"] = {"provenance": prov}
        nbformat.write(nb, executed)
        (tmp / "report.html").write_text(render_html(nb, prov), encoding="utf-8")
        (tmp / "provenance.json").write_text(json.dumps(prov, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        for stray in tmp.iterdir():  # the notebook writes nothing else; keep the folder clean anyway
            if stray.name not in ("report.ipynb", "report.html", "provenance.json"):
                shutil.rmtree(stray) if stray.is_dir() else stray.unlink()
    out = Path(out_dir)
    return ReportResult(out, out / "report.html", out / "report.ipynb", out / "provenance.json", parameters)
