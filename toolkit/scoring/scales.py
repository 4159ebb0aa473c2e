"""Scale scores: reverse-keyed items averaged into one score per student and construct.

This is the scoring stage of the pipeline (see docs/interfaces.md). It takes the de-identified
``responses`` table (index ``pseudonym``; group columns; one numeric column per item id, answers on
the codebook's response scale, ``NaN`` where a student skipped) and returns plain DataFrames.

The scores agree with R's psych package: with ``min_items=1`` a score is exactly
``psych::scoreItems(keys, items, impute="none", totals=FALSE)`` (the mean of the answered,
reverse-keyed items), which tests/scoring/test_scoring.py checks against pinned R output.
"""

from __future__ import annotations

import difflib
import math
from numbers import Integral, Real
from os import PathLike
from typing import Iterable

import numpy as np
import pandas as pd

from ..codebook import Codebook, Construct
from ..errors import user_error

__all__ = ["score_scales", "keyed_items", "select_constructs", "SCORE_METHODS"]

#: The scoring methods of :func:`score_scales`.
SCORE_METHODS = ("mean", "poms", "z")


def select_constructs(codebook: Codebook, constructs: str | Iterable[str] | None = None) -> tuple[Construct, ...]:
    """The codebook's constructs called ``constructs`` (all of them when ``None``), in the order asked.

    Parameters
    ----------
    codebook : Codebook
        The survey's codebook.
    constructs : str or iterable of str, optional
        Construct keys. ``None`` means every construct, in codebook order.

    Returns
    -------
    tuple of Construct

    Raises
    ------
    ToolkitError
        When a key is not a construct of the codebook; the message names the closest keys.
    """
    if constructs is None:
        return codebook.constructs
    keys = [constructs] if isinstance(constructs, str) else list(constructs)
    if not keys:
        raise user_error(
            "no construct was asked for",
            fix=f"give one or more of the codebook's constructs ({', '.join(codebook.construct_keys)}), or None for all",
        )
    known = {c.key: c for c in codebook.constructs}
    out = []
    for key in keys:
        if key not in known:
            close = difflib.get_close_matches(str(key), list(known), n=3, cutoff=0.5)
            hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
            raise user_error(
                f"unknown construct '{key}'{hint}",
                file=codebook.path,
                fix=f"use one of the codebook's constructs: {', '.join(codebook.construct_keys)}",
            )
        out.append(known[key])
    return tuple(out)


def keyed_items(
    responses: pd.DataFrame,
    codebook: Codebook,
    constructs: str | Iterable[str] | None = None,
    *,
    source: str | PathLike | None = None,
) -> pd.DataFrame:
    """Check the item answers and reverse-key them.

    Parameters
    ----------
    responses : DataFrame
        One row per student; one column per item id with answers on the item's response scale
        (numbers, or text holding numbers; empty text and ``NaN`` are skipped answers).
    codebook : Codebook
        Says which items belong to which construct, their scale and which are reverse keyed.
    constructs : str or iterable of str, optional
        Only the items of these constructs; all when ``None``.
    source : path, optional
        The file ``responses`` was read from. Only used in error messages, which then give the
        row as a spreadsheet shows it (the header is row 1); otherwise the row is the student's
        position and pseudonym.

    Returns
    -------
    DataFrame
        Float answers, same index as ``responses``, one column per item id (construct order);
        reverse-keyed items are ``min + max - x``.

    Raises
    ------
    ToolkitError
        An item column is missing (the message names the closest columns), an answer is not a
        number, or a number lies outside the item's response scale.
    """
    cons = select_constructs(codebook, constructs)
    if not isinstance(responses, pd.DataFrame):
        raise user_error(
            f"responses must be a pandas DataFrame, got {type(responses).__name__}",
            fix="pass the responses table made by toolkit.deidentify (or read responses.csv with pandas)",
        )
    columns = [str(c) for c in responses.columns]
    out = {}
    for construct in cons:
        for item in construct.items:
            if item.id not in responses.columns:
                close = difflib.get_close_matches(item.id, columns, n=3, cutoff=0.5)
                if not close and item.column in responses.columns:
                    close = [item.column]
                hint = f"the closest columns are {', '.join(repr(c) for c in close)}" if close else "no column has a similar name"
                raise user_error(
                    f"item '{item.id}' of construct '{construct.key}' is not a column of the responses ({hint})",
                    file=source,
                    column=item.id,
                    fix="de-identify the export with this codebook (toolkit deidentify) so that item columns are "
                    "named by their item ids, or correct the item id in the codebook",
                )
            x = _numeric(responses[item.id], item.id, responses.index, source)
            bad = x.notna() & ((x < item.scale.min) | (x > item.scale.max))
            if bad.any():
                pos = int(np.flatnonzero(bad.to_numpy())[0])
                raise user_error(
                    f"answer outside the response scale {item.scale.min}..{item.scale.max} of item '{item.id}'",
                    file=source,
                    row=_row(pos, responses.index, source),
                    column=item.id,
                    value=_plain(x.iloc[pos]),
                    fix="correct the answer, or give the item its own scale in the codebook",
                )
            out[item.id] = item.scale.reverse(x) if item.reverse else x
    return pd.DataFrame(out, index=responses.index.copy())


def score_scales(
    responses: pd.DataFrame,
    codebook: Codebook,
    *,
    constructs: str | Iterable[str] | None = None,
    min_items: float | int = 0.5,
    method: str = "mean",
) -> pd.DataFrame:
    """Score each student on each construct: the mean of the answered, reverse-keyed items.

    Parameters
    ----------
    responses : DataFrame
        The de-identified responses (index ``pseudonym``; one numeric column per item id on the
        codebook's response scale, ``NaN`` for a skipped answer). Other columns are ignored.
    codebook : Codebook
        Items of each construct, their response scale and which are reverse keyed.
    constructs : str or iterable of str, optional
        Score only these constructs; all, in codebook order, when ``None``.
    min_items : float or int, default=0.5
        How many items a student must have answered for a score: a share in (0, 1] of the
        construct's items (0.5 with 4 items means at least 2), or a whole number of items
        (``1``: any answered item is enough, as psych::scoreItems with ``impute="none"``).
        With fewer, the score is ``NaN``.
    method : {"mean", "poms", "z"}, default="mean"
        ``"mean"``: on the response scale (1..5). ``"poms"``: proportion of maximum scaling,
        ``(mean - min) / (max - min)`` in [0, 1]. ``"z"``: the mean standardised by the sample's
        mean and standard deviation (``ddof=1``) of that construct.

    Returns
    -------
    DataFrame
        One row per student (the index of ``responses``), one float column per construct key.

    Raises
    ------
    ToolkitError
        Unknown construct or method, a bad ``min_items``, an item missing from the responses, or
        an answer that is not a number on the item's scale.

    Notes
    -----
    A reverse-keyed item is scored ``min + max - x`` on its own response scale. When a
    construct's items use different scales, ``"poms"`` rescales each item before averaging (with
    one common scale this equals rescaling the mean).

    References
    ----------
    Revelle, W. psych: Procedures for Psychological, Psychometric, and Personality Research,
    ``scoreItems``. Cohen, P., Cohen, J., Aiken, L. S., & West, S. G. (1999). The problem of units
    and the circumstance for POMP. Multivariate Behavioral Research, 34(3), 315-346.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import parse_codebook
    >>> cb = parse_codebook('''
    ... response_scale: {min: 1, max: 5}
    ... constructs:
    ...   grit: {items: {g1: "I finish what I start.", g2: {column: "I give up.", reverse: true}}}
    ... ''')
    >>> responses = pd.DataFrame({"g1": [5, 2, None], "g2": [1, 4, None]},
    ...                          index=pd.Index(["a", "b", "c"], name="pseudonym"))
    >>> score_scales(responses, cb)["grit"].tolist()
    [5.0, 2.0, nan]
    """
    if method not in SCORE_METHODS:
        raise user_error(
            f"unknown scoring method {method!r}",
            fix=f"use one of {', '.join(repr(m) for m in SCORE_METHODS)}",
        )
    cons = select_constructs(codebook, constructs)
    keyed = keyed_items(responses, codebook, [c.key for c in cons])
    scores = {}
    for construct in cons:
        ids = list(construct.item_ids)
        x = keyed[ids]
        if method == "poms":
            lo = np.array([i.scale.min for i in construct.items], dtype=float)
            hi = np.array([i.scale.max for i in construct.items], dtype=float)
            x = (x - lo) / (hi - lo)
        needed = _needed(min_items, len(ids))
        answered = x.notna().sum(axis=1)
        score = x.mean(axis=1, skipna=True).where(answered >= needed)
        if method == "z":
            score = (score - score.mean()) / score.std(ddof=1)
        scores[construct.key] = score.astype(float)
    return pd.DataFrame(scores, index=responses.index.copy())


def _needed(min_items: float | int, n_items: int) -> int:
    """Items a student must answer: from a share in (0, 1] or a whole count."""
    if isinstance(min_items, bool) or not isinstance(min_items, Real):
        raise user_error(
            f"min_items must be a share in (0, 1] or a whole number of items, got {min_items!r}",
            fix="use e.g. min_items=0.5 (half the items) or min_items=2",
        )
    if isinstance(min_items, Integral) or (float(min_items).is_integer() and min_items > 1):
        count = int(min_items)
        if count < 1:
            raise user_error(
                f"min_items={count} items: a score needs at least one answered item",
                fix="use min_items=1 or more, or a share such as 0.5",
            )
        return count
    share = float(min_items)
    if not 0 < share <= 1:
        raise user_error(
            f"min_items={share} is neither a share in (0, 1] nor a whole number of items",
            fix="use e.g. min_items=0.5 (half the items) or min_items=2",
        )
    return max(1, math.ceil(share * n_items - 1e-9))


def _numeric(col: pd.Series, column: str, index: pd.Index, source) -> pd.Series:
    """The column as floats; a clear error at the first answer that is not a number."""
    if pd.api.types.is_bool_dtype(col.dtype):
        raise user_error(
            "the answers are true/false, not numbers on the response scale",
            file=source,
            column=column,
            fix="code the answers as numbers (for example 1..5)",
        )
    if pd.api.types.is_numeric_dtype(col.dtype):
        return col.astype(float)
    text = col.astype(object)
    blank = text.map(lambda v: v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip()) or v is pd.NA)
    num = pd.to_numeric(text.where(~blank), errors="coerce")
    bad = num.isna() & ~blank
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise user_error(
            "answer is not a number",
            file=source,
            row=_row(pos, index, source),
            column=column,
            value=_plain(text.iloc[pos]),
            fix="code the answers as numbers on the response scale: read and de-identify the export with "
            "toolkit deidentify, which turns answer labels into numbers",
        )
    return num.astype(float)


def _row(pos: int, index: pd.Index, source) -> str:
    label = index[pos]
    if source is not None:
        return f"{pos + 2} (pseudonym {label})"
    return f"{pos + 1} (pseudonym {label})"


def _plain(value):
    if isinstance(value, (np.floating, float)):
        value = float(value)
        return int(value) if value.is_integer() else value
    if isinstance(value, np.integer):
        return int(value)
    return value
