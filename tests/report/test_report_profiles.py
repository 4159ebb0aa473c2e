"""`toolkit report --profiles DIR`: the report describes the saved solution the plans were drafted from."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from click.testing import CliRunner

from toolkit.cli import cli
from toolkit.errors import ToolkitError
from toolkit.cli.demo import demo_steps


@pytest.fixture(scope="module")
def teacher(tmp_path_factory, sample_dir):
    """deidentify -> score -> profiles (3 profiles chosen by hand, not the recommended 4) -> plans, with one key."""
    work = tmp_path_factory.mktemp("saved")
    key = work / "private" / "pseudonym.key"
    mp = pytest.MonkeyPatch()
    mp.setenv("TOOLKIT_KEY_FILE", str(key))
    steps = {name: (run, args, kwargs) for name, run, args, kwargs in demo_steps(sample_dir, work / "teacher", seed=7)}
    for name in ("deidentify", "score", "profiles", "plans"):
        run, args, kwargs = steps[name]
        if name == "profiles":
            kwargs = {**kwargs, "models": (1,), "ks": range(1, 5), "choose": (1, 3)}
        run(*args, **kwargs)
    mp.undo()
    return work, key


def test_report_with_saved_profiles_reproduces_the_plans_profiles_exactly(teacher, sample_dir):
    work, key = teacher
    profiles_dir = work / "teacher" / "profiles"
    out = work / "report"
    res = CliRunner().invoke(cli, ["report", str(sample_dir / "survey_export.csv"), "--codebook",
                                   str(sample_dir / "codebook.yml"), "--out", str(out), "--key-file", str(key),
                                   "--profiles", str(profiles_dir), "--quiet", "--k", "1-4", "--models", "1"])
    assert res.exit_code == 0, res.output
    assert "the saved solution" in res.output
    html = (out / "report.html").read_text(encoding="utf-8")
    # The plans' profiles: names from the saved solution, sizes from the plans' own file.
    plans = pd.read_csv(work / "teacher" / "plans" / "plans.csv", dtype=str)
    col = "profile" if "profile" in plans.columns else next(c for c in plans.columns if "profile" in c.lower())
    sizes = plans[col].astype(int).value_counts().sort_index()
    names = pd.read_csv(profiles_dir / "profiles.csv").drop_duplicates("profile").set_index("profile")["name"]
    assert len(sizes) == 3  # the hand-chosen solution, not the one the report would recommend (4)
    for k, n in sizes.items():
        assert names[k] in html, names[k]
        row = re.search(rf"<th>{k}</th>\s*<td>{re.escape(names[k])}</td>\s*<td>([^<]+)</td>", html)
        assert row, f"profile {k} not in the profile table"
        assert row.group(1) in (str(n), "hidden")
    assert "A person chose this solution (3 profiles" in html  # how it was chosen, in the appendix
    assert "profiles the teachers&#x27;" in html or "profiles the teachers'" in html


def test_saved_profiles_from_another_key_are_refused(teacher, sample_dir, tmp_path):
    work, _ = teacher
    out = tmp_path / "report"
    res = CliRunner().invoke(cli, ["report", str(sample_dir / "survey_export.csv"), "--codebook",
                                   str(sample_dir / "codebook.yml"), "--out", str(out), "--key-file",
                                   str(tmp_path / "other" / "pseudonym.key"), "--profiles",
                                   str(work / "teacher" / "profiles"), "--quiet"])
    assert res.exit_code == 2, res.output
    assert "none of the report's students are in the saved profiles" in res.output
    assert "Traceback" not in res.output and not out.exists()


def test_a_missing_profiles_folder_is_refused_before_anything_runs(sample_dir, tmp_path):
    res = CliRunner().invoke(cli, ["report", str(sample_dir / "survey_export.csv"), "--codebook",
                                   str(sample_dir / "codebook.yml"), "--out", str(tmp_path / "o"), "--profiles",
                                   str(tmp_path / "nope"), "--quiet"])
    assert res.exit_code == 2 and "the profiles folder does not exist" in res.output


def test_bad_saved_assignments_are_refused_before_the_notebook_runs(teacher, sample_dir, tmp_path, monkeypatch):
    """A bad assignments.csv is refused by build_report itself, with the message the report's
    kernel would give, before de-identification, scoring and the notebook run."""
    import shutil

    import papermill

    from toolkit.report import build_report

    work, key = teacher
    bad = tmp_path / "profiles"
    shutil.copytree(work / "teacher" / "profiles", bad)
    table = pd.read_csv(bad / "assignments.csv", dtype=str)
    table.loc[2, "profile"] = "0"
    table.to_csv(bad / "assignments.csv", index=False)

    def no_notebook(*args, **kwargs):
        raise AssertionError("the report notebook ran although the saved profiles are bad")

    monkeypatch.setattr(papermill, "execute_notebook", no_notebook)
    with pytest.raises(ToolkitError, match=r"assignments\.csv, row 4, column 'profile', value '0': a profile should be a whole number 1\.\.3"):
        build_report(sample_dir / "survey_export.csv", sample_dir / "codebook.yml", tmp_path / "report",
                     key_file=key, profiles=bad, progress=False, pdf=False)
    assert not (tmp_path / "report").exists()
