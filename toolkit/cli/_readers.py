"""Readers of the stage folders the commands take as input (responses, scores, profiles).

Every command reads another stage's outputs through these functions, so one file gets one
verdict and one wording of a mistake, whichever command reads it.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["find_codebook", "read_responses", "read_scores_table", "read_scores_and_groups", "read_assignments", "read_profile_choice"]


#: Where a command looks for codebook.yml when --codebook is not given, in every command's words.
CODEBOOK_SEARCH = "a codebook.yml in the inputs' folders or up to two folders above them"


def find_codebook(*inputs):
    """The codebook.yml a command uses when ``--codebook`` is not given, or None.

    The one search rule of every command (``toolkit profiles``, ``plans``, ``scaling``): for each
    input in turn (a file stands for its folder), that folder, its parent and its grandparent
    (a work folder holding clean/, scores/ and profiles/, and the folder above it); the first
    codebook.yml found.
    """
    for p in inputs:
        if p is None:
            continue
        p = Path(p)
        start = p if p.is_dir() else p.parent
        for folder in (start, start.parent, start.parent.parent):
            if (folder / "codebook.yml").is_file():
                return folder / "codebook.yml"
    return None


def read_responses(path: Path, codebook):
    """Read a responses.csv written by ``toolkit deidentify`` (index ``pseudonym``)."""
    import pandas as pd

    from ..errors import user_error

    if not Path(path).is_file():
        raise user_error("responses file not found", file=path,
                         fix="give the responses.csv written by toolkit deidentify")
    text_columns = ["pseudonym", *codebook.group_columns, *codebook.voice_columns]
    try:
        table = pd.read_csv(path, dtype={c: str for c in text_columns}, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise user_error(f"cannot read the responses as CSV ({str(exc).splitlines()[0]})", file=path,
                         fix="give the responses.csv written by toolkit deidentify") from None
    if "pseudonym" not in table.columns:
        raise user_error("the responses have no 'pseudonym' column", file=path,
                         fix="give the responses.csv written by toolkit deidentify, whose first column is pseudonym")
    return table.set_index("pseudonym")


def read_scores_table(path: Path, groups, what: str, numeric=()):
    """Read a scores CSV (index pseudonym): score columns as floats, group columns as text.

    Which column is a group and which a score is decided by the one rule of
    :func:`toolkit._validation.check_score_table`. A column of ``numeric`` (the codebook's
    constructs) is always a score: a value in it that is not a number is a user error naming the
    file, its row as a spreadsheet shows it, the column and the value; when any of them is in
    the file, they are the score columns and the others are groups.
    """
    import pandas as pd

    raw, id_col = _read_scores_csv(Path(path), what)
    scores, group_table = _check_scores(raw, id_col, Path(path), groups, what, numeric)
    text = raw.set_index(id_col)
    text.index = scores.index
    out = pd.concat([text[[c for c in group_table.columns if c not in scores.columns]], scores], axis=1)
    return out[[c for c in text.columns if c in out.columns]]  # the file's column order; group text as written


def read_scores_and_groups(path: Path, groups, what: str, *, columns=None, numeric=()):
    """Read a scores CSV as ``(scores, group_table)``, split by the one rule of :func:`~toolkit._validation.check_score_table`.

    ``columns`` names the score columns when the user chose them (``toolkit profiles --columns``);
    the other columns are then groups. ``numeric`` (the codebook's constructs) as for
    :func:`read_scores_table`. Returns the two tables of ``check_score_table``: the scores as
    floats and the other columns as text, both indexed by pseudonym.
    """
    raw, id_col = _read_scores_csv(Path(path), what)
    return _check_scores(raw, id_col, Path(path), groups, what, numeric, columns=columns)


def _read_scores_csv(path: Path, what: str):
    """The cells of a scores CSV as text, and the name of its pseudonym column."""
    import pandas as pd

    from ..errors import user_error

    if not path.is_file():
        raise user_error(f"{what} not found", file=path, fix="give the scores.csv written by toolkit score")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise user_error(f"{what} cannot be read as CSV ({type(exc).__name__})", file=path,
                         fix="give the scores.csv written by toolkit score") from None
    if raw.empty:
        raise user_error(f"{what} has no rows", file=path, fix="score the responses first (toolkit score)")
    return raw, ("pseudonym" if "pseudonym" in raw.columns else raw.columns[0])


def _check_scores(raw, id_col, path: Path, groups, what: str, numeric, *, columns=None):
    from .._validation import check_score_table

    forced = [c for c in numeric if c in raw.columns and c not in groups and c != id_col]
    if forced:  # the constructs are scores even when mostly text: name their first value that is not a number
        check_score_table(raw[[id_col, *forced]], file=path, columns=forced, what=what)
        # and they are the scores: a one-item scale scores whole numbers 1..5, which the rule
        # without a codebook would take for a grade or a section
        columns = forced if columns is None else columns
    return check_score_table(raw, file=path, groups=groups, columns=columns, what=what)


def read_assignments(profiles_dir: Path, *, n_profiles: int | str | None = None):
    """Read assignments.csv of the folder of ``toolkit profiles``, checked by the one rule.

    ``n_profiles`` is the K every profile must lie in (and p1..pK must all be present): an int,
    ``"saved"`` for the K of the saved solution (model.json's, else the number of p1..pK columns),
    or None for no bound. ``toolkit report --profiles`` checks the file against the saved K too,
    so the same file gets the same verdict from ``toolkit plans`` and ``toolkit report``.

    Returns the table of :func:`toolkit._validation.check_assignments`: index ``pseudonym``,
    ``profile`` as int, ``certainty`` and ``p1`` .. ``pK`` as floats.
    """
    import pandas as pd

    from .._validation import ASSIGNMENTS_FIX as fix, check_assignments
    from ..errors import user_error

    folder = Path(profiles_dir)
    if not folder.is_dir():
        raise user_error("profiles folder not found", file=folder, fix=fix)
    path = folder / "assignments.csv"
    if not path.is_file():
        raise user_error("the profiles folder has no assignments.csv", file=path, fix=fix)
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise user_error(f"the assignments file cannot be read as CSV ({type(exc).__name__})", file=path,
                         fix=fix) from None
    if isinstance(n_profiles, str) and n_profiles == "saved":
        n_profiles = _saved_choice(folder)[1] or _posterior_count(table.columns)
    return check_assignments(table, file=path, n_profiles=n_profiles)


def _posterior_count(columns) -> int | None:
    """K as the number of posterior columns p1..pK (None when there are none)."""
    return len([c for c in columns if str(c)[:1] == "p" and str(c)[1:].isdigit()]) or None


def _saved_choice(folder: Path):
    """(model number, K) as model.json of the profiles folder records them, each None when absent."""
    import json

    from ..errors import user_error

    model = k = None
    mj = folder / "model.json"
    if mj.is_file():
        try:
            meta = json.loads(mj.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise user_error("model.json is not valid JSON", file=mj, fix="re-run toolkit profiles") from None
        if isinstance(meta, dict):
            for key in ("model", "model_number"):
                if isinstance(meta.get(key), int) and not isinstance(meta.get(key), bool):
                    model = meta[key]
                    break
            for key in ("n_profiles", "k"):
                if isinstance(meta.get(key), int) and not isinstance(meta.get(key), bool):
                    k = meta[key]
                    break
    return model, k


def read_profile_choice(profiles_dir: Path):
    """(model number, K) of the solution the profiles stage chose, each None when not found."""
    import pandas as pd

    from ..errors import user_error

    if not profiles_dir.is_dir():
        raise user_error("profiles folder not found", file=profiles_dir,
                         fix="give the --out folder of toolkit profiles")
    model, k = _saved_choice(profiles_dir)
    asg = profiles_dir / "assignments.csv"
    if k is None and asg.is_file():
        try:
            head = pd.read_csv(asg, nrows=0, encoding="utf-8-sig").columns
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise user_error(f"the assignments file cannot be read as CSV ({type(exc).__name__})", file=asg,
                             fix="re-run toolkit profiles, or pass --k") from None
        k = _posterior_count(head)
    return model, k
