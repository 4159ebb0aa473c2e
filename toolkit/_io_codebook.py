"""The codebook layer of :mod:`toolkit.io`: headers matched to the codebook, answers coded as numbers.

``_match_codebook`` gives the export's headers the codebook's spelling (or says which columns
are missing, with the closest headers); ``_check_duplicates`` refuses a repeated header the
codebook names; :func:`item_answers` turns answer labels into numbers on each item's scale.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from ._io_layout import _norm
from .codebook import Codebook, Item
from .errors import user_error

def _match_codebook(table: pd.DataFrame, codebook: Codebook, path: Path, question_text: dict | None = None) -> pd.DataFrame:
    headers = list(table.columns)
    exact = set(headers)
    by_key: dict[str, list[str]] = {}
    for h in headers:
        by_key.setdefault(_norm(h), []).append(h)
    named_keys = {_norm(c) for c in codebook.named_columns}
    for h, text in (question_text or {}).items():
        # a Qualtrics export read without the codebook has column ids as headers; the codebook
        # may name a column by its question text instead
        if h in exact and _norm(h) not in named_keys and _norm(text) != _norm(h):
            by_key.setdefault(_norm(text), []).append(h)
    rename, missing = {}, []
    roles = _roles(codebook)
    for col in codebook.named_columns:
        if col in exact:
            continue
        hits = by_key.get(_norm(col), [])
        if len(hits) == 1:
            rename[hits[0]] = col
        elif not hits:
            missing.append(col)
        else:
            raise user_error(
                f"the codebook's column matches {len(hits)} headers of the export ("
                + ", ".join(f"'{h}'" for h in hits[:4]) + ") that differ only in case, spacing or id",
                file=path, column=col,
                fix="name the column exactly as one of those headers in the codebook (for Qualtrics, by its column id such as Q1_1)",
            )
    if missing:
        parts = []
        for col in missing[:6]:
            close = difflib.get_close_matches(col, headers, n=3, cutoff=0.4)
            hint = "closest headers: " + ", ".join(f"'{c}'" for c in close) if close else "no similar header"
            parts.append(f"'{col}' ({roles.get(col, 'column')}; {hint})")
        more = f" and {len(missing) - 6} more" if len(missing) > 6 else ""
        raise user_error(
            f"the codebook names {len(missing)} column(s) that the export does not have: " + "; ".join(parts) + more,
            file=path,
            fix="correct the headers in the codebook to match the export exactly (or check that this is the right export)",
        )
    return table.rename(columns=rename) if rename else table


def _roles(codebook: Codebook) -> dict[str, str]:
    roles = {i.column: f"item {i.id}" for i in codebook.items}
    if codebook.id_column:
        roles[codebook.id_column] = "id_column"
    roles.update({c: "name column" for c in codebook.name_columns})
    roles.update({c: "group column" for c in codebook.group_columns})
    roles.update({c: f"voice column {k}" for k, c in codebook.voice_columns.items()})
    return roles


def _check_duplicates(headers: list[str], path: Path, codebook: Codebook | None) -> list[str]:
    """Refuse a repeated header the codebook names; rename the others by position.

    A repeated header the codebook does not name (two "Notes" columns) is dropped later anyway,
    but every column must have its own name to be checked for identifiers: the second one
    becomes ``"Notes (column 7)"``.
    """
    seen: dict[str, int] = {}
    out = list(headers)
    taken = set(headers)
    for pos, h in enumerate(headers, start=1):
        if h in seen:
            named = codebook is None or h in set(codebook.named_columns)
            if named:
                raise user_error(
                    f"two columns have the same header (columns {seen[h]} and {pos}), so they cannot be told apart",
                    file=path, column=h,
                    fix="give the questions distinct titles in the survey and export again, or rename one header in a copy of the export",
                )
            new = f"{h} (column {pos})"
            while new in taken:
                new += "'"
            out[pos - 1] = new
            taken.add(new)
        else:
            seen[h] = pos
    return out


# --------------------------------------------------------------------------------------------
# answers as numbers

def _label_key(s: str) -> str:
    # Labels match ignoring case, surrounding spaces and punctuation ("Strongly agree." and
    # "strongly  AGREE" are the same answer).
    s = unicodedata.normalize("NFKC", s).casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", s).split())


_NUMBER = re.compile(r"^[+-]?\d+(?:\.0*)?$")
_NUMBERED_LABEL = re.compile(r"^(?:(\d+)\s+(.+)|(.+?)\s+(\d+))$")


def _code_values(uniques, item: Item) -> tuple[dict, list]:
    scale = item.scale
    labels = {_label_key(lab): scale.min + k for k, lab in enumerate(scale.labels)}
    mapping, unknown = {}, []
    for v in uniques:
        s = str(v).strip()
        if s == "":
            mapping[v] = np.nan
            continue
        key = _label_key(s)
        if key in labels:
            mapping[v] = float(labels[key])
        elif _NUMBER.match(s) and scale.min <= int(float(s)) <= scale.max:
            mapping[v] = float(int(float(s)))
        else:
            m = _NUMBERED_LABEL.match(key)  # "5 - Strongly agree", "Strongly agree (5)"
            num, lab = (m.group(1), m.group(2)) if m and m.group(1) else ((m.group(4), m.group(3)) if m else (None, None))
            if m and lab in labels and labels[lab] == int(num):
                mapping[v] = float(labels[lab])
            else:
                unknown.append(v)
    return mapping, unknown


def _safe_value(text: str, raw=None, codebook: Codebook | None = None) -> str:
    """An answer shown in an error message, with any email, phone, name pair... replaced.

    With the export and its codebook, the students' own IDs and names (from the ID and name
    columns) are replaced too: a student who typed their ID or first name into an answer cell.
    """
    from .scrub import scrub_text  # privacy imports this module; import at call time

    ids, names = [], []
    if raw is not None and codebook is not None:
        if codebook.id_column and codebook.id_column in raw.table.columns:
            ids = [v for v in raw.table[codebook.id_column].astype(str) if v.strip()]
        for c in codebook.name_columns:
            if c in raw.table.columns:
                names += [v for v in raw.table[c].astype(str) if v.strip()]
    return scrub_text([text], names=names, ids=ids).iloc[0]


def item_answers(raw, codebook: Codebook) -> pd.DataFrame:
    """The codebook's items as numbers, one float column per item id.

    Labels match the item's scale labels ignoring case, surrounding spaces and punctuation;
    a number inside the scale (``"4"``, ``"4.0"``, a Qualtrics recode value) is taken as is;
    ``"5 - Strongly agree"`` is accepted when number and label agree. Empty cells are NaN.

    Parameters
    ----------
    raw : RawExport
        From :func:`toolkit.io.read_export` (not imported here: :mod:`toolkit.io` imports this module).
    codebook : Codebook

    Returns
    -------
    DataFrame
        Same row order as ``raw.table``; columns are item ids, dtype float64.

    Raises
    ------
    ToolkitError
        An answer that is neither a known label nor a number in the scale; the message names the
        label, the column, the first rows where it occurs and the labels the codebook knows.
    """
    out = np.empty((len(raw.table), len(codebook.items)), dtype=np.float64)
    for j, item in enumerate(codebook.items):
        col = raw.table[item.column]
        codes, uniques = pd.factorize(col, sort=False)
        mapping, unknown = _code_values(list(uniques), item)
        if unknown:
            bad = unknown[0]
            where = np.flatnonzero(np.asarray(codes) == list(uniques).index(bad))
            rows = ", ".join(str(int(r)) for r in raw.row_numbers[where[:5]])
            more = f" and {len(where) - 5} more rows" if len(where) > 5 else ""
            known = ", ".join(f"'{lab}'" for lab in item.scale.labels) or "none"
            extra = f" (and {len(unknown) - 1} other unknown answers in this column)" if len(unknown) > 1 else ""
            raise user_error(
                f"unknown answer label for item {item.id}{extra}; first seen in rows {rows}{more}. "
                f"The codebook knows the labels {known} and numbers {item.scale.min} to {item.scale.max}",
                file=raw.path, row=rows.split(",")[0], column=item.column, value=_safe_value(str(bad).strip(), raw, codebook),
                fix="add the label to the codebook's response_scale (or the item's own scale) in the right order, or correct the export",
            )
        values = np.array([mapping[u] for u in uniques], dtype=np.float64)
        out[:, j] = np.where(codes >= 0, values[np.maximum(codes, 0)] if len(values) else np.nan, np.nan)
    return pd.DataFrame(out, index=raw.table.index, columns=list(codebook.item_ids), dtype=np.float64)
