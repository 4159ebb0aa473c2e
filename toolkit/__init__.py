"""Learning profiles and lightweight individual plans for every student.

The pipeline, one sub-package per stage (see docs/interfaces.md): ``io`` reads an export with
its ``codebook``; then ``privacy`` -> ``scoring`` -> ``profiles`` -> ``plans`` -> ``scaling`` ->
``report``, and ``cli`` holds every command's file handling. Everything a notebook or a script needs is importable from here.
"""

from importlib.metadata import PackageNotFoundError, version as _version

from .codebook import Codebook, Construct, Item, ResponseScale, load_codebook, parse_codebook
from .codebook_draft import CodebookDraft, draft_codebook
from .errors import ToolkitError
from .io import RawExport, item_answers, read_export, write_deidentified
from .sample import SampleSurvey, generate_sample, write_sample
from .scrub import scrub_text
from .suppression import suppress, suppress_labels
from .privacy import Deidentified, Disclosure, deidentify, load_or_create_key, pseudonymize
from .scoring import (
    ReliabilityWarning,
    item_statistics,
    plot_item_distributions,
    plot_scale_scores,
    reliability,
    reliability_warnings,
    score_scales,
)
from .profiles import (
    DegenerateSolutionWarning,
    LatentProfileModel,
    ProfileResults,
    ProfileSolution,
    Recommendation,
    ReplicationWarning,
    align_profiles,
    assign_profiles,
    fit_clusters,
    fit_profiles,
    information_criteria,
    load_model,
    plot_certainty,
    plot_fit_indices,
    plot_profile_means,
    profile_stability,
    relative_entropy,
    save_model,
)
from .plans import (
    GoalImport,
    PlanCosts,
    PlanSet,
    ProfileTemplate,
    StudentPlan,
    Strategy,
    StrategyLibrary,
    draft_plans,
    import_goals,
    load_strategy_library,
    plot_student,
    plot_template,
)
from .scaling import Assumption, ScalingStudy, Workload, load_workload, scaling_study
from .report import ReportResult, build_report

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
