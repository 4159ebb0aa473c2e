"""`toolkit demo`: every stage's command on the sample, then the report; identifiers never leak."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from toolkit.cli import cli
from toolkit.sample import generate_sample


@pytest.fixture(scope="module")
def demo(tmp_path_factory, sample_dir):
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(cli, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_demo_writes_every_stage_and_the_report(demo):
    teacher = demo / "teacher"
    expected = {
        "clean": {"responses.csv", "ledger.csv", "disclosure.md", "disclosure.json"},
        "scores": {"scores.csv", "reliability.csv", "items.csv"},
        "profiles": {"fit_table.csv", "assignments.csv", "profiles.csv", "model.json"},
        "plans": {"plans.csv", "templates.md"},
        "scaling": {"transitions.csv", "transfer.csv"},
    }
    for stage, files in expected.items():
        present = {p.name for p in (teacher / stage).iterdir()}
        assert files <= present, (stage, files - present)
    assert {"report.html", "report.ipynb", "provenance.json"} <= {p.name for p in demo.iterdir()}


def test_no_identifier_of_the_sample_reaches_any_demo_output(demo):
    canaries = generate_sample().canaries
    for path in demo.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace").casefold()
            leaked = [c for c in canaries if c.casefold() in text]
            assert not leaked, f"{path.relative_to(demo)} holds {len(leaked)} identifier(s) of the sample"


def test_a_stage_mistake_stops_the_demo_with_exit_2(tmp_path, sample_dir, monkeypatch):
    (tmp_path / "sample").mkdir()
    for name in ("survey_export.csv", "survey_export_wave2.csv"):
        (tmp_path / "sample" / name).write_bytes((sample_dir / name).read_bytes())
    (tmp_path / "sample" / "codebook.yml").write_text("title: broken\n", encoding="utf-8")
    from toolkit.cli.demo import run_demo
    from toolkit.errors import ToolkitError

    with pytest.raises(ToolkitError, match="codebook.yml: key 'response_scale'"):
        run_demo(tmp_path / "sample", tmp_path / "out", seed=1, progress=False)
    assert not (tmp_path / "out").exists()  # the first stage failed: nothing after it ran
    monkeypatch.setattr("toolkit.cli.SAMPLE_DIR", tmp_path / "sample")
    result = CliRunner().invoke(cli, ["demo", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.output.count("Error:") == 1 and "Traceback" not in result.output
