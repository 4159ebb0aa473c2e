"""Latent profile analysis: the estimator, fit indices and (part 2) the model grid."""

from ._criteria import information_criteria, relative_entropy
from .model import (
    MODEL_NAMES,
    DegenerateSolutionWarning,
    LatentProfileModel,
    ReplicationWarning,
)
from .clustering import ClusterResults, fit_clusters
from .lrt import BLRTResult, VLMRResult, bootstrap_lrt, vlmr_test
from .naming import profile_names
from .persist import assign_profiles, load_model, save_model
from .plots import plot_certainty, plot_fit_indices, plot_profile_means
from .results import ProfileResults, ProfileSolution, Recommendation, fit_profiles
from .stability import StabilityResult, align_profiles, profile_stability

__all__ = [
    "LatentProfileModel",
    "ReplicationWarning",
    "DegenerateSolutionWarning",
    "MODEL_NAMES",
    "information_criteria",
    "relative_entropy",
    # part 2: the grid, tests, stability, clustering, names, plots, persistence
    "fit_profiles",
    "ProfileResults",
    "ProfileSolution",
    "Recommendation",
    "bootstrap_lrt",
    "vlmr_test",
    "BLRTResult",
    "VLMRResult",
    "align_profiles",
    "profile_stability",
    "StabilityResult",
    "fit_clusters",
    "ClusterResults",
    "profile_names",
    "save_model",
    "load_model",
    "assign_profiles",
    "plot_profile_means",
    "plot_fit_indices",
    "plot_certainty",
]
