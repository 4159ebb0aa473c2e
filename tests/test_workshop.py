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


def test_profile_explorer_redraws_when_the_slider_moves(fitted):
    results, codebook = fitted
    slider, out = profile_explorer(results, codebook).children
    assert slider.value == 2  # the smallest K above 1 by default
    slider.value = 1
    assert (1, 1) in results._solutions  # the K = 1 solution was drawn


def test_profile_explorer_names_a_model_that_was_not_fitted(fitted):
    results, codebook = fitted
    with pytest.raises(ToolkitError, match="model 6 was not fitted"):
        profile_explorer(results, codebook, model=6)


def test_workload_explorer_slides_over_the_assumption_range():
    workload = tk.load_workload()
    a = workload["personalise_minutes"]
    slider, out = workload_explorer(workload, n_students=150, n_profiles=4, flagged_share=0.1).children
    assert (slider.min, slider.max, slider.value) == (a.low, a.high, a.value)
    slider.value = a.high  # redrawing at the edge of the range must not fail
