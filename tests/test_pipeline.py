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


def test_no_identifier_shape_in_the_docs_notebooks_or_readmes():
    """What the project ships for people to read holds no e-mail address (in any spelling the
    scrubber catches), no 555 phone number and no identifier of the sample: docs describe the
    shapes they mean instead of writing a fake student's address."""
    import re

    from conftest import ROOT
    from toolkit.scrub import scrub_text

    shipped = [*ROOT.glob("*.md"), *ROOT.glob("docs/**/*.md"), *ROOT.glob("benchmarks/*.md"),
               *ROOT.glob("data/**/README.md"), *ROOT.glob("notebooks/*.ipynb"),
               *ROOT.glob("toolkit/notebooks/*.ipynb")]
    assert len(shipped) >= 10
    canaries = [c.casefold() for c in generate_sample().canaries]
    phone_555 = re.compile(r"\b555[-. ]?\d{4}\b")
    for path in shipped:
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        tagged = scrub_text(lines, heuristic=False)
        emails = [line for line, out in zip(lines, tagged) if out.count("[EMAIL]") > line.count("[EMAIL]")]
        assert not emails, f"{path.relative_to(ROOT)} holds an e-mail address: {emails[0][:120]!r}"
        assert not phone_555.search(text), f"{path.relative_to(ROOT)} holds a 555 phone number"
        folded = text.casefold()
        assert not [c for c in canaries if c in folded], f"{path.relative_to(ROOT)} holds an identifier of the sample"
