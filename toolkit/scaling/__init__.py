"""The scaling study: workload assumptions, fidelity, transfer of profiles, projections, plots."""

from .study import ScalingStudy, scaling_study
from .workload import Assumption, Workload, load_workload

__all__ = ["ScalingStudy", "scaling_study", "Assumption", "Workload", "load_workload"]
