"""The report as a leader sees it: rendered by headless Chromium (Debian's chromium package)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import matplotlib.image as mpimg
import pytest

from toolkit.report.build import build_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SECTIONS = ["Who responded", "How reliable the scales are", "How many profiles, and why", "What a plan looks like",
            "Can plans scale", "Assumptions and limitations", "What was removed to protect students", "Provenance"]

if CHROMIUM is None:
    if os.environ.get("CI"):
        pytest.fail("CI is set but chromium is not installed (.ci/run installs Debian's chromium package)",
                    pytrace=False)
    pytestmark = pytest.mark.skip(reason="chromium is not installed (apt-get install chromium); CI installs it")


def _chromium(args, profile, timeout=180):
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage", f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True)


@pytest.fixture(scope="module")
def report_html(tmp_path_factory, sample_dir):
    work = tmp_path_factory.mktemp("browser")
    result = build_report(sample_dir / "survey_export.csv", sample_dir / "codebook.yml", work / "out",
                          key_file=work / "key" / "pseudonym.key", models=(1,), k=range(1, 5), n_starts=5,
                          seed=5, progress=False)
    return result.html


def test_rendered_page_keeps_its_sections_and_embedded_images(report_html, tmp_path):
    dom = _chromium(["--dump-dom", report_html.as_uri()], tmp_path / "profile").stdout
    headings = [re.sub(r"<[^>]+>|¶", "", h).strip() for h in re.findall(r"<h2[^>]*>(.*?)</h2>", dom, re.S)]
    for section in SECTIONS:
        assert section in headings, section
    imgs = re.findall(r'<img[^>]*src="([^"]+)"', dom)
    assert len(imgs) >= 4 and all(src.startswith("data:image/png;base64,") for src in imgs)
    assert '<nav id="toc"' in dom


def test_screenshot_of_the_rendered_page_is_not_blank(report_html, tmp_path):
    shot = tmp_path / "report.png"
    _chromium([f"--screenshot={shot}", "--window-size=1280,4000", "--hide-scrollbars", report_html.as_uri()],
              tmp_path / "profile")
    assert shot.is_file() and shot.stat().st_size > 50_000
    pixels = mpimg.imread(shot)
    assert pixels.shape[0] == 4000 and pixels.shape[1] == 1280
    assert pixels[..., :3].std() > 0.05  # text, tables and figures, not an empty page
