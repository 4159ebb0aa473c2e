"""The `toolkit` command: help, the sample command, and how a mistake is reported."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import ROOT
from toolkit.cli import cli


def test_help_lists_the_commands_and_each_has_an_example():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    commands = list(cli.commands)
    assert {"sample", "demo"} <= set(commands)
    for name in commands:
        assert name in result.output
        sub = CliRunner().invoke(cli, [name, "--help"])
        assert sub.exit_code == 0, name
        assert "Example" in sub.output, f"`toolkit {name} --help` shows no example"


def test_python_dash_m_toolkit_works():
    out = subprocess.run([sys.executable, "-m", "toolkit", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("toolkit, version ")


def test_sample_command_writes_the_files(tmp_path):
    result = CliRunner().invoke(cli, ["sample", "--n", "40", "--seed", "3", "--out", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == [
        "README.md", "codebook.yml", "survey_export.csv", "survey_export_wave2.csv", "truth.csv"]


def test_a_usage_mistake_exits_2_without_traceback(tmp_path):
    out = subprocess.run([sys.executable, "-m", "toolkit", "sample", "--n", "3", "--out", str(tmp_path)],
                         capture_output=True, text=True)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr and "--n" in out.stderr


# --- one verdict per option, through every command (toolkit._validation) ------------------------
def _capture(monkeypatch, module, name):
    """Replace ``toolkit.cli.<module>.<name>`` by a recorder; the command's parsed options are kept."""
    import importlib

    seen = {}

    def fake(*args, **kwargs):
        seen.update(kwargs, args=args)
        return []

    monkeypatch.setattr(importlib.import_module(f"toolkit.cli.{module}"), name, fake)
    return seen


_PROFILES = ["profiles", "scores.csv", "--out", "out"]
_REPORT = ["report", "export.csv", "--codebook", "codebook.yml", "--out", "out"]
_SCALING = ["scaling", "--responses", "scores", "--profiles", "profiles", "--out", "out"]
_DEIDENTIFY = ["deidentify", "export.csv", "--codebook", "codebook.yml", "--out", "out"]


@pytest.mark.parametrize("text, expected", [("1-6", [1, 2, 3, 4, 5, 6]), ("2,3,5", [2, 3, 5]), ("5,3,3,2", [2, 3, 5])])
def test_profiles_and_report_accept_the_same_k_ranges_and_lists(monkeypatch, text, expected):
    seen_p = _capture(monkeypatch, "profiles", "run_profiles")
    seen_r = _capture(monkeypatch, "report", "run_report")
    assert CliRunner().invoke(cli, [*_PROFILES, "--k", text]).exit_code == 0
    assert CliRunner().invoke(cli, [*_REPORT, "--k", text]).exit_code == 0
    assert seen_p["ks"] == seen_r["k"] == expected


@pytest.mark.parametrize("text", ["2.5", "1,2.5", "0", "0-3", "6-1", "two", ""])
def test_every_command_refuses_a_bad_k_with_the_same_message(monkeypatch, text):
    for module, name in (("profiles", "run_profiles"), ("report", "run_report"), ("scaling", "run_scaling")):
        _capture(monkeypatch, module, name)
    messages = set()
    for args in (_PROFILES, _REPORT, _SCALING):
        result = CliRunner().invoke(cli, [*args, "--k", text])
        assert result.exit_code == 2, (args[0], result.output)
        assert "Traceback" not in result.output
        messages.add(result.output.strip())
    assert len(messages) == 1, messages  # one wording, whichever command
    assert messages.pop().startswith("Error: ")


def test_scaling_k_is_one_number_of_profiles(monkeypatch):
    seen = _capture(monkeypatch, "scaling", "run_scaling")
    assert CliRunner().invoke(cli, [*_SCALING, "--k", "4", "--model", "6"]).exit_code == 0
    assert seen["k"] == 4 and seen["model"] == 6
    result = CliRunner().invoke(cli, [*_SCALING, "--k", "2,3"])
    assert result.exit_code == 2 and "--k should be one number of profiles here" in result.output
    result = CliRunner().invoke(cli, [*_SCALING, "--model", "7"])
    assert result.exit_code == 2 and "--model should be tidyLPA model numbers 1 to 6; 7 is not one" in result.output


@pytest.mark.parametrize("args", [_PROFILES, _REPORT])
def test_models_outside_1_to_6_are_refused_by_every_command(monkeypatch, args):
    _capture(monkeypatch, "profiles", "run_profiles")
    _capture(monkeypatch, "report", "run_report")
    result = CliRunner().invoke(cli, [*args, "--models", "1,9"])
    assert result.exit_code == 2
    assert "value '1,9': --models should be tidyLPA model numbers 1 to 6; 9 is not one" in result.output


@pytest.mark.parametrize("value", ["0", "-1", "2.5", "ten", "true"])
def test_every_command_refuses_a_bad_min_cell_with_the_same_message(monkeypatch, value):
    for module, name in (("deidentify", "run_deidentify"), ("report", "run_report"), ("scaling", "run_scaling")):
        _capture(monkeypatch, module, name)
    for args in (_DEIDENTIFY, _REPORT, _SCALING):
        result = CliRunner().invoke(cli, [*args, "--min-cell", value])
        assert result.exit_code == 2, (args[0], result.output)
        assert "--min-cell should be a whole number of 1 or more. Use the default 10" in result.output


def test_min_cell_default_of_every_command_is_config_min_cell(monkeypatch):
    from toolkit.config import MIN_CELL

    seen = {m: _capture(monkeypatch, m, f"run_{m}") for m in ("deidentify", "report", "scaling")}
    for args in (_DEIDENTIFY, _REPORT, _SCALING):
        assert CliRunner().invoke(cli, args).exit_code == 0
    assert {s["min_cell"] for s in seen.values()} == {MIN_CELL}
    assert all(type(s["min_cell"]) is int for s in seen.values())
    assert CliRunner().invoke(cli, [*_DEIDENTIFY, "--min-cell", "12"]).exit_code == 0
    assert seen["deidentify"]["min_cell"] == 12


def test_choose_is_checked_as_a_model_and_a_number_of_profiles(monkeypatch):
    seen = _capture(monkeypatch, "profiles", "run_profiles")
    assert CliRunner().invoke(cli, [*_PROFILES, "--choose", "1:4"]).exit_code == 0
    assert seen["choose"] == (1, 4)
    for bad, match in (("1:2.5", "--choose K should be whole numbers of profiles of 1 or more; '2.5'"), ("9:2", "--choose MODEL should be tidyLPA model numbers 1 to 6; 9 is not one"), ("14", "--choose should be MODEL:K")):
        result = CliRunner().invoke(cli, [*_PROFILES, "--choose", bad])
        assert result.exit_code == 2 and match in result.output, result.output


# --- the readers of stage folders (toolkit.cli._readers) ----------------------------------------
def test_read_scores_table_keeps_group_text_and_names_a_bad_construct_value(tmp_path):
    from toolkit.cli._readers import read_scores_table
    from toolkit.errors import ToolkitError

    path = tmp_path / "scores.csv"
    path.write_text("pseudonym,Section,Grade,motivation,efficacy\nS1,A,9,3.5,2\nS2,B,10,,4\n", encoding="utf-8")
    table = read_scores_table(path, ("Section", "Grade"), "the scores file", ("motivation", "efficacy"))
    assert list(table.columns) == ["Section", "Grade", "motivation", "efficacy"]
    assert table.loc["S2", "Grade"] == "10" and table["efficacy"].dtype.kind == "f"
    path.write_text("pseudonym,Section,motivation\nS1,A,high\nS2,B,low\nS3,A,3\n", encoding="utf-8")
    with pytest.raises(ToolkitError, match=r"row 2, column 'motivation', value 'high': a scale score is not a number"):
        read_scores_table(path, ("Section",), "the scores file", ("motivation", "efficacy"))


def test_read_assignments_checks_profiles_and_duplicates(tmp_path):
    from toolkit.cli._readers import read_assignments
    from toolkit.errors import ToolkitError

    (tmp_path / "assignments.csv").write_text("pseudonym,profile,certainty,p1,p2\nS1,1,0.9,0.9,0.1\nS2,2,0.8,0.2,0.8\n")
    table = read_assignments(tmp_path, n_profiles=2)
    assert table["profile"].tolist() == [1, 2] and table.index.name == "pseudonym"
    (tmp_path / "assignments.csv").write_text("pseudonym,profile\nS1,1\nS1,2\n")
    with pytest.raises(ToolkitError, match=r"assignments\.csv, row 3, column 'pseudonym', value 'S1': the pseudonym appears twice"):
        read_assignments(tmp_path)
    with pytest.raises(ToolkitError, match="profiles folder not found"):
        read_assignments(tmp_path / "missing")


def test_read_assignments_checks_against_the_saved_k(tmp_path):
    from toolkit.cli._readers import read_assignments
    from toolkit.errors import ToolkitError

    (tmp_path / "assignments.csv").write_text("pseudonym,profile,certainty,p1,p2\nS1,1,0.9,0.9,0.1\nS2,3,0.8,0.2,0.8\n")
    assert read_assignments(tmp_path)["profile"].tolist() == [1, 3]  # no bound asked for
    with pytest.raises(ToolkitError, match=r"row 3, column 'profile', value '3': a profile should be a whole number 1\.\.2"):
        read_assignments(tmp_path, n_profiles="saved")  # K from the p1..pK columns
    (tmp_path / "model.json").write_text('{"n_profiles": 3, "model": 1}')
    with pytest.raises(ToolkitError, match="column 'p3': the assignments lack a posterior probability column"):
        read_assignments(tmp_path, n_profiles="saved")  # K from model.json wins


# --- `toolkit --help` answers at once -------------------------------------------------------------
_HEAVY = ("pandas", "matplotlib", "numpy", "scipy", "sklearn", "papermill", "nbconvert")

# The package root is replaced by an empty package on the same path, so that only what
# toolkit.cli itself imports is loaded (toolkit/__init__.py imports every stage eagerly today).
_CLI_ALONE = """
import importlib.util, sys, types
spec = importlib.util.find_spec("toolkit")
root = types.ModuleType("toolkit")
root.__path__ = list(spec.submodule_search_locations)
root.__version__ = "0"
sys.modules["toolkit"] = root
from toolkit.cli import cli
for args in (["--help"], ["profiles", "--help"], ["report", "--help"], ["scaling", "--help"]):
    try:
        cli.main(args, prog_name="toolkit", standalone_mode=False)
    except SystemExit:
        pass
print("LOADED", *sorted(m for m in {heavy!r} if m in sys.modules))
"""


def test_cli_package_imports_no_stage_and_no_pandas_for_help():
    out = subprocess.run([sys.executable, "-c", _CLI_ALONE.format(heavy=_HEAVY)], capture_output=True, text=True,
                         check=True)
    assert "Usage: toolkit" in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "LOADED", out.stdout.splitlines()[-1]


def test_cli_module_level_imports_are_click_and_foundations_only():
    import ast

    from conftest import ROOT

    tree = ast.parse((ROOT / "toolkit" / "cli" / "__init__.py").read_text(encoding="utf-8"))
    top = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            top += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            top.append("." * node.level + (node.module or ""))
    assert set(top) <= {"__future__", "sys", "pathlib", "click", "..", ".._validation", "..config", "..errors"}, top


def test_toolkit_help_does_not_import_pandas_or_matplotlib():
    code = ("import sys; from toolkit.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            f"print('LOADED', *sorted(m for m in {_HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Usage: toolkit" in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "LOADED", out.stdout.splitlines()[-1]


def test_the_demo_runs_every_stage_in_order_with_the_config_defaults(tmp_path):
    from toolkit.cli.demo import demo_steps
    from toolkit.config import DEFAULT_MODELS, SAMPLE_DIR

    steps = demo_steps(SAMPLE_DIR, tmp_path, seed=7)
    assert [name for name, *_ in steps] == ["deidentify", "score", "profiles", "plans", "deidentify wave 2",
                                            "score wave 2", "scaling"]
    profiles = dict((name, kwargs) for name, _, _, kwargs in steps)["profiles"]
    assert profiles["models"] == list(DEFAULT_MODELS) and profiles["ks"] == [1, 2, 3, 4, 5, 6]
    assert profiles["seed"] == 7


def test_a_warning_about_the_teachers_codebook_reads_as_the_commands_warnings(tmp_path):
    # The real console entry (python -m toolkit), where Python's own warning display would show
    # the category and a line of the toolkit's code.
    forms = ROOT / "data" / "example-forms"
    codebook = tmp_path / "codebook.yml"
    codebook.write_text((forms / "codebook.yml").read_text(encoding="utf-8").replace(
        "higher_is_better: false", "higher_is_better: true"), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "toolkit", "deidentify", str(forms / "maths_survey.xlsx"),
                          "--codebook", str(codebook), "--out", str(tmp_path / "out")],
                         capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    line = next(x for x in out.stderr.splitlines() if "maths_anxiety" in x)
    assert line.startswith("Warning (codebook.yml, line ")
    assert "CodebookDirectionWarning" not in out.stderr and "warnings.warn" not in out.stderr


# --- one verdict for an assignments file: `toolkit plans` and `toolkit report --profiles` ---------------
@pytest.fixture(scope="module")
def saved_profiles(tmp_path_factory, sample_dir):
    """deidentify -> score -> profiles (model 1, K = 3 chosen) on the sample, with one key."""
    from toolkit.cli.demo import demo_steps

    work = tmp_path_factory.mktemp("verdict").resolve()  # the report names the resolved folder
    key = work / "private" / "pseudonym.key"
    mp = pytest.MonkeyPatch()
    mp.setenv("TOOLKIT_KEY_FILE", str(key))
    steps = {name: (run, args, kwargs) for name, run, args, kwargs in demo_steps(sample_dir, work / "teacher", seed=7)}
    for name in ("deidentify", "score", "profiles"):
        run, args, kwargs = steps[name]
        if name == "profiles":
            kwargs = {**kwargs, "models": (1,), "ks": range(1, 4), "choose": (1, 3)}
        run(*args, **kwargs)
    mp.undo()
    return work, key


def _spoil(rows: list[list[str]], case: str) -> list[list[str]]:
    """The assignments (header first) with one mistake; data row i is spreadsheet row i + 1."""
    header, data = rows[0], [list(r) for r in rows[1:]]
    at = {c: header.index(c) for c in header}
    if case == "pseudonym twice":
        data[1][at["pseudonym"]] = data[0][at["pseudonym"]]
    elif case == "no profile column":
        return [[v for c, v in zip(header, r) if c != "profile"] for r in rows]
    elif case.startswith("profile "):
        data[2][at["profile"]] = case.split(" ", 1)[1]
    elif case == "certainty 1.3":
        data[3][at["certainty"]] = "1.3"
    return [header, *data]


def _the_one_error_of_each(*results):
    """The single ``Error:`` line of each refused command (exit code 2, no traceback)."""
    verdicts = []
    for result in results:
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
        assert len(errors) == 1, result.output
        verdicts.append(errors[0])
    return verdicts


@pytest.mark.parametrize("case,expected", [
    ("pseudonym twice", r"assignments\.csv, row 3, column 'pseudonym', value '[^']+': the pseudonym appears twice in "
                        r"the assignments\. Keep one row per student\."),
    ("profile 0", r"assignments\.csv, row 4, column 'profile', value '0': a profile should be a whole number 1\.\.3\. "
                  r"Correct the file, or re-run toolkit profiles\."),
    ("profile 2.5", r"row 4, column 'profile', value '2\.5': a profile should be a whole number 1\.\.3\."),
    ("profile x", r"row 4, column 'profile', value 'x': a profile should be a whole number 1\.\.3\."),
    ("profile 4", r"row 4, column 'profile', value '4': a profile should be a whole number 1\.\.3\."),
    ("certainty 1.3", r"assignments\.csv, row 5, column 'certainty', value '1\.3': a probability should be a number "
                      r"from 0 to 1\. Correct the file, or re-run toolkit profiles\."),
    ("no profile column", r"assignments\.csv, column 'profile': the assignments have no 'profile' column\. Give the "
                          r"--out folder of toolkit profiles"),
])
def test_a_bad_assignments_file_gets_one_verdict_from_plans_and_report(saved_profiles, sample_dir, tmp_path, case,
                                                                       expected):
    import csv
    import shutil

    work, key = saved_profiles
    bad = tmp_path.resolve() / "profiles"
    shutil.copytree(work / "teacher" / "profiles", bad)
    with open(bad / "assignments.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    with open(bad / "assignments.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(_spoil(rows, case))
    codebook = sample_dir / "codebook.yml"
    plans = CliRunner().invoke(cli, ["plans", "--responses", str(work / "teacher" / "clean"), "--profiles", str(bad),
                                     "--out", str(tmp_path / "plans"), "--codebook", str(codebook)])
    report = CliRunner().invoke(cli, ["report", str(sample_dir / "survey_export.csv"), "--codebook", str(codebook),
                                      "--out", str(tmp_path / "report"), "--key-file", str(key), "--profiles", str(bad),
                                      "--quiet", "--models", "1", "--k", "1-3"])
    verdicts = _the_one_error_of_each(plans, report)
    assert verdicts[0] == verdicts[1]
    assert re.search(expected, verdicts[0]), verdicts[0]
    assert str(bad / "assignments.csv") in verdicts[0]
    assert not (tmp_path / "plans").exists() and not (tmp_path / "report").exists()


def test_one_codebook_search_rule_for_every_command(tmp_path):
    """find_codebook is the rule of toolkit profiles, plans and scaling: each input's folder (a
    file stands for its folder), its parent, its grandparent, inputs in turn."""
    from toolkit.cli._readers import find_codebook

    work = tmp_path / "school" / "work"
    for sub in ("clean", "scores", "profiles"):
        (work / sub).mkdir(parents=True)
    scores = work / "scores" / "scores.csv"
    scores.write_text("pseudonym,a\n", encoding="utf-8")
    assert find_codebook(scores, work / "profiles") is None
    (tmp_path / "school" / "codebook.yml").write_text("x", encoding="utf-8")  # two folders above
    assert find_codebook(scores) == tmp_path / "school" / "codebook.yml"
    assert find_codebook(work / "clean", work / "profiles") == tmp_path / "school" / "codebook.yml"
    (work / "profiles" / "codebook.yml").write_text("x", encoding="utf-8")
    # the first input is searched all the way up before the second
    assert find_codebook(work / "clean", work / "profiles") == tmp_path / "school" / "codebook.yml"
    assert find_codebook(work / "profiles", work / "clean") == work / "profiles" / "codebook.yml"
    assert find_codebook(None, work / "profiles") == work / "profiles" / "codebook.yml"
    (work / "scores" / "codebook.yml").write_text("x", encoding="utf-8")
    assert find_codebook(scores) == work / "scores" / "codebook.yml"  # the nearest first


@pytest.mark.parametrize("spoil,expected", [
    (lambda rows: rows[3].__setitem__(rows[0].index("interest"), "high"), r"scores\.csv, row 4, column 'interest', value 'high'"),
    (lambda rows: rows[5].__setitem__(0, rows[4][0]), r"scores\.csv, row 6, column 'pseudonym', value '[^']+': the pseudonym appears twice"),
])
def test_a_bad_scores_file_gets_one_verdict_from_plans_and_scaling(saved_profiles, sample_dir, tmp_path, spoil, expected):
    """toolkit plans reads scores.csv with the reader toolkit scaling (and report) use."""
    import csv
    import shutil

    work, _ = saved_profiles
    bad = tmp_path / "scores"
    shutil.copytree(work / "teacher" / "scores", bad)
    with open(bad / "scores.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    spoil(rows)
    with open(bad / "scores.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    profiles, codebook = str(work / "teacher" / "profiles"), str(sample_dir / "codebook.yml")
    plans = CliRunner().invoke(cli, ["plans", "--responses", str(bad), "--profiles", profiles,
                                     "--out", str(tmp_path / "plans"), "--codebook", codebook])
    scaling = CliRunner().invoke(cli, ["scaling", "--responses", str(bad), "--profiles", profiles,
                                       "--out", str(tmp_path / "scaling"), "--codebook", codebook])
    verdicts = _the_one_error_of_each(plans, scaling)
    assert verdicts[0] == verdicts[1]
    assert re.search(expected, verdicts[0]), verdicts[0]
    assert not (tmp_path / "plans").exists() and not (tmp_path / "scaling").exists()
