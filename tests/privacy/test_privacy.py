"""toolkit.privacy: the key, keyed pseudonyms, free-text scrubbing, the ledger and the disclosure report."""

from __future__ import annotations

import os
import re
import stat

import numpy as np
import pandas as pd
import pytest
from _exports import (
    EMAILS,
    IDS,
    ITEMS,
    N,
    NAMES,
    VOICE,
    codebook_yaml,
    google_columns,
    google_frame,
    qualtrics_codebook,
    qualtrics_rows,
    write_google_csv,
    write_rows,
)

from toolkit import (
    ToolkitError,
    deidentify,
    generate_sample,
    load_or_create_key,
    parse_codebook,
    pseudonymize,
    read_export,
    scrub_text,
)
from toolkit.privacy.columns import identifying_columns

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))


def _google(tmp_path, frame=None, **cb):
    cbk = parse_codebook(codebook_yaml(google_columns(), **cb))
    return read_export(write_google_csv(tmp_path / "g.csv", frame), cbk), cbk


# ---------------------------------------------------------------------------------------------
# key


def test_new_key_is_32_random_bytes_in_a_private_file(tmp_path):
    path = tmp_path / "cfg" / "pseudonym.key"
    key = load_or_create_key(path)
    assert len(key) == 32 and path.read_bytes() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) & 0o077 == 0
    assert load_or_create_key(path) == key  # read, not remade
    assert load_or_create_key(tmp_path / "other.key") != key


def test_key_location_defaults_to_the_environment_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLKIT_KEY_FILE", str(tmp_path / "env.key"))
    key = load_or_create_key()
    assert (tmp_path / "env.key").read_bytes() == key


def test_key_readable_by_others_is_refused(tmp_path):
    path = tmp_path / "k.key"
    load_or_create_key(path)
    os.chmod(path, 0o644)
    with pytest.raises(ToolkitError, match=r"k\.key: the pseudonym key file can be read or changed by other users \(mode 0644\).*chmod 600"):
        load_or_create_key(path)


def test_key_of_the_wrong_size_is_refused(tmp_path):
    path = tmp_path / "k.key"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, b"short")
    os.close(fd)
    with pytest.raises(ToolkitError, match=r"k\.key: the pseudonym key file has 5 bytes, not 32.*Restore the key file"):
        load_or_create_key(path)


def test_key_path_that_is_a_folder_is_refused(tmp_path):
    with pytest.raises(ToolkitError, match=r"not a regular file"):
        load_or_create_key(tmp_path)


# ---------------------------------------------------------------------------------------------
# pseudonyms


def test_pseudonyms_are_keyed_hmac_of_the_normalised_id():
    import hashlib
    import hmac

    p = pseudonymize(pd.Series(["FAKE-10001", " fake-10001 ", "FAKE-10002", ""]), KEY)
    assert p[0] == p[1] != p[2] and p[3] == ""
    assert re.fullmatch(r"P-[0-9a-f]{12}", p[0])
    assert p[0] == "P-" + hmac.new(KEY, b"fake-10001", hashlib.sha256).hexdigest()[:12]
    assert p[0] != "P-" + hashlib.sha256(b"fake-10001").hexdigest()[:12]  # not a plain hash


def test_numeric_ids_resaved_by_a_spreadsheet_keep_their_pseudonym():
    p = pseudonymize(["00123", "123", "123.0", " 123 ", "1230"], KEY)
    assert p[0] == p[1] == p[2] == p[3] != p[4]


def test_numeric_ids_in_free_text_are_scrubbed_with_or_without_leading_zeros():
    assert list(scrub_text(["I am 00123", "I am 123", "grade 12"], ids=["00123"])) == ["I am [ID]", "I am [ID]", "grade 12"]


def test_another_key_gives_other_pseudonyms():
    ids = pd.Series(IDS)
    a, b = pseudonymize(ids, KEY), pseudonymize(ids, OTHER_KEY)
    assert not set(a) & set(b)


def test_bad_key_is_refused():
    with pytest.raises(ToolkitError, match=r"pseudonym key must be 32 bytes"):
        pseudonymize(["x"], b"short")


# ---------------------------------------------------------------------------------------------
# scrubbing


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Email me at lena.fakely0@example.org if there is more", "Email me at [EMAIL] if there is more"),
        ("write to ana (at) school (dot) org", "write to [EMAIL]"),
        ("DM me @kayla_22 on insta", "DM me [HANDLE] on insta"),
        ("Text me at 555-0142 before tests", "Text me at [PHONE] before tests"),
        ("call (555) 555-0199 or 555.555.0100", "call [PHONE] or [PHONE]"),
        ("my mum: +44 20 7946 0958, dad +1 555 555 0123", "my mum: [PHONE], dad [PHONE]"),
        ("see https://example.org/page?x=1. or www.khanacademy.org", "see [URL]. or [URL]"),
        ("my IP is 192.168.1.20", "my IP is [IP]"),
        ("I live at 42 Maple Street, Apt 3B near school", "I live at [ADDRESS] near school"),
        ("ask Mr Thornbury for help", "ask Mr [NAME] for help"),
        ("Studying with Avery Blake after school", "Studying with [NAME] after school"),
        ("my id is FAKE-10001", "my id is [ID]"),
    ],
)
def test_scrub_text_replaces_each_kind_of_identifier(text, expected):
    assert scrub_text([text], ids=["FAKE-10001"]).iloc[0] == expected


def test_scrub_text_removes_known_names_case_insensitively_by_token():
    out = scrub_text(["quinn and TESTWOOD helped me", "Quinnlan is not a match", "with Quinn Testwood"],
                     names=["Quinn Testwood"], heuristic=False)
    assert list(out) == ["[NAME] and [NAME] helped me", "Quinnlan is not a match", "with [NAME]"]


def test_scrub_text_leaves_ordinary_answers_alone():
    keep = ["Get a B or better on the unit tests", "Study a little every day instead of cramming",
            "When the teacher shows an example first", "The test on 2026-09-14 was hard", "I got 85 out of 100",
            "Spanish Club helps", "I learn in Math Class", "my goal for 2026-2027", ""]
    assert list(scrub_text(keep)) == keep


def test_names_that_are_everyday_words_are_scrubbed_only_when_capitalised():
    out = scrub_text(["I will study more", "Will helps me", "ask will"], names=["Will Rook"], heuristic=False)
    assert list(out) == ["I will study more", "[NAME] helps me", "ask will"]


def test_scrub_text_handles_accented_and_hyphenated_names():
    out = scrub_text(["José works with Mary-Jane Ødegård", "ask josé"], names=["José Núñez"])
    assert list(out) == ["[NAME] works with [NAME]", "ask [NAME]"]


def test_email_used_as_student_id_is_pseudonymised_and_its_name_scrubbed(tmp_path):
    frame = google_frame()
    frame.loc[0, VOICE] = "ask ben about it"
    cb = parse_codebook(codebook_yaml(google_columns(), id_column="Email Address", name_columns=()))
    raw = read_export(write_google_csv(tmp_path / "g.csv", frame), cb)
    d = deidentify(raw, cb, key=KEY)
    assert d.responses.index.is_unique and "Email Address" in dict(d.disclosure.dropped_columns)
    assert "ben" not in d.responses["helps"].iloc[0].casefold()  # "ben" from ben.rook1@school.example.org


def test_scrub_text_keeps_missing_values_missing():
    out = scrub_text(pd.Series(["a", np.nan, "call 555-0142"], index=[5, 6, 7]))
    assert list(out.index) == [5, 6, 7] and pd.isna(out[6]) and out[7] == "call [PHONE]"


def test_identifying_columns_found_by_header_and_by_values():
    t = pd.DataFrame(
        {
            "Contact": [f"s{i}@example.org" for i in range(30)],
            "Where": [f"10.0.{i}.1" for i in range(30)],
            "Kid": [f"{a} {b}" for a, b in zip(["Ana", "Ben", "Cleo"] * 10, [f"Rook{chr(97 + i % 26)}" for i in range(30)])],
            "Code": [f"X{i:05d}" for i in range(30)],
            "Home phone": ["555-0100"] * 30,
            "Lat": [f"40.{i:04d}" for i in range(30)],
            "Section": ["9A", "9B", "9C"] * 10,
        }
    )
    found = dict(zip(*identifying_columns(t).to_dict("list").values()))
    assert "emails" in found["Contact"] and "IP" in found["Where"] and "names" in found["Kid"]
    assert "unique" in found["Code"] and "phone" in found["Home phone"] and "coordinates" in found["Lat"]
    assert "Section" not in found


# ---------------------------------------------------------------------------------------------
# deidentify


def test_responses_have_pseudonym_index_groups_float_items_and_scrubbed_voice(tmp_path):
    frame = google_frame()
    frame.loc[2, VOICE] = f"I work with {NAMES[5]}, mail {EMAILS[5]}"
    raw, cb = _google(tmp_path, frame)
    d = deidentify(raw, cb, key=KEY)
    r = d.responses
    assert r.index.name == "pseudonym" and list(r.columns) == ["Grade", *ITEMS, "helps"]
    assert all(r[i].dtype == np.float64 for i in ITEMS)
    assert r.loc[pseudonymize([IDS[2]], KEY)[0], "helps"] == "I work with [NAME], mail [EMAIL]"
    assert d.disclosure.scrubbed == {"email": 1, "name": 1}


def test_ledger_accounts_for_every_row_with_reasons(tmp_path):
    frame = google_frame()
    grid = list(google_columns().values())
    frame.loc[1, grid[:3]] = ""  # 1 of 4 answered: under 50%
    frame.loc[4] = [""] * frame.shape[1]  # empty row
    frame.loc[6, "Student ID"] = ""  # no ID
    again = frame.iloc[[8]].copy()  # student 8 sends the form again, later
    again[grid] = "Agree"
    frame = pd.concat([frame, again], ignore_index=True)
    raw, cb = _google(tmp_path, frame)
    d = deidentify(raw, cb, key=KEY)
    led = d.ledger.set_index("row")
    assert len(led) == raw.n_rows == N + 1
    assert (led["status"] == "kept").sum() + (led["status"] == "excluded").sum() == raw.n_rows
    assert led.loc[3, "reason"] == "answered 1 of 4 items (25%), under the minimum 50%"
    assert led.loc[6, "reason"] == "empty row"
    assert led.loc[8, "reason"] == "no student ID"
    assert led.loc[10, "reason"] == f"duplicate submission of the same student; row {N + 2} kept (the last)"
    assert led.loc[N + 2, "status"] == "kept" and led.loc[N + 2, "flags"] == "straight-lining"
    assert led.loc[10, "pseudonym"] == led.loc[N + 2, "pseudonym"]
    assert len(d.responses) == (led["status"] == "kept").sum() and d.responses.index.is_unique
    assert d.disclosure.rows == {"read": N + 1, "kept": N - 3, "excluded": 4}
    # row 9 (index 7) answers the same everywhere by chance, and the retry of student 8 on purpose
    assert d.disclosure.flags == {"straight-lining (same answer to every item)": 2}
    text = d.ledger.to_csv()
    assert not any(v in text for v in IDS + NAMES + EMAILS)


def test_straight_lining_can_be_excluded_on_request(tmp_path):
    frame = google_frame()
    frame.loc[0, list(google_columns().values())] = "Agree"
    raw, cb = _google(tmp_path, frame)
    d = deidentify(raw, cb, key=KEY, exclude_straight_lining=True)
    assert d.ledger.loc[0, "reason"] == "straight-lining (same answer to every item)"


def test_qualtrics_previews_tests_and_unfinished_responses_are_excluded(tmp_path):
    head, rows = qualtrics_rows()
    rows[0][2] = "Survey Preview"
    rows[1][15] = "test"  # DistributionChannel
    rows[2][6] = "False"  # Finished
    rows[3][2] = "8"  # numeric status: spam
    cb = qualtrics_codebook("text")
    raw = read_export(write_rows(tmp_path / "q.csv", head + rows), cb)
    d = deidentify(raw, cb, key=KEY)
    assert list(d.ledger["reason"][:4]) == ["Qualtrics survey preview", "Qualtrics survey test",
                                            "unfinished response (Qualtrics Finished = False)", "Qualtrics spam"]
    assert list(d.ledger["row"][:2]) == [4, 5]
    dropped = dict(d.disclosure.dropped_columns)
    assert dropped["IPAddress"] == "Qualtrics metadata" and dropped["LocationLatitude"] == "Qualtrics metadata"
    assert dropped["Q3_DO"] == "Qualtrics metadata" and dropped["Student ID"].startswith("student ID")
    assert dropped["RecipientFirstName"].startswith("name column")


def test_same_key_links_waves_and_another_key_does_not(sample_dir, sample_codebook):
    w1 = deidentify(read_export(sample_dir / "survey_export.csv", sample_codebook), sample_codebook, key=KEY)
    w2 = deidentify(read_export(sample_dir / "survey_export_wave2.csv", sample_codebook), sample_codebook, key=KEY)
    again = deidentify(read_export(sample_dir / "survey_export.csv", sample_codebook), sample_codebook, key=KEY)
    other = deidentify(read_export(sample_dir / "survey_export_wave2.csv", sample_codebook), sample_codebook, key=OTHER_KEY)
    pd.testing.assert_frame_equal(w1.responses, again.responses)
    shared = set(w1.responses.index) & set(w2.responses.index)
    assert len(shared) >= 0.9 * len(w2.responses)
    # every wave-2 student is a wave-1 student: each one's pseudonym is in the wave-1 ledger
    assert set(w2.responses.index) <= set(w1.ledger["pseudonym"])
    assert not set(other.responses.index) & set(w1.responses.index)


def test_without_id_column_pseudonyms_come_from_rows_and_do_not_link_files(tmp_path):
    cb = parse_codebook(codebook_yaml(google_columns(), id_column=None))
    a = deidentify(read_export(write_google_csv(tmp_path / "a.csv"), cb), cb, key=KEY)
    frame = google_frame()
    frame.loc[0, "Grade"] = "10"
    b = deidentify(read_export(write_google_csv(tmp_path / "b.csv", frame), cb), cb, key=KEY)
    assert a.responses.index.is_unique and not set(a.responses.index) & set(b.responses.index)
    assert a.disclosure.pseudonyms["linkable_across_waves"] is False
    assert "Student ID" in dict(a.disclosure.dropped_columns)


def test_identifying_group_column_is_refused_unless_allowed(tmp_path):
    frame = google_frame()
    frame["Home phone"] = [f"555-01{i:02d}" for i in range(N)]
    cb = parse_codebook(codebook_yaml(google_columns(), group_columns=("Grade", "Home phone")))
    raw = read_export(write_google_csv(tmp_path / "g.csv", frame), cb)
    with pytest.raises(ToolkitError, match=r"column 'Home phone': group column looks identifying \(header says phone.*--allow-group 'Home phone'"):
        deidentify(raw, cb, key=KEY)
    d = deidentify(raw, cb, key=KEY, allow_identifying_groups=["Home phone"])
    assert ("Home phone", "kept as a group column (allowed explicitly)") == d.disclosure.identifying_columns[-1][::2]


def test_allowing_a_column_that_is_not_a_group_is_refused(tmp_path):
    raw, cb = _google(tmp_path)
    with pytest.raises(ToolkitError, match=r"column 'Email Address': an allowed identifying group column is not a group column"):
        deidentify(raw, cb, key=KEY, allow_identifying_groups=["Email Address"])


def test_every_row_excluded_is_an_error_with_the_reasons(tmp_path):
    frame = google_frame()
    frame[list(google_columns().values())] = ""
    raw, cb = _google(tmp_path, frame)
    with pytest.raises(ToolkitError, match=rf"g\.csv: every one of the {N} rows was excluded \(under the minimum share of answered items: {N}\)"):
        deidentify(raw, cb, key=KEY)


def test_bad_min_answered_is_refused(tmp_path):
    raw, cb = _google(tmp_path)
    with pytest.raises(ToolkitError, match=r"min_answered=1.5 should be a share between 0 and 1"):
        deidentify(raw, cb, key=KEY, min_answered=1.5)


def test_disclosure_reports_smallest_group_and_too_fine_columns(tmp_path):
    raw, cb = _google(tmp_path)
    d = deidentify(raw, cb, key=KEY, min_cell=9)
    g = d.disclosure.groups
    assert g["smallest_group"] == 8 and g["n_groups"] == 3 and g["too_fine"] == ["Grade"]
    md = d.disclosure.to_markdown()
    assert "k-anonymity k = 8" in md and "`Grade`: 3 groups, smallest 8: too fine to report" in md
    assert d.disclosure.to_dict()["rows"] == {"read": N, "kept": N, "excluded": 0}
    assert deidentify(raw, cb, key=KEY, min_cell=9).disclosure.to_json() == d.disclosure.to_json()


def test_sample_canaries_never_reach_any_output(sample_dir, sample_codebook):
    s = generate_sample()
    d = deidentify(read_export(sample_dir / "survey_export.csv", sample_codebook), sample_codebook, key=KEY)
    blob = "\n".join([d.responses.to_csv(), d.ledger.to_csv(), d.disclosure.to_markdown(), d.disclosure.to_json()])
    leaked = [c for c in s.canaries if c.casefold() in blob.casefold()]
    assert leaked == []
    assert KEY.hex() not in blob
    # every planted identifier in the free text was replaced by a tag
    assert sum(d.disclosure.scrubbed.values()) >= (s.truth["quirk"] == "planted_identifier").sum()


def test_identifying_columns_the_codebook_does_not_name_still_feed_the_scrubber(tmp_path):
    frame = google_frame()
    frame.loc[0, VOICE] = f"my number is {IDS[3]} and I sit with {NAMES[5].split()[0]}"
    cb = parse_codebook(codebook_yaml(google_columns(), id_column=None, name_columns=()))
    d = deidentify(read_export(write_google_csv(tmp_path / "g.csv", frame), cb), cb, key=KEY)
    assert d.responses["helps"].iloc[0] == "my number is [ID] and I sit with [NAME]"


def test_qualtrics_read_without_codebook_matches_question_text_at_deidentify(tmp_path):
    head, rows = qualtrics_rows()
    raw = read_export(write_rows(tmp_path / "q.csv", head + rows))  # headers are the column ids
    assert "Q3_1" in raw.table.columns
    d = deidentify(raw, qualtrics_codebook("text"), key=KEY)
    assert d.disclosure.rows["kept"] == N and list(d.responses.columns[1:5]) == list(ITEMS)
