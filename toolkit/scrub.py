"""Free-text scrubbing: e-mail addresses, handles, URLs, IPs, IDs, street addresses, phones, names."""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable

import numpy as np
import pandas as pd


__all__ = ["scrub_text"]


# --------------------------------------------------------------------------------------------
# student IDs, normalised as the pseudonyms are (see toolkit.privacy.keys)

_NUMERIC_ID = re.compile(r"\d+(?:\.0+)?")


def _normalise_id(x) -> str:
    if not isinstance(x, str):
        return ""
    if not x.isascii():
        x = unicodedata.normalize("NFKC", x)
    x = "".join(x.casefold().split())
    if _NUMERIC_ID.fullmatch(x):
        # a spreadsheet that re-saved the export drops leading zeros (00123 -> 123) or adds a
        # decimal (123.0): all of them are one student, so waves still link
        x = x.split(".")[0].lstrip("0") or "0"
    return x


# --------------------------------------------------------------------------------------------
# free-text scrubbing

_EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_EMAIL_AT = re.compile(r"\b[\w.+-]+\s*(?:\(at\)|\[at\]| at )\s*[\w-]+\s*(?:\(dot\)|\[dot\]| dot )\s*[a-z]{2,}\b", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_][A-Za-z0-9_.]{1,29}\b")
_URL = re.compile(
    r"\b(?:https?://|www\.)[^\s<>\"]+"
    r"|\b(?:[a-z0-9-]+\.)+(?:com|org|net|edu|gov|io|co|uk|ca|au|de|fr|nl|info|me|ly|gl|app|us|school|k12)\b(?:/[^\s<>\"]*)?",
    re.IGNORECASE,
)
_IP = re.compile(
    r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\w.]\d)"
    r"|\b(?:[0-9a-f]{1,4}:){2,7}(?::|[0-9a-f]{1,4})\b",
    re.IGNORECASE,
)
_STREET = (
    r"street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|terrace|ter|"
    r"circle|cir|parkway|pkwy|highway|hwy|square|sq|crescent|cres|close|grove|gardens|strasse|straße|weg|gasse"
)
_ADDRESS = re.compile(
    rf"\b\d{{1,5}}[a-z]?\s+(?:[\w.'’-]+\s+){{0,4}}(?:{_STREET})\b\.?(?:,?\s*(?:apt|apartment|unit|suite|#)\.?\s*\w+)?"
    r"|\bP\.?\s?O\.?\s+Box\s+\d+",
    re.IGNORECASE,
)
_PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,5}(?:[\s.-]?\d{2,5}){1,4}(?!\w)")
_DATE = re.compile(r"^(?:\d{4}[-.]\d{1,2}[-.]\d{1,2}|\d{1,2}[-.]\d{1,2}[-.]\d{2,4}|(?:19|20)\d\d\s?[-.]\s?(?:19|20)\d\d)$")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_TOKEN = re.compile(r"[\w-]+")
_UP = "A-ZÀ-ÖØ-Þ"
_LOW = "a-zß-öø-ÿ"
_PAIR = re.compile(rf"\b([{_UP}][{_LOW}]+(?:['’-][{_UP}]?[{_LOW}]+)?)\s+([{_UP}][{_LOW}]+(?:['’-][{_UP}]?[{_LOW}]+)?)\b")
_TITLE = re.compile(rf"\b(Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?\s+[{_UP}][{_LOW}'’-]+")
_MULTI_NAME = re.compile(r"\[NAME\](?:\s+\[NAME\])+")
# Capitalised words that start sentences or name things other than people; a pair containing one
# of them is not taken for a first and last name by the heuristic.
_NOT_NAMES = frozenset(
    """
    i a an the when what why how who where which if my our your their his her its we they he she it
    in on at for and but or so to also then this that these those maybe please thanks thank yes no
    not because after before while during with without about from by of as just really very more
    most some any every each all one two three first next last new old good great best
    monday tuesday wednesday thursday friday saturday sunday january february march april may june
    july august september october november december english math maths mathematics science history
    geography spanish french german chinese latin biology chemistry physics art music drama pe
    computer computing economics literature algebra geometry calculus statistics class school club
    team group teacher teachers homework test tests quiz unit chapter lesson google microsoft
    youtube khan academy quizlet kahoot zoom teams word excel powerpoint ap ib gcse sat act
    """.split()
)
_NOT_NAME_TOKENS = frozenset({"anonymous", "unknown", "none", "na", "n/a", "student", "test"})
# Given names that are also everyday English words: scrubbed only when capitalised, so that
# "I will study more" survives a classmate called Will while "ask Will" does not.
_COMMON_WORDS = frozenset(
    """
    will may an art mark grace hope joy rose sky summer june april august bill faith chase hunter
    king max ray dawn sunny amber ivy jade pearl ruby autumn river reed lane bay brook dale drew
    guy jack kit pat rob sue don dean frank earl miles penny rich skip win young long ash cole
    hall page rush story gray grey green white brown black price bell love may star storm
    """.split()
)


def _is_name(token: str, names: frozenset) -> bool:
    k = token.casefold()
    return k in names and (k not in _COMMON_WORDS or token[:1].isupper())


def _phone_sub(m: re.Match) -> str:
    s = m.group(0)
    digits = sum(ch.isdigit() for ch in s)
    if digits < 7 or digits > 15 or _DATE.match(s.strip()):
        return s
    return "[PHONE]"


def _url_sub(m: re.Match) -> str:
    s = m.group(0)
    trail = len(s) - len(s.rstrip(".,;:!?)]'\""))
    return "[URL]" + (s[len(s) - trail:] if trail else "")


def _name_tokens(names: Iterable[str]) -> set[str]:
    """Full names and their first/last tokens, case-folded, without words that are not names."""
    # one regex pass over all names joined: a million names take a second, not a minute
    text = "\n".join(n for n in names if isinstance(n, str))
    tokens = {t.casefold() for t in set(_WORD.findall(text))}
    return {t for t in tokens if len(t) >= 2 and t not in _NOT_NAME_TOKENS}


def _id_tokens(ids: Iterable[str]) -> set[str]:
    """Normalised IDs of 3+ characters, and the digit runs of 5+ inside them."""
    norm = {_normalise_id(x) for x in ids}
    out = {t for t in norm if len(t) >= 3}
    out.update(re.findall(r"\d{5,}", "\n".join(out)))
    return out


def _scrub_one(text: str, names: frozenset, ids: frozenset, heuristic: bool) -> str:
    if not text:
        return text
    t = _EMAIL.sub("[EMAIL]", text)
    t = _EMAIL_AT.sub("[EMAIL]", t)
    t = _HANDLE.sub("[HANDLE]", t)
    t = _URL.sub(_url_sub, t)
    t = _IP.sub("[IP]", t)
    if ids:
        t = _TOKEN.sub(lambda m: "[ID]" if _normalise_id(m.group(0)) in ids else m.group(0), t)
    t = _ADDRESS.sub("[ADDRESS]", t)
    t = _PHONE.sub(_phone_sub, t)
    if names:
        t = _WORD.sub(lambda m: "[NAME]" if _is_name(m.group(0), names) else m.group(0), t)
    t = _TITLE.sub(lambda m: m.group(1) + " [NAME]", t)
    if heuristic:
        t = _PAIR.sub(
            lambda m: m.group(0)
            if m.group(1).casefold() in _NOT_NAMES or m.group(2).casefold() in _NOT_NAMES
            else "[NAME]",
            t,
        )
    return _MULTI_NAME.sub("[NAME]", t)


def scrub_text(texts, *, names: Iterable[str] = (), ids: Iterable[str] = (), heuristic: bool = True) -> pd.Series:
    """Remove identifiers from free text.

    Replaces emails with ``[EMAIL]``, social-media handles (``@name_22``) with ``[HANDLE]``,
    URLs with ``[URL]``, IP addresses with ``[IP]``, known
    student IDs with ``[ID]``, street addresses with ``[ADDRESS]``, phone numbers (7 to 15 digits,
    local or international, e.g. ``555-0142``, ``(555) 555-0142``, ``+44 20 7946 0958``) with
    ``[PHONE]``, and names with ``[NAME]``: every name and first/last token in ``names``
    (case-insensitive, whole words; a name that is also an everyday word such as Will, May or
    Grace only when capitalised), a title and surname (``Mr Smith``), and, with
    ``heuristic=True``, any pair of capitalised words that are not common sentence words
    (``Avery Blake``).

    Parameters
    ----------
    texts : Series or iterable of str
        The free text; missing values stay missing.
    names : iterable of str, default=()
        Names to remove: the export's name columns, a class roster.
    ids : iterable of str, default=()
        Student IDs to remove (matched ignoring case and spaces; digit runs of 5 or more inside an
        ID are removed too).
    heuristic : bool, default=True
        Also remove capitalised word pairs that look like a first and last name. It removes some
        harmless phrases ("Spanish Club" survives, "Room Nine" does not): the toolkit prefers
        removing too much to leaking a name.

    Returns
    -------
    Series of str
        Same index as ``texts``.

    Notes
    -----
    Regular expressions are hand-written because the well-kept scrubbers (Microsoft Presidio,
    scrubadub) need large language models or services a school laptop may not have; these
    patterns cover what student answers actually carry, and each is tested. Texts are scrubbed
    once per distinct value, so repeated answers cost nothing.

    Examples
    --------
    >>> scrub_text(["Email me at ana.b@example.org or call 555-0142, I sit with Avery Blake"]).iloc[0]
    'Email me at [EMAIL] or call [PHONE], I sit with [NAME]'
    """
    s = texts if isinstance(texts, pd.Series) else pd.Series(list(texts), dtype=object)
    return _scrub_series(s, frozenset(_name_tokens(names)), frozenset(_id_tokens(ids)), heuristic)[0]


def _scrub_series(s: pd.Series, name_set: frozenset, id_set: frozenset, heuristic: bool = True):
    """Scrub each distinct text once; also count the tags added, weighted by repetition."""
    codes, uniques = pd.factorize(s, sort=False)
    cleaned = np.array([_scrub_one(str(u), name_set, id_set, heuristic) for u in uniques], dtype=object)
    out = np.where(codes >= 0, cleaned[np.maximum(codes, 0)] if len(cleaned) else None, None)
    result = pd.Series(out, index=s.index, dtype=object)
    if s.isna().any():
        result = result.where(s.notna(), np.nan)
    freq = np.bincount(codes[codes >= 0], minlength=len(uniques))
    counts = dict.fromkeys(_TAGS, 0)
    for u, c, f in zip(uniques, cleaned, freq):
        if c != u:
            for tag in _TAGS:
                counts[tag] += (c.count(tag) - str(u).count(tag)) * int(f)
    return result, counts


_TAGS = ("[EMAIL]", "[HANDLE]", "[URL]", "[IP]", "[ID]", "[ADDRESS]", "[PHONE]", "[NAME]")


