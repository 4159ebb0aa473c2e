"""Survey exports as each platform writes them, and the edits a teacher makes to a drafted codebook.

Shared by the tests of reading (foundations/test_io.py), de-identification (privacy/), the
codebook draft and the command line: 24 fake students (IDs S1000..., names from a fixed list,
e-mails on example.org), four agreement items, a grade column and one free-text question.
"""

from __future__ import annotations

import json
import re

import numpy as np
import openpyxl
import pandas as pd

from toolkit import parse_codebook

LABELS = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
STEM = "How true is this for you?"
ITEMS = {
    "m1": "I like maths.",
    "m2": "Maths is easy for me.",
    "m3": "I find maths boring.",
    "s1": "I like science, and I am good at it.",
}
VOICE = "What helps you learn best?"
N = 24

# Answers 1..5 with a few skipped (0 = skipped), the truth every format must read back.
_rng = np.random.default_rng(7)
ANSWERS = _rng.integers(1, 6, size=(N, len(ITEMS)))
ANSWERS[[3, 10, 17], [0, 2, 3]] = 0
EXPECTED = pd.DataFrame(np.where(ANSWERS == 0, np.nan, ANSWERS).astype(float), columns=list(ITEMS))
IDS = [f"S{1000 + i}" for i in range(N)]
GRADES = [str(9 + i % 3) for i in range(N)]
FIRST = ["Ana", "Ben", "Cleo", "Dev", "Eli", "Fay"]
LAST = ["Quill", "Rook", "Sparrow", "Thorne"]
NAMES = [f"{FIRST[i % 6]} {LAST[i % 4]}" for i in range(N)]
EMAILS = [f"{n.lower().replace(' ', '.')}{i}@school.example.org" for i, n in enumerate(NAMES)]
TEXTS = ["Worked examples first", "Quiet time, then questions", "Café study groups"] * (N // 3)


def codebook_yaml(columns: dict[str, str] | None = None, *, id_column="Student ID", name_columns=("Your name",),
                  group_columns=("Grade",), voice=VOICE) -> str:
    """The test codebook; ``columns`` maps item id -> export header (default: the plain text)."""
    columns = columns or ITEMS
    lines = [
        "title: Test survey",
        "response_scale: {min: 1, max: 5, labels: [" + ", ".join(LABELS) + "]}",
    ]
    if id_column:
        lines.append(f"id_column: {json.dumps(id_column)}")
    lines.append("name_columns: [" + ", ".join(json.dumps(c) for c in name_columns) + "]")
    lines.append("group_columns: [" + ", ".join(json.dumps(c) for c in group_columns) + "]")
    if voice:
        lines.append(f"voice_columns: {{helps: {json.dumps(voice)}}}")
    lines += ["constructs:", "  maths:", "    label: Maths", "    items:"]
    for iid in ("m1", "m2", "m3"):
        rev = ", reverse: true" if iid == "m3" else ""
        lines.append(f"      {iid}: {{column: {json.dumps(columns[iid])}{rev}}}")
    lines += ["  science:", "    label: Science", "    items:", f"      s1: {json.dumps(columns['s1'])}"]
    return "\n".join(lines) + "\n"


def labels_frame(answers=ANSWERS, headers=None, numeric=False) -> pd.DataFrame:
    headers = headers or list(ITEMS.values())
    if numeric:
        cells = np.where(answers == 0, "", answers.astype(str))
    else:
        cells = np.array([""] + LABELS, dtype=object)[answers]
    return pd.DataFrame(cells, columns=headers)


def google_frame() -> pd.DataFrame:
    """A Google Forms export whose items are one grid: 'How true is this for you? [I like maths.]'."""
    front = pd.DataFrame(
        {
            "Timestamp": [f"2026/09/14 9:{i:02d}:00 AM GMT-4" for i in range(N)],
            "Email Address": EMAILS,
            "Your name": NAMES,
            "Student ID": IDS,
            "Grade": GRADES,
        }
    )
    items = labels_frame(headers=[f"{STEM} [{t}]" for t in ITEMS.values()])
    out = pd.concat([front, items], axis=1)
    out[VOICE] = TEXTS
    return out


def google_columns() -> dict[str, str]:
    return {k: f"{STEM} [{t}]" for k, t in ITEMS.items()}


def write_google_csv(path, frame=None, **kw):
    (google_frame() if frame is None else frame).to_csv(path, index=False, lineterminator="\n", **kw)
    return path


def write_microsoft_xlsx(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    headers = ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time", "Student ID", "Grade",
               *ITEMS.values(), VOICE]
    ws.append(headers)
    items = labels_frame()
    for i in range(N):
        ws.append([i + 1, "9/14/26 9:00:00", "9/14/26 9:05:00", "anonymous" if i % 5 == 0 else EMAILS[i],
                   "anonymous" if i % 5 == 0 else NAMES[i], "", IDS[i], int(GRADES[i]),
                   *[v or None for v in items.iloc[i]], TEXTS[i]])
    wb.save(path)
    return path


def qualtrics_rows(*, legacy=False, numeric=False, language="en"):
    meta_ids = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
                "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
                "ExternalReference", "LocationLatitude", "LocationLongitude", "DistributionChannel", "UserLanguage",
                "Q_RecaptchaScore"]
    meta_text = ["Start Date", "End Date", "Response Type", "IP Address", "Progress", "Duration (in seconds)", "Finished",
                 "Recorded Date", "Response ID", "Recipient Last Name", "Recipient First Name", "Recipient Email",
                 "External Data Reference", "Location Latitude", "Location Longitude", "Distribution Channel",
                 "User Language", "Q_RecaptchaScore"]
    q_ids = ["Q1", "Q2", "Q3_1", "Q3_2", "Q3_3", "Q3_4", "Q3_DO", "Q4", "Q3_First Click"]
    texts = list(ITEMS.values()) if language == "en" else ["J'aime les maths.", "Les maths sont faciles.", "Les maths m'ennuient.", "J'aime les sciences."]
    q_text = ["Student ID", "Grade", *[f"{STEM} - {t}" for t in texts], "Q3 - Display Order", VOICE, "Timing - First Click"]
    header1 = meta_ids + q_ids
    header2 = meta_text + q_text
    import_row = [json.dumps({"ImportId": h}) for h in header1]
    items = labels_frame(numeric=numeric)
    rows = []
    for i in range(N):
        meta = ["2026-09-14 09:00:00", "2026-09-14 09:05:00", "IP Address", f"10.0.0.{i + 1}", "100", "300", "True",
                "2026-09-14 09:05:00", f"R_{i:05d}abc", LAST[i % 4], FIRST[i % 6], EMAILS[i], "", "40.7128", "-74.0060",
                "anonymous", "EN", "0.9"]
        rows.append(meta + [IDS[i], GRADES[i], *items.iloc[i], "1|2|3|4", TEXTS[i], "3.2"])
    head = [header1, header2] if legacy else [header1, header2, import_row]
    return head, rows


def write_rows(path, rows, *, delimiter=",", encoding="utf-8"):
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def qualtrics_codebook(by="text", language="en"):
    if by == "text":
        texts = list(ITEMS.values()) if language == "en" else ["J'aime les maths.", "Les maths sont faciles.", "Les maths m'ennuient.", "J'aime les sciences."]
        cols = {k: f"{STEM} - {t}" for k, t in zip(ITEMS, texts)}
        return parse_codebook(codebook_yaml(cols, name_columns=("RecipientFirstName", "RecipientLastName")))
    cols = {k: f"Q3_{n}" for n, k in enumerate(ITEMS, start=1)}
    return parse_codebook(codebook_yaml(cols, id_column="Q1", name_columns=("RecipientFirstName", "RecipientLastName"),
                                        group_columns=("Q2",), voice="Q4"))


def teacher_edits(draft: str, *, reverse: str = "hinted") -> str:
    """The edits a teacher makes to a draft after deciding each TODO mark.

    Every ``# TODO`` comment is deleted (the drafted value is accepted); TODO-only comment lines
    (an unsure group column, a missing ID) are deleted; with ``reverse="hinted"`` each item the
    draft hints at is marked ``reverse: true``, with ``reverse="none"`` the hints are ignored.
    """
    out = []
    lines = draft.splitlines()
    for k, line in enumerate(lines):
        if "TODO" not in line:
            out.append(line)
            continue
        code, _, comment = line.partition("  # TODO")
        if not code.strip() or code.lstrip().startswith("#"):
            continue  # a comment line that only asked a question
        if "reverse keyed?" in comment and reverse == "hinted":
            m = re.match(r'^(\s+\w+): (.*)$', code)
            head, value = m.group(1), m.group(2)
            if value.startswith("{"):
                code = f"{head}: {value[:-1]}, reverse: true}}"
            elif value.startswith('"'):
                code = f"{head}: {{column: {value}, reverse: true}}"
            else:  # an item with its own scale: a nested block follows
                indent = len(lines[k + 1]) - len(lines[k + 1].lstrip())
                out.append(code)
                out.append(" " * indent + "reverse: true")
                continue
        out.append(code.rstrip())
    return "\n".join(out) + "\n"
