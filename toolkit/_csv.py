"""Free text written to CSV must not run as a spreadsheet formula.

A student can type ``=HYPERLINK(...)`` into a free-text question; a teacher who opens the CSV in
Excel or Google Sheets would run it. OWASP's advice for CSV injection is to make such a cell text
by putting a single quote before it. pandas and the csv module have no option for this, hence
this small helper; the pipeline's own readers get the quoted text back unchanged otherwise.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["defuse_formulas"]

# What a spreadsheet reads as the start of a formula: = + @, a tab or carriage return, and a minus
# sign before a digit, a parenthesis or another formula character ("- more examples" stays as is).
_FORMULA = r"^(?:[=+@\t\r]|-[\d(=+@])"


def defuse_formulas(frame: pd.DataFrame, columns=None) -> pd.DataFrame:
    """A copy of ``frame`` in which text cells that would start a formula begin with ``'``.

    Parameters
    ----------
    frame : DataFrame
    columns : list of str, optional
        The free-text columns; default every column of text (object or string dtype).

    Examples
    --------
    >>> import pandas as pd
    >>> defuse_formulas(pd.DataFrame({"x": ["=1+1", "- more examples", "-2", "ok"]}))["x"].tolist()
    ["'=1+1", '- more examples', "'-2", 'ok']
    """
    out = frame.copy()
    if columns is None:
        columns = [c for c in out.columns if out[c].dtype == object or pd.api.types.is_string_dtype(out[c])]
    for c in columns:
        text = out[c]
        risky = text.astype("string").str.contains(_FORMULA, regex=True, na=False)
        if risky.any():
            out[c] = text.where(~risky, "'" + text.astype("string"))
    return out
