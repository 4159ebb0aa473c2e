"""Plans: needs, the strategy library, templates and personal layers, goals and answers, sheets and plots."""

from .drafting import draft_plans
from .goals import ANSWER_FIELDS, QUESTIONS, AnswerImport, GoalImport, form_questions, import_goals, read_answers
from .needs import mask_preferences, voice_tags
from .plan_set import TALK_FIRST, PlanCosts, PlanSet, ProfileTemplate, StudentPlan
from .plots import plot_student, plot_template
from .render import render_class_pack, write_plan_files
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
    "AnswerImport",
    "read_answers",
    "ANSWER_FIELDS",
    "QUESTIONS",
    "form_questions",
    "mask_preferences",
    "voice_tags",
    "plot_student",
    "plot_template",
    "render_class_pack",
    "write_plan_files",
    "Strategy",
    "StrategyLibrary",
    "load_strategy_library",
]
