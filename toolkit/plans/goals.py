"""What students write on their sheets, read back into their plans.

Two ways back, both without typing codes into the plans by hand:

- ``toolkit plans import-goals`` (:func:`import_goals`): a CSV of pseudonym and goal.
- ``toolkit plans import`` (:func:`read_answers`): everything on the co-writing sheet. The
  toolkit writes the sheet's questions as ``form-questions.txt`` (to paste into a Google or
  Microsoft Form) and a plain ``answers-template.csv`` (for a teacher to fill in); the form's
  export is read with the survey's own reader (:func:`toolkit.io.read_export`), so a Google
  Forms, Microsoft Forms, Qualtrics, CSV or Excel file all work. Headers are matched to
  :data:`ANSWER_FIELDS` by the field name or by the question text, ignoring case and spaces.

The ideas on a sheet are numbered 1, 2, 3 (the plan's ``offered`` strategies, in order); an
answer of yes (tick, yes, y, 1, true, "Yes, I'll try it") marks the idea chosen, no (cross, x,
no, n, 0, "No, not for me") crossed, and a blank or "not sure" leaves it open. Free text is
scrubbed of identifiers with :func:`toolkit.scrub.scrub_text` before it enters a plan, as the
survey's free text is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from ..errors import user_error
from .wording import _text

__all__ = ["GoalImport", "import_goals", "AnswerImport", "read_answers", "ANSWER_FIELDS", "QUESTIONS",
           "DESCRIBES", "PROGRESS", "form_questions"]


@dataclass(frozen=True)
class GoalImport:
    """The result of :func:`import_goals`.

    Attributes
    ----------
    plans : DataFrame
        The plans table with the imported goals in its ``goal`` column.
    updated : tuple of str
        Pseudonyms whose goal was set.
    unknown : DataFrame
        Rows of the goals file whose pseudonym has no plan (columns row, pseudonym, goal): reported,
        never dropped silently.
    blank : int
        Rows with an empty goal (left as they were).
    """

    plans: pd.DataFrame
    updated: tuple[str, ...]
    unknown: pd.DataFrame
    blank: int

    def summary(self) -> str:
        """One or two plain sentences for the teacher."""
        msg = f"Imported {len(self.updated)} goal(s)"
        if self.blank:
            msg += f"; {self.blank} row(s) had no goal and were left as they were"
        msg += "."
        if len(self.unknown):
            first = ", ".join(self.unknown["pseudonym"].astype(str).head(3))
            msg += (f" {len(self.unknown)} row(s) have a pseudonym with no plan (first: {first}); they were not "
                    f"imported. Check that the students copied their code correctly.")
        return msg


# --------------------------------------------------------------------------------------------
# drafting


def import_goals(plans: pd.DataFrame, goals: pd.DataFrame, *, source: str = "goals file", scrub: bool = True,
                 names=()) -> GoalImport:
    """Put the goals students wrote on their reflection sheets into the plans table.

    Parameters
    ----------
    plans : DataFrame
        The plans table (:meth:`PlanSet.to_frame`, or plans.csv read back), index or column
        ``pseudonym``, with a ``goal`` column.
    goals : DataFrame
        Columns ``pseudonym`` and ``goal`` (headers matched without regard to case or spaces),
        as read from the file (all text).
    source : str
        The file name, for messages.
    scrub : bool, default=True
        Remove identifiers (emails, phone numbers, IDs, names) from the goals with
        :func:`toolkit.privacy.scrub_text` before they enter the plans: a student may have written
        their name next to the goal.
    names : iterable of str, default=()
        Names to scrub as well (a class roster).

    Returns
    -------
    GoalImport
        Unknown pseudonyms are listed in ``.unknown``, never dropped silently.

    Raises
    ------
    ToolkitError
        A column is missing, or a pseudonym appears twice with different goals.
    """
    table = plans.copy()
    if "pseudonym" in table.columns:
        table = table.set_index("pseudonym")
    if "goal" not in table.columns:
        raise user_error("the plans table has no 'goal' column", column="goal",
                         fix="use the plans.csv written by 'toolkit plans'")
    cols = {" ".join(str(c).casefold().split()): c for c in goals.columns}
    for need in ("pseudonym", "goal"):
        if need not in cols:
            raise user_error(f"the goals file has no '{need}' column (its columns: {', '.join(map(str, goals.columns))})",
                             file=source, column=need,
                             fix="give a CSV with the columns pseudonym and goal, one row per student")
    g = pd.DataFrame({
        "row": np.arange(2, len(goals) + 2),
        "pseudonym": goals[cols["pseudonym"]].map(_text).to_numpy(dtype=object),
        "goal": goals[cols["goal"]].map(_text).to_numpy(dtype=object),
    })
    g = g[g["pseudonym"] != ""]
    if scrub and len(g):
        from ..scrub import scrub_id_shapes, scrub_text

        g["goal"] = scrub_text(scrub_id_shapes(g["goal"]), names=names).fillna("").map(_text).to_numpy(dtype=object)
    dup = g[g.duplicated("pseudonym", keep=False)]
    if len(dup) and dup.groupby("pseudonym")["goal"].nunique().max() > 1:
        first = dup.iloc[1]
        raise user_error("this pseudonym appears on two rows with different goals", file=source, row=int(first["row"]),
                         column="pseudonym", value=first["pseudonym"], fix="keep one goal per student")
    g = g.drop_duplicates("pseudonym", keep="last")
    known = g["pseudonym"].isin(table.index.astype(str))
    unknown = g.loc[~known, ["row", "pseudonym", "goal"]].reset_index(drop=True)
    use = g[known & (g["goal"] != "")]
    goal_col = table["goal"].astype(object).where(table["goal"].notna(), "")
    goal_col = goal_col.map(_text)
    goal_col.loc[use["pseudonym"].to_numpy()] = use["goal"].to_numpy()
    table["goal"] = goal_col
    return GoalImport(
        plans=table,
        updated=tuple(sorted(use["pseudonym"])),
        unknown=unknown,
        blank=int((g.loc[known, "goal"] == "").sum()),
    )


# --------------------------------------------------------------------------------------------
# the co-writing sheet's answers

#: The columns of a filled co-writing sheet, in the order of the sheet.
ANSWER_FIELDS = ("code", "idea_1", "idea_2", "idea_3", "own_idea", "goal", "will_try", "how_i_know",
                 "who_can_help", "describes_me", "goal_progress")
#: Field -> the question as the form asks it (the header a form export gives it).
QUESTIONS = {
    "code": "Your code (on your sheet)",
    "idea_1": "Idea 1 on your sheet: would you try it?",
    "idea_2": "Idea 2 on your sheet: would you try it?",
    "idea_3": "Idea 3 on your sheet: would you try it?",
    "own_idea": "Your own idea: something else you would like to try",
    "goal": "My goal",
    "will_try": "What I will try",
    "how_i_know": "How I will know it is working",
    "who_can_help": "Who can help",
    "describes_me": "Does this plan describe you?",
    "goal_progress": "Your goal from last time: how did it go?",
}
_CHOICES = {"idea_1": "Yes, I'll try it / No, not for me / Not sure", "describes_me": "Yes / Partly / No",
            "goal_progress": "Yes / Partly / Not yet"}
#: Answers to "does this describe you?" and "how did it go?", as stored.
DESCRIBES = ("yes", "partly", "no")
PROGRESS = ("yes", "partly", "not yet")
_YES = {"yes", "y", "tick", "ticked", "\u2713", "\u2714", "1", "true", "yes, i'll try it", "yes i'll try it", "i'll try it"}
_NO = {"no", "n", "x", "cross", "crossed", "\u2717", "\u2718", "0", "false", "no, not for me", "not for me"}
_OPEN = {"", "not sure", "?", "maybe", "don't know", "dont know"}
_TEXT_FIELDS = ("own_idea", "goal", "will_try", "how_i_know", "who_can_help")
# Headers of the identifying columns forms add (Google: Email Address; Microsoft: Email, Name).
_NAME_HEADERS = {"name", "your name", "full name", "first name", "last name", "student name", "email",
                 "email address", "e-mail", "respondent", "responder"}


def form_questions(plans=None) -> str:
    """The co-writing sheet's questions as a text file a teacher pastes into a Google or Microsoft Form.

    Each question is given with its type and, for multiple choice, its options. The form's
    export (or a plain CSV with the field names as headers) is read back by :func:`read_answers`.
    """
    lines = ["Questions for the form that collects the co-writing sheets (toolkit plans import reads its export).",
             "Make one question per line below, with exactly this wording; keep the order.", ""]
    for f in ANSWER_FIELDS:
        q = QUESTIONS[f]
        kind = "multiple choice: " + _CHOICES.get(f, _CHOICES["idea_1"]) if (f.startswith("idea_") or f in _CHOICES) else \
            ("short answer (required)" if f == "code" else "paragraph")
        lines.append(f"{q}\t[{kind}]")
    lines += ["", "Ideas 1, 2 and 3 are the numbered ideas on each student's own sheet. The code is printed on the sheet.",
              "Do not add a question for the student's name: the code is enough, and names must not reach the plans.",
              "Set the form not to collect e-mail addresses or names (Google Forms: Settings > Responses > Collect email",
              "addresses: Do not collect; Microsoft Forms: Anyone can respond). If the export has a Name or Email column",
              "anyway, toolkit plans import never reads it into the plans and removes those names from the answers."]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class AnswerImport:
    """The result of :func:`read_answers`.

    Attributes
    ----------
    answers : DataFrame
        Index pseudonym; goal, chosen, crossed (strategy ids joined with ";"), own_idea,
        how_i_know, who_can_help, describes_me, goal_progress: what :func:`draft_plans` takes
        as ``answers=``.
    unknown : DataFrame
        Rows whose code has no plan (columns row, code): reported, never dropped silently.
    duplicates : int
        Students who sent more than one row; the last one counts (a form re-submitted).
    ignored_ideas : int
        Answers to an idea number the student's sheet did not have.
    """

    answers: pd.DataFrame
    unknown: pd.DataFrame
    duplicates: int = 0
    ignored_ideas: int = 0

    def summary(self) -> str:
        """Plain sentences for the teacher (counts and codes only)."""
        a = self.answers
        n_goal = int((a["goal"] != "").sum()) if len(a) else 0
        n_choice = int(((a["chosen"] != "") | (a["crossed"] != "")).sum()) if len(a) else 0
        msg = (f"Read the sheets of {len(a)} student(s): {n_goal} goal(s), {n_choice} with ticks or crosses, "
               f"{int((a['describes_me'] == 'no').sum()) if len(a) else 0} saying the plan does not describe them.")
        if self.duplicates:
            msg += f" {self.duplicates} student(s) sent more than once; the last answer counts."
        if self.ignored_ideas:
            msg += f" {self.ignored_ideas} answer(s) to an idea number the student's sheet did not have were ignored."
        if len(self.unknown):
            first = ", ".join(self.unknown["code"].astype(str).head(3))
            msg += (f" {len(self.unknown)} row(s) have a code with no plan (first: {first}); they were not imported. "
                    f"Check the codes against the sheets.")
        return msg


def _norm(text) -> str:
    return " ".join(str(text).casefold().replace("\u2019", "'").split())


def read_answers(table: pd.DataFrame, offered: Mapping[str, tuple[str, ...]], *, source: str = "answers file",
                 rows=None, names=(), scrub: bool = True) -> AnswerImport:
    """Read the filled co-writing sheets (a form export or the plain CSV) into answers for the plans.

    Parameters
    ----------
    table : DataFrame
        All text, one row per sheet (``toolkit.io.read_export(path).table``, or a CSV read with
        ``dtype=str``). Headers: :data:`ANSWER_FIELDS` or the form's :data:`QUESTIONS` (case and
        spaces ignored); ``pseudonym`` is accepted for ``code``. Other columns (a form's
        Timestamp) are ignored.
    offered : Mapping
        Pseudonym -> the strategy ids the student's sheet numbered 1, 2, 3 (plans.csv's
        ``offered`` column of the sheets that were printed).
    source : str
        The file, for messages.
    rows : sequence of int, optional
        The file's row number of each row (default 2, 3, ...).
    names : iterable of str
        Names to scrub as well (a class roster).
    scrub : bool, default=True

    Returns
    -------
    AnswerImport

    Raises
    ------
    ToolkitError
        No code column, no answer column, or an answer that is not one of the choices (naming the
        file, row, column and value).
    """
    lookup = {}
    for f in ANSWER_FIELDS:
        lookup[_norm(f)] = f
        lookup[_norm(QUESTIONS[f])] = f
        lookup[_norm(f.replace("_", " "))] = f
    lookup["pseudonym"] = "code"
    cols = {}
    for c in table.columns:
        f = lookup.get(_norm(c))
        if f and f not in cols:
            cols[f] = c
    if "code" not in cols:
        raise user_error(f"the answers have no code column (its columns: {', '.join(map(str, table.columns))})",
                         file=source, column="code",
                         fix=f"name the column 'code' or '{QUESTIONS['code']}' (see form-questions.txt)")
    if len(cols) == 1:
        raise user_error("the answers have a code column but no answer column", file=source,
                         fix="use the headers of answers-template.csv or the questions of form-questions.txt")
    # a form that collected names or e-mails: never imported, but scrubbed from the free text
    said_names = [v for c in table.columns if _norm(c) in _NAME_HEADERS for v in table[c].map(_text) if v]
    names = list(names) + said_names
    rows = list(rows) if rows is not None else list(range(2, len(table) + 2))
    get = {f: table[c].map(_text).to_numpy(dtype=object) for f, c in cols.items()}
    n = len(table)
    records, unknown, ignored = {}, [], 0
    seen = {}
    for i in range(n):
        code = get["code"][i]
        if not code:
            continue
        if code not in offered:
            unknown.append({"row": rows[i], "code": code})
            continue
        seen[code] = seen.get(code, 0) + 1
        rec = {"chosen": [], "crossed": []}
        for j in (1, 2, 3):
            f = f"idea_{j}"
            if f not in get:
                continue
            v = _norm(get[f][i])
            if v in _OPEN:
                continue
            if v not in _YES and v not in _NO:
                raise user_error("this answer to an idea is not yes, no or not sure", file=source, row=rows[i],
                                 column=cols[f], value=get[f][i],
                                 fix="write yes (or a tick), no (or a cross), or leave it blank")
            if j > len(offered[code]):
                ignored += 1
                continue
            rec["chosen" if v in _YES else "crossed"].append(offered[code][j - 1])
        for f, allowed in (("describes_me", DESCRIBES), ("goal_progress", PROGRESS)):
            v = _norm(get[f][i]) if f in get else ""
            if v and v not in allowed:
                raise user_error(f"this answer is not one of {', '.join(allowed)}", file=source, row=rows[i],
                                 column=cols[f], value=get[f][i], fix=f"write {' / '.join(allowed)}, or leave it blank")
            rec[f] = v
        for f in _TEXT_FIELDS:
            rec[f] = get[f][i] if f in get else ""
        records[code] = rec  # the last row of a student counts
    frame = pd.DataFrame.from_dict(records, orient="index")
    if not len(frame):
        frame = pd.DataFrame(columns=["chosen", "crossed", "describes_me", "goal_progress", *_TEXT_FIELDS])
    frame.index.name = "pseudonym"
    if scrub and len(frame):
        from ..scrub import scrub_id_shapes, scrub_text

        for f in _TEXT_FIELDS:
            frame[f] = scrub_text(scrub_id_shapes(frame[f].astype(object)), names=names).fillna("").map(_text).to_numpy(dtype=object)
    own = [("; ".join(x for x in (a, b) if x)) for a, b in zip(frame["own_idea"], frame["will_try"])] if len(frame) else []
    frame["own_idea"] = own
    frame["chosen"] = [";".join(v) for v in frame["chosen"]]
    frame["crossed"] = [";".join(v) for v in frame["crossed"]]
    frame = frame[["goal", "chosen", "crossed", "own_idea", "how_i_know", "who_can_help", "describes_me",
                   "goal_progress"]].sort_index()
    return AnswerImport(
        answers=frame.astype(object),
        unknown=pd.DataFrame(unknown, columns=["row", "code"]),
        duplicates=sum(1 for v in seen.values() if v > 1),
        ignored_ideas=ignored,
    )


# --------------------------------------------------------------------------------------------
# helpers
