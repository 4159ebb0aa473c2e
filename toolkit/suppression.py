"""Small-cell suppression: the one gate every table and figure label for leadership passes through.

A count of 1 to ``min_cell - 1`` students can point at a person ("the three grade-9 girls in
section B who ..."), so such counts are hidden (*primary suppression*). Hiding a cell is not
enough when totals are published: if a row ``[4, 30, 41]`` has the total 75, the 4 comes back by
subtraction. So, as statistical offices do, further cells are hidden until no line (row or column)
holds exactly one hidden cell (*complementary suppression*), and a final audit by linear
programming makes sure that no hidden cell can be pinned to one value from the shown cells, the
totals and the fact that counts are never negative. Percentages computed
from a hidden count are hidden with it, and extreme percentages are top/bottom coded (``">98%"``,
``"<2%"``) because "everyone in grade 9" is itself a disclosure.

Choices, stated once
--------------------
- **Zero is shown.** A zero names nobody, and statistical offices usually publish zeros. Hiding
  zeros would also make the tables much emptier for teachers' small groups. A zero is never used
  as a complementary cell while a non-zero cell is available, because hiding a zero next to a
  small count protects almost nothing.
- **One marker for every hidden cell** (``"hidden"`` by default). Primary and complementary cells
  look the same, so a reader cannot tell which hidden cell was the small one.
- **Totals are assumed known.** Report sections state how many students took part, so every row
  and column of counts is treated as if its total were published, whether or not the table shows
  a margin (unless that total is itself under the minimum, and so would be hidden too). Margins that are in the table (``total_row``, ``total_column``) are cells like the
  others: a margin under the minimum is hidden, and margins can be hidden as complements.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .config import MIN_CELL
from .errors import user_error

__all__ = ["suppress", "suppress_labels", "hidden_mask", "HIDDEN"]

#: The text shown in place of every hidden cell.
HIDDEN = "hidden"


def _count_block(table: pd.DataFrame, count_columns: Sequence[str]) -> np.ndarray:
    block = np.zeros((len(table), len(count_columns)), dtype=np.int64)
    for j, col in enumerate(count_columns):
        values = pd.to_numeric(table[col], errors="coerce")
        for i, (label, raw, num) in enumerate(zip(table.index, table[col], values)):
            if pd.isna(num) or num < 0 or float(num) != int(num):
                raise user_error(
                    "a count must be a whole number of students, 0 or more",
                    row=label,
                    column=str(col),
                    value=raw,
                    fix="pass only count columns in count_columns (percentages go in percent_columns)",
                )
            block[i, j] = int(num)
    return block


def _lines(n_rows: int, n_cols: int) -> list[list[tuple[int, int]]]:
    """Rows and columns of the count block that carry a (shown or implied) total."""
    lines = []
    if n_cols >= 2:
        lines += [[(i, j) for j in range(n_cols)] for i in range(n_rows)]
    if n_rows >= 2:
        lines += [[(i, j) for i in range(n_rows)] for j in range(n_cols)]
    return lines


def _constraints(counts: np.ndarray, total_row: int | None, total_col: int | None, min_cell: int):
    """Linear relations between cells: each line sums to its margin cell or to a published total.

    Returns ``(A, known)``: one row of ``A`` per relation and one column per cell (row-major), so
    that ``A @ cells = known``. A relation whose total is a cell of the table has -1 on that cell
    and 0 on the right; a total that is not in the table is assumed published (a known constant)
    unless it is itself under ``min_cell`` (then it would be hidden wherever it is shown).
    """
    n_rows, n_cols = counts.shape
    flat = counts.ravel().astype(float)
    rows = []
    interior_r = [i for i in range(n_rows) if i != total_row]
    interior_c = [j for j in range(n_cols) if j != total_col]
    lines = []
    for i in range(n_rows):
        if len(interior_c) >= 2 or (total_col is not None and interior_c):
            lines.append(([i * n_cols + j for j in interior_c], i * n_cols + total_col if total_col is not None else None))
    for j in range(n_cols):
        if len(interior_r) >= 2 or (total_row is not None and interior_r):
            lines.append(([i * n_cols + j for i in interior_r], total_row * n_cols + j if total_row is not None else None))
    for cells, margin in lines:
        a = np.zeros(n_rows * n_cols)
        a[cells] = 1.0
        if margin is not None:
            a[margin] = -1.0
        elif 0 < flat[cells].sum() < min_cell:
            continue
        rows.append(a)
    A = np.array(rows).reshape(-1, n_rows * n_cols)
    return A, A @ flat


def whole_number_range(A: np.ndarray, rhs: np.ndarray, j: int) -> tuple[float, float]:
    """The smallest and largest whole number unknown ``j`` can take given ``A @ x = rhs``, ``x >= 0``.

    The attacker's view of a hidden cell: everything shown is already moved into ``rhs``, the
    unknowns are the hidden (or never shown) cells. Linear programming (scipy's HiGHS) bounds the
    cell; the bounds are then rounded inwards to whole numbers. The upper bound is ``inf`` when the
    cell is unbounded above. Shared by the tables' suppression here and the report's page-wide
    audit (toolkit.report.disclosure), so both ask the same question the same way.
    """
    from scipy.optimize import linprog

    c = np.zeros(A.shape[1])
    c[j] = 1.0
    lo = linprog(c, A_eq=A, b_eq=rhs, bounds=(0, None), method="highs")
    hi = linprog(-c, A_eq=A, b_eq=rhs, bounds=(0, None), method="highs")
    top = np.inf if hi.status == 3 else np.floor(-hi.fun + 1e-9)
    return float(np.ceil(lo.fun - 1e-9)), float(top)


def _recoverable(A: np.ndarray, hidden: np.ndarray, counts: np.ndarray, known: np.ndarray) -> list[int]:
    """Hidden cells (flat indices) whose value an attacker can pin down.

    The attacker knows every shown cell, every total (``A @ cells = known``) and that counts are
    never negative. For each hidden cell, :func:`whole_number_range` gives the smallest and
    largest value it could take; if no two whole numbers fit in that range, the cell is
    recoverable. Hidden zeros are not audited: zeros are shown anyway (see the module notes).
    """
    idx = np.flatnonzero(hidden.ravel())
    if len(idx) == 0 or A.size == 0:
        return []
    flat = counts.ravel().astype(float)
    shown = ~hidden.ravel()
    AH = A[:, idx]
    touched = np.any(AH != 0, axis=1)
    AH, rhs = AH[touched], (known - A[:, shown] @ flat[shown])[touched]
    if len(AH) == 0:
        return []
    out = []
    for pos, h in enumerate(idx):
        if flat[h] == 0 or not np.any(AH[:, pos]):
            continue  # a zero is shown anyway by policy; a cell in no relation is free
        bottom, top = whole_number_range(AH, rhs, pos)
        if top - bottom < 1:  # unbounded above (top = inf) is safe
            out.append(int(h))
    return out


def hidden_mask(
    counts: np.ndarray,
    *,
    min_cell: int = MIN_CELL,
    total_row: int | None = None,
    total_col: int | None = None,
) -> np.ndarray:
    """Which cells of a count grid to hide (primary and complementary suppression).

    Parameters
    ----------
    counts : array of int, shape (n_rows, n_cols)
        Counts, margins included where the table has them.
    min_cell : int, default=10
        Counts from 1 to ``min_cell - 1`` are hidden.
    total_row, total_col : int, optional
        Positions of a margin row / column inside ``counts``.

    Returns
    -------
    ndarray of bool, shape (n_rows, n_cols)
        True where the cell must be hidden.

    Notes
    -----
    1. Primary: hide ``1 <= count < min_cell``.
    2. Complementary: while some row or column holds exactly one hidden cell, hide the smallest
       shown non-zero cell in it (a zero only when nothing else is left; the grand total last).
    3. Audit: for each hidden cell, linear programming finds the range of values it could take
       given the shown cells, the totals and that counts are not negative. While some hidden
       cell's range holds a single whole number, hide the smallest shown cell in its row or
       column, and repeat from step 2.
    """
    counts = np.asarray(counts, dtype=np.int64)
    n_rows, n_cols = counts.shape
    hidden = (counts >= 1) & (counts < min_cell)
    lines = _lines(n_rows, n_cols)
    A, known = _constraints(counts, total_row, total_col, min_cell)
    grand = (total_row, total_col) if total_row is not None and total_col is not None else None

    def cost(cell):
        # Smallest non-zero first; zeros, then the grand total, only as a last resort.
        v = counts[cell]
        return (cell == grand, v == 0, v, cell)

    def hide_smallest(line) -> bool:
        shown = [c for c in line if not hidden[c]]
        if not shown:
            return False
        hidden[min(shown, key=cost)] = True
        return True

    while True:
        changed = True
        while changed:
            changed = False
            for line in lines:
                if sum(hidden[c] for c in line) == 1 and hide_smallest(line):
                    changed = True
        leaks = _recoverable(A, hidden, counts, known)
        if not leaks:
            return hidden
        i, j = divmod(leaks[0], n_cols)
        around = [(i, jj) for jj in range(n_cols)] + [(ii, j) for ii in range(n_rows)]
        if not hide_smallest(around):
            for h in leaks:  # widen the search to the lines of every pinned cell
                i, j = divmod(h, n_cols)
                if hide_smallest([(i, jj) for jj in range(n_cols)] + [(ii, j) for ii in range(n_rows)]):
                    break
            else:
                return hidden  # every cell that could help is hidden already


def _fmt_percent(value: float, top_bottom: tuple[float, float], decimals: int) -> str:
    low, high = top_bottom
    if pd.isna(value):
        return ""
    if value > high:
        return f">{high:g}%"
    if 0 < value < low:
        return f"<{low:g}%"
    return f"{value:.{decimals}f}%"


def suppress(
    table: pd.DataFrame,
    count_columns: Sequence[str] | None = None,
    *,
    min_cell: int = MIN_CELL,
    percent_columns: Sequence[str] | Mapping[str, str] | None = None,
    total_row: object = None,
    total_column: str | None = None,
    top_bottom: tuple[float, float] = (2, 98),
    decimals: int = 0,
    marker: str = HIDDEN,
) -> pd.DataFrame:
    """Hide small counts, and whatever would reveal them, before a table reaches leadership.

    Parameters
    ----------
    table : DataFrame
        The table as it would be shown; the index holds row labels (a group, a profile).
    count_columns : list of str, optional
        Columns holding counts of students. Default: every integer column.
    min_cell : int, default=10
        Smallest count shown; 1 to ``min_cell - 1`` are hidden. Zero is shown (see module notes).
    percent_columns : list of str or dict, optional
        Columns holding percentages on a 0-100 scale. A dict maps each percentage column to the
        count column it was computed from; a list means "from any count in the same row", so the
        percentage is hidden whenever any count in its row is hidden. Percentages are top/bottom
        coded (except in ``total_row``, where 100% of everyone discloses nothing) and formatted
        as text.
    total_row : label, optional
        Index label of a margin row (for example ``"All"``) holding column totals.
    total_column : str, optional
        Name of a margin column (one of ``count_columns``) holding row totals.
    top_bottom : (float, float), default=(2, 98)
        Percentages above the upper bound show as ``">98%"``, those between 0 and the lower bound
        as ``"<2%"``.
    decimals : int, default=0
        Decimals shown for percentages.
    marker : str, default="hidden"
        Text shown in every hidden cell, primary and complementary alike.

    Returns
    -------
    DataFrame
        Same index and columns. Count and percentage columns hold text (``"52"``, ``"hidden"``,
        ``"<2%"``); other columns are unchanged.

    Raises
    ------
    ToolkitError
        When a named column or row is missing or a count is not a whole number >= 0.

    Notes
    -----
    Every row and column of counts is treated as if its total were known (the number of
    respondents is published), whether or not the table shows the margin. After suppression no
    row or column holds exactly one hidden cell, and no hidden cell can be pinned to one whole
    number from the shown cells, the totals and non-negativity. The algorithm is :func:`hidden_mask`.

    References
    ----------
    Hundepool, A. et al. (2012). *Statistical Disclosure Control*, ch. 5 (tabular data). Wiley.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"students": [4, 30, 41, 75]}, index=["9", "10", "11", "All"])
    >>> suppress(t, total_row="All")["students"].tolist()
    ['hidden', 'hidden', '41', '75']
    """
    if not isinstance(table, pd.DataFrame):
        raise user_error("suppress() needs a DataFrame", value=type(table).__name__,
                         fix="pass the table as a pandas DataFrame")
    if count_columns is None:
        count_columns = [c for c in table.columns if pd.api.types.is_integer_dtype(table[c])]
    count_columns = list(count_columns)
    for col in count_columns + ([total_column] if total_column is not None else []):
        if col not in table.columns:
            raise user_error("the table has no such count column", column=str(col),
                             fix=f"use one of {', '.join(map(str, table.columns))}")
    if total_column is not None and total_column not in count_columns:
        count_columns.append(total_column)
    if total_row is not None and total_row not in table.index:
        raise user_error("the table has no such total row", row=str(total_row),
                         fix=f"use one of {', '.join(map(str, table.index))}")
    if not table.index.is_unique:
        raise user_error("the table's row labels repeat, so rows cannot be told apart",
                         fix="give each row a unique label (set_index) before suppressing")
    if isinstance(percent_columns, Mapping):
        pct_source = dict(percent_columns)
    else:
        pct_source = {c: None for c in (percent_columns or [])}
    for pcol, src in pct_source.items():
        if pcol not in table.columns:
            raise user_error("the table has no such percentage column", column=str(pcol),
                             fix=f"use one of {', '.join(map(str, table.columns))}")
        if src is not None and src not in count_columns:
            raise user_error("a percentage column names a count column that is not counted",
                             column=str(pcol), value=src, fix="list that column in count_columns")

    counts = _count_block(table, count_columns)
    t_row = table.index.get_loc(total_row) if total_row is not None else None
    t_col = count_columns.index(total_column) if total_column is not None else None
    hidden = hidden_mask(counts, min_cell=min_cell, total_row=t_row, total_col=t_col)

    out = table.copy()
    for j, col in enumerate(count_columns):
        out[col] = pd.Series([marker if h else str(int(v)) for v, h in zip(counts[:, j], hidden[:, j])],
                             index=table.index, dtype=object)
    row_hidden = hidden.any(axis=1)
    is_total = np.asarray(table.index == total_row) if total_row is not None else np.zeros(len(table), bool)
    for pcol, src in pct_source.items():
        values = pd.to_numeric(table[pcol], errors="coerce")
        gone = hidden[:, count_columns.index(src)] if src is not None else row_hidden
        out[pcol] = pd.Series(
            [marker if g else _fmt_percent(v, (-np.inf, np.inf) if t else top_bottom, decimals)
             for v, g, t in zip(values, gone, is_total)],
            index=table.index, dtype=object,
        )
    return out


def suppress_labels(labels: Sequence[str], counts: Sequence[int], min_cell: int = MIN_CELL) -> list[str]:
    """Figure labels with their group sizes, small sizes hidden.

    The sizes are suppressed as one column of counts whose total is known, so when one size is
    hidden a second one is too and neither can be worked out from the total.

    Parameters
    ----------
    labels : list of str
        One label per group (a profile name, a grade).
    counts : list of int
        Students in each group.
    min_cell : int, default=10
        Smallest size shown.

    Returns
    -------
    list of str
        ``"label (n = 52)"``, or ``"label (size hidden)"``.

    Examples
    --------
    >>> suppress_labels(["Confident", "Anxious", "Quiet"], [120, 6, 40])
    ['Confident (n = 120)', 'Anxious (size hidden)', 'Quiet (size hidden)']
    """
    labels = list(labels)
    counts = list(counts)
    if len(labels) != len(counts):
        raise user_error("labels and counts differ in length", value=f"{len(labels)} labels, {len(counts)} counts",
                         fix="pass one count per label")
    frame = pd.DataFrame({"n": counts}, index=pd.RangeIndex(len(labels)))
    shown = suppress(frame, ["n"], min_cell=min_cell)["n"]
    return [f"{lab} (size hidden)" if s == HIDDEN else f"{lab} (n = {s})" for lab, s in zip(labels, shown)]
