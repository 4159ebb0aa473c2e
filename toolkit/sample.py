"""A synthetic student survey with a known truth, laid out like a Google Forms export.

The sample is what workshops run on and what every stage is tested against. It is made, not
collected: every name, email, phone number and student ID in it is fake (``example.org``
addresses, ``555-01xx`` numbers, ``FAKE-`` student IDs).

How it is made
--------------
Each student belongs to one of four latent profiles (:data:`PROFILES`). A profile fixes the mean
of six latent traits (interest, self-efficacy, effort regulation, help-seeking, preference for
collaboration, test anxiety) in standard units; a student's traits are drawn around those means.
Each of the 24 items is the trait plus item noise, cut into five ordered categories by fixed
thresholds (an ordinal threshold model), so answers are heaped on the five labels as real Likert
answers are. Reverse-keyed items are cut from the negated trait. The profiles overlap: a good
profile analysis recovers them with an adjusted Rand index around 0.7-0.85, not 1.

The export then gets what real exports have: about 3% skipped answers, a few students who stop
half-way, duplicate submissions, straight-liners (the same answer to every item) and free-text
answers that carry identifiers (an email, a 555 phone number, a classmate's name) which the
privacy stage must remove. A second wave three months later has the same students, some of whom
changed profile.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state

from ._atomic import atomic_output_dir
from ._synthetic import _TRAIT_SD, FIRST, LAST
from .config import DEFAULT_SEED

__all__ = [
    "PROFILES",
    "SampleSurvey",
    "generate_sample",
    "write_sample",
    "SAMPLE_CODEBOOK",
]

LABELS = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree")
CONSTRUCTS = ("interest", "self_efficacy", "effort_regulation", "help_seeking", "collaboration", "test_anxiety")

#: Items per construct: (item id, question as the export header, reverse keyed).
ITEMS = {
    "interest": [
        ("int1", "I find what we learn in this class interesting.", False),
        ("int2", "I look forward to this class.", False),
        ("int3", "What we learn in this class is useful to me outside school.", False),
        ("int4", "This class is boring to me.", True),
    ],
    "self_efficacy": [
        ("se1", "I am confident I can do well in this class.", False),
        ("se2", "I can understand even the hardest material in this class if I try.", False),
        ("se3", "I am sure I can do an excellent job on the tests in this class.", False),
        ("se4", "I doubt I can master the skills taught in this class.", True),
    ],
    "effort_regulation": [
        ("er1", "I keep working even when the work is hard or boring.", False),
        ("er2", "I plan my study time for this class.", False),
        ("er3", "I finish my homework on time.", False),
        ("er4", "I often leave my studying until the last minute.", True),
    ],
    "help_seeking": [
        ("hs1", "When I don't understand something, I ask the teacher for help.", False),
        ("hs2", "I ask a classmate when I am stuck.", False),
        ("hs3", "I know where to find help when I need it.", False),
        ("hs4", "I would rather guess than ask a question in class.", True),
    ],
    "collaboration": [
        ("co1", "I learn more when I work with other students.", False),
        ("co2", "I like working in a group on projects.", False),
        ("co3", "Explaining things to classmates helps me understand them.", False),
        ("co4", "I prefer to work alone.", True),
    ],
    "test_anxiety": [
        ("ta1", "I feel nervous before a test in this class.", False),
        ("ta2", "During tests I worry so much that I forget things I know.", False),
        ("ta3", "I think about failing while I am taking a test.", False),
        ("ta4", "I stay calm during tests.", True),
    ],
}
LABEL_OF = {
    "interest": "Interest",
    "self_efficacy": "Self-efficacy",
    "effort_regulation": "Effort regulation",
    "help_seeking": "Help-seeking",
    "collaboration": "Preference for collaboration",
    "test_anxiety": "Test anxiety",
}
VOICE = {"helps_me_learn": "What helps you learn best?", "goal": "One goal I have for this term"}

#: The four true profiles: name, share of students, latent trait means (standard units) in the
#: order of CONSTRUCTS. Tests of later stages rely on these patterns.
PROFILES = {
    1: ("Confident and engaged", 0.32, (0.8, 0.9, 0.8, 0.4, 0.1, -0.8)),
    2: ("Anxious strivers", 0.26, (0.2, -0.7, 0.6, -0.6, -0.3, 1.1)),
    3: ("Social learners", 0.22, (0.1, 0.1, -0.4, 0.9, 1.1, -0.1)),
    4: ("Disengaged", 0.20, (-1.1, -0.6, -1.1, -0.6, -0.6, 0.1)),
}
#: Chance that a student is in profile j in wave 2 given profile i in wave 1.
TRANSITIONS = np.array(
    [
        [0.85, 0.07, 0.05, 0.03],
        [0.12, 0.78, 0.05, 0.05],
        [0.07, 0.05, 0.80, 0.08],
        [0.05, 0.07, 0.10, 0.78],
    ]
)
_ITEM_SD = 0.7  # item noise: what makes four items a scale, not a copy
_CUTS = np.array([-1.6, -0.75, 0.0, 0.85])  # thresholds between the five categories
_ITEM_SHIFT = 0.25  # answers lean towards agreement, as they do in real surveys

HELPS = (
    "When the teacher shows an example first",
    "Working with a partner",
    "Quiet time to think",
    "Videos and diagrams",
    "Doing practice problems",
    "When I can ask questions without everyone watching",
    "Group projects",
    "Taking notes and reviewing them",
    "Hands-on activities",
    "Knowing why the topic matters",
    "Short quizzes so I know what I forgot",
    "",
)
GOALS = (
    "Hand in every assignment on time",
    "Get a B or better on the unit tests",
    "Ask for help when I am stuck",
    "Feel less nervous in tests",
    "Study a little every day instead of cramming",
    "Speak up more in group work",
    "Understand the material, not just memorise it",
    "Keep my grade up",
    "",
)


@dataclass(frozen=True)
class SampleSurvey:
    """A generated survey and its truth.

    Attributes
    ----------
    export, export_wave2 : DataFrame
        The two exports as a teacher would download them (all text, one row per submission).
    truth : DataFrame
        One row per fake student: ``student_id, grade, section, profile, profile_name,
        profile_wave2, responded_wave2, quirk``. For tests only; never an input to the pipeline.
    canaries : tuple of str
        Every identifying value planted in the exports (emails, phone numbers, names, student
        IDs). No output of the toolkit may contain any of them.
    codebook_yaml : str
        The codebook that describes the export.
    seed : int
    """

    export: pd.DataFrame
    export_wave2: pd.DataFrame
    truth: pd.DataFrame
    canaries: tuple[str, ...]
    codebook_yaml: str
    seed: int


def _codebook_yaml() -> str:
    lines = [
        "# Codebook of the synthetic sample survey (made by toolkit.sample).",
        "title: Learning profile survey (synthetic sample)",
        "response_scale:",
        "  min: 1",
        "  max: 5",
        "  labels: [" + ", ".join(LABELS) + "]",
        "id_column: Student ID",
        "name_columns: [Your name]",
        "group_columns: [Grade, Section, Gender]",
        "voice_columns:",
    ]
    lines += [f'  {k}: "{q}"' for k, q in VOICE.items()]
    lines.append("constructs:")
    for key in CONSTRUCTS:
        lines += [f"  {key}:", f"    label: {LABEL_OF[key]}", f"    tag: {key}"]
        if key == "test_anxiety":
            lines.append("    higher_is_better: false")
        lines.append("    items:")
        for iid, text, rev in ITEMS[key]:
            q = text.replace('"', '\\"')
            lines.append(f'      {iid}: {{column: "{q}", reverse: true}}' if rev else f'      {iid}: "{q}"')
    return "\n".join(lines) + "\n"


#: The sample's codebook as YAML text.
SAMPLE_CODEBOOK = _codebook_yaml()


def _answers(profile: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Answers 1..5, shape (n, 24), drawn through the ordinal threshold model."""
    means = np.array([PROFILES[k][2] for k in sorted(PROFILES)])
    traits = means[profile - 1] + rng.normal(0.0, _TRAIT_SD, size=(len(profile), len(CONSTRUCTS)))
    cols = []
    for c, key in enumerate(CONSTRUCTS):
        for _, _, rev in ITEMS[key]:
            latent = (-traits[:, c] if rev else traits[:, c]) + _ITEM_SHIFT
            cols.append(latent + rng.normal(0.0, _ITEM_SD, size=len(profile)))
    return 1 + np.searchsorted(_CUTS, np.column_stack(cols)).astype(np.int8)


def _timestamps(start: str, n: int, rng: np.random.Generator) -> pd.Series:
    # Google Forms writes "2026/09/14 9:41:07 AM GMT-4".
    base = pd.Timestamp(start)
    offsets = np.sort(rng.integers(0, 5 * 24 * 3600, size=n))
    times = base + pd.to_timedelta(offsets, unit="s")
    return pd.Series(times.strftime("%Y/%m/%d %-I:%M:%S %p GMT-4"))


def generate_sample(n_students: int = 240, seed: int | None = DEFAULT_SEED) -> SampleSurvey:
    """Generate the synthetic survey.

    Parameters
    ----------
    n_students : int, default=240
        Students in wave 1. Sections hold about 30 students each over grades 9-11 (8 sections
        for 240 students).
    seed : int, default=2024
        The random seed; the same seed gives the same files, byte for byte.

    Returns
    -------
    SampleSurvey

    Examples
    --------
    >>> s = generate_sample(60, seed=1)
    >>> s.truth["profile"].nunique()
    4
    """
    if not isinstance(n_students, (int, np.integer)) or n_students < 20:
        raise ValueError(f"n_students={n_students!r} should be a whole number >= 20")
    rng = check_random_state(seed)
    rng = np.random.default_rng(rng.randint(0, 2**31 - 1))
    n = int(n_students)

    # Students: sections of about 30, grades 9-11, sorted into sections.
    n_sections = max(8, round(n / 30))
    grade_of_section = np.array([9, 10, 11])[np.minimum(np.arange(n_sections) * 3 // n_sections, 2)]
    within = np.concatenate([np.arange((grade_of_section == g).sum()) for g in (9, 10, 11)])
    if n_sections <= 26:
        names = [f"{g}{chr(65 + j)}" for g, j in zip(grade_of_section, within)]
    else:
        names = [f"{g}-{j + 1:04d}" for g, j in zip(grade_of_section, within)]
    section_idx = np.sort(rng.integers(0, n_sections, size=n))
    section_idx[:n_sections] = np.arange(n_sections)  # no empty section
    section_idx = np.sort(section_idx)
    grade = grade_of_section[section_idx]
    section = np.array(names)[section_idx]
    weights = np.array([PROFILES[k][1] for k in sorted(PROFILES)])
    profile = rng.choice(np.arange(1, 5), size=n, p=weights)
    gender = rng.choice(["Female", "Male", "Non-binary", "Prefer not to say"], size=n, p=[0.48, 0.47, 0.03, 0.02])
    student_id = pd.Series(np.arange(10001, 10001 + n)).map("FAKE-{:d}".format)
    first = pd.Series(np.array(FIRST)[rng.integers(0, len(FIRST), n)])
    last = pd.Series(np.array(LAST)[rng.integers(0, len(LAST), n)])
    full = first + " " + last
    email = (first.str.lower() + "." + last.str.lower() + pd.Series(np.arange(n)).map("{:d}".format) + "@example.org")
    phone = pd.Series(rng.integers(100, 200, n)).map("555-0{:d}".format)

    # Quirks, each on a different student.
    n_dup, n_stop, n_straight, n_canary = (max(k, round(f * n)) for k, f in ((2, 0.02), (2, 0.015), (2, 0.008), (3, 0.035)))
    order = rng.permutation(n)
    cut = np.cumsum([n_dup, n_stop, n_straight, n_canary])
    dup, stop, straight, canary = np.split(order[: cut[-1]], cut[:-1])
    quirk = np.full(n, "none", dtype=object)
    quirk[dup], quirk[stop], quirk[straight], quirk[canary] = "duplicate", "stopped_halfway", "straight_liner", "planted_identifier"

    def export_for(prof: np.ndarray, start: str, ids: np.ndarray, with_quirks: bool) -> pd.DataFrame:
        m = len(ids)
        answers = _answers(prof, rng)
        text = np.array(LABELS, dtype=object)[answers - 1]
        text[rng.random(text.shape) < 0.03] = ""
        helps = np.array(HELPS, dtype=object)[rng.integers(0, len(HELPS), m)]
        goal = np.array(GOALS, dtype=object)[rng.integers(0, len(GOALS), m)]
        if with_quirks:
            pos = {s: i for i, s in enumerate(ids)}
            st = np.array([pos[s] for s in stop if s in pos], dtype=int)
            text[st, 12:] = ""
            helps[st], goal[st] = "", ""
            sl = np.array([pos[s] for s in straight if s in pos], dtype=int)
            text[sl, :] = "Agree"
            for j, s in enumerate(s for s in canary if s in pos):
                i, mate = pos[s], (s + 1 + j) % n
                kind = j % 3
                if kind == 0:
                    helps[i] = f"Email me at {email[s]} if there is extra practice"
                elif kind == 1:
                    helps[i] = f"Studying with {full[mate]} after school"
                else:
                    goal[i] = f"Text me reminders at {phone[s]} before tests"
        frame = pd.DataFrame(
            {
                "Timestamp": _timestamps(start, m, rng),
                "Email Address": email.to_numpy()[ids],
                "Your name": full.to_numpy()[ids],
                "Student ID": student_id.to_numpy()[ids],
                "Grade": grade[ids].astype(str),
                "Section": section[ids],
                "Gender": gender[ids],
            }
        )
        headers = [q for key in CONSTRUCTS for _, q, _ in ITEMS[key]]
        frame = pd.concat([frame, pd.DataFrame(text, columns=headers)], axis=1)
        frame[VOICE["helps_me_learn"]] = helps
        frame[VOICE["goal"]] = goal
        return frame

    ids1 = np.arange(n)
    wave1 = export_for(profile, "2026-09-14 08:00:00", ids1, True)
    # Duplicate submissions: the same student sends the form again a little later, with fresh
    # answers. The de-identification stage keeps the last one.
    again = export_for(profile[dup], "2026-09-19 08:00:00", dup, False)
    wave1 = pd.concat([wave1, again], ignore_index=True)
    ts = pd.to_datetime(wave1["Timestamp"].str.replace(" GMT-4", ""), format="%Y/%m/%d %I:%M:%S %p")
    wave1 = wave1.iloc[np.argsort(ts.to_numpy(), kind="stable")].reset_index(drop=True)

    cum = TRANSITIONS.cumsum(axis=1)[profile - 1]
    profile2 = 1 + (rng.random((n, 1)) > cum).sum(axis=1)
    responded2 = rng.random(n) > 0.05
    ids2 = np.flatnonzero(responded2)
    wave2 = export_for(profile2[ids2], "2026-12-07 08:00:00", ids2, False)

    truth = pd.DataFrame(
        {
            "student_id": student_id,
            "grade": grade,
            "section": section,
            "profile": profile,
            "profile_name": [PROFILES[k][0] for k in profile],
            "profile_wave2": np.where(responded2, profile2, 0),
            "responded_wave2": responded2,
            "quirk": quirk,
        }
    )
    planted_phones = set(phone[canary[2::3]])
    canaries = tuple(sorted(set(email) | set(full) | planted_phones | set(student_id)))
    return SampleSurvey(wave1, wave2, truth, canaries, SAMPLE_CODEBOOK, int(seed) if seed is not None else -1)


_README = """# The synthetic sample survey

**Everything here is synthetic.** No real student answered this survey. Every name, email
(`@example.org`), phone number (`555-01xx`) and student ID (`FAKE-...`) is made up by
`toolkit.sample` with seed {seed}; regenerate it with `toolkit sample --seed {seed} --out data/sample`
(a test checks that the committed files are exactly what the generator makes).

## Files
| file | what it is |
|---|---|
| `survey_export.csv` | wave 1 (September), laid out as a Google Forms CSV: {n_rows} submissions from {n} students |
| `survey_export_wave2.csv` | wave 2 (December): {n_rows2} of the same students, some in another profile |
| `codebook.yml` | which column is which item, the reverse-keyed items, the group and free-text columns |
| `truth.csv` | the true profile of each fake student in each wave, and which quirk was planted; **tests only** |

## Columns of the exports
| column | content |
|---|---|
| Timestamp | when the form was sent (Google's format) |
| Email Address, Your name, Student ID | identifying: fake, and removed or pseudonymised by `toolkit deidentify` |
| Grade, Section, Gender | group columns: grades 9-11, {n_sections} sections of about 30 |
| 24 statements | six scales of four items, answered Strongly disagree .. Strongly agree; one item of each scale is reverse keyed |
| What helps you learn best?, One goal I have for this term | free text in the student's own words |

The six scales: {scales}. Test anxiety is the one where a high score is a need.

## How it was made
Each student belongs to one of four latent profiles; a profile fixes the mean of the six latent
traits (standard units), a student's traits vary around them (sd {trait_sd}), and each item is
the trait plus item noise (sd {item_sd}) cut into five ordered categories (an ordinal threshold
model). The profiles overlap on purpose, as real ones do.

| profile | share | {scale_header} |
|---|---|{scale_rule}
{profile_rows}

Planted on purpose, for the later stages to handle: about 3% skipped answers; {n_stop} students who
stopped half-way; {n_dup} duplicate submissions (the same student twice; the later one counts);
{n_straight} straight-liners (the same answer everywhere); {n_canary} free-text answers carrying an
email, a 555 phone number or a classmate's name. Between the waves students move between
profiles with the probabilities in `toolkit.sample.TRANSITIONS`; about 5% did not answer wave 2.
"""


def write_sample(out_dir: str | os.PathLike, n_students: int = 240, seed: int = DEFAULT_SEED) -> Path:
    """Generate the sample and write its files into ``out_dir``.

    Writes ``survey_export.csv``, ``survey_export_wave2.csv``, ``codebook.yml``, ``truth.csv``
    and ``README.md``, all at once (nothing is written if generation fails).

    Returns
    -------
    Path
        The output folder.
    """
    s = generate_sample(n_students, seed)
    counts = s.truth["quirk"].value_counts()
    readme = _README.format(
        seed=seed,
        n=len(s.truth),
        n_rows=len(s.export),
        n_rows2=len(s.export_wave2),
        n_sections=s.truth["section"].nunique(),
        scales=", ".join(LABEL_OF[k].lower() for k in CONSTRUCTS),
        trait_sd=_TRAIT_SD,
        item_sd=_ITEM_SD,
        scale_header=" | ".join(LABEL_OF[k] for k in CONSTRUCTS),
        scale_rule="---|" * len(CONSTRUCTS),
        profile_rows="\n".join(
            f"| {name} | {share:.0%} | " + " | ".join(f"{m:+.1f}" for m in means) + " |"
            for name, share, means in PROFILES.values()
        ),
        n_stop=counts.get("stopped_halfway", 0),
        n_dup=counts.get("duplicate", 0),
        n_straight=counts.get("straight_liner", 0),
        n_canary=counts.get("planted_identifier", 0),
    )
    with atomic_output_dir(out_dir) as tmp:
        s.export.to_csv(tmp / "survey_export.csv", index=False, lineterminator="\n")
        s.export_wave2.to_csv(tmp / "survey_export_wave2.csv", index=False, lineterminator="\n")
        s.truth.to_csv(tmp / "truth.csv", index=False, lineterminator="\n")
        (tmp / "codebook.yml").write_text(s.codebook_yaml, encoding="utf-8")
        (tmp / "README.md").write_text(readme, encoding="utf-8")
    return Path(out_dir)
