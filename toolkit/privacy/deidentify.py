"""De-identify a survey export: keyed pseudonyms, scrubbed free text, and a ledger of every row.

This is the gate between a raw export and everything else. :func:`deidentify` keeps only what the
codebook names (group columns, item answers, the student-voice free text), replaces the student ID
with a keyed pseudonym, removes identifiers from the free text, and accounts for every row read in
a ledger: kept, or excluded with a reason. A disclosure report says what was removed and why, and
how small the smallest group is.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np
import pandas as pd

from .._validation import check_min_cell
from ..codebook import Codebook
from ..config import MIN_CELL
from ..errors import user_error
from .._io_codebook import _match_codebook
from ..io import RawExport, item_answers, platform_metadata_reason
from ..scrub import _TAGS, _id_key, _name_tokens, _normalise_id, _scrub_one, _scrub_series
from .columns import identifying_columns
from .keys import PSEUDONYM_HEX, _PREFIX, _check_key, _factorize_ids, _pseudonyms_from_codes, _row_pseudonyms

__all__ = ["Deidentified", "Disclosure", "deidentify", "WITHHELD_GROUP"]

#: What replaces a group value that looked identifying (a name, ID, e-mail... typed into a
#: free-entry field such as Section): the value never becomes a row label in any output.
WITHHELD_GROUP = "(withheld)"


# --------------------------------------------------------------------------------------------
# the result


@dataclass(frozen=True)
class Disclosure:
    """What de-identification removed and why, and how small the smallest group is.

    Build it with :func:`deidentify`; read it with :meth:`to_markdown` or :meth:`to_dict`.
    """

    source: dict
    rows: dict
    exclusions: dict
    flags: dict
    dropped_columns: tuple
    identifying_columns: tuple
    kept_columns: dict
    pseudonyms: dict
    scrubbed: dict
    groups: dict
    withheld_groups: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Plain JSON-ready values, in a fixed order."""
        return {
            "source": dict(self.source),
            "rows": dict(self.rows),
            "exclusions": dict(self.exclusions),
            "flags": dict(self.flags),
            "dropped_columns": [{"column": c, "reason": r} for c, r in self.dropped_columns],
            "identifying_columns": [{"column": c, "reason": r, "action": a} for c, r, a in self.identifying_columns],
            "kept_columns": {k: list(v) for k, v in self.kept_columns.items()},
            "pseudonyms": dict(self.pseudonyms),
            "scrubbed": dict(self.scrubbed),
            "groups": json.loads(json.dumps(self.groups)),
            **({"withheld_group_values": dict(self.withheld_groups)} if self.withheld_groups else {}),
        }

    def to_json(self) -> str:
        """The report as JSON text (byte-identical for the same inputs)."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def to_markdown(self) -> str:
        """The report as Markdown, for the data steward."""
        src, rows, g = self.source, self.rows, self.groups
        out = [
            "# Disclosure report",
            "",
            f"Export `{src['file']}` ({src['format']}, {src['encoding']}), codebook `{src['codebook']}`.",
            "",
            "## Rows",
            f"- read: {rows['read']}",
            f"- kept: {rows['kept']}",
            f"- excluded: {rows['excluded']}",
        ]
        for reason, n in self.exclusions.items():
            out.append(f"  - {reason}: {n}")
        for flag, n in self.flags.items():
            out.append(f"- flagged (kept): {flag}: {n}")
        out += ["", "Every row is listed in `ledger.csv` with its row number in the file.", "", "## Columns removed"]
        out += [f"- `{c}`: {r}" for c, r in self.dropped_columns] or ["- none"]
        out += ["", "## Columns that look identifying"]
        out += [f"- `{c}`: {r} -> {a}" for c, r, a in self.identifying_columns] or ["- none found"]
        kc = self.kept_columns
        out += [
            "",
            "## Columns kept",
            f"- group columns: {', '.join(f'`{c}`' for c in kc['group']) or 'none'}",
            f"- items (as numbers): {len(kc['items'])}",
            f"- student voice (scrubbed): {', '.join(f'`{c}`' for c in kc['voice']) or 'none'}",
            "",
            "## Pseudonyms",
            f"- {self.pseudonyms['method']}",
            f"- {self.pseudonyms['linking']}",
            "",
            "## Free text scrubbed",
        ]
        out += [f"- {tag}: {n}" for tag, n in self.scrubbed.items()] or ["- nothing found"]
        if self.withheld_groups:
            out += ["", "## Group values withheld"]
            out += [
                f"- `{c}`: {w['values']} value(s) in {w['rows']} row(s) looked like a name, ID or contact detail "
                f"and were replaced by `{WITHHELD_GROUP}`"
                for c, w in self.withheld_groups.items()
            ]
        out += ["", f"## Group sizes (minimum cell {g['min_cell']})"]
        if not g["columns"]:
            out.append("- no group columns")
        else:
            out.append(f"- smallest group over {' x '.join(f'`{c}`' for c in g['columns'])}: {g['smallest_group']} (k-anonymity k = {g['smallest_group']})")
            out.append(f"- combinations under {g['min_cell']}: {g['n_small_groups']} of {g['n_groups']}")
            for cell in g["small_groups"][:50]:
                label = ", ".join(f"{k} = {v}" for k, v in cell["group"].items())
                out.append(f"  - {label}: {cell['n']}")
            if len(g["small_groups"]) > 50:
                out.append(f"  - ... and {len(g['small_groups']) - 50} more")
            for col in g["columns"]:
                info = g["by_column"][col]
                verdict = "too fine to report" if info["too_fine"] else "fine to report"
                out.append(f"- `{col}`: {info['n_groups']} groups, smallest {info['smallest']}: {verdict}")
        return "\n".join(out) + "\n"


@dataclass(frozen=True, eq=False)  # holds DataFrames
class Deidentified:
    """De-identified responses with their ledger and disclosure report.

    Attributes
    ----------
    responses : DataFrame
        Index ``pseudonym``; group columns (their export headers); item ids as float columns
        (NaN when not answered); voice keys as scrubbed text. One row per kept response.
    ledger : DataFrame
        One row per data row read: ``row`` (row number in the file), ``pseudonym``, ``status``
        (``kept``/``excluded``), ``reason``, ``flags``. No identifying value.
    disclosure : Disclosure
    """

    responses: pd.DataFrame
    ledger: pd.DataFrame
    disclosure: Disclosure = field(repr=False)


# --------------------------------------------------------------------------------------------
# deidentify

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}
# Qualtrics' Status ("Response Type") column, as choice text or its numeric code (0 IP Address
# and 16 Offline are real responses; 4 Imported is kept too). Codes as documented for the
# Qualtrics response export and the qualtRics R package.
_QUALTRICS_STATUS = {
    "survey preview": "Qualtrics survey preview",
    "1": "Qualtrics survey preview",
    "offline survey preview": "Qualtrics survey preview",
    "17": "Qualtrics survey preview",
    "survey test": "Qualtrics survey test",
    "2": "Qualtrics survey test",
    "spam": "Qualtrics spam",
    "8": "Qualtrics spam",
    "preview spam": "Qualtrics spam",
    "survey preview spam": "Qualtrics spam",
    "9": "Qualtrics spam",
    "imported spam": "Qualtrics spam",
    "12": "Qualtrics spam",
}
_QUALTRICS_CHANNEL = {"preview": "Qualtrics survey preview", "test": "Qualtrics survey test"}


def _find(table: pd.DataFrame, *names: str) -> str | None:
    keys = {" ".join(str(c).casefold().split()): c for c in table.columns}
    for n in names:
        if n in keys:
            return keys[n]
    return None


def deidentify(
    raw: RawExport,
    codebook: Codebook,
    *,
    key: bytes,
    min_answered: float = 0.5,
    min_cell: int = MIN_CELL,
    allow_identifying_groups: Iterable[str] = (),
    roster: Iterable[str] = (),
    exclude_straight_lining: bool = False,
) -> Deidentified:
    """Keep what the codebook names, pseudonymise, scrub, and account for every row.

    Parameters
    ----------
    raw : RawExport
        From :func:`toolkit.io.read_export`.
    codebook : Codebook
    key : bytes
        The 32-byte pseudonym key (:func:`load_or_create_key`).
    min_answered : float, default=0.5
        Smallest share of the codebook's items a response must answer to be kept.
    min_cell : int, default=10
        Groups smaller than this are listed in the disclosure report.
    allow_identifying_groups : iterable of str, default=()
        Group columns to keep even though they look identifying (by header or values).
    roster : iterable of str, default=()
        More names to scrub from the free text (a class list).
    exclude_straight_lining : bool, default=False
        Exclude responses with the same answer to every item (at least 4 answered) instead of
        only flagging them.

    Returns
    -------
    Deidentified

    Raises
    ------
    ToolkitError
        A codebook column is missing from the export, a group column looks identifying and is
        not allowed, an answer label is unknown, or every row is excluded.

    Notes
    -----
    Rows are excluded, in this order of precedence: empty rows; Qualtrics previews, tests and
    spam; unfinished Qualtrics responses; rows without a student ID (when the codebook has an
    ``id_column``); responses under ``min_answered``; earlier submissions of a student who sent
    the form again (the last remaining one is kept, so a later empty retry never replaces a
    complete response). Every other column of the export is dropped, and said so.
    """
    key = _check_key(key)
    if not 0.0 <= float(min_answered) <= 1.0:
        raise user_error(f"min_answered={min_answered!r} should be a share between 0 and 1", fix="use e.g. 0.5 for half the items")
    min_cell = check_min_cell(min_cell)
    table = _match_codebook(raw.table, codebook, raw.path, raw.question_text)
    raw_m = RawExport(table, raw.row_numbers, raw.format, raw.path, raw.encoding, raw.delimiter, raw.sha256, raw.question_text, raw.header_rows)
    n = len(table)
    rown = np.asarray(raw.row_numbers)
    allow = set(allow_identifying_groups)
    unknown_allow = sorted(allow - set(codebook.group_columns))
    if unknown_allow:
        raise user_error(
            "an allowed identifying group column is not a group column of the codebook",
            column=unknown_allow[0], fix="list it under group_columns in the codebook, or remove the --allow-group option",
        )

    item_cols = {i.column for i in codebook.items}
    named = set(codebook.named_columns)
    ident_reason, dropped, ident_rows = _column_decisions(table, codebook, raw.format, raw.path, allow, item_cols)

    # answers
    answers = item_answers(raw_m, codebook)
    a = answers.to_numpy()
    answered = np.isfinite(a).sum(axis=1)

    category, reason, pseud, id_uniques, straight, formula, flags = _exclusions(
        table, raw, codebook, a, answered, key, min_answered, exclude_straight_lining, item_cols)

    kept = category == ""
    if not kept.any():
        counts = pd.Series(category).value_counts()
        summary = ", ".join(f"{c}: {k}" for c, k in counts.items())
        raise user_error(
            f"every one of the {n} rows was excluded ({summary})",
            file=raw.path,
            fix="check the codebook's item columns and labels, or lower --min-answered",
        )

    ledger = pd.DataFrame(
        {
            "row": rown.astype(np.int64),
            "pseudonym": np.where(pseud == "", np.nan, pseud).astype(object),
            "status": np.where(kept, "kept", "excluded").astype(object),
            "reason": reason,
            "flags": flags,
        }
    )

    # responses
    kept_idx = np.flatnonzero(kept)
    resp = {}
    for g in codebook.group_columns:
        resp[g] = _stripped_or_nan(table[g].iloc[kept_idx])
    items_block = a[kept_idx]
    name_tokens, id_tokens = _scrub_tokens(table, codebook, ident_reason, roster, id_uniques, named, item_cols)
    scrubbed_counts = dict.fromkeys(_TAGS, 0)
    withheld = {}
    for g in codebook.group_columns:
        resp[g], info = _withhold_identifying(resp[g], name_tokens, id_tokens, int(min_cell))
        if info["values"]:
            withheld[g] = info
    for vkey, col in codebook.voice_columns.items():
        original = pd.Series(_stripped_or_nan(table[col].iloc[kept_idx]), dtype=object)
        clean, counts = _scrub_series(original.astype(object), name_tokens, id_tokens)
        resp[vkey] = clean.to_numpy()
        for tag, k in counts.items():
            scrubbed_counts[tag] += k
    index = pd.Index(pseud[kept_idx], name="pseudonym", dtype=object)
    groups_part = pd.DataFrame({g: resp[g] for g in codebook.group_columns}, index=index)
    items_part = pd.DataFrame(items_block, index=index, columns=list(codebook.item_ids), dtype=np.float64)
    voice_part = pd.DataFrame({k: resp[k] for k in codebook.voice_columns}, index=index)
    responses = pd.concat([groups_part, items_part, voice_part], axis=1)

    groups = _group_report(responses, list(codebook.group_columns), int(min_cell))
    excl = pd.Series(category[~kept]).value_counts()
    disclosure = Disclosure(
        source={
            "file": raw.path.name,
            "format": raw.format,
            "encoding": raw.encoding,
            "delimiter": {",": "comma", ";": "semicolon", "\t": "tab", "": "none"}.get(raw.delimiter, raw.delimiter),
            "header_rows": int(raw.header_rows),
            "sha256": raw.sha256,
            "codebook": codebook.path.name if codebook.path else codebook.title,
            "codebook_sha256": codebook.sha256,
        },
        rows={"read": int(n), "kept": int(kept.sum()), "excluded": int((~kept).sum())},
        exclusions={str(k): int(v) for k, v in excl.sort_index().items()},
        flags={"straight-lining (same answer to every item)": int((straight & kept).sum()),
               **({"formula cell read as text, not evaluated": int((formula & kept).sum())} if raw.formula_cells else {})},
        dropped_columns=tuple(dropped),
        identifying_columns=tuple(ident_rows),
        kept_columns={"group": list(codebook.group_columns), "items": list(codebook.item_ids), "voice": list(codebook.voice_columns)},
        pseudonyms={
            "method": f"HMAC-SHA256 with a 32-byte secret key, first {PSEUDONYM_HEX} hex digits, prefix '{_PREFIX}'"
            + (f", of the normalised '{codebook.id_column}'" if codebook.id_column else ", of the export's hash and row number"),
            "linking": "the same key gives the same pseudonyms in every wave, so waves link"
            if codebook.id_column
            else "the codebook has no id_column: pseudonyms come from row numbers and do not link across waves",
            "linkable_across_waves": bool(codebook.id_column),
        },
        scrubbed={k.strip("[]").lower(): v for k, v in scrubbed_counts.items() if v},
        groups=groups,
        withheld_groups=withheld,
    )
    return Deidentified(responses=responses, ledger=ledger, disclosure=disclosure)


def _column_decisions(table: pd.DataFrame, codebook: Codebook, fmt: str, path, allow: set, item_cols: set):
    """What each column of the export becomes: which look identifying (and why), which are dropped
    (and why), and what is done with each identifying one. Refuses an identifying group column
    that is not allowed explicitly."""
    ident = identifying_columns(table, fmt=fmt, skip=item_cols)
    ident_reason = dict(zip(ident["column"], ident["reason"]))
    for g in codebook.group_columns:
        if g in ident_reason and g not in allow:
            raise user_error(
                f"group column looks identifying ({ident_reason[g]}) and would be kept in the output",
                file=path, column=g,
                fix=f"remove it from group_columns, or if it is safe keep it explicitly with --allow-group '{g}' (allow_identifying_groups)",
            )
    named = set(codebook.named_columns)
    dropped = []
    for col in table.columns:
        if col == codebook.id_column:
            dropped.append((col, "student ID: replaced by a keyed pseudonym"))
        elif col in codebook.name_columns:
            dropped.append((col, "name column: dropped, its names scrubbed from free text"))
        elif col in named:
            continue
        elif platform_metadata_reason(col, fmt):
            dropped.append((col, platform_metadata_reason(col, fmt)))
        elif col in ident_reason:
            dropped.append((col, f"identifying ({ident_reason[col]})"))
        else:
            dropped.append((col, "not named in the codebook"))
    ident_rows = []
    for col, why in ident_reason.items():
        if col in codebook.group_columns:
            action = "kept as a group column (allowed explicitly)"
        elif col in codebook.voice_columns.values():
            action = "kept as student voice, scrubbed"
        elif col == codebook.id_column:
            action = "replaced by a pseudonym"
        else:
            action = "dropped"
        ident_rows.append((col, why, action))
    return ident_reason, dropped, ident_rows


def _exclusions(table, raw: RawExport, codebook: Codebook, a: np.ndarray, answered: np.ndarray, key: bytes,
                min_answered: float, exclude_straight_lining: bool, item_cols: set):
    """Why each row is excluded, by precedence (the first reason that applies is the one recorded;
    see Notes of :func:`deidentify`), each row's pseudonym and its flags.

    Returns ``(category, reason, pseudonyms, id_uniques, straight, formula, flags)``: arrays over
    the export's rows (category "" for a kept row), and the normalised IDs (None without an
    ``id_column``).
    """
    n, n_items = a.shape
    rown = np.asarray(raw.row_numbers)
    reason = np.full(n, "", dtype=object)
    category = np.full(n, "", dtype=object)

    assigned = np.zeros(n, dtype=bool)

    def mark(mask, cat, text=None):
        mask = np.asarray(mask, dtype=bool) & ~assigned
        assigned[mask] = True
        category[mask] = cat
        if text is None:
            reason[mask] = cat
        else:
            reason[mask] = np.asarray(text, dtype=object)[mask] if not isinstance(text, str) else text

    other_cols = [c for c in table.columns if c not in item_cols]
    blank = answered == 0
    cand = np.flatnonzero(blank)  # only rows without any answer can be empty: check just those
    for c in other_cols:
        if not len(cand):
            break
        blank[cand] &= (table[c].iloc[cand].str.strip() == "").to_numpy()
        cand = cand[blank[cand]]
    mark(blank, "empty row")
    if raw.format in ("qualtrics", "qualtrics_legacy"):
        st = _find(table, "status", "responseset", "response type")
        if st is not None:
            sv = table[st].str.strip().str.casefold()
            for val, cat in _QUALTRICS_STATUS.items():
                mark((sv == val).to_numpy(), cat)
        ch = _find(table, "distributionchannel", "distribution channel")
        if ch is not None:
            cv = table[ch].str.strip().str.casefold()
            for val, cat in _QUALTRICS_CHANNEL.items():
                mark((cv == val).to_numpy(), cat)
        fin = _find(table, "finished")
        if fin is not None:
            fv = table[fin].str.strip().str.casefold()
            mark(fv.isin(_FALSE).to_numpy(), "unfinished response (Qualtrics Finished = False)")
    if codebook.id_column:
        id_codes, id_uniques = _factorize_ids(table[codebook.id_column])
        norm_ids = pd.Series(id_codes)  # one code per distinct normalised ID
        mark(np.asarray(id_uniques, dtype=object)[id_codes] == "", "no student ID")
        pseud = _pseudonyms_from_codes(id_codes, id_uniques, key)
    else:
        norm_ids = None
        pseud = _row_pseudonyms(rown, raw.sha256, key).to_numpy()
    under = answered < np.ceil(float(min_answered) * n_items - 1e-9)
    if under.any():
        text = np.full(n, "", dtype=object)
        text[under] = [f"answered {k} of {n_items} items ({k / n_items:.0%}), under the minimum {float(min_answered):.0%}" for k in answered[under]]
        mark(under, "under the minimum share of answered items", text)

    straight, formula, flags = _straight_lining_and_flags(a, answered, n_items, raw, rown)
    if exclude_straight_lining:
        mark(straight, "straight-lining (same answer to every item)")

    if norm_ids is not None:
        eligible = category == ""
        ids_e = norm_ids[eligible]
        dup = ids_e.duplicated(keep="last").to_numpy()
        if dup.any():
            # row number of the submission kept for each ID
            last_row = pd.Series(rown[eligible], index=ids_e.to_numpy()).groupby(level=0).last()
            kept_row = last_row.reindex(ids_e.to_numpy()[dup]).to_numpy()
            idx = np.flatnonzero(eligible)[dup]
            m = np.zeros(n, dtype=bool)
            m[idx] = True
            text = np.full(n, "", dtype=object)
            text[idx] = [f"duplicate submission of the same student; row {int(r)} kept (the last)" for r in kept_row]
            mark(m, "duplicate submission (the last is kept)", text)
    return category, reason, pseud, (id_uniques if codebook.id_column else None), straight, formula, flags


def _scrub_tokens(table: pd.DataFrame, codebook: Codebook, ident_reason: dict, roster, id_uniques, named: set,
                  item_cols: set) -> tuple[frozenset, frozenset]:
    """The names and IDs the scrubber removes from free text and group values: the name columns,
    the letter runs of e-mail local parts, the roster, the normalised student IDs, and the names
    and IDs of identifying columns the codebook does not name."""
    name_values = []
    for c in codebook.name_columns:
        name_values.extend(pd.unique(table[c].to_numpy()))
    for col, why in ident_reason.items():
        if "email" in why and (col not in named or col == codebook.id_column) or col in codebook.name_columns:
            # local parts of email addresses often spell the student's name (ana.rook3@...):
            # their letter runs of 3 or more are scrubbed as names too
            local = "\n".join(e.split("@")[0] for e in pd.unique(table[col].to_numpy()) if isinstance(e, str) and "@" in e)
            name_values.extend(set(re.findall(r"[^\W\d_]{3,}", local)))
    name_values.extend(roster)
    id_values: list[str] = list(id_uniques) if id_uniques is not None else []  # normalised already
    kept_cols = set(codebook.group_columns) | set(codebook.voice_columns.values()) | item_cols
    for col, why in ident_reason.items():
        if col in kept_cols or col == codebook.id_column or col in codebook.name_columns:
            continue
        # identifying columns the codebook does not name still feed the scrubber: their names
        # and IDs must not survive in the free text either
        values = [v for v in pd.unique(table[col].to_numpy()) if isinstance(v, str)]
        short = values and np.median([len(v.split()) for v in values[:2000]]) <= 3
        # Qualtrics' RecipientFirstName/RecipientLastName are "platform metadata" with names in them
        recipient = "metadata" in why and "name" in str(col).casefold().replace(" ", "")
        if "values look like names" in why or ("header says name" in why and short) or recipient:
            name_values.extend(values)
        if ("header says ID" in why or "unique" in why) and "email" not in why and short:
            id_values.extend(_normalise_id(v) for v in values)
    id_tokens = frozenset({t for t in id_values if len(t) >= 3} | set(re.findall(r"\d{5,}", "\n".join(id_values))))
    name_tokens = frozenset(_name_tokens(name_values))
    return name_tokens, id_tokens


def _straight_lining_and_flags(a: np.ndarray, answered: np.ndarray, n_items: int, raw: RawExport,
                               rown: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which rows give the same answer to every item (at least 4 answered), which hold a formula cell, each row's flags.

    A flag is ``"straight-lining"``, ``"formula read as text"`` (a workbook cell of the row held a
    formula, read as its text and never evaluated), both joined by ``"; "``, or ``""``.
    """
    n = a.shape[0]
    hi = np.where(np.isfinite(a), a, -np.inf).max(axis=1) if n_items else np.zeros(n)
    lo = np.where(np.isfinite(a), a, np.inf).min(axis=1) if n_items else np.zeros(n)
    straight = (answered >= 4) & (hi == lo)
    flags = np.where(straight, "straight-lining", "").astype(object)
    formula = np.zeros(n, dtype=bool)
    if raw.formula_cells:
        pos = {int(r): i for i, r in enumerate(rown)}
        for r, _col in raw.formula_cells:
            if int(r) in pos:
                formula[pos[int(r)]] = True
        flags = np.array([("; ".join(x for x in (f, "formula read as text") if x) if m else f)
                          for f, m in zip(flags, formula)], dtype=object)
    return straight, formula, flags


def _withhold_identifying(values: np.ndarray, names: frozenset, ids: frozenset, min_cell: int):
    """Replace group values that look identifying with :data:`WITHHELD_GROUP`.

    A group column is often typed by hand (a Section, a class code), so a student may type their
    name, ID or e-mail there; a label is printed even where its count is hidden. Every value is
    checked for the names of the export and roster and for e-mail, phone, address, date and URL
    patterns; values held by fewer than ``min_cell`` students (a real section label is shared by
    many) are also checked for student IDs and for capitalised word pairs that look like a name.

    Returns
    -------
    (ndarray, dict)
        The values, and ``{"values": distinct values withheld, "rows": rows changed}``.
    """
    series = pd.Series(values, dtype=object)
    counts = series.value_counts(dropna=True)
    id_keys = frozenset(k for k in (_id_key(x) for x in ids) if len(k) >= 3)
    bad = set()
    for value, k in counts.items():
        text = str(value)
        small = int(k) < min_cell
        clean = _scrub_one(text, names, ids if small else frozenset(), small, id_keys if small else frozenset())
        if clean != unicodedata.normalize("NFC", text):
            bad.add(value)
    if not bad:
        return values, {"values": 0, "rows": 0}
    mask = series.isin(bad).to_numpy()
    out = np.asarray(values, dtype=object).copy()
    out[mask] = WITHHELD_GROUP
    return out, {"values": len(bad), "rows": int(mask.sum())}


def _stripped_or_nan(s: pd.Series) -> np.ndarray:
    """Cells stripped of surrounding spaces, empty ones NaN; done once per distinct value."""
    codes, uniques = pd.factorize(s, sort=False)
    clean = np.array([u.strip() if isinstance(u, str) else u for u in np.asarray(uniques, dtype=object)] + [np.nan], dtype=object)
    clean[clean == ""] = np.nan
    return clean[np.where(codes >= 0, codes, len(clean) - 1)]


def _group_report(responses: pd.DataFrame, columns: list[str], min_cell: int) -> dict:
    out = {"columns": columns, "min_cell": min_cell}
    if not columns:
        out.update({"smallest_group": int(len(responses)), "n_groups": 1 if len(responses) else 0,
                    "n_small_groups": 0, "small_groups": [], "by_column": {}, "too_fine": []})
        return out
    frame = pd.DataFrame({c: _stripped_or_nan(responses[c]) for c in columns}).fillna("(missing)")
    sizes = frame.groupby(columns, sort=True).size()
    small = sizes[sizes < min_cell]
    out["smallest_group"] = int(sizes.min())
    out["n_groups"] = int(len(sizes))
    out["n_small_groups"] = int(len(small))
    out["small_groups"] = [
        {"group": dict(zip(columns, (idx if isinstance(idx, tuple) else (idx,)))), "n": int(k)} for idx, k in small.items()
    ]
    by = {}
    for c in columns:
        s = frame[c].value_counts()
        by[c] = {"n_groups": int(len(s)), "smallest": int(s.min()), "too_fine": bool(s.min() < min_cell)}
    out["by_column"] = by
    out["too_fine"] = [c for c in columns if by[c]["too_fine"]]
    return out
