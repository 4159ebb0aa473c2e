"""Learning profiles and lightweight individual plans for every student.

The pipeline, one sub-package per stage (see docs/interfaces.md): ``io`` reads an export with
its ``codebook``; then ``privacy`` -> ``scoring`` -> ``profiles`` -> ``plans`` -> ``scaling`` ->
``report``, and ``cli`` holds every command's file handling. Everything a notebook or a script
needs is importable from here; the names are loaded on first use (PEP 562), so that
``import toolkit`` and ``toolkit --help`` stay fast and load no stage.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version as _version

#: Public name -> the module that defines it (relative to the package).
_EXPORTS = {
    "read_answers": "plans",
    "AnswerImport": "plans",
    "form_questions": "plans",
    "render_class_pack": "plans",
    "mask_preferences": "plans",
    "generate_forms_example": "example_forms",
    "write_forms_example": "example_forms",
    "FormsExample": "example_forms",
    "CodebookDirectionWarning": "codebook",
    "library_tags": "codebook",
    "check_output_dir": "_atomic",
    "check_output_file": "_atomic",
    "MAX_CELL_CHARS": "io",
    "MAX_LINE_CHARS": "io",
    "WITHHELD_GROUP": "privacy.deidentify",
    "WaveLinkWarning": "privacy",
    "check_wave_link": "privacy",
    "Codebook": "codebook",
    "Construct": "codebook",
    "Item": "codebook",
    "ResponseScale": "codebook",
    "load_codebook": "codebook",
    "parse_codebook": "codebook",
    "CodebookDraft": "codebook_draft",
    "draft_codebook": "codebook_draft",
    "ToolkitError": "errors",
    "RawExport": "io",
    "item_answers": "io",
    "read_export": "io",
    "write_deidentified": "io",
    "SampleSurvey": "sample",
    "generate_sample": "sample",
    "write_sample": "sample",
    "scrub_text": "scrub",
    "suppress": "suppression",
    "suppress_labels": "suppression",
    "Deidentified": "privacy",
    "Disclosure": "privacy",
    "deidentify": "privacy",
    "load_or_create_key": "privacy",
    "pseudonymize": "privacy",
    "ReliabilityWarning": "scoring",
    "item_statistics": "scoring",
    "plot_item_distributions": "scoring",
    "plot_scale_scores": "scoring",
    "reliability": "scoring",
    "reliability_warnings": "scoring",
    "score_scales": "scoring",
    "DegenerateSolutionWarning": "profiles",
    "LatentProfileModel": "profiles",
    "ProfileResults": "profiles",
    "ProfileSolution": "profiles",
    "Recommendation": "profiles",
    "ReplicationWarning": "profiles",
    "align_profiles": "profiles",
    "assign_profiles": "profiles",
    "fit_clusters": "profiles",
    "fit_profiles": "profiles",
    "information_criteria": "profiles",
    "load_model": "profiles",
    "plot_certainty": "profiles",
    "plot_fit_indices": "profiles",
    "plot_profile_means": "profiles",
    "profile_stability": "profiles",
    "relative_entropy": "profiles",
    "save_model": "profiles",
    "GoalImport": "plans",
    "PlanCosts": "plans",
    "PlanSet": "plans",
    "ProfileTemplate": "plans",
    "StudentPlan": "plans",
    "Strategy": "plans",
    "StrategyLibrary": "plans",
    "draft_plans": "plans",
    "import_goals": "plans",
    "load_strategy_library": "plans",
    "plot_student": "plans",
    "plot_template": "plans",
    "Assumption": "scaling",
    "ScalingStudy": "scaling",
    "Workload": "scaling",
    "load_workload": "scaling",
    "scaling_study": "scaling",
    "ReportResult": "report",
    "build_report": "report",
}

try:
    __version__ = _version("learning-profiles-toolkit")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

__all__ = [
    "__version__",
    # suppression and the leadership report
    "suppress",
    "suppress_labels",
    "build_report",
    "ReportResult",
    # codebook
    "CodebookDirectionWarning",
    "library_tags",
    "Codebook",
    "Construct",
    "Item",
    "ResponseScale",
    "load_codebook",
    "parse_codebook",
    # errors
    "ToolkitError",
    # io
    "RawExport",
    "read_export",
    "item_answers",
    "write_deidentified",
    # privacy
    "check_output_dir",
    "check_output_file",
    "MAX_CELL_CHARS",
    "MAX_LINE_CHARS",
    "WITHHELD_GROUP",
    "WaveLinkWarning",
    "check_wave_link",
    "Deidentified",
    "Disclosure",
    "deidentify",
    "load_or_create_key",
    "pseudonymize",
    "scrub_text",
    # codebook drafts
    "CodebookDraft",
    "draft_codebook",
    # scoring
    "score_scales",
    "reliability",
    "item_statistics",
    "reliability_warnings",
    "ReliabilityWarning",
    "plot_item_distributions",
    "plot_scale_scores",
    # sample
    "FormsExample",
    "generate_forms_example",
    "write_forms_example",
    "SampleSurvey",
    "generate_sample",
    "write_sample",
    # scaling
    "ScalingStudy",
    "scaling_study",
    "Assumption",
    "Workload",
    "load_workload",
    # plans
    "read_answers",
    "AnswerImport",
    "form_questions",
    "render_class_pack",
    "mask_preferences",
    "Strategy",
    "StrategyLibrary",
    "load_strategy_library",
    "PlanCosts",
    "PlanSet",
    "ProfileTemplate",
    "StudentPlan",
    "GoalImport",
    "draft_plans",
    "import_goals",
    "plot_template",
    "plot_student",
    # profiles
    "LatentProfileModel",
    "ReplicationWarning",
    "DegenerateSolutionWarning",
    "information_criteria",
    "relative_entropy",
    "fit_profiles",
    "ProfileResults",
    "ProfileSolution",
    "Recommendation",
    "align_profiles",
    "profile_stability",
    "fit_clusters",
    "assign_profiles",
    "save_model",
    "load_model",
    "plot_profile_means",
    "plot_fit_indices",
    "plot_certainty",
]


def __getattr__(name: str):
    """Import a public name on first use (PEP 562) and keep it on the package."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
