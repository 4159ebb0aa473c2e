"""The scaling study: workload assumptions, the owner model, fidelity, transfer of profiles, projections, plots."""

from .owners import answer
from .study import ScalingStudy, scaling_study
from .workload import TIME_LOG_TEMPLATE, Assumption, Workload, apply_time_log, load_workload

__all__ = ["ScalingStudy", "scaling_study", "answer", "Assumption", "Workload", "load_workload", "apply_time_log",
           "TIME_LOG_TEMPLATE"]
