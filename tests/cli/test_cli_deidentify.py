"""The ``toolkit deidentify`` and ``toolkit codebook init`` commands, end to end.

The canary tests plant identifying values in every identifying column and in the free text, run
the whole command, and search every output file for each of them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from _exports import (
    EMAILS,
    IDS,
    NAMES,
    N,
    VOICE,
    codebook_yaml,
    google_columns,
    google_frame,
    qualtrics_rows,
    write_google_csv,
    write_microsoft_xlsx,
    write_rows,
)

from _exports import teacher_edits

from toolkit import generate_sample, load_codebook
from toolkit.cli import cli

OUTPUTS = ("responses.csv", "ledger.csv", "disclosure.md", "disclosure.json")


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result, result.output


def _all_output_text(out_dir) -> str:
    return "\n".join((out_dir / f).read_text(encoding="utf-8") for f in sorted(os.listdir(out_dir)))


def _assert_no_canary(out_dir, canaries):
    assert sorted(os.listdir(out_dir)) == sorted(OUTPUTS)
    text = _all_output_text(out_dir).casefold()
    leaked = [c for c in canaries if c.casefold() in text]
    assert leaked == []


def _planted_google(tmp_path):
    """A Google export with canaries in every identifying column and in the free text."""
    frame = google_frame()
    frame["Email Address"] = [f"zq{i}.quillfeather@canary-school.org" for i in range(N)]
    frame["Your name"] = [f"Zanzibar{chr(97 + i)} Quillfeather{chr(97 + i)}" for i in range(N)]
    frame["Student ID"] = [f"CAN-{77000 + i}" for i in range(N)]
    frame["Home phone"] = [f"+1 (555) 010-{1000 + i}" for i in range(N)]
    frame["Home address"] = [f"{100 + i} Canaryvale Road" for i in range(N)]
    frame["Date of birth"] = [f"2011-03-{1 + i:02d}" for i in range(N)]
    frame["Device IP"] = [f"172.16.9.{i + 1}" for i in range(N)]
    frame["Timestamp"] = [f"2026/09/14 10:{i:02d}:17 AM GMT-4" for i in range(N)]
    voice = [
        "Email me at zq3.quillfeather@canary-school.org",
        "I sit next to Zanzibarb Quillfeatherb",
        "zanzibarc helps me",
        "call +1 (555) 010-1004 tonight",
        "my ID is CAN-77005",
        "I live at 108 Canaryvale Road",
        "see https://canary-school.org/u/zq7",
        "my laptop is 172.16.9.9",
        "ask Quillfeatherj after class",
    ]
    frame[VOICE] = voice + ["Worked examples"] * (N - len(voice))
    canaries = []
    for col in ("Email Address", "Your name", "Student ID", "Home phone", "Home address", "Date of birth", "Device IP", "Timestamp"):
        canaries += list(frame[col])
    canaries += [w for full in frame["Your name"] for w in full.split()]
    canaries += ["canary-school.org", "77005", "Canaryvale"]
    (tmp_path / "export").mkdir()
    return write_google_csv(tmp_path / "export" / "planted.csv", frame), canaries


def test_canaries_in_every_identifying_column_and_free_text_never_reach_outputs(tmp_path):
    export, canaries = _planted_google(tmp_path)
    (tmp_path / "cb.yml").write_text(codebook_yaml(google_columns()))
    result, out = run("deidentify", export, "--codebook", tmp_path / "cb.yml", "--out", tmp_path / "clean",
                      "--key-file", tmp_path / "keys" / "k.key")
    assert result.exit_code == 0, out
    _assert_no_canary(tmp_path / "clean", canaries)
    assert not any(c.casefold() in out.casefold() for c in canaries)
    key = (tmp_path / "keys" / "k.key").read_bytes()
    assert key.hex() not in _all_output_text(tmp_path / "clean") and key.hex() not in out
    responses = pd.read_csv(tmp_path / "clean" / "responses.csv", index_col="pseudonym")
    assert responses.loc[:, "helps"].str.contains(r"\[(?:EMAIL|NAME|PHONE|ID|ADDRESS|URL|IP)\]").sum() == 9
    disclosure = json.loads((tmp_path / "clean" / "disclosure.json").read_text())
    dropped = {d["column"] for d in disclosure["dropped_columns"]}
    assert {"Home phone", "Home address", "Date of birth", "Device IP", "Email Address", "Your name", "Student ID", "Timestamp"} <= dropped


def test_qualtrics_canaries_in_metadata_never_reach_outputs(tmp_path):
    head, rows = qualtrics_rows()
    canaries = []
    for i, row in enumerate(rows):
        row[3] = f"203.0.113.{i + 1}"  # IPAddress
        row[9], row[10] = f"Quillby{chr(97 + i)}", f"Zorblat{chr(97 + i)}"  # recipient last, first name
        row[11] = f"zorblat{i}@canary.example.net"
        row[13], row[14] = f"51.50{i:02d}7", f"-0.12{i:02d}8"
        row[8] = f"R_canary{i:04d}"
        canaries += [row[3], row[9], row[10], row[11], row[13], row[14], row[8], row[18]]
    rows[0][-2] = "Thanks Zorblatb Quillbyb, reach me at zorblat0@canary.example.net"
    (tmp_path / "in").mkdir()
    export = write_rows(tmp_path / "in" / "q.csv", head + rows)
    cb_text = codebook_yaml({k: f"Q3_{n}" for n, k in enumerate(["m1", "m2", "m3", "s1"], start=1)}, id_column="Q1",
                            name_columns=("RecipientFirstName", "RecipientLastName"), group_columns=("Q2",), voice="Q4")
    (tmp_path / "cb.yml").write_text(cb_text)
    result, out = run("deidentify", export, "--codebook", tmp_path / "cb.yml", "--out", tmp_path / "clean")
    assert result.exit_code == 0, out
    _assert_no_canary(tmp_path / "clean", canaries)


def test_microsoft_forms_canaries_never_reach_outputs(tmp_path):
    (tmp_path / "in").mkdir()
    export = write_microsoft_xlsx(tmp_path / "in" / "ms.xlsx")
    (tmp_path / "cb.yml").write_text(codebook_yaml(name_columns=("Name",)))
    result, out = run("deidentify", export, "--codebook", tmp_path / "cb.yml", "--out", tmp_path / "clean")
    assert result.exit_code == 0, out
    assert "(microsoft_forms)" in out
    _assert_no_canary(tmp_path / "clean", EMAILS + NAMES + IDS)


def test_sample_export_goes_through_cleanly_and_no_sample_canary_leaks(tmp_path, sample_dir):
    export = shutil.copy(sample_dir / "survey_export.csv", tmp_path / "survey_export.csv")
    result, out = run("deidentify", export, "--codebook", sample_dir / "codebook.yml", "--out", tmp_path / "clean")
    assert result.exit_code == 0, out
    assert "Read 245 rows (google_forms): kept" in out
    _assert_no_canary(tmp_path / "clean", generate_sample().canaries)
    ledger = pd.read_csv(tmp_path / "clean" / "ledger.csv")
    assert len(ledger) == 245 and set(ledger["status"]) == {"kept", "excluded"}
    # same inputs and key: byte-identical outputs
    run("deidentify", export, "--codebook", sample_dir / "codebook.yml", "--out", tmp_path / "again")
    for f in OUTPUTS:
        assert (tmp_path / "clean" / f).read_bytes() == (tmp_path / "again" / f).read_bytes()


def test_key_is_made_on_first_use_under_the_environment_path(tmp_path, sample_dir, monkeypatch):
    monkeypatch.setenv("TOOLKIT_KEY_FILE", str(tmp_path / "conf" / "key"))
    export = shutil.copy(sample_dir / "survey_export.csv", tmp_path / "e.csv")
    result, out = run("deidentify", export, "--codebook", sample_dir / "codebook.yml", "--out", tmp_path / "o")
    assert result.exit_code == 0 and "Made a new pseudonym key at" in out
    assert (tmp_path / "conf" / "key").stat().st_mode & 0o777 == 0o600
    result, out = run("deidentify", export, "--codebook", sample_dir / "codebook.yml", "--out", tmp_path / "o2")
    assert "Made a new" not in out


# ---------------------------------------------------------------------------------------------
# every error: exit 2, one message, no traceback, no output


def _setup(tmp_path):
    (tmp_path / "in").mkdir(exist_ok=True)
    (tmp_path / "cb.yml").write_text(codebook_yaml(google_columns()))
    return tmp_path / "in", tmp_path / "cb.yml"


@pytest.mark.parametrize(
    "case, pattern",
    [
        ("missing", r"export file not found"),
        ("empty", r"the export file is empty"),
        ("unknown_format", r"unknown export format"),
        ("missing_columns", r"the codebook names 1 column\(s\) that the export does not have: 'Grade' \(group column; closest headers: 'Grade level'"),
        ("duplicate_headers", r"two columns have the same header"),
        ("all_excluded", r"every one of the 24 rows was excluded"),
        ("encoding", r"text encoding of the file cannot be read"),
        ("out_is_export_folder", r"the output folder would hold the input file"),
        ("unknown_label", r"value 'Agre': unknown answer label"),
        ("open_key", r"can be read or changed by other users"),
        ("key_in_out", r"the key file is inside the output folder"),
    ],
)
def test_every_user_error_exits_2_with_one_message_and_no_output(tmp_path, case, pattern):
    folder, cb = _setup(tmp_path)
    export = folder / "e.csv"
    out_dir = tmp_path / "out"
    key = tmp_path / "k.key"
    frame = google_frame()
    if case == "missing":
        export = folder / "absent.csv"
    elif case == "empty":
        export.write_bytes(b"")
    elif case == "unknown_format":
        export = folder / "e.sav"
        export.write_bytes(b"$FL2@(#) SPSS DATA FILE")
    elif case == "missing_columns":
        write_google_csv(export, frame.rename(columns={"Grade": "Grade level"}))
    elif case == "duplicate_headers":
        frame.insert(6, "Grade.1", frame["Grade"])
        export.write_text(frame.to_csv(index=False).replace("Grade.1", "Grade", 1))
    elif case == "all_excluded":
        frame[list(google_columns().values())] = ""
        write_google_csv(export, frame)
    elif case == "encoding":
        export.write_bytes(b"Student ID,Grade\n\x81\x8d,\x8f\x90\n")
    elif case == "out_is_export_folder":
        write_google_csv(export, frame)
        out_dir = folder
    elif case == "unknown_label":
        frame.loc[3, google_columns()["m1"]] = "Agre"
        write_google_csv(export, frame)
    elif case == "open_key":
        write_google_csv(export, frame)
        key.write_bytes(bytes(32))
        key.chmod(0o644)
    elif case == "key_in_out":
        write_google_csv(export, frame)
        key = out_dir / "k.key"
    before = sorted(p.name for p in folder.iterdir())
    result, out = run("deidentify", export, "--codebook", cb, "--out", out_dir, "--key-file", key)
    assert result.exit_code == 2, out
    assert "Traceback" not in out and out.startswith("Error: ") and len(out.strip().splitlines()) == 1
    assert re.search(pattern, out), out
    assert sorted(p.name for p in folder.iterdir()) == before  # nothing written next to the export
    if case != "out_is_export_folder":
        assert not out_dir.exists() or not any(out_dir.iterdir())
    assert not any(p.name.startswith(".out.") for p in tmp_path.iterdir())  # no temporary folder left


def test_allow_group_option_keeps_an_identifying_group_column(tmp_path):
    folder, _ = _setup(tmp_path)
    frame = google_frame()
    frame["Class code"] = [f"C{i:04d}" for i in range(N)]
    (tmp_path / "cb.yml").write_text(codebook_yaml(google_columns(), group_columns=("Grade", "Class code")))
    export = write_google_csv(folder / "e.csv", frame)
    result, out = run("deidentify", export, "--codebook", tmp_path / "cb.yml", "--out", tmp_path / "o")
    assert result.exit_code == 2 and "--allow-group 'Class code'" in out
    result, out = run("deidentify", export, "--codebook", tmp_path / "cb.yml", "--out", tmp_path / "o", "--allow-group", "Class code")
    assert result.exit_code == 0, out


def test_roster_names_are_scrubbed(tmp_path):
    folder, cb = _setup(tmp_path)
    frame = google_frame()
    frame.loc[0, VOICE] = "my friend yusra helps me"
    export = write_google_csv(folder / "e.csv", frame)
    (tmp_path / "roster.txt").write_text("Yusra Okonkwo\n")
    result, out = run("deidentify", export, "--codebook", cb, "--out", tmp_path / "o", "--roster", tmp_path / "roster.txt")
    assert result.exit_code == 0, out
    assert "yusra" not in _all_output_text(tmp_path / "o").casefold()


def test_a_roster_that_is_not_utf8_exits_2_naming_its_line_but_not_the_name(tmp_path):
    folder, cb = _setup(tmp_path)
    export = write_google_csv(folder / "e.csv")
    (tmp_path / "roster.txt").write_bytes("Ana Quill\nJos\u00e9 N\u00fa\u00f1ez\n".encode("latin-1"))
    result, out = run("deidentify", export, "--codebook", cb, "--out", tmp_path / "o", "--roster", tmp_path / "roster.txt")
    assert result.exit_code == 2, out
    assert "Traceback" not in out and len(out.strip().splitlines()) == 1
    assert re.search(r"roster\.txt, row 2: the roster file is not UTF-8 text\. Save it as UTF-8", out), out
    assert "Jos" not in out and "Ana" not in out
    assert not (tmp_path / "o").exists()


# ---------------------------------------------------------------------------------------------
# codebook init


def test_codebook_init_drafts_a_codebook_that_deidentify_accepts(tmp_path, sample_dir):
    export = shutil.copy(sample_dir / "survey_export.csv", tmp_path / "survey_export.csv")
    result, out = run("codebook", "init", export, "--out", tmp_path / "cb" / "codebook.yml")
    assert result.exit_code == 0, out
    assert "24 items in 6 proposed construct(s), 3 group" in out and "TODO marks" in out
    path = tmp_path / "cb" / "codebook.yml"
    result, out = run("deidentify", export, "--codebook", path, "--out", tmp_path / "clean")
    assert result.exit_code == 2 and "TODO mark(s)" in out and "Traceback" not in out  # an unfinished draft
    path.write_text(teacher_edits(path.read_text(encoding="utf-8")), encoding="utf-8")  # each mark decided
    cb = load_codebook(path)
    assert cb.id_column == "Student ID" and len(cb.items) == 24 and len(cb.constructs) == 6
    assert sum(i.reverse for i in cb.items) == 6
    result, out = run("deidentify", export, "--codebook", path, "--out", tmp_path / "clean")
    assert result.exit_code == 0, out
    _assert_no_canary(tmp_path / "clean", generate_sample().canaries)


def test_codebook_init_refuses_to_overwrite_a_codebook_without_force(tmp_path, sample_dir):
    (tmp_path / "codebook.yml").write_text("# my decisions\n")
    result, out = run("codebook", "init", sample_dir / "survey_export.csv", "--out", tmp_path / "codebook.yml")
    assert result.exit_code == 2 and "already exists" in out and "Traceback" not in out
    assert (tmp_path / "codebook.yml").read_text() == "# my decisions\n"
    result, out = run("codebook", "init", sample_dir / "survey_export.csv", "--out", tmp_path / "codebook.yml", "--force")
    assert result.exit_code == 0 and "TODO" in (tmp_path / "codebook.yml").read_text()


def test_codebook_init_on_a_missing_export_exits_2(tmp_path):
    result, out = run("codebook", "init", tmp_path / "nope.csv", "--out", tmp_path / "cb.yml")
    assert result.exit_code == 2 and "export file not found" in out and not (tmp_path / "cb.yml").exists()


def test_without_id_column_the_command_says_waves_will_not_link(tmp_path):
    folder, _ = _setup(tmp_path)
    (tmp_path / "cb.yml").write_text(codebook_yaml(google_columns(), id_column=None))
    export = write_google_csv(folder / "e.csv")
    result, out = run("deidentify", export, "--codebook", tmp_path / "cb.yml", "--out", tmp_path / "o")
    assert result.exit_code == 0 and "do not link across waves" in out
    assert "S1000" not in _all_output_text(tmp_path / "o")  # the unnamed ID column is dropped


def test_codebook_init_never_overwrites_the_export(tmp_path, sample_dir):
    export = Path(shutil.copy(sample_dir / "survey_export.csv", tmp_path / "survey_export.csv"))
    before = export.read_bytes()
    result, out = run("codebook", "init", export, "--out", export, "--force")
    assert result.exit_code == 2 and "would overwrite the export" in out
    assert export.read_bytes() == before
