"""toolkit.codebook_draft: drafts find the columns' roles, load as they are, and hold no identifying value."""

from __future__ import annotations

import pandas as pd
import pytest
from _exports import (
    EMAILS,
    IDS,
    ITEMS,
    N,
    NAMES,
    STEM,
    google_frame,
    qualtrics_rows,
    write_google_csv,
    write_microsoft_xlsx,
    write_rows,
)

from toolkit import ToolkitError, deidentify, draft_codebook, generate_sample, item_answers, parse_codebook, read_export


def _roles(draft):
    return dict(zip(draft.columns["column"], draft.columns["role"]))


def test_sample_draft_finds_id_name_groups_items_and_voice(sample_dir):
    draft = draft_codebook(read_export(sample_dir / "survey_export.csv"))
    roles = _roles(draft)
    assert roles["Student ID"] == "id" and roles["Your name"] == "name"
    assert roles["Timestamp"] == roles["Email Address"] == "metadata"
    assert [c for c, r in roles.items() if r == "group"] == ["Grade", "Section", "Gender"]
    assert [c for c, r in roles.items() if r == "voice"] == ["What helps you learn best?", "One goal I have for this term"]
    cb = parse_codebook(draft.yaml)
    assert len(cb.items) == 24 and cb.response_scale.labels[0] == "Strongly disagree"
    assert len(cb.constructs) == 6 and "docs/codebook.md" in draft.yaml


def test_sample_draft_hints_at_the_reverse_keyed_items(sample_dir):
    draft = draft_codebook(read_export(sample_dir / "survey_export.csv"))
    hinted = [line for line in draft.yaml.splitlines() if "reverse keyed?" in line]
    # the sample's reverse-keyed interest and collaboration items run against the rest
    assert any("This class is boring to me." in line for line in hinted)
    assert any("I prefer to work alone." in line for line in hinted)


def test_draft_holds_no_identifying_value(sample_dir):
    yaml_text = draft_codebook(read_export(sample_dir / "survey_export.csv")).yaml.casefold()
    assert [c for c in generate_sample().canaries if c.casefold() in yaml_text] == []


def test_google_grid_items_become_one_construct_per_question(tmp_path):
    frame = google_frame()
    other = "How often do you do this? [Read ahead]", "How often do you do this? [Ask questions]"
    freq = ["Never", "Rarely", "Sometimes", "Often", "Always"]
    frame[other[0]] = [freq[i % 5] for i in range(N)]
    frame[other[1]] = [freq[(i * 3) % 5] for i in range(N)]
    raw = read_export(write_google_csv(tmp_path / "g.csv", frame))
    draft = draft_codebook(raw)
    cb = parse_codebook(draft.yaml)
    assert cb.construct_keys == ("how_true_is_this_for_you", "how_often_do_you_do_this")
    assert [i.column for i in cb.items_of("how_true_is_this_for_you")] == [f"{STEM} [{t}]" for t in ITEMS.values()]
    often = cb.items_of("how_often_do_you_do_this")[0]
    assert often.scale.labels == tuple(freq)  # its own scale, not the agreement one
    answers = item_answers(read_export(tmp_path / "g.csv", cb), cb)
    assert answers[often.id].tolist() == [float(1 + i % 5) for i in range(N)]


def test_qualtrics_draft_uses_column_ids_with_question_text(tmp_path):
    head, rows = qualtrics_rows(numeric=True)
    raw = read_export(write_rows(tmp_path / "q.csv", head + rows))
    draft = draft_codebook(raw)
    cb = parse_codebook(draft.yaml)
    roles = _roles(draft)
    assert roles["IPAddress"] == roles["LocationLatitude"] == roles["Q3_DO"] == "metadata"
    assert roles["RecipientFirstName"] == roles["RecipientLastName"] == "name"
    assert [i.column for i in cb.items] == ["Q3_1", "Q3_2", "Q3_3", "Q3_4"]
    assert (cb.response_scale.min, cb.response_scale.max) == (1, 5)
    assert f'text: "{STEM} - I like maths."' in draft.yaml
    assert cb.construct_keys == ("q3",)
    assert (cb.id_column, cb.group_columns, dict(cb.voice_columns)) == ("Q1", ("Q2",), {"what_helps_you_learn_best": "Q4"})
    assert 'id_column: "Q1"  # Student ID' in draft.yaml


def test_microsoft_forms_draft_treats_name_as_a_name_column(tmp_path):
    raw = read_export(write_microsoft_xlsx(tmp_path / "ms.xlsx"))
    draft = draft_codebook(raw)
    roles = _roles(draft)
    assert roles["Name"] == "name" and roles["Email"] == roles["Start time"] == "metadata"
    assert roles["Student ID"] == "id" and roles["Grade"] == "group"
    cb = parse_codebook(draft.yaml)
    text = draft.yaml
    assert not any(v in text for v in IDS + NAMES + EMAILS)
    result = deidentify(read_export(tmp_path / "ms.xlsx", cb), cb, key=bytes(32))
    assert result.disclosure.rows["read"] == N


def test_unsure_group_columns_are_left_as_todo_comments(tmp_path):
    frame = google_frame()
    frame["Favourite colour"] = ["red", "blue", "green"] * (N // 3)
    draft = draft_codebook(read_export(write_google_csv(tmp_path / "g.csv", frame)))
    assert '# - "Favourite colour"  # TODO: a group column? (3 distinct values)' in draft.yaml
    assert "Favourite colour" not in parse_codebook(draft.yaml).group_columns


def test_export_without_likert_items_is_refused(tmp_path):
    frame = pd.DataFrame({"Student ID": IDS, "Comment": [f"comment number {i}" for i in range(N)]})
    raw = read_export(write_google_csv(tmp_path / "plain.csv", frame))
    with pytest.raises(ToolkitError, match=r"plain\.csv: no column looks like a Likert item.*Write the codebook by hand"):
        draft_codebook(raw)


def test_export_without_an_id_column_says_waves_will_not_link(tmp_path):
    frame = google_frame().drop(columns=["Student ID"])
    draft = draft_codebook(read_export(write_google_csv(tmp_path / "g.csv", frame)))
    assert "no student ID column found" in draft.yaml and parse_codebook(draft.yaml).id_column is None


def test_a_column_without_middle_answers_shares_the_five_point_scale(tmp_path):
    frame = google_frame()
    col = f"{STEM} [{ITEMS['m1']}]"
    frame[col] = ["Agree", "Strongly agree", "Disagree", ""] * (N // 4)  # nobody chose the middle
    raw = read_export(write_google_csv(tmp_path / "g.csv", frame))
    cb = parse_codebook(draft_codebook(raw).yaml)
    assert {len(i.scale.labels) for i in cb.items} == {5}
    assert item_answers(read_export(tmp_path / "g.csv", cb), cb).iloc[:3, 0].tolist() == [4.0, 5.0, 2.0]



def test_a_four_point_frequency_scale_is_read_on_four_points(tmp_path):
    """Never / Sometimes / Often / Always is a scale of its own: read on the 5-point frequency
    scale it would score 1, 3, 4, 5 (a teacher's export did). A survey that also uses Rarely keeps
    5 points (the test above for the shared scale)."""
    frame = pd.DataFrame({"Student ID": IDS})
    for j in range(3):
        frame[f"How often do you plan task {j}?"] = (["Never", "Sometimes", "Often", "Always"] * N)[j:j + N]
    raw = read_export(write_google_csv(tmp_path / "f.csv", frame))
    cb = parse_codebook(draft_codebook(raw).yaml.replace("  # TODO", "  #"))
    assert {i.scale.labels for i in cb.items} == {("Never", "Sometimes", "Often", "Always")}
    assert item_answers(read_export(tmp_path / "f.csv", cb), cb).iloc[:4, 0].tolist() == [1.0, 2.0, 3.0, 4.0]
    frame.iloc[0, 1] = "Rarely"
    raw = read_export(write_google_csv(tmp_path / "f5.csv", frame))
    assert {len(i.scale.labels) for i in parse_codebook(draft_codebook(raw).yaml.replace("  # TODO", "  #")).items} == {5}


def test_a_statement_with_a_group_word_answered_on_a_scale_is_an_item(tmp_path):
    """"I like group work" answered Strongly disagree..Strongly agree was drafted as a group
    column (a teacher's export): its answers are a scale, so it is an item; "Grade" with 9-12
    stays a group."""
    frame = google_frame()
    frame["I like group work"] = (["Agree", "Disagree", "Strongly agree", "Neutral"] * N)[:N]
    frame["Grade"] = (["9", "10", "11", "12"] * N)[:N]
    draft = draft_codebook(read_export(write_google_csv(tmp_path / "g.csv", frame)))
    roles = _roles(draft)
    assert roles["I like group work"] == "item" and roles["Grade"] == "group"
    cb = parse_codebook(draft.yaml.replace("  # TODO", "  #"))
    assert "I like group work" in {i.column for i in cb.items}
    assert list(cb.group_columns) == ["Grade"]


def _truth_and_draft(sample_dir):
    from toolkit import load_codebook

    truth = load_codebook(sample_dir / "codebook.yml")
    cb = parse_codebook(draft_codebook(read_export(sample_dir / "survey_export.csv")).yaml)
    return truth, cb


def test_sample_draft_proposes_the_six_constructs_from_the_answers(sample_dir):
    from sklearn.metrics import adjusted_rand_score

    truth, cb = _truth_and_draft(sample_dir)
    drafted = {i.column: i.construct for i in cb.items}
    cols = [i.column for i in truth.items]
    # the sample's six 4-item scales are recovered exactly (ARI 1.0 at the 0.4 cut)
    assert adjusted_rand_score([i.construct for i in truth.items], [drafted[c] for c in cols]) == 1.0


def test_reverse_hints_are_computed_within_each_proposed_construct(sample_dir):
    truth, _ = _truth_and_draft(sample_dir)
    draft = draft_codebook(read_export(sample_dir / "survey_export.csv"))
    hinted = {c for c in (i.column for i in truth.items) if any(c in line and "reverse keyed?" in line for line in draft.yaml.splitlines())}
    assert hinted == {i.column for i in truth.items if i.reverse}


def test_every_construct_has_label_tag_and_direction_marked_todo(sample_dir):
    draft = draft_codebook(read_export(sample_dir / "survey_export.csv"))
    lines = draft.yaml.splitlines()
    for key in ("label", "tag", "higher_is_better"):
        marked = [line for line in lines if line.startswith(f"    {key}:")]
        assert len(marked) == 6 and all("TODO" in line for line in marked), key
    assert "test_anxiety, growth_mindset, belonging" in draft.yaml  # the library's tags, in a comment


def test_anxiety_construct_is_drafted_lower_is_better(sample_dir):
    _, cb = _truth_and_draft(sample_dir)
    anxious = [c for c in cb.constructs if any("nervous" in i.column.lower() or "worry" in i.column.lower() for i in c.items)]
    assert anxious and all(c.higher_is_better is False for c in anxious)
    assert all(c.higher_is_better for c in cb.constructs if c not in anxious)


def test_the_loader_refuses_the_unedited_draft_listing_its_marks(sample_dir, tmp_path):
    from toolkit import load_codebook

    path = tmp_path / "codebook.yml"
    path.write_text(draft_codebook(read_export(sample_dir / "survey_export.csv")).yaml, encoding="utf-8")
    with pytest.raises(ToolkitError, match=r"still holds \d+ TODO mark\(s\).*line 5: title"):
        load_codebook(path)


def test_few_students_are_marked_todo(tmp_path):
    from toolkit.example_forms import generate_forms_example

    path = tmp_path / "small.csv"
    generate_forms_example(n_students=30, seed=3).export.to_csv(path, index=False)
    draft = draft_codebook(read_export(path)).yaml
    assert "# TODO: only 30 students answered" in draft and "1 items" not in draft


def test_a_two_item_construct_running_apart_is_marked_todo(tmp_path):
    from toolkit.example_forms import generate_forms_example

    export = generate_forms_example().export.drop(columns=["Making mistakes in maths helps my brain grow."])
    path = tmp_path / "pair.csv"
    export.to_csv(path, index=False)
    lines = draft_codebook(read_export(path)).yaml.splitlines()
    pair = [k for k, line in enumerate(lines) if "the two items run against each other" in line]
    assert len(pair) == 1 and "TODO" in lines[pair[0]] and lines[pair[0] + 1] == "  growth_mindset:"
    assert "only 60 students" not in "\n".join(lines)
