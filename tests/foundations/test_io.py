"""toolkit.io: every export kind reads to the same numeric answers; every bad file gets one clear error."""

from __future__ import annotations

import codecs
import os
import re

import numpy as np
import pandas as pd
import pytest

from toolkit import ToolkitError, item_answers, parse_codebook, read_export
from toolkit.io import platform_metadata_reason

from _exports import (  # the exports every reader test uses
    ANSWERS,
    EMAILS,
    EXPECTED,
    GRADES,
    IDS,
    ITEMS,
    LABELS,
    N,
    NAMES,
    STEM,
    TEXTS,
    VOICE,
    codebook_yaml,
    google_columns,
    google_frame,
    labels_frame,
    qualtrics_codebook,
    qualtrics_rows,
    write_google_csv,
    write_microsoft_xlsx,
    write_rows,
)


# ---------------------------------------------------------------------------------------------
# every format reads to the same answers


def test_google_forms_csv_is_recognised_and_reads_the_grid_answers(tmp_path):
    raw = read_export(write_google_csv(tmp_path / "g.csv"), parse_codebook(codebook_yaml(google_columns())))
    assert raw.format == "google_forms" and raw.encoding == "utf-8" and raw.delimiter == ","
    assert list(raw.row_numbers[:2]) == [2, 3] and raw.n_rows == N
    pd.testing.assert_frame_equal(item_answers(raw, parse_codebook(codebook_yaml(google_columns()))), EXPECTED)


def test_microsoft_forms_xlsx_reads_the_same_answers(tmp_path):
    cb = parse_codebook(codebook_yaml(name_columns=("Name",)))
    raw = read_export(write_microsoft_xlsx(tmp_path / "ms.xlsx"), cb)
    assert raw.format == "microsoft_forms" and raw.encoding == "xlsx"
    assert raw.table.loc[0, "Grade"] == "9" and raw.table.loc[0, "ID"] == "1"
    pd.testing.assert_frame_equal(item_answers(raw, cb), EXPECTED)


@pytest.mark.parametrize("legacy", [False, True], ids=["three_rows", "legacy_two_rows"])
@pytest.mark.parametrize("numeric", [False, True], ids=["choice_text", "numeric_recode"])
def test_qualtrics_exports_read_the_same_answers_by_question_text(tmp_path, legacy, numeric):
    head, rows = qualtrics_rows(legacy=legacy, numeric=numeric)
    path = write_rows(tmp_path / "q.csv", head + rows)
    cb = qualtrics_codebook("text")
    raw = read_export(path, cb)
    assert raw.format == ("qualtrics_legacy" if legacy else "qualtrics")
    assert raw.header_rows == (2 if legacy else 3)
    assert raw.row_numbers[0] == raw.header_rows + 1
    pd.testing.assert_frame_equal(item_answers(raw, cb), EXPECTED)


def test_qualtrics_codebook_may_name_column_ids_and_foreign_question_text_is_kept(tmp_path):
    head, rows = qualtrics_rows(language="fr")
    raw = read_export(write_rows(tmp_path / "q.csv", head + rows), qualtrics_codebook("id"))
    assert "Q3_1" in raw.table.columns and raw.question_text["Q3_1"].endswith("J'aime les maths.")
    pd.testing.assert_frame_equal(item_answers(raw, qualtrics_codebook("id")), EXPECTED)
    raw_fr = read_export(write_rows(tmp_path / "q2.csv", head + rows), qualtrics_codebook("text", language="fr"))
    pd.testing.assert_frame_equal(item_answers(raw_fr, qualtrics_codebook("text", language="fr")), EXPECTED)


def test_semicolon_cp1252_export_with_odd_label_spelling_reads_the_same(tmp_path):
    frame = google_frame()
    grid = list(google_columns().values())
    frame[grid] = frame[grid].apply(lambda s: s.map(lambda v: f"  {v.upper()}. " if v else v))
    path = tmp_path / "excel_fr.csv"
    frame.to_csv(path, sep=";", index=False, encoding="cp1252", lineterminator="\r\n")
    cb = parse_codebook(codebook_yaml(google_columns()))
    raw = read_export(path, cb)
    assert (raw.encoding, raw.delimiter, raw.format) == ("cp1252", ";", "google_forms")
    assert "Café study groups" in set(raw.table[VOICE])
    pd.testing.assert_frame_equal(item_answers(raw, cb), EXPECTED)


@pytest.mark.parametrize(
    "encoding, bom, sep, expected",
    [("utf-16", b"", "\t", "utf-16"), ("utf-16-le", b"", "\t", "utf-16-le"), ("utf-8", codecs.BOM_UTF8, ",", "utf-8-sig")],
    ids=["utf16_bom_tab", "utf16_no_bom", "utf8_bom"],
)
def test_utf16_and_bom_exports_read_the_same(tmp_path, encoding, bom, sep, expected):
    text = google_frame().to_csv(sep=sep, index=False, lineterminator="\r\n")
    path = tmp_path / "e.csv"
    path.write_bytes(bom + text.encode(encoding))
    cb = parse_codebook(codebook_yaml(google_columns()))
    raw = read_export(path, cb)
    assert raw.encoding == expected and raw.delimiter == sep
    assert raw.table.columns[0] == "Timestamp"
    pd.testing.assert_frame_equal(item_answers(raw, cb), EXPECTED)


def test_plain_csv_with_numbers_and_numbered_labels_reads_the_same(tmp_path):
    frame = google_frame().drop(columns=["Timestamp", "Email Address"])
    grid = list(google_columns().values())
    frame[grid[0]] = [str(a) if a else "" for a in ANSWERS[:, 0]]  # plain numbers
    frame[grid[1]] = [f"{a}.0" if a else "" for a in ANSWERS[:, 1]]  # numbers as a spreadsheet writes them
    frame[grid[2]] = [f"{a} - {LABELS[a - 1]}" if a else "" for a in ANSWERS[:, 2]]  # "4 - Agree"
    cb = parse_codebook(codebook_yaml(google_columns()))
    raw = read_export(write_google_csv(tmp_path / "plain.csv", frame), cb)
    assert raw.format == "csv"
    pd.testing.assert_frame_equal(item_answers(raw, cb), EXPECTED)


def test_headers_differing_in_case_and_spaces_take_the_codebook_spelling(tmp_path):
    frame = google_frame().rename(columns={"Student ID": "  student   id ", "Grade": "GRADE"})
    raw = read_export(write_google_csv(tmp_path / "g.csv", frame), parse_codebook(codebook_yaml(google_columns())))
    assert {"Student ID", "Grade"} <= set(raw.table.columns)


def test_multiline_cells_keep_row_numbers_of_the_file(tmp_path):
    frame = google_frame()
    frame.loc[0, VOICE] = "Line one\nline two"
    raw = read_export(write_google_csv(tmp_path / "g.csv", frame))
    assert raw.table.loc[0, VOICE] == "Line one\nline two"
    assert list(raw.row_numbers[:2]) == [2, 3]  # spreadsheet rows, not text lines


def test_excel_without_platform_headers_is_plain_excel(tmp_path):
    path = tmp_path / "plain.xlsx"
    google_frame().drop(columns=["Timestamp"]).to_excel(path, index=False)
    raw = read_export(path)
    assert raw.format == "excel" and raw.table.loc[1, "Student ID"] == IDS[1]


def test_platform_metadata_is_recognised_per_format():
    assert platform_metadata_reason("IPAddress") == "Qualtrics metadata"
    assert platform_metadata_reason("Q7_DO", "qualtrics") == "Qualtrics metadata"
    assert platform_metadata_reason("Q_RelevantIDDuplicate", "qualtrics") == "Qualtrics metadata"
    assert platform_metadata_reason("Email Address", "google_forms") == "Google Forms metadata"
    assert platform_metadata_reason("Points - Question 1", "microsoft_forms") == "Microsoft Forms metadata"
    assert platform_metadata_reason("Name", "google_forms") is None  # a question called Name is not metadata there
    assert platform_metadata_reason("I like maths.", "qualtrics") is None


# ---------------------------------------------------------------------------------------------
# errors


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(ToolkitError, match=r"nope\.csv: export file not found"):
        read_export(tmp_path / "nope.csv")


def test_empty_file_is_refused(tmp_path):
    (tmp_path / "e.csv").write_bytes(b"")
    with pytest.raises(ToolkitError, match=r"e\.csv: the export file is empty"):
        read_export(tmp_path / "e.csv")


def test_blank_file_is_refused(tmp_path):
    (tmp_path / "b.csv").write_bytes(b"\n\n\n")
    with pytest.raises(ToolkitError, match=r"no table|no comma"):
        read_export(tmp_path / "b.csv")


@pytest.mark.parametrize("name, content", [("x.json", b'{"a": 1}'), ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100)),
                                            ("notes.csv", b"just one line of words\nand another\n")])
def test_unknown_format_is_refused(tmp_path, name, content):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(ToolkitError, match=r"unknown export format"):
        read_export(tmp_path / name)


def test_fake_xlsx_is_refused(tmp_path):
    (tmp_path / "x.xlsx").write_text("a,b\n1,2\n")
    with pytest.raises(ToolkitError, match=r"named like an Excel workbook but is not one"):
        read_export(tmp_path / "x.xlsx")


def test_unreadable_encoding_is_refused(tmp_path):
    (tmp_path / "bin.csv").write_bytes(b"a,b\n\x81\x8d\x8f,\x90\x9d\n")
    with pytest.raises(ToolkitError, match=r"text encoding of the file cannot be read.*CSV UTF-8"):
        read_export(tmp_path / "bin.csv")


def test_header_without_answers_is_refused(tmp_path):
    (tmp_path / "h.csv").write_text("Student ID,Grade\n")
    with pytest.raises(ToolkitError, match=r"no data rows"):
        read_export(tmp_path / "h.csv")


def test_row_longer_than_header_names_the_row(tmp_path):
    (tmp_path / "r.csv").write_text("Student ID,Grade\nS1,9\nS2,9,extra\n")
    with pytest.raises(ToolkitError, match=r"row 3: this row has 3 cells but the header has 2"):
        read_export(tmp_path / "r.csv")


def test_codebook_columns_missing_from_export_are_named_with_closest_headers(tmp_path):
    frame = google_frame().rename(columns={"Grade": "Grade level"})
    cb = parse_codebook(codebook_yaml(google_columns()))
    with pytest.raises(ToolkitError, match=r"g\.csv: the codebook names 1 column\(s\) that the export does not have: "
                                           r"'Grade' \(group column; closest headers: 'Grade level'"):
        read_export(write_google_csv(tmp_path / "g.csv", frame), cb)


def test_duplicate_headers_named_by_the_codebook_are_refused(tmp_path):
    frame = google_frame()
    frame.insert(5, "Grade ", frame["Grade"])  # becomes "Grade" once stripped
    with pytest.raises(ToolkitError, match=r"column 'Grade': two columns have the same header \(columns 5 and 6\)"):
        read_export(write_google_csv(tmp_path / "g.csv", frame), parse_codebook(codebook_yaml(google_columns())))


def test_unknown_label_names_label_column_rows_and_known_labels(tmp_path):
    frame = google_frame()
    col = google_columns()["m2"]
    frame.loc[[4, 9], col] = "Agre"
    cb = parse_codebook(codebook_yaml(google_columns()))
    raw = read_export(write_google_csv(tmp_path / "g.csv", frame), cb)
    with pytest.raises(ToolkitError, match=r"row 6, column '.*Maths is easy for me\.\]', value 'Agre': unknown answer label "
                                           r"for item m2; first seen in rows 6, 11\. The codebook knows the labels "
                                           r"'Strongly disagree', .*'Strongly agree'"):
        item_answers(raw, cb)


def test_number_outside_the_scale_is_an_unknown_answer(tmp_path):
    frame = google_frame()
    frame.loc[0, google_columns()["m1"]] = "7"
    cb = parse_codebook(codebook_yaml(google_columns()))
    raw = read_export(write_google_csv(tmp_path / "g.csv", frame), cb)
    with pytest.raises(ToolkitError, match=r"value '7': unknown answer label for item m1.*numbers 1 to 5"):
        item_answers(raw, cb)


def test_sample_export_reads_as_google_forms(sample_dir, sample_codebook):
    raw = read_export(sample_dir / "survey_export.csv", sample_codebook)
    assert raw.format == "google_forms" and raw.n_rows == 245
    answers = item_answers(raw, sample_codebook)
    assert answers.shape == (245, 24) and set(np.unique(answers.to_numpy()[answers.notna().to_numpy()])) == {1.0, 2.0, 3.0, 4.0, 5.0}


def test_legacy_qualtrics_with_numbered_metadata_uses_the_metadata_names(tmp_path):
    header1 = [f"V{k}" for k in range(1, 11)] + ["Q1", "Q2", "Q3_1", "Q3_2", "Q3_3", "Q3_4", "Q4"]
    header2 = ["ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress", "IPAddress", "Status",
               "StartDate", "EndDate", "Finished", "Student ID", "Grade", *[f"{STEM} - {t}" for t in ITEMS.values()], VOICE]
    items = labels_frame(numeric=True)
    rows = [[f"R_{i}", "Default Response Set", "Anonymous", "", "", f"10.1.0.{i}", "0", "2026-09-14 09:00:00",
             "2026-09-14 09:05:00", "1", IDS[i], GRADES[i], *items.iloc[i], TEXTS[i]] for i in range(N)]
    cb = parse_codebook(codebook_yaml({k: f"{STEM} - {t}" for k, t in ITEMS.items()}, name_columns=("Name",)))
    raw = read_export(write_rows(tmp_path / "legacy.csv", [header1, header2] + rows), cb)
    assert raw.format == "qualtrics_legacy" and raw.row_numbers[0] == 3
    assert {"IPAddress", "Finished", "Status"} <= set(raw.table.columns) and "V6" not in raw.table.columns
    pd.testing.assert_frame_equal(item_answers(raw, cb), EXPECTED)


def test_empty_headers_are_named_by_position(tmp_path):
    (tmp_path / "e.csv").write_text("Student ID,Grade,,\nS1,9,,\nS2,10,,\n")
    raw = read_export(tmp_path / "e.csv")
    assert list(raw.table.columns) == ["Student ID", "Grade", "(unnamed column 3)", "(unnamed column 4)"]


def test_unknown_answer_that_is_an_identifier_is_not_shown_in_the_error(tmp_path):
    frame = google_frame()
    frame.loc[2, google_columns()["m1"]] = EMAILS[2]
    cb = parse_codebook(codebook_yaml(google_columns()))
    raw = read_export(write_google_csv(tmp_path / "g.csv", frame), cb)
    with pytest.raises(ToolkitError, match=r"row 4, column .*, value '\[EMAIL\]': unknown answer label") as err:
        item_answers(raw, cb)
    assert EMAILS[2] not in str(err.value)


@pytest.mark.parametrize("typed, shown", [(IDS[5], "[ID]"), (NAMES[5].split()[0], "[NAME]"), (NAMES[5].split()[1].lower(), "[NAME]")])
def test_a_students_own_id_or_name_typed_as_an_answer_is_not_shown_in_the_error(tmp_path, typed, shown):
    frame = google_frame()
    frame.loc[2, google_columns()["m1"]] = typed
    cb = parse_codebook(codebook_yaml(google_columns()))
    raw = read_export(write_google_csv(tmp_path / "g.csv", frame), cb)
    with pytest.raises(ToolkitError, match=rf"row 4, column .*, value '{re.escape(shown)}': unknown answer label") as err:
        item_answers(raw, cb)
    assert typed not in str(err.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file_is_refused(tmp_path):
    path = write_google_csv(tmp_path / "g.csv")
    path.chmod(0)
    with pytest.raises(ToolkitError, match=r"g\.csv: the export file cannot be opened \(Permission denied\)"):
        read_export(path)


def test_codebook_column_matching_two_headers_loosely_is_refused(tmp_path):
    frame = google_frame()
    frame["grade "] = frame["Grade"]
    frame = frame.rename(columns={"Grade": "GRADE"})
    with pytest.raises(ToolkitError, match=r"column 'Grade': the codebook's column matches 2 headers of the export \('GRADE', 'grade'\)"):
        read_export(write_google_csv(tmp_path / "g.csv", frame), parse_codebook(codebook_yaml(google_columns())))
