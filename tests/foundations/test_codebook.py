"""The codebook loader: the sample's codebook loads, and every mistake gets a clear message."""

from __future__ import annotations

import textwrap

import pytest

from toolkit import ToolkitError, load_codebook, parse_codebook
from toolkit.sample import SAMPLE_CODEBOOK

from conftest import ROOT

MINIMAL = textwrap.dedent(
    """
    title: Learning profile survey
    response_scale: {min: 1, max: 5, labels: [Strongly disagree, Disagree, Neither agree nor disagree, Agree, Strongly agree]}
    id_column: Student ID
    group_columns: [Grade, Section, Gender]
    voice_columns: {helps_me_learn: "What helps you learn best?", goal: "One goal I have for this term"}
    constructs:
      self_efficacy:
        label: Self-efficacy
        tag: self_efficacy
        items:
          se1: I am confident I can do well in this class.
          se2: {column: "When the work gets hard, I give up.", reverse: true}
    """
)


def test_issue_example_loads_into_frozen_dataclass():
    cb = parse_codebook(MINIMAL)
    assert cb.title == "Learning profile survey"
    assert cb.response_scale.values == (1, 2, 3, 4, 5)
    assert cb.id_column == "Student ID"
    assert cb.group_columns == ("Grade", "Section", "Gender")
    assert dict(cb.voice_columns) == {"helps_me_learn": "What helps you learn best?", "goal": "One goal I have for this term"}
    se = cb.construct("self_efficacy")
    assert [(i.id, i.reverse) for i in se.items] == [("se1", False), ("se2", True)]
    assert se.items[1].column == "When the work gets hard, I give up."
    assert cb.item_columns["I am confident I can do well in this class."] == "se1"
    with pytest.raises(AttributeError, match="cannot assign to field 'title'"):
        cb.title = "changed"  # frozen


def test_tag_defaults_to_key_and_higher_is_better_to_true():
    cb = parse_codebook(MINIMAL.replace("        tag: self_efficacy\n", ""))
    assert cb.construct("self_efficacy").tag == "self_efficacy"
    assert cb.construct("self_efficacy").higher_is_better is True


def test_item_may_override_the_response_scale():
    text = MINIMAL.replace(
        "se1: I am confident I can do well in this class.",
        "se1: {column: I am confident I can do well in this class., scale: {min: 0, max: 3}}",
    )
    item = parse_codebook(text).item("se1")
    assert (item.scale.min, item.scale.max, item.scale.labels) == (0, 3, ())
    assert item.scale.reverse(0) == 3


def test_sample_codebook_file_loads_with_hash(sample_dir):
    cb = load_codebook(sample_dir / "codebook.yml")
    assert cb.construct_keys == ("interest", "self_efficacy", "effort_regulation", "help_seeking", "collaboration", "test_anxiety")
    assert len(cb.items) == 24
    assert all(sum(i.reverse for i in c.items) >= 1 for c in cb.constructs)
    assert cb.construct("test_anxiety").higher_is_better is False
    assert cb.name_columns == ("Your name",)
    assert len(cb.sha256) == 64
    assert cb.path == sample_dir / "codebook.yml"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace("title:", "titel:"), r"key 'titel': expected one of the known keys"),
        (lambda t: t.replace("response_scale: {min: 1, max: 5,", "response_scale: {min: 5, max: 1,"), r"key 'response_scale': expected min below max"),
        (lambda t: t.replace("min: 1, max: 5", "min: one, max: 5"), r"key 'response_scale.min': expected a whole number"),
        (lambda t: t.replace("Strongly disagree, ", ""), r"key 'response_scale.labels': expected 5 labels"),
        (lambda t: t.replace("reverse: true", "reverse: yes please"), r"key 'constructs.self_efficacy.items.se2.reverse': expected true or false"),
        (lambda t: t.replace("se2: {column", "se2: {colum"), r"key 'constructs.self_efficacy.items.se2.colum': expected one of"),
        (lambda t: t.replace("se2: {column: \"When the work gets hard, I give up.\"", "se2: {column: \"I am confident I can do well in this class.\""), r"a column used by one item only"),
        (lambda t: t.replace("group_columns: [Grade, Section, Gender]", "group_columns: Grade"), r"key 'group_columns': expected a list of column headers"),
        (lambda t: t.replace("  self_efficacy:\n", "  self efficacy:\n"), r"key 'constructs.self efficacy': expected a short key"),
        (lambda t: t.split("constructs:")[0], r"key 'constructs': expected a mapping"),
        (lambda t: t.replace("group_columns: [Grade, Section, Gender]", "group_columns: [Grade, Student ID]"), r"each column named once"),
        (lambda t: t.replace("group_columns: [Grade, Section, Gender]", "group_columns: [Grade, \"When the work gets hard, I give up.\"]"), r"not also the id, a name, group or voice column"),
        (lambda t: t + "  empty:\n    label: Empty\n", r"key 'constructs.empty.items': expected a mapping of item ids"),
        (lambda t: t.replace("tag: self_efficacy", "tag: self_efficacy\n    higher_is_better: sometimes"), r"higher_is_better': expected true or false"),
    ],
)
def test_every_codebook_mistake_names_the_key_and_what_is_expected(change, message):
    text = change(MINIMAL)
    with pytest.raises(ToolkitError, match=message) as err:
        parse_codebook(text, source="cb.yml")
    assert str(err.value).startswith("cb.yml"), str(err.value)  # the message names the file


def test_duplicate_item_id_across_constructs_is_refused():
    text = MINIMAL + "  interest:\n    items:\n      se1: I like this class.\n"
    with pytest.raises(ToolkitError, match=r"an item id used once in the whole codebook"):
        parse_codebook(text)


def test_bad_yaml_names_file_and_line(tmp_path):
    p = tmp_path / "cb.yml"
    p.write_text("title: x\nconstructs: [unclosed\n", encoding="utf-8")
    with pytest.raises(ToolkitError, match=r"cb\.yml, line \d+, column \d+: the codebook is not valid YAML"):
        load_codebook(p)


def test_missing_file_and_non_utf8_file(tmp_path):
    with pytest.raises(ToolkitError, match="codebook file not found"):
        load_codebook(tmp_path / "nope.yml")
    p = tmp_path / "latin.yml"
    p.write_bytes(MINIMAL.replace("Disagree", "D\xe9saccord").encode("latin-1"))
    with pytest.raises(ToolkitError, match="not UTF-8"):
        load_codebook(p)


def test_top_level_must_be_a_mapping():
    with pytest.raises(ToolkitError, match=r"key '\(top level\)': expected a mapping"):
        parse_codebook("- just\n- a list\n")


def test_unknown_construct_and_item_lookups_list_the_known_ones():
    cb = parse_codebook(SAMPLE_CODEBOOK)
    with pytest.raises(ToolkitError, match="unknown construct 'grit'. Known constructs: interest, self_efficacy"):
        cb.construct("grit")
    with pytest.raises(ToolkitError, match="unknown item 'zz9'"):
        cb.item("zz9")


def test_byte_order_mark_is_accepted(tmp_path):
    p = tmp_path / "bom.yml"
    p.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode("utf-8"))
    assert load_codebook(p).title == "Learning profile survey"


def test_loader_refuses_todo_marks_listing_each_line(tmp_path, sample_dir):
    from toolkit.codebook import load_codebook

    text = (sample_dir / "codebook.yml").read_text(encoding="utf-8")
    text = text.replace("title:", "# TODO: check the title\ntitle:", 1)
    path = tmp_path / "cb.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ToolkitError, match=r"cb\.yml: the codebook still holds 1 TODO mark\(s\).*line \d+: # TODO: check the title"):
        load_codebook(path)


def test_direction_disagreeing_with_the_tag_warns_naming_both(tmp_path, sample_dir):
    from toolkit.codebook import CodebookDirectionWarning, load_codebook

    text = (sample_dir / "codebook.yml").read_text(encoding="utf-8")
    assert "higher_is_better: false" in text
    path = tmp_path / "cb.yml"
    path.write_text(text.replace("higher_is_better: false", "higher_is_better: true"), encoding="utf-8")
    with pytest.warns(CodebookDirectionWarning, match=r"construct 'test_anxiety' has higher_is_better: true, but its tag 'test_anxiety' \(Worry and nerves around tests\) is lower-is-better") as caught:
        load_codebook(path)
    # the warning points at the line to fix in the teacher's file, not at toolkit code
    (w,) = caught.list
    assert w.filename == str(path) and path.read_text().splitlines()[w.lineno - 1].strip() == "higher_is_better: true"


def test_a_need_tag_without_higher_is_better_warns_at_the_construct(tmp_path):
    from toolkit.codebook import CodebookDirectionWarning, library_tags, load_codebook

    assert library_tags()["test_anxiety"] == "Worry and nerves around tests"
    path = tmp_path / "cb.yml"
    path.write_text("title: t\nresponse_scale: {min: 1, max: 7}\nconstructs:\n  nerves:\n    tag: test_anxiety\n"
                    "    items: {a: A, b: B}\n  calm:\n    tag: test_anxiety\n    higher_is_better: false\n    items: {c: C}\n")
    with pytest.warns(CodebookDirectionWarning, match="construct 'nerves'") as caught:
        load_codebook(path)
    assert [w.lineno for w in caught.list] == [4]  # 'calm' agrees with its tag: no warning


def test_sample_codebook_loads_without_direction_warning(sample_dir):
    import warnings

    from toolkit.codebook import load_codebook

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_codebook(sample_dir / "codebook.yml")


def test_the_teachers_guide_documents_every_key_and_its_example_loads():
    import re
    from pathlib import Path

    from toolkit.codebook import _CONSTRUCT_KEYS, _ITEM_KEYS, _TOP_KEYS, library_tags

    guide = (ROOT / "docs" / "codebook.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(\w+)` \|", guide, re.M))
    assert _TOP_KEYS | _CONSTRUCT_KEYS | _ITEM_KEYS <= documented
    assert all(f"`{tag}`" in guide for tag in library_tags())  # the library's tags are listed
    example = re.search(r"```yaml\n(title: .*?)```", guide, re.S).group(1)
    cb = parse_codebook(example)
    assert [c.higher_is_better for c in cb.constructs] == [True, False, True]


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        (lambda t: t.replace("group_columns: [Grade, Section, Gender]", "group_columns: {Grade: 1}"), "found {Grade: 1}."),
        (lambda t: t.replace("tag: self_efficacy", "tag: self_efficacy\n    higher_is_better: [sometimes]"), "found [sometimes]."),
        (lambda t: t.replace("title: Learning profile survey", "title:"), "found nothing."),
    ],
)
def test_mistaken_values_are_shown_as_written_in_yaml_not_as_python(change, shown):
    with pytest.raises(ToolkitError) as err:
        parse_codebook(change(MINIMAL), source="cb.yml")
    assert str(err.value).endswith(f"{shown} Fix the codebook and run again."), str(err.value)
    assert "None" not in str(err.value) and "'" not in str(err.value).split("found", 1)[1]
