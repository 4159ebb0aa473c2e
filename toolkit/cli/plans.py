"""File handling of ``toolkit plans``, ``toolkit plans import`` and ``toolkit plans import-goals``.

The click declarations live in :mod:`toolkit.cli`; they call :func:`run_plans`,
:func:`run_import_answers` and :func:`run_import_goals`, which read the inputs, call
:mod:`toolkit.plans`, and write the outputs all at once through
:func:`toolkit._atomic.atomic_output_dir`. Messages go back to the caller as strings (library
code does not print).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .._atomic import atomic_output_dir
from ..codebook import Codebook, load_codebook
from .._csv import defuse_formulas
from ..errors import user_error

__all__ = ["run_plans", "run_import_answers", "run_import_goals", "read_profile_solution", "NAMES_WARNING",
           "PACK_GROUP_COLUMNS"]

#: Group columns plans carry into plans.csv and the class packs (matched ignoring case); others
#: (gender, say) stay out of the teacher's pack.
PACK_GROUP_COLUMNS = ("school", "grade", "year", "section", "class", "homeroom", "form", "teacher")

NAMES_WARNING = ("Warning: {folder} holds students' names next to their plans. Keep it private to you: do not "
                 "share it, put it on a shared drive, or use it in any report.")


@dataclass(frozen=True)
class FileSolution:
    """A profile solution read back from the folder of ``toolkit profiles``.

    Attributes
    ----------
    assignments : DataFrame
        Index pseudonym; profile, certainty, p1..pK.
    names : dict
        Profile -> plain-language name (from profiles.csv; "Profile k" when absent).
    n_profiles : int
    """

    assignments: pd.DataFrame
    names: dict
    n_profiles: int


def _read_csv(path: Path, what: str, fix: str, **kw) -> pd.DataFrame:
    if not path.is_file():
        raise user_error(f"{what} not found", file=path, fix=fix)
    try:
        return pd.read_csv(path, encoding="utf-8-sig", **kw)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise user_error(f"{what} cannot be read as CSV ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})",
                         file=path, fix=fix) from None


def read_profile_solution(profiles_dir: str | Path) -> FileSolution:
    """Read assignments.csv (and the names in profiles.csv) from the folder of ``toolkit profiles``.

    The assignments are read by :func:`toolkit.cli._readers.read_assignments`, the one rule of
    :func:`toolkit._validation.check_assignments`, against the K of the saved solution (model.json's,
    else the number of p1..pK columns): ``toolkit report --profiles`` gives the same file the same
    verdict and message.
    """
    from .._validation import ASSIGNMENTS_FIX
    from ._readers import read_assignments

    folder = Path(profiles_dir)
    a = read_assignments(folder, n_profiles="saved")
    names: dict = {}
    ppath = folder / "profiles.csv"
    if ppath.is_file():
        pt = _read_csv(ppath, "profiles file", ASSIGNMENTS_FIX)
        if {"profile", "name"} <= set(pt.columns):
            for k, name in pt[["profile", "name"]].drop_duplicates("profile").itertuples(index=False):
                if isinstance(name, str) and name.strip():
                    names[int(k)] = name.strip()
    return FileSolution(a, names, int(a["profile"].max()))


def _load_codebook(codebook_path, responses_dir: Path, profiles_dir: Path) -> Codebook:
    from ._readers import CODEBOOK_SEARCH, find_codebook

    if codebook_path is not None:
        return load_codebook(codebook_path)
    found = find_codebook(responses_dir, profiles_dir)
    if found is not None:
        return load_codebook(found)
    raise user_error(f"no codebook was given and none was found ({CODEBOOK_SEARCH})",
                     file=responses_dir, fix="pass --codebook codebook.yml")


def _read_inputs(responses_dir: Path, cb: Codebook, *, with_groups: bool = False):
    """(scores, voice or None, where the scores came from[, group columns or None])."""
    from ._readers import read_responses, read_scores_table

    fix = "give the folder holding responses.csv (toolkit deidentify) and/or scores.csv (toolkit score)"
    if not responses_dir.is_dir():
        raise user_error("responses folder not found", file=responses_dir, fix=fix)
    rpath, spath = responses_dir / "responses.csv", responses_dir / "scores.csv"
    # the readers every command uses: one verdict for a responses.csv or scores.csv
    responses = read_responses(rpath, cb) if rpath.is_file() else None
    if spath.is_file():
        scores = read_scores_table(spath, tuple(cb.group_columns), "the scores file", tuple(cb.construct_keys))
        missing = [k for k in cb.construct_keys if k not in scores.columns]
        if missing:
            raise user_error(f"the scores have no column for construct(s) {', '.join(missing)}", file=spath,
                             column=missing[0], fix="score the responses with the same codebook (toolkit score)")
        source = str(spath)
    elif responses is not None:
        from ..scoring.scales import score_scales

        scores = score_scales(responses, cb)
        source = f"{rpath} (scored with the codebook)"
    else:
        raise user_error("no responses.csv or scores.csv in this folder", file=responses_dir, fix=fix)
    voice = None
    if responses is not None:
        keys = [k for k in cb.voice_columns if k in responses.columns]
        voice = responses[keys] if keys else None
    if not with_groups:
        return scores, voice, source
    table = responses if responses is not None else scores
    cols = [c for c in cb.group_columns if c in table.columns and str(c).casefold() in PACK_GROUP_COLUMNS]
    groups = table[cols].astype(object).where(table[cols].notna(), "") if cols else None
    return scores, voice, source, groups


def _read_goals(path: Path) -> pd.DataFrame:
    return _read_csv(Path(path), "goals file", "give a CSV with the columns pseudonym and goal",
                     dtype=str, keep_default_na=False)


def _roster_names(roster: Path, key_file, cb: Codebook, plans) -> tuple[dict, list[str]]:
    """Pseudonym -> name for the roster's students, and messages (counts only, never a name)."""
    from ..config import default_key_file
    from ..privacy.keys import load_or_create_key, pseudonymize

    key_path = Path(key_file).expanduser() if key_file is not None else default_key_file()
    if not key_path.is_file():
        raise user_error("the pseudonym key file was not found, so the roster cannot be matched to the plans",
                         file=key_path, fix="pass --key-file with the key that made the pseudonyms (a new key gives other pseudonyms)")
    key = load_or_create_key(key_path)
    table = _read_csv(Path(roster), "roster file", "give a CSV with a student ID column and a name column",
                      dtype=str, keep_default_na=False)
    cols = {" ".join(str(c).casefold().split()): c for c in table.columns}

    def pick(cands, what):
        for c in cands:
            if c and " ".join(c.casefold().split()) in cols:
                return cols[" ".join(c.casefold().split())]
        raise user_error(f"the roster has no {what} column (its columns: {', '.join(map(str, table.columns))})",
                         file=roster, fix=f"name the columns {cands[0] or cands[1]!r} and 'Name'")

    id_col = pick([cb.id_column, "Student ID", "student_id", "ID"], "student ID")
    name_col = pick([*cb.name_columns, "Name", "Student name", "Full name"], "name")
    ids = table[id_col].str.strip()
    empty = ids == ""
    if empty.any():
        raise user_error("a roster row has no student ID", file=roster, row=int(empty.to_numpy().argmax()) + 2,
                         column=id_col, fix="fill in the student ID or remove the row")
    pseudo = pseudonymize(ids, key)
    dup = pseudo.duplicated()
    if dup.any():
        raise user_error("this roster row repeats a student ID of an earlier row", file=roster,
                         row=int(dup.to_numpy().argmax()) + 2, column=id_col, fix="keep one row per student")
    names = dict(zip(pseudo, table[name_col].str.strip()))
    known = {p.pseudonym for p in plans.plans}
    matched = [p for p in names if p in known]
    msgs = [f"Matched {len(matched)} of {len(table)} roster rows to plans."]
    if len(matched) < len(table):
        msgs.append(f"{len(table) - len(matched)} roster row(s) have no plan (not surveyed, excluded, or a different key).")
    if len(known) - len(matched):
        msgs.append(f"{len(known) - len(matched)} plan(s) have no roster row; they get no named sheet.")
    return {p: names[p] for p in matched}, msgs


def _inside(a: Path, b: Path) -> bool:
    a, b = a.resolve(), b.resolve()
    return a == b or b in a.parents


def _read_plans_csv(folder: Path, what: str, fix: str) -> pd.DataFrame:
    path = Path(folder) / "plans.csv"
    if not Path(folder).is_dir():
        raise user_error(f"{what} folder not found", file=folder, fix=fix)
    table = _read_csv(path, f"{what} file", fix, dtype=str, keep_default_na=False)
    if "pseudonym" not in table.columns:
        raise user_error(f"the {what} have no 'pseudonym' column", file=path, column="pseudonym", fix=fix)
    if "profile" not in table.columns:
        raise user_error(f"the {what} have no 'profile' column", file=path, column="profile", fix=fix)
    return table.set_index("pseudonym")


def _read_answers(path: Path, offered: dict, names) -> "AnswerImport":
    from ..io import read_export
    from ..plans.goals import read_answers

    raw = read_export(path)
    return read_answers(raw.table, offered, source=str(path), rows=raw.row_numbers, names=names)


def run_plans(responses_dir, profiles_dir, out_dir, *, codebook_path=None, library_path=None, roster=None,
              key_file=None, names_out=None, goals_path=None, fit_threshold=0.7, atypical_z=2.0,
              answers_path=None, previous_dir=None, start=None, paper="A4", pack_by=None) -> list[str]:
    """Draft the plans from files and write them; return the messages for the teacher.

    ``answers_path`` is a filled co-writing form export or answers CSV (read with the survey's
    reader); its numbered ideas are matched to the sheets printed in ``out_dir`` when that folder
    already holds a plans.csv, else to the sheets this run would print. ``previous_dir`` is the
    previous cycle's plans folder (``--previous``). ``start`` is the cycle's first day
    (YYYY-MM-DD); ``paper`` A4 or letter; ``pack_by`` the group column of the class packs.
    """
    from ..plans.drafting import draft_plans
    from ..plans.goals import import_goals
    from ..plans.render import write_named_sheets, write_plan_files
    from ..plans.strategies import load_strategy_library

    responses_dir, profiles_dir, out_dir = Path(responses_dir), Path(profiles_dir), Path(out_dir)
    if (roster is None) != (names_out is None):
        raise user_error("--roster and --names-out go together: the roster's names are written only into the names folder",
                         fix="give both, or neither")
    if names_out is not None and (_inside(Path(names_out), out_dir) or _inside(out_dir, Path(names_out))):
        raise user_error("the names folder overlaps the output folder, where names could be shared with the plans",
                         file=names_out, fix="choose a --names-out folder outside --out (a private folder of yours)")
    for inp in (responses_dir, profiles_dir):
        if out_dir.resolve() == inp.resolve():
            raise user_error("the output folder is an input folder", file=out_dir, fix="choose another --out folder")
    cb = _load_codebook(codebook_path, responses_dir, profiles_dir)
    library = load_strategy_library(library_path)
    scores, voice, source, groups = _read_inputs(responses_dir, cb, with_groups=True)
    solution = read_profile_solution(profiles_dir)
    previous = None
    if previous_dir is not None:
        previous = _read_plans_csv(Path(previous_dir), "previous plans",
                                   "give the --out folder of toolkit plans from the previous cycle (it holds plans.csv)")
    kw = dict(voice=voice, library=library, fit_threshold=fit_threshold, atypical_z=atypical_z, groups=groups,
              previous=previous, start=start)
    plans = draft_plans(scores, solution, cb, **kw)
    msgs = [f"Scores from {source}."]
    if voice is None:
        msgs.append("No responses.csv with the students' free text: plans have no 'In my words' or goal.")
    names, roster_msgs = ({}, [])
    if roster is not None:
        names, roster_msgs = _roster_names(Path(roster), key_file, cb, plans)
    unknown_answers = None
    if answers_path is not None:
        printed = out_dir / "plans.csv"
        offered = {p.pseudonym: p.offered for p in plans.plans}  # the sheets this run prints
        if printed.is_file():  # the sheets that were printed and filled in
            shown = _read_csv(printed, "plans file", "give the --out folder of the printed sheets", dtype=str,
                              keep_default_na=False)
            if {"pseudonym", "offered"} <= set(shown.columns):
                offered = {pid: tuple(x for x in str(v).split(";") if x)
                           for pid, v in zip(shown["pseudonym"], shown["offered"])}
            else:
                msgs.append(f"{printed} was written by an older toolkit without the numbered ideas; the ideas were "
                            f"matched to the sheets of this run.")
        result = _read_answers(Path(answers_path), offered, list(names.values()))
        plans = draft_plans(scores, solution, cb, answers=result.answers, **kw)
        msgs.append(result.summary())
        unknown_answers = result.unknown if len(result.unknown) else None
    if goals_path is not None:
        result = import_goals(plans.to_frame(), _read_goals(goals_path), source=str(goals_path))
        plans = plans.with_goals(result.plans.loc[list(result.updated), "goal"])
        msgs.append(result.summary())
    if plans.unassigned:
        msgs.append(f"{len(plans.unassigned)} scored student(s) have no profile assignment and no plan.")
    if previous is not None:
        msgs.append(_cycle_summary(plans))
    with atomic_output_dir(out_dir, protect=[responses_dir / "responses.csv", responses_dir / "scores.csv"]) as tmp:
        write_plan_files(plans, tmp, paper=paper, pack_by=pack_by)
        if unknown_answers is not None:
            defuse_formulas(unknown_answers).to_csv(tmp / "answers-unknown.csv", index=False, lineterminator="\n")
    n_flag = sum(p.flagged for p in plans.plans)
    msgs.append(f"Drafted {len(plans.templates)} templates and {len(plans.plans)} plans ({n_flag} flagged: talk "
                f"with the student first); wrote plans.csv, templates.md, the sheets and the class packs to {out_dir}")
    if unknown_answers is not None:
        msgs.append(f"The rows with unknown codes are in {out_dir / 'answers-unknown.csv'}.")
    if roster is not None:
        with atomic_output_dir(names_out) as tmp:
            write_named_sheets(plans, names, tmp, paper=paper, pack_by=pack_by)
        msgs += roster_msgs
        msgs.append(f"Wrote {len(names)} name-bearing plan and co-writing sheets and the class packs to {names_out}.")
        msgs.append(NAMES_WARNING.format(folder=names_out))
    return msgs


def _cycle_summary(plans) -> str:
    changed = [p for p in plans.plans if p.profile_change.startswith("changed")]
    uncertain = [p for p in changed if p.profile_change == "changed (uncertain)"]
    new = sum(p.profile_change == "new" for p in plans.plans)
    carried = sum(bool(p.previous_goal) and p.goal == p.previous_goal for p in plans.plans)
    msg = (f"Compared with the previous cycle: {len(changed)} plan(s) need rewriting because the profile changed "
           f"({len(uncertain)} of them uncertain: the profile fits below the threshold in one of the cycles, so the change "
           f"may be classification noise; talk with the student before rewriting); "
           f"{sum(p.profile_change == 'same' for p in plans.plans)} kept their profile; {carried} goal(s) carried forward.")
    if new:
        msg += f" {new} student(s) had no plan last cycle."
    if plans.previous_only:
        msg += f" {len(plans.previous_only)} student(s) with a plan last cycle were not in this survey."
    return msg


def run_import_answers(answers_path, plans_dir, responses_dir, profiles_dir, **kw) -> list[str]:
    """``toolkit plans import``: read the filled co-writing sheets and regenerate the plans and sheets in ``plans_dir``.

    The ideas the students ticked are matched to the sheets printed from ``plans_dir``; the other
    keywords are those of :func:`run_plans` (the same ones the plans were drafted with).
    """
    plans_dir = Path(plans_dir)
    if not (plans_dir / "plans.csv").is_file():
        raise user_error("plans file not found", file=plans_dir / "plans.csv",
                         fix="give the --out folder of toolkit plans whose sheets the students filled in")
    return run_plans(responses_dir, profiles_dir, plans_dir, answers_path=answers_path, **kw)


def run_import_goals(goals_path, plans_dir) -> list[str]:
    """Import goals into plans_dir/plans.csv; unknown pseudonyms go to goals-unknown.csv. Returns messages."""
    from ..plans.goals import import_goals

    plans_dir = Path(plans_dir)
    ppath = plans_dir / "plans.csv"
    table = _read_csv(ppath, "plans file", "give the --out folder of toolkit plans (it holds plans.csv)",
                      dtype=str, keep_default_na=False)
    if "pseudonym" not in table.columns:
        raise user_error("the plans have no 'pseudonym' column", file=ppath, column="pseudonym",
                         fix="give the --out folder of toolkit plans")
    result = import_goals(table.set_index("pseudonym"), _read_goals(goals_path), source=str(goals_path))
    with atomic_output_dir(plans_dir) as tmp:
        # the imported goals are free text: they must not run as a formula in a spreadsheet
        defuse_formulas(result.plans).to_csv(tmp / "plans.csv", lineterminator="\n")
        if len(result.unknown):
            defuse_formulas(result.unknown).to_csv(tmp / "goals-unknown.csv", index=False, lineterminator="\n")
    msgs = [result.summary(), f"Updated {ppath}."]
    if len(result.unknown):
        msgs.append(f"The rows with unknown pseudonyms are in {plans_dir / 'goals-unknown.csv'}.")
    msgs.append("To print the sheets with the goals, run toolkit plans again with --goals " + str(goals_path) + ".")
    return msgs
