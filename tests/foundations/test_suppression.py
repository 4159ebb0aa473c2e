"""Small-cell suppression: hand cases, cross-tabs with margins, and brute-force no-recovery checks."""

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from toolkit.errors import ToolkitError
from toolkit.suppression import HIDDEN, hidden_mask, suppress, suppress_labels, whole_number_range


def _lines_with_totals(n_rows, n_cols):
    """Every row and column of a grid whose total is known (shown or published elsewhere)."""
    lines = []
    if n_cols >= 2:
        lines += [[(i, j) for j in range(n_cols)] for i in range(n_rows)]
    if n_rows >= 2:
        lines += [[(i, j) for i in range(n_rows)] for j in range(n_cols)]
    return lines


def _assert_no_line_with_a_single_hidden_cell(hidden):
    for line in _lines_with_totals(*hidden.shape):
        n_hidden = sum(hidden[c] for c in line)
        assert n_hidden != 1, f"line {line} has exactly one hidden cell"


def _assert_hidden_cells_not_recoverable(counts, hidden, total_row=None, total_col=None):
    """Linear programming: each hidden cell can take at least two values given what is shown."""
    n_rows, n_cols = counts.shape
    idx = [(i, j) for i in range(n_rows) for j in range(n_cols) if hidden[i, j]]
    if not idx:
        return
    pos = {c: k for k, c in enumerate(idx)}
    A, b = [], []
    rows_in = [i for i in range(n_rows) if i != total_row]
    cols_in = [j for j in range(n_cols) if j != total_col]
    relations = []
    for i in range(n_rows):
        line = [(i, j) for j in cols_in]
        relations.append((line, (i, total_col) if total_col is not None else None))
    for j in range(n_cols):
        line = [(i, j) for i in rows_in]
        relations.append((line, (total_row, j) if total_row is not None else None))
    for line, margin in relations:
        if margin is None and (len(line) < 2 or 0 < sum(counts[c] for c in line) < 10):
            continue  # a lone cell's "total" is itself; a total under min_cell is never published
        a = np.zeros(len(idx))
        rhs = counts[margin] if margin is not None else sum(counts[c] for c in line)  # implied total
        if margin is not None and margin in pos:
            a[pos[margin]] -= 1
            rhs = 0
        for c in line:
            if c in pos:
                a[pos[c]] += 1
            else:
                rhs -= counts[c]
        if np.any(a):
            A.append(a)
            b.append(rhs)
    if not A:
        return  # no published total touches the hidden cells
    A, b = np.array(A), np.array(b, dtype=float)
    for c, k in pos.items():
        if counts[c] == 0:
            continue  # zeros are shown by policy; a hidden zero protects, it needs no protection
        obj = np.zeros(len(idx))
        obj[k] = 1
        lo = linprog(obj, A_eq=A, b_eq=b, bounds=(0, None)).fun
        top = linprog(-obj, A_eq=A, b_eq=b, bounds=(0, None))
        if top.status == 3:
            continue  # unbounded above: nothing pins it
        hi = -top.fun
        assert hi - lo >= 1, f"hidden cell {c} (value {counts[c]}) is pinned to [{lo}, {hi}]"


def test_counts_under_min_cell_are_hidden_and_zero_is_shown():
    t = pd.DataFrame({"students": [0, 3, 40, 55]}, index=list("abcd"))
    out = suppress(t, ["students"])
    assert out.loc["a", "students"] == "0"
    assert out.loc["b", "students"] == HIDDEN
    assert out.loc["d", "students"] == "55"


def test_single_hidden_cell_in_a_row_with_a_total_hides_the_next_smallest_cell():
    t = pd.DataFrame({"A": [4], "B": [30], "C": [41], "Total": [75]}, index=["grade 9"])
    out = suppress(t, ["A", "B", "C"], total_column="Total")
    assert out.loc["grade 9"].tolist() == [HIDDEN, HIDDEN, "41", "75"]


def test_complement_prefers_a_non_zero_cell_over_a_zero():
    t = pd.DataFrame({"students": [5, 0, 100]}, index=["x", "y", "z"])
    out = suppress(t, ["students"])
    assert out["students"].tolist() == [HIDDEN, "0", HIDDEN]


def test_nothing_is_hidden_when_every_count_reaches_min_cell():
    t = pd.DataFrame({"students": [10, 20, 30]}, index=["x", "y", "z"])
    assert suppress(t, ["students"])["students"].tolist() == ["10", "20", "30"]


def test_min_cell_is_a_parameter():
    t = pd.DataFrame({"students": [4, 30, 41]}, index=["x", "y", "z"])
    assert suppress(t, ["students"], min_cell=3)["students"].tolist() == ["4", "30", "41"]
    assert suppress(t, ["students"], min_cell=31)["students"].tolist() == [HIDDEN, HIDDEN, "41"]


def test_crosstab_with_margins_leaves_no_hidden_cell_recoverable():
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"grade": rng.choice(["9", "10", "11"], 150, p=[0.5, 0.45, 0.05]),
                       "profile": rng.choice(["P1", "P2", "P3", "P4"], 150, p=[0.4, 0.3, 0.25, 0.05])})
    ct = pd.crosstab(df["grade"], df["profile"], margins=True, margins_name="All")
    out = suppress(ct, list(ct.columns), total_row="All", total_column="All")
    hidden = (out == HIDDEN).to_numpy()
    counts = ct.to_numpy()
    assert hidden[((counts > 0) & (counts < 10))].all()
    _assert_no_line_with_a_single_hidden_cell(hidden)
    _assert_hidden_cells_not_recoverable(counts, hidden, total_row=3, total_col=4)


def test_subtraction_cannot_recover_a_hidden_cell_in_random_tables():
    rng = np.random.default_rng(7)
    for trial in range(25):
        n_rows, n_cols = rng.integers(1, 6), rng.integers(1, 6)
        counts = rng.choice([0, 1, 3, 6, 9, 12, 25, 40, 80], size=(n_rows, n_cols))
        with_margins = bool(rng.integers(0, 2)) and n_rows > 1 and n_cols > 1
        if with_margins:
            counts = np.vstack([counts, counts.sum(axis=0)])
            counts = np.hstack([counts, counts.sum(axis=1, keepdims=True)])
        t_row = counts.shape[0] - 1 if with_margins else None
        t_col = counts.shape[1] - 1 if with_margins else None
        hidden = hidden_mask(counts, min_cell=10, total_row=t_row, total_col=t_col)
        assert hidden[(counts > 0) & (counts < 10)].all(), trial
        _assert_no_line_with_a_single_hidden_cell(hidden)
        _assert_hidden_cells_not_recoverable(counts, hidden, total_row=t_row, total_col=t_col)


def test_bridge_between_two_hidden_blocks_is_not_left_recoverable():
    # Two 2x2 blocks of small counts joined by one small cell: every line has two hidden cells,
    # yet the joining cell could be solved for; the linear check must hide more.
    counts = np.array([
        [5, 5, 6, 50],
        [5, 5, 50, 50],
        [50, 50, 5, 5],
        [50, 50, 5, 5],
    ])
    hidden = hidden_mask(counts, min_cell=10)
    _assert_hidden_cells_not_recoverable(counts, hidden)


def test_percentage_of_a_hidden_count_is_hidden_and_extremes_are_coded():
    t = pd.DataFrame({"students": [3, 120, 117], "percent": [1.25, 50.0, 48.75]}, index=["9", "10", "11"])
    out = suppress(t, ["students"], percent_columns={"percent": "students"})
    assert out.loc["9", "percent"] == HIDDEN
    # 117 is the smallest other count in the column, so it is hidden as the complement
    assert out.loc["11", "percent"] == HIDDEN
    assert out.loc["10", "percent"] == "50%"
    rates = pd.DataFrame({"passed": [12, 119, 117], "pass_rate": [100.0, 99.2, 1.5]}, index=["9", "10", "11"])
    coded = suppress(rates, ["passed"], percent_columns={"pass_rate": "passed"})
    assert coded["pass_rate"].tolist() == [">98%", ">98%", "<2%"]


def test_percent_columns_as_a_list_hide_with_any_hidden_count_in_the_row():
    t = pd.DataFrame({"a": [3, 40, 50], "b": [40, 40, 50], "share": [7.0, 50.0, 50.0]}, index=list("xyz"))
    out = suppress(t, ["a", "b"], percent_columns=["share"])
    assert out.loc["x", "share"] == HIDDEN
    assert out.loc["z", "share"] == "50%"


def test_other_columns_and_the_input_table_are_left_alone():
    t = pd.DataFrame({"name": ["Curious", "Anxious"], "students": [50, 40], "mean": [3.2, 2.1]})
    before = t.copy()
    out = suppress(t)  # integer columns are the default counts
    pd.testing.assert_frame_equal(t, before)
    assert out["name"].tolist() == ["Curious", "Anxious"]
    assert out["mean"].tolist() == [3.2, 2.1]
    assert out["students"].tolist() == ["50", "40"]


def test_small_margin_is_hidden_with_its_complements():
    ct = pd.DataFrame({"P1": [30, 4, 34], "P2": [40, 3, 43], "All": [70, 7, 77]}, index=["9", "10", "All"])
    out = suppress(ct, ["P1", "P2"], total_row="All", total_column="All")
    assert out.loc["10", "All"] == HIDDEN
    _assert_no_line_with_a_single_hidden_cell((out == HIDDEN).to_numpy())


def test_labels_hide_small_groups_and_a_complement():
    assert suppress_labels(["A", "B", "C"], [120, 6, 40]) == ["A (n = 120)", "B (size hidden)", "C (size hidden)"]
    assert suppress_labels(["A", "B"], [12, 30]) == ["A (n = 12)", "B (n = 30)"]


def test_negative_or_fractional_count_is_a_user_error_naming_row_and_column():
    with pytest.raises(ToolkitError, match=r"row b, column 'students', value -1.*whole number"):
        suppress(pd.DataFrame({"students": [3, -1]}, index=["a", "b"]), ["students"])
    with pytest.raises(ToolkitError, match=r"column 'students', value 2.5"):
        suppress(pd.DataFrame({"students": [3.0, 2.5]}, index=["a", "b"]), ["students"])


def test_unknown_column_or_total_row_is_a_user_error():
    t = pd.DataFrame({"students": [3, 40]}, index=["a", "b"])
    with pytest.raises(ToolkitError, match=r"column 'count'.*no such count column.*Use one of students"):
        suppress(t, ["count"])
    with pytest.raises(ToolkitError, match=r"row All.*no such total row"):
        suppress(t, ["students"], total_row="All")
    with pytest.raises(ToolkitError, match=r"column 'pct'.*no such percentage column"):
        suppress(t, ["students"], percent_columns=["pct"])


def test_labels_and_counts_of_different_lengths_are_a_user_error():
    with pytest.raises(ToolkitError, match="labels and counts differ in length"):
        suppress_labels(["a"], [1, 2])


def test_the_total_row_shows_its_own_hundred_percent():
    t = pd.DataFrame({"students": [40, 35, 75], "share": [53.3, 46.7, 100.0]}, index=["a", "b", "All"])
    out = suppress(t, ["students"], percent_columns={"share": "students"}, total_row="All")
    assert out["share"].tolist() == ["53%", "47%", "100%"]


@pytest.mark.parametrize("A, rhs, expected", [
    ([[1, 1]], [10], (0, 10)),               # two hidden cells of a row total 10: anything from 0 to 10
    ([[1, 1], [0, 1]], [10, 7], (3, 3)),     # the second is known through another total: pinned at 3
    ([[1, 1], [1, 0]], [7.5, 2.5], (3, 2)),  # no whole number fits: the bounds cross
    ([[1, -1]], [2], (2, np.inf)),           # a difference of 2 bounds it below only
])
def test_whole_number_range_is_the_attackers_interval(A, rhs, expected):
    # The one interval both the tables' suppression and the report's page-wide audit use.
    assert whole_number_range(np.array(A, float), np.array(rhs, float), 0) == expected
