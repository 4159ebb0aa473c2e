"""A teacher's own survey, end to end: the second bundled example, not shaped like the sample.

The example (``data/example-forms/``, made by :func:`toolkit.example_forms.generate_forms_example`) is a
Microsoft Forms .xlsx from 60 fake students: belonging (5 items), maths anxiety (4) and growth
mindset (3), a 1-7 agreement scale written as words, Class and Year columns, one free-text
question, no second wave. The tests draft its codebook, make the edits a teacher makes, and run
deidentify, score and profiles through the public API and the command line.
"""

from __future__ import annotations

import re

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from sklearn.metrics import adjusted_rand_score

from toolkit import ToolkitError, deidentify, draft_codebook, load_codebook, read_export, score_scales
from toolkit.cli import cli
from toolkit.codebook import CodebookDirectionWarning
from toolkit.example_forms import FORMS_EXAMPLE_DIR, FORMS_ITEMS, generate_forms_example
from toolkit.sample import CONSTRUCTS, LABEL_OF

from _exports import teacher_edits
from conftest import ROOT

EXPORT = FORMS_EXAMPLE_DIR / "maths_survey.xlsx"
#: What the teacher renames after reading the draft: the anxiety scale is about maths, not tests.
RENAME = {"test_anxiety": ("maths_anxiety", "Maths anxiety")}
#: Words of the sample that must not reach this survey's outputs: its scale keys and labels.
SAMPLE_WORDS = (set(CONSTRUCTS) | set(LABEL_OF.values())) - {"belonging"}


def teacher_rename(text: str, rename: dict) -> str:
    """A teacher's renaming of drafted construct keys (and their item ids) and labels."""
    lines = text.splitlines()
    for old, (new, label) in rename.items():
        out, inside = [], False
        for line in lines:
            if line == f"  {old}:":
                line, inside = f"  {new}:", True
            elif inside and line.startswith("    label:"):
                line = f'    label: "{label}"'
            elif inside and line.startswith(f"      {old}_"):
                line = line.replace(f"      {old}_", f"      {new}_", 1)
            elif inside and line.startswith("  ") and not line.startswith("   "):
                inside = False
            out.append(line)
        lines = out
    return "\n".join(lines) + "\n"


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result, result.output  # standard output and error, as the teacher sees them


def _no_repr_or_package_path(out: str) -> None:
    assert "Traceback" not in out and "PosixPath" not in out and "WindowsPath" not in out
    assert str(Path(__import__("toolkit").__file__).parent) not in out


def _outputs_text(*folders) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for f in folders for p in sorted(Path(f).rglob("*"))
                     if p.is_file() and p.suffix in {".csv", ".md", ".json", ".html", ".txt"})


# ---------------------------------------------------------------- the draft


def test_draft_proposes_the_three_constructs_exactly():
    draft = draft_codebook(read_export(EXPORT))
    from toolkit import parse_codebook

    cb = parse_codebook(draft.yaml)
    truth = {q: key for key, items in FORMS_ITEMS.items() for _, q, _ in items}
    drafted = {i.column: i.construct for i in cb.items}
    # 12 items in 3 scales of 5, 4 and 3 items, recovered exactly from the answers (ARI 1.0)
    assert adjusted_rand_score([truth[c] for c in truth], [drafted[c] for c in truth]) == 1.0
    assert [len(c.items) for c in cb.constructs] == [5, 4, 3]
    assert [c.tag for c in cb.constructs] == ["belonging", "test_anxiety", "growth_mindset"]


def test_draft_hints_at_exactly_the_reverse_keyed_item_of_each_construct():
    draft = draft_codebook(read_export(EXPORT))
    hinted = {line.split('"')[1] for line in draft.yaml.splitlines() if "TODO: reverse keyed?" in line}
    assert hinted == {q for items in FORMS_ITEMS.values() for _, q, rev in items if rev}


def test_draft_marks_the_anxiety_construct_lower_is_better_and_every_decision_todo():
    from toolkit import parse_codebook

    draft = draft_codebook(read_export(EXPORT))
    cb = parse_codebook(draft.yaml)
    anxious = [c for c in cb.constructs if any("nervous" in i.column for i in c.items)]
    assert [c.higher_is_better for c in anxious] == [False]
    assert all(c.higher_is_better for c in cb.constructs if c not in anxious)
    for key in ("label", "tag", "higher_is_better"):
        assert sum(line.startswith(f"    {key}:") and "TODO" in line for line in draft.yaml.splitlines()) == 3, key
    with pytest.raises(ToolkitError, match=r"still holds \d+ TODO mark"):
        p = Path(os.environ["TOOLKIT_KEY_FILE"]).parent / "draft.yml"
        p.write_text(draft.yaml, encoding="utf-8")
        load_codebook(p)


def test_the_committed_codebook_is_the_edited_draft(tmp_path):
    draft = draft_codebook(read_export(EXPORT))
    edited = tmp_path / "codebook.yml"
    edited.write_text(teacher_rename(teacher_edits(draft.yaml), RENAME), encoding="utf-8")
    mine, committed = load_codebook(edited), load_codebook(FORMS_EXAMPLE_DIR / "codebook.yml")
    assert mine.construct_keys == committed.construct_keys == ("belonging", "maths_anxiety", "growth_mindset")
    assert [(i.column, i.construct, i.reverse) for i in mine.items] == [
        (i.column, i.construct, i.reverse) for i in committed.items]
    assert [c.higher_is_better for c in mine.constructs] == [True, False, True]
    assert (mine.id_column, mine.name_columns, mine.group_columns) == (
        committed.id_column, committed.name_columns, committed.group_columns)
    assert list(mine.voice_columns.values()) == list(committed.voice_columns.values())


def test_forgetting_higher_is_better_on_the_anxiety_scale_warns(tmp_path):
    text = (FORMS_EXAMPLE_DIR / "codebook.yml").read_text(encoding="utf-8")
    path = tmp_path / "codebook.yml"
    path.write_text(text.replace("higher_is_better: false", "higher_is_better: true"), encoding="utf-8")
    with pytest.warns(CodebookDirectionWarning, match=r"construct 'maths_anxiety' has higher_is_better: true, but its tag 'test_anxiety'"):
        load_codebook(path)


# ---------------------------------------------------------------- the public API, end to end


def test_api_chain_scores_the_survey_on_its_own_scales(tmp_path):
    cb = load_codebook(FORMS_EXAMPLE_DIR / "codebook.yml")
    raw = read_export(EXPORT, cb)
    assert raw.format == "microsoft_forms"
    result = deidentify(raw, cb, key=b"k" * 32)
    assert result.disclosure.rows["read"] == result.disclosure.rows["kept"] + result.disclosure.rows["excluded"] == 60
    scores = score_scales(result.responses, cb)
    assert list(scores.columns) == ["belonging", "maths_anxiety", "growth_mindset"]
    assert scores.min().min() >= 1 and scores.max().max() <= 7 and scores.max().max() > 5  # the 1-7 range
    assert not cb.construct("maths_anxiety").higher_is_better
    # as generated, students who worry most about maths see ability as fixed (FORMS_PROFILES)
    assert scores["maths_anxiety"].corr(scores["growth_mindset"]) < -0.2
    text = result.responses.to_csv()
    assert not [c for c in generate_forms_example().canaries if c in text]


# ---------------------------------------------------------------- the command line, end to end


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """codebook init -> the teacher's edits -> deidentify -> score -> profiles, by the CLI."""
    tmp = tmp_path_factory.mktemp("own")
    export = Path(shutil.copy(EXPORT, tmp / "maths_survey.xlsx"))
    key = tmp_path_factory.mktemp("ownkey") / "pseudonym.key"  # never the developer's key
    cb = tmp / "codebook.yml"
    logs = {}
    result, logs["init"] = run("codebook", "init", export, "--out", cb)
    assert result.exit_code == 0, logs["init"]
    draft = cb.read_text(encoding="utf-8")
    cb.write_text(teacher_rename(teacher_edits(draft), RENAME), encoding="utf-8")
    steps = {
        "deidentify": ("deidentify", export, "--codebook", cb, "--out", tmp / "clean", "--key-file", key),
        "score": ("score", tmp / "clean" / "responses.csv", "--codebook", cb, "--out", tmp / "scores"),
        "profiles": ("profiles", tmp / "scores" / "scores.csv", "--codebook", cb, "--out", tmp / "profiles", "--k", "1-4"),
    }
    for name, args in steps.items():
        result, logs[name] = run(*args)
        assert result.exit_code == 0, (name, logs[name])
    return {"tmp": tmp, "export": export, "key": key, "codebook": cb, "draft": draft, "logs": logs}


def test_cli_chain_runs_without_traceback_or_python_reprs(chain):
    for out in chain["logs"].values():
        _no_repr_or_package_path(out)
    assert "Read 60 rows (microsoft_forms)" in chain["logs"]["deidentify"]
    assert "on 3 scales" in chain["logs"]["score"]


def test_cli_outputs_name_the_surveys_own_scales_not_the_samples(chain):
    tmp = chain["tmp"]
    scores = pd.read_csv(tmp / "scores" / "scores.csv")
    assert list(scores.columns) == ["pseudonym", "Year", "Maths class", "belonging", "maths_anxiety", "growth_mindset"]
    rel = pd.read_csv(tmp / "scores" / "reliability.csv")
    assert rel["construct"].tolist() == ["belonging", "maths_anxiety", "growth_mindset"]
    assert rel.set_index("construct")["n_items"].tolist() == [5, 4, 3]
    means = pd.read_csv(tmp / "profiles" / "profiles.csv")
    assert set(means["construct"]) == {"belonging", "maths_anxiety", "growth_mindset"}
    text = _outputs_text(tmp / "scores", tmp / "profiles") + "\n".join(chain["logs"].values())
    found = [w for w in SAMPLE_WORDS if w in text or w.replace("_", " ") in text.lower()]
    assert found == []


def test_cli_profiles_read_maths_anxiety_as_lower_is_better(chain):
    cb = load_codebook(chain["codebook"])
    assert cb.construct("maths_anxiety").higher_is_better is False
    assert cb.construct("maths_anxiety").tag == "test_anxiety"
    means = pd.read_csv(chain["tmp"] / "profiles" / "profiles.csv")
    wide = means.pivot_table(index="profile", columns="construct", values="mean")
    assert wide.min().min() >= 1 and wide.max().max() <= 7
    # the profile highest on maths anxiety is named for it, in this survey's words
    top = wide["maths_anxiety"].idxmax()
    assert "maths anxiety" in means.loc[means["profile"] == top, "name"].iloc[0].lower()


def test_cli_outputs_hold_no_identifier(chain):
    text = _outputs_text(chain["tmp"] / "clean", chain["tmp"] / "scores", chain["tmp"] / "profiles").casefold()
    assert [c for c in generate_forms_example().canaries if c.casefold() in text] == []


@pytest.mark.parametrize("command", ["deidentify", "score", "profiles", "plans", "scaling", "report"])
def test_every_command_refuses_the_unedited_draft(chain, command, tmp_path):
    tmp, draft = chain["tmp"], tmp_path / "codebook.yml"
    draft.write_text(chain["draft"], encoding="utf-8")
    args = {
        "deidentify": ("deidentify", chain["export"], "--codebook", draft, "--out", tmp_path / "o", "--key-file", chain["key"]),
        "score": ("score", tmp / "clean" / "responses.csv", "--codebook", draft, "--out", tmp_path / "o"),
        "profiles": ("profiles", tmp / "scores" / "scores.csv", "--codebook", draft, "--out", tmp_path / "o", "--k", "1-2"),
        "plans": ("plans", "--responses", tmp / "clean", "--profiles", tmp / "profiles", "--codebook", draft, "--out", tmp_path / "o"),
        "scaling": ("scaling", "--responses", tmp / "scores", "--profiles", tmp / "profiles", "--codebook", draft, "--out", tmp_path / "o"),
        "report": ("report", chain["export"], "--codebook", draft, "--out", tmp_path / "o", "--key-file", chain["key"]),
    }[command]
    result, out = run(*args)
    assert result.exit_code == 2, out
    assert "TODO mark(s)" in out and "line 5: title:" in out and out.count("Error:") == 1
    _no_repr_or_package_path(out)
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


# ---------------------------------------------------------------- notebooks 01-03, parameters changed only

NOTEBOOKS = ROOT / "notebooks"


@pytest.mark.parametrize("name", ["01-prepare-data", "02-scales", "03-profiles"])
def test_notebook_runs_on_the_forms_example_with_only_its_parameters_changed(name, tmp_path):
    import nbformat
    import papermill

    params = {"export_path": str(EXPORT), "codebook_path": str(FORMS_EXAMPLE_DIR / "codebook.yml")}
    if name == "03-profiles":
        params["models"] = [1]  # keeps the test short; the grid is the same code
    papermill.execute_notebook(str(NOTEBOOKS / f"{name}.ipynb"), str(tmp_path / "out.ipynb"), parameters=params,
                               cwd=str(NOTEBOOKS), progress_bar=False, kernel_name="python3")
    nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    shown = "\n".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/markdown", "")) +
                      str(o.get("data", {}).get("text/plain", "")) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "Traceback" not in shown and "Error" not in shown
    if name != "03-profiles":
        assert "1 (Strongly disagree) to 7 (Strongly agree)" in shown  # the range comes from the codebook
    assert "Maths anxiety" in shown or "maths_anxiety" in shown
    sample_words = ("Grade", "Section", "Gender", "1 to 5", "Test anxiety", "Self-efficacy", "Help-seeking",
                    "Effort regulation", "Interest")
    assert [w for w in sample_words if w in shown or w in prose] == []


def test_cli_plans_and_scaling_run_on_the_forms_example_and_never_call_anxiety_a_strength(chain):
    """The rest of the chain by the CLI (plans, scaling) on the teacher's own survey."""
    tmp, cb = chain["tmp"], chain["codebook"]
    result, log = run("plans", "--responses", tmp / "clean", "--profiles", tmp / "profiles", "--out", tmp / "plans",
                      "--codebook", cb, "--key-file", chain["key"])
    assert result.exit_code == 0 and "Traceback" not in log, log
    result, log = run("scaling", "--responses", tmp / "scores", "--profiles", tmp / "profiles", "--codebook", cb,
                      "--out", tmp / "scaling")
    assert result.exit_code == 0 and "Traceback" not in log, log
    templates = (tmp / "plans" / "templates.md").read_text(encoding="utf-8")
    strengths = [line for line in templates.splitlines() if line.startswith("- Strengths to build on:")]
    # lower-is-better: low anxiety may be a strength, high anxiety never
    assert strengths and not [s for s in strengths if "higher maths anxiety" in s.lower()], strengths
    assert any("lower maths anxiety" in s for s in strengths)
    for sheet in (tmp / "plans" / "reflections").glob("*.html"):
        text = sheet.read_text(encoding="utf-8").lower()
        going_well = text.split("going well", 1)[1][:300] if "going well" in text else ""
        assert "higher maths anxiety" not in going_well and "more worried" not in going_well, sheet.name
    answer = (tmp / "scaling" / "answer.md").read_text(encoding="utf-8")
    assert "Section" not in answer and "Grade" not in answer and "Test anxiety" not in answer


@pytest.mark.parametrize("name", ["04-plans", "05-scaling"])
def test_notebooks_04_and_05_run_on_the_forms_example_with_only_their_parameters_changed(name, tmp_path):
    import nbformat
    import papermill

    params = {"export_path": str(EXPORT), "codebook_path": str(FORMS_EXAMPLE_DIR / "codebook.yml"),
              "key_file": str(tmp_path / "pseudonym.key")}
    if name == "05-scaling":
        params["wave2_path"] = ""  # the example has no second wave
    papermill.execute_notebook(str(NOTEBOOKS / f"{name}.ipynb"), str(tmp_path / "out.ipynb"), parameters=params,
                               cwd=str(NOTEBOOKS), progress_bar=False, kernel_name="python3")
    nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    shown = "\n".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/markdown", "")) +
                      str(o.get("data", {}).get("text/plain", "")) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "Traceback" not in shown and "Error" not in shown
    assert "Maths anxiety" in shown or "maths_anxiety" in shown or name == "05-scaling"
    assert "Section" not in shown and "Self-efficacy" not in shown
