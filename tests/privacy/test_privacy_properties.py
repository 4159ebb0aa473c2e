"""Property-based tests (Hypothesis) of the privacy contract, issue 16 part 6.

Generated inputs, each held to the contract:

- free text with a planted identifier of every kind: the identifier never survives scrubbing,
  whatever text surrounds it; arbitrary text, a long hostile answer too, never breaks the
  scrubber (its speed on such answers: benchmarks/scrub_hostile.py);
- malformed exports (random grids of cells with quotes, separators, formulas, empty rows,
  ragged rows) run through ``toolkit deidentify``: exit 0 with kept + excluded = read and no
  planted identifier in any output, or exit 2 with one message and nothing written;
- malformed codebooks (lines dropped, repeated, garbled): a Codebook or one ToolkitError, never
  another exception.

The number of examples is bounded so ``make test`` stays quick; set
``TOOLKIT_HYPOTHESIS_EXAMPLES`` (e.g. 500) for a longer run.
"""

from __future__ import annotations

import csv
import io
import os
import unicodedata

import pandas as pd
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.cli import cli
from toolkit.codebook import parse_codebook
from toolkit.errors import ToolkitError
from toolkit.scrub import _fold, scrub_text

N_EXAMPLES = int(os.environ.get("TOOLKIT_HYPOTHESIS_EXAMPLES", "40"))
FEW = max(5, N_EXAMPLES // 4)  # for the examples that run a whole command
SETTINGS = dict(deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# ---------------------------------------------------------------- free text

NAMES = ["José Núñez", "Łukasz Wójcik", "Mary-Jane Okafor", "Siobhán Ó Briain", "Zoë Quillfeather"]
IDS = ["S-0042", "QZX-48213", "2024-7781"]
# lower-case filler words that are neither names nor identifiers
WORDS = st.sampled_from("i like when we work in groups and the teacher explains it slowly with examples "
                        "then practice quiz notes help me study at home after class".split())
FILLER = st.lists(WORDS, min_size=0, max_size=8).map(" ".join)


def _name_variants(name: str):
    first, last = name.split(" ", 1)
    folded = _fold(name)
    return st.sampled_from([name, name.lower(), name.upper(), folded, unicodedata.normalize("NFD", name),
                            first, last.lower(), _fold(last), name.replace("-", " ")])


def _id_variants(sid: str):
    bare = sid.replace("-", "")
    return st.sampled_from([sid, sid.lower(), bare, " ".join(bare), sid.replace("-", " "), sid.replace("-", ".")])


# (planted text, strings that must not survive)
PLANTS = st.one_of(
    st.sampled_from(NAMES).flatmap(lambda n: _name_variants(n).map(lambda v: (v, [w for w in _fold(v).replace("-", " ").split() if len(w) > 2]))),
    st.sampled_from(IDS).flatmap(lambda i: _id_variants(i).map(lambda v: (v, ["".join(ch for ch in i if ch.isdigit()).lstrip("0")]))),
    st.tuples(st.from_regex(r"[a-z]{3,8}", fullmatch=True), st.from_regex(r"[a-z]{3,8}", fullmatch=True)).flatmap(
        lambda t: st.sampled_from([f"{t[0]}.{t[1]}@mail.example.org", f"{t[0]} at {t[1]} dot com", f"{t[0]} (at) {t[1]} (dot) net",
                                   f"{t[0]}.{t[1]}@{t[1]}.co.uk"]).map(lambda v: (v, [t[1]]))),
    st.integers(1_000_000, 9_999_999).flatmap(
        lambda d: st.sampled_from([f"{d:07d}"[:3] + "-" + f"{d:07d}"[3:], f"(415) {d:07d}"[:9] + "-" + f"{d:07d}"[3:],
                                   f"+33 6 {d:07d}"[:8] + " " + f"{d:07d}"[2:4] + " " + f"{d:07d}"[4:6] + " " + f"{d:07d}"[5:7],
                                   f"+44 20 {d:07d}"]).map(lambda v: (v, [v]))),
    st.integers(1, 999).map(lambda n: (f"{n} Wexford Lane", ["wexford"])),
    st.integers(1, 99).map(lambda n: (f"{n} rue des Abbesses, 75018 Paris", ["abbesses", "75018"])),
    st.integers(1, 99).map(lambda n: (f"Lindenstraße {n}", ["lindenstra"])),
    st.sampled_from(["EC1A 1BB", "SW1A 1AA", "M1 1AE"]).map(lambda v: (v, [v.lower()])),
    st.tuples(st.integers(1, 28), st.integers(1, 12), st.integers(1995, 2015)).flatmap(
        lambda d: st.sampled_from([f"{d[0]:02d}/{d[1]:02d}/{d[2]}", f"{d[2]}-{d[1]:02d}-{d[0]:02d}"]).map(lambda v: (v, [v]))),
    st.from_regex(r"[a-z]{4,10}", fullmatch=True).map(lambda h: (f"https://{h}.example.net/me", [h + ".example"])),
    st.tuples(*[st.integers(1, 254)] * 4).map(lambda q: (".".join(map(str, q)), [".".join(map(str, q))])),
)


@settings(max_examples=N_EXAMPLES * 5, **SETTINGS)
@given(before=FILLER, plant=PLANTS, after=FILLER, sep=st.sampled_from([" ", ", ", ". ", " - ", "\n"]))
def test_no_planted_identifier_survives_scrubbing_whatever_surrounds_it(before, plant, after, sep):
    text, needles = plant
    source = sep.join(x for x in (before, text, after) if x)
    out = _fold(scrub_text([source], names=NAMES, ids=IDS).iloc[0])
    for needle in needles:
        assert _fold(needle) not in out, (source, out)


@settings(max_examples=N_EXAMPLES * 5, **SETTINGS)
@given(st.lists(st.one_of(st.none(), st.text(max_size=200)), min_size=1, max_size=5))
def test_any_text_is_scrubbed_to_text_and_missing_stays_missing(texts):
    s = pd.Series(texts, dtype=object, index=range(10, 10 + len(texts)))
    out = scrub_text(s, names=NAMES, ids=IDS)
    assert list(out.index) == list(s.index)
    for a, b in zip(texts, out):
        if a is None:
            assert pd.isna(b)
        else:
            assert isinstance(b, str)


@settings(max_examples=max(5, N_EXAMPLES // 2), **SETTINGS)
@given(unit=st.text(alphabet="a1 .@-+()/:#\n", min_size=1, max_size=6))
def test_a_long_repetitive_answer_scrubs_to_one_answer(unit):
    # how long it takes is measured in benchmarks/scrub_hostile.py (same alphabet), not here
    text = (unit * (60_000 // len(unit) + 1))[:60_000]
    out = scrub_text(pd.Series([text], index=[7]), names=NAMES, ids=IDS)
    assert list(out.index) == [7] and isinstance(out.iloc[0], str)


# ---------------------------------------------------------------- malformed exports through the CLI

LABELS = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
HEADERS = ["Student ID", "Your name", "Grade", "q1", "q2", "q3", "q4", "helps"]
CODEBOOK = """title: Property test
response_scale: {min: 1, max: 5, labels: [Strongly disagree, Disagree, Neither agree nor disagree, Agree, Strongly agree]}
id_column: Student ID
name_columns: [Your name]
group_columns: [Grade]
voice_columns: {helps: helps}
constructs:
  a:
    label: A
    items: {q1: q1, q2: q2}
  b:
    label: B
    items: {q3: q3, q4: {column: q4, reverse: true}}
"""
CANARY_NAMES = ["Zanzibar Quillfeather", "Oriel Vantablack", "Peregrine Tusk"]
CANARY_IDS = ["CAN-77001", "CAN-77002", "CAN-77003"]
GOOD_ANSWER = st.sampled_from([*LABELS, "", "3", " agree ", "STRONGLY AGREE."])
BAD_ANSWER = st.one_of(GOOD_ANSWER, st.sampled_from(["=1+1", "Agre", "7"]))
TEXT_CELL = st.one_of(
    st.sampled_from(["", "examples", '"quoted, with comma"', "line\nbreak", "=HYPERLINK(\"x\")", "a;b\tc"]),
    st.sampled_from(CANARY_NAMES).map(lambda n: f"I sit with {n}"),
    st.sampled_from(CANARY_IDS).map(lambda i: f"my id {i.replace('-', '')}"),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30),
)


@st.composite
def exports(draw):
    n = draw(st.integers(1, 12))
    corrupt = draw(st.sampled_from([False, False, True]))  # a third of the exports have broken cells or rows
    answer = BAD_ANSWER if corrupt else GOOD_ANSWER
    rows, known_names, known_ids = [], set(), set()
    for i in range(n):
        k = draw(st.integers(0, len(CANARY_NAMES) - 1))
        row = [draw(st.sampled_from([CANARY_IDS[k], CANARY_IDS[k].lower(), ""])), CANARY_NAMES[k],
               draw(st.sampled_from(["9"] * 5 + ["10"] * 5 + ["", CANARY_NAMES[k]])),  # a name typed as the Grade
               *[draw(answer) for _ in range(4)], draw(TEXT_CELL)]
        shape = draw(st.sampled_from(["ok"] * 6 + ["short", "long", "empty"])) if corrupt else draw(st.sampled_from(["ok"] * 9 + ["empty"]))
        if shape == "short":
            row = row[: draw(st.integers(0, len(row) - 1))]
        elif shape == "long":
            row = row + ["extra"]
        elif shape == "empty":
            row = [""] * len(row)
        if len(row) > 1 and row[1]:
            known_names.add(row[1])
        if row and row[0]:
            known_ids.add(CANARY_IDS[k])
        rows.append(row)
    headers = list(HEADERS)
    if corrupt and draw(st.booleans()):
        headers[draw(st.integers(0, len(headers) - 1))] = draw(st.sampled_from(["q1", "Grade ", "", "helps"]))
    buf = io.StringIO()
    csv.writer(buf, delimiter=draw(st.sampled_from([",", ";", "\t"])), lineterminator="\n").writerows([headers, *rows])
    # the scrubber removes the names and IDs the export holds; a classmate's ID typed in an answer
    # but absent from the export cannot be known (docs/privacy.md says so)
    return buf.getvalue(), draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"])), known_names, known_ids


@settings(max_examples=FEW, **SETTINGS)
@given(export=exports())
def test_a_malformed_export_gives_exit_2_and_one_message_or_a_complete_ledger(tmp_path_factory, export):
    text, encoding, known_names, known_ids = export
    root = tmp_path_factory.mktemp("prop")
    (root / "in").mkdir()
    path = root / "in" / "export.csv"
    try:
        path.write_bytes(text.encode(encoding))
    except UnicodeEncodeError:
        path.write_bytes(text.encode("utf-8"))
    (root / "cb.yml").write_text(CODEBOOK, encoding="utf-8")
    out = root / "out"
    result = CliRunner().invoke(cli, ["deidentify", str(path), "--codebook", str(root / "cb.yml"), "--out", str(out),
                                      "--key-file", str(root / "k.key")])
    printed = result.output
    assert "Traceback" not in printed
    assert result.exit_code in (0, 2), (result.exit_code, printed, result.exception)
    lowered = printed.casefold()
    assert not any(w.casefold() in lowered for n in known_names for w in n.split())
    assert not any(i.casefold() in lowered or i.replace("-", "").casefold() in lowered for i in known_ids)
    if result.exit_code == 2:
        assert printed.startswith("Error: ") and len(printed.strip().splitlines()) == 1, printed
        assert not out.exists() or not any(out.iterdir())
        return
    ledger = pd.read_csv(out / "ledger.csv", keep_default_na=False)
    responses = pd.read_csv(out / "responses.csv", keep_default_na=False)
    kept = int((ledger["status"] == "kept").sum())
    excluded = int((ledger["status"] == "excluded").sum())
    assert kept + excluded == len(ledger) and kept == len(responses)
    disclosure = __import__("json").loads((out / "disclosure.json").read_text())
    assert disclosure["rows"]["read"] == len(ledger) == kept + excluded
    written = "\n".join(p.read_text(encoding="utf-8") for p in out.iterdir()).casefold()
    for name in known_names:
        assert name.casefold() not in written and not any(w.casefold() in written for w in name.split())
    for sid in known_ids:
        assert sid.casefold() not in written and sid.replace("-", "").casefold() not in written
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".")) == []


# ---------------------------------------------------------------- malformed codebooks

CB_LINES = CODEBOOK.splitlines()


@st.composite
def codebooks(draw):
    lines = list(CB_LINES)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["drop", "repeat", "garble", "indent", "insert"]))
        i = draw(st.integers(0, len(lines) - 1)) if lines else 0
        if not lines:
            lines.append(draw(st.text(max_size=20)))
        elif op == "drop":
            lines.pop(i)
        elif op == "repeat":
            lines.insert(i, lines[i])
        elif op == "garble":
            pos = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:pos] + draw(st.sampled_from(["{", "]", ":", "&a", "*a", "!!python/object", "\t", "'", "- "])) + lines[i][pos:]
        elif op == "indent":
            lines[i] = "  " + lines[i]
        else:
            lines.insert(i, draw(st.text(alphabet="abc: -[]{}'\"&*!#\t", max_size=25)))
    return "\n".join(lines) + "\n"


@settings(max_examples=N_EXAMPLES * 3, **SETTINGS)
@given(text=codebooks())
def test_a_malformed_codebook_is_a_codebook_or_one_toolkit_error(text):
    try:
        cb = parse_codebook(text, source="cb.yml")
    except ToolkitError as exc:
        message = str(exc)
        assert message.startswith("cb.yml") and "Traceback" not in message
    else:
        assert cb.items and len(set(cb.item_ids)) == len(cb.item_ids)


def test_the_example_counts_are_bounded():
    # make test runs every property above with these counts: at most a few seconds each
    assert N_EXAMPLES <= 40 or os.environ.get("TOOLKIT_HYPOTHESIS_EXAMPLES")


# ---------------------------------------------------------------- workbooks with formula cells

FORMULA = st.sampled_from(['=HYPERLINK("http://evil.example","x")', "=A2&B2", "=1+1", '=CONCAT("Zanzibar"," Quillfeather")',
                           "=cmd|' /C calc'!A0", "=SUM(D2:G2)"])


@settings(max_examples=FEW, **SETTINGS)
@given(cells=st.lists(st.tuples(st.integers(0, 11), st.integers(0, len(HEADERS) - 1), FORMULA), min_size=1, max_size=6))
def test_workbook_formulas_are_never_evaluated_nor_passed_on(tmp_path_factory, cells):
    import openpyxl

    root = tmp_path_factory.mktemp("xlsx")
    (root / "in").mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for i in range(12):
        ws.append([CANARY_IDS[i % 3], CANARY_NAMES[i % 3], "9", "Agree", "Agree", "Disagree", "Agree", "notes"])
    for r, c, formula in cells:
        ws.cell(row=r + 2, column=c + 1, value=formula)
    wb.save(root / "in" / "e.xlsx")
    (root / "cb.yml").write_text(CODEBOOK, encoding="utf-8")
    out = root / "out"
    result = CliRunner().invoke(cli, ["deidentify", str(root / "in" / "e.xlsx"), "--codebook", str(root / "cb.yml"),
                                      "--out", str(out), "--key-file", str(root / "k.key")])
    assert result.exit_code in (0, 2) and "Traceback" not in result.output, result.output
    if result.exit_code == 2:  # a formula in an item, the ID or the group column: one message naming the cell
        assert result.output.startswith("Error: ") and len(result.output.strip().splitlines()) == 1
        assert not out.exists()
        return
    assert "hold a formula" in result.output
    responses = (out / "responses.csv").read_text(encoding="utf-8")
    for line in responses.splitlines()[1:]:
        assert not any(cell.lstrip('"').startswith(("=", "+", "@")) for cell in line.split(","))
    assert "zanzibar" not in responses.casefold()  # a name inside a formula's text is scrubbed like any text
    ledger = pd.read_csv(out / "ledger.csv", keep_default_na=False)
    assert (ledger["flags"].str.contains("formula read as text")).any()
