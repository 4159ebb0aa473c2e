"""The house: `ls toolkit` reads as the pipeline, and no module grows past one topic's size.

The layers contract in pyproject.toml (import-linter, run by `make test`) is the one list of what
may sit at the package root; these tests read it rather than repeating it.
"""

from __future__ import annotations

import tomllib

import pytest

from conftest import ROOT

PACKAGE = ROOT / "toolkit"
#: One folder per pipeline stage, named as the README names the stages, plus the command line.
STAGES = ("privacy", "scoring", "profiles", "plans", "scaling", "report", "cli")
#: The shared foundations DESIGN.md keeps at the root.
FOUNDATIONS = ("codebook", "errors", "config", "suppression", "scrub", "_validation", "_atomic", "_csv", "_yaml")
#: Folders of package data, not Python packages.
DATA_FOLDERS = ("data", "notebooks")
#: About 600 lines: a module longer than this usually holds more than one topic.
MAX_LINES = 650
#: Modules allowed past MAX_LINES because they cannot be split without harm, with the reason.
LONG_BY_NECESSITY: dict[str, str] = {}
#: Modules past MAX_LINES whose split is still to come (strict xfail: when a module is split, its
#: test passes, the xfail fails, and the entry is removed here).
TO_SPLIT: dict[str, str] = {
}


def _root_entries():
    return sorted(p for p in PACKAGE.iterdir() if p.name != "__pycache__" and not p.name.endswith((".pyc", ".egg-info")))


def _contract_modules() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["type"] == "layers"]
    names = set(contract.get("exhaustive_ignores", []))
    for layer in contract["layers"]:
        names |= {m.strip() for m in layer.replace("|", ":").split(":")}
    return names


def test_every_stage_is_a_folder_with_an_init():
    for stage in STAGES:
        assert (PACKAGE / stage / "__init__.py").is_file(), f"toolkit/{stage}/ is missing or has no __init__.py"


def test_the_foundations_sit_at_the_root():
    for name in FOUNDATIONS:
        assert (PACKAGE / f"{name}.py").is_file(), f"toolkit/{name}.py is missing"


def test_ls_toolkit_shows_only_stages_foundations_and_placed_modules():
    placed = _contract_modules()
    for entry in _root_entries():
        if entry.is_dir():
            assert entry.name in STAGES or entry.name in DATA_FOLDERS, (
                f"toolkit/{entry.name}/ is neither a pipeline stage nor package data")
            if entry.name in DATA_FOLDERS:
                assert not (entry / "__init__.py").exists(), f"toolkit/{entry.name}/ should hold data, not code"
        elif entry.suffix == ".py" and entry.stem != "__init__":
            assert entry.stem in placed, (
                f"toolkit/{entry.name} is not placed in the layers contract of pyproject.toml: "
                "put it in its stage's folder, or name it in the contract's foundations")


def test_stage_folders_are_flat():
    for stage in STAGES:
        nested = [p.name for p in (PACKAGE / stage).iterdir() if p.is_dir() and p.name != "__pycache__"]
        assert not nested, f"toolkit/{stage}/ has sub-folders {nested}: one level per stage"


def test_the_readme_layout_table_names_every_entry_of_ls_toolkit():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Layout", 1)[1]
    for entry in _root_entries():
        if entry.name in ("__init__.py", "__main__.py"):
            continue
        shown = f"`{entry.name}/`" if entry.is_dir() else f"`{entry.name}`"
        assert shown in layout, f"the README's layout table does not mention {shown}"


def _modules():
    return sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _lines(relative: str) -> int:
    return len((PACKAGE / relative).read_text(encoding="utf-8").splitlines())


@pytest.mark.parametrize(
    "module",
    [pytest.param(m, marks=pytest.mark.xfail(strict=True, reason=f"to split: {TO_SPLIT[m]}")) if m in TO_SPLIT else m
     for m in _modules()],
)
def test_no_module_is_longer_than_one_topic(module):
    if module in LONG_BY_NECESSITY:
        pytest.skip(LONG_BY_NECESSITY[module])
    assert _lines(module) <= MAX_LINES, f"toolkit/{module} has {_lines(module)} lines (> {MAX_LINES}): split it by topic"


def test_the_lists_of_long_modules_name_existing_files():
    for module in [*LONG_BY_NECESSITY, *TO_SPLIT]:
        assert (PACKAGE / module).is_file(), f"{module} is listed in tests/test_layout.py but does not exist: remove it"


#: Tests of the whole project rather than of one stage: they stay at the top of tests/.
WHOLE_PROJECT_TESTS = ("test_layout.py", "test_environment.py", "test_notebooks.py", "test_pipeline.py",
                       "test_own_survey.py", "test_hostile_inputs.py")
TESTS = ROOT / "tests"


def test_tests_mirror_the_stages():
    """Each stage's tests in tests/<stage>/, the root modules' in tests/foundations/."""
    for path in TESTS.rglob("test_*.py"):
        folder = path.parent.relative_to(TESTS)
        if folder == type(folder)("."):
            assert path.name in WHOLE_PROJECT_TESTS, (
                f"tests/{path.name} tests one stage: move it into tests/<stage>/ (or foundations/)")
        else:
            assert folder.parts[0] in (*STAGES, "foundations"), f"tests/{folder}/ is not a stage's folder"


def test_no_test_module_imports_another():
    """Shared fake data lives in tests/_*.py; a test importing a test module runs it twice."""
    for path in TESTS.rglob("test_*.py"):
        text = path.read_text(encoding="utf-8")
        assert not [line for line in text.splitlines() if line.startswith(("from test_", "import test_"))], (
            f"{path.relative_to(ROOT)} imports a test module: move what it shares into a tests/_*.py helper")
