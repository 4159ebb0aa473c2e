"""The leadership report: suppressed tables for leaders, and the build of the HTML page."""

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
    costs_overview,
    transfer_overview,
    transitions_overview,
    assumptions_table,
    answer_box,
    figure,
    plain_assumption_labels,
)

__all__ = [
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
    "costs_overview",
    "transfer_overview",
    "transitions_overview",
    "assumptions_table",
    "answer_box",
    "figure",
    "plain_assumption_labels",
]
