"""Each sheet prints on one A4 or Letter page, and a class pack on one page per student (headless Chromium).

Skipped where Debian's chromium and poppler's pdfinfo are not installed (CI installs both, see
tests/report/test_browser.py).
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from _plans_sample import sample_inputs, true_solution

from toolkit.plans.drafting import draft_plans
from toolkit.plans.render import render_class_pack, render_plan_sheet, render_reflection_sheet
from toolkit.scrub import scrub_text

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PDFINFO = shutil.which("pdfinfo")
pytestmark = pytest.mark.skipif(CHROMIUM is None or PDFINFO is None, reason="needs chromium and pdfinfo")


@pytest.fixture(scope="module")
def plans():
    """Sample plans at a re-survey, with the longest texts a sheet can carry (choices, last goal, moves)."""
    scores, profile, voice, cb = sample_inputs()
    voice = voice.apply(lambda col: scrub_text(col))
    first = draft_plans(scores, true_solution(scores, profile), cb, voice=voice, start="2026-09-28")
    prev = first.to_frame()
    prev["chosen"] = [o.split(";")[0] for o in prev["offered"]]
    prev["how_i_know"] = "I will feel calmer before the test and I will sleep well the night before it"
    score_cols = [c for c in prev.columns if c.startswith("score_")]
    prev[score_cols] = prev[score_cols] - 0.8
    return draft_plans(scores, true_solution(scores, profile), cb, voice=voice, start="2026-09-28", previous=prev)


def _pages(html: str, tmp_path, name: str) -> tuple[int, str]:
    page = tmp_path / f"{name}.html"
    page.write_text(html, encoding="utf-8")
    pdf = tmp_path / f"{name}.pdf"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", page.as_uri()], capture_output=True, timeout=180, check=True)
    info = subprocess.run([PDFINFO, str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1)), re.search(r"Page size:.*", info).group(0)


@pytest.mark.parametrize("paper,size", [("A4", "(A4)"), ("letter", "(letter)")])
@pytest.mark.parametrize("render", [render_reflection_sheet, render_plan_sheet], ids=["co-writing", "plan"])
def test_the_fullest_student_sheet_prints_on_one_page(plans, tmp_path, render, paper, size):
    pid = max(plans.plans, key=lambda p: len(render(plans, p.pseudonym, paper=paper))).pseudonym
    n, page_size = _pages(render(plans, pid, name="Avery Testwood-Sampleton", paper=paper), tmp_path, "sheet")
    assert n == 1 and size in page_size


def test_a_class_pack_prints_an_index_the_templates_and_one_page_per_student(plans, tmp_path):
    pids = [p.pseudonym for p in plans.plans][:6]
    profiles = {plans.plan(p).profile for p in pids}
    n, _ = _pages(render_class_pack(plans, pids, group="9A"), tmp_path, "pack")
    assert n == 1 + len(profiles) + len(pids)


@pytest.mark.parametrize("paper", ["A4", "letter"])
def test_every_template_sheet_prints_on_one_page(plans, tmp_path, paper):
    from toolkit.plans.render import render_template_sheet

    for t in plans.templates:
        assert _pages(render_template_sheet(plans, t.profile, paper=paper), tmp_path, f"t{t.profile}")[0] == 1, t.name
