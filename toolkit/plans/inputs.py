"""What :func:`~toolkit.plans.draft_plans` reads besides the scores: the profile assignments, the
students' sheet answers and words, last cycle's plans (and how its profiles match this cycle's),
the group table and the start date, each checked with one clear message.
"""

from __future__ import annotations

import datetime
from typing import Any

import numpy as np
import pandas as pd

from ..codebook import Codebook
from .._validation import check_assignments
from ..errors import user_error
from .wording import _text


def _ids(value) -> tuple[str, ...]:
    if value is None or (not isinstance(value, (str, tuple, list)) and pd.isna(value)):
        return ()
    if isinstance(value, str):
        value = value.split(";")
    return tuple(dict.fromkeys(str(v).strip() for v in value if str(v).strip()))


def _match_profiles(prev_of: dict, scores: pd.DataFrame, profile: pd.Series) -> dict | None:
    """Previous profile number -> this cycle's profile, matched by their mean scale scores.

    Profile numbers (and names drawn from the means) are not stable between two fits, so the
    previous cycle's profiles are matched to this cycle's by the smallest total distance between
    their mean scores (the Hungarian algorithm; a previous profile left over goes to the nearest).
    None when the previous plans carry no scores (an older plans.csv): then names, else numbers.
    """
    from ..profiles import align_profiles

    cols = [c for c in scores.columns]
    rows = [(d.get("profile"), [d.get(f"score_{c}", np.nan) for c in cols]) for d in prev_of.values()]
    rows = [(k, v) for k, v in rows if k is not None and np.isfinite(np.asarray(v, dtype=float)).any()]
    if not rows:
        return None
    prev = pd.DataFrame([v for _, v in rows], columns=cols, index=[k for k, _ in rows]).groupby(level=0).mean()
    cur = scores.groupby(profile.reindex(scores.index)).mean()
    pairs = align_profiles(prev, cur[cols], unmatched="nearest")  # the one alignment rule of the toolkit
    return {int(a): int(b) for a, b in zip(pairs["profile_a"], pairs["profile_b"])}


def _change(prev, k: int, name: str, cert: float, scores_row: pd.Series, fit_threshold: float, matched=None):
    """(profile_change, moved) of one student against the previous cycle's row."""
    if prev is None:
        return "new", {}
    pname = str(prev.get("profile_name") or "")
    if matched is not None and prev.get("profile") in matched:
        same = matched[prev["profile"]] == k
    elif pname and name:
        same = pname == name
    else:
        same = prev.get("profile") == k
    pcert = prev.get("certainty", np.nan)
    uncertain = (np.isfinite(cert) and cert < fit_threshold) or (np.isfinite(pcert) and pcert < fit_threshold)
    change = "same" if same else ("changed (uncertain)" if uncertain else "changed")
    moved = {}
    for c, now in scores_row.items():
        before = prev.get(f"score_{c}", np.nan)
        if np.isfinite(now) and np.isfinite(before) and abs(now - before) >= 0.5:
            moved[c] = round(float(now - before), 2)
    return change, moved


def _frame_by_pseudonym(table, what: str) -> pd.DataFrame:
    if not isinstance(table, pd.DataFrame):
        raise user_error(f"{what} should be a DataFrame (index pseudonym)")
    if "pseudonym" in table.columns:
        table = table.set_index("pseudonym")
    table = table.copy()
    table.index = table.index.astype(str)
    if table.index.has_duplicates:
        raise user_error(f"a pseudonym appears twice in {what}", row=str(table.index[table.index.duplicated()][0]),
                         fix="keep one row per student")
    return table


def _answers_table(answers, order) -> dict:
    if answers is None:
        return {}
    table = _frame_by_pseudonym(answers, "the students' answers")
    keys = ("goal", "chosen", "crossed", "own_idea", "how_i_know", "who_can_help", "describes_me", "goal_progress")
    out = {}
    for pid, row in table.iterrows():
        out[pid] = {k: (_ids(row[k]) if k in ("chosen", "crossed") else _text(row[k])) for k in keys if k in table.columns}
    return out


def _previous_table(previous, order) -> tuple[dict, tuple[str, ...]]:
    if previous is None:
        return {}, ()
    table = _frame_by_pseudonym(previous, "the previous plans")
    if "profile" not in table.columns:
        raise user_error("the previous plans have no 'profile' column", column="profile",
                         fix="give the plans.csv written by toolkit plans in the previous cycle")
    out = {}
    for pid, row in table.iterrows():
        d = {}
        for c, v in row.items():
            if c in ("profile",):
                num = pd.to_numeric(v, errors="coerce")
                d[c] = int(num) if pd.notna(num) else None
            elif c == "certainty" or str(c).startswith("score_"):
                num = pd.to_numeric(v, errors="coerce")
                d[c] = float(num) if pd.notna(num) else np.nan
            elif c in ("chosen", "crossed"):
                d[c] = _ids(v)
            else:
                d[c] = _text(v)
        out[pid] = d
    return out, tuple(sorted(p for p in table.index if p not in set(order)))


def _groups(groups, order) -> tuple[tuple[str, ...], dict]:
    if groups is None:
        return (), {}
    table = _frame_by_pseudonym(groups, "the group table")
    cols = tuple(str(c) for c in table.columns)
    return cols, {pid: {c: _text(table.at[pid, c]) for c in cols} for pid in order if pid in table.index}


def _as_date(start):
    if start is None or start == "":
        return None
    if isinstance(start, datetime.datetime):
        return start.date()
    if isinstance(start, datetime.date):
        return start
    try:
        return datetime.date.fromisoformat(str(start).strip())
    except ValueError:
        raise user_error("the start date is not a date", value=str(start), fix="give it as YYYY-MM-DD, e.g. 2026-09-28") from None


def _assignments(solution: Any) -> pd.DataFrame:
    """The solution's assignments checked by the toolkit's one rule for them
    (:func:`toolkit._validation.check_assignments`, as ``toolkit plans`` and ``toolkit report``
    read assignments.csv), with each student's certainty (else their largest posterior)."""
    a = getattr(solution, "assignments", None)
    if not isinstance(a, pd.DataFrame):
        raise user_error("the profile solution has no assignments table",
                         fix="pass a ProfileSolution, or any object whose .assignments is a DataFrame "
                             "(index pseudonym; columns profile and certainty)")
    if "pseudonym" not in a.columns and a.index.name != "pseudonym":
        a = a.rename_axis("pseudonym")  # an in-memory solution: its index holds the pseudonyms
    a = check_assignments(a, what="the profile assignments")
    out = pd.DataFrame({"profile": a["profile"].astype("int64")}, index=a.index.copy())
    if "certainty" in a.columns:
        out["certainty"] = a["certainty"].astype(float)
    else:
        pcols = [c for c in a.columns if isinstance(c, str) and c[:1] == "p" and c[1:].isdigit()]
        if not pcols:
            raise user_error("the profile assignments have neither 'certainty' nor posterior columns p1..pK",
                             column="certainty", fix="add the largest posterior probability of each student as 'certainty'")
        out["certainty"] = a[pcols].max(axis=1).astype(float)
    return out


def _voice(voice, order, codebook: Codebook, goal_key: str) -> tuple[dict, dict]:
    if voice is None:
        return {}, {}, {}
    if not isinstance(voice, pd.DataFrame):
        raise user_error("voice should be a DataFrame (index pseudonym; columns the codebook's voice keys)")
    keys = [k for k in codebook.voice_columns if k in voice.columns] or [
        c for c in voice.columns if c == goal_key]
    if not keys:
        raise user_error(f"the voice table has none of the codebook's voice keys ({', '.join(codebook.voice_columns)})",
                         fix="pass the de-identified responses, whose voice columns are named by their keys")
    v = voice.loc[voice.index.isin(order), keys]
    if v.index.has_duplicates:
        raise user_error("a pseudonym appears twice in the voice table", row=str(v.index[v.index.duplicated()][0]),
                         fix="keep one row per student")
    words, goals, helps = {}, {}, {}
    for pid, row in v.iterrows():
        said = [_text(row[k]) for k in keys if k != goal_key]
        said = [s for s in said if s]
        if said:
            words[pid] = "In my words: " + "; ".join(f'"{s}"' for s in said)
            helps[pid] = "; ".join(said)
        if goal_key in keys and _text(row[goal_key]):
            goals[pid] = _text(row[goal_key])
    return words, goals, helps
