"""Plans: needs, the strategy library, templates and personal layers, goals, sheets and plots."""

from .drafting import TALK_FIRST, PlanCosts, PlanSet, ProfileTemplate, StudentPlan, draft_plans
from .goals import GoalImport, import_goals
from .plots import plot_student, plot_template
from .strategies import Strategy, StrategyLibrary, load_strategy_library

__all__ = [
    "TALK_FIRST",
    "PlanCosts",
    "PlanSet",
    "ProfileTemplate",
    "StudentPlan",
    "draft_plans",
    "GoalImport",
    "import_goals",
    "plot_student",
    "plot_template",
    "Strategy",
    "StrategyLibrary",
    "load_strategy_library",
]
