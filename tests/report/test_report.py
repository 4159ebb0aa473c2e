"""The leadership report: built once on the sample, then read as a leader (and an attacker) would."""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser

import nbformat
import pandas as pd
import pytest
from click.testing import CliRunner

import toolkit as tk
from toolkit.cli import cli
from toolkit.errors import ToolkitError
from toolkit.report.build import build_report
from toolkit.report.tables import exclusions, fit_overview, templates_for_leadership, who_responded
from toolkit.sample import generate_sample

MIN_CELL = 10
SECTIONS = [
    "Who responded",
    "The learning profiles",
    "What a plan looks like",
    "What it costs, and what would change the answer",
    "What was removed to protect students",
    "Limits of this report",
    "Glossary",
    "Appendix: technical details",
    "Provenance",
]
#: Words a principal should not meet before the glossary and the appendix (issue 15).
JARGON = ["BIC", "SABIC", "entropy", "ARI", "Rand", "Kneedle", "knee", "fidelity", "whisker", "replicated",
          "alpha", "omega", "tidyLPA", "latent", "log-likelihood", "SHA-256", "notebook", "percentile",
          "Monte Carlo", "hybrid", "pseudonym", "K=", "model 1", "model 2", "model 3", "model 6",
          ".csv", ".yml", ".md", ".ipynb", "WORKLOAD_EVIDENCE"]
NBCONVERT_DEFAULT_ALT = "No description has been provided for this image"


class _Text(HTMLParser):
    """The visible text of a page, with the text of the contents, glossary and appendix kept apart."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.main, self.rest = [], []
        self._skip = 0  # inside <style>, <script> or the contents
        self._after = False  # from the glossary on

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("style", "script") or (tag == "nav" and a.get("id") == "toc"):
            self._skip += 1
        if tag == "h2" and (a.get("id") or "").startswith("Glossary"):
            self._after = True
        if tag == "img":
            (self.rest if self._after else self.main).append(a.get("alt") or "")

    def handle_endtag(self, tag):
        if tag in ("style", "script", "nav") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            (self.rest if self._after else self.main).append(data)
#: Column headers that hold counts of students (or of rows, or of answers) in the report.
COUNT_HEADER = re.compile(r"students|answers changed", re.IGNORECASE)


class _Page(HTMLParser):
    """Images, scripts, headings, tables (as lists of rows of cell texts) of an HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.imgs, self.scripts, self.links, self.classes = [], [], [], []
        self.h2 = []
        self.tables = []
        self._table = self._row = self._cell = None
        self._h2 = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.classes += (a.get("class") or "").split()
        if tag == "img":
            self.imgs.append(a.get("src", ""))
        elif tag == "script":
            self.scripts.append(a.get("src"))
        elif tag == "link":
            self.links.append(a.get("href"))
        elif tag == "h2":
            self._h2 = [a.get("id"), ""]
        elif tag == "table":
            self._table = []
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "h2" and self._h2 is not None:
            self.h2.append((self._h2[0], self._h2[1].replace("¶", "").strip()))
            self._h2 = None
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table.append(self._row)
            self._row = None
        elif tag == "table" and self._table is not None:
            self.tables.append(self._table)
            self._table = None

    def handle_data(self, data):
        if self._h2 is not None:
            self._h2[1] += data
        if self._cell is not None:
            self._cell += data


@pytest.fixture(scope="module")
def built(tmp_path_factory, sample_dir):
    """The report on the sample, built once with a key in a folder the test controls."""
    work = tmp_path_factory.mktemp("report")
    key_file = work / "private" / "pseudonym.key"
    # Built with MPLBACKEND=Agg in the environment (as on a server): every figure must still be on the page.
    old_backend = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = "Agg"
    try:
        result = build_report(
            sample_dir / "survey_export.csv", sample_dir / "codebook.yml", work / "out", key_file=key_file,
            min_cell=MIN_CELL, models=(1,), k=range(1, 6), n_starts=10, seed=3,
            wave2=sample_dir / "survey_export_wave2.csv", progress=False,
        )
    finally:
        os.environ.pop("MPLBACKEND") if old_backend is None else os.environ.__setitem__("MPLBACKEND", old_backend)
    html = result.html.read_text(encoding="utf-8")
    page = _Page()
    page.feed(html)
    return result, html, page, key_file


@pytest.fixture(scope="module")
def pseudonyms(built, sample_dir):
    """The sample's pseudonyms under the report's key, computed here, not read from the report."""
    _, _, _, key_file = built
    codebook = tk.load_codebook(sample_dir / "codebook.yml")
    key = tk.load_or_create_key(key_file)
    ids = set()
    for name in ("survey_export.csv", "survey_export_wave2.csv"):
        clean = tk.deidentify(tk.read_export(sample_dir / name, codebook), codebook, key=key)
        ids |= set(clean.responses.index) | set(clean.ledger["pseudonym"].dropna().astype(str))
    return sorted(i for i in ids if i)


def test_report_folder_holds_the_page_its_pdf_the_executed_notebook_and_provenance_only(built):
    from toolkit.report.build import chromium_path

    result, _, _, key_file = built
    expected = ["provenance.json", "report.html", "report.ipynb"] + (["report.pdf"] if chromium_path() else [])
    assert sorted(p.name for p in result.out_dir.iterdir()) == sorted(expected)
    assert (result.pdf is not None) == bool(chromium_path())
    if result.pdf is not None:
        assert result.pdf.read_bytes()[:5] == b"%PDF-"
    assert not (result.out_dir / key_file.name).exists()


def test_the_answer_comes_first_then_the_contents_then_the_sections(built):
    _, html, page, _ = built
    box = re.search(r'<section[^>]*\bid="answer".*?</section>', html, re.S)
    assert box.start() < html.index('<nav id="toc"') < html.index('id="Who-responded"')
    box = box.group(0)
    assert re.search(r'class="verdict"><strong>(Yes|Probably|Not)\b', box)  # a verdict, in words
    assert "minutes a week outside lessons" in box and "each advisor has about 19 students" in box
    titles = [t for _, t in page.h2]
    assert titles.index("Glossary") < titles.index("Appendix: technical details") < titles.index("Provenance")


def test_no_jargon_outside_the_glossary_and_the_appendix(built):
    _, html, _, _ = built
    text = _Text()
    text.feed(html)
    main, rest = " ".join(text.main), " ".join(text.rest)
    assert "Who responded" in main and "minutes a week" in main and len(main) > 5000
    found = [w for w in JARGON if re.search(rf"(?<![A-Za-z]){re.escape(w)}(?![A-Za-z])", main)]
    assert found == [], found
    assert re.findall(r"\b[a-z]+_[a-z_]+\b", main) == []  # no variable names in prose
    # The technical words that remain are explained in the glossary.
    glossary = rest[: rest.index("Appendix: technical details")]
    for word in ("alpha", "omega", "BIC", "SABIC", "entropy", "replicated", "Rand", "knee"):
        assert word in glossary, word


def test_every_image_has_alt_text_that_says_what_it_shows(built):
    _, html, _, _ = built
    alts = re.findall(r"<img[^>]*?alt=\"([^\"]*)\"", html)
    imgs = re.findall(r"<img\b", html)
    assert len(alts) == len(imgs) == 3  # profiles, one owner's time, what would change the answer
    assert NBCONVERT_DEFAULT_ALT not in html
    for alt in alts:
        assert len(alt.split()) >= 8 and alt.endswith("."), alt
        assert alt.count(". ") == 0, alt  # one sentence
    assert any("surveyed students" in a for a in alts)


def test_kept_notebook_names_input_files_but_no_local_folder_or_key_location(built, sample_dir):
    result, _, _, key_file = built
    text = result.notebook.read_text(encoding="utf-8")
    assert str(key_file) not in text and str(key_file.parent) not in text
    assert str(sample_dir) not in text
    assert "survey_export.csv" in text and "codebook.yml" in text  # still says which files


def test_page_has_no_code_cells_or_prompts(built):
    _, html, page, _ = built
    assert "jp-CodeMirrorEditor" not in page.classes and "highlight" not in page.classes
    assert "jp-InputPrompt" not in page.classes and "jp-OutputPrompt" not in page.classes
    assert "import toolkit" not in html and "tk.fit_profiles" not in html


def test_every_image_is_embedded_and_no_script_is_loaded_from_outside(built):
    _, html, page, _ = built
    assert len(page.imgs) == 3  # profile plot, one owner's time, what would change the answer
    assert all(src.startswith("data:image/png;base64,") for src in page.imgs)
    assert [s for s in page.scripts if s] == []
    assert [h for h in page.links if h and h.startswith("http")] == []


def test_page_has_every_section_and_a_table_of_contents_linking_to_them(built):
    _, html, page, _ = built
    titles = [t for _, t in page.h2]
    for section in SECTIONS:
        assert section in titles, section
    ids = {i for i, _ in page.h2 if i}
    toc = re.search(r'<nav id="toc".*?</nav>', html, re.S).group(0)
    targets = re.findall(r'href="#([^"]+)"', toc)
    assert len(targets) >= len(SECTIONS) and set(targets) <= ids


def test_no_count_under_min_cell_in_any_table(built):
    _, _, page, _ = built
    checked = 0
    for table in page.tables:
        header = next((r for r in table if any(COUNT_HEADER.search(c) for c in r)), None)
        if header is None:
            continue
        cols = [j for j, c in enumerate(header) if COUNT_HEADER.search(c)]
        width = len(header)
        for row in table[table.index(header) + 1:]:
            offset = len(row) - width  # index cells may stand before the header's columns
            for j in cols:
                jj = j + max(offset, 0)
                if jj >= len(row):
                    continue
                cell = row[jj].replace(",", "")
                if cell.isdigit():
                    checked += 1
                    assert int(cell) == 0 or int(cell) >= MIN_CELL, (header, row)
    assert checked > 20  # the sample's tables were really read


def test_small_groups_are_shown_as_hidden(built):
    _, html, _, _ = built
    assert ">hidden<" in html  # the sample has small gender groups and a few duplicates


def test_leadership_templates_show_one_whole_plan_and_name_the_others_strategies(sample_dir, sample_codebook):
    clean = tk.deidentify(tk.read_export(sample_dir / "survey_export.csv", sample_codebook), sample_codebook,
                          key=b"k" * 32)
    scores = tk.score_scales(clean.responses, sample_codebook)
    solution = tk.fit_profiles(scores, n_profiles=[4], models=[1], random_state=0).solution(1, 4)
    plans = tk.draft_plans(scores, solution, sample_codebook)
    short = templates_for_leadership(plans)
    full = templates_for_leadership(plans, tables="all")
    assert short.count("| strategy |") == 1 and full.count("| strategy |") == 4
    assert short.count("- Strategies: ") == 3
    none = templates_for_leadership(plans, tables="none")  # the report's: every template in a few lines
    assert none.count("| strategy |") == 0 and none.count("- Strategies: ") == 4
    second = plans.templates[1]
    section = full.split(f"Profile {second.profile}: ")[1].split("\n### ")[0]
    rows = [r for r in section.split("\n") if r.startswith("| ") and not r.startswith("| strategy")]
    first_strategy = rows[0].split("|")[1].strip()
    assert first_strategy in short.split(f"Profile {second.profile}: ")[1]


def test_no_identifier_pseudonym_or_canary_anywhere_in_the_report(built, pseudonyms):
    result, html, _, _ = built
    notebook = result.notebook.read_text(encoding="utf-8")
    canaries = generate_sample().canaries
    assert len(canaries) > 100 and len(pseudonyms) > 200
    for text in (html, notebook):
        low = text.lower()
        leaked = [c for c in canaries if c.lower() in low]
        assert leaked == []
        assert [p for p in pseudonyms if p in text] == []
        assert re.search(r"\bP-[0-9a-f]{12}\b", text) is None
        assert re.search(r"FAKE-\d{5}", text) is None


def test_provenance_in_the_page_the_json_and_the_notebook_metadata(built, sample_dir):
    result, html, _, _ = built
    prov = json.loads(result.provenance.read_text())
    assert prov["toolkit_version"] == tk.__version__ and prov["seed"] == 3
    sha = prov["inputs"]["export"]["sha256"]
    assert sha == tk.read_export(sample_dir / "survey_export.csv").sha256
    assert set(prov["inputs"]) == {"export", "codebook", "wave2"}
    assert sha in html and prov["inputs"]["codebook"]["sha256"] in html and prov["date"] in html
    assert prov["parameters"]["min_cell"] == MIN_CELL and prov["parameters"]["n_profiles"] == [1, 2, 3, 4, 5]
    nb = nbformat.read(result.notebook, as_version=4)
    assert nb.metadata["papermill"]["parameters"]["seed"] == 3
    assert nb.metadata["toolkit"]["provenance"]["inputs"]["export"]["sha256"] == sha
    assert str(sample_dir) not in html  # file names and hashes only, never the folders


def test_a_mistake_found_inside_the_notebook_exits_2_and_writes_nothing(tmp_path, sample_dir):
    bad = tmp_path / "codebook.yml"
    text = (sample_dir / "codebook.yml").read_text()
    bad.write_text(text.replace('int1: "I find what we learn in this class interesting."', 'int1: "A question not in the export"'))
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["report", str(sample_dir / "survey_export.csv"), "--codebook", str(bad),
                                   "--out", str(out), "--quiet"])
    assert res.exit_code == 2, res.output
    assert "A question not in the export" in res.output and "Traceback" not in res.output
    assert not out.exists()


def test_cli_options_are_checked_before_anything_runs(tmp_path, sample_dir):
    args = ["report", str(sample_dir / "survey_export.csv"), "--codebook", str(sample_dir / "codebook.yml")]
    res = CliRunner().invoke(cli, args + ["--out", str(tmp_path / "o"), "--k", "2.5"])
    assert res.exit_code == 2 and "'2.5' is not a whole number" in res.output  # the verdict of toolkit profiles too
    res = CliRunner().invoke(cli, args + ["--out", str(sample_dir)])
    assert res.exit_code == 2 and "raw export must never be changed" in res.output
    res = CliRunner().invoke(cli, ["report", str(tmp_path / "missing.csv"), "--codebook", str(sample_dir / "codebook.yml"),
                                   "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "missing.csv: the export does not exist" in res.output


def test_a_key_file_inside_the_report_folder_is_refused_before_anything_runs(tmp_path, sample_dir):
    out = tmp_path / "report"
    res = CliRunner().invoke(cli, ["report", str(sample_dir / "survey_export.csv"), "--codebook",
                                   str(sample_dir / "codebook.yml"), "--out", str(out), "--key-file",
                                   str(out / "keys" / "pseudonym.key"), "--quiet"])
    assert res.exit_code == 2, res.output
    assert "the key file is inside the output folder" in res.output and "Traceback" not in res.output
    assert not out.exists()


def test_missing_inputs_raise_a_user_error():
    with pytest.raises(ToolkitError, match=r"nope\.csv: the export does not exist"):
        build_report("nope.csv", "codebook.yml", "out")


# --- the report's tables, without running the notebook --------------------------------------
def test_who_responded_hides_a_small_grade_and_its_complement():
    r = pd.DataFrame({"Grade": ["9"] * 40 + ["10"] * 25 + ["11"] * 4})
    t = who_responded(r, "Grade")
    assert t.index.tolist() == ["9", "10", "11", "All students"]
    assert t["students"].tolist() == ["40", "hidden", "hidden", "69"]
    assert t.loc["All students", "share"] == "100%"


def test_who_responded_names_an_unknown_column():
    with pytest.raises(ToolkitError, match=r"column 'Year': the responses have no such group column"):
        who_responded(pd.DataFrame({"Grade": ["9"]}), "Year")


def test_exclusions_are_counted_by_reason_without_row_numbers(sample_dir, sample_codebook):
    clean = tk.deidentify(tk.read_export(sample_dir / "survey_export.csv", sample_codebook), sample_codebook,
                          key=b"k" * 32)
    t = exclusions(clean)
    assert t.index[0] == "kept for analysis" and t.index[-1] == "rows read"
    assert not any(re.search(r"row \d", i) for i in t.index)
    assert t.loc["rows read", "students"] == str(len(clean.ledger))
    small = [v for v in t["students"] if v.isdigit() and 0 < int(v) < MIN_CELL]
    assert small == []


def test_templates_for_leadership_hide_a_small_profile_size(sample_dir, sample_codebook):
    """The guard of the profile engine keeps the sample's profiles above MIN_CELL, so the smallest
    profile is made small by the threshold: min_cell one above its size."""
    clean = tk.deidentify(tk.read_export(sample_dir / "survey_export.csv", sample_codebook), sample_codebook,
                          key=b"k" * 32)
    scores = tk.score_scales(clean.responses, sample_codebook)
    solution = tk.fit_profiles(scores, n_profiles=[4], models=[1], random_state=0).solution(1, 4)
    min_cell = int(solution.sizes.min()) + 1
    plans = tk.draft_plans(scores, solution, sample_codebook)
    text = templates_for_leadership(plans, min_cell=min_cell)
    small = [t for t in plans.templates if t.n_students < min_cell]
    assert len(small) == 1 and len(plans.templates) == 4
    hidden = [t for t in plans.templates if f"Students: {t.n_students}\n" not in text]
    # the small profile and one more (its complement: the total minus the shown sizes would
    # give it away), no more
    assert small[0] in hidden and len(hidden) == 2 == text.count("Students: hidden")
    for t in hidden:
        assert not re.search(rf"(^|\n){t.n_students} students?\.", text)
    assert "\n### Profile 1: " in text
    assert not re.search(r"(^|\n)#{1,2} ", text)  # under the report's own section heading


def test_profile_overview_hides_the_averages_of_a_profile_under_the_minimum_cell(sample_dir, sample_codebook):
    from toolkit.report.tables import plot_profiles, profile_overview

    clean = tk.deidentify(tk.read_export(sample_dir / "survey_export.csv", sample_codebook), sample_codebook,
                          key=bytes(32))
    scores = tk.score_scales(clean.responses, sample_codebook)
    solution = tk.fit_profiles(scores, n_profiles=[4], models=[1], random_state=0).solution(1, 4)
    smallest = int(solution.sizes.idxmin())
    table = profile_overview(solution, sample_codebook, min_cell=int(solution.sizes.min()) + 1)
    labels = [c.label for c in sample_codebook.constructs]
    assert (table.loc[smallest, ["students", *labels]] == "hidden").all()
    others = table.drop(index=smallest)
    assert others[labels].map(lambda v: isinstance(v, float)).all().all()
    ax = plot_profiles(solution, sample_codebook, min_cell=int(solution.sizes.min()) + 1)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(ax.containers) == 3 and len(legend) == 3
    assert not any(t.startswith(f"{smallest}:") for t in legend)


def test_a_single_profile_is_shown_as_every_student(sample_dir, sample_codebook):
    """K = 1 (the answers show no distinct profiles): its share is 100%, not the top-coded ">98%",
    which would hint at a small remainder that does not exist."""
    from toolkit.report.tables import profile_overview

    clean = tk.deidentify(tk.read_export(sample_dir / "survey_export.csv", sample_codebook), sample_codebook,
                          key=bytes(32))
    scores = tk.score_scales(clean.responses, sample_codebook)
    results = tk.fit_profiles(scores, n_profiles=[1, 2], models=[1], random_state=0)
    one = profile_overview(results.solution(1, 1), sample_codebook)
    assert one["share"].tolist() == ["100%"] and one["students"].tolist() == [str(len(scores))]
    two = profile_overview(results.solution(1, 2), sample_codebook)
    assert "100%" not in two["share"].tolist()


def test_fit_overview_words_a_tiny_smallest_profile_instead_of_its_share():
    fit = pd.DataFrame({"model": [1, 1], "n_profiles": [2, 6], "bic": [10.0, 12.0], "n_min": [0.4, 0.0125],
                        "entropy": [0.9, 0.8], "replicated": [True, False]})
    out = fit_overview(fit, n=240, min_cell=MIN_CELL)
    assert out["smallest profile (share)"].tolist() == ["40%", "under 10 students"]


def test_the_report_notebook_has_one_source_also_reachable_as_package_data():
    from toolkit.report.build import NOTEBOOK_CANDIDATES
    from toolkit.report.build import report_notebook

    project, packaged = NOTEBOOK_CANDIDATES
    assert report_notebook() == project
    assert packaged.resolve() == project.resolve()  # a symlink: wheels carry the file, git keeps one copy


def test_provenance_date_follows_source_date_epoch_for_byte_identical_json(monkeypatch, sample_dir):
    from toolkit.report.build import provenance

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    a = provenance({"export": sample_dir / "survey_export.csv", "wave2": None}, {"seed": 1}, seed=1)
    assert a["date"] == "2026-01-01T00:00:00+00:00" and set(a["inputs"]) == {"export"}
    assert a == provenance({"export": sample_dir / "survey_export.csv"}, {"seed": 1}, seed=1)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(ToolkitError, match="SOURCE_DATE_EPOCH must be whole seconds"):
        provenance({}, {}, seed=1)


def _study(p50s, planning=266.0):
    """A scaling study's owner model with the given medians (hours a week: individual, templated, cowritten)."""
    from types import SimpleNamespace

    from toolkit.scaling import answer

    rows = []
    for way, h in zip(("individual", "templated", "cowritten"), p50s):
        rows.append({"way": way, "owner_kind": "advisor", "students_per_owner": 18.6, "template_scope": "school",
                     "hours_per_week_p05": 0.6 * h, "hours_per_week_p50": h, "hours_per_week_p95": 1.6 * h,
                     "share_of_planning_p05": 36 * h / planning, "share_of_planning_p50": 60 * h / planning,
                     "share_of_planning_p95": 96 * h / planning, "class_hours_per_week_p50": 1.2,
                     "student_minutes_per_cycle_p50": 18.0 if way == "cowritten" else 0.0,
                     "p_cheaper_than_individual": float("nan") if way == "individual" else 0.9,
                     "saving_hours_p05": 0.1, "saving_hours_p50": 0.5, "saving_hours_p95": 0.9,
                     "hours_per_week_mode": 0.8 * h, "class_hours_per_week_mode": 1.0, "share_of_planning_mode": 0.1,
                     "fidelity": 0.7})
    settings = {"owner_kind": "advisor", "students_per_owner": 18.6, "template_scope": "school",
                "planning_minutes_per_week": planning, "n_draws": 2000, "unsourced": ["template_minutes"],
                "owner_sensitivity": pd.DataFrame({"assumption": ["template_minutes"], "kind": ["assumption"],
                                                   "low": [45.0], "high": [180.0], "at_low": [10.0], "base": [14.0],
                                                   "at_high": [26.0], "swing": [16.0]})}
    study = SimpleNamespace(owner=pd.DataFrame(rows), owner_settings=settings, budget=None, workload=None)
    study.answer = answer(study)
    return study


@pytest.mark.parametrize("p50s, start", [
    ((1.2, 0.6, 0.3), "Yes. A plan for every student takes one advisor about 18 minutes a week"),
    ((6.0, 4.0, 4.1), "Probably. "),
    ((9.0, 6.0, 5.5), "Not at these assumptions. "),
])
def test_answer_box_states_the_scaling_studys_verdict_with_its_own_numbers(p50s, start):
    from toolkit.report.answer import answer_box

    study = _study(p50s)
    box = answer_box(study)
    verdict = re.search(r'class="verdict"><strong>(.*?)</strong>', box).group(1)
    assert verdict.startswith(start), verdict
    assert study.answer.startswith(start.split(".")[0])  # the same verdict word as the scaling study's answer
    best = min(p50s[1:])
    minutes = f"about {60 * best:.0f} minutes a week outside lessons (likely {36 * best:.0f} to {96 * best:.0f})"
    assert minutes in verdict, verdict
    assert f"about {60 * best:.0f} minutes a week outside lessons" in study.answer  # one number, both places
    assert f"about {60 * p50s[0]:.0f} minutes a week" in box  # individual plans, for comparison
    assert "In 90% of 2,000 simulations" in box and "saves about 30 minutes a week, likely 6 to 54" in box
    assert "from 45 to 180" in box and "1 of the times behind these figures is an assumption" in box
    assert box.endswith("<!-- toolkit:after-answer -->")


def test_a_figure_cell_that_drew_nothing_fails_the_build():
    import nbformat

    from toolkit.report.build import _check_figures

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("display(report.figure(fig, alt='x'))")])
    with pytest.raises(ToolkitError, match="figure in cell 0 came out empty"):
        _check_figures(nb)
    nb.cells[0].outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBOR"})]
    _check_figures(nb)


def test_report_parameters_equal_the_report_notebooks_parameters(tmp_path, sample_dir, monkeypatch):
    """build_report passes exactly the notebook's parameters (papermill.inspect_notebook), and no key path."""
    import papermill as pm

    from toolkit.report import build

    declared = set(pm.inspect_notebook(str(build.report_notebook())))
    seen = {}

    def fake_execute(source, executed, parameters, **kwargs):
        seen.update(parameters)
        raise ToolkitError("stop here")

    monkeypatch.setattr(pm, "execute_notebook", fake_execute)
    with pytest.raises(ToolkitError, match="stop here"):
        build_report(sample_dir / "survey_export.csv", sample_dir / "codebook.yml", tmp_path / "out",
                     key_file=tmp_path / "k" / "pseudonym.key", progress=False, pdf=False)
    assert set(seen) == declared
    assert "key_file" not in declared and not any("pseudonym.key" in str(v) for v in seen.values())


def test_codebook_labels_with_html_are_shown_as_text_never_run(sample_dir):
    """A codebook is swapped between teachers and the report e-mailed: a label with HTML stays text."""
    from types import SimpleNamespace

    from toolkit import report

    evil = "<img src=x onerror=alert(1)>"
    construct = SimpleNamespace(label=evil, key="x")
    r = SimpleNamespace(codebook=SimpleNamespace(constructs=[construct, SimpleNamespace(label="Interest", key="y")]),
                        scale_range=(1, 5), solution=SimpleNamespace(n_profiles=2), source_of_profiles="")
    intro = report.profiles_intro(r)
    assert evil not in intro and "&lt;img src=x onerror=alert(1)&gt;" in intro
    assert report.bullets([f"Profile 1 is high on {evil}"]) == "- Profile 1 is high on &lt;img src=x onerror=alert(1)&gt;"

    class Plans:
        templates = [SimpleNamespace(profile=1, n_students=40)]

        @staticmethod
        def templates_markdown():
            return f"# Plan templates\n\n## Profile 1: High {evil}\n\n- Students: 40\n"

    md = report.templates_for_leadership(Plans())
    assert "<img" not in md and "&lt;img" in md


def test_a_report_on_fewer_students_than_the_minimum_cell_is_one_message_and_exit_2(tmp_path, sample_dir):
    lines = (sample_dir / "survey_export.csv").read_text(encoding="utf-8").splitlines()[:9]
    tiny = tmp_path / "tiny.csv"
    tiny.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "report"
    res = CliRunner().invoke(cli, ["report", str(tiny), "--codebook", str(sample_dir / "codebook.yml"), "--out", str(out),
                                   "--key-file", str(tmp_path / "k" / "pseudonym.key"), "--models", "1", "--k", "1-2",
                                   "--quiet"])
    assert res.exit_code == 2, res.output
    assert "only 8 students have scores, fewer than the minimum group size of 10" in res.output
    assert "Traceback" not in res.output and not out.exists()
