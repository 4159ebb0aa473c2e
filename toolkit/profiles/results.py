"""Transitional: the grid, the solution and the recommendation now live in
:mod:`toolkit.profiles.grid`, :mod:`toolkit.profiles.solution` and
:mod:`toolkit.profiles.recommendation`. This module only re-exports their names for the one
caller outside the stage that still imports them from here (``toolkit.report.saved``); delete it
once that import reads ``from ..profiles import ProfileSolution``.
"""

from .grid import FIT_COLUMNS, ProfileResults, classification_indices, fit_profiles
from .recommendation import Recommendation, recommend
from .solution import ProfileSolution

__all__ = [
    "FIT_COLUMNS",
    "ProfileResults",
    "ProfileSolution",
    "Recommendation",
    "classification_indices",
    "fit_profiles",
    "recommend",
]
