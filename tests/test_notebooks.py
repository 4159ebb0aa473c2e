"""The committed notebooks: thin, parameterised, and with no student-level data in their outputs.

Running them is nbval's job (`pytest --nbval-lax --nbval-sanitize-with notebooks/sanitize.cfg
notebooks`); these checks read the files only.
"""

from __future__ import annotations

import ast
import re

import nbformat
import pytest

from toolkit.sample import generate_sample

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXPECTED = {"00-workshop-tour.ipynb", "01-prepare-data.ipynb", "02-scales.ipynb", "03-profiles.ipynb",
            "04-plans.ipynb", "05-scaling.ipynb", "report.ipynb"}
PARAMETER_LINE = re.compile(r"^[a-z_][a-z0-9_]*: (str|int|float|bool|list) = .+  # .+$")


def _code_cells(path):
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def test_every_notebook_of_the_workshop_path_is_there():
    assert {p.name for p in NOTEBOOKS} == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_defines_no_function_or_class_and_keeps_cells_short(path):
    for cell in _code_cells(path):
        tree = ast.parse(cell.source)
        defs = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda))]
        assert defs == [], cell.source
        limit = 12 if "parameters" in cell.metadata.get("tags", []) else 6
        assert len(cell.source.splitlines()) <= limit, cell.source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_one_parameters_cell_of_typed_literals_with_a_comment_each(path):
    cells = [c for c in _code_cells(path) if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1
    for line in cells[0].source.splitlines():
        assert PARAMETER_LINE.match(line), line
        ast.literal_eval(line.split("=", 1)[1].split("  #", 1)[0].strip())  # a plain literal


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_outputs_are_from_a_clean_run_with_no_student_level_data(path):
    text = path.read_text(encoding="utf-8")
    cells = _code_cells(path)
    assert all(c.execution_count is not None for c in cells), "execute the notebook before committing it"
    assert not [o for c in cells for o in c.outputs if o.output_type == "error"]
    assert re.search(r"\bP-[0-9a-f]{12}\b", text) is None  # pseudonyms
    low = text.lower()
    assert [c for c in generate_sample().canaries if c.lower() in low] == []
