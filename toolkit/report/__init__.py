"""The leadership report: suppressed tables for leaders, and the build of the HTML page."""

from .answer import answer_box, owner_overview, owner_projection_overview, plot_what_changes
from .assemble import ReportInputs, assemble
from .disclosure import PagePlan, plan_page
from .page import (bullets, md_escape, owner_alt, page_setup, profiles_alt, profiles_intro, protection_note,
                   what_changes_alt)

from .saved import how_chosen, saved_solution
from .build import ReportResult, build_report, provenance, render_html, report_notebook
from .tables import (
    who_responded,
    exclusions,
    protection_summary,
    scale_reliability,
    fit_overview,
    profile_overview,
    plot_profiles,
    templates_for_leadership,
    transfer_overview,
    transitions_overview,
    assumptions_table,
    hidden_footnote,
    figure,
)

__all__ = [
    "ReportInputs",
    "assemble",
    "PagePlan",
    "plan_page",
    "hidden_footnote",
    "page_setup",
    "bullets",
    "md_escape",
    "profiles_intro",
    "profiles_alt",
    "owner_alt",
    "what_changes_alt",
    "protection_note",
    "owner_overview",
    "owner_projection_overview",
    "plot_what_changes",
    "saved_solution",
    "how_chosen",
    "ReportResult",
    "build_report",
    "provenance",
    "render_html",
    "report_notebook",
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
    "figure",
]
