"""The scaling study: can lightweight individual plans for every student scale?

Modules, one topic each: ``workload`` (the assumptions and time logs), ``owners`` (the owner model
and the answer), ``projection`` (the cost tables in one owner's time), ``fidelity`` (fidelity and
the knee), ``benefit`` (the non-circular benefit), ``transfer`` (profiles across groups and
waves), ``statements`` (the sentences), ``study`` (:func:`scaling_study`), ``plots``.
"""

from .owners import answer
from .study import ScalingStudy, scaling_study
from .workload import TIME_LOG_TEMPLATE, Assumption, Workload, apply_time_log, load_workload

__all__ = ["ScalingStudy", "scaling_study", "answer", "Assumption", "Workload", "load_workload", "apply_time_log",
           "TIME_LOG_TEMPLATE"]
