"""The profiles stage: latent profile analysis of the scale scores, and k-means/Ward for teaching.

* :mod:`~toolkit.profiles.model`: the estimator (:class:`LatentProfileModel`, FIML EM with
  tidyLPA's six covariance structures), whose search of starts is in ``_search``;
* :mod:`~toolkit.profiles.grid`: :func:`fit_profiles`, a grid of models and its fit table;
* :mod:`~toolkit.profiles.solution`: one fitted solution (:class:`ProfileSolution`);
* :mod:`~toolkit.profiles.recommendation`: which solution to report and why;
* :mod:`~toolkit.profiles.lrt`: the BLRT and VLMR/LMR tests of K-1 against K profiles;
* :mod:`~toolkit.profiles.stability`: matching profiles between solutions, bootstrap stability;
* :mod:`~toolkit.profiles.clustering`, :mod:`~toolkit.profiles.naming`,
  :mod:`~toolkit.profiles.persist`, :mod:`~toolkit.profiles.plots`.
"""

from ._criteria import classification_indices, information_criteria, relative_entropy
from .clustering import ClusterResults, fit_clusters
from .grid import FIT_COLUMNS, ProfileResults, fit_profiles
from .lrt import BLRTResult, VLMRResult, bootstrap_lrt, vlmr_test, weighted_chi2_logsf, weighted_chi2_sf
from .model import (
    MODEL_NAMES,
    DegenerateSolutionWarning,
    LatentProfileModel,
    ReplicationWarning,
)
from .naming import profile_names
from .persist import assign_profiles, load_model, save_model
from .plots import plot_certainty, plot_fit_indices, plot_profile_means
from .recommendation import Recommendation, recommend
from .solution import ProfileSolution
from .stability import StabilityResult, align_profiles, profile_stability

__all__ = [
    "LatentProfileModel",
    "ReplicationWarning",
    "DegenerateSolutionWarning",
    "MODEL_NAMES",
    "information_criteria",
    "relative_entropy",
    "classification_indices",
    "fit_profiles",
    "FIT_COLUMNS",
    "ProfileResults",
    "ProfileSolution",
    "Recommendation",
    "recommend",
    "bootstrap_lrt",
    "vlmr_test",
    "weighted_chi2_sf",
    "weighted_chi2_logsf",
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
