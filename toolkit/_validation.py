"""One home for the checks of the toolkit's parameters and stage tables.

Every entry point (the library's public functions and the command line) calls these checks, so
the same input gets the same verdict and the same wording everywhere, as scikit-learn declares
its ``_parameter_constraints`` once. Each check returns the value in its one normal form and
raises :class:`~toolkit.errors.ToolkitError` with one message that names the value and says what
to do.

Choices, stated once
--------------------
- **Numbers of profiles** (``K``) are whole numbers of 1 or more, given as one int, an iterable
  of ints, or the command line's text: a range ``"1-6"`` or a list ``"2,3,5"``. Lists with gaps
  are allowed; duplicates are removed and the result is sorted. ``2.5``, ``"2.5"``, ``2.0``,
  ``True`` and ``0`` are refused: a float that happens to be whole is refused too, because it
  usually comes from arithmetic the user did not mean to pass.
- **Models** are tidyLPA's numbers 1 to 6, in the same forms as K.
- **The minimum cell** is a whole number of 1 or more (``True`` and ``10.0`` refused).
- **Group or score**: a column named as a group (the codebook's group columns) is a group. Any
  other column is a score when at least half of its non-empty values are numbers (a value in it
  that is not a number is then an error naming its row), and text otherwise. Without a list of
  groups, a column of whole numbers with at most :data:`~toolkit.config.GROUP_MAX_LEVELS`
  distinct values is taken for a group (a grade, a section number), not a score.
- **Rows** are named as a spreadsheet shows them: the header is row 1, the first student row 2.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Iterable

from .config import GROUP_MAX_LEVELS
from .errors import user_error

__all__ = [
    "MODEL_NUMBERS",
    "check_k_range",
    "check_models",
    "check_min_cell",
    "check_score_table",
    "check_assignments",
    "ASSIGNMENTS_FIX",
]

#: tidyLPA's model numbers (1 EEI ... 6 VVV).
MODEL_NUMBERS = (1, 2, 3, 4, 5, 6)
#: What to do about an assignments file that is missing, unreadable or lacks a column, in every reader's words.
ASSIGNMENTS_FIX = "give the --out folder of toolkit profiles (assignments.csv: pseudonym, profile, certainty, p1..pK)"


def _shown(value):
    """A value as messages show it (a range as its text, a numpy number as a plain one)."""
    if isinstance(value, range):
        return str(value)
    return value.item() if hasattr(value, "item") and getattr(value, "ndim", None) == 0 else value


_RANGE = re.compile(r"^(\d+)-(\d+)$")
_WHOLE = re.compile(r"^\d+$")


def _whole_numbers(value, *, name: str, expected: str, fix: str) -> list[int]:
    """The whole numbers in ``value`` (int, iterable of ints, ``"a-b"`` or ``"a,b,c"``), sorted, unique."""

    def refuse(detail: str):
        return user_error(f"{name} should be {expected}; {detail}", value=_shown(value), fix=fix)

    if isinstance(value, str):
        text = value.replace(" ", "")
        match = _RANGE.match(text)
        if match:
            low, high = int(match.group(1)), int(match.group(2))
            if low > high:
                raise refuse(f"the range starts at {low}, above its end {high}")
            items: list = list(range(low, high + 1))
        else:
            tokens = [t for t in text.split(",")]
            if not text or any(not t for t in tokens):
                raise refuse("none was given" if not text else "an entry between commas is empty")
            bad = [t for t in tokens if not _WHOLE.match(t)]
            if bad:
                raise refuse(f"{bad[0]!r} is not a whole number")
            items = [int(t) for t in tokens]
    elif isinstance(value, bool) or not isinstance(value, (numbers.Integral, Iterable)) or isinstance(value, bytes):
        raise refuse(f"{_shown(value)} is neither a whole number nor a list of them")
    elif isinstance(value, numbers.Integral):
        items = [int(value)]
    else:
        items = []
        for item in value:
            if isinstance(item, str) and _WHOLE.match(item.strip()):
                items.append(int(item.strip()))
            elif isinstance(item, numbers.Integral) and not isinstance(item, bool):
                items.append(int(item))
            else:
                raise refuse(f"{item!r} is not a whole number")
        if not items:
            raise refuse("none was given")
    return sorted(set(items))


def check_k_range(value, *, name: str = "n_profiles") -> list[int]:
    """Check numbers of profiles and return them as a sorted list without duplicates.

    Parameters
    ----------
    value : int, iterable of int or str
        One K, several (``range(1, 7)``, ``[2, 3, 5]``) or the command line's text: a range
        ``"1-6"`` or a list ``"2,3,5"``.
    name : str, default="n_profiles"
        How the caller names the parameter (``"--k"``, ``"k_range"``), shown in the message.

    Returns
    -------
    list of int

    Raises
    ------
    ToolkitError
        When a value is not a whole number (``2.5``, ``"2.5"``, ``True``), is below 1, or none
        is given.

    Examples
    --------
    >>> check_k_range("1-4"), check_k_range("5,2,3,3"), check_k_range(range(2, 5)), check_k_range(3)
    ([1, 2, 3, 4], [2, 3, 5], [2, 3, 4], [3])
    >>> check_k_range([1, 2.5], name="k_range")
    Traceback (most recent call last):
    ...
    toolkit.errors.ToolkitError: value [1, 2.5]: k_range should be whole numbers of profiles of 1 or more; 2.5 is not a whole number. Give a range such as 1-6 or a list such as 2,3,5 (in Python range(1, 7) or [2, 3, 5]).
    """
    fix = "give a range such as 1-6 or a list such as 2,3,5 (in Python range(1, 7) or [2, 3, 5])"
    expected = "whole numbers of profiles of 1 or more"
    ks = _whole_numbers(value, name=name, expected=expected, fix=fix)
    if ks[0] < 1:
        raise user_error(f"{name} should be {expected}; {ks[0]} is below 1", value=_shown(value), fix=fix)
    return ks


def check_models(value, *, name: str = "models") -> list[int]:
    """Check tidyLPA model numbers and return them as a sorted list without duplicates.

    Parameters
    ----------
    value : int, iterable of int or str
        Model numbers 1 to 6 (tidyLPA's numbering: 1 EEI, 2 VVI, 3 EEE, 4, 5, 6 VVV), or the
        command line's text ``"1,2,3,6"`` or ``"1-6"``.
    name : str, default="models"
        How the caller names the parameter (``"--models"``), shown in the message.

    Returns
    -------
    list of int

    Raises
    ------
    ToolkitError
        When a value is not one of 1 to 6, or none is given.

    Examples
    --------
    >>> check_models("6,1,2"), check_models((1, 2, 3, 6)), check_models(3)
    ([1, 2, 6], [1, 2, 3, 6], [3])
    """
    fix = "use e.g. 1,2,3,6 (in Python (1, 2, 3, 6)): 1 EEI, 2 VVI, 3 EEE, 4, 5, 6 VVV"
    expected = "tidyLPA model numbers 1 to 6"
    models = _whole_numbers(value, name=name, expected=expected, fix=fix)
    bad = [m for m in models if m not in MODEL_NUMBERS]
    if bad:
        raise user_error(f"{name} should be {expected}; {bad[0]} is not one", value=_shown(value), fix=fix)
    return models


def check_min_cell(value, *, name: str = "min_cell") -> int:
    """Check the minimum cell size (the smallest count shown to leadership) and return it as int.

    Parameters
    ----------
    value : int
        A whole number of 1 or more; :data:`toolkit.config.MIN_CELL` (10) is the default
        everywhere.
    name : str, default="min_cell"
        How the caller names the parameter (``"--min-cell"``), shown in the message.

    Returns
    -------
    int

    Raises
    ------
    ToolkitError
        When the value is not an int (``True``, ``10.0`` and ``"10"`` are refused) or is below 1.

    Examples
    --------
    >>> check_min_cell(10)
    10
    >>> check_min_cell(0)
    Traceback (most recent call last):
    ...
    toolkit.errors.ToolkitError: value 0: min_cell should be a whole number of 1 or more. Use the default 10, or a larger number for more protection.
    """
    from .config import MIN_CELL

    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise user_error(f"{name} should be a whole number of 1 or more", value=value,
                         fix=f"use the default {MIN_CELL}, or a larger number for more protection")
    return int(value)


def _row(position: int) -> int:
    return position + 2  # the header is row 1


def _index_by_pseudonym(table, file, what: str, fix: str):
    """``table`` indexed by its pseudonym column (named ``pseudonym``, else the first column)."""
    if table.index.name == "pseudonym":
        table = table.reset_index()
    if table.shape[1] == 0:
        raise user_error(f"{what} has no columns", file=file, fix=fix)
    if table.empty:
        raise user_error(f"{what} has no rows", file=file, fix=fix)
    id_col = "pseudonym" if "pseudonym" in table.columns else table.columns[0]
    ids = table[id_col].astype("string").str.strip()
    empty = ids.isna() | ids.eq("")
    if empty.any():
        raise user_error(f"a row of {what} has no pseudonym", file=file, row=_row(int(empty.to_numpy().argmax())),
                         column=str(id_col), fix="give every row its pseudonym, or remove the row")
    dup = ids.duplicated()
    if dup.any():
        # The value is a pseudonym, not an identifier: it may be shown.
        i = int(dup.to_numpy().argmax())
        raise user_error(f"the pseudonym appears twice in {what}", file=file, row=_row(i), column=str(id_col),
                         value=ids.iloc[i], fix="keep one row per student")
    table = table.drop(columns=[id_col])
    table.index = ids.astype(object).rename("pseudonym")
    return table


def check_score_table(table, *, file=None, groups=None, columns=None, what: str = "the scores file"):
    """Check a table of scale scores and split it into scores (floats) and group columns (text).

    This is the one "group or score" rule of the toolkit (see the module's choices): every
    command that reads a scores.csv or a responses.csv as scores calls it.

    Parameters
    ----------
    table : DataFrame
        As read from the file, best with ``dtype=str, keep_default_na=False``: a ``pseudonym``
        column (else the first column is the pseudonym) or a ``pseudonym`` index, then one
        column per scale and maybe group columns.
    file : path, optional
        The file the table came from, named in messages.
    groups : iterable of str, optional
        The group columns (the codebook's). Columns named here are never scores.
    columns : iterable of str, optional
        The score columns, when the caller knows them; each must be present and numeric. The
        other columns are then groups. Without it the rule of the module decides.
    what : str, default="the scores file"
        How messages name the table.

    Returns
    -------
    scores : DataFrame
        One float column per score, index ``pseudonym``; an empty cell is NaN.
    group_table : DataFrame
        The other columns as text (an empty cell is missing), same index.

    Raises
    ------
    ToolkitError
        No rows, a row without pseudonym, a pseudonym twice, a named column missing, no score
        column, or a score that is not a number (the message names the row, column and value).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"pseudonym": ["a", "b", "c"], "Grade": ["9", "10", "9"],
    ...                   "motivation": ["3.5", "", "4.25"]})
    >>> scores, group_table = check_score_table(t)
    >>> list(scores.columns), list(group_table.columns), scores["motivation"].tolist()
    (['motivation'], ['Grade'], [3.5, nan, 4.25])
    """
    import pandas as pd

    fix = "give the scores.csv written by toolkit score"
    table = _index_by_pseudonym(pd.DataFrame(table).copy(), file, what, fix)
    text = table.apply(lambda s: s.astype("string").str.strip().replace("", pd.NA))
    numbers_ = text.apply(lambda s: pd.to_numeric(s, errors="coerce"))
    groups = [str(g) for g in (groups or ())]
    if columns is not None:
        chosen = [str(c) for c in columns]
        for c in chosen:
            if c not in table.columns:
                raise user_error(f"column not found in {what}", file=file, column=c,
                                 fix=f"choose among {', '.join(map(str, table.columns))}")
    else:
        chosen = []
        for c in table.columns:
            if c in groups:
                continue
            n_num, n_given = int(numbers_[c].notna().sum()), int(text[c].notna().sum())
            if n_num == 0 or n_num < 0.5 * n_given:
                continue  # text: a group column
            if not groups and n_num == n_given:
                values = numbers_[c].dropna()
                if (values == values.round()).all() and values.nunique() <= GROUP_MAX_LEVELS:
                    continue  # a grade or a section number, not a scale score
            chosen.append(c)
    if not chosen:
        raise user_error(f"no score columns were found in {what}", file=file, fix=fix)
    for c in chosen:
        bad = numbers_[c].isna() & text[c].notna()
        if bad.any():
            i = int(bad.to_numpy().argmax())
            raise user_error("a scale score is not a number", file=file, row=_row(i), column=c,
                             value=text[c].iloc[i], fix="correct the value or leave the cell empty, or re-run toolkit score")
    scores = numbers_[chosen].astype(float)
    rest = [c for c in table.columns if c not in chosen]
    group_table = text[rest].astype(object).where(text[rest].notna(), None) if rest else text[rest]
    return scores, group_table


def check_assignments(table, *, file=None, n_profiles=None, what: str = "the assignments"):
    """Check a table of profile assignments (the assignments.csv of ``toolkit profiles``).

    Parameters
    ----------
    table : DataFrame
        A ``pseudonym`` column (or index), a ``profile`` column, and maybe ``certainty`` and the
        posterior probabilities ``p1`` .. ``pK``.
    file : path, optional
        The file the table came from, named in messages.
    n_profiles : int, optional
        K of the solution, when known: every profile must be in 1..K, and p1..pK must be
        present if any posterior column is.
    what : str, default="the assignments"
        How messages name the table. A message names the row as a spreadsheet shows it (the
        header is row 1) when ``file`` is given, else the row's pseudonym.

    Returns
    -------
    DataFrame
        Index ``pseudonym``; ``profile`` as int; ``certainty`` and ``p1`` .. ``pK`` as floats.

    Raises
    ------
    ToolkitError
        A missing ``pseudonym`` or ``profile`` column, a pseudonym twice, a profile that is not a
        whole number in 1..K, or a certainty or probability outside 0..1.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"pseudonym": ["a", "b"], "profile": ["2", "1"], "certainty": [0.9, 0.8]})
    >>> check_assignments(t, n_profiles=2)["profile"].tolist()
    [2, 1]
    """
    import numpy as np
    import pandas as pd

    fix = ASSIGNMENTS_FIX
    table = pd.DataFrame(table).copy()
    if table.index.name == "pseudonym":
        table = table.reset_index()
    for col in ("pseudonym", "profile"):
        if col not in table.columns:
            raise user_error(f"{what} have no '{col}' column", file=file, column=col, fix=fix)
    table = _index_by_pseudonym(table, file, what, fix)
    if n_profiles is not None:
        n_profiles = check_k_range(n_profiles, name="n_profiles")
        if len(n_profiles) != 1:
            raise user_error("n_profiles should be one number of profiles", value=n_profiles, fix="give the K of the solution")
        n_profiles = n_profiles[0]

    def row(i):  # a file's row as a spreadsheet shows it; a table in memory: its student
        return _row(i) if file is not None else str(table.index[i])

    prof = pd.to_numeric(table["profile"], errors="coerce")
    bad = prof.isna() | ~np.isfinite(prof) | (prof < 1) | (prof != prof.round())
    if n_profiles is not None:
        bad |= prof > n_profiles
    if bad.any():
        i = int(bad.to_numpy().argmax())
        k_text = n_profiles if n_profiles is not None else "K"
        raise user_error(f"a profile should be a whole number 1..{k_text}", file=file, row=row(i), column="profile",
                         value=_shown(table["profile"].iloc[i]), fix="correct the file, or re-run toolkit profiles")
    table["profile"] = prof.astype(int)
    p_cols = [c for c in table.columns if str(c)[:1] == "p" and str(c)[1:].isdigit()]
    if n_profiles is not None and p_cols:
        missing = [f"p{j}" for j in range(1, n_profiles + 1) if f"p{j}" not in p_cols]
        if missing:
            raise user_error(f"{what} lack a posterior probability column", file=file, column=missing[0], fix=fix)
    for c in [c for c in ("certainty",) if c in table.columns] + p_cols:
        values = pd.to_numeric(table[c].astype("string").str.strip().replace("", pd.NA), errors="coerce")
        given = table[c].notna() & table[c].astype("string").str.strip().ne("")
        bad = (given & values.isna()) | (values < 0) | (values > 1)
        if bad.any():
            i = int(np.flatnonzero(bad.fillna(False).to_numpy())[0])
            raise user_error("a probability should be a number from 0 to 1", file=file, row=row(i), column=str(c),
                             value=_shown(table[c].iloc[i]), fix="correct the file, or re-run toolkit profiles")
        table[c] = values.astype(float)
    return table
