"""The layout layer of :mod:`toolkit.io`: which platform made an export, and its header rows.

Recognises the headers Google Forms, Microsoft Forms and Qualtrics add on their own
(:func:`platform_metadata_reason`) and, from the first rows of a grid of text cells, the format,
the number of header rows and the headers (``_layout``).
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from .codebook import Codebook

# Headers the platforms add on their own. They never hold an answer to the survey, and several
# (email, name, IP address, location, timestamps) identify the student.
_GOOGLE_META = {"timestamp", "email address", "score", "total score"}
_MICROSOFT_META = {
    "id",
    "start time",
    "completion time",
    "email",
    "name",
    "last modified time",
    "total points",
    "quiz feedback",
}
_MICROSOFT_META_PREFIX = ("points - ", "feedback - ")
_QUALTRICS_META = {
    "startdate",
    "enddate",
    "status",
    "ipaddress",
    "progress",
    "duration (in seconds)",
    "finished",
    "recordeddate",
    "responseid",
    "responseset",
    "recipientlastname",
    "recipientfirstname",
    "recipientemail",
    "externalreference",
    "externaldatareference",
    "locationlatitude",
    "locationlongitude",
    "locationaccuracy",
    "distributionchannel",
    "userlanguage",
    "emailaddress",
    # question-text row of the same columns (3-row layout)
    "start date",
    "end date",
    "response type",
    "ip address",
    "recorded date",
    "response id",
    "recipient last name",
    "recipient first name",
    "recipient email",
    "external data reference",
    "location latitude",
    "location longitude",
    "distribution channel",
    "user language",
}
_QUALTRICS_META_RE = re.compile(
    r"^(q_recaptcha|q_relevantid|q_ballotbox|q_totalduration|q_url|q_unansweredpercentage|q_unansweredquestions)"
    r"|_do(_\d+)?$|_(first click|last click|page submit|click count)$|_timing|^v[1-9]$|^v10$",
    re.IGNORECASE,
)
# Google Forms localises its "Timestamp" header.
_GOOGLE_FIRST = {"timestamp", "marca temporal", "horodateur", "zeitstempel", "carimbo de data/hora", "informazioni cronologiche"}
_IMPORT_ID = re.compile(r'^\s*\{\s*"ImportId"\s*:', re.IGNORECASE)


def _norm(s: str) -> str:
    """Header key: NFKC, case-folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", str(s)).casefold().split())


def platform_metadata_reason(header: str, fmt: str | None = None) -> str | None:
    """Why a column is platform metadata, or None when it is not.

    Parameters
    ----------
    header : str
        The column header (or Qualtrics column id).
    fmt : str, optional
        The export's format; Google's and Microsoft's generic headers (``Email``, ``Name``,
        ``ID``) only count as metadata in their own format or when the format is unknown.

    Returns
    -------
    str or None
        A short reason such as ``"Qualtrics metadata"``.
    """
    k = _norm(header)
    if k in _QUALTRICS_META or _QUALTRICS_META_RE.search(k):
        if fmt in (None, "qualtrics", "qualtrics_legacy", "csv", "excel"):
            return "Qualtrics metadata"
    if fmt in (None, "google_forms") and (k in _GOOGLE_META or k in _GOOGLE_FIRST):
        return "Google Forms metadata"
    if fmt in (None, "microsoft_forms") and (k in _MICROSOFT_META or k.startswith(_MICROSOFT_META_PREFIX)):
        return "Microsoft Forms metadata"
    return None


def _layout(grid: pd.DataFrame, *, excel: bool, codebook: Codebook | None):
    first = [str(h).strip() for h in grid.iloc[0]]
    keys = [_norm(h) for h in first]
    n_qmeta = sum(k in _QUALTRICS_META for k in keys)
    question_text: dict[str, str] = {}
    if (n_qmeta >= 3 or {"v1", "v2", "v3"} <= set(keys)) and len(grid) >= 2:
        third = [str(v) for v in grid.iloc[2]] if len(grid) >= 3 else []
        n_import = sum(bool(_IMPORT_ID.match(v)) for v in third)
        n_header = 3 if third and n_import >= max(1, len(third) // 2) else 2
        fmt = "qualtrics" if n_header == 3 else "qualtrics_legacy"
        if n_header == 2 and not _looks_like_text_row(grid, first):
            n_header, fmt = 1, "csv"
        if n_header >= 2:
            texts = [str(t).strip() for t in grid.iloc[1]]
            named = {_norm(c) for c in codebook.named_columns} if codebook is not None else set()
            headers = []
            for cid, text in zip(first, texts):
                h = text if (_norm(cid) not in named and _norm(text) in named) else cid
                if re.fullmatch(r"V\d+", cid) and _norm(text) in _QUALTRICS_META:
                    h = text  # legacy exports number their metadata V1..V10; its name is in row 2
                headers.append(h)
                question_text[h] = text
            return fmt, n_header, headers, question_text
        return fmt, 1, first, question_text
    if keys and keys[0] in _GOOGLE_FIRST:
        return "google_forms", 1, first, question_text
    if {"id", "start time", "completion time"} <= set(keys):
        return "microsoft_forms", 1, first, question_text
    return ("excel" if excel else "csv"), 1, first, question_text


def _looks_like_text_row(grid: pd.DataFrame, first: list[str]) -> bool:
    """The second row of a legacy Qualtrics export repeats the headers as text, not dates."""
    row2 = [str(v).strip() for v in grid.iloc[1]]
    for h, v in zip(first, row2):
        if _norm(h) in {"startdate", "enddate", "recordeddate"}:
            return not re.match(r"^\d{1,4}[-/]\d", v)
    return True

