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
