"""Latent profile analysis: the estimator, fit indices and (part 2) the model grid."""

from ._criteria import information_criteria, relative_entropy
from .model import (
    MODEL_NAMES,
    DegenerateSolutionWarning,
    LatentProfileModel,
    ReplicationWarning,
)

__all__ = [
    "LatentProfileModel",
    "ReplicationWarning",
    "DegenerateSolutionWarning",
    "MODEL_NAMES",
    "information_criteria",
    "relative_entropy",
]
