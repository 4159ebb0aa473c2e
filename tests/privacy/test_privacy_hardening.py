"""Issue 16, bad input: formula cells, size limits, output folders, signals, keys, group values, score refusals.

Each hostile input is either refused with one message naming the file, row, column and what to do
(the CLI exits 2, no traceback, nothing written), or handled with a stated note.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from _exports import IDS, ITEMS, LABELS, N, NAMES, TEXTS, VOICE, codebook_yaml, google_columns, google_frame, write_google_csv

from toolkit._atomic import atomic_output_dir, atomic_write_text, check_output_dir
from toolkit.cli import cli
from toolkit.codebook import parse_codebook
from toolkit.errors import ToolkitError
from toolkit.io import MAX_CELL_CHARS, MAX_LINE_CHARS, read_export

from conftest import ROOT



def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result, result.output


def one_error(result, out, pattern):
    assert result.exit_code == 2, out
    if out.startswith("Usage:"):  # click's own refusal of an option: usage lines, then one error
        out = out.split("\n\n", 1)[1]
    assert "Traceback" not in out and out.startswith("Error: ") and len(out.strip().splitlines()) == 1, out
    assert re.search(pattern, out), out


# ---------------------------------------------------------------- xlsx formula cells


def _workbook_with_formulas(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Student ID", "Grade", *ITEMS.values(), VOICE])
    for i in range(N):
        answers = [LABELS[(i + j) % 5] for j in range(len(ITEMS))]
        text = TEXTS[i]
        if i == 2:
            text = '=HYPERLINK("http://evil.example/steal","click me")'  # never evaluated, never passed on
        if i == 5:
            text = "=A7&B7"
        ws.append([IDS[i], "9", *answers, text])
    wb.save(path)
    return path


def test_formula_cells_are_read_as_their_text_and_listed_never_evaluated(tmp_path):
    raw = read_export(_workbook_with_formulas(tmp_path / "f.xlsx"))
    assert raw.table.loc[2, VOICE] == '=HYPERLINK("http://evil.example/steal","click me")'
    assert raw.table.loc[5, VOICE] == "=A7&B7"  # not the concatenation of two cells
    assert raw.formula_cells == ((4, VOICE), (7, VOICE))  # row numbers of the file
    assert raw.table.loc[3, VOICE] == TEXTS[3]


def test_a_cached_formula_value_is_not_trusted(tmp_path):
    # a workbook whose formula cell carries a cached value (as Excel saves it): the value is ignored
    path = _workbook_with_formulas(tmp_path / "c.xlsx")
    import zipfile

    with zipfile.ZipFile(path) as zin:
        parts = {n: zin.read(n) for n in zin.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet, k = re.subn(r'(<c r="G7"[^>]*)(><f>[^<]*</f>)<v\s*/>', r'\1 t="str"\2<v>Ana Quill</v>', sheet)
    assert k == 1
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as zout:
        for n, b in parts.items():
            zout.writestr(n, b)
    assert pd.read_excel(path, header=None, dtype=str).iat[6, 6] == "Ana Quill"  # what pandas alone would read
    raw = read_export(path)
    assert raw.table.loc[5, VOICE] == "=A7&B7"


def test_a_formula_in_an_item_is_an_unknown_label_naming_the_cell(tmp_path):
    path = tmp_path / "i.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Student ID", "Grade", *ITEMS.values(), VOICE])
    for i in range(N):
        ws.append([IDS[i], "9", "=2+2" if i == 3 else "Agree", "Agree", "Agree", "Agree", "ok"])
    wb.save(path)
    (tmp_path / "cb.yml").write_text(codebook_yaml(name_columns=()))
    result, out = run("deidentify", path, "--codebook", tmp_path / "cb.yml", "--out", tmp_path / "o")
    one_error(result, out, r"row 5, column 'I like maths\.', value '=2\+2': unknown answer label")


def test_deidentify_flags_formula_rows_and_says_so_and_defuses_them(tmp_path):
    (tmp_path / "in").mkdir()
    path = _workbook_with_formulas(tmp_path / "in" / "f.xlsx")
    (tmp_path / "cb.yml").write_text(codebook_yaml(name_columns=()))
    result, out = run("deidentify", path, "--codebook", tmp_path / "cb.yml", "--out", tmp_path / "o")
    assert result.exit_code == 0, out
    assert "Note: 2 cell(s) of the workbook hold a formula (first: row 4, column 'What helps you learn best?')" in out
    ledger = pd.read_csv(tmp_path / "o" / "ledger.csv", keep_default_na=False)
    assert ledger.loc[ledger["row"].isin([4, 7]), "flags"].tolist() == ["formula read as text"] * 2
    assert (ledger.loc[~ledger["row"].isin([4, 7]), "flags"] == "").all()
    text = (tmp_path / "o" / "responses.csv").read_text()
    assert not re.search(r"(^|,)\"?=", text, re.M)  # no cell starts a formula in Excel
    import json

    flags = json.loads((tmp_path / "o" / "disclosure.json").read_text())["flags"]
    assert flags["formula cell read as text, not evaluated"] == 2


# ---------------------------------------------------------------- cell and line length limits


def test_a_cell_longer_than_the_limit_is_refused_naming_row_and_column_fast(tmp_path):
    frame = google_frame()
    frame.loc[4, VOICE] = "x" * (MAX_CELL_CHARS + 1)
    path = write_google_csv(tmp_path / "g.csv", frame)
    with pytest.raises(ToolkitError, match=rf"g\.csv, row 6, column '{re.escape(VOICE)}': this cell holds 20,001 characters"):
        read_export(path)
    frame.loc[4, VOICE] = "x" * MAX_CELL_CHARS
    assert read_export(write_google_csv(tmp_path / "ok.csv", frame)).table.loc[4, VOICE] == "x" * MAX_CELL_CHARS


def test_a_50_mb_cell_is_refused_by_the_cli(tmp_path):
    # it ran past 120 s before the cell limit (issue 16); the time is measured in
    # benchmarks/scrub_hostile.py (2.6 s on 2026-12-04), not here
    (tmp_path / "in").mkdir()
    frame = google_frame()
    frame.loc[1, VOICE] = "a.\n" * (50 * 2**20 // 3)  # lines of ordinary length, one huge quoted cell
    path = write_google_csv(tmp_path / "in" / "big.csv", frame)
    (tmp_path / "cb.yml").write_text(codebook_yaml(google_columns()))
    result, out = run("deidentify", path, "--codebook", tmp_path / "cb.yml", "--out", tmp_path / "o")
    one_error(result, out, r"row 3, column 'What helps you learn best\?': this cell holds 52,428,798 characters")
    assert not (tmp_path / "o").exists()


def test_a_line_longer_than_the_limit_is_refused_before_parsing(tmp_path):
    path = tmp_path / "l.csv"
    path.write_text("Student ID,Grade\nS1,9\nS2," + "9" * (MAX_LINE_CHARS + 5) + "\n")
    with pytest.raises(ToolkitError, match=r"l\.csv, row 3: line 3 of the file is longer than 2,000,000 characters"):
        read_export(path)


def test_a_workbook_cell_longer_than_the_limit_is_refused(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Student ID", "helps"])
    ws.append(["S1", "y" * (MAX_CELL_CHARS + 10)])
    wb.save(tmp_path / "w.xlsx")
    with pytest.raises(ToolkitError, match=r"w\.xlsx, row 2, column 'helps': this cell holds 20,010 characters"):
        read_export(tmp_path / "w.xlsx")


# ---------------------------------------------------------------- output folders


def _export(tmp_path):
    (tmp_path / "in").mkdir(exist_ok=True)
    (tmp_path / "cb.yml").write_text(codebook_yaml(google_columns()))
    return write_google_csv(tmp_path / "in" / "e.csv"), tmp_path / "cb.yml"


@pytest.mark.parametrize(
    "case, pattern",
    [
        ("out_is_a_file", r"is a file"),  # click's own check of --out, also exit 2
        ("out_below_a_file", r"the output folder would be inside '.*notes\.txt', which is a file, not a folder"),
        ("out_dangling_link", r"the output folder is a link to a place that does not exist"),
    ],
)
def test_deidentify_refuses_an_output_folder_that_cannot_hold_outputs(tmp_path, case, pattern):
    export, cb = _export(tmp_path)
    (tmp_path / "notes.txt").write_text("mine")
    out = {"out_is_a_file": tmp_path / "notes.txt", "out_below_a_file": tmp_path / "notes.txt" / "clean",
           "out_dangling_link": tmp_path / "link"}[case]
    if case == "out_dangling_link":
        os.symlink(tmp_path / "nowhere", out)
    result, text = run("deidentify", export, "--codebook", cb, "--out", out)
    one_error(result, text, pattern)
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())


def test_an_unwritable_output_folder_is_refused_before_any_work(tmp_path, monkeypatch):
    export, cb = _export(tmp_path)
    locked = tmp_path / "locked"
    locked.mkdir()
    import toolkit._atomic as atomic

    real = os.access
    monkeypatch.setattr(atomic.os, "access", lambda p, mode: False if Path(p) == locked else real(p, mode))
    import toolkit.io as io

    monkeypatch.setattr(io, "read_export", lambda *a, **k: pytest.fail("work started before the folder was checked"))
    result, text = run("deidentify", export, "--codebook", cb, "--out", locked / "clean")
    one_error(result, text, r"the output folder cannot be written: you may not create files in '.*locked'")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_read_only_output_folder_is_refused(tmp_path):
    export, cb = _export(tmp_path)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result, text = run("deidentify", export, "--codebook", cb, "--out", locked / "clean")
        one_error(result, text, r"cannot be written")
    finally:
        locked.chmod(0o700)


def test_a_failing_temporary_folder_is_one_message_not_a_traceback(tmp_path, monkeypatch):
    import toolkit._atomic as atomic

    def refuse(*a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(atomic.tempfile, "mkdtemp", refuse)
    with pytest.raises(ToolkitError, match=r"out: the output folder cannot be written \(permission denied\)"):
        with atomic_output_dir(tmp_path / "out"):
            pass


def test_atomic_write_text_refuses_a_folder_or_a_path_below_a_file(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(ToolkitError, match="the output file is a folder"):
        atomic_write_text(tmp_path, "a")
    with pytest.raises(ToolkitError, match=r"codebook\.yml: the output file's folder is a file, not a folder"):
        atomic_write_text(tmp_path / "f" / "codebook.yml", "a")
    with pytest.raises(ToolkitError, match=r"inside '.*f', which is a file"):
        atomic_write_text(tmp_path / "f" / "deeper" / "codebook.yml", "a")


def test_codebook_init_into_an_unwritable_place_exits_2(tmp_path, sample_dir, monkeypatch):
    import toolkit._atomic as atomic

    locked = tmp_path / "locked"
    locked.mkdir()
    real = os.access
    monkeypatch.setattr(atomic.os, "access", lambda p, mode: False if Path(p) == locked else real(p, mode))
    result, text = run("codebook", "init", sample_dir / "survey_export.csv", "--out", locked / "cb.yml")
    one_error(result, text, r"cb\.yml: the output file's folder cannot be written")
    result, text = run("codebook", "init", sample_dir / "survey_export.csv", "--out", sample_dir / "codebook.yml" / "x.yml")
    one_error(result, text, r"x\.yml: the output file's folder is a file, not a folder")


def test_check_output_dir_refuses_a_file(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(ToolkitError, match=r"f: the output folder is a file, not a folder\. Choose another --out folder"):
        check_output_dir(tmp_path / "f")


def test_check_output_dir_keeps_the_export_rule():
    with pytest.raises(ToolkitError, match="would hold the input file"):
        check_output_dir(ROOT / "data" / "sample", protect=[ROOT / "data" / "sample" / "survey_export.csv"])


# ---------------------------------------------------------------- SIGTERM and SIGHUP


_SLOW_WRITER = textwrap.dedent(
    """
    import sys, time
    from toolkit._atomic import atomic_output_dir
    with atomic_output_dir(sys.argv[1]) as tmp:
        (tmp / "report.ipynb").write_text("half-executed: key at /secret/path")
        print("ready", flush=True)
        time.sleep(60)
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")
@pytest.mark.parametrize("sig", ["SIGTERM", "SIGHUP"])
def test_a_signal_during_writing_leaves_no_half_written_folder(tmp_path, sig):
    out = tmp_path / "report"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_WRITER, str(out)], stdout=subprocess.PIPE, cwd=ROOT, env=env)
    try:
        assert proc.stdout.readline().strip() == b"ready"
        assert any(p.name.startswith(".report.") for p in tmp_path.iterdir())  # the temporary folder exists
        proc.send_signal(getattr(signal, sig))
        code = proc.wait(timeout=30)
    finally:
        proc.kill()
    assert code == 128 + getattr(signal, sig)
    assert list(tmp_path.iterdir()) == []  # neither the output nor the hidden temporary folder


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")
def test_a_second_signal_does_not_interrupt_the_clean_up(tmp_path):
    out = tmp_path / "report"
    writer = _SLOW_WRITER.replace('(tmp / "report.ipynb")', '[(tmp / f"f{i}.txt").write_text("x") for i in range(3000)]; (tmp / "report.ipynb")')
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", writer, str(out)], stdout=subprocess.PIPE, cwd=ROOT, env=env)
    try:
        assert proc.stdout.readline().strip() == b"ready"
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.01)
        for _ in range(20):  # while the 3,000 files are being removed
            if proc.poll() is not None:
                break
            proc.send_signal(signal.SIGHUP)
            time.sleep(0.002)
        code = proc.wait(timeout=30)
    finally:
        proc.kill()
    assert code == 128 + signal.SIGTERM
    assert list(tmp_path.iterdir()) == []


def test_handlers_are_restored_after_the_block(tmp_path):
    before = signal.getsignal(signal.SIGTERM)
    with atomic_output_dir(tmp_path / "o") as tmp:
        assert signal.getsignal(signal.SIGTERM) is not before
        (tmp / "a.txt").write_text("a")
    assert signal.getsignal(signal.SIGTERM) is before
    assert (tmp_path / "o" / "a.txt").read_text() == "a"


# ---------------------------------------------------------------- the key file


def test_a_dangling_key_file_symlink_is_refused_and_no_new_key_is_made(tmp_path):
    export, cb = _export(tmp_path)
    link = tmp_path / "key.link"
    os.symlink(tmp_path / "usb" / "pseudonym.key", link)
    result, text = run("deidentify", export, "--codebook", cb, "--out", tmp_path / "o", "--key-file", link)
    one_error(result, text, r"key\.link: the pseudonym key file is a link to '.*usb/pseudonym\.key', which does not exist\. "
                            r"Connect the drive")
    assert not (tmp_path / "usb").exists() and not (tmp_path / "o").exists()


def test_a_key_that_cannot_be_made_is_one_message(tmp_path):
    export, cb = _export(tmp_path)
    (tmp_path / "afile").write_text("x")
    result, text = run("deidentify", export, "--codebook", cb, "--out", tmp_path / "o", "--key-file", tmp_path / "afile" / "k.key")
    one_error(result, text, r"a new pseudonym key cannot be made here")


# ---------------------------------------------------------------- group values typed by people


def _sectioned(tmp_path, sections):
    frame = google_frame()
    frame.insert(5, "Section", sections)
    (tmp_path / "in").mkdir(exist_ok=True)
    (tmp_path / "cb.yml").write_text(codebook_yaml(google_columns(), group_columns=("Grade", "Section")))
    return write_google_csv(tmp_path / "in" / "e.csv", frame), tmp_path / "cb.yml"


def test_a_name_or_id_typed_into_a_group_field_never_becomes_a_label(tmp_path):
    sections = ["A"] * 12 + ["B"] * 8 + [NAMES[20], "ana quill", IDS[22].lower(), "zed@mail.example.org"]
    export, cb = _sectioned(tmp_path, sections)
    result, out = run("deidentify", export, "--codebook", cb, "--out", tmp_path / "o")
    assert result.exit_code == 0, out
    assert "Note: 4 value(s) of group column 'Section' (4 row(s)) looked like a name, ID or contact detail" in out
    responses = pd.read_csv(tmp_path / "o" / "responses.csv", keep_default_na=False)
    assert responses["Section"].value_counts().to_dict() == {"A": 12, "B": 8, "(withheld)": 4}
    text = "\n".join((tmp_path / "o" / f).read_text() for f in os.listdir(tmp_path / "o")).casefold()
    for planted in (NAMES[20], "ana quill", IDS[22], "zed@mail"):
        assert planted.casefold() not in text and planted.casefold() not in out.casefold()
    assert "Section` = (withheld)".casefold() in text or "section = (withheld)" in text


def test_ordinary_group_labels_are_kept(tmp_path):
    sections = ["Period 3"] * 10 + ["7B"] * 7 + ["Spanish Club"] * 3 + ["Room 12"] * 4
    export, cb = _sectioned(tmp_path, sections)
    result, out = run("deidentify", export, "--codebook", cb, "--out", tmp_path / "o")
    assert result.exit_code == 0 and "withheld" not in out, out
    responses = pd.read_csv(tmp_path / "o" / "responses.csv", dtype=str)
    assert set(responses["Section"]) == set(sections)


# ---------------------------------------------------------------- score refusals


def _responses(tmp_path, sample_dir):
    export = sample_dir / "survey_export.csv"
    result, out = run("deidentify", export, "--codebook", sample_dir / "codebook.yml", "--out", tmp_path / "clean")
    assert result.exit_code == 0, out
    return tmp_path / "clean" / "responses.csv"


def test_score_refuses_repeated_or_empty_pseudonyms_without_printing_them(tmp_path, sample_dir):
    path = _responses(tmp_path, sample_dir)
    lines = path.read_text().splitlines()
    dup = tmp_path / "dup.csv"
    dup.write_text("\n".join(lines[:6] + [lines[3]] + lines[6:]) + "\n")
    result, out = run("score", dup, "--codebook", sample_dir / "codebook.yml", "--out", tmp_path / "s")
    one_error(result, out, r"dup\.csv, row 7, column 'pseudonym': this pseudonym is also on row 4: 1 row\(s\) repeat a student")
    assert lines[3].split(",")[0] not in out
    empty = tmp_path / "empty.csv"
    lines[5] = "," + lines[5].split(",", 1)[1]
    empty.write_text("\n".join(lines) + "\n")
    result, out = run("score", empty, "--codebook", sample_dir / "codebook.yml", "--out", tmp_path / "s")
    one_error(result, out, r"empty\.csv, row 6, column 'pseudonym': 1 row\(s\) have an empty pseudonym")
    assert not (tmp_path / "s").exists()


def test_score_refuses_min_items_above_a_scales_items(tmp_path, sample_dir):
    path = _responses(tmp_path, sample_dir)
    result, out = run("score", path, "--codebook", sample_dir / "codebook.yml", "--out", tmp_path / "s", "--min-items", "9")
    one_error(result, out, r"codebook\.yml: --min-items 9 asks for more answered items than a scale has \('interest' has \d")
    assert "Use --min-items" in out and not (tmp_path / "s").exists()


def test_score_refuses_an_output_folder_below_a_file_before_reading(tmp_path, sample_dir):
    path = _responses(tmp_path, sample_dir)
    result, out = run("score", path, "--codebook", sample_dir / "codebook.yml", "--out", path / "scores")
    one_error(result, out, r"scores: the output folder would be inside '.*responses\.csv', which is a file, not a folder")


# ---------------------------------------------------------------- repeated headers the codebook does not name


def test_a_repeated_header_outside_the_codebook_is_renamed_and_still_checked(tmp_path):
    frame = google_frame()
    frame.insert(1, "Notes", [f"n{i}" for i in range(N)])
    frame.insert(2, "Notes.1", [f"kid{i}@home.example.net" for i in range(N)])
    (tmp_path / "in").mkdir()
    export = tmp_path / "in" / "e.csv"
    export.write_text(frame.to_csv(index=False, lineterminator="\n").replace("Notes.1", "Notes", 1))
    assert export.read_text().splitlines()[0].count("Notes") == 2
    (tmp_path / "cb.yml").write_text(codebook_yaml(google_columns()))
    raw = read_export(export, parse_codebook(codebook_yaml(google_columns())))
    assert list(raw.table.columns[1:3]) == ["Notes", "Notes (column 3)"]
    result, out = run("deidentify", export, "--codebook", tmp_path / "cb.yml", "--out", tmp_path / "o")
    assert result.exit_code == 0, out
    disclosure = (tmp_path / "o" / "disclosure.md").read_text()
    assert "- `Notes (column 3)`: identifying (values look like emails" in disclosure
    assert "home.example.net" not in "\n".join(p.read_text() for p in (tmp_path / "o").iterdir())
