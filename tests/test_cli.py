"""The `toolkit` command: help, the sample command, and how a mistake is reported."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

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
