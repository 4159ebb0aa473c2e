"""Sliders for the workshop notebook: change K, change a workload assumption, and see the result.

A notebook defines no functions, so the small callbacks a slider needs live here. Each explorer
draws its first result straight away, so a notebook run without a browser (papermill, nbval)
still shows it; in JupyterLab moving the slider redraws it.
"""

from __future__ import annotations

import pandas as pd

from .config import MIN_CELL

__all__ = ["profile_explorer", "workload_explorer"]


def profile_explorer(results, codebook, *, model: int = 1, min_cell: int = MIN_CELL, value: int | None = None):
    """A slider over the number of profiles that redraws the profile plot and table.

    Parameters
    ----------
    results : ProfileResults
        From :func:`toolkit.fit_profiles`, with ``model`` fitted for several K.
    codebook : Codebook
        For the scales' labels.
    model : int, default=1
        tidyLPA model number whose solutions the slider shows.
    min_cell : int, default=10
        Profile sizes under it are hidden in the table and the legend.
    value : int, optional
        K shown first (default: the smallest K fitted above 1).

    Returns
    -------
    ipywidgets.VBox
        The slider above an output area; display it as the last line of a cell.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    from .report.tables import plot_profiles, profile_overview

    ks = sorted(k for m, k in results.models if m == model)
    if not ks:
        from .errors import user_error

        raise user_error(f"model {model} was not fitted", fix="fit it with fit_profiles(..., models=...) first")
    start = value if value in ks else next((k for k in ks if k > 1), ks[0])
    slider = widgets.IntSlider(value=start, min=ks[0], max=ks[-1], step=1, description="profiles (K)",
                               continuous_update=False)
    out = widgets.Output()

    def draw(k):
        out.clear_output(wait=True)
        with out:
            solution = results.solution(model, k)
            display(profile_overview(solution, codebook, min_cell=min_cell))
            fig, ax = plt.subplots(figsize=(8, 4.5))
            plot_profiles(solution, codebook, min_cell=min_cell, ax=ax)
            plt.show()

    slider.observe(lambda change: draw(change["new"]), names="value")
    draw(start)
    return widgets.VBox([slider, out])


def workload_explorer(study, *, key: str = "personalise_minutes"):
    """A slider over one workload assumption that redraws one plan owner's time, as the report states it.

    The table is the owner model of the scaling study (:func:`toolkit.scaling.owners.owner_table`,
    the cost model the report's answer comes from): for each way of planning, the minutes a week
    outside lessons for one owner with the study's caseload, templates shared at the study's
    scope, and the drafted plans' own mix, with every other assumption at its stated value.

    Parameters
    ----------
    study : ScalingStudy
        From :func:`toolkit.scaling_study`; its workload, owner settings and number of profiles.
    key : str, default="personalise_minutes"
        The assumption the slider moves, over its stated low-high range.

    Returns
    -------
    ipywidgets.VBox
    """
    import ipywidgets as widgets
    from IPython.display import display

    from .scaling.owners import OWNER_KINDS, WAY_WORDS, owner_table

    settings = study.owner_settings
    owner = settings.get("owner_kind", "advisor")
    a = study.workload[key]
    slider = widgets.FloatSlider(value=a.value, min=a.low, max=a.high, step=max((a.high - a.low) / 20, 0.5),
                                 description=key.replace("_", " "), continuous_update=False,
                                 style={"description_width": "initial"}, layout={"width": "32rem"})
    out = widgets.Output()

    def draw(v):
        out.clear_output(wait=True)
        with out:
            # the slider may move the owners' caseload itself
            caseload = v if key == OWNER_KINDS.get(owner) else settings["students_per_owner"]
            t = owner_table(study.workload.with_values(**{key: v}), k=study.k, mix=settings["mix"],
                            caseload=caseload, scope=settings["template_scope"])
            table = pd.DataFrame({
                "way of planning": [WAY_WORDS[w] for w in t["way"]],
                f"minutes a week for one {owner}, outside lessons": (60 * t["hours_per_week_mode"]).round(0).to_numpy(),
                "share of planning time": [f"{x:.0%}" for x in t["share_of_planning_mode"]],
            }).set_index("way of planning")
            display(table)

    slider.observe(lambda change: draw(change["new"]), names="value")
    draw(a.value)
    return widgets.VBox([slider, out])
