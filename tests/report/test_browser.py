"""The report as a leader sees it: rendered and printed by headless Chromium (Debian's chromium package).

Layout is measured by a small script added to a copy of the page (the report itself holds no
script): Chromium runs it, writes what it measured into the DOM, and ``--dump-dom`` gives it back.
For the printed layout, the script applies the page's ``@media print`` rules to the screen at the
width of a printed page (Letter, less the stylesheet's margins), so that a table wider than the
paper shows as wider than the window.
"""

from __future__ import annotations

import html as _html
import json
import os
import re
import shutil
import subprocess

import matplotlib.image as mpimg
import pytest

from toolkit.report.build import build_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PDFTOTEXT = shutil.which("pdftotext")
SECTIONS = ["Who responded", "The learning profiles", "What a plan looks like",
            "What it costs, and what would change the answer", "What was removed to protect students",
            "Glossary", "Appendix: technical details", "Provenance"]
#: Letter paper is 8.5 in = 816 CSS px; the print stylesheet's side margins are 14 mm each (~53 px).
PRINT_WIDTH = 816 - 2 * 53
MAX_PAGES_BEFORE_APPENDIX = 8

if CHROMIUM is None:
    if os.environ.get("CI"):
        pytest.fail("CI is set but chromium is not installed (.ci/run installs Debian's chromium package)",
                    pytrace=False)
    pytestmark = pytest.mark.skip(reason="chromium is not installed (apt-get install chromium); CI installs it")

_PROBE = r"""
<script>
(function () {
  var print = %(print)s;
  if (print) {
    var css = "";
    for (var s of Array.from(document.styleSheets)) {
      var rules; try { rules = s.cssRules; } catch (e) { continue; }
      for (var r of Array.from(rules)) {
        if (r.media && /print/.test(r.media.mediaText)) {
          for (var inner of Array.from(r.cssRules)) css += inner.cssText + "\n";
        }
      }
    }
    var st = document.createElement("style"); st.textContent = css; document.head.appendChild(st);
  }
  var width = document.documentElement.clientWidth;
  var out = {width: width, scrollWidth: document.documentElement.scrollWidth, overflow: [], answer: null};
  for (var el of Array.from(document.querySelectorAll("table, img, pre, section, .jp-OutputArea-output"))) {
    var b = el.getBoundingClientRect();
    if (b.width > 0 && (b.right > width + 1 || b.left < -1 || el.scrollWidth > el.clientWidth + 1)) {
      out.overflow.push(el.tagName + " " + (el.className || "") + " " + Math.round(b.right) + " / " + width +
                        " " + (el.textContent || "").slice(0, 60));
    }
  }
  var a = document.getElementById("answer");
  if (a) {
    var b = a.getBoundingClientRect();
    var v = a.querySelector(".verdict").getBoundingClientRect();
    out.answer = {top: b.top, bottom: b.bottom, verdictBottom: v.bottom, viewport: window.innerHeight};
  }
  var pre = document.createElement("pre"); pre.id = "toolkit-probe";
  pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
})();
</script>
"""


def _chromium(args, profile, timeout=180):
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage", f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True)


def _measure(page, tmp_path, *, width, height, print_rules):
    probe = tmp_path / f"probe-{width}-{int(print_rules)}.html"
    text = page.read_text(encoding="utf-8")
    probe.write_text(text.replace("</body>", _PROBE % {"print": "true" if print_rules else "false"} + "</body>", 1),
                     encoding="utf-8")
    dom = _chromium(["--dump-dom", f"--window-size={width},{height}", "--hide-scrollbars",
                     "--virtual-time-budget=5000", probe.as_uri()], tmp_path / f"profile-{width}").stdout
    found = re.search(r'<pre id="toolkit-probe">(.*?)</pre>', dom, re.S)
    assert found, "the measuring script did not run"
    return json.loads(_html.unescape(found.group(1)))


@pytest.fixture(scope="module", params=["sample", "forms"],
                ids=["the sample", "a Microsoft Forms survey unlike the sample"])
def report(request, tmp_path_factory, sample_dir):
    """The report on the bundled sample, and on the second example export (data/example-forms: 60
    students, three other scales on a 1-7 scale, other group columns, no second wave)."""
    from conftest import ROOT

    work = tmp_path_factory.mktemp("browser")
    if request.param == "sample":
        return build_report(sample_dir / "survey_export.csv", sample_dir / "codebook.yml", work / "out",
                            key_file=work / "key" / "pseudonym.key", models=(1,), k=range(1, 5), n_starts=5,
                            seed=5, wave2=sample_dir / "survey_export_wave2.csv", progress=False)
    forms = ROOT / "data" / "example-forms"
    return build_report(forms / "maths_survey.xlsx", forms / "codebook.yml", work / "out",
                        key_file=work / "key" / "pseudonym.key", models=(1,), k=range(1, 4), n_starts=5, seed=5,
                        progress=False)


@pytest.fixture(scope="module")
def report_html(report):
    return report.html


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory):
    """Where the screenshots are kept: $TOOLKIT_SCREENSHOTS when set (CI artefacts), else a temporary folder."""
    folder = os.environ.get("TOOLKIT_SCREENSHOTS")
    path = tmp_path_factory.mktemp("screenshots") if not folder else __import__("pathlib").Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_rendered_page_keeps_its_sections_and_embedded_images(report_html, tmp_path):
    dom = _chromium(["--dump-dom", report_html.as_uri()], tmp_path / "profile").stdout
    headings = [re.sub(r"<[^>]+>|¶", "", h).strip() for h in re.findall(r"<h2[^>]*>(.*?)</h2>", dom, re.S)]
    for section in SECTIONS:
        assert section in headings, section
    imgs = re.findall(r'<img[^>]*src="([^"]+)"', dom)
    assert len(imgs) == 3 and all(src.startswith("data:image/png;base64,") for src in imgs)
    assert '<nav id="toc"' in dom


def test_screenshot_of_the_rendered_page_is_not_blank(report_html, tmp_path, screenshots):
    shot = screenshots / "report-full.png"
    _chromium([f"--screenshot={shot}", "--window-size=1280,4000", "--hide-scrollbars", report_html.as_uri()],
              tmp_path / "profile")
    assert shot.is_file() and shot.stat().st_size > 50_000
    pixels = mpimg.imread(shot)
    assert pixels.shape[0] == 4000 and pixels.shape[1] == 1280
    assert pixels[..., :3].std() > 0.05  # text, tables and figures, not an empty page


def test_the_answer_is_in_the_first_viewport_at_1280_by_800(report_html, tmp_path, screenshots):
    got = _measure(report_html, tmp_path, width=1280, height=800, print_rules=False)
    assert got["answer"] is not None, "the page has no answer box"
    assert 0 <= got["answer"]["top"] and got["answer"]["bottom"] <= 800, got["answer"]
    shot = screenshots / "report-first-viewport.png"
    _chromium([f"--screenshot={shot}", "--window-size=1280,800", "--hide-scrollbars", report_html.as_uri()],
              tmp_path / "profile-shot")
    pixels = mpimg.imread(shot)
    assert pixels.shape[:2] == (800, 1280)
    # The answer box's blue frame (#0072B2) is drawn inside the screenshot.
    blue = (abs(pixels[..., 0] - 0x00 / 255) < 0.05) & (abs(pixels[..., 1] - 0x72 / 255) < 0.05) & \
           (abs(pixels[..., 2] - 0xB2 / 255) < 0.05)
    assert blue.sum() > 1000


def test_nothing_overflows_the_width_of_a_printed_page(report_html, tmp_path):
    got = _measure(report_html, tmp_path, width=PRINT_WIDTH, height=1000, print_rules=True)
    assert got["width"] <= PRINT_WIDTH
    assert got["overflow"] == [], got["overflow"]
    assert got["scrollWidth"] <= got["width"] + 1


def test_the_measurement_sees_an_overflowing_table(report_html, tmp_path):
    """The overflow check can fail: a table made wider than the paper is caught."""
    wide = tmp_path / "wide.html"
    text = report_html.read_text(encoding="utf-8")
    cell = '<td style="white-space:nowrap">' + "wide " * 300 + "</td>"
    wide.write_text(text.replace("</body>", f"<table><tr>{cell}</tr></table></body>", 1), encoding="utf-8")
    got = _measure(wide, tmp_path, width=PRINT_WIDTH, height=1000, print_rules=True)
    assert any(o.startswith("TABLE") for o in got["overflow"])


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_pdf_beside_the_page_is_short_before_the_appendix_and_numbered(report):
    assert report.pdf is not None and report.pdf.is_file()
    pages = []
    for i in range(1, 60):
        done = subprocess.run([PDFTOTEXT, "-f", str(i), "-l", str(i), "-layout", str(report.pdf), "-"],
                              capture_output=True, text=True)
        if done.returncode != 0:
            break
        pages.append(done.stdout)
    assert len(pages) > 2
    appendix = next(i for i, p in enumerate(pages, 1) if "Appendix: technical details" in p)
    assert appendix - 1 <= MAX_PAGES_BEFORE_APPENDIX, f"{appendix - 1} pages before the appendix"
    assert "Can every student have a plan?" in pages[0] and re.search(r"\b(Yes|Probably|Not)\b", pages[0])
    for i, p in enumerate(pages, 1):  # page numbers from the print stylesheet
        assert f"Page {i} of {len(pages)}" in p, i
    assert "file://" not in "".join(pages) and "/tmp" not in "".join(pages)  # no browser header with the path


def test_the_page_speaks_of_the_surveys_own_scales_and_answer_range(report):
    """Nothing of the sample leaks into a report on another survey: its scales, its range, its groups."""
    import toolkit as tk

    text = re.sub(r"<[^>]+>", " ", report.html.read_text(encoding="utf-8"))
    text = " ".join(_html.unescape(text).split())
    codebook = tk.load_codebook(report.parameters["codebook_path"])
    lo = min(i.scale.min for i in codebook.items)
    hi = max(i.scale.max for i in codebook.items)
    assert f"runs from {lo} (low) to {hi} (high)" in text
    for c in codebook.constructs:
        assert c.label.lower() in text.lower(), c.label
    main = text[: text.rindex("Appendix: technical details")]  # the heading (the contents name it first)
    if hi != 5:
        assert not re.search(r"(?<![\d.])1 to 5\b(?! minutes)", main), "the sample's 1-5 range on another survey"
    sample_scales = {"Self-efficacy", "Help-seeking", "Effort regulation"}
    if not {c.label for c in codebook.constructs} & sample_scales:
        assert not [w for w in sample_scales if w in text], "a scale of the sample appears in another survey's report"
    for column in codebook.group_columns:
        assert column in text, column
