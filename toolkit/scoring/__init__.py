"""Scoring: reverse-keyed items, scale scores, reliability, and their plots."""

from .plots import plot_item_distributions, plot_scale_scores
from .reliability import ReliabilityWarning, item_statistics, reliability, reliability_warnings
from .scales import keyed_items, score_scales, select_constructs

__all__ = [
    "score_scales",
    "keyed_items",
    "select_constructs",
    "reliability",
    "item_statistics",
    "reliability_warnings",
    "ReliabilityWarning",
    "plot_item_distributions",
    "plot_scale_scores",
]
