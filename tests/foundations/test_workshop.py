"""Workshop sliders: they draw at once (so headless runs show a result) and redraw when moved."""

import warnings

import ipywidgets as widgets
import pytest

import toolkit as tk
from toolkit.errors import ToolkitError
from toolkit.workshop import profile_explorer, workload_explorer


@pytest.fixture(scope="module")
def fitted(sample_dir):
    codebook = tk.load_codebook(sample_dir / "codebook.yml")
    clean = tk.deidentify(tk.read_export(sample_dir / "survey_export.csv", codebook), codebook, key=b"w" * 32)
    scores = tk.score_scales(clean.responses, codebook)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # few starts on purpose: a replication warning is expected
        results = tk.fit_profiles(scores, n_profiles=range(1, 4), models=1, n_starts=5, random_state=0)
    return results, codebook


def test_profile_explorer_starts_at_the_asked_k_within_the_fitted_range(fitted):
    results, codebook = fitted
    box = profile_explorer(results, codebook, value=3)
    slider, out = box.children
    assert isinstance(slider, widgets.IntSlider)
    assert (slider.min, slider.max, slider.value) == (1, 3, 3)
    assert isinstance(out, widgets.Output)


@pytest.fixture
def shown(monkeypatch):
    """What the explorers display (outside a kernel a widget's output area stays empty)."""
    import IPython.display
    import matplotlib.pyplot as plt

    tables = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, *a, **k: tables.append(obj))
    monkeypatch.setattr(plt, "show", lambda *a, **k: plt.close("all"))
    return tables


def test_profile_explorer_redraws_when_the_slider_moves(fitted, shown):
    results, codebook = fitted
    slider, out = profile_explorer(results, codebook).children
    assert slider.value == 2  # the smallest K above 1 by default
    assert list(shown[-1].index) == [1, 2]  # the K = 2 table was drawn at once
    slider.value = 1
    assert len(shown) == 2 and list(shown[-1].index) == [1]  # redrawn for K = 1
    slider.value = 3
    assert list(shown[-1].index) == [1, 2, 3]
    assert list(shown[-1]["name"]) == [results.solution(1, 3).names[k] for k in (1, 2, 3)]


def test_profile_explorer_names_a_model_that_was_not_fitted(fitted):
    results, codebook = fitted
    with pytest.raises(ToolkitError, match="model 6 was not fitted"):
        profile_explorer(results, codebook, model=6)


def test_workload_explorer_slides_over_the_assumption_range(shown):
    workload = tk.load_workload()
    a = workload["personalise_minutes"]
    slider, out = workload_explorer(workload, n_students=150, n_profiles=4, flagged_share=0.1).children
    assert (slider.min, slider.max, slider.value) == (a.low, a.high, a.value)

    def hours(value):
        costs = workload.with_values(personalise_minutes=value).costs(150, 4, 0.1).set_index("way")
        return costs["hours_per_term"].round(0)

    first = shown[-1]["hours a term"]
    assert first.to_dict() == hours(a.value).to_dict()
    slider.value = a.high  # redrawn at the edge of the range with the new assumption
    assert len(shown) == 2
    assert shown[-1]["hours a term"].to_dict() == hours(a.high).to_dict()
    assert shown[-1].loc["templated", "hours a term"] > first.loc["templated"]
