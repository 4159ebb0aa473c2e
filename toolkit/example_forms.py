"""A second synthetic example, not shaped like the sample: a teacher's own Microsoft Forms export.

Three scales of different lengths (belonging, maths anxiety, growth mindset) on a 1-7 agreement
scale written as words, three true profiles, and the finished codebook a teacher ends up with
after ``toolkit codebook init``. It is made like the sample (:mod:`toolkit.sample`), from an
ordinal threshold model, and lives in ``data/example-forms/``.
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
from .config import DEFAULT_SEED, PROJECT_ROOT

__all__ = [
    "FORMS_EXAMPLE_DIR",
    "FORMS_LABELS",
    "FORMS_ITEMS",
    "FormsExample",
    "generate_forms_example",
    "write_forms_example",
]

#: Where the second example lives in the source checkout.
FORMS_EXAMPLE_DIR = PROJECT_ROOT / "data" / "example-forms"
#: The 1-7 agreement scale of the second example, written as words, lowest first.
FORMS_LABELS = (
    "Strongly disagree", "Disagree", "Somewhat disagree", "Neither agree nor disagree", "Somewhat agree", "Agree",
    "Strongly agree",
)
#: The second example's three scales, of different lengths: (item id, question, reverse keyed).
FORMS_ITEMS = {
    "belonging": [
        ("bel1", "I feel like I belong in my maths class.", False),
        ("bel2", "People in my maths class accept me as I am.", False),
        ("bel3", "I feel like an outsider in maths lessons.", True),
        ("bel4", "My maths teacher cares about me.", False),
        ("bel5", "I can be myself in maths lessons.", False),
    ],
    "maths_anxiety": [
        ("anx1", "I get nervous when I have to do maths in front of others.", False),
        ("anx2", "I worry about getting bad marks in maths.", False),
        ("anx3", "My mind goes blank when I do maths under time pressure.", False),
        ("anx4", "I stay relaxed during maths tests.", True),
    ],
    "growth_mindset": [
        ("gm1", "I can always get better at maths with practice.", False),
        ("gm2", "Making mistakes in maths helps my brain grow.", False),
        ("gm3", "You are either good at maths or you are not, and you can't change that much.", True),
    ],
}
FORMS_LABEL_OF = {"belonging": "Belonging", "maths_anxiety": "Maths anxiety", "growth_mindset": "Growth mindset"}
FORMS_TAG_OF = {"belonging": "belonging", "maths_anxiety": "test_anxiety", "growth_mindset": "growth_mindset"}
FORMS_VOICE = "What would help you most in maths lessons?"
#: Three true profiles over (belonging, maths anxiety, growth mindset), standard units.
FORMS_PROFILES = {
    1: ("Settled and calm", 0.40, (0.6, -0.8, 0.3)),
    2: ("Anxious, ability fixed", 0.32, (0.5, 0.9, -0.6)),
    3: ("Outsiders", 0.28, (-1.0, 0.3, 0.4)),
}
_FORMS_ITEM_SD = 0.55  # item noise: a short scale needs items a little closer to their trait
_FORMS_CUTS = np.array([-1.7, -1.1, -0.55, -0.05, 0.5, 1.15])  # thresholds between the seven answers
_FORMS_HELPS = (
    "More worked examples on the board",
    "Being allowed to check answers with a partner",
    "Practice tests that do not count",
    "When the teacher explains it a second way",
    "Less time pressure in tests",
    "Knowing that everyone makes mistakes",
    "Sitting with my friends",
    "Harder problems when I finish early",
    "Not being asked to answer in front of everyone",
    "",
)


@dataclass(frozen=True)
class FormsExample:
    """The second example: a Microsoft Forms export and its truth.

    Attributes
    ----------
    export : DataFrame
        The sheet as Microsoft Forms writes it (ID, Start time, Completion time, Email, Name,
        Last modified time, then one column per question); answers are the words of a 1-7 scale.
    truth : DataFrame
        One row per fake student: ``student_number, year, maths_class, profile, profile_name``.
        For tests only.
    canaries : tuple of str
        Every identifying value in the export (emails, names, student numbers).
    codebook_yaml : str
        The finished codebook, as a teacher ends up with it after ``toolkit codebook init``.
    seed : int
    """

    export: pd.DataFrame
    truth: pd.DataFrame
    canaries: tuple[str, ...]
    codebook_yaml: str
    seed: int


def _forms_codebook_yaml() -> str:
    lines = [
        "# Codebook of the second example (made by toolkit.example_forms.generate_forms_example): what a",
        "# teacher ends up with after `toolkit codebook init` and deciding every marked line (docs/codebook.md).",
        "title: Maths belonging, anxiety and mindset survey (synthetic example)",
        "response_scale:",
        "  min: 1",
        "  max: 7",
        "  labels: [" + ", ".join(FORMS_LABELS) + "]",
        "id_column: Student number",
        "name_columns: [Name]",
        "group_columns: [Year, Maths class]",
        "voice_columns:",
        f'  helps_me: "{FORMS_VOICE}"',
        "constructs:",
    ]
    for key, items in FORMS_ITEMS.items():
        lines += [f"  {key}:", f"    label: {FORMS_LABEL_OF[key]}", f"    tag: {FORMS_TAG_OF[key]}"]
        lines.append(f"    higher_is_better: {'false' if key == 'maths_anxiety' else 'true'}")
        lines.append("    items:")
        for iid, text, rev in items:
            q = text.replace('"', '\\"')
            lines.append(f'      {iid}: {{column: "{q}", reverse: true}}' if rev else f'      {iid}: "{q}"')
    return "\n".join(lines) + "\n"


def generate_forms_example(n_students: int = 60, seed: int | None = DEFAULT_SEED) -> FormsExample:
    """Generate the second example: a small Microsoft Forms survey unlike the sample.

    Students in Years 8 and 9 (classes 8M1, 8M2, 9M1) answer 12 statements on a 1-7 agreement
    scale written as words: belonging (5 items), maths anxiety (4, where a high score is a need)
    and growth mindset (3); one item of each scale is reverse keyed. Each student belongs to one
    of :data:`FORMS_PROFILES`; answers come from the same ordinal threshold model as the sample's.
    About 2% of answers are skipped, and two free-text answers carry a planted identifier (a fake
    email, a classmate's fake name). There is no second wave.

    Parameters
    ----------
    n_students : int, default=60
    seed : int, default=2024

    Returns
    -------
    FormsExample

    Examples
    --------
    >>> ex = generate_forms_example()
    >>> ex.export.shape
    (60, 22)
    """
    if not isinstance(n_students, (int, np.integer)) or n_students < 20:
        raise ValueError(f"n_students={n_students!r} should be a whole number >= 20")
    rng = np.random.default_rng(check_random_state(seed).randint(0, 2**31 - 1))
    n = int(n_students)
    classes = np.array(["8M1", "8M2", "9M1"])
    cls = classes[np.sort(np.arange(n) % 3)]
    year = np.where(np.char.startswith(cls.astype(str), "8"), "Year 8", "Year 9")
    weights = np.array([FORMS_PROFILES[k][1] for k in sorted(FORMS_PROFILES)])
    profile = rng.choice(np.arange(1, 4), size=n, p=weights)
    means = np.array([FORMS_PROFILES[k][2] for k in sorted(FORMS_PROFILES)])
    traits = means[profile - 1] + rng.normal(0.0, _TRAIT_SD, size=(n, 3))
    cols = []
    for c, key in enumerate(FORMS_ITEMS):
        for _, _, rev in FORMS_ITEMS[key]:
            latent = (-traits[:, c] if rev else traits[:, c]) + 0.15
            cols.append(latent + rng.normal(0.0, _FORMS_ITEM_SD, size=n))
    answers = 1 + np.searchsorted(_FORMS_CUTS, np.column_stack(cols))
    text = np.array(FORMS_LABELS, dtype=object)[answers - 1]
    text[rng.random(text.shape) < 0.02] = None  # Microsoft Forms leaves a skipped answer empty

    first = np.array(FIRST)[rng.permutation(len(FIRST))[: min(n, len(FIRST))]]
    first = np.resize(first, n)
    last = np.array(LAST)[rng.integers(0, len(LAST), n)]
    full = [f"{a} {b}" for a, b in zip(first, last)]
    email = [f"{a.lower()}.{b.lower()}{k}@students.example.org" for k, (a, b) in enumerate(zip(first, last))]
    number = [f"FAKE-M{k:03d}" for k in range(1, n + 1)]
    helps = np.array(_FORMS_HELPS, dtype=object)[rng.integers(0, len(_FORMS_HELPS), n)]
    planted = rng.choice(n, size=2, replace=False)
    helps[planted[0]] = f"Could you email extra sheets to {email[planted[0]]}"
    helps[planted[1]] = f"Sitting next to {full[(planted[1] + 1) % n]} because they explain it well"

    start = pd.Timestamp("2026-10-05 09:10:00") + pd.to_timedelta(np.sort(rng.integers(0, 3 * 24 * 3600, n)), unit="s")
    took = pd.to_timedelta(rng.integers(150, 600, n), unit="s")
    order = rng.permutation(n)  # students answer in any order, not sorted by class
    frame = pd.DataFrame(
        {
            "ID": np.arange(1, n + 1),
            "Start time": start.to_pydatetime(),
            "Completion time": (start + took).to_pydatetime(),
            "Email": np.array(email, dtype=object)[order],
            "Name": np.array(full, dtype=object)[order],
            "Last modified time": [None] * n,
            "Student number": np.array(number, dtype=object)[order],
            "Year": year[order],
            "Maths class": cls[order],
        }
    )
    headers = [q for items in FORMS_ITEMS.values() for _, q, _ in items]
    frame = pd.concat([frame, pd.DataFrame(text[order], columns=headers)], axis=1)
    frame[FORMS_VOICE] = helps[order]
    truth = pd.DataFrame(
        {
            "student_number": number,
            "year": year,
            "maths_class": cls,
            "profile": profile,
            "profile_name": [FORMS_PROFILES[k][0] for k in profile],
        }
    )
    canaries = tuple(sorted(set(email) | set(full) | set(number)))
    return FormsExample(frame, truth, canaries, _forms_codebook_yaml(), int(seed) if seed is not None else -1)


_FORMS_README = """# A second example: a teacher's own Microsoft Forms survey

**Everything here is synthetic.** Every name, email (`@students.example.org`) and student number
(`FAKE-M...`) is made up by `toolkit.example_forms.generate_forms_example` with seed {seed}; regenerate it
with `python -c "from toolkit.example_forms import write_forms_example; write_forms_example('data/example-forms')"`.

It is not shaped like the bundled sample on purpose, so that tests and workshops can check that the
toolkit works on a teacher's own export:
- another platform: Microsoft Forms, an .xlsx file;
- {n} students in {n_classes} classes, with the group columns `Year` and `Maths class`;
- a 1-7 agreement scale written as words;
- three scales of different lengths: {scales}; maths anxiety is lower-is-better (a high score
  is a need);
- one free-text question, and no second wave.

| file | what it is |
|---|---|
| `maths_survey.xlsx` | the export, as Microsoft Forms writes it |
| `codebook.yml` | the finished codebook: what `toolkit codebook init maths_survey.xlsx` drafts, after a teacher has decided every marked line (see docs/codebook.md) |

Each student belongs to one of three latent profiles ({profiles}); answers come
from the same ordinal threshold model as the sample's. About 2% of answers are skipped; two free-text answers
carry a fake email or a classmate's fake name, for the privacy stage to remove.
"""


def write_forms_example(out_dir: str | os.PathLike = FORMS_EXAMPLE_DIR, n_students: int = 60,
                        seed: int = DEFAULT_SEED) -> Path:
    """Write the second example (``maths_survey.xlsx``, ``codebook.yml``, ``README.md``) into ``out_dir``.

    All files are written at once (nothing is written if generation fails). The workbook's
    cells are the same for the same seed; its zip container holds the time it was written.

    Returns
    -------
    Path
        The output folder.
    """
    import datetime as dt

    import openpyxl

    ex = generate_forms_example(n_students, seed)
    readme = _FORMS_README.format(
        seed=seed,
        n=len(ex.truth),
        n_classes=ex.truth["maths_class"].nunique(),
        scales=", ".join(f"{FORMS_LABEL_OF[k].lower()} ({len(v)} items)" for k, v in FORMS_ITEMS.items()),
        profiles=", ".join(f"{name} {share:.0%}" for name, share, _ in FORMS_PROFILES.values()),
    )
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(list(ex.export.columns))
    for row in ex.export.itertuples(index=False):
        ws.append([None if (v is None or (isinstance(v, float) and np.isnan(v))) else v for v in row])
    for col in ("B", "C"):
        for cell in ws[col][1:]:
            cell.number_format = "m/d/yy h:mm:ss"
    stamp = dt.datetime(2026, 10, 8, 12, 0, 0)
    wb.properties.created = wb.properties.modified = stamp
    wb.properties.creator = "toolkit.example_forms"
    with atomic_output_dir(out_dir) as tmp:
        wb.save(tmp / "maths_survey.xlsx")
        (tmp / "codebook.yml").write_text(ex.codebook_yaml, encoding="utf-8")
        (tmp / "README.md").write_text(readme, encoding="utf-8")
    return Path(out_dir)
