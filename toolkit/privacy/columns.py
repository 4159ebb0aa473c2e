"""Columns of an export that look identifying, by header or by values."""

from __future__ import annotations

import re
from typing import Iterable

import pandas as pd

from ..io import platform_metadata_reason
from ..scrub import _ADDRESS, _LOW, _UP

__all__ = ["identifying_columns"]


# --------------------------------------------------------------------------------------------
# identifying columns

_HEADER_HINTS = [
    (re.compile(r"e-?mail", re.I), "header says email"),
    (re.compile(r"\b(first|last|family|given|full|sur|user|your|student'?s?|pupil'?s?)\s*name\b|^name$|\bname of\b|\bnames?\b", re.I), "header says name"),
    (re.compile(r"phone|mobile|\bcell\b|telephone|\btel\b", re.I), "header says phone"),
    (re.compile(r"(?<!mail )(?<!mail)\baddress\b|street|post\s*code|postal|\bzip", re.I), "header says address"),
    (re.compile(r"\bip\b|ipaddress", re.I), "header says IP address"),
    (re.compile(r"latitude|longitude|\blat\b|\blon\b|\blng\b|location", re.I), "header says location"),
    (re.compile(r"birth|\bdob\b|\bborn\b|\bage\b", re.I), "header says birth date or age"),
    (re.compile(r"student\s*(id|number|no\b|#)|\bid\b|passport|\bssn\b|social security|national (id|insurance)", re.I), "header says ID"),
]
_V_EMAIL = re.compile(r"^[\w.+%-]+@[\w-]+(?:\.[\w-]+)+$")
_V_IP = re.compile(r"^(?:\d{1,3}\.){3}\d{1,3}$|^(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}$", re.I)
_V_COORD = re.compile(r"^[+-]?\d{1,3}\.\d{3,}$")
_V_DATE = re.compile(r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})$")
_V_NAME = re.compile(rf"^[{_UP}][{_LOW}'’-]+(?: [{_UP}][{_LOW}'’-]+){{1,3}}$")
_V_PHONE = re.compile(r"^\+?[\d\s().-]{7,20}$")


def identifying_columns(table: pd.DataFrame, *, fmt: str | None = None, skip: Iterable[str] = (), sample: int = 2000) -> pd.DataFrame:
    """Columns that look identifying, by header or by values.

    Parameters
    ----------
    table : DataFrame
        ``RawExport.table``.
    fmt : str, optional
        The export's format (see :func:`toolkit.io.platform_metadata_reason`).
    skip : iterable of str
        Headers not to check (the codebook's item columns: closed answers, never identifying).
    sample : int, default=2000
        Value patterns are checked on the first ``sample`` non-empty values of each column
        (deterministic, and fast on a million rows); uniqueness on all of them.

    Returns
    -------
    DataFrame
        Columns ``column, reason``; one row per identifying column, in table order.
    """
    skip = set(skip)
    rows = []
    for col in table.columns:
        if col in skip:
            continue
        reasons = [why for rx, why in _HEADER_HINTS if rx.search(str(col))]
        if platform_metadata_reason(col, fmt) and not reasons:
            reasons.append("platform metadata")
        s = table[col]
        filled = s[s.str.strip() != ""] if len(s) <= 10 * sample else s.iloc[: 20 * sample][s.iloc[: 20 * sample].str.strip() != ""]
        vals = filled.iloc[:sample].str.strip()
        if len(vals):
            checks = [
                (_V_EMAIL, "values look like emails"),
                (_V_IP, "values look like IP addresses"),
                (_V_COORD, "values look like coordinates"),
                (_V_DATE, "values look like dates (birth dates?)"),
                (_ADDRESS, "values look like street addresses"),
                (_V_NAME, "values look like names"),
            ]
            for rx, why in checks:
                share = vals.map(lambda v, rx=rx: bool(rx.search(v) if rx is _ADDRESS else rx.match(v))).mean()
                if share >= 0.5 and (rx is not _V_NAME or vals.nunique() >= 0.5 * len(vals)):
                    reasons.append(why)
            phone_share = vals.map(lambda v: bool(_V_PHONE.match(v)) and 7 <= sum(c.isdigit() for c in v) <= 15).mean()
            if phone_share >= 0.5:
                reasons.append("values look like phone numbers")
            # uniqueness is judged on the same sample: an ID column is unique in any part of it
            if len(vals) >= 20:
                uniq = vals.nunique() / len(vals)
                no_space = (~vals.str.contains(" ", regex=False)).mean()
                if uniq >= 0.9 and no_space >= 0.9 and vals.str.len().max() <= 40:
                    reasons.append("almost every value is unique (an ID?)")
        if reasons:
            rows.append((col, "; ".join(dict.fromkeys(reasons))))
    return pd.DataFrame(rows, columns=["column", "reason"], dtype=object)


