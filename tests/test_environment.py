"""pyproject.toml and environment.yml name the same runtime dependencies, so they cannot drift."""

from __future__ import annotations

import re
import tomllib

import yaml

from conftest import ROOT


def _name_and_spec(requirement: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement)
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def test_environment_yml_matches_pyproject_runtime_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = [d for d in env["dependencies"] if isinstance(d, str) and not d.startswith(("python", "pip"))]
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert dict(map(_name_and_spec, conda)) == dict(map(_name_and_spec, project["dependencies"]))
    assert any(line.startswith("-e .") for line in pip_section)
    assert "conda-forge" in env["channels"]
    assert "python=3.11" in env["dependencies"]


def test_dev_extras_declare_the_architecture_checks():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    dev = {_name_and_spec(r)[0] for r in project["optional-dependencies"]["dev"]}
    assert {"import-linter", "deptry", "pytest"} <= dev


def test_make_test_runs_the_import_contract_deptry_and_the_doctests():
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = text.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "lint-imports" in recipe
    assert "deptry" in recipe
    assert "--doctest-modules" in recipe and "toolkit" in recipe


def test_the_layers_contract_names_the_pipeline_in_order():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["type"] == "layers"]
    assert contract["containers"] == ["toolkit"] and contract["exhaustive"] is True
    tops = [layer.split("|")[0].split(":")[0].strip() for layer in contract["layers"]]
    stages = ["cli", "report", "scaling", "plans", "profiles", "scoring", "privacy", "io"]
    assert [t for t in tops if t in stages] == stages
    foundations = {m.strip() for m in contract["layers"][-1].split(":")}
    assert {"codebook", "errors", "config", "suppression", "scrub", "_validation", "_atomic", "_csv", "_yaml"} <= foundations


def test_import_circles_are_refused_inside_every_stage():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["type"] == "acyclic_siblings"]
    assert contract["ancestors"] == ["toolkit"]
    assert not contract.get("ignore_imports"), "a circle is excused: name it, say why, and remove it soon"
