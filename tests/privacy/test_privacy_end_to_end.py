"""Issue 16, done-when: identifiers planted in an export reach no output of any command.

Every identifier kind the red team found leaking is planted in the free text (both voice
columns), in the identifying columns and in a free-entry group field of a copy of the synthetic
sample. The whole command chain then runs into a temporary folder, ``deidentify -> score ->
profiles -> plans -> scaling -> report``, and every file it wrote (CSV, Markdown, JSON, the
executed notebook, the HTML report and the text of the PDF) and every message it printed is
searched for each planted value, after Unicode normalisation, case folding and accent folding.

A construct label of the codebook carries HTML (``<img src=x onerror=...>``): the report must
show it as text, never as markup.

The chain takes a minute or two, so profiles are fitted for one model and K = 1..3 only.
Skip it with ``-m "not slow"``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from toolkit.cli import cli

from conftest import ROOT

pytestmark = pytest.mark.slow

# row in the export (0-based data row) -> the identity planted in its identifying columns
IDENTITIES = {
    0: ("José Núñez", "QZX-48213", "jose.nunez@vexmail.example.org"),
    1: ("Łukasz Wójcik", "QZX-48214", "lukasz.w@vexmail.example.org"),
    2: ("Mary-Jane Okafor", "QZX-48215", "mj.okafor@vexmail.example.org"),
    3: ("Quinta Vexley", "QZX-48216", "quinta.vexley@vexmail.example.org"),
}

# (row, voice column key, text): each kind of issue 16, typed the way students type it
PLANTED_TEXT = [
    (4, "helps", "I study with jose nunez after school"),  # accents dropped
    (5, "helps", unicodedata.normalize("NFD", "José Núñez explains it to me")),  # decomposed (Mac keyboards)
    (6, "helps", "lukasz wojcik and I quiz each other"),
    (7, "helps", "mary jane helps me with notes"),  # hyphen dropped
    (8, "goal", "my id is QZX48213 so check my grades"),  # ID without its hyphen
    (9, "goal", "student number Q Z X 4 8 2 1 4"),  # ID spaced out
    (10, "helps", "email me at quinta dot vexley at vexmail dot org"),
    (11, "helps", "write to jose.nunez@vexmail.example.org"),
    (12, "goal", "text me on +33 6 12 34 56 78"),  # international phone
    (13, "goal", "call (415) 555-0199 after 6"),
    (14, "helps", "I live at 42 Wexford Lane near the park"),
    (15, "helps", "j'habite 12 rue des Abbesses, 75018 Paris"),
    (16, "helps", "wohne in der Lindenstraße 17"),
    (17, "goal", "our postcode is EC1A 1BB"),
    (18, "goal", "my birthday is 14/03/2011"),
    (19, "goal", "born March 14, 2011"),
    (20, "helps", "see https://vexley-home.example.net/me"),
    (21, "helps", "my ip is 198.51.100.77"),
    (22, "helps", "follow me @quinta_vex"),
    (23, "helps", "Ask Mr Vexley or Quinta"),
]
HOSTILE_LABEL = "<img src=x onerror=alert(1)>Interest"
# what must not appear anywhere (compared folded: lower case, no accents, NFC)
NEEDLES = [
    "nunez", "wojcik", "okafor", "mary jane", "mary-jane", "vexley", "quinta", "48213", "48214", "48215", "48216",
    "q z x", "vexmail", "12 34 56 78", "555-0199", "wexford", "abbesses", "75018", "lindenstra", "ec1a",
    "14/03/2011", "march 14, 2011", "198.51.100.77", "quinta_vex", "vexley-home",
]


_HEX = re.compile(r"\bp-[0-9a-f]{12}\b|\b[0-9a-f]{16,}\b")
_BASE64 = re.compile(r"[A-Za-z0-9+/=\\n]{200,}")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFC", text).casefold())
    return "".join(ch for ch in text if not unicodedata.combining(ch)).replace("ł", "l")


def _planted_export(sample_dir: Path, folder: Path) -> Path:
    frame = pd.read_csv(sample_dir / "survey_export.csv", dtype=str, keep_default_na=False)
    voice = {"helps": "What helps you learn best?", "goal": "One goal I have for this term"}
    for row, (name, sid, email) in IDENTITIES.items():
        frame.loc[row, ["Your name", "Student ID", "Email Address"]] = [name, sid, email]
    for row, key, text in PLANTED_TEXT:
        frame.loc[row, voice[key]] = text
    frame.loc[24, "Section"] = "Quinta Vexley"  # a name typed into a free-entry group field
    frame.loc[25, "Section"] = "qzx-48215"  # an ID typed there
    folder.mkdir()
    path = folder / "survey_export.csv"
    frame.to_csv(path, index=False, lineterminator="\n")
    return path


def _run(*args) -> str:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def _text_of(path: Path) -> str:
    if path.suffix == ".pdf":
        if shutil.which("pdftotext") is None:
            pytest.skip("pdftotext (poppler-utils) is needed to read the PDF")
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    # embedded images (base64 in the HTML and the notebook) are not text: a run of base64 can spell
    # anything ("EC1A"); text inside figures is rasterised and cannot be searched here
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".ipynb":
        text = json.dumps(_without_run_timings(json.loads(text)), ensure_ascii=False, indent=1)
    return _BASE64.sub("", text)


def _without_run_timings(nb):
    """The executed notebook without the clock readings papermill and nbclient write into its
    metadata: their microseconds ("19:16:31.748216", "duration": 0.048216) spell any 5-digit
    planted number now and then, and they are not made from the export. Sources, outputs and
    papermill's parameters are kept."""
    for meta in [nb.get("metadata", {})] + [c.get("metadata", {}) for c in nb.get("cells", [])]:
        meta.pop("execution", None)
        for key in ("duration", "start_time", "end_time"):
            meta.get("papermill", {}).pop(key, None)
    return nb


def test_no_planted_identifier_reaches_any_output_of_the_whole_chain(tmp_path, sample_dir):
    export = _planted_export(sample_dir, tmp_path / "raw")
    cb = tmp_path / "raw_codebook" / "codebook.yml"
    cb.parent.mkdir()
    # codebooks are swapped between teachers: a label with HTML must never run in the report
    text = (sample_dir / "codebook.yml").read_text(encoding="utf-8")
    assert "    label: Interest\n" in text
    cb.write_text(text.replace("    label: Interest\n", f"    label: {HOSTILE_LABEL!r}\n"), encoding="utf-8")
    out = tmp_path / "out"
    messages = [
        _run("deidentify", export, "--codebook", cb, "--out", out / "clean"),
        _run("score", out / "clean" / "responses.csv", "--codebook", cb, "--out", out / "scores"),
        _run("profiles", out / "scores" / "scores.csv", "--out", out / "profiles", "--codebook", cb,
             "--models", "1", "--k", "1-3"),
        _run("plans", "--responses", out / "clean", "--profiles", out / "profiles", "--out", out / "plans",
             "--codebook", cb),
        _run("scaling", "--responses", out / "scores" / "scores.csv", "--profiles", out / "profiles",
             "--out", out / "scaling", "--codebook", cb),
        _run("report", export, "--codebook", cb, "--out", out / "report", "--models", "1", "--k", "1-3",
             "--profiles", out / "profiles", "--quiet"),
    ]
    files = sorted(p for p in out.rglob("*") if p.is_file() and p.suffix not in (".png", ".jpg"))
    kinds = {p.suffix for p in files}
    assert {".csv", ".md", ".json", ".html", ".ipynb"} <= kinds, kinds
    assert (out / "report" / "report.html").is_file()

    leaks = []
    for path in files:
        # Pseudonyms (P- and 12 hex digits, random under each run's key) and hashes are hex: a short
        # needle such as "ec1a" can occur inside one by chance, so they are masked before searching.
        text = _HEX.sub(" ", _fold(_text_of(path)))
        leaks += [(str(path.relative_to(out)), n) for n in NEEDLES if n in text]
    printed = _HEX.sub(" ", _fold("\n".join(messages)))
    leaks += [("messages", n) for n in NEEDLES if n in printed]
    assert leaks == [], leaks
    for page in (p for p in files if p.suffix == ".html"):  # the report and every plan sheet
        assert "<img src=x" not in page.read_text(encoding="utf-8").casefold(), page  # escaped, inert

    # the planted texts were scrubbed, not dropped: the answers are still there with their tags
    responses = pd.read_csv(out / "clean" / "responses.csv", keep_default_na=False)
    tagged = responses[["helps_me_learn", "goal"]].apply(lambda c: c.str.contains(r"\[(?:NAME|ID|EMAIL|PHONE|ADDRESS|DATE|URL|IP|HANDLE)\]"))
    assert int(tagged.to_numpy().sum()) >= len(PLANTED_TEXT)
    assert (responses["Section"] == "(withheld)").sum() == 2
    key = Path(os.environ["TOOLKIT_KEY_FILE"]).read_bytes().hex()
    assert not any(key in _text_of(p) for p in files if p.suffix != ".pdf")


@pytest.mark.skipif(not hasattr(signal, "SIGTERM") or os.name != "posix", reason="POSIX signals")
def test_sigterm_during_report_leaves_no_hidden_half_executed_notebook(tmp_path, sample_dir):
    """Issue 16: a SIGTERM during ``toolkit report`` left ``.out.*/report.ipynb`` with the key's path."""
    root = ROOT
    env = {**os.environ, "PYTHONPATH": str(root)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "toolkit", "report", str(sample_dir / "survey_export.csv"), "--codebook",
         str(sample_dir / "codebook.yml"), "--out", str(tmp_path / "out"), "--models", "1", "--k", "1-2", "--quiet"],
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            hidden = [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]
            if hidden and (hidden[0] / "report.ipynb").exists():
                break
            time.sleep(0.1)
        else:
            pytest.fail("the report never started writing its notebook")
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
    finally:
        proc.kill()
    assert code == 128 + signal.SIGTERM, proc.stderr.read().decode()[-500:]
    assert list(tmp_path.iterdir()) == []


def test_report_refuses_a_dangling_key_link_and_makes_no_new_key(tmp_path, sample_dir):
    link = tmp_path / "key.link"
    os.symlink(tmp_path / "usb" / "pseudonym.key", link)
    result = CliRunner().invoke(cli, ["report", str(sample_dir / "survey_export.csv"), "--codebook",
                                      str(sample_dir / "codebook.yml"), "--out", str(tmp_path / "out"), "--models", "1",
                                      "--k", "1-2", "--quiet", "--key-file", str(link)])
    assert not (tmp_path / "usb").exists(), "a new key was made where the link points"
    assert result.exit_code == 2 and "link to" in result.output, result.output
