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


@pytest.fixture(scope="module")
def study(fitted):
    results, codebook = fitted
    return tk.scaling_study(results.data, model=1, k=3, random_state=0, n_draws=200, codebook=codebook)


def test_workload_explorer_shows_one_owners_time_from_the_reports_cost_model(study, shown):
    """Exercise 3 of the tour: the table is the owner model the report's answer comes from (one
    owner's minutes a week outside lessons, at the study's caseload and scope), not a second
    model; moving the slider redraws it with the new assumption."""
    from toolkit.scaling.owners import WAY_WORDS

    a = study.workload["personalise_minutes"]
    slider, out = workload_explorer(study).children
    assert (slider.min, slider.max, slider.value) == (a.low, a.high, a.value)
    column = "minutes a week for one advisor, outside lessons"
    first = shown[-1]
    assert list(first.index) == [WAY_WORDS[w] for w in study.owner["way"]]
    # at the stated values the table is the study's own owner table at the mode
    expected = (60 * study.owner.set_index("way")["hours_per_week_mode"]).round(0)
    assert first[column].tolist() == [expected[w] for w in study.owner["way"]]
    slider.value = a.high  # more minutes to personalise: the ways with a personal layer cost more
    assert len(shown) == 2
    now = shown[-1][column]
    templated = WAY_WORDS["templated"]
    individual = WAY_WORDS["individual"]
    assert now[templated] > first.loc[templated, column]
    assert now[individual] == first.loc[individual, column]  # no personal layer on a template


def test_workload_explorer_can_move_the_owners_caseload(study, shown):
    caseload = study.workload["students_per_owner"]
    slider, out = workload_explorer(study, key="students_per_owner").children
    column = "minutes a week for one advisor, outside lessons"
    first = shown[-1][column]
    slider.value = caseload.high  # more students per advisor: more of their time for every way
    assert (shown[-1][column] > first).all()
