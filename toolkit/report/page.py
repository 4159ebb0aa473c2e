"""The report page's sentences that depend on the survey: its scales, their range, its figures' alt text.

The report notebook's Markdown cells are fixed text; anything that names a scale, a range of
answers or a number of students is written here from the codebook and the study, so the page
reads right on any teacher's survey, not only on the bundled sample.
"""

from __future__ import annotations

import warnings

from .._words import count

__all__ = ["page_setup", "profiles_intro", "profiles_alt", "owner_alt", "what_changes_alt", "protection_note",
           "bullets", "md_escape"]


def md_escape(text) -> str:
    """Text for the page's Markdown with ``&``, ``<`` and ``>`` escaped.

    Codebooks are swapped between teachers and the report is e-mailed: a label such as
    ``<img src=x onerror=...>`` must show as text, never run as HTML (Markdown passes HTML
    through).
    """
    import html

    return html.escape(str(text), quote=False)


def bullets(lines) -> str:
    """A Markdown list of sentences, each escaped (:func:`md_escape`)."""
    return "\n".join(f"- {md_escape(line)}" for line in lines)


def page_setup() -> None:
    """Prepare the report's kernel: warnings off the page, tables in full, figures drawn off-screen.

    Warnings are turned into sentences by the report itself (the recommendation's warnings, the
    reliability notes), so raw warnings are not shown. Figures are drawn with matplotlib's
    non-interactive Agg canvas and embedded by :func:`toolkit.report.figure`, whatever
    ``MPLBACKEND`` the kernel inherited.
    """
    import matplotlib
    import pandas as pd

    warnings.simplefilter("ignore")
    pd.set_option("display.max_colwidth", None)
    matplotlib.use("agg", force=True)


def _scale_words(r, *, escape: bool = True) -> str:
    """The scales' labels in a sentence; escaped for Markdown unless ``escape=False`` (alt text is
    escaped by the page's template)."""
    labels = [md_escape(c.label) if escape else str(c.label) for c in r.codebook.constructs]
    if len(labels) == 1:
        return labels[0].lower()
    return ", ".join(x.lower() for x in labels[:-1]) + " and " + labels[-1].lower()


def profiles_intro(r) -> str:
    """The sentence before the profile table: which scales, their range, and where the profiles come from.

    Parameters
    ----------
    r : ReportInputs
        From :func:`toolkit.report.assemble`.

    Returns
    -------
    str
        Markdown.
    """
    lo, hi = r.scale_range
    k = int(r.solution.n_profiles)
    return (f"The survey's {len(r.codebook.constructs)} scales are {_scale_words(r)}. The students fall into "
            f"**{count(k, 'profile')}**; the average of each profile on each scale runs from {lo} "
            f"(low) to {hi} (high). {r.source_of_profiles}")


def profiles_alt(r) -> str:
    """Alt text of the profile plot."""
    lo, hi = r.scale_range
    drawn = int((r.solution.sizes >= r.min_cell).sum())
    return (f"Average score from {lo} to {hi} on each of the {len(r.codebook.constructs)} scales "
            f"({_scale_words(r, escape=False)}) for each of the {drawn} profiles of the surveyed students, with the range each "
            f"average is likely in.")


def owner_alt(r) -> str:
    """Alt text of the owner chart."""
    s = r.study.owner_settings
    return (f"Minutes a week of one {s.get('owner_kind', 'plan owner')} with about "
            f"{float(s.get('students_per_owner', 0)):.0f} students, outside lessons (median with a 90% range) "
            f"and inside lessons, for each way of planning, against the planning time of "
            f"{float(s.get('planning_minutes_per_week', 0)):.0f} minutes a week.")


def what_changes_alt(r) -> str:
    """Alt text of the chart of what would change the answer."""
    s = r.study.owner_settings
    return (f"How far each workload assumption, from its low to its high value, moves one "
            f"{s.get('owner_kind', 'plan owner')}'s minutes a week, for the assumptions that matter most; "
            f"published figures and assumptions without a source are coloured apart.")


def protection_note(min_cell: int) -> str:
    """What the report hides and why, in one paragraph (Markdown)."""
    return (f"Groups of fewer than **{int(min_cell)}** students are shown as *hidden*; where a hidden number "
            "could be worked out from a total or from another table, a second number is hidden too. Percentages "
            "above 98% or below 2% are shown as '>98%' or '<2%'. No student-level answer, name, ID, e-mail or "
            "code name appears in this report.")
