"""Hostile inputs from issue 16: each is refused with one message naming the place, or scrubbed (how fast: benchmarks/scrub_hostile.py)."""

from __future__ import annotations

import unicodedata

import pytest

from toolkit._yaml import parse_yaml
from toolkit.errors import ToolkitError
from toolkit.scrub import scrub_text


# ---------------------------------------------------------------- safe YAML

def test_yaml_alias_is_refused_naming_the_line():
    laughs = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
    )
    # refused at the first alias, before anything is expanded (expanding would build 9**9 items)
    with pytest.raises(ToolkitError, match=r"codebook\.yml, line 2, column \d+: .*alias \*a"):
        parse_yaml(laughs, "codebook.yml", "codebook")


def test_yaml_deep_nesting_is_refused_not_a_recursion_error():
    with pytest.raises(ToolkitError, match="nested more than 40 levels"):
        parse_yaml("[" * 5000 + "]" * 5000, "codebook.yml", "codebook")


def test_yaml_duplicate_key_is_refused_with_both_lines():
    text = "constructs:\n  interest:\n    reverse: false\n    reverse: true\n"
    with pytest.raises(ToolkitError, match=r"line 4, column 5: .*'reverse' appears twice \(first on line 3\)"):
        parse_yaml(text, "codebook.yml", "codebook")


def test_yaml_ordinary_file_still_reads():
    assert parse_yaml("a:\n  b: [1, {c: 2}]\n", "x.yml", "codebook") == {"a": {"b": [1, {"c": 2}]}}


# ---------------------------------------------------------------- free-text scrubbing

NAMES = ["José Núñez", "Łukasz Wójcik", "Mary-Jane Okafor"]
IDS = ["S-0042"]


@pytest.mark.parametrize(
    "text, planted",
    [
        ("ask jose nunez", ["jose", "nunez"]),
        (unicodedata.normalize("NFD", "José Núñez helps me"), ["Jos", "ez"]),
        ("lukasz wojcik sits with me", ["lukasz", "wojcik"]),
        ("mary jane said so", ["mary", "jane"]),
        ("my id is s0042", ["0042"]),
        ("my id is S 0 0 4 2", ["0 0 4 2"]),
        ("I live at 12 rue de la Paix, 75002 Paris", ["rue de la Paix", "75002"]),
        ("Hauptstraße 5 in Berlin", ["Hauptstraße 5"]),
        ("Bahnhofstr. 12a", ["12a"]),
        ("postcode SW1A 1AA", ["SW1A"]),
        ("born 12/03/2010", ["12/03/2010"]),
        ("born 3 March 2010", ["March 2010"]),
        ("call +33 6 12 34 56 78", ["56 78"]),
        ("call +49 30 1234567", ["1234567"]),
        ("write to ana (at) example (dot) org", ["example"]),
        ("ana.b@example.org", ["example"]),
        ("email me at quinta dot vexley at vexmail dot org", ["quinta", "vexley", "vexmail"]),
        ("write quinta dot vexley at vexmail dot org", ["quinta", "vexley", "vexmail"]),
        ("ana @ gmail . com", ["ana", "gmail"]),
    ],
)
def test_scrub_removes_each_identifier_kind(text, planted):
    out = scrub_text([text], names=NAMES, ids=IDS).iloc[0]
    for p in planted:
        assert p not in out, out


def test_scrub_keeps_sentences_with_at_and_a_full_stop():
    text = "I am at home. Then at school. We met at noon."
    assert scrub_text([text], heuristic=False).iloc[0] == text


def test_scrub_keeps_this_years_dates_and_small_numbers():
    out = scrub_text(["the test on 2026-09-14 took 10 minutes, 2 times a week"], names=NAMES, ids=IDS).iloc[0]
    assert out == "the test on 2026-09-14 took 10 minutes, 2 times a week"


# Long answers built to make a backtracking pattern blow up. Whether the scrubber's time grows
# linearly with them is measured in benchmarks/scrub_hostile.py (no timed tests); here each must
# come back whole: none holds an identifier, and none may be eaten by a runaway pattern.
HOSTILE = ["." * 100_000, "a" * 100_000, "1 " * 50_000, "ab-" * 33_000, "1." * 50_000,
           "a at b dot " * 10_000, "a dot " * 30_000, "a @ " * 30_000, "a . " * 30_000]


@pytest.mark.parametrize("hostile", HOSTILE, ids=lambda h: repr(h[:6]))
def test_scrub_returns_long_hostile_answers_whole(hostile):
    assert scrub_text([hostile], names=NAMES, ids=IDS).iloc[0] == hostile


# ---------------------------------------------------------------- wave link

def test_wave_link_with_a_different_key_is_an_error():
    from toolkit.privacy import check_wave_link

    w1 = [f"p{i}" for i in range(228)]
    w2 = [f"p{i}" for i in range(23)] + [f"q{i}" for i in range(205)]
    with pytest.raises(ToolkitError, match="only 23 of 228 wave-2 students .*different key"):
        check_wave_link(w1, w2)


def test_wave_link_partial_is_a_warning_with_counts():
    from toolkit.privacy import WaveLinkWarning, check_wave_link

    w1 = [f"p{i}" for i in range(100)]
    w2 = [f"p{i}" for i in range(70)] + [f"q{i}" for i in range(30)]
    with pytest.warns(WaveLinkWarning, match="70 of 100 wave-2 students"):
        assert check_wave_link(w1, w2) == 70
    assert check_wave_link(w1, w1) == 100


def test_goals_read_back_lose_a_typed_student_id_and_name(tmp_path):
    """Issue 16: import-goals scrubs the goal of a student number (shapes, since the real IDs are not
    known after de-identification) and of a name."""
    import pandas as pd

    from toolkit.plans.goals import import_goals

    plans = pd.DataFrame({"goal": [""], "profile": [1]}, index=pd.Index(["P-0123456789ab"], name="pseudonym"))
    goals = pd.DataFrame({"pseudonym": ["P-0123456789ab"], "goal": ["I am Lena Fakely, FAKE-10001, read more"]})
    result = import_goals(plans, goals, source="goals.csv")
    text = " ".join(map(str, result.plans["goal"]))
    assert "FAKE-10001" not in text and "10001" not in text and "Lena" not in text and "read more" in text
